//! The check popup: one line per port of the checked connections, naming
//! them, filled in as the answers arrive (`…` while waiting): the result,
//! what the service said, warnings (a certificate near expiry, a name not
//! on it) and, when it is not right, the next step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{centered, pane_block, shown};
use crate::tui::state::CheckRun;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, run: &CheckRun, scroll: u16, theme: &Theme) {
    let popup = centered(area, 120, area.height.saturating_sub(4));
    frame.render_widget(Clear, popup);
    let address = match &run.address {
        None => "resolving…".to_string(),
        Some(Ok(ip)) => ip.clone(),
        Some(Err(e)) => format!("unresolved: {}", shown(e)),
    };
    let mut lines = vec![Line::styled(
        format!("{} ({address})", shown(&run.host)),
        theme.title,
    )];
    // Each port: `5986/tcp  open (0.4 ms)  connections`, then what the
    // service said, any warnings and the next step, indented beneath it.
    const INDENT: &str = "              ";
    for line in &run.lines {
        let port = format!("{:>11}/{:<4} ", line.port_text(), line.transport.as_str());
        let connections = shown(&line.connections.join(", "));
        let Some((_, finding)) = line.verdict(&run.targets, &run.findings) else {
            let (text, style) = if matches!(run.address, Some(Err(_))) {
                ("unresolved", theme.error)
            } else {
                ("…", theme.dim)
            };
            lines.push(Line::from(vec![
                Span::raw(port),
                Span::styled(format!("{text:<16}"), style),
                Span::styled(connections, theme.dim),
            ]));
            continue;
        };
        // Green when the service answered as expected, red when it was
        // tried and did not, dim when it was not tried.
        let style = if finding.answered {
            theme.ok
        } else if finding.tested() {
            theme.error
        } else {
            theme.dim
        };
        let result = finding.status.text();
        lines.push(Line::from(vec![
            Span::raw(port),
            Span::styled(format!("{result:<16}"), style),
            Span::styled(connections, theme.dim),
        ]));
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
        let hint = crate::check::hint(&finding, &line.port_text(), line.transport, &run.host);
        if let Some(hint) = hint {
            lines.push(Line::raw(format!("{INDENT}next: {}", shown(&hint))));
        }
    }
    let done = run.findings.iter().all(Option::is_some) || matches!(run.address, Some(Err(_)));
    let title = if done {
        " Check — done · any key closes "
    } else {
        " Check — running · any key closes "
    };
    let paragraph = Paragraph::new(lines)
        .block(pane_block(title, true, theme))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, popup);
}
