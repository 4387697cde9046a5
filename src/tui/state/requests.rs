//! Effects `App` asks the event loop for. The loop owns the clipboard, the
//! terminal and the network; `App` only records what it wants done, so it
//! stays testable without any of them, and the loop performs each request
//! between frames (an OSC 52 copy must never land inside a frame).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    /// A copy to make: what was copied, in words. The text is `App::last_copy`.
    pub copy: Option<String>,
    /// Text to show plain, outside the frame (`v`).
    pub plain: Option<String>,
    /// The check popup opened: start its check.
    pub check: bool,
    /// A sweep view opened: start its sweep.
    pub sweep: bool,
}

impl Requests {
    /// Something waits for the loop: it stops taking queued keys and acts.
    pub fn pending(&self) -> bool {
        self.copy.is_some() || self.plain.is_some() || self.check || self.sweep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_request_is_pending_until_taken() {
        let mut requests = Requests::default();
        assert!(!requests.pending());
        requests.plain = Some("rule".into());
        assert!(requests.pending());
        requests.plain.take();
        requests.check = true;
        assert!(requests.pending());
    }
}
