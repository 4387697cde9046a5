//! The machine view's audit marks: with a machine's firewall loaded
//! (`vmmports --audit ROLE=FILE`), its view opens with every VMM flow it
//! needs and what that firewall does with it (allowed, blocked, partly),
//! above the script that would open them. The verdicts are `audit`'s own
//! (`crate::audit::flows`), worked out again whenever the settings move a
//! port or give an address.

use super::App;
use crate::audit::flows::{self, Audited, Verdict};
use crate::tui::MachineFirewall;

/// A loaded firewall and its verdicts under the current settings.
pub struct MachineAudit {
    pub firewall: MachineFirewall,
    pub results: Vec<Audited>,
}

/// What a line of the machine view's script pane is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneLine {
    /// The audit's heading.
    AuditHeading,
    /// One flow's verdict.
    Flow(Verdict),
    /// The script (or the blank line before it).
    Script,
}

impl App {
    /// Takes the firewalls `--audit` read, and works out their verdicts.
    pub fn load_audits(&mut self, firewalls: Vec<MachineFirewall>) {
        self.audits = firewalls
            .into_iter()
            .map(|firewall| MachineAudit {
                firewall,
                results: Vec::new(),
            })
            .collect();
        self.refresh_audits();
    }

    /// The verdicts again, for the catalog as deployed now.
    pub(super) fn refresh_audits(&mut self) {
        if self.loading_rows().is_some() {
            return; // the flows need every row; done when they are in
        }
        for audit in &mut self.audits {
            let found = flows::flows_on(&self.catalog, &self.settings, &audit.firewall.machine);
            let mut results = flows::audit(audit.firewall.ruleset.as_ref(), &found);
            results.sort_by_key(|a| a.verdict);
            audit.results = results;
        }
    }

    /// The loaded audit of machine `id`, if any.
    pub fn audit_of(&self, id: &str) -> Option<&MachineAudit> {
        self.audits.iter().find(|a| a.firewall.machine == id)
    }

    /// The script pane of the machine view: the audit's verdicts, when the
    /// machine's firewall is loaded, then the script.
    pub fn machine_pane_lines(&self) -> Vec<(PaneLine, String)> {
        let script = self.machine_lines();
        let audit = self
            .selected_machine()
            .and_then(|m| self.audit_of(&m.id))
            .filter(|a| !a.results.is_empty());
        let Some(audit) = audit else {
            return script.into_iter().map(|l| (PaneLine::Script, l)).collect();
        };
        let count = |v: Verdict| audit.results.iter().filter(|a| a.verdict == v).count();
        let mut lines = vec![(
            PaneLine::AuditHeading,
            format!(
                "Its firewall ({}): {} blocked, {} partly, {} allowed",
                audit.firewall.source,
                count(Verdict::Blocked),
                count(Verdict::Partly),
                count(Verdict::Allowed)
            ),
        )];
        for a in &audit.results {
            let sign = match a.verdict {
                Verdict::Blocked => "✗",
                Verdict::Partly => "◐",
                Verdict::Allowed => "✓",
            };
            let mut text = format!(
                "{sign} {:<7} {}/{} {} — {}",
                a.verdict.word(),
                a.flow.port_text(),
                a.flow.protocol.word(),
                a.flow.connection,
                a.why
            );
            if !a.assumptions.is_empty() {
                text.push_str(&format!(" (assuming {})", a.assumptions.join("; ")));
            }
            lines.push((PaneLine::Flow(a.verdict), text));
        }
        lines.push((PaneLine::Script, String::new()));
        lines.extend(script.into_iter().map(|l| (PaneLine::Script, l)));
        lines
    }
}
