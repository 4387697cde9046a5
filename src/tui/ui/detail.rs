//! The detail pane: everything about the selected connection — services and
//! purposes, where the rule goes, how the port is changed, and our notes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, shown};
use crate::catalog::{Catalog, Connection, Modifiability};
use crate::tui::app::App;
use crate::tui::state::Pane;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.list.pane == Pane::Detail;
    let Some(conn) = app.selected_connection() else {
        let block = pane_block(" Detail ", focused, theme);
        frame.render_widget(
            Paragraph::new("no connection matches the filter").block(block),
            area,
        );
        return;
    };
    let block = pane_block(format!(" {} ", shown(&conn.id)), focused, theme);
    let lines = lines(&app.catalog, conn, theme);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((if focused { app.scroll } else { 0 }, 0));
    frame.render_widget(paragraph, area);
}

fn lines<'a>(catalog: &Catalog, conn: &Connection, theme: &Theme) -> Vec<Line<'a>> {
    let label = |text: &'static str| Span::styled(format!("{text:<8}"), theme.title);
    let mut out = vec![Line::from(vec![
        label("from"),
        Span::raw(format!(
            "{} → {}",
            shown(&catalog.names(&conn.from)),
            shown(&catalog.names(&conn.to))
        )),
    ])];
    for port in &conn.ports {
        out.push(Line::from(vec![
            label("port"),
            Span::styled(
                format!("{}/{} ", port.number_text(), port.transport.as_str()),
                theme.title,
            ),
            Span::raw(format!(
                "{}: {}",
                shown(&port.service),
                shown(&port.purpose)
            )),
        ]));
    }
    if conn.ports.is_empty() {
        out.push(Line::from(vec![
            label("port"),
            Span::raw("none: a local call"),
        ]));
    }
    out.push(Line::from(vec![
        label("rules"),
        Span::raw(shown(&catalog.placements_text(conn))),
    ]));
    if let Some(docs) = catalog.docs_rule_text(conn) {
        out.push(Line::from(vec![label("docs"), Span::raw(shown(&docs))]));
    }
    let badge = Span::styled(conn.modifiability.badge(), theme.badge(&conn.modifiability));
    let how = match &conn.modifiability {
        Modifiability::Setup => conn
            .setup_keys()
            .iter()
            .map(|key| match catalog.setup_feature(key) {
                Some(f) => format!("{key} (default {}): {}", f.default, shown(&f.name)),
                None => key.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Modifiability::Fixed => "cannot be changed".into(),
        Modifiability::Device { place } => format!("set on the device: {}", shown(place)),
        Modifiability::Host { place } => format!("set per host in VMM: {}", shown(place)),
        Modifiability::None => "the docs do not say".into(),
    };
    out.push(Line::from(vec![
        label("change"),
        badge,
        Span::raw(format!(" {how}")),
    ]));
    out.push(Line::from(vec![
        label("source"),
        Span::styled(
            if conn.from_docs {
                "the docs page"
            } else {
                "added by vmmports (not on the docs page)"
            },
            theme.dim,
        ),
    ]));
    for note in &conn.notes {
        out.push(Line::from(vec![
            Span::styled("• ", theme.dim),
            Span::raw(shown(note)),
        ]));
    }
    out
}
