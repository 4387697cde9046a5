//! `vmmports deployment import`: a deployment built from what admins already
//! have: a CSV sheet, VMM's own inventory as PowerShell writes it in JSON, an
//! Ansible inventory, or an earlier `deployment.ron`.
//!
//! Each format has a reader of its own that turns a file into [`Entry`]s
//! (a role as written, a name and an address, each with its place in the
//! file). This module decodes the bytes (UTF-8, or UTF-16 behind a BOM, as
//! Windows PowerShell 5.1's `>` writes) and tells the formats apart; `check`
//! checks each entry once for all of them, and `merge` merges the files in
//! the order given: a machine met twice is kept once, and a name in one
//! file takes the address another file gives it.

mod ansible;
mod check;
mod csv;
mod merge;
mod powershell_json;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{Deployment, DeploymentError};
use crate::catalog::Catalog;
use check::check;
use merge::Merger;

pub use ansible::GroupMap;

pub use crate::file_text::{Position, position_of};

/// A text as a file gave it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub at: Option<Position>,
}

/// One machine as a reader found it; nothing checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// A component id, name or alias.
    pub role: Located,
    pub name: Option<Located>,
    pub address: Option<Located>,
    /// Where the machine is written (its row, object or host line).
    pub at: Option<Position>,
}

/// The kinds of file `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    PowershellJson,
    AnsibleIni,
    AnsibleYaml,
    Deployment,
}

impl Format {
    /// By extension, else by the first thing in the file: an inventory is
    /// often called `hosts` or `inventory`, with no extension at all.
    pub fn detect(path: &Path, text: &str) -> Format {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "csv" => Format::Csv,
            "json" => Format::PowershellJson,
            "yml" | "yaml" => Format::AnsibleYaml,
            "ini" => Format::AnsibleIni,
            "ron" => Format::Deployment,
            _ => Format::sniff(text),
        }
    }

    fn sniff(text: &str) -> Format {
        let start = text.trim_start();
        if start.starts_with('{') {
            return Format::PowershellJson;
        }
        if let Some(rest) = start.strip_prefix('[') {
            // `[hyperv]` opens an INI section; `[ {`, `[]` or `["` a JSON list.
            return match rest.trim_start().chars().next() {
                Some('{' | ']' | '"') | None => Format::PowershellJson,
                _ => Format::AnsibleIni,
            };
        }
        if start.starts_with('(') {
            return Format::Deployment;
        }
        let first = start
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
            .unwrap_or_default();
        let header: String = first.to_lowercase().split_whitespace().collect();
        if header.contains([',', ';']) && header.contains("role") && header.contains("address") {
            Format::Csv
        } else if first == "---" || first.ends_with(':') {
            Format::AnsibleYaml
        } else {
            Format::AnsibleIni
        }
    }
}

/// What several files made: the deployment, notes for stderr (groups that
/// were skipped), and the Ansible groups seen, to check `--map` against.
#[derive(Debug, Default)]
pub struct Imported {
    pub deployment: Deployment,
    pub notes: Vec<String>,
    pub groups: BTreeSet<String>,
    /// Whether any input was an Ansible inventory.
    pub read_inventory: bool,
}

/// Reads a file's text. UTF-8, with or without a BOM, or UTF-16 behind its
/// BOM: Windows PowerShell 5.1 writes `>` redirections as UTF-16LE.
pub fn read(path: &Path) -> Result<String, DeploymentError> {
    let bytes = std::fs::read(path).map_err(|e| DeploymentError {
        path: path.to_path_buf(),
        position: None,
        message: format!("cannot read the file: {e}"),
        hint: None,
    })?;
    crate::file_text::decode(&bytes).map_err(|refused| DeploymentError {
        path: path.to_path_buf(),
        position: refused.at,
        message: refused.message,
        hint: Some(
            "save it as UTF-8 (Excel: Save As \"CSV UTF-8\"; PowerShell: `| Out-File -Encoding utf8 FILE`), \
             or UTF-16 with its BOM"
                .into(),
        ),
    })
}

/// Imports the files in the order given into one deployment.
pub fn import(
    files: &[(PathBuf, String)],
    catalog: &Catalog,
    maps: &[GroupMap],
) -> Result<Imported, DeploymentError> {
    let mut merger = Merger::default();
    let mut imported = Imported::default();
    for (path, text) in files {
        let entries = match Format::detect(path, text) {
            Format::Csv => csv::read(path, text)?,
            Format::PowershellJson => powershell_json::read(path, text)?,
            format @ (Format::AnsibleIni | Format::AnsibleYaml) => {
                let inventory = if format == Format::AnsibleIni {
                    ansible::ini::read(path, text)?
                } else {
                    ansible::yaml::read(path, text)?
                };
                imported.read_inventory = true;
                imported.groups.extend(inventory.groups.keys().cloned());
                let (entries, notes) = inventory.entries(path, maps);
                imported.notes.extend(notes);
                entries
            }
            // Checked as any deployment file is (ports, rule settings, empty
            // roles, at file:line:col), so nothing import writes is refused
            // later.
            Format::Deployment => {
                let parsed = Deployment::parse(text, path)?;
                let checked = crate::deployment::load::check(parsed, text, path, catalog)?;
                merger.take_settings(path, checked)?
            }
        };
        for entry in entries {
            let at = entry.at;
            let (role, machine) = check(path, catalog, entry)?;
            merger.add(path, role, machine, at)?;
        }
    }
    imported.deployment = merger.deployment;
    Ok(imported)
}

fn error(path: &Path, at: Option<Position>, message: String, hint: &str) -> DeploymentError {
    DeploymentError {
        path: path.to_path_buf(),
        position: at,
        message,
        hint: (!hint.is_empty()).then(|| hint.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::Machine;

    #[test]
    fn formats_are_told_apart_without_an_extension() {
        let f = |text| Format::detect(Path::new("inventory"), text);
        assert_eq!(f("[hyperv]\nhv01\n"), Format::AnsibleIni);
        assert_eq!(f("hv01\n"), Format::AnsibleIni);
        assert_eq!(f("[\n  {\"role\": \"x\"}\n]"), Format::PowershellJson);
        assert_eq!(f("{\"role\": \"x\"}"), Format::PowershellJson);
        assert_eq!(f("all:\n  hosts:\n"), Format::AnsibleYaml);
        assert_eq!(f("---\nall:\n"), Format::AnsibleYaml);
        assert_eq!(f("Role, Name, Address\n"), Format::Csv);
        assert_eq!(f("role;name;address\n"), Format::Csv);
        assert_eq!(f("(machines: {})"), Format::Deployment);
        assert_eq!(
            Format::detect(Path::new("x.YAML"), "[a]"),
            Format::AnsibleYaml
        );
    }

    fn import_csv(rows: &str) -> Result<Imported, DeploymentError> {
        let catalog = crate::catalog::embedded().expect("the embedded catalog loads");
        let text = format!("role,name,address\n{rows}");
        import(&[(PathBuf::from("m.csv"), text)], &catalog, &[])
    }

    fn refusal(rows: &str) -> String {
        import_csv(rows).expect_err("refused").to_string()
    }

    /// An earlier deployment file given as input is checked as any
    /// deployment file is: what import writes is never refused later.
    #[test]
    fn a_deployment_file_input_is_checked_whole() {
        let catalog = crate::catalog::embedded().expect("the embedded catalog loads");
        let text = "(\n  machines: {\"hyperv-host\": [(name: \"hv01\")]},\n  ports: {\"BitsTcpPrt\": 8443},\n)";
        let e = import(&[(PathBuf::from("old.ron"), text.into())], &catalog, &[])
            .expect_err("a typo'd setup key is refused");
        assert!(e.to_string().starts_with("old.ron:3:"), "{e}");
        let empty = "(machines: {\"hyperv-host\": []})";
        let e = import(&[(PathBuf::from("old.ron"), empty.into())], &catalog, &[])
            .expect_err("an empty role is refused");
        assert!(e.to_string().contains("lists no machine"), "{e}");
    }

    /// An address-only entry, then a name-only one, then a row giving both:
    /// one machine, not two (the bridge folds them, in this order too).
    #[test]
    fn a_row_with_both_folds_an_address_entry_into_a_name_entry() {
        let imported =
            import_csv("hyperv-host,,10.0.0.1\nhyperv-host,HV01,\nhyperv-host,hv01,10.0.0.1\n")
                .expect("one machine");
        let machines = &imported.deployment.machines["hyperv-host"];
        assert_eq!(machines.len(), 1, "{machines:?}");
        assert_eq!(machines[0].name.as_deref(), Some("HV01"));
        assert_eq!(machines[0].address.as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn every_entry_is_checked_whatever_its_format() {
        assert_eq!(refusal(",hv01,\n"), "m.csv:2:1: the role is empty");
        assert_eq!(
            refusal("hyperv-host,hv01/x,\n"),
            "m.csv:2:13: `hv01/x` is not a host name: `/` is not allowed in a host name"
        );
        assert!(refusal("hyperv-host,hv01,10.0.0.1-10.0.0.5\n").contains("is a range"));
        assert!(refusal("hyperv-host,hv01,LocalSubnet\n").contains("keyword"));
        assert!(refusal("hyperv-host,hv01,10.0.0.0/33\n").contains("prefix length"));
        assert!(refusal("storage-service,s1,\n").contains("runs on vmm-server"));
        assert_eq!(
            refusal("hyperv-host,,\n"),
            "m.csv:2:1: this hyperv-host machine has neither a name nor an address"
        );
    }

    #[test]
    fn a_machine_is_one_by_name_or_address_and_two_values_conflict() {
        let d = import_csv(
            "hyperv-host,HV01,\nhyperv-host,hv01,10.0.0.1\nhyperv-host,,10.0.0.1\nsql,hv01,\n",
        )
        .unwrap()
        .deployment;
        assert_eq!(
            d.machines["hyperv-host"],
            [Machine {
                name: Some("HV01".into()),
                address: Some("10.0.0.1".into())
            }]
        );
        assert_eq!(
            d.machines["sql-server"].len(),
            1,
            "another role, another machine"
        );
        let e = refusal("hyperv-host,hv01,10.0.0.1\nhyperv-host,hv01,10.0.0.2\n");
        assert_eq!(
            e,
            "m.csv:3:1: this hyperv-host machine has the address `10.0.0.2` here but `10.0.0.1` in m.csv:2:1"
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "é,a\nxé,b";
        assert_eq!(position_of(text, 0), (1, 1));
        assert_eq!(position_of(text, 3), (1, 3));
        assert_eq!(position_of(text, text.find('b').unwrap()), (2, 4));
    }
}
