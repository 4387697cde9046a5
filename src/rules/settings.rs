//! The deployment settings a real rule set needs: which addresses each
//! component has, the rule group, the firewall profiles, and the ports the
//! admin chose in VMM setup. Parsed from `KEY=VALUE` flags, validated up
//! front, and serialisable so the explorer can keep them in its config file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::address::Address;
use crate::catalog::{Catalog, Connection};

/// Settings for rule generation; `Default` is what an admin gets with no flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Rule group, and the first part of every rule name.
    pub group: String,
    /// Windows Firewall profiles; empty means any.
    pub profiles: Vec<Profile>,
    /// Addresses per component id (as typed; validated by [`Settings::check`]).
    pub remote: BTreeMap<String, Vec<String>>,
    /// Ports chosen in setup, by setup key (VMServer.ini name).
    pub ports: BTreeMap<String, u16>,
    /// Also open the dynamic RPC range the catalog's notes ask for.
    pub include_dynamic: bool,
    /// Also give every source its outbound rules, for estates that deny
    /// outgoing traffic by default.
    pub outbound: bool,
    /// When some peers have addresses and others not, write the rules of
    /// the others open to any address (each marked) instead of refusing.
    pub any_for_missing: bool,
    /// Why a component has no addresses, when the source of the settings
    /// knows (a deployment file that names its machines by host name only);
    /// refusals over missing addresses add it to their hint. Never saved.
    #[serde(skip)]
    pub missing_why: BTreeMap<String, String>,
    /// The deployment file these settings came from, if one did: script
    /// headers name it. Never saved.
    #[serde(skip)]
    pub deployment: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            group: "VMM".into(),
            profiles: Vec::new(),
            remote: BTreeMap::new(),
            ports: BTreeMap::new(),
            include_dynamic: false,
            outbound: false,
            any_for_missing: false,
            missing_why: BTreeMap::new(),
            deployment: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Domain,
    Private,
    Public,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Domain => "Domain",
            Profile::Private => "Private",
            Profile::Public => "Public",
        }
    }
}

/// A setting that cannot be used, with the flag it came from and a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub message: String,
    pub hint: String,
}

fn error(message: impl Into<String>, hint: impl Into<String>) -> SettingsError {
    SettingsError {
        message: message.into(),
        hint: hint.into(),
    }
}

/// The one port VMM setup reserves and never gives to a feature.
pub const RESERVED_PORT: u16 = 5986;

impl Settings {
    /// `--profile domain,private` or `any`.
    pub fn parse_profiles(text: &str) -> Result<Vec<Profile>, SettingsError> {
        let mut out = Vec::new();
        for part in text.split(',').map(|p| p.trim().to_ascii_lowercase()) {
            match part.as_str() {
                "any" | "all" => return Ok(Vec::new()),
                "domain" => out.push(Profile::Domain),
                "private" => out.push(Profile::Private),
                "public" => out.push(Profile::Public),
                _ => {
                    return Err(error(
                        format!("`{part}` is not a firewall profile"),
                        "use --profile any, or a list of domain, private and public (e.g. domain,private)",
                    ));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// `--remote COMPONENT=ADDR[,ADDR...]`, added to what is already set.
    pub fn add_remote(&mut self, catalog: &Catalog, text: &str) -> Result<(), SettingsError> {
        let (component, addresses) = text.split_once('=').ok_or_else(|| {
            error(
                format!("`--remote {text}` has no `=`"),
                "write --remote COMPONENT=ADDR[,ADDR...], e.g. --remote vmm-server=10.0.0.5",
            )
        })?;
        let id = resolve(catalog, component, "--remote")?;
        runs_elsewhere(catalog, &id)?;
        let list: Vec<String> = addresses.split(',').map(|a| a.trim().to_string()).collect();
        for a in &list {
            Address::parse(a).map_err(|e| {
                error(
                    format!("--remote {component}: {e}"),
                    "fix the address and run again",
                )
            })?;
        }
        self.remote.entry(id).or_default().extend(list);
        Ok(())
    }

    /// `--set-port KEY=PORT`.
    pub fn set_port(&mut self, catalog: &Catalog, text: &str) -> Result<(), SettingsError> {
        let (key, port) = text.split_once('=').ok_or_else(|| {
            error(
                format!("`--set-port {text}` has no `=`"),
                "write --set-port KEY=PORT, e.g. --set-port BitsTcpPort=8443",
            )
        })?;
        let feature = catalog
            .setup_features
            .iter()
            .find(|f| f.key.eq_ignore_ascii_case(key.trim()));
        let Some(feature) = feature else {
            return Err(unknown_setup_key(catalog, key.trim()));
        };
        let port = match port.trim().parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) => p as u16,
            _ => {
                return Err(error(
                    format!("--set-port {key}: `{port}` is not a port"),
                    "ports are 1-65535",
                ));
            }
        };
        self.ports.insert(feature.key.clone(), port);
        Ok(())
    }

    /// Checks everything, including what a config file (rather than flags)
    /// may hold: the group, every address, every port choice and clashes.
    pub fn check(&self, catalog: &Catalog) -> Result<(), SettingsError> {
        crate::text::check_plain("--group", &self.group)
            .map_err(|e| error(e, "choose a plain group name, e.g. --group VMM"))?;
        if self.group.trim().is_empty() {
            return Err(error(
                "the group name is empty",
                "give --group a name, e.g. --group VMM",
            ));
        }
        for (component, addresses) in &self.remote {
            if catalog.component(component).is_none() {
                return Err(error(
                    format!("unknown component `{component}` in remote addresses"),
                    "use a component id from `vmmports list`",
                ));
            }
            runs_elsewhere(catalog, component)?;
            for a in addresses {
                Address::parse(a).map_err(|e| {
                    error(
                        format!("remote address of {component}: {e}"),
                        "fix the address",
                    )
                })?;
            }
        }
        let mut owner: BTreeMap<u16, &str> = BTreeMap::new();
        for feature in &catalog.setup_features {
            let port = self.ports.get(&feature.key).copied();
            let Some(port) = port.or(Some(feature.default)) else {
                continue;
            };
            if port == RESERVED_PORT {
                return Err(error(
                    format!(
                        "{}={port}: VMM setup reserves port {RESERVED_PORT} (WinRM over HTTPS) and never assigns it to a feature",
                        feature.key
                    ),
                    "choose another port",
                ));
            }
            if let Some(other) = owner.insert(port, &feature.key) {
                return Err(error(
                    format!("{} and {other} would both use port {port}", feature.key),
                    "each setup feature needs its own port; change one with --set-port KEY=PORT",
                ));
            }
        }
        for key in self.ports.keys() {
            if catalog.setup_feature(key).is_none() {
                return Err(unknown_setup_key(catalog, key));
            }
        }
        Ok(())
    }

    /// Whether the deployment has the machine at `end`: always for a role
    /// itself, and for a machine that is only `also` the role (a host in an
    /// untrusted domain) when it was given addresses; a deployment may have
    /// none such.
    pub fn has(&self, end: &crate::catalog::End) -> bool {
        !end.optional || self.remote.contains_key(&end.machine.id)
    }

    /// The validated addresses of a component; empty when none were given
    /// (or when `Any` was), meaning "any address".
    pub fn addresses(&self, component: &str) -> Vec<Address> {
        let parsed: Vec<Address> = self
            .remote
            .get(component)
            .into_iter()
            .flatten()
            .filter_map(|a| Address::parse(a).ok())
            .collect();
        if parsed.contains(&Address::Keyword("Any")) {
            Vec::new()
        } else {
            parsed
        }
    }

    /// The catalog with every setup-chosen port moved to the admin's value.
    /// Only ports tied to a setup key move: a fixed port that happens to
    /// share the default number (the guest agent's 5985) stays.
    pub fn apply_ports(&self, catalog: &Catalog) -> Catalog {
        let mut out = catalog.clone();
        self.apply_ports_to(&mut out.connections);
        out
    }

    /// [`Settings::apply_ports`] on some connections, in place (a catalog
    /// that is still loading gets them a batch at a time).
    pub fn apply_ports_to(&self, connections: &mut [Connection]) {
        if self.ports.is_empty() {
            return;
        }
        for port in connections.iter_mut().flat_map(|c| c.ports.iter_mut()) {
            if let Some(new) = port.setup_key.as_ref().and_then(|k| self.ports.get(k)) {
                port.first = *new;
                port.last = *new;
            }
        }
    }

    /// What [`Settings::missing_why`] says about the components in
    /// `missing`, as a sentence to end a hint with (empty when nothing).
    pub fn why_missing(&self, missing: &[&str]) -> String {
        missing
            .iter()
            .filter_map(|id| self.missing_why.get(*id))
            .map(|why| format!("; {why}"))
            .collect()
    }

    /// `any`, or the profiles as `domain,private`: how netsh and the settings
    /// form spell them.
    pub fn profiles_text(&self) -> String {
        if self.profiles.is_empty() {
            return "any".into();
        }
        self.profiles
            .iter()
            .map(|p| p.name().to_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// One line per setting that differs from the default, for script headers.
    pub fn describe(&self) -> Vec<String> {
        let mut out = vec![format!("group: {}", self.group)];
        out.push(format!("profile: {}", self.profiles_text()));
        for (component, addresses) in &self.remote {
            out.push(format!("remote: {component}={}", addresses.join(",")));
        }
        for (key, port) in &self.ports {
            out.push(format!("set-port: {key}={port}"));
        }
        if self.include_dynamic {
            out.push("include-dynamic: yes".into());
        }
        if self.outbound {
            out.push("outbound: yes".into());
        }
        if self.any_for_missing {
            out.push("any-for-missing: yes".into());
        }
        out
    }
}

/// A service with no machine of its own has its host's addresses: its own
/// would be ignored everywhere, so say where they belong.
fn runs_elsewhere(catalog: &Catalog, id: &str) -> Result<(), SettingsError> {
    match catalog.component(id).and_then(|c| c.runs_on.as_deref()) {
        Some(host) => Err(error(
            format!("{id} runs on {host}, so it has no addresses of its own"),
            format!("give the addresses of {host}: --remote {host}=ADDR[,ADDR...]"),
        )),
        None => Ok(()),
    }
}

pub(crate) fn unknown_setup_key(catalog: &Catalog, key: &str) -> SettingsError {
    let known: Vec<&str> = catalog
        .setup_features
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    error(
        format!("`{key}` is not a port VMM setup lets you choose"),
        crate::catalog::suggestion("setup key", key, &known),
    )
}

/// A component id from what the user typed, or an error listing candidates.
pub fn resolve(catalog: &Catalog, text: &str, flag: &str) -> Result<String, SettingsError> {
    catalog
        .resolve_component(text)
        .map(|c| c.id.clone())
        .map_err(|candidates| {
            if candidates.is_empty() {
                let all: Vec<&str> = catalog.components.iter().map(|c| c.id.as_str()).collect();
                error(
                    format!("{flag}: no component matches `{text}`"),
                    format!("components: {}", all.join(", ")),
                )
            } else {
                error(
                    format!("{flag}: `{text}` could be any of {}", candidates.join(", ")),
                    "give the component's id",
                )
            }
        })
}
