//! `vmmports listen [QUERY]`: listen on the selected ports here, so the other
//! side can test the firewall path while the real service is stopped.
//! Attempts print as they arrive; a summary per port ends the run.
//!
//! Stopping it must work whatever its output does. The serving loop never
//! writes: attempts and the summary go through an [`OutputThread`], which
//! drops (and counts) lines rather than make the loop wait for a reader.
//! The first signal stops the loop, whose summary then gets [`GRACE`] to be
//! written when the output is stuck; a second signal exits at once (130).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::output_thread::OutputThread;
use super::{CliError, Outcome};
use crate::catalog::Catalog;
use crate::listen::{self, Attempt, End, Heard, Listeners, Plan, Port, Tally};
use crate::query::{TermKind, parse, select};

pub fn run(
    catalog: &Catalog,
    words: &[String],
    duration: &str,
    bind: &str,
) -> Result<(String, Outcome), CliError> {
    let text = words.join(" ");
    let query = parse(&text)?;
    if query.is_empty() {
        return Err(CliError::new(
            "name what to listen for: vmmports never opens a port you did not ask for",
            Some(
                "add a query, e.g. `vmmports listen port:5985` or `vmmports listen vmm-to-bmc-ipmi`"
                    .into(),
            ),
        ));
    }
    let duration = listen::parse_duration(duration).map_err(|e| {
        CliError::new(
            format!("--for: {e}"),
            Some("give a duration such as 90s, 10m, 1h or 500ms (at most 7d)".into()),
        )
    })?;
    let address = listen::parse_address(bind).map_err(|e| {
        CliError::new(
            format!("--bind: {e}"),
            Some(
                "give an IP address of this machine: 0.0.0.0 (every IPv4 address), :: (IPv6), \
                 127.0.0.1, or one of its own, e.g. 10.0.0.5"
                    .into(),
            ),
        )
    })?;

    // Listening opens ports, so it takes exactly what was asked, as `check`
    // does (see `query::select`); `port:` terms also cut a range down.
    let selected = select(catalog, &query);
    let targets = listen::wanted(&selected);
    let within: Vec<Vec<(u16, u16)>> = query
        .terms
        .iter()
        .filter(|t| !t.negated)
        .filter_map(|t| match &t.kind {
            TermKind::Port(ranges) => Some(ranges.clone()),
            _ => None,
        })
        .collect();
    let Plan { ports, skipped } = listen::plan(&targets, &within);

    // Before anything listens, a plain write: a signal still ends the
    // process the default way here.
    let mut out = std::io::stdout().lock();
    for skip in &skipped {
        let _ = writeln!(
            out,
            "note: not listening on {}/{} ({}): {}",
            skip.target.port_text(),
            skip.target.transport.as_str(),
            skip.target.connection,
            skip.why
        );
    }
    if ports.is_empty() {
        let _ = out.flush();
        let why = if targets.is_empty() {
            format!("no connection (or port) matches `{text}`")
        } else {
            "every port selected was skipped (see the notes above)".to_string()
        };
        eprintln!("vmmports: nothing to listen on: {why}");
        return Ok((String::new(), Outcome::NoMatch));
    }
    let _ = out.flush();
    drop(out);

    // Ctrl-C (SIGINT), SIGTERM and SIGHUP, or Ctrl-C and Ctrl-Break on
    // Windows, end the run with its summary instead of killing it; a second
    // one ends it at once. Set before binding, so that once a port is bound
    // a signal is always one of listen's.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        crate::platform::on_termination(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(Outcome::Interrupted as i32);
            }
        });
    }
    let listeners =
        listen::bind(address, ports).map_err(|errors| bind_failure(address, &errors))?;

    let started = Instant::now();
    let until = started + duration;
    let ends_at = time::OffsetDateTime::now_utc()
        .checked_add(time::Duration::try_from(duration).unwrap_or(time::Duration::ZERO))
        .map_or_else(|| "later".to_string(), listen::timestamp);

    let output = OutputThread::stdout();
    output.send(header(&listeners, &ends_at, duration));
    let (end, tallies) = listeners.serve(until, &stop, |attempt| {
        output.send(format!("{}\n", attempt_line(attempt)));
    });
    let mut text = summary(listeners.ports(), &tallies, end, started.elapsed());
    text.push_str(&dropped_note(output.dropped()));
    // A run whose time is up waits for its reader, as any program does; a
    // stopped one waits GRACE at most, counted from when the stop is seen.
    let mut stopped_at = None;
    output.finish(text, || {
        stop.load(Ordering::SeqCst)
            && stopped_at.get_or_insert_with(Instant::now).elapsed() >= GRACE
    });
    let arrived = tallies.iter().any(|t| t.attempts() > 0);
    Ok((
        String::new(),
        if arrived {
            Outcome::Success
        } else {
            Outcome::NoMatch
        },
    ))
}

/// How long a stopped run waits for a stuck output to take its summary.
pub const GRACE: Duration = Duration::from_millis(500);

/// What the summary says when attempt lines were dropped, or nothing.
fn dropped_note(dropped: u64) -> String {
    if dropped == 0 {
        return String::new();
    }
    format!(
        "{dropped} attempt {} not shown: the output was not read as fast as attempts came \
         (the counts above include them)\n",
        if dropped == 1 {
            "line was"
        } else {
            "lines were"
        }
    )
}

/// Every port that could not be bound, one line each, and an error that
/// says nothing was opened.
fn bind_failure(address: std::net::IpAddr, errors: &[listen::BindError]) -> CliError {
    let details = errors
        .iter()
        .map(|e| format!("vmmports: {}", e.message(address)))
        .collect::<Vec<_>>()
        .join("\n");
    let count = errors.len();
    let (ports, they) = if count == 1 {
        ("port", "it")
    } else {
        ("ports", "them")
    };
    let hint = errors.iter().any(listen::BindError::in_use).then(|| {
        format!(
            "see who holds {they}: `ss -ltnup` on Linux, `Get-NetTCPConnection -State Listen` or \
             `netstat -ano` on Windows; or narrow the query"
        )
    });
    CliError {
        message: format!(
            "{count} {ports} could not be bound on {address}, so vmmports listens on nothing"
        ),
        hint,
        details: Some(details),
    }
}

/// What is listened on, where, and until when.
fn header(listeners: &Listeners, ends_at: &str, duration: Duration) -> String {
    let ports = listeners.ports();
    let width = ports.iter().map(|p| p.label().len()).max().unwrap_or(0);
    let mut text = format!(
        "listening on {} until {ends_at} ({}), {} {}:\n",
        listeners.address(),
        humantime::format_duration(duration),
        ports.len(),
        if ports.len() == 1 { "port" } else { "ports" }
    );
    for port in ports {
        text.push_str(&format!(
            "  {:<width$}  {}\n",
            port.label(),
            port.connections.join(", ")
        ));
    }
    text.push_str("waiting; Ctrl-C ends\n");
    text
}

/// `2026-12-02T00:41:07Z  10.0.0.5:51234 -> 5985/tcp  vmm-to-host-winrm`,
/// then, for a datagram left unanswered, why.
fn attempt_line(attempt: &Attempt) -> String {
    let line = format!(
        "{}  {} -> {}  {}",
        listen::timestamp(attempt.at),
        attempt.source,
        attempt.port.label(),
        attempt.port.connections.join(", ")
    );
    match attempt.heard {
        Heard::Connected | Heard::Answered => line,
        Heard::Unanswered(why) => format!("{line}  (not answered: {})", why.text()),
        // The one line a muted source gets: a flood from it must not bury
        // everything else (and a stuck output must not fill with it).
        Heard::Muted(why) => format!(
            "{line}  (not answered: {}; further datagrams from {} are counted, not answered \
             or shown)",
            why.text(),
            attempt.source
        ),
    }
}

/// Per port: how many attempts from how many sources, or that nothing
/// arrived; then what that means.
fn summary(ports: &[Port], tallies: &[Tally], end: End, elapsed: Duration) -> String {
    // Whole seconds, or milliseconds for a run shorter than one.
    let elapsed = if elapsed < Duration::from_secs(1) {
        Duration::from_millis(elapsed.as_millis() as u64)
    } else {
        Duration::from_secs(elapsed.as_secs_f64().round() as u64)
    };
    let how = match end {
        End::TimeUp => "time is up",
        End::Stopped => "stopped",
    };
    let mut text = format!(
        "{how} after {}; summary:\n",
        humantime::format_duration(elapsed)
    );
    let rows: Vec<(String, String, String)> = ports
        .iter()
        .zip(tallies)
        .map(|(port, tally)| {
            let mut what = if tally.attempts() == 0 {
                "nothing arrived".to_string()
            } else if tally.more_sources() {
                // Only the first MAX_SOURCES are told apart (memory stays
                // bounded), so the rest is "more", not a number.
                format!(
                    "{} from more than {} sources",
                    crate::text::count(tally.attempts() as usize, "attempt"),
                    listen::MAX_SOURCES
                )
            } else {
                format!(
                    "{} from {}",
                    crate::text::count(tally.attempts() as usize, "attempt"),
                    crate::text::count(tally.sources(), "source")
                )
            };
            if tally.unanswered() > 0 {
                what.push_str(&format!(", {} not answered", tally.unanswered()));
            }
            (port.label(), what, port.connections.join(", "))
        })
        .collect();
    let label_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let what_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (label, what, ids) in &rows {
        text.push_str(&format!(
            "  {label:<label_width$}  {what:<what_width$}  {ids}\n"
        ));
    }
    let silent: Vec<&str> = rows
        .iter()
        .zip(tallies)
        .filter(|(_, t)| t.attempts() == 0)
        .map(|(r, _)| r.0.as_str())
        .collect();
    if silent.len() == ports.len() {
        text.push_str(
            "nothing arrived on any port: if the other side did try, a firewall on the way \
             (or on this machine) blocks it\n",
        );
    } else {
        let reached: Vec<&str> = rows
            .iter()
            .zip(tallies)
            .filter(|(_, t)| t.attempts() > 0)
            .map(|(r, _)| r.0.as_str())
            .collect();
        text.push_str(&format!(
            "reached {}: the path to this machine is open; if the real service still fails \
             there, look at the service\n",
            reached.join(", ")
        ));
        if !silent.is_empty() {
            text.push_str(&format!(
                "nothing arrived on {}: if the other side did try, a firewall on the way \
                 (or on this machine) blocks it\n",
                silent.join(", ")
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Transport;

    fn port(number: u16, transport: Transport, ids: &[&str]) -> Port {
        Port {
            number,
            transport,
            connections: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn an_attempt_is_one_line_with_time_source_port_and_ids() {
        let p = port(5985, Transport::Tcp, &["vmm-to-host-winrm"]);
        let attempt = Attempt {
            at: time::OffsetDateTime::from_unix_timestamp(1_796_172_067).unwrap(),
            source: "10.0.0.5:51234".parse().unwrap(),
            port: &p,
            heard: Heard::Connected,
        };
        assert_eq!(
            attempt_line(&attempt),
            "2026-12-02T00:41:07Z  10.0.0.5:51234 -> 5985/tcp  vmm-to-host-winrm"
        );
        let p = port(623, Transport::Udp, &["vmm-to-bmc-ipmi"]);
        let muted = Attempt {
            source: "10.0.0.9:7".parse().unwrap(),
            port: &p,
            heard: Heard::Muted(listen::Why::ServicePort(7)),
            ..attempt
        };
        assert_eq!(
            attempt_line(&muted),
            "2026-12-02T00:41:07Z  10.0.0.9:7 -> 623/udp  vmm-to-bmc-ipmi  (not answered: its \
             source port 7 is a service's, not a client's, and a service may answer back; \
             further datagrams from 10.0.0.9:7 are counted, not answered or shown)"
        );
    }

    #[test]
    fn the_summary_tells_reached_ports_from_silent_ones() {
        let ports = [
            port(5985, Transport::Tcp, &["a"]),
            port(623, Transport::Udp, &["b", "c"]),
        ];
        let mut reached = Tally::default();
        for source in ["10.0.0.5", "10.0.0.6", "10.0.0.5"] {
            reached.record(source.parse().unwrap());
        }
        reached.record_unanswered();
        let text = summary(
            &ports,
            &[reached, Tally::default()],
            End::Stopped,
            Duration::from_millis(61_400),
        );
        assert!(
            text.starts_with("stopped after 1m 1s; summary:\n"),
            "{text}"
        );
        assert!(
            text.contains("  5985/tcp  3 attempts from 2 sources, 1 not answered  a\n"),
            "{text}"
        );
        assert!(
            text.contains("  623/udp   nothing arrived                            b, c\n"),
            "{text}"
        );
        assert!(text.contains("nothing arrived on 623/udp: "), "{text}");
        assert!(text.contains("reached 5985/tcp: "), "{text}");
        let text = summary(
            &ports,
            &[Tally::default(), Tally::default()],
            End::TimeUp,
            Duration::from_secs(2),
        );
        assert!(text.contains("nothing arrived on any port"), "{text}");
    }

    #[test]
    fn dropped_lines_are_owned_up_to() {
        assert_eq!(dropped_note(0), "");
        assert!(dropped_note(1).starts_with("1 attempt line was not shown: "));
        let note = dropped_note(1_234);
        assert!(
            note.starts_with("1234 attempt lines were not shown: "),
            "{note}"
        );
        assert!(
            note.ends_with("(the counts above include them)\n"),
            "{note}"
        );
    }

    #[test]
    fn sources_past_the_cap_are_more_not_a_number() {
        let ports = [port(5985, Transport::Tcp, &["a"])];
        let mut tally = Tally::default();
        for n in 0..=listen::MAX_SOURCES as u32 {
            tally.record(std::net::Ipv4Addr::from(0x0a00_0000 + n).into());
        }
        let text = summary(&ports, &[tally], End::TimeUp, Duration::from_secs(2));
        assert!(
            text.contains("  5985/tcp  1001 attempts from more than 1000 sources  a\n"),
            "{text}"
        );
    }
}
