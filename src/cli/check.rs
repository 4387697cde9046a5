//! `vmmports check HOST [QUERY]`: do the ports of the matching connections
//! answer on HOST right now? Results print as they arrive.

use std::io::Write;
use std::sync::mpsc::channel;
use std::time::Duration;

use serde::Serialize;

use super::args::CheckFormat;
use super::{CliError, Outcome};
use crate::catalog::Catalog;
use crate::check::{self, Status, Target};
use crate::query::{parse, select};

#[derive(Serialize)]
struct Row<'a> {
    connection: &'a str,
    port: String,
    transport: &'static str,
    result: &'static str,
    /// Connect time in milliseconds, for open ports.
    ms: Option<f64>,
    /// Why a port was not tested, or the error, and what to do.
    detail: Option<String>,
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
    timeout_ms: u64,
    format: CheckFormat,
) -> Result<(String, Outcome), CliError> {
    let text = words.join(" ");
    let query = parse(&text).map_err(|e| {
        CliError::new(
            format!("bad query term `{}`: {}", e.term, e.message),
            Some(e.hint),
        )
    })?;
    if query.is_empty() {
        return Err(CliError::new(
            "name what to check: vmmports never probes anything you did not ask for",
            Some(format!(
                "add a query, e.g. `vmmports check {host} to:hyper-v` or `vmmports check {host} 5985`"
            )),
        ));
    }
    if !(1..=60_000).contains(&timeout_ms) {
        return Err(CliError::new(
            format!("--timeout {timeout_ms} is out of range"),
            Some("give 1-60000 milliseconds".into()),
        ));
    }
    // A check touches the network, so it tries exactly what was asked:
    // `ipmi` must not also probe a row that merely scatters those letters,
    // and `port:445` tries 445 only (see `query::select`).
    let selected = select(catalog, &query);
    let connections: Vec<_> = selected.iter().collect();
    let targets: Vec<Target> = check::targets(&connections);
    if targets.is_empty() {
        eprintln!("vmmports: nothing to check: no connection (or port) matches `{text}`");
        return Ok((String::new(), Outcome::NoMatch));
    }
    let address = check::resolve(host).map_err(|e| {
        CliError::new(
            format!("unresolved: {e}"),
            Some("check the name, or give an IP address".into()),
        )
    })?;
    let timeout = Duration::from_millis(timeout_ms);

    let mut out = std::io::stdout().lock();
    if format == CheckFormat::Table {
        let ports = if targets.len() == 1 { "port" } else { "ports" };
        let _ = writeln!(
            out,
            "checking {host} ({address}), {} {ports}, timeout {timeout_ms} ms",
            targets.len()
        );
    }
    let (send, receive) = channel();
    let mut statuses: Vec<Option<Status>> = vec![None; targets.len()];
    std::thread::scope(|scope| {
        let targets = &targets;
        scope.spawn(move || check::run(address, host, targets, timeout, &send));
        for (i, status) in receive {
            if format == CheckFormat::Table {
                let _ = writeln!(out, "{}", table_line(&targets[i], &status));
                let _ = out.flush();
            }
            statuses[i] = Some(status);
        }
    });
    let tested: Vec<&Status> = statuses
        .iter()
        .flatten()
        .filter(|s| !matches!(s, Status::Untestable(_)))
        .collect();
    let all_open = !tested.is_empty() && tested.iter().all(|s| matches!(s, Status::Open(_)));
    let outcome = if all_open {
        Outcome::Success
    } else {
        Outcome::NoMatch
    };
    if format == CheckFormat::Table {
        let open = tested
            .iter()
            .filter(|s| matches!(s, Status::Open(_)))
            .count();
        let _ = writeln!(out, "{open} of {} tested ports open", tested.len());
        return Ok((String::new(), outcome));
    }
    let report = Report {
        host,
        address: address.to_string(),
        timeout_ms,
        results: targets
            .iter()
            .zip(&statuses)
            .map(|(t, s)| {
                let status = s.clone().unwrap_or(Status::Failed("no answer".into()));
                Row {
                    connection: &t.connection,
                    port: t.port_text(),
                    transport: t.transport.as_str(),
                    result: status.word(),
                    ms: match status {
                        Status::Open(d) => Some((d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
                        _ => None,
                    },
                    detail: match status {
                        Status::Failed(e) | Status::Untestable(e) => Some(e),
                        _ => None,
                    },
                }
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    Ok((text, outcome))
}

fn table_line(target: &Target, status: &Status) -> String {
    let what = match status {
        Status::Open(d) => format!("open ({:.1} ms)", d.as_secs_f64() * 1000.0),
        Status::Failed(e) => format!("failed: {e}"),
        Status::Untestable(why) => format!("not tested: {why}"),
        other => other.word().to_string(),
    };
    format!(
        "{:<28} {:>11}/{}  {what}",
        target.connection,
        target.port_text(),
        target.transport.as_str()
    )
}
