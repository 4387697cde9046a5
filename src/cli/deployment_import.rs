//! `vmmports deployment import`: the files read and merged by
//! `deployment::import`, the `--map` flags checked against the
//! inventories, and the result printed or written whole to `--out`.

use std::path::{Path, PathBuf};

use super::{CliError, Outcome};
use crate::catalog::Catalog;
use crate::deployment::DeploymentError;
use crate::deployment::import::{self, GroupMap};
use crate::text;

pub fn run_import(
    catalog: &Catalog,
    files: &[PathBuf],
    out: Option<&Path>,
    force: bool,
    map: &[String],
) -> Result<(String, Outcome), CliError> {
    let maps = map
        .iter()
        .map(|m| group_map(catalog, m))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(out) = out.filter(|o| o.exists() && !force) {
        return Err(CliError::new(
            format!("{} exists; nothing was written", out.display()),
            Some(format!(
                "add --force to replace it; to keep its machines, give it as an input too: \
                 vmmports deployment import {0} NEW.csv --out {0} --force",
                out.display()
            )),
        ));
    }
    let mut texts = Vec::with_capacity(files.len());
    for path in files {
        texts.push((path.clone(), import::read(path).map_err(problem)?));
    }
    let imported = import::import(&texts, catalog, &maps).map_err(problem)?;
    check_maps(&maps, &imported)?;
    for note in &imported.notes {
        eprintln!("vmmports: note: {}", text::printable(note));
    }
    let deployment = imported.deployment;
    if deployment == Default::default() {
        return Err(CliError::new(
            "the files name no machine; nothing was written",
            Some(if imported.read_inventory {
                "give --map GROUP=ROLE for the inventory's groups to take".into()
            } else {
                "a CSV file needs rows under its header role,name,address".into()
            }),
        ));
    }
    let ron = deployment.to_ron();
    let Some(out) = out else {
        return Ok((ron, Outcome::Success));
    };
    crate::atomic_file::write(out, ron.as_bytes()).map_err(|e| {
        CliError::new(
            format!("cannot write {}: {e}; nothing was written", out.display()),
            None,
        )
    })?;
    let machines: usize = deployment.machines.values().map(Vec::len).sum();
    Ok((
        format!(
            "wrote {}: {} in {}\n",
            out.display(),
            text::count(machines, "machine"),
            text::count(deployment.machines.len(), "role")
        ),
        Outcome::Success,
    ))
}

/// `GROUP=ROLE`, the role resolved as `--remote` resolves components.
fn group_map(catalog: &Catalog, text: &str) -> Result<GroupMap, CliError> {
    let Some((group, role)) = text.split_once('=') else {
        return Err(CliError::new(
            format!("--map `{text}`: expected GROUP=ROLE"),
            Some("e.g. --map hyperv=hyperv-host".into()),
        ));
    };
    let role = crate::rules::settings::resolve(catalog, role, "--map")?;
    Ok(GroupMap {
        group: group.trim().to_string(),
        role,
    })
}

/// A map whose group no inventory has is a typo that would silently take
/// nothing.
fn check_maps(maps: &[GroupMap], imported: &import::Imported) -> Result<(), CliError> {
    if !maps.is_empty() && !imported.read_inventory {
        return Err(CliError::new(
            "--map is for Ansible inventories, and no file given is one",
            Some("an inventory is *.ini, *.yml, *.yaml, or a file without extension".into()),
        ));
    }
    let groups: Vec<&str> = imported.groups.iter().map(String::as_str).collect();
    match maps.iter().find(|m| !imported.groups.contains(&m.group)) {
        Some(m) => Err(CliError::new(
            format!(
                "--map {}={}: no inventory has the group `{}`",
                m.group, m.role, m.group
            ),
            Some(crate::catalog::suggestion("group", &m.group, &groups)),
        )),
        None => Ok(()),
    }
}

/// A file that cannot be imported: its place first, as compilers write
/// it, so an editor can jump there.
fn problem(e: DeploymentError) -> CliError {
    if e.position.is_none() {
        return CliError::new(format!("{e}; nothing was written"), e.hint);
    }
    let help = e
        .hint
        .as_ref()
        .map(|h| format!("\n  help: {h}"))
        .unwrap_or_default();
    CliError {
        message: format!(
            "{} cannot be imported; nothing was written",
            e.path.display()
        ),
        hint: None,
        details: Some(format!("{e}{help}")),
    }
}
