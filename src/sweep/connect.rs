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
//! up after the timeout, and nothing new starts once `stop` says so.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

/// Sockets open at once, at most.
pub const MAX_IN_FLIGHT: usize = 512;
/// How often a quiet poll looks at `stop` again.
const RECHECK: Duration = Duration::from_millis(50);

/// How one connect ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connected {
    /// The handshake completed, in this time.
    Open(Duration),
    /// A reset came back: nothing listens, or a firewall rejects.
    Refused,
    /// No answer within the timeout: dropped on the way or at the host.
    TimedOut,
    /// The host or its network cannot be reached (an ICMP unreachable, or
    /// no route), as the system said it.
    Unreachable(String),
    /// Any other error, as the system said it.
    Failed(String),
}

/// Connects to every address in `targets`, at most `in_flight` at a time,
/// giving each `timeout`; `done(i, how)` hears of target `i` as soon as it
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
    // Slot `k` is Token(k): the target index, its socket and its deadline.
    let mut slots: Vec<Option<(usize, TcpStream, Instant)>> = Vec::new();
    slots.resize_with(in_flight.max(1), || None);
    let mut next = 0;
    let mut open = 0;
    // Lowered when the process runs out of descriptors (a soft limit of
    // 256, as macOS sets by default): the target waits for a slot instead
    // of failing.
    let mut limit = slots.len();
    loop {
        // Fill every free slot.
        while next < targets.len() && open < limit && !stop() {
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
            slots[k] = Some((i, stream, Instant::now() + timeout));
            open += 1;
        }
        if open == 0 || stop() {
            return Ok(());
        }
        let now = Instant::now();
        let earliest = slots
            .iter()
            .flatten()
            .map(|s| s.2)
            .min()
            .unwrap_or(now + RECHECK);
        let wait = earliest.saturating_duration_since(now).min(RECHECK);
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
            let Some(how) = outcome(stream, *started - timeout) else {
                // Woken before the handshake ended (mio allows spurious
                // events): keep waiting.
                continue;
            };
            let i = *i;
            if let Some((_, mut stream, _)) = slots[k].take() {
                let _ = poll.registry().deregister(&mut stream);
            }
            open -= 1;
            done(i, how);
        }
        // Whatever has had its whole timeout is given up.
        let now = Instant::now();
        for slot in &mut slots {
            if slot.as_ref().is_some_and(|s| s.2 <= now)
                && let Some((i, mut stream, _)) = slot.take()
            {
                let _ = poll.registry().deregister(&mut stream);
                open -= 1;
                done(i, Connected::TimedOut);
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
        TimedOut => Connected::TimedOut,
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
