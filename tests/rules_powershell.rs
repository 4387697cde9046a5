//! Windows dialects, checked offline: every PowerShell line of every
//! connection parses (tree-sitter-powershell) as exactly one expected command,
//! user text comes back from the parse unchanged, the four typographic quotes
//! PowerShell also ends strings on are doubled, netsh lines have their
//! documented shape, and Windows probes are single `Test-NetConnection` calls.

mod common;

use std::collections::BTreeSet;

use assert_cmd::Command;
use common::library::{Planned, commands, planned, script, script_all, with_group};
use common::powershell_grammar::{OneCommand, one_command, parser, walk};
use common::powershell_literal::{is_quote as is_ps_quote, read_literal, unquote as ps_unquote};
use common::process::Start;
use tree_sitter::Parser;
use vmmports::catalog::{Catalog, ComponentKind, Connection, Transport};
use vmmports::rules::Dialect;
use vmmports::rules::address::Address;
use vmmports::rules::plan::Rule;
use vmmports::rules::settings::Settings;

// ---------------------------------------------------------------------------
// Catalog, settings and scripts
// ---------------------------------------------------------------------------

fn catalog() -> Catalog {
    vmmports::catalog::embedded().expect("embedded catalog loads")
}

const ODD_GROUP: &str = "it's \u{2018}odd\u{2019} $(x) `y`";
const REMOTE: &str = "vmm-server=10.0.0.5,fd00::5,10.1.0.0/16,10.2.0.1-10.2.0.9,LocalSubnet";

/// One settings case: a label, the CLI flags, and the same as `Settings`.
struct Case {
    label: &'static str,
    flags: Vec<String>,
    settings: Settings,
}

/// The settings the brief names, built the way the CLI builds them.
fn cases(catalog: &Catalog) -> Vec<Case> {
    let mut out = Vec::new();
    out.push(Case {
        label: "defaults",
        flags: vec![],
        settings: Settings::default(),
    });

    // Only some peers get addresses: the rest are written open, each marked.
    let mut s = Settings {
        any_for_missing: true,
        ..Settings::default()
    };
    s.add_remote(catalog, REMOTE).unwrap();
    out.push(Case {
        label: "remote",
        flags: vec!["--remote".into(), REMOTE.into(), "--any-for-missing".into()],
        settings: s,
    });

    let s = with_group(ODD_GROUP);
    out.push(Case {
        label: "odd group",
        flags: vec!["--group".into(), ODD_GROUP.into()],
        settings: s,
    });

    let s = Settings {
        profiles: Settings::parse_profiles("domain,private").unwrap(),
        ..Settings::default()
    };
    out.push(Case {
        label: "profiles",
        flags: vec!["--profile".into(), "domain,private".into()],
        settings: s,
    });

    let mut s = Settings {
        include_dynamic: true,
        ..Settings::default()
    };
    s.set_port(catalog, "BitsTcpPort=8443").unwrap();
    out.push(Case {
        label: "set-port + dynamic",
        flags: vec![
            "--set-port".into(),
            "BitsTcpPort=8443".into(),
            "--include-dynamic".into(),
        ],
        settings: s,
    });

    for case in &out {
        case.settings
            .check(catalog)
            .unwrap_or_else(|e| panic!("{}: {}", case.label, e.message));
    }
    out
}

/// The script for one connection, on the catalog as deployed (setup ports
/// applied), exactly as `vmmports rules` does it.
fn script_for(effective: &Catalog, conn: &Connection, dialect: Dialect, s: &Settings) -> String {
    script(effective, &[conn], dialect, s).unwrap_or_else(|e| {
        panic!(
            "{} for {} refused: {} ({})",
            dialect.name(),
            conn.id,
            e.message,
            e.hint
        )
    })
}

fn windows_fits(kind: ComponentKind) -> bool {
    matches!(kind, ComponentKind::Windows | ComponentKind::Any)
}

fn vmmports() -> Command {
    common::binary::vmmports()
}

/// Runs the binary expecting success; returns stdout.
fn run_ok(args: &[String]) -> String {
    let out = vmmports().args(args).run();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------------------
// A reference for PowerShell's single-quoted strings
// ---------------------------------------------------------------------------

/// A command-line word as PowerShell's tokenizer splits it: the text outside
/// strings, and the values of the single-quoted strings in it.
#[derive(Debug, Default)]
struct Word {
    bare: String,
    literals: Vec<String>,
}

/// Splits a line on spaces outside strings, treating all five quote
/// characters as PowerShell does (tree-sitter knows only the ASCII one).
fn ps_words(line: &str) -> Result<Vec<Word>, String> {
    let mut words = Vec::new();
    let mut word = Word::default();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if is_ps_quote(c) {
            let (value, after) = read_literal(rest)?;
            word.literals.push(value);
            rest = after;
            continue;
        }
        if c == ' ' {
            if !word.bare.is_empty() || !word.literals.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.bare.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if !word.bare.is_empty() || !word.literals.is_empty() {
        words.push(word);
    }
    Ok(words)
}

/// The value of `-Flag 'text'` by the reference tokenizer: the word after
/// the flag must be one string and nothing else.
fn ps_flag_value(line: &str, flag: &str) -> Result<Option<String>, String> {
    let words = ps_words(line)?;
    let Some(i) = words
        .iter()
        .position(|w| w.literals.is_empty() && w.bare == flag)
    else {
        return Ok(None);
    };
    match words.get(i + 1) {
        Some(w) if w.bare.is_empty() && w.literals.len() == 1 => Ok(Some(w.literals[0].clone())),
        other => Err(format!("{flag} is followed by {other:?}, not one string")),
    }
}

/// Outside strings, a generated line holds only names, flags, numbers and
/// separators: nothing that starts a new statement, a subexpression, a
/// variable, a double-quoted string or a comment.
fn ps_bare_text_is_plain(line: &str) -> Result<(), String> {
    for word in ps_words(line)? {
        if let Some(c) = word
            .bare
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || "-,.:/".contains(c)))
        {
            return Err(format!("`{c}` outside a string in {line}"));
        }
    }
    Ok(())
}

#[test]
fn reference_unquoter_follows_powershell() {
    assert_eq!(ps_unquote("'VMM'").unwrap(), "VMM");
    assert_eq!(ps_unquote("'it''s'").unwrap(), "it's");
    assert_eq!(ps_unquote("'it\u{2019}\u{2019}s'").unwrap(), "it\u{2019}s");
    // Any quote kind ends the string, so an undoubled smart quote lets code out.
    assert!(ps_unquote("'it\u{2019}s'").is_err());
    assert!(ps_unquote("'a'; Remove-Item x").is_err());
    assert!(ps_unquote("'open").is_err());
    let words = ps_words("New-X -Group 'a b' -Port '1','2'").unwrap();
    assert_eq!(words.len(), 5);
    assert_eq!(words[2].literals, ["a b"]);
    assert_eq!(words[4].literals, ["1", "2"]);
    assert_eq!(words[4].bare, ",");
    assert!(ps_bare_text_is_plain("New-X -Group 'a; b' -Profile Domain,Private").is_ok());
    assert!(ps_bare_text_is_plain("New-X -Group 'a\u{2019}; b'").is_err());
}

// ---------------------------------------------------------------------------
// tree-sitter
// ---------------------------------------------------------------------------

const COMMANDS: [&str; 4] = [
    "New-NetFirewallRule",
    "Set-NetFirewallRule",
    "Test-NetConnection",
    "Test-Connection",
];

/// Parses one line; it must have no error and exactly one command node,
/// named as one of the commands we generate.
fn parse_line(parser: &mut Parser, line: &str) -> Result<OneCommand, String> {
    one_command(parser, line, &COMMANDS)
}

#[test]
fn tree_checks_catch_two_statements_and_unknown_commands() {
    let mut p = parser();
    assert!(parse_line(&mut p, "New-NetFirewallRule -Group 'a'; Remove-Item x").is_err());
    assert!(parse_line(&mut p, "Remove-Item -Path 'x'").is_err());
    assert!(parse_line(&mut p, "New-NetFirewallRule -Group 'a' | Remove-Item").is_err());
    let ok = parse_line(&mut p, "New-NetFirewallRule -Group 'it''s' -Profile Any").unwrap();
    assert_eq!(ok.name, "New-NetFirewallRule");
    assert_eq!(ok.string("-Group").unwrap(), "it's");
    // tree-sitter reads past an undoubled smart quote; the reference does not.
    let smart = parse_line(
        &mut p,
        "New-NetFirewallRule -Group 'a\u{2019}; Remove-Item x'",
    )
    .unwrap();
    assert!(smart.string("-Group").is_err());
}

// ---------------------------------------------------------------------------
// PowerShell rules
// ---------------------------------------------------------------------------

/// Checks every command line of a PowerShell script against the rules the
/// plan says it holds.
fn check_powershell_script(
    parser: &mut Parser,
    script: &str,
    settings: &Settings,
    planned: &[Planned],
    context: &str,
) {
    let rules: Vec<&Rule> = planned.iter().map(|p| &p.rule).collect();
    let mut seen_names = BTreeSet::new();
    let mut updated_names = BTreeSet::new();
    for line in commands(script, Dialect::Powershell) {
        let parsed = parse_line(parser, line).unwrap_or_else(|e| panic!("{context}: {e}"));
        ps_bare_text_is_plain(line).unwrap_or_else(|e| panic!("{context}: {e}"));
        // The -Name of the line, and the planned rule it names.
        let named_rule = || {
            let name = parsed
                .string("-Name")
                .unwrap_or_else(|e| panic!("{context}: {e}\n{line}"));
            let rule = *rules
                .iter()
                .find(|r| r.name == name)
                .unwrap_or_else(|| panic!("{context}: no planned rule named {name:?}"));
            (name, rule)
        };
        match parsed.name.as_str() {
            "New-NetFirewallRule" => {
                let group = parsed
                    .string("-Group")
                    .unwrap_or_else(|e| panic!("{context}: {e}\n{line}"));
                assert_eq!(group, settings.group, "{context}: -Group of\n{line}");
                let display = parsed
                    .string("-DisplayName")
                    .unwrap_or_else(|e| panic!("{context}: {e}\n{line}"));
                let (name, rule) = named_rule();
                assert_eq!(display, rule.display_name, "{context}: {line}");
                assert_eq!(
                    display,
                    format!(
                        "{} - {} ({}/{})",
                        settings.group,
                        rule.source_id,
                        rule.ports_text(),
                        rule.protocol()
                    ),
                    "{context}: display name format"
                );
                // ICMP has message types, not ports: one per IP family.
                if rule.transport == Transport::Icmp {
                    let want = match rule.protocol() {
                        "icmpv4" => format!(" -Protocol ICMPv4 -IcmpType {} ", rule.icmp_type()),
                        _ => format!(" -Protocol ICMPv6 -IcmpType {} ", rule.icmp_type()),
                    };
                    assert!(line.contains(&want), "{context}: want{want}in {line}");
                    assert!(!line.contains("Port "), "{context}: {line}");
                }
                assert!(name.starts_with(&settings.group), "{context}: {name}");
                parsed
                    .string("-Description")
                    .unwrap_or_else(|e| panic!("{context}: {e}\n{line}"));
                // The reference tokenizer agrees with tree-sitter.
                assert_eq!(
                    ps_flag_value(line, "-Group").unwrap().as_deref(),
                    Some(settings.group.as_str()),
                    "{context}: reference tokenizer on\n{line}"
                );
                assert_eq!(
                    ps_flag_value(line, "-DisplayName").unwrap().as_deref(),
                    Some(display.as_str())
                );
                let direction = if rule.is_inbound() {
                    "-Direction Inbound"
                } else {
                    "-Direction Outbound"
                };
                assert!(line.contains(direction), "{context}: {line}");
                let profile = if settings.profiles.is_empty() {
                    " -Profile Any ".to_string()
                } else {
                    let p: Vec<&str> = settings.profiles.iter().map(|p| p.name()).collect();
                    format!(" -Profile {} ", p.join(","))
                };
                assert!(line.contains(&profile), "{context}: want{profile}in {line}");
                // A second run finds the rule there; the Set line updates it.
                assert!(
                    line.ends_with(" -Action Allow -ErrorAction SilentlyContinue"),
                    "{context}: {line}"
                );
                assert_remote(rule, line, context);
                seen_names.insert(name);
            }
            "Set-NetFirewallRule" => {
                let (name, rule) = named_rule();
                assert!(
                    seen_names.contains(&name),
                    "{context}: {name} is updated before its New line"
                );
                assert_eq!(
                    parsed.string("-NewDisplayName").unwrap(),
                    rule.display_name,
                    "{context}: {line}"
                );
                assert!(line.contains(" -Enabled True "), "{context}: {line}");
                assert!(line.ends_with(" -Action Allow"), "{context}: {line}");
                assert_remote(rule, line, context);
                updated_names.insert(name);
            }
            // Deleting before creating could leave a port closed when the
            // create fails; the dialect never deletes.
            other => panic!("{context}: {other} in a rules script"),
        }
    }
    assert_eq!(
        seen_names, updated_names,
        "{context}: every created rule is also brought up to date"
    );
    // Every rule planned on a Windows (or either) machine has its line.
    let windows_rules: BTreeSet<String> = planned
        .iter()
        .filter(|p| windows_fits(p.kind))
        .map(|p| p.rule.name.clone())
        .collect();
    assert_eq!(
        seen_names, windows_rules,
        "{context}: rule lines are exactly the Windows rules of the plan"
    );
}

/// `-RemoteAddress` is always given, `Any` when the rule has no scope, so an
/// update also clears a scope an earlier run set.
fn assert_remote(rule: &Rule, line: &str, context: &str) {
    let want = if rule.remote.is_empty() {
        "Any".to_string()
    } else {
        let quoted: Vec<String> = rule.remote.iter().map(|a| format!("'{a}'")).collect();
        quoted.join(",")
    };
    assert!(
        line.contains(&format!(" -RemoteAddress {want} ")),
        "{context}: want -RemoteAddress {want} in {line}"
    );
}

#[test]
fn every_connection_every_setting_parses_as_one_powershell_command() {
    let catalog = catalog();
    let mut parser = parser();
    let mut lines = 0;
    for case in cases(&catalog) {
        let effective = case.settings.apply_ports(&catalog);
        for conn in &effective.connections {
            let text = script_for(&effective, conn, Dialect::Powershell, &case.settings);
            let rules = planned(&effective, &[conn], &case.settings);
            let context = format!("{} / {}", case.label, conn.id);
            check_powershell_script(&mut parser, &text, &case.settings, &rules, &context);
            lines += commands(&text, Dialect::Powershell).len();
        }
    }
    assert!(lines > 100, "only {lines} PowerShell lines checked");
}

#[test]
fn whole_catalog_scripts_from_the_binary_parse() {
    let catalog = catalog();
    let mut parser = parser();
    for case in cases(&catalog) {
        let mut args: Vec<String> = vec!["rules".into(), "--format".into(), "powershell".into()];
        args.extend(case.flags.iter().cloned());
        let text = run_ok(&args);
        let effective = case.settings.apply_ports(&catalog);
        let all: Vec<&Connection> = effective.connections.iter().collect();
        let rules = planned(&effective, &all, &case.settings);
        check_powershell_script(&mut parser, &text, &case.settings, &rules, case.label);
        // Same text as the library gives, apart from the header.
        let lib = script_all(&effective, Dialect::Powershell, &case.settings).unwrap();
        assert_eq!(
            commands(&text, Dialect::Powershell),
            commands(&lib, Dialect::Powershell),
            "{}",
            case.label
        );
        assert!(
            text.lines().any(|l| l.starts_with("New-NetFirewallRule")),
            "{}: no rules",
            case.label
        );
    }
}

#[test]
fn settings_reach_the_powershell_lines() {
    let catalog = catalog();
    let cases = cases(&catalog);
    let text = |label: &str| {
        let case = cases.iter().find(|c| c.label == label).unwrap();
        let effective = case.settings.apply_ports(&catalog);
        script_all(&effective, Dialect::Powershell, &case.settings).unwrap()
    };
    let remote = text("remote");
    assert!(remote.contains(
        "-RemoteAddress '10.0.0.5','fd00::5','10.1.0.0/16','10.2.0.1-10.2.0.9','LocalSubnet'"
    ));
    assert!(text("profiles").contains(" -Profile Domain,Private -Action Allow"));
    let ports = text("set-port + dynamic");
    assert!(ports.contains("-LocalPort '8443'"));
    assert!(ports.contains("'49152-65535'"));
    let odd = text("odd group");
    assert!(odd.contains("-Group 'it''s \u{2018}\u{2018}odd\u{2019}\u{2019} $(x) `y`'"));
}

// ---------------------------------------------------------------------------
// The four typographic quotes
// ---------------------------------------------------------------------------

/// Every maximal run of quote characters inside a literal (between its
/// outer quotes) has even length: each quote is doubled, none can close.
fn quotes_balanced(literal: &str) -> bool {
    let chars: Vec<char> = literal.chars().collect();
    if chars.len() < 2 || !is_ps_quote(chars[0]) || !is_ps_quote(chars[chars.len() - 1]) {
        return false;
    }
    let inner = &chars[1..chars.len() - 1];
    let mut run = 0;
    for &c in inner.iter().chain(std::iter::once(&'x')) {
        if is_ps_quote(c) {
            run += 1;
        } else {
            if run % 2 == 1 {
                return false;
            }
            run = 0;
        }
    }
    true
}

#[test]
fn typographic_quotes_are_doubled_in_every_string() {
    let catalog = catalog();
    let mut parser = parser();
    for q in ['\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'] {
        for group in [
            format!("it{q}s"),
            format!("{q}"),
            format!("a{q}; Remove-Item C:\\x -Recurse; {q}"),
            format!("{q}{q}'{q}"),
        ] {
            let settings = with_group(&group);
            settings.check(&catalog).unwrap();
            let text = script_all(&catalog, Dialect::Powershell, &settings).unwrap();
            let mut rules = 0;
            for line in commands(&text, Dialect::Powershell) {
                let parsed = parse_line(&mut parser, line).unwrap();
                ps_bare_text_is_plain(line).unwrap_or_else(|e| panic!("{group:?}: {e}"));
                if parsed.name != "New-NetFirewallRule" {
                    continue;
                }
                rules += 1;
                let raw = parsed.raw("-Group").unwrap();
                let doubled: String = group
                    .chars()
                    .flat_map(|c| if is_ps_quote(c) { vec![c, c] } else { vec![c] })
                    .collect();
                assert_eq!(raw, format!("'{doubled}'"), "U+{:04X}", q as u32);
                assert!(quotes_balanced(raw), "{raw}");
                assert_eq!(ps_unquote(raw).unwrap(), group);
                for flag in ["-DisplayName", "-Name"] {
                    let raw = parsed.raw(flag).unwrap();
                    assert!(quotes_balanced(raw), "{flag} {raw}");
                    assert!(ps_unquote(raw).unwrap().starts_with(&group));
                }
            }
            assert!(rules > 0);
        }
    }
}

#[test]
fn balance_check_spots_an_undoubled_quote() {
    assert!(quotes_balanced("'it''s'"));
    assert!(quotes_balanced("'\u{2018}\u{2018}'"));
    assert!(!quotes_balanced("'it\u{2019}s'"));
    assert!(!quotes_balanced("'\u{201A}\u{201A}\u{201B}'"));
}

// ---------------------------------------------------------------------------
// netsh
// ---------------------------------------------------------------------------

/// A port list as netsh takes it: `80`, `49152-65535`, comma-separated.
fn netsh_ports_ok(text: &str) -> bool {
    !text.is_empty()
        && text.split(',').all(|p| {
            let (a, b) = p.split_once('-').unwrap_or((p, p));
            match (a.parse::<u16>(), b.parse::<u16>()) {
                (Ok(a), Ok(b)) => a >= 1 && a <= b,
                _ => false,
            }
        })
}

const NETSH_KEYWORDS: [&str; 6] = [
    "any",
    "localsubnet",
    "dns",
    "dhcp",
    "wins",
    "defaultgateway",
];

/// Parses `add rule` / `delete rule`; returns the verb, the name and, for
/// `add`, the key=value pairs in order.
/// A parsed netsh line: verb, rule name, and `key=value` pairs in order.
type NetshLine<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

fn parse_netsh(line: &str) -> Result<NetshLine<'_>, String> {
    let rest = line
        .strip_prefix("netsh advfirewall firewall ")
        .ok_or("not a netsh advfirewall firewall line")?;
    let (verb, rest) = if let Some(r) = rest.strip_prefix("add rule name=\"") {
        ("add", r)
    } else if let Some(r) = rest.strip_prefix("delete rule name=\"") {
        ("delete", r)
    } else {
        return Err("neither add rule nor delete rule".into());
    };
    let (name, rest) = rest.split_once('"').ok_or("name never closes")?;
    if verb == "delete" {
        return if rest.is_empty() {
            Ok((verb, name, Vec::new()))
        } else {
            Err(format!("text after the name: {rest}"))
        };
    }
    let rest = rest.strip_prefix(' ').ok_or("no space after the name")?;
    let pairs = rest
        .split(' ')
        .map(|kv| kv.split_once('=').ok_or(format!("`{kv}` is not key=value")))
        .collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let want_port = if pairs.first().map(|p| p.1) == Some("in") {
        "localport"
    } else {
        "remoteport"
    };
    let mut shape: Vec<&str> = if keys.contains(&"remoteip") {
        vec![
            "dir", "action", "protocol", want_port, "remoteip", "profile",
        ]
    } else {
        vec!["dir", "action", "protocol", want_port, "profile"]
    };
    // ICMP (`protocol=icmpv4:8,any`) has no port.
    if pairs
        .iter()
        .any(|(k, v)| *k == "protocol" && v.starts_with("icmp"))
    {
        shape.retain(|k| *k != want_port);
    }
    if keys != shape {
        return Err(format!("keys {keys:?}, want {shape:?}"));
    }
    for (k, v) in &pairs {
        let ok = match *k {
            "dir" => matches!(*v, "in" | "out"),
            "action" => *v == "allow",
            "protocol" => {
                matches!(*v, "TCP" | "UDP")
                    || ["icmpv4:", "icmpv6:"].iter().any(|p| {
                        v.strip_prefix(p)
                            .and_then(|t| t.strip_suffix(",any"))
                            .is_some_and(|t| t.parse::<u8>().is_ok())
                    })
            }
            "localport" | "remoteport" => netsh_ports_ok(v),
            "remoteip" => v.split(',').all(|a| {
                NETSH_KEYWORDS.contains(&a)
                    || (Address::parse(a).is_ok()
                        && a.chars()
                            .all(|c| c.is_ascii_hexdigit() || ".:/-".contains(c)))
            }),
            "profile" => {
                *v == "any"
                    || v.split(',')
                        .all(|p| matches!(p, "domain" | "private" | "public"))
            }
            _ => false,
        };
        if !ok {
            return Err(format!("bad {k}={v}"));
        }
    }
    Ok((verb, name, pairs))
}

#[test]
fn netsh_lines_have_the_documented_shape() {
    let catalog = catalog();
    let mut checked = 0;
    for case in cases(&catalog) {
        if case.label == "odd group" {
            // `$` and backticks are refused for netsh (tested below).
            continue;
        }
        let effective = case.settings.apply_ports(&catalog);
        for conn in &effective.connections {
            let text = script_for(&effective, conn, Dialect::Netsh, &case.settings);
            let planned = planned(&effective, &[conn], &case.settings);
            let rules: Vec<&Rule> = planned.iter().map(|p| &p.rule).collect();
            let context = format!("{} / {}", case.label, conn.id);
            let lines = commands(&text, Dialect::Netsh);
            assert_eq!(lines.len() % 2, 0, "{context}: delete/add pairs");
            for pair in lines.chunks(2) {
                let (verb, deleted, _) =
                    parse_netsh(pair[0]).unwrap_or_else(|e| panic!("{context}: {e}\n{}", pair[0]));
                assert_eq!(verb, "delete", "{context}");
                let (verb, name, pairs) =
                    parse_netsh(pair[1]).unwrap_or_else(|e| panic!("{context}: {e}\n{}", pair[1]));
                assert_eq!(verb, "add", "{context}");
                assert_eq!(deleted, name, "{context}: delete precedes its own add");
                let rule = rules
                    .iter()
                    .find(|r| r.name == name)
                    .unwrap_or_else(|| panic!("{context}: unplanned name {name:?}"));
                let get = |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1);
                assert_eq!(
                    get("dir"),
                    Some(if rule.is_inbound() { "in" } else { "out" })
                );
                if rule.transport == Transport::Icmp {
                    // `icmpv4:TYPE,CODE`, and no port at all.
                    assert_eq!(
                        get("protocol").unwrap(),
                        format!("{}:{},any", rule.protocol(), rule.icmp_type())
                    );
                    assert!(get("localport").or(get("remoteport")).is_none());
                } else {
                    assert_eq!(
                        get("protocol").unwrap(),
                        rule.transport.as_str().to_uppercase()
                    );
                    let port = get("localport").or(get("remoteport")).unwrap();
                    assert_eq!(port, rule.ports_text(), "{context}");
                }
                match get("remoteip") {
                    None => assert!(rule.remote.is_empty(), "{context}"),
                    Some(ips) => assert_eq!(ips.split(',').count(), rule.remote.len()),
                }
                let profile = if case.settings.profiles.is_empty() {
                    "any".to_string()
                } else {
                    let p: Vec<String> = case
                        .settings
                        .profiles
                        .iter()
                        .map(|p| p.name().to_lowercase())
                        .collect();
                    p.join(",")
                };
                assert_eq!(get("profile"), Some(profile.as_str()));
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} netsh rules checked");
}

#[test]
fn netsh_refuses_groups_it_cannot_hold() {
    for group in ["a\"b", "100%", "%PATH%", "$env:x", "a`b", ODD_GROUP] {
        let out = vmmports()
            .args(["rules", "--format", "netsh", "--group", group])
            .run();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{group:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{group:?}: nothing on stdout");
        assert!(
            stderr.contains("netsh") && stderr.contains("cannot safely"),
            "{group:?}: unclear message: {stderr}"
        );
        assert!(stderr.contains("--group"), "{group:?}: no hint: {stderr}");
    }
    // PowerShell quotes these safely, and cmd.exe does not act on them.
    for group in ["%PATH%", "$env:x", "a`b"] {
        let out = vmmports()
            .args(["rules", "--format", "powershell", "--group", group])
            .run();
        assert!(out.status.success(), "{group:?}");
    }
    // `"` is quoted safely for PowerShell too, but a PowerShell script pasted
    // into cmd.exe would have it change what cmd.exe quotes: refused.
    let out = vmmports()
        .args(["rules", "--format", "powershell", "--group", "a\"b"])
        .run();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`\"` at character 2") && stderr.contains("cmd.exe"),
        "{stderr}"
    );
}

/// netsh lines are meant for cmd.exe *and* PowerShell. In PowerShell,
/// `name="…"` is a double-quoted string, which the typographic double quotes
/// U+201C, U+201D and U+201E end just like `"`: the rest of the name then
/// runs as code. They must be refused like `"`.
#[test]
fn netsh_refuses_typographic_double_quotes() {
    for q in ['\u{201C}', '\u{201D}', '\u{201E}'] {
        let group = format!("x{q} ; Remove-Item C:\\x ; {q}");
        let out = vmmports()
            .args(["rules", "--format", "netsh", "--group", &group])
            .run();
        assert_eq!(
            out.status.code(),
            Some(2),
            "U+{:04X} accepted:\n{}",
            q as u32,
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find(|l| l.starts_with("netsh"))
                .unwrap_or("")
        );
    }
}

// ---------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------

#[test]
fn windows_probes_are_single_test_netconnection_commands() {
    let catalog = catalog();
    let mut parser = parser();
    let mut probes = 0;
    let mut udp_comments = 0;
    for case in cases(&catalog) {
        let effective = case.settings.apply_ports(&catalog);
        for conn in &effective.connections {
            let text = script_for(&effective, conn, Dialect::Probe, &case.settings);
            let context = format!("{} / {}", case.label, conn.id);
            let tcp: BTreeSet<u16> = conn
                .ports
                .iter()
                .filter(|p| p.transport == Transport::Tcp && !p.is_range())
                .map(|p| p.first)
                .collect();
            // Host names a Windows probe may use: single addresses given
            // with --remote, or the target ids when none were.
            let mut hosts = BTreeSet::new();
            for target in &conn.to {
                let a = case.settings.addresses(target);
                if a.is_empty() {
                    hosts.insert(target.clone());
                }
                hosts.extend(a.iter().filter_map(Address::host).map(|h| h.to_string()));
            }
            let mut windows = false;
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix(": '\u{2500}\u{2500} run on ") {
                    let id = rest
                        .rsplit_once('(')
                        .and_then(|(_, r)| r.split_once(')'))
                        .map(|(id, _)| id)
                        .unwrap();
                    windows = effective.component(id).unwrap().kind == ComponentKind::Windows;
                    continue;
                }
                if line.is_empty() || Dialect::Probe.is_comment_line(line) {
                    if windows && line.contains("Test-NetConnection tests TCP only") {
                        udp_comments += 1;
                        assert!(line.contains("/udp"), "{context}: {line}");
                    }
                    continue;
                }
                let icmp = conn.ports.iter().any(|p| p.transport == Transport::Icmp);
                if !windows {
                    let want = if icmp { "ping -c 1 " } else { "nc -z" };
                    assert!(line.starts_with(want), "{context}: {line}");
                    continue;
                }
                let parsed =
                    parse_line(&mut parser, line).unwrap_or_else(|e| panic!("{context}: {e}"));
                ps_bare_text_is_plain(line).unwrap_or_else(|e| panic!("{context}: {e}"));
                if icmp {
                    // One echo request to the host.
                    assert_eq!(parsed.name, "Test-Connection", "{context}");
                    let words = ps_words(line).unwrap();
                    assert_eq!(words.len(), 5, "{context}: {line}");
                    assert_eq!(
                        (words[1].bare.as_str(), words[3].bare.as_str()),
                        ("-ComputerName", "-Count")
                    );
                    assert!(hosts.contains(&parsed.string("-ComputerName").unwrap()));
                    probes += 1;
                    continue;
                }
                assert_eq!(parsed.name, "Test-NetConnection", "{context}");
                let words = ps_words(line).unwrap();
                assert_eq!(words.len(), 5, "{context}: {line}");
                assert_eq!(words[1].bare, "-ComputerName");
                assert_eq!(words[3].bare, "-Port");
                let host = parsed.string("-ComputerName").unwrap();
                assert!(
                    hosts.contains(&host),
                    "{context}: host {host} not in {hosts:?}"
                );
                let port: u16 = words[4].bare.parse().unwrap();
                assert!(
                    tcp.contains(&port),
                    "{context}: port {port} is not a single TCP port of the connection"
                );
                probes += 1;
            }
            // A connection with only UDP ports gets no Test-NetConnection.
            if tcp.is_empty() {
                assert!(!text.contains("\nTest-NetConnection"), "{context}");
            }
        }
    }
    assert!(probes > 50, "only {probes} probes checked");
    assert!(udp_comments > 0, "no UDP connection from a Windows machine");
}

/// `vmmports completions powershell`, the README's way to complete in
/// PowerShell, is a whole script PowerShell's grammar accepts, registered for
/// `vmmports` and offering its subcommands.
#[test]
fn powershell_completions_parse_and_offer_the_subcommands() {
    let script = run_ok(&["completions".into(), "powershell".into()]);
    let tree = parser().parse(&script, None).expect("parsed");
    let mut nodes = Vec::new();
    walk(tree.root_node(), &mut nodes);
    // The grammar lacks one PowerShell 4 form clap's script ends with,
    // `$completions.Where{ … }` (a method called with a bare script block);
    // anything else it cannot parse is a real error.
    let errors: Vec<String> = nodes
        .iter()
        .filter(|n| n.is_error() || n.is_missing())
        .map(|n| {
            let at = n.start_position();
            let text: String = script[n.start_byte()..].chars().take(40).collect();
            format!("{}:{} {text:?}", at.row + 1, at.column + 1)
        })
        .filter(|e| !e.contains("\"Where{ $_.CompletionText -like"))
        .collect();
    assert!(
        errors.is_empty(),
        "tree-sitter-powershell finds errors in the completion script: {errors:?}"
    );
    assert!(
        script.contains("Register-ArgumentCompleter -Native -CommandName 'vmmports'"),
        "{script}"
    );
    for sub in ["list", "rules", "check", "doctor", "completions"] {
        assert!(
            script.contains(&format!("[CompletionResult]::new('{sub}'")),
            "offers {sub}"
        );
    }
}
