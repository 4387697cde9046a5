//! `vmmports audit --on ROLE [FILE...]`: would this machine's own firewall
//! let through every VMM flow it must, and which rule decides. The flows
//! are those `rules --on ROLE` would open (with the deployment's and the
//! flags' addresses); the firewall is read from the files (or stdin, or
//! this machine's live ruleset) by `crate::audit`.

use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;

use super::args::{CheckFormat, SettingsArgs};
use super::deployment::Base;
use super::{CliError, Outcome};
use crate::audit::flows::{self, Audited, Verdict};
use crate::audit::model::{Direction, Input, InputError};
use crate::audit::windows::Profile;
use crate::catalog::Catalog;
use crate::text::{count, printable};

/// What the command line asked for.
pub struct Request<'a> {
    pub on: &'a str,
    pub files: &'a [PathBuf],
    pub profile: Option<&'a str>,
    pub settings: SettingsArgs,
    pub format: CheckFormat,
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> Self {
        CliError::new(
            format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message),
            e.hint,
        )
    }
}

pub fn run(
    catalog: &Catalog,
    base: Base,
    request: &Request,
) -> Result<(String, Outcome), CliError> {
    let machine = crate::rules::settings::resolve(catalog, request.on, "--on")?;
    let profile = request.profile.map(parse_profile).transpose()?;
    // Peers' addresses missing from the deployment and the flags are not
    // a refusal here: any address is asked about, and the record says so.
    let mut args = request.settings.clone();
    args.any_for_missing = true;
    let settings = super::rules::settings_from(catalog, base, &args)?;
    let deployed = settings.apply_ports(catalog);
    let inputs = inputs(request.files)?;
    let ruleset = crate::audit::input::read(&inputs, profile)?;
    let flows = flows::flows_on(&deployed, &settings, &machine);
    if flows.is_empty() {
        let hint = if request.settings.outbound {
            "no VMM connection reaches or leaves it through a firewall"
        } else {
            "its connections are all outbound: add --outbound"
        };
        return Err(CliError::new(
            format!("{machine} has no VMM flow to audit"),
            Some(hint.into()),
        ));
    }
    let mut audited = flows::audit(ruleset.as_ref(), &flows);
    // Failing first, in the catalog's order within each verdict.
    audited.sort_by_key(|a| a.verdict);
    let described = ruleset.describe();
    let text = match request.format {
        CheckFormat::Table => table(&deployed, &machine, &audited, &described),
        CheckFormat::Json => {
            let report = Report {
                machine: &machine,
                inputs: &described,
                flows: audited.iter().map(record).collect(),
            };
            serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
        }
    };
    let outcome = if audited.iter().all(|a| a.verdict == Verdict::Allowed) {
        Outcome::Success
    } else {
        Outcome::NoMatch
    };
    Ok((text, outcome))
}

/// The explorer's `--audit ROLE=FILE[,FILE...]`: each machine's firewall,
/// read and checked before the screen changes, so a bad file is said with
/// file:line:col and exit 2.
pub fn for_explorer(
    catalog: &Catalog,
    audits: &[String],
    profile: Option<&str>,
) -> Result<Vec<crate::tui::MachineFirewall>, CliError> {
    let profile = profile.map(parse_profile).transpose()?;
    audits
        .iter()
        .map(|given| {
            let (role, files) = given.split_once('=').ok_or_else(|| {
                CliError::new(
                    format!("--audit {given}: no `=`"),
                    Some("give ROLE=FILE, e.g. --audit hyper-v=HV01-firewall.json".into()),
                )
            })?;
            let machine = crate::rules::settings::resolve(catalog, role, "--audit")?;
            let paths: Vec<PathBuf> = files.split(',').map(PathBuf::from).collect();
            let inputs = inputs(&paths)?;
            let ruleset = crate::audit::input::read(&inputs, profile)?;
            Ok(crate::tui::MachineFirewall {
                machine,
                source: files.to_string(),
                ruleset: ruleset.into(),
            })
        })
        .collect()
}

fn parse_profile(text: &str) -> Result<Profile, CliError> {
    Profile::from_word(text).ok_or_else(|| {
        CliError::new(
            format!("--profile {text}: not a network profile"),
            Some("give domain, private or public".into()),
        )
    })
}

/// The files as given (`-` is stdin), or this machine's live firewall.
fn inputs(files: &[PathBuf]) -> Result<Vec<Input>, CliError> {
    if files.is_empty() {
        return crate::audit::live::read().map_err(|e| CliError::new(e.message, Some(e.hint)));
    }
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(CliError::new(
            "`-` (stdin) is given twice",
            Some("stdin can be read once: give the other input as a file".into()),
        ));
    }
    files
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let mut bytes = Vec::new();
            let read = if name == "-" {
                std::io::stdin().read_to_end(&mut bytes).map(|_| ())
            } else {
                std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
            };
            read.map_err(|e| {
                CliError::new(
                    format!("cannot read {name}: {e}"),
                    Some("give the file the export wrote (see `vmmports audit --help`)".into()),
                )
            })?;
            Ok(Input { name, bytes })
        })
        .collect()
}

/// `from VMM server (10.0.0.5)` or `to WSUS server (any address)`.
fn peer_text(audited: &Audited) -> String {
    let way = match audited.flow.direction {
        Direction::Inbound => "from",
        Direction::Outbound => "to",
    };
    let addresses = if audited.flow.peer_addresses.is_empty() {
        "any address".to_string()
    } else {
        addresses(audited).join(", ")
    };
    format!("{way} {} ({addresses})", audited.flow.peer.join(", "))
}

fn addresses(audited: &Audited) -> Vec<String> {
    audited
        .flow
        .peer_addresses
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// One line per flow, failing first, each not allowed with why, the rules
/// and what was assumed beneath it; a summary.
fn table(catalog: &Catalog, machine: &str, audited: &[Audited], inputs: &[String]) -> String {
    const INDENT: &str = "           ";
    let port = |a: &Audited| format!("{}/{}", a.flow.port_text(), a.flow.protocol.word());
    let port_width = audited.iter().map(|a| port(a).len()).max().unwrap_or(0);
    let id_width = audited
        .iter()
        .map(|a| a.flow.connection.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for a in audited {
        let port = port(a);
        let rules: Vec<String> = a.rules.iter().map(rule_text).collect();
        out.push_str(&format!(
            "{:<9}  {port:<port_width$}  {:<id_width$}  {}",
            a.verdict.word(),
            a.flow.connection,
            peer_text(a),
        ));
        if a.verdict == Verdict::Allowed {
            if !rules.is_empty() {
                out.push_str(&format!("  by {}", rules.join("; ")));
            }
            out.push('\n');
        } else {
            out.push('\n');
            out.push_str(&format!("{INDENT}why: {}\n", printable(&a.why)));
            if !rules.is_empty() {
                out.push_str(&format!("{INDENT}rules: {}\n", rules.join("; ")));
            }
        }
        for assumption in &a.assumptions {
            out.push_str(&format!("{INDENT}assuming: {}\n", printable(assumption)));
        }
    }
    let tally = |v: Verdict| audited.iter().filter(|a| a.verdict == v).count();
    let name = catalog
        .component(machine)
        .map_or(machine, |c| c.name.as_str());
    out.push_str(&format!(
        "{name} ({machine}): {}: {} allowed, {} blocked, {} partly\n",
        count(audited.len(), "flow"),
        tally(Verdict::Allowed),
        tally(Verdict::Blocked),
        tally(Verdict::Partly),
    ));
    for input in inputs {
        out.push_str(&format!("read: {}\n", printable(input)));
    }
    out
}

/// A deciding rule as the table names it: where it is, then what it is
/// when that says more (a Windows rule's display name, the nft statement).
fn rule_text(rule: &crate::audit::model::RuleRef) -> String {
    match &rule.text {
        Some(text) if !rule.place.contains(text.as_str()) => {
            format!("{} \"{}\"", printable(&rule.place), printable(text))
        }
        _ => printable(&rule.place).into_owned(),
    }
}

#[derive(Serialize)]
struct Report<'a> {
    machine: &'a str,
    inputs: &'a [String],
    flows: Vec<FlowRecord>,
}

#[derive(Serialize)]
struct FlowRecord {
    connection: String,
    /// The machines at the other end, by name, `, `-separated.
    peer: String,
    peer_addresses: Vec<String>,
    direction: &'static str,
    protocol: &'static str,
    port: String,
    verdict: &'static str,
    rules: Vec<RuleRecord>,
    why: String,
    assumptions: Vec<String>,
}

#[derive(Serialize)]
struct RuleRecord {
    place: String,
    text: Option<String>,
}

fn record(a: &Audited) -> FlowRecord {
    FlowRecord {
        connection: a.flow.connection.clone(),
        peer: a.flow.peer.join(", "),
        peer_addresses: addresses(a),
        direction: match a.flow.direction {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        },
        protocol: a.flow.protocol.word(),
        port: a.flow.port_text(),
        verdict: a.verdict.word(),
        rules: a
            .rules
            .iter()
            .map(|r| RuleRecord {
                place: r.place.clone(),
                text: r.text.clone(),
            })
            .collect(),
        why: a.why.clone(),
        assumptions: a.assumptions.clone(),
    }
}
