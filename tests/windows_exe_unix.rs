//! The Windows binary, `vmmports.exe` cross-built for x86_64-pc-windows-gnu,
//! run under Wine and held to what a Windows admin needs:
//!
//! - it prints byte for byte what the Linux binary prints (tables, JSON, CSV,
//!   the RON export, and every rule dialect);
//! - it imports only DLLs that a clean Windows Server ships;
//! - it reads its config from `%APPDATA%\vmmports\config.ron`, lets
//!   `XDG_CONFIG_HOME` win, and reports a broken file there by name with
//!   exit 2, leaving it untouched;
//! - `doctor` tells a Windows desktop, Windows Terminal and Windows' OpenSSH
//!   server apart;
//! - `rules --copy` over SSH sends the script through the console as OSC 52;
//! - the explorer, in a terminal, gives the console back on `q` and when the
//!   console asks it to stop (Wine turns SIGINT into a console Ctrl-C event,
//!   which reaches the same handler as Ctrl-Break and a closed window).
//!
//! Wine is only the harness. `.ci/run` builds the .exe and sources
//! `.ci/wine/setup` (prefix, ProcessPrng stand-in, one persistent
//! wineserver). Without them these tests fail when `CI` is set, and
//! otherwise say what to run and pass.

// Unix only: Wine runs the Windows binary on Linux.
#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use common::pty::{self, Pty, within_timeout};
use common::wine::{Run, Wine, is_ci, run, wine};
use vmmports::rules::Dialect;

/// How long a start in a terminal may take: the first in a Wine session
/// also starts Wine's console host. (Within `pty::SCENARIO`.)
const TERMINAL_START_LIMIT: Duration = Duration::from_secs(45);

fn linux(args: &[&str], env: &[(&str, &OsStr)]) -> Run {
    run(&pty::vmmports(), args, env)
}

#[test]
fn windows_binary_prints_what_the_linux_binary_prints() {
    let Some(wine) = wine() else { return };
    // Both read an empty config folder, so no admin's file changes a byte.
    let empty = tempfile::tempdir().unwrap();
    let env = [("XDG_CONFIG_HOME", empty.path().as_os_str())];
    let mut cases: Vec<Vec<String>> = [
        "list --format json",
        "list",
        "list hyper-v --format csv",
        "list winrm --format markdown",
        "show vmm-to-host-agent",
        "export --format ron",
        "export --format json",
        "rules --on sql --format powershell --remote vmm-server=10.0.0.5 --group Contoso",
        "completions powershell",
        "audit --on hyper-v docs/audit.in/hv01-firewall.json --remote vmm-server=10.0.0.5",
        "audit --on guest-vm tests/data/audit/iptables/ufw.save --format json",
        "audit --on hyper-v tests/data/audit/nft/firewalld-1.3.3.json",
    ]
    .iter()
    .map(|line| line.split(' ').map(String::from).collect())
    .collect();
    for dialect in Dialect::ALL {
        cases.push(vec![
            "rules".into(),
            "--format".into(),
            dialect.name().into(),
        ]);
    }
    for case in cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let expected = linux(&args, &env);
        let actual = wine.vmmports(&args, &env);
        // 1 is a verdict (`audit` found a flow blocked), not a failure.
        assert!(
            matches!(expected.code, Some(0 | 1)),
            "{args:?} on Linux: {}",
            expected.stderr
        );
        assert_eq!(actual.code, expected.code, "{args:?}: {}", actual.stderr);
        assert!(!expected.stdout.is_empty(), "{args:?} printed nothing");
        // LF everywhere: no CRLF is chosen on Windows, so no allowance.
        if actual.stdout != expected.stdout {
            let (a, e) = (
                String::from_utf8_lossy(&actual.stdout),
                String::from_utf8_lossy(&expected.stdout),
            );
            // Split on LF alone, so a stray CR shows in the lines compared.
            let (a, e): (Vec<&str>, Vec<&str>) = (a.split('\n').collect(), e.split('\n').collect());
            let line = (0..a.len().max(e.len()))
                .find(|&i| a.get(i) != e.get(i))
                .unwrap_or_default();
            panic!(
                "{args:?}: the Windows binary differs from line {}:\n  windows: {:?}\n  linux:   {:?}",
                line + 1,
                a.get(line),
                e.get(line)
            );
        }
    }
}

/// DLLs a clean Windows Server has (API sets resolve inside Windows).
fn ships_with_windows(dll: &str) -> bool {
    let dll = dll.to_ascii_lowercase();
    dll.starts_with("api-ms-win-")
        || [
            "kernel32.dll",
            "kernelbase.dll",
            "ntdll.dll",
            "user32.dll",
            "gdi32.dll",
            "advapi32.dll",
            "shell32.dll",
            "ole32.dll",
            "oleaut32.dll",
            "userenv.dll",
            "ws2_32.dll",
            "bcrypt.dll",
            "bcryptprimitives.dll",
            "msvcrt.dll",
            "ucrtbase.dll",
            "secur32.dll",
            "crypt32.dll",
            "ncrypt.dll",
            "combase.dll",
            "iphlpapi.dll",
            "dnsapi.dll",
            "synchronization.dll",
        ]
        .contains(&dll.as_str())
}

#[test]
fn windows_binary_imports_only_dlls_windows_ships() {
    let Some(wine) = wine() else { return };
    let mut exes = vec![wine.exe.clone()];
    // The release build is what admins copy to a server; .ci/run builds it.
    let release = wine
        .exe
        .parent()
        .and_then(Path::parent)
        .map(|target| target.join("release/vmmports.exe"));
    match release {
        Some(path) if path.is_file() => exes.push(path),
        _ if is_ci() => panic!("CI builds the release vmmports.exe too"),
        _ => {}
    }
    for exe in exes {
        let out = Command::new("x86_64-w64-mingw32-objdump")
            .arg("-p")
            .arg(&exe)
            .output()
            .expect("x86_64-w64-mingw32-objdump (apt-get install binutils-mingw-w64-x86-64)");
        assert!(out.status.success(), "objdump -p {}", exe.display());
        let text = String::from_utf8_lossy(&out.stdout);
        let dlls: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("DLL Name: "))
            .collect();
        assert!(
            dlls.iter().any(|d| d.eq_ignore_ascii_case("kernel32.dll")),
            "{text}"
        );
        let foreign: Vec<_> = dlls.iter().filter(|d| !ships_with_windows(d)).collect();
        assert!(
            foreign.is_empty(),
            "{} needs DLLs a clean Windows Server lacks: {foreign:?}",
            exe.display()
        );
    }
}

#[test]
fn windows_binary_keeps_its_config_in_appdata() {
    let Some(wine) = wine() else { return };
    let appdata = wine.windows_variable("APPDATA");
    let windows_file = format!("{appdata}\\vmmports\\config.ron");
    let folder = RemovedAtEnd(wine.unix_path(&appdata).join("vmmports"));
    let file = folder.0.join("config.ron");
    let _ = std::fs::remove_dir_all(&folder.0);
    std::fs::create_dir_all(&folder.0).unwrap();
    let rules = |env: &[(&str, &OsStr)]| wine.vmmports(&["rules", "--on", "sql"], env);

    // Read from %APPDATA% when XDG_CONFIG_HOME is not set.
    std::fs::write(&file, "Config(settings: (group: \"FromAppData\"))\n").unwrap();
    let out = rules(&[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout().contains("-Group 'FromAppData'"),
        "{}",
        out.stdout()
    );

    // XDG_CONFIG_HOME wins on Windows too, written as a Windows path.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("vmmports")).unwrap();
    std::fs::write(
        xdg.path().join("vmmports").join("config.ron"),
        "Config(settings: (group: \"FromXdg\"))\n",
    )
    .unwrap();
    let xdg_windows = format!("Z:{}", xdg.path().display()).replace('/', "\\");
    let out = rules(&[("XDG_CONFIG_HOME", OsStr::new(&xdg_windows))]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout().contains("-Group 'FromXdg'"),
        "{}",
        out.stdout()
    );

    // A broken file there is named, with line:col, exit 2, and left alone.
    let broken = "Config(\n  settings: (group: 5),\n)\n";
    std::fs::write(&file, broken).unwrap();
    let out = rules(&[]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no half a script: {}", out.stdout());
    assert!(
        out.stderr.contains(&format!("{windows_file}:2:")),
        "names {windows_file}:\n{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
}

/// A folder removed when the test ends, passed or failed, so a broken config
/// left in the shared Wine prefix cannot change the Windows-target tests
/// that run after this one.
struct RemovedAtEnd(PathBuf);

impl Drop for RemovedAtEnd {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn windows_doctor_tells_the_console_and_the_route() {
    let Some(wine) = wine() else { return };
    let doctor = |env: &[(&str, &str)]| {
        let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, OsStr::new(v))).collect();
        let out = wine.vmmports(&["doctor"], &env);
        assert!(out.code.is_some_and(|c| c <= 1), "{}", out.stderr);
        out.stdout()
    };
    let line = |report: &str, label: &str| -> String {
        report
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label:?} line:\n{report}"))
            .to_string()
    };

    let desktop = doctor(&[]);
    assert!(line(&desktop, "console").contains("conhost"), "{desktop}");
    assert!(line(&desktop, "SSH session").contains("no"), "{desktop}");
    assert!(line(&desktop, "Remote Desktop").contains("no"), "{desktop}");
    let copy = line(&desktop, "copy with");
    assert!(
        copy.contains("the system clipboard") && copy.contains("Windows desktop"),
        "{desktop}"
    );
    for unix_only in ["tmux", "GNU screen", "display"] {
        assert!(
            !desktop.lines().any(|l| l.starts_with(unix_only)),
            "{unix_only} means nothing on Windows:\n{desktop}"
        );
    }

    let terminal = doctor(&[("WT_SESSION", "0e7f4d54-5d3b-4f0c-9a53-cd2d9c1a2b11")]);
    assert!(
        line(&terminal, "console").contains("Windows Terminal"),
        "{terminal}"
    );

    // Remote Desktop (SESSIONNAME=RDP-Tcp#N) is left to the unit tests:
    // Wine sets SESSIONNAME itself, whatever the Unix side passes.

    for var in ["SSH_CONNECTION", "SSH_CLIENT"] {
        let ssh = doctor(&[(var, "10.0.0.9 50123 10.0.0.5 22")]);
        assert!(line(&ssh, "SSH session").contains("yes"), "{var}:\n{ssh}");
        assert!(line(&ssh, "console").contains("ConPTY"), "{var}:\n{ssh}");
        assert!(line(&ssh, "copy with").contains("OSC 52"), "{var}:\n{ssh}");
        assert!(
            ssh.contains("microsoft/terminal#15551") && ssh.contains("--print"),
            "{var}: the ConPTY caveat and the route that always works:\n{ssh}"
        );
    }
}

/// The explorer's status line with no message: the catalog and the
/// dialect. Nothing else prints it.
const FOOTER_STATUS: &str = "2016-2025 · powershell";

/// The explorer under Wine in a Unix terminal: Wine's console host draws
/// it, as conhost does for a ConPTY session. Returns once the first frame is
/// up, on the alternate screen.
fn explorer(wine: &Wine) -> (Pty, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = pty::command(&wine.wine, &[wine.exe.to_str().unwrap()], home.path());
    cmd.env("WINEDEBUG", "-all");
    for var in ["WT_SESSION", "SESSIONNAME"] {
        cmd.env_remove(var);
    }
    let pty = Pty::start(cmd, 120, 40, true);
    // A first start in a Wine session also starts Wine's console host.
    // That host re-wraps the frame at widths of its own (the same with
    // builds that passed before), so the key hints can spill over rows the
    // status line then covers: the status line itself (the catalog and
    // the dialect, on the last row) marks the footer.
    pty.wait_until_within(TERMINAL_START_LIMIT, "the explorer's footer", |s| {
        s.parser.screen().contents().contains(FOOTER_STATUS)
    });
    assert!(
        pty.screen(|s| s.alternate_screen()),
        "the explorer draws on the alternate screen"
    );
    (pty, home)
}

/// After the explorer: the main screen is back and the explorer is gone
/// from it. (Wine's console host keeps the cursor shown throughout, and on
/// Windows mouse capture is a console mode, not a VT sequence, so neither
/// can be seen from this side.)
fn assert_console_back(pty: &Pty, after: &str) {
    let screen = pty.screen(|s| s.contents());
    assert!(
        !pty.screen(|s| s.alternate_screen()),
        "main screen after {after}"
    );
    assert!(
        !screen.contains(FOOTER_STATUS),
        "the explorer is gone after {after}:\n{screen}"
    );
}

#[test]
fn windows_explorer_gives_the_console_back_on_q_and_on_a_console_ctrl_event() {
    let Some(wine) = wine() else { return };
    let wine = std::sync::Arc::new(wine);
    let on_q = std::sync::Arc::clone(&wine);
    within_timeout(move || {
        let (mut pty, _home) = explorer(&on_q);
        pty.send(b"q");
        let status = pty.wait_exit();
        assert_eq!(status.exit_code(), 0, "after q: {status}");
        assert_console_back(&pty, "q");
    });
    within_timeout(move || {
        let (mut pty, _home) = explorer(&wine);
        // Wine delivers SIGINT to a console program as CTRL_C_EVENT, through
        // the handler Ctrl-Break and a closed window also reach; exit 130
        // comes only from that handler's hook (without it, Wine ends the
        // process with status 0, as a test of this test showed).
        pty.signal("INT");
        let status = pty.wait_exit();
        assert_eq!(
            status.exit_code(),
            130,
            "the console handler ended the explorer: {status}"
        );
        assert_console_back(&pty, "a console control event");
    });
}

/// `rules --copy` in an SSH session into Windows: the script goes to stdout
/// and, as OSC 52, through the console to the terminal, whose clipboard then
/// holds exactly the script the Linux binary prints.
#[test]
fn windows_rules_copy_over_ssh_reaches_the_terminal_as_osc52() {
    let Some(wine) = wine() else { return };
    let empty = tempfile::tempdir().unwrap();
    let expected = linux(
        &["rules", "--on", "sql"],
        &[("XDG_CONFIG_HOME", empty.path().as_os_str())],
    );
    assert_eq!(expected.code, Some(0), "{}", expected.stderr);
    within_timeout(move || {
        let home = tempfile::tempdir().unwrap();
        let exe = wine.exe.to_str().unwrap();
        let mut cmd = pty::command(
            &wine.wine,
            &[exe, "rules", "--on", "sql", "--copy"],
            home.path(),
        );
        cmd.env("WINEDEBUG", "-all");
        cmd.env("SSH_CONNECTION", "10.0.0.9 50123 10.0.0.5 22");
        for var in ["WT_SESSION", "SESSIONNAME"] {
            cmd.env_remove(var);
        }
        let mut pty = Pty::start(cmd, 200, 60, true);
        pty.wait_until_within(TERMINAL_START_LIMIT, "the end of the output", |s| s.eof);
        let status = pty.wait_exit();
        assert_eq!(status.exit_code(), 0, "{}", pty.screen(|s| s.contents()));
        let copies = pty.copies();
        assert_eq!(copies.len(), 1, "one OSC 52 copy");
        let sent = base64::engine::general_purpose::STANDARD
            .decode(&copies[0].data)
            .expect("base64");
        assert_eq!(
            String::from_utf8(sent).unwrap(),
            expected.stdout(),
            "the clipboard holds the script"
        );
        let screen = pty.screen(|s| s.contents());
        assert!(screen.contains("Sent via OSC 52 (terminal)"), "{screen}");
        assert!(
            screen.contains("pseudo console"),
            "a long copy over Windows SSH warns of the old ConPTY limit:\n{screen}"
        );
    });
}
