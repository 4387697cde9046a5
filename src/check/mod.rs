//! Incident mode: does a port answer right now, and is it the service the
//! catalog says? A connect (or a datagram), then the port's probe: just
//! enough of its protocol to recognise the service (see [`probes`]).
//!
//! Limits, so it is safe to point at production: it talks only to the one
//! host the admin named, only on the ports of the connections they chose,
//! with at most `MAX_PARALLEL` probes in flight, each bounded by the
//! timeout. The host name is resolved once, within the timeout too, and the
//! address used is reported.

mod finding;
mod hint;
mod port_line;
pub mod probes;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;

pub use finding::{Finding, SqlInstance, Status, TlsInfo};
pub use hint::hint;
pub use port_line::{PortLine, port_lines};
pub use probes::Context;

use crate::catalog::{Catalog, Connection, Probe, Transport};

/// Probes in flight at once.
pub const MAX_PARALLEL: usize = 32;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// One port of one connection to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub connection: String,
    pub first: u16,
    pub last: u16,
    pub transport: Transport,
    /// What is spoken once the port is reached.
    pub probe: Probe,
    /// With a TLS probe, what is spoken inside the session.
    pub inside_tls: Option<Probe>,
}

impl Target {
    /// `443`, `64001-65000`, or an ICMP type's name (`echo-request`).
    pub fn port_text(&self) -> String {
        crate::catalog::number_text(self.transport, self.first, self.last)
    }
}

/// The ports of `connections`, in order; each appears once per connection.
pub fn targets(connections: &[&Connection]) -> Vec<Target> {
    connections
        .iter()
        .flat_map(|c| {
            c.ports.iter().map(|p| Target {
                connection: c.id.clone(),
                first: p.first,
                last: p.last,
                transport: p.transport,
                probe: p.probe(),
                inside_tls: p.inside_tls,
            })
        })
        .collect()
}

/// Of `connections`, those machine `on` must answer: placed inbound on it,
/// or on a role it is `also` (what `rules --on` opens on it). `check --on`
/// and the explorer's `p` in the machine view ask the same question.
pub fn inbound_on<'c>(
    catalog: &'c Catalog,
    connections: impl IntoIterator<Item = &'c Connection>,
    on: &str,
) -> Vec<&'c Connection> {
    connections
        .into_iter()
        .filter(|c| {
            c.placements(false).iter().any(|p| {
                p.direction == crate::catalog::Direction::Inbound && catalog.acts_as(on, p.machine)
            })
        })
        .collect()
}

/// The ports the catalog gives SQL Server (its TDS probes), for the SQL
/// Browser's answer: which instance is on the port VMM uses.
pub fn sql_ports(catalog: &Catalog) -> Vec<u16> {
    let mut ports: Vec<u16> = catalog
        .connections
        .iter()
        .flat_map(|c| &c.ports)
        .filter(|p| p.probe() == Probe::Tds)
        .map(|p| p.first)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Resolves `host` once: an IP address as is, a name through the system
/// resolver (first address, IPv4 preferred, as most admins expect), waiting
/// for it no longer than `timeout`.
pub fn resolve(host: &str, timeout: Duration) -> Result<IpAddr, String> {
    let host = host.trim();
    if host.is_empty() || host.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "`{}` is not a host name or address",
            host.escape_default()
        ));
    }
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(ip);
    }
    let addresses = lookup(host, timeout)?;
    addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or(addresses.first())
        .map(|a| a.ip())
        .ok_or_else(|| format!("`{host}` resolves to no address"))
}

/// The system resolver's answer for `host`, or an error once `timeout` has
/// passed. std's lookup (getaddrinfo) blocks, cannot be cancelled and keeps
/// timeouts of its own (glibc: 5 s per try, two tries), so it runs on a
/// thread that is abandoned when the time is up: it holds only the name and
/// its end of a channel, and finishes (or dies with the process) on its own.
fn lookup(host: &str, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let (answer, answered) = channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            let addresses = (name.as_str(), 0)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            // The caller may have stopped waiting; then no one needs this.
            let _ = answer.send(addresses);
        })
        .map_err(|e| format!("cannot resolve `{host}`: {e}"))?;
    match answered.recv_timeout(timeout) {
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(e)) => Err(format!("cannot resolve `{host}`: {e}")),
        Err(RecvTimeoutError::Timeout) => Err(format!(
            "`{host}`: name not resolved (timed out after {} ms)",
            timeout.as_millis()
        )),
        Err(RecvTimeoutError::Disconnected) => Err(format!(
            "cannot resolve `{host}`: the lookup ended without an answer"
        )),
    }
}

/// What to run instead of a connect for a port that cannot be tested by one.
pub fn untestable(target: &Target, host: &str) -> Option<String> {
    if target.transport == Transport::Icmp {
        return Some(format!(
            "ICMP has no port to connect to, and sending a ping needs privileges vmmports does not ask for; run: ping {host}"
        ));
    }
    (target.first != target.last).then(|| {
        format!(
            "a range ({}-{}); check one port in it where a service listens, e.g. vmmports check {host} port:{}",
            target.first, target.last, target.first
        )
    })
}

/// One finding, sent as soon as it is known: the target's index, and what
/// was found.
pub type Answer = (usize, Finding);

/// Progress of a check started with [`spawn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The host resolved (once), or why it did not.
    Resolved(Result<IpAddr, String>),
    /// A target's finding (boxed: it holds certificate details).
    Answer(usize, Box<Finding>),
}

/// Resolves `context.host` and checks `targets` on a thread of its own, so
/// that a slow resolver or a silent port never holds up the caller;
/// progress comes through the returned channel, which closes when the
/// check is done.
pub fn spawn(context: Context, targets: Vec<Target>) -> std::sync::mpsc::Receiver<Event> {
    let (events, receiver) = channel();
    std::thread::spawn(move || {
        let address = resolve(&context.host, context.timeout);
        let _ = events.send(Event::Resolved(address.clone()));
        let Ok(address) = address else { return };
        let (answers, answered) = channel();
        std::thread::scope(|scope| {
            // Every target gets exactly one answer, so counting ends the loop.
            scope.spawn(|| run(address, &targets, &context, &answers));
            for _ in 0..targets.len() {
                match answered.recv() {
                    Ok((i, finding)) => {
                        let _ = events.send(Event::Answer(i, Box::new(finding)));
                    }
                    Err(_) => break,
                }
            }
        });
    });
    receiver
}

/// Checks every target against `address`, sending each finding to
/// `answers` as it arrives (untestable ones first, at once). Returns when
/// all are done.
pub fn run(address: IpAddr, targets: &[Target], context: &Context, answers: &Sender<Answer>) {
    // Each port is probed once per probe, whichever connections share it.
    type Job = (u16, Probe, Option<Probe>);
    let mut testable: std::collections::BTreeMap<Job, Vec<usize>> = Default::default();
    for (i, target) in targets.iter().enumerate() {
        match untestable(target, &context.host) {
            Some(why) => {
                let _ = answers.send((i, Finding::unreached(Status::Untestable(why))));
            }
            None => testable
                .entry((target.first, target.probe, target.inside_tls))
                .or_default()
                .push(i),
        }
    }
    // A fixed pool of workers pulling from a shared queue: at most
    // MAX_PARALLEL probes at a time, however many ports there are.
    let (queue_in, queue_out) = channel::<(Job, Vec<usize>)>();
    for (job, indices) in &testable {
        let _ = queue_in.send((*job, indices.clone()));
    }
    drop(queue_in);
    let queue = std::sync::Mutex::new(queue_out);
    std::thread::scope(|scope| {
        for _ in 0..MAX_PARALLEL.min(testable.len()) {
            scope.spawn(|| {
                loop {
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    let Ok(((port, probe, inside_tls), indices)) = job else {
                        return;
                    };
                    let finding =
                        probes::check(SocketAddr::new(address, port), probe, inside_tls, context);
                    for i in indices {
                        let _ = answers.send((i, finding.clone()));
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_addresses_and_refuses_junk() {
        let resolve = |host| resolve(host, DEFAULT_TIMEOUT);
        assert_eq!(resolve("127.0.0.1"), Ok("127.0.0.1".parse().unwrap()));
        assert_eq!(resolve("[::1]"), Ok("::1".parse().unwrap()));
        assert!(resolve("").is_err());
        assert!(resolve("a b").is_err());
        assert!(resolve("host\u{1b}").is_err());
        assert_eq!(resolve("localhost").map(|ip| ip.is_loopback()), Ok(true));
    }

    #[test]
    fn ranges_are_not_probed_but_udp_is() {
        let udp = Target {
            connection: "c".into(),
            first: 623,
            last: 623,
            transport: Transport::Udp,
            probe: Probe::Ipmi,
            inside_tls: None,
        };
        assert_eq!(untestable(&udp, "h"), None);
        let range = Target {
            first: 49152,
            last: 65535,
            transport: Transport::Tcp,
            probe: Probe::Tcp,
            ..udp
        };
        assert!(untestable(&range, "h").unwrap().contains("a range"));
    }
}
