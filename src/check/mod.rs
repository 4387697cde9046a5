//! Incident mode: does a port answer right now? A plain TCP connect, with a
//! timeout, from wherever vmmports runs.
//!
//! Limits, so it is safe to point at production: it connects only to the one
//! host the admin named, only to the ports of the connections they chose,
//! with at most `MAX_PARALLEL` connects in flight, each bounded by the
//! timeout. The host name is resolved once, and the address used is reported.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant};

use crate::catalog::{Connection, Transport};

/// Connects in flight at once.
pub const MAX_PARALLEL: usize = 32;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// What a check found for one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The connect succeeded, in this time.
    Open(Duration),
    /// Something answered and said no: nothing listens, or a firewall rejects.
    Refused,
    /// No answer within the timeout: a firewall drops, or the host is down.
    TimedOut,
    /// Another error (network unreachable…), as the system said it.
    Failed(String),
    /// A port that a connect cannot test (UDP, or a range), with what to do.
    Untestable(String),
}

impl Status {
    /// The word used in tables and JSON.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Open(_) => "open",
            Status::Refused => "refused",
            Status::TimedOut => "timed out",
            Status::Failed(_) => "failed",
            Status::Untestable(_) => "untested",
        }
    }
}

/// One port of one connection to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub connection: String,
    pub first: u16,
    pub last: u16,
    pub transport: Transport,
}

impl Target {
    /// `443`, `64001-65000`, or an ICMP type's name (`echo-request`).
    pub fn port_text(&self) -> String {
        if !self.transport.has_ports() {
            return crate::catalog::icmp_type_name(self.first)
                .map_or_else(|| self.first.to_string(), str::to_string);
        }
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
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
            })
        })
        .collect()
}

/// Resolves `host` once: an IP address as is, a name through the system
/// resolver (first address, IPv4 preferred, as most admins expect).
pub fn resolve(host: &str) -> Result<IpAddr, String> {
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
    let addresses: Vec<SocketAddr> = (host, 0)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
        .collect();
    addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or(addresses.first())
        .map(|a| a.ip())
        .ok_or_else(|| format!("`{host}` resolves to no address"))
}

/// What to run instead of a connect for a port that cannot be tested by one.
fn untestable(target: &Target, host: &str) -> Option<String> {
    if target.transport == Transport::Icmp {
        return Some(format!(
            "ICMP has no port to connect to, and sending a ping needs privileges vmmports does not ask for; run: ping {host}"
        ));
    }
    if target.transport == Transport::Udp {
        return Some(format!(
            "UDP cannot be tested by a connect; from the source run: nc -zuv {host} {} (or PortQry -n {host} -p udp -e {})",
            target.first, target.first
        ));
    }
    (target.first != target.last).then(|| {
        format!(
            "a range ({}-{}); check one port in it where a service listens, e.g. vmmports check {host} port:{}",
            target.first, target.last, target.first
        )
    })
}

/// One answer, sent as soon as it is known: the target's index and status.
pub type Answer = (usize, Status);

/// Progress of a check started with [`spawn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The host resolved (once), or why it did not.
    Resolved(Result<IpAddr, String>),
    /// A target's status.
    Answer(usize, Status),
}

/// Resolves `host` and checks `targets` on a thread of its own, so that a
/// slow resolver or a silent port never holds up the caller; progress comes
/// through the returned channel, which closes when the check is done.
pub fn spawn(
    host: String,
    targets: Vec<Target>,
    timeout: Duration,
) -> std::sync::mpsc::Receiver<Event> {
    let (events, receiver) = channel();
    std::thread::spawn(move || {
        let address = resolve(&host);
        let _ = events.send(Event::Resolved(address.clone()));
        let Ok(address) = address else { return };
        let (answers, answered) = channel();
        std::thread::scope(|scope| {
            // Every target gets exactly one answer, so counting ends the loop.
            scope.spawn(|| run(address, &host, &targets, timeout, &answers));
            for _ in 0..targets.len() {
                match answered.recv() {
                    Ok((i, status)) => {
                        let _ = events.send(Event::Answer(i, status));
                    }
                    Err(_) => break,
                }
            }
        });
    });
    receiver
}

/// Checks every target against `address`, sending each answer to `answers`
/// as it arrives (untestable ones first, at once). Returns when all are done.
pub fn run(
    address: IpAddr,
    host: &str,
    targets: &[Target],
    timeout: Duration,
    answers: &Sender<Answer>,
) {
    // Each port is connected to once, whichever connections share it.
    let mut testable: std::collections::BTreeMap<u16, Vec<usize>> = Default::default();
    for (i, target) in targets.iter().enumerate() {
        match untestable(target, host) {
            Some(why) => {
                let _ = answers.send((i, Status::Untestable(why)));
            }
            None => testable.entry(target.first).or_default().push(i),
        }
    }
    // A fixed pool of workers pulling from a shared queue: at most
    // MAX_PARALLEL connects at a time, however many ports there are.
    let (queue_in, queue_out) = channel::<(u16, Vec<usize>)>();
    for (port, indices) in &testable {
        let _ = queue_in.send((*port, indices.clone()));
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
                    let Ok((port, indices)) = job else { return };
                    let status = connect(SocketAddr::new(address, port), timeout);
                    for i in indices {
                        let _ = answers.send((i, status.clone()));
                    }
                }
            });
        }
    });
}

fn connect(address: SocketAddr, timeout: Duration) -> Status {
    let start = Instant::now();
    match TcpStream::connect_timeout(&address, timeout) {
        Ok(_) => Status::Open(start.elapsed()),
        Err(e) => match e.kind() {
            std::io::ErrorKind::ConnectionRefused => Status::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Status::TimedOut,
            _ => Status::Failed(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_addresses_and_refuses_junk() {
        assert_eq!(resolve("127.0.0.1"), Ok("127.0.0.1".parse().unwrap()));
        assert_eq!(resolve("[::1]"), Ok("::1".parse().unwrap()));
        assert!(resolve("").is_err());
        assert!(resolve("a b").is_err());
        assert!(resolve("host\u{1b}").is_err());
        assert_eq!(resolve("localhost").map(|ip| ip.is_loopback()), Ok(true));
    }

    #[test]
    fn udp_and_ranges_are_not_connected_to() {
        let udp = Target {
            connection: "c".into(),
            first: 623,
            last: 623,
            transport: Transport::Udp,
        };
        assert!(untestable(&udp, "h").unwrap().contains("nc -zuv h 623"));
        let range = Target {
            first: 49152,
            last: 65535,
            transport: Transport::Tcp,
            ..udp
        };
        assert!(untestable(&range, "h").unwrap().contains("a range"));
    }
}
