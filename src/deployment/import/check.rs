//! Each entry checked once, whatever file it came from: the role a
//! component id that has machines of its own, the name a host name, the
//! address an IP address or a CIDR subnet, and one of the two at least.

use std::path::Path;

use super::{Entry, Located, error};
use crate::catalog::Catalog;
use crate::deployment::{DeploymentError, Machine};
use crate::rules::address::Address;

/// One entry as the deployment holds it: the role a component id, the name
/// plain, the address an IP address or a CIDR subnet.
pub fn check(
    path: &Path,
    catalog: &Catalog,
    entry: Entry,
) -> Result<(String, Machine), DeploymentError> {
    let role = entry.role.text.trim();
    if role.is_empty() {
        return Err(error(
            path,
            entry.role.at,
            "the role is empty".into(),
            "give the component id of the machine's role, e.g. hyperv-host",
        ));
    }
    let id = crate::rules::settings::resolve(catalog, role, "role").map_err(|e| {
        // A typo gets the id it misses, not the list of every one.
        let ids: Vec<&str> = catalog.components.iter().map(|c| c.id.as_str()).collect();
        let unknown = catalog.resolve_component(role).is_err_and(|c| c.is_empty());
        let hint = match crate::text::nearest(role, &ids) {
            Some(best) if unknown => format!("did you mean `{best}`?"),
            _ => e.hint,
        };
        error(path, entry.role.at, e.message, &hint)
    })?;
    if let Some(host) = catalog.component(&id).and_then(|c| c.runs_on.as_deref()) {
        return Err(error(
            path,
            entry.role.at,
            format!("{id} runs on {host}, so it has no machines of its own"),
            &format!("give its machines as {host}"),
        ));
    }
    let name = match entry.name {
        Some(name) if !name.text.trim().is_empty() => Some(check_name(path, name)?),
        _ => None,
    };
    let address = match entry.address {
        Some(address) if !address.text.trim().is_empty() => Some(check_address(path, address)?),
        _ => None,
    };
    if name.is_none() && address.is_none() {
        return Err(error(
            path,
            entry.at,
            format!("this {id} machine has neither a name nor an address"),
            "give its host name, its IP address or subnet, or both",
        ));
    }
    Ok((id, Machine { name, address }))
}

fn check_name(path: &Path, name: Located) -> Result<String, DeploymentError> {
    let text = name.text.trim();
    crate::text::check_plain("the name", text)
        .map_err(|message| error(path, name.at, message, ""))?;
    // Names go on to the resolver and into commands: only what a host name
    // (NetBIOS or DNS, IDN included) is made of.
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("`{c}`")
        };
        return Err(error(
            path,
            name.at,
            format!("`{text}` is not a host name: it holds {what}"),
            "a host name is letters, digits, `-`, `.` and `_`, such as hv01.contoso.com",
        ));
    }
    Ok(text.to_string())
}

fn check_address(path: &Path, address: Located) -> Result<String, DeploymentError> {
    let text = address.text.trim();
    let hint = "an IP address (10.0.1.21) or a subnet (10.0.1.0/24)";
    match Address::parse(text) {
        Ok(Address::Ip(_) | Address::Net(..)) => Ok(text.to_string()),
        Ok(Address::Range(..)) => Err(error(
            path,
            address.at,
            format!("`{text}` is a range; a machine's address is one address or a subnet"),
            "write the range as subnets, or one row per address",
        )),
        Ok(Address::Keyword(k)) => Err(error(
            path,
            address.at,
            format!("`{k}` is a Windows Firewall keyword, not a machine's address"),
            hint,
        )),
        // The prefix's own complaint says more; otherwise, only the two
        // kinds a machine can have.
        Err(message) if text.contains('/') => Err(error(path, address.at, message, hint)),
        Err(_) => Err(error(
            path,
            address.at,
            format!("`{text}` is not an IP address or a subnet"),
            hint,
        )),
    }
}
