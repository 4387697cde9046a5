//! `nft -j list ruleset` (libnftables-json(5)) into [`Chain`]s. Tolerant:
//! objects and statements it does not know are kept as "unknown" rather
//! than refused, since every nft release adds some. Strict where a mistake
//! would change the answer: a rule for a chain that is not there, a jump
//! to nowhere, a set nobody defined.

use std::collections::HashMap;

use serde_json::Value;

use super::ast::{
    Atom, BaseChain, Chain, Element, Family, FibQuery, Hook, IpVersion, Key, MaskedKey, Match,
    Rule, Statement, Test, Transport, Verdict,
};
use super::located::{Node, Object};
use super::{render, values};
use crate::audit::model::{Input, InputError};
use crate::file_text::position_of;

/// How to fix any input this reader refuses.
const HINT: &str = "give the unchanged output of `nft -j list ruleset`";

/// What one input held, for `describe`.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub name: String,
    pub tables: usize,
    pub chains: usize,
    pub rules: usize,
}

/// Everything read so far, from every input.
#[derive(Default)]
pub(crate) struct Builder {
    pub chains: Vec<Chain>,
    chain_index: HashMap<(String, String, String), usize>,
    /// A set's or map's elements, as nft printed them, by family, table and
    /// name: converted per rule, since the key says how to read them.
    sets: HashMap<(String, String, String), Vec<Value>>,
}

/// Where the input is, for errors.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> InputError {
        let (line, column) = position_of(self.text, offset);
        InputError {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
            hint: Some(HINT.into()),
        }
    }

    /// `node` as an object, or an error at it.
    fn object<'a>(&self, node: &Node<'a>, what: &str) -> Result<Object<'a>, InputError> {
        node.object()
            .ok_or_else(|| self.error(node.offset(), format!("{what} is not a JSON object")))
    }

    /// Member `key` of `node` as a string, or an error at `node`.
    fn string(&self, node: &Object, key: &str, what: &str) -> Result<String, InputError> {
        node.get(key)
            .and_then(|n| n.as_str())
            .ok_or_else(|| self.error(node.offset(), format!("{what} has no \"{key}\" string")))
    }
}

impl Builder {
    /// Reads one input into the ruleset.
    pub(crate) fn read(&mut self, input: &Input) -> Result<Summary, InputError> {
        let text = input.text(HINT)?;
        let text = text.as_str();
        let source = Source {
            name: &input.name,
            text,
        };
        let root = Node::root(text).map_err(|e| InputError {
            file: input.name.clone(),
            line: e.line().max(1),
            column: e.column().max(1),
            message: format!("not valid JSON: {}", crate::text::json_message(&e)),
            hint: Some(HINT.into()),
        })?;
        let items = root
            .get("nftables")
            .and_then(|n| n.items())
            .ok_or_else(|| {
                source.error(
                    root.offset(),
                    "not nft's JSON: the top level has no \"nftables\" array",
                )
            })?;
        let mut summary = Summary {
            name: input.name.clone(),
            tables: 0,
            chains: 0,
            rules: 0,
        };
        let mut rules = Vec::new();
        for item in items {
            let (kind, body) = item.single_member().ok_or_else(|| {
                source.error(
                    item.offset(),
                    "each item of \"nftables\" is an object with one member, like {\"table\": {...}}",
                )
            })?;
            match kind.as_str() {
                "table" => summary.tables += 1,
                "chain" => {
                    self.chain(&source, &body)?;
                    summary.chains += 1;
                }
                "set" | "map" => self.set(&source, &body)?,
                "rule" => rules.push(body),
                // metainfo, flowtable, counter, quota, ct helper...: no say
                // over a packet's verdict.
                _ => {}
            }
        }
        // Rules last: a jump may name a chain listed after the rule.
        for body in rules {
            self.rule(&source, &body)?;
            summary.rules += 1;
        }
        Ok(summary)
    }

    fn chain(&mut self, source: &Source, body: &Node) -> Result<(), InputError> {
        let body = &source.object(body, "a chain")?;
        let family_word = source.string(body, "family", "a chain")?;
        let table = source.string(body, "table", "a chain")?;
        let name = source.string(body, "name", "a chain")?;
        let base = match body.get("hook") {
            None => None,
            Some(hook) => {
                let hook_word = hook.as_str().ok_or_else(|| {
                    source.error(hook.offset(), "a chain's \"hook\" is not a string")
                })?;
                let priority = match body.get("prio") {
                    None => 0,
                    Some(prio) => values::priority(&prio.value()).ok_or_else(|| {
                        source.error(
                            prio.offset(),
                            "a chain's \"prio\" is neither a number nor a priority name",
                        )
                    })?,
                };
                let policy_accepts = match body.get("policy") {
                    None => true,
                    Some(policy) => match policy.as_str().as_deref() {
                        Some("accept") => true,
                        Some("drop") => false,
                        _ => {
                            return Err(source.error(
                                policy.offset(),
                                "a chain's \"policy\" is neither \"accept\" nor \"drop\"",
                            ));
                        }
                    },
                };
                let devices = match body.get("dev").map(|d| d.value()) {
                    Some(Value::String(dev)) => vec![dev],
                    Some(Value::Array(devs)) => devs
                        .iter()
                        .filter_map(|d| d.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                Some(BaseChain {
                    hook: Hook::from_word(&hook_word),
                    priority,
                    policy_accepts,
                    devices,
                })
            }
        };
        let family = match family_word.as_str() {
            "ip" => Family::Ip,
            "ip6" => Family::Ip6,
            "inet" => Family::Inet,
            "netdev" => Family::Netdev,
            _ => Family::Other,
        };
        let key = (family_word.clone(), table.clone(), name.clone());
        if self.chain_index.contains_key(&key) {
            return Err(source.error(
                body.offset(),
                format!("chain {family_word} {table} {name} is listed twice"),
            ));
        }
        self.chain_index.insert(key, self.chains.len());
        self.chains.push(Chain {
            family,
            family_word,
            table,
            name,
            base,
            rules: Vec::new(),
        });
        Ok(())
    }

    fn set(&mut self, source: &Source, body: &Node) -> Result<(), InputError> {
        let body = &source.object(body, "a set")?;
        let family = source.string(body, "family", "a set")?;
        let table = source.string(body, "table", "a set")?;
        let name = source.string(body, "name", "a set")?;
        let elements = match body.get("elem").map(|e| e.value()) {
            None => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(single) => vec![single],
        };
        self.sets
            .entry((family, table, name))
            .or_default()
            .extend(elements);
        Ok(())
    }

    fn rule(&mut self, source: &Source, body: &Node) -> Result<(), InputError> {
        let body = &source.object(body, "a rule")?;
        let family = source.string(body, "family", "a rule")?;
        let table = source.string(body, "table", "a rule")?;
        let chain = source.string(body, "chain", "a rule")?;
        let Some(&index) = self
            .chain_index
            .get(&(family.clone(), table.clone(), chain.clone()))
        else {
            return Err(source.error(
                body.offset(),
                format!(
                    "a rule for chain {family} {table} {chain}, which no \"chain\" object lists"
                ),
            ));
        };
        let handle = body.get("handle").and_then(|h| h.value().as_u64());
        let expr = body
            .get("expr")
            .ok_or_else(|| source.error(body.offset(), "a rule has no \"expr\" array"))?;
        let nodes = expr
            .items()
            .ok_or_else(|| source.error(expr.offset(), "a rule's \"expr\" is not an array"))?;
        let scope = Scope {
            builder: self,
            source,
            family: &family,
            table: &table,
        };
        let statements = nodes
            .iter()
            .map(|n| scope.statement(n))
            .collect::<Result<Vec<_>, _>>()?;
        let text = render::rule(&nodes.iter().map(Node::value).collect::<Vec<_>>());
        let position = self.chains[index].rules.len();
        self.chains[index].rules.push(Rule {
            handle,
            position,
            statements,
            text,
        });
        Ok(())
    }
}

/// The table a rule is in: where its jumps and `@set`s are looked up.
struct Scope<'b> {
    builder: &'b Builder,
    source: &'b Source<'b>,
    family: &'b str,
    table: &'b str,
}

impl Scope<'_> {
    fn statement(&self, node: &Node) -> Result<Statement, InputError> {
        let (kind, body) = node.single_member().ok_or_else(|| {
            self.source.error(
                node.offset(),
                "a statement is an object with one member, like {\"accept\": null}",
            )
        })?;
        let verdict = |v| Ok(Statement::Verdict(v));
        match kind.as_str() {
            "match" => self.matching(&body),
            "vmap" => self.vmap(&body),
            "accept" => verdict(Verdict::Accept),
            "drop" => verdict(Verdict::Drop),
            "reject" => verdict(Verdict::Reject),
            "queue" => verdict(Verdict::Queue),
            "continue" => verdict(Verdict::Continue),
            "return" => verdict(Verdict::Return),
            "jump" | "goto" => {
                let target = self.target(&body)?;
                verdict(if kind == "jump" {
                    Verdict::Jump(target)
                } else {
                    Verdict::Goto(target)
                })
            }
            "snat" | "dnat" | "masquerade" | "redirect" => verdict(Verdict::Nat(kind)),
            "counter" | "log" | "limit" | "notrack" | "quota" | "mangle" | "set" | "map"
            | "ct helper" | "ct timeout" | "ct expectation" | "secmark" | "flow" | "last"
            | "meter" | "dup" => Ok(Statement::Ignored),
            other => Ok(Statement::Unknown {
                what: other.to_string(),
            }),
        }
    }

    /// The chain a jump or goto names, in the rule's own table.
    fn target(&self, body: &Node) -> Result<usize, InputError> {
        let name = body.get("target").and_then(|t| t.as_str()).ok_or_else(|| {
            self.source
                .error(body.offset(), "a jump or goto has no \"target\" string")
        })?;
        self.builder
            .chain_index
            .get(&(
                self.family.to_string(),
                self.table.to_string(),
                name.clone(),
            ))
            .copied()
            .ok_or_else(|| {
                self.source.error(
                    body.offset(),
                    format!(
                        "a jump to chain {name}, which table {} {} does not have",
                        self.family, self.table
                    ),
                )
            })
    }

    fn verdict_of(&self, node: &Node) -> Result<Option<Verdict>, InputError> {
        Ok(match self.statement(node)? {
            Statement::Verdict(v) => Some(v),
            _ => None,
        })
    }

    fn matching(&self, body: &Node) -> Result<Statement, InputError> {
        let body = &self.source.object(body, "a match")?;
        let left = body
            .get("left")
            .ok_or_else(|| self.source.error(body.offset(), "a match has no \"left\""))?;
        let right = body
            .get("right")
            .ok_or_else(|| self.source.error(body.offset(), "a match has no \"right\""))?;
        let op = body
            .get("op")
            .and_then(|o| o.as_str())
            .unwrap_or_else(|| "==".into());
        let left_value = left.value();
        let unreadable = || {
            Ok(Statement::Unreadable {
                what: render::statement_of_match(&left_value, &op, &right.value()),
            })
        };
        let Some(keys) = keys_of(&left_value) else {
            return unreadable();
        };
        let right_value = right.value();
        let is_set = right_value.get("set").is_some()
            || right_value.as_str().is_some_and(|s| s.starts_with('@'));
        let test = match (keys.as_slice(), op.as_str()) {
            ([key], "==" | "in" | "!=") if values::is_flags(*key) && !is_set => {
                let Some(mask) = values::flag_mask(*key, &right_value) else {
                    return unreadable();
                };
                // `ct state new` and `tcp flags syn` test for any of the
                // bits; `tcp flags == syn` for exactly them.
                let negated = op == "!=";
                let exact = op == "==" || (negated && *key == Key::TcpFlags);
                Test::Flags {
                    mask,
                    exact,
                    negated,
                }
            }
            ([key], "<" | ">" | "<=" | ">=") => {
                let Atom::Range(n, _) = values::atom(*key, &right_value) else {
                    return unreadable();
                };
                let max = values::max_of(*key);
                let range = match op.as_str() {
                    "<" if n == 0 => None,
                    "<" => Some((0, n - 1)),
                    "<=" => Some((0, n)),
                    ">" if n >= max => None,
                    ">" => Some((n + 1, max)),
                    _ => Some((n, max)),
                };
                Test::In {
                    elements: range
                        .map(|(a, b)| vec![vec![Atom::Range(a, b)]])
                        .unwrap_or_default(),
                    negated: false,
                }
            }
            (_, "==" | "in" | "!=") => Test::In {
                elements: self.elements(&keys, &right)?,
                negated: op == "!=",
            },
            _ => return unreadable(),
        };
        Ok(Statement::Match(Match { keys, test }))
    }

    fn vmap(&self, body: &Node) -> Result<Statement, InputError> {
        let body = &self.source.object(body, "a vmap")?;
        let key = body
            .get("key")
            .ok_or_else(|| self.source.error(body.offset(), "a vmap has no \"key\""))?;
        let data = body
            .get("data")
            .ok_or_else(|| self.source.error(body.offset(), "a vmap has no \"data\""))?;
        let Some(keys) = keys_of(&key.value()) else {
            return Ok(Statement::Unknown {
                what: format!("vmap on {}", render::expression(&key.value())),
            });
        };
        let pairs = match data.as_str() {
            Some(name) if name.starts_with('@') => {
                let values = self.named_set(&name, &data)?;
                values
                    .iter()
                    .map(|v| self.map_pair(&keys, v, &data))
                    .collect::<Result<Vec<_>, _>>()?
            }
            _ => {
                let list = data.get("set").and_then(|s| s.items()).ok_or_else(|| {
                    self.source.error(
                        data.offset(),
                        "a vmap's \"data\" is neither {\"set\": [...]} nor \"@map\"",
                    )
                })?;
                list.iter()
                    .map(|pair| {
                        let parts = pair.items().filter(|p| p.len() == 2).ok_or_else(|| {
                            self.source
                                .error(pair.offset(), "a vmap element is not a [key, verdict] pair")
                        })?;
                        let verdict = self.verdict_of(&parts[1])?.ok_or_else(|| {
                            self.source
                                .error(parts[1].offset(), "a vmap element's value is not a verdict")
                        })?;
                        Ok((element(&keys, &parts[0].value()), verdict))
                    })
                    .collect::<Result<Vec<_>, InputError>>()?
            }
        };
        Ok(Statement::Vmap {
            keys,
            entries: pairs,
        })
    }

    /// One `[key, verdict]` element of a named verdict map.
    fn map_pair(
        &self,
        keys: &[Key],
        value: &Value,
        at: &Node,
    ) -> Result<(Element, Verdict), InputError> {
        let bad = || {
            self.source.error(
                at.offset(),
                "the map's elements are not [key, verdict] pairs",
            )
        };
        let pair = value.as_array().filter(|p| p.len() == 2).ok_or_else(bad)?;
        let verdict = match pair[1].as_object().and_then(|o| o.iter().next()) {
            Some((kind, body)) => match kind.as_str() {
                "accept" => Verdict::Accept,
                "drop" => Verdict::Drop,
                "reject" => Verdict::Reject,
                "queue" => Verdict::Queue,
                "continue" => Verdict::Continue,
                "return" => Verdict::Return,
                "jump" | "goto" => {
                    let name = body.get("target").and_then(Value::as_str).ok_or_else(bad)?;
                    let index = self
                        .builder
                        .chain_index
                        .get(&(
                            self.family.to_string(),
                            self.table.to_string(),
                            name.to_string(),
                        ))
                        .copied()
                        .ok_or_else(|| {
                            self.source.error(
                                at.offset(),
                                format!("the map jumps to chain {name}, which is not there"),
                            )
                        })?;
                    if kind == "jump" {
                        Verdict::Jump(index)
                    } else {
                        Verdict::Goto(index)
                    }
                }
                _ => return Err(bad()),
            },
            None => return Err(bad()),
        };
        Ok((element(keys, &pair[0]), verdict))
    }

    fn named_set(&self, reference: &str, at: &Node) -> Result<&Vec<Value>, InputError> {
        let name = reference.trim_start_matches('@');
        self.builder
            .sets
            .get(&(
                self.family.to_string(),
                self.table.to_string(),
                name.to_string(),
            ))
            .ok_or_else(|| {
                self.source.error(
                    at.offset(),
                    format!(
                        "set @{name} is used, but table {} {} does not define it",
                        self.family, self.table
                    ),
                )
            })
    }

    /// The elements a match's right-hand side stands for.
    fn elements(&self, keys: &[Key], right: &Node) -> Result<Vec<Element>, InputError> {
        let value = right.value();
        if let Some(name) = value.as_str().filter(|s| s.starts_with('@')) {
            let set = self.named_set(name, right)?;
            return Ok(set.iter().map(|v| element(keys, v)).collect());
        }
        Ok(match value.get("set") {
            Some(Value::Array(items)) => items.iter().map(|v| element(keys, v)).collect(),
            Some(single) => vec![element(keys, single)],
            None => vec![element(keys, &value)],
        })
    }
}

/// One element for `keys`: a value, or a concatenation of one per key.
fn element(keys: &[Key], value: &Value) -> Element {
    // Elements with a timeout or counter are wrapped: {"elem": {"val": ...}}.
    let value = value
        .get("elem")
        .and_then(|e| e.get("val"))
        .unwrap_or(value);
    match (keys, value.get("concat").and_then(Value::as_array)) {
        ([key], _) => vec![scalar_atom(*key, value)],
        (keys, Some(parts)) if parts.len() == keys.len() => keys
            .iter()
            .zip(parts)
            .map(|(key, part)| scalar_atom(*key, part))
            .collect(),
        _ => vec![Atom::Opaque(render::value(value)); keys.len()],
    }
}

fn scalar_atom(key: Key, value: &Value) -> Atom {
    if values::is_flags(key) && value.is_array() {
        return match values::flag_mask(key, value) {
            Some(mask) => Atom::Range(mask, mask),
            None => Atom::Opaque(render::value(value)),
        };
    }
    values::atom(key, value)
}

/// The key(s) a left-hand side reads, or `None` when this reader cannot
/// evaluate it.
fn keys_of(left: &Value) -> Option<Vec<Key>> {
    if let Some(parts) = left.get("concat").and_then(Value::as_array) {
        return parts.iter().map(key_of).collect();
    }
    Some(vec![key_of(left)?])
}

fn key_of(left: &Value) -> Option<Key> {
    if let Some([inner, mask]) = left.get("&").and_then(Value::as_array).map(Vec::as_slice) {
        let key = match key_of(inner)? {
            Key::TcpFlags => MaskedKey::TcpFlags,
            Key::CtState => MaskedKey::CtState,
            _ => return None,
        };
        let plain = match key {
            MaskedKey::TcpFlags => Key::TcpFlags,
            MaskedKey::CtState => Key::CtState,
        };
        return Some(Key::Masked(key, values::flag_mask(plain, mask)?));
    }
    if let Some(payload) = left.get("payload") {
        let protocol = payload.get("protocol")?.as_str()?;
        let field = payload.get("field")?.as_str()?;
        let transport = match protocol {
            "tcp" => Some(Transport::Tcp),
            "udp" => Some(Transport::Udp),
            "th" => Some(Transport::Any),
            "sctp" | "dccp" | "udplite" => Some(Transport::Other),
            _ => None,
        };
        return match (protocol, field, transport) {
            (_, "dport", Some(t)) => Some(Key::Dport(t)),
            (_, "sport", Some(t)) => Some(Key::Sport(t)),
            ("tcp", "flags", _) => Some(Key::TcpFlags),
            ("ip", "saddr", _) => Some(Key::Saddr(IpVersion::V4)),
            ("ip", "daddr", _) => Some(Key::Daddr(IpVersion::V4)),
            ("ip6", "saddr", _) => Some(Key::Saddr(IpVersion::V6)),
            ("ip6", "daddr", _) => Some(Key::Daddr(IpVersion::V6)),
            ("ip", "protocol", _) => Some(Key::IpProtocol),
            ("ip6", "nexthdr", _) => Some(Key::Ip6Nexthdr),
            ("icmp", "type", _) => Some(Key::IcmpType(IpVersion::V4)),
            ("icmp", "code", _) => Some(Key::IcmpCode(IpVersion::V4)),
            ("icmpv6", "type", _) => Some(Key::IcmpType(IpVersion::V6)),
            ("icmpv6", "code", _) => Some(Key::IcmpCode(IpVersion::V6)),
            _ => None,
        };
    }
    if let Some(meta) = left.get("meta") {
        return match meta.get("key")?.as_str()? {
            "l4proto" => Some(Key::L4proto),
            "nfproto" => Some(Key::Nfproto),
            "protocol" => Some(Key::EtherProtocol),
            "iifname" => Some(Key::Iifname),
            "oifname" => Some(Key::Oifname),
            "iif" => Some(Key::Iif),
            "oif" => Some(Key::Oif),
            "pkttype" => Some(Key::PktType),
            _ => None,
        };
    }
    if let Some(ct) = left.get("ct") {
        // `ct original saddr` and friends carry a "dir": not these keys.
        if ct.get("dir").is_some() {
            return None;
        }
        return match ct.get("key")?.as_str()? {
            "state" => Some(Key::CtState),
            "status" => Some(Key::CtStatus),
            _ => None,
        };
    }
    if let Some(fib) = left.get("fib") {
        let flags: Vec<&str> = match fib.get("flags") {
            Some(Value::Array(flags)) => flags.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(flag)) => vec![flag.as_str()],
            _ => Vec::new(),
        };
        return match fib.get("result")?.as_str()? {
            "type" if flags.contains(&"daddr") => Some(Key::Fib(FibQuery::DaddrType)),
            "type" if flags.contains(&"saddr") => Some(Key::Fib(FibQuery::SaddrType)),
            "oif" | "oifname" => Some(Key::Fib(FibQuery::Oif)),
            _ => None,
        };
    }
    None
}
