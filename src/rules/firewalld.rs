//! Linux: firewalld's `firewall-cmd`, permanent rules in the default zone,
//! then one reload. Adding what is already there only warns, so running the
//! script twice is harmless.

use super::address::{Address, Family};
use super::plan::{Rule, Section, range_text};
use super::quote::sh;
use super::{RulesError, by_family};

pub fn section(section: &Section) -> Result<Vec<String>, RulesError> {
    let mut lines = Vec::new();
    for rule in section.rules() {
        lines.extend(rule_lines(rule)?);
    }
    if lines.iter().any(|l| l.starts_with("firewall-cmd")) {
        lines.push("firewall-cmd --reload".into());
    }
    Ok(lines)
}

fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let proto = rule.transport.as_str();
    if !rule.is_inbound() {
        return Ok(vec![super::Dialect::Firewalld.comment_line(&format!(
            "{}: outbound {}/{proto}: firewalld lets outgoing traffic through unless you added policies; nothing to open",
            rule.display_name,
            rule.ports_text()
        ))]);
    }
    let port_text = |&range: &(u16, u16)| range_text(range, '-');
    let mut lines = Vec::new();
    for (family, addresses) in by_family(rule, "firewalld")? {
        let Some(family) = family else {
            let adds: Vec<String> = rule
                .ports
                .iter()
                .map(|p| format!("--add-port={}/{proto}", port_text(p)))
                .collect();
            lines.push(format!("firewall-cmd --permanent {}", adds.join(" ")));
            continue;
        };
        // A rich rule names one source and one port (or range); sources must
        // be addresses or networks, so ranges become networks.
        let family_name = if family == Family::V4 { "ipv4" } else { "ipv6" };
        for network in addresses.iter().flat_map(Address::to_networks) {
            for port in &rule.ports {
                let rich = format!(
                    "rule family=\"{family_name}\" source address=\"{network}\" port port=\"{}\" protocol=\"{proto}\" accept",
                    port_text(port)
                );
                lines.push(format!(
                    "firewall-cmd --permanent --add-rich-rule={}",
                    sh(&rich)
                ));
            }
        }
    }
    Ok(lines)
}
