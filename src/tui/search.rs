//! Searching without blocking the screen. A small catalog is searched inline
//! (under a millisecond); from `BACKGROUND_FROM` connections on, and for any
//! catalog read from a file (which keeps its worker once loaded, however
//! small), a worker thread owns the index, so a keystroke is drawn at once
//! and the list follows when the search is done. The worker always answers
//! the newest query and skips the ones typed past in the meantime.
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

/// A reply of the worker, as the screen takes it.
pub enum Reply {
    /// The answer to the newest query.
    Answer(Answer),
    /// The hits on screen, over more rows: the same query.
    Grown(Vec<Hit>),
    /// The hits of a query typed after the one on screen and answered, but
    /// never shown (a newer one was typed meanwhile, and refused), over more
    /// rows: new hits for the screen.
    Later(Vec<Hit>),
}

enum Request {
    Query(u64, String),
    /// The catalog's next rows (as deployed), indexed, while it loads.
    Rows(IndexedRows),
    /// The screen shows no query's hits now (the filter was emptied): grown
    /// answers are not wanted until the next query.
    Forget,
}

/// What the worker sends, numbered: an answer with its query's number, a
/// grown answer with the number of the query whose hits it holds (the last
/// one that parsed).
enum Sent {
    Answer(Answer),
    Grown(Vec<Hit>),
}

pub struct SearchEngine(Engine);

enum Engine {
    Inline(Box<Searcher>),
    Worker {
        requests: Sender<Request>,
        replies: Receiver<(u64, Sent)>,
        /// Number of the newest query sent.
        sent: u64,
        /// Number of the query whose hits are on screen, if the screen shows
        /// a query's hits.
        shown: Option<u64>,
        /// Queries up to this number were dropped by [`SearchEngine::cancel`].
        dropped: u64,
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
        SearchEngine::talking_to(requests, replies)
    }

    /// An engine whose worker takes `requests` and sends `replies`.
    fn talking_to(requests: Sender<Request>, replies: Receiver<(u64, Sent)>) -> Self {
        SearchEngine(Engine::Worker {
            requests,
            replies,
            sent: 0,
            shown: None,
            dropped: 0,
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

    /// Forgets replies still on their way: the filter was emptied, and the
    /// screen shows every row.
    pub fn cancel(&mut self) {
        if let Engine::Worker {
            requests,
            sent,
            shown,
            dropped,
            ..
        } = &mut self.0
        {
            // Replies carry the number of their query; none will match.
            *sent += 1;
            *dropped = *sent;
            *shown = None;
            let _ = requests.send(Request::Forget);
        }
    }

    /// The next reply the screen should take, if one has come.
    pub fn next_reply(&mut self) -> Option<Reply> {
        self.next(|replies| replies.try_recv().ok())
    }

    /// Blocks until the next reply the screen should take (tests and
    /// benchmarks); `None` when no worker will send one.
    pub fn wait(&mut self) -> Option<Reply> {
        self.next(|replies| replies.recv().ok())
    }

    /// Receives until a reply the screen takes, one at a time: those behind
    /// it stay in the channel for the next call.
    fn next(
        &mut self,
        receive: impl Fn(&Receiver<(u64, Sent)>) -> Option<(u64, Sent)>,
    ) -> Option<Reply> {
        loop {
            let Engine::Worker { replies, .. } = &self.0 else {
                return None;
            };
            let (number, sent) = receive(replies)?;
            if let Some(reply) = self.take(number, sent) {
                return Some(reply);
            }
        }
    }

    /// Whether the screen takes what the worker sent as query `number`, and
    /// as what: an answer only to the newest query; hits grown over more rows
    /// of the query on screen, or of a later one that parsed, never of one
    /// typed before it or dropped.
    fn take(&mut self, number: u64, sent_reply: Sent) -> Option<Reply> {
        let Engine::Worker {
            sent,
            shown,
            dropped,
            ..
        } = &mut self.0
        else {
            return None;
        };
        match sent_reply {
            Sent::Answer(answer) if number == *sent => {
                if answer.is_ok() {
                    *shown = Some(number);
                }
                Some(Reply::Answer(answer))
            }
            Sent::Answer(_) => None,
            Sent::Grown(hits) if *shown == Some(number) => Some(Reply::Grown(hits)),
            Sent::Grown(hits) if number > *dropped && shown.is_none_or(|s| number > s) => {
                *shown = Some(number);
                Some(Reply::Later(hits))
            }
            Sent::Grown(_) => None,
        }
    }
}

/// The worker: takes everything sent since it last looked, indexes the new
/// rows first, then answers the newest query over all of them; with no new
/// query, sends the grown answer of the last query that parsed, numbered as
/// that query.
fn serve(mut searcher: Searcher, inbox: &Receiver<Request>, outbox: &Sender<(u64, Sent)>) {
    // The number of the last query that parsed: the one `searcher` grows.
    let mut grows = None;
    while let Ok(first) = inbox.recv() {
        let mut query = None;
        let mut grew = false;
        let mut pending = vec![first];
        while !pending.is_empty() {
            for request in pending.drain(..) {
                match request {
                    Request::Query(number, text) => query = Some((number, text)),
                    Request::Rows(rows) => grew |= searcher.extend(rows),
                    // The rows still join the last query's matches, so that
                    // typing it again narrows from them; only the answers
                    // stop.
                    Request::Forget => {
                        grows = None;
                        query = None;
                    }
                }
            }
            // A paste or a fast typist sends a query per key within
            // microseconds: yielding once lets the rest of the burst in, so
            // that only its last query is searched, not its first letter
            // over every row.
            std::thread::yield_now();
            pending.extend(inbox.try_iter());
        }
        let sent = match (query, grows) {
            (Some((number, text)), _) => {
                let answer = searcher.search(&text);
                if answer.is_ok() {
                    grows = Some(number);
                }
                (number, Sent::Answer(answer))
            }
            (None, Some(number)) if grew => match searcher.last_hits() {
                Some(hits) => (number, Sent::Grown(hits.to_vec())),
                None => continue,
            },
            (None, _) => continue,
        };
        if outbox.send(sent).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker engine whose worker is never started: what it sends is
    /// played by hand, to check which replies the screen takes.
    fn engine() -> SearchEngine {
        let (requests, _) = channel();
        let (_, replies) = channel();
        SearchEngine::talking_to(requests, replies)
    }

    /// An engine whose first query, `winrm`, is answered and on screen.
    fn showing_winrm() -> SearchEngine {
        let mut e = engine();
        e.submit("winrm");
        assert_eq!(kind(e.take(1, Sent::Answer(Ok(hits(2))))), "answer");
        e
    }

    fn hits(n: usize) -> Vec<Hit> {
        (0..n).map(|index| Hit { index, score: 0 }).collect()
    }

    fn refused() -> Answer {
        crate::query::parse("port:").map(|_| Vec::new())
    }

    fn kind(reply: Option<Reply>) -> &'static str {
        match reply {
            None => "none",
            Some(Reply::Answer(Ok(_))) => "answer",
            Some(Reply::Answer(Err(_))) => "refused",
            Some(Reply::Grown(_)) => "grown",
            Some(Reply::Later(_)) => "later",
        }
    }

    /// Replies that come together are taken one by one, none lost: the
    /// last batch's growth came with the one before it, and was dropped.
    #[test]
    fn replies_waiting_together_are_all_taken_in_order() {
        let (requests, _) = channel();
        let (worker, replies) = channel();
        let mut e = SearchEngine::talking_to(requests, replies);
        e.submit("winrm");
        for sent in [
            Sent::Answer(Ok(hits(1))),
            Sent::Grown(hits(2)),
            Sent::Grown(hits(3)),
        ] {
            worker.send((1, sent)).unwrap();
        }
        assert_eq!(kind(e.next_reply()), "answer");
        assert!(matches!(e.next_reply(), Some(Reply::Grown(h)) if h.len() == 2));
        assert!(matches!(e.next_reply(), Some(Reply::Grown(h)) if h.len() == 3));
        assert_eq!(kind(e.next_reply()), "none");
    }

    #[test]
    fn only_the_newest_answer_is_taken_and_then_its_hits_grow() {
        let mut e = engine();
        e.submit("w");
        e.submit("wi");
        assert_eq!(kind(e.take(1, Sent::Answer(Ok(hits(3))))), "none");
        assert_eq!(kind(e.take(1, Sent::Grown(hits(4)))), "later");
        assert_eq!(kind(e.take(2, Sent::Answer(Ok(hits(2))))), "answer");
        assert_eq!(kind(e.take(2, Sent::Grown(hits(3)))), "grown");
        assert_eq!(kind(e.take(1, Sent::Grown(hits(5)))), "none");
    }

    #[test]
    fn a_refused_query_keeps_the_hits_on_screen_growing() {
        let mut e = showing_winrm();
        e.submit("winrm port:");
        assert_eq!(kind(e.take(2, Sent::Answer(refused()))), "refused");
        assert_eq!(kind(e.take(1, Sent::Grown(hits(3)))), "grown");
    }

    /// `winrm po` parsed and was answered while `winrm port:` was being
    /// typed: the screen never showed it, but its grown hits are newer than
    /// the ones on screen.
    #[test]
    fn a_later_query_that_parsed_replaces_an_older_one_as_new_hits() {
        let mut e = showing_winrm();
        e.submit("winrm po");
        e.submit("winrm port:");
        assert_eq!(kind(e.take(2, Sent::Answer(Ok(hits(1))))), "none");
        assert_eq!(kind(e.take(3, Sent::Answer(refused()))), "refused");
        assert_eq!(kind(e.take(2, Sent::Grown(hits(2)))), "later");
        assert_eq!(kind(e.take(2, Sent::Grown(hits(3)))), "grown");
        assert_eq!(kind(e.take(1, Sent::Grown(hits(4)))), "none");
    }

    #[test]
    fn nothing_sent_before_a_cancel_is_taken_after_it() {
        let mut e = showing_winrm();
        e.cancel();
        assert_eq!(kind(e.take(1, Sent::Grown(hits(3)))), "none");
        e.submit("bits");
        assert_eq!(kind(e.take(3, Sent::Answer(Ok(hits(1))))), "answer");
        assert_eq!(kind(e.take(3, Sent::Grown(hits(2)))), "grown");
    }
}
