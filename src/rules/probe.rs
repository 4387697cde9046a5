//! Probes: commands run on the *source* machine to check that a port
//! answers. `Test-NetConnection` from Windows; `nc` elsewhere. A probe
//! connects only where the admin pastes it.

use super::quote::{powershell, sh};
use super::settings::Settings;
use crate::catalog::{Catalog, ComponentKind, Connection, Direction, Transport};

/// One machine that runs probes, with its lines (commands and comments).
pub struct ProbeSection<'c> {
    pub machine: &'c crate::catalog::Component,
    pub lines: Vec<String>,
    /// The connections probed from this machine.
    pub covers: Vec<&'c str>,
}

pub fn sections<'c>(
    catalog: &'c Catalog,
    connections: &[&'c Connection],
    settings: &Settings,
    on: Option<&str>,
) -> Vec<ProbeSection<'c>> {
    let mut sections: Vec<ProbeSection<'c>> = Vec::new();
    for conn in connections {
        let placed_on = |o: &str| {
            conn.placements(settings.outbound)
                .iter()
                .any(|p| catalog.acts_as(o, p.machine))
        };
        if conn.direction == Direction::None || on.is_some_and(|o| !placed_on(o)) {
            continue;
        }
        // The machines that play each end: the storage service's probes run
        // on the VMM server; a host in an untrusted domain is probed as a
        // Hyper-V host when it was given an address.
        for machine in present_ends(catalog, &conn.from, settings) {
            let lines = probe_lines(catalog, conn, machine.kind, settings);
            match sections.iter_mut().find(|s| s.machine.id == machine.id) {
                Some(section) => {
                    section.lines.extend(lines);
                    section.covers.push(&conn.id);
                }
                None => sections.push(ProbeSection {
                    machine,
                    lines,
                    covers: vec![&conn.id],
                }),
            }
        }
    }
    sections
}

/// The machines at the ends `roles` name, an optional one (only `also` the
/// role) only when it was given an address.
fn present_ends<'c>(
    catalog: &'c Catalog,
    roles: &'c [String],
    settings: &Settings,
) -> Vec<&'c crate::catalog::Component> {
    catalog
        .ends(roles)
        .into_iter()
        .filter(|end| settings.has(end))
        .map(|end| end.machine)
        .collect()
}

fn comment(text: &str) -> String {
    super::Dialect::Probe.comment_line(text)
}

fn probe_lines(
    catalog: &Catalog,
    conn: &Connection,
    kind: ComponentKind,
    settings: &Settings,
) -> Vec<String> {
    if kind == ComponentKind::Device {
        return vec![comment(&format!(
            "{}: the source is a device that cannot run a probe",
            conn.id
        ))];
    }
    let mut lines = Vec::new();
    for machine in present_ends(catalog, &conn.to, settings) {
        let target = &machine.id;
        let addresses = settings.addresses(target);
        // Without a real address, the component id stands in for the host
        // name: the header says to give addresses with --remote.
        let mut hosts: Vec<String> = addresses
            .iter()
            .filter_map(|a| a.host())
            .map(|ip| ip.to_string())
            .collect();
        if addresses.is_empty() {
            hosts.push(target.clone());
        }
        for skipped in addresses.iter().filter(|a| a.host().is_none()) {
            lines.push(comment(&format!(
                "{}: {skipped} is not a single host; probe one address in it",
                conn.id
            )));
        }
        let name = machine.name.as_str();
        for host in &hosts {
            for port in &conn.ports {
                let label = format!(
                    "{} {}/{} on {}",
                    conn.id,
                    port.number_text(),
                    port.transport.as_str(),
                    name
                );
                if port.is_range() {
                    lines.push(comment(&format!(
                        "{label}: a range; probe a port in it where a service listens"
                    )));
                    continue;
                }
                lines.push(match (kind, port.transport) {
                    (ComponentKind::Windows, Transport::Tcp) => {
                        format!("Test-NetConnection -ComputerName {} -Port {}", powershell(host), port.first)
                    }
                    (ComponentKind::Windows, Transport::Udp) => comment(&format!(
                        "{label}: Test-NetConnection tests TCP only; from a Linux machine run: nc -zuv {host} {}",
                        port.first
                    )),
                    (_, Transport::Tcp) => format!("nc -zv {} {}", sh(host), port.first),
                    (_, Transport::Udp) => format!("nc -zuv {} {}", sh(host), port.first),
                    // One echo request: the answer proves ICMP gets through.
                    (ComponentKind::Windows, Transport::Icmp) => {
                        format!("Test-Connection -ComputerName {} -Count 1", powershell(host))
                    }
                    (_, Transport::Icmp) => format!("ping -c 1 {}", sh(host)),
                });
            }
        }
    }
    lines
}
