//! Many TCP connects at once, on one thread: non-blocking sockets and one
//! poller (mio: epoll on Linux, kqueue on the BSDs and macOS, AFD on
//! Windows).
//!
//! Why not a thread per connect, as `check` does for one host: a sweep of
//! 500 machines × 6 ports is 3,000 connects, and the silent ones each hold
//! a socket for the whole timeout. Threads blocking in `connect_timeout`
//! need one thread per socket in flight (512 threads, their stacks and a
//! context switch per answer) to reach the same speed; a poller keeps 512
//! sockets in flight for the cost of a slot each, and every answer is one
//! event. Measured in `benches/sweep-vs-nmap.sh` (docs/performance.md).
//!
//! Bounds: at most [`MAX_IN_FLIGHT`] sockets are open at once (well under
//! the usual 1,024 descriptors a process may hold), each connect is given
//! up after the timeout at most, and nothing new starts once `stop` says so.
//!
//! A silent port is given up sooner once answers show how fast the fleet
//! answers (see [`Patience`]): a SYN-ACK or a reset comes from the host's
//! kernel, so a port that stays silent many times longer than the slowest
//! answer seen is dropped, not slow. nmap does the same (its RTT timeouts);
//! without it, every dropped port would cost the whole timeout.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

/// Sockets open at once, at most.
pub const MAX_IN_FLIGHT: usize = 512;
/// How often a quiet poll looks at `stop` again.
const RECHECK: Duration = Duration::from_millis(50);
/// Connects started between two looks at the poller. An answer is timed
/// when it is read, so filling 512 slots before the first look would add
/// the whole fill (tens of ms) to the first answers' times, and with them
/// to every silent port's patience.
const STARTS_PER_LOOK: usize = 16;
/// A silent port waits this many times the slowest answer seen...
const PATIENCE_FACTOR: u32 = 10;
/// ...and never less than this: well above a LAN's or a continent's round
/// trip, so only a link slower than any a VMM fabric spans could lose an
/// answer to it.
const PATIENCE_FLOOR: Duration = Duration::from_millis(300);

/// How long a connect waits for an answer. Before any answer, the whole
/// timeout; then [`PATIENCE_FACTOR`] times the slowest answer from the same
/// address (a host that answered on another port is alive, so its silence
/// on this one is a filter), or from any address for a host not heard from
/// yet; never under [`PATIENCE_FLOOR`], never over the timeout. The slowest
/// answer only grows, so a slow link lengthens the wait for everyone.
/// Where a refusal itself takes seconds (Windows: see
/// `platform::REFUSAL_IS_IMMEDIATE`), every port waits the whole timeout.
#[derive(Debug)]
struct Patience {
    timeout: Duration,
    /// Whether silence may be judged early at all.
    early: bool,
    slowest: Option<Duration>,
    by_host: std::collections::HashMap<IpAddr, Duration>,
}

impl Patience {
    fn new(timeout: Duration) -> Self {
        Self::judging_early(timeout, crate::platform::REFUSAL_IS_IMMEDIATE)
    }

    fn judging_early(timeout: Duration, early: bool) -> Self {
        Patience {
            timeout,
            early,
            slowest: None,
            by_host: Default::default(),
        }
    }

    /// An answer (open or refused) from `host` after `took`.
    fn heard(&mut self, host: IpAddr, took: Duration) {
        self.slowest = Some(self.slowest.map_or(took, |s| s.max(took)));
        let own = self.by_host.entry(host).or_insert(took);
        *own = (*own).max(took);
    }

    /// How long a connect to `host` may stay silent.
    fn limit(&self, host: IpAddr) -> Duration {
        if !self.early {
            return self.timeout;
        }
        match self.by_host.get(&host).copied().or(self.slowest) {
            None => self.timeout,
            Some(rtt) => (rtt * PATIENCE_FACTOR)
                .max(PATIENCE_FLOOR)
                .min(self.timeout),
        }
    }
}

/// How one connect ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connected {
    /// The handshake completed, in this time.
    Open(Duration),
    /// A reset came back: nothing listens, or a firewall rejects.
    Refused,
    /// No answer in this long (the timeout, or sooner: see [`Patience`]):
    /// dropped on the way or at the host.
    TimedOut(Duration),
    /// The host or its network cannot be reached (an ICMP unreachable, or
    /// no route), as the system said it.
    Unreachable(String),
    /// Any other error, as the system said it.
    Failed(String),
}

/// Connects to every address in `targets`, at most `in_flight` at a time,
/// giving each `timeout` at most; `done(i, how)` hears of target `i` as soon as it
/// ends. Stops starting new connects once `stop()` is true, and returns
/// then as soon as those in flight are given up (they are not reported).
pub fn sweep(
    targets: &[SocketAddr],
    timeout: Duration,
    in_flight: usize,
    stop: impl Fn() -> bool,
    mut done: impl FnMut(usize, Connected),
) -> io::Result<()> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(in_flight.max(1));
    // Slot `k` is Token(k): the target index, its socket and when it began.
    let mut slots: Vec<Option<(usize, TcpStream, Instant)>> = Vec::new();
    let mut patience = Patience::new(timeout);
    slots.resize_with(in_flight.max(1), || None);
    let mut next = 0;
    let mut open = 0;
    // Lowered when the process runs out of descriptors (a soft limit of
    // 256, as macOS sets by default): the target waits for a slot instead
    // of failing.
    let mut limit = slots.len();
    loop {
        // Fill free slots, a few at a time (see STARTS_PER_LOOK).
        let mut started = 0;
        while next < targets.len() && open < limit && started < STARTS_PER_LOOK && !stop() {
            let Some(k) = slots.iter().position(Option::is_none) else {
                break;
            };
            let i = next;
            let mut stream = match TcpStream::connect(targets[i]) {
                Ok(stream) => stream,
                Err(e) if out_of_descriptors(&e) && open > 0 => {
                    limit = open;
                    break;
                }
                // Some failures are known at once (no route, no address).
                Err(e) => {
                    next += 1;
                    done(i, classify(&e));
                    continue;
                }
            };
            next += 1;
            if let Err(e) = poll
                .registry()
                .register(&mut stream, Token(k), Interest::WRITABLE)
            {
                done(i, Connected::Failed(e.to_string()));
                continue;
            }
            slots[k] = Some((i, stream, Instant::now()));
            open += 1;
            started += 1;
        }
        if open == 0 || stop() {
            return Ok(());
        }
        let now = Instant::now();
        let deadline =
            |(i, _, began): &(usize, TcpStream, Instant)| *began + patience.limit(targets[*i].ip());
        let earliest = slots
            .iter()
            .flatten()
            .map(deadline)
            .min()
            .unwrap_or(now + RECHECK);
        // More to start and a slot for it: only look at what has come.
        let more = next < targets.len() && open < limit;
        let wait = if more {
            Duration::ZERO
        } else {
            earliest.saturating_duration_since(now).min(RECHECK)
        };
        match poll.poll(&mut events, Some(wait)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for event in events.iter() {
            let k = event.token().0;
            let Some((i, stream, started)) = slots.get(k).and_then(Option::as_ref) else {
                continue;
            };
            let Some(how) = outcome(stream, *started) else {
                // Woken before the handshake ended (mio allows spurious
                // events): keep waiting.
                continue;
            };
            let (i, took) = (*i, started.elapsed());
            if let Some((_, mut stream, _)) = slots[k].take() {
                let _ = poll.registry().deregister(&mut stream);
            }
            if matches!(how, Connected::Open(_) | Connected::Refused) {
                patience.heard(targets[i].ip(), took);
            }
            open -= 1;
            done(i, how);
        }
        // Whatever has been silent as long as it may is given up.
        let now = Instant::now();
        for slot in &mut slots {
            let waited = slot.as_ref().map(|(i, _, began)| {
                (now.duration_since(*began), patience.limit(targets[*i].ip()))
            });
            if let Some((waited, limit)) = waited
                && waited >= limit
                && let Some((i, mut stream, _)) = slot.take()
            {
                let _ = poll.registry().deregister(&mut stream);
                open -= 1;
                done(i, Connected::TimedOut(waited));
            }
        }
    }
}

/// What a socket the poller woke up for says: connected (mio's way to
/// tell is `peer_addr`), an error, or nothing yet.
fn outcome(stream: &TcpStream, started: Instant) -> Option<Connected> {
    match stream.take_error() {
        Ok(Some(e)) | Err(e) => return Some(classify(&e)),
        Ok(None) => {}
    }
    match stream.peer_addr() {
        Ok(_) => Some(Connected::Open(started.elapsed())),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => None,
        Err(e) => Some(classify(&e)),
    }
}

/// EMFILE or ENFILE (23 and 24 on Linux and the BSDs), or Windows'
/// WSAEMFILE.
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24 | 10024))
}

fn classify(e: &io::Error) -> Connected {
    use io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused | ConnectionReset => Connected::Refused,
        // The system's own timeout (a SYN retried until it gave up).
        TimedOut => Connected::TimedOut(Duration::ZERO),
        HostUnreachable | NetworkUnreachable | AddrNotAvailable => {
            Connected::Unreachable(e.to_string())
        }
        _ => Connected::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn open_and_refused_are_told_apart_and_each_target_is_heard_once() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap();
        // A port just freed: nothing listens there.
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let targets = [open, closed, open, closed];
        let mut heard = vec![None; targets.len()];
        // Two in flight for four targets: slots are reused.
        sweep(
            &targets,
            Duration::from_secs(2),
            2,
            || false,
            |i, how| {
                assert!(heard[i].is_none(), "target {i} heard twice");
                heard[i] = Some(how);
            },
        )
        .unwrap();
        for (i, how) in heard.iter().enumerate() {
            let how = how.as_ref().expect("every target is heard");
            if i % 2 == 0 {
                assert!(matches!(how, Connected::Open(_)), "{i}: {how:?}");
            } else {
                assert_eq!(how, &Connected::Refused, "{i}");
            }
        }
    }

    #[test]
    fn patience_follows_the_slowest_answer_between_its_floor_and_the_timeout() {
        let ms = Duration::from_millis;
        let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.3".parse().unwrap(),
        );
        let mut p = Patience::judging_early(ms(5_000), true);
        // Nothing heard yet: the whole timeout.
        assert_eq!(p.limit(a), ms(5_000));
        // A LAN answer: the floor, for everyone.
        p.heard(a, ms(1));
        assert_eq!(p.limit(a), PATIENCE_FLOOR);
        assert_eq!(p.limit(c), PATIENCE_FLOOR);
        // A slow host: ten times its answer, for itself and for hosts not
        // heard from; a host heard from keeps its own measure.
        p.heard(b, ms(120));
        assert_eq!(p.limit(b), ms(1_200));
        assert_eq!(p.limit(c), ms(1_200));
        assert_eq!(p.limit(a), PATIENCE_FLOOR);
        // Never over the timeout; the slowest only grows.
        p.heard(b, ms(900));
        p.heard(b, ms(2));
        assert_eq!(p.limit(b), ms(5_000));
        assert_eq!(p.limit(c), ms(5_000));
        // A timeout under the floor is kept.
        let mut short = Patience::judging_early(ms(100), true);
        short.heard(a, ms(1));
        assert_eq!(short.limit(a), ms(100));
        // Where refusals are slow, no early judgement at all.
        let mut patient = Patience::judging_early(ms(2_000), false);
        patient.heard(a, ms(1));
        assert_eq!(patient.limit(a), ms(2_000));
        assert_eq!(patient.limit(c), ms(2_000));
    }

    #[test]
    fn a_stop_ends_the_sweep_without_starting_more() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap();
        let mut heard = 0;
        sweep(
            &[open; 10],
            Duration::from_secs(1),
            4,
            || true,
            |_, _| heard += 1,
        )
        .unwrap();
        assert_eq!(heard, 0);
    }
}
