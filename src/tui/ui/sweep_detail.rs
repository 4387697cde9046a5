//! Enter in the sweep view: one machine's every swept port as the check
//! popup shows a check, with the port the cursor was on marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::check::{port_entry, render_popup};
use super::shown;
use crate::tui::state::SweepView;
use crate::tui::theme::Theme;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    sweep: &SweepView,
    h: usize,
    scroll: u16,
    theme: &Theme,
) {
    let Some(host) = sweep.plan.hosts.get(h) else {
        return;
    };
    let role = sweep.plan.role_of(host);
    let name = sweep.machine_name(h);
    let address = match (
        &sweep.tally.addresses[h],
        sweep.tally.address(&sweep.plan, h),
    ) {
        (Some(Err(e)), _) => shown(e),
        (_, Some(address)) => address.to_string(),
        _ => "resolving…".to_string(),
    };
    let mut lines = vec![Line::styled(
        format!(
            "{} ({address}) · {} · swept as {}",
            shown(&name),
            role.role,
            sweep.as_role
        ),
        theme.title,
    )];
    let marked = sweep.line_at(h, sweep.cursor.1);
    let waiting = if sweep.running() {
        "…"
    } else {
        "not finished"
    };
    for (l, line) in role.lines.iter().enumerate() {
        let known = sweep.tally.results[h][l]
            .as_ref()
            .map(|r| (r.summary(), &r.finding));
        lines.extend(port_entry(
            line,
            known,
            waiting,
            &name,
            marked == Some(l),
            theme,
        ));
    }
    render_popup(
        frame,
        area,
        lines,
        " Swept machine · any key closes ",
        scroll,
        theme,
    );
}
