//! The filter bar and what it finds: the query as typed, whether it has the
//! focus, what is wrong with it, and the search that answers it.
//!
//! The hits live here, beside the search that produces them, because an
//! answer can arrive long after the keystroke (a big catalog is searched on a
//! worker): whoever takes the answer must also own the hits it replaces.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::query::{Hit, IndexedRows, QueryError};
use crate::tui::action::Action;
use crate::tui::search::{Reply, SearchEngine};
use crate::tui::text_input::{Edit, TextInput};

/// What a search did to the hits, so the list knows whether to go back to
/// the top. Several replies taken at once count as the one that matters
/// most: the later variants here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[must_use]
pub enum Searched {
    /// No answer yet (or no search at all): the hits are as they were.
    Nothing,
    /// The query was refused: the hits stay, and `error` says why.
    Refused,
    /// The same query's hits over more rows of a catalog still loading:
    /// the list keeps its place.
    Grown,
    /// New hits: the list selects the best match, as fzf does.
    NewHits,
}

pub struct FilterState {
    /// The query as typed, with its cursor.
    pub input: TextInput,
    /// The filter bar has the focus: letters type into it.
    pub filtering: bool,
    /// What is wrong with the filter as typed, while it is wrong.
    pub error: Option<String>,
    search: SearchEngine,
    /// A search is running on the worker; the list shows the previous results.
    pub searching: bool,
    /// The current matches, best first.
    pub hits: Vec<Hit>,
    /// The hits are every row, as the empty filter shows them: rows read
    /// while loading join them here, not through a search.
    all_rows: bool,
    /// Rows went to the search since its last reply, and the hits are a
    /// query's: a grown answer is on its way.
    growing: bool,
    /// The catalog is still loading. Its rows are searched as they come
    /// (see [`FilterState::rows_added`]), but not before its components are
    /// known: a query typed before that waits for them.
    pub loading: bool,
}

impl FilterState {
    /// An empty filter over `catalog`; no hits until the first
    /// [`FilterState::refilter`].
    pub fn new(catalog: &Arc<Catalog>) -> Self {
        FilterState {
            input: TextInput::default(),
            filtering: false,
            error: None,
            search: SearchEngine::new(catalog),
            searching: false,
            hits: Vec::new(),
            all_rows: false,
            growing: false,
            loading: false,
        }
    }

    /// A catalog starts loading: nothing to search until its components
    /// come ([`FilterState::grow_from`]).
    pub fn start_loading(&mut self) {
        self.loading = true;
        self.search = SearchEngine::waiting();
    }

    /// The loading catalog's components are known (`head`): its rows are
    /// indexed and searched from now on, as they come. The caller refilters
    /// once the first rows are in, for a query typed meanwhile.
    pub fn grow_from(&mut self, head: &Catalog) {
        self.search = SearchEngine::growing(head);
    }

    /// Every row is in. True when the query must run now: the catalog has no
    /// rows, so no batch brought its components and nothing was searched.
    pub fn finish_loading(&mut self, catalog: &Arc<Catalog>) -> bool {
        self.loading = false;
        if self.search.is_waiting() {
            self.rebuild(catalog);
            return !self.text().trim().is_empty();
        }
        false
    }

    /// The query as typed.
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// Searches `catalog` from now on (it changed); the caller refilters.
    /// Nothing the old search was still to send will come.
    pub fn rebuild(&mut self, catalog: &Arc<Catalog>) {
        self.search = SearchEngine::new(catalog);
        self.searching = false;
        self.growing = false;
    }

    /// The filter bar's keys: focus, typing and editing, accept, clear.
    /// `rows` is the number of connections in the catalog.
    pub fn update(&mut self, action: Action, rows: usize) -> Searched {
        match action {
            Action::FocusFilter => {
                self.filtering = true;
                self.input.apply(Edit::End);
            }
            // Typing outside an input (a stray event) changes nothing.
            Action::Type(_) | Action::Edit(_) if !self.filtering => {}
            Action::Type(c) => return self.edit(Edit::Insert(c), rows),
            Action::Edit(edit) => return self.edit(edit, rows),
            Action::FilterAccept => self.filtering = false,
            Action::FilterClear => {
                self.filtering = false;
                return self.set_text(String::new(), rows);
            }
            _ => {}
        }
        Searched::Nothing
    }

    fn edit(&mut self, edit: Edit, rows: usize) -> Searched {
        if self.input.apply(edit) {
            self.refilter(rows)
        } else {
            Searched::Nothing
        }
    }

    /// Replaces the filter text (e.g. from a matrix cell) and searches.
    pub fn set_text(&mut self, text: String, rows: usize) -> Searched {
        self.input = TextInput::new(text);
        self.refilter(rows)
    }

    /// Runs the filter: at once for a small catalog, on the worker for a
    /// large one or a file's (the answer then comes through
    /// [`FilterState::poll`]).
    pub fn refilter(&mut self, rows: usize) -> Searched {
        if self.search.is_waiting() {
            // The list keeps every row read so far, and its selection; a
            // mistyped term is still pointed out at once.
            self.error = crate::query::parse(self.text()).err().map(|e| describe(&e));
            return Searched::Nothing;
        }
        // An empty filter matches every row in catalog order: no index
        // needed, so a big catalog's first frame shows its rows at once.
        if self.text().trim().is_empty() {
            let all = (0..rows).map(|index| Hit { index, score: 0 }).collect();
            self.searching = false;
            self.growing = false;
            self.search.cancel();
            let searched = self.take_answer(Ok(all));
            self.all_rows = true;
            return searched;
        }
        match self.search.submit(self.input.text()) {
            Some(answer) => {
                self.searching = false;
                self.take_answer(answer)
            }
            None => {
                self.searching = true;
                Searched::Nothing
            }
        }
    }

    /// The catalog's rows `from..to` were read while it loads, and `rows` is
    /// them indexed: the search takes them, and an empty filter's list shows
    /// them at once (without moving the selection); a query's hits grow when
    /// the search has matched them ([`Searched::Grown`]).
    pub fn rows_added(&mut self, from: usize, to: usize, rows: IndexedRows) {
        // The first batch brings the components ([`FilterState::grow_from`]);
        // rows before them could not be searched.
        debug_assert!(!self.search.is_waiting(), "rows before their components");
        self.search.add_rows(rows);
        if self.all_rows {
            self.hits
                .extend((from..to).map(|index| Hit { index, score: 0 }));
        } else if !self.search.is_waiting() {
            self.growing = true;
        }
    }

    /// Takes what the background search has sent, if anything.
    pub fn poll(&mut self) -> Searched {
        let mut searched = Searched::Nothing;
        while let Some(reply) = self.search.next_reply() {
            searched = searched.max(self.take_reply(reply));
        }
        searched
    }

    /// Waits for the reply a running background search or rows just added
    /// will send (tests and benchmarks).
    pub fn wait(&mut self) -> Searched {
        if !self.searching && !self.growing {
            return Searched::Nothing;
        }
        match self.search.wait() {
            Some(reply) => self.take_reply(reply),
            None => {
                self.searching = false;
                self.growing = false;
                Searched::Nothing
            }
        }
    }

    fn take_reply(&mut self, reply: Reply) -> Searched {
        self.growing = false;
        match reply {
            Reply::Answer(answer) => {
                self.searching = false;
                self.take_answer(answer)
            }
            // A refused query's message stays: these are the hits of the
            // query before it, the one on screen.
            Reply::Grown(hits) => {
                self.hits = hits;
                Searched::Grown
            }
            // Or of a later one that parsed, and was never shown.
            Reply::Later(hits) => {
                self.hits = hits;
                self.all_rows = false;
                Searched::NewHits
            }
        }
    }

    /// A bad term keeps the previous results on screen and says what is
    /// wrong, so a half-typed `port:` never blanks the list.
    fn take_answer(&mut self, answer: Result<Vec<Hit>, QueryError>) -> Searched {
        match answer {
            Ok(hits) => {
                self.hits = hits;
                self.all_rows = false;
                self.error = None;
                Searched::NewHits
            }
            Err(e) => {
                self.error = Some(describe(&e));
                Searched::Refused
            }
        }
    }
}

/// What is wrong with a query, for the filter bar.
fn describe(e: &QueryError) -> String {
    format!("`{}`: {} ({})", e.term, e.message, e.hint)
}
