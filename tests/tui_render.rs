//! Every view and popup rendered with ratatui's TestBackend, pinned as insta
//! snapshots at 80×24, 160×48, 20×5 and 1×1. Review changes with
//! `cargo insta review` (or INSTA_UPDATE=always, then read the diff).

mod common;
use common::screen::{draw, settle};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use vmmports::catalog;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action::{self, *};
use vmmports::tui::app::App;
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
    ("matrix", &[ShowMatrix, Down, Down, Right]),
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
    settle(&mut app, actions, width, height);
    draw(&app, width, height)
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

/// The list's rows on `screen`, each as its cells under the header's
/// column names (`From`, `To`, `Service`, `Ports`…), trimmed.
fn list_cells(screen: &str) -> Vec<Vec<(String, String)>> {
    // TestBackend quotes each line.
    let lines = || screen.lines().map(|l| l.trim_matches('"'));
    let header = lines()
        .find(|l| l.contains(" From ") && l.contains(" Service "))
        .unwrap_or_else(|| panic!("no list header:\n{screen}"));
    let header: Vec<char> = header.chars().collect();
    // Column starts: a word after a blank, within the list's border.
    let end = header.iter().skip(1).position(|&c| c == '│').unwrap() + 1;
    let starts: Vec<usize> = (1..end)
        .filter(|&i| header[i] != ' ' && header[i - 1] == ' ')
        .chain([end])
        .collect();
    let name = |from: usize, to: usize| -> String {
        header[from..to]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    };
    lines()
        .map(|l| l.chars().collect::<Vec<char>>())
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| l.len() > end && !l[..=end].contains(&'└'))
        .filter(|l| l[4..end].iter().any(|c| c.is_alphanumeric()))
        .map(|line| {
            starts
                .windows(2)
                .map(|w| {
                    let cell: String = line[w[0]..w[1]].iter().collect();
                    (name(w[0], w[1]), cell.trim().to_string())
                })
                .collect()
        })
        .collect()
}

/// At 120×40 and 80×24 every row of the list can be read, not guessed:
/// two machines never show the same text in From or To, rows whose ends
/// or services differ never read alike, and Service shows the word that
/// names the service (the 443 rows say BITS, not `HTTPS (B…`).
#[test]
fn the_list_tells_rows_apart_at_120x40_and_80x24() {
    use std::collections::BTreeMap;
    let catalog = catalog::embedded().unwrap();
    for (width, height) in [(120u16, 40u16), (80, 24)] {
        // Page down until every row has been on screen; each row with its
        // cells, by connection id.
        let mut seen: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for pages in 0..catalog.connections.len() {
            let mut app = App::new(catalog.clone(), "test".into(), Settings::default());
            settle(&mut app, &vec![PageDown; pages], width, height);
            let screen = draw(&app, width, height);
            let rows = list_cells(&screen);
            let hits = &app.filter.hits[app.list.offset..];
            for (hit, cells) in hits.iter().zip(rows) {
                let id = catalog.connections[hit.index].id.clone();
                seen.insert(id, cells.into_iter().collect());
            }
            if seen.len() == catalog.connections.len() {
                break;
            }
        }
        assert_eq!(seen.len(), catalog.connections.len(), "{width}x{height}");
        let at = |id: &str, column: &str| seen[id][column].clone();
        // One text, one machine, in From and To alike (`Windows …` was both
        // the PE agent and the file server).
        let mut machines: BTreeMap<String, String> = BTreeMap::new();
        for conn in &catalog.connections {
            for (ids, column) in [(&conn.from, "From"), (&conn.to, "To")] {
                if let [only] = ids.as_slice() {
                    let shown = at(&conn.id, column);
                    let name = catalog.names(std::slice::from_ref(only));
                    let other = machines.insert(shown.clone(), name.clone());
                    assert!(
                        other.as_ref().is_none_or(|other| *other == name),
                        "{width}x{height}: `{shown}` reads as {name} and {other:?}"
                    );
                }
            }
        }
        // Rows that differ in their ends or services read differently.
        for a in &catalog.connections {
            for b in &catalog.connections {
                let facts = |c: &vmmports::catalog::Connection| {
                    (c.from.clone(), c.to.clone(), c.services_text())
                };
                if a.id < b.id && facts(a) != facts(b) {
                    let shown = |id: &str| [at(id, "From"), at(id, "To"), at(id, "Service")];
                    assert_ne!(
                        shown(&a.id),
                        shown(&b.id),
                        "{width}x{height}: {} and {} read alike",
                        a.id,
                        b.id
                    );
                }
            }
        }
        // Service names the service: the word that tells it from the rest.
        for conn in &catalog.connections {
            let first = conn.ports.first().map_or("", |p| p.service.as_str());
            for word in ["BITS", "WinRM", "SMB", "WCF", "TDS", "IPMI", "SFTP"] {
                if first.contains(word) {
                    let service = at(&conn.id, "Service");
                    assert!(
                        service.starts_with(word),
                        "{width}x{height}: {} shows `{service}` for {first}",
                        conn.id
                    );
                }
            }
        }
        // The rows by name.
        assert_eq!(at("vmm-to-host-bits", "Service"), "BITS");
        assert!(at("winpe-to-vmm", "From").starts_with("Windows PE"));
        assert!(at("vmm-to-file-server-bits", "To").starts_with("Windows file"));
    }
}

/// Each view's footer shows its keys at 120 and at 80 columns: `?` and `p`
/// (check, for incidents) in every view, and a popup says how to close and
/// scroll it.
#[test]
fn every_footer_shows_its_keys_at_120_and_80_columns() {
    let screens: [(&str, &[Action], &[&str]); 7] = [
        (
            "list",
            &[],
            &["? help", "p check", "/ filter", "y copy", "q quit"],
        ),
        (
            "matrix",
            &[ShowMatrix],
            &["? help", "p check", "Esc back", "Enter"],
        ),
        (
            "machine",
            &[ShowMachine],
            &["? help", "p check", "y copy script"],
        ),
        ("notes", &[ShowNotes], &["? help", "p check", "Esc back"]),
        (
            "help",
            &[ToggleHelp],
            &["Esc/? close", "j/k scroll", "PgUp/PgDn"],
        ),
        (
            "filter",
            &[FocusFilter],
            &["Enter keep filter", "Esc clear"],
        ),
        ("check prompt", &[CheckPorts], &["Enter go", "Esc cancel"]),
    ];
    for (name, actions, wanted) in screens {
        for (width, height) in [(120, 40), (80, 24)] {
            let screen = render(actions, width, height);
            let footer = screen.lines().rev().nth(1).unwrap();
            for want in wanted {
                assert!(
                    footer.contains(want),
                    "{name} at {width}x{height}: `{want}` not in `{footer}`"
                );
            }
        }
    }
}

/// The help at 120×40 fits whole; at 80×24 it scrolls: its title says how
/// to close and scroll it, its bottom edge where the view is, and g/G,
/// PgUp/PgDn and j/k reach every line and stop at the last.
#[test]
fn the_help_fits_or_scrolls_and_says_how_to_close() {
    let whole = render(&[ToggleHelp], 120, 40);
    insta::assert_snapshot!("help_120x40", whole);
    assert!(whole.contains(" Keys · Esc/? close "), "{whole}");
    assert!(
        !whole.contains("j/k scroll ─"),
        "scrolls though it fits:\n{whole}"
    );
    for text in ["Move", "next / previous row", "not:term", "q, Ctrl-C"] {
        assert!(whole.contains(text), "{text} missing at 120x40:\n{whole}");
    }

    let top = render(&[ToggleHelp], 80, 24);
    assert!(top.contains(" Keys · Esc/? close · j/k scroll "), "{top}");
    assert!(top.contains("next / previous row"), "{top}");
    assert!(!top.contains("q, Ctrl-C"), "{top}");
    let end = render(&[ToggleHelp, Bottom], 80, 24);
    insta::assert_snapshot!("help_end_80x24", end);
    assert!(end.contains("q, Ctrl-C"), "{end}");
    assert!(!end.contains("next / previous row"), "{end}");
    // The bottom edge says where the view is: its last line is the help's.
    let range = |screen: &str| -> (u16, u16, u16) {
        let edge = screen
            .lines()
            .find(|l| l.contains(" of ") && l.contains('–'))
            .unwrap_or_else(|| panic!("no position:\n{screen}"));
        let numbers: Vec<u16> = edge
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u16>().ok())
            .collect();
        (numbers[0], numbers[1], numbers[2])
    };
    let (first, last, total) = range(&end);
    assert_eq!(last, total, "{end}");
    assert!(first > 1, "{end}");
    // Past the end stays at the end; a page up and back, and j/k, move by
    // what they say.
    assert_eq!(render(&[ToggleHelp, Bottom, Down, Down], 80, 24), end);
    let back = render(&[ToggleHelp, Bottom, Down, Down, Up], 80, 24);
    assert_eq!(range(&back).0, first - 1, "k after the end:\n{back}");
    let page = last - first + 1;
    let up = render(&[ToggleHelp, Bottom, PageUp], 80, 24);
    assert_eq!(range(&up).0, first.saturating_sub(page).max(1), "{up}");
    assert_eq!(render(&[ToggleHelp, Bottom, PageUp, PageDown], 80, 24), end);
    assert_eq!(render(&[ToggleHelp, Down, Up], 80, 24), top);
    assert_eq!(render(&[ToggleHelp, Bottom, Top], 80, 24), top);
    assert_eq!(range(&render(&[ToggleHelp, Down], 80, 24)).0, 2);
    // Every key of every group is on one of the pages.
    let pages: String = (0..total)
        .map(|n| {
            render(
                &[&[ToggleHelp][..], &vec![Down; n as usize]].concat(),
                80,
                24,
            )
        })
        .collect();
    for key in [
        "j/k, ↓/↑",
        "Tab/Shift-Tab",
        "terms",
        "Y / F",
        "p",
        "s",
        "n",
        "?",
    ] {
        assert!(pages.contains(&format!("  {key:<14}")), "{key} never shown");
    }
}

/// A long port list (PXE's) is cut in the list at 120 columns, between
/// whole numbers and with its transport, and whole in the detail pane; the id gets a column only
/// where the names keep their room (200 columns, not 120).
#[test]
fn long_ports_are_cut_in_the_list_and_whole_in_the_detail() {
    let filter: Vec<Action> = [FocusFilter]
        .into_iter()
        .chain("pxe-boot".chars().map(Type))
        .chain([FilterAccept])
        .collect();
    let pxe = catalog::embedded()
        .unwrap()
        .connections
        .into_iter()
        .find(|c| c.id == "pxe-boot")
        .unwrap();
    let whole = pxe.ports_text();
    for (width, height) in [(120, 40), (200, 50)] {
        let screen = render(&filter, width, height);
        let rows = list_cells(&screen);
        let row = rows
            .iter()
            .find(|cells| cells.iter().any(|(_, v)| v.starts_with("Bare-me")))
            .unwrap_or_else(|| panic!("no pxe-boot row:\n{screen}"));
        let cell = |name: &str| row.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let ports = cell("Ports").unwrap();
        if width == 120 {
            assert_ne!(ports, whole, "{width}x{height}:\n{screen}");
        }
        if ports != whole {
            assert!(ports.ends_with(",…/udp"), "{width}x{height}: {ports}");
            let kept = ports.trim_end_matches(",…/udp");
            assert!(whole.starts_with(&format!("{kept},")), "{ports} of {whole}");
        }
        // The detail pane: every port, whole.
        for port in &pxe.ports {
            let number = format!("{}/{}", port.number_text(), port.transport.as_str());
            assert!(screen.contains(&number), "{number} not whole:\n{screen}");
        }
        assert_eq!(
            cell("Id").is_some(),
            width >= 200,
            "{width}x{height}:\n{screen}"
        );
        if width >= 200 {
            assert_eq!(cell("Id").unwrap(), "pxe-boot");
        }
    }
}

/// The matrix of `winrm` at 120×40 and 80×24: no row or column for a
/// component the filter does not match, and below the grid the selected
/// cell's connections in full: each id with its whole ports and transport.
/// Where they do not all fit, the last line counts the rest.
#[test]
fn the_filtered_matrix_draws_its_matches_and_the_cell_in_full() {
    let filtered: Vec<Action> = [FocusFilter]
        .into_iter()
        .chain("winrm".chars().map(Type))
        .chain([FilterAccept, ShowMatrix])
        .collect();
    let cell_of = |actions: &[Action]| {
        let mut app = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        for action in actions {
            app.update(*action);
        }
        let axes = app.matrix_axes();
        let (row, col) = app.matrix.position(&axes).unwrap();
        let conns: Vec<(String, String)> = app
            .cell(&axes.rows[row], &axes.columns[col])
            .map(|c| (c.id.clone(), c.ports_text()))
            .collect();
        let (drawn, absent): (Vec<_>, Vec<_>) = app
            .catalog
            .components
            .iter()
            .partition(|c| axes.rows.contains(&c.id) || axes.columns.contains(&c.id));
        // Cut names keep at least their first ten characters; those that
        // start as a drawn one does cannot be told apart on screen.
        let start = |name: &str| name.chars().take(10).collect::<String>();
        let absent: Vec<String> = absent
            .iter()
            .map(|c| start(&c.name))
            .filter(|s| !drawn.iter().any(|d| d.name.starts_with(s.as_str())))
            .collect();
        (conns, absent)
    };
    let (conns, absent) = cell_of(&filtered);
    assert!(!conns.is_empty() && !absent.is_empty());
    for (width, height) in [(120, 40), (80, 24)] {
        let screen = render(&filtered, width, height);
        for name in &absent {
            assert!(
                !screen.contains(name.as_str()),
                "{width}x{height}: {name} is not matched:\n{screen}"
            );
        }
        for (id, ports) in &conns {
            assert!(
                screen
                    .lines()
                    .any(|l| l.contains(&format!("│{id} ")) && l.contains(&format!(" {ports} "))),
                "{width}x{height}: {id} with {ports}:\n{screen}"
            );
        }
    }

    // No filter, at 80×24: the grid takes most of the height, so the cell's
    // connections are cut, and the rest counted.
    let (conns, _) = cell_of(&[ShowMatrix]);
    let screen = render(&[ShowMatrix], 80, 24);
    let shown = conns
        .iter()
        .filter(|(id, _)| screen.contains(&format!("│{id} ")))
        .count();
    assert!(shown > 0 && shown < conns.len(), "{screen}");
    let more = format!("… {} more: Enter lists them all", conns.len() - shown);
    assert!(screen.contains(&more), "{more}\n{screen}");
}

/// Settings from a deployment file: the form says its changes last for the
/// session only, and where to make them last.
#[test]
fn the_settings_form_says_when_its_settings_come_from_a_deployment_file() {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    app.settings_file = Some("/etc/vmm/deployment.ron".into());
    let screen = render_app(app, &[OpenSettings], 120, 40);
    assert!(
        screen
            .contains("session only: settings from deployment.ron: edit the file to keep changes"),
        "{screen}"
    );
    let editing = {
        let mut app = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        app.settings_file = Some("deployment.ron".into());
        render_app(app, &[OpenSettings, Confirm], 120, 40)
    };
    assert!(
        editing.contains("Enter applies for this session only"),
        "{editing}"
    );
}
