//! Linux: ufw. It skips rules it already has, so running twice is harmless.

use super::address::Address;
use super::plan::{Rule, Section, chunk_ports, range_text};
use super::quote::ufw_comment;
use super::{RulesError, by_family};

/// ufw port lists take at most 15 ports, a range counting as two.
const PORT_LIST_LIMIT: usize = 15;

pub fn section(section: &Section) -> Result<Vec<String>, RulesError> {
    let mut lines = Vec::new();
    for rule in section.rules() {
        lines.extend(rule_lines(rule)?);
    }
    Ok(lines)
}

fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let comment = ufw_comment(&rule.display_name)
        .map_err(|e| RulesError::unquotable("ufw", &rule.display_name, e))?;
    // ufw takes one source or destination per rule, and no ranges.
    let mut peers: Vec<String> = by_family(rule, "ufw")?
        .into_iter()
        .flat_map(|(_, addresses)| addresses)
        .flat_map(|a| a.to_networks())
        .map(|a: Address| a.to_string())
        .collect();
    if peers.is_empty() {
        peers.push("any".into());
    }
    let mut lines = Vec::new();
    for peer in &peers {
        for chunk in chunk_ports(&rule.ports, PORT_LIST_LIMIT) {
            let ports: Vec<String> = chunk.iter().map(|&range| range_text(range, ':')).collect();
            let (direction, from, to) = if rule.is_inbound() {
                ("", peer.as_str(), "any")
            } else {
                (" out", "any", peer.as_str())
            };
            lines.push(format!(
                "ufw allow{direction} proto {} from {from} to {to} port {} comment {comment}",
                rule.transport.as_str(),
                ports.join(","),
            ));
        }
    }
    Ok(lines)
}
