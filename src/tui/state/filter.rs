//! The filter bar and what it finds: the query as typed, whether it has the
//! focus, what is wrong with it, and the search that answers it.
//!
//! The hits live here, beside the search that produces them, because an
//! answer can arrive long after the keystroke (a big catalog is searched on a
//! worker): whoever takes the answer must also own the hits it replaces.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::query::{Hit, QueryError};
use crate::tui::action::Action;
use crate::tui::search::SearchEngine;
use crate::tui::text_input::{Edit, TextInput};

/// What a search did to the hits, so the list knows whether to go back to
/// the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Searched {
    /// No answer yet (or no search at all): the hits are as they were.
    Nothing,
    /// New hits: the list selects the best match, as fzf does.
    NewHits,
    /// The query was refused: the hits stay, and `error` says why.
    Refused,
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
    /// The catalog is still loading: a query typed meanwhile is kept and
    /// run once every row is in (the index is built then); until then the
    /// list shows every row read so far.
    pub deferred: bool,
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
            deferred: false,
        }
    }

    /// The query as typed.
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// Searches `catalog` from now on (it changed); the caller refilters.
    pub fn rebuild(&mut self, catalog: &Arc<Catalog>) {
        self.search = SearchEngine::new(catalog);
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
    /// large one (the answer then comes through [`FilterState::poll`]).
    pub fn refilter(&mut self, rows: usize) -> Searched {
        if self.deferred {
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
            self.search.cancel();
            return self.take_answer(Ok(all));
        }
        match self.search.submit(self.input.text()) {
            Some(answer) => self.take_answer(answer),
            None => {
                self.searching = true;
                Searched::Nothing
            }
        }
    }

    /// Rows `from..to` were added to a catalog that is still loading: while
    /// the query waits, they join the list (without moving the selection).
    pub fn rows_added(&mut self, from: usize, to: usize) {
        if self.deferred {
            self.hits
                .extend((from..to).map(|index| Hit { index, score: 0 }));
        }
    }

    /// Takes a finished background search, if any.
    pub fn poll(&mut self) -> Searched {
        match self.search.poll() {
            Some(answer) => {
                self.searching = false;
                self.take_answer(answer)
            }
            None => Searched::Nothing,
        }
    }

    /// Waits for a running background search (tests and benchmarks).
    pub fn wait(&mut self) -> Searched {
        if !self.searching {
            return Searched::Nothing;
        }
        let searched = match self.search.wait() {
            Some(answer) => self.take_answer(answer),
            None => Searched::Nothing,
        };
        self.searching = false;
        searched
    }

    /// A bad term keeps the previous results on screen and says what is
    /// wrong, so a half-typed `port:` never blanks the list.
    fn take_answer(&mut self, answer: Result<Vec<Hit>, QueryError>) -> Searched {
        match answer {
            Ok(hits) => {
                self.hits = hits;
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
