//! `vmmports list`: the matching connections as a table, JSON, CSV or Markdown.

use super::args::ListFormat;
use super::record::Record;
use super::style::{self, Painter};
use super::table::{self, Cell, Column};
use super::{CliError, Outcome};
use crate::catalog::{Catalog, Connection, Direction};
use crate::query::{SearchIndex, parse};
use crate::text::printable;

pub fn run(
    catalog: &Catalog,
    index: &SearchIndex,
    words: &[String],
    format: ListFormat,
    painter: &Painter,
    width: usize,
) -> Result<(String, Outcome), CliError> {
    let query = parse(&words.join(" "))?;
    let hits = index.search(&query);
    let rows: Vec<&Connection> = hits.iter().map(|h| &catalog.connections[h.index]).collect();
    let text = match format {
        ListFormat::Table => table_text(catalog, &rows, painter, width),
        ListFormat::Json => json_text(catalog, &rows),
        ListFormat::Csv => csv_text(catalog, &rows)?,
        ListFormat::Markdown => markdown_text(catalog, &rows),
    };
    let outcome = if rows.is_empty() {
        Outcome::NoMatch
    } else {
        Outcome::Success
    };
    Ok((text, outcome))
}

pub fn direction_short(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "in",
        Direction::Outbound => "out",
        Direction::None => "—",
    }
}

pub fn table_text(
    catalog: &Catalog,
    rows: &[&Connection],
    painter: &Painter,
    width: usize,
) -> String {
    let columns = [
        Column {
            title: "ID",
            shrinkable: false,
        },
        Column {
            title: "FROM",
            shrinkable: true,
        },
        Column {
            title: "TO",
            shrinkable: true,
        },
        Column {
            title: "PORTS",
            shrinkable: true,
        },
        Column {
            title: "RULE ON",
            shrinkable: true,
        },
        Column {
            title: "DIR",
            shrinkable: false,
        },
        Column {
            title: "MOD",
            shrinkable: false,
        },
    ];
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|c| {
            vec![
                Cell::plain(printable(&c.id)),
                Cell::plain(printable(&catalog.names(&c.from))),
                Cell::plain(printable(&catalog.names(&c.to))),
                Cell::plain(if c.ports.is_empty() {
                    "—".to_string()
                } else {
                    c.ports_text()
                }),
                Cell::plain(if c.rule_on.is_empty() {
                    "—".to_string()
                } else {
                    printable(&catalog.names(&c.rule_on)).into_owned()
                }),
                Cell::plain(direction_short(c.direction)),
                Cell {
                    text: c.modifiability.badge().to_string(),
                    style: style::badge_style(&c.modifiability),
                },
            ]
        })
        .collect();
    if cells.is_empty() {
        return String::new();
    }
    table::render(&columns, &cells, width, painter)
}

fn json_text(catalog: &Catalog, rows: &[&Connection]) -> String {
    let records: Vec<Record> = rows.iter().map(|c| Record::new(catalog, c)).collect();
    let mut text = serde_json::to_string_pretty(&records).unwrap_or_default();
    text.push('\n');
    text
}

fn csv_text(catalog: &Catalog, rows: &[&Connection]) -> Result<String, CliError> {
    let header = [
        "id",
        "section",
        "from",
        "to",
        "ports",
        "rule_on",
        "direction",
        "configurable",
        "setup_key",
        "from_docs",
        "notes",
    ];
    super::csv_out::write(
        header,
        rows.iter().map(|c| {
            let r = Record::new(catalog, c);
            [
                r.id.to_string(),
                r.section.to_string(),
                r.from,
                r.to,
                c.ports_text(),
                r.rule_on,
                r.direction.to_string(),
                r.configurable.to_string(),
                r.setup_key.unwrap_or("").to_string(),
                r.from_docs.to_string(),
                r.notes.join(" | "),
            ]
        }),
    )
}

fn markdown_text(catalog: &Catalog, rows: &[&Connection]) -> String {
    // Pipes would end a cell, and line breaks a row.
    let cell = |s: &str| printable(s).replace('|', "\\|");
    let mut out = String::from(
        "| ID | From | To | Ports | Rule on | Direction | Configurable |\n|---|---|---|---|---|---|---|\n",
    );
    for c in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&c.id),
            cell(&catalog.names(&c.from)),
            cell(&catalog.names(&c.to)),
            cell(&c.ports_text()),
            cell(&catalog.names(&c.rule_on)),
            c.direction.as_str(),
            c.modifiability.badge(),
        ));
    }
    out
}
