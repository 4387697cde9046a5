//! The ruleset as the evaluator needs it: chains with their rules, each
//! rule's statements reduced to what can be asked of one packet. Values
//! are numbers (ports, addresses, protocol and type codes, flag bits) or
//! interface names, so one matcher serves every field.

/// A table's family: which packets its chains see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Family {
    /// IPv4 only.
    Ip,
    /// IPv6 only.
    Ip6,
    /// Both.
    Inet,
    /// Both, at the device (ingress/egress hooks).
    Netdev,
    /// bridge, arp: not on the path of a packet to or from this host's IP
    /// stack, so never evaluated.
    Other,
}

/// Where in the stack a base chain is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Hook {
    Ingress,
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
    Egress,
    Other,
}

impl Hook {
    pub(crate) fn from_word(word: &str) -> Hook {
        match word {
            "ingress" => Hook::Ingress,
            "prerouting" => Hook::Prerouting,
            "input" => Hook::Input,
            "forward" => Hook::Forward,
            "output" => Hook::Output,
            "postrouting" => Hook::Postrouting,
            "egress" => Hook::Egress,
            _ => Hook::Other,
        }
    }
}

/// What makes a chain a base chain: where the kernel calls it.
#[derive(Debug, Clone)]
pub(crate) struct BaseChain {
    /// Its type (`filter`, `nat`, `route`) is not kept: a nat chain's
    /// rules are run like a filter chain's, so a drop there still blocks.
    pub hook: Hook,
    pub priority: i64,
    /// true for `policy accept` (the default), false for `drop`.
    pub policy_accepts: bool,
    /// A netdev chain's device(s): it sees only their packets.
    pub devices: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub family: Family,
    /// The family as nft spells it, for messages.
    pub family_word: String,
    pub table: String,
    pub name: String,
    pub base: Option<BaseChain>,
    pub rules: Vec<Rule>,
}

impl Chain {
    /// `inet filter input`: how nft names it.
    pub(crate) fn path(&self) -> String {
        format!("{} {} {}", self.family_word, self.table, self.name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub handle: Option<u64>,
    /// Its place in its chain, 0-based, as read: a rule is named by it
    /// when the input has no handles, also in a chain narrowed to a flow
    /// (`narrow`), where other rules are left out.
    pub position: usize,
    pub statements: Vec<Statement>,
    /// The rule in nft syntax, best effort, for the report.
    pub text: String,
}

/// One statement of a rule, as far as deciding a packet goes.
#[derive(Debug, Clone)]
pub(crate) enum Statement {
    /// A test on the packet; the rule goes on only if it holds.
    Match(Match),
    /// A test this reader cannot evaluate (`meta mark`, `fib`, `socket`):
    /// assumed to hold, and the decision says so.
    Unreadable {
        what: String,
    },
    /// `KEY vmap { value : verdict, ... }`: the verdict of the element the
    /// packet's key falls in; in none, the rule ends without a verdict.
    Vmap {
        keys: Vec<Key>,
        entries: Vec<(Element, Verdict)>,
    },
    Verdict(Verdict),
    /// A statement with no say over the verdict, known to be harmless
    /// (counter, log, limit, notrack, mark setting...).
    Ignored,
    /// A statement this reader does not know: ignored, and the decision
    /// says so.
    Unknown {
        what: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Match {
    /// More than one for a concatenation (`ip daddr . tcp dport`).
    pub keys: Vec<Key>,
    pub test: Test,
}

#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// The key is (or, negated, is not) in one of the elements.
    In {
        elements: Vec<Element>,
        negated: bool,
    },
    /// A flag test on a bitmask field (`ct state established,related`,
    /// `tcp flags syn`): any of `mask`'s bits set, or, `exact`, the value
    /// equals `mask`.
    Flags {
        mask: u128,
        exact: bool,
        negated: bool,
    },
}

/// One element of a set: one atom per component of the key.
pub(crate) type Element = Vec<Atom>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Atom {
    /// An inclusive range of numbers; one value is `Range(v, v)`.
    Range(u128, u128),
    /// An interface name, with nft's trailing `*` wildcard.
    Name(String),
    /// A value this reader could not read (a symbol it does not know):
    /// assumed to match, and said so.
    Opaque(String),
}

/// What the evaluator reads from the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// `ip saddr` (v4) or `ip6 saddr` (v6).
    Saddr(IpVersion),
    Daddr(IpVersion),
    /// `tcp dport`, `udp dport`, `th dport`.
    Dport(Transport),
    Sport(Transport),
    /// `ip protocol`.
    IpProtocol,
    /// `ip6 nexthdr`.
    Ip6Nexthdr,
    /// `meta l4proto`.
    L4proto,
    /// `meta nfproto`.
    Nfproto,
    /// `meta protocol` (the ethertype).
    EtherProtocol,
    IcmpType(IpVersion),
    IcmpCode(IpVersion),
    Iifname,
    Oifname,
    Iif,
    Oif,
    CtState,
    /// `ct status`: a first packet's is empty (no NAT is assumed).
    CtStatus,
    TcpFlags,
    /// A `fib` lookup (the routing table's answer about the packet).
    Fib(FibQuery),
    /// `meta pkttype`.
    PktType,
    /// `KEY & mask`, compared afterwards.
    Masked(MaskedKey, u128),
}

/// The keys a bitwise `&` is seen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MaskedKey {
    TcpFlags,
    CtState,
}

/// The `fib` lookups this reader answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FibQuery {
    /// `fib daddr type`: `local` for a packet to this machine, `unicast`
    /// for one it sends.
    DaddrType,
    /// `fib saddr type`: the other way round.
    SaddrType,
    /// `fib ... oif` (reverse path filters: `oif missing drop`): the peer
    /// is taken as routed, so never `missing`.
    Oif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpVersion {
    V4,
    V6,
}

/// Which transport header a port is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Tcp,
    Udp,
    /// `th`: TCP's or UDP's alike.
    Any,
    /// sctp, dccp, udplite: never the protocol of a VMM packet.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accept,
    Drop,
    /// Any `reject` form.
    Reject,
    /// Handed to a userspace program: taken as blocked, said so.
    Queue,
    /// Ends the rule; the chain goes on.
    Continue,
    Return,
    /// Index of the target in the ruleset's chains.
    Jump(usize),
    Goto(usize),
    /// snat/dnat/masquerade/redirect: the nat chain ends there, with the
    /// packet let through.
    Nat(String),
}
