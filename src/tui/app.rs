//! The explorer's state as the views share it, and `update`, the one place
//! it changes.
//!
//! Each view or popup keeps its own state in `state/` (the settings form in
//! `settings_form.rs`); `App` holds what they share (the catalog, the
//! settings, the dialect, the status line, the requests to the event loop)
//! and hands each action to the state it is about.
//!
//! Nothing here draws or touches the terminal: tests drive `update` with
//! actions and assert the state, and `ui` renders whatever state it is given.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

mod audit_marks;
pub use audit_marks::{MachineAudit, PaneLine};
mod incident;
mod machine_view;
mod rule_machines;
mod sweep_view;

use super::action::Action;
use super::settings_form::{FormOutcome, SettingsForm};
use super::state::{
    CheckRun, FilterState, ListState, MachineState, MatrixState, Pane, Prompt, PromptOutcome,
    PromptState, Requests, Searched, SweepView, matrix,
};
use crate::catalog::{Catalog, Connection};
use crate::query::IndexedRows;
use crate::rules::settings::Settings;
use crate::rules::{Dialect, Provenance};

/// The main screen's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Matrix,
    Machine,
    Notes,
    /// The last sweep of the deployment: machines × ports (`S`).
    Sweep,
}

/// Something drawn over the view that takes the keys while open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// A one-line text prompt (`w`, `p`).
    Prompt(PromptState),
    /// Port checks against one host, filling in as answers arrive.
    Check(CheckRun),
    /// The settings form.
    Settings(SettingsForm),
    /// One swept machine's ports, as `check` shows them: the machine's
    /// index in the sweep.
    SweepDetail(usize),
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

pub struct App {
    /// The catalog as loaded, before settings.
    base: Catalog,
    /// The catalog as deployed: setup ports already moved to the settings.
    pub catalog: Arc<Catalog>,
    /// Where the catalog came from, for script headers.
    pub origin: String,
    pub settings: Settings,
    pub dialect: Dialect,
    pub view: View,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub quit: bool,
    /// The filter bar, its search and the hits.
    pub filter: FilterState,
    /// The list view: selection, scroll, marks and pane focus.
    pub list: ListState,
    /// The matrix view's cursor.
    pub matrix: MatrixState,
    /// The machine view's selection, focused pane and script scroll.
    pub machine: MachineState,
    /// Scroll of whatever scrolls as text rather than by rows: the detail,
    /// rule and notes panes, the help and check popups (the machine's script
    /// keeps its own, in `machine`).
    /// One value, because only one of them has the focus at a time.
    pub scroll: u16,
    /// How far the help scrolls and a page of it, at the terminal's size
    /// (given by the event loop, as the list's height is).
    help_bounds: (u16, u16),
    /// The text of the last copy, for `w`, `v` and `--print`.
    pub last_copy: Option<String>,
    /// Effects for the event loop to perform: copy, plain view, check.
    pub requests: Requests,
    /// Hosts last checked, by destination component id (saved in the config).
    pub hosts: BTreeMap<String, String>,
    /// Where settings are saved; `None` when they must not be (no home, or
    /// the file did not parse).
    pub config_path: Option<PathBuf>,
    /// The deployment file the settings came from. Its settings are the
    /// admin's to edit in the file: the form's changes then last for this
    /// session only, and the config file keeps its own settings.
    pub settings_file: Option<PathBuf>,
    /// The deployment file in use, for `S` to sweep.
    pub deployment: Option<(PathBuf, crate::deployment::Deployment)>,
    /// Why the deployment file given was not used, for `S` to say.
    pub deployment_error: Option<String>,
    /// The last sweep, running or done.
    pub sweep: Option<SweepView>,
    /// Machines' firewalls loaded with `--audit`, and their verdicts.
    pub audits: Vec<audit_marks::MachineAudit>,
}

impl App {
    pub fn new(base: Catalog, origin: String, settings: Settings) -> Self {
        let catalog = Arc::new(settings.apply_ports(&base));
        let filter = FilterState::new(&catalog);
        let mut app = App {
            base,
            catalog,
            origin,
            settings,
            dialect: Dialect::Powershell,
            view: View::List,
            overlay: None,
            status: None,
            quit: false,
            filter,
            list: ListState::default(),
            matrix: MatrixState::default(),
            machine: MachineState::default(),
            scroll: 0,
            help_bounds: (0, 0),
            last_copy: None,
            requests: Requests::default(),
            hosts: BTreeMap::new(),
            config_path: None,
            settings_file: None,
            deployment: None,
            deployment_error: None,
            sweep: None,
            audits: Vec::new(),
        };
        app.refilter();
        app
    }

    /// An explorer whose catalog is still to come from a file: it starts
    /// empty, takes the rows as they are read ([`App::add_rows`]), searching
    /// them as they come, until they are all in ([`App::finish_loading`]).
    pub fn loading(origin: String, settings: Settings) -> Self {
        let mut app = App::new(Catalog::default(), origin, settings);
        app.filter.start_loading();
        app
    }

    /// Rows read from a catalog that is still loading; `head` (components
    /// and setup features) comes with the first batch. Indexed here; the
    /// loader indexes them on its own thread ([`App::add_indexed_rows`]).
    pub fn add_rows(&mut self, head: Option<Catalog>, rows: Vec<Connection>) {
        let components = head.as_ref().unwrap_or(&self.base);
        let indexer = crate::query::SearchIndex::for_components(components);
        let indexed = super::loader::index_deployed(&indexer, &self.settings, &rows);
        self.add_indexed_rows(head, rows, indexed);
    }

    /// Rows read from a catalog that is still loading, with `indexed`, the
    /// same rows as deployed, indexed for the search; `head` (components and
    /// setup features) comes with the first batch. The empty filter shows
    /// them at once, below whatever is selected; a query's list grows when
    /// the search has matched them.
    pub fn add_indexed_rows(
        &mut self,
        head: Option<Catalog>,
        rows: Vec<Connection>,
        indexed: IndexedRows,
    ) {
        let first = head.is_some();
        if let Some(head) = head {
            self.take_head(head);
            self.filter.grow_from(&self.catalog);
        }
        let mut deployed = rows.clone();
        self.settings.apply_ports_to(&mut deployed);
        self.base.connections.extend(rows);
        // The search engine holds no copy of the catalog while loading, so
        // this does not copy the catalog.
        let catalog = Arc::make_mut(&mut self.catalog);
        let from = catalog.connections.len();
        catalog.connections.extend(deployed);
        let to = catalog.connections.len();
        self.filter.rows_added(from, to, indexed);
        if first && !self.filter.text().trim().is_empty() {
            // A query typed before the rows came.
            self.refilter();
        }
        self.list
            .set_height(self.list.height, self.filter.hits.len());
        // The empty filter's hits grow here, not through a search.
        self.settle_matrix();
    }

    /// Every row is in and the catalog is valid; `head` is the whole
    /// catalog but its connections. The search has indexed every row
    /// already (a catalog with no rows starts its search now). Settings from the
    /// config file that do not fit this catalog are dropped, as at a normal
    /// start.
    pub fn finish_loading(&mut self, head: Catalog) {
        self.take_head(head);
        let query_waits = self.filter.finish_loading(&self.catalog);
        match self.settings.check(&self.base) {
            Ok(()) => {
                // The list holds every row, or the hits of the query typed
                // meanwhile: keep the place the user scrolled to.
                if query_waits {
                    self.refilter();
                }
            }
            Err(e) => {
                let file = self
                    .config_path
                    .as_deref()
                    .map_or_else(String::new, |p| format!(" {}", p.display()));
                self.status = Some(Status {
                    text: format!(
                        "config file{file}: {}; running on defaults, and not saving",
                        e.message
                    ),
                    is_error: true,
                });
                self.config_path = None;
                self.settings = Settings::default();
                self.redeploy();
            }
        }
    }

    /// Everything of `head` but its connections, into both catalogs.
    fn take_head(&mut self, head: Catalog) {
        let catalog = Arc::make_mut(&mut self.catalog);
        catalog.title.clone_from(&head.title);
        catalog.source.clone_from(&head.source);
        catalog.components.clone_from(&head.components);
        catalog.setup_features.clone_from(&head.setup_features);
        catalog.notes.clone_from(&head.notes);
        let connections = std::mem::take(&mut self.base.connections);
        self.base = Catalog {
            connections,
            ..head
        };
    }

    /// While loading, what needs the whole catalog (rules use its notes,
    /// settings its setup features) says so instead of acting on part of it.
    fn refused_while_loading(&mut self, action: &Action) -> bool {
        let Some(read) = self.loading_rows() else {
            return false;
        };
        let needs_all = matches!(
            action,
            Action::CopyRule
                | Action::CopyAll
                | Action::CopyFlows
                | Action::PlainView
                | Action::CheckPorts
                | Action::ShowSweep
                | Action::OpenSettings
        ) || (*action == Action::Confirm && self.view == View::Machine);
        if needs_all {
            self.error(&format!(
                "still loading ({} rows read): rules, checks, sweeps and settings wait until every row is in",
                crate::text::thousands(read)
            ));
        }
        needs_all
    }

    /// While the catalog file is still being read: the rows read so far.
    /// (The filter's `loading` is the one flag: its search takes the rows.)
    pub fn loading_rows(&self) -> Option<usize> {
        self.filter.loading.then(|| self.catalog.connections.len())
    }

    /// The selected connection, if any row matches.
    pub fn selected_connection(&self) -> Option<&Connection> {
        self.list
            .selected_row(&self.filter.hits)
            .map(|row| &self.catalog.connections[row])
    }

    /// Applies one action: an open popup takes it, else the view.
    pub fn update(&mut self, action: Action) {
        // A new action replaces an old message.
        self.status = None;
        // Ctrl-C and `q` (where `q` is not typed text) quit from anywhere.
        if action == Action::Quit {
            self.quit = true;
            if let Some(sweep) = &mut self.sweep {
                sweep.stop();
            }
            return;
        }
        match &self.overlay {
            Some(Overlay::Settings(_)) => self.update_settings(action),
            Some(Overlay::Prompt(_)) => self.update_prompt(action),
            Some(Overlay::Help | Overlay::Check(_) | Overlay::SweepDetail(_)) => {
                self.update_popup(action)
            }
            None => self.update_view(action),
        }
    }

    /// Help and the check results: j/k scroll, any other key closes; the
    /// help also pages and jumps (PgUp/PgDn, g/G), and stops at its end.
    fn update_popup(&mut self, action: Action) {
        let help = self.overlay == Some(Overlay::Help);
        let (max, page) = if help {
            self.help_bounds
        } else {
            (u16::MAX, 0)
        };
        self.scroll = match action {
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown if help => self.scroll.saturating_add(page.max(1)),
            Action::PageUp if help => self.scroll.saturating_sub(page.max(1)),
            Action::Top if help => 0,
            Action::Bottom if help => max,
            _ => {
                self.overlay = None;
                0
            }
        }
        .min(max);
    }

    /// How far the help scrolls at the terminal's size, and its page.
    pub fn set_help_bounds(&mut self, max: u16, page: u16) {
        self.help_bounds = (max, page);
        if self.overlay == Some(Overlay::Help) {
            self.scroll = self.scroll.min(max);
        }
    }

    /// Keys on the main screen, with no popup open.
    fn update_view(&mut self, action: Action) {
        if self.refused_while_loading(&action) {
            return;
        }
        // The machine view's own keys; the list is hidden there, so no key
        // may act on it.
        if self.view == View::Machine && self.update_machine(action) {
            return;
        }
        if self.view == View::Sweep && self.update_sweep(action) {
            return;
        }
        // The matrix and the notes hide the list too: its row keys say so
        // rather than act unseen (a mark made here would feed a later `Y`).
        if matches!(self.view, View::Matrix | View::Notes | View::Sweep)
            && acts_on_list_rows(action)
        {
            return self.say_list_only(action);
        }
        match action {
            // Taken in `update`, before any popup.
            Action::Quit => {}
            Action::ToggleHelp => self.overlay = Some(Overlay::Help),
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::Left => self.move_horizontally(-1),
            Action::Right => self.move_horizontally(1),
            Action::Top => self.move_to(0),
            Action::Bottom => self.move_to(usize::MAX),
            Action::PageDown => self.move_by(self.list.page()),
            Action::PageUp => self.move_by(-self.list.page()),
            Action::Scroll(rows) => self.move_by(rows as isize),
            // Only the machine view has a script (taken above).
            Action::ScrollScript(_) => {}
            Action::ClickRow(row) => {
                self.view = View::List;
                self.list.pane = Pane::List;
                self.move_to(self.list.offset + row as usize);
            }
            Action::FocusFilter
            | Action::Type(_)
            | Action::Edit(_)
            | Action::FilterAccept
            | Action::FilterClear => {
                if action == Action::FocusFilter {
                    self.view = View::List;
                }
                self.search_with(|filter, rows| filter.update(action, rows));
            }
            Action::NextPane => self.cycle_pane(1),
            Action::PrevPane => self.cycle_pane(-1),
            Action::NextMachine => self.cycle_rule_machine(1),
            Action::PrevMachine => self.cycle_rule_machine(-1),
            Action::NextDialect => self.cycle_dialect(1),
            Action::PrevDialect => self.cycle_dialect(-1),
            Action::SelectDialect(d) => {
                self.dialect = d;
                self.scroll = 0;
            }
            Action::ToggleMark => self.toggle_mark(),
            Action::CopyRule => self.copy_selected(),
            Action::CopyAll => self.copy_all(),
            Action::CopyFlows => self.copy_flows(),
            Action::PlainView => self.ask_plain_view(),
            Action::WriteCopy => self.ask_write_path(),
            Action::CheckPorts => self.ask_check_host(),
            Action::ShowMatrix => self.switch(View::Matrix),
            Action::ShowMachine => self.switch(View::Machine),
            Action::ShowNotes => self.switch(View::Notes),
            Action::ShowSweep => self.show_sweep(),
            // Only the sweep view sweeps again (taken above).
            Action::Resweep => {}
            Action::OpenSettings => {
                let mut form = SettingsForm::new(&self.base, &self.settings);
                form.session_only = self.settings_file_note();
                self.overlay = Some(Overlay::Settings(form));
            }
            Action::Confirm => self.confirm(),
            Action::Back => match self.view {
                View::List if !self.filter.text().is_empty() => self.set_filter(String::new()),
                _ => self.switch(View::List),
            },
        }
    }

    fn switch(&mut self, view: View) {
        self.view = if self.view == view { View::List } else { view };
        self.scroll = 0;
        self.filter.filtering = false;
        self.settle_matrix();
    }

    /// Up, down and the wheel: the list's row, the matrix's row, the
    /// machine, or else the focused text's scroll.
    fn move_by(&mut self, delta: isize) {
        match (self.view, self.list.pane) {
            (View::List, Pane::List) => {
                self.list.move_by(delta, self.filter.hits.len());
                self.scroll = 0;
            }
            (View::Matrix, _) => self.matrix.move_by(&self.matrix_axes(), delta, 0),
            _ => {
                self.scroll = (self.scroll as isize + delta).clamp(0, u16::MAX as isize) as u16;
            }
        }
    }

    fn move_horizontally(&mut self, delta: isize) {
        if self.view == View::Matrix {
            self.matrix.move_by(&self.matrix_axes(), 0, delta);
        }
    }

    /// Home, End and a click: row `target` (clamped) of whatever moves.
    fn move_to(&mut self, target: usize) {
        match (self.view, self.list.pane) {
            (View::List, Pane::List) => {
                self.list.move_to(target, self.filter.hits.len());
                self.scroll = 0;
            }
            (View::Matrix, _) => self.matrix.move_row_to(&self.matrix_axes(), target),
            _ => self.scroll = if target == 0 { 0 } else { u16::MAX / 2 },
        }
    }

    /// Called with the list's visible height whenever the layout changes.
    pub fn set_list_height(&mut self, rows: usize) {
        self.list.set_height(rows, self.filter.hits.len());
    }

    fn cycle_pane(&mut self, delta: isize) {
        self.list.cycle_pane(delta);
        self.scroll = 0;
    }

    fn cycle_dialect(&mut self, delta: isize) {
        let now = Dialect::ALL
            .iter()
            .position(|d| *d == self.dialect)
            .unwrap_or(0) as isize;
        self.dialect = Dialect::ALL[(now + delta).rem_euclid(Dialect::ALL.len() as isize) as usize];
        self.scroll = 0;
    }

    fn toggle_mark(&mut self) {
        if self.list.toggle_mark(&self.filter.hits) {
            self.move_by(1);
        }
    }

    /// Replaces the filter text (e.g. from a matrix cell) and searches.
    pub fn set_filter(&mut self, text: String) {
        self.search_with(|filter, rows| filter.set_text(text, rows));
    }

    /// Runs the filter again over the catalog as it is now.
    fn refilter(&mut self) {
        self.search_with(FilterState::refilter);
    }

    /// Takes a finished background search, if any; true when the state changed.
    pub fn poll_search(&mut self) -> bool {
        self.search_with(|filter, _| filter.poll())
    }

    /// Waits for a running background search, or for the rows just added to
    /// be searched (tests and benchmarks).
    pub fn wait_for_search(&mut self) {
        self.search_with(|filter, _| filter.wait());
    }

    /// Runs `search` on the filter (given the catalog's row count), then
    /// moves the list: new hits select the best match, as in fzf; hits grown
    /// over more rows keep the selected connection, or the top when that is
    /// where the selection was. True when anything on screen changed.
    fn search_with(&mut self, search: impl FnOnce(&mut FilterState, usize) -> Searched) -> bool {
        let selected = self.list.selected_row(&self.filter.hits);
        let searched = search(&mut self.filter, self.catalog.connections.len());
        match searched {
            Searched::NewHits => self.list.restart(self.filter.hits.len()),
            Searched::Grown => self.list.follow(selected, &self.filter.hits),
            Searched::Refused | Searched::Nothing => {}
        }
        if matches!(searched, Searched::NewHits | Searched::Grown) {
            self.settle_matrix();
        }
        searched != Searched::Nothing
    }

    /// A script body in the current dialect, without its leading blank
    /// line; a rule that cannot be written says why, as a comment.
    fn body_lines(&self, connections: &[&Connection], on: Option<&str>) -> Vec<String> {
        match self.body(connections, on) {
            Ok(body) => body
                .lines
                .into_iter()
                .skip_while(String::is_empty)
                .collect(),
            Err(said) => said,
        }
    }

    /// A script body in the current dialect, or the comment to show instead
    /// when there is none (still loading, or a rule that cannot be written).
    fn body(
        &self,
        connections: &[&Connection],
        on: Option<&str>,
    ) -> Result<crate::rules::Body, Vec<String>> {
        if let Some(read) = self.loading_rows() {
            // Rules need the catalog's notes, which come last in the file.
            return Err(vec![self.dialect.comment_line(&format!(
                "the rules show once every row is in ({} read so far)",
                crate::text::thousands(read)
            ))]);
        }
        crate::rules::body(&self.catalog, connections, self.dialect, &self.settings, on).map_err(
            |e| {
                vec![
                    self.dialect
                        .comment_line(&format!("cannot write this: {} ({})", e.message, e.hint)),
                ]
            },
        )
    }

    /// A whole script (with its header) for these connections.
    fn script_for(
        &self,
        connections: &[&Connection],
        on: Option<&str>,
        query: &str,
    ) -> Result<String, String> {
        let provenance = Provenance {
            catalog_origin: &self.origin,
            query,
            on,
        };
        crate::rules::script(
            &self.catalog,
            connections,
            self.dialect,
            &self.settings,
            on,
            &provenance,
        )
        .map_err(|e| format!("{} ({})", e.message, e.hint))
    }

    fn copy_selected(&mut self) {
        let Some(title) = self.rule_copy_title() else {
            return self.error("nothing selected to copy");
        };
        let text = self.rule_lines().join("\n") + "\n";
        self.show_copy(title, text);
    }

    /// `v`: what is on show as a rule, as plain text for the event loop to
    /// print outside the frame: the selected rule, else the last copy.
    fn ask_plain_view(&mut self) {
        let text = if self.selected_connection().is_some() {
            Some(self.rule_lines().join("\n"))
        } else {
            self.last_copy.clone()
        };
        match text {
            Some(text) => self.requests.plain = Some(text),
            None => self.error("nothing to show: no rule selected and nothing copied yet"),
        }
    }

    fn copy_all(&mut self) {
        let what = match self.list.marked.len() {
            0 => format!("{} filtered", self.filter.hits.len()),
            marked => format!("{marked} marked"),
        };
        let rows = self
            .list
            .marked_or(self.filter.hits.iter().map(|hit| hit.index));
        let connections = connections_at(&self.catalog, &rows);
        match self.script_for(&connections, None, self.filter.text()) {
            Ok(text) => self.show_copy(
                format!("{} script for {what} connections", self.dialect.name()),
                text,
            ),
            Err(e) => self.error(&e),
        }
    }

    /// `F`: the marked rows, or every filtered row, as the Markdown flow
    /// table `vmmports flows --format markdown` prints, with the addresses
    /// the settings give.
    fn copy_flows(&mut self) {
        let rows = self
            .list
            .marked_or(self.filter.hits.iter().map(|hit| hit.index));
        let connections = connections_at(&self.catalog, &rows);
        let flows = crate::flows::flows(&self.catalog, &connections, self.settings.include_dynamic);
        if flows.is_empty() {
            return self.error("no flows to copy: local calls cross no network");
        }
        let text = crate::flows::table::markdown(&flows, &self.settings);
        self.show_copy(format!("flow table of {} flows", flows.len()), text);
    }

    /// Hands `text` to the event loop to copy, between frames.
    fn show_copy(&mut self, what: String, text: String) {
        self.last_copy = Some(text);
        self.requests.copy = Some(what);
    }

    /// `w`: ask where to write the last copy.
    fn ask_write_path(&mut self) {
        if self.last_copy.is_none() {
            return self.error("nothing copied yet: y or Y first, then w writes it to a file");
        }
        self.overlay = Some(Overlay::Prompt(PromptState::new(
            Prompt::WriteCopy,
            "vmmports-rules.txt",
        )));
    }

    /// Keys while a prompt is open; its answer is acted on here.
    fn update_prompt(&mut self, action: Action) {
        let Some(Overlay::Prompt(prompt)) = &mut self.overlay else {
            return;
        };
        match prompt.update(action) {
            PromptOutcome::Open => {}
            PromptOutcome::Cancelled => self.overlay = None,
            PromptOutcome::Answered(purpose, text) => {
                self.overlay = None;
                match purpose {
                    Prompt::WriteCopy => self.write_copy(&text),
                    Prompt::CheckHost => self.start_check(text),
                    Prompt::SweepAs => self.start_sweep(&text),
                }
            }
        }
    }

    fn write_copy(&mut self, path: &str) {
        let path = std::path::PathBuf::from(path);
        let text = self.last_copy.clone().unwrap_or_default();
        match crate::atomic_file::write(&path, text.as_bytes()) {
            Ok(()) => {
                self.status = Some(Status {
                    text: format!("Wrote {} bytes to {}", text.len(), path.display()),
                    is_error: false,
                })
            }
            Err(e) => self.error(&format!("cannot write {}: {e}", path.display())),
        }
    }

    /// A key that acts on the list's rows, pressed where the list is
    /// hidden: what it does, and what does the like here.
    fn say_list_only(&mut self, action: Action) {
        let what = match action {
            Action::ToggleMark => "Space marks rows of the list",
            Action::CopyRule => "y copies the list's selected row",
            Action::CopyAll => "Y copies the list's marked rows",
            Action::CopyFlows => "F copies the list's rows as flows",
            Action::PlainView => "v shows the list's rule plain",
            Action::NextMachine | Action::PrevMachine => "< > pick the machine of a list row",
            Action::NextPane | Action::PrevPane => "Tab moves between the list's panes",
            _ => "this key acts on the list",
        };
        let here = match self.view {
            View::Machine => "; y copies this machine's script",
            View::Matrix => "; Enter lists this cell's connections",
            View::Sweep => "; Enter shows this machine's ports",
            View::List | View::Notes => "",
        };
        self.status = Some(Status {
            text: format!("{what}, not shown here: Esc goes back to it{here}"),
            is_error: false,
        });
    }

    fn error(&mut self, text: &str) {
        self.status = Some(Status {
            text: text.to_string(),
            is_error: true,
        });
    }

    /// Enter: in the matrix, filter the list to the selected cell.
    fn confirm(&mut self) {
        match self.view {
            View::Matrix => {
                if let Some((from, to)) = self.matrix.cursor.clone() {
                    if self.cell(&from, &to).next().is_none() {
                        // Keep the filter (and the view): there is nothing
                        // to narrow the list to.
                        return self.error("no connection here");
                    }
                    // The cell narrows what is already filtered.
                    let cell = format!("from:{from} to:{to}");
                    let filter = match self.filter.text().trim() {
                        "" => cell,
                        current => format!("{current} {cell}"),
                    };
                    self.view = View::List;
                    self.list.pane = Pane::List;
                    self.set_filter(filter);
                } else {
                    self.error("no connection here");
                }
            }
            _ => {
                if self.list.pane == Pane::List {
                    self.list.pane = Pane::Detail;
                }
            }
        }
    }

    /// Keys while the settings form is open; what it commits applies to
    /// every view, and is saved.
    fn update_settings(&mut self, action: Action) {
        let Some(Overlay::Settings(form)) = &mut self.overlay else {
            return;
        };
        match form.update(action, &self.base) {
            FormOutcome::Open => {}
            FormOutcome::Closed => self.overlay = None,
            FormOutcome::Commit(text) => {
                if let Some(settings) = form.commit(&self.base, text) {
                    self.apply_settings(settings);
                }
            }
        }
    }

    /// Uses `settings` from now on: the catalog's setup ports move, the
    /// search is rebuilt, and the config file is saved.
    pub fn apply_settings(&mut self, settings: Settings) {
        self.settings = settings;
        self.redeploy();
        let saved = self.save_config();
        if let Some(note) = self.settings_file_note() {
            self.status = Some(Status {
                text: format!("settings apply to this session only ({note})"),
                is_error: false,
            });
            return;
        }
        self.status = Some(match saved {
            Some(Ok(path)) => Status {
                text: format!("settings saved to {path}"),
                is_error: false,
            },
            Some(Err(e)) => Status {
                text: format!("settings apply, but were not saved: {e}"),
                is_error: true,
            },
            None => Status {
                text: "settings apply to this session only (no config file to save to)".into(),
                is_error: false,
            },
        });
    }

    /// Why settings edits are not saved, when they come from a deployment
    /// file: `from deployment.ron: edit the file to keep changes`.
    fn settings_file_note(&self) -> Option<String> {
        let file = self.settings_file.as_deref()?;
        let name = file.file_name().unwrap_or(file.as_os_str());
        Some(format!(
            "from {}: edit the file to keep changes",
            name.to_string_lossy()
        ))
    }

    /// Deploys the catalog as loaded with the current settings, and rebuilds
    /// what depends on it: the search and the hits. Whatever changes the
    /// catalog or the settings ends here.
    fn redeploy(&mut self) {
        self.catalog = Arc::new(self.settings.apply_ports(&self.base));
        self.filter.rebuild(&self.catalog);
        self.refilter();
        self.refresh_audits();
    }

    /// Saves settings, dialect and remembered hosts, keeping whatever else
    /// the file holds (clipboard choice, OSC 52 limit). `None` when there is
    /// no file to save to; otherwise where it went, or why not.
    fn save_config(&self) -> Option<Result<String, String>> {
        let path = self.config_path.as_deref()?;
        let mut config = crate::config::load(path).unwrap_or_default();
        // Settings from a deployment file are the file's: the config
        // keeps its own (the dialect and hosts are still saved).
        if self.settings_file.is_none() {
            config.settings = self.settings.clone();
        }
        config.dialect = Some(self.dialect);
        config.hosts = self.hosts.clone();
        Some(
            crate::config::save(path, &config)
                .map(|()| path.display().to_string())
                .map_err(|e| e.to_string()),
        )
    }

    /// The matrix's sources (rows) and destinations (columns): the
    /// components that open or accept one of the filter's hits.
    pub fn matrix_axes(&self) -> matrix::Axes {
        matrix::Axes::new(&self.catalog, &self.filter.hits)
    }

    /// Keeps the matrix cursor on a cell that holds a hit once the hits or
    /// the view changed. Only while the matrix shows: the axes cost a pass
    /// over the hits, and entering the view settles it anyway.
    fn settle_matrix(&mut self) {
        if self.view == View::Matrix {
            self.matrix.settle(&self.matrix_axes());
        }
    }

    /// The filter's connections from `from` to `to`: the matrix follows the
    /// filter, as the list does.
    pub fn cell<'a>(&'a self, from: &str, to: &str) -> impl Iterator<Item = &'a Connection> {
        matrix::cell(&self.catalog, &self.filter.hits, from, to)
    }
}

/// Keys that act on the list's rows or its panes: outside the list view
/// they would act on rows the user cannot see.
fn acts_on_list_rows(action: Action) -> bool {
    matches!(
        action,
        Action::ToggleMark
            | Action::CopyRule
            | Action::CopyAll
            | Action::CopyFlows
            | Action::PlainView
            | Action::NextPane
            | Action::PrevPane
            | Action::NextMachine
            | Action::PrevMachine
    )
}

/// The catalog's connections at these indices (the list's rows).
fn connections_at<'a>(catalog: &'a Catalog, rows: &[usize]) -> Vec<&'a Connection> {
    rows.iter().map(|&row| &catalog.connections[row]).collect()
}
