//! The rule pane, one machine at a time. A row's rules can go on several
//! machines (the agent's ports on every Hyper-V host and on the library
//! server); an admin pastes a text on one machine, so the pane shows, and
//! `y` copies, one machine's section, says which, and `<` `>` switch.

use super::{App, Status, View};
use crate::rules::Body;

impl App {
    /// The selected connection's rules in the current dialect: the section
    /// of the machine the pane shows, when they go on several.
    pub fn rule_lines(&self) -> Vec<String> {
        let Some(conn) = self.selected_connection() else {
            return vec![self.dialect.comment_line("no connection selected")];
        };
        match self.body(&[conn], None) {
            Ok(body) => match self.shown_section(&body) {
                Some((_, lines)) => body.lines[lines.clone()].to_vec(),
                // A local call's note, or why no machine needs a rule.
                None => body
                    .lines
                    .into_iter()
                    .skip_while(String::is_empty)
                    .collect(),
            },
            Err(said) => said,
        }
    }

    /// The machines (by id) the selected row's rules go on, in the order
    /// the script gives them, and which of them the rule pane shows.
    pub fn rule_machines(&self) -> (Vec<String>, usize) {
        let Some(body) = self
            .selected_connection()
            .and_then(|conn| self.body(&[conn], None).ok())
        else {
            return (Vec::new(), 0);
        };
        let ids: Vec<String> = body.sections.into_iter().map(|(id, _)| id).collect();
        let shown = self.list.shown_machine(&as_strs(&ids));
        (ids, shown)
    }

    /// The section of `body` the rule pane shows.
    fn shown_section<'b>(&self, body: &'b Body) -> Option<&'b (String, std::ops::Range<usize>)> {
        let ids: Vec<&str> = body.sections.iter().map(|(id, _)| id.as_str()).collect();
        body.sections.get(self.list.shown_machine(&ids))
    }

    /// What `y` copied, in words: the row, and when its rules go on several
    /// machines, which one, of how many, and how to get to the next. A row
    /// on one machine is named by the text's heading alone, as before.
    /// `None` when no row is selected.
    pub(super) fn rule_copy_title(&self) -> Option<String> {
        let conn = self.selected_connection()?;
        let mut title = format!("{} rule for {}", self.dialect.name(), conn.id);
        let (ids, shown) = self.rule_machines();
        if let (true, Some(id)) = (ids.len() > 1, ids.get(shown)) {
            title += &format!(
                " on {}, machine {} of {} (> for the next)",
                self.machine_name(id),
                shown + 1,
                ids.len()
            );
        }
        Some(title)
    }

    /// `>` and `<`: the rule pane shows the selected row's rules for the
    /// next or previous machine they go on.
    pub(super) fn cycle_rule_machine(&mut self, delta: isize) {
        if self.view != View::List {
            // The matrix and the notes have no rule pane; the list is
            // hidden, so its rule pane must not change unseen.
            return;
        }
        let (ids, _) = self.rule_machines();
        if ids.len() < 2 {
            let text = match (self.selected_connection(), ids.first()) {
                (Some(conn), Some(id)) => format!(
                    "{}'s rules go on one machine only: {}",
                    conn.id,
                    self.machine_name(id)
                ),
                _ => "no rules on any machine here to switch between".into(),
            };
            self.status = Some(Status {
                text,
                is_error: false,
            });
            return;
        }
        self.list.cycle_machine(&as_strs(&ids), delta);
        self.scroll = 0;
    }

    /// `Hyper-V host (hyperv-host)`: as the sections' headings name a machine.
    pub fn machine_name(&self, id: &str) -> String {
        format!("{} ({id})", self.catalog.names(&[id.to_string()]))
    }
}

fn as_strs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}
