//! What a ruleset does with one packet: netfilter's semantics as
//! `iptables` sets them up.
//!
//! A packet passes each table's built-in chain on its hook in turn (raw,
//! mangle, nat, filter, security). ACCEPT ends only that chain: the packet
//! goes on to the next table's chain, and is let through when the last one
//! accepts it. DROP or REJECT anywhere ends it. Within a chain, rules are
//! tried in order; `-j CHAIN` comes back after CHAIN returns (by RETURN or
//! by its end), `-g CHAIN` does not; a built-in chain that ends without a
//! verdict applies its policy.
//!
//! The nat chains see only a connection's first packet (this one) and can
//! rewrite its address or port; the rewrite is noted, not followed, and only
//! a DROP there blocks.
//!
//! The packet is NEW to connection tracking, unless a raw rule exempts it
//! (`-j CT --notrack`): from then on `--ctstate` sees it UNTRACKED. Its
//! mark and its connection's start at 0 and change as it passes MARK and
//! CONNMARK rules, so `-m mark` is decided, not assumed.

use std::net::IpAddr;

use super::tables::{
    AddressRange, Chain, Condition, End, Family, MarkChange, Policy, PortProtocol, PortRange, Rule,
    Section, Table, TableName, Target, Test,
};
use super::values;
use crate::audit::model::{Direction, Packet, Protocol, RuleRef};

/// The built-in chains a packet passes, in order, for each direction.
pub fn path(direction: Direction) -> &'static [(TableName, &'static str)] {
    match direction {
        Direction::Inbound => &[
            (TableName::Raw, "PREROUTING"),
            (TableName::Mangle, "PREROUTING"),
            (TableName::Nat, "PREROUTING"),
            (TableName::Mangle, "INPUT"),
            (TableName::Nat, "INPUT"),
            (TableName::Filter, "INPUT"),
            (TableName::Security, "INPUT"),
        ],
        Direction::Outbound => &[
            (TableName::Raw, "OUTPUT"),
            (TableName::Mangle, "OUTPUT"),
            (TableName::Nat, "OUTPUT"),
            (TableName::Filter, "OUTPUT"),
            (TableName::Security, "OUTPUT"),
            (TableName::Mangle, "POSTROUTING"),
            (TableName::Nat, "POSTROUTING"),
        ],
    }
}

/// How a chain (or a section) ended for the packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
    /// A target whose outcome this reader cannot know (its name).
    Other(String),
}

/// One section's answer for the packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionAnswer {
    pub allowed: bool,
    pub rules: Vec<RuleRef>,
    pub why: String,
    pub assumptions: Vec<String>,
}

enum ChainEnd {
    /// The refs run from the first jump to the rule that decided.
    Verdict(Verdict, Vec<RuleRef>),
    Return,
}

/// Would `section` let `packet` through.
pub fn decide(section: &Section, packet: &Packet) -> SectionAnswer {
    let mut walker = Walker {
        packet,
        family: section.family,
        assumptions: Vec::new(),
        comments: Vec::new(),
        untracked: false,
        mark: 0,
        connection_mark: 0,
    };
    let mut rules = Vec::new();
    let mut deciders = Vec::new();
    for (table_name, chain_name) in path(packet.direction) {
        let Some(table) = section.table(*table_name) else {
            continue;
        };
        let Some(chain) = table.chain(chain_name) else {
            continue;
        };
        let base = format!("{} {}", table.name.word(), chain.name);
        let (verdict, refs) = match walker.run(table, chain) {
            ChainEnd::Verdict(verdict, refs) => (verdict, refs),
            ChainEnd::Return => policy_verdict(chain, &base),
        };
        let nat = *table_name == TableName::Nat;
        match verdict {
            Verdict::Drop | Verdict::Reject => {
                let why = blocked_why(&verdict, &refs, &base, &walker.comments);
                return SectionAnswer {
                    allowed: false,
                    rules: refs,
                    why,
                    assumptions: walker.assumptions,
                };
            }
            Verdict::Other(target) => {
                let place = refs.last().map(|r| r.place.clone()).unwrap_or(base);
                walker.assume(opaque_assumption(&target, &place, nat));
                if !nat {
                    deciders.push(place);
                    rules.extend(refs);
                }
            }
            Verdict::Accept if !nat => {
                if let Some(last) = refs.last() {
                    deciders.push(last.place.clone());
                }
                rules.extend(refs);
            }
            Verdict::Accept => {}
        }
    }
    let why = accepted_why(&rules, &deciders, section.family, &walker.comments);
    SectionAnswer {
        allowed: true,
        rules,
        why,
        assumptions: walker.assumptions,
    }
}

/// A built-in chain's policy as its verdict; named as a rule when it is
/// a DROP or when rules were passed over to reach it, so an empty ACCEPT
/// chain (no firewall there) does not clutter the answer.
fn policy_verdict(chain: &Chain, base: &str) -> (Verdict, Vec<RuleRef>) {
    let policy = chain.policy.unwrap_or(Policy::Accept);
    let named = policy == Policy::Drop || !chain.rules.is_empty();
    let refs = if named {
        vec![RuleRef {
            place: format!("{base} policy {}", policy.word()),
            text: None,
        }]
    } else {
        Vec::new()
    };
    let verdict = match policy {
        Policy::Accept => Verdict::Accept,
        Policy::Drop => Verdict::Drop,
    };
    (verdict, refs)
}

/// Names the rules that accepted; the policies only when no rule did.
fn accepted_why(
    rules: &[RuleRef],
    deciders: &[String],
    family: Family,
    comments: &[(String, String)],
) -> String {
    let by_rule: Vec<String> = deciders
        .iter()
        .filter(|place| rules.iter().any(|r| &r.place == *place && r.text.is_some()))
        .map(|place| with_comment(place, comments))
        .collect();
    if !by_rule.is_empty() {
        return format!("accepted by {}", by_rule.join(" and "));
    }
    let policies: Vec<&str> = deciders
        .iter()
        .filter_map(|place| place.strip_suffix(" policy ACCEPT"))
        .collect();
    if policies.is_empty() {
        format!(
            "accepted: no {} chain on its way has a rule for it, and their policies accept",
            family.tool()
        )
    } else {
        format!(
            "accepted by the ACCEPT policy of {}: no rule there decides",
            policies.join(" and ")
        )
    }
}

/// `place`, followed by its rule's comment in quotes when it has one.
fn with_comment(place: &str, comments: &[(String, String)]) -> String {
    match comments.iter().find(|(at, _)| at == place) {
        Some((_, comment)) => format!("{place} (\"{comment}\")"),
        None => place.to_string(),
    }
}

fn blocked_why(
    verdict: &Verdict,
    refs: &[RuleRef],
    base: &str,
    comments: &[(String, String)],
) -> String {
    let verb = if *verdict == Verdict::Reject {
        "rejected"
    } else {
        "dropped"
    };
    match refs.split_last() {
        Some((last, _)) if last.text.is_none() => {
            format!("{verb} by the policy of {base}: no rule in it accepts the packet")
        }
        Some((last, [])) => format!("{verb} by {}", with_comment(&last.place, comments)),
        Some((last, through)) => {
            let through: Vec<String> = through
                .iter()
                .map(|r| with_comment(&r.place, comments))
                .collect();
            format!(
                "{verb} by {}, reached through {}",
                with_comment(&last.place, comments),
                through.join(" then ")
            )
        }
        None => format!("{verb} in {base}"),
    }
}

fn opaque_assumption(target: &str, place: &str, nat: bool) -> String {
    match target {
        "QUEUE" | "NFQUEUE" => {
            format!("the program reading {place}'s queue ({target}) accepts the packet")
        }
        _ if nat => format!(
            "{place} ({target}) rewrites the packet; later chains are judged on it as it arrived"
        ),
        _ => format!("{place} ({target}) lets the packet go on"),
    }
}

/// Walks chains for one packet, collecting what it had to assume.
struct Walker<'a> {
    packet: &'a Packet,
    family: Family,
    assumptions: Vec<String>,
    /// The `-m comment` of each rule that matched, by place, so the
    /// sentence can quote the admin's own name for the deciding rule.
    comments: Vec<(String, String)>,
    /// A raw rule took the packet out of connection tracking.
    untracked: bool,
    /// The packet's mark and its connection's, 0 until a MARK or CONNMARK
    /// rule it passes sets them.
    mark: u32,
    connection_mark: u32,
}

/// What a test says about the packet.
enum Answer {
    Yes,
    No,
    /// Holds if the words (a clause) are true, which the input cannot tell.
    Assume(String),
}

impl Walker<'_> {
    fn assume(&mut self, assumption: String) {
        if !self.assumptions.contains(&assumption) {
            self.assumptions.push(assumption);
        }
    }

    fn run(&mut self, table: &Table, chain: &Chain) -> ChainEnd {
        for (index, rule) in chain.rules.iter().enumerate() {
            if rule.target == Target::Continue {
                continue;
            }
            let Some(assumed) = self.matches(rule) else {
                continue;
            };
            let place = format!("{} {} rule {}", table.name.word(), chain.name, index + 1);
            for clause in assumed {
                self.assume(format!("{place}: {clause}"));
            }
            if let Some(comment) = &rule.comment {
                self.comments.push((place.clone(), comment.clone()));
            }
            let here = RuleRef {
                place,
                text: Some(rule.text.clone()),
            };
            let (callee, is_goto) = match &rule.target {
                Target::Accept => return ChainEnd::Verdict(Verdict::Accept, vec![here]),
                Target::Drop => return ChainEnd::Verdict(Verdict::Drop, vec![here]),
                Target::Reject => return ChainEnd::Verdict(Verdict::Reject, vec![here]),
                Target::Other(name) => {
                    return ChainEnd::Verdict(Verdict::Other(name.clone()), vec![here]);
                }
                Target::Return => return ChainEnd::Return,
                Target::Continue => continue,
                Target::Untrack => {
                    self.untracked = true;
                    continue;
                }
                Target::Mark(change) => {
                    self.change_mark(*change);
                    continue;
                }
                Target::Jump(name) => (name, false),
                Target::Goto(name) => (name, true),
            };
            // The parser refuses jumps to missing chains and loops, so this
            // recursion ends; a missing chain here is simply passed over.
            let Some(callee) = table.chain(callee) else {
                continue;
            };
            match self.run(table, callee) {
                ChainEnd::Verdict(verdict, mut refs) => {
                    refs.insert(0, here);
                    return ChainEnd::Verdict(verdict, refs);
                }
                ChainEnd::Return if is_goto => return ChainEnd::Return,
                ChainEnd::Return => {}
            }
        }
        ChainEnd::Return
    }

    fn change_mark(&mut self, change: MarkChange) {
        match change {
            MarkChange::Packet { and, xor } => self.mark = (self.mark & and) ^ xor,
            MarkChange::Connection { and, xor } => {
                self.connection_mark = (self.connection_mark & and) ^ xor;
            }
            MarkChange::Save { nfmask, ctmask } => {
                self.connection_mark = (self.connection_mark & !ctmask) ^ (self.mark & nfmask);
            }
            MarkChange::Restore { nfmask, ctmask } => {
                self.mark = (self.mark & !nfmask) ^ (self.connection_mark & ctmask);
            }
        }
    }

    /// Whether every condition of `rule` holds, and if so what that took
    /// for granted (recorded only for a rule that matches).
    fn matches(&self, rule: &Rule) -> Option<Vec<String>> {
        let mut assumed = Vec::new();
        for condition in &rule.conditions {
            match self.answer(condition) {
                Answer::Yes => {}
                Answer::No => return None,
                Answer::Assume(clause) => assumed.push(clause),
            }
        }
        Some(assumed)
    }

    fn answer(&self, condition: &Condition) -> Answer {
        let negated = condition.negated;
        let plain = |holds: bool| {
            if holds != negated {
                Answer::Yes
            } else {
                Answer::No
            }
        };
        let packet = self.packet;
        match &condition.test {
            Test::Protocol(None) => plain(true),
            Test::Protocol(Some(number)) => plain(*number == self.protocol_number()),
            Test::Address { end, ranges } => self.address(*end, ranges, negated),
            Test::Interface { inbound, name } => self.interface(*inbound, name, negated),
            Test::Ports {
                protocol,
                end,
                ranges,
            } => {
                let carries = !matches!(
                    (protocol, packet.protocol),
                    (_, Protocol::Icmp)
                        | (PortProtocol::Tcp, Protocol::Udp)
                        | (PortProtocol::Udp, Protocol::Tcp)
                );
                if !carries {
                    // The match does not apply to this protocol at all, `!`
                    // or not.
                    return Answer::No;
                }
                self.ports(*end, ranges, negated)
            }
            Test::State {
                names_new,
                names_untracked,
            } => plain(if self.untracked {
                *names_untracked
            } else {
                *names_new
            }),
            Test::IcmpType { v6, echo_request } => {
                let family = if *v6 { Family::V6 } else { Family::V4 };
                if packet.protocol != Protocol::Icmp || family != self.family {
                    return Answer::No;
                }
                plain(*echo_request)
            }
            Test::TcpFlags { mask, set } => {
                if packet.protocol != Protocol::Tcp {
                    return Answer::No;
                }
                plain(values::SYN & mask == *set)
            }
            Test::Fragment => plain(false),
            Test::FamilyOnly(family) => plain(*family == self.family),
            Test::Assumed(clause) if negated => Answer::Assume(format!("not so that {clause}")),
            Test::Assumed(clause) => Answer::Assume(clause.clone()),
            Test::AddressType { end, types } => {
                let local_end = match packet.direction {
                    Direction::Inbound => End::Destination,
                    Direction::Outbound => End::Source,
                };
                let peer_is_local = packet.peer.is_loopback() || packet.local == Some(packet.peer);
                let has = |kind: &str| match kind {
                    "UNICAST" => true,
                    "LOCAL" => *end == local_end || peer_is_local,
                    _ => false,
                };
                plain(types.iter().any(|t| has(t)))
            }
            Test::Unicast { names_unicast } => plain(*names_unicast),
            Test::Mark {
                connection,
                value,
                mask,
            } => {
                let mark = if *connection {
                    self.connection_mark
                } else {
                    self.mark
                };
                plain(mark & mask == *value)
            }
            Test::AbsentHeader => Answer::No,
        }
    }

    fn protocol_number(&self) -> u8 {
        match (self.packet.protocol, self.family) {
            (Protocol::Tcp, _) => 6,
            (Protocol::Udp, _) => 17,
            (Protocol::Icmp, Family::V4) => 1,
            (Protocol::Icmp, Family::V6) => 58,
        }
    }

    fn address(&self, end: End, ranges: &[AddressRange], negated: bool) -> Answer {
        let peer_end = match self.packet.direction {
            Direction::Inbound => End::Source,
            Direction::Outbound => End::Destination,
        };
        let address = if end == peer_end {
            Some(self.packet.peer)
        } else {
            self.packet.local
        };
        match address {
            Some(address) => {
                let holds = ranges.iter().any(|r| r.contains(address));
                if holds != negated {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            None => {
                let listed: Vec<String> = ranges.iter().map(describe_range).collect();
                let verb = if negated { "is not" } else { "is" };
                Answer::Assume(format!(
                    "this machine's address on the path {verb} {}",
                    listed.join(", ")
                ))
            }
        }
    }

    fn interface(&self, inbound: bool, pattern: &str, negated: bool) -> Answer {
        let same_way = inbound == (self.packet.direction == Direction::Inbound);
        let name = if !same_way {
            // `-i` on a packet this machine sends (or `-o` on one it
            // receives): the kernel has no such interface for it.
            Some(String::new())
        } else if let Some(name) = &self.packet.interface {
            Some(name.clone())
        } else if self.packet.peer.is_loopback() {
            Some("lo".to_string())
        } else {
            None
        };
        let holds = match name {
            Some(name) => interface_matches(pattern, &name),
            None if pattern == "+" => true,
            None if interface_matches(pattern, "lo") => false,
            None => {
                let way = if inbound { "arrives on" } else { "leaves by" };
                let which = if negated {
                    "an interface other than"
                } else {
                    "an interface matching"
                };
                return Answer::Assume(format!("the packet {way} {which} `{pattern}`"));
            }
        };
        if holds != negated {
            Answer::Yes
        } else {
            Answer::No
        }
    }

    fn ports(&self, end: Option<End>, ranges: &[PortRange], negated: bool) -> Answer {
        let within = |port: u16| ranges.iter().any(|&(a, b)| a <= port && port <= b);
        let destination = within(self.packet.port);
        let source = self.packet.source_port.map(within);
        let holds = match end {
            Some(End::Destination) => Some(destination),
            Some(End::Source) => source,
            None if destination => Some(true),
            None => source,
        };
        match holds {
            Some(holds) if holds != negated => Answer::Yes,
            Some(_) => Answer::No,
            None => {
                let listed: Vec<String> = ranges
                    .iter()
                    .map(|&(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect();
                let verb = if negated { "is not" } else { "is" };
                Answer::Assume(format!("the source port {verb} in {}", listed.join(",")))
            }
        }
    }
}

/// `+` at the end of a name matches any name with that prefix.
fn interface_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('+') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

fn describe_range(range: &AddressRange) -> String {
    if range.first == range.last {
        return range.first.to_string();
    }
    if let Some(prefix) = prefix_of(range) {
        return format!("{}/{prefix}", range.first);
    }
    format!("{}-{}", range.first, range.last)
}

fn prefix_of(range: &AddressRange) -> Option<u32> {
    let (first, last, bits) = match (range.first, range.last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return None,
    };
    let span = first ^ last;
    let host_bits = 128 - span.leading_zeros();
    let all_ones = if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    (span == all_ones && first & all_ones == 0).then_some(bits - host_bits)
}

#[cfg(test)]
mod tests {
    use super::super::parse::read_input;
    use super::*;
    use crate::audit::model::Input;

    /// The answer of a ruleset with `rules` in filter INPUT (policy DROP)
    /// for a TCP packet to port 5985 from 10.0.0.5 on eth0, with `local`
    /// and `source_port` as given.
    fn inbound(rules: &str, local: Option<&str>, source_port: Option<u16>) -> SectionAnswer {
        let text = format!("*filter\n:INPUT DROP [0:0]\n{rules}\nCOMMIT\n");
        let sections = read_input(&Input {
            name: "t".into(),
            bytes: text.into_bytes(),
        })
        .unwrap();
        let packet = Packet {
            direction: Direction::Inbound,
            protocol: Protocol::Tcp,
            peer: "10.0.0.5".parse().unwrap(),
            local: local.map(|l| l.parse().unwrap()),
            port: 5985,
            source_port,
            interface: Some("eth0".into()),
        };
        decide(&sections[0], &packet)
    }

    #[test]
    fn this_machines_own_address_is_assumed_only_while_unknown() {
        let rule = "-A INPUT -d 192.168.0.10 -p tcp --dport 5985 -j ACCEPT";
        let unknown = inbound(rule, None, None);
        assert!(unknown.allowed);
        assert!(
            unknown.assumptions[0].contains("192.168.0.10"),
            "{unknown:?}"
        );
        assert!(
            inbound(rule, Some("192.168.0.10"), None)
                .assumptions
                .is_empty()
        );
        assert!(!inbound(rule, Some("192.168.0.11"), None).allowed);
    }

    #[test]
    fn a_source_port_is_assumed_only_while_unknown() {
        let rule = "-A INPUT -p tcp --sport 1024:65535 --dport 5985 -j ACCEPT";
        let unknown = inbound(rule, None, None);
        assert!(unknown.allowed);
        assert!(
            unknown.assumptions[0].contains("source port"),
            "{unknown:?}"
        );
        assert!(!inbound(rule, None, Some(80)).allowed);
        assert!(inbound(rule, None, Some(50000)).assumptions.is_empty());
    }

    #[test]
    fn a_syn_is_new_unicast_local_and_carries_no_extension_header() {
        for rule in [
            "-A INPUT -p tcp --syn -j ACCEPT",
            "-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT",
            "-A INPUT -m pkttype --pkt-type unicast -j ACCEPT",
            "-A INPUT -m addrtype --dst-type LOCAL,BROADCAST -j ACCEPT",
            "-A INPUT -m addrtype --src-type UNICAST -j ACCEPT",
            "-A INPUT ! -f -j ACCEPT",
        ] {
            let answer = inbound(rule, None, None);
            assert!(answer.allowed, "{rule}: {answer:?}");
            assert!(answer.assumptions.is_empty(), "{rule}: {answer:?}");
        }
        for rule in [
            "-A INPUT -p tcp ! --syn -j ACCEPT",
            "-A INPUT -m pkttype --pkt-type broadcast -j ACCEPT",
            "-A INPUT -m addrtype --src-type LOCAL -j ACCEPT",
            "-A INPUT -m addrtype --dst-type MULTICAST -j ACCEPT",
            "-A INPUT -m rt --rt-type 0 -j ACCEPT",
            "-A INPUT -m frag ! --fragid 5 -j ACCEPT",
            "-A INPUT -f -j ACCEPT",
            "-A INPUT -p udp -j ACCEPT",
        ] {
            assert!(!inbound(rule, None, None).allowed, "{rule}");
        }
    }

    #[test]
    fn every_mark_operation_changes_the_mark_the_way_its_name_says() {
        for (marking, matches) in [
            ("-j MARK --set-mark 0x5", "0x5"),
            ("-j MARK --set-xmark 0x5/0xf", "0x5/0xf"),
            ("-j MARK --or-mark 0x4", "0x4/0x4"),
            ("-j MARK --xor-mark 0x3", "0x3"),
            ("-j CONNMARK --set-mark 0x7", "0x7"),
        ] {
            let connection = if marking.contains("CONNMARK") {
                "-j CONNMARK --restore-mark\n-A INPUT "
            } else {
                ""
            };
            let rules = format!(
                "-A INPUT {marking}\n-A INPUT {connection}-m mark --mark {matches} -j ACCEPT"
            );
            assert!(inbound(&rules, None, None).allowed, "{rules}");
        }
        let cleared = "-A INPUT -j MARK --set-mark 0x6\n-A INPUT -j MARK --and-mark 0x2\n\
                       -A INPUT -m mark --mark 0x2 -j ACCEPT";
        assert!(inbound(cleared, None, None).allowed);
        assert!(!inbound("-A INPUT -m mark ! --mark 0x0 -j ACCEPT", None, None).allowed);
        assert!(inbound("-A INPUT -m connmark --mark 0x0 -j ACCEPT", None, None).allowed);
    }

    #[test]
    fn a_queue_target_is_taken_to_accept_and_said_so() {
        let answer = inbound("-A INPUT -p tcp -j NFQUEUE --queue-num 1", None, None);
        assert!(answer.allowed);
        assert!(answer.assumptions[0].contains("NFQUEUE"), "{answer:?}");
    }

    #[test]
    fn a_trailing_plus_is_a_prefix_wildcard() {
        assert!(interface_matches("eth+", "eth0"));
        assert!(interface_matches("+", "lo"));
        assert!(!interface_matches("eth+", "ens3"));
        assert!(!interface_matches("eth0", "eth01"));
    }

    #[test]
    fn ranges_are_described_as_prefixes_when_they_are_one() {
        let range = AddressRange {
            first: "10.0.0.0".parse().unwrap(),
            last: "10.0.0.255".parse().unwrap(),
        };
        assert_eq!(describe_range(&range), "10.0.0.0/24");
        let odd = AddressRange {
            first: "10.0.0.1".parse().unwrap(),
            last: "10.0.0.9".parse().unwrap(),
        };
        assert_eq!(describe_range(&odd), "10.0.0.1-10.0.0.9");
    }
}
