//! `vmmports rules`: a firewall script for the connections a query matches.

use std::collections::BTreeSet;

use super::args::{DialectArg, SettingsArgs};
use super::deployment::Base;
use super::{CliError, Outcome};
use crate::catalog::Catalog;
use crate::query::{parse, select};
use crate::rules::settings::{Settings, SettingsError, resolve};
use crate::rules::{Provenance, RulesError, script};

impl From<SettingsError> for CliError {
    fn from(e: SettingsError) -> Self {
        CliError::new(e.message, Some(e.hint))
    }
}

impl From<RulesError> for CliError {
    fn from(e: RulesError) -> Self {
        CliError::new(e.message, Some(e.hint))
    }
}

/// Builds settings from flags on top of `base` (the config file's, then
/// the deployment file's). A `--remote` for a role the deployment file
/// lists replaces the file's addresses for it; otherwise flags add to it.
pub fn settings_from(
    catalog: &Catalog,
    base: Base,
    args: &SettingsArgs,
) -> Result<Settings, CliError> {
    let mut settings = base.settings;
    if let Some(group) = &args.group {
        settings.group = group.clone();
    }
    if let Some(profile) = &args.profile {
        settings.profiles = Settings::parse_profiles(profile)?;
    }
    let mut overridden = BTreeSet::new();
    for remote in &args.remote {
        let role = remote
            .split_once('=')
            .and_then(|(role, _)| resolve(catalog, role, "--remote").ok());
        if let Some(id) = role
            && base.file_roles.contains(&id)
            && overridden.insert(id.clone())
        {
            settings.remote.remove(&id);
            settings.missing_why.remove(&id);
        }
        settings.add_remote(catalog, remote)?;
    }
    for port in &args.set_port {
        settings.set_port(catalog, port)?;
    }
    settings.include_dynamic |= args.include_dynamic;
    settings.outbound |= args.outbound;
    settings.any_for_missing |= args.any_for_missing;
    settings.check(catalog)?;
    Ok(settings)
}

pub fn run(
    catalog: &Catalog,
    origin: &str,
    words: &[String],
    format: DialectArg,
    on: Option<&str>,
    base: Base,
    args: &SettingsArgs,
) -> Result<(String, Outcome), CliError> {
    // The query is echoed into the script header; `Cli::parse_args` has
    // already refused control and invisible characters in every argument.
    let text = words.join(" ");
    let query = parse(&text)?;
    let settings = settings_from(catalog, base, args)?;
    // Search the catalog as deployed: with the admin's setup ports, so
    // `port:8443` finds the BITS rows after `--set-port BitsTcpPort=8443`.
    let effective = settings.apply_ports(catalog);
    let on = on.map(|o| resolve(&effective, o, "--on")).transpose()?;
    // Exactly what was asked: plain-text words, and only the ports named.
    let selected = select(&effective, &query);
    let connections: Vec<_> = selected.iter().collect();
    let provenance = Provenance {
        catalog_origin: origin,
        query: &text,
        on: on.as_deref(),
    };
    let script = script(
        &effective,
        &connections,
        format.into(),
        &settings,
        on.as_deref(),
        &provenance,
    )?;
    let outcome = if connections.is_empty() {
        Outcome::NoMatch
    } else {
        Outcome::Success
    };
    Ok((script, outcome))
}
