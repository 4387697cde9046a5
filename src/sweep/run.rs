//! Running a sweep: names resolved, every TCP port connected at once
//! ([`super::connect`]), then `check`'s probes on the ports that opened (and
//! on UDP ports, where a datagram is the only way to learn anything).
//! Results stream out as events; the caller decides when to stop listening.
//!
//! A machine's service probes start as soon as its last connect ends, while
//! the other machines' connects are still waiting, so the silent machines
//! of a fleet hold up nothing but themselves.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::connect::{self, Connected};
use super::plan::{Host, Plan};
use super::result::{PortResult, State};
use crate::catalog::{Probe, Transport};
use crate::check::{self, Context, Finding, Target};

/// Names looked up at once.
pub const RESOLVERS: usize = 64;
/// Machines whose services are probed at once; `check::run` probes each
/// one's ports with a pool of its own.
pub const SERVICE_WORKERS: usize = 16;

#[derive(Debug, Clone)]
pub struct Options {
    /// For each connect, each lookup, and again for a service's reply.
    pub timeout: Duration,
    /// Only connect: no service probe on open TCP ports.
    pub connect_only: bool,
    /// See [`Context::sql_ports`].
    pub sql_ports: Vec<u16>,
    /// TCP connects in flight at most.
    pub in_flight: usize,
}

/// Progress, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A machine's address: as given, the name's lookup, or why not.
    Resolved {
        host: usize,
        address: Result<IpAddr, String>,
    },
    /// The result for one line (port and transport) of a machine.
    Port {
        host: usize,
        line: usize,
        result: Box<PortResult>,
    },
}

/// Starts the sweep on a thread of its own. Every line of every machine
/// gets exactly one `Port` event unless `stop` is set; the channel closes
/// when the sweep is over.
pub fn spawn(plan: Arc<Plan>, options: Options, stop: Arc<AtomicBool>) -> Receiver<Event> {
    let (events, receiver) = channel();
    std::thread::spawn(move || sweep(&plan, &options, &stop, &events));
    receiver
}

fn sweep(plan: &Plan, options: &Options, stop: &AtomicBool, events: &Sender<Event>) {
    let send_port = |host: usize, line: usize, result: PortResult| {
        let _ = events.send(Event::Port {
            host,
            line,
            result: Box::new(result),
        });
    };
    let addresses = resolve_all(plan, options.timeout, stop, events);
    // What each machine still waits for: its connects, then its probes.
    let mut pending = vec![0usize; plan.hosts.len()];
    let mut to_probe: Vec<Vec<usize>> = vec![Vec::new(); plan.hosts.len()];
    let mut connects: Vec<(usize, usize)> = Vec::new();
    let mut sockets: Vec<SocketAddr> = Vec::new();
    for (h, host) in plan.hosts.iter().enumerate() {
        let role = plan.role_of(host);
        for (l, line) in role.lines.iter().enumerate() {
            let target = &role.targets[line.targets[0]];
            if let Some(why) = check::untestable(target, &shown_name(host, &addresses[h])) {
                send_port(h, l, PortResult::unreached(State::NotTested, Some(why)));
                continue;
            }
            let address = match &addresses[h] {
                Ok(address) => *address,
                Err(why) => {
                    send_port(
                        h,
                        l,
                        PortResult::unreached(State::NameNotResolved, Some(why.clone())),
                    );
                    continue;
                }
            };
            match line.transport {
                Transport::Tcp => {
                    pending[h] += 1;
                    connects.push((h, l));
                    sockets.push(SocketAddr::new(address, line.first));
                }
                _ => to_probe[h].push(l),
            }
        }
    }
    let (queue, queued) = channel::<(usize, Vec<usize>)>();
    let queued = Mutex::new(queued);
    std::thread::scope(|scope| {
        for _ in 0..SERVICE_WORKERS.min(plan.hosts.len()) {
            scope.spawn(|| {
                loop {
                    let job = match queued.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    let Ok((h, lines)) = job else { return };
                    if stop.load(Ordering::SeqCst) {
                        continue;
                    }
                    let Ok(address) = addresses[h] else { continue };
                    for (l, result) in probe(plan, &plan.hosts[h], address, &lines, options) {
                        send_port(h, l, result);
                    }
                }
            });
        }
        for h in 0..plan.hosts.len() {
            if pending[h] == 0 && !to_probe[h].is_empty() {
                let _ = queue.send((h, std::mem::take(&mut to_probe[h])));
            }
        }
        let mut heard = vec![false; connects.len()];
        let swept = connect::sweep(
            &sockets,
            options.timeout,
            options.in_flight,
            || stop.load(Ordering::SeqCst),
            |j, how| {
                heard[j] = true;
                let (h, l) = connects[j];
                pending[h] -= 1;
                match how {
                    Connected::Open(_) if !options.connect_only => to_probe[h].push(l),
                    how => send_port(h, l, connected(how)),
                }
                if pending[h] == 0 && !to_probe[h].is_empty() {
                    let _ = queue.send((h, std::mem::take(&mut to_probe[h])));
                }
            },
        );
        if let Err(e) = swept {
            // No poller: every connect not yet ended fails with its reason.
            for (j, &(h, l)) in connects.iter().enumerate() {
                if !heard[j] {
                    send_port(
                        h,
                        l,
                        PortResult::unreached(State::Failed, Some(format!("cannot poll: {e}"))),
                    );
                }
            }
        }
        drop(queue);
    });
}

/// The name a message about `host` uses: its name, else its address.
fn shown_name(host: &Host, address: &Result<IpAddr, String>) -> String {
    match (&host.name, address) {
        (Some(name), _) => name.clone(),
        (None, Ok(address)) => address.to_string(),
        (None, Err(_)) => "the host".into(),
    }
}

/// Every machine's address, looked up at once for those given by name
/// (each within `timeout`, through `check::resolve`).
fn resolve_all(
    plan: &Plan,
    timeout: Duration,
    stop: &AtomicBool,
    events: &Sender<Event>,
) -> Vec<Result<IpAddr, String>> {
    let answers: Vec<Mutex<Option<Result<IpAddr, String>>>> = plan
        .hosts
        .iter()
        .map(|h| Mutex::new(h.address.map(Ok)))
        .collect();
    let names: Vec<usize> = (0..plan.hosts.len())
        .filter(|&h| plan.hosts[h].address.is_none())
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..RESOLVERS.min(names.len()) {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let Some(&h) = names.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        return;
                    };
                    let name = plan.hosts[h].name.as_deref().unwrap_or_default();
                    let found = check::resolve(name, timeout)
                        .map_err(|e| format!("name not resolved: {e}"));
                    if let Ok(mut slot) = answers[h].lock() {
                        *slot = Some(found);
                    }
                }
            });
        }
    });
    answers
        .into_iter()
        .enumerate()
        .map(|(h, slot)| {
            let address = slot
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err("name not resolved: the sweep was stopped".into()));
            let _ = events.send(Event::Resolved {
                host: h,
                address: address.clone(),
            });
            address
        })
        .collect()
}

/// A connect's end as a port result (open only with `--connect-only`).
fn connected(how: Connected) -> PortResult {
    match how {
        Connected::Open(took) => PortResult::checked(
            Probe::Tcp,
            Finding::reached(
                took,
                true,
                "connected; the service was not spoken to (--connect-only)",
            ),
        ),
        Connected::Refused => PortResult::unreached(State::Refused, None),
        Connected::TimedOut(waited) if !waited.is_zero() => PortResult::unreached(
            State::TimedOut,
            Some(format!("no answer in {} ms", waited.as_millis())),
        ),
        Connected::TimedOut(_) => PortResult::unreached(State::TimedOut, None),
        Connected::Unreachable(e) => PortResult::unreached(State::Unreachable, Some(e)),
        Connected::Failed(e) => PortResult::unreached(State::Failed, Some(e)),
    }
}

/// `check`'s probes on `lines` of one machine: the targets behind them,
/// probed as `check` does, and each line's verdict as `check` folds it.
fn probe(
    plan: &Plan,
    host: &Host,
    address: IpAddr,
    lines: &[usize],
    options: &Options,
) -> Vec<(usize, PortResult)> {
    let role = plan.role_of(host);
    let targets: Vec<Target> = lines
        .iter()
        .flat_map(|&l| &role.lines[l].targets)
        .map(|&t| role.targets[t].clone())
        .collect();
    let context = Context {
        host: host.name.clone().unwrap_or_else(|| address.to_string()),
        timeout: options.timeout,
        sql_ports: options.sql_ports.clone(),
    };
    let (answers, answered) = channel();
    check::run(address, &targets, &context, &answers);
    drop(answers);
    let mut findings: Vec<Option<Finding>> = vec![None; targets.len()];
    for (i, finding) in answered {
        findings[i] = Some(finding);
    }
    check::port_lines(&targets)
        .iter()
        .filter_map(|sub| {
            let l = *lines.iter().find(|&&l| {
                let line = &role.lines[l];
                (line.first, line.last, line.transport) == (sub.first, sub.last, sub.transport)
            })?;
            let result = match sub.verdict(&targets, &findings) {
                Some((probe, finding)) => PortResult::checked(probe, finding),
                None => {
                    PortResult::unreached(State::Failed, Some("no answer from the probe".into()))
                }
            };
            Some((l, result))
        })
        .collect()
}
