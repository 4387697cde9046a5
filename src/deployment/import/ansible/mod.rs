//! An Ansible inventory, INI or YAML, read into groups of hosts; each
//! `--map GROUP=ROLE` then makes the hosts of GROUP, and of the groups
//! under it (`:children`), machines of ROLE.
//!
//! A host's name is its inventory name, or `ansible_host` when that is a
//! name (the one DNS knows); its address is `ansible_host` when that is an
//! IP address, or the inventory name when that is one.

pub mod ini;
mod range;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;

use super::{Entry, Located, Position};

/// `--map GROUP=ROLE`, the role already resolved to a component id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMap {
    pub group: String,
    pub role: String,
}

/// A host line, or a host under `hosts:`, one per host after ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub ansible_host: Option<String>,
    pub at: Option<Position>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub children: Vec<String>,
}

/// Groups and their hosts, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub groups: BTreeMap<String, Group>,
    /// Each host in each group it is written under, in file order.
    pub hosts: Vec<(String, Host)>,
}

impl Inventory {
    pub fn group(&mut self, name: &str) -> &mut Group {
        self.groups.entry(name.to_string()).or_default()
    }

    /// The machines the maps make, and a note for each group whose hosts
    /// no map reaches.
    pub fn entries(&self, path: &Path, maps: &[GroupMap]) -> (Vec<Entry>, Vec<String>) {
        let parents = self.parents();
        // Host variables belong to the host wherever it is written (Ansible
        // merges them): a host listed in two groups has one ansible_host.
        let mut ansible_host: BTreeMap<&str, &str> = BTreeMap::new();
        for (_, host) in &self.hosts {
            if let Some(a) = &host.ansible_host {
                ansible_host.insert(&host.name, a);
            }
        }
        let mut entries = Vec::new();
        let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
        for (group, host) in &self.hosts {
            let groups = ancestors(group, &parents);
            let roles: Vec<&str> = maps
                .iter()
                .filter(|m| groups.contains(m.group.as_str()))
                .map(|m| m.role.as_str())
                .collect();
            if roles.is_empty() {
                *skipped.entry(group).or_default() += 1;
            }
            for role in roles {
                entries.push(entry(
                    role,
                    host,
                    ansible_host.get(host.name.as_str()).copied(),
                ));
            }
        }
        let notes = skipped
            .into_iter()
            .map(|(group, count)| {
                format!(
                    "{}: skipped group `{group}` ({}): no --map {group}=ROLE",
                    path.display(),
                    crate::text::count(count, "host")
                )
            })
            .collect();
        (entries, notes)
    }

    /// Each group's parents: those naming it under `:children`, and `all`.
    fn parents(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut parents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, group) in &self.groups {
            for child in &group.children {
                parents.entry(child).or_default().push(name);
            }
        }
        parents
    }
}

/// The group, every group above it, and `all`, which holds every host.
fn ancestors<'a>(group: &'a str, parents: &BTreeMap<&'a str, Vec<&'a str>>) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::from(["all", group]);
    let mut stack = vec![group];
    while let Some(g) = stack.pop() {
        for parent in parents.get(g).into_iter().flatten() {
            // A loop of children (which Ansible refuses) stops here.
            if seen.insert(parent) {
                stack.push(parent);
            }
        }
    }
    seen
}

fn entry(role: &str, host: &Host, ansible_host: Option<&str>) -> Entry {
    let located = |text: &str| Located {
        text: text.to_string(),
        at: host.at,
    };
    let is_ip = |s: &str| s.parse::<IpAddr>().is_ok();
    let (name, address) = match ansible_host {
        Some(a) if is_ip(a) => ((!is_ip(&host.name)).then_some(host.name.as_str()), Some(a)),
        Some(a) => (Some(a), None),
        None if is_ip(&host.name) => (None, Some(host.name.as_str())),
        None => (Some(host.name.as_str()), None),
    };
    Entry {
        role: Located {
            text: role.to_string(),
            at: None,
        },
        name: name.map(located),
        address: address.map(located),
        at: host.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, ansible_host: Option<&str>) -> Host {
        Host {
            name: name.into(),
            ansible_host: ansible_host.map(Into::into),
            at: Some((1, 1)),
        }
    }

    #[test]
    fn a_map_reaches_the_groups_under_it_and_unmapped_groups_are_noted() {
        let mut inventory = Inventory::default();
        inventory.group("hyperv").children.push("east".into());
        inventory.group("east");
        inventory.group("web");
        inventory
            .hosts
            .push(("east".into(), host("hv01", Some("10.0.1.1"))));
        inventory.hosts.push(("web".into(), host("10.0.9.9", None)));
        inventory
            .hosts
            .push(("web".into(), host("w2", Some("w2.contoso.com"))));
        let maps = [GroupMap {
            group: "hyperv".into(),
            role: "hyperv-host".into(),
        }];
        let (entries, notes) = inventory.entries(Path::new("inv"), &maps);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name.as_ref().unwrap().text, "hv01");
        assert_eq!(entries[0].address.as_ref().unwrap().text, "10.0.1.1");
        assert_eq!(
            notes,
            ["inv: skipped group `web` (2 hosts): no --map web=ROLE"]
        );
        let all = [GroupMap {
            group: "all".into(),
            role: "guest-vm".into(),
        }];
        let (entries, _) = inventory.entries(Path::new("inv"), &all);
        assert_eq!(entries.len(), 3);
        // Listed again without ansible_host, hv01 keeps its address.
        inventory.hosts.push(("web".into(), host("hv01", None)));
        let (entries, _) = inventory.entries(Path::new("inv"), &all);
        assert_eq!(entries[3].address.as_ref().unwrap().text, "10.0.1.1");
        assert_eq!(entries[1].name, None);
        assert_eq!(entries[1].address.as_ref().unwrap().text, "10.0.9.9");
        assert_eq!(entries[2].name.as_ref().unwrap().text, "w2.contoso.com");
    }
}
