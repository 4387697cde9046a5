//! The iptables reader of `vmmports audit` against what the real tools
//! print: the fixtures in tests/data/audit/iptables/ are `iptables-save`
//! output of the `*.rules` beside them, loaded into a throwaway network
//! namespace by `regenerate.sh`. Each test asks about packets whose fate
//! one semantic decides (chain order, policies, user chains, goto,
//! negation, ...), and checks the verdict, the rules named, and where the
//! ruleset's matches change.

use std::net::IpAddr;
use std::path::Path;

use vmmports::audit::iptables::{IptablesRuleset, read};
use vmmports::audit::model::{Decision, Direction, Input, InputError, Packet, Protocol, Ruleset};

const FIXTURES: &str = "tests/data/audit/iptables";

fn fixture(name: &str) -> Input {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(name);
    Input {
        name: format!("{FIXTURES}/{name}"),
        bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    }
}

fn ruleset(names: &[&str]) -> IptablesRuleset {
    let inputs: Vec<Input> = names.iter().map(|n| fixture(n)).collect();
    read(&inputs).unwrap_or_else(|e| panic!("{e}"))
}

fn text_error(name: &str, text: &str) -> InputError {
    read(&[Input {
        name: name.to_string(),
        bytes: text.as_bytes().to_vec(),
    }])
    .expect_err("the text must be refused")
}

fn packet(direction: Direction, protocol: Protocol, peer: &str, port: u16) -> Packet {
    Packet {
        direction,
        protocol,
        peer: peer.parse().unwrap(),
        local: None,
        port,
        source_port: None,
        interface: None,
    }
}

fn tcp_in(peer: &str, port: u16) -> Packet {
    packet(Direction::Inbound, Protocol::Tcp, peer, port)
}

fn udp_in(peer: &str, port: u16) -> Packet {
    packet(Direction::Inbound, Protocol::Udp, peer, port)
}

fn tcp_out(peer: &str, port: u16) -> Packet {
    packet(Direction::Outbound, Protocol::Tcp, peer, port)
}

fn places(decision: &Decision) -> Vec<&str> {
    decision.rules.iter().map(|r| r.place.as_str()).collect()
}

fn addresses(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|a| a.parse().unwrap()).collect()
}

// host.save: a host's INPUT with a DROP policy, user chains, RETURN,
// negation, multiport, conntrack, iprange, an interface wildcard, REJECT.

#[test]
fn a_vmm_server_reaches_winrm_through_the_user_chain_its_subnet_is_sent_to() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&tcp_in("10.10.0.5", 5985));
    assert!(decision.allowed, "{decision:?}");
    assert_eq!(
        places(&decision),
        ["filter INPUT rule 5", "filter VMM rule 2"]
    );
    assert_eq!(
        decision.rules[0].text.as_deref(),
        Some("-A INPUT -s 10.10.0.0/24 -p tcp -m comment --comment \"VMM management\" -j VMM")
    );
    assert!(decision.assumptions.is_empty(), "{decision:?}");
}

#[test]
fn return_ends_a_user_chain_before_its_later_rules() {
    let host = ruleset(&["host.save"]);
    let banned = host.decide(&tcp_in("10.10.0.66", 5985));
    assert!(!banned.allowed);
    assert_eq!(
        places(&banned),
        [
            "filter INPUT rule 5",
            "filter VMM rule 1",
            "filter VMM-BANNED rule 1"
        ]
    );
    assert_eq!(
        banned.why,
        "dropped by filter VMM-BANNED rule 1, reached through \
         filter INPUT rule 5 (\"VMM management\") then filter VMM rule 1"
    );
    // VMM-BANNED rule 3 drops the whole subnet, but RETURN (rule 2) comes
    // first for every other address.
    let other = host.decide(&tcp_in("10.10.0.7", 5985));
    assert!(other.allowed, "{other:?}");
    assert_eq!(places(&other), ["filter INPUT rule 5", "filter VMM rule 2"]);
}

#[test]
fn a_user_chain_that_ends_without_a_verdict_falls_back_to_the_rule_after_the_jump() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&tcp_in("10.10.0.5", 8000));
    assert!(!decision.allowed);
    assert_eq!(places(&decision), ["filter INPUT rule 10"]);
    assert!(decision.why.starts_with("rejected"), "{}", decision.why);
}

#[test]
fn a_new_connection_matches_ctstate_new_and_not_established_or_invalid() {
    let host = ruleset(&["host.save"]);
    let smb = host.decide(&tcp_in("10.10.0.5", 445));
    assert!(smb.allowed);
    assert_eq!(places(&smb), ["filter INPUT rule 5", "filter VMM rule 3"]);
    // Rule 2 accepts RELATED,ESTABLISHED and rule 3 drops INVALID: neither
    // is this packet, which goes on to the final REJECT.
    let other = host.decide(&tcp_in("192.168.5.5", 9999));
    assert!(!other.allowed);
    assert_eq!(places(&other), ["filter INPUT rule 10"]);
}

#[test]
fn the_chain_policy_decides_what_no_rule_does() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&udp_in("10.20.0.20", 53));
    assert!(!decision.allowed);
    assert_eq!(places(&decision), ["filter INPUT policy DROP"]);
    assert_eq!(decision.rules[0].text, None);
    assert!(decision.why.contains("policy"), "{}", decision.why);
}

#[test]
fn an_iprange_covers_both_its_ends_and_nothing_past_them() {
    let host = ruleset(&["host.save"]);
    for peer in ["10.20.0.10", "10.20.0.19"] {
        let decision = host.decide(&udp_in(peer, 53));
        assert_eq!(places(&decision), ["filter INPUT rule 6"], "{peer}");
        assert!(decision.allowed);
    }
    let before = host.decide(&udp_in("10.20.0.9", 53));
    assert_eq!(places(&before), ["filter INPUT policy DROP"]);
}

#[test]
fn an_interface_wildcard_matches_by_prefix_and_an_unknown_interface_is_assumed() {
    let host = ruleset(&["host.save"]);
    let mut ssh = tcp_in("192.168.7.7", 22);
    ssh.interface = Some("eth1".into());
    let on_eth1 = host.decide(&ssh);
    assert!(on_eth1.allowed);
    assert_eq!(places(&on_eth1), ["filter INPUT rule 7"]);
    assert!(on_eth1.assumptions.is_empty());

    ssh.interface = Some("ens3".into());
    let on_ens3 = host.decide(&ssh);
    assert!(!on_ens3.allowed);
    assert_eq!(places(&on_ens3), ["filter INPUT rule 10"]);

    ssh.interface = None;
    let unknown = host.decide(&ssh);
    assert!(unknown.allowed);
    assert_eq!(places(&unknown), ["filter INPUT rule 7"]);
    assert!(
        unknown.assumptions.iter().any(|a| a.contains("eth+")),
        "{:?}",
        unknown.assumptions
    );
}

#[test]
fn a_loopback_peer_arrives_on_lo() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&tcp_in("127.0.0.1", 1234));
    assert!(decision.allowed);
    assert_eq!(places(&decision), ["filter INPUT rule 1"]);
}

#[test]
fn a_negated_source_sends_only_addresses_outside_it_to_the_logging_drop() {
    let host = ruleset(&["host.save"]);
    let outside = host.decide(&tcp_in("192.168.1.5", 3389));
    assert!(!outside.allowed);
    assert_eq!(
        places(&outside),
        ["filter INPUT rule 8", "filter LOGDROP rule 2"]
    );
    let inside = host.decide(&tcp_in("10.1.2.3", 3389));
    assert!(inside.allowed);
    assert_eq!(places(&inside), ["filter INPUT rule 9"]);
}

#[test]
fn multiport_lists_include_the_ends_of_their_ranges() {
    let host = ruleset(&["host.save"]);
    for port in [443, 5986, 8100, 8103] {
        let decision = host.decide(&tcp_in("10.10.0.5", port));
        assert_eq!(
            places(&decision),
            ["filter INPUT rule 5", "filter VMM rule 2"],
            "{port}"
        );
    }
    let past = host.decide(&tcp_in("10.10.0.5", 8104));
    assert_eq!(places(&past), ["filter INPUT rule 10"]);
}

#[test]
fn an_echo_request_is_accepted_by_its_icmp_type() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&packet(
        Direction::Inbound,
        Protocol::Icmp,
        "192.168.9.9",
        0,
    ));
    assert!(decision.allowed);
    assert_eq!(places(&decision), ["filter INPUT rule 4"]);
}

#[test]
fn the_host_boundaries_are_every_port_and_peer_address_edge() {
    let host = ruleset(&["host.save"]);
    let inbound = host.boundaries(Direction::Inbound);
    assert_eq!(
        inbound.ports,
        [
            22, 23, 53, 54, 443, 444, 445, 446, 3389, 3390, 5985, 5987, 8100, 8104
        ]
    );
    assert_eq!(
        inbound.addresses,
        addresses(&[
            "10.0.0.0",
            "10.10.0.0",
            "10.10.0.66",
            "10.10.0.67",
            "10.10.1.0",
            "10.20.0.10",
            "10.20.0.20",
            "11.0.0.0"
        ])
    );
    let outbound = host.boundaries(Direction::Outbound);
    assert!(outbound.ports.is_empty() && outbound.addresses.is_empty());
}

#[test]
fn an_ipv6_packet_with_only_iptables_rules_is_allowed_on_an_assumption() {
    let host = ruleset(&["host.save"]);
    let decision = host.decide(&tcp_in("2001:db8::5", 5985));
    assert!(decision.allowed);
    assert!(decision.rules.is_empty());
    assert!(decision.why.contains("ip6tables"), "{}", decision.why);
    assert_eq!(decision.assumptions.len(), 1, "{decision:?}");
}

#[test]
fn describe_names_the_program_family_and_counts() {
    let host = ruleset(&["host.save"]);
    assert_eq!(
        host.describe(),
        [format!(
            "{FIXTURES}/host.save: iptables-nft-save (IPv4): 1 table, 6 chains, 18 rules"
        )]
    );
}

// tables.save: rules in raw, mangle, nat, filter and security.

#[test]
fn an_accept_in_raw_ends_only_raw_and_mangle_can_still_drop() {
    let tables = ruleset(&["tables.save"]);
    let snmp = tables.decide(&udp_in("10.0.0.1", 161));
    assert!(!snmp.allowed);
    assert_eq!(places(&snmp), ["mangle INPUT rule 1"]);
}

#[test]
fn every_tables_chain_is_passed_in_hook_order() {
    let tables = ruleset(&["tables.save"]);
    let dns = tables.decide(&udp_in("10.0.0.1", 53));
    assert!(dns.allowed);
    assert_eq!(
        places(&dns),
        [
            "raw PREROUTING rule 2",
            "mangle PREROUTING policy ACCEPT",
            "mangle INPUT policy ACCEPT",
            "filter INPUT rule 1",
            "security INPUT policy ACCEPT"
        ]
    );
    // raw comes before filter, which would accept WinRM.
    let early = tables.decide(&tcp_in("192.0.2.66", 5985));
    assert_eq!(places(&early), ["raw PREROUTING rule 1"]);
    assert!(!early.allowed);
    // security comes after filter, which accepted it.
    let late = tables.decide(&tcp_in("203.0.113.7", 5985));
    assert_eq!(places(&late), ["security INPUT rule 1"]);
    assert!(!late.allowed);
}

#[test]
fn a_nat_rewrite_is_noted_and_not_followed() {
    let tables = ruleset(&["tables.save"]);
    let decision = tables.decide(&tcp_in("10.0.0.1", 8080));
    assert!(!decision.allowed);
    assert_eq!(places(&decision), ["filter INPUT rule 4"]);
    assert!(
        decision
            .assumptions
            .iter()
            .any(|a| a.contains("nat PREROUTING rule 1 (REDIRECT)")),
        "{:?}",
        decision.assumptions
    );
}

#[test]
fn outbound_packets_pass_output_chains_then_postrouting() {
    let tables = ruleset(&["tables.save"]);
    let smtp = tables.decide(&tcp_out("10.0.0.9", 25));
    assert_eq!(places(&smtp), ["mangle OUTPUT rule 1"]);
    let winrm = tables.decide(&tcp_out("10.0.0.9", 5986));
    assert!(!winrm.allowed);
    assert_eq!(places(&winrm), ["filter OUTPUT rule 1"]);
    assert!(winrm.why.starts_with("rejected"), "{}", winrm.why);
    let late = tables.decide(&tcp_out("10.0.0.9", 2525));
    assert_eq!(places(&late), ["mangle POSTROUTING rule 1"]);
    let https = tables.decide(&tcp_out("10.0.0.9", 443));
    assert!(https.allowed);
    assert_eq!(
        places(&https),
        [
            "mangle OUTPUT policy ACCEPT",
            "filter OUTPUT policy ACCEPT",
            "mangle POSTROUTING policy ACCEPT"
        ]
    );
}

#[test]
fn boundaries_follow_the_direction_asked_about() {
    let tables = ruleset(&["tables.save"]);
    let inbound = tables.boundaries(Direction::Inbound);
    assert_eq!(inbound.ports, [80, 81, 161, 162, 5985, 5986, 8080, 8081]);
    assert_eq!(
        inbound.addresses,
        addresses(&["192.0.2.66", "192.0.2.67", "203.0.113.0", "203.0.114.0"])
    );
    let outbound = tables.boundaries(Direction::Outbound);
    assert_eq!(outbound.ports, [25, 26, 2525, 2526, 5986, 5987]);
    assert!(outbound.addresses.is_empty());
}

// goto.save: -g returns to the caller's caller.

#[test]
fn a_goto_chain_that_ends_returns_past_the_chain_that_went_to_it() {
    let goto = ruleset(&["goto.save"]);
    // CHECK goes to WEB, which does not accept 443; the packet comes back
    // to INPUT (not to CHECK, whose rule 2 would drop it).
    let https = goto.decide(&tcp_in("10.1.1.1", 443));
    assert!(https.allowed, "{https:?}");
    assert_eq!(places(&https), ["filter INPUT rule 2"]);
    let outsider = goto.decide(&tcp_in("192.168.1.1", 443));
    assert!(!outsider.allowed);
    assert_eq!(
        places(&outsider),
        ["filter INPUT rule 1", "filter CHECK rule 2"]
    );
    let http = goto.decide(&tcp_in("10.1.1.1", 80));
    assert!(http.allowed);
    assert_eq!(
        places(&http),
        [
            "filter INPUT rule 1",
            "filter CHECK rule 1",
            "filter WEB rule 1"
        ]
    );
}

#[test]
fn a_goto_from_a_built_in_chain_ends_in_its_policy() {
    let goto = ruleset(&["goto.save"]);
    let dns = goto.decide(&udp_in("10.1.1.1", 53));
    assert!(!dns.allowed);
    assert_eq!(places(&dns), ["filter INPUT policy DROP"]);
    let ntp = goto.decide(&udp_in("10.1.1.1", 123));
    assert!(ntp.allowed);
    assert_eq!(places(&ntp), ["filter INPUT rule 3", "filter UDPIN rule 1"]);
}

// host6.save: ip6tables-save output next to iptables-save output.

#[test]
fn an_ip6tables_file_decides_ipv6_packets_and_the_iptables_file_ipv4_ones() {
    let both = ruleset(&["host.save", "host6.save"]);
    let v6 = both.decide(&tcp_in("2001:db8:10::5", 5985));
    assert!(v6.allowed);
    assert_eq!(places(&v6), ["filter INPUT rule 4"]);
    assert!(v6.assumptions.is_empty());
    let stranger = both.decide(&tcp_in("2001:db8:99::1", 5985));
    assert_eq!(places(&stranger), ["filter INPUT policy DROP"]);
    let range = both.decide(&tcp_in("2001:db8:20::1f", 443));
    assert_eq!(places(&range), ["filter INPUT rule 5"]);
    let ping = both.decide(&packet(
        Direction::Inbound,
        Protocol::Icmp,
        "2001:db8:99::1",
        0,
    ));
    assert!(ping.allowed);
    assert_eq!(places(&ping), ["filter INPUT rule 3"]);
    let v4 = both.decide(&tcp_in("10.10.0.5", 5985));
    assert_eq!(places(&v4), ["filter INPUT rule 5", "filter VMM rule 2"]);
    assert!(both.describe()[1].contains("ip6tables-nft-save (IPv6)"));
    let edges = both.boundaries(Direction::Inbound).addresses;
    for edge in [
        "2001:db8:10::",
        "2001:db8:10:1::",
        "2001:db8:20::10",
        "2001:db8:20::20",
    ] {
        assert!(
            edges.contains(&edge.parse().unwrap()),
            "{edge} in {edges:?}"
        );
    }
}

// unmodelled.save: matches this reader does not model.

#[test]
fn an_unmodelled_match_is_assumed_to_hold_and_the_decision_says_so() {
    let rules = ruleset(&["unmodelled.save"]);
    let ssh = rules.decide(&tcp_in("10.0.0.1", 22));
    assert!(!ssh.allowed);
    assert_eq!(places(&ssh), ["filter INPUT rule 1"]);
    assert!(
        ssh.assumptions
            .iter()
            .any(|a| a.contains("-m recent --update")),
        "{:?}",
        ssh.assumptions
    );
    let winrm = rules.decide(&tcp_in("10.0.0.1", 5985));
    assert!(winrm.allowed);
    assert_eq!(places(&winrm), ["filter INPUT rule 2"]);
    assert!(
        winrm.assumptions.iter().any(|a| a.contains("vmm-servers")),
        "{:?}",
        winrm.assumptions
    );
    // addrtype LOCAL holds for a packet to this machine by definition; the
    // rate limit is assumed.
    let vmm = rules.decide(&tcp_in("10.0.0.1", 8100));
    assert!(vmm.allowed);
    assert_eq!(places(&vmm), ["filter INPUT rule 4"]);
    assert_eq!(vmm.assumptions.len(), 1, "{:?}", vmm.assumptions);
    assert!(vmm.assumptions[0].contains("-m limit"));
}

// host-with-legacy.save and legacy.save: both back ends loaded at once.

#[test]
fn nft_output_that_warns_of_legacy_tables_is_judged_with_them_when_given() {
    let alone = ruleset(&["host-with-legacy.save"]);
    assert!(
        alone.describe()[0].contains("legacy"),
        "{:?}",
        alone.describe()
    );
    let decision = alone.decide(&tcp_in("10.10.0.5", 5985));
    assert!(decision.allowed);
    assert!(
        decision
            .assumptions
            .iter()
            .any(|a| a.contains("iptables-legacy")),
        "{:?}",
        decision.assumptions
    );

    let both = ruleset(&["host-with-legacy.save", "legacy.save"]);
    let blocked = both.decide(&tcp_in("10.10.0.5", 5985));
    assert!(!blocked.allowed);
    assert_eq!(places(&blocked), ["filter INPUT rule 1"]);
    assert!(
        blocked.why.starts_with(&format!("{FIXTURES}/legacy.save")),
        "{}",
        blocked.why
    );
    assert!(blocked.assumptions.is_empty(), "{:?}", blocked.assumptions);
    assert!(
        both.describe()[1]
            .ends_with("iptables-save (IPv4): 1 table, 3 chains, 1 rule; legacy back end"),
        "{:?}",
        both.describe()
    );
    // Another nft save beside it is not the legacy tables it warns of.
    let nft_only = ruleset(&["host-with-legacy.save", "tables.save"]);
    let decision = nft_only.decide(&tcp_in("10.10.0.5", 5985));
    assert!(
        decision
            .assumptions
            .iter()
            .any(|a| a.contains("iptables-legacy")),
        "{:?}",
        decision.assumptions
    );
}

// Errors: where, what, and a hint.

/// Where `needle` first is in `text`, as line and column.
fn position(text: &str, needle: &str) -> (usize, usize) {
    vmmports::file_text::position_of(text, text.find(needle).expect("needle in text"))
}

fn host_text() -> String {
    String::from_utf8(fixture("host.save").bytes).unwrap()
}

#[test]
fn an_unknown_option_is_reported_at_its_line_and_column() {
    let text = host_text().replace("--dport 22", "--dprot 22");
    let error = text_error("typo.save", &text);
    assert_eq!((error.line, error.column), position(&text, "--dprot"));
    assert!(error.message.contains("--dprot"), "{error}");
    assert!(error.hint.is_some());
    assert!(error.to_string().starts_with("typo.save:"), "{error}");
}

#[test]
fn a_jump_to_an_unknown_chain_is_reported_at_its_name() {
    let text = host_text().replace("-j VMM-BANNED", "-j VMM-BANED");
    let error = text_error("typo.save", &text);
    assert_eq!((error.line, error.column), position(&text, "VMM-BANED"));
    assert!(error.message.contains("VMM-BANED"), "{error}");
}

#[test]
fn a_save_cut_before_its_commit_is_refused() {
    let text = host_text();
    let cut = &text[..text.find("COMMIT").unwrap()];
    let error = text_error("cut.save", cut);
    assert!(error.message.contains("COMMIT"), "{error}");
    assert_eq!(error.line, cut.lines().count() + 1);
}

#[test]
fn iptables_s_output_is_refused_with_a_hint_to_use_iptables_save() {
    let error = text_error(
        "s.txt",
        "-P INPUT DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n",
    );
    assert_eq!((error.line, error.column), (1, 1));
    assert!(error.hint.unwrap().contains("iptables-save"));
}

// ufw.save and ufw6.save: what `ufw enable` loads, with three user rules.

#[test]
fn ufws_own_rules_decide_as_ufw_means_them() {
    let ufw = ruleset(&["ufw.save", "ufw6.save"]);
    let winrm = ufw.decide(&tcp_in("10.10.0.5", 5985));
    assert!(winrm.allowed, "{winrm:?}");
    assert_eq!(places(&winrm).last(), Some(&"filter ufw-user-input rule 1"));
    assert!(winrm.assumptions.is_empty(), "{:?}", winrm.assumptions);
    // ufw's `-m addrtype --dst-type BROADCAST` rules do not catch a packet
    // to this machine's own address; the default policy drops it.
    let stranger = ufw.decide(&tcp_in("192.168.1.1", 5985));
    assert!(!stranger.allowed);
    assert_eq!(places(&stranger), ["filter INPUT policy DROP"]);
    assert!(
        stranger.assumptions.is_empty(),
        "{:?}",
        stranger.assumptions
    );
    let https = ufw.decide(&udp_in("192.168.1.1", 443));
    assert_eq!(places(&https).last(), Some(&"filter ufw-user-input rule 6"));
    // ufw6's `-m rt --rt-type 0 -j DROP` is for a routing header the packet
    // does not carry.
    let https6 = ufw.decide(&tcp_in("2001:db8::1", 443));
    assert!(https6.allowed, "{https6:?}");
    assert!(https6.assumptions.is_empty(), "{:?}", https6.assumptions);
    let ping6 = ufw.decide(&packet(
        Direction::Inbound,
        Protocol::Icmp,
        "2001:db8::1",
        0,
    ));
    assert!(ping6.allowed, "{ping6:?}");
    // `ufw limit` counts connections with `-m recent`, whose list the
    // text does not hold: the limit is taken as reached, and said so.
    let ssh = ufw.decide(&tcp_in("10.0.0.1", 22));
    assert!(!ssh.allowed);
    assert!(
        ssh.assumptions
            .iter()
            .any(|a| a.contains("-m recent --update")),
        "{:?}",
        ssh.assumptions
    );
}

// notrack.save: a raw rule takes a port out of connection tracking.

#[test]
fn a_packet_exempted_from_tracking_is_untracked_not_new() {
    let notrack = ruleset(&["notrack.save"]);
    let untracked = notrack.decide(&tcp_in("10.0.0.1", 9100));
    assert!(untracked.allowed);
    assert_eq!(
        places(&untracked),
        ["raw PREROUTING policy ACCEPT", "filter INPUT rule 2"]
    );
    let tracked = notrack.decide(&tcp_in("10.0.0.1", 9101));
    assert_eq!(
        places(&tracked),
        ["raw PREROUTING policy ACCEPT", "filter INPUT rule 1"]
    );
    let other = notrack.decide(&tcp_in("10.0.0.1", 22));
    assert!(!other.allowed);
    assert_eq!(places(&other), ["filter INPUT policy DROP"]);
}

// mark.save: mangle marks packets (and connections); filter matches marks.

#[test]
fn marks_set_in_mangle_are_what_filter_matches() {
    let marks = ruleset(&["mark.save"]);
    let winrm = marks.decide(&tcp_in("10.10.0.5", 5985));
    assert!(winrm.allowed, "{winrm:?}");
    assert_eq!(
        places(&winrm),
        [
            "mangle PREROUTING policy ACCEPT",
            "mangle INPUT policy ACCEPT",
            "filter INPUT rule 2"
        ]
    );
    assert!(winrm.assumptions.is_empty(), "{:?}", winrm.assumptions);
    // 5986 gets 0x100 too; CONNMARK saves 0x110; mangle INPUT then sets
    // 0x8000, which filter drops.
    let marked = marks.decide(&tcp_in("10.10.0.5", 5986));
    assert!(!marked.allowed);
    assert_eq!(places(&marked), ["filter INPUT rule 1"]);
    assert!(marked.why.contains("drop marked packets"), "{}", marked.why);
    // An unmarked packet is neither dropped as marked nor accepted.
    let stranger = marks.decide(&tcp_in("192.168.1.1", 5985));
    assert_eq!(places(&stranger), ["filter INPUT policy DROP"]);
}
