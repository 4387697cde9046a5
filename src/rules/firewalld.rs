//! Linux: firewalld's `firewall-cmd`, permanent rules in the default zone,
//! then one reload. Adding what is already there only warns, so running the
//! script twice is harmless. Order needs no care: firewalld evaluates a
//! zone's allowed ports and rich rules before the zone's final reject.

use super::address::{Address, Family};
use super::plan::{Rule, range_text};
use super::quote::sh;
use super::{RulesError, by_family};

/// One reload after the permanent changes, when there were any.
pub fn epilogue(lines: &[String]) -> Vec<String> {
    if lines.iter().any(|l| l.starts_with("firewall-cmd")) {
        vec!["firewall-cmd --reload".into()]
    } else {
        Vec::new()
    }
}

pub fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let proto = rule.transport.as_str();
    if !rule.is_inbound() {
        return Ok(vec![super::Dialect::Firewalld.comment_line(&format!(
            "{}: outbound {}/{proto}: firewalld lets outgoing traffic through unless you added policies; nothing to open",
            rule.display_name,
            rule.ports_text()
        ))]);
    }
    if !rule.transport.has_ports() {
        return icmp_lines(rule);
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

/// ICMP is always a rich rule (`icmp-type name=…`), one per source, or one
/// with no source for any address: a zone whose target drops or rejects
/// (`drop`, `block`) would otherwise stop the echo requests.
fn icmp_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let family = if rule.family == Some(Family::V6) {
        "ipv6"
    } else {
        "ipv4"
    };
    let tail = format!("icmp-type name=\"{}\" accept", rule.icmp_type_name());
    let mut sources: Vec<String> = Vec::new();
    for (_, addresses) in by_family(rule, "firewalld")? {
        sources.extend(
            addresses
                .iter()
                .flat_map(Address::to_networks)
                .map(|n| format!(" source address=\"{n}\"")),
        );
    }
    if sources.is_empty() {
        sources.push(String::new());
    }
    Ok(sources
        .iter()
        .map(|source| {
            let rich = format!("rule family=\"{family}\"{source} {tail}");
            format!("firewall-cmd --permanent --add-rich-rule={}", sh(&rich))
        })
        .collect())
}
