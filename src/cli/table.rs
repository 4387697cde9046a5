//! A plain text table that fits a given width: columns keep their natural
//! width when they can, and the widest shrinkable ones give way (cut with
//! `…`) when they cannot.

use unicode_width::UnicodeWidthStr;

use crate::text::truncate;

use super::style::{HEADER, Painter};

pub struct Column {
    pub title: &'static str,
    /// Whether this column may be cut to make the table fit.
    pub shrinkable: bool,
}

/// A cell's text and its style (applied after width is computed, so escape
/// codes never count as width).
pub struct Cell {
    pub text: String,
    pub style: anstyle::Style,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            style: anstyle::Style::new(),
        }
    }
}

const GAP: usize = 2;
/// A shrunk column never goes below this, so it still says something.
const MIN_WIDTH: usize = 6;

pub fn render(columns: &[Column], rows: &[Vec<Cell>], width: usize, painter: &Painter) -> String {
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |cell| cell.text.width()))
                .chain(std::iter::once(c.title.width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    fit(&mut widths, columns, width);

    let mut out = String::new();
    let header: Vec<Cell> = columns
        .iter()
        .map(|c| Cell {
            text: c.title.to_string(),
            style: HEADER,
        })
        .collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let text = truncate(&cell.text, w);
            let pad = w.saturating_sub(text.width());
            let last = i + 1 == row.len();
            line.push_str(&painter.paint(cell.style, &text));
            if !last {
                line.push_str(&" ".repeat(pad + GAP));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Shrinks the widest column, one cell at a time, until the table fits: first
/// only the shrinkable ones down to [`MIN_WIDTH`], then (for a width asked for
/// that is narrower still) any column, then down to one cell, so `--width N`
/// holds whenever each column can have one.
fn fit(widths: &mut [usize], columns: &[Column], width: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
    let stages = [(true, MIN_WIDTH), (false, MIN_WIDTH), (false, 1)];
    for (only_shrinkable, floor) in stages {
        while total(widths) > width {
            let widest = widths
                .iter()
                .enumerate()
                .filter(|(i, w)| (columns[*i].shrinkable || !only_shrinkable) && **w > floor)
                .max_by_key(|(_, w)| **w)
                .map(|(i, _)| i);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_truncates() {
        let columns = [
            Column {
                title: "A",
                shrinkable: false,
            },
            Column {
                title: "B",
                shrinkable: true,
            },
        ];
        let rows = vec![vec![
            Cell::plain("fixed"),
            Cell::plain("a long cell that must shrink"),
        ]];
        let painter = Painter::new(super::super::args::ColorChoice::Never);
        let out = render(&columns, &rows, 20, &painter);
        for line in out.lines() {
            assert!(line.width() <= 20, "{line:?}");
        }
        assert!(out.contains("fixed  a long cell"));
        assert!(out.contains('…'));
    }

    #[test]
    fn a_width_too_narrow_for_the_shrinkable_columns_cuts_the_others_too() {
        let columns = [
            Column {
                title: "FIXED",
                shrinkable: false,
            },
            Column {
                title: "B",
                shrinkable: true,
            },
        ];
        let rows = vec![vec![
            Cell::plain("a fixed column that is wide"),
            Cell::plain("shrinkable"),
        ]];
        let painter = Painter::new(super::super::args::ColorChoice::Never);
        for width in [20, 8, 4] {
            let out = render(&columns, &rows, width, &painter);
            for line in out.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
        }
        // Wide enough, the fixed column stays whole.
        let out = render(&columns, &rows, 40, &painter);
        assert!(out.contains("a fixed column that is wide"), "{out}");
    }

    #[test]
    fn truncate_respects_wide_characters() {
        assert_eq!(super::truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(super::truncate("short", 10), "short");
    }
}
