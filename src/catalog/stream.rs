//! Parsing a catalog while its connections are already being used.
//!
//! A catalog of 100,000 connections takes a while to parse, check and index.
//! Instead of one step after another, the parser (this thread) hands the
//! connections over in batches as it reads them, and a second thread checks
//! each batch and passes it to the caller (to build a search index, or to
//! show the rows in the explorer), all while parsing goes on:
//!
//! ```text
//!  text ─► parser ── components, setup features, batches of rows ──► checker thread
//!            │            (in file order, through a bounded channel)     │ RowChecker, then `rows(head, first, batch)`
//!            ▼                                                           ▼
//!        the rest of the catalog ─► validate_head ─────────────► every problem, with its path
//! ```
//!
//! Serde's derived `Deserialize` for `Catalog` could only hand over the whole
//! list at the end, so the top level is visited here by hand; every value
//! inside it still goes through the derived impls, and errors keep the
//! parsers' positions.

use std::fmt;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::model::{Catalog, CatalogNote, Component, Connection, SetupFeature};
use super::validate::{RowChecker, Violation, validate_head};

/// Connections handed over at a time: big enough that the channel costs
/// nothing per row, small enough that the first rows show at once.
pub const BATCH: usize = 2048;

/// The fields of a catalog, in the order `to_ron`/`to_json` write them.
const FIELDS: &[&str] = &[
    "title",
    "source",
    "components",
    "setup_features",
    "connections",
    "notes",
];

/// What the parser tells the checker thread, in file order.
enum Piece {
    Components(Vec<Component>),
    SetupFeatures(Vec<SetupFeature>),
    Rows(Vec<Connection>),
}

/// A catalog's top level, read by hand so that `connections` can be handed
/// over in batches. The value is the catalog without its connections.
pub struct TopLevel<'s> {
    out: &'s SyncSender<Piece>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Catalog;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Catalog, D::Error> {
        deserializer.deserialize_struct("Catalog", FIELDS, self)
    }
}

/// Sends a piece; a checker that has gone (it panicked) is reported when it
/// is joined, so the parser just carries on.
fn send(out: &SyncSender<Piece>, piece: Piece) {
    let _ = out.send(piece);
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Catalog;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct Catalog")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Catalog, A::Error> {
        let mut title: Option<String> = None;
        let mut source: Option<String> = None;
        let mut components: Option<Vec<Component>> = None;
        let mut setup_features: Option<Vec<SetupFeature>> = None;
        let mut connections_seen = false;
        let mut notes: Option<Vec<CatalogNote>> = None;
        // The same errors, in the same words, as `#[derive(Deserialize)]`
        // with `deny_unknown_fields` gives.
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            match slot {
                Some(_) => Err(E::duplicate_field(name)),
                None => Ok(()),
            }
        }
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "title" => {
                    once(&title, "title")?;
                    title = Some(map.next_value()?);
                }
                "source" => {
                    once(&source, "source")?;
                    source = Some(map.next_value()?);
                }
                "components" => {
                    once(&components, "components")?;
                    let value: Vec<Component> = map.next_value()?;
                    send(self.out, Piece::Components(value.clone()));
                    components = Some(value);
                }
                "setup_features" => {
                    once(&setup_features, "setup_features")?;
                    let value: Vec<SetupFeature> = map.next_value()?;
                    send(self.out, Piece::SetupFeatures(value.clone()));
                    setup_features = Some(value);
                }
                "connections" => {
                    if connections_seen {
                        return Err(de::Error::duplicate_field("connections"));
                    }
                    map.next_value_seed(Rows { out: self.out })?;
                    connections_seen = true;
                }
                "notes" => {
                    once(&notes, "notes")?;
                    notes = Some(map.next_value()?);
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        if !connections_seen {
            return Err(de::Error::missing_field("connections"));
        }
        Ok(Catalog {
            title: title.ok_or_else(|| de::Error::missing_field("title"))?,
            source: source.ok_or_else(|| de::Error::missing_field("source"))?,
            components: components.ok_or_else(|| de::Error::missing_field("components"))?,
            setup_features: setup_features.unwrap_or_default(),
            connections: Vec::new(),
            notes: notes.unwrap_or_default(),
        })
    }
}

/// The `connections` list, sent on in batches as it is read.
struct Rows<'s> {
    out: &'s SyncSender<Piece>,
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(conn) = seq.next_element::<Connection>()? {
            batch.push(conn);
            if batch.len() == BATCH {
                send(
                    self.out,
                    Piece::Rows(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))),
                );
            }
        }
        if !batch.is_empty() {
            send(self.out, Piece::Rows(batch));
        }
        Ok(())
    }
}

/// How a streamed parse ended.
pub struct Streamed {
    /// The catalog, with the connections the caller's `rows` gave back.
    pub catalog: Catalog,
    /// Every problem found in it; empty when it is valid.
    pub violations: Vec<Violation>,
}

/// Runs `parse` (which drives the [`TopLevel`] seed it is given over the
/// text) while a second thread checks the connections batch by batch and
/// hands each batch to `rows`, with the catalog's head (components and setup
/// features) and the index of the batch's first connection. `rows` gives the
/// batch back to keep it in the catalog returned, or keeps it (`None`): a
/// caller that takes the rows over needs no copy of them. Batches come in
/// file order, each once, as soon as the components and setup features
/// they refer to have been read: at once in files written by `export`
/// (both come before the connections), at the end in a file that lists
/// them after the connections or has no `setup_features` at all (it is
/// optional, so only the end tells it is missing). `Err` is the parser's
/// own error (a syntax error); the problems of a catalog that parses are in
/// `violations`.
pub fn stream<E>(
    parse: impl FnOnce(TopLevel<'_>) -> Result<Catalog, E>,
    rows: impl FnMut(&Catalog, usize, Vec<Connection>) -> Option<Vec<Connection>> + Send,
) -> Result<Streamed, E> {
    // A few batches in flight keep both threads busy without holding much.
    let (out, pieces) = sync_channel(4);
    std::thread::scope(|scope| {
        let checker = scope.spawn(move || check_pieces(pieces, rows));
        let parsed = parse(TopLevel { out: &out });
        // Closing the channel tells the checker the text is done.
        drop(out);
        let checked = checker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let mut catalog = parsed?;
        let (connections, mut violations) = checked;
        catalog.connections = connections;
        violations.extend(validate_head(&catalog));
        Ok(Streamed {
            catalog,
            violations,
        })
    })
}

/// The checker thread: collects the pieces, and checks and hands on the
/// connections once their head is known (at the latest, at the end).
/// Returns the connections `rows` gave back.
fn check_pieces(
    pieces: Receiver<Piece>,
    mut rows: impl FnMut(&Catalog, usize, Vec<Connection>) -> Option<Vec<Connection>>,
) -> (Vec<Connection>, Vec<Violation>) {
    let mut head = Catalog::default();
    let (mut has_components, mut has_features) = (false, false);
    let mut kept: Vec<Connection> = Vec::new();
    // Read, and not yet checked and handed on: the connections from index
    // `done` on.
    let mut waiting: Vec<Connection> = Vec::new();
    let mut done = 0;
    let mut checker: Option<RowChecker> = None;
    let mut release = |head: &Catalog, waiting: &mut Vec<Connection>, done: &mut usize| {
        let checker = checker.get_or_insert_with(|| RowChecker::new(head));
        // Each row moves once, however many batches wait.
        let mut rest = std::mem::take(waiting).into_iter();
        loop {
            let batch: Vec<Connection> = rest.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let first = *done;
            *done += batch.len();
            checker.check(head, first, &batch);
            if let Some(batch) = rows(head, first, batch) {
                kept.extend(batch);
            }
        }
    };
    for piece in pieces {
        match piece {
            Piece::Components(components) => {
                head.components = components;
                has_components = true;
            }
            Piece::SetupFeatures(features) => {
                head.setup_features = features;
                has_features = true;
            }
            Piece::Rows(batch) if waiting.is_empty() => waiting = batch,
            Piece::Rows(batch) => waiting.extend(batch),
        }
        // A file that lists connections before its components or setup
        // features (allowed, if unusual) is checked when it ends.
        if has_components && has_features {
            release(&head, &mut waiting, &mut done);
        }
    }
    release(&head, &mut waiting, &mut done);
    let violations = checker.map(RowChecker::finish).unwrap_or_default();
    (kept, violations)
}
