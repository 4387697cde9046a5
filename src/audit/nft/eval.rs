//! The verdict of an nftables ruleset on one packet: every base chain on
//! the packet's hooks runs, in hook then priority order, and the packet
//! passes only if each of them lets it go (an accept ends only its own
//! chain; a drop or reject anywhere ends it all).

use std::net::IpAddr;

use super::ast::{
    Atom, Chain, Element, Family, FibQuery, Hook, IpVersion, Key, Rule, Statement, Test, Transport,
    Verdict,
};
use crate::audit::model::{Decision, Direction, Packet, Protocol, RuleRef};

/// Deep enough for any real jump chain; beyond it a ruleset loops (which
/// nft itself refuses to load).
const MAX_STEPS: usize = 100_000;

/// The hooks a packet of `direction` passes, in order.
pub(crate) fn hooks(direction: Direction) -> &'static [Hook] {
    match direction {
        Direction::Inbound => &[Hook::Ingress, Hook::Prerouting, Hook::Input],
        Direction::Outbound => &[Hook::Output, Hook::Postrouting, Hook::Egress],
    }
}

/// The base chains a packet of `direction` and `version` meets, in the
/// order it meets them.
pub(crate) fn base_chains(
    chains: &[Chain],
    direction: Direction,
    version: Option<IpVersion>,
) -> Vec<usize> {
    let hooks = hooks(direction);
    let mut found: Vec<usize> = (0..chains.len())
        .filter(|&i| {
            let chain = &chains[i];
            let Some(base) = &chain.base else {
                return false;
            };
            let sees = match chain.family {
                Family::Ip => version != Some(IpVersion::V6),
                Family::Ip6 => version != Some(IpVersion::V4),
                Family::Inet => true,
                Family::Netdev => matches!(base.hook, Hook::Ingress | Hook::Egress),
                Family::Other => false,
            };
            sees && hooks.contains(&base.hook)
        })
        .collect();
    found.sort_by_key(|&i| {
        let base = chains[i].base.as_ref().map(|b| (b.hook, b.priority));
        (base, i)
    });
    found
}

/// Whether a test holds: surely, surely not, or only if an unknown part of
/// the packet is what the rule wants.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Truth {
    Yes,
    No,
    Assumed(String),
}

/// A field of the packet, as one rule reads it.
#[derive(Debug, Clone)]
enum Observed {
    Number(u128),
    Name(String),
    /// The packet has no such field (`tcp dport` of a UDP packet, `ip
    /// saddr` of an IPv6 one): the match fails, negated or not, as nft's
    /// implicit protocol dependency fails.
    Absent,
    /// The input does not say; why.
    Unknown(String),
    /// The interface is not known and the peer is not loopback.
    UnknownInterface,
}

/// The packet, and its IP version (the peer's).
struct Context<'p> {
    packet: &'p Packet,
    version: IpVersion,
}

impl Context<'_> {
    fn observe(&self, key: Key) -> Observed {
        let p = self.packet;
        let number = |n: u128| Observed::Number(n);
        let local = || match p.local {
            Some(addr) => number(super::values::address_number(addr)),
            None => Observed::Unknown("this machine's own address is unknown".into()),
        };
        let peer = || number(super::values::address_number(p.peer));
        let transport_is = |t: Transport| {
            matches!(
                (t, p.protocol),
                (Transport::Tcp, Protocol::Tcp)
                    | (Transport::Udp, Protocol::Udp)
                    | (Transport::Any, Protocol::Tcp | Protocol::Udp)
            )
        };
        let protocol = match (p.protocol, self.version) {
            (Protocol::Tcp, _) => 6,
            (Protocol::Udp, _) => 17,
            (Protocol::Icmp, IpVersion::V4) => 1,
            (Protocol::Icmp, IpVersion::V6) => 58,
        };
        let inbound = p.direction == Direction::Inbound;
        match key {
            Key::Saddr(v) | Key::Daddr(v) if v != self.version => Observed::Absent,
            Key::Saddr(_) => {
                if inbound {
                    peer()
                } else {
                    local()
                }
            }
            Key::Daddr(_) => {
                if inbound {
                    local()
                } else {
                    peer()
                }
            }
            Key::Dport(t) if transport_is(t) => number(p.port.into()),
            Key::Sport(t) if transport_is(t) => match p.source_port {
                Some(port) => number(port.into()),
                None => Observed::Unknown("the source port is unknown".into()),
            },
            Key::Dport(_) | Key::Sport(_) => Observed::Absent,
            Key::IpProtocol if self.version == IpVersion::V4 => number(protocol),
            Key::Ip6Nexthdr if self.version == IpVersion::V6 => number(protocol),
            Key::IpProtocol | Key::Ip6Nexthdr => Observed::Absent,
            Key::L4proto => number(protocol),
            Key::Nfproto => number(if self.version == IpVersion::V4 { 2 } else { 10 }),
            Key::EtherProtocol => number(if self.version == IpVersion::V4 {
                0x0800
            } else {
                0x86dd
            }),
            Key::IcmpType(v) if p.protocol == Protocol::Icmp && v == self.version => {
                number(if v == IpVersion::V4 { 8 } else { 128 })
            }
            Key::IcmpCode(v) if p.protocol == Protocol::Icmp && v == self.version => number(0),
            Key::IcmpType(_) | Key::IcmpCode(_) => Observed::Absent,
            Key::Iifname | Key::Iif if inbound => self.interface(),
            Key::Oifname | Key::Oif if !inbound => self.interface(),
            Key::Iifname | Key::Iif | Key::Oifname | Key::Oif => Observed::Absent,
            // The first packet of a connection, a SYN for TCP.
            Key::CtState => number(8),
            Key::CtStatus => number(0),
            Key::Fib(query) => {
                let local_side = matches!(
                    (query, inbound),
                    (FibQuery::DaddrType, true) | (FibQuery::SaddrType, false)
                );
                match query {
                    FibQuery::Oif => number(1),
                    _ if local_side => number(2),
                    _ => number(1),
                }
            }
            Key::TcpFlags if p.protocol == Protocol::Tcp => number(0x02),
            Key::TcpFlags => Observed::Absent,
            Key::PktType => number(0),
            Key::Masked(inner, mask) => {
                let plain = match inner {
                    super::ast::MaskedKey::TcpFlags => Key::TcpFlags,
                    super::ast::MaskedKey::CtState => Key::CtState,
                };
                match self.observe(plain) {
                    Observed::Number(n) => number(n & mask),
                    other => other,
                }
            }
        }
    }

    fn interface(&self) -> Observed {
        match (&self.packet.interface, self.packet.peer.is_loopback()) {
            (Some(name), _) => Observed::Name(name.clone()),
            (None, true) => Observed::Name("lo".into()),
            (None, false) => Observed::UnknownInterface,
        }
    }

    fn way(&self) -> &'static str {
        if self.packet.direction == Direction::Inbound {
            "arrives on"
        } else {
            "leaves by"
        }
    }

    fn atom(&self, observed: &Observed, atom: &Atom) -> Truth {
        let yes = |b: bool| if b { Truth::Yes } else { Truth::No };
        match (observed, atom) {
            (Observed::Absent, _) => Truth::No,
            (Observed::Unknown(why), _) => Truth::Assumed(format!("{why}; assumed it matches")),
            (_, Atom::Opaque(what)) => Truth::Assumed(format!("assumed the packet matches {what}")),
            (Observed::UnknownInterface, Atom::Name(pattern)) if pattern == "lo" => Truth::No,
            (Observed::UnknownInterface, Atom::Name(pattern)) => Truth::Assumed(format!(
                "the packet {} an interface matching \"{pattern}\"",
                self.way()
            )),
            (Observed::UnknownInterface, Atom::Range(..)) => Truth::Assumed(format!(
                "the packet {} the interface the rule names",
                self.way()
            )),
            (Observed::Number(n), Atom::Range(a, b)) => yes(a <= n && n <= b),
            (Observed::Name(name), Atom::Name(pattern)) => yes(glob(pattern, name)),
            (Observed::Name(name), Atom::Range(..)) => Truth::Assumed(format!(
                "interface {name} is the one the rule names by index"
            )),
            (Observed::Number(_), Atom::Name(_)) => Truth::No,
        }
    }

    fn element(&self, observed: &[Observed], element: &Element) -> Truth {
        let mut assumed = Vec::new();
        for (o, atom) in observed.iter().zip(element) {
            match self.atom(o, atom) {
                Truth::No => return Truth::No,
                Truth::Assumed(why) => assumed.push(why),
                Truth::Yes => {}
            }
        }
        if assumed.is_empty() {
            Truth::Yes
        } else {
            Truth::Assumed(assumed.join("; "))
        }
    }

    /// The first element that surely holds, else the first that may.
    fn find<'e, T: 'e>(
        &self,
        observed: &[Observed],
        items: impl IntoIterator<Item = (&'e Element, &'e T)>,
    ) -> Option<(&'e T, Option<String>)> {
        let mut maybe = None;
        for (element, value) in items {
            match self.element(observed, element) {
                Truth::Yes => return Some((value, None)),
                Truth::Assumed(why) if maybe.is_none() => maybe = Some((value, Some(why))),
                _ => {}
            }
        }
        maybe
    }

    fn test(&self, keys: &[Key], test: &Test) -> Truth {
        let observed: Vec<Observed> = keys.iter().map(|k| self.observe(*k)).collect();
        if observed.iter().any(|o| matches!(o, Observed::Absent)) {
            return Truth::No;
        }
        let (truth, negated) = match test {
            Test::In { elements, negated } => {
                let truth = match self.find(&observed, elements.iter().map(|e| (e, &()))) {
                    Some((_, None)) => Truth::Yes,
                    Some((_, Some(why))) => Truth::Assumed(why),
                    None => Truth::No,
                };
                (truth, *negated)
            }
            Test::Flags {
                mask,
                exact,
                negated,
            } => {
                let truth = match &observed[..] {
                    [Observed::Number(n)] => {
                        if (*exact && n == mask) || (!*exact && n & mask != 0) {
                            Truth::Yes
                        } else {
                            Truth::No
                        }
                    }
                    [Observed::Unknown(why)] => Truth::Assumed(why.clone()),
                    _ => Truth::Assumed("assumed a flag test holds".into()),
                };
                (truth, *negated)
            }
        };
        match (truth, negated) {
            (Truth::Yes, true) => Truth::No,
            (Truth::No, true) => Truth::Yes,
            (truth, _) => truth,
        }
    }

    /// The rule's verdict for this packet, if it has one, and what it took
    /// for granted to reach it.
    fn rule(&self, rule: &Rule) -> (Option<Verdict>, Vec<String>) {
        let mut assumed = Vec::new();
        let mut unknown = false;
        for statement in &rule.statements {
            match statement {
                Statement::Match(m) => match self.test(&m.keys, &m.test) {
                    Truth::No => return (None, Vec::new()),
                    Truth::Assumed(why) => assumed.push(why),
                    Truth::Yes => {}
                },
                Statement::Unreadable { what } => {
                    assumed.push(format!("assumed `{what}` holds (not evaluated)"))
                }
                Statement::Vmap { keys, entries } => {
                    let observed: Vec<Observed> = keys.iter().map(|k| self.observe(*k)).collect();
                    if observed.iter().any(|o| matches!(o, Observed::Absent)) {
                        return (None, Vec::new());
                    }
                    match self.find(&observed, entries.iter().map(|(e, v)| (e, v))) {
                        Some((verdict, why)) => {
                            assumed.extend(why);
                            return (Some(verdict.clone()), assumed);
                        }
                        None => return (None, Vec::new()),
                    }
                }
                Statement::Verdict(verdict) => {
                    if *verdict == Verdict::Continue && !unknown {
                        return (Some(Verdict::Continue), Vec::new());
                    }
                    return (Some(verdict.clone()), assumed);
                }
                Statement::Ignored => {}
                Statement::Unknown { what } => {
                    unknown = true;
                    assumed.push(format!(
                        "statement `{what}` ignored (not known to this reader)"
                    ));
                }
            }
        }
        (None, if unknown { assumed } else { Vec::new() })
    }
}

/// nft's interface wildcard: a trailing `*` matches any rest.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) if !pattern.ends_with("\\*") => name.starts_with(prefix),
        _ => pattern.replace("\\*", "*") == name,
    }
}

/// How one base chain ended for the packet.
struct Outcome {
    /// Accept, Drop, Reject or Queue; Nat counts as accept.
    verdict: Verdict,
    /// The jumps that led to the decision and the deciding rule (or the
    /// policy).
    trail: Vec<RuleRef>,
    /// The deciding rule (chain, index), or `None` for the policy.
    by_rule: Option<(usize, usize)>,
}

/// `handle 7`, or `rule 3` (its position) when the input has no handles.
fn rule_words(chain: &Chain, index: usize) -> String {
    let rule = &chain.rules[index];
    match rule.handle {
        Some(handle) => format!("handle {handle}"),
        None => format!("rule {}", rule.position + 1),
    }
}

fn rule_place(chain: &Chain, index: usize) -> String {
    format!("{} {}", chain.path(), rule_words(chain, index))
}

fn rule_ref(chain: &Chain, index: usize) -> RuleRef {
    RuleRef {
        place: rule_place(chain, index),
        text: Some(chain.rules[index].text.clone()).filter(|t| !t.is_empty()),
    }
}

fn policy_ref(chain: &Chain) -> RuleRef {
    let accepts = chain.base.as_ref().is_none_or(|b| b.policy_accepts);
    RuleRef {
        place: format!(
            "{} policy {}",
            chain.path(),
            if accepts { "accept" } else { "drop" }
        ),
        text: None,
    }
}

/// Runs base chain `start` on the packet.
fn run(chains: &[Chain], start: usize, ctx: &Context, assumptions: &mut Vec<String>) -> Outcome {
    // (chain, next rule, trail length) to come back to after a jump.
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    let (mut chain, mut next) = (start, 0);
    let mut trail: Vec<RuleRef> = Vec::new();
    let policy = |trail: Vec<RuleRef>| {
        let base = &chains[start];
        let accepts = base.base.as_ref().is_none_or(|b| b.policy_accepts);
        let mut trail = trail;
        trail.push(policy_ref(base));
        Outcome {
            verdict: if accepts {
                Verdict::Accept
            } else {
                Verdict::Drop
            },
            trail,
            by_rule: None,
        }
    };
    for _ in 0..MAX_STEPS {
        let Some(rule) = chains[chain].rules.get(next) else {
            // The end of a chain: back to the one that jumped, or the policy.
            match stack.pop() {
                Some((c, n, t)) => {
                    (chain, next) = (c, n);
                    trail.truncate(t);
                    continue;
                }
                None => return policy(trail),
            }
        };
        let index = next;
        next += 1;
        let (verdict, assumed) = ctx.rule(rule);
        // Named only when it assumed something: most rules do not, and
        // this runs for every rule a packet passes.
        if !assumed.is_empty() {
            let place = rule_place(&chains[chain], index);
            assumptions.extend(assumed.into_iter().map(|a| format!("{place}: {a}")));
        }
        let Some(verdict) = verdict else { continue };
        match verdict {
            Verdict::Continue => {}
            Verdict::Accept
            | Verdict::Drop
            | Verdict::Reject
            | Verdict::Queue
            | Verdict::Nat(_) => {
                trail.push(rule_ref(&chains[chain], index));
                return Outcome {
                    verdict,
                    trail,
                    by_rule: Some((chain, index)),
                };
            }
            Verdict::Return => match stack.pop() {
                Some((c, n, t)) => {
                    (chain, next) = (c, n);
                    trail.truncate(t);
                }
                None => {
                    trail.push(rule_ref(&chains[chain], index));
                    return policy(trail);
                }
            },
            Verdict::Jump(target) => {
                stack.push((chain, next, trail.len()));
                trail.push(rule_ref(&chains[chain], index));
                (chain, next) = (target, 0);
            }
            Verdict::Goto(target) => {
                trail.push(rule_ref(&chains[chain], index));
                (chain, next) = (target, 0);
            }
        }
    }
    assumptions.push(format!(
        "{}: the ruleset loops; taken as dropping the packet",
        chains[start].path()
    ));
    Outcome {
        verdict: Verdict::Drop,
        trail,
        by_rule: None,
    }
}

/// Whether a chain bound to devices (netdev, inet ingress) sees the
/// packet: `None` if not; otherwise what that took for granted (an
/// unknown interface taken as one of them, or a device nft did not list).
fn device_sees(ctx: &Context, chain: &Chain, devices: &[String]) -> Option<Option<String>> {
    if devices.is_empty() {
        // nft 1.0.6 leaves a netdev chain's device out of its JSON.
        return Some((chain.family == Family::Netdev).then(|| {
            format!(
                "{}: its device is not in the input; assumed the packet {} it",
                chain.path(),
                ctx.way()
            )
        }));
    }
    let atoms: Vec<Element> = devices
        .iter()
        .map(|d| vec![Atom::Name(d.clone())])
        .collect();
    ctx.find(&[ctx.interface()], atoms.iter().map(|e| (e, &())))
        .map(|(_, why)| why.map(|why| format!("{}: {why}", chain.path())))
}

/// The ruleset's decision on `packet`.
pub(crate) fn decide(chains: &[Chain], packet: &Packet) -> Decision {
    let version = match packet.peer {
        IpAddr::V4(_) => IpVersion::V4,
        IpAddr::V6(_) => IpVersion::V6,
    };
    let mut assumptions = Vec::new();
    let mut rules = Vec::new();
    let mut passed = Vec::new();
    for index in base_chains(chains, packet.direction, Some(version)) {
        let chain = &chains[index];
        let Some(base) = &chain.base else { continue };
        let ctx = Context { packet, version };
        let Some(device_assumed) = device_sees(&ctx, chain, &base.devices) else {
            continue;
        };
        let outcome = run(chains, index, &ctx, &mut assumptions);
        let by = match outcome.by_rule {
            Some((c, i)) => {
                let decider = &chains[c];
                let words = rule_words(decider, i);
                (
                    format!(
                        "rule {words} in chain {} of table {} {}",
                        decider.name, decider.family_word, decider.table
                    ),
                    if c == index {
                        format!("{} ({words})", chain.path())
                    } else {
                        format!("{} ({} {words})", chain.path(), decider.name)
                    },
                )
            }
            None => {
                let word = if base.policy_accepts {
                    "accept"
                } else {
                    "drop"
                };
                (
                    format!(
                        "the policy of chain {} in table {} {}",
                        chain.name, chain.family_word, chain.table
                    ),
                    format!("{} (policy {word})", chain.path()),
                )
            }
        };
        let via = outcome
            .trail
            .iter()
            .take(outcome.trail.len().saturating_sub(1))
            .map(|r| r.place.clone())
            .collect::<Vec<_>>();
        let via = if via.is_empty() {
            String::new()
        } else {
            format!(", reached through {}", via.join(" then "))
        };
        let blocked = match outcome.verdict {
            Verdict::Drop => Some("dropped"),
            Verdict::Reject => Some("rejected"),
            Verdict::Queue => {
                assumptions.push(format!(
                    "{}: queue hands the packet to a userspace program; taken as blocking it",
                    by.1
                ));
                Some("queued to userspace (taken as blocked)")
            }
            _ => None,
        };
        if let Some(verb) = blocked {
            // Which chains ran matters only for the one that blocks: an
            // accept does not spare the packet any other chain.
            assumptions.extend(device_assumed);
            return Decision {
                allowed: false,
                rules: outcome.trail,
                why: format!("{verb} by {}{via}", by.0),
                assumptions,
            };
        }
        rules.extend(outcome.trail);
        passed.push(by.1);
    }
    let why = if passed.is_empty() {
        format!(
            "no nftables base chain sees {} {} packets, so nothing filters it",
            match packet.direction {
                Direction::Inbound => "inbound",
                Direction::Outbound => "outbound",
            },
            if version == IpVersion::V4 {
                "IPv4"
            } else {
                "IPv6"
            }
        )
    } else {
        format!("accepted by every base chain: {}", passed.join(", "))
    };
    Decision {
        allowed: true,
        rules,
        why,
        assumptions,
    }
}
