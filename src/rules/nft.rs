//! Linux: nftables, as `nft` shell commands against the conventional
//! `inet filter` table. Each rule first checks, by its comment, whether it is
//! already there, so running the script twice adds nothing.

use super::address::{Address, Family};
use super::plan::{Rule, Section};
use super::quote::{nft_string, sh};
use super::{RulesError, by_family, rules_of};

pub fn section(section: &Section) -> Result<Vec<String>, RulesError> {
    let rules: Vec<&Rule> = rules_of(section).collect();
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    // `add` is idempotent for tables and chains. No `policy` here: on an
    // existing chain that would overwrite the admin's own policy.
    let mut lines = vec!["nft add table inet filter".to_string()];
    for (chain, inbound) in [("input", true), ("output", false)] {
        if rules.iter().any(|r| r.is_inbound() == inbound) {
            lines.push(format!(
                "nft {}",
                sh(&format!(
                    "add chain inet filter {chain} {{ type filter hook {chain} priority 0; }}"
                ))
            ));
        }
    }
    for rule in rules {
        lines.extend(rule_lines(rule)?);
    }
    Ok(lines)
}

fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let chain = if rule.is_inbound() { "input" } else { "output" };
    let ports: Vec<String> = rule
        .ports
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let proto = rule.transport.as_str();
    let groups = by_family(rule, "nft")?;
    let split = groups.len() > 1;
    let mut lines = Vec::new();
    for (family, addresses) in groups {
        let mut text = format!("add rule inet filter {chain}");
        if let Some(family) = family {
            let key = match (family, rule.is_inbound()) {
                (Family::V4, true) => "ip saddr",
                (Family::V4, false) => "ip daddr",
                (Family::V6, true) => "ip6 saddr",
                (Family::V6, false) => "ip6 daddr",
            };
            let list: Vec<String> = addresses.iter().map(Address::to_string).collect();
            text.push_str(&format!(" {key} {{ {} }}", list.join(", ")));
        }
        text.push_str(&format!(" {proto} dport {{ {} }} accept", ports.join(", ")));
        // The comment is how the check finds the rule, so it must be unique
        // per line: split rules say their family.
        let comment_text = match (split, family) {
            (true, Some(Family::V4)) => format!("{} ipv4", rule.display_name),
            (true, Some(Family::V6)) => format!("{} ipv6", rule.display_name),
            _ => rule.display_name.clone(),
        };
        let comment = nft_string(&comment_text)
            .map_err(|e| RulesError::unquotable("nft", &comment_text, e))?;
        text.push_str(&format!(" comment {comment}"));
        lines.push(format!(
            "nft list chain inet filter {chain} | grep -qF {} || nft {}",
            sh(&format!("comment {comment}")),
            sh(&text)
        ));
    }
    Ok(lines)
}
