//! What reached one port during a run, in bounded memory.
//!
//! A run may last 7 days, and a UDP source address is whatever the sender
//! writes into it: a spoofing sender could make a set of every distinct
//! source grow without end. So only the first [`MAX_SOURCES`] are told
//! apart; past them, attempts are still counted, and the summary says the
//! sources were more. Counting the further sources exactly would mean
//! remembering them, which is what the cap is there to avoid.

use std::collections::BTreeSet;
use std::net::IpAddr;

/// The distinct source addresses one port remembers.
pub const MAX_SOURCES: usize = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    attempts: u64,
    /// Distinct source addresses (without their ports: each TCP connect
    /// comes from a new one), the first [`MAX_SOURCES`] of them.
    sources: BTreeSet<IpAddr>,
    /// Attempts from addresses not in `sources` once it was full.
    beyond: u64,
    /// Datagrams that arrived and were counted but got no reply.
    unanswered: u64,
}

impl Tally {
    /// Counts an attempt from `source`.
    pub fn record(&mut self, source: IpAddr) {
        self.attempts += 1;
        if self.sources.len() < MAX_SOURCES {
            self.sources.insert(source);
        } else if !self.sources.contains(&source) {
            self.beyond += 1;
        }
    }

    /// Counts a datagram that got no reply (it was also [`Tally::record`]ed).
    pub fn record_unanswered(&mut self) {
        self.unanswered += 1;
    }

    /// Every attempt, from any source.
    pub fn attempts(&self) -> u64 {
        self.attempts
    }

    /// The distinct sources told apart (at most [`MAX_SOURCES`]).
    pub fn sources(&self) -> usize {
        self.sources.len()
    }

    /// Whether attempts came from more sources than were told apart.
    pub fn more_sources(&self) -> bool {
        self.beyond > 0
    }

    /// Datagrams that got no reply.
    pub fn unanswered(&self) -> u64 {
        self.unanswered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn address(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn sources_past_the_cap_are_counted_but_not_kept() {
        let mut tally = Tally::default();
        for n in 0..MAX_SOURCES as u32 {
            tally.record(address(n));
            tally.record(address(n));
        }
        assert_eq!(tally.attempts(), 2 * MAX_SOURCES as u64);
        assert_eq!(tally.sources(), MAX_SOURCES);
        assert!(!tally.more_sources(), "exactly the cap is not more");
        // A source already kept is still told apart once the table is full.
        tally.record(address(7));
        assert!(!tally.more_sources());
        for n in 0..500 {
            tally.record(address(MAX_SOURCES as u32 + n));
        }
        assert_eq!(tally.sources(), MAX_SOURCES, "the table stays at its cap");
        assert!(tally.more_sources());
        assert_eq!(tally.attempts(), 2 * MAX_SOURCES as u64 + 501);
        assert_eq!(tally.beyond, 500);
    }
}
