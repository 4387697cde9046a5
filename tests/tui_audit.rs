//! The machine view with a machine's firewall loaded (`vmmports --audit
//! ROLE=FILE`): the machine says how it fares in the list, its pane opens
//! with each flow's verdict above the script, the verdicts follow the
//! settings, and `y` still copies only the script. The CLI's refusals of
//! a bad `--audit` are here too.

mod common;
use common::binary::vmmports;
use common::screen::{draw, settle};

use vmmports::audit::model::Input;
use vmmports::catalog;
use vmmports::rules::settings::Settings;
use vmmports::tui::MachineFirewall;
use vmmports::tui::action::Action::*;
use vmmports::tui::app::{App, PaneLine};

const EXPORT: &str = "docs/audit.in/hv01-firewall.json";

fn app_with_audit() -> App {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    let input = Input {
        name: EXPORT.into(),
        bytes: std::fs::read(EXPORT).unwrap(),
    };
    let ruleset = vmmports::audit::input::read(&[input], None).unwrap();
    app.load_audits(vec![MachineFirewall {
        machine: "hyperv-host".into(),
        source: EXPORT.into(),
        ruleset: ruleset.into(),
    }]);
    app
}

/// The machine view on the Hyper-V host.
fn on_the_host(app: &mut App) {
    settle(app, &[ShowMachine], 120, 40);
    let host = app
        .machines()
        .iter()
        .position(|m| m.id == "hyperv-host")
        .unwrap();
    settle(app, &vec![Down; host], 120, 40);
}

#[test]
fn the_audited_machine_opens_with_each_flows_verdict_above_its_script() {
    let mut app = app_with_audit();
    on_the_host(&mut app);
    let lines = app.machine_pane_lines();
    assert_eq!(lines[0].0, PaneLine::AuditHeading);
    assert!(
        lines[0].1.contains("hv01-firewall.json") && lines[0].1.contains("blocked"),
        "{}",
        lines[0].1
    );
    let bits = lines
        .iter()
        .find(|(_, l)| l.contains("443/tcp vmm-to-host-bits"))
        .expect("BITS from the VMM server");
    assert_eq!(
        bits.0,
        PaneLine::Flow(vmmports::audit::flows::Verdict::Blocked)
    );
    assert!(bits.1.starts_with("✗ blocked"), "{}", bits.1);
    let winrm = lines
        .iter()
        .find(|(_, l)| l.contains("5985/tcp vmm-to-host-winrm "))
        .expect("WinRM");
    assert!(winrm.1.starts_with("✓ allowed"), "{}", winrm.1);
    // The program the allow rule is for is what the verdict rests on.
    assert!(winrm.1.contains("assuming"), "{}", winrm.1);
    // The script follows, after a blank line.
    let blank = lines.iter().position(|(_, l)| l.is_empty()).unwrap();
    assert!(lines[blank + 1].0 == PaneLine::Script);
    let screen = draw(&app, 120, 40);
    assert!(screen.contains("Hyper-V host ✗"), "{screen}");
    assert!(
        screen.contains("✗ blocked 443/tcp vmm-to-host-bits"),
        "{screen}"
    );
    insta::assert_snapshot!("machine_audited_120x40", screen);
}

#[test]
fn y_copies_the_script_alone_and_other_machines_have_no_marks() {
    let mut app = app_with_audit();
    on_the_host(&mut app);
    settle(&mut app, &[CopyRule], 120, 40);
    let copied = app.last_copy.clone().unwrap();
    assert!(copied.contains("New-NetFirewallRule"), "{copied}");
    assert!(!copied.contains("blocked"), "{copied}");
    // The SQL Server has no firewall loaded: its pane is its script.
    let sql = app
        .machines()
        .iter()
        .position(|m| m.id == "sql-server")
        .unwrap();
    let host = app.machine.selected;
    let moves = if sql > host {
        vec![Down; sql - host]
    } else {
        vec![Up; host - sql]
    };
    settle(&mut app, &moves, 120, 40);
    assert!(
        app.machine_pane_lines()
            .iter()
            .all(|(kind, _)| *kind == PaneLine::Script)
    );
}

#[test]
fn the_verdicts_follow_the_settings() {
    let mut app = app_with_audit();
    on_the_host(&mut app);
    let before = app.audit_of("hyperv-host").unwrap().results.clone();
    // With the VMM server's address given, the SMB flow from it is no
    // longer asked about for every address: the guest network's block
    // does not touch it, so it is allowed, not partly.
    let mut settings = app.settings.clone();
    settings
        .add_remote(&app.catalog, "vmm-server=10.0.0.5")
        .unwrap();
    app.apply_settings(settings);
    let after = app.audit_of("hyperv-host").unwrap().results.clone();
    let smb = |results: &[vmmports::audit::flows::Audited]| {
        results
            .iter()
            .find(|a| a.flow.connection == "vmm-to-host-agent" && a.flow.ports == (445, 445))
            .unwrap()
            .verdict
    };
    assert_eq!(smb(&before), vmmports::audit::flows::Verdict::Partly);
    assert_eq!(smb(&after), vmmports::audit::flows::Verdict::Allowed);
}

#[test]
fn a_bad_audit_flag_is_refused_before_anything_starts() {
    for (args, says) in [
        (vec!["--audit", "hyper-v"], "no `=`"),
        (vec!["--audit", "toaster=x.json"], "toaster"),
        (
            vec!["--audit", "hyper-v=/no/such.json"],
            "cannot read /no/such.json",
        ),
        (
            vec!["--audit", "hyper-v=docs/audit.in/hv01-firewall.json"],
            "stdout is not a terminal",
        ),
    ] {
        // `--print` asks for the explorer even in a pipe, so the flags are
        // checked as the explorer checks them (the first three); without
        // it, a pipe gets the list, and --audit is said to need the
        // explorer (the last).
        let print = !says.contains("terminal");
        let mut command = vmmports();
        if print {
            command.arg("--print");
        }
        let out = command.args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(says), "{args:?}: {said}");
    }
}
