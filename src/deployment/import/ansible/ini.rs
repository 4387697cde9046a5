//! The INI inventory: `[group]` sections of host lines
//! (`hv01 ansible_host=10.0.1.21`), `[group:children]` sections of group
//! names, `[group:vars]` sections (left alone), comments after `#` or `;`.
//! Hosts above any section are in `ungrouped`, as in Ansible.

use std::path::Path;

use super::{Host, Inventory, range};
use crate::deployment::DeploymentError;
use crate::deployment::import::error;

enum Section {
    Hosts(String),
    Children(String),
    Vars,
}

pub fn read(path: &Path, text: &str) -> Result<Inventory, DeploymentError> {
    let mut inventory = Inventory::default();
    let mut section = Section::Hosts("ungrouped".into());
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let tokens = tokens(line);
        let Some((first, col)) = tokens.first() else {
            continue;
        };
        let at = |col: usize| Some((line_no, col));
        if first.starts_with('[') && tokens.len() == 1 {
            section =
                header(first).map_err(|(message, hint)| error(path, at(*col), message, hint))?;
            match &section {
                Section::Hosts(g) | Section::Children(g) => {
                    inventory.group(g);
                }
                Section::Vars => {}
            }
            continue;
        }
        match &section {
            Section::Vars => {}
            Section::Children(parent) => {
                inventory.group(first);
                inventory.group(parent).children.push(first.clone());
            }
            Section::Hosts(group) => {
                let mut ansible_host = None;
                for (token, col) in &tokens[1..] {
                    let Some((key, value)) = token.split_once('=') else {
                        return Err(error(
                            path,
                            at(*col),
                            format!("`{token}` is not a host variable"),
                            "after the host come key=value pairs: hv01 ansible_host=10.0.1.21",
                        ));
                    };
                    if key == "ansible_host" || key == "ansible_ssh_host" {
                        ansible_host = Some(value.to_string());
                    }
                }
                let names = range::hosts(first).map_err(|message| {
                    error(
                        path,
                        at(*col),
                        message,
                        "write a range as hv[01:20].contoso.com",
                    )
                })?;
                inventory.group(group);
                for name in names {
                    let host = Host {
                        name,
                        ansible_host: ansible_host.clone(),
                        at: at(*col),
                    };
                    inventory.hosts.push((group.clone(), host));
                }
            }
        }
    }
    Ok(inventory)
}

fn header(line: &str) -> Result<Section, (String, &'static str)> {
    let hint = "a section is [GROUP], [GROUP:children] or [GROUP:vars]";
    let inside = line
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .ok_or_else(|| {
            (
                format!("`{line}` opens a section but does not close it"),
                hint,
            )
        })?
        .trim();
    let (group, kind) = inside.split_once(':').unwrap_or((inside, ""));
    if group.is_empty() || group.contains(char::is_whitespace) {
        return Err((format!("`{inside}` is not a group name"), hint));
    }
    match kind {
        "" => Ok(Section::Hosts(group.to_string())),
        "children" => Ok(Section::Children(group.to_string())),
        "vars" => Ok(Section::Vars),
        other => Err((format!("unknown section kind `:{other}`"), hint)),
    }
}

/// A line's words and their 1-based columns, as Ansible splits a host
/// line (shell-like): quotes group, `#` or `;` at a word's start ends the
/// line.
fn tokens(line: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut quote: Option<char> = None;
    for (col, c) in line.chars().enumerate().map(|(i, c)| (i + 1, c)) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.get_or_insert((String::new(), col)).0.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.get_or_insert((String::new(), col));
            }
            (None, c) if c.is_whitespace() => out.extend(current.take()),
            (None, '#' | ';') if current.is_none() => break,
            (None, c) => current.get_or_insert((String::new(), col)).0.push(c),
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_children_ranges_and_variables_are_read() {
        let text = "\
# the fleet
vmm01.contoso.com ansible_host=10.0.0.5

[hyperv]
hv[01:03].contoso.com
hv10 ansible_host='10.0.1.10' ansible_user=admin  # a comment

[hyperv:vars]
ansible_user=admin

[fabric:children]
hyperv
";
        let inv = read(Path::new("hosts"), text).unwrap();
        let names: Vec<(&str, &str)> = inv
            .hosts
            .iter()
            .map(|(g, h)| (g.as_str(), h.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("ungrouped", "vmm01.contoso.com"),
                ("hyperv", "hv01.contoso.com"),
                ("hyperv", "hv02.contoso.com"),
                ("hyperv", "hv03.contoso.com"),
                ("hyperv", "hv10"),
            ]
        );
        assert_eq!(inv.hosts[4].1.ansible_host.as_deref(), Some("10.0.1.10"));
        assert_eq!(inv.hosts[4].1.at, Some((6, 1)));
        assert_eq!(inv.groups["fabric"].children, ["hyperv"]);
    }

    #[test]
    fn a_broken_line_is_placed() {
        let e = read(Path::new("hosts"), "[hyperv]\nhv[05:01]\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("hosts:2:1: `hv[05:01]`: the range ends"),
            "{e}"
        );
        let e = read(Path::new("hosts"), "[hyperv]\n  hv01 10.0.0.1\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("hosts:2:8: `10.0.0.1` is not a host variable"),
            "{e}"
        );
        let e = read(Path::new("hosts"), "[hyperv:child]\n").unwrap_err();
        assert!(
            e.to_string().starts_with("hosts:1:1: unknown section kind"),
            "{e}"
        );
    }
}
