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
        &[FocusFilter, Type('w'), Type('i'), Type('n')],
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
            Type('m'),
            Type('o'),
            Type('d'),
            Type(':'),
            Type('x'),
        ],
    ),
    ("matrix", &[ShowMatrix, Down, Right, Right]),
    (
        "matrix_filtered",
        &[
            FocusFilter,
            Type('w'),
            Type('i'),
            Type('n'),
            Type('r'),
            Type('m'),
            FilterAccept,
            ShowMatrix,
        ],
    ),
    ("machine", &[ShowMachine, Down]),
    (
        "machine_script_scrolled",
        &[ShowMachine, Down, NextPane, PageDown, Down, Down],
    ),
    ("notes", &[ShowNotes]),
    ("help", &[ToggleHelp]),
    ("write_prompt", &[CopyRule, WriteCopy]),
    ("check_prompt", &[CheckPorts, Type('h'), Type('v')]),
    ("settings", &[OpenSettings, Down]),
    (
        "settings_editing_error",
        &[OpenSettings, Confirm, Type('\u{1b}')],
    ),
];

fn render(actions: &[Action], width: u16, height: u16) -> String {
    let app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    render_app(app, actions, width, height)
}

/// `app` after `actions`, drawn at `width`×`height`.
fn render_app(mut app: App, actions: &[Action], width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let areas = layout::areas(ratatui::layout::Rect::new(0, 0, width, height), &app);
    app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
    app.fit_machine_view(&areas);
    for action in actions {
        app.update(*action);
        let areas = layout::areas(ratatui::layout::Rect::new(0, 0, width, height), &app);
        app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
        app.fit_machine_view(&areas);
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

/// The check popup once answers are in: each port's result and what its
/// service said, with a certificate's expiry and a name it lacks as warning
/// lines in the error style.
#[test]
fn check_popup_shows_each_service_and_its_warnings() {
    use std::time::Duration;
    use vmmports::check::{Event, Finding, Status, TlsInfo};
    use vmmports::tui::app::Overlay;

    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    app.set_filter("vmm-to-file-server-winrm".into());
    app.update(CheckPorts);
    for c in "fs01".chars() {
        app.update(Type(c));
    }
    app.update(Confirm);
    let Some(Overlay::Check(run)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let ports: Vec<u16> = run.targets.iter().map(|t| t.first).collect();
    assert_eq!(ports, [5985, 5986]);

    // What the probes report against `python3 -m http.server` on 5985 and
    // `openssl s_server` with a three-day certificate on 5986.
    let winrm = Finding {
        answered: false,
        detail: Some("HTTP, not WinRM (501, Server: SimpleHTTP/0.6 Python/3.11.2)".into()),
        ..Finding::unreached(Status::Open(Duration::from_micros(300)))
    };
    let tls = Finding {
        answered: true,
        detail: Some(
            "TLS 1.3, cert CN=fs01 expires in 3 days; WinRM (401 Negotiate, Kerberos)".into(),
        ),
        warnings: vec![
            "the certificate expires in 3 days (2026-12-05); renew it before clients refuse it"
                .into(),
        ],
        tls: Some(TlsInfo {
            version: "TLS 1.3".into(),
            subject: "CN=fs01".into(),
            issuer: "CN=Contoso CA".into(),
            san: vec!["fs01".into()],
            self_signed: false,
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2026-12-05T10:00:00Z".into(),
            days_left: 3,
            expired: false,
            not_yet_valid: false,
            name_matches: true,
            common_names: vec!["fs01".into()],
        }),
        ..Finding::unreached(Status::Open(Duration::from_micros(400)))
    };
    app.check_event(Event::Resolved(Ok("10.0.0.8".parse().unwrap())));
    app.check_event(Event::Answer(0, Box::new(winrm)));
    app.check_event(Event::Answer(1, Box::new(tls)));

    let mut terminal = Terminal::new(TestBackend::new(120, 24)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, &app, &Theme::COLOR))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let text = terminal.backend().to_string();
    insta::assert_snapshot!("check_results_120x24", text);
    assert!(text.contains("Check — done"), "{text}");
    assert!(text.contains("HTTP, not WinRM"), "{text}");
    assert!(text.contains("expires in 3 days"), "{text}");
    // Not right: a next step beneath it; right: none.
    assert!(text.contains("next: another service owns 5985"), "{text}");
    assert_eq!(text.matches("next:").count(), 1, "{text}");

    // The warning line and the failed service are in the error style; the
    // service that answered is not.
    let style_of = |needle: &str| {
        let row = (0..buffer.area.height)
            .find(|&y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .contains(needle)
            })
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{text}"));
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, row)].symbol().to_string())
            .collect();
        let x = line.find(needle).unwrap();
        let col = line[..x].chars().count() as u16;
        buffer[(col, row)].fg
    };
    let error = Theme::COLOR.error.fg.unwrap();
    assert_eq!(style_of("warning: the certificate"), error);
    assert_eq!(style_of("HTTP, not WinRM"), error);
    assert_ne!(style_of("TLS 1.3, cert CN=fs01"), error);

    // Small terminals: drawn without a panic.
    for (width, height) in [(1, 1), (20, 5), (50, 12), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| ui::render(frame, &app, &Theme::PLAIN))
            .unwrap();
    }
}

/// The list of `to:hyper-v` at the sizes admins use: a Service column,
/// ports whole with their transport at 120 columns and wider, and every
/// cell that is cut ending in `…`.
#[test]
fn the_list_shows_services_and_whole_ports() {
    let filter: Vec<Action> = [FocusFilter]
        .into_iter()
        .chain("to:hyper-v".chars().map(Type))
        .chain([FilterAccept])
        .collect();
    for (width, height) in [(80, 24), (120, 40), (200, 50)] {
        let screen = render(&filter, width, height);
        insta::assert_snapshot!(format!("list_to_hyperv_{width}x{height}"), screen);
        let header = screen
            .lines()
            .find(|l| l.contains("From") && l.contains("Service"))
            .unwrap_or_else(|| panic!("no header at {width}x{height}:\n{screen}"));
        // Columns by character, not byte: the borders are multi-byte.
        let column = |needle: &str| {
            let at = header.find(needle).unwrap();
            header[..at].chars().count()
        };
        let (ports_at, mod_at) = (column("Ports"), column("Mod"));
        let rows: Vec<&str> = screen
            .lines()
            .skip_while(|l| *l != header)
            .skip(1)
            .take_while(|l| !l.contains('└'))
            // Rows with a source: the blank ones below the last row aside.
            .filter(|l| l.chars().skip(4).take(8).any(|c| c.is_alphanumeric()))
            .collect();
        assert!(rows.len() > 3, "{screen}");
        for row in rows {
            let cells: String = row.chars().skip(ports_at).take(mod_at - ports_at).collect();
            let ports = cells.trim();
            assert!(
                ports.ends_with("/tcp")
                    || ports.ends_with("/udp")
                    || ports.ends_with("/icmp")
                    || ports.ends_with('…'),
                "{width}x{height}: ports `{ports}` cut without a mark:\n{screen}"
            );
            if width >= 120 {
                assert!(
                    !ports.ends_with('…'),
                    "{width}x{height}: `{ports}` cut:\n{screen}"
                );
            }
        }
    }
}

/// Popups cover everything but the footer: its key hints (the popup's own)
/// and the status line stay on screen.
#[test]
fn popups_leave_the_footer_and_status_line_visible() {
    let popups: [(&str, &[Action]); 4] = [
        ("help", &[ToggleHelp]),
        ("settings", &[OpenSettings]),
        ("check prompt", &[CheckPorts]),
        ("write prompt", &[CopyRule, WriteCopy]),
    ];
    for (name, actions) in popups {
        for (width, height) in [(80, 24), (120, 40)] {
            let screen = render(actions, width, height);
            let lines: Vec<&str> = screen.lines().collect();
            let footer = lines[lines.len() - 2];
            let status = lines[lines.len() - 1];
            assert!(
                footer.contains("Esc") || footer.contains("any key"),
                "{name} at {width}x{height}: footer `{footer}`\n{screen}"
            );
            assert!(
                !footer.contains('│') && !status.contains('│'),
                "{name} at {width}x{height} covers the footer\n{screen}"
            );
        }
    }
}

/// The list and the filtered matrix at the sizes admins use most.
#[test]
fn list_and_filtered_matrix_at_120x40_and_200x50() {
    let screens = SCREENS
        .iter()
        .filter(|(name, _)| ["list", "matrix_filtered"].contains(name));
    for (name, actions) in screens {
        for (width, height) in [(120, 40), (200, 50)] {
            let screen = render(actions, width, height);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
        }
    }
}

/// The machine view at the size admins use most, its script focused and
/// scrolled (the 80×24 one is among every screen's).
#[test]
fn machine_script_scrolled_at_120x40() {
    let (_, actions) = SCREENS
        .iter()
        .find(|(name, _)| *name == "machine_script_scrolled")
        .unwrap();
    insta::assert_snapshot!("machine_script_scrolled_120x40", render(actions, 120, 40));
}

/// The rule pane on a row whose rules go on three machines, showing the
/// second: which one, of how many, and the keys to switch.
#[test]
fn rule_pane_of_a_row_on_several_machines_at_120x40() {
    let screen = render(&[NextMachine], 120, 40);
    assert!(
        screen.contains("machine 2 of 3: untrusted-host · < > switch"),
        "{screen}"
    );
    insta::assert_snapshot!("rule_pane_second_machine_120x40", screen);
}

/// A catalog file still being read: the rows so far, `loading N…` in the
/// filter bar, and a filter typed meanwhile: its hits among the rows read,
/// and that the load goes on.
#[test]
fn a_catalog_still_loading_shows_its_rows_and_says_so() {
    let mut head = catalog::embedded().unwrap();
    let rows = std::mem::take(&mut head.connections);
    let loading = |actions: &[Action]| {
        let mut app = App::loading("big.json".into(), Settings::default());
        app.add_rows(Some(head.clone()), rows[..20].to_vec());
        for action in actions {
            app.update(*action);
            app.wait_for_search();
        }
        render_app(app, &[], 120, 40)
    };
    let screen = loading(&[]);
    assert!(
        screen.lines().next().unwrap().contains("loading 20…"),
        "{screen}"
    );
    insta::assert_snapshot!("loading_120x40", screen);
    let mut read = head.clone();
    read.connections = rows[..20].to_vec();
    let found = vmmports::query::SearchIndex::new(&read)
        .search(&vmmports::query::parse("ws").unwrap())
        .len();
    let screen = loading(&[FocusFilter, Type('w'), Type('s')]);
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains(&format!(" {found}/20 · loading… ")),
        "{screen}"
    );
    insta::assert_snapshot!("loading_filter_120x40", screen);
}
