//! `vmmports flows`, `policy` and `diagram`: the hand-off to the team that
//! runs the network firewalls, as a table of flows, an Aerleon policy, or a
//! picture.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::args::{DiagramFormat, FlowsFormat};
use super::record::PortRecord;
use super::style::Painter;
use super::table::{self, Cell, Column};
use super::{CliError, Outcome};
use crate::catalog::{Catalog, Connection};
use crate::flows::table::{HEADER, cells, markdown};
use crate::flows::{Flow, addresses, aerleon, diagram, flows, named_by};
use crate::query::{parse, select};
use crate::rules::quote::shell_word;
use crate::rules::settings::Settings;

/// What the three commands share: the settings (the config file's, the
/// deployment file's, then `--remote`), the catalog as deployed, and the connections the query
/// selects exactly, as `rules` does.
pub struct Selection {
    pub settings: Settings,
    pub catalog: Catalog,
    pub connections: Vec<Connection>,
    query: crate::query::Query,
}

impl Selection {
    /// `base` settings (the config file's, then the deployment file's),
    /// then `remote` and `include_dynamic` on top.
    pub fn new(
        catalog: &Catalog,
        base: super::deployment::Base,
        remote: &[String],
        include_dynamic: bool,
        words: &[String],
    ) -> Result<Selection, CliError> {
        let query = parse(&words.join(" "))?;
        // The same path as `rules` takes from its flags to its settings.
        let flags = super::args::SettingsArgs {
            remote: remote.to_vec(),
            include_dynamic,
            ..Default::default()
        };
        let settings = super::rules::settings_from(catalog, base, &flags)?;
        let deployed = settings.apply_ports(catalog);
        let connections = select(&deployed, &query);
        Ok(Selection {
            settings,
            catalog: deployed,
            connections,
            query,
        })
    }

    /// The selected connections' flows whose ends the query names.
    pub fn flows(&self) -> Vec<Flow<'_>> {
        let refs: Vec<&Connection> = self.connections.iter().collect();
        let dynamic = self.settings.include_dynamic;
        named_by(flows(&self.catalog, &refs, dynamic), &self.query)
    }
}

/// Exit 0 with flows, 1 when none match (as `list` does).
fn outcome(flows: &[Flow]) -> Outcome {
    if flows.is_empty() {
        Outcome::NoMatch
    } else {
        Outcome::Success
    }
}

pub fn run_flows(
    selection: &Selection,
    format: FlowsFormat,
    painter: &Painter,
    width: usize,
) -> Result<(String, Outcome), CliError> {
    let flows = selection.flows();
    let settings = &selection.settings;
    let text = match format {
        FlowsFormat::Table => table_text(&flows, settings, painter, width),
        FlowsFormat::Csv => csv_text(&flows, settings)?,
        FlowsFormat::Markdown => markdown(&flows, settings),
        FlowsFormat::Json => json_text(&selection.catalog, &flows, settings),
    };
    Ok((text, outcome(&flows)))
}

fn table_text(flows: &[Flow], settings: &Settings, painter: &Painter, width: usize) -> String {
    let column = |title, shrinkable| Column { title, shrinkable };
    // The purpose is too long for a terminal line; CSV, Markdown and JSON
    // carry it. Addresses are cut only when nothing else can give (a
    // `--width` narrower than the other columns' least): they are what the row is for.
    let columns = [
        column("SOURCE", true),
        column("SOURCE ADDRESSES", false),
        column("DESTINATION", true),
        column("DESTINATION ADDRESSES", false),
        column("PROTO", false),
        column("PORTS", true),
        column("SERVICE", true),
        column("CONNECTION", true),
        column("DOCS", false),
    ];
    const PURPOSE: usize = 7;
    let rows: Vec<Vec<Cell>> = flows
        .iter()
        .map(|f| {
            let mut row: Vec<Cell> = cells(f, settings).into_iter().map(Cell::plain).collect();
            row.remove(PURPOSE);
            row
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    table::render(&columns, &rows, width, painter)
}

fn csv_text(flows: &[Flow], settings: &Settings) -> Result<String, CliError> {
    super::csv_out::write(
        HEADER,
        flows.iter().map(|flow| {
            let mut row = cells(flow, settings);
            row[9] = flow.from_docs().to_string();
            row
        }),
    )
}

/// One flow in `flows --format json`. Names follow [`HEADER`]; the ids
/// come along for scripts.
#[derive(Serialize)]
struct FlowRecord<'a> {
    source: &'a str,
    source_id: &'a str,
    /// Empty when none were given (the text formats say `(address not given)`).
    source_addresses: &'a [String],
    destination: &'a str,
    destination_id: &'a str,
    destination_addresses: &'a [String],
    protocol: &'static str,
    ports: Vec<PortRecord<'a>>,
    service: String,
    purpose: String,
    /// The connection ids merged into the flow, comma-separated.
    connection: String,
    /// The same ids, as a list.
    connections: Vec<&'a str>,
    from_docs: bool,
}

fn json_text(catalog: &Catalog, flows: &[Flow], settings: &Settings) -> String {
    let records: Vec<FlowRecord> = flows
        .iter()
        .map(|f| FlowRecord {
            source: &f.source.name,
            source_id: &f.source.id,
            source_addresses: addresses(settings, f.source).unwrap_or_default(),
            destination: &f.destination.name,
            destination_id: &f.destination.id,
            destination_addresses: addresses(settings, f.destination).unwrap_or_default(),
            protocol: f.protocol.as_str(),
            ports: f
                .ports
                .iter()
                .map(|p| PortRecord::new(catalog, p))
                .collect(),
            service: f.service(),
            purpose: f.purpose(),
            connection: f.connection_ids().join(", "),
            connections: f.connection_ids(),
            from_docs: f.from_docs(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&records).unwrap_or_default();
    text.push('\n');
    text
}

/// `vmmports policy`: the three files, replaced together (see
/// [`crate::atomic_file::write_all`]).
pub fn run_policy(
    selection: &Selection,
    out: &Path,
    targets: &[String],
    any_for_missing: bool,
) -> Result<(String, Outcome), CliError> {
    let (flows, left_out) = crate::flows::present(selection.flows(), &selection.settings);
    // The flag, or the rule settings' (the config or the deployment file).
    let any_for_missing = any_for_missing || selection.settings.any_for_missing;
    let policy = aerleon::policy(&flows, &selection.settings, targets, any_for_missing)
        .map_err(|e| CliError::new(e.message, Some(e.hint)))?;
    // Every folder first, so a folder that cannot be made leaves no file.
    for (file, _) in policy.files() {
        let path = out.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CliError::new(
                    format!("cannot create {}: {e}", parent.display()),
                    Some("choose another --out folder".into()),
                )
            })?;
        }
    }
    let paths: Vec<PathBuf> = policy
        .files()
        .iter()
        .map(|(file, _)| out.join(file))
        .collect();
    let files: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(policy.files())
        .map(|(path, (_, text))| (path.as_path(), text.as_bytes()))
        .collect();
    crate::atomic_file::write_all(&files).map_err(|e| {
        let hint = if e.replaced.is_empty() {
            "nothing there was replaced; move what is in the way, or choose another --out folder"
                .to_string()
        } else {
            let replaced: Vec<String> =
                e.replaced.iter().map(|p| p.display().to_string()).collect();
            format!(
                "only these were replaced, and could not be put back: {}",
                replaced.join(", ")
            )
        };
        CliError::new(
            format!("cannot write the policy into {}: {e}", out.display()),
            Some(hint),
        )
    })?;
    let written: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut named: Vec<&str> = Vec::new();
    for target in targets {
        if !named.contains(&target.as_str()) {
            named.push(target);
        }
    }
    // Never silent about what a deployment was taken not to have.
    let left_out: String = left_out
        .iter()
        .map(|m| {
            format!(
                "left out: {} ({}), which has no --remote; give --remote {}=ADDR if this deployment has one\n",
                m.name, m.id, m.id
            )
        })
        .collect();
    // The `next:` line is pasted into a shell: each folder is one word there.
    let option = |name: &str, folder: &str| {
        let word = format!("--{name}={}", out.join(folder).display());
        shell_word(crate::platform::OS, &word)
    };
    let report = format!(
        "{left_out}wrote an Aerleon policy of {} flows (targets: {}):\n  {}\nnext: aclgen {} {} {}\n",
        flows.len(),
        named.join(", "),
        written.join("\n  "),
        option("base_directory", "policies"),
        option("definitions_directory", "def"),
        option("output_directory", "acls"),
    );
    Ok((report, Outcome::Success))
}

/// `vmmports diagram`.
pub fn run_diagram(
    selection: &Selection,
    format: DiagramFormat,
) -> Result<(String, Outcome), CliError> {
    let flows = selection.flows();
    let language = match format {
        DiagramFormat::Mermaid => diagram::Language::Mermaid,
        DiagramFormat::Dot => diagram::Language::Dot,
    };
    Ok((diagram::diagram(&flows, language), outcome(&flows)))
}
