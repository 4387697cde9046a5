//! Matching a parsed query against a catalog, fast enough for every keystroke.
//!
//! Each connection is flattened once into lowercase text fields and plain
//! numbers ([`Entry`]), so a search never walks the catalog's nested data.
//! Free words then go through two cheap filters before fuzzy-matcher scores
//! them: a bitmask of the ASCII letters and digits a row contains, and an
//! in-order (subsequence) byte check. Both only reject rows the fuzzy matcher
//! would reject too, so ranking is unchanged; they just skip its work.

use std::collections::HashMap;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::parse::{Query, TermKind};
use crate::catalog::{Catalog, Connection, Direction, Section, Transport};

/// The searchable parts of a connection, in ranking priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Service,
    From,
    To,
    Id,
    Purpose,
    Notes,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Service,
        Field::From,
        Field::To,
        Field::Id,
        Field::Purpose,
        Field::Notes,
    ];

    /// Added to a word's score when it matches in this field, so that `winrm`
    /// ranks rows whose *service* is WinRM above rows that mention it in a note.
    fn bonus(self) -> i64 {
        match self {
            Field::Service => 40,
            Field::From | Field::To => 30,
            Field::Id => 20,
            Field::Purpose => 10,
            Field::Notes => 0,
        }
    }

    /// Whether the field is prose. Prose is long enough that almost any word
    /// is a scattered subsequence of it (`nothingmatches` "matches" a
    /// paragraph), so there a free word must match within one of its words.
    /// That rule, unlike a score threshold, keeps matching monotonic: a longer
    /// query word never matches a row its prefix did not, which is what lets
    /// incremental search narrow instead of rescanning.
    fn is_prose(self) -> bool {
        matches!(self, Field::Purpose | Field::Notes)
    }

    /// The field's display text for a connection, as the UI would show it
    /// (component display names, services and purposes joined).
    pub fn text(self, catalog: &Catalog, conn: &Connection) -> String {
        self.text_with(conn, &|ids| catalog.names(ids))
    }

    /// [`Field::text`] with a caller-supplied way to name components, so
    /// indexing a large catalog can use a hash map instead of a linear scan.
    fn text_with(self, conn: &Connection, names: &dyn Fn(&[String]) -> String) -> String {
        match self {
            Field::Service => conn.services_text(),
            Field::From => names(&conn.from),
            Field::To => names(&conn.to),
            Field::Id => conn.id.clone(),
            Field::Purpose => {
                crate::text::join_unique(conn.ports.iter().map(|p| p.purpose.as_str()), ", ")
            }
            Field::Notes => conn.notes.join(" "),
        }
    }
}

/// One connection, flattened for matching.
struct Entry {
    /// Lowercase text per [`Field`], in `Field::ALL` order.
    fields: [String; 6],
    /// Bit i set when the row contains byte `ALPHABET[i]`.
    mask: u64,
    from: Vec<u32>,
    to: Vec<u32>,
    /// Components that carry one of the connection's rules, including those
    /// that are `also` such a component.
    placed_on: Vec<u32>,
    ports: Vec<(u16, u16, Transport)>,
    modifiability: &'static str,
    direction: Direction,
    section: Section,
}

/// A catalog prepared for searching. Built once per loaded catalog, or a
/// batch of connections at a time while a big catalog is still being read
/// ([`SearchIndex::for_components`], then [`SearchIndex::extend`]): it can
/// be searched at any point, over the rows indexed so far.
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Per component: lowercase id, name and aliases, for `from:`/`to:`/`on:`.
    component_words: Vec<Vec<String>>,
    /// What indexing a connection needs to know of the components.
    components: Components,
    matcher: SkimMatcherV2,
}

/// Connections indexed, not yet part of an index (see
/// [`SearchIndex::index_rows`]).
pub struct IndexedRows(Vec<Entry>);

/// A matching connection: its index in `catalog.connections` and its score
/// (higher is better; 0 when the query has no free words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: i64,
}

/// What `from:`, `to:` and `on:` match a component by: its id, name and
/// aliases, in lowercase; a term matches when one of them contains it.
pub fn component_words(c: &crate::catalog::Component) -> Vec<String> {
    std::iter::once(&c.id)
        .chain(std::iter::once(&c.name))
        .chain(&c.aliases)
        .map(|w| w.to_lowercase())
        .collect()
}

/// Whether the query word `word` (already lowercase) names `c`.
pub fn names_component(word: &str, c: &crate::catalog::Component) -> bool {
    component_words(c).iter().any(|w| w.contains(word))
}

/// `text` in lowercase, in place when it is ASCII (nearly always): one
/// allocation less per field and row.
fn lowercase(mut text: String) -> String {
    if text.is_ascii() {
        text.make_ascii_lowercase();
        text
    } else {
        text.to_lowercase()
    }
}

/// The components as indexing a connection reads them.
struct Components {
    /// Component index by id: a linear search per reference costs seconds
    /// at 100,000 connections.
    by_id: HashMap<String, u32>,
    /// Display names, by component index.
    names: Vec<String>,
    /// The machines that play each role: itself, and those that declare
    /// they are also it (or the one it runs on); see
    /// [`Catalog::machines_acting_as`].
    acting_as: HashMap<String, Vec<u32>>,
}

impl Components {
    fn new(head: &Catalog) -> Self {
        // One pass, not `machines_acting_as` per component: synthetic
        // catalogs have hundreds of components.
        let mut acting_as: HashMap<String, Vec<u32>> = HashMap::new();
        let index_of: HashMap<&str, u32> = head
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i as u32))
            .collect();
        for (i, c) in head.components.iter().enumerate() {
            match c.runs_on.as_deref().and_then(|h| index_of.get(h)) {
                Some(&host) => acting_as.entry(c.id.clone()).or_default().push(host),
                None => {
                    for id in std::iter::once(&c.id).chain(&c.also) {
                        acting_as.entry(id.clone()).or_default().push(i as u32);
                    }
                }
            }
        }
        Components {
            by_id: head
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i as u32))
                .collect(),
            names: head.components.iter().map(|c| c.name.clone()).collect(),
            acting_as,
        }
    }

    fn component_index(&self, id: &str) -> u32 {
        // Validation guarantees every reference resolves.
        self.by_id.get(id).copied().unwrap_or(u32::MAX)
    }

    /// The components named by `ids` and the machines that play them, each
    /// once: `to:untrusted` finds the agent's rows, whose destination is
    /// the Hyper-V host that a host in an untrusted domain also is.
    fn ends(&self, ids: &[String]) -> Vec<u32> {
        let mut out: Vec<u32> = ids.iter().map(|id| self.component_index(id)).collect();
        for id in ids {
            out.extend(self.acting_as.get(id).into_iter().flatten().copied());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn entry(&self, conn: &Connection) -> Entry {
        let names = |ids: &[String]| {
            let mut out = String::new();
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(
                    self.names
                        .get(self.component_index(id) as usize)
                        .map_or(id.as_str(), String::as_str),
                );
            }
            out
        };
        let fields = Field::ALL.map(|f| lowercase(f.text_with(conn, &names)));
        let mask = fields.iter().fold(0, |m, f| m | byte_mask(f));
        // Once per connection, not once per component it is tried
        // against: at 100,000 rows this was a fifth of `list`.
        let placements = conn.placements(false);
        let mut placed_on: Vec<u32> = placements
            .iter()
            .filter_map(|p| self.acting_as.get(p.machine))
            .flatten()
            .copied()
            .collect();
        placed_on.sort_unstable();
        placed_on.dedup();
        Entry {
            fields,
            mask,
            from: self.ends(&conn.from),
            to: self.ends(&conn.to),
            placed_on,
            ports: conn
                .ports
                .iter()
                .map(|p| (p.first, p.last, p.transport))
                .collect(),
            modifiability: conn.modifiability.as_str(),
            direction: conn.direction,
            section: conn.section,
        }
    }
}

impl SearchIndex {
    /// Indexes every connection of `catalog`.
    pub fn new(catalog: &Catalog) -> Self {
        let mut index = SearchIndex::for_components(catalog);
        index.extend(&catalog.connections);
        index
    }

    /// An index of no connections yet, over `head`'s components (its
    /// connections are not indexed); [`SearchIndex::extend`] adds them.
    pub fn for_components(head: &Catalog) -> Self {
        SearchIndex {
            entries: Vec::new(),
            component_words: head.components.iter().map(component_words).collect(),
            components: Components::new(head),
            matcher: SkimMatcherV2::default().respect_case(),
        }
    }

    /// Indexes the next connections, in catalog order.
    pub fn extend(&mut self, connections: &[Connection]) {
        let rows = self.index_rows(connections);
        self.append(rows);
    }

    /// Indexes `connections` for [`SearchIndex::append`] on another index of
    /// the same components, leaving this one as it is: a catalog being read
    /// is indexed on the thread that reads it, and searched on another.
    pub fn index_rows(&self, connections: &[Connection]) -> IndexedRows {
        IndexedRows(
            connections
                .iter()
                .map(|c| self.components.entry(c))
                .collect(),
        )
    }

    /// Adds rows indexed by [`SearchIndex::index_rows`] as the next
    /// connections, in catalog order.
    pub fn append(&mut self, rows: IndexedRows) {
        self.entries.extend(rows.0);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Matches `candidates` (connection indices) against `query`, ranked best
    /// first; ties keep catalog order. Large candidate sets are split across
    /// the machine's cores.
    pub fn search_among(&self, query: &Query, candidates: &[usize]) -> Vec<Hit> {
        let prepared = Prepared::new(self, query);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut hits: Vec<Hit> = if threads > 1 && candidates.len() >= PARALLEL_THRESHOLD {
            let chunk = candidates.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = candidates
                    .chunks(chunk)
                    .map(|part| scope.spawn(|| self.match_all(&prepared, part)))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect()
            })
        } else {
            self.match_all(&prepared, candidates)
        };
        if prepared.ranks {
            hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        }
        hits
    }

    /// Matches every connection.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        let all: Vec<usize> = (0..self.entries.len()).collect();
        self.search_among(query, &all)
    }

    /// Matches every connection, with free words as plain text: a row
    /// matches a word when one of its fields contains it, ignoring case.
    /// For commands that act on what they select (firewall rules, probes),
    /// where a fuzzy match on scattered letters would open ports nobody
    /// asked for. Results keep catalog order.
    pub fn search_plain(&self, query: &Query) -> Vec<Hit> {
        let mut prepared = Prepared::new(self, query);
        prepared.plain = true;
        prepared.ranks = false;
        (0..self.entries.len())
            .filter_map(|index| {
                let entry = self.entries.get(index)?;
                self.score(&prepared, entry)
                    .map(|score| Hit { index, score })
            })
            .collect()
    }

    fn match_all(&self, prepared: &Prepared, candidates: &[usize]) -> Vec<Hit> {
        candidates
            .iter()
            .filter_map(|&index| {
                let entry = self.entries.get(index)?;
                self.score(prepared, entry)
                    .map(|score| Hit { index, score })
            })
            .collect()
    }

    fn score(&self, prepared: &Prepared, entry: &Entry) -> Option<i64> {
        let mut total = 0;
        for term in &prepared.terms {
            let holds = match &term.test {
                Test::Fuzzy { word, mask } if !term.negated && !prepared.plain => {
                    total += self.fuzzy(entry, word, *mask)?;
                    true
                }
                Test::Fuzzy { word, .. } => entry.fields.iter().any(|f| f.contains(word.as_str())),
                Test::Components { which, accepted } => {
                    let ids = match which {
                        Which::From => &entry.from,
                        Which::To => &entry.to,
                        Which::On => &entry.placed_on,
                    };
                    ids.iter()
                        .any(|&c| accepted.get(c as usize).copied().unwrap_or(false))
                }
                Test::Ports(ranges) => entry.ports.iter().any(|&(first, last, t)| {
                    t.has_ports() && ranges.iter().any(|&(a, b)| first <= b && a <= last)
                }),
                Test::Proto(t) => entry.ports.iter().any(|p| p.2 == *t),
                Test::Mod(m) => entry.modifiability == *m,
                Test::Dir(d) => entry.direction == *d,
                Test::Section(s) => entry.section == *s,
            };
            if holds == term.negated {
                return None;
            }
        }
        Some(total)
    }

    /// Best score of `word` over the entry's fields, with the field's bonus.
    /// Like fzf, equal matches go to the shorter text (`WinRM` beats
    /// `WinRM 1.1 (legacy), RPC…`): the score is scaled up and the matched
    /// text's length, capped, taken off, so it only ever breaks ties.
    fn fuzzy(&self, entry: &Entry, word: &str, mask: u64) -> Option<i64> {
        if mask & !entry.mask != 0 {
            return None;
        }
        let scored = |text: &str, bonus: i64| {
            let score = self.matcher.fuzzy_match(text, word)?;
            Some((score + bonus) * TIE_SCALE - (text.len() as i64).min(TIE_SCALE - 1))
        };
        Field::ALL
            .iter()
            .zip(&entry.fields)
            .filter(|(_, text)| is_subsequence(word.as_bytes(), text.as_bytes()))
            .filter_map(|(field, text)| {
                if field.is_prose() {
                    text.split_whitespace()
                        .filter(|w| is_subsequence(word.as_bytes(), w.as_bytes()))
                        .filter_map(|w| scored(w, field.bonus()))
                        .max()
                } else {
                    scored(text, field.bonus())
                }
            })
            .max()
    }
}

/// How much a point of fuzzy score outweighs a byte of matched-text length.
const TIE_SCALE: i64 = 256;

/// Below this many candidates, spawning threads costs more than it saves.
const PARALLEL_THRESHOLD: usize = 4096;

/// A query with its per-search work done once: component qualifiers resolved
/// to the set of matching components, fuzzy words given their byte masks.
struct Prepared {
    terms: Vec<PreparedTerm>,
    /// Whether any positive free word gives scores worth sorting by.
    ranks: bool,
    /// Free words match as plain text, not fuzzily.
    plain: bool,
}

struct PreparedTerm {
    negated: bool,
    test: Test,
}

enum Which {
    From,
    To,
    On,
}

enum Test {
    Fuzzy { word: String, mask: u64 },
    Components { which: Which, accepted: Vec<bool> },
    Ports(Vec<(u16, u16)>),
    Proto(Transport),
    Mod(&'static str),
    Dir(Direction),
    Section(Section),
}

impl Prepared {
    fn new(index: &SearchIndex, query: &Query) -> Self {
        let components = |which, word: &str| Test::Components {
            which,
            accepted: index
                .component_words
                .iter()
                .map(|words| words.iter().any(|w| w.contains(word)))
                .collect(),
        };
        let terms = query
            .terms
            .iter()
            .map(|term| PreparedTerm {
                negated: term.negated,
                test: match &term.kind {
                    TermKind::Fuzzy(word) => Test::Fuzzy {
                        word: word.clone(),
                        mask: byte_mask(word),
                    },
                    TermKind::From(w) => components(Which::From, w),
                    TermKind::To(w) => components(Which::To, w),
                    TermKind::On(w) => components(Which::On, w),
                    TermKind::Port(ranges) => Test::Ports(ranges.clone()),
                    TermKind::Proto(t) => Test::Proto(*t),
                    TermKind::Mod(m) => Test::Mod(m),
                    TermKind::Dir(d) => Test::Dir(*d),
                    TermKind::Section(s) => Test::Section(*s),
                },
            })
            .collect();
        Prepared {
            terms,
            ranks: query.fuzzy_words().next().is_some(),
            plain: false,
        }
    }
}

/// Which of `a-z0-9` and a few separators occur in `text`: a 64-bit summary
/// that rejects most non-matching rows with one AND.
fn byte_mask(text: &str) -> u64 {
    text.bytes().fold(0, |mask, b| {
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + (b - b'0'),
            b'-' => 36,
            b'.' => 37,
            b'/' => 38,
            b'_' => 39,
            _ => return mask,
        };
        mask | (1 << bit)
    })
}

/// True when `needle`'s bytes appear in `haystack` in order. Fuzzy matching
/// needs the word's characters in order, so a row failing this cannot match.
fn is_subsequence(needle: &[u8], haystack: &[u8]) -> bool {
    let mut rest = haystack;
    for &b in needle {
        match rest.iter().position(|&h| h == b) {
            Some(at) => rest = &rest[at + 1..],
            None => return false,
        }
    }
    true
}

/// Character positions in `text` (a `field`'s display text) that the
/// query's free words match, for highlighting, by the same rules as matching:
/// in prose, each word highlights within one word of the text. Computed on
/// demand, only for rows on screen.
pub fn match_positions(field: Field, text: &str, query: &Query) -> Vec<usize> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut positions = Vec::new();
    for word in query.fuzzy_words() {
        if field.is_prose() {
            // The best-scoring word of the text, with positions shifted to
            // where that word starts in the whole text.
            let best = words_with_offsets(text)
                .filter_map(|(offset, w)| {
                    matcher
                        .fuzzy_indices(w, word)
                        .map(|(score, p)| (score, offset, p))
                })
                .max_by_key(|(score, _, _)| *score);
            if let Some((_, offset, p)) = best {
                positions.extend(p.into_iter().map(|i| i + offset));
            }
        } else if let Some((_, p)) = matcher.fuzzy_indices(text, word) {
            positions.extend(p);
        }
    }
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// Whitespace-separated words with the character index each starts at.
fn words_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut chars_before = 0;
    let mut last_end = 0;
    text.split_whitespace().map(move |w| {
        let start = w.as_ptr() as usize - text.as_ptr() as usize;
        chars_before += text[last_end..start].chars().count();
        let offset = chars_before;
        chars_before += w.chars().count();
        last_end = start + w.len();
        (offset, w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequence_prefilter() {
        assert!(is_subsequence(b"wrm", b"winrm"));
        assert!(is_subsequence(b"", b"x"));
        assert!(!is_subsequence(b"mrw", b"winrm"));
        assert!(!is_subsequence(b"winrmx", b"winrm"));
    }

    #[test]
    fn prose_highlights_within_one_word() {
        let query = crate::query::parse("rule").unwrap();
        let text = "the inbound rüle is a rule";
        let chars: Vec<char> = text.chars().collect();
        let picked: String = match_positions(Field::Notes, text, &query)
            .iter()
            .map(|&i| chars[i])
            .collect();
        assert_eq!(picked, "rule");
    }

    #[test]
    fn mask_rejects_missing_letters() {
        let row = byte_mask("winrm control channel 5985");
        assert_eq!(byte_mask("wrm") & !row, 0);
        assert_ne!(byte_mask("sql") & !row, 0);
    }
}
