//! Random small firewalls, described once and rendered per dialect, for
//! differential tests: the real firewall and vmmports' reader of it must
//! agree on every probe. The description knows nothing of either dialect:
//! [`Firewall::to_nft`] writes it for `nft -f`, and
//! [`Firewall::to_iptables_restore`] for `iptables-restore` and
//! `ip6tables-restore`.
//!
//! Only what a probe can see is generated: rules on the peer's address,
//! protocol, destination port, interface and conntrack state, and the
//! verdicts and chain moves of both dialects (accept, drop, reject, jump,
//! goto, return). Subchains never jump, so no ruleset loops. A firewall
//! filters one direction only, so the replies to its probes never meet
//! its rules (a TCP handshake's last ACK does, as an established packet:
//! a probe counts the handshake as done once the SYN-ACK came back).

use std::fmt::Write;

/// A seeded, deterministic generator (splitmix64): the same seed, the
/// same firewalls, on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// true `percent`% of the time.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The addresses and ports a differential test works with: the peers the
/// probes come from, the ports they go to.
#[derive(Debug, Clone)]
pub struct Universe {
    /// Peer addresses, IPv4: consecutive, so prefixes and ranges span some.
    pub peers4: Vec<std::net::Ipv4Addr>,
    pub peers6: Vec<std::net::Ipv6Addr>,
    pub ports: Vec<u16>,
    /// The interface probes arrive on.
    pub interface: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
    /// Both (nft `inet`; iptables and ip6tables together).
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    Tcp,
    Udp,
    /// ICMP or ICMPv6 (a ping).
    Icmp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    One(std::net::IpAddr),
    /// Network address and prefix length.
    Prefix(std::net::IpAddr, u8),
    Range(std::net::IpAddr, std::net::IpAddr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    One(u16),
    Range(u16, u16),
    /// `< n` (below) or `> n` (above).
    Below(u16),
    Above(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The peer (the source of an inbound packet, the destination of an
    /// outbound one) is one of these (or, negated, none of them). All of
    /// one IP version.
    Peer {
        any_of: Vec<Address>,
        negated: bool,
    },
    Protocol(L4),
    /// The destination port, for TCP and UDP alike unless a protocol
    /// condition comes first.
    Port {
        any_of: Vec<Ports>,
        negated: bool,
    },
    /// The interface the packet arrives on (inbound) or leaves by.
    InterfaceIs(String),
    InterfaceIsNot(String),
    /// Conntrack says new (true) or established/related (false).
    NewConnection(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    Drop,
    Reject,
    /// To subchain k of the table, coming back.
    Jump(usize),
    /// To subchain k, not coming back.
    Goto(usize),
    Return,
    /// No verdict (a counter): the next rule decides.
    Count,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub conditions: Vec<Condition>,
    pub action: Action,
}

/// One table with one base chain on the firewall's way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub family: Family,
    pub priority: i32,
    pub policy_accepts: bool,
    pub rules: Vec<Rule>,
    pub subchains: Vec<Vec<Rule>>,
}

/// Which way the filtered packets go: to this machine or from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    In,
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firewall {
    /// Every table's base chain filters this way (nft hook input or
    /// output; iptables INPUT or OUTPUT).
    pub way: Way,
    pub tables: Vec<Table>,
}

impl Firewall {
    /// A random firewall over `universe`, decided by `rng`.
    pub fn random(rng: &mut Rng, universe: &Universe, way: Way) -> Firewall {
        let tables = (0..1 + rng.below(3))
            .map(|_| {
                let family = *rng.pick(&[Family::Ipv4, Family::Ipv6, Family::Both]);
                let subchains: Vec<Vec<Rule>> = (0..rng.below(3))
                    .map(|_| {
                        (0..1 + rng.below(3))
                            .map(|_| random_rule(rng, universe, family, 0))
                            .collect()
                    })
                    .collect();
                let n = subchains.len();
                Table {
                    family,
                    priority: *rng.pick(&[-10, 0, 10]),
                    policy_accepts: rng.chance(60),
                    rules: (0..1 + rng.below(5))
                        .map(|_| random_rule(rng, universe, family, n))
                        .collect(),
                    subchains,
                }
            })
            .collect();
        Firewall { way, tables }
    }

    /// As an `nft -f` file. The same condition is written in turn as an
    /// anonymous set, a named set and (for a port before a verdict) a
    /// verdict map, so each of nft's spellings meets the reader.
    pub fn to_nft(&self) -> String {
        let mut out = String::from("flush ruleset\n");
        for (t, table) in self.tables.iter().enumerate() {
            let family = match table.family {
                Family::Ipv4 => "ip",
                Family::Ipv6 => "ip6",
                Family::Both => "inet",
            };
            let mut sets = NamedSets::default();
            let mut chains = String::new();
            for (k, rules) in table.subchains.iter().enumerate() {
                writeln!(chains, "\tchain sub{k} {{").unwrap();
                for rule in rules {
                    writeln!(chains, "\t\t{}", nft_rule(rule, self.way, &mut sets)).unwrap();
                }
                writeln!(chains, "\t}}").unwrap();
            }
            let policy = if table.policy_accepts {
                "accept"
            } else {
                "drop"
            };
            let hook = match self.way {
                Way::In => "input",
                Way::Out => "output",
            };
            writeln!(chains, "\tchain {hook} {{").unwrap();
            writeln!(
                chains,
                "\t\ttype filter hook {hook} priority {}; policy {policy};",
                table.priority
            )
            .unwrap();
            for rule in &table.rules {
                writeln!(chains, "\t\t{}", nft_rule(rule, self.way, &mut sets)).unwrap();
            }
            writeln!(chains, "\t}}").unwrap();
            writeln!(out, "table {family} t{t} {{").unwrap();
            out.push_str(&sets.declarations);
            out.push_str(&chains);
            writeln!(out, "}}").unwrap();
        }
        out
    }
}

/// The named sets one table's rules refer to, and whose turn it is to be
/// named, inline or a verdict map.
#[derive(Default)]
struct NamedSets {
    declarations: String,
    count: usize,
    turn: usize,
}

impl NamedSets {
    /// `{ items }`, or every other time `@sN` with its declaration.
    fn set(&mut self, kind: &str, items: &[String]) -> String {
        self.turn += 1;
        if self.turn.is_multiple_of(2) {
            return format!("{{ {} }}", items.join(", "));
        }
        let name = format!("s{}", self.count);
        self.count += 1;
        writeln!(
            self.declarations,
            "\tset {name} {{\n\t\ttype {kind}\n\t\tflags interval\n\t\tauto-merge\n\t\telements = {{ {} }}\n\t}}",
            items.join(", ")
        )
        .unwrap();
        format!("@{name}")
    }

    /// Whether this port test and verdict are written as a verdict map.
    fn as_vmap(&mut self) -> bool {
        self.turn += 1;
        self.turn.is_multiple_of(3)
    }
}

fn random_rule(rng: &mut Rng, universe: &Universe, family: Family, subchains: usize) -> Rule {
    let mut conditions = Vec::new();
    if rng.chance(50) {
        let v6 = match family {
            Family::Ipv4 => false,
            Family::Ipv6 => true,
            Family::Both => rng.chance(50),
        };
        let any_of = (0..1 + rng.below(2))
            .map(|_| random_address(rng, universe, v6))
            .collect();
        conditions.push(Condition::Peer {
            any_of,
            negated: rng.chance(20),
        });
    }
    let with_protocol = rng.chance(60);
    if with_protocol {
        conditions.push(Condition::Protocol(*rng.pick(&[
            L4::Tcp,
            L4::Udp,
            L4::Icmp,
        ])));
    }
    // A ping has no port.
    let pings = conditions.contains(&Condition::Protocol(L4::Icmp));
    if !pings && rng.chance(60) {
        let one = |rng: &mut Rng| *rng.pick(&universe.ports);
        let any_of = (0..1 + rng.below(2))
            .map(|_| match rng.below(4) {
                0 => Ports::One(one(rng)),
                1 => {
                    let (a, b) = (one(rng), one(rng));
                    Ports::Range(a.min(b), a.max(b))
                }
                2 => Ports::Below(one(rng).max(1)),
                _ => Ports::Above(one(rng).min(65534)),
            })
            .collect::<Vec<_>>();
        // nft allows comparisons alone, not in a set.
        let any_of = if any_of
            .iter()
            .any(|p| matches!(p, Ports::Below(_) | Ports::Above(_)))
        {
            any_of[..1].to_vec()
        } else {
            any_of
        };
        conditions.push(Condition::Port {
            any_of,
            negated: rng.chance(15),
        });
    }
    if rng.chance(10) {
        let name = rng
            .pick(&[universe.interface.as_str(), "lo", "eth9"])
            .to_string();
        conditions.push(if rng.chance(70) {
            Condition::InterfaceIs(name)
        } else {
            Condition::InterfaceIsNot(name)
        });
    }
    if rng.chance(10) {
        conditions.push(Condition::NewConnection(rng.chance(50)));
    }
    let mut actions = vec![
        Action::Accept,
        Action::Accept,
        Action::Drop,
        Action::Reject,
        Action::Return,
        Action::Count,
    ];
    for k in 0..subchains {
        actions.push(Action::Jump(k));
        actions.push(Action::Goto(k));
    }
    Rule {
        conditions,
        action: *rng.pick(&actions),
    }
}

fn random_address(rng: &mut Rng, universe: &Universe, v6: bool) -> Address {
    use std::net::IpAddr;
    let peer = |rng: &mut Rng| -> IpAddr {
        if v6 {
            IpAddr::V6(*rng.pick(&universe.peers6))
        } else {
            IpAddr::V4(*rng.pick(&universe.peers4))
        }
    };
    match rng.below(3) {
        0 => Address::One(peer(rng)),
        1 => {
            let len = if v6 {
                *rng.pick(&[126u8, 127, 64])
            } else {
                *rng.pick(&[30u8, 31, 24])
            };
            let network = match peer(rng) {
                IpAddr::V4(a) => {
                    IpAddr::V4((u32::from(a) & (u32::MAX << (32 - len as u32))).into())
                }
                IpAddr::V6(a) => {
                    IpAddr::V6((u128::from(a) & (u128::MAX << (128 - len as u32))).into())
                }
            };
            Address::Prefix(network, len)
        }
        _ => {
            let (a, b) = (peer(rng), peer(rng));
            Address::Range(a.min(b), a.max(b))
        }
    }
}

fn nft_rule(rule: &Rule, way: Way, sets: &mut NamedSets) -> String {
    let (peer, interface) = match way {
        Way::In => ("saddr", "iifname"),
        Way::Out => ("daddr", "oifname"),
    };
    let mut words = Vec::new();
    let mut protocol = None;
    let verdict = match rule.action {
        Action::Accept => "accept".to_string(),
        Action::Drop => "drop".into(),
        Action::Reject => "reject".into(),
        Action::Jump(k) => format!("jump sub{k}"),
        Action::Goto(k) => format!("goto sub{k}"),
        Action::Return => "return".into(),
        Action::Count => "counter".into(),
    };
    let in_vmap = !matches!(rule.action, Action::Reject | Action::Count);
    for (i, condition) in rule.conditions.iter().enumerate() {
        let last = i + 1 == rule.conditions.len();
        match condition {
            Condition::Peer { any_of, negated } => {
                let v6 = any_of.iter().any(|a| match a {
                    Address::One(x) | Address::Prefix(x, _) | Address::Range(x, _) => x.is_ipv6(),
                });
                let items: Vec<String> = any_of
                    .iter()
                    .map(|a| match a {
                        Address::One(x) => x.to_string(),
                        Address::Prefix(x, len) => format!("{x}/{len}"),
                        Address::Range(x, y) => format!("{x}-{y}"),
                    })
                    .collect();
                let op = if *negated { "!= " } else { "" };
                let (field, kind) = if v6 {
                    (format!("ip6 {peer}"), "ipv6_addr")
                } else {
                    (format!("ip {peer}"), "ipv4_addr")
                };
                words.push(format!("{field} {op}{}", sets.set(kind, &items)));
            }
            Condition::Protocol(l4) => {
                protocol = Some(*l4);
                words.push(format!("meta l4proto {}", l4_word(*l4)));
            }
            Condition::Port { any_of, negated } => {
                let field = match protocol {
                    Some(l4 @ (L4::Tcp | L4::Udp)) => format!("{} dport", l4_word(l4)),
                    _ => {
                        words.push("meta l4proto { tcp, udp }".into());
                        "th dport".into()
                    }
                };
                let op = if *negated { "!= " } else { "" };
                let text = match any_of.as_slice() {
                    [Ports::Below(n)] if !negated => format!("< {n}"),
                    [Ports::Above(n)] if !negated => format!("> {n}"),
                    // A negated comparison: the complement range.
                    [Ports::Below(n)] => format!(">= {n}"),
                    [Ports::Above(n)] => format!("<= {n}"),
                    items => {
                        let items: Vec<String> = items
                            .iter()
                            .map(|p| match p {
                                Ports::One(n) => n.to_string(),
                                Ports::Range(a, b) if a == b => a.to_string(),
                                Ports::Range(a, b) => format!("{a}-{b}"),
                                Ports::Below(n) => format!("0-{}", n - 1),
                                Ports::Above(n) => format!("{}-65535", n + 1),
                            })
                            .collect();
                        if last && !negated && in_vmap && items.len() == 1 && sets.as_vmap() {
                            // The port decides the verdict: a verdict map
                            // (of one element: intervals in a map must not
                            // overlap).
                            let pairs: Vec<String> =
                                items.iter().map(|i| format!("{i} : {verdict}")).collect();
                            words.push(format!("{field} vmap {{ {} }}", pairs.join(", ")));
                            return words.join(" ");
                        }
                        format!("{op}{}", sets.set("inet_service", &items))
                    }
                };
                words.push(format!("{field} {text}"));
            }
            Condition::InterfaceIs(name) => words.push(format!("{interface} \"{name}\"")),
            Condition::InterfaceIsNot(name) => words.push(format!("{interface} != \"{name}\"")),
            Condition::NewConnection(true) => words.push("ct state new".into()),
            Condition::NewConnection(false) => words.push("ct state established,related".into()),
        }
    }
    words.push(verdict);
    words.join(" ")
}

fn l4_word(l4: L4) -> &'static str {
    match l4 {
        L4::Tcp => "tcp",
        L4::Udp => "udp",
        L4::Icmp => "{ icmp, ipv6-icmp }",
    }
}

/// The iptables tables a firewall's tables become, lowest priority first:
/// each has INPUT and OUTPUT chains and is passed in this order (mangle at
/// -150, filter at 0, security at 50), and a packet must get through each,
/// as through nft's base chains.
const IPTABLES_TABLES: [&str; 3] = ["mangle", "filter", "security"];

impl Firewall {
    /// As an `iptables-restore` file (`v6` false) or an
    /// `ip6tables-restore` one (`v6` true). Every table is written, most of
    /// them empty, because a restore replaces only the tables it names: the
    /// previous firewall's must not linger. The tables of the other IP
    /// version are left out, and so is each rule that names a peer of the
    /// other version (it cannot match here; nft's `ip saddr` in an `inet`
    /// table does not match an IPv6 packet either).
    ///
    /// iptables has one chain per table and hook, so the firewall's tables
    /// (sorted by priority) become mangle, filter and security in turn.
    /// REJECT is a filter-only target: elsewhere it is written as DROP, which
    /// blocks just the same. What one nft rule says with a set becomes
    /// several rules here where iptables has no list (a port condition
    /// without a protocol, address ranges), or one rule with `-s a,b`,
    /// which iptables-restore splits itself.
    pub fn to_iptables_restore(&self, v6: bool) -> String {
        let mut mine: Vec<&Table> = self
            .tables
            .iter()
            .filter(|t| match t.family {
                Family::Ipv4 => !v6,
                Family::Ipv6 => v6,
                Family::Both => true,
            })
            .collect();
        mine.sort_by_key(|t| t.priority);
        let names: &[&str] = match mine.len() {
            0 | 1 => &IPTABLES_TABLES[1..2],
            2 => &IPTABLES_TABLES[..2],
            _ => &IPTABLES_TABLES,
        };
        let base = match self.way {
            Way::In => "INPUT",
            Way::Out => "OUTPUT",
        };
        let mut turns = Turns::default();
        let mut out = String::new();
        for name in IPTABLES_TABLES {
            let table = names
                .iter()
                .position(|n| *n == name)
                .and_then(|k| mine.get(k));
            writeln!(out, "*{name}").unwrap();
            for chain in ["INPUT", "OUTPUT"] {
                let policy = match table {
                    Some(t) if chain == base && !t.policy_accepts => "DROP",
                    _ => "ACCEPT",
                };
                writeln!(out, ":{chain} {policy} [0:0]").unwrap();
            }
            if let Some(table) = table {
                let filter = name == "filter";
                for k in 0..table.subchains.len() {
                    writeln!(out, ":sub{k} - [0:0]").unwrap();
                }
                for rule in &table.rules {
                    for line in iptables_rules(rule, self.way, v6, filter, &mut turns) {
                        writeln!(out, "-A {base} {line}").unwrap();
                    }
                }
                for (k, rules) in table.subchains.iter().enumerate() {
                    for rule in rules {
                        for line in iptables_rules(rule, self.way, v6, filter, &mut turns) {
                            writeln!(out, "-A sub{k} {line}").unwrap();
                        }
                    }
                }
            }
            writeln!(out, "COMMIT").unwrap();
        }
        out
    }
}

/// Whose turn it is among iptables' spellings of one thing (`--dport` or
/// multiport, conntrack or state), so each meets the reader.
#[derive(Default)]
struct Turns(usize);

impl Turns {
    fn flip(&mut self) -> bool {
        self.0 += 1;
        self.0.is_multiple_of(2)
    }
}

/// The bounds of `address` as an iprange `A-B`.
fn iprange(address: &Address) -> String {
    use std::net::IpAddr;
    match address {
        Address::One(x) => format!("{x}-{x}"),
        Address::Range(x, y) => format!("{x}-{y}"),
        Address::Prefix(IpAddr::V4(a), len) => {
            let host = u32::MAX.checked_shr(u32::from(*len)).unwrap_or(0);
            let low = u32::from(*a) & !host;
            let high = std::net::Ipv4Addr::from(low | host);
            format!("{}-{high}", std::net::Ipv4Addr::from(low))
        }
        Address::Prefix(IpAddr::V6(a), len) => {
            let host = u128::MAX.checked_shr(u32::from(*len)).unwrap_or(0);
            let low = u128::from(*a) & !host;
            let high = std::net::Ipv6Addr::from(low | host);
            format!("{}-{high}", std::net::Ipv6Addr::from(low))
        }
    }
}

/// `-s`'s spelling of `address`, or None for a range (iprange's).
fn plain_address(address: &Address) -> Option<String> {
    match address {
        Address::One(x) => Some(x.to_string()),
        Address::Prefix(x, len) => Some(format!("{x}/{len}")),
        Address::Range(..) => None,
    }
}

/// The iptables lines (after `-A CHAIN `) that together do what `rule`
/// does, for one IP version: each condition is a choice of alternatives
/// (any of them matches), and the rule is written once per combination.
/// Writing a rule twice is harmless when one packet matches both copies:
/// every action but a jump ends the chain, and a second jump to the same
/// chain decides as the first did. Empty when the rule names a peer of the
/// other IP version.
fn iptables_rules(rule: &Rule, way: Way, v6: bool, filter: bool, turns: &mut Turns) -> Vec<String> {
    let (peer, range, interface) = match way {
        Way::In => ("-s", "--src-range", "-i"),
        Way::Out => ("-d", "--dst-range", "-o"),
    };
    let mut lines = vec![String::new()];
    let mut protocol = None;
    for condition in &rule.conditions {
        let choices: Vec<String> = match condition {
            Condition::Peer { any_of, negated } => {
                let other_version = any_of.iter().any(|a| match a {
                    Address::One(x) | Address::Prefix(x, _) | Address::Range(x, _) => {
                        x.is_ipv6() != v6
                    }
                });
                if other_version {
                    return Vec::new();
                }
                let plain: Option<Vec<String>> = any_of.iter().map(plain_address).collect();
                match (negated, plain) {
                    // None of them: one `! -s` at most per rule, then
                    // each other address as a negated iprange.
                    (true, _) => {
                        let mut words = Vec::new();
                        for (k, address) in any_of.iter().enumerate() {
                            match plain_address(address) {
                                Some(text) if k == 0 => words.push(format!("! {peer} {text}")),
                                _ => {
                                    words.push(format!("-m iprange ! {range} {}", iprange(address)))
                                }
                            }
                        }
                        vec![words.join(" ")]
                    }
                    (false, Some(items)) => vec![format!("{peer} {}", items.join(","))],
                    (false, None) => any_of
                        .iter()
                        .map(|a| format!("-m iprange {range} {}", iprange(a)))
                        .collect(),
                }
            }
            Condition::Protocol(l4) => {
                protocol = Some(*l4);
                vec![format!("-p {}", iptables_protocol(*l4, v6))]
            }
            Condition::Port { any_of, negated } => {
                let not = if *negated { "! " } else { "" };
                let items: Vec<String> = any_of
                    .iter()
                    .map(|p| match p {
                        Ports::One(n) => n.to_string(),
                        Ports::Range(a, b) if a == b => a.to_string(),
                        Ports::Range(a, b) => format!("{a}:{b}"),
                        Ports::Below(n) => format!("0:{}", n - 1),
                        Ports::Above(n) => format!("{}:65535", n + 1),
                    })
                    .collect();
                let test = if items.len() == 1 && turns.flip() {
                    format!("{not}--dport {}", items[0])
                } else {
                    format!("-m multiport {not}--dports {}", items.join(","))
                };
                match protocol {
                    Some(L4::Tcp | L4::Udp) => vec![test],
                    // A port means TCP or UDP (nft's `th dport` after
                    // `meta l4proto { tcp, udp }`): a rule for each.
                    _ => vec![format!("-p tcp {test}"), format!("-p udp {test}")],
                }
            }
            Condition::InterfaceIs(name) => vec![format!("{interface} {name}")],
            Condition::InterfaceIsNot(name) => vec![format!("! {interface} {name}")],
            Condition::NewConnection(new) => {
                let states = if *new { "NEW" } else { "ESTABLISHED,RELATED" };
                if turns.flip() {
                    vec![format!("-m conntrack --ctstate {states}")]
                } else {
                    vec![format!("-m state --state {states}")]
                }
            }
        };
        lines = lines
            .iter()
            .flat_map(|line| {
                choices
                    .iter()
                    .map(move |choice| format!("{line} {choice}").trim().to_string())
            })
            .collect();
    }
    let target = match rule.action {
        Action::Accept => "-j ACCEPT".to_string(),
        Action::Drop => "-j DROP".into(),
        Action::Reject if filter => "-j REJECT".into(),
        Action::Reject => "-j DROP".into(),
        Action::Jump(k) => format!("-j sub{k}"),
        Action::Goto(k) => format!("-g sub{k}"),
        Action::Return => "-j RETURN".into(),
        Action::Count => String::new(),
    };
    lines
        .into_iter()
        .map(|line| format!("{line} {target}").trim().to_string())
        .collect()
}

fn iptables_protocol(l4: L4, v6: bool) -> &'static str {
    match (l4, v6) {
        (L4::Tcp, _) => "tcp",
        (L4::Udp, _) => "udp",
        (L4::Icmp, false) => "icmp",
        (L4::Icmp, true) => "ipv6-icmp",
    }
}
