//! Reads a catalog from text (RON or JSON), validates it, and writes it back.
//!
//! Every failure becomes a [`LoadError`] whose problems carry a line and
//! column, so the CLI can print `file:line:col: message` like a compiler.

use std::fmt;
use std::path::Path;

use super::locate::{Position, Step, locate_all};
use serde::de::DeserializeSeed;

use super::model::{Catalog, Connection};
use super::stream::{TopLevel, stream};

/// The catalog compiled into the binary.
pub const EMBEDDED_TEXT: &str = include_str!("../../assets/vmm.ron");
/// How the embedded catalog is named in messages and script headers.
pub const EMBEDDED_ORIGIN: &str = "embedded catalog (assets/vmm.ron)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ron,
    Json,
}

impl Format {
    /// Chosen by file extension: `.json` is JSON, `.ron` is RON.
    pub fn from_path(path: &Path) -> Result<Format, LoadError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("ron") => Ok(Format::Ron),
            Some("json") => Ok(Format::Json),
            _ => Err(LoadError::single(
                path.display().to_string(),
                None,
                "cannot tell the catalog's format from its file name".into(),
                Some("name the file *.ron or *.json".into()),
            )),
        }
    }
}

/// One problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub position: Option<Position>,
    pub message: String,
    pub hint: Option<String>,
}

/// Why a catalog could not be loaded: every problem found, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file path, or a description of the embedded catalog.
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl LoadError {
    fn single(
        origin: String,
        position: Option<Position>,
        message: String,
        hint: Option<String>,
    ) -> Self {
        LoadError {
            origin,
            problems: vec![Problem {
                position,
                message,
                hint,
            }],
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.position {
                Some(at) => write!(f, "{}:{}:{}: {}", self.origin, at.line, at.col, p.message)?,
                None => write!(f, "{}: {}", self.origin, p.message)?,
            }
            if let Some(hint) = &p.hint {
                write!(f, "\n  help: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Parses and validates catalog text. `origin` names it in errors.
pub fn load_str(origin: &str, text: &str, format: Format) -> Result<Catalog, LoadError> {
    load_str_with(origin, text, format, |_, _, _| {})
}

/// [`load_str`] that also hands the connections to `rows` in batches while
/// the rest of the text is still being parsed (see `stream.rs`): with the
/// catalog's components and setup features, the index of the batch's first
/// connection, and the batch. `rows` runs on a second thread.
pub fn load_str_with(
    origin: &str,
    text: &str,
    format: Format,
    mut rows: impl FnMut(&Catalog, usize, &[Connection]) + Send,
) -> Result<Catalog, LoadError> {
    load_streaming(origin, text, format, move |head, first, batch| {
        rows(head, first, &batch);
        Some(batch)
    })
}

/// [`load_str_with`] that hands the batches over for good: the catalog
/// returned has no connections, and no copy of them is made or kept (the
/// explorer takes them as a big file loads).
pub fn load_str_handing_over(
    origin: &str,
    text: &str,
    format: Format,
    mut rows: impl FnMut(&Catalog, usize, Vec<Connection>) + Send,
) -> Result<Catalog, LoadError> {
    load_streaming(origin, text, format, move |head, first, batch| {
        rows(head, first, batch);
        None
    })
}

/// Parses, checks and hands on the rows (see [`stream`]), then places every
/// problem found in the text.
fn load_streaming(
    origin: &str,
    text: &str,
    format: Format,
    rows: impl FnMut(&Catalog, usize, Vec<Connection>) -> Option<Vec<Connection>> + Send,
) -> Result<Catalog, LoadError> {
    let streamed = stream(|seed| parse(text, format, seed), rows).map_err(|p| LoadError {
        origin: origin.to_string(),
        problems: vec![p],
    })?;
    if streamed.violations.is_empty() {
        return Ok(streamed.catalog);
    }
    let paths: Vec<&[Step]> = streamed
        .violations
        .iter()
        .map(|v| v.path.as_slice())
        .collect();
    let positions = locate_all(text, &paths);
    let mut problems: Vec<Problem> = streamed
        .violations
        .into_iter()
        .zip(positions)
        .map(|(v, at)| Problem {
            position: Some(at),
            message: v.message,
            hint: v.hint,
        })
        .collect();
    problems.sort_by_key(|p| p.position.map(|at| (at.line, at.col)));
    Err(LoadError {
        origin: origin.to_string(),
        problems,
    })
}

/// Reads, parses and validates a catalog file; the format comes from its extension.
pub fn load_file(path: &Path) -> Result<Catalog, LoadError> {
    load_file_with(path, |_, _, _| {})
}

/// [`load_file`], handing the connections to `rows` as [`load_str_with`] does.
pub fn load_file_with(
    path: &Path,
    rows: impl FnMut(&Catalog, usize, &[Connection]) + Send,
) -> Result<Catalog, LoadError> {
    let (origin, text, format) = read(path)?;
    load_str_with(&origin, &text, format, rows)
}

/// [`load_file`], handing the connections over as
/// [`load_str_handing_over`] does.
pub fn load_file_handing_over(
    path: &Path,
    rows: impl FnMut(&Catalog, usize, Vec<Connection>) + Send,
) -> Result<Catalog, LoadError> {
    let (origin, text, format) = read(path)?;
    load_str_handing_over(&origin, &text, format, rows)
}

/// A catalog file's name for errors, its text, and its format.
fn read(path: &Path) -> Result<(String, String, Format), LoadError> {
    let format = Format::from_path(path)?;
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadError::single(
            origin.clone(),
            None,
            format!("cannot read the file: {e}"),
            None,
        )
    })?;
    Ok((origin, text, format))
}

/// The catalog compiled into the binary. A test guarantees it is valid.
pub fn embedded() -> Result<Catalog, LoadError> {
    load_str(EMBEDDED_ORIGIN, EMBEDDED_TEXT, Format::Ron)
}

/// Runs `seed` over the text with the format's parser; a syntax error
/// becomes a problem at the parser's position.
fn parse(text: &str, format: Format, seed: TopLevel<'_>) -> Result<Catalog, Problem> {
    match format {
        Format::Ron => ron::Options::default().from_str_seed(text, seed).map_err(|e| Problem {
            position: Some(Position {
                line: e.span.start.line,
                col: e.span.start.col,
            }),
            message: e.code.to_string(),
            hint: Some("see assets/vmm.ron for the expected shape".into()),
        }),
        Format::Json => {
            let mut parser = serde_json::Deserializer::from_str(text);
            seed.deserialize(&mut parser)
                .and_then(|catalog| parser.end().map(|()| catalog))
        }
        .map_err(|e| Problem {
            position: (e.line() > 0).then(|| Position {
                line: e.line(),
                col: char_column(text, e.line(), e.column()),
            }),
            message: strip_json_position(&e.to_string()),
            hint: Some("export the embedded catalog with `vmmports export --format json` to see the expected shape".into()),
        }),
    }
}

/// serde_json counts columns in bytes, and says 0 at the end of input; we
/// count characters from 1, like the RON parser and the validator.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return 1;
    };
    let mut end = byte_column.saturating_sub(1).min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    line_text[..end].chars().count() + 1
}

/// serde_json appends " at line L column C" to its messages; we print the
/// position ourselves, in front, like every other error.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

/// The catalog as RON, in the same shape as `assets/vmm.ron`.
pub fn to_ron(catalog: &Catalog) -> String {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        // ron's default is CRLF on Windows; the same file everywhere, so an
        // export diffs cleanly between a Windows and a Linux checkout.
        .new_line("\n")
        .indentor("  ".to_string())
        // Keep `row's` readable; strings with quotes become raw strings.
        .escape_strings(false)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    // Serializing plain data with string keys cannot fail.
    let mut text = ron::ser::to_string_pretty(catalog, config).unwrap_or_default();
    text.push('\n');
    text
}

/// The catalog as pretty JSON.
pub fn to_json(catalog: &Catalog) -> String {
    let mut text = serde_json::to_string_pretty(catalog).unwrap_or_default();
    text.push('\n');
    text
}
