//! The check popup: one line per port of the checked connections, naming
//! them, filled in as the answers arrive (`…` while waiting): the result,
//! what the service said, warnings (a certificate near expiry, a name not
//! on it) and, when it is not right, the next step. The sweep's machine
//! popup shows its ports the same way ([`port_entry`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{centered, pane_block, shown};
use crate::check::{Finding, PortLine};
use crate::tui::state::CheckRun;
use crate::tui::theme::Theme;

/// What follows a port's result, beneath it.
const INDENT: &str = "              ";

pub fn render(frame: &mut Frame, area: Rect, run: &CheckRun, scroll: u16, theme: &Theme) {
    let address = match &run.address {
        None => "resolving…".to_string(),
        Some(Ok(ip)) => ip.clone(),
        Some(Err(e)) => format!("unresolved: {}", shown(e)),
    };
    let mut lines = vec![Line::styled(
        format!("{} ({address})", shown(&run.host)),
        theme.title,
    )];
    let unresolved = matches!(run.address, Some(Err(_)));
    for line in &run.lines {
        let verdict = line.verdict(&run.targets, &run.findings);
        let known = verdict
            .as_ref()
            .map(|(_, finding)| (finding.status.text(), finding));
        let waiting = if unresolved { "unresolved" } else { "…" };
        lines.extend(port_entry(line, known, waiting, &run.host, false, theme));
    }
    let done = run.findings.iter().all(Option::is_some) || unresolved;
    let title = if done {
        " Check — done · any key closes "
    } else {
        " Check — running · any key closes "
    };
    render_popup(frame, area, lines, title, scroll, theme);
}

/// A popup of port entries, as wide as a check's lines want.
pub fn render_popup(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    title: &str,
    scroll: u16,
    theme: &Theme,
) {
    let popup = centered(area, 120, area.height.saturating_sub(4));
    frame.render_widget(Clear, popup);
    let paragraph = Paragraph::new(lines)
        .block(pane_block(title.to_string(), true, theme))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, popup);
}

/// One port: `5986/tcp  open (0.4 ms)  connections`, then what the service
/// said, any warnings and the next step, indented beneath it. `known` is
/// the result's word and its finding, `None` while `waiting` (`…`) says why
/// there is none yet; `marked` puts a `▶` before the port.
pub fn port_entry(
    line: &PortLine,
    known: Option<(String, &Finding)>,
    waiting: &str,
    host: &str,
    marked: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mark = if marked { "▶" } else { " " };
    let port = format!(
        "{mark}{:>11}/{:<4} ",
        line.port_text(),
        line.transport.as_str()
    );
    let connections = shown(&line.connections.join(", "));
    let Some((result, finding)) = known else {
        let style = if waiting == "…" {
            theme.dim
        } else {
            theme.error
        };
        return vec![Line::from(vec![
            Span::raw(port),
            Span::styled(format!("{waiting:<16}"), style),
            Span::styled(connections, theme.dim),
        ])];
    };
    // Green when the service answered as expected, red when it was tried
    // and did not, dim when it was not tried.
    let style = if finding.answered {
        theme.ok
    } else if finding.tested() {
        theme.error
    } else {
        theme.dim
    };
    let mut lines = vec![Line::from(vec![
        Span::raw(port),
        Span::styled(format!("{result:<16}"), style),
        Span::styled(connections, theme.dim),
    ])];
    if let Some(detail) = &finding.detail {
        let detail_style = if finding.answered {
            Style::default()
        } else {
            style
        };
        lines.push(Line::styled(
            format!("{INDENT}{}", shown(detail)),
            detail_style,
        ));
    }
    // Expiry and name mismatches: the error style.
    for warning in &finding.warnings {
        lines.push(Line::styled(
            format!("{INDENT}warning: {}", shown(warning)),
            theme.error,
        ));
    }
    if let Some(hint) = crate::check::hint(finding, &line.port_text(), line.transport, host) {
        lines.push(Line::raw(format!("{INDENT}next: {}", shown(&hint))));
    }
    lines
}
