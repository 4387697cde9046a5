//! Linux: ufw. It skips rules it already has, so running twice is harmless.

use super::address::Address;
use super::plan::{Rule, chunk_ports, range_text};
use super::quote::ufw_comment;
use super::{RulesError, by_family};

/// ufw port lists take at most 15 ports, a range counting as two.
const PORT_LIST_LIMIT: usize = 15;

pub fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    if !rule.transport.has_ports() {
        return Ok(icmp_note(rule));
    }
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

/// ufw's command line takes no ICMP rules. Its shipped `before.rules` and
/// `before6.rules` already accept echo requests from anywhere; narrowing
/// that means editing those files, which a pasted line should not do.
fn icmp_note(rule: &Rule) -> Vec<String> {
    let file = if rule.family == Some(super::address::Family::V6) {
        "/etc/ufw/before6.rules"
    } else {
        "/etc/ufw/before.rules"
    };
    let scope = if rule.remote.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = rule.remote.iter().map(Address::to_string).collect();
        format!(
            "; to allow only {}, edit the echo-request lines there",
            list.join(",")
        )
    };
    vec![super::Dialect::Ufw.comment_line(&format!(
        "{}: {} {}: ufw has no command for ICMP; its default {file} already accepts it{scope}",
        rule.source_id,
        rule.protocol(),
        rule.icmp_type_name(),
    ))]
}
