//! Colour for plain CLI output: on only when it helps and is wanted.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};

use super::args::ColorChoice;
use crate::catalog::Modifiability;

/// Paints text, or leaves it alone when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// `auto` colours only a terminal, and only when `NO_COLOR` is unset or
    /// empty (https://no-color.org); `always`/`never` are explicit.
    pub fn new(choice: ColorChoice) -> Self {
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Painter { enabled }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.enabled && style != Style::new() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

pub const HEADER: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

pub fn badge_style(modifiability: &Modifiability) -> Style {
    let color = match modifiability {
        Modifiability::Setup => AnsiColor::Green,
        Modifiability::Fixed => AnsiColor::Yellow,
        Modifiability::Device { .. } => AnsiColor::Cyan,
        Modifiability::Host { .. } => AnsiColor::Magenta,
        Modifiability::None => return DIM,
    };
    Style::new().fg_color(Some(color.into()))
}
