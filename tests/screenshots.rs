//! Screenshots of the explorer for the README: real frames from
//! `vmmports::tui::ui::render` at 120×40 with `Theme::COLOR`, drawn into a
//! TestBackend, written out as SVG (one monospace glyph per cell) and
//! rasterised to PNG with resvg.
//!
//! Ignored by default (it needs a monospace font); regenerate with
//! `cargo test --test screenshots -- --ignored`. Needs DejaVu Sans Mono
//! (Debian: `apt-get install fonts-dejavu-core`).

mod common;

use std::fmt::Write as _;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use resvg::{tiny_skia, usvg};
use vmmports::catalog;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action::{self, *};
use vmmports::tui::app::App;
use vmmports::tui::theme::Theme;
use vmmports::tui::ui;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

const FONT: &str = "DejaVu Sans Mono";
const FONT_SIZE: f32 = 16.0;
/// DejaVu Sans Mono's metrics (units per em 2048): advance 1233, ascent
/// 1901, descent 483. A cell as tall as ascent + descent makes box-drawing
/// characters meet the next row's.
const CELL_W: f32 = FONT_SIZE * 1233.0 / 2048.0;
const CELL_H: f32 = FONT_SIZE * (1901.0 + 483.0) / 2048.0;
const BASELINE: f32 = FONT_SIZE * 1901.0 / 2048.0;
/// Padding around the terminal, in pixels.
const PAD: f32 = 12.0;

/// A dark terminal palette: default foreground and background, then the
/// 16 ANSI colours in order (black, red, … white, then the bright ones).
const FG: &str = "#d7dae0";
const BG: &str = "#1c1f26";
const ANSI: [&str; 16] = [
    "#2c313a", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#abb2bf",
    "#6b7384", "#ff7a85", "#b5e890", "#ffd68a", "#8cc8ff", "#de9bf0", "#7fd6e0", "#ffffff",
];

/// A colour as SVG paint; `None` for the terminal's default.
fn paint(color: Color) -> Option<String> {
    let ansi = |i: usize| Some(ANSI[i].to_string());
    match color {
        Color::Reset => None,
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
        Color::Indexed(i) if i < 16 => ansi(i as usize),
        Color::Indexed(_) => None,
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
    }
}

/// The explorer after `actions`, laid out at the screenshot size.
fn app_after(actions: &[Action]) -> App {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "screenshots".into(),
        Settings::default(),
    );
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    ui::fit(&mut app, area);
    for action in actions {
        app.update(*action);
        ui::fit(&mut app, area);
    }
    app
}

fn frame(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, app, &Theme::COLOR))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// A cell's foreground and background paint, with `REVERSED` applied.
fn colors(cell: &Cell) -> (String, Option<String>) {
    let fg = paint(cell.fg).unwrap_or(FG.into());
    let bg = paint(cell.bg);
    if cell.modifier.contains(Modifier::REVERSED) {
        (bg.unwrap_or(BG.into()), Some(fg))
    } else {
        (fg, bg)
    }
}

/// The buffer as SVG: one rectangle per run of cells with a background,
/// then each cell's symbol at its own x, so nothing drifts out of its column.
fn svg(buffer: &Buffer) -> String {
    let area = buffer.area;
    let (w, h) = (
        area.width as f32 * CELL_W + 2.0 * PAD,
        area.height as f32 * CELL_H + 2.0 * PAD,
    );
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">
<rect width="100%" height="100%" fill="{BG}"/>
<g font-family="{FONT}" font-size="{FONT_SIZE}" xml:space="preserve">
"#
    );
    let left = |x: u16| PAD + x as f32 * CELL_W;
    let top = |y: u16| PAD + y as f32 * CELL_H;
    for y in 0..area.height {
        let row: Vec<&Cell> = (0..area.width).map(|x| &buffer[(x, y)]).collect();
        // Backgrounds: runs of equal paint, so no seams show between cells.
        let mut start = 0;
        for run in row.chunk_by(|a, b| colors(a).1 == colors(b).1) {
            if let Some(bg) = colors(run[0]).1 {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{CELL_H}" fill="{bg}" shape-rendering="crispEdges"/>"#,
                    left(start),
                    top(y),
                    run.len() as f32 * CELL_W
                );
            }
            start += run.len() as u16;
        }
        for (x, cell) in row.iter().enumerate() {
            let symbol = cell.symbol();
            if symbol.trim().is_empty() {
                continue;
            }
            let bold = if cell.modifier.contains(Modifier::BOLD) {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}" fill="{}"{bold}>{}</text>"#,
                left(x as u16),
                top(y) + BASELINE,
                colors(cell).0,
                escape(symbol)
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// resvg's options with the system fonts loaded; fails without the font.
fn options() -> usvg::Options<'static> {
    let mut options = usvg::Options {
        font_family: FONT.into(),
        ..usvg::Options::default()
    };
    options.fontdb_mut().load_system_fonts();
    let installed = options
        .fontdb
        .faces()
        .any(|face| face.families.iter().any(|(name, _)| name == FONT));
    assert!(
        installed,
        "{FONT} is not installed (Debian: apt-get install fonts-dejavu-core)"
    );
    options
}

fn write_png(svg: &str, options: &usvg::Options, path: &Path) {
    let tree = usvg::Tree::from_str(svg, options).expect("valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.save_png(path).expect("write the PNG");
}

fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Type).collect()
}

#[test]
#[ignore = "writes screenshots/*.png; run with --ignored"]
fn screenshots() {
    let list = [vec![FocusFilter], typed("to:hyper-v"), vec![FilterAccept]].concat();
    let machines = app_after(&[]);
    let host = machines
        .machines()
        .iter()
        .position(|m| m.id == "hyperv-host")
        .expect("the catalog has a Hyper-V host");
    let machine = [vec![ShowMachine], vec![Down; host]].concat();
    let shots: [(&str, &[Action]); 4] = [
        ("list", &list),
        ("matrix", &[ShowMatrix, Down, Down, Right]),
        ("machine", &machine),
        ("help", &[ToggleHelp]),
    ];

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let options = options();
    for (name, actions) in shots {
        let svg = svg(&frame(&app_after(actions)));
        write_png(&svg, &options, &dir.join(format!("{name}.png")));
    }
    let loading = svg(&frame(&loading()));
    write_png(&loading, &options, &dir.join("loading.png"));
    let sweep = svg(&frame(&swept()));
    write_png(&sweep, &options, &dir.join("sweep.png"));
}

/// The sweep view of a four-machine deployment, every port answered (by
/// hand: `common::swept`), the cursor on hv02's refused WinRM port.
fn swept() -> App {
    let mut app = common::swept::app(true);
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    ui::fit(&mut app, area);
    app.update(ShowSweep);
    app.update(Confirm);
    common::swept::answer_all(&mut app);
    let sweep = app.sweep.as_ref().expect("a sweep");
    let hv02 = (0..sweep.plan.hosts.len())
        .find(|&h| sweep.machine_name(h) == "hv02")
        .expect("hv02 in the deployment");
    let winrm = sweep
        .columns
        .iter()
        .position(|c| c.label() == "5985")
        .expect("WinRM swept");
    let (row, column) = sweep.cursor;
    for _ in row..hv02 {
        app.update(Down);
    }
    for _ in column..winrm {
        app.update(Right);
    }
    app
}

/// A big catalog file partly read (ten batches), with `winrm` typed while
/// it loads and answered over those rows.
fn loading() -> App {
    let mut head = catalog::embedded().unwrap();
    let rows = std::mem::take(&mut head.connections);
    let mut app = App::loading("big.json".into(), Settings::default());
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    let batch = vmmports::catalog::BATCH;
    for n in 0..10 {
        let part = (0..batch)
            .map(|i| {
                let mut conn = rows[(n * batch + i) % rows.len()].clone();
                conn.id = format!("{}-{}", conn.id, n * batch + i);
                conn
            })
            .collect();
        app.add_rows((n == 0).then(|| head.clone()), part);
    }
    ui::fit(&mut app, area);
    for action in [vec![FocusFilter], typed("winrm")].concat() {
        app.update(action);
    }
    // The search answers over the rows read so far.
    app.wait_for_search();
    app
}
