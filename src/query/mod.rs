//! The query language and search: parse a filter, match it against a
//! catalog, rank the results, and say which characters matched.
//! No terminal code here: the CLI and the TUI both call in.

mod index;
mod parse;
mod searcher;
mod select;

pub use index::{
    Field, Hit, IndexedRows, SearchIndex, component_words, match_positions, names_component,
};
pub use parse::{QUALIFIERS, Query, QueryError, Term, TermKind, parse};
pub use searcher::Searcher;
pub use select::select;
