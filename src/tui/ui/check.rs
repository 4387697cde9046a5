//! The check popup: each port of the checked connections, filled in as the
//! answers arrive (`…` while waiting).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{centered, pane_block, shown};
use crate::check::Status;
use crate::tui::app::CheckRun;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, run: &CheckRun, scroll: u16, theme: &Theme) {
    let popup = centered(area, 100, area.height.saturating_sub(4));
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
    for (target, status) in run.targets.iter().zip(&run.statuses) {
        let port = target.port_text();
        let (text, style) = match status {
            None if matches!(run.address, Some(Err(_))) => ("unresolved".to_string(), theme.error),
            None => ("…".to_string(), theme.dim),
            Some(Status::Open(d)) => (
                format!("open ({:.1} ms)", d.as_secs_f64() * 1000.0),
                theme.ok,
            ),
            Some(Status::Refused) => ("refused".to_string(), theme.error),
            Some(Status::TimedOut) => ("timed out".to_string(), theme.error),
            Some(Status::Failed(e)) => (format!("failed: {}", shown(e)), theme.error),
            Some(Status::Untestable(why)) => (format!("not tested: {}", shown(why)), theme.dim),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<28} {:>11}/{}  ",
                shown(&target.connection),
                port,
                target.transport.as_str()
            )),
            Span::styled(text, style),
        ]));
    }
    let done = run.statuses.iter().all(Option::is_some) || matches!(run.address, Some(Err(_)));
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
