//! Who a sweep probes, and on which ports: every machine of the deployment,
//! on the ports its role must answer from the role this machine plays.

use std::net::IpAddr;

use crate::catalog::{Catalog, Connection};
use crate::check::{self, PortLine, Target};
use crate::deployment::Deployment;

/// The ports one role must answer from the sweeping role, shared by every
/// machine of that role.
#[derive(Debug, Clone)]
pub struct RolePorts {
    pub role: String,
    /// One per port of each connection (what `check::run` probes).
    pub targets: Vec<Target>,
    /// One per port and transport, naming its connections (what is shown).
    pub lines: Vec<PortLine>,
}

/// One machine to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Index into [`Plan::roles`].
    pub ports: usize,
    pub name: Option<String>,
    /// The address as given in the deployment, when it gives one.
    pub address: Option<IpAddr>,
}

/// A machine (or a role) the deployment names but the sweep leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSwept {
    pub role: String,
    /// The machine as written (`hv01`, `10.0.1.0/24`), or none when the
    /// whole role is left out.
    pub machine: Option<String>,
    pub why: String,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub roles: Vec<RolePorts>,
    pub hosts: Vec<Host>,
    pub not_swept: Vec<NotSwept>,
}

impl Plan {
    pub fn role_of(&self, host: &Host) -> &RolePorts {
        &self.roles[host.ports]
    }

    /// Port results a complete sweep gives: one per machine and line.
    pub fn total_ports(&self) -> usize {
        self.hosts.iter().map(|h| self.role_of(h).lines.len()).sum()
    }
}

/// The plan for sweeping `deployment` from a machine acting as `from`:
/// of `selected` (the query's connections, or all), those a machine of
/// `from` opens ([`Catalog::ends`] of their sources) and that are placed
/// inbound on each deployment role ([`check::inbound_on`]).
pub fn plan(
    catalog: &Catalog,
    deployment: &Deployment,
    from: &str,
    selected: &[&Connection],
) -> Plan {
    let opened: Vec<&Connection> = selected
        .iter()
        .copied()
        .filter(|c| catalog.ends(&c.from).iter().any(|e| e.machine.id == from))
        .collect();
    let mut plan = Plan::default();
    for (role, machines) in &deployment.machines {
        let connections = check::inbound_on(catalog, opened.iter().copied(), role);
        let targets = check::targets(&connections);
        if targets.is_empty() {
            if !machines.is_empty() {
                plan.not_swept.push(NotSwept {
                    role: role.clone(),
                    machine: None,
                    why: format!("nothing it must answer from {from} matches"),
                });
            }
            continue;
        }
        let ports = plan.roles.len();
        plan.roles.push(RolePorts {
            role: role.clone(),
            lines: check::port_lines(&targets),
            targets,
        });
        for machine in machines {
            let name = machine.name.clone();
            match machine.address.as_deref().map(single_address) {
                Some(Err(why)) => plan.not_swept.push(NotSwept {
                    role: role.clone(),
                    machine: machine.address.clone(),
                    why,
                }),
                Some(Ok(address)) => plan.hosts.push(Host {
                    ports,
                    name,
                    address: Some(address),
                }),
                None if name.is_some() => plan.hosts.push(Host {
                    ports,
                    name,
                    address: None,
                }),
                None => {}
            }
        }
    }
    plan
}

/// One machine's address: an IP address, or a CIDR block of exactly one
/// (`/32`, `/128`); a wider block is a subnet, which is not swept. Parsed
/// as the deployment file was checked, so `/032` is `/32` here too.
fn single_address(text: &str) -> Result<IpAddr, String> {
    use crate::rules::address::Address;
    match Address::parse(text.trim()) {
        Ok(Address::Ip(ip)) => Ok(ip),
        Ok(Address::Net(ip, prefix)) if u32::from(prefix) == full_prefix(ip) => Ok(ip),
        Ok(Address::Net(..)) => Err("a subnet, not a machine; list its hosts to sweep them".into()),
        _ => Err(format!(
            "`{}` is not an IP address or a CIDR block",
            text.trim()
        )),
    }
}

/// The prefix length of a single address of `ip`'s family.
fn full_prefix(ip: IpAddr) -> u32 {
    if ip.is_ipv4() { 32 } else { 128 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::Machine;
    use std::path::Path;

    fn machine(name: Option<&str>, address: Option<&str>) -> Machine {
        Machine {
            name: name.map(Into::into),
            address: address.map(Into::into),
        }
    }

    #[test]
    fn a_host_gets_the_ports_its_role_answers_from_the_sweeping_role() {
        let catalog = crate::catalog::embedded().unwrap();
        let mut deployment = Deployment::parse("()", Path::new("d.ron")).unwrap();
        deployment.machines.insert(
            "hyperv-host".into(),
            vec![
                machine(Some("hv01"), Some("10.0.1.1")),
                machine(None, Some("10.0.1.2/032")),
                machine(None, Some("10.0.2.0/24")),
                machine(Some("hv04"), None),
            ],
        );
        let all: Vec<&Connection> = catalog.connections.iter().collect();
        let plan = plan(&catalog, &deployment, "vmm-server", &all);
        assert_eq!(plan.hosts.len(), 3, "{:?}", plan.hosts);
        assert_eq!(plan.hosts[1].address, Some("10.0.1.2".parse().unwrap()));
        assert_eq!(plan.hosts[2].address, None);
        assert_eq!(plan.not_swept.len(), 1);
        assert!(plan.not_swept[0].why.contains("a subnet"));
        let ports: Vec<String> = plan.roles[0].lines.iter().map(|l| l.port_text()).collect();
        // What the VMM server needs of a host: WinRM and SMB among them;
        // every connection behind a line is one the VMM server opens.
        assert!(ports.contains(&"5985".to_string()), "{ports:?}");
        assert!(ports.contains(&"445".to_string()), "{ports:?}");
        for target in &plan.roles[0].targets {
            let c = catalog
                .connections
                .iter()
                .find(|c| c.id == target.connection)
                .unwrap();
            assert!(
                catalog
                    .ends(&c.from)
                    .iter()
                    .any(|e| e.machine.id == "vmm-server")
            );
        }
        // From the console, a host answers other ports (VM connect).
        let from_console = super::plan(&catalog, &deployment, "vmm-console", &all);
        assert_ne!(from_console.roles[0].lines, plan.roles[0].lines);
        // A query that leaves a role nothing to answer leaves it out whole.
        let none = super::plan(&catalog, &deployment, "vmm-server", &[]);
        assert!(none.hosts.is_empty());
        assert_eq!(none.not_swept.len(), 1);
        assert_eq!(none.not_swept[0].machine, None);
    }
}
