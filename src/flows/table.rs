//! Flows as rows of text: the cells `flows` prints as a table or CSV, and
//! the Markdown table a change request (or the explorer's `F`) takes.

use super::{Flow, NO_ADDRESS, addresses};
use crate::rules::settings::Settings;
use crate::text::printable;

/// A component's addresses as one cell: comma-separated, or the words
/// saying none were given.
fn address_cell(settings: &Settings, component: &crate::catalog::Component) -> String {
    addresses(settings, component).map_or_else(|| NO_ADDRESS.to_string(), |a| a.join(", "))
}

/// One flow as the text cells of a table, CSV or Markdown row, in the
/// order of [`HEADER`].
pub fn cells(flow: &Flow, settings: &Settings) -> [String; 10] {
    [
        printable(&flow.source.name).into_owned(),
        address_cell(settings, flow.source),
        printable(&flow.destination.name).into_owned(),
        address_cell(settings, flow.destination),
        flow.protocol.as_str().to_string(),
        flow.ports_text(),
        printable(&flow.service()).into_owned(),
        printable(&flow.purpose()).into_owned(),
        flow.connection_ids().join(", "),
        if flow.from_docs() { "yes" } else { "no" }.to_string(),
    ]
}

/// The CSV and JSON field names, which scripts rely on.
pub const HEADER: [&str; 10] = [
    "source",
    "source_addresses",
    "destination",
    "destination_addresses",
    "protocol",
    "ports",
    "service",
    "purpose",
    "connection",
    "from_docs",
];

/// The flows as a Markdown table, for a change request or a ticket (also
/// what the explorer's `F` copies).
pub fn markdown(flows: &[Flow], settings: &Settings) -> String {
    // A pipe would end a cell; text is already printable.
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from(
        "| Source | Source addresses | Destination | Destination addresses | Protocol | Ports | Service | Purpose | Connection | From docs |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for flow in flows {
        let row: Vec<String> = cells(flow, settings).iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}
