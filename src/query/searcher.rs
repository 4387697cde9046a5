//! Incremental search for a filter typed one key at a time, over a catalog
//! that may still be growing.
//!
//! When the new query only *narrows* the previous one, the previous matches
//! are the only candidates, so typing `winrm` scans the whole catalog once
//! (for `w`) and then ever smaller sets. When rows are added (a big catalog
//! still being read), only they are matched against the last query, and
//! their hits merged into its ranking.

use std::cmp::Reverse;

use super::index::{Hit, IndexedRows, SearchIndex};
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
    /// The same matches, ranked.
    hits: Vec<Hit>,
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
            hits: hits.clone(),
        });
        Ok(hits)
    }

    /// Takes `rows`, the catalog's next connections, indexed. After a
    /// search, the new rows are matched against its query too, so that
    /// [`Searcher::last_hits`] is its answer over every row indexed so far,
    /// ranked as a fresh search would rank them; true when there was one.
    pub fn extend(&mut self, rows: IndexedRows) -> bool {
        let from = self.index.len();
        self.index.append(rows);
        let Some(last) = self.last.as_mut() else {
            return false;
        };
        let added: Vec<usize> = (from..self.index.len()).collect();
        let found = self.index.search_among(&last.query, &added);
        // New rows come after every old one: `matched` stays in order.
        last.matched.extend(found.iter().map(|h| h.index));
        last.hits = merge_ranked(std::mem::take(&mut last.hits), found);
        true
    }

    /// The last successful search's hits, ranked, over every row indexed.
    pub fn last_hits(&self) -> Option<&[Hit]> {
        self.last.as_ref().map(|last| last.hits.as_slice())
    }
}

/// Two rankings as one: best score first, ties in catalog order, which is
/// how [`SearchIndex::search_among`] ranks (a query without free words
/// scores every row 0, so that is catalog order).
fn merge_ranked(a: Vec<Hit>, b: Vec<Hit>) -> Vec<Hit> {
    let rank = |h: &Hit| (Reverse(h.score), h.index);
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if rank(y) < rank(x) => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(hit) => merged.push(hit),
            None => return merged,
        }
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
