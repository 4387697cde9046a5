//! `vmmports sweep [QUERY]`: every machine of the deployment, probed at once
//! on the ports its role must answer from this machine's role. The sweep
//! runs on threads of its own (see `crate::sweep`); this loop only gathers
//! its events, draws progress on a terminal's stderr, and stops gathering
//! at Ctrl-C or the deadline to print what is known.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::args::CheckFormat;
use super::check::row;
use super::{CliError, Outcome};
use crate::catalog::{Catalog, Connection, Transport};
use crate::check::{self, Finding, Status};
use crate::query::{parse, select};
use crate::sweep::{self, Plan, PortResult, State, Tally, saved};
use crate::text::{count, printable};

/// How the progress line is redrawn, at most.
const REDRAW: Duration = Duration::from_millis(100);

/// What the command line asked for.
pub struct Request<'a> {
    pub words: &'a [String],
    pub as_role: &'a str,
    pub deployment: Option<&'a Path>,
    pub connect_only: bool,
    pub timeout_ms: u64,
    pub format: CheckFormat,
    pub diff: bool,
}

/// Why a sweep ended before every port was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CutShort {
    /// Ctrl-C, SIGTERM or SIGHUP.
    Interrupted,
    /// The sweep's own deadline (see [`deadline`]).
    Deadline,
}

impl CutShort {
    /// The word in the JSON summary.
    fn word(self) -> &'static str {
        match self {
            CutShort::Interrupted => "interrupted",
            CutShort::Deadline => "deadline",
        }
    }
}

/// What a sweep gathered before it ended or was stopped.
struct Gathered {
    tally: Tally,
    /// Why it ended early, if it did.
    cut_short: Option<CutShort>,
    elapsed: Duration,
}

pub fn run(catalog: &Catalog, request: &Request) -> Result<(String, Outcome), CliError> {
    let text = request.words.join(" ");
    let query = parse(&text)?;
    if !(1..=60_000).contains(&request.timeout_ms) {
        return Err(CliError::new(
            format!("--timeout {} is out of range", request.timeout_ms),
            Some("give 1-60000 milliseconds".into()),
        ));
    }
    let from = crate::rules::settings::resolve(catalog, request.as_role, "--as")?;
    let in_use = deployment_for_sweep(request.deployment, catalog)?;
    // The ports setup moved: the config file's, then the deployment's (the
    // file read once, above).
    let config = super::load_config(catalog)?.settings;
    let base = super::deployment::Base::new(catalog, config, Some(&in_use))?;
    let catalog = &base.settings.apply_ports(catalog);
    let super::deployment::InUse { path, deployment } = in_use;
    let selected = select(catalog, &query);
    let connections: Vec<&Connection> = if query.is_empty() {
        catalog.connections.iter().collect()
    } else {
        selected.iter().collect()
    };
    let plan = Arc::new(sweep::plan(catalog, &deployment, &from, &connections));
    if plan.hosts.is_empty() {
        let why = plan
            .not_swept
            .iter()
            .map(not_swept_text)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(CliError::new(
            format!("nothing to sweep in {}", path.display()),
            Some(if why.is_empty() {
                "list machines under `machines:` in the deployment file, e.g. \"hyperv-host\": [(name: \"hv01\", address: \"10.0.1.21\")]".into()
            } else {
                why
            }),
        ));
    }

    let timeout = Duration::from_millis(request.timeout_ms);
    let options = sweep::Options {
        timeout,
        connect_only: request.connect_only,
        sql_ports: check::sql_ports(catalog),
        in_flight: sweep::connect::MAX_IN_FLIGHT,
    };
    let gathered = gather(&plan, options);
    let report = report(&plan, &gathered, &from, request);

    let mut out = match request.format {
        CheckFormat::Json => String::new(),
        CheckFormat::Table => table(&plan, &gathered),
    };
    // A sweep cut short is no baseline: its missing ports would all show
    // as changes next time.
    let key = saved::key(&path, &from, &text, request.connect_only);
    let mut store = saved::default_path().map(|file| saved::Store::open(&file));
    let previous = store.as_ref().and_then(|s| s.previous(&key));
    if let (None, Some(store)) = (gathered.cut_short, &mut store)
        && let Err(e) = store.save(&key, &crate::listen::timestamp(now()), &report)
    {
        eprintln!(
            "vmmports: could not save the sweep in {}: {e}",
            store.path().display()
        );
    }
    let mut report = report;
    if request.diff {
        let changes = previous
            .as_ref()
            .map(|(at, old)| (at, saved::diff(old, &report)));
        match request.format {
            CheckFormat::Table => out.push_str(&diff_text(
                changes.as_ref().map(|(a, c)| (a.as_str(), c.as_slice())),
            )),
            CheckFormat::Json => {
                report["diff"] = match &changes {
                    None => Value::Null,
                    Some((at, changes)) => json!({
                        "since": at,
                        "changes": changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    }),
                };
            }
        }
    }
    if request.format == CheckFormat::Json {
        out = serde_json::to_string_pretty(&report).unwrap_or_default();
        out.push('\n');
    }
    let outcome = match gathered.cut_short {
        Some(CutShort::Interrupted) => Outcome::Interrupted,
        _ if gathered.tally.all_ok() => Outcome::Success,
        _ => Outcome::NoMatch,
    };
    Ok((out, outcome))
}

/// The deployment to sweep, and its path: the file `--deployment` names,
/// else the default one, read and checked as every command reads it.
fn deployment_for_sweep(
    flag: Option<&Path>,
    catalog: &Catalog,
) -> Result<super::deployment::InUse, CliError> {
    match super::deployment::in_use(flag, catalog)? {
        Some(in_use) => Ok(in_use),
        None => Err(CliError::new(
            "no deployment file to sweep",
            Some(match crate::deployment::default_path() {
                Some(path) => format!(
                    "write {} (see docs/deployment.md, or `vmmports deployment import`), or give one with --deployment FILE",
                    path.display()
                ),
                None => "give one with --deployment FILE".into(),
            }),
        )),
    }
}

/// Runs the sweep, gathering its events until it ends, Ctrl-C, or the
/// deadline. Progress goes to stderr when that is a terminal.
fn gather(plan: &Arc<Plan>, options: sweep::Options) -> Gathered {
    let started = Instant::now();
    let deadline = started + deadline(plan, &options);
    // The first signal stops gathering (what is known is printed); a
    // second one ends the process at once.
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let (stop, interrupted) = (Arc::clone(&stop), Arc::clone(&interrupted));
        crate::platform::on_termination(move || {
            if interrupted.swap(true, Ordering::SeqCst) {
                std::process::exit(Outcome::Interrupted as i32);
            }
            stop.store(true, Ordering::SeqCst);
        });
    }
    let events = sweep::spawn(Arc::clone(plan), options, Arc::clone(&stop));
    let mut gathered = Gathered {
        tally: Tally::new(plan),
        cut_short: None,
        elapsed: Duration::ZERO,
    };
    let total = plan.total_ports();
    let progress = std::io::stderr().is_terminal();
    let mut drawn = Instant::now() - REDRAW;
    loop {
        match events.recv_timeout(REDRAW) {
            Ok(event) => gathered.tally.record(event),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if interrupted.load(Ordering::SeqCst) {
            gathered.cut_short = Some(CutShort::Interrupted);
            break;
        }
        if Instant::now() >= deadline {
            stop.store(true, Ordering::SeqCst);
            gathered.cut_short = Some(CutShort::Deadline);
            break;
        }
        if progress && drawn.elapsed() >= REDRAW {
            drawn = Instant::now();
            eprint!(
                "\r\x1b[2Ksweeping {}: {} of {total} ports known ({:.1} s)",
                count(plan.hosts.len(), "machine"),
                gathered.tally.known,
                started.elapsed().as_secs_f64()
            );
        }
    }
    // A signal also stops the sweep itself, which may close the channel
    // before this loop looks at the flag.
    if gathered.cut_short.is_none() && interrupted.load(Ordering::SeqCst) {
        gathered.cut_short = Some(CutShort::Interrupted);
    }
    if progress {
        eprint!("\r\x1b[2K");
    }
    gathered.elapsed = started.elapsed();
    gathered
}

/// How long a sweep may take in all: a timeout per round of lookups
/// (`RESOLVERS` names at a time), one per round of connects (`in_flight` at a time), and three per round of
/// service probes (connect, reply, and TLS's inner exchange), plus slack.
/// Each step is bounded by its timeout, so this only ever catches a bug or
/// a system that ignores timeouts.
fn deadline(plan: &Plan, options: &sweep::Options) -> Duration {
    let rounds = |n: usize, at_once: usize| n.div_ceil(at_once.max(1)) as u32;
    let connects = rounds(plan.total_ports(), options.in_flight);
    let probes = if options.connect_only {
        1
    } else {
        3 * rounds(plan.hosts.len(), sweep::run::SERVICE_WORKERS)
            * rounds(
                plan.roles
                    .iter()
                    .map(|r| r.targets.len())
                    .max()
                    .unwrap_or(1),
                check::MAX_PARALLEL,
            )
    };
    let named = plan.hosts.iter().filter(|h| h.address.is_none()).count();
    let lookups = rounds(named, sweep::run::RESOLVERS).max(1);
    options.timeout * (lookups + connects + probes) + Duration::from_secs(5)
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// A machine as shown: its name, else `-`.
fn name_of(plan: &Plan, h: usize) -> String {
    printable(plan.hosts[h].name.as_deref().unwrap_or("-")).into_owned()
}

/// A machine's address as shown: the one probed, else as given, else `-`.
fn address_of(plan: &Plan, gathered: &Gathered, h: usize) -> Option<String> {
    gathered.tally.address(plan, h).map(|a| a.to_string())
}

/// A port as shown in a machine's line: `5985`, or `623/udp`.
fn port_label(line: &check::PortLine) -> String {
    match line.transport {
        Transport::Tcp => line.port_text(),
        other => format!("{}/{}", line.port_text(), other.as_str()),
    }
}

/// Why a port counts against its machine, in a few words.
fn failure_text(result: Option<&PortResult>) -> String {
    result.map_or_else(|| "not finished".into(), PortResult::summary)
}

/// One line per machine: its failing ports first, then those that passed,
/// then those not tested; a summary; what was not swept.
fn table(plan: &Plan, gathered: &Gathered) -> String {
    let rows: Vec<[String; 4]> = plan
        .hosts
        .iter()
        .enumerate()
        .map(|(h, host)| {
            let role = plan.role_of(host);
            let results = &gathered.tally.results[h];
            let mut failing = Vec::new();
            let mut ok = Vec::new();
            let mut untested = Vec::new();
            for (line, result) in role.lines.iter().zip(results) {
                let label = port_label(line);
                match result {
                    Some(r) if r.state == State::NotTested => untested.push(label),
                    Some(r) if r.ok() => ok.push(label),
                    r => failing.push((label, failure_text(r.as_ref()))),
                }
            }
            let mut parts = Vec::new();
            // A machine down, dropped whole or not resolved fails every
            // port the same way: said once.
            let same = failing.windows(2).all(|w| w[0].1 == w[1].1);
            match failing.first() {
                Some((_, why)) if ok.is_empty() && same && failing.len() > 1 => {
                    parts.push(format!("{why} ({})", count(failing.len(), "port")));
                }
                Some(_) => parts.push(
                    failing
                        .iter()
                        .map(|(label, why)| format!("{label} {why}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                None => {}
            }
            if !ok.is_empty() {
                parts.push(format!("ok: {}", ok.join(",")));
            }
            if !untested.is_empty() {
                parts.push(format!("not tested: {}", untested.join(",")));
            }
            [
                name_of(plan, h),
                address_of(plan, gathered, h).unwrap_or_else(|| "-".into()),
                role.role.clone(),
                parts.join(" · "),
            ]
        })
        .collect();
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for [name, address, role, ports] in &rows {
        out.push_str(&format!(
            "{name:<w0$}  {address:<w1$}  {role:<w2$}  {ports}\n"
        ));
    }
    out.push_str(&summary_text(plan, gathered));
    for skipped in &plan.not_swept {
        out.push_str(&format!("not swept: {}\n", not_swept_text(skipped)));
    }
    out
}

/// `hv-lab (hyperv-host): a subnet, …` or `hyperv-host: nothing …`.
fn not_swept_text(skipped: &sweep::NotSwept) -> String {
    match &skipped.machine {
        Some(machine) => format!("{} ({}): {}", printable(machine), skipped.role, skipped.why),
        None => format!("{}: {}", skipped.role, skipped.why),
    }
}

fn summary_text(plan: &Plan, gathered: &Gathered) -> String {
    let failing = gathered.tally.failing_hosts();
    let ports: Vec<&Option<PortResult>> = gathered.tally.results.iter().flatten().collect();
    let tested = ports
        .iter()
        .filter(|r| r.as_ref().is_none_or(|r| r.state != State::NotTested))
        .count();
    let passed = ports
        .iter()
        .filter(|r| r.as_ref().is_some_and(PortResult::ok))
        .count();
    let states: Vec<String> = gathered
        .tally
        .state_counts()
        .iter()
        .map(|(word, n)| format!("{n} {word}"))
        .collect();
    let mut text = format!(
        "{} swept in {:.1} s: {} not as expected; {passed} of {tested} ports answered as expected ({})\n",
        count(plan.hosts.len(), "machine"),
        gathered.elapsed.as_secs_f64(),
        failing,
        states.join(", ")
    );
    match gathered.cut_short {
        Some(CutShort::Interrupted) => text.push_str("interrupted: what was known so far\n"),
        Some(CutShort::Deadline) => {
            text.push_str("stopped at the sweep's deadline: what was known by then\n")
        }
        None => {}
    }
    text
}

/// The `--diff` lines for a table.
fn diff_text(changes: Option<(&str, &[saved::Change])>) -> String {
    match changes {
        None => "no earlier sweep of this deployment, role and query to compare with\n".into(),
        Some((at, [])) => format!("no change since the last sweep ({at})\n"),
        Some((at, changes)) => {
            let mut text = format!("since the last sweep ({at}):\n");
            for change in changes {
                text.push_str(&format!("  {}\n", printable(&change.to_string())));
            }
            text
        }
    }
}

/// The JSON report: every machine with `check`'s record per port, and the
/// summary.
fn report(plan: &Plan, gathered: &Gathered, from: &str, request: &Request) -> Value {
    let unfinished =
        Finding::unreached(Status::Failed("not finished: the sweep was stopped".into()));
    let hosts: Vec<Value> = plan
        .hosts
        .iter()
        .enumerate()
        .map(|(h, host)| {
            let role = plan.role_of(host);
            let shown = host
                .name
                .clone()
                .or_else(|| address_of(plan, gathered, h))
                .unwrap_or_default();
            let results: Vec<Value> = role
                .lines
                .iter()
                .zip(&gathered.tally.results[h])
                .map(|(line, result)| {
                    let (probe, finding, word) = match result {
                        Some(r) => (r.probe, &r.finding, r.state.word()),
                        None => (crate::catalog::Probe::Tcp, &unfinished, "not finished"),
                    };
                    let mut record = row(line, probe, finding, &shown);
                    record.result = word;
                    serde_json::to_value(&record).unwrap_or(Value::Null)
                })
                .collect();
            json!({
                "role": role.role,
                "name": host.name,
                "address": address_of(plan, gathered, h),
                "results": results,
            })
        })
        .collect();
    let states: serde_json::Map<String, Value> = gathered
        .tally
        .state_counts()
        .into_iter()
        .map(|(word, n)| (word.to_string(), json!(n)))
        .collect();
    let not_swept: Vec<Value> = plan
        .not_swept
        .iter()
        .map(|s| json!({"role": s.role, "machine": s.machine, "why": s.why}))
        .collect();
    json!({
        "hosts": hosts,
        "summary": {
            "as": from,
            "query": request.words.join(" "),
            "machines": plan.hosts.len(),
            "failing": gathered.tally.failing_hosts(),
            "ports": states,
            "not_swept": not_swept,
            "connect_only": request.connect_only,
            "timeout_ms": request.timeout_ms,
            "elapsed_ms": gathered.elapsed.as_millis() as u64,
            "complete": gathered.cut_short.is_none(),
            "cut_short": gathered.cut_short.map(CutShort::word),
        },
    })
}
