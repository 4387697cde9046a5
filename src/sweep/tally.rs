//! What a sweep has found so far, as its events come in: each machine's
//! address and each of its ports' results. The CLI prints it when the sweep
//! ends; the explorer draws it while it runs.

use std::net::IpAddr;

use super::plan::Plan;
use super::result::{PortResult, State};
use super::run::Event;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// One per machine of the plan: the address probed, or why there is
    /// none; `None` until its lookup ended.
    pub addresses: Vec<Option<Result<IpAddr, String>>>,
    /// One per machine, one per line of its role: `None` until known.
    pub results: Vec<Vec<Option<PortResult>>>,
    /// Port results known.
    pub known: usize,
}

impl Tally {
    /// Nothing known yet about `plan`'s machines.
    pub fn new(plan: &Plan) -> Tally {
        Tally {
            addresses: vec![None; plan.hosts.len()],
            results: plan
                .hosts
                .iter()
                .map(|h| vec![None; plan.role_of(h).lines.len()])
                .collect(),
            known: 0,
        }
    }

    /// Takes in one event of the sweep.
    pub fn record(&mut self, event: Event) {
        match event {
            Event::Resolved { host, address } => {
                if let Some(slot) = self.addresses.get_mut(host) {
                    *slot = Some(address);
                }
            }
            Event::Port { host, line, result } => {
                if let Some(slot) = self.results.get_mut(host).and_then(|r| r.get_mut(line)) {
                    if slot.is_none() {
                        self.known += 1;
                    }
                    *slot = Some(*result);
                }
            }
        }
    }

    /// The address shown for machine `h`: the one probed, else as given.
    pub fn address(&self, plan: &Plan, h: usize) -> Option<IpAddr> {
        match self.addresses.get(h) {
            Some(Some(Ok(address))) => Some(*address),
            _ => plan.hosts.get(h).and_then(|host| host.address),
        }
    }

    /// Machines with a port not answered as expected, or not known yet.
    pub fn failing_hosts(&self) -> usize {
        (0..self.results.len())
            .filter(|&h| self.host_failing(h))
            .count()
    }

    /// Whether machine `h` has a port not answered as expected (or not
    /// known yet).
    pub fn host_failing(&self, h: usize) -> bool {
        self.results.get(h).is_some_and(|ports| {
            ports
                .iter()
                .any(|r| r.as_ref().is_none_or(PortResult::failing))
        })
    }

    /// Ports counted by state, in [`State::ALL`]'s order; `not finished`
    /// last. States with no port are left out.
    pub fn state_counts(&self) -> Vec<(&'static str, usize)> {
        let all: Vec<Option<State>> = self
            .results
            .iter()
            .flatten()
            .map(|r| r.as_ref().map(|r| r.state))
            .collect();
        let mut counts: Vec<(&'static str, usize)> = State::ALL
            .iter()
            .map(|s| (s.word(), all.iter().filter(|r| **r == Some(*s)).count()))
            .collect();
        counts.push(("not finished", all.iter().filter(|r| r.is_none()).count()));
        counts.retain(|c| c.1 > 0);
        counts
    }

    /// Every port known, and answered as expected (or not testable).
    pub fn all_ok(&self) -> bool {
        self.results
            .iter()
            .flatten()
            .all(|r| r.as_ref().is_some_and(|r| !r.failing()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::plan::{Host, RolePorts};

    fn plan(lines: usize, hosts: usize) -> Plan {
        let catalog = crate::catalog::embedded().unwrap();
        let winrm: Vec<&crate::catalog::Connection> = catalog
            .connections
            .iter()
            .filter(|c| c.id == "vmm-to-host-agent")
            .collect();
        let targets = crate::check::targets(&winrm);
        let mut port_lines = crate::check::port_lines(&targets);
        port_lines.truncate(lines);
        Plan {
            roles: vec![RolePorts {
                role: "hyperv-host".into(),
                targets,
                lines: port_lines,
            }],
            hosts: (0..hosts)
                .map(|i| Host {
                    ports: 0,
                    name: Some(format!("hv{i}")),
                    address: None,
                })
                .collect(),
            not_swept: Vec::new(),
        }
    }

    #[test]
    fn a_port_counts_once_and_a_machine_fails_until_every_port_answered() {
        let plan = plan(2, 2);
        let mut tally = Tally::new(&plan);
        assert_eq!(
            tally.failing_hosts(),
            2,
            "nothing known yet counts against both"
        );
        let refused = PortResult::unreached(State::Refused, None);
        for _ in 0..2 {
            tally.record(Event::Port {
                host: 0,
                line: 0,
                result: Box::new(refused.clone()),
            });
        }
        assert_eq!(tally.known, 1, "the same port reported twice is one port");
        tally.record(Event::Resolved {
            host: 1,
            address: Ok("10.0.0.2".parse().unwrap()),
        });
        assert_eq!(tally.address(&plan, 1), Some("10.0.0.2".parse().unwrap()));
        assert_eq!(tally.address(&plan, 0), None);
        assert_eq!(
            tally.state_counts(),
            vec![("refused", 1), ("not finished", 3)]
        );
        assert!(!tally.all_ok());
        // Out-of-range events (a plan changed under a late event) are dropped.
        tally.record(Event::Port {
            host: 9,
            line: 0,
            result: Box::new(refused),
        });
        assert_eq!(tally.known, 1);
    }
}
