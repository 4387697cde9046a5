//! `S`, the sweep view: every machine of the deployment file probed at once
//! on the ports its role must answer from the role this machine plays (as
//! `vmmports sweep` does), drawn as machines × ports while the answers come.
//! The sweep covers the filter's connections, or all of them with no
//! filter; Enter on a cell shows the machine's ports as `check` shows them.

use super::{App, Overlay, View};
use crate::catalog::Connection;
use crate::tui::action::Action;
use crate::tui::state::{Prompt, PromptState, SweepView};

/// The role a sweep acts as unless told otherwise (`sweep --as`).
const DEFAULT_ROLE: &str = "vmm-server";

impl App {
    /// `S`: to the sweep's results when there are some, else ask for a
    /// role to sweep as. From the sweep view, back to the list.
    pub(super) fn show_sweep(&mut self) {
        if self.view == View::Sweep {
            return self.switch(View::List);
        }
        if self.sweep.is_some() {
            return self.switch(View::Sweep);
        }
        self.ask_sweep_role();
    }

    /// Ask which role this machine plays, offering the last one swept as.
    fn ask_sweep_role(&mut self) {
        if self.deployment.is_none() {
            return self.error(&self.no_deployment_text());
        }
        let role = self
            .sweep
            .as_ref()
            .map_or(DEFAULT_ROLE, |s| s.as_role.as_str())
            .to_string();
        self.overlay = Some(Overlay::Prompt(PromptState::new(Prompt::SweepAs, role)));
    }

    /// Starts a sweep acting as `role` over the filter's connections (any
    /// sweep still running is stopped) and shows it.
    pub(super) fn start_sweep(&mut self, role: &str) {
        let Some((path, deployment)) = &self.deployment else {
            return self.error(&self.no_deployment_text());
        };
        let from = match crate::rules::settings::resolve(&self.catalog, role, "sweep as") {
            Ok(id) => id,
            Err(e) => return self.error(&format!("{} ({})", e.message, e.hint)),
        };
        let query = self.filter.text().trim().to_string();
        let connections: Vec<&Connection> = if query.is_empty() {
            self.catalog.connections.iter().collect()
        } else {
            self.filter
                .hits
                .iter()
                .map(|hit| &self.catalog.connections[hit.index])
                .collect()
        };
        let plan = crate::sweep::plan(&self.catalog, deployment, &from, &connections);
        if plan.hosts.is_empty() {
            let why = plan
                .not_swept
                .first()
                .map_or("the deployment file lists no machine".to_string(), |n| {
                    format!("{}: {}", n.role, n.why)
                });
            return self.error(&format!("nothing to sweep as {from}: {why}"));
        }
        let path = path.clone();
        if let Some(old) = &mut self.sweep {
            old.stop();
        }
        self.sweep = Some(SweepView::new(plan, from, query, path));
        self.view = View::Sweep;
        self.filter.filtering = false;
        self.requests.sweep = true;
    }

    /// The sweep's progress, from the event loop.
    pub fn sweep_event(&mut self, event: crate::sweep::Event) {
        if let Some(sweep) = &mut self.sweep {
            sweep.record(event);
        }
    }

    /// The sweep's threads are done: every port known (or it was stopped).
    pub fn sweep_finished(&mut self) {
        if let Some(sweep) = &mut self.sweep {
            sweep.finish();
        }
    }

    /// Keys of the sweep view; false for those it leaves to the rest.
    pub(super) fn update_sweep(&mut self, action: Action) -> bool {
        let Some(sweep) = &mut self.sweep else {
            return false;
        };
        // A page of machines: the grid's rows are about the list's.
        let page = self.list.page().max(1);
        match action {
            Action::Down => sweep.move_by(1, 0),
            Action::Up => sweep.move_by(-1, 0),
            Action::Left => sweep.move_by(0, -1),
            Action::Right => sweep.move_by(0, 1),
            Action::PageDown => sweep.move_by(page, 0),
            Action::PageUp => sweep.move_by(-page, 0),
            Action::Scroll(rows) => sweep.move_by(rows as isize, 0),
            Action::Top => sweep.move_row_to(0),
            Action::Bottom => sweep.move_row_to(usize::MAX),
            Action::Confirm => {
                let (host, _) = sweep.cursor;
                self.scroll = 0;
                self.overlay = Some(Overlay::SweepDetail(host));
            }
            Action::Resweep => self.ask_sweep_role(),
            _ => return false,
        }
        true
    }
}

impl App {
    /// What `S` says with no deployment to sweep: why the file given was
    /// not taken, or where to write one.
    fn no_deployment_text(&self) -> String {
        if let Some(e) = &self.deployment_error {
            return format!("nothing to sweep: {e}; fix it and start again");
        }
        let file = crate::deployment::default_path()
            .map_or_else(|| "deployment.ron".into(), |p| p.display().to_string());
        format!(
            "no deployment file to sweep: write {file} (or `vmmports deployment import`), or start with --deployment FILE"
        )
    }
}
