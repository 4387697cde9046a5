//! Each entry checked once, whatever file it came from: the role a
//! component id that has machines of its own, the name a host name, the
//! address an IP address or a CIDR subnet, and one of the two at least.

use std::path::Path;

use super::{Entry, Located, error};
use crate::catalog::Catalog;
use crate::deployment::load;
use crate::deployment::{DeploymentError, Machine};

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
    let id = load::role_id(catalog, role)
        .map_err(|(message, hint)| error(path, entry.role.at, message, &hint))?;
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
    load::host_name(text).map_err(|why| {
        let shown = crate::text::printable(text);
        let message = format!("`{shown}` is not a host name: {why}");
        error(path, name.at, message, load::HOST_NAME_HINT)
    })?;
    Ok(text.to_string())
}

fn check_address(path: &Path, address: Located) -> Result<String, DeploymentError> {
    let text = address.text.trim();
    match load::address_problem(text) {
        None => Ok(text.to_string()),
        Some((message, hint)) => Err(error(path, address.at, message, &hint)),
    }
}
