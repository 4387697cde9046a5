//! Drawing: a pure function of the state. One file per pane or popup; each
//! draws into the area `layout` gave it. Popups are drawn last, over `Clear`.

mod check;
mod detail;
mod filter_bar;
mod footer;
mod help;
mod list;
mod list_columns;
mod machine;
mod matrix;
mod notes;
mod prompt;
mod rule_pane;
mod settings;
mod sweep;
mod sweep_detail;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::app::{App, Overlay, View};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::state::PromptState;
use super::theme::Theme;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let areas = layout::areas(area, app);
    if areas.too_small {
        let text = format!("terminal too small (need {MIN_WIDTH}×{MIN_HEIGHT})");
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    filter_bar::render(frame, areas.filter, app, theme);
    match app.view {
        View::List => {
            if let Some(list) = areas.list {
                list::render(frame, list, app, theme);
            }
            if let Some(detail) = areas.detail {
                detail::render(frame, detail, app, theme);
            }
            if let Some(rule) = areas.rule {
                rule_pane::render(frame, rule, &areas.tabs, app, theme);
            }
        }
        View::Matrix => matrix::render(frame, areas.body, app, theme),
        View::Machine => machine::render(frame, areas.body, app, theme),
        View::Notes => notes::render(frame, areas.body, app, theme),
        View::Sweep => {
            if let Some(run) = &app.sweep {
                sweep::render(frame, areas.body, run, theme);
            }
        }
    }
    footer::render(frame, areas.footer, app, theme);
    let popup_area = popup_area(area, &areas);
    match &app.overlay {
        Some(Overlay::Help) => help::render(frame, popup_area, app, theme),
        Some(Overlay::Prompt(PromptState { purpose, input })) => {
            prompt::render(frame, popup_area, *purpose, input, theme)
        }
        Some(Overlay::Check(run)) => check::render(frame, popup_area, run, app.scroll, theme),
        Some(Overlay::Settings(form)) => settings::render(frame, popup_area, form, theme),
        Some(Overlay::SweepDetail(h)) => {
            if let Some(run) = &app.sweep {
                sweep_detail::render(frame, popup_area, run, *h, app.scroll, theme);
            }
        }
        None => {}
    }
}

/// Popups cover everything but the footer: its key hints and the status
/// line stay readable while one is open.
fn popup_area(screen: Rect, areas: &layout::Areas) -> Rect {
    Rect {
        height: screen.height.saturating_sub(areas.footer.height),
        ..screen
    }
}

/// Tells `app` the sizes of what it scrolls on a `screen` this size: the
/// list's height, how far the help scrolls, the machine script's pane. The
/// event loop calls it every turn, and the render tests do the same, so
/// scrolling stops where the drawing ends. Returns the layout it measured,
/// for the mouse to find what is under it.
pub fn fit(app: &mut App, screen: Rect) -> layout::Areas {
    let areas = layout::areas(screen, app);
    app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
    app.fit_machine_view(&areas);
    let (help_max, help_page) = help::bounds(popup_area(screen, &areas));
    app.set_help_bounds(help_max, help_page);
    areas
}

/// A bordered block whose border shows whether it has focus.
pub fn pane_block<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focus
        } else {
            theme.border
        })
        .title(title.into().style(theme.title))
}

/// A rectangle of at most `width` × `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A text input as shown in a prompt or a settings field: the text with a
/// `▏` at the cursor, and a proposed value (typing replaces it) selected.
pub fn input_spans(
    input: &crate::tui::text_input::TextInput,
    theme: &Theme,
) -> Vec<ratatui::text::Span<'static>> {
    use ratatui::text::Span;
    if input.is_selected() {
        // Reversed as a selection is, and underlined, so it still shows
        // inside a row that is itself drawn reversed (the settings form).
        let style = theme
            .selected
            .add_modifier(ratatui::style::Modifier::UNDERLINED);
        return vec![Span::styled(shown(input.text()), style), Span::raw("▏")];
    }
    let before = input.before_cursor();
    let after: String = input.text().chars().skip(input.cursor()).collect();
    vec![
        Span::raw(shown(&before)),
        Span::raw("▏"),
        Span::raw(shown(&after)),
    ]
}

/// Catalog text as shown: control characters neutralised.
pub fn shown(text: &str) -> String {
    crate::text::printable(text).into_owned()
}
