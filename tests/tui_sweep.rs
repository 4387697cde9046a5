//! The explorer's sweep view (`S`): the keys that reach it and move in it,
//! the grid as results arrive, the machine popup, and `p` from it. The
//! sweep's events are fed in by hand here, so every state is drawn exactly;
//! `tui_pty_unix` runs a real sweep in the real binary.

mod common;
use common::screen::{draw, settle as press};
use common::swept::{answer_all, app};

use vmmports::tui::action::Action::*;
use vmmports::tui::app::{App, Overlay, View};
use vmmports::tui::state::Prompt;

/// The sweep started as the prompt proposes (vmm-server).
fn swept(app: &mut App) {
    press(app, &[ShowSweep], 120, 40);
    assert!(
        matches!(&app.overlay, Some(Overlay::Prompt(p)) if p.purpose == Prompt::SweepAs),
        "{:?}",
        app.status
    );
    press(app, &[Confirm], 120, 40);
    assert_eq!(app.view, View::Sweep, "{:?}", app.status);
    assert!(
        std::mem::take(&mut app.requests.sweep),
        "the event loop is asked to run it"
    );
}

#[test]
fn without_a_deployment_file_s_says_where_to_write_one() {
    let mut app = app(false);
    press(&mut app, &[ShowSweep], 120, 40);
    assert_eq!(app.overlay, None);
    let status = app.status.clone().unwrap();
    assert!(status.is_error);
    assert!(
        status.text.contains("no deployment file"),
        "{}",
        status.text
    );
    assert!(status.text.contains("--deployment FILE"), "{}", status.text);
}

#[test]
fn a_role_that_is_no_component_is_refused_with_the_list() {
    let mut app = app(true);
    press(&mut app, &[ShowSweep], 120, 40);
    press(
        &mut app,
        &[Edit(vmmports::tui::text_input::Edit::Clear)],
        120,
        40,
    );
    for c in "toaster".chars() {
        press(&mut app, &[Type(c)], 120, 40);
    }
    press(&mut app, &[Confirm], 120, 40);
    assert_ne!(app.view, View::Sweep);
    assert!(app.sweep.is_none());
    let status = app.status.clone().unwrap();
    assert!(status.text.contains("toaster"), "{}", status.text);
    assert!(status.text.contains("hyperv-host"), "{}", status.text);
}

#[test]
fn results_fill_the_grid_as_they_come_and_the_title_counts_them() {
    let mut app = app(true);
    swept(&mut app);
    let waiting = draw(&app, 120, 40);
    assert!(
        waiting.contains("Sweep as vmm-server · running: 0 of"),
        "{waiting}"
    );
    assert!(waiting.contains("· deployment.ron"), "{waiting}");
    assert!(waiting.contains('…'), "{waiting}");
    answer_all(&mut app);
    let done = draw(&app, 120, 40);
    assert!(
        done.contains("3 of 4 machines not as expected · done in 2.3 s · deployment.ron"),
        "{done}"
    );
    insta::assert_snapshot!("sweep_done_120x40", done);
}

#[test]
fn each_state_has_its_sign_in_its_machines_row_and_column() {
    let mut app = app(true);
    swept(&mut app);
    answer_all(&mut app);
    let screen = draw(&app, 120, 40);
    // The test backend quotes each row.
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_matches('"')).collect();
    let header = lines
        .iter()
        .find(|l| l.contains("machine") && l.contains("address"))
        .unwrap();
    let column_of = |label: &str| {
        let at = header.find(&format!(" {label} ")).unwrap() + 1;
        header[..at].chars().count()..header[..at].chars().count() + label.chars().count()
    };
    let row = |name: &str| -> Vec<char> {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("│{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{screen}"))
            .chars()
            .collect()
    };
    let sign_at = |name: &str, label: &str| -> String {
        let row = row(name);
        row[column_of(label)]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    };
    assert_eq!(sign_at("hv01", "5985"), "✓");
    assert_eq!(sign_at("hv02", "5985"), "R");
    assert_eq!(sign_at("hv02", "443"), "!");
    assert_eq!(sign_at("hv03.contoso.com", "445"), "N");
    assert_eq!(sign_at("sql01", "1433"), "T");
    // A host is not asked for SQL, nor SQL Server for WinRM.
    assert_eq!(sign_at("hv01", "1433"), "·");
    assert_eq!(sign_at("sql01", "5985"), "·");
    assert_eq!(sign_at("hv01", "ping"), "-");
}

#[test]
fn the_cursor_moves_over_the_grid_and_the_cell_below_says_it_in_words() {
    let mut app = app(true);
    swept(&mut app);
    answer_all(&mut app);
    let sweep = app.sweep.as_ref().unwrap();
    let hv02 = (0..4).find(|&h| sweep.machine_name(h) == "hv02").unwrap();
    let winrm = sweep
        .columns
        .iter()
        .position(|c| c.label() == "5985")
        .unwrap();
    let (row, col) = sweep.cursor;
    let mut moves = vec![];
    moves.extend(std::iter::repeat_n(Down, hv02 - row));
    moves.extend(std::iter::repeat_n(Right, winrm - col));
    press(&mut app, &moves, 120, 40);
    assert_eq!(app.sweep.as_ref().unwrap().cursor, (hv02, winrm));
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("hv02 (10.0.1.22, hyperv-host) · 5985/tcp: refused"),
        "{screen}"
    );
    assert!(screen.contains("next: nothing listens"), "{screen}");
    // Enter: every port of hv02, the selected one marked.
    press(&mut app, &[Confirm], 120, 40);
    assert_eq!(app.overlay, Some(Overlay::SweepDetail(hv02)));
    let popup = draw(&app, 120, 40);
    assert!(
        popup.contains("hv02 (10.0.1.22) · hyperv-host · swept as vmm-server"),
        "{popup}"
    );
    assert!(popup.contains("▶       5985/tcp  refused"), "{popup}");
    assert!(popup.contains("443/tcp  open, not TLS"), "{popup}");
    assert!(popup.contains("TLS, but not BITS: nginx"), "{popup}");
    insta::assert_snapshot!("sweep_machine_120x40", popup);
    // Any other key closes it, and the view is as it was.
    press(&mut app, &[Back], 120, 40);
    assert_eq!(app.overlay, None);
    assert_eq!(app.view, View::Sweep);
}

#[test]
fn p_offers_the_selected_machine_and_checks_the_ports_the_sweep_probed() {
    let mut app = app(true);
    swept(&mut app);
    answer_all(&mut app);
    press(&mut app, &[CheckPorts], 120, 40);
    let Some(Overlay::Prompt(prompt)) = &app.overlay else {
        panic!("{:?}", app.status);
    };
    // The address the sweep probed, not the name (which may resolve
    // elsewhere from here).
    let sweep = app.sweep.as_ref().unwrap();
    let probed = sweep.tally.address(&sweep.plan, 0).expect("an address");
    assert_eq!(prompt.input.text(), probed.to_string());
    press(&mut app, &[Confirm], 120, 40);
    let Some(Overlay::Check(run)) = &app.overlay else {
        panic!("{:?}", app.status);
    };
    let sweep = app.sweep.as_ref().unwrap();
    let role = sweep.plan.role_of(&sweep.plan.hosts[0]);
    let checked: Vec<String> = run.lines.iter().map(|l| l.port_text()).collect();
    let swept: Vec<String> = role.lines.iter().map(|l| l.port_text()).collect();
    assert_eq!(checked, swept);
}

#[test]
fn list_keys_say_so_and_esc_goes_back_while_s_returns_to_the_results() {
    let mut app = app(true);
    swept(&mut app);
    answer_all(&mut app);
    press(&mut app, &[ToggleMark], 120, 40);
    assert!(app.list.marked.is_empty(), "nothing marked unseen");
    let status = app.status.clone().unwrap();
    assert!(
        status.text.contains("Enter shows this machine's ports"),
        "{}",
        status.text
    );
    press(&mut app, &[Back], 120, 40);
    assert_eq!(app.view, View::List);
    // Back to the same results, not a new sweep.
    press(&mut app, &[ShowSweep], 120, 40);
    assert_eq!(app.view, View::Sweep);
    assert_eq!(app.overlay, None);
    assert!(!app.requests.sweep);
    // `r` asks the role again, then starts over and stops the old sweep.
    let old_stop = std::sync::Arc::clone(&app.sweep.as_ref().unwrap().stop);
    press(&mut app, &[Resweep, Confirm], 120, 40);
    assert!(app.requests.sweep);
    assert!(old_stop.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(app.sweep.as_ref().unwrap().tally.known, 0);
}

#[test]
fn the_filter_narrows_what_is_swept() {
    let mut app = app(true);
    press(&mut app, &[FocusFilter], 120, 40);
    for c in "port:1433".chars() {
        press(&mut app, &[Type(c)], 120, 40);
    }
    press(&mut app, &[FilterAccept], 120, 40);
    swept(&mut app);
    let sweep = app.sweep.as_ref().unwrap();
    assert_eq!(sweep.query, "port:1433");
    let labels: Vec<String> = sweep.columns.iter().map(|c| c.label()).collect();
    assert_eq!(labels, ["1433"]);
    assert_eq!(sweep.plan.hosts.len(), 1, "only SQL Server answers 1433");
    // With nothing the filter leaves to sweep, it says why.
    let mut app = self::app(true);
    press(&mut app, &[FocusFilter], 120, 40);
    for c in "port:2179".chars() {
        press(&mut app, &[Type(c)], 120, 40);
    }
    press(&mut app, &[FilterAccept, ShowSweep, Confirm], 120, 40);
    assert_ne!(app.view, View::Sweep);
    let status = app.status.clone().unwrap();
    assert!(
        status.text.contains("nothing to sweep as vmm-server"),
        "{}",
        status.text
    );
}

#[test]
fn the_sweep_view_draws_at_every_size_without_panic_and_fits_80x24() {
    let mut app = app(true);
    swept(&mut app);
    answer_all(&mut app);
    for width in [1, 20, 49, 50, 79, 80, 100, 120, 200] {
        for height in [1, 5, 12, 24, 40] {
            draw(&app, width, height);
        }
    }
    let small = draw(&app, 80, 24);
    assert!(small.contains("hv01"), "{small}");
    assert!(small.contains("hjkl move"), "{small}");
    insta::assert_snapshot!("sweep_done_80x24", small);
}

#[test]
fn a_deployment_file_that_was_refused_at_start_is_named_not_asked_for() {
    let mut app = app(false);
    app.deployment_error =
        Some("deployment file /etc/vmm/d.ron: 3:9: unknown role `hyperv`".into());
    press(&mut app, &[ShowSweep], 120, 40);
    let status = app.status.clone().unwrap();
    assert!(
        status.text.contains("unknown role `hyperv`"),
        "{}",
        status.text
    );
    assert!(!status.text.contains("write"), "{}", status.text);
}
