//! The files' machines merged into one deployment, in the order given: a
//! machine met again is the same one, and what each file says of it is
//! kept; two different names or addresses for it are a conflict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Entry, Located, Position, error};
use crate::deployment::{Deployment, DeploymentError, Machine};
use crate::rules::address::Address;

/// Where each machine of the deployment came from, for a conflict's message.
#[derive(Default)]
pub struct Merger {
    pub deployment: Deployment,
    origins: BTreeMap<(String, usize), String>,
    /// The file the ports and rule settings came from.
    settings_from: Option<PathBuf>,
}

impl Merger {
    /// A machine once per role: one with the same name (names compared as
    /// DNS does, without regard to case) or the same address is the same
    /// machine, and what either file gives of it is kept. Two different
    /// names or addresses for one machine is a conflict, never a guess.
    pub fn add(
        &mut self,
        path: &Path,
        role: String,
        machine: Machine,
        at: Option<Position>,
    ) -> Result<(), DeploymentError> {
        let here = place(path, at);
        let machines = self.deployment.machines.entry(role.clone()).or_default();
        let same_name = |m: &Machine| match (&m.name, &machine.name) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        let at_address = |m: &Machine| match (&m.address, &machine.address) {
            (Some(a), Some(b)) => same_address(a, b),
            _ => false,
        };
        let by_name = machines.iter().position(same_name);
        let by_address = machines.iter().position(at_address);
        // A name from one file and an address from another, each its own
        // entry, met by a third that gives both: they are one machine, so
        // the address-only entry is folded into the named one.
        if let (Some(named), Some(addressed)) = (by_name, by_address)
            && named != addressed
            && machines[addressed].name.is_none()
        {
            let folded = machines.remove(addressed);
            let named = if addressed < named { named - 1 } else { named };
            if machines[named].address.is_none() {
                machines[named].address = folded.address;
            }
            // Entries after the removed one moved up by one.
            self.origins = std::mem::take(&mut self.origins)
                .into_iter()
                .filter(|((r, i), _)| !(*r == role && *i == addressed))
                .map(|((r, i), o)| {
                    let moved = r == role && i > addressed;
                    ((r, if moved { i - 1 } else { i }), o)
                })
                .collect();
        }
        let found = machines
            .iter()
            .position(same_name)
            .or_else(|| machines.iter().position(at_address));
        let Some(index) = found else {
            self.origins.insert((role, machines.len()), here);
            machines.push(machine);
            return Ok(());
        };
        let kept = &mut machines[index];
        let origin = self
            .origins
            .get(&(role.clone(), index))
            .cloned()
            .unwrap_or_default();
        let conflict = |what: &str, old: &str, new: &str| {
            error(
                path,
                at,
                format!("this {role} machine has the {what} `{new}` here but `{old}` in {origin}"),
                "keep one of them: a machine has one name and one address in a deployment",
            )
        };
        match (&kept.name, machine.name) {
            (None, Some(name)) => kept.name = Some(name),
            (Some(old), Some(new)) if !old.eq_ignore_ascii_case(&new) => {
                return Err(conflict("name", old, &new));
            }
            _ => {}
        }
        match (&kept.address, machine.address) {
            (None, Some(address)) => kept.address = Some(address),
            (Some(old), Some(new)) if !same_address(old, &new) => {
                return Err(conflict("address", old, &new));
            }
            _ => {}
        }
        Ok(())
    }

    /// An earlier deployment file: its machines are merged like any other
    /// input's, its ports and rule settings carried over (one file's only).
    pub fn take_settings(
        &mut self,
        path: &Path,
        deployment: Deployment,
    ) -> Result<Vec<Entry>, DeploymentError> {
        let has_settings = !deployment.ports.is_empty() || deployment.rules != Default::default();
        if has_settings {
            if let Some(first) = &self.settings_from {
                return Err(error(
                    path,
                    None,
                    format!(
                        "ports or rule settings come from {} already",
                        first.display()
                    ),
                    "give one deployment file among the inputs; the others' machines as CSV, JSON or an inventory",
                ));
            }
            self.settings_from = Some(path.to_path_buf());
            self.deployment.ports = deployment.ports;
            self.deployment.rules = deployment.rules;
        }
        let located = |text: String| Located { text, at: None };
        Ok(deployment
            .machines
            .into_iter()
            .flat_map(|(role, machines)| {
                machines.into_iter().map(move |m| Entry {
                    role: located(role.clone()),
                    name: m.name.map(located),
                    address: m.address.map(located),
                    at: None,
                })
            })
            .collect())
    }
}

/// `10.0.1.0/24` and `10.0.1.0/024` are one subnet.
fn same_address(a: &str, b: &str) -> bool {
    a == b || Address::parse(a).is_ok_and(|a| Address::parse(b) == Ok(a))
}

fn place(path: &Path, at: Option<Position>) -> String {
    match at {
        Some((line, col)) => format!("{}:{line}:{col}", path.display()),
        None => path.display().to_string(),
    }
}
