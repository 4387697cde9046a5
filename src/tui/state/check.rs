//! A port check as its popup shows it: the host, the targets, the lines
//! (one per port, naming its connections) and the findings filling in as
//! the event loop passes on the answers. The check
//! itself runs in the loop (it needs the network); this is what it found.

use crate::catalog::{Catalog, Connection};
use crate::check::{Event, Finding, PortLine, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub host: String,
    /// The address the host resolved to, or why it did not.
    pub address: Option<Result<String, String>>,
    pub targets: Vec<Target>,
    /// What the popup shows: one line per port and transport, sorted by
    /// port, over the targets that share it.
    pub lines: Vec<PortLine>,
    /// One per target, filled in as answers arrive.
    pub findings: Vec<Option<Finding>>,
    /// The ports SQL Server is set to use, for the SQL Browser's answer.
    pub sql_ports: Vec<u16>,
}

impl CheckRun {
    /// A check of `connections`' ports on `host`, nothing answered yet.
    pub fn new(host: String, connections: &[&Connection], catalog: &Catalog) -> Self {
        let targets = crate::check::targets(connections);
        CheckRun {
            host,
            address: None,
            findings: vec![None; targets.len()],
            lines: crate::check::port_lines(&targets),
            targets,
            sql_ports: crate::check::sql_ports(catalog),
        }
    }

    /// One piece of the check's progress.
    pub fn record(&mut self, event: Event) {
        match event {
            Event::Resolved(result) => self.address = Some(result.map(|ip| ip.to_string())),
            Event::Answer(i, finding) => {
                if let Some(slot) = self.findings.get_mut(i) {
                    *slot = Some(*finding);
                }
            }
        }
    }
}
