//! `p`, incident mode: which ports to check, on which host. What is
//! checked follows the view on screen: the list's marked rows (or its
//! selection), the matrix's selected cell, or every port the machine view's
//! machine must answer, or the sweep's selected machine on the ports the
//! sweep probed (its name offered as the host). The notes show no rows of their own, so there `p`
//! takes the list's rows, as in the list; the popup names every connection
//! it checks, so nothing is checked unseen.

use super::{App, Overlay, View, connections_at};
use crate::catalog::Connection;
use crate::tui::state::{CheckRun, Prompt, PromptState};

/// What `p` checks: the connections, and the machine whose host is asked
/// for (the last host given for it is offered again).
struct Subject<'a> {
    machine: String,
    connections: Vec<&'a Connection>,
    /// The host to offer when none was used for this machine yet.
    host: Option<String>,
}

impl App {
    /// `p`: ask which host to check, offering the one last used for the
    /// machine whose ports are checked.
    pub(super) fn ask_check_host(&mut self) {
        let subject = match self.check_subject() {
            Ok(subject) => subject,
            Err(e) => return self.error(e),
        };
        let remembered = subject
            .host
            .or_else(|| self.hosts.get(&subject.machine).cloned());
        self.overlay = Some(Overlay::Prompt(PromptState::new(
            Prompt::CheckHost,
            remembered.unwrap_or_default(),
        )));
    }

    /// Opens the check popup and asks the event loop to run it; remembers
    /// the host for next time.
    pub(super) fn start_check(&mut self, host: String) {
        if host.is_empty() {
            return self.error("no host given: p, then a name or an IP address");
        }
        let subject = match self.check_subject() {
            Ok(subject) => subject,
            Err(e) => return self.error(e),
        };
        let run = CheckRun::new(host.clone(), &subject.connections, &self.catalog);
        self.hosts.insert(subject.machine, host);
        self.save_config();
        self.overlay = Some(Overlay::Check(run));
        self.requests.check = true;
    }

    /// A check's progress, from the event loop.
    pub fn check_event(&mut self, event: crate::check::Event) {
        let Some(Overlay::Check(run)) = &mut self.overlay else {
            return; // closed meanwhile: the answers are no longer wanted
        };
        run.record(event);
    }

    fn check_subject(&self) -> Result<Subject<'_>, &'static str> {
        match self.view {
            View::Machine => {
                let machine = self.selected_machine().ok_or("no machine to check")?;
                let connections =
                    crate::check::inbound_on(&self.catalog, &self.catalog.connections, &machine.id);
                if connections.is_empty() {
                    // Its rules are all outbound: nothing there answers.
                    return Err("this machine answers no VMM connection: nothing to check on it");
                }
                Ok(Subject {
                    machine: machine.id.clone(),
                    connections,
                    host: None,
                })
            }
            View::Matrix => {
                let (from, to) = self.matrix.cursor.clone().ok_or("no cell selected")?;
                let connections: Vec<&Connection> = self.cell(&from, &to).collect();
                if connections.is_empty() {
                    return Err("no connection here to check");
                }
                Ok(Subject {
                    machine: to,
                    connections,
                    host: None,
                })
            }
            View::List | View::Notes => {
                let selected = self
                    .selected_connection()
                    .ok_or("nothing selected to check")?;
                let machine = selected.to.first().cloned().unwrap_or_default();
                let rows = self
                    .list
                    .marked_or(self.list.selected_row(&self.filter.hits));
                Ok(Subject {
                    machine,
                    connections: connections_at(&self.catalog, &rows),
                    host: None,
                })
            }
            View::Sweep => {
                let sweep = self.sweep.as_ref().ok_or("no sweep to check from")?;
                let h = sweep.cursor.0;
                let host = sweep.plan.hosts.get(h).ok_or("no machine selected")?;
                let role = sweep.plan.role_of(host);
                // The connections the sweep probed on this machine.
                let connections = self
                    .catalog
                    .connections
                    .iter()
                    .filter(|c| role.targets.iter().any(|t| t.connection == c.id))
                    .collect();
                // The address the sweep probed, when it had one: a name
                // may resolve elsewhere (or nowhere) from here.
                let probed = sweep.tally.address(&sweep.plan, h);
                Ok(Subject {
                    machine: role.role.clone(),
                    connections,
                    host: Some(probed.map_or_else(|| sweep.machine_name(h), |a| a.to_string())),
                })
            }
        }
    }
}
