//! Reading a catalog file behind the explorer, so that its first frame never
//! waits for the file: rows arrive in batches as they are parsed and
//! checked, and the explorer shows them as they come.
//!
//! ```text
//!  loader thread: catalog::load_file_with ── Batch, Batch, … ── Done | Failed ──► event loop ──► App
//! ```

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use crate::catalog::{self, Catalog, Connection, LoadError};

/// What the loader reports, in this order: batches, then one end.
pub enum Progress {
    /// Rows read and checked so far. `head` (the catalog's components and
    /// setup features, without connections) comes with the first batch.
    Batch {
        head: Option<Box<Catalog>>,
        rows: Vec<Connection>,
    },
    /// The file is read and valid; `head` is the whole catalog but its
    /// connections (they all came in batches).
    Done { head: Box<Catalog> },
    /// The file could not be read or is not a valid catalog: every problem.
    Failed(LoadError),
}

/// The receiving end of a load in progress.
pub struct Loader {
    progress: Receiver<Progress>,
}

impl Loader {
    /// Starts reading `path` on a thread of its own.
    pub fn start(path: PathBuf) -> Self {
        let (sender, progress) = channel();
        std::thread::spawn(move || load(&path, &sender));
        Loader { progress }
    }

    /// Everything reported since the last call, without waiting. A loader
    /// whose thread is gone without an end reports that as a failure.
    pub fn poll(&mut self) -> Vec<Progress> {
        let mut out = Vec::new();
        loop {
            match self.progress.try_recv() {
                Ok(progress) => out.push(progress),
                Err(TryRecvError::Empty) => return out,
                Err(TryRecvError::Disconnected) => {
                    if !out
                        .iter()
                        .any(|p| matches!(p, Progress::Done { .. } | Progress::Failed(_)))
                    {
                        out.push(Progress::Failed(LoadError {
                            origin: "catalog".into(),
                            problems: vec![catalog::Problem {
                                position: None,
                                message: "the catalog loader stopped unexpectedly".into(),
                                hint: Some("run `vmmports validate FILE` to see why".into()),
                            }],
                        }));
                    }
                    return out;
                }
            }
        }
    }
}

fn load(path: &std::path::Path, out: &Sender<Progress>) {
    let mut head_sent = false;
    let loaded = catalog::load_file_with(path, |head, _, rows| {
        let head = (!std::mem::replace(&mut head_sent, true)).then(|| {
            Box::new(Catalog {
                connections: Vec::new(),
                ..head.clone()
            })
        });
        // An explorer that has quit no longer listens; the rest of the
        // file is read for nothing, and the process is ending anyway.
        let _ = out.send(Progress::Batch {
            head,
            rows: rows.to_vec(),
        });
    });
    let end = match loaded {
        Ok(mut catalog) => {
            // The explorer has every row already: hand it the rest.
            let connections = std::mem::take(&mut catalog.connections);
            // Freeing 100,000 rows takes a while; this thread has time.
            drop(connections);
            Progress::Done {
                head: Box::new(catalog),
            }
        }
        Err(e) => Progress::Failed(e),
    };
    let _ = out.send(end);
}
