//! Every view and popup rendered with ratatui's TestBackend, pinned as insta
//! snapshots at 80×24, 160×48, 20×5 and 1×1. Review changes with
//! `cargo insta review` (or INSTA_UPDATE=always, then read the diff).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vmmports::catalog;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action::{self, *};
use vmmports::tui::app::App;
use vmmports::tui::layout;
use vmmports::tui::theme::Theme;
use vmmports::tui::ui;

/// Each screen, as the actions that lead to it.
const SCREENS: &[(&str, &[Action])] = &[
    ("list", &[]),
    (
        "list_filtering",
        &[
            FocusFilter,
            FilterInsert('w'),
            FilterInsert('i'),
            FilterInsert('n'),
        ],
    ),
    (
        "list_rule_pane_nft",
        &[Down, Down, NextPane, NextPane, NextDialect, NextDialect],
    ),
    ("list_marked", &[ToggleMark, ToggleMark]),
    (
        "list_bad_filter",
        &[
            FocusFilter,
            FilterInsert('m'),
            FilterInsert('o'),
            FilterInsert('d'),
            FilterInsert(':'),
            FilterInsert('x'),
        ],
    ),
    ("matrix", &[ShowMatrix, Down, Right, Right]),
    ("machine", &[ShowMachine, Down]),
    ("notes", &[ShowNotes]),
    ("help", &[ToggleHelp]),
    ("write_prompt", &[CopyRule, WriteCopy]),
    (
        "check_prompt",
        &[CheckPorts, FormInput('h'), FormInput('v')],
    ),
    ("settings", &[OpenSettings, Down]),
    (
        "settings_editing_error",
        &[OpenSettings, Confirm, FormInput('\u{1b}')],
    ),
];

fn render(actions: &[Action], width: u16, height: u16) -> String {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let areas = layout::areas(ratatui::layout::Rect::new(0, 0, width, height), &app);
    app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
    for action in actions {
        app.update(*action);
        let areas = layout::areas(ratatui::layout::Rect::new(0, 0, width, height), &app);
        app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
    }
    terminal
        .draw(|frame| ui::render(frame, &app, &Theme::PLAIN))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn every_screen_at_every_size() {
    for (name, actions) in SCREENS {
        for (width, height) in [(80, 24), (160, 48), (20, 5), (1, 1)] {
            let screen = render(actions, width, height);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
        }
    }
}

#[test]
fn too_small_says_what_it_needs_and_recovers() {
    let small = render(&[], 40, 10);
    assert!(small.contains("terminal too small"), "{small}");
    assert!(small.contains("need 50×12"), "{small}");
    let big = render(&[], 80, 24);
    assert!(big.contains("Connections"), "{big}");
}

#[test]
fn no_size_panics() {
    for width in [1, 2, 19, 49, 50, 79, 99, 100, 200] {
        for height in [1, 2, 11, 12, 24, 60] {
            for (_, actions) in SCREENS {
                render(actions, width, height);
            }
        }
    }
}
