//! `vmmports show ID`: one connection in full.

use super::CliError;
use super::args::ShowFormat;
use super::record::Record;
use super::style::{self, DIM, HEADER, Painter};
use crate::catalog::{Catalog, Connection, Modifiability, suggestion};
use crate::text::printable;

pub fn run(
    catalog: &Catalog,
    id: &str,
    format: ShowFormat,
    painter: &Painter,
    width: usize,
) -> Result<String, CliError> {
    let conn = catalog.connection(id).ok_or_else(|| {
        let known: Vec<&str> = catalog.connections.iter().map(|c| c.id.as_str()).collect();
        CliError::new(
            format!("no connection has the id `{id}`"),
            Some(format!(
                "{} (`vmmports list` shows every id)",
                suggestion("connection id", id, &known)
            )),
        )
    })?;
    Ok(match format {
        ShowFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(&Record::new(catalog, conn)).unwrap_or_default();
            text.push('\n');
            text
        }
        ShowFormat::Text => text(catalog, conn, painter, width),
    })
}

const LABEL_WIDTH: usize = 10;

fn text(catalog: &Catalog, conn: &Connection, painter: &Painter, width: usize) -> String {
    let mut out = String::new();
    // Values wrap under themselves, leaving the label column clear.
    let indent = " ".repeat(LABEL_WIDTH);
    let options = textwrap::Options::new(width.max(LABEL_WIDTH + 20)).subsequent_indent(&indent);
    let mut line = |label: &str, value: String| {
        let label = painter.paint(HEADER, &format!("{label:<LABEL_WIDTH$}"));
        let wrapped = textwrap::fill(&format!("{indent}{value}"), &options);
        out.push_str(&label);
        out.push_str(&wrapped[LABEL_WIDTH..]);
        out.push('\n');
    };
    line("id", printable(&conn.id).into_owned());
    line(
        "from",
        format!(
            "{} → {}",
            printable(&catalog.names(&conn.from)),
            printable(&catalog.names(&conn.to))
        ),
    );
    line(
        "section",
        format!(
            "{}{}",
            conn.section.as_str(),
            if conn.from_docs {
                ", from the docs page"
            } else {
                ", added by vmmports (not on the docs page)"
            }
        ),
    );
    if conn.ports.is_empty() {
        line("ports", "none: a local call, no firewall rule".into());
    }
    for (i, p) in conn.ports.iter().enumerate() {
        line(
            if i == 0 { "ports" } else { "" },
            format!(
                "{}/{}  {}: {}",
                p.number_text(),
                p.transport.as_str(),
                printable(&p.service),
                printable(&p.purpose)
            ),
        );
    }
    line(
        "rule",
        if conn.rule_on.is_empty() {
            "none needed".into()
        } else {
            format!(
                "{} on {}",
                conn.direction.as_str(),
                printable(&catalog.names(&conn.rule_on))
            )
        },
    );
    let badge = painter.paint(
        style::badge_style(&conn.modifiability),
        conn.modifiability.badge(),
    );
    match &conn.modifiability {
        Modifiability::Setup => {
            for (i, key) in conn.setup_keys().into_iter().enumerate() {
                let detail = match catalog.setup_feature(key) {
                    Some(f) => format!(
                        "{key} (default {}){}: {}",
                        f.default,
                        if f.in_ini { ", VMServer.ini" } else { "" },
                        printable(&f.name)
                    ),
                    None => key.to_string(),
                };
                line(
                    if i == 0 { "change" } else { "" },
                    format!(
                        "{} in setup: {detail}",
                        if i == 0 { badge.as_str() } else { "     " }
                    ),
                );
            }
        }
        Modifiability::Fixed => line("change", format!("{badge} cannot be changed")),
        Modifiability::Device { place } => line(
            "change",
            format!("{badge} set on the device: {}", printable(place)),
        ),
        Modifiability::None => line("change", format!("{badge} the docs do not say")),
    }
    for (i, note) in conn.notes.iter().enumerate() {
        line(
            if i == 0 { "notes" } else { "" },
            format!("{} {}", painter.paint(DIM, "-"), printable(note)),
        );
    }
    out
}
