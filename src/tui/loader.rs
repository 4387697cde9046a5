//! Reading a catalog file behind the explorer, so that its first frame never
//! waits for the file: rows arrive in batches as they are parsed, checked
//! and indexed for the search, and the explorer shows them as they come.
//!
//! ```text
//!  loader thread: catalog::load_file_handing_over ── Batch, Batch, … ── Done | Failed ──► event loop ──► App
//! ```
//!
//! The rows are indexed here, on the thread that checked them, as `list`
//! does: on the explorer's side, the search worker only appends the entries,
//! and neither the screen's thread nor the worker copies a row for it.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use crate::catalog::{self, Catalog, Connection, LoadError};
use crate::query::{IndexedRows, SearchIndex};
use crate::rules::settings::Settings;

/// What the loader reports, in this order: batches, then one end.
pub enum Progress {
    /// Rows read and checked so far. `head` (the catalog's components and
    /// setup features, without connections) comes with the first batch.
    Batch {
        head: Option<Box<Catalog>>,
        rows: Vec<Connection>,
        /// The same rows, as deployed, indexed for the search.
        indexed: IndexedRows,
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
    /// Starts reading `path` on a thread of its own; `settings` move the
    /// setup ports the rows are indexed with, as the explorer deploys them.
    pub fn start(path: PathBuf, settings: Settings) -> Self {
        let (sender, progress) = channel();
        std::thread::spawn(move || load(&path, &settings, &sender));
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

fn load(path: &std::path::Path, settings: &Settings, out: &Sender<Progress>) {
    let mut indexer: Option<SearchIndex> = None;
    // The rows go to the explorer as they are: this thread keeps no copy.
    let loaded = catalog::load_file_handing_over(path, |head, _, rows| {
        let first = indexer.is_none();
        let indexer = indexer.get_or_insert_with(|| SearchIndex::for_components(head));
        let head = first.then(|| {
            Box::new(Catalog {
                connections: Vec::new(),
                ..head.clone()
            })
        });
        let indexed = index_deployed(indexer, settings, &rows);
        // An explorer that has quit no longer listens; the rest of the
        // file is read for nothing, and the process is ending anyway.
        let _ = out.send(Progress::Batch {
            head,
            rows,
            indexed,
        });
    });
    let end = match loaded {
        // The explorer has every row already; this is the rest.
        Ok(catalog) => Progress::Done {
            head: Box::new(catalog),
        },
        Err(e) => Progress::Failed(e),
    };
    let _ = out.send(end);
}

/// `rows` indexed as the explorer searches them: with the setup ports that
/// `settings` move (a copy is made only when they move any).
pub fn index_deployed(
    indexer: &SearchIndex,
    settings: &Settings,
    rows: &[Connection],
) -> IndexedRows {
    if settings.ports.is_empty() {
        return indexer.index_rows(rows);
    }
    let mut deployed = rows.to_vec();
    settings.apply_ports_to(&mut deployed);
    indexer.index_rows(&deployed)
}
