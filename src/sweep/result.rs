//! What a sweep found on one port of one machine: the reachability state,
//! and `check`'s finding (its service verdict, unless `--connect-only`).

use crate::catalog::Probe;
use crate::check::{Finding, Status};

/// How far a port got. `check`'s [`Status`] plus the two things only a
/// fleet sweep meets: a host the network cannot reach, and a name that does
/// not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Open,
    Refused,
    TimedOut,
    /// UDP only: open or filtered.
    NoAnswer,
    /// No route, or an ICMP host or network unreachable.
    Unreachable,
    NameNotResolved,
    /// Another error, as the system said it (in the finding's detail).
    Failed,
    /// A range or ICMP: not probed (the detail says what to run instead).
    NotTested,
}

impl State {
    /// The word in tables and JSON.
    pub fn word(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Refused => "refused",
            State::TimedOut => "timed out",
            State::NoAnswer => "no answer",
            State::Unreachable => "unreachable",
            State::NameNotResolved => "name not resolved",
            State::Failed => "failed",
            State::NotTested => "not tested",
        }
    }

    /// Every state, in the order summaries list them.
    pub const ALL: [State; 8] = [
        State::Open,
        State::Refused,
        State::TimedOut,
        State::NoAnswer,
        State::Unreachable,
        State::NameNotResolved,
        State::Failed,
        State::NotTested,
    ];

    /// The state `check` reached a port in.
    pub fn of(status: &Status) -> State {
        match status {
            Status::Open(_) => State::Open,
            Status::Refused => State::Refused,
            Status::TimedOut => State::TimedOut,
            Status::NoAnswer => State::NoAnswer,
            Status::Failed(_) => State::Failed,
            Status::Untestable(_) => State::NotTested,
        }
    }
}

/// One port of one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortResult {
    pub state: State,
    /// The probe whose verdict `finding` is (`tcp` for a bare connect).
    pub probe: Probe,
    pub finding: Finding,
}

impl PortResult {
    /// A result `check` gave.
    pub fn checked(probe: Probe, finding: Finding) -> PortResult {
        PortResult {
            state: State::of(&finding.status),
            probe,
            finding,
        }
    }

    /// A port not reached, in `state`, with the system's words when any.
    pub fn unreached(state: State, detail: Option<String>) -> PortResult {
        let status = match (state, detail.clone()) {
            (State::Refused, _) => Status::Refused,
            (State::TimedOut, _) => Status::TimedOut,
            (State::NoAnswer, _) => Status::NoAnswer,
            (State::NotTested, Some(why)) => Status::Untestable(why),
            (_, detail) => Status::Failed(detail.unwrap_or_else(|| state.word().into())),
        };
        let mut finding = Finding::unreached(status);
        // What the status itself does not say (how long a silent port was
        // waited for) is kept; a failure's reason is its status already.
        if finding.detail.is_none() {
            finding.detail = detail;
        }
        PortResult {
            state,
            probe: Probe::Tcp,
            finding,
        }
    }

    /// Answered as expected: the service answered (or, with
    /// `--connect-only`, the port was open).
    pub fn ok(&self) -> bool {
        self.finding.answered
    }

    /// In a few words: the state, or what an open port failed to be
    /// (`open, not WinRM`).
    pub fn summary(&self) -> String {
        if self.state == State::Open && !self.ok() {
            format!("open, not {}", self.probe.label())
        } else {
            self.state.word().into()
        }
    }

    /// Counted against the machine: tested, and not answered as expected.
    pub fn failing(&self) -> bool {
        self.state != State::NotTested && !self.ok()
    }
}
