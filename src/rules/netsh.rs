//! Windows: `netsh advfirewall firewall`, for Server Core and hosts without
//! the NetSecurity module. Lines work in cmd.exe and in PowerShell.

use super::RulesError;
use super::address::{Address, NETSH_KEYWORDS};
use super::plan::Rule;
use super::quote::netsh_string;
use super::settings::Settings;

/// netsh allows several rules with one name, so each `add` is preceded by a
/// `delete` of that name: running the script twice leaves one copy.
///
/// The name is the rule's unique id (`VMM-vmm-to-sql-tcp-in`, as
/// PowerShell's `-Name`), which holds nothing that cmd.exe or PowerShell
/// could read as code; ports and direction are in the rule itself.
pub fn rule_lines(rule: &Rule, settings: &Settings) -> Result<Vec<String>, RulesError> {
    let name =
        netsh_string(&rule.name).map_err(|e| RulesError::unquotable("netsh", &rule.name, e))?;
    Ok(vec![
        format!("netsh advfirewall firewall delete rule name={name}"),
        add_line(rule, &name, settings)?,
    ])
}

fn add_line(rule: &Rule, name: &str, settings: &Settings) -> Result<String, RulesError> {
    let (dir, port_key) = if rule.is_inbound() {
        ("in", "localport")
    } else {
        ("out", "remoteport")
    };
    // ICMP is `protocol=icmpv4:TYPE,CODE`, with no ports.
    let protocol = if rule.transport.has_ports() {
        format!(
            "protocol={} {port_key}={}",
            rule.protocol().to_uppercase(),
            rule.ports_text()
        )
    } else {
        format!("protocol={}:{},any", rule.protocol(), rule.icmp_type())
    };
    let mut line = format!(
        "netsh advfirewall firewall add rule name={name} dir={dir} action=allow {protocol}"
    );
    if !rule.remote.is_empty() {
        let addresses = rule
            .remote
            .iter()
            .map(spelling)
            .collect::<Result<Vec<_>, _>>()?;
        line.push_str(&format!(" remoteip={}", addresses.join(",")));
    }
    let profile = settings.profiles_text();
    line.push_str(&format!(" profile={profile}"));
    Ok(line)
}

fn spelling(address: &Address) -> Result<String, RulesError> {
    match address {
        Address::Keyword(k) if NETSH_KEYWORDS.contains(k) => Ok(k.to_lowercase()),
        Address::Keyword(k) => Err(RulesError::new(
            format!("netsh does not understand the address keyword {k}"),
            format!(
                "use --format powershell, or one of {} or real addresses",
                NETSH_KEYWORDS.join(", ")
            ),
        )),
        other => Ok(other.to_string()),
    }
}
