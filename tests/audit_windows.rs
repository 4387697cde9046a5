//! The Windows Firewall reader of `vmmports audit`, fixture by fixture:
//! each case reads real-shaped exports from tests/data/audit/windows/
//! (written by make_fixtures.py there) and asks about one packet. The spec
//! section each case checks is in its name: MS-FASP 2.2.34 for the order
//! of allow-bypass, block, allow and the default; MS-GPFAS 2.2.2.19 for
//! the rule strings; MS-GPFAS 2.2.3.x for the profile values.

#[allow(dead_code)]
#[path = "common/powershell_grammar.rs"]
mod powershell_grammar;
#[allow(dead_code)]
#[path = "common/powershell_literal.rs"]
mod powershell_literal;

use std::net::IpAddr;
use std::path::Path;

use vmmports::audit::model::{Direction, Input, InputError, Packet, Protocol, Ruleset};
use vmmports::audit::windows::export::{EXPORT_COMMAND, REG_EXPORT_COMMANDS};
use vmmports::audit::windows::{Profile, read};

const DIR: &str = "tests/data/audit/windows";

fn input(file: &str) -> Input {
    let path = Path::new(DIR).join(file);
    Input {
        name: file.to_string(),
        bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    }
}

fn load(
    files: &[&str],
    profile: Option<Profile>,
) -> Result<vmmports::audit::windows::WindowsRuleset, InputError> {
    let inputs: Vec<Input> = files.iter().map(|f| input(f)).collect();
    read(&inputs, profile)
}

fn packet(direction: Direction, protocol: Protocol, port: u16, peer: &str) -> Packet {
    Packet {
        direction,
        protocol,
        peer: peer.parse::<IpAddr>().expect("a test address"),
        local: None,
        port,
        source_port: None,
        interface: None,
    }
}

fn tcp_in(port: u16, peer: &str) -> Packet {
    packet(Direction::Inbound, Protocol::Tcp, port, peer)
}

fn udp_in(port: u16, peer: &str) -> Packet {
    packet(Direction::Inbound, Protocol::Udp, port, peer)
}

fn icmp_in(peer: &str) -> Packet {
    packet(Direction::Inbound, Protocol::Icmp, 0, peer)
}

fn tcp_out(port: u16, peer: &str) -> Packet {
    packet(Direction::Outbound, Protocol::Tcp, port, peer)
}

fn udp_out(port: u16, peer: &str) -> Packet {
    packet(Direction::Outbound, Protocol::Udp, port, peer)
}

fn on(mut p: Packet, interface: &str) -> Packet {
    p.interface = Some(interface.to_string());
    p
}

/// One question to one ruleset, and the answer expected.
struct Case {
    name: &'static str,
    files: &'static [&'static str],
    profile: Option<Profile>,
    packet: Packet,
    allowed: bool,
    /// The deciding rule's `place` contains this; `None`: no rule decided.
    rule: Option<&'static str>,
    /// Whether the decision must list assumptions.
    assumed: bool,
    /// Text the `why` or an assumption must hold ("" for none).
    says: &'static str,
}

const WINRM_LOCAL: &str = "Windows rule \"WINRM-HTTP-In-TCP\" (local)";

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Profile::*;
    let c = |name, files, profile, packet, allowed, rule, assumed, says| Case { name, files, profile, packet, allowed, rule, assumed, says };
    vec![
        // --- JSON, both PowerShells: an allow rule on its profile (MS-FASP 2.2.34: allow, else default)
        c("ps7: an enabled allow rule for the Domain profile lets WinRM in on a domain network (MS-FASP 2.2.34)",
          &["ps7-winrm-domain.json"], None, tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), false, "on the Domain profile"),
        c("ps5.1 numbers: the same rule with enums as numbers decides the same (MS-FASP 2.2.34)",
          &["ps51-winrm-domain.json"], None, tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), false, ""),
        c("ps5.1 UTF-16LE from Out-File reads the same (MS-FASP 2.2.34)",
          &["ps51-winrm-domain-utf16.json"], None, tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), false, ""),
        c("a port no rule names falls to the default inbound action, block (MS-FASP 2.2.34)",
          &["ps7-winrm-domain.json"], None, tcp_in(5986, "10.0.0.5"), false, None, false, "default inbound action is block"),
        // --- profiles
        c("ps7: a Domain-only rule does not apply on a Public network, and the why says so (MS-FASP 2.2.34, profiles)",
          &["ps7-domain-rule-on-public.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, "applies only on the Domain profile"),
        c("ps5.1: NetworkCategory 0 is Public, and the Domain-only rule (Profile 1) does not apply",
          &["ps51-domain-rule-on-public.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, "Public profile"),
        c("--profile overrides the connection profiles of the export",
          &["ps7-domain-rule-on-public.json"], Some(Domain), tcp_in(5985, "10.0.0.5"), true, Some("WINRM-HTTP-In-TCP"), false, ""),
        c("ps7: Profile \"Domain, Private\" applies on a Private network",
          &["ps7-profile-flags.json"], None, tcp_in(5985, "10.0.0.5"), true, Some("WINRM-HTTP-In-TCP"), false, "Private profile"),
        c("two interfaces: a packet on the Public one is decided on Public",
          &["ps7-two-interfaces.json"], None, on(tcp_in(5985, "10.0.0.5"), "vEthernet (Internet)"), false, None, false, "Public profile"),
        c("two interfaces: a packet on the domain one is decided on Domain",
          &["ps7-two-interfaces.json"], None, on(tcp_in(5985, "10.0.0.5"), "Ethernet"), true, Some("WINRM-HTTP-In-TCP"), false, ""),
        c("two interfaces, the packet's unknown: the first is taken and the assumption recorded",
          &["ps7-two-interfaces.json"], None, tcp_in(5985, "10.0.0.5"), true, Some("WINRM-HTTP-In-TCP"), true, "give --profile"),
        // --- precedence
        c("ps7: a block rule beats an allow rule for the same packet (MS-FASP 2.2.34)",
          &["ps7-block-beats-allow.json"], None, tcp_in(445, "10.1.2.3"), false, Some("{6F1C2E0A-7A51-4C1E-9F0B-1D2C3B4A5E60}\" (Group Policy)"), false, "beats the allow rule"),
        c("ps5.1: the same with numbers (Action 4 beats Action 2, MS-FASP 2.2.34)",
          &["ps51-block-beats-allow.json"], None, tcp_in(445, "10.1.2.3"), false, Some("(Group Policy)"), false, "MS-FASP 2.2.34"),
        c("outside the block rule's scope the allow rule (limited to System) decides, with its assumption",
          &["ps7-block-beats-allow.json"], None, tcp_in(445, "192.168.1.1"), true, Some("FPS-SMB-In-TCP"), true, "System"),
        c("ps7: an allow-bypass rule beats a block rule, assuming IPsec (MS-FASP 2.2.34)",
          &["ps7-bypass-beats-block.json"], None, tcp_in(5986, "10.0.0.5"), true, Some("VMM-Agent-Bypass"), true, "IPsec"),
        c("ps7: a disabled rule does not count (Enabled False)",
          &["ps7-disabled-rule.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, ""),
        c("ps5.1: Enabled 2 is False",
          &["ps51-disabled-rule.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, ""),
        // --- profile settings
        c("ps7: the firewall off on the active profile lets everything in",
          &["ps7-firewall-off.json"], None, tcp_in(12345, "10.0.0.5"), true, None, false, "EnableFirewall=0"),
        c("ps5.1: Enabled 0 (GpoBoolean False) is off",
          &["ps51-firewall-off.json"], None, udp_in(161, "10.0.0.5"), true, None, false, "off on the Public profile"),
        c("ps7: AllowInboundRules False blocks an inbound packet its allow rule matches",
          &["ps7-block-all-inbound.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, "whatever the rules say"),
        c("ps5.1: AllowInboundRules 0 (GpoBoolean False) does the same",
          &["ps51-block-all-inbound.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, "AllowInboundRules"),
        c("ps7: AllowInboundRules False leaves outbound alone",
          &["ps7-block-all-inbound.json"], None, tcp_out(443, "20.1.1.1"), true, None, false, "default outbound action is allow"),
        c("ps7: DefaultInboundAction Allow lets an unmatched packet in",
          &["ps7-default-inbound-allow.json"], None, tcp_in(9999, "10.0.0.5"), true, None, false, "default inbound action is allow"),
        c("ps5.1: DefaultOutboundAction 4 (Block) blocks an unmatched outbound packet",
          &["ps51-default-outbound-block.json"], None, tcp_out(80, "20.1.1.1"), false, None, false, "default outbound action is block"),
        c("ps5.1: an outbound allow rule for remote port 443 beats the outbound default block",
          &["ps51-default-outbound-block.json"], None, tcp_out(443, "20.1.1.1"), true, Some("Out-HTTPS"), false, ""),
        c("ps7: outbound is allowed by default",
          &["ps7-outbound-default-allow.json"], None, tcp_out(443, "20.1.1.1"), true, None, false, "default outbound action is allow"),
        // --- AllowLocalPolicyMerge (MS-GPFAS 2.2.3.x)
        c("ps7: AllowLocalFirewallRules False ignores the local allow rule, and says so (MS-GPFAS AllowLocalPolicyMerge)",
          &["ps7-merge-off.json"], None, tcp_in(5985, "10.0.0.5"), false, None, false, "AllowLocalPolicyMerge=0"),
        c("ps7: AllowLocalFirewallRules NotConfigured keeps local rules",
          &["ps7-merge-not-configured.json"], None, tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), false, ""),
        c("ps5.1: with merge off a Group Policy allow wins over an ignored local block, and the why names it",
          &["ps51-merge-off-gp-allow.json"], None, tcp_in(5985, "10.20.0.10"), true, Some("(Group Policy)"), false, "ignored"),
        c("ps5.1: with merge off and no Group Policy match the default decides",
          &["ps51-merge-off-gp-allow.json"], None, tcp_in(5985, "10.20.0.12"), false, None, false, "default inbound action is block"),
        // --- remote address scopes
        c("ps7: a peer inside a RemoteAddress range is allowed",
          &["ps7-remote-range.json"], None, tcp_in(5985, "10.0.0.9"), true, Some("WINRM"), false, ""),
        c("ps7: a peer just past the range is not",
          &["ps7-remote-range.json"], None, tcp_in(5985, "10.0.0.10"), false, None, false, ""),
        c("ps5.1: a dotted mask /255.255.0.0 covers its subnet",
          &["ps51-remote-mask.json"], None, tcp_in(5985, "10.1.255.255"), true, Some("WINRM"), false, ""),
        c("ps5.1: and nothing past it",
          &["ps51-remote-mask.json"], None, tcp_in(5985, "10.2.0.1"), false, None, false, ""),
        c("ps7: a list of an address, a /24 and an IPv6 prefix matches each",
          &["ps7-remote-list.json"], None, tcp_in(5985, "fd00:10::77"), true, Some("WINRM"), false, ""),
        c("ps7: a list matches no address outside it",
          &["ps7-remote-list.json"], None, tcp_in(5985, "10.2.0.6"), false, None, false, ""),
        c("ps7: LocalSubnet with the machine's addresses matches a peer on its subnet for certain",
          &["ps7-local-subnet-known.json"], None, tcp_in(5985, "192.168.40.99"), true, Some("WINRM"), false, ""),
        c("ps7: LocalSubnet with the machine's addresses refuses a peer elsewhere",
          &["ps7-local-subnet-known.json"], None, tcp_in(5985, "192.168.41.1"), false, None, false, ""),
        c("ps7: LocalSubnet covers the link-local IPv6 subnet (its zone index dropped)",
          &["ps7-local-subnet-known.json"], None, tcp_in(5985, "fe80::1"), true, Some("WINRM"), false, ""),
        c("ps7: LocalSubnet without the machine's addresses is assumed, and recorded",
          &["ps7-local-subnet-unknown.json"], None, tcp_in(5985, "10.0.0.5"), true, Some("WINRM"), true, "LocalSubnet"),
        c("ps7: the DNS keyword only the machine resolves is assumed, and recorded",
          &["ps7-keyword-dns.json"], None, udp_in(53, "10.0.0.2"), true, Some("DNS-Only"), true, "DNS"),
        // --- ports and keywords
        c("ps7: RPCEPMap matches 135, as an assumption about the endpoint mapper",
          &["ps7-rpc-epmap.json"], None, tcp_in(135, "10.0.0.5"), true, Some("RemoteSvcAdmin-RPCSS-In-TCP"), true, "endpoint mapper"),
        c("ps7: RPCEPMap matches nothing but 135",
          &["ps7-rpc-epmap.json"], None, tcp_in(136, "10.0.0.5"), false, None, false, ""),
        c("ps5.1: RPC matches the dynamic range, as an assumption",
          &["ps51-rpc-dynamic.json"], None, tcp_in(49670, "10.0.0.5"), true, Some("RemoteSvcAdmin-In-TCP"), true, "dynamic range"),
        c("ps5.1: RPC does not cover the endpoint mapper: 135 open and the dynamic range not, or the reverse, is the classic failure",
          &["ps51-rpc-dynamic.json"], None, tcp_in(135, "10.0.0.5"), false, None, false, ""),
        c("ps5.1: a port list [\"80\",\"443\"] matches each",
          &["ps51-port-list.json"], None, tcp_in(443, "10.0.0.5"), true, Some("BITS-HTTP"), false, ""),
        c("ps5.1: a port list matches nothing else",
          &["ps51-port-list.json"], None, tcp_in(8080, "10.0.0.5"), false, None, false, ""),
        c("ps7: a port range matches inside",
          &["ps7-port-range.json"], None, tcp_in(50000, "10.0.0.5"), true, Some("Dyn-Range"), false, ""),
        c("ps7: a single port does not match its neighbour",
          &["ps7-port-range.json"], None, tcp_in(6601, "10.0.0.5"), false, None, false, ""),
        c("ps7: the IPHTTPSIn keyword is the tunnel's, not plain HTTPS",
          &["ps7-iphttps-keyword.json"], None, tcp_in(443, "10.0.0.5"), false, None, false, ""),
        // --- programs and services
        c("ps7: a rule limited to a program decides as if it listens, and says which program",
          &["ps7-program-rule.json"], None, tcp_in(1433, "10.0.0.5"), true, Some("SQL-1433"), true, "sqlservr.exe"),
        c("ps5.1: a rule limited to a service says which service",
          &["ps51-service-rule.json"], None, tcp_in(5985, "10.0.0.5"), true, Some("WINRM-SVC"), true, "service listening on port 5985 is WinRM"),
        // --- protocols
        c("ps7: an ICMPv4 type 8 rule lets a ping in",
          &["ps7-icmp-echo.json"], None, icmp_in("10.0.0.5"), true, Some("FPS-ICMP4-ERQ-In"), false, ""),
        c("ps7: an IPv6 ping needs the ICMPv6 rule, disabled here",
          &["ps7-icmp-echo.json"], None, icmp_in("fd00::5"), false, None, false, "ICMP echo"),
        c("ps7: Protocol Any matches TCP from its address",
          &["ps7-protocol-any.json"], None, tcp_in(12345, "10.9.9.9"), true, Some("Mgmt-Station"), false, ""),
        c("ps7: Protocol Any matches UDP too",
          &["ps7-protocol-any.json"], None, udp_in(623, "10.9.9.9"), true, Some("Mgmt-Station"), false, ""),
        c("ps5.1: a UDP rule does not let TCP in",
          &["ps51-udp-not-tcp.json"], None, tcp_in(53, "10.0.0.5"), false, None, false, "TCP 53"),
        c("ps5.1: a UDP rule lets UDP in",
          &["ps51-udp-not-tcp.json"], None, udp_in(53, "10.0.0.5"), true, Some("DNS-UDP"), false, ""),
        c("ps5.1 shapes: {value, Count}, one bare connection object and UTF-16 read as lists",
          &["ps51-value-count-utf16.json"], None, tcp_in(5985, "10.0.0.5"), true, Some("WINRM"), false, ""),
        // --- reg export (MS-GPFAS 2.2.2.19 rule strings, 2.2.3.x profile values)
        c("reg UTF-16: a local rule with Profile=Domain|Profile=Private applies on --profile domain (MS-GPFAS 2.2.2.19)",
          &["local-winrm.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), true, "System"),
        c("reg: on Public only the LocalSubnet-limited rule applies, assumed without addresses (MS-GPFAS 2.2.2.19 RA4/RA6)",
          &["local-winrm.reg"], Some(Public), tcp_in(5985, "10.0.0.5"), true, Some("WINRM-HTTP-In-TCP-PUBLIC"), true, "LocalSubnet"),
        c("reg: an outbound rule with RPort and Svc matches outbound (MS-GPFAS 2.2.2.19 Dir=Out)",
          &["local-winrm.reg"], Some(Domain), udp_out(53, "10.0.0.2"), true, Some("CoreNet-DNS-Out-UDP"), true, "dnscache"),
        c("reg: Group Policy's AllowLocalPolicyMerge=0 drops the local WinRM rule, and says so (MS-GPFAS 2.2.3.x)",
          &["local-winrm.reg", "gpo-merge-off.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), false, None, false, "AllowLocalPolicyMerge=0"),
        c("reg: the Group Policy rule still applies with merge off (MS-GPFAS 2.2.2.19 RA4 range)",
          &["local-winrm.reg", "gpo-merge-off.reg"], Some(Domain), tcp_in(445, "10.20.0.11"), true, Some("(Group Policy)"), false, ""),
        c("reg: merge off for Domain and Private leaves Public's local rules in force (MS-GPFAS 2.2.3.x)",
          &["local-winrm.reg", "gpo-merge-off.reg"], Some(Public), tcp_in(5985, "10.0.0.5"), true, Some("WINRM-HTTP-In-TCP-PUBLIC"), true, ""),
        c("reg UTF-8: a Group Policy block rule for a range beats its allow rule (MS-FASP 2.2.34)",
          &["gpo-block-range.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), false, Some("{A0000000-0000-4000-8000-000000000001}\" (Group Policy)"), false, "beats the allow rule"),
        c("reg: outside the block's range the allow rule decides",
          &["gpo-block-range.reg"], Some(Domain), tcp_in(5985, "10.0.0.10"), true, Some("{A0000000-0000-4000-8000-000000000002}"), false, ""),
        c("reg: Active=FALSE is a disabled rule (MS-GPFAS 2.2.2.19)",
          &["gpo-block-range.reg"], Some(Domain), tcp_in(8530, "10.0.0.10"), false, None, false, ""),
        c("reg: Action=ByPass beats a block and assumes IPsec (MS-FASP 2.2.34, MS-GPFAS 2.2.2.19)",
          &["local-bypass.reg"], Some(Domain), tcp_in(5986, "10.0.0.5"), true, Some("VMM-Bypass"), true, "IPsec"),
        c("reg: LPort=RPC-EPMap matches 135 with an assumption",
          &["local-rpc.reg"], Some(Domain), tcp_in(135, "10.0.0.5"), true, Some("RemoteSvcAdmin-RPCSS-In-TCP"), true, "RPC-EPMap"),
        c("reg: LPort=RPC matches the dynamic range with an assumption",
          &["local-rpc.reg"], Some(Domain), tcp_in(55000, "10.0.0.5"), true, Some("RemoteSvcAdmin-In-TCP"), true, "RPC"),
        c("reg: LPort=Teredo and Ply2Disc match no ordinary UDP port",
          &["local-rpc.reg"], Some(Domain), udp_in(3544, "10.0.0.5"), false, None, false, ""),
        c("reg: EnableFirewall=0 in StandardProfile turns the Private profile off (MS-GPFAS 2.2.3.x)",
          &["local-firewall-off.reg"], Some(Private), tcp_in(5985, "10.0.0.5"), true, None, false, "EnableFirewall=0"),
        c("reg: the Domain profile stays on, and its block rule decides",
          &["local-firewall-off.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), false, Some("Block-All-5985"), false, ""),
        c("reg: Group Policy's DefaultInboundAction=0 is allow (MS-GPFAS 2.2.3.x)",
          &["gpo-default-inbound-allow.reg"], Some(Domain), tcp_in(9999, "10.0.0.5"), true, None, false, "default inbound action is allow"),
        c("reg: Group Policy's DoNotAllowExceptions=1 blocks a local allow rule's packet (MS-GPFAS 2.2.3.x)",
          &["local-winrm.reg", "gpo-shields-up.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), false, None, false, "DoNotAllowExceptions"),
        c("reg: the other profiles keep the default block",
          &["gpo-default-inbound-allow.reg"], Some(Public), tcp_in(9999, "10.0.0.5"), false, None, false, "default inbound action is block"),
        c("reg: Group Policy's value wins over the local one (MS-GPFAS 2.2.3.x)",
          &["local-default-inbound-block-gp-wins.reg", "gpo-default-inbound-allow.reg"], Some(Domain), tcp_in(9999, "10.0.0.5"), true, None, false, "allow"),
        c("reg: App= with escaped backslashes and quotes becomes the program assumed (MS-GPFAS 2.2.2.19 App)",
          &["local-app-svc.reg"], Some(Domain), tcp_in(443, "10.0.0.5"), true, Some("SCVMM-Agent"), true, r"Virtual Machine Manager\bin\vmmAgent.exe"),
        c("reg: Svc= becomes the service assumed (MS-GPFAS 2.2.2.19 Svc)",
          &["local-app-svc.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), true, Some("WinRM-Svc"), true, "WinRM"),
        c("reg: RA42=IntErnet is the Internet keyword, assumed (MS-GPFAS 2.2.2.19 RA42)",
          &["local-ra-keywords.reg"], Some(Domain), tcp_in(8443, "8.8.8.8"), true, Some("Internet-Only"), true, "Internet"),
        c("reg: RA4 with a dotted mask matches its subnet for certain",
          &["local-ra-keywords.reg"], Some(Domain), tcp_in(445, "172.16.5.5"), true, Some("Mask-Only"), false, ""),
        c("reg: RA6 with a prefix matches its IPv6 subnet",
          &["local-ra-keywords.reg"], Some(Domain), tcp_in(445, "fd00:aa::9"), true, Some("Mask-Only"), false, ""),
        c("reg: outside the masks nothing matches",
          &["local-ra-keywords.reg"], Some(Domain), tcp_in(445, "172.17.0.1"), false, None, false, ""),
        c("reg: RA4=LocalSubnet does not match an IPv6 peer",
          &["local-ra-keywords.reg"], Some(Domain), tcp_in(5985, "fd00::1"), false, None, false, ""),
        c("reg: ICMP4=8:* lets a ping in (MS-GPFAS 2.2.2.19 ICMP4)",
          &["local-icmp.reg"], Some(Public), icmp_in("10.0.0.5"), true, Some("FPS-ICMP4-ERQ-In"), false, ""),
        c("reg: ICMP6=128:* for Domain only lets an IPv6 ping in on Domain",
          &["local-icmp.reg"], Some(Domain), icmp_in("fd00::5"), true, Some("FPS-ICMP6-ERQ-In"), false, ""),
        c("reg: and not on Public",
          &["local-icmp.reg"], Some(Public), icmp_in("fd00::5"), false, None, false, "applies only on the Domain profile"),
        c("reg: hex values over several lines and other keys (RestrictedServices) are passed over",
          &["local-hex-and-other-keys.reg"], Some(Domain), tcp_in(5985, "10.0.0.5"), true, Some(WINRM_LOCAL), true, ""),
    ]
}

#[test]
fn every_fixture_case_decides_as_the_spec_says() {
    let mut failures = Vec::new();
    for case in cases() {
        let ruleset = match load(case.files, case.profile) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: cannot read: {e}", case.name));
                continue;
            }
        };
        let d = ruleset.decide(&case.packet);
        let place = d.rules.first().map(|r| r.place.as_str());
        let mut wrong = Vec::new();
        if d.allowed != case.allowed {
            wrong.push(format!("allowed {} (expected {})", d.allowed, case.allowed));
        }
        match (case.rule, place) {
            (None, None) => {}
            (Some(want), Some(got)) if got.contains(want) => {}
            (want, got) => wrong.push(format!("rule {got:?} (expected {want:?})")),
        }
        if d.assumptions.is_empty() == case.assumed {
            wrong.push(format!(
                "assumptions {:?} (expected some: {})",
                d.assumptions, case.assumed
            ));
        }
        let all = format!("{} {}", d.why, d.assumptions.join(" "));
        if !all.contains(case.says) {
            wrong.push(format!("says {all:?}, not {:?}", case.says));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}", case.name, wrong.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fixture_is_read_by_a_case_or_an_error_test() {
    let used: Vec<&str> = cases()
        .iter()
        .flat_map(|c| c.files.iter().copied())
        .collect();
    for entry in std::fs::read_dir(DIR).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".py") || name.contains("error-") {
            continue;
        }
        assert!(used.contains(&name.as_str()), "{name} has no case");
    }
}

#[test]
fn the_fixtures_number_forty_or_more_in_both_json_shapes_and_utf16() {
    let names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".py"))
        .collect();
    assert!(names.len() >= 40, "{}", names.len());
    let utf16 = names
        .iter()
        .filter(|n| {
            std::fs::read(Path::new(DIR).join(n))
                .unwrap()
                .starts_with(&[0xFF, 0xFE])
        })
        .count();
    assert!(utf16 >= 5, "{utf16} UTF-16 fixtures");
    assert!(
        names.iter().any(|n| n.starts_with("ps51-")) && names.iter().any(|n| n.starts_with("ps7-"))
    );
}

// --- errors: file:line:col and a hint

fn error_of(files: &[&str], profile: Option<Profile>) -> InputError {
    match load(files, profile) {
        Ok(_) => panic!("{files:?} was read"),
        Err(e) => e,
    }
}

#[test]
fn a_misspelt_action_in_a_rule_string_points_at_its_value() {
    // Line 5 is "Bad"="v2.30|Action=Allw|...; `"Bad"="v2.30|Action=` is 20 characters.
    let e = error_of(&["error-bad-action.reg"], Some(Profile::Domain));
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("error-bad-action.reg", 5, 21),
        "{e}"
    );
    assert!(
        e.message.contains("Allw") && e.message.contains("Bad"),
        "{e}"
    );
    assert!(e.hint.as_deref().unwrap_or("").contains("ByPass"), "{e}");
}

#[test]
fn a_rule_string_without_a_version_points_at_its_start() {
    let e = error_of(&["error-no-version.reg"], Some(Profile::Domain));
    assert_eq!((e.line, e.column), (4, 14), "{e}");
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("MS-GPFAS 2.2.2.19"),
        "{e}"
    );
}

#[test]
fn a_bad_address_in_a_rule_string_points_at_it() {
    let e = error_of(&["error-bad-address.reg"], Some(Profile::Domain));
    let line = "\"BadRA\"=\"v2.30|Action=Allow|Dir=In|Protocol=6|LPort=80|RA4=";
    assert_eq!((e.line, e.column), (4, line.len() + 1), "{e}");
    assert!(e.message.contains("10.0.0.300"), "{e}");
}

#[test]
fn a_file_without_the_reg_header_is_refused_at_its_start() {
    let e = error_of(&["error-no-header.reg"], Some(Profile::Domain));
    assert_eq!((e.line, e.column), (1, 1), "{e}");
}

#[test]
fn a_bad_port_in_the_json_points_at_the_port() {
    let e = error_of(&["ps7-error-bad-port.json"], None);
    assert_eq!((e.line, e.column), (3, 22), "{e}");
    assert!(e.message.contains("59x5"), "{e}");
}

#[test]
fn broken_json_is_placed_where_the_parser_stopped() {
    let e = error_of(&["ps7-error-syntax.json"], None);
    assert_eq!(e.line, 2, "{e}");
    assert!(e.hint.is_some());
}

#[test]
fn an_unknown_enum_number_from_powershell_5_1_is_placed_and_explained() {
    let e = error_of(&["ps51-error-direction.json"], None);
    assert_eq!((e.line, e.column), (5, 37), "{e}");
    assert!(
        e.hint.as_deref().unwrap_or("").contains("Outbound (2)"),
        "{e}"
    );
}

#[test]
fn reg_files_alone_need_the_profile_and_the_error_says_how() {
    let e = error_of(&["local-winrm.reg"], None);
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("--profile domain|private|public"),
        "{e}"
    );
}

#[test]
fn an_input_of_another_kind_is_refused() {
    let inputs = [Input {
        name: "rules.txt".into(),
        bytes: b"netsh advfirewall firewall show rule name=all".to_vec(),
    }];
    let e = read(&inputs, Some(Profile::Domain)).unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.column), ("rules.txt", 1, 1));
}

// --- boundaries and description

#[test]
fn boundaries_are_the_starts_and_ends_plus_one_of_ports_and_ranges() {
    let r = load(&["ps7-remote-range.json"], None).unwrap();
    let b = r.boundaries(Direction::Inbound);
    assert_eq!(b.ports, vec![5985, 5986]);
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(b.addresses, vec![ip("10.0.0.1"), ip("10.0.0.10")]);
    assert!(r.boundaries(Direction::Outbound).ports.is_empty());
    let rpc = load(&["local-rpc.reg"], Some(Profile::Domain)).unwrap();
    let ports = rpc.boundaries(Direction::Inbound).ports;
    assert!(
        ports.contains(&135) && ports.contains(&136) && ports.contains(&49152),
        "{ports:?}"
    );
}

#[test]
fn local_subnet_boundaries_come_from_the_machines_addresses() {
    let r = load(&["ps7-local-subnet-known.json"], None).unwrap();
    let b = r.boundaries(Direction::Inbound);
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert!(
        b.addresses.contains(&ip("192.168.40.0")) && b.addresses.contains(&ip("192.168.41.0")),
        "{:?}",
        b.addresses
    );
}

#[test]
fn the_description_names_each_input_and_the_profile_source() {
    let r = load(
        &["local-winrm.reg", "gpo-merge-off.reg"],
        Some(Profile::Domain),
    )
    .unwrap();
    let lines = r.describe();
    assert!(
        lines[0].contains("local-winrm.reg") && lines[0].contains("3 local rules"),
        "{lines:?}"
    );
    assert!(lines[1].contains("1 Group Policy rule)"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("--profile")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Domain on (inbound block, outbound allow, local rules ignored)")),
        "{lines:?}"
    );
    let rpc = load(&["local-rpc.reg"], Some(Profile::Domain))
        .unwrap()
        .describe();
    assert!(
        rpc.iter().any(|l| l.contains("Ply2Disc, Teredo")),
        "{rpc:?}"
    );
}

// --- the export lines

#[test]
fn the_export_line_is_one_line_of_valid_powershell() {
    assert!(!EXPORT_COMMAND.contains('\n'));
    let mut parser = powershell_grammar::parser();
    let tree = parser.parse(EXPORT_COMMAND, None).expect("a tree");
    assert!(
        !tree.root_node().has_error(),
        "{}",
        tree.root_node().to_sexp()
    );
    for cmdlet in [
        "Get-NetFirewallRule -PolicyStore $s",
        "Get-NetFirewallProfile -PolicyStore $s",
        "Get-NetConnectionProfile",
        "Get-NetIPAddress",
        "-PolicyStore $s | ForEach-Object { $f[$k][$_.InstanceID]=$_ }",
    ] {
        assert!(EXPORT_COMMAND.contains(cmdlet), "{cmdlet}");
    }
}

#[test]
fn the_export_line_writes_every_property_the_reader_reads() {
    for property in [
        "Rules=",
        "Profiles=",
        "Connections=",
        "Addresses=",
        "Name=",
        "DisplayName=",
        "Enabled=",
        "Direction=",
        "Action=",
        "Profile=",
        "PolicyStoreSourceType=",
        "Protocol=",
        "LocalPort=",
        "RemotePort=",
        "IcmpType=",
        "LocalAddress=",
        "RemoteAddress=",
        "Program=",
        "Package=",
        "Service=",
        "DefaultInboundAction=",
        "DefaultOutboundAction=",
        "AllowLocalFirewallRules=",
        "InterfaceAlias=",
        "NetworkCategory=",
        "IPAddress,PrefixLength",
    ] {
        assert!(EXPORT_COMMAND.contains(property), "{property}");
    }
}

#[test]
fn the_reg_export_lines_name_both_policy_keys() {
    assert_eq!(REG_EXPORT_COMMANDS.len(), 2);
    assert!(REG_EXPORT_COMMANDS[0].contains(r"SharedAccess\Parameters\FirewallPolicy"));
    assert!(REG_EXPORT_COMMANDS[1].contains(r"SOFTWARE\Policies\Microsoft\WindowsFirewall"));
    let mut parser = powershell_grammar::parser();
    for line in REG_EXPORT_COMMANDS {
        let tree = parser.parse(line, None).expect("a tree");
        assert!(!tree.root_node().has_error(), "{line}");
    }
}
