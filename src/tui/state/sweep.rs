//! The sweep view: every machine of the deployment down, every port swept
//! across, each cell the state its port is in, filling in as the sweep's
//! events come (the sweep runs in the event loop's care, as a check does).
//!
//! The columns are every port (and transport) any swept role must answer;
//! a machine whose role does not need a port has no cell there. Machines
//! keep the deployment's order, so the grid does not move under the cursor
//! while results arrive.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::catalog::Transport;
use crate::check::PortLine;
use crate::sweep::{Event, Plan, PortResult, Tally};

/// One column: a port (or range) and its transport.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub first: u16,
    pub last: u16,
    pub transport: Transport,
}

impl Column {
    fn of(line: &PortLine) -> Column {
        Column {
            first: line.first,
            last: line.last,
            transport: line.transport,
        }
    }

    /// `5985`, `623/udp`, `49152-65535`, `ping`: TCP goes without saying.
    pub fn label(&self) -> String {
        match self.transport {
            Transport::Tcp => self.port_text(),
            Transport::Icmp => "ping".into(),
            Transport::Udp => self.full_label(),
        }
    }

    /// `5985/tcp`, `623/udp`.
    pub fn full_label(&self) -> String {
        format!("{}/{}", self.port_text(), self.transport.as_str())
    }

    fn port_text(&self) -> String {
        crate::catalog::number_text(self.transport, self.first, self.last)
    }
}

/// What one cell of the grid holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// The machine's role does not answer this port from the sweeping role.
    NotNeeded,
    /// Not known yet (or never, if the sweep was stopped).
    Waiting,
    Known(&'a PortResult),
}

#[derive(Debug)]
pub struct SweepView {
    /// The role this machine acted as (`--as`).
    pub as_role: String,
    /// The filter the connections were narrowed by, if any.
    pub query: String,
    /// The deployment file swept.
    pub deployment: PathBuf,
    pub plan: Arc<Plan>,
    pub tally: Tally,
    pub columns: Vec<Column>,
    /// For each of the plan's roles, each column's line of that role.
    lines_at: Vec<Vec<Option<usize>>>,
    /// (machine, column) of the selected cell.
    pub cursor: (usize, usize),
    pub started: Instant,
    /// Set when the sweep ended (or was stopped): how long it took.
    pub elapsed: Option<Duration>,
    /// Tells the sweep's threads to stop: leaving for a new sweep, or
    /// quitting, must not leave one probing in the background.
    pub stop: Arc<AtomicBool>,
}

impl SweepView {
    pub fn new(plan: Plan, as_role: String, query: String, deployment: PathBuf) -> SweepView {
        let mut columns: Vec<Column> = plan
            .roles
            .iter()
            .flat_map(|r| r.lines.iter().map(Column::of))
            .collect();
        columns.sort_by_key(|c| (c.first, c.last, c.transport.as_str()));
        columns.dedup();
        let lines_at: Vec<Vec<Option<usize>>> = plan
            .roles
            .iter()
            .map(|role| {
                columns
                    .iter()
                    .map(|column| role.lines.iter().position(|l| Column::of(l) == *column))
                    .collect()
            })
            .collect();
        // The first machine's first port it must answer.
        let first_column = plan
            .hosts
            .first()
            .and_then(|h| {
                lines_at_role(&lines_at, h.ports)
                    .iter()
                    .position(Option::is_some)
            })
            .unwrap_or(0);
        SweepView {
            as_role,
            query,
            deployment,
            tally: Tally::new(&plan),
            plan: Arc::new(plan),
            columns,
            lines_at,
            cursor: (0, first_column),
            started: Instant::now(),
            elapsed: None,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// One event of the sweep.
    pub fn record(&mut self, event: Event) {
        self.tally.record(event);
    }

    /// The sweep's channel closed: it is over.
    pub fn finish(&mut self) {
        self.elapsed.get_or_insert(self.started.elapsed());
    }

    /// Stops the sweep's threads; what is known stays on screen.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.finish();
    }

    pub fn running(&self) -> bool {
        self.elapsed.is_none()
    }

    /// The line of machine `h`'s role at `column`, if its role has one.
    pub fn line_at(&self, h: usize, column: usize) -> Option<usize> {
        let host = self.plan.hosts.get(h)?;
        *lines_at_role(&self.lines_at, host.ports).get(column)?
    }

    pub fn cell(&self, h: usize, column: usize) -> Cell<'_> {
        match self.line_at(h, column) {
            None => Cell::NotNeeded,
            Some(line) => match &self.tally.results[h][line] {
                Some(result) => Cell::Known(result),
                None => Cell::Waiting,
            },
        }
    }

    /// Moves the cursor, stopping at the edges.
    pub fn move_by(&mut self, rows: isize, columns: isize) {
        let clamp = |now: usize, by: isize, len: usize| {
            now.saturating_add_signed(by).min(len.saturating_sub(1))
        };
        self.cursor = (
            clamp(self.cursor.0, rows, self.plan.hosts.len()),
            clamp(self.cursor.1, columns, self.columns.len()),
        );
    }

    /// Puts the cursor on machine `row` (clamped), in the same column.
    pub fn move_row_to(&mut self, row: usize) {
        self.cursor.0 = row.min(self.plan.hosts.len().saturating_sub(1));
    }

    /// A machine as shown: its name, else its address.
    pub fn machine_name(&self, h: usize) -> String {
        let host = &self.plan.hosts[h];
        match (&host.name, self.tally.address(&self.plan, h)) {
            (Some(name), _) => name.clone(),
            (None, Some(address)) => address.to_string(),
            (None, None) => "-".into(),
        }
    }

    /// How long it has run, or ran.
    pub fn took(&self) -> Duration {
        self.elapsed.unwrap_or_else(|| self.started.elapsed())
    }
}

fn lines_at_role(lines_at: &[Vec<Option<usize>>], role: usize) -> &[Option<usize>] {
    lines_at.get(role).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::{Deployment, Machine};
    use crate::sweep::State;
    use std::path::Path;

    fn view() -> SweepView {
        let catalog = crate::catalog::embedded().unwrap();
        let mut deployment = Deployment::parse("()", Path::new("d.ron")).unwrap();
        let machine = |name: &str, address: &str| Machine {
            name: Some(name.into()),
            address: Some(address.into()),
        };
        deployment.machines.insert(
            "hyperv-host".into(),
            vec![machine("hv01", "10.0.1.1"), machine("hv02", "10.0.1.2")],
        );
        deployment
            .machines
            .insert("sql-server".into(), vec![machine("sql01", "10.0.2.1")]);
        let all: Vec<_> = catalog.connections.iter().collect();
        let plan = crate::sweep::plan(&catalog, &deployment, "vmm-server", &all);
        SweepView::new(plan, "vmm-server".into(), String::new(), "d.ron".into())
    }

    #[test]
    fn the_columns_are_every_port_once_and_a_machine_has_cells_only_for_its_roles_ports() {
        let view = view();
        let labels: Vec<String> = view.columns.iter().map(Column::label).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "each port once, in order");
        let winrm = labels.iter().position(|l| l == "5985").expect("WinRM");
        let sql = labels.iter().position(|l| l == "1433").expect("SQL");
        let host = (0..3).find(|&h| view.machine_name(h) == "hv01").unwrap();
        let sql_server = (0..3).find(|&h| view.machine_name(h) == "sql01").unwrap();
        assert_eq!(view.cell(host, winrm), Cell::Waiting);
        assert_eq!(view.cell(host, sql), Cell::NotNeeded);
        assert_eq!(view.cell(sql_server, sql), Cell::Waiting);
        // The cursor starts on a cell the first machine must answer.
        assert!(view.line_at(view.cursor.0, view.cursor.1).is_some());
    }

    #[test]
    fn results_fill_their_cell_and_the_cursor_stays_on_the_grid() {
        let mut view = view();
        let host = (0..3).find(|&h| view.machine_name(h) == "hv01").unwrap();
        let column = view
            .columns
            .iter()
            .position(|c| c.label() == "5985")
            .unwrap();
        let line = view.line_at(host, column).unwrap();
        view.record(Event::Port {
            host,
            line,
            result: Box::new(PortResult::unreached(State::Refused, None)),
        });
        assert!(matches!(view.cell(host, column), Cell::Known(r) if r.state == State::Refused));
        view.move_by(-5, 1000);
        assert_eq!(view.cursor, (0, view.columns.len() - 1));
        view.move_row_to(99);
        assert_eq!(view.cursor.0, 2);
        assert!(view.running());
        view.stop();
        assert!(!view.running());
        assert!(view.stop.load(Ordering::SeqCst));
    }
}
