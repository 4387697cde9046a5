//! One rule's options (the words after `-A CHAIN`) into conditions and a
//! target. This is where iptables' option grammar lives: which match
//! module defines which option, `!` before an option or (old style) after
//! it, and which target takes which options.
//!
//! Options of a match this reader does not model (`-m recent`, `-m time`,
//! `-m limit`, ...) are kept, unread, as one condition assumed to hold: a
//! file from a machine with more modules than this reader knows still
//! reads, and every decision resting on such a match says so. An option no
//! loaded module could own is a mistake in the file and is refused.

use std::net::IpAddr;

use super::lex::Word;
use super::tables::{AddressRange, Condition, End, Family, MarkChange, PortProtocol, Target, Test};
use super::values::{self, Bad};

/// A problem at a byte offset of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    fn at(word: &Word, bad: Bad) -> Problem {
        Problem {
            offset: word.offset,
            message: bad.message,
            hint: bad.hint,
        }
    }

    fn new(offset: usize, message: String, hint: &str) -> Problem {
        Problem {
            offset,
            message,
            hint: Some(hint.to_string()),
        }
    }
}

/// `-s` or `-d` as written: a comma list makes one rule per address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressOption {
    pub negated: bool,
    pub ranges: Vec<AddressRange>,
}

/// A rule's options, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOptions {
    pub sources: Option<AddressOption>,
    pub destinations: Option<AddressOption>,
    /// Every other condition, in the order written.
    pub conditions: Vec<Condition>,
    pub target: Target,
    /// Where the `-j`/`-g` name is, for "no such chain" errors.
    pub target_offset: Option<usize>,
    pub comment: Option<String>,
    /// Each address the rule names and where, so a file's family can be
    /// told from its content.
    pub addresses: Vec<(IpAddr, usize)>,
    /// `-p ipv6-icmp` or `-m icmp6` (IPv6) / `-m icmp` (IPv4): a family
    /// hint for files with no addresses.
    pub icmp_family: Option<Family>,
    /// MARK's or CONNMARK's options, read together once the rule ends.
    mark_options: Vec<(Word, Vec<Word>)>,
}

/// A match module loaded by `-m` (or by `-p tcp`/`-p udp`/...).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Module {
    Tcp,
    Udp,
    Icmp,
    Icmp6,
    Multiport,
    Conntrack,
    State,
    Iprange,
    Set,
    Comment,
    Addrtype,
    Pkttype,
    Mark,
    Connmark,
    /// A header the packet does not carry: its options are taken unread.
    AbsentHeader,
    /// Not modelled: its options are kept as written (`words`) and the
    /// whole match is assumed to hold. `implicit` for the module `-p sctp`
    /// loads by itself, which says nothing until one of its options is
    /// used.
    Unmodelled {
        name: String,
        words: Vec<String>,
        implicit: bool,
    },
}

impl Module {
    fn from_name(name: &str) -> Module {
        match name {
            "tcp" => Module::Tcp,
            "udp" => Module::Udp,
            "icmp" => Module::Icmp,
            "icmp6" => Module::Icmp6,
            "multiport" => Module::Multiport,
            "conntrack" => Module::Conntrack,
            "state" => Module::State,
            "iprange" => Module::Iprange,
            "set" => Module::Set,
            "comment" => Module::Comment,
            "addrtype" => Module::Addrtype,
            "pkttype" => Module::Pkttype,
            "mark" => Module::Mark,
            "connmark" => Module::Connmark,
            "rt" | "frag" | "hbh" | "dst" | "mh" | "ah" | "esp" => Module::AbsentHeader,
            other => Module::Unmodelled {
                name: other.to_string(),
                words: Vec::new(),
                implicit: false,
            },
        }
    }

    /// How many values `option` takes in this module, when it has it.
    fn arity(&self, option: &str) -> Option<usize> {
        let one = Some(1);
        match (self, option) {
            (Module::Tcp | Module::Udp, "--sport" | "--source-port")
            | (Module::Tcp | Module::Udp, "--dport" | "--destination-port") => one,
            (Module::Tcp, "--syn") => Some(0),
            (Module::Tcp, "--tcp-flags") => Some(2),
            (Module::Tcp, "--tcp-option") => one,
            (Module::Icmp, "--icmp-type") => one,
            (Module::Icmp6, "--icmpv6-type") => one,
            (
                Module::Multiport,
                "--sports" | "--source-ports" | "--dports" | "--destination-ports" | "--ports",
            ) => one,
            (
                Module::Conntrack,
                "--ctstate" | "--ctproto" | "--ctorigsrc" | "--ctorigdst" | "--ctreplsrc"
                | "--ctrepldst" | "--ctorigsrcport" | "--ctorigdstport" | "--ctreplsrcport"
                | "--ctrepldstport" | "--ctstatus" | "--ctexpire" | "--ctdir",
            ) => one,
            (Module::State, "--state") => one,
            (Module::Iprange, "--src-range" | "--dst-range") => one,
            (Module::Set, "--match-set" | "--set") => Some(2),
            (
                Module::Set,
                "--return-nomatch"
                | "--update-counters"
                | "--update-subcounters"
                | "--no-update-counters"
                | "--no-update-subcounters",
            ) => Some(0),
            (
                Module::Set,
                "--packets-eq" | "--packets-lt" | "--packets-gt" | "--bytes-eq" | "--bytes-lt"
                | "--bytes-gt",
            ) => one,
            (Module::Comment, "--comment") => one,
            (Module::Addrtype, "--src-type" | "--dst-type") => one,
            (Module::Addrtype, "--limit-iface-in" | "--limit-iface-out") => Some(0),
            (Module::Pkttype, "--pkt-type") => one,
            (Module::Mark | Module::Connmark, "--mark") => one,
            _ => None,
        }
    }
}

/// The targets that end a chain with a verdict (or a rewrite) this reader
/// cannot judge; the packet is taken to go on.
const OPAQUE_TARGETS: &[&str] = &[
    "QUEUE",
    "NFQUEUE",
    "DNAT",
    "SNAT",
    "MASQUERADE",
    "REDIRECT",
    "NETMAP",
    "SAME",
    "TPROXY",
    "SYNPROXY",
    "CLUSTERIP",
    "MIRROR",
    "DNPT",
    "SNPT",
];

/// Targets that do not end the chain: they log, mark or tweak the packet.
const CONTINUING_TARGETS: &[&str] = &[
    "LOG",
    "NFLOG",
    "ULOG",
    "MARK",
    "CONNMARK",
    "CT",
    "NOTRACK",
    "TRACE",
    "TCPMSS",
    "TCPOPTSTRIP",
    "DSCP",
    "TOS",
    "TTL",
    "HL",
    "ECN",
    "CLASSIFY",
    "SET",
    "AUDIT",
    "CHECKSUM",
    "SECMARK",
    "CONNSECMARK",
    "IDLETIMER",
    "LED",
    "RATEEST",
    "HMARK",
    "TEE",
];

/// The options of the targets this reader checks; other extension targets
/// take theirs unread.
fn target_arity(target: &str, option: &str) -> Option<usize> {
    match (target, option) {
        ("REJECT", "--reject-with") => Some(1),
        ("LOG", "--log-level" | "--log-prefix") => Some(1),
        (
            "MARK" | "CONNMARK",
            "--set-mark" | "--set-xmark" | "--and-mark" | "--or-mark" | "--xor-mark",
        )
        | ("CONNMARK", "--nfmask" | "--ctmask" | "--mask") => Some(1),
        ("CONNMARK", "--save-mark" | "--restore-mark") => Some(0),
        (
            "LOG",
            "--log-tcp-sequence" | "--log-tcp-options" | "--log-ip-options" | "--log-uid"
            | "--log-macdecode",
        ) => Some(0),
        _ => None,
    }
}

/// Whether `target`'s options are all known here (so another option is a
/// mistake): the built-in verdicts, LOG, REJECT and user chains. The other
/// extensions' options are taken unread.
fn target_options_are_checked(target: &str) -> bool {
    matches!(
        target,
        "REJECT" | "LOG" | "ACCEPT" | "DROP" | "RETURN" | "MARK" | "CONNMARK"
    ) || !(OPAQUE_TARGETS.contains(&target)
        || CONTINUING_TARGETS.contains(&target)
        || target == "TARPIT")
}

fn target_from_name(name: &str) -> Target {
    match name {
        "ACCEPT" => Target::Accept,
        "NOTRACK" => Target::Untrack,
        "DROP" | "TARPIT" => Target::Drop,
        "REJECT" => Target::Reject,
        "RETURN" => Target::Return,
        _ if CONTINUING_TARGETS.contains(&name) => Target::Continue,
        _ if OPAQUE_TARGETS.contains(&name) => Target::Other(name.to_string()),
        chain => Target::Jump(chain.to_string()),
    }
}

/// Does `word` begin an option (rather than being a value)?
fn is_option(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next() == Some('-')
        && chars
            .next()
            .is_some_and(|c| c == '-' || c.is_ascii_alphabetic())
}

struct Reader<'a> {
    words: &'a [Word],
    next: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self) -> Option<&'a Word> {
        let word = self.words.get(self.next)?;
        self.next += 1;
        Some(word)
    }

    fn peek(&self) -> Option<&'a Word> {
        self.words.get(self.next)
    }

    /// The value after `option`, or a problem pointing at the option.
    fn value(&mut self, option: &Word) -> Result<&'a Word, Problem> {
        self.take().ok_or_else(|| {
            Problem::new(
                option.offset,
                format!("`{}` needs a value", option.text),
                "give the value after the option",
            )
        })
    }

    /// Old-style negation, `--dport ! 22`.
    fn old_style_not(&mut self) -> bool {
        if self.peek().is_some_and(|w| w.text == "!") {
            self.next += 1;
            return true;
        }
        false
    }
}

/// Reads a rule's options.
pub fn read(words: &[Word]) -> Result<RuleOptions, Problem> {
    let mut rule = RuleOptions {
        sources: None,
        destinations: None,
        conditions: Vec::new(),
        target: Target::Continue,
        target_offset: None,
        comment: None,
        addresses: Vec::new(),
        icmp_family: None,
        mark_options: Vec::new(),
    };
    let mut modules: Vec<Module> = Vec::new();
    let mut target_name: Option<String> = None;
    let mut reader = Reader { words, next: 0 };
    let mut negate_next: Option<&Word> = None;
    while let Some(word) = reader.take() {
        if word.text == "!" {
            if negate_next.is_some() {
                return Err(Problem::new(
                    word.offset,
                    "two `!` in a row".to_string(),
                    "one `!` negates the option after it",
                ));
            }
            negate_next = Some(word);
            continue;
        }
        let not = negate_next.take();
        let negated = not.is_some();
        let option = word.text.as_str();
        if let Some(not) = not
            && matches!(
                option,
                "-m" | "--match"
                    | "-j"
                    | "--jump"
                    | "-g"
                    | "--goto"
                    | "-c"
                    | "--set-counters"
                    | "-4"
                    | "--ipv4"
                    | "-6"
                    | "--ipv6"
            )
        {
            return Err(Problem::new(
                not.offset,
                format!("`!` cannot negate `{option}`"),
                "`!` goes before a match's option, as in `-m conntrack ! --ctstate NEW`",
            ));
        }
        match option {
            "-p" | "--protocol" => {
                let negated = negated || reader.old_style_not();
                let value = reader.value(word)?;
                let number = values::protocol(&value.text).map_err(|b| Problem::at(value, b))?;
                rule.conditions.push(Condition {
                    negated,
                    test: Test::Protocol(number),
                });
                if number == Some(58) {
                    rule.icmp_family = Some(Family::V6);
                }
                modules.push(match number {
                    Some(6) => Module::Tcp,
                    Some(17) => Module::Udp,
                    Some(1) => Module::Icmp,
                    Some(58) => Module::Icmp6,
                    _ => Module::Unmodelled {
                        name: value.text.to_ascii_lowercase(),
                        words: Vec::new(),
                        implicit: true,
                    },
                });
            }
            "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
                let negated = negated || reader.old_style_not();
                let value = reader.value(word)?;
                let ranges =
                    values::address_list(&value.text).map_err(|b| Problem::at(value, b))?;
                for range in &ranges {
                    rule.addresses.push((range.first, value.offset));
                }
                let slot = if option.starts_with("-s") || option.starts_with("--s") {
                    &mut rule.sources
                } else {
                    &mut rule.destinations
                };
                if slot.is_some() {
                    return Err(Problem::new(
                        word.offset,
                        format!("`{option}` given twice"),
                        "a rule takes one source and one destination; list several with commas",
                    ));
                }
                *slot = Some(AddressOption { negated, ranges });
            }
            "-i" | "--in-interface" | "-o" | "--out-interface" => {
                let negated = negated || reader.old_style_not();
                let value = reader.value(word)?;
                rule.conditions.push(Condition {
                    negated,
                    test: Test::Interface {
                        inbound: option.starts_with("-i") || option.starts_with("--in"),
                        name: value.text.clone(),
                    },
                });
            }
            "-f" | "--fragment" => rule.conditions.push(Condition {
                negated,
                test: Test::Fragment,
            }),
            "-4" | "--ipv4" => rule.conditions.push(Condition {
                negated: false,
                test: Test::FamilyOnly(Family::V4),
            }),
            "-6" | "--ipv6" => rule.conditions.push(Condition {
                negated: false,
                test: Test::FamilyOnly(Family::V6),
            }),
            "-c" | "--set-counters" => {
                reader.value(word)?;
                reader.value(word)?;
            }
            "-m" | "--match" => {
                let value = reader.value(word)?;
                let module = Module::from_name(&value.text);
                match module {
                    Module::Icmp => rule.icmp_family = Some(Family::V4),
                    Module::Icmp6 => rule.icmp_family = Some(Family::V6),
                    Module::AbsentHeader => rule.conditions.push(Condition {
                        negated: false,
                        test: Test::AbsentHeader,
                    }),
                    _ => {}
                }
                modules.push(module);
            }
            "-j" | "--jump" | "-g" | "--goto" => {
                let value = reader.value(word)?;
                if target_name.is_some() {
                    return Err(Problem::new(
                        word.offset,
                        "a second `-j`/`-g` in one rule".to_string(),
                        "a rule has one target",
                    ));
                }
                target_name = Some(value.text.clone());
                rule.target_offset = Some(value.offset);
                rule.target = if option.starts_with("-g") || option.starts_with("--g") {
                    Target::Goto(value.text.clone())
                } else {
                    target_from_name(&value.text)
                };
            }
            _ if is_option(option) => {
                read_module_option(
                    word,
                    negated,
                    &mut reader,
                    &mut modules,
                    target_name.as_deref(),
                    &mut rule,
                )?;
            }
            _ => {
                return Err(Problem::new(
                    word.offset,
                    format!("`{option}` is not an option"),
                    "a value belongs right after its option; quote values with spaces in double quotes",
                ));
            }
        }
    }
    if let Some(not) = negate_next {
        return Err(Problem::new(
            not.offset,
            "`!` at the end of the rule".to_string(),
            "`!` goes before the option it negates",
        ));
    }
    if let Some(target) = target_name.as_deref()
        && matches!(target, "MARK" | "CONNMARK")
    {
        rule.target = Target::Mark(mark_change(target, &rule.mark_options, words)?);
    }
    for module in modules {
        if let Module::Unmodelled {
            name,
            words,
            implicit,
        } = module
            && !(implicit && words.is_empty())
        {
            let written = std::iter::once(format!("-m {name}"))
                .chain(words)
                .collect::<Vec<_>>()
                .join(" ");
            rule.conditions.push(Condition {
                negated: false,
                test: Test::Assumed(format!(
                    "its `{written}` match holds (this reader does not model it)"
                )),
            });
        }
    }
    Ok(rule)
}

/// What MARK's or CONNMARK's options (`--set-xmark 0x1/0xffffffff`,
/// `--save-mark --nfmask .. --ctmask ..`) do, as one change.
fn mark_change(
    target: &str,
    options: &[(Word, Vec<Word>)],
    words: &[Word],
) -> Result<MarkChange, Problem> {
    let connection = target == "CONNMARK";
    let mut nfmask = u32::MAX;
    let mut ctmask = u32::MAX;
    let mut change = None;
    for (option, values) in options {
        let first = values.first().unwrap_or(option);
        let number =
            |word: &Word| values::mark_number(&word.text).map_err(|b| Problem::at(word, b));
        let masked =
            |word: &Word| values::mark_with_mask(&word.text).map_err(|b| Problem::at(word, b));
        let (and, xor) = match option.text.as_str() {
            "--nfmask" => {
                nfmask = number(first)?;
                continue;
            }
            "--ctmask" => {
                ctmask = number(first)?;
                continue;
            }
            "--mask" => {
                let mask = number(first)?;
                (nfmask, ctmask) = (mask, mask);
                continue;
            }
            "--save-mark" | "--restore-mark" => {
                change = Some(option.text.clone());
                continue;
            }
            "--set-xmark" => {
                let (value, mask) = masked(first)?;
                (!mask, value)
            }
            "--set-mark" => {
                let (value, mask) = masked(first)?;
                (!mask & !value, value)
            }
            "--and-mark" => (number(first)?, 0),
            "--or-mark" => {
                let value = number(first)?;
                (!value, value)
            }
            _ => (u32::MAX, number(first)?),
        };
        return Ok(if connection {
            MarkChange::Connection { and, xor }
        } else {
            MarkChange::Packet { and, xor }
        });
    }
    match change.as_deref() {
        Some("--save-mark") => Ok(MarkChange::Save { nfmask, ctmask }),
        Some(_) => Ok(MarkChange::Restore { nfmask, ctmask }),
        None => Err(Problem::new(
            words.first().map(|w| w.offset).unwrap_or(0),
            format!("-j {target} without a change to make"),
            "give --set-mark, --set-xmark, --and-mark, --or-mark or --xor-mark (CONNMARK also --save-mark or --restore-mark)",
        )),
    }
}

/// An option that belongs to a match module or the target.
fn read_module_option(
    word: &Word,
    negated: bool,
    reader: &mut Reader<'_>,
    modules: &mut [Module],
    target: Option<&str>,
    rule: &mut RuleOptions,
) -> Result<(), Problem> {
    let option = word.text.as_str();
    if let Some(index) = modules
        .iter()
        .rposition(|m| m.arity(option).is_some() && !matches!(m, Module::Unmodelled { .. }))
    {
        let module = modules[index].clone();
        let arity = module.arity(option).unwrap_or(0);
        let negated = negated || (arity > 0 && reader.old_style_not());
        let mut args = Vec::with_capacity(arity);
        for _ in 0..arity {
            args.push(reader.value(word)?);
        }
        return modelled_option(&module, option, negated, &args, rule);
    }
    if let Some(target) = target
        && let Some(arity) = target_arity(target, option)
    {
        let mut values = Vec::with_capacity(arity);
        for _ in 0..arity {
            values.push(reader.value(word)?.clone());
        }
        if matches!(target, "MARK" | "CONNMARK") {
            rule.mark_options.push((word.clone(), values));
        }
        return Ok(());
    }
    if modules.contains(&Module::AbsentHeader)
        && !modules
            .iter()
            .any(|m| matches!(m, Module::Unmodelled { .. }))
    {
        take_loose_values(reader);
        return Ok(());
    }
    let unmodelled = modules
        .iter_mut()
        .rev()
        .find(|m| matches!(m, Module::Unmodelled { .. }));
    if let Some(Module::Unmodelled { words, .. }) = unmodelled {
        if negated {
            words.push("!".to_string());
        }
        words.push(option.to_string());
        words.extend(take_loose_values(reader));
        return Ok(());
    }
    if let Some(target) = target
        && !target_options_are_checked(target)
    {
        if target == "CT" && option == "--notrack" {
            rule.target = Target::Untrack;
        }
        take_loose_values(reader);
        return Ok(());
    }
    Err(unknown_option(word, modules, target))
}

/// The values of an option this reader does not know: every word up to the
/// next option or `!`.
fn take_loose_values(reader: &mut Reader<'_>) -> Vec<String> {
    let mut values = Vec::new();
    while let Some(next) = reader.peek() {
        if next.text == "!" || is_option(&next.text) {
            break;
        }
        values.push(next.text.clone());
        reader.next += 1;
    }
    values
}

fn unknown_option(word: &Word, modules: &[Module], target: Option<&str>) -> Problem {
    let option = word.text.as_str();
    let hint = match option {
        "--dport" | "--sport" | "--destination-port" | "--source-port" => {
            "port options need `-p tcp` or `-p udp` before them".to_string()
        }
        "--dports" | "--sports" | "--ports" => "port lists need `-m multiport` before them".into(),
        "--ctstate" => "`--ctstate` needs `-m conntrack` before it".into(),
        "--state" => "`--state` needs `-m state` before it".into(),
        "--src-range" | "--dst-range" => "address ranges need `-m iprange` before them".into(),
        "--comment" => "`--comment` needs `-m comment` before it".into(),
        "--icmp-type" => "`--icmp-type` needs `-p icmp` before it".into(),
        "--icmpv6-type" => "`--icmpv6-type` needs `-p ipv6-icmp` before it".into(),
        "--match-set" => "`--match-set` needs `-m set` before it".into(),
        _ => {
            let mut known: Vec<&str> = modules
                .iter()
                .map(|m| match m {
                    Module::Tcp => "tcp",
                    Module::Udp => "udp",
                    Module::Icmp => "icmp",
                    Module::Icmp6 => "icmp6",
                    Module::Multiport => "multiport",
                    Module::Conntrack => "conntrack",
                    Module::State => "state",
                    Module::Iprange => "iprange",
                    Module::Set => "set",
                    Module::Comment => "comment",
                    Module::Addrtype => "addrtype",
                    Module::Pkttype => "pkttype",
                    Module::Mark => "mark",
                    Module::Connmark => "connmark",
                    Module::AbsentHeader | Module::Unmodelled { .. } => "",
                })
                .filter(|n| !n.is_empty())
                .collect();
            known.dedup();
            let mut hint = String::from("check its spelling");
            if !known.is_empty() {
                hint.push_str(&format!(
                    "; the matches loaded here ({}) do not have it",
                    known.join(", ")
                ));
            }
            if let Some(target) = target {
                hint.push_str(&format!(", nor does target {target}"));
            }
            hint
        }
    };
    Problem {
        offset: word.offset,
        message: format!("unknown option `{option}`"),
        hint: Some(hint),
    }
}

fn modelled_option(
    module: &Module,
    option: &str,
    negated: bool,
    args: &[&Word],
    rule: &mut RuleOptions,
) -> Result<(), Problem> {
    let first = args.first().copied();
    let value = |index: usize| args.get(index).map(|w| w.text.as_str()).unwrap_or("");
    let bad = |bad: Bad| match first {
        Some(word) => Problem::at(word, bad),
        None => Problem {
            offset: 0,
            message: bad.message,
            hint: bad.hint,
        },
    };
    let port_protocol = match module {
        Module::Tcp => PortProtocol::Tcp,
        Module::Udp => PortProtocol::Udp,
        _ => PortProtocol::Any,
    };
    let test = match option {
        "--sport" | "--source-port" | "--dport" | "--destination-port" => Test::Ports {
            protocol: port_protocol,
            end: Some(match option {
                "--sport" | "--source-port" => End::Source,
                _ => End::Destination,
            }),
            ranges: vec![values::port_range(value(0)).map_err(bad)?],
        },
        "--sports" | "--source-ports" | "--dports" | "--destination-ports" | "--ports" => {
            Test::Ports {
                protocol: PortProtocol::Any,
                end: match option {
                    "--sports" | "--source-ports" => Some(End::Source),
                    "--ports" => None,
                    _ => Some(End::Destination),
                },
                ranges: values::port_list(value(0)).map_err(bad)?,
            }
        }
        "--syn" => Test::TcpFlags {
            mask: values::FIN | values::SYN | values::RST | values::ACK,
            set: values::SYN,
        },
        "--tcp-flags" => {
            let mask = values::tcp_flags(value(0)).map_err(bad)?;
            let set = values::tcp_flags(value(1)).map_err(|b| match args.get(1) {
                Some(word) => Problem::at(word, b),
                None => bad(b),
            })?;
            Test::TcpFlags { mask, set }
        }
        "--tcp-option" => Test::Assumed(format!("the SYN carries TCP option {}", value(0))),
        "--icmp-type" | "--icmpv6-type" => {
            let v6 = option == "--icmpv6-type";
            Test::IcmpType {
                v6,
                echo_request: values::icmp_type_covers_echo_request(value(0), v6).map_err(bad)?,
            }
        }
        "--mark" => {
            let (value, mask) = values::mark_with_mask(value(0)).map_err(bad)?;
            Test::Mark {
                connection: *module == Module::Connmark,
                value,
                mask,
            }
        }
        "--pkt-type" => Test::Unicast {
            names_unicast: values::packet_type_is_unicast(value(0)).map_err(bad)?,
        },
        "--ctstate" | "--state" => {
            let (names_new, names_untracked) = values::state_list(value(0)).map_err(bad)?;
            Test::State {
                names_new,
                names_untracked,
            }
        }
        "--src-range" | "--dst-range" => {
            let range = values::address_span(value(0)).map_err(bad)?;
            if let Some(word) = first {
                rule.addresses.push((range.first, word.offset));
            }
            Test::Address {
                end: if option == "--src-range" {
                    End::Source
                } else {
                    End::Destination
                },
                ranges: vec![range],
            }
        }
        "--match-set" | "--set" => Test::Assumed(format!(
            "ipset `{}` holds the packet's {} (its contents are not in iptables-save's output)",
            value(0),
            value(1)
        )),
        "--comment" => {
            rule.comment = Some(value(0).to_string());
            return Ok(());
        }
        "--src-type" | "--dst-type" => {
            let end = if option == "--src-type" {
                End::Source
            } else {
                End::Destination
            };
            Test::AddressType {
                end,
                types: values::address_types(value(0)).map_err(bad)?,
            }
        }
        _ if option.starts_with("--ct") => Test::Assumed(format!(
            "the connection's `{option} {}` holds (not modelled)",
            value(0)
        )),
        // Set's counters and flags, addrtype's interface limits: they
        // refine a test already made above.
        _ => return Ok(()),
    };
    rule.conditions.push(Condition { negated, test });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lex::words;
    use super::*;

    fn read_line(line: &str) -> Result<RuleOptions, Problem> {
        read(&words(line).unwrap())
    }

    #[test]
    fn old_style_negation_after_the_option_is_the_same_as_before_it() {
        let old = read_line("-p tcp --dport ! 22 -j ACCEPT").unwrap();
        let new = read_line("-p tcp ! --dport 22 -j ACCEPT").unwrap();
        assert_eq!(old.conditions, new.conditions);
        assert!(old.conditions[1].negated);
    }

    #[test]
    fn a_port_option_without_its_protocol_is_refused_where_it_stands() {
        let problem = read_line("-s 10.0.0.1 --dport 22 -j ACCEPT").unwrap_err();
        assert_eq!(problem.offset, 12);
        assert!(problem.hint.unwrap().contains("-p tcp"));
    }

    #[test]
    fn options_of_an_unmodelled_match_are_kept_as_one_assumption() {
        let rule = read_line("-p tcp -m recent --update --seconds 60 --name SSH -j DROP").unwrap();
        let assumed: Vec<&Test> = rule
            .conditions
            .iter()
            .map(|c| &c.test)
            .filter(|t| matches!(t, Test::Assumed(_)))
            .collect();
        assert_eq!(
            assumed,
            [&Test::Assumed(
                "its `-m recent --update --seconds 60 --name SSH` match holds (this reader does not model it)"
                    .into()
            )]
        );
        assert_eq!(rule.target, Target::Drop);
    }

    #[test]
    fn a_negated_module_load_is_refused_at_the_bang() {
        let problem = read_line("-p tcp ! -m tcp --dport 22 -j ACCEPT").unwrap_err();
        assert_eq!(problem.offset, 7);
    }

    #[test]
    fn target_options_of_log_and_reject_are_checked_and_others_are_taken_unread() {
        assert!(read_line("-j LOG --log-prefix \"in: \" --log-level 4").is_ok());
        assert!(read_line("-j REJECT --reject-with tcp-reset").is_ok());
        assert!(read_line("-j REJECT --reject-whit tcp-reset").is_err());
        assert!(read_line("-j DNAT --to-destination 10.0.0.2:80").is_ok());
    }
}
