//! The query language: free words and `qualifier:value` terms, ANDed.
//!
//! ```text
//! winrm from:vmm to:hyper-v port:5985 port:49152-65535 proto:udp
//! mod:setup on:sql dir:in section:vmware -445 !proto:udp 5985
//! ```
//!
//! A bare number is a port. `not:`, `-` or `!` in front negates a term
//! (`not:section:vmware`, `not:winrm`). Values with
//! spaces can be quoted: `to:"file server"`.

use std::fmt;

use crate::catalog::{Direction, Modifiability, Section, Transport};

/// A parsed query: every term must hold for a connection to match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    /// A free word, fuzzy-matched; stored lowercase.
    Fuzzy(String),
    /// A source component: id, name or alias contains the word (lowercase).
    From(String),
    /// A destination component, likewise.
    To(String),
    /// The component that carries the rule, likewise.
    On(String),
    /// Any of the connection's ports overlaps any of these inclusive ranges.
    Port(Vec<(u16, u16)>),
    Proto(Transport),
    /// Modifiability word: one of [`Modifiability::WORDS`].
    Mod(&'static str),
    Dir(Direction),
    Section(Section),
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The port ranges of the positive `port:` terms (and bare numbers).
    pub fn port_ranges(&self) -> Vec<(u16, u16)> {
        self.terms
            .iter()
            .filter(|t| !t.negated)
            .filter_map(|t| match &t.kind {
                TermKind::Port(ranges) => Some(ranges.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The positive free words, which rank and highlight.
    pub fn fuzzy_words(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .filter_map(|t| match (&t.kind, t.negated) {
                (TermKind::Fuzzy(w), false) => Some(w.as_str()),
                _ => None,
            })
    }
}

/// A term the parser could not understand: which, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The offending term as typed.
    pub term: String,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad query term `{}`: {} ({})",
            self.term, self.message, self.hint
        )
    }
}

impl std::error::Error for QueryError {}

/// Every qualifier name, for help texts and "did you mean" suggestions.
pub const QUALIFIERS: &[&str] = &[
    "from", "src", "to", "dst", "port", "proto", "mod", "on", "dir", "section",
];

/// Parses a query. `words` are joined with spaces first, so CLI arguments
/// and a TUI filter line parse the same way.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let terms = tokens(input)
        .into_iter()
        .map(|token| parse_term(&token))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Query { terms })
}

/// Splits on whitespace, keeping double-quoted stretches together (the
/// quotes themselves are dropped: `to:"file server"` → `to:file server`).
fn tokens(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The word that negates the term after it: unlike `-` (taken for an option
/// by some programs) or `!` (history expansion in interactive bash and zsh),
/// it needs no quoting in any shell.
const NOT: &str = "not:";

/// Splits a negation (`not:`, `-` or `!`) off a term.
fn negation(token: &str) -> (bool, &str) {
    let prefix = token.get(..NOT.len());
    if prefix.is_some_and(|p| p.eq_ignore_ascii_case(NOT)) {
        return (true, &token[NOT.len()..]);
    }
    match token.strip_prefix(['-', '!']) {
        Some(rest) => (true, rest),
        None => (false, token),
    }
}

fn parse_term(token: &str) -> Result<Term, QueryError> {
    let (negated, body) = negation(token);
    let error = |message: String, hint: String| QueryError {
        term: token.to_string(),
        message,
        hint,
    };
    if body.is_empty() {
        return Err(error(
            "nothing follows the negation".into(),
            "write `not:word`, `not:port:445` or `-word`, with no space after it".into(),
        ));
    }
    if negated && negation(body).0 {
        return Err(error(
            "a term can be negated only once".into(),
            format!("write `not:{}`", negation(body).1),
        ));
    }
    let kind = match body.split_once(':') {
        None if body.chars().all(|c| c.is_ascii_digit()) => {
            TermKind::Port(vec![port_range(body).map_err(|(m, h)| error(m, h))?])
        }
        None => TermKind::Fuzzy(body.to_lowercase()),
        Some((name, value)) => {
            let name = name.to_ascii_lowercase();
            if !QUALIFIERS.contains(&name.as_str()) {
                let known: Vec<&str> = QUALIFIERS.iter().copied().chain(["not"]).collect();
                let hint = match crate::text::nearest(&name, &known) {
                    Some(best) => format!(
                        "did you mean `{best}:`? qualifiers are {}",
                        qualifier_list()
                    ),
                    None => format!("qualifiers are {}", qualifier_list()),
                };
                return Err(error(format!("unknown qualifier `{name}:`"), hint));
            }
            if value.is_empty() {
                return Err(error(
                    format!("`{name}:` needs a value"),
                    value_hint(&name).into(),
                ));
            }
            qualifier(&name, value).map_err(|(m, h)| error(m, h))?
        }
    };
    Ok(Term { negated, kind })
}

type TermError = (String, String);

fn qualifier(name: &str, value: &str) -> Result<TermKind, TermError> {
    let lower = value.to_lowercase();
    let bad = |what: &str| {
        (
            format!("`{value}` is not a {what}"),
            value_hint(name).to_string(),
        )
    };
    Ok(match name {
        "from" | "src" => TermKind::From(lower),
        "to" | "dst" => TermKind::To(lower),
        "on" => TermKind::On(lower),
        "port" => TermKind::Port(value.split(',').map(port_range).collect::<Result<_, _>>()?),
        "proto" => match lower.as_str() {
            "tcp" => TermKind::Proto(Transport::Tcp),
            "udp" => TermKind::Proto(Transport::Udp),
            "icmp" => TermKind::Proto(Transport::Icmp),
            _ => return Err(bad("transport")),
        },
        "mod" => match Modifiability::WORDS.iter().find(|w| **w == lower) {
            Some(word) => TermKind::Mod(word),
            None => return Err(bad("modifiability")),
        },
        "dir" => match lower.as_str() {
            "in" | "inbound" => TermKind::Dir(Direction::Inbound),
            "out" | "outbound" => TermKind::Dir(Direction::Outbound),
            "none" | "local" => TermKind::Dir(Direction::None),
            _ => return Err(bad("direction")),
        },
        _ => match lower.as_str() {
            "general" => TermKind::Section(Section::General),
            "vmware" => TermKind::Section(Section::Vmware),
            _ => return Err(bad("section")),
        },
    })
}

/// `N` or `A-B`, each 1–65535, with A ≤ B.
fn port_range(text: &str) -> Result<(u16, u16), TermError> {
    let hint = value_hint("port").to_string();
    let number = |part: &str| -> Result<u16, TermError> {
        match part.trim().parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
            Ok(n) => Err((format!("port {n} is out of range"), hint.clone())),
            Err(_) => Err((format!("`{part}` is not a port number"), hint.clone())),
        }
    };
    match text.split_once('-') {
        None => {
            let n = number(text)?;
            Ok((n, n))
        }
        Some((a, b)) => {
            let (first, last) = (number(a)?, number(b)?);
            if first > last {
                return Err((
                    format!("port range {first}-{last} ends before it starts"),
                    format!("write the smaller port first: `port:{last}-{first}`"),
                ));
            }
            Ok((first, last))
        }
    }
}

fn value_hint(name: &str) -> &'static str {
    match name {
        "from" | "src" | "to" | "dst" | "on" => {
            "give part of a component's id or name, e.g. `hyper-v` or `sql`"
        }
        "port" => "ports are 1-65535: `port:443`, `port:49152-65535` or `port:80,443`",
        "proto" => "use `proto:tcp`, `proto:udp` or `proto:icmp`",
        "mod" => "use `mod:setup`, `mod:fixed`, `mod:device`, `mod:host` or `mod:none`",
        "dir" => "use `dir:in`, `dir:out` or `dir:none`",
        _ => "use `section:general` or `section:vmware`",
    }
}

fn qualifier_list() -> String {
    QUALIFIERS
        .iter()
        .map(|q| format!("{q}:"))
        .collect::<Vec<_>>()
        .join(" ")
}
