//! Paste-safety against hostile input (`tests/common/hostile.rs`), read by
//! real grammars rather than by string matching:
//!
//! - every line of a PowerShell or netsh script, made from a hostile
//!   catalog or hostile flags, is to PowerShell's grammar one plain command
//!   (`New-NetFirewallRule`, `Set-NetFirewallRule`, `netsh`, or the failing
//!   but inert `REM`) or a comment, with no nested command, sub-expression,
//!   variable or redirection;
//! - what cannot be written safely is refused with exit 2, naming the
//!   character and where it is;
//! - no control or invisible character reaches stdout or stderr, whatever
//!   the input.
//!
//! `paste_safety_shells_unix.rs` pastes the Linux dialects into real bash,
//! dash and zsh.

mod common;

use std::process::Output;

use common::hostile;
use common::powershell_grammar::{parser, pasted_line};
use common::process::Start;
use vmmports::rules::Dialect;

use hostile::vmmports;

/// Fails when `output` holds a control character other than a line break,
/// or an invisible one: nothing printed may drive the terminal or hide text.
fn assert_clean(output: &Output, context: &str) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8(bytes.clone())
            .unwrap_or_else(|e| panic!("{context}: {stream} is not UTF-8: {e}"));
        if let Some(c) = text
            .chars()
            .find(|&c| c != '\n' && vmmports::text::is_unsafe(c))
        {
            panic!(
                "{context}: {stream} holds U+{:04X}:\n{}",
                c as u32,
                text.escape_debug()
            );
        }
    }
}

/// Checks every line of a Windows script as PowerShell reads it.
fn assert_windows_script_inert(script: &str, dialect: Dialect, context: &str) {
    let allowed: &[&str] = match dialect {
        Dialect::Powershell => &["New-NetFirewallRule", "Set-NetFirewallRule"],
        Dialect::Netsh => &["netsh", "REM"],
        _ => unreachable!("only the Windows dialects"),
    };
    let mut parser = parser();
    let mut commands = 0;
    for line in script.lines().filter(|l| !l.trim().is_empty()) {
        match pasted_line(&mut parser, line) {
            Ok(None) => assert!(
                dialect == Dialect::Powershell && line.starts_with("# "),
                "{context}: a comment that is not a comment line: {line}"
            ),
            Ok(Some(name)) => {
                assert!(
                    allowed.contains(&name.as_str()),
                    "{context}: `{name}` runs in\n{line}"
                );
                commands += usize::from(name != "REM");
            }
            Err(e) => panic!("{context}: {e}"),
        }
    }
    assert!(commands > 0, "{context}: no rule at all:\n{script}");
}

#[test]
fn stock_and_hostile_catalogs_run_nothing_in_powershell() {
    let (_dir, data) = hostile::catalog_in_tempdir(false);
    let data = data.as_str();
    let catalogs: [&[&str]; 2] = [&[], &["--data", data]];
    for dialect in [Dialect::Powershell, Dialect::Netsh] {
        for (catalog, extra) in catalogs.iter().flat_map(|c| {
            [
                (c, &[][..]),
                (
                    c,
                    &["--remote", "vmm-server=10.0.0.5", "--any-for-missing"][..],
                ),
            ]
        }) {
            let mut args = catalog.to_vec();
            args.extend(["rules", "--format", dialect.name()]);
            args.extend_from_slice(extra);
            let out = vmmports(&args);
            let context = format!("{args:?}");
            let script = hostile::script(&out, &context);
            assert_clean(&out, &context);
            assert_windows_script_inert(&script, dialect, &context);
        }
    }
}

#[test]
fn hostile_groups_run_nothing_in_powershell_or_are_refused() {
    for group in hostile::GROUPS {
        for dialect in [Dialect::Powershell, Dialect::Netsh] {
            let args = ["rules", "--format", dialect.name(), "--group", group];
            let context = format!("{args:?}");
            let out = vmmports(&args);
            assert_clean(&out, &context);
            if let Some(script) = hostile::script_or_refusal(&out, &context) {
                assert_windows_script_inert(&script, dialect, &context);
            } else {
                let stderr = String::from_utf8(out.stderr).unwrap();
                assert!(
                    stderr.contains("character") && stderr.contains("help:"),
                    "{context}: says which character, where, and what to do: {stderr}"
                );
            }
        }
    }
}

/// The refusals the Windows dialects make, each with the character and its
/// place in the message.
#[test]
fn what_windows_cannot_take_is_refused_with_the_character_and_where() {
    let cases: [(&str, &str, &str); 8] = [
        ("powershell", "VMM|prod", "`|` at character 4"),
        ("powershell", "VMM*", "`*` at character 4"),
        ("powershell", "VMM [prod]", "`[` at character 5"),
        ("powershell", "a?b", "`?` at character 2"),
        ("powershell", "a&b", "`&` at character 2"),
        ("powershell", "a>b", "`>` at character 2"),
        ("netsh", "VMM!x!", "has `!` at character 4"),
        ("netsh", "VMM|prod", "has `|` at character 4"),
    ];
    for (dialect, group, says) in cases {
        let args = ["rules", "--format", dialect, "--group", group];
        let out = vmmports(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: half a script");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        // The same group is fine for the Linux dialects, which quote it.
        let linux = vmmports(&["rules", "--format", "nft", "--group", group]);
        assert_eq!(linux.status.code(), Some(0), "{group} for nft");
    }
    // `|` in a catalog text that becomes a rule's description.
    let (_dir, data) = hostile::catalog_in_tempdir(true);
    let data = data.as_str();
    let out = vmmports(&["--data", data, "rules", "--format", "powershell"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("the description of vmm-to-host-agent has `|` at character 11"),
        "{stderr}"
    );
    let out = vmmports(&["--data", data, "rules", "--format", "nft"]);
    assert_eq!(out.status.code(), Some(0), "nft keeps `|` in its quotes");
}

/// Invisible characters make a line read differently from what it does:
/// refused in every flag, every catalog field and the config, with their
/// name and position.
#[test]
fn invisible_characters_are_refused_everywhere() {
    let rlo = "\u{202E}";
    let flags: Vec<Vec<String>> = vec![
        vec!["rules".into(), "--group".into(), format!("VMM{rlo}x")],
        vec![
            "rules".into(),
            "--remote".into(),
            format!("vmm-server=10.0.0.5{rlo}"),
        ],
        vec!["rules".into(), "--on".into(), format!("sql{rlo}")],
        vec![
            "rules".into(),
            "--set-port".into(),
            format!("SqlPort{rlo}=1533"),
        ],
        vec!["list".into(), format!("win{rlo}rm")],
        vec!["check".into(), format!("host{rlo}"), "winrm".into()],
    ];
    for args in flags {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = vmmports(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_clean(&out, &format!("{args:?}"));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("U+202E RIGHT-TO-LEFT OVERRIDE at character"),
            "{args:?}: {stderr}"
        );
    }
    let others = ['\u{200B}', '\u{FEFF}', '\u{2028}', '\u{2066}'];
    for invisible in others.into_iter().chain(hostile::INVISIBLE) {
        let group = format!("VMM{invisible}");
        let out = vmmports(&["rules", "--group", &group]);
        let code = format!("U+{:04X}", invisible as u32);
        assert_eq!(out.status.code(), Some(2), "{code}");
        assert_clean(&out, &code);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(&code), "{code}: {stderr}");
    }
    // In a catalog too, where a noncharacter would later break Aerleon's
    // YAML loader (issue 21).
    for invisible in hostile::INVISIBLE {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = vmmports::catalog::embedded().unwrap();
        catalog.components[0].name = format!("VMM server{invisible}");
        let path = dir.path().join("c.json");
        std::fs::write(&path, vmmports::catalog::to_json(&catalog)).unwrap();
        let out = vmmports(&["validate", path.to_str().unwrap()]);
        let code = format!("U+{:04X}", invisible as u32);
        assert_eq!(out.status.code(), Some(2), "{code}");
        assert_clean(&out, &code);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(&code), "{code}: {stderr}");
    }
    // Catalog fields, the title and the source included.
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = vmmports::catalog::embedded().unwrap();
    catalog.title = format!("VMM{rlo} 2025");
    catalog.components[2].name = "SQL\u{200B}Server".to_string();
    let path = dir.path().join("invisible.json");
    std::fs::write(&path, vmmports::catalog::to_json(&catalog)).unwrap();
    let out = vmmports(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_clean(&out, "validate");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("U+202E"), "{stderr}");
    assert!(stderr.contains("U+200B ZERO WIDTH SPACE"), "{stderr}");
    assert!(
        stderr.contains("invisible.json:2:") || stderr.contains("invisible.json:"),
        "file:line:col: {stderr}"
    );
}

/// Escape sequences from input (a catalog value, an unknown enum value, a
/// config key, a flag) never reach the terminal: an OSC 52 in an error must
/// not set the clipboard, nor a title sequence the window title.
#[test]
fn no_control_character_reaches_stdout_or_stderr() {
    let osc52 = "\u{1b}]52;c;cHduZWQ=\u{7}";
    let dir = tempfile::tempdir().unwrap();
    let ron = vmmports::catalog::to_ron(&vmmports::catalog::embedded().unwrap());
    let files = [
        // A control character in the title (an escape in the RON string).
        (
            "title.ron",
            ron.replacen("title: \"", "title: \"\\u{1b}]0;TITLE\\u{7}\\u{1b}[2J", 1),
        ),
        // An unknown enum value that carries OSC 52.
        (
            "enum.ron",
            ron.replacen("kind: windows", &format!("kind: \"{osc52}\""), 1),
        ),
        // C1 controls, raw in a JSON string.
        (
            "c1.json",
            vmmports::catalog::to_json(&vmmports::catalog::embedded().unwrap()).replacen(
                "\"title\": \"",
                "\"title\": \"\u{9b}2J\u{85}",
                1,
            ),
        ),
    ];
    for (name, text) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        for args in [vec!["validate", path], vec!["--data", path, "list"]] {
            let out = vmmports(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert_clean(&out, &format!("{args:?}"));
        }
    }
    // Flags and query words, including clap's own errors.
    for args in [
        vec!["rules", "--group", osc52],
        vec!["--color", osc52, "list"],
        vec!["list", "--format", osc52],
        vec!["show", osc52],
        vec![osc52],
        vec!["rules", "--remote", "vmm-server=\u{9b}2J"],
    ] {
        let out = vmmports(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_clean(&out, &format!("{args:?}"));
    }
    // A config file whose group and keys carry escapes.
    for config in [
        format!(
            "Config(settings: (group: \"{}\"))\n",
            "\\u{1b}]52;c;eA==\\u{7}"
        ),
        format!("Config(settings: (\"{osc52}\": 1))\n"),
        format!(
            "Config(hosts: {{\"sql-server\": \"{}\"}}, oops: 1)\n",
            "\\u{1b}[2J"
        ),
    ] {
        let (home, _) = common::config::config_home(&config);
        let out = common::binary::vmmports()
            .args(["rules"])
            .env("XDG_CONFIG_HOME", home.path())
            .run();
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert_clean(&out, &config);
    }
}
