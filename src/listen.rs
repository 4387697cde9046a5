//! Listen mode: open the ports a query selects on this machine, so that
//! someone on the other side can test the firewall path while the real
//! service is stopped. Whatever arrives is reported; a TCP connection is
//! accepted, greeted and closed, and a UDP datagram gets a short reply,
//! within the limits of [`replies`].
//!
//! Limits, so it is safe to run on a production machine:
//! - it binds only the ports it was given, all or none: when one cannot be
//!   bound (a service holds it), every socket is closed again before anything
//!   is served;
//! - a range wider than [`MAX_RANGE`] ports is never bound port by port;
//! - it serves until a deadline or a stop flag, polling every [`POLL`], so
//!   it ends promptly and never spins;
//! - a datagram's reply is never longer than the datagram, and replies are
//!   limited per source and per second, so a forged source cannot start an
//!   endless exchange with a third party ([`replies`]);
//! - what it remembers is bounded: sources per port ([`Tally`]), sources
//!   answered ([`replies::MAX_PEERS`]).
//!
//! Plain `std` sockets, no terminal: the CLI prints and handles signals.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::catalog::{Connection, Transport};
use crate::check::Target;
use crate::platform::{OS, Os};

pub mod replies;
mod tally;
pub use replies::Why;
pub use tally::{MAX_SOURCES, Tally};

/// The widest range bound port by port; a wider one is skipped with a note.
pub const MAX_RANGE: u32 = 16;
/// How long the serving loop sleeps when nothing arrived: the bound on how
/// late it notices a stop or the deadline.
pub const POLL: Duration = Duration::from_millis(50);
/// How long `listen` runs when not told.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10 * 60);
/// The longest run `--for` accepts.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Attempts taken from one socket in one round, so a flood on one port does
/// not starve the others or the stop check.
const BURST: usize = 64;

/// How every reply of listen's starts, so that it can tell one.
pub const REPLY_PREFIX: &str = "vmmports listen:";

/// One port to listen on, and the connections it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub number: u16,
    /// TCP or UDP.
    pub transport: Transport,
    /// The ids of the connections that use this port, in catalog order.
    pub connections: Vec<String>,
}

impl Port {
    /// `5985/tcp`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.number, self.transport.as_str())
    }

    /// What a TCP client reads before the connection closes.
    pub fn tcp_greeting(&self) -> String {
        format!("vmmports listen: reached port {}\r\n", self.number)
    }

    /// What a UDP sender gets back (cut to the size of its datagram);
    /// starts with [`REPLY_PREFIX`].
    pub fn udp_reply(&self) -> String {
        format!("{REPLY_PREFIX} reached {}/udp\n", self.number)
    }
}

/// The ports of `connections` (as `query::select` narrowed them), in order:
/// the same targets `check` probes.
pub fn wanted(connections: &[Connection]) -> Vec<Target> {
    crate::check::targets(&connections.iter().collect::<Vec<_>>())
}

/// A selected port that is not listened on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub target: Target,
    pub why: String,
}

/// What to listen on: each port once, whatever number of connections share
/// it, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by port, TCP before UDP.
    pub ports: Vec<Port>,
    pub skipped: Vec<Skipped>,
}

/// Plans the listeners for `targets`. `within` holds the query's positive
/// `port:` terms (each a union of ranges; all must hold): a range row is cut
/// down to the ports they name, so `port:50000` picks one port out of the
/// dynamic RPC range instead of the range's 16,384.
pub fn plan(targets: &[Target], within: &[Vec<(u16, u16)>]) -> Plan {
    let mut ports: BTreeMap<(u16, Transport), Vec<String>> = BTreeMap::new();
    let mut skipped = Vec::new();
    for target in targets {
        if !target.transport.has_ports() {
            skipped.push(Skipped {
                target: target.clone(),
                why: "ICMP has no port to listen on; the system answers ping itself, \
                      once its firewall allows ICMP echo"
                    .into(),
            });
            continue;
        }
        let wanted = |n: u16| {
            within
                .iter()
                .all(|ranges| ranges.iter().any(|&(a, b)| (a..=b).contains(&n)))
        };
        for run in runs((target.first..=target.last).filter(|&n| wanted(n))) {
            let (first, last) = run;
            let count = u32::from(last) - u32::from(first) + 1;
            if count > MAX_RANGE {
                skipped.push(Skipped {
                    target: Target {
                        first,
                        last,
                        ..target.clone()
                    },
                    why: format!(
                        "a range of {count} ports; vmmports binds at most {MAX_RANGE} ports of a \
                         range: pick the one to test with port:N, e.g. `vmmports listen {} port:{first}`",
                        target.connection
                    ),
                });
                continue;
            }
            for n in first..=last {
                let ids = ports.entry((n, target.transport)).or_default();
                if !ids.contains(&target.connection) {
                    ids.push(target.connection.clone());
                }
            }
        }
    }
    Plan {
        ports: ports
            .into_iter()
            .map(|((number, transport), connections)| Port {
                number,
                transport,
                connections,
            })
            .collect(),
        skipped,
    }
}

/// Consecutive numbers as inclusive runs: 1 2 3 7 → (1, 3) (7, 7).
fn runs(numbers: impl Iterator<Item = u16>) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    for n in numbers {
        match out.last_mut() {
            Some((_, last)) if u32::from(*last) + 1 == u32::from(n) => *last = n,
            _ => out.push((n, n)),
        }
    }
    out
}

/// A port that could not be bound, and the system's reason.
#[derive(Debug)]
pub struct BindError {
    pub port: u16,
    pub transport: Transport,
    pub error: io::Error,
}

impl BindError {
    /// Whether a program already holds the port.
    pub fn in_use(&self) -> bool {
        self.error.kind() == ErrorKind::AddrInUse
    }

    /// One line for the admin: which port, and what to do.
    pub fn message(&self, address: IpAddr) -> String {
        let port = format!("{}/{}", self.port, self.transport.as_str());
        match self.error.kind() {
            ErrorKind::AddrInUse => format!(
                "port {port} is already in use on {address} (a service is listening: stop it \
                 first, or use --bind)"
            ),
            ErrorKind::PermissionDenied if OS == Os::Unix && self.port < 1024 => format!(
                "port {port} cannot be bound on {address}: ports below 1024 need root or \
                 CAP_NET_BIND_SERVICE (run with sudo, or: sudo setcap cap_net_bind_service=ep \
                 \"$(command -v vmmports)\")"
            ),
            ErrorKind::PermissionDenied if OS == Os::Windows => format!(
                "port {port} cannot be bound on {address}: access denied (another program holds \
                 it exclusively, or Windows reserves it: netsh interface ipv4 show \
                 excludedportrange protocol={})",
                self.transport.as_str()
            ),
            ErrorKind::AddrNotAvailable => format!(
                "port {port} cannot be bound on {address}: not an address of this machine (give \
                 one of its own addresses to --bind, or 0.0.0.0)"
            ),
            _ => format!("port {port} cannot be bound on {address}: {}", self.error),
        }
    }
}

enum Socket {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

/// Bound, non-blocking sockets, one per planned port, ready to serve.
pub struct Listeners {
    address: IpAddr,
    ports: Vec<Port>,
    sockets: Vec<Socket>,
}

/// Binds every port on `address`. All or nothing: when any port fails,
/// every socket bound so far is closed and each failure is returned.
pub fn bind(address: IpAddr, ports: Vec<Port>) -> Result<Listeners, Vec<BindError>> {
    let mut sockets = Vec::with_capacity(ports.len());
    let mut errors = Vec::new();
    for port in &ports {
        let at = SocketAddr::new(address, port.number);
        let socket = match port.transport {
            Transport::Tcp => TcpListener::bind(at).and_then(|listener| {
                listener.set_nonblocking(true)?;
                Ok(Socket::Tcp(listener))
            }),
            Transport::Udp => UdpSocket::bind(at).and_then(|socket| {
                socket.set_nonblocking(true)?;
                Ok(Socket::Udp(socket))
            }),
            Transport::Icmp => Err(io::Error::new(
                ErrorKind::InvalidInput,
                "ICMP has no port to listen on",
            )),
        };
        match socket {
            Ok(socket) => sockets.push(socket),
            Err(error) => errors.push(BindError {
                port: port.number,
                transport: port.transport,
                error,
            }),
        }
    }
    if errors.is_empty() {
        Ok(Listeners {
            address,
            ports,
            sockets,
        })
    } else {
        drop(sockets);
        Err(errors)
    }
}

/// Something that reached a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt<'a> {
    /// When it arrived, UTC.
    pub at: time::OffsetDateTime,
    /// Who sent it (an IPv4-mapped IPv6 address shown as IPv4).
    pub source: SocketAddr,
    /// Which port it reached, and the connections that port serves.
    pub port: &'a Port,
    /// What listen did about it.
    pub heard: Heard,
}

/// What listen did about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A TCP connection: accepted, greeted, closed.
    Connected,
    /// A datagram, answered.
    Answered,
    /// A datagram, not answered this time.
    Unanswered(Why),
    /// A datagram whose source is not answered from now on: its further
    /// datagrams are counted, not shown.
    Muted(Why),
}

/// Why serving stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The deadline passed.
    TimeUp,
    /// The stop flag was set (Ctrl-C, a signal).
    Stopped,
}

impl Listeners {
    /// The address bound.
    pub fn address(&self) -> IpAddr {
        self.address
    }

    /// The ports bound, in plan order.
    pub fn ports(&self) -> &[Port] {
        &self.ports
    }

    /// Serves until `until` or until `stop` is set, calling `seen` for each
    /// attempt as it arrives (but for the datagrams of a muted source, which
    /// are only counted). Returns why it ended and a tally per port (in the
    /// order of [`Listeners::ports`]).
    pub fn serve(
        &self,
        until: Instant,
        stop: &AtomicBool,
        mut seen: impl FnMut(&Attempt),
    ) -> (End, Vec<Tally>) {
        let mut tallies = vec![Tally::default(); self.ports.len()];
        let mut buffer = vec![0u8; 65_536];
        let mut replies = replies::Replies::new(Instant::now());
        loop {
            if stop.load(Ordering::SeqCst) {
                return (End::Stopped, tallies);
            }
            let now = Instant::now();
            if now >= until {
                return (End::TimeUp, tallies);
            }
            let mut busy = false;
            for ((socket, port), tally) in self.sockets.iter().zip(&self.ports).zip(&mut tallies) {
                for _ in 0..BURST {
                    let (source, heard) = match take(socket, port, &mut buffer, &mut replies) {
                        Taken::Attempt(source, heard) => (source, heard),
                        Taken::Nothing => break,
                        Taken::Skip => {
                            busy = true;
                            continue;
                        }
                    };
                    busy = true;
                    let source = SocketAddr::new(source.ip().to_canonical(), source.port());
                    tally.record(source.ip());
                    let Some(heard) = heard else {
                        tally.record_unanswered();
                        continue;
                    };
                    if !matches!(heard, Heard::Connected | Heard::Answered) {
                        tally.record_unanswered();
                    }
                    seen(&Attempt {
                        at: time::OffsetDateTime::now_utc(),
                        source,
                        port,
                        heard,
                    });
                }
            }
            if !busy {
                std::thread::sleep(POLL.min(until.saturating_duration_since(now)));
            }
        }
    }
}

enum Taken {
    /// Someone reached the port from this address; what was done about it,
    /// or `None` for a muted source's datagram (not to be shown).
    Attempt(SocketAddr, Option<Heard>),
    /// Nothing waiting (or an error that waiting will not fix soon).
    Nothing,
    /// An error about an earlier datagram; more may be waiting.
    Skip,
}

/// Takes one waiting connection or datagram from `socket` and answers it,
/// a datagram only as `replies` allows.
fn take(socket: &Socket, port: &Port, buffer: &mut [u8], replies: &mut replies::Replies) -> Taken {
    match socket {
        Socket::Tcp(listener) => match listener.accept() {
            Ok((mut stream, source)) => {
                // The accepted socket may inherit non-blocking mode; a short
                // line into a fresh socket's buffer does not need to wait.
                // (A TCP source cannot be forged: the handshake came back.)
                let _ = stream.write_all(port.tcp_greeting().as_bytes());
                let _ = stream.shutdown(Shutdown::Write);
                Taken::Attempt(source, Some(Heard::Connected))
            }
            Err(_) => Taken::Nothing,
        },
        Socket::Udp(udp) => match udp.recv_from(buffer) {
            Ok((length, source)) => {
                let reply = port.udp_reply();
                // Judged by the canonical address, so an IPv4 sender on a
                // `::` socket is one source whichever way it is spelled.
                let peer = SocketAddr::new(source.ip().to_canonical(), source.port());
                let heard =
                    match replies.judge(peer, &buffer[..length], reply.len(), Instant::now()) {
                        replies::Verdict::Answer(bytes) => {
                            let _ = udp.send_to(&reply.as_bytes()[..bytes], source);
                            Some(Heard::Answered)
                        }
                        replies::Verdict::Unanswered(why) => Some(Heard::Unanswered(why)),
                        replies::Verdict::Muted(why) => Some(Heard::Muted(why)),
                        replies::Verdict::Ignored => None,
                    };
                Taken::Attempt(source, heard)
            }
            // Windows reports an ICMP port-unreachable for an earlier reply
            // on the next receive; it says nothing about this one.
            Err(e) if e.kind() == ErrorKind::ConnectionReset => Taken::Skip,
            Err(_) => Taken::Nothing,
        },
    }
}

/// A time as RFC 3339, UTC, to the second: `2026-12-02T00:41:07Z`.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// Parses `--for`: a humantime duration (`90s`, `10m`, `1h`, `500ms`),
/// more than zero and at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}` is not a duration ({e})"))?;
    if duration.is_zero() {
        return Err(format!("`{text}` is no time at all"));
    }
    if duration > MAX_DURATION {
        return Err(format!("`{text}` is longer than 7 days"));
    }
    Ok(duration)
}

/// Parses `--bind`: an IP address of this machine, IPv4 or IPv6 (brackets
/// allowed: `[::]`).
///
/// The broadcast address and multicast groups are refused: the system lets
/// a socket bind them, but no connection can ever reach one and no
/// datagram sent to one is for listen alone, so such a run could only end
/// with "nothing arrived" and blame a firewall that is not there.
pub fn parse_address(text: &str) -> Result<IpAddr, String> {
    let trimmed = text.trim();
    let address = trimmed
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(trimmed)
        .parse::<IpAddr>()
        .map_err(|_| format!("`{text}` is not an IP address"))?;
    // `::ffff:224.0.0.1` is the IPv4 group in IPv6 clothing.
    match address.to_canonical() {
        IpAddr::V4(v4) if v4.is_broadcast() => Err(format!(
            "`{text}` is the broadcast address: nothing can connect to it, so nothing would \
             ever arrive"
        )),
        canonical if canonical.is_multicast() => Err(format!(
            "`{text}` is a multicast group, not an address of this machine: nothing can \
             connect to it, so nothing would ever arrive"
        )),
        _ => Ok(address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(id: &str, first: u16, last: u16, transport: Transport) -> Target {
        Target {
            connection: id.into(),
            first,
            last,
            transport,
            probe: crate::catalog::Probe::default_for(transport),
            inside_tls: None,
        }
    }

    #[test]
    fn ports_are_shared_ranges_cut_and_icmp_skipped() {
        let targets = [
            target("a", 5985, 5985, Transport::Tcp),
            target("b", 5985, 5985, Transport::Tcp),
            target("b", 5985, 5985, Transport::Udp),
            target("c", 49152, 65535, Transport::Tcp),
            target("d", 8, 8, Transport::Icmp),
            target("e", 67, 69, Transport::Udp),
        ];
        let plan = plan(&targets, &[]);
        let labels: Vec<String> = plan.ports.iter().map(Port::label).collect();
        assert_eq!(
            labels,
            ["67/udp", "68/udp", "69/udp", "5985/tcp", "5985/udp"]
        );
        assert_eq!(plan.ports[3].connections, ["a", "b"]);
        assert_eq!(plan.skipped.len(), 2);
        assert!(plan.skipped[0].why.contains("port:49152"), "{plan:?}");
        assert!(plan.skipped[1].why.contains("ICMP"), "{plan:?}");
        // port:N picks one port of a range; all port terms must hold.
        let plan = super::plan(&targets[3..4], &[vec![(50000, 50000)]]);
        assert_eq!(plan.ports.len(), 1);
        assert_eq!(plan.ports[0].number, 50000);
        let plan = super::plan(
            &targets[3..4],
            &[vec![(50000, 50100)], vec![(50090, 60000)]],
        );
        assert_eq!(plan.ports.len(), 11);
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn durations_and_addresses() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("30d").is_err());
        assert_eq!(parse_address("::"), Ok("::".parse().unwrap()));
        assert_eq!(parse_address("[::1]"), Ok("::1".parse().unwrap()));
        assert!(parse_address("localhost").is_err());
        assert!(parse_address("10.0.0.256").is_err());
        // Never reachable as a listener: broadcast and multicast.
        for never in [
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "ff02::1",
            "[ff05::1:3]",
            "::ffff:224.0.0.251",
            "::ffff:255.255.255.255",
        ] {
            let error = parse_address(never).expect_err(never);
            assert!(
                error.contains("broadcast") || error.contains("multicast"),
                "{never}: {error}"
            );
        }
        for fine in ["0.0.0.0", "223.255.255.255", "240.0.0.1", "fe80::1", "::"] {
            assert!(parse_address(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_to_the_second() {
        let at = time::OffsetDateTime::from_unix_timestamp(1_796_172_067)
            .unwrap()
            .replace_nanosecond(123_456_789)
            .unwrap();
        assert_eq!(timestamp(at), "2026-12-02T00:41:07Z");
    }
}
