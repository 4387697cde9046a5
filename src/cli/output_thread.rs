//! Standard output written by a thread of its own, for `listen`.
//!
//! A `write` to a full pipe (a reader that stopped reading, a pager nobody
//! scrolls) blocks until the reader drains it, and nothing ends a thread
//! stuck there: not the stop flag a signal sets, which that thread would
//! only look at after the write returned. `listen` has to keep serving, and
//! stop when told, whatever its output does, so its loop never writes: it
//! hands text to this thread through a queue and goes on.
//!
//! - The queue holds at most [`CAPACITY`] pieces; past that, a piece is
//!   dropped and counted ([`OutputThread::dropped`]), so memory stays
//!   bounded however long the output is stuck.
//! - The thread holds stdout's lock for its whole life. Nothing else in the
//!   process writes to stdout meanwhile (the CLI prints nothing after an
//!   empty result), and the runtime's flush at exit only tries the lock, so
//!   a process whose writer is stuck can still exit: it just leaves the
//!   writer behind.
//! - [`OutputThread::finish`] queues the last piece (the summary) whatever
//!   the queue holds, and waits for the writer to get it out for as long as
//!   the caller's `give_up` says no.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Pieces of text waiting at most; a full pipe already holds 64 KiB more.
pub const CAPACITY: usize = 1_024;
/// How often [`OutputThread::finish`] asks whether to stop waiting.
const RECHECK: Duration = Duration::from_millis(10);

#[derive(Default)]
struct Queue {
    pieces: VecDeque<String>,
    dropped: u64,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        // Nothing panics while holding the lock; a poisoned queue is still
        // a consistent queue.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A writer thread and the queue that feeds it.
pub struct OutputThread {
    shared: Arc<Shared>,
    writer: JoinHandle<()>,
}

impl OutputThread {
    /// Writes to stdout.
    pub fn stdout() -> OutputThread {
        OutputThread::to(|| io::stdout().lock())
    }

    /// Writes to what `open` returns, on the writer thread.
    pub fn to<W: Write>(open: impl FnOnce() -> W + Send + 'static) -> OutputThread {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let writer = std::thread::spawn(move || {
            let mut out = open();
            while let Some(piece) = next(&theirs) {
                // A closed pipe (`| head`) is not an error; the rest is
                // taken off the queue and let go.
                let _ = out.write_all(piece.as_bytes()).and_then(|()| out.flush());
            }
        });
        OutputThread { shared, writer }
    }

    /// Queues `text` (whole lines), or drops and counts it when the queue
    /// is full. Never waits for the writer.
    pub fn send(&self, text: String) {
        let mut queue = self.shared.queue();
        if queue.pieces.len() >= CAPACITY {
            queue.dropped += 1;
            return;
        }
        queue.pieces.push_back(text);
        drop(queue);
        self.shared.ready.notify_one();
    }

    /// Pieces dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.shared.queue().dropped
    }

    /// Queues `last` even when the queue is full, then waits until the
    /// writer has written everything, or until `give_up` (asked every few
    /// milliseconds) says to stop waiting. Returns whether all was written;
    /// when not, the writer is left behind, stuck, to end with the process.
    pub fn finish(self, last: String, mut give_up: impl FnMut() -> bool) -> bool {
        {
            let mut queue = self.shared.queue();
            queue.pieces.push_back(last);
            queue.closed = true;
        }
        self.shared.ready.notify_one();
        loop {
            if self.writer.is_finished() {
                let _ = self.writer.join();
                return true;
            }
            if give_up() {
                return false;
            }
            std::thread::sleep(RECHECK);
        }
    }
}

/// The next piece to write, waiting for one; `None` once the queue is
/// closed and empty.
fn next(shared: &Shared) -> Option<String> {
    let mut queue = shared.queue();
    loop {
        if let Some(piece) = queue.pieces.pop_front() {
            return Some(piece);
        }
        if queue.closed {
            return None;
        }
        queue = shared
            .ready
            .wait(queue)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{Receiver, Sender, channel};
    use std::time::Instant;

    /// Collects what is written, for the test to read.
    #[derive(Clone, Default)]
    struct Collected(Arc<Mutex<Vec<u8>>>);

    impl Write for Collected {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A pipe nobody reads: the first write says it began, then blocks
    /// until the test ends.
    struct Stuck {
        began: Sender<()>,
        never: Receiver<()>,
    }

    impl Write for Stuck {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            let _ = self.began.send(());
            let _ = self.never.recv();
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn everything_is_written_in_order_and_the_last_piece_too() {
        let collected = Collected::default();
        let out = OutputThread::to({
            let collected = collected.clone();
            move || collected
        });
        for n in 0..100 {
            out.send(format!("{n}\n"));
        }
        assert!(out.finish("summary\n".into(), || false));
        let text = String::from_utf8(collected.0.lock().unwrap().clone()).unwrap();
        let expected: String = (0..100).map(|n| format!("{n}\n")).collect();
        assert_eq!(text, expected + "summary\n");
    }

    #[test]
    fn a_stuck_writer_never_blocks_the_sender() {
        let (began, wrote) = channel();
        let (keep, never) = channel::<()>();
        let out = OutputThread::to(move || Stuck { began, never });
        out.send("first\n".into());
        wrote
            .recv_timeout(Duration::from_secs(10))
            .expect("the writer took the first piece");
        // The writer is stuck on "first": the queue fills, then drops.
        let start = Instant::now();
        for n in 0..CAPACITY + 5 {
            out.send(format!("{n}\n"));
        }
        assert_eq!(out.dropped(), 5);
        assert!(start.elapsed() < Duration::from_secs(1));
        // finish does not wait past `give_up`.
        let mut asked = 0;
        assert!(!out.finish("summary\n".into(), || {
            asked += 1;
            asked > 3
        }));
        assert!(start.elapsed() < Duration::from_secs(1));
        drop(keep);
    }
}
