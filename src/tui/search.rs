//! Searching without blocking the screen. A small catalog is searched inline
//! (under a millisecond); from `BACKGROUND_FROM` connections on, a worker
//! thread owns the index, so a keystroke is drawn at once and the list
//! follows when the search is done. The worker always answers the newest
//! query and skips the ones typed past in the meantime.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::catalog::Catalog;
use crate::query::{Hit, QueryError, SearchIndex, Searcher};

/// From this many connections, search on a worker thread.
pub const BACKGROUND_FROM: usize = 20_000;

type Answer = Result<Vec<Hit>, QueryError>;

pub enum SearchEngine {
    Inline(Box<Searcher>),
    Worker {
        requests: Sender<(u64, String)>,
        answers: Receiver<(u64, Answer)>,
        /// Number of the newest request sent.
        sent: u64,
    },
}

impl SearchEngine {
    pub fn new(catalog: &Arc<Catalog>) -> Self {
        if catalog.connections.len() < BACKGROUND_FROM {
            return SearchEngine::Inline(Box::new(Searcher::new(SearchIndex::new(catalog))));
        }
        let (requests, inbox) = channel::<(u64, String)>();
        let (outbox, answers) = channel();
        let catalog = Arc::clone(catalog);
        std::thread::spawn(move || {
            // Building the index is the slow part of a big catalog: done here,
            // it never delays the first frame.
            let mut searcher = Searcher::new(SearchIndex::new(&catalog));
            while let Ok(mut request) = inbox.recv() {
                // Skip to the newest query typed meanwhile.
                while let Ok(newer) = inbox.try_recv() {
                    request = newer;
                }
                let answer = searcher.search(&request.1);
                if outbox.send((request.0, answer)).is_err() {
                    return;
                }
            }
        });
        SearchEngine::Worker {
            requests,
            answers,
            sent: 0,
        }
    }

    /// Asks for `text`. An inline engine answers at once; a worker answers
    /// later, through [`SearchEngine::poll`].
    pub fn submit(&mut self, text: &str) -> Option<Answer> {
        match self {
            SearchEngine::Inline(searcher) => Some(searcher.search(text)),
            SearchEngine::Worker { requests, sent, .. } => {
                *sent += 1;
                // A dead worker means no more answers; the list keeps its rows.
                let _ = requests.send((*sent, text.to_string()));
                None
            }
        }
    }

    /// Forgets answers still on their way (the filter was cleared).
    pub fn cancel(&mut self) {
        if let SearchEngine::Worker { sent, .. } = self {
            // Answers carry the number of their request; none will match.
            *sent += 1;
        }
    }

    /// The answer to the newest request, once it is ready.
    pub fn poll(&mut self) -> Option<Answer> {
        match self {
            SearchEngine::Inline(_) => None,
            SearchEngine::Worker { answers, sent, .. } => {
                let mut newest = None;
                while let Ok((number, answer)) = answers.try_recv() {
                    if number == *sent {
                        newest = Some(answer);
                    }
                }
                newest
            }
        }
    }

    /// Blocks until the newest request is answered (tests and benchmarks).
    pub fn wait(&mut self) -> Option<Answer> {
        match self {
            SearchEngine::Inline(_) => None,
            SearchEngine::Worker { answers, sent, .. } => loop {
                match answers.recv() {
                    Ok((number, answer)) if number == *sent => return Some(answer),
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            },
        }
    }
}
