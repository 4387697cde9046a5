//! Incremental search for a filter typed one key at a time.
//!
//! When the new query only *narrows* the previous one, the previous matches
//! are the only candidates, so typing `winrm` scans the whole catalog once
//! (for `w`) and then ever smaller sets.

use super::index::{Hit, SearchIndex};
use super::parse::{Query, QueryError, TermKind, parse};

pub struct Searcher {
    index: SearchIndex,
    last: Option<Last>,
}

struct Last {
    text: String,
    query: Query,
    /// Matching connection indices, in catalog order.
    matched: Vec<usize>,
}

impl Searcher {
    pub fn new(index: SearchIndex) -> Self {
        Searcher { index, last: None }
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Parses `text` and returns the ranked matches.
    pub fn search(&mut self, text: &str) -> Result<Vec<Hit>, QueryError> {
        let query = parse(text)?;
        let hits = match self
            .last
            .as_ref()
            .filter(|last| narrows(last, text, &query))
        {
            Some(last) => self.index.search_among(&query, &last.matched),
            None => self.index.search(&query),
        };
        let mut matched: Vec<usize> = hits.iter().map(|h| h.index).collect();
        matched.sort_unstable();
        self.last = Some(Last {
            text: text.to_string(),
            query,
            matched,
        });
        Ok(hits)
    }
}

/// True when every connection matching `query` also matched `last`: the text
/// only grew, and either whole new terms were added (AND can only shrink the
/// set) or the last free word got longer (a longer subsequence matches fewer
/// rows). Growing a qualifier (`port:8` → `port:80`) or a negated word
/// (`-win` → `-wind`) can match *more*, so those rescan.
fn narrows(last: &Last, text: &str, query: &Query) -> bool {
    let Some(added) = text.strip_prefix(last.text.as_str()) else {
        return false;
    };
    let old = &last.query.terms;
    let new = &query.terms;
    if new.len() < old.len()
        || new[..old.len().saturating_sub(1)] != old[..old.len().saturating_sub(1)]
    {
        return false;
    }
    if added.starts_with(char::is_whitespace) || old.is_empty() {
        return new[..old.len()] == old[..];
    }
    // The last old term was extended in place.
    match (old.last(), new.get(old.len() - 1)) {
        (Some(before), Some(after)) => match (&before.kind, &after.kind) {
            (TermKind::Fuzzy(a), TermKind::Fuzzy(b)) => {
                !before.negated && !after.negated && b.starts_with(a.as_str())
            }
            _ => before == after,
        },
        _ => false,
    }
}
