//! An explorer with a deployment of four machines, and a sweep of it
//! answered by hand: the same states every time, for the sweep view's tests
//! and its screenshot.

use std::path::{Path, PathBuf};
use std::time::Duration;

use vmmports::catalog::{self, Probe};
use vmmports::check::Finding;
use vmmports::deployment::Deployment;
use vmmports::rules::settings::Settings;
use vmmports::sweep::{Event, PortResult, State};
use vmmports::tui::app::App;

const DEPLOYMENT: &str = r#"(
    machines: {
        "hyperv-host": [
            (name: "hv01", address: "10.0.1.21"),
            (name: "hv02", address: "10.0.1.22"),
            (name: "hv03.contoso.com"),
        ],
        "sql-server": [(name: "sql01", address: "10.0.0.7")],
    },
)"#;

pub fn app(with_deployment: bool) -> App {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    if with_deployment {
        let path = PathBuf::from("/etc/vmm/deployment.ron");
        let deployment = Deployment::parse(DEPLOYMENT, Path::new(&path)).unwrap();
        app.deployment = Some((path, deployment));
    }
    app
}

/// (machine, line) of every port the sweep plans, with the machine's name.
fn ports(app: &App) -> Vec<(usize, usize, String, String)> {
    let sweep = app.sweep.as_ref().unwrap();
    let mut out = vec![];
    for (h, host) in sweep.plan.hosts.iter().enumerate() {
        for (l, line) in sweep.plan.role_of(host).lines.iter().enumerate() {
            out.push((h, l, sweep.machine_name(h), line.port_text()));
        }
    }
    out
}

/// Answers for every port: hv01 all answered; hv02 refuses 5985 and has
/// something else on 443; hv03's name does not resolve; sql01 drops 1433.
pub fn answer_all(app: &mut App) {
    for (h, l, name, port) in ports(app) {
        let result = match (name.as_str(), port.as_str()) {
            (_, "echo-request") => PortResult::unreached(State::NotTested, Some("ping it".into())),
            ("hv02", "5985") => PortResult::unreached(State::Refused, None),
            ("hv02", "443") => PortResult::checked(
                Probe::Tls,
                Finding::reached(Duration::from_millis(3), false, "TLS, but not BITS: nginx"),
            ),
            ("hv03.contoso.com", _) => PortResult::unreached(
                State::NameNotResolved,
                Some("name not resolved: no such host".into()),
            ),
            ("sql01", "1433") => {
                PortResult::unreached(State::TimedOut, Some("no answer in 2000 ms".into()))
            }
            _ => PortResult::checked(
                Probe::Tcp,
                Finding::reached(Duration::from_millis(1), true, "answered"),
            ),
        };
        app.sweep_event(Event::Port {
            host: h,
            line: l,
            result: Box::new(result),
        });
    }
    app.sweep_finished();
    // The clock is the one thing a snapshot cannot hold still.
    app.sweep.as_mut().unwrap().elapsed = Some(Duration::from_millis(2340));
}
