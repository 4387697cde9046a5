//! Windows: `New-NetFirewallRule` (the NetSecurity module), run in an
//! elevated PowerShell.
//!
//! Each rule is two lines, and nothing is ever deleted:
//! - `New-NetFirewallRule` creates the rule, quietly doing nothing when a
//!   rule of that name is already there (a second run);
//! - `Set-NetFirewallRule` then gives the rule of that name every setting,
//!   so an existing rule is brought up to date and a new one is unchanged.
//!
//! Deleting first and creating after (as this dialect once did) leaves the
//! port closed when the create fails; here a failing line leaves the old
//! rule as it was, and the `Set` line's own error says so.

use super::RulesError;
use super::plan::Rule;
use super::quote::{self, powershell as q};
use super::settings::Settings;

/// Nothing to set up before the rules, but the group must be writable.
pub fn prelude(settings: &Settings) -> Result<Vec<String>, RulesError> {
    quote::windows_name_part("--group", &settings.group)
        .map_err(|e| RulesError::unquotable("powershell", &settings.group, e))?;
    Ok(Vec::new())
}

/// The create line and the update line of one rule.
pub fn rule_lines(rule: &Rule, settings: &Settings) -> Result<Vec<String>, RulesError> {
    let description = quote::windows_description(
        &format!("the description of {}", rule.source_id),
        &rule.description,
    )
    .map_err(|e| RulesError::unquotable("powershell", &rule.description, e))?;
    let direction = if rule.is_inbound() {
        "Inbound"
    } else {
        "Outbound"
    };
    // ICMP has message types where TCP and UDP have ports.
    let protocol = if rule.transport.has_ports() {
        let ports: Vec<String> = rule.ports_text().split(',').map(q).collect();
        format!(
            "-Protocol {} {} {}",
            rule.protocol().to_uppercase(),
            if rule.is_inbound() {
                "-LocalPort"
            } else {
                "-RemotePort"
            },
            ports.join(",")
        )
    } else {
        format!(
            "-Protocol {} -IcmpType {}",
            rule.protocol().replace("icmp", "ICMP"),
            rule.icmp_type()
        )
    };
    // `Any` is spelled out, so an update also clears a scope set before.
    let remote = if rule.remote.is_empty() {
        "Any".to_string()
    } else {
        // -RemoteAddress takes every kind of address in its neutral spelling.
        let addresses: Vec<String> = rule.remote.iter().map(|a| q(&a.to_string())).collect();
        addresses.join(",")
    };
    let profile = if settings.profiles.is_empty() {
        "Any".to_string()
    } else {
        settings
            .profiles
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(",")
    };
    let filter = format!(
        "-Description {} -Direction {direction} {protocol} -RemoteAddress {remote} -Profile {profile} -Action Allow",
        q(&description),
    );
    Ok(vec![
        format!(
            "New-NetFirewallRule -Name {} -DisplayName {} -Group {} {filter} -ErrorAction SilentlyContinue",
            q(&rule.name),
            q(&rule.display_name),
            q(&settings.group),
        ),
        format!(
            "Set-NetFirewallRule -Name {} -NewDisplayName {} -Enabled True {filter}",
            q(&rule.name),
            q(&rule.display_name),
        ),
    ])
}
