//! The ruleset narrowed to one flow's packets: each chain keeps only the
//! rules some packet of the flow (its direction, protocol and port range)
//! can match (the direction needs no narrowing: base chains of the other
//! way never run). A rule left out would have failed a port or protocol test
//! for every such packet, so it neither decides nor assumes anything (a
//! failing test drops what the rule assumed before it): every decision is
//! the same as on the whole ruleset. Chains stay where they are, so jumps
//! still land; rules keep their position, so they are named as before.
//!
//! Why: a big ruleset is mostly rules for other services. Their address
//! tests would otherwise cut the flow into thousands of pieces, and each
//! piece's packet would walk all of them.

use super::ast::{Atom, Chain, Element, Key, Rule, Statement, Test, Transport};
use crate::audit::model::Protocol;

pub(crate) fn for_flow(chains: &[Chain], protocol: Protocol, ports: (u16, u16)) -> Vec<Chain> {
    chains
        .iter()
        .map(|chain| Chain {
            family: chain.family.clone(),
            family_word: chain.family_word.clone(),
            table: chain.table.clone(),
            name: chain.name.clone(),
            base: chain.base.clone(),
            rules: chain
                .rules
                .iter()
                .filter(|rule| may_match(rule, protocol, ports))
                .cloned()
                .collect(),
        })
        .collect()
}

/// Whether some packet of the flow may get past the rule's tests to its
/// verdict (or to its end).
fn may_match(rule: &Rule, protocol: Protocol, ports: (u16, u16)) -> bool {
    for statement in &rule.statements {
        match statement {
            Statement::Match(m) => {
                if m.keys.iter().any(|k| surely_absent(*k, protocol)) {
                    return false;
                }
                if let Test::In {
                    elements,
                    negated: false,
                } = &m.test
                    && !elements
                        .iter()
                        .any(|e| element_may_hold(&m.keys, e, protocol, ports))
                {
                    return false;
                }
            }
            Statement::Vmap { keys, .. } => {
                return !keys.iter().any(|k| surely_absent(*k, protocol));
            }
            // A verdict ends the rule: tests after it do not count.
            Statement::Verdict(_) => return true,
            Statement::Unreadable { .. } | Statement::Ignored | Statement::Unknown { .. } => {}
        }
    }
    true
}

/// A field no packet of the flow has (`tcp dport` of UDP, an ICMP type of
/// TCP): a test on it fails, negated or not, as the evaluator has it.
fn surely_absent(key: Key, protocol: Protocol) -> bool {
    match key {
        Key::Dport(t) | Key::Sport(t) => !carries(t, protocol),
        Key::IcmpType(_) | Key::IcmpCode(_) => protocol != Protocol::Icmp,
        Key::TcpFlags => protocol != Protocol::Tcp,
        _ => false,
    }
}

fn carries(transport: Transport, protocol: Protocol) -> bool {
    matches!(
        (transport, protocol),
        (Transport::Tcp, Protocol::Tcp)
            | (Transport::Udp, Protocol::Udp)
            | (Transport::Any, Protocol::Tcp | Protocol::Udp)
    )
}

/// Whether `element` may hold for some packet of the flow: false only
/// when its destination port part misses the flow's ports.
fn element_may_hold(
    keys: &[Key],
    element: &Element,
    protocol: Protocol,
    ports: (u16, u16),
) -> bool {
    keys.iter()
        .zip(element)
        .all(|(key, atom)| match (key, atom) {
            (Key::Dport(t), Atom::Range(a, b)) if carries(*t, protocol) => {
                *a <= u128::from(ports.1) && u128::from(ports.0) <= *b
            }
            (Key::Dport(_), Atom::Name(_)) => false,
            _ => true,
        })
}
