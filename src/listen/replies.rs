//! Which datagrams listen answers, and with how many bytes.
//!
//! A datagram's source address is whatever its sender wrote, so answering
//! every datagram lets anyone aim listen at a third party: one forged
//! datagram "from" an echo, daytime or DNS service starts an exchange in
//! which that service answers each reply and listen answers each answer,
//! for the whole run. The rules, in the order [`Replies::judge`] applies
//! them:
//!
//! - **A source port below 1024 is never answered.** Those are the ports
//!   services listen on (echo 7, daytime 13, chargen 19, DNS 53, NTP 123,
//!   NetBIOS 137…); the clients that test a path (nc, `vmmports check`,
//!   PowerShell's `UdpClient`) send from an ephemeral port (32768-60999 on
//!   Linux, 49152-65535 on Windows). The few real peers that do send from a
//!   low port (NTP between servers, a DHCP client's 68, IKE's 500) speak a
//!   protocol that could not use listen's text anyway; their datagrams are
//!   still shown and counted, which is what the test is for.
//! - **A datagram that looks like a reply of listen's** (it starts with
//!   [`REPLY_PREFIX`], or is a piece of it, as a reply cut short is) comes
//!   from an echo service or from another listen: answering would bounce.
//! - **Each source (address and port) gets at most [`PER_PEER`] replies**
//!   in a run: enough for someone typing lines into `nc -u`, and an end to
//!   an exchange with a service that answers everything with something new.
//! - A source caught by one of these three is muted: its datagrams are
//!   still counted, but it is shown once, with the reason, and never
//!   answered again.
//! - **A reply is never longer than the datagram that asked** (listen's
//!   text is cut to fit), so nobody can use listen to amplify; an empty
//!   datagram gets no reply at all.
//! - **At most [`PER_SECOND`] replies leave in any one second**, all ports
//!   and sources together, whatever arrives.
//!
//! Memory stays bounded over a 7-day run: at most [`MAX_PEERS`] sources are
//! remembered. When the table is full, the source heard from longest ago
//! that is not muted makes room; when every one is muted, a new source gets
//! no reply (it is still counted).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::REPLY_PREFIX;

/// Replies one source (address and port) gets in a whole run.
pub const PER_PEER: u32 = 5;
/// Replies sent in any one second, all ports and sources together.
pub const PER_SECOND: u32 = 20;
/// Sources remembered at once.
pub const MAX_PEERS: usize = 4_096;
/// The lowest source port answered: below it, ports belong to services.
pub const FIRST_CLIENT_PORT: u16 = 1024;

/// Why a datagram got no reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its source port is a service's (below [`FIRST_CLIENT_PORT`]).
    ServicePort(u16),
    /// It looks like a reply of listen's: an echo, or another listen.
    LooksLikeReply,
    /// Its source had [`PER_PEER`] replies already.
    Enough,
    /// It was empty: a reply may not be longer than the datagram.
    Empty,
    /// [`PER_SECOND`] replies had left in this second already.
    Busy,
    /// The table of sources is full of muted ones.
    TooManySources,
}

impl Why {
    /// Why, in a few words, for the line that shows the datagram.
    pub fn text(self) -> String {
        match self {
            Why::ServicePort(port) => format!(
                "its source port {port} is a service's, not a client's, and a service may \
                 answer back"
            ),
            Why::LooksLikeReply => {
                "it is a reply of listen's sent back: an echo service, or another listen".into()
            }
            Why::Enough => format!("its source had {PER_PEER} replies already"),
            Why::Empty => "it is empty, and a reply is never longer than what asked".into(),
            Why::Busy => format!("at most {PER_SECOND} replies leave a second"),
            Why::TooManySources => format!("{MAX_PEERS} sources are muted already"),
        }
    }
}

/// What to do with one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Reply with the first this many bytes of listen's reply.
    Answer(usize),
    /// Show it, without a reply this time.
    Unanswered(Why),
    /// Show it once more, saying its source is not answered from now on.
    Muted(Why),
    /// Its source is muted: count it, do not show it.
    Ignored,
}

#[derive(Debug, Clone, Copy)]
struct Peer {
    replies: u32,
    muted: bool,
    last: Instant,
}

/// The reply budget of one run: per source, and in total.
#[derive(Debug)]
pub struct Replies {
    peers: HashMap<SocketAddr, Peer>,
    second: Instant,
    sent_this_second: u32,
}

impl Replies {
    pub fn new(now: Instant) -> Replies {
        Replies {
            peers: HashMap::new(),
            second: now,
            sent_this_second: 0,
        }
    }

    /// Judges a datagram of `payload` from `source` that arrived `now`,
    /// for a reply of `reply_len` bytes; an `Answer` is counted as sent.
    pub fn judge(
        &mut self,
        source: SocketAddr,
        payload: &[u8],
        reply_len: usize,
        now: Instant,
    ) -> Verdict {
        let Some(peer) = self.peer(source, now) else {
            return Verdict::Unanswered(Why::TooManySources);
        };
        if peer.muted {
            return Verdict::Ignored;
        }
        peer.last = now;
        let mute = if source.port() < FIRST_CLIENT_PORT {
            Some(Why::ServicePort(source.port()))
        } else if looks_like_reply(payload) {
            Some(Why::LooksLikeReply)
        } else if peer.replies >= PER_PEER {
            Some(Why::Enough)
        } else {
            None
        };
        if let Some(why) = mute {
            peer.muted = true;
            return Verdict::Muted(why);
        }
        if payload.is_empty() {
            return Verdict::Unanswered(Why::Empty);
        }
        if now.duration_since(self.second) >= Duration::from_secs(1) {
            self.second = now;
            self.sent_this_second = 0;
        }
        if self.sent_this_second >= PER_SECOND {
            return Verdict::Unanswered(Why::Busy);
        }
        self.sent_this_second += 1;
        // `peer` was last borrowed above; look it up again past `self`.
        if let Some(peer) = self.peers.get_mut(&source) {
            peer.replies += 1;
        }
        Verdict::Answer(payload.len().min(reply_len))
    }

    /// The entry for `source`, made when new; `None` when the table is full
    /// and every source in it is muted.
    fn peer(&mut self, source: SocketAddr, now: Instant) -> Option<&mut Peer> {
        if !self.peers.contains_key(&source) && self.peers.len() >= MAX_PEERS {
            let oldest = self
                .peers
                .iter()
                .filter(|(_, peer)| !peer.muted)
                .min_by_key(|(_, peer)| peer.last)
                .map(|(address, _)| *address)?;
            self.peers.remove(&oldest);
        }
        Some(self.peers.entry(source).or_insert(Peer {
            replies: 0,
            muted: false,
            last: now,
        }))
    }
}

/// Whether `payload` is listen's reply, or a piece of one cut short.
fn looks_like_reply(payload: &[u8]) -> bool {
    let prefix = REPLY_PREFIX.as_bytes();
    payload.starts_with(prefix) || (!payload.is_empty() && prefix.starts_with(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: usize = 30;

    fn at(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_reply_is_never_longer_than_what_asked() {
        let now = Instant::now();
        let mut replies = Replies::new(now);
        let client = at("10.0.0.5:50000");
        assert_eq!(
            replies.judge(client, b"hi\n", REPLY, now),
            Verdict::Answer(3)
        );
        assert_eq!(
            replies.judge(client, &[b'x'; 1_000], REPLY, now),
            Verdict::Answer(REPLY)
        );
        assert_eq!(
            replies.judge(at("10.0.0.5:50001"), b"", REPLY, now),
            Verdict::Unanswered(Why::Empty)
        );
    }

    #[test]
    fn service_ports_and_echoed_replies_mute_their_source() {
        let now = Instant::now();
        let mut replies = Replies::new(now);
        for port in [0, 7, 13, 19, 53, 123, 1023] {
            let daytime = SocketAddr::new("10.0.0.9".parse().unwrap(), port);
            assert_eq!(
                replies.judge(daytime, b"Tue Dec  2 01:11:20 2026\r\n", REPLY, now),
                Verdict::Muted(Why::ServicePort(port)),
                "{port}"
            );
            assert_eq!(
                replies.judge(daytime, b"again", REPLY, now),
                Verdict::Ignored
            );
        }
        // An echo on a high port sends back what it got: the whole reply,
        // or a piece of it when the reply was cut to a short datagram.
        for echoed in [
            &b"vmmports listen: reached 9/udp\n"[..],
            b"vmm",
            b"vmmports listen",
        ] {
            let echo = at("10.0.0.9:40007");
            let mut replies = Replies::new(now);
            assert_eq!(
                replies.judge(echo, echoed, REPLY, now),
                Verdict::Muted(Why::LooksLikeReply),
                "{echoed:?}"
            );
            assert_eq!(replies.judge(echo, b"hello", REPLY, now), Verdict::Ignored);
        }
        assert_eq!(
            replies.judge(at("10.0.0.5:1024"), b"vmmports check\n", REPLY, now),
            Verdict::Answer(15)
        );
    }

    #[test]
    fn each_source_gets_a_few_replies_and_all_of_them_a_few_a_second() {
        let start = Instant::now();
        let mut replies = Replies::new(start);
        let chatty = at("10.0.0.5:50000");
        for _ in 0..PER_PEER {
            assert!(matches!(
                replies.judge(chatty, b"line\n", REPLY, start),
                Verdict::Answer(_)
            ));
        }
        assert_eq!(
            replies.judge(chatty, b"line\n", REPLY, start),
            Verdict::Muted(Why::Enough)
        );
        assert_eq!(
            replies.judge(chatty, b"line\n", REPLY, start),
            Verdict::Ignored
        );
        // PER_PEER were sent this second; the rest of the second's budget
        // goes to new sources, then nothing until the next second.
        let mut port = 50001;
        let mut next = |replies: &mut Replies, now| {
            port += 1;
            replies.judge(at(&format!("10.0.0.6:{port}")), b"x", REPLY, now)
        };
        for _ in PER_PEER..PER_SECOND {
            assert_eq!(next(&mut replies, start), Verdict::Answer(1));
        }
        assert_eq!(next(&mut replies, start), Verdict::Unanswered(Why::Busy));
        let later = start + Duration::from_millis(999);
        assert_eq!(next(&mut replies, later), Verdict::Unanswered(Why::Busy));
        let later = start + Duration::from_secs(1);
        assert_eq!(next(&mut replies, later), Verdict::Answer(1));
    }

    #[test]
    fn the_source_table_is_bounded_and_keeps_muted_sources() {
        let start = Instant::now();
        let mut replies = Replies::new(start);
        let echo = at("10.0.0.9:40007");
        assert_eq!(
            replies.judge(echo, REPLY_PREFIX.as_bytes(), REPLY, start),
            Verdict::Muted(Why::LooksLikeReply)
        );
        for n in 0..MAX_PEERS + 100 {
            let source = SocketAddr::new("10.1.0.1".parse().unwrap(), 1024 + n as u16);
            let now = start + Duration::from_secs(1 + n as u64);
            assert!(matches!(
                replies.judge(source, b"x", REPLY, now),
                Verdict::Answer(1)
            ));
        }
        assert_eq!(replies.peers.len(), MAX_PEERS);
        // The muted echo was not the one to make room.
        assert_eq!(
            replies.judge(echo, b"again", REPLY, start),
            Verdict::Ignored
        );
    }
}
