//! Linux: nftables, as `nft` shell commands against the conventional
//! `inet filter` table. Each rule first checks, by its comment, whether it is
//! already there, so running the script twice adds nothing.
//!
//! Rules are inserted at the head of the chain, not added at its end: many
//! rulesets (RHEL's among them) end their input chain in a `reject`, and a
//! rule after it never matches. Another table's chain on the same hook that
//! drops is out of this table's reach: the script stops before it changes
//! anything (see `other_tables`).

mod other_tables;

use super::address::{Address, Family};
use super::plan::{Rule, Section, range_text};
use super::quote::{nft_string, sh};
use super::{RulesError, by_family};

/// nft keeps at most this many bytes of a comment.
const NFT_COMMENT_MAX: usize = 128;

/// What the header says of nft scripts: what the first line of each machine
/// checks, and that the rules are gone after a reboot unless saved.
pub fn header() -> Vec<String> {
    [
        "on each machine, the first line stops the script before it changes anything if a chain of another table drops on the input or output hook (policy drop, or a final drop or reject): an accept in inet filter does not get a packet past it",
        // What `nft list ruleset` cannot show, the check cannot see.
        "it cannot see iptables-legacy rules (iptables-legacy-save lists them), drops on other hooks, or a jump to a chain that drops: if one of those applies, use the iptables or firewalld dialect instead",
        "nft rules last until the next reboot; to keep them, save the ruleset where the nftables service loads it at boot, and enable the service:",
        // `flush ruleset` first, as Debian's own file has it: the service's
        // reload loads the file again, and without it every rule would be
        // added a second time.
        "Debian: { echo flush ruleset; nft list ruleset; } > /etc/nftables.conf; systemctl enable nftables",
        "RHEL: the same, into /etc/sysconfig/nftables.conf",
    ]
    .map(String::from)
    .to_vec()
}

/// The check against other tables' dropping chains, then the table, and
/// each chain the section's rules need, when missing.
pub fn prelude(section: &Section) -> Vec<String> {
    let rules: Vec<&Rule> = section.rules().collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let chains: Vec<&str> = [("input", true), ("output", false)]
        .into_iter()
        .filter(|&(_, inbound)| rules.iter().any(|r| r.is_inbound() == inbound))
        .map(|(chain, _)| chain)
        .collect();
    // The chains are named after their hooks.
    let mut lines = vec![other_tables::check(&chains)];
    // `add table` is idempotent. A chain is created only when missing: an
    // admin's existing chain keeps its own priority and policy (re-adding it
    // with another priority fails, and a `policy` here would overwrite theirs).
    lines.push("nft add table inet filter".to_string());
    for chain in chains {
        lines.push(format!(
            "nft list chain inet filter {chain} >/dev/null 2>&1 || nft {}",
            sh(&format!(
                "add chain inet filter {chain} {{ type filter hook {chain} priority 0; }}"
            ))
        ));
    }
    lines
}

pub fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let chain = if rule.is_inbound() { "input" } else { "output" };
    let ports: Vec<String> = rule
        .ports
        .iter()
        .map(|&range| range_text(range, '-'))
        .collect();
    let groups = by_family(rule, "nft")?;
    let split = groups.len() > 1;
    let mut lines = Vec::new();
    for (family, addresses) in groups {
        let mut text = format!("insert rule inet filter {chain}");
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
        text.push_str(&if rule.transport.has_ports() {
            format!(
                " {} dport {{ {} }} accept",
                rule.transport.as_str(),
                ports.join(", ")
            )
        } else {
            // `icmp type` matches IPv4 only and `icmpv6 type` IPv6 only, in
            // an inet table too.
            let keyword = if rule.family == Some(Family::V6) {
                "icmpv6"
            } else {
                "icmp"
            };
            format!(" {keyword} type {} accept", rule.icmp_type_name())
        });
        // The comment is how the check finds the rule, so it must be unique
        // per line: split rules say their family.
        // A long port list would not fit nft's 128 bytes: then the name
        // drops the ports, and stays unique by connection and protocol.
        let name = if rule.display_name.len() + 5 > NFT_COMMENT_MAX {
            rule.short_name.clone()
        } else {
            rule.display_name.clone()
        };
        let comment_text = match (split, family) {
            (true, Some(Family::V4)) => format!("{name} ipv4"),
            (true, Some(Family::V6)) => format!("{name} ipv6"),
            _ => name,
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
