//! Semantic styles. Defaults use the terminal's own background and the 16
//! ANSI colours, so any theme stays legible; with `NO_COLOR` every colour is
//! dropped and only bold, reverse and underline remain. Colour is never the
//! only signal: badges carry text and the selection is reversed.

use ratatui::style::{Color, Modifier, Style};

use crate::catalog::Modifiability;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Pane titles and table headers.
    pub title: Style,
    /// Borders of panes without focus.
    pub border: Style,
    /// The border of the focused pane.
    pub border_focus: Style,
    /// The selected row.
    pub selected: Style,
    /// Characters the filter matched.
    pub matched: Style,
    /// Marked rows' marker.
    pub mark: Style,
    /// Secondary text: hints, comments, labels.
    pub dim: Style,
    /// Error text in the status line and filter bar.
    pub error: Style,
    /// Confirmation text in the status line.
    pub ok: Style,
    /// The active dialect tab.
    pub tab_active: Style,
    /// Badges by modifiability.
    pub setup: Style,
    pub fixed: Style,
    pub device: Style,
    pub none: Style,
}

impl Theme {
    pub const COLOR: Theme = Theme {
        title: Style::new().add_modifier(Modifier::BOLD),
        border: Style::new().fg(Color::DarkGray),
        border_focus: Style::new().fg(Color::Cyan),
        selected: Style::new().add_modifier(Modifier::REVERSED),
        matched: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        mark: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
        dim: Style::new().fg(Color::DarkGray),
        error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ok: Style::new().fg(Color::Green),
        tab_active: Style::new()
            .add_modifier(Modifier::REVERSED)
            .add_modifier(Modifier::BOLD),
        setup: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        fixed: Style::new().fg(Color::Yellow),
        device: Style::new().fg(Color::Cyan),
        none: Style::new().fg(Color::DarkGray),
    };

    pub const PLAIN: Theme = Theme {
        title: Style::new().add_modifier(Modifier::BOLD),
        border: Style::new(),
        border_focus: Style::new().add_modifier(Modifier::BOLD),
        selected: Style::new().add_modifier(Modifier::REVERSED),
        matched: Style::new()
            .add_modifier(Modifier::UNDERLINED)
            .add_modifier(Modifier::BOLD),
        mark: Style::new().add_modifier(Modifier::BOLD),
        dim: Style::new(),
        error: Style::new().add_modifier(Modifier::BOLD),
        ok: Style::new(),
        tab_active: Style::new().add_modifier(Modifier::REVERSED),
        setup: Style::new().add_modifier(Modifier::BOLD),
        fixed: Style::new(),
        device: Style::new(),
        none: Style::new(),
    };

    /// `NO_COLOR` set and non-empty means no colour (https://no-color.org).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::PLAIN,
            _ => Theme::COLOR,
        }
    }

    pub fn badge(&self, modifiability: &Modifiability) -> Style {
        match modifiability {
            Modifiability::Setup => self.setup,
            Modifiability::Fixed => self.fixed,
            Modifiability::Device { .. } | Modifiability::Host { .. } => self.device,
            Modifiability::None => self.none,
        }
    }
}
