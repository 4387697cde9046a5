//! The explorer's state machine: apply actions, assert the state. No
//! terminal involved.

mod common;

use vmmports::catalog;
use vmmports::rules::Dialect;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action::{self, *};
use vmmports::tui::app::{App, Overlay, View};
use vmmports::tui::state::Pane;
use vmmports::tui::text_input::{Edit as TextEdit, TextInput};

fn app() -> App {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    app.set_list_height(10);
    app
}

fn apply(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(*a);
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Type(c));
    }
}

/// The copy the app asked the event loop to make: what, and the text.
fn copied(app: &mut App) -> (String, String) {
    let what = app.requests.copy.take().expect("a copy was requested");
    (
        what,
        app.last_copy
            .clone()
            .expect("the text is kept for w and --print"),
    )
}

fn selected_id(app: &App) -> String {
    app.selected_connection()
        .map(|c| c.id.clone())
        .unwrap_or_default()
}

/// The filter bar (`FilterState`): typing, editing, errors, the background search.
mod filter {
    use super::*;

    #[test]
    fn typing_filters_live_and_esc_clears() {
        let mut app = app();
        let all = app.filter.hits.len();
        app.update(FocusFilter);
        assert!(app.filter.filtering);
        typed(&mut app, "winrm");
        assert_eq!(app.filter.text(), "winrm");
        assert!(app.filter.hits.len() < all);
        assert_eq!(
            selected_id(&app),
            "vmm-to-host-winrm",
            "the best match is selected"
        );
        // Letters type while filtering: `q` does not quit.
        app.update(Type('q'));
        assert!(!app.quit);
        app.update(Action::Edit(TextEdit::Backspace));
        app.update(FilterAccept);
        assert!(!app.filter.filtering);
        assert_eq!(app.filter.text(), "winrm", "Enter keeps the filter");
        app.update(FocusFilter);
        app.update(FilterClear);
        assert!(!app.filter.filtering);
        assert_eq!(app.filter.text(), "");
        assert_eq!(app.filter.hits.len(), all);
    }

    #[test]
    fn a_bad_term_keeps_results_and_says_why() {
        let mut app = app();
        app.update(FocusFilter);
        typed(&mut app, "port:9");
        let before = app.filter.hits.len();
        typed(&mut app, "99999");
        assert_eq!(app.filter.hits.len(), before, "previous results stay");
        let error = app.filter.error.clone().expect("an error is shown");
        assert!(error.contains("out of range"), "{error}");
        for _ in 0..5 {
            app.update(Action::Edit(TextEdit::Backspace));
        }
        assert_eq!(app.filter.text(), "port:9");
        assert_eq!(app.filter.error, None, "fixed filter, no error");
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_cursor_edits_in_place() {
        let mut app = app();
        app.update(FocusFilter);
        typed(&mut app, "to:sql proto:udp");
        app.update(Action::Edit(TextEdit::DeleteWord));
        assert_eq!(app.filter.text(), "to:sql ");
        apply(
            &mut app,
            &[
                Action::Edit(TextEdit::Left),
                Action::Edit(TextEdit::Left),
                Action::Edit(TextEdit::Left),
                Action::Edit(TextEdit::Left),
            ],
        );
        app.update(Type('x'));
        assert_eq!(app.filter.text(), "to:xsql ");
    }

    /// Whole copies of the embedded catalog, enough for the search worker.
    fn big_catalog() -> vmmports::catalog::Catalog {
        let rows = catalog::embedded().unwrap().connections.len();
        let copies = vmmports::tui::search::BACKGROUND_FROM / rows + 1;
        crate::common::big_catalog::repeated(rows * copies)
    }

    #[test]
    fn big_catalogs_search_in_the_background_without_blocking_keys() {
        let big = big_catalog();
        let total = big.connections.len();
        let mut app = App::new(big, "test".into(), Settings::default());
        app.set_list_height(10);
        // An empty filter needs no index: every row shows at once.
        assert!(!app.filter.searching);
        assert_eq!(app.filter.hits.len(), total);
        app.update(FocusFilter);
        typed(&mut app, "winrm");
        // The keystrokes are taken at once; the list follows when the search ends.
        assert_eq!(app.filter.text(), "winrm");
        assert!(app.filter.searching);
        app.wait_for_search();
        assert!(!app.filter.searching);
        let mut small = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        small.set_filter("winrm".into());
        assert_eq!(
            app.filter.hits.len(),
            small.filter.hits.len() * (total / small.catalog.connections.len())
        );
        // Errors come back from the worker too.
        typed(&mut app, " port:0");
        app.wait_for_search();
        assert!(app.filter.error.is_some());
    }
}

/// The list view (`ListState`): selection, paging, the mouse, marks.
mod list {
    use super::*;

    #[test]
    fn moving_clamps_at_both_ends() {
        let mut app = app();
        apply(&mut app, &[Up, Up]);
        assert_eq!(app.list.selected, 0);
        apply(&mut app, &[Down, Down]);
        assert_eq!(app.list.selected, 2);
        apply(&mut app, &[Bottom]);
        assert_eq!(app.list.selected, app.filter.hits.len() - 1);
        apply(&mut app, &[Down]);
        assert_eq!(app.list.selected, app.filter.hits.len() - 1);
        apply(&mut app, &[Top]);
        assert_eq!(app.list.selected, 0);
    }

    #[test]
    fn paging_scrolls_the_selection_into_view() {
        let mut app = app();
        app.update(PageDown);
        assert_eq!(app.list.selected, 9);
        assert!(app.list.selected >= app.list.offset && app.list.selected < app.list.offset + 10);
        app.update(Bottom);
        assert_eq!(app.list.offset, app.filter.hits.len() - 10);
        app.update(PageUp);
        assert!(app.list.selected >= app.list.offset);
    }

    #[test]
    fn mouse_click_selects_and_wheel_scrolls() {
        let mut app = app();
        app.update(ClickRow(3));
        assert_eq!(app.list.selected, 3);
        app.update(Scroll(3));
        assert_eq!(app.list.selected, 6);
        app.update(Scroll(-10));
        assert_eq!(app.list.selected, 0);
    }

    #[test]
    fn marking_moves_down_and_copy_all_uses_marks() {
        let mut app = app();
        apply(&mut app, &[ToggleMark, ToggleMark]);
        assert_eq!(app.list.marked.len(), 2);
        assert_eq!(app.list.selected, 2);
        app.update(CopyAll);
        let (what, body) = copied(&mut app);
        assert!(what.contains("2 marked"), "{what}");
        assert!(body.contains("vmm-to-host-agent") && body.contains("vmm-to-host-bits"));
        assert!(!body.contains("vmm-to-host-winrm"), "only marked rows");
        assert!(
            body.starts_with("# vmmports"),
            "a whole script, with its header"
        );
        // Unmark one: toggling again removes it.
        apply(&mut app, &[Top, ToggleMark]);
        assert_eq!(app.list.marked.len(), 1);
    }
}

/// What `App` shares: panes, dialects, views, help, quitting, the rule shown.
mod views {
    use super::*;

    #[test]
    fn panes_and_dialects_cycle_both_ways() {
        let mut app = app();
        assert_eq!(app.list.pane, Pane::List);
        apply(&mut app, &[NextPane]);
        assert_eq!(app.list.pane, Pane::Detail);
        apply(&mut app, &[NextPane, NextPane]);
        assert_eq!(app.list.pane, Pane::List);
        apply(&mut app, &[PrevPane]);
        assert_eq!(app.list.pane, Pane::Rule);
        assert_eq!(app.dialect, Dialect::Powershell);
        apply(&mut app, &[NextDialect]);
        assert_eq!(app.dialect, Dialect::Netsh);
        apply(&mut app, &[PrevDialect, PrevDialect]);
        assert_eq!(app.dialect, Dialect::Probe);
        apply(&mut app, &[SelectDialect(Dialect::Nft)]);
        assert_eq!(app.dialect, Dialect::Nft);
    }

    #[test]
    fn views_open_and_close() {
        let mut app = app();
        for (open, view) in [
            (ShowMatrix, View::Matrix),
            (ShowMachine, View::Machine),
            (ShowNotes, View::Notes),
        ] {
            app.update(open);
            assert_eq!(app.view, view);
            app.update(Back);
            assert_eq!(app.view, View::List);
            app.update(open);
            app.update(open);
            assert_eq!(app.view, View::List, "the same key toggles back");
        }
        app.update(ToggleHelp);
        assert_eq!(app.overlay, Some(Overlay::Help));
        app.update(Down);
        assert_eq!(app.overlay, Some(Overlay::Help), "j/k scroll the help");
        app.update(Back);
        assert_eq!(app.overlay, None);
    }

    #[test]
    fn quit_from_anywhere() {
        for setup in [
            vec![],
            vec![ShowMatrix],
            vec![ToggleHelp],
            vec![FocusFilter],
        ] {
            let mut app = app();
            apply(&mut app, &setup);
            app.update(Quit);
            assert!(app.quit, "{setup:?}");
        }
    }

    #[test]
    fn rule_lines_follow_selection_and_dialect() {
        let mut app = app();
        app.set_filter("to:sql".into());
        let ps = app.rule_lines().join("\n");
        assert!(
            ps.contains("New-NetFirewallRule") && ps.contains("1433"),
            "{ps}"
        );
        app.update(NextDialect);
        assert!(
            app.rule_lines()
                .join("\n")
                .contains("netsh advfirewall firewall add rule")
        );
        app.update(Down);
        assert!(app.rule_lines().join("\n").contains("1434"));
    }
}

/// Copies handed to the event loop (`Requests`), and `w` writing the last one.
mod copies {
    use super::*;

    #[test]
    fn copy_all_without_marks_takes_every_filtered_row() {
        let mut app = app();
        app.set_filter("section:vmware".into());
        app.update(CopyAll);
        let (what, _) = copied(&mut app);
        assert!(what.contains("5 filtered"), "{what}");
    }

    #[test]
    fn copy_shows_the_selected_rule() {
        let mut app = app();
        app.set_filter("ipmi".into());
        app.update(CopyRule);
        let (_, body) = copied(&mut app);
        assert!(body.contains("623/udp"), "{body}");
        assert!(app.overlay.is_none(), "a copy opens no popup");
    }

    #[test]
    fn w_writes_the_last_copy_to_a_file_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.ps1");
        let mut app = app();
        app.update(WriteCopy);
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .contains("nothing copied yet")
        );
        app.set_filter("to:sql".into());
        app.update(CopyRule);
        let (_, text) = copied(&mut app);
        app.update(WriteCopy);
        for _ in 0..40 {
            app.update(Action::Edit(TextEdit::Backspace));
        }
        for c in path.to_str().unwrap().chars() {
            app.update(Type(c));
        }
        app.update(Confirm);
        assert!(app.overlay.is_none());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert!(
            app.status.as_ref().unwrap().text.starts_with("Wrote"),
            "{:?}",
            app.status
        );
        // A folder that does not exist: an error, and nothing half-written.
        app.update(WriteCopy);
        for c in "/nonexistent-dir/x".chars() {
            app.update(Type(c));
        }
        app.update(Confirm);
        assert!(app.status.as_ref().unwrap().is_error);
    }
}

/// The matrix view (`MatrixState`, `Axes`).
mod matrix {
    use super::*;

    /// The cursor's (source, destination), read back from the axes.
    fn at(app: &App) -> (String, String) {
        let axes = app.matrix_axes();
        let (row, col) = app
            .matrix
            .position(&axes)
            .expect("the cursor is on the axes");
        (axes.rows[row].clone(), axes.columns[col].clone())
    }

    /// True when the cursor's cell holds one of the filter's connections.
    fn on_a_filled_cell(app: &App) -> bool {
        let (from, to) = at(app);
        app.cell(&from, &to).next().is_some()
    }

    /// The ids of the list's rows, in order.
    fn listed(app: &App) -> Vec<String> {
        let ids = app.filter.hits.iter();
        ids.map(|h| app.catalog.connections[h.index].id.clone())
            .collect()
    }

    /// The matrix of `filter`, shown.
    fn matrix_of(filter: &str) -> App {
        let mut app = app();
        app.update(FocusFilter);
        typed(&mut app, filter);
        app.update(FilterAccept);
        app.update(ShowMatrix);
        app
    }

    #[test]
    fn matrix_enter_filters_the_list_to_the_cell() {
        let mut app = app();
        app.update(ShowMatrix);
        // VMM server to itself is empty: the cursor starts on the first
        // cell that holds a connection.
        assert!(on_a_filled_cell(&app));
        assert_eq!(at(&app), ("vmm-server".into(), "hyperv-host".into()));
        app.update(Left);
        assert_eq!(at(&app), ("vmm-server".into(), "vmm-server".into()));
        app.update(Right);
        app.update(Confirm);
        assert_eq!(app.view, View::List);
        assert_eq!(app.filter.text(), "from:vmm-server to:hyperv-host");
        let ids = listed(&app);
        assert_eq!(
            ids,
            [
                "vmm-to-host-agent",
                "vmm-to-host-bits",
                "vmm-to-host-winrm",
                "vmm-to-host-winrm-tls",
                "vmm-to-host-ping"
            ]
        );
    }

    /// With no filter the axes are every component that opens or accepts a
    /// connection; under a filter, only those of the connections it matches,
    /// so every row and every column holds one.
    #[test]
    fn a_filter_draws_only_the_rows_and_columns_it_matches() {
        let app = app();
        let all = app.matrix_axes();
        // The components at one end of some connection, in catalog order.
        let ends = |side: fn(&vmmports::catalog::Connection) -> &Vec<String>| -> Vec<&str> {
            let at_end = |id: &str| {
                app.catalog
                    .connections
                    .iter()
                    .any(|c| side(c).iter().any(|e| e == id))
            };
            let ids = app.catalog.components.iter().map(|c| c.id.as_str());
            ids.filter(|id| at_end(id)).collect()
        };
        assert_eq!(all.rows, ends(|c| &c.from));
        assert_eq!(all.columns, ends(|c| &c.to));

        let app = matrix_of("winrm");
        let axes = app.matrix_axes();
        assert!(axes.rows.len() < all.rows.len() && axes.columns.len() < all.columns.len());
        assert!(
            !axes.columns.contains(&"sql-server".to_string()),
            "no WinRM to SQL"
        );
        let holds = |from: &String, to: &String| app.cell(from, to).next().is_some();
        for from in &axes.rows {
            let filled = axes.columns.iter().any(|to| holds(from, to));
            assert!(filled, "row {from} holds no match");
        }
        for to in &axes.columns {
            let filled = axes.rows.iter().any(|from| holds(from, to));
            assert!(filled, "column {to} holds no match");
        }
        // Every match has its cell on the axes.
        for hit in &app.filter.hits {
            let conn = &app.catalog.connections[hit.index];
            for from in &conn.from {
                for to in &conn.to {
                    let (row, col) = axes.position(from, to).expect("on the axes");
                    assert!(axes.is_filled(row, col), "{}", conn.id);
                }
            }
        }
    }

    #[test]
    fn the_cursor_starts_on_a_cell_with_a_match() {
        for filter in [
            "winrm",
            "to:hyper-v",
            "port:443",
            "proto:udp",
            "section:vmware",
        ] {
            let app = matrix_of(filter);
            assert!(on_a_filled_cell(&app), "{filter}: starts on {:?}", at(&app));
        }
    }

    /// A filter typed between two visits to the matrix (`/` goes to the
    /// list): the cursor keeps its cell while that cell holds a match, moves
    /// to the nearest one that does when not, stops at the ends of the shrunk
    /// axes, and keeps its cell when the filter is cleared.
    #[test]
    fn the_cursor_follows_the_filter_between_visits() {
        let mut app = app();
        app.update(ShowMatrix);
        // Hyper-V host → VMM server: no WinRM there.
        while at(&app).0 != "hyperv-host" {
            app.update(Down);
        }
        app.update(Left);
        assert_eq!(at(&app), ("hyperv-host".into(), "vmm-server".into()));
        app.update(FocusFilter);
        typed(&mut app, "winrm");
        app.update(FilterAccept);
        app.update(ShowMatrix);
        assert!(on_a_filled_cell(&app), "on {:?}", at(&app));
        let axes = app.matrix_axes();
        for _ in 0..40 {
            app.update(Down);
        }
        for _ in 0..40 {
            app.update(Right);
        }
        let (row, col) = app.matrix.position(&axes).unwrap();
        assert_eq!((row, col), (axes.rows.len() - 1, axes.columns.len() - 1));

        // A cell that holds a match keeps the cursor as the filter widens.
        app.update(Top);
        let kept = at(&app);
        assert!(on_a_filled_cell(&app));
        app.update(Back);
        app.update(Back);
        assert_eq!(app.filter.text(), "");
        app.update(ShowMatrix);
        assert_eq!(at(&app), kept);
        assert!(app.matrix_axes().rows.len() > axes.rows.len());
    }

    /// A filter that matches nothing leaves no cell; Enter says so, and the
    /// next filter that matches puts the cursor on a match again.
    #[test]
    fn a_filter_that_matches_nothing_leaves_an_empty_matrix() {
        let mut app = matrix_of("winrm");
        app.update(FocusFilter);
        typed(&mut app, " zzzz");
        app.update(FilterAccept);
        app.update(ShowMatrix);
        let axes = app.matrix_axes();
        assert!(axes.rows.is_empty() && axes.columns.is_empty());
        app.update(Down);
        app.update(Right);
        app.update(Confirm);
        assert_eq!(app.view, View::Matrix);
        assert_eq!(app.status.clone().unwrap().text, "no connection here");
        app.update(FocusFilter);
        for _ in 0.." zzzz".len() {
            app.update(Action::Edit(TextEdit::Backspace));
        }
        typed(&mut app, " tls");
        app.update(FilterAccept);
        app.update(ShowMatrix);
        assert!(on_a_filled_cell(&app), "on {:?}", at(&app));
    }

    #[test]
    fn enter_on_the_shrunk_matrix_narrows_the_filter_to_the_cell() {
        let mut app = matrix_of("winrm");
        let matched = app.filter.hits.len();
        // Only the filter's connections fill cells: SQL (1433) does not
        // mention WinRM.
        assert_eq!(app.cell("vmm-server", "sql-server").count(), 0);
        let axes = app.matrix_axes();
        let file_server = axes
            .columns
            .iter()
            .position(|c| c == "file-server")
            .expect("WinRM to the file server");
        app.update(Top);
        while app.matrix.position(&axes).unwrap().1 < file_server {
            app.update(Right);
        }
        let (from, to) = at(&app);
        assert_eq!((from.as_str(), to.as_str()), ("vmm-server", "file-server"));
        app.update(Confirm);
        assert_eq!(app.view, View::List);
        assert_eq!(app.filter.text(), "winrm from:vmm-server to:file-server");
        let ids = listed(&app);
        assert!(!ids.is_empty() && ids.len() < matched, "{ids:?}");
        assert!(
            ids.contains(&"vmm-to-file-server-winrm".to_string()),
            "{ids:?}"
        );
    }

    /// Enter on a cell with no match keeps the filter and the view, and
    /// says so.
    #[test]
    fn enter_on_an_empty_cell_keeps_the_filter() {
        let mut app = app();
        app.update(ShowMatrix);
        app.update(Left);
        assert_eq!(at(&app), ("vmm-server".into(), "vmm-server".into()));
        app.update(Confirm);
        assert_eq!(app.view, View::Matrix);
        assert_eq!(app.filter.text(), "");
        let status = app.status.clone().unwrap();
        assert!(
            status.is_error && status.text == "no connection here",
            "{status:?}"
        );
    }
}

/// The machine view (`MachineState`).
mod machine {
    use super::*;

    #[test]
    fn machine_view_shows_and_copies_one_machines_script() {
        let mut app = app();
        app.update(ShowMachine);
        let machines: Vec<String> = app.machines().iter().map(|m| m.id.clone()).collect();
        let sql = machines.iter().position(|m| m == "sql-server").unwrap();
        for _ in 0..sql {
            app.update(Down);
        }
        let lines = app.machine_lines().join("\n");
        assert!(lines.contains("1433") && lines.contains("1434"), "{lines}");
        assert!(!lines.contains("5985"), "only the SQL Server's rules");
        app.update(CopyRule);
        let (_, body) = copied(&mut app);
        assert!(body.contains("--on sql-server"), "{body}");
    }

    #[test]
    fn machine_view_gives_an_untrusted_domain_host_the_agents_rules() {
        let mut app = app();
        app.update(ShowMachine);
        let machines: Vec<String> = app.machines().iter().map(|m| m.id.clone()).collect();
        let perimeter = machines
            .iter()
            .position(|m| m == "untrusted-host")
            .expect("a host in an untrusted domain carries rules as a Hyper-V host");
        for _ in 0..perimeter {
            app.update(Down);
        }
        let lines = app.machine_lines().join("\n");
        assert!(lines.contains("also Hyper-V host (hyperv-host)"), "{lines}");
        assert!(lines.contains("VMM-vmm-to-host-winrm-tcp-in"), "{lines}");
        assert!(lines.contains("VMM-vmm-to-host-bits-tcp-in"), "{lines}");
    }
}

/// The machine view's two panes: Tab between them, the script scrolled by
/// the keys a pager takes, and no key acting on the hidden list.
mod machine_keys {
    use super::*;
    use vmmports::tui::state::MachinePane;

    /// The machine view at 80×24's script pane, on the Hyper-V host.
    fn on_the_hyperv_host() -> App {
        let mut app = app();
        app.update(ShowMachine);
        app.machine.viewport = (48, 19);
        let hosts = app.machines().iter().position(|m| m.id == "hyperv-host");
        app.machine.move_to(hosts.unwrap(), app.machines().len());
        app
    }

    #[test]
    fn tab_focuses_the_script_and_the_keys_scroll_it_to_its_end_and_no_further() {
        let mut app = on_the_hyperv_host();
        let machine = app.machine.selected;
        app.update(NextPane);
        assert_eq!(app.machine.pane, MachinePane::Script);
        assert_eq!(app.list.pane, Pane::List, "the hidden list keeps its pane");
        apply(&mut app, &[Down, Down]);
        assert_eq!(app.machine.scroll, 2);
        app.update(PageDown);
        assert_eq!(
            app.machine.scroll,
            2 + 18,
            "a page is the pane less one row"
        );
        app.update(PageUp);
        assert_eq!(app.machine.scroll, 2);
        app.update(Bottom);
        let end = app.machine.scroll;
        assert!(end > 40, "the Hyper-V host's script is long: {end}");
        apply(&mut app, &[Down, PageDown, ScrollScript(3)]);
        assert_eq!(app.machine.scroll, end, "never past the end");
        assert_eq!(app.machine.selected, machine, "scrolling keeps the machine");
        // The end is where the last row sits at the bottom of the pane.
        let rows = vmmports::tui::state::machine::wrap(&app.machine_lines(), 48);
        assert_eq!(end + 19, rows.len());
        app.update(Top);
        assert_eq!(app.machine.scroll, 0);
        // Tab again: j/k pick machines, and a new one starts at its top.
        apply(&mut app, &[Bottom, PrevPane, Down]);
        assert_eq!(app.machine.pane, MachinePane::Machines);
        assert_eq!((app.machine.selected, app.machine.scroll), (machine + 1, 0));
        // The wheel over the script focuses it and scrolls it.
        app.update(ScrollScript(3));
        assert_eq!(
            (app.machine.pane, app.machine.scroll),
            (MachinePane::Script, 3)
        );
        // `<` `>` move between machines here too, whichever pane has focus.
        let now = app.machine.selected;
        app.update(NextMachine);
        assert_eq!(app.machine.selected, now + 1);
        app.update(PrevMachine);
        assert_eq!(app.machine.selected, now);
        assert_eq!(
            app.list.rule_machine, None,
            "the hidden rule pane stays as it was"
        );
        // A click on a machine focuses the list and picks it.
        app.update(ClickRow(0));
        assert_eq!(
            (app.machine.pane, app.machine.selected),
            (MachinePane::Machines, 0)
        );
    }

    #[test]
    fn no_key_in_the_machine_view_acts_on_the_hidden_list() {
        let mut app = app();
        apply(&mut app, &[Down, ToggleMark]);
        let list = app.list.clone();
        assert_eq!(list.marked.len(), 1);
        app.update(ShowMachine);
        app.update(Down);
        for pane in [MachinePane::Machines, MachinePane::Script] {
            app.machine.pane = pane;
            for (key, says) in [
                (ToggleMark, "Space marks rows of the list"),
                (CopyAll, "Y copies the list's marked rows"),
                (CopyFlows, "F copies the list's rows as flows"),
            ] {
                app.update(key);
                let status = app
                    .status
                    .clone()
                    .expect("the key says why it does nothing");
                assert!(status.text.starts_with(says), "{key:?}: {status:?}");
                assert!(status.text.contains("Esc"), "and how to get to the list");
                assert_eq!(app.requests.copy, None, "{key:?} copies nothing");
                assert!(app.overlay.is_none(), "{key:?} opens no prompt");
            }
            // The keys that act here act on the machine.
            for key in [CopyRule, Confirm] {
                app.update(key);
                let (what, text) = copied(&mut app);
                assert!(what.ends_with("script for hyperv-host"), "{key:?}: {what}");
                assert!(text.contains("--on hyperv-host"), "{key:?}");
            }
            app.update(PlainView);
            let plain = app.requests.plain.take().unwrap();
            assert!(
                plain.starts_with("# ── on Hyper-V host (hyperv-host)"),
                "{plain}"
            );
            apply(
                &mut app,
                &[
                    NextDialect,
                    PrevDialect,
                    Down,
                    Up,
                    PageDown,
                    Top,
                    Bottom,
                    Scroll(3),
                    ScrollScript(3),
                ],
            );
            apply(&mut app, &[NextPane, NextPane]);
            assert_eq!(app.view, View::Machine);
            assert_eq!(
                app.list, list,
                "the list's marks, selection and pane are untouched"
            );
            app.machine.move_to(1, app.machines().len());
        }
        // `w` writes the machine's script, the last copy, as anywhere.
        app.update(WriteCopy);
        assert!(matches!(app.overlay, Some(Overlay::Prompt(_))));
        app.update(Back);
        app.update(Back);
        assert_eq!(app.view, View::List);
        assert_eq!(app.list, list);
    }
}

/// `y` on a row whose rules go on several machines: one machine's section,
/// named in the status, and `<` `>` for the others.
mod rule_machines {
    use super::*;

    /// The lines of `text` that open a machine's section, in `dialect`.
    fn headings(text: &str, dialect: Dialect) -> Vec<String> {
        text.lines()
            .filter(|l| dialect.is_comment_line(l))
            .filter(|l| l.contains("── on ") || l.contains("── run on "))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn y_copies_one_machines_rules_and_says_which_and_how_to_get_the_others() {
        let mut app = app();
        app.set_filter("vmm-to-host-agent".into());
        assert_eq!(selected_id(&app), "vmm-to-host-agent");
        let (machines, shown) = app.rule_machines();
        assert_eq!(
            machines,
            ["hyperv-host", "untrusted-host", "library-server"]
        );
        assert_eq!(shown, 0);
        app.update(CopyRule);
        let (what, text) = copied(&mut app);
        assert_eq!(
            headings(&text, Dialect::Powershell),
            ["# ── on Hyper-V host (hyperv-host) ──"],
            "{text}"
        );
        assert_eq!(
            what,
            "powershell rule for vmm-to-host-agent on Hyper-V host (hyperv-host), machine 1 of 3 (> for the next)"
        );
        assert_eq!(
            app.rule_lines().join("\n") + "\n",
            text,
            "the pane shows what y copies"
        );
        // `>` twice: the library server's, round to the first with `<`.
        apply(&mut app, &[NextMachine, NextMachine, CopyRule]);
        let (what, text) = copied(&mut app);
        assert_eq!(
            headings(&text, Dialect::Powershell),
            ["# ── on VMM library server (library-server) ──"]
        );
        assert!(
            what.contains("on VMM library server (library-server), machine 3 of 3"),
            "{what}"
        );
        // The machine stays chosen on the next row that has it...
        app.set_filter("to:library-server".into());
        let (machines, shown) = app.rule_machines();
        assert_eq!(machines[shown], "library-server", "{machines:?}");
        // ...and a row with one machine names it, and says so on `>`.
        app.set_filter("vmm-to-sql".into());
        app.update(CopyRule);
        let (what, text) = copied(&mut app);
        assert_eq!(
            headings(&text, Dialect::Powershell),
            ["# ── on SQL Server (sql-server) ──"]
        );
        assert_eq!(what, "powershell rule for vmm-to-sql");
        app.update(NextMachine);
        let status = app.status.clone().unwrap();
        assert!(
            !status.is_error && status.text.contains("one machine only"),
            "{status:?}"
        );
        // Without a machine of its own, `v` shows the same one section.
        app.set_filter("vmm-to-host-agent".into());
        app.update(PlainView);
        let plain = app.requests.plain.take().unwrap();
        assert_eq!(headings(&plain, Dialect::Powershell).len(), 1, "{plain}");
    }

    /// Every row of the catalog, in every dialect: each machine its rules go
    /// on can be copied on its own, one section a copy, named in the status.
    #[test]
    fn every_machine_of_every_row_can_be_copied_alone() {
        let mut app = app();
        let rows = app.filter.hits.len();
        let mut several = 0;
        for dialect in Dialect::ALL {
            app.update(SelectDialect(dialect));
            app.update(Top);
            for _ in 0..rows {
                let id = selected_id(&app);
                let (machines, _) = app.rule_machines();
                if machines.len() > 1 {
                    several += 1;
                }
                let mut copied_for = Vec::new();
                for _ in 0..machines.len() {
                    app.update(CopyRule);
                    let (what, text) = copied(&mut app);
                    let (_, shown) = app.rule_machines();
                    let machine = &machines[shown];
                    let heads = headings(&text, dialect);
                    assert_eq!(heads.len(), 1, "{id} in {dialect:?}: {text}");
                    assert!(
                        heads[0].contains(&format!("({machine})")),
                        "{id}: {heads:?}"
                    );
                    if machines.len() > 1 {
                        assert!(what.contains(&format!("({machine})")), "{id}: {what}");
                    }
                    copied_for.push(machine.clone());
                    app.update(NextMachine);
                }
                copied_for.sort();
                let mut all = machines.clone();
                all.sort();
                assert_eq!(copied_for, all, "{id} in {dialect:?}: each machine once");
                app.update(Down);
            }
        }
        assert!(
            several >= 10,
            "the catalog has rows on several machines: {several}"
        );
    }

    /// `Y` is the script for a fleet: every machine's part opens with a
    /// heading that names it, before any rule.
    #[test]
    fn y_for_all_heads_each_machines_section() {
        let mut app = app();
        app.set_filter("vmm-to-host-agent".into());
        apply(&mut app, &[ToggleMark, CopyAll]);
        let (_, text) = copied(&mut app);
        let heads = headings(&text, Dialect::Powershell);
        assert_eq!(heads.len(), 3, "{text}");
        let first_rule = text
            .lines()
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap();
        let first_heading = text.lines().position(|l| l == heads[0]).unwrap();
        let rule_at = text.lines().position(|l| l == first_rule).unwrap();
        assert!(first_heading < rule_at, "a heading before any rule");
    }
}

/// The `p` prompt (`PromptState`) and the check run it starts (`CheckRun`).
mod check {
    use super::*;

    #[test]
    fn p_checks_the_selected_or_marked_rows_on_a_remembered_host() {
        use vmmports::check::{Event, Finding, Status};
        use vmmports::tui::state::{CheckRun, Prompt, PromptState};
        let mut app = app();
        app.set_filter("to:sql".into());
        app.update(CheckPorts);
        assert_eq!(
            app.overlay,
            Some(Overlay::Prompt(PromptState {
                purpose: Prompt::CheckHost,
                input: TextInput::prefilled("")
            })),
            "no host remembered yet"
        );
        for c in "10.0.0.7".chars() {
            app.update(Type(c));
        }
        app.update(Confirm);
        assert!(
            app.requests.check,
            "the event loop is asked to start the check"
        );
        let Some(Overlay::Check(CheckRun {
            host,
            targets,
            findings,
            sql_ports,
            ..
        })) = &app.overlay
        else {
            panic!("{:?}", app.overlay)
        };
        assert_eq!(host, "10.0.0.7");
        assert_eq!(targets.len(), 1, "only the selected row (1433)");
        assert_eq!(targets[0].first, 1433);
        assert_eq!(targets[0].probe.as_str(), "tds");
        assert_eq!(sql_ports, &[1433], "the SQL Browser is told VMM's SQL port");
        assert!(findings.iter().all(Option::is_none));
        app.check_event(Event::Resolved(Ok("10.0.0.7".parse().unwrap())));
        let refused = Finding::unreached(Status::Refused);
        app.check_event(Event::Answer(0, Box::new(refused.clone())));
        let Some(Overlay::Check(run)) = &app.overlay else {
            panic!()
        };
        assert_eq!(run.findings, [Some(refused)]);
        assert_eq!(run.address, Some(Ok("10.0.0.7".into())));
        // Any key closes; later answers are ignored.
        app.update(Back);
        app.check_event(Event::Answer(
            0,
            Box::new(Finding::unreached(Status::TimedOut)),
        ));
        assert!(app.overlay.is_none());
        // The host is remembered for the destination.
        app.update(CheckPorts);
        assert_eq!(
            app.overlay,
            Some(Overlay::Prompt(PromptState {
                purpose: Prompt::CheckHost,
                input: TextInput::prefilled("10.0.0.7")
            }))
        );
        app.update(Back);
        // Every text input edits the same way. The remembered host is
        // selected, so typing replaces it rather than appending to it...
        let typed_host = |app: &mut App, keys: &[Action]| {
            app.update(CheckPorts);
            apply(app, keys);
            let Some(Overlay::Prompt(PromptState { input, .. })) = &app.overlay else {
                panic!("{:?}", app.overlay)
            };
            let text = input.text().to_string();
            app.update(Back);
            text
        };
        let retyped: Vec<Action> = "10.0.0.9".chars().map(Type).collect();
        assert_eq!(typed_host(&mut app, &retyped), "10.0.0.9");
        // ...Ctrl-U clears it, Ctrl-W deletes a word, and ←/→, Home and End move.
        let cleared = [vec![Action::Edit(TextEdit::Clear)], retyped.clone()].concat();
        assert_eq!(typed_host(&mut app, &cleared), "10.0.0.9");
        let edited = [
            Action::Edit(TextEdit::End),
            Action::Edit(TextEdit::Backspace),
            Type('8'),
            Action::Edit(TextEdit::Home),
            Type('['),
            Action::Edit(TextEdit::End),
            Type(']'),
        ];
        assert_eq!(typed_host(&mut app, &edited), "[10.0.0.8]");
        let words = [Type(' '), Type('x'), Action::Edit(TextEdit::DeleteWord)];
        assert_eq!(
            typed_host(
                &mut app,
                &[Action::Edit(TextEdit::End)]
                    .iter()
                    .chain(&words)
                    .copied()
                    .collect::<Vec<_>>()
            ),
            "10.0.0.7 "
        );
        // Marked rows are checked together.
        apply(&mut app, &[Top, ToggleMark, ToggleMark, CheckPorts]);
        app.update(Confirm);
        let Some(Overlay::Check(run)) = &app.overlay else {
            panic!()
        };
        let ports: Vec<u16> = run.targets.iter().map(|t| t.first).collect();
        assert_eq!(ports, [1433, 1434]);
        assert_eq!(run.lines.len(), 2);
    }

    /// The host given to `p` in `view`, and the ports it checks there.
    fn checked_ports(app: &mut App) -> Vec<(u16, String)> {
        app.update(CheckPorts);
        assert!(
            matches!(app.overlay, Some(Overlay::Prompt(_))),
            "{:?}",
            app.status
        );
        apply(app, &"10.0.0.7".chars().map(Type).collect::<Vec<_>>());
        app.update(Confirm);
        let Some(Overlay::Check(run)) = &app.overlay else {
            panic!("{:?}", app.overlay)
        };
        let ports = run
            .targets
            .iter()
            .map(|t| (t.first, t.connection.clone()))
            .collect();
        app.update(Back);
        ports
    }

    /// In the machine view, `p` checks every port the machine must answer
    /// (as `check --on` does), whatever the hidden list has marked.
    #[test]
    fn p_in_the_machine_view_checks_what_that_machine_answers() {
        let mut app = app();
        apply(&mut app, &[Down, ToggleMark]);
        app.update(ShowMachine);
        let hyperv = app
            .machines()
            .iter()
            .position(|m| m.id == "hyperv-host")
            .unwrap();
        app.machine.move_to(hyperv, app.machines().len());
        let ports = checked_ports(&mut app);
        let numbers: Vec<u16> = ports.iter().map(|(port, _)| *port).collect();
        // The agent, BITS, WinRM, VMConnect and live migration land on a
        // Hyper-V host; SQL's 1433 and the console's 8100 do not.
        for port in [135, 443, 445, 2179, 5985, 5986, 6600] {
            assert!(numbers.contains(&port), "{port}: {ports:?}");
        }
        for port in [1433, 8100, 22] {
            assert!(!numbers.contains(&port), "{port}: {ports:?}");
        }
        assert!(
            ports
                .iter()
                .any(|(_, id)| id == "host-to-host-live-migration")
        );
        // The host is remembered for that machine.
        app.update(CheckPorts);
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!()
        };
        assert_eq!(prompt.input.text(), "10.0.0.7");
        app.update(Back);
        // A machine that answers nothing (its rules are all outbound) says so.
        let quiet = app.machines().iter().position(|m| {
            vmmports::check::inbound_on(&app.catalog, &app.catalog.connections, &m.id).is_empty()
        });
        if let Some(quiet) = quiet {
            app.machine.move_to(quiet, app.machines().len());
            app.update(CheckPorts);
            assert!(app.overlay.is_none());
            assert!(
                app.status
                    .as_ref()
                    .unwrap()
                    .text
                    .contains("nothing to check")
            );
        }
    }

    /// In the matrix, `p` checks the selected cell's connections; the
    /// list's row keys say they act on the list and do nothing.
    #[test]
    fn p_in_the_matrix_checks_the_cell_and_list_keys_leave_the_list_alone() {
        let mut app = app();
        app.set_filter("to:sql".into());
        app.update(ShowMatrix);
        let list = app.list.clone();
        for key in [
            ToggleMark, CopyRule, CopyAll, CopyFlows, PlainView, NextPane,
        ] {
            app.update(key);
            let status = app
                .status
                .clone()
                .expect("the key says why it does nothing");
            assert!(
                status.text.contains("not shown here"),
                "{key:?}: {status:?}"
            );
            assert_eq!(app.requests.copy, None, "{key:?}");
            assert_eq!(app.requests.plain, None, "{key:?}");
        }
        assert_eq!(app.list, list);
        let (from, to) = app.matrix.cursor.clone().unwrap();
        let expected: Vec<String> = app.cell(&from, &to).map(|c| c.id.clone()).collect();
        assert!(!expected.is_empty());
        let mut checked: Vec<String> = checked_ports(&mut app)
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        checked.dedup();
        assert_eq!(checked, expected);
        assert_eq!(app.view, View::Matrix);
    }

    /// Connections that share a port share one line in the popup, naming
    /// each of them; a line is complete only when all of them answered.
    #[test]
    fn the_popup_shows_one_line_per_port() {
        use vmmports::check::{Event, Finding, Status};
        use vmmports::tui::state::CheckRun;
        let catalog = catalog::embedded().unwrap();
        let connections: Vec<_> = catalog
            .connections
            .iter()
            .filter(|c| c.ports.iter().any(|p| p.first == 443 && p.last == 443))
            .collect();
        assert!(connections.len() > 10);
        let mut run = CheckRun::new("hv01".into(), &connections, &catalog);
        let on_443: Vec<_> = run.lines.iter().filter(|l| l.first == 443).collect();
        assert_eq!(on_443.len(), 1, "{:?}", run.lines);
        let line = on_443[0].clone();
        let ids: Vec<&str> = connections.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(line.connections, ids);
        for (n, &i) in line.targets.iter().enumerate() {
            assert_eq!(line.verdict(&run.targets, &run.findings), None);
            let refused = Finding::unreached(Status::Refused);
            run.record(Event::Answer(i, Box::new(refused)));
            if n + 1 == line.targets.len() {
                let (_, finding) = line.verdict(&run.targets, &run.findings).unwrap();
                assert_eq!(finding.status, Status::Refused);
            }
        }
    }
}

/// Settings: the form (`SettingsForm`) and what applying them changes.
mod settings {
    use super::*;

    #[test]
    fn settings_shape_the_rules() {
        let catalog = catalog::embedded().unwrap();
        let mut settings = Settings::default();
        settings.set_port(&catalog, "BitsTcpPort=8443").unwrap();
        settings
            .add_remote(&catalog, "vmm-server=10.0.0.5")
            .unwrap();
        let mut app = App::new(catalog, "test".into(), settings);
        app.set_filter("vmm-to-host-bits".into());
        let lines = app.rule_lines().join("\n");
        assert!(
            lines.contains("-LocalPort '8443'") && lines.contains("-RemoteAddress '10.0.0.5'"),
            "{lines}"
        );
    }

    #[test]
    fn a_partly_scoped_script_is_refused_until_the_setting_allows_it() {
        // Issue 20: as `rules` does, the rule pane refuses rules that would
        // be open for some peers and scoped for others, and says which
        // setting accepts the gap.
        let catalog = catalog::embedded().unwrap();
        let mut settings = Settings::default();
        settings
            .add_remote(&catalog, "vmm-server=10.0.0.5")
            .unwrap();
        let mut app = App::new(catalog, "test".into(), settings);
        app.set_filter("host-to-host-bits".into());
        let lines = app.rule_lines().join("\n");
        assert!(
            lines.contains("cannot write this: no --remote for hyperv-host"),
            "{lines}"
        );
        assert!(!lines.contains("New-NetFirewallRule"), "{lines}");
        app.update(OpenSettings);
        select_row(&mut app, "any address for peers given none");
        app.update(Confirm);
        assert!(app.settings.any_for_missing);
        app.update(Back);
        let lines = app.rule_lines().join("\n");
        assert!(
            lines.contains("unscoped: the next rule (host-to-host-bits)"),
            "{lines}"
        );
        assert!(lines.contains("-RemoteAddress Any"), "{lines}");
    }

    fn type_form(app: &mut App, text: &str) {
        for c in text.chars() {
            app.update(Type(c));
        }
    }

    fn form(app: &App) -> &vmmports::tui::settings_form::SettingsForm {
        match &app.overlay {
            Some(Overlay::Settings(form)) => form,
            other => panic!("settings form not open: {other:?}"),
        }
    }

    /// Moves the form's cursor to the row whose label starts with `label`.
    fn select_row(app: &mut App, label: &str) {
        while form(app).selected > 0 {
            app.update(Up);
        }
        while !form(app).rows[form(app).selected].label.starts_with(label) {
            let before = form(app).selected;
            app.update(Down);
            assert_ne!(form(app).selected, before, "no row {label}");
        }
    }

    #[test]
    fn settings_validate_as_typed_apply_and_save_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vmmports").join("config.ron");
        let mut app = app();
        app.config_path = Some(path.clone());
        app.update(OpenSettings);
        select_row(&mut app, "addresses of vmm-server");
        app.update(Confirm);
        type_form(&mut app, "10.0.0.5");
        assert_eq!(form(&app).error, None);
        type_form(&mut app, "00");
        assert!(
            form(&app)
                .error
                .as_deref()
                .unwrap_or("")
                .contains("not an address"),
            "shown while typing"
        );
        app.update(Action::Edit(TextEdit::Backspace));
        app.update(Action::Edit(TextEdit::Backspace));
        app.update(Confirm);
        assert_eq!(form(&app).editing, None, "applied");
        assert_eq!(app.settings.addresses("vmm-server").len(), 1);
        assert!(
            app.status.as_ref().unwrap().text.contains("saved"),
            "{:?}",
            app.status
        );
        let saved = vmmports::config::load(&path).unwrap();
        assert_eq!(saved.settings, app.settings);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left");

        // A setup port: 5986 is refused, and nothing changes.
        select_row(&mut app, "port BitsTcpPort");
        app.update(Confirm);
        type_form(&mut app, "5986");
        app.update(Confirm);
        assert!(
            form(&app)
                .error
                .as_deref()
                .unwrap()
                .contains("reserves port 5986")
        );
        assert!(
            form(&app).editing.is_some(),
            "still editing after a refused value"
        );
        app.update(Back);
        app.update(Confirm);
        type_form(&mut app, "8443");
        app.update(Confirm);
        app.update(Back);
        assert!(app.overlay.is_none());
        app.set_filter("vmm-to-host-bits".into());
        assert!(
            app.rule_lines().join("\n").contains("-LocalPort '8443'"),
            "rules use the new port"
        );
        assert_eq!(
            vmmports::config::load(&path).unwrap().settings.ports["BitsTcpPort"],
            8443
        );
    }

    #[test]
    fn settings_from_a_deployment_file_are_session_only_and_never_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vmmports").join("config.ron");
        let mut config = vmmports::config::Config::default();
        config.settings.group = "FromConfig".into();
        vmmports::config::save(&path, &config).unwrap();
        let mut app = app();
        app.config_path = Some(path.clone());
        app.settings_file = Some(dir.path().join("vmmports").join("deployment.ron"));
        app.update(OpenSettings);
        let note = form(&app).session_only.clone().unwrap_or_default();
        assert!(
            note.contains("deployment.ron") && note.contains("edit the file"),
            "{note}"
        );
        select_row(&mut app, "include dynamic");
        app.update(Confirm);
        assert!(app.settings.include_dynamic, "applies to this session");
        let status = app.status.as_ref().unwrap().text.clone();
        assert!(
            status.contains("this session only") && status.contains("deployment.ron"),
            "{status}"
        );
        // The config file keeps its own settings: the deployment's (and the
        // edit) are not copied into it.
        let saved = vmmports::config::load(&path).unwrap();
        assert_eq!(saved.settings, config.settings);
    }

    #[test]
    fn settings_toggle_and_session_only_without_a_config_path() {
        let mut app = app();
        app.update(OpenSettings);
        select_row(&mut app, "include dynamic");
        app.update(Confirm);
        assert!(app.settings.include_dynamic);
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .contains("this session only")
        );
        app.update(Confirm);
        assert!(!app.settings.include_dynamic);
        // Outbound rules toggle the same way, and the machine view follows.
        select_row(&mut app, "outbound rules");
        app.update(Confirm);
        assert!(app.settings.outbound);
        app.update(ShowMachine);
        assert_eq!(app.machines()[app.machine.selected].id, "vmm-server");
        let lines = app.machine_lines().join("\n");
        assert!(
            lines.contains("-Name 'VMM-vmm-to-sql-tcp-out' ")
                && lines.contains("-Direction Outbound"),
            "{lines}"
        );
    }
}

/// A catalog file read behind the explorer (`App::loading`): rows come in
/// batches, a filter searches them as they come, and what needs the whole
/// catalog says so meanwhile.
mod loading {
    use super::*;
    use vmmports::catalog::Catalog;
    use vmmports::query::{Hit, SearchIndex, parse};

    /// The embedded catalog as the loader hands it over: its head (no
    /// connections) and its rows.
    fn pieces() -> (Catalog, Vec<vmmports::catalog::Connection>) {
        let mut head = catalog::embedded().unwrap();
        let rows = std::mem::take(&mut head.connections);
        (head, rows)
    }

    /// What a fresh search for `text` finds among `head` with `rows`.
    fn fresh(head: &Catalog, rows: &[vmmports::catalog::Connection], text: &str) -> Vec<Hit> {
        let mut catalog = head.clone();
        catalog.connections = rows.to_vec();
        SearchIndex::new(&catalog).search(&parse(text).unwrap())
    }

    #[test]
    fn rows_show_as_they_come_and_a_filter_typed_meanwhile_searches_them() {
        let (head, rows) = pieces();
        let total = rows.len();
        let mut app = App::loading("big.json".into(), Settings::default());
        app.set_list_height(10);
        assert_eq!(app.loading_rows(), Some(0));
        assert!(app.filter.hits.is_empty());
        app.add_rows(Some(head.clone()), rows[..10].to_vec());
        assert_eq!(app.loading_rows(), Some(10));
        assert_eq!(app.filter.hits.len(), 10);
        // Keys work: the selection moves.
        apply(&mut app, &[Down, Down]);
        assert_eq!(app.list.selected, 2);
        // A filter typed now searches the rows read so far.
        app.update(FocusFilter);
        typed(&mut app, "winrm");
        app.wait_for_search();
        let so_far = fresh(&head, &rows[..10], "winrm");
        assert!(!so_far.is_empty());
        assert_eq!(app.filter.hits, so_far);
        assert_eq!(app.list.selected, 0, "new hits select the best match");
        // The rest of the rows: the hits grow to what a search of the whole
        // catalog finds, in its order, and the selection stays on its row.
        app.update(FilterAccept);
        apply(&mut app, &[Down]);
        let selected = selected_id(&app);
        app.add_rows(None, rows[10..].to_vec());
        app.wait_for_search();
        let whole = fresh(&head, &rows, "winrm");
        assert!(whole.len() > so_far.len(), "later rows matched too");
        assert_eq!(app.filter.hits, whole);
        assert_eq!(selected_id(&app), selected);
        assert_eq!(app.filter.text(), "winrm");
        app.finish_loading(head);
        assert_eq!(app.loading_rows(), None);
        let everything = App::new(
            catalog::embedded().unwrap(),
            "t".into(),
            Settings::default(),
        );
        assert_eq!(app.catalog.as_ref(), everything.catalog.as_ref());
        assert_eq!(app.filter.hits, whole, "the end changes nothing");
        assert_eq!(selected_id(&app), selected);
        assert!(app.filter.hits.len() < total, "the filter ran");
        // The search goes on after the load, over the index it grew.
        app.update(FocusFilter);
        typed(&mut app, " host");
        app.wait_for_search();
        assert_eq!(app.filter.hits, fresh(&pieces().0, &rows, "winrm host"));
    }

    /// An explorer loading `head`, its first `read` rows in, with `text`
    /// typed and answered.
    fn searched_while_loading(
        head: &Catalog,
        rows: &[vmmports::catalog::Connection],
        read: usize,
        text: &str,
    ) -> App {
        let mut app = App::loading("big.json".into(), Settings::default());
        app.add_rows(Some(head.clone()), rows[..read].to_vec());
        app.update(FocusFilter);
        typed(&mut app, text);
        app.wait_for_search();
        app
    }

    #[test]
    fn the_best_match_stays_selected_as_the_hits_grow() {
        let (head, rows) = pieces();
        let mut app = searched_while_loading(&head, &rows, 3, "winrm");
        app.add_rows(None, rows[3..].to_vec());
        app.wait_for_search();
        assert_eq!(app.list.selected, 0);
        assert_eq!(app.filter.hits, fresh(&head, &rows, "winrm"));
    }

    #[test]
    fn a_filter_typed_before_any_row_runs_when_the_rows_come() {
        let (head, rows) = pieces();
        let mut app = App::loading("big.json".into(), Settings::default());
        app.update(FocusFilter);
        typed(&mut app, "winrm");
        assert!(app.filter.hits.is_empty());
        assert_eq!(app.filter.error, None);
        app.add_rows(Some(head.clone()), rows[..10].to_vec());
        app.wait_for_search();
        assert_eq!(app.filter.hits, fresh(&head, &rows[..10], "winrm"));
    }

    #[test]
    fn a_refused_query_keeps_its_message_while_the_last_good_one_grows() {
        let (head, rows) = pieces();
        let mut app = searched_while_loading(&head, &rows, 10, "winrm");
        // Pasted at once: no query between the two is searched.
        app.set_filter("winrm port:".into());
        app.wait_for_search();
        let error = app.filter.error.clone().expect("port: needs a number");
        app.add_rows(None, rows[10..].to_vec());
        app.wait_for_search();
        assert_eq!(app.filter.error.as_ref(), Some(&error));
        assert_eq!(app.filter.hits, fresh(&head, &rows, "winrm"));
    }

    #[test]
    fn a_filter_cleared_during_the_load_shows_every_row_again() {
        let (head, rows) = pieces();
        let mut app = searched_while_loading(&head, &rows, 10, "winrm");
        app.update(FilterClear);
        app.add_rows(None, rows[10..].to_vec());
        app.poll_search();
        assert_eq!(app.filter.hits.len(), rows.len());
        app.finish_loading(head);
        assert_eq!(app.filter.hits.len(), rows.len());
    }

    #[test]
    fn the_end_of_the_load_keeps_the_place_scrolled_to() {
        let (head, rows) = pieces();
        let mut app = App::loading("big.json".into(), Settings::default());
        app.set_list_height(10);
        app.add_rows(Some(head.clone()), rows[..20].to_vec());
        apply(&mut app, &[Down, Down, Down]);
        let selected = selected_id(&app);
        app.add_rows(None, rows[20..].to_vec());
        app.finish_loading(head);
        assert_eq!(selected_id(&app), selected, "no jump back to the top");
        assert_eq!(app.filter.hits.len(), rows.len());
    }

    #[test]
    fn rules_checks_and_settings_wait_for_the_whole_catalog() {
        let (head, rows) = pieces();
        let mut app = App::loading("big.json".into(), Settings::default());
        app.set_list_height(10);
        app.add_rows(Some(head.clone()), rows.clone());
        for action in [CopyRule, CopyAll, PlainView, CheckPorts, OpenSettings] {
            app.update(action);
            let status = app.status.clone().expect("a message");
            assert!(status.is_error, "{action:?}");
            assert!(status.text.contains("still loading"), "{}", status.text);
            assert!(app.overlay.is_none() && app.requests.copy.is_none());
        }
        assert!(app.rule_lines()[0].contains("once every row is in"));
        app.finish_loading(head);
        app.update(CopyRule);
        assert!(app.requests.copy.is_some());
        assert!(
            app.rule_lines()
                .iter()
                .any(|l| l.contains("New-NetFirewallRule"))
        );
    }

    #[test]
    fn moved_setup_ports_apply_to_rows_as_they_come() {
        let (head, rows) = pieces();
        let mut settings = Settings::default();
        settings.ports.insert("WSManTcpPort".into(), 5999);
        let mut app = App::loading("big.json".into(), settings.clone());
        app.add_rows(Some(head.clone()), rows);
        // Searched as deployed while loading: the moved port is found.
        app.set_filter("port:5999".into());
        app.wait_for_search();
        assert!(!app.filter.hits.is_empty());
        for hit in &app.filter.hits {
            let conn = &app.catalog.connections[hit.index];
            assert!(conn.ports.iter().any(|p| p.first == 5999), "{}", conn.id);
        }
        app.finish_loading(head);
        assert!(app.status.is_none(), "{:?}", app.status);
        let expected = App::new(catalog::embedded().unwrap(), "t".into(), settings);
        assert_eq!(app.catalog.as_ref(), expected.catalog.as_ref());
        assert!(
            app.catalog
                .connections
                .iter()
                .flat_map(|c| &c.ports)
                .any(|p| p.first == 5999)
        );
    }

    #[test]
    fn config_settings_that_do_not_fit_the_loaded_catalog_fall_back_to_defaults() {
        let (head, rows) = pieces();
        let mut settings = Settings::default();
        settings.ports.insert("NoSuchFeature".into(), 5999);
        let mut app = App::loading("big.json".into(), settings);
        app.config_path = Some("/nonexistent/config.ron".into());
        app.add_rows(Some(head.clone()), rows);
        app.finish_loading(head);
        let status = app.status.clone().expect("a message");
        assert!(status.is_error);
        assert!(
            status.text.contains("running on defaults"),
            "{}",
            status.text
        );
        assert_eq!(app.settings, Settings::default());
        assert_eq!(app.config_path, None, "never saves over the admin's file");
    }
}

/// `F`: the filtered (or marked) rows as the flow table the network team
/// takes, through the same copy path as `y` and `Y`.
mod flows {
    use super::*;

    #[test]
    fn f_copies_the_filtered_rows_as_a_markdown_flow_table() {
        let mut app = app();
        app.update(FocusFilter);
        typed(&mut app, "to:hyper-v");
        app.update(FilterAccept);
        app.update(CopyFlows);
        let (what, text) = copied(&mut app);
        assert!(what.starts_with("flow table of "), "{what}");
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("| Source | Source addresses |")
        );
        assert_eq!(
            lines.next().unwrap(),
            "|---|---|---|---|---|---|---|---|---|---|"
        );
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty());
        // Every flow of the filtered rows: those into the hosts among them.
        assert!(
            rows.iter()
                .any(|r| r.contains("| VMM server | (address not given) | Hyper-V host |"))
        );
        assert!(rows.iter().all(|r| r.matches(" | ").count() == 9), "{text}");
        // Marked rows win over the filter, as with `Y`.
        app.set_filter(String::new());
        app.update(ToggleMark);
        app.update(CopyFlows);
        let (_, one) = copied(&mut app);
        let first = app.catalog.connections[0].id.clone();
        assert!(one.lines().skip(2).all(|r| r.contains(&first)), "{one}");
    }

    #[test]
    fn f_says_so_when_the_rows_cross_no_network() {
        let mut app = app();
        app.update(FocusFilter);
        typed(&mut app, "dir:none");
        app.update(FilterAccept);
        assert!(!app.filter.hits.is_empty(), "the catalog has local calls");
        app.update(CopyFlows);
        assert!(app.requests.copy.is_none());
        let status = app.status.clone().expect("a message");
        assert!(
            status.is_error && status.text.contains("no flows"),
            "{}",
            status.text
        );
    }
}
