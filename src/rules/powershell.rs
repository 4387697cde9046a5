//! Windows: `New-NetFirewallRule` (the NetSecurity module), run in an
//! elevated PowerShell.

use super::RulesError;
use super::plan::{Rule, Section};
use super::quote::powershell as q;
use super::settings::Settings;

/// First removes this section's rules by their deterministic names, so a
/// second run replaces them instead of failing on "already exists".
pub fn section(section: &Section, settings: &Settings) -> Result<Vec<String>, RulesError> {
    let rules: Vec<&Rule> = section.rules().collect();
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = rules.iter().map(|r| q(&r.name)).collect();
    let mut lines = vec![format!(
        "Remove-NetFirewallRule -Name {} -ErrorAction SilentlyContinue",
        names.join(",")
    )];
    for rule in rules {
        lines.push(rule_line(rule, settings)?);
    }
    Ok(lines)
}

fn rule_line(rule: &Rule, settings: &Settings) -> Result<String, RulesError> {
    let ports: Vec<String> = rule.ports_text().split(',').map(q).collect();
    let (direction, port_flag) = if rule.is_inbound() {
        ("Inbound", "-LocalPort")
    } else {
        ("Outbound", "-RemotePort")
    };
    let mut line = format!(
        "New-NetFirewallRule -Name {} -DisplayName {} -Group {} -Description {} -Direction {direction} -Protocol {} {port_flag} {}",
        q(&rule.name),
        q(&rule.display_name),
        q(&settings.group),
        q(&rule.description),
        rule.transport.as_str().to_uppercase(),
        ports.join(","),
    );
    if !rule.remote.is_empty() {
        // -RemoteAddress takes every kind of address in its neutral spelling.
        let addresses: Vec<String> = rule.remote.iter().map(|a| q(&a.to_string())).collect();
        line.push_str(&format!(" -RemoteAddress {}", addresses.join(",")));
    }
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
    line.push_str(&format!(" -Profile {profile} -Action Allow"));
    Ok(line)
}
