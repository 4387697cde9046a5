//! The Linux dialects pasted whole into real interactive shells: Debian's
//! bash, dash and zsh (`zsh -f`: no rc files, so `interactivecomments` is
//! off, as it is by default), with the firewall tools stubbed. Made from
//! the hostile corpus (`tests/common/hostile.rs`), no script may create a
//! marker file, and each shell must run exactly the tool calls a plain
//! non-interactive `sh` runs for the same script.
//!
//! A control case shows the harness can fail: a `#` line is a command in
//! this zsh.

// Unix only: bash, dash and zsh.
#![cfg(unix)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::hostile;
use common::needs;
use common::process::run_with_input;

/// The tools the Linux dialects call, stubbed: each logs its name and
/// arguments and succeeds.
const TOOLS: [&str; 7] = common::stubs::LINUX_TOOLS;

const STUB: &str = "#!/bin/sh\n{ printf '%s' \"${0##*/}\"; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; printf '\\n'; } >> \"$STUB_LOG\"\nexit 0\n";

/// The shells an admin pastes into, as interactive shells reading the
/// paste from their input.
const SHELLS: [(&str, &[&str]); 3] = [
    ("bash", &["--norc", "--noprofile", "-i"]),
    ("dash", &["-i"]),
    ("zsh", &["-f", "-i"]),
];

fn shells_present() -> bool {
    let missing: Vec<String> = SHELLS
        .iter()
        .map(|(shell, _)| *shell)
        .filter(|shell| {
            !Command::new(shell)
                .arg("-c")
                .arg("exit 0")
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(String::from)
        .collect();
    needs::ready(&missing, "apt-get install zsh dash (.ci/run installs them)")
}

/// A scratch place: `work/` is where the shell runs, `bin/` the stubs, and
/// the stubs log their calls to `log`.
struct Scratch {
    stubs: common::stubs::Scratch,
    log: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let stubs = common::stubs::Scratch::new(&TOOLS, STUB);
        Scratch {
            log: stubs.root.path().join("calls.log"),
            stubs,
        }
    }

    /// Runs `shell args` with `script` as its input, and returns the tool
    /// calls it made.
    fn paste(&self, shell: &str, args: &[&str], script: &str) -> String {
        let _ = std::fs::remove_file(&self.log);
        let (bin, work) = (&self.stubs.bin, &self.stubs.work);
        run_with_input(
            Command::new(shell)
                .args(args)
                .current_dir(work)
                .env_clear()
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .env("HOME", work)
                .env("TERM", "dumb")
                .env("STUB_LOG", &self.log),
            &self.stubs.root.path().join("paste.txt"),
            script,
            Duration::from_secs(60),
            &format!("{shell}, with the paste"),
        );
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn markers(&self) -> Vec<String> {
        let mut found = hostile::markers(&self.stubs.work);
        found.extend(hostile::markers(&self.stubs.bin));
        found
    }
}

use hostile::vmmports;

/// Pastes `script` into every shell, and into a plain `sh` for reference.
fn assert_inert_everywhere(script: &str, context: &str) {
    let scratch = Scratch::new();
    let reference = scratch.paste("sh", &[], script);
    if script
        .lines()
        .any(|l| TOOLS.iter().any(|t| l.starts_with(&format!("{t} "))))
    {
        assert!(!reference.is_empty(), "{context}: the stubs logged nothing");
    }
    assert!(
        scratch.markers().is_empty(),
        "{context}: sh: {:?}",
        scratch.markers()
    );
    for (shell, args) in SHELLS {
        let calls = scratch.paste(shell, args, script);
        let markers = scratch.markers();
        assert!(
            markers.is_empty(),
            "{context}: pasted into {shell}, the script created {markers:?}"
        );
        assert_eq!(
            calls, reference,
            "{context}: {shell} ran other tool calls than sh"
        );
    }
}

/// The Linux dialects of the hostile catalog, and of the stock one.
#[test]
fn linux_scripts_run_nothing_else_in_bash_dash_and_zsh() {
    if !shells_present() {
        return;
    }
    let (_dir, data) = hostile::catalog_in_tempdir(true);
    let data = data.as_str();
    for dialect in ["nft", "iptables", "firewalld", "ufw", "probe"] {
        for catalog in [None, Some(data)] {
            let mut args = Vec::new();
            if let Some(data) = catalog {
                args.extend(["--data", data]);
            }
            args.extend(["rules", "--format", dialect, "--on", "guest-vm"]);
            let all: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| *a != "--on" && *a != "guest-vm")
                .collect();
            for args in [args.clone(), all] {
                let context = format!("{args:?}");
                let script = hostile::script(&vmmports(&args), &context);
                assert_inert_everywhere(&script, &context);
            }
        }
    }
}

/// Hostile groups reach comments, headers and rule comments; where a
/// dialect cannot hold one it refuses (exit 2) and prints no script.
#[test]
fn hostile_groups_run_nothing_else_in_bash_dash_and_zsh() {
    if !shells_present() {
        return;
    }
    for group in hostile::GROUPS {
        for dialect in ["nft", "iptables", "firewalld", "ufw", "probe"] {
            let args = [
                "rules", "--format", dialect, "--on", "guest-vm", "--group", group,
            ];
            let context = format!("{args:?}");
            if let Some(script) = hostile::script_or_refusal(&vmmports(&args), &context) {
                assert_inert_everywhere(&script, &context);
            }
        }
    }
}

/// The harness sees what it is meant to: in this zsh a `#` line runs.
/// The `next: aclgen …` line `policy` prints, for an `--out` folder whose
/// name is code in sh, pasted into every shell: it runs `aclgen` with the
/// three folders as three arguments, and nothing else.
#[test]
fn the_policys_next_line_runs_only_aclgen_in_bash_dash_and_zsh() {
    if !shells_present() {
        return;
    }
    let stubs = common::stubs::Scratch::new(&["aclgen"], STUB);
    let out = stubs
        .root
        .path()
        .join("pol x;touch pwned-out $(touch pwned-subst) `touch pwned-tick` it's");
    let report = hostile::script(
        &vmmports(&[
            "policy",
            "to:hyper-v",
            "--any-for-missing",
            "--out",
            out.to_str().unwrap(),
        ]),
        "policy",
    );
    let line = report
        .lines()
        .find_map(|l| l.strip_prefix("next: "))
        .expect("a next: line");
    let scratch = Scratch {
        log: stubs.root.path().join("calls.log"),
        stubs,
    };
    let expected = format!(
        "aclgen [--base_directory={0}/policies] [--definitions_directory={0}/def] [--output_directory={0}/acls]\n",
        out.display()
    );
    for (shell, args) in [("sh", &[][..])].into_iter().chain(SHELLS) {
        let calls = scratch.paste(shell, args, &format!("{line}\n"));
        assert_eq!(calls, expected, "{shell}: {line}");
        assert!(
            scratch.markers().is_empty(),
            "{shell}: {:?}",
            scratch.markers()
        );
    }
}

#[test]
fn control_a_hash_line_runs_in_interactive_zsh() {
    if !shells_present() {
        return;
    }
    let scratch = Scratch::new();
    scratch.paste(
        "zsh",
        &["-f", "-i"],
        "# catalog: x; touch pwned-control; :\n",
    );
    assert_eq!(
        scratch.markers(),
        ["pwned-control"],
        "zsh without interactivecomments"
    );
    let scratch = Scratch::new();
    scratch.paste(
        "bash",
        &["--norc", "--noprofile", "-i"],
        "# catalog: x; touch pwned-control; :\n",
    );
    assert!(scratch.markers().is_empty(), "bash reads # as a comment");
}
