//! Bounded reads and writes for the probes: every wait ends at a deadline,
//! and no read grows past a cap, whatever the far end does.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// Why a probe got no usable reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Silence {
    /// Nothing (or not enough) arrived before the deadline.
    Timeout,
    /// The far end closed, or reset, before replying in full.
    Closed,
    /// Another error, as the system said it.
    Error(String),
}

impl Silence {
    /// A line for the user: what did not happen, for `what` ("an HTTP reply").
    pub fn describe(&self, what: &str, timeout: Duration) -> String {
        match self {
            Silence::Timeout => format!(
                "connected, but no {what} within {} ms: something else listens here, or the service hangs",
                timeout.as_millis()
            ),
            Silence::Closed => {
                format!("connected, but it closed the connection without {what}")
            }
            Silence::Error(e) => format!("connected, but reading {what} failed: {e}"),
        }
    }

    fn from_io(e: &std::io::Error) -> Silence {
        match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => Silence::Timeout,
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
                Silence::Closed
            }
            _ => Silence::Error(e.to_string()),
        }
    }
}

/// Writes `bytes` in full, within the stream's write timeout.
pub fn send(stream: &mut impl Write, bytes: &[u8]) -> Result<(), Silence> {
    stream
        .write_all(bytes)
        .and_then(|()| stream.flush())
        .map_err(|e| Silence::from_io(&e))
}

/// Reads until `complete` says the bytes so far hold a whole reply, the far
/// end closes (then what arrived, if anything, is returned), or `cap` bytes
/// have arrived. Gives up at `deadline`.
pub fn receive(
    stream: &mut TcpStream,
    deadline: Instant,
    cap: usize,
    complete: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Silence> {
    receive_from(
        stream,
        |s, timeout| s.set_read_timeout(Some(timeout)),
        deadline,
        cap,
        complete,
    )
}

/// [`receive`] for any stream whose read timeout `set_timeout` can set (a
/// TLS session over a TCP stream, say).
pub fn receive_from<S: Read>(
    stream: &mut S,
    set_timeout: impl Fn(&mut S, Duration) -> std::io::Result<()>,
    deadline: Instant,
    cap: usize,
    complete: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Silence> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while !complete(&got) && got.len() < cap {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Silence::Timeout);
        }
        set_timeout(stream, left).map_err(|e| Silence::from_io(&e))?;
        match stream.read(&mut chunk) {
            // Closed: what arrived is for the caller to judge.
            Ok(0) if got.is_empty() => return Err(Silence::Closed),
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&chunk[..n.min(cap - got.len())]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(Silence::from_io(&e)),
        }
    }
    Ok(got)
}

/// Sends `request` and receives the reply as [`receive`] does; a failure is
/// the line to show, naming `what` was awaited ("SMB reply").
pub fn ask(
    stream: &mut TcpStream,
    request: &[u8],
    deadline: Instant,
    cap: usize,
    complete: impl Fn(&[u8]) -> bool,
    what: &str,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    send(stream, request)
        .and_then(|()| receive(stream, deadline, cap, complete))
        .map_err(|e| e.describe(what, timeout))
}

/// A TCP stream whose every read and write ends by `deadline`, for code
/// that loops over reads itself (rustls): a peer that drips one byte at a
/// time cannot stretch such a loop past the deadline.
pub struct Deadlined {
    pub stream: TcpStream,
    pub deadline: Instant,
}

impl Deadlined {
    fn left(&self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                ErrorKind::TimedOut,
                "the probe's time is up",
            ));
        }
        Ok(left)
    }
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

impl Write for Deadlined {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.stream.set_write_timeout(Some(left))?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// A UDP exchange's outcome.
#[derive(Debug)]
pub enum UdpReply {
    /// A datagram from the host: its bytes, the port it came from, how
    /// long it took, and the socket (for a reply from the same port).
    Got(Vec<u8>, u16, Duration, UdpSocket),
    /// An ICMP port unreachable came back: nothing listens.
    Refused,
    NoAnswer,
    Failed(String),
}

/// Sends one datagram to `address` and waits for one reply from the same
/// host. `same_port`: the reply comes from the port asked (the socket is
/// connected, so an ICMP port unreachable is reported as `Refused`); else
/// from any port of that host, as TFTP answers from a new one.
pub fn udp_exchange(
    address: SocketAddr,
    payload: &[u8],
    same_port: bool,
    timeout: Duration,
) -> UdpReply {
    let local: SocketAddr = match address.ip() {
        IpAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = match UdpSocket::bind(local) {
        Ok(s) => s,
        Err(e) => return UdpReply::Failed(format!("cannot open a UDP socket: {e}")),
    };
    let start = Instant::now();
    let sent = if same_port {
        socket.connect(address).and_then(|()| socket.send(payload))
    } else {
        socket.send_to(payload, address)
    };
    if let Err(e) = sent {
        return udp_error(&e);
    }
    let deadline = start + timeout;
    // The largest datagram there is: a long SQL Browser list must not be
    // cut short (which Linux does silently).
    let mut buffer = vec![0u8; 65_535];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return UdpReply::NoAnswer;
        }
        if let Err(e) = socket.set_read_timeout(Some(left)) {
            return UdpReply::Failed(e.to_string());
        }
        match socket.recv_from(&mut buffer) {
            // Datagrams from other hosts are not the reply; keep waiting.
            Ok((n, from)) if from.ip() == address.ip() => {
                buffer.truncate(n);
                return UdpReply::Got(buffer, from.port(), start.elapsed(), socket);
            }
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return udp_error(&e),
        }
    }
}

fn udp_error(e: &std::io::Error) -> UdpReply {
    match e.kind() {
        // Linux reports the ICMP port unreachable as refused on a connected
        // socket; Windows as a reset (WSAECONNRESET), on any socket.
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => UdpReply::Refused,
        ErrorKind::WouldBlock | ErrorKind::TimedOut => UdpReply::NoAnswer,
        _ => UdpReply::Failed(e.to_string()),
    }
}

/// Big-endian u16 at `at`, if the bytes reach that far.
pub fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// Little-endian u16 at `at`, if the bytes reach that far.
pub fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// The first bytes of an unexpected reply, printable, for a detail line.
pub fn preview(bytes: &[u8]) -> String {
    let text: String = bytes
        .iter()
        .take(24)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect();
    if bytes.len() > 24 {
        format!("{text}…")
    } else {
        text
    }
}
