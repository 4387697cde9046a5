//! `vmmports check HOST [QUERY]`: do the ports of the matching connections
//! answer on HOST right now? Results print as they arrive.

use std::io::Write;
use std::sync::mpsc::channel;
use std::time::Duration;

use serde::Serialize;

use super::args::CheckFormat;
use super::{CliError, Outcome};
use crate::catalog::Catalog;
use crate::check::{self, Context, Finding, SqlInstance, Status, Target, TlsInfo};
use crate::query::{parse, select};

#[derive(Serialize)]
struct Row<'a> {
    connection: &'a str,
    port: String,
    transport: &'static str,
    result: &'static str,
    /// Connect (or reply) time in milliseconds, for open ports.
    ms: Option<f64>,
    /// The probe spoken once the port was reached.
    probe: &'static str,
    /// The service answered as its probe expects.
    answered: bool,
    /// One human line: what answered, or the error and what to do.
    detail: Option<String>,
    warnings: &'a [String],
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
    timeout_ms: u64,
    format: CheckFormat,
) -> Result<(String, Outcome), CliError> {
    let text = words.join(" ");
    let query = parse(&text)?;
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
    let timeout = Duration::from_millis(timeout_ms);
    let address = check::resolve(host, timeout).map_err(|e| {
        CliError::new(
            format!("unresolved: {e}"),
            Some("check the name, or give an IP address".into()),
        )
    })?;

    let mut out = std::io::stdout().lock();
    if format == CheckFormat::Table {
        let ports = if targets.len() == 1 { "port" } else { "ports" };
        let _ = writeln!(
            out,
            "checking {host} ({address}), {} {ports}, timeout {timeout_ms} ms",
            targets.len()
        );
    }
    let context = Context {
        host: host.to_string(),
        timeout,
        sql_ports: check::sql_ports(catalog),
    };
    let (send, receive) = channel();
    let mut findings: Vec<Option<Finding>> = vec![None; targets.len()];
    std::thread::scope(|scope| {
        let targets = &targets;
        let context = &context;
        scope.spawn(move || check::run(address, targets, context, &send));
        for (i, finding) in receive {
            if format == CheckFormat::Table {
                let _ = write!(out, "{}", table_lines(&targets[i], &finding));
                let _ = out.flush();
            }
            findings[i] = Some(finding);
        }
    });
    let findings: Vec<Finding> = findings
        .into_iter()
        .map(|f| f.unwrap_or_else(|| Finding::unreached(Status::Failed("no answer".into()))))
        .collect();
    let tested: Vec<&Finding> = findings.iter().filter(|f| f.tested()).collect();
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
        results: targets
            .iter()
            .zip(&findings)
            .map(|(t, f)| Row {
                connection: &t.connection,
                port: t.port_text(),
                transport: t.transport.as_str(),
                result: f.status.word(),
                ms: match f.status {
                    Status::Open(d) => Some((d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
                    _ => None,
                },
                probe: t.probe.as_str(),
                answered: f.answered,
                detail: f.detail.clone(),
                warnings: &f.warnings,
                tls: f.tls.as_ref(),
                instances: f.instances.as_deref(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    Ok((text, outcome))
}

/// A port's line, then one indented line per warning.
fn table_lines(target: &Target, finding: &Finding) -> String {
    let result = finding.status.text();
    let detail = finding.detail.clone().unwrap_or_default();
    let mut text = format!(
        "{:<28} {:>11}/{}  {result:<15} {detail}",
        target.connection,
        target.port_text(),
        target.transport.as_str()
    )
    .trim_end()
    .to_string();
    text.push('\n');
    for warning in &finding.warnings {
        text.push_str(&format!("{:<28}   warning: {warning}\n", ""));
    }
    text
}
