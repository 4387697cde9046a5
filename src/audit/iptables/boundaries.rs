//! Where a ruleset's matches change, so the flow layer can split a port
//! range or a peer subnet into pieces that are each decided alike.
//!
//! Only what varies between the packets the flow layer asks about counts:
//! the service port (`--dport`, multiport's `--dports` and `--ports`) and
//! the peer's address (`-s`/`--src-range` inbound, `-d`/`--dst-range`
//! outbound). Source ports and this machine's own address do not vary
//! between those packets, so they add no boundary.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::eval::path;
use super::tables::{End, Section, Table, Target, Test};
use crate::audit::model::{Boundaries, Direction};

pub fn boundaries(sections: &[Section], direction: Direction) -> Boundaries {
    let peer_end = match direction {
        Direction::Inbound => End::Source,
        Direction::Outbound => End::Destination,
    };
    let mut ports = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    for section in sections {
        for (table_name, chain) in path(direction) {
            let Some(table) = section.table(*table_name) else {
                continue;
            };
            for chain in reachable_chains(table, chain) {
                let Some(chain) = table.chain(&chain) else {
                    continue;
                };
                for test in chain
                    .rules
                    .iter()
                    .flat_map(|r| &r.conditions)
                    .map(|c| &c.test)
                {
                    match test {
                        Test::Ports { end, ranges, .. } if *end != Some(End::Source) => {
                            for &(first, last) in ranges {
                                ports.insert(first);
                                if let Some(after) = last.checked_add(1) {
                                    ports.insert(after);
                                }
                            }
                        }
                        Test::Address { end, ranges } if *end == peer_end => {
                            for range in ranges {
                                addresses.insert(range.first);
                                if let Some(after) = next_address(range.last) {
                                    addresses.insert(after);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Boundaries {
        ports: ports.into_iter().collect(),
        addresses: addresses.into_iter().collect(),
    }
}

/// `start` and every user chain it can jump or go to.
fn reachable_chains(table: &Table, start: &str) -> Vec<String> {
    let mut found = vec![start.to_string()];
    let mut next = 0;
    while let Some(name) = found.get(next).cloned() {
        next += 1;
        let Some(chain) = table.chain(&name) else {
            continue;
        };
        for rule in &chain.rules {
            if let Target::Jump(callee) | Target::Goto(callee) = &rule.target
                && !found.contains(callee)
            {
                found.push(callee.clone());
            }
        }
    }
    found
}

fn next_address(address: IpAddr) -> Option<IpAddr> {
    match address {
        IpAddr::V4(a) => u32::from(a)
            .checked_add(1)
            .map(|n| IpAddr::V4(Ipv4Addr::from(n))),
        IpAddr::V6(a) => u128::from(a)
            .checked_add(1)
            .map(|n| IpAddr::V6(Ipv6Addr::from(n))),
    }
}
