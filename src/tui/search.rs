//! Searching without blocking the screen. A small catalog is searched inline
//! (under a millisecond); from `BACKGROUND_FROM` connections on, and for any
//! catalog still being read, a worker thread owns the index, so a keystroke
//! is drawn at once and the list follows when the search is done. The worker
//! always answers the newest query and skips the ones typed past in the
//! meantime.
//!
//! While a catalog loads, the worker also takes its rows as they are read,
//! indexed by the loader's thread: it adds them to its index, and when a
//! query has been searched, matches them against it and sends the grown
//! answer, so the list fills in as the file is read (as fzf's does) and the
//! index is whole the moment the last row is in.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::catalog::Catalog;
use crate::query::{Hit, IndexedRows, QueryError, SearchIndex, Searcher};

/// From this many connections, search on a worker thread.
pub const BACKGROUND_FROM: usize = 20_000;

type Answer = Result<Vec<Hit>, QueryError>;

/// What the worker sends back, numbered with the newest query it had.
pub enum Reply {
    /// The answer to that query.
    Answer(Answer),
    /// The last query searched, answered again over more rows.
    Grown(Vec<Hit>),
}

enum Request {
    Query(u64, String),
    /// The catalog's next rows (as deployed), indexed, while it loads.
    Rows(IndexedRows),
}

pub struct SearchEngine(Engine);

enum Engine {
    Inline(Box<Searcher>),
    Worker {
        requests: Sender<Request>,
        replies: Receiver<(u64, Reply)>,
        /// Number of the newest request sent.
        sent: u64,
    },
    /// A catalog still loading whose components are not known yet: nothing
    /// can be indexed, so nothing is searched.
    Waiting,
}

impl SearchEngine {
    /// An engine over every row of `catalog`.
    pub fn new(catalog: &Arc<Catalog>) -> Self {
        if catalog.connections.len() < BACKGROUND_FROM {
            let searcher = Searcher::new(SearchIndex::new(catalog));
            return SearchEngine(Engine::Inline(Box::new(searcher)));
        }
        let catalog = Arc::clone(catalog);
        // Building the index is the slow part of a big catalog: done on the
        // worker, it never delays the first frame.
        SearchEngine::worker(move || SearchIndex::new(&catalog))
    }

    /// An engine for a catalog still loading whose components are not known
    /// yet: it searches nothing until replaced.
    pub fn waiting() -> Self {
        SearchEngine(Engine::Waiting)
    }

    /// An engine over a catalog being read: `head` holds its components, and
    /// its rows come through [`SearchEngine::add_rows`].
    pub fn growing(head: &Catalog) -> Self {
        let index = SearchIndex::for_components(head);
        SearchEngine::worker(move || index)
    }

    fn worker(index: impl FnOnce() -> SearchIndex + Send + 'static) -> Self {
        let (requests, inbox) = channel();
        let (outbox, replies) = channel();
        std::thread::spawn(move || serve(Searcher::new(index()), &inbox, &outbox));
        SearchEngine(Engine::Worker {
            requests,
            replies,
            sent: 0,
        })
    }

    /// Whether there is nothing to search yet (see [`SearchEngine::waiting`]).
    pub fn is_waiting(&self) -> bool {
        matches!(self.0, Engine::Waiting)
    }

    /// Asks for `text`. An inline engine answers at once; a worker answers
    /// later, through [`SearchEngine::next_reply`].
    pub fn submit(&mut self, text: &str) -> Option<Answer> {
        match &mut self.0 {
            Engine::Inline(searcher) => Some(searcher.search(text)),
            Engine::Worker { requests, sent, .. } => {
                *sent += 1;
                // A dead worker means no more answers; the list keeps its rows.
                let _ = requests.send(Request::Query(*sent, text.to_string()));
                None
            }
            Engine::Waiting => None,
        }
    }

    /// Hands a growing engine the catalog's next rows, indexed. Only a
    /// worker grows; rows added to another engine are not searched until it
    /// is rebuilt.
    pub fn add_rows(&mut self, rows: IndexedRows) {
        if let Engine::Worker { requests, .. } = &mut self.0 {
            let _ = requests.send(Request::Rows(rows));
        }
    }

    /// Forgets replies still on their way (the filter was cleared).
    pub fn cancel(&mut self) {
        if let Engine::Worker { sent, .. } = &mut self.0 {
            // Replies carry the number of their request; none will match.
            *sent += 1;
        }
    }

    /// The next reply to the newest request, if one has come.
    pub fn next_reply(&mut self) -> Option<Reply> {
        let Engine::Worker { replies, sent, .. } = &mut self.0 else {
            return None;
        };
        replies
            .try_iter()
            .find_map(|(number, reply)| (number == *sent).then_some(reply))
    }

    /// Blocks until the next reply to the newest request (tests and
    /// benchmarks); `None` when no worker will send one.
    pub fn wait(&mut self) -> Option<Reply> {
        let Engine::Worker { replies, sent, .. } = &mut self.0 else {
            return None;
        };
        loop {
            match replies.recv() {
                Ok((number, reply)) if number == *sent => return Some(reply),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

/// The worker: takes everything sent since it last looked, indexes the new
/// rows first, then answers the newest query over all of them; with no new
/// query, sends the last one's grown answer.
fn serve(mut searcher: Searcher, inbox: &Receiver<Request>, outbox: &Sender<(u64, Reply)>) {
    let mut newest = 0;
    while let Ok(first) = inbox.recv() {
        let mut query = None;
        let mut grew = false;
        for request in std::iter::once(first).chain(inbox.try_iter()) {
            match request {
                Request::Query(number, text) => {
                    newest = number;
                    query = Some(text);
                }
                Request::Rows(rows) => grew |= searcher.extend(rows),
            }
        }
        let reply = match (query, grew.then(|| searcher.last_hits()).flatten()) {
            (Some(text), _) => Reply::Answer(searcher.search(&text)),
            (None, Some(hits)) => Reply::Grown(hits.to_vec()),
            (None, None) => continue,
        };
        if outbox.send((newest, reply)).is_err() {
            return;
        }
    }
}
