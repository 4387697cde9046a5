//! Where the ruleset's matches change, for one direction: the ports and
//! addresses at which any set a reachable rule tests starts or stops.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::ast::{Atom, Chain, Element, Key, Statement, Test, Verdict};
use super::{eval, values};
use crate::audit::model::{Boundaries, Direction};

pub(crate) fn boundaries(chains: &[Chain], direction: Direction) -> Boundaries {
    let mut ports = BTreeSet::new();
    let mut addresses: BTreeSet<IpAddr> = BTreeSet::new();
    for chain in reachable(chains, direction) {
        for rule in &chains[chain].rules {
            for statement in &rule.statements {
                let mut note = |keys: &[Key], element: &Element| {
                    for (key, atom) in keys.iter().zip(element) {
                        let Atom::Range(start, end) = *atom else {
                            continue;
                        };
                        match key {
                            Key::Dport(_) | Key::Sport(_) => {
                                ports.extend(u16::try_from(start).ok());
                                ports.extend(u16::try_from(end.saturating_add(1)).ok());
                            }
                            Key::Saddr(_) | Key::Daddr(_) => {
                                addresses.extend(values::number_address(*key, start));
                                if end < values::max_of(*key) {
                                    addresses.extend(values::number_address(*key, end + 1));
                                }
                            }
                            _ => {}
                        }
                    }
                };
                match statement {
                    Statement::Match(m) => {
                        if let Test::In { elements, .. } = &m.test {
                            elements.iter().for_each(|e| note(&m.keys, e));
                        }
                    }
                    Statement::Vmap { keys, entries } => {
                        entries.iter().for_each(|(e, _)| note(keys, e));
                    }
                    _ => {}
                }
            }
        }
    }
    Boundaries {
        ports: ports.into_iter().collect(),
        addresses: addresses.into_iter().collect(),
    }
}

/// The base chains on `direction`'s hooks and every chain they jump or go
/// to, however deep.
fn reachable(chains: &[Chain], direction: Direction) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut todo = eval::base_chains(chains, direction, None);
    while let Some(chain) = todo.pop() {
        if !seen.insert(chain) {
            continue;
        }
        for rule in &chains[chain].rules {
            for statement in &rule.statements {
                let verdicts: Vec<&Verdict> = match statement {
                    Statement::Verdict(v) => vec![v],
                    Statement::Vmap { entries, .. } => entries.iter().map(|(_, v)| v).collect(),
                    _ => Vec::new(),
                };
                for verdict in verdicts {
                    if let Verdict::Jump(target) | Verdict::Goto(target) = verdict {
                        todo.push(*target);
                    }
                }
            }
        }
    }
    seen
}
