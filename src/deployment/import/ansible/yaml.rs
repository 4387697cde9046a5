//! The YAML inventory: groups at the top (usually `all`), each with
//! `hosts:` (a host name, or range, to its variables), `children:` (groups
//! under it, nested the same way) and `vars:` (left alone). Read with
//! saphyr, which keeps every node's line and column.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::{Host, Inventory, range};
use crate::deployment::DeploymentError;
use crate::deployment::import::{Position, error};

const GROUP_HINT: &str =
    "a group is GROUP: {hosts: {HOST: {ansible_host: ADDR}}, children: {GROUP: ...}, vars: {...}}";

pub fn read(path: &Path, text: &str) -> Result<Inventory, DeploymentError> {
    let documents = MarkedYaml::load_from_str(text).map_err(|e| {
        let m = e.marker();
        error(
            path,
            Some((m.line(), m.col() + 1)),
            e.info().to_string(),
            "check the indentation: each level two spaces further in than the one above",
        )
    })?;
    let mut inventory = Inventory::default();
    let Some(top) = documents.first() else {
        return Ok(inventory);
    };
    let reader = Reader { path };
    match &top.data {
        YamlData::Value(Scalar::Null) => {}
        YamlData::Mapping(groups) => {
            for (name, group) in groups {
                let name = reader.key(name)?;
                reader.group(&mut inventory, &name, group)?;
            }
        }
        _ => {
            return Err(reader.fail(
                top,
                "the inventory is not a mapping of groups".into(),
                GROUP_HINT,
            ));
        }
    }
    Ok(inventory)
}

struct Reader<'a> {
    path: &'a Path,
}

impl Reader<'_> {
    fn fail(&self, node: &MarkedYaml, message: String, hint: &str) -> DeploymentError {
        error(self.path, Some(at(node)), message, hint)
    }

    fn group(
        &self,
        inventory: &mut Inventory,
        name: &str,
        node: &MarkedYaml,
    ) -> Result<(), DeploymentError> {
        inventory.group(name);
        let parts = match &node.data {
            YamlData::Value(Scalar::Null) => return Ok(()),
            YamlData::Mapping(parts) => parts,
            _ => {
                return Err(self.fail(
                    node,
                    format!("the group `{name}` is not a mapping"),
                    GROUP_HINT,
                ));
            }
        };
        for (key, value) in parts {
            match self.key(key)?.as_str() {
                "hosts" => self.hosts(inventory, name, value)?,
                "children" => match &value.data {
                    YamlData::Value(Scalar::Null) => {}
                    YamlData::Mapping(children) => {
                        for (child, group) in children {
                            let child = self.key(child)?;
                            inventory.group(name).children.push(child.clone());
                            self.group(inventory, &child, group)?;
                        }
                    }
                    _ => {
                        return Err(self.fail(
                            value,
                            format!("the children of `{name}` are not a mapping of groups"),
                            GROUP_HINT,
                        ));
                    }
                },
                "vars" => {}
                other => {
                    return Err(self.fail(
                        key,
                        format!("unknown key `{other}` in the group `{name}`"),
                        GROUP_HINT,
                    ));
                }
            }
        }
        Ok(())
    }

    fn hosts(
        &self,
        inventory: &mut Inventory,
        group: &str,
        node: &MarkedYaml,
    ) -> Result<(), DeploymentError> {
        let hosts = match &node.data {
            YamlData::Value(Scalar::Null) => return Ok(()),
            YamlData::Mapping(hosts) => hosts,
            _ => {
                return Err(self.fail(
                    node,
                    format!("the hosts of `{group}` are not a mapping"),
                    "hosts: {hv01.contoso.com: {ansible_host: 10.0.1.21}, hv02.contoso.com: }",
                ));
            }
        };
        for (key, vars) in hosts {
            let pattern = self.key(key)?;
            let ansible_host = match &vars.data {
                YamlData::Value(Scalar::Null) => None,
                YamlData::Mapping(vars) => vars
                    .iter()
                    .find(|(k, _)| {
                        matches!(
                            scalar(k).as_deref(),
                            Some("ansible_host" | "ansible_ssh_host")
                        )
                    })
                    .map(|(_, v)| {
                        scalar(v).ok_or_else(|| {
                            self.fail(v, "`ansible_host` is not a name or an address".into(), "")
                        })
                    })
                    .transpose()?,
                _ => {
                    return Err(self.fail(
                        vars,
                        format!("the variables of `{pattern}` are not a mapping"),
                        "HOST: {ansible_host: 10.0.1.21}, or HOST: with nothing after it",
                    ));
                }
            };
            let names = range::hosts(&pattern)
                .map_err(|m| self.fail(key, m, "write a range as hv[01:20].contoso.com"))?;
            for name in names {
                let host = Host {
                    name,
                    ansible_host: ansible_host.clone(),
                    at: Some(at(key)),
                };
                inventory.hosts.push((group.to_string(), host));
            }
        }
        Ok(())
    }

    fn key(&self, node: &MarkedYaml) -> Result<String, DeploymentError> {
        scalar(node).ok_or_else(|| self.fail(node, "expected a name here".into(), GROUP_HINT))
    }
}

/// A scalar as text: `10.0.1.21` and `hv01` alike; numbers as written.
fn scalar(node: &MarkedYaml) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Representation(s, ..) => Some(s.to_string()),
        _ => None,
    }
}

fn at(node: &MarkedYaml) -> Position {
    (node.span.start.line(), node.span.start.col() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_children_and_host_variables_are_read() {
        let text = "\
all:
  hosts:
    vmm01.contoso.com:
  children:
    hyperv:
      hosts:
        hv[01:02].contoso.com:
          ansible_host: 10.0.1.21
      children:
        east:
          hosts:
            10.0.3.7:
    web:
";
        let inv = read(Path::new("inv.yml"), text).unwrap();
        let names: Vec<(&str, &str)> = inv
            .hosts
            .iter()
            .map(|(g, h)| (g.as_str(), h.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("all", "vmm01.contoso.com"),
                ("hyperv", "hv01.contoso.com"),
                ("hyperv", "hv02.contoso.com"),
                ("east", "10.0.3.7"),
            ]
        );
        assert_eq!(inv.hosts[1].1.ansible_host.as_deref(), Some("10.0.1.21"));
        assert_eq!(inv.hosts[1].1.at, Some((7, 9)));
        assert_eq!(inv.groups["hyperv"].children, ["east"]);
        assert!(inv.groups.contains_key("web"));
    }

    #[test]
    fn broken_yaml_and_a_wrong_shape_are_placed() {
        let e = read(
            Path::new("inv.yml"),
            "all:\n  hosts:\n    hv01\n   bad: [\n",
        )
        .unwrap_err();
        assert!(e.position.is_some(), "{e}");
        let e = read(Path::new("inv.yml"), "all:\n  host:\n    hv01:\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "inv.yml:2:3: unknown key `host` in the group `all`"
        );
        let e = read(Path::new("inv.yml"), "all:\n  hosts:\n    - hv01\n").unwrap_err();
        assert!(
            e.to_string().starts_with("inv.yml:3:5: the hosts of `all`"),
            "{e}"
        );
    }
}
