//! Rules made through the library API (`vmmports::rules`), the way
//! `vmmports rules` makes them, for the tests that read or run the generated
//! text without starting the binary: the script, and the plan it must match.

use vmmports::catalog::{Catalog, ComponentKind, Connection};
use vmmports::rules::plan::{self, Rule};
use vmmports::rules::settings::Settings;
use vmmports::rules::{Dialect, Provenance, RulesError};

/// Where the header says the script came from: nothing a test looks for.
pub fn provenance() -> Provenance<'static> {
    Provenance {
        catalog_origin: "tests",
        query: "",
        on: None,
    }
}

/// The script for `conns` in `dialect`, on every machine (no `--on`).
pub fn script(
    catalog: &Catalog,
    conns: &[&Connection],
    dialect: Dialect,
    settings: &Settings,
) -> Result<String, RulesError> {
    vmmports::rules::script(catalog, conns, dialect, settings, None, &provenance())
}

/// The script for every connection of `catalog`, as plain `vmmports rules`
/// writes it.
pub fn script_all(
    catalog: &Catalog,
    dialect: Dialect,
    settings: &Settings,
) -> Result<String, RulesError> {
    let all: Vec<&Connection> = catalog.connections.iter().collect();
    script(catalog, &all, dialect, settings)
}

/// Settings with only `--group` set.
pub fn with_group(group: &str) -> Settings {
    Settings {
        group: group.into(),
        ..Settings::default()
    }
}

/// A planned rule and the kind of machine it goes on.
pub struct Planned {
    pub kind: ComponentKind,
    pub rule: Rule,
}

/// The rules the plan makes for these connections: what the lines must say.
pub fn planned(catalog: &Catalog, conns: &[&Connection], settings: &Settings) -> Vec<Planned> {
    plan::plan(catalog, conns, settings, None)
        .rules()
        .map(|(machine, rule)| Planned {
            kind: machine.kind,
            rule: rule.clone(),
        })
        .collect()
}

/// The planned rules alone, whatever machine they go on.
pub fn planned_rules(catalog: &Catalog, conns: &[&Connection], settings: &Settings) -> Vec<Rule> {
    planned(catalog, conns, settings)
        .into_iter()
        .map(|p| p.rule)
        .collect()
}

/// The lines of `text` that are commands, not comments or blanks.
pub fn commands(text: &str, dialect: Dialect) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !dialect.is_comment_line(l))
        .collect()
}
