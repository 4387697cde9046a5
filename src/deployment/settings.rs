//! A deployment as rule settings: the addresses of each role, the setup
//! ports and the rule options, laid over the config file's settings.

use super::model::Deployment;
use crate::catalog::Catalog;
use crate::rules::settings::{Settings, SettingsError};

impl Deployment {
    /// `base` (the config file's settings) with this deployment on top.
    /// A role the file names replaces its addresses in `base`: the file is
    /// the list of its machines. Rules are scoped to addresses, never to
    /// names, so a role only has addresses when every machine of it has
    /// one; otherwise it is given none (scoping to some of its machines
    /// would shut the others out), and [`Settings::missing_why`] says why.
    /// Ports replace `base`'s by key; the group and profiles when given;
    /// the yes/no options add to `base`'s.
    pub fn settings(&self, catalog: &Catalog, base: Settings) -> Result<Settings, SettingsError> {
        let mut settings = base;
        for (role, machines) in &self.machines {
            settings.remote.remove(role);
            settings.missing_why.remove(role);
            let unaddressed: Vec<&str> = machines
                .iter()
                .filter(|m| m.address.is_none())
                .map(|m| m.name.as_deref().unwrap_or_default())
                .collect();
            if unaddressed.is_empty() {
                let addresses = machines.iter().filter_map(|m| m.address.clone());
                settings.remote.insert(role.clone(), addresses.collect());
            } else {
                settings.missing_why.insert(
                    role.clone(),
                    format!(
                        "the deployment file gives {role}'s {} by host name only, and rules use addresses, never names: give each an `address:` (an IP or a subnet) there",
                        unaddressed.join(", ")
                    ),
                );
            }
        }
        settings.ports.extend(self.ports.clone());
        let rules = &self.rules;
        if let Some(group) = &rules.group {
            settings.group = group.clone();
        }
        if !rules.profiles.is_empty() {
            settings.profiles = rules.profiles.clone();
        }
        settings.include_dynamic |= rules.include_dynamic;
        settings.outbound |= rules.outbound;
        settings.any_for_missing |= rules.any_for_missing;
        settings.check(catalog)?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::model::Machine;

    fn machine(name: Option<&str>, address: Option<&str>) -> Machine {
        Machine {
            name: name.map(Into::into),
            address: address.map(Into::into),
        }
    }

    #[test]
    fn addresses_replace_the_configs_and_names_alone_give_none() {
        let catalog = crate::catalog::embedded().unwrap();
        let mut base = Settings::default();
        base.remote
            .insert("vmm-server".into(), vec!["10.9.9.9".into()]);
        base.remote
            .insert("sql-server".into(), vec!["10.9.9.8".into()]);
        base.remote
            .insert("library-server".into(), vec!["10.9.9.7".into()]);
        let mut d = Deployment::default();
        d.machines.insert(
            "vmm-server".into(),
            vec![
                machine(Some("vmm01"), Some("10.0.0.5")),
                machine(None, Some("10.0.0.6")),
            ],
        );
        // One machine without an address: scoping to the other would shut it out.
        d.machines.insert(
            "sql-server".into(),
            vec![
                machine(Some("sql01"), Some("10.0.0.7")),
                machine(Some("sql02"), None),
            ],
        );
        d.ports.insert("BitsTcpPort".into(), 8443);
        d.rules.group = Some("Contoso".into());
        let s = d.settings(&catalog, base).unwrap();
        assert_eq!(s.remote["vmm-server"], ["10.0.0.5", "10.0.0.6"]);
        assert!(!s.remote.contains_key("sql-server"));
        assert!(s.why_missing(&["sql-server"]).contains("sql02"));
        // What the file does not name stays as the config gave it.
        assert_eq!(s.remote["library-server"], ["10.9.9.7"]);
        assert_eq!(
            (s.group.as_str(), s.ports["BitsTcpPort"]),
            ("Contoso", 8443)
        );
    }
}
