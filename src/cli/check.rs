//! `vmmports check HOST [QUERY]`: do the ports of the matching connections
//! answer on HOST right now? Results print as they arrive.

use std::io::Write;
use std::sync::mpsc::channel;
use std::time::Duration;

use serde::Serialize;

use super::args::CheckFormat;
use super::{CliError, Outcome};
use crate::catalog::{Catalog, Connection, Probe};
use crate::check::{self, Context, Finding, PortLine, SqlInstance, Status, Target, TlsInfo};
use crate::query::{parse, select};
use crate::rules::settings::resolve;

/// One port's record: the port and transport once, every connection that
/// uses it, and what the check found there. `sweep` writes the same record
/// for each port of each machine.
#[derive(Serialize)]
pub(super) struct Row<'a> {
    port: String,
    transport: &'static str,
    /// Every connection that uses this port, in catalog order.
    connections: &'a [String],
    /// The first of `connections`, for scripts written when there was a
    /// record per connection.
    connection: &'a str,
    pub(super) result: &'static str,
    /// Connect (or reply) time in milliseconds, for open ports.
    ms: Option<f64>,
    /// The probe spoken once the port was reached (the one whose verdict
    /// this is, when the connections name several).
    probe: &'static str,
    /// The service answered as its probe expects.
    answered: bool,
    /// One human line: what answered, or the error and what to do.
    detail: Option<String>,
    warnings: &'a [String],
    /// The next step when the result is not right; null when it is.
    hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<&'a TlsInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instances: Option<&'a [SqlInstance]>,
}

#[derive(Serialize)]
struct Report<'a> {
    host: &'a str,
    address: String,
    timeout_ms: u64,
    results: Vec<Row<'a>>,
}

pub fn run(
    catalog: &Catalog,
    host: &str,
    words: &[String],
    on: Option<&str>,
    timeout_ms: u64,
    format: CheckFormat,
) -> Result<(String, Outcome), CliError> {
    let text = words.join(" ");
    let query = parse(&text)?;
    if query.is_empty() && on.is_none() {
        return Err(CliError::new(
            "name what to check: vmmports never probes anything you did not ask for",
            Some(format!(
                "add a query, e.g. `vmmports check {host} to:hyper-v` or `vmmports check {host} 5985`, or the machine's role: `vmmports check {host} --on hyper-v`"
            )),
        ));
    }
    if !(1..=60_000).contains(&timeout_ms) {
        return Err(CliError::new(
            format!("--timeout {timeout_ms} is out of range"),
            Some("give 1-60000 milliseconds".into()),
        ));
    }
    let on = on.map(|o| resolve(catalog, o, "--on")).transpose()?;
    // A check touches the network, so it tries exactly what was asked:
    // `ipmi` must not also probe a row that merely scatters those letters,
    // and `port:445` tries 445 only (see `query::select`).
    let selected = select(catalog, &query);
    let mut connections: Vec<&Connection> = if query.is_empty() {
        catalog.connections.iter().collect()
    } else {
        selected.iter().collect()
    };
    if let Some(on) = &on {
        connections = crate::check::inbound_on(catalog, connections, on);
    }
    let targets: Vec<Target> = check::targets(&connections);
    if targets.is_empty() {
        let what = match &on {
            Some(on) if query.is_empty() => format!("nothing is placed inbound on `{on}`"),
            Some(on) => format!("no connection (or port) matches `{text}` inbound on `{on}`"),
            None => format!("no connection (or port) matches `{text}`"),
        };
        eprintln!("vmmports: nothing to check: {what}");
        return Ok((String::new(), Outcome::NoMatch));
    }
    let lines = check::port_lines(&targets);
    let timeout = Duration::from_millis(timeout_ms);
    let address = check::resolve(host, timeout).map_err(|e| {
        CliError::new(
            format!("unresolved: {e}"),
            Some("check the name, or give an IP address".into()),
        )
    })?;

    let mut out = std::io::stdout().lock();
    if format == CheckFormat::Table {
        let ports = if lines.len() == 1 { "port" } else { "ports" };
        let _ = writeln!(
            out,
            "checking {host} ({address}), {} {ports}, timeout {timeout_ms} ms",
            lines.len()
        );
    }
    let context = Context {
        host: host.to_string(),
        timeout,
        sql_ports: check::sql_ports(catalog),
    };
    let (send, receive) = channel();
    let mut findings: Vec<Option<Finding>> = vec![None; targets.len()];
    // The table is sorted by port and still streams: a line prints once it
    // and every line above it are known. All ports are probed at once, so
    // a silent one holds the lines below it back by one timeout at most.
    let mut printed = 0;
    std::thread::scope(|scope| {
        let targets = &targets;
        let context = &context;
        scope.spawn(move || check::run(address, targets, context, &send));
        for (i, finding) in receive {
            findings[i] = Some(finding);
            if format != CheckFormat::Table {
                continue;
            }
            while let Some(line) = lines.get(printed) {
                let Some((_, verdict)) = line.verdict(targets, &findings) else {
                    break;
                };
                let _ = write!(out, "{}", table_lines(line, &verdict, host));
                let _ = out.flush();
                printed += 1;
            }
        }
    });
    let verdicts: Vec<(Probe, Finding)> = lines
        .iter()
        .map(|line| {
            line.verdict(&targets, &findings).unwrap_or_else(|| {
                let probe = targets[line.targets[0]].probe;
                (
                    probe,
                    Finding::unreached(Status::Failed("no answer".into())),
                )
            })
        })
        .collect();
    let tested: Vec<&Finding> = verdicts
        .iter()
        .map(|v| &v.1)
        .filter(|f| f.tested())
        .collect();
    // Success only when every port tried was reached and its service
    // answered as expected; warnings (a certificate close to expiry) do
    // not fail the check.
    let all_answered = !tested.is_empty() && tested.iter().all(|f| f.answered);
    let outcome = if all_answered {
        Outcome::Success
    } else {
        Outcome::NoMatch
    };
    if format == CheckFormat::Table {
        let answered = tested.iter().filter(|f| f.answered).count();
        let warnings: usize = tested.iter().map(|f| f.warnings.len()).sum();
        let warnings = match warnings {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        };
        let _ = writeln!(
            out,
            "{answered} of {} tested ports answered as expected{warnings}",
            tested.len()
        );
        return Ok((String::new(), outcome));
    }
    let report = Report {
        host,
        address: address.to_string(),
        timeout_ms,
        results: lines
            .iter()
            .zip(&verdicts)
            .map(|(line, (probe, f))| row(line, *probe, f, host))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    Ok((text, outcome))
}

/// The record of `line`, whose verdict is `finding` from `probe`.
pub(super) fn row<'a>(line: &'a PortLine, probe: Probe, f: &'a Finding, host: &str) -> Row<'a> {
    Row {
        port: line.port_text(),
        transport: line.transport.as_str(),
        connections: &line.connections,
        connection: &line.connections[0],
        result: f.status.word(),
        ms: match f.status {
            Status::Open(d) => Some((d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
            _ => None,
        },
        probe: probe.as_str(),
        answered: f.answered,
        detail: f.detail.clone(),
        warnings: &f.warnings,
        hint: check::hint(f, &line.port_text(), line.transport, host),
        tls: f.tls.as_ref(),
        instances: f.instances.as_deref(),
    }
}

/// Beneath a port's line: its warnings and next step.
const INDENT: &str = "                  ";

/// A port's line (port, result, what answered, the connections it serves),
/// then one indented line per warning, and the next step when it is not
/// right.
fn table_lines(line: &PortLine, finding: &Finding, host: &str) -> String {
    let result = finding.status.text();
    let served = format!("(for {})", line.connections.join(", "));
    let said = match &finding.detail {
        Some(detail) => format!("{detail}  {served}"),
        None => served,
    };
    let mut text = format!(
        "{:>11}/{:<4} {result:<15} {said}\n",
        line.port_text(),
        line.transport.as_str()
    );
    for warning in &finding.warnings {
        text.push_str(&format!("{INDENT}warning: {warning}\n"));
    }
    if let Some(hint) = check::hint(finding, &line.port_text(), line.transport, host) {
        text.push_str(&format!("{INDENT}next: {hint}\n"));
    }
    text
}
