//! `vmmports show ID`: one connection in full, or one component: what it
//! is, what else it is, and which connections put a rule on it.

use super::CliError;
use super::args::ShowFormat;
use super::record::Record;
use super::style::{self, DIM, HEADER, Painter};
use crate::catalog::{Catalog, Component, ComponentKind, Connection, Modifiability, suggestion};
use crate::text::printable;

pub fn run(
    catalog: &Catalog,
    id: &str,
    format: ShowFormat,
    painter: &Painter,
    width: usize,
) -> Result<String, CliError> {
    if catalog.connection(id).is_none()
        && let Some(component) = catalog.component(id)
    {
        return Ok(component_text(catalog, component, format, painter, width));
    }
    let conn = catalog.connection(id).ok_or_else(|| {
        let known: Vec<&str> = catalog
            .connections
            .iter()
            .map(|c| c.id.as_str())
            .chain(catalog.components.iter().map(|c| c.id.as_str()))
            .collect();
        CliError::new(
            format!("no connection or component has the id `{id}`"),
            Some(format!(
                "{} (`vmmports list` shows every connection id, `vmmports list --format json` every component id)",
                suggestion("id", id, &known)
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

/// Labelled lines whose values wrap under themselves, leaving the label
/// column clear.
fn labelled<'a>(
    out: &'a mut String,
    painter: &'a Painter,
    width: usize,
) -> impl FnMut(&str, String) + 'a {
    let indent = " ".repeat(LABEL_WIDTH);
    move |label: &str, value: String| {
        let options = textwrap::Options::new(width.max(LABEL_WIDTH + 20))
            .subsequent_indent(&indent)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        let label = painter.paint(HEADER, &format!("{label:<LABEL_WIDTH$}"));
        let wrapped = textwrap::fill(&format!("{indent}{value}"), &options);
        out.push_str(&label);
        out.push_str(&wrapped[LABEL_WIDTH..]);
        out.push('\n');
    }
}

/// The component's JSON shape: the catalog's own fields, plus where its
/// rules come from.
#[derive(serde::Serialize)]
struct ComponentRecord<'a> {
    #[serde(flatten)]
    component: &'a Component,
    /// Connections that put a rule on this component, directly or through
    /// `also`.
    rules_from: Vec<&'a str>,
}

fn component_text(
    catalog: &Catalog,
    component: &Component,
    format: ShowFormat,
    painter: &Painter,
    width: usize,
) -> String {
    let rules_from: Vec<&str> = catalog
        .connections
        .iter()
        .filter(|c| {
            c.placements(false)
                .iter()
                .any(|p| catalog.acts_as(&component.id, p.machine))
        })
        .map(|c| c.id.as_str())
        .collect();
    if format == ShowFormat::Json {
        let record = ComponentRecord {
            component,
            rules_from,
        };
        let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let mut out = String::new();
    let mut line = labelled(&mut out, painter, width);
    line("id", printable(&component.id).into_owned());
    line("name", printable(&component.name).into_owned());
    line(
        "kind",
        match component.kind {
            ComponentKind::Windows => "Windows (Windows Defender Firewall)",
            ComponentKind::Linux => "Linux (nft, iptables, firewalld or ufw)",
            ComponentKind::Any => "Windows or Linux",
            ComponentKind::Appliance => "an appliance with its own firewall settings",
            ComponentKind::Device => "a device",
        }
        .into(),
    );
    if !component.aliases.is_empty() {
        line(
            "aliases",
            printable(&component.aliases.join(", ")).into_owned(),
        );
    }
    if !component.also.is_empty() {
        line(
            "also",
            format!(
                "{}: it carries those rules too",
                printable(&catalog.names(&component.also))
            ),
        );
    }
    if let Some(host) = &component.runs_on {
        line(
            "runs on",
            format!(
                "{}: its connections start and end there, with its addresses",
                printable(&catalog.names(std::slice::from_ref(host)))
            ),
        );
    }
    if let Some(address) = &component.boot_source {
        line(
            "sends from",
            format!(
                "{}, before it has an address: added to the addresses you give it",
                printable(address)
            ),
        );
    }
    if let Some(place) = &component.configured_in {
        line("set in", printable(place).into_owned());
    }
    line(
        "rules",
        if rules_from.is_empty() {
            "none: no connection needs a rule here".into()
        } else {
            format!(
                "{} connections: {} (vmmports rules --on {})",
                rules_from.len(),
                rules_from.join(", "),
                component.id
            )
        },
    );
    drop(line);
    out
}

fn text(catalog: &Catalog, conn: &Connection, painter: &Painter, width: usize) -> String {
    let mut out = String::new();
    let mut line = labelled(&mut out, painter, width);
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
    // What `vmmports check` speaks on each port.
    if !conn.ports.is_empty() {
        let probes: Vec<String> = conn
            .ports
            .iter()
            .map(|p| match p.inside_tls {
                Some(inside) => format!(
                    "{} {} (then {} inside)",
                    p.number_text(),
                    p.probe().as_str(),
                    inside.as_str()
                ),
                None => format!("{} {}", p.number_text(), p.probe().as_str()),
            })
            .collect();
        line("probes", probes.join(", "));
    }
    line(
        "rules",
        printable(&catalog.placements_text(conn)).into_owned(),
    );
    if let Some(docs) = catalog.docs_rule_text(conn) {
        line("docs rule", printable(&docs).into_owned());
    }
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
        Modifiability::Host { place } => line(
            "change",
            format!("{badge} set per host in VMM: {}", printable(place)),
        ),
        Modifiability::None => line("change", format!("{badge} the docs do not say")),
    }
    for (i, note) in conn.notes.iter().enumerate() {
        line(
            if i == 0 { "notes" } else { "" },
            format!("{} {}", painter.paint(DIM, "-"), printable(note)),
        );
    }
    drop(line);
    out
}
