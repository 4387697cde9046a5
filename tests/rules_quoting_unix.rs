//! User text in generated commands, checked by running them: every sh line
//! passes `bash -n` and `dash -n`, and when run with `sh -c` against stub
//! executables that log their argv, the arguments are exactly the intended
//! ones (the group byte-identical, nothing executed). A property test feeds
//! arbitrary groups to every dialect.

// Unix only: the lines run in bash, dash and sh against stub tools.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::library::{planned, planned_rules, script, with_group};
use common::powershell_grammar::{one_command, parser as ps_parser};
use common::powershell_literal::unquote as ps_unquote;
use proptest::prelude::*;
use tree_sitter::Parser;
use vmmports::catalog::{Catalog, ComponentKind, Connection, Direction, PortSpec, Transport};
use vmmports::rules::address::Family;
use vmmports::rules::plan::Rule;
use vmmports::rules::settings::Settings;
use vmmports::rules::{Dialect, Provenance};

// ---------------------------------------------------------------------------
// Catalog and scripts
// ---------------------------------------------------------------------------

/// The embedded catalog, plus connections that give the Linux dialects what
/// the real matrix lacks on its one Linux-capable machine (the guest VM):
/// outbound rules, UDP, ranges, more ports than one multiport list holds,
/// and the dynamic range.
fn extended() -> Catalog {
    let mut catalog = vmmports::catalog::embedded().expect("embedded catalog loads");
    let base = catalog
        .connection("vmm-to-guest-bits")
        .expect("vmm-to-guest-bits")
        .clone();
    let port = |first: u16, last: u16, transport: Transport| PortSpec {
        first,
        last,
        transport,
        setup_key: None,
        probe: None,
        ..base.ports[0].clone()
    };
    let mut out = base.clone();
    out.id = "test-guest-out".into();
    out.from = vec!["guest-vm".into()];
    out.to = vec!["vmm-server".into()];
    out.rule_on = vec!["guest-vm".into()];
    out.direction = Direction::Outbound;
    out.ports = vec![
        port(80, 80, Transport::Tcp),
        port(443, 443, Transport::Tcp),
        port(49152, 65535, Transport::Tcp),
        port(53, 53, Transport::Udp),
        port(5000, 5010, Transport::Udp),
    ];
    let mut many = base.clone();
    many.id = "test-guest-many".into();
    // 9 ports and 4 ranges: 17 multiport slots, so two lists; short enough
    // as text for nft's 128-byte comments.
    many.ports = (1..10)
        .map(|p| port(p, p, Transport::Tcp))
        .chain([20, 30, 40, 50].map(|p| port(p, p + 1, Transport::Tcp)))
        .collect();
    catalog.connections.push(out);
    catalog.connections.push(many);
    for note in catalog.notes.iter_mut().filter(|n| !n.ports.is_empty()) {
        note.components.push("guest-vm".into());
    }
    catalog
}

const SH_DIALECTS: [Dialect; 5] = [
    Dialect::Nft,
    Dialect::Iptables,
    Dialect::Firewalld,
    Dialect::Ufw,
    Dialect::Probe,
];

/// Rule display names the plan puts on Linux-capable machines.
fn linux_displays(catalog: &Catalog, conns: &[&Connection], s: &Settings) -> BTreeSet<String> {
    planned(catalog, conns, s)
        .into_iter()
        .filter(|p| matches!(p.kind, ComponentKind::Linux | ComponentKind::Any))
        .map(|p| p.rule.display_name)
        .collect()
}

/// The command lines of a script that a POSIX shell runs: for probes, only
/// the `nc` lines (Windows sections hold PowerShell).
fn sh_lines(text: &str, dialect: Dialect) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !dialect.is_comment_line(l))
        .filter(|l| dialect != Dialect::Probe || l.starts_with("nc ") || l.starts_with("ping "))
        .collect()
}

const HOSTILE: &str = "x'\\'' \"q\" $(touch pwned1) `touch pwned2`; touch pwned3 && touch pwned4 | touch pwned5 > pwned6 'it'\\''s' \\";
/// The same, without what nft comments cannot hold (`"`, `\`), and short
/// enough for nft's 128-byte comments.
const HOSTILE_NFT: &str = "x' '' $(touch pwned1) `touch pwned2`; touch pwned3 && touch pwned4 'y'";
/// The same, without what ufw comments cannot hold (`'`).
const HOSTILE_UFW: &str = "x\\ \"q\" $(touch pwned1) `touch pwned2`; touch pwned3 && touch pwned4 | touch pwned5 > pwned6 \"it\\\"s\" \\";

fn settings_cases(catalog: &Catalog) -> Vec<(&'static str, Settings)> {
    // Only some peers get addresses: the rest are written open, each marked.
    let mut remote = Settings {
        any_for_missing: true,
        ..Settings::default()
    };
    remote
        .add_remote(
            catalog,
            "vmm-server=10.0.0.5,fd00::5,10.1.0.0/16,10.2.0.1-10.2.0.9",
        )
        .unwrap();
    let mut ports = Settings {
        include_dynamic: true,
        ..Settings::default()
    };
    ports.set_port(catalog, "BitsTcpPort=8443").unwrap();
    let mut hostile_remote = with_group(HOSTILE_NFT);
    hostile_remote.any_for_missing = true;
    hostile_remote
        .add_remote(catalog, "vmm-server=10.0.0.5,fd00::5")
        .unwrap();
    let cases = vec![
        ("defaults", Settings::default()),
        ("remote", remote),
        ("odd group", with_group("it's \u{2018}odd\u{2019} $(x) `y`")),
        ("hostile group", with_group(HOSTILE)),
        ("hostile nft group", hostile_remote),
        ("hostile ufw group", with_group(HOSTILE_UFW)),
        (
            "profiles",
            Settings {
                profiles: Settings::parse_profiles("domain,private").unwrap(),
                ..Settings::default()
            },
        ),
        ("set-port + dynamic", ports),
    ];
    for (label, s) in &cases {
        s.check(catalog)
            .unwrap_or_else(|e| panic!("{label}: {}", e.message));
    }
    cases
}

// ---------------------------------------------------------------------------
// Shells: syntax checks and argv-logging stubs
// ---------------------------------------------------------------------------

fn dash_available() -> bool {
    static DASH: OnceLock<bool> = OnceLock::new();
    *DASH.get_or_init(|| {
        Command::new("dash")
            .args(["-c", "true"])
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// `bash -n` and `dash -n` (or `sh -n`) on one line.
fn syntax_check(line: &str) -> Result<(), String> {
    let second = if dash_available() { "dash" } else { "sh" };
    for shell in ["bash", second] {
        let out = Command::new(shell)
            .args(["-n", "-c", line])
            .output()
            .map_err(|e| format!("{shell}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{shell} -n rejects\n{line}\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(())
}

/// The firewall tools, and `grep`, which the nft lines use to look for a
/// rule before inserting it.
fn tools() -> Vec<&'static str> {
    let mut tools = common::stubs::LINUX_TOOLS.to_vec();
    tools.push("grep");
    tools
}

/// Logs its name and argv, NUL-separated, to its own file; `-C` checks fail
/// so the `-I` branch runs, `nft list` finds no chain so the `add chain`
/// branch runs, and grep finds nothing so the `||` branch runs.
const STUB: &str = r#"#!/bin/sh
tool=${0##*/}
printf '%s\0' "$tool" "$#" "$@" > "$STUB_LOG/$tool.$$"
case $tool in
  iptables|ip6tables) [ "$1" = -C ] && exit 1 ;;
  nft) [ "$1" = list ] && exit 1 ;;
  grep) exit 1 ;;
esac
exit 0
"#;

/// One logged invocation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Call {
    tool: String,
    args: Vec<String>,
}

fn call(tool: &str, args: &[&str]) -> Call {
    Call {
        tool: tool.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

/// A temp dir with the stubs first on PATH, a log dir, and an empty working
/// dir that must stay empty (anything injected would `touch` files there).
struct Sandbox {
    _stubs: common::stubs::Scratch,
    log: PathBuf,
    work: PathBuf,
    path: OsString,
}

impl Sandbox {
    fn new() -> Sandbox {
        let stubs = common::stubs::Scratch::new(&tools(), STUB);
        let log = stubs.root.path().join("log");
        std::fs::create_dir(&log).unwrap();
        let mut path = stubs.bin.clone().into_os_string();
        if let Some(rest) = std::env::var_os("PATH") {
            path.push(":");
            path.push(rest);
        }
        Sandbox {
            log,
            work: stubs.work.clone(),
            path,
            _stubs: stubs,
        }
    }

    /// Runs each command line of `text` on its own; the stub calls of each.
    fn run_lines(&self, text: &str, dialect: Dialect) -> Vec<Vec<Call>> {
        sh_lines(text, dialect)
            .into_iter()
            .map(|l| self.run(l).unwrap())
            .collect()
    }

    /// Runs one line with `sh -c`; returns the stub calls, sorted.
    fn run(&self, line: &str) -> Result<Vec<Call>, String> {
        for entry in std::fs::read_dir(&self.log).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(&self.work)
            .env("PATH", &self.path)
            .env("STUB_LOG", &self.log)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() || !out.stderr.is_empty() {
            return Err(format!(
                "sh -c failed ({}):\n{line}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let made: Vec<String> = std::fs::read_dir(&self.work)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if !made.is_empty() {
            return Err(format!("side effect: {made:?} created by\n{line}"));
        }
        let mut calls = Vec::new();
        for entry in std::fs::read_dir(&self.log).unwrap() {
            calls.push(read_call(&entry.unwrap().path())?);
        }
        calls.sort();
        Ok(calls)
    }
}

fn read_call(path: &Path) -> Result<Call, String> {
    let bytes = std::fs::read(path).unwrap();
    let Some(body) = bytes.strip_suffix(b"\0") else {
        return Err(format!("{}: not NUL-terminated", path.display()));
    };
    let fields: Vec<String> = body
        .split(|&b| b == 0)
        .map(|f| String::from_utf8(f.to_vec()).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let argc: usize = fields[1].parse().map_err(|_| "bad argc".to_string())?;
    let args = fields[2..].to_vec();
    // One empty argument and none print alike; argc tells them apart.
    let args = if argc == 0 { Vec::new() } else { args };
    if args.len() != argc {
        return Err(format!(
            "{}: argc {argc}, {} args",
            path.display(),
            args.len()
        ));
    }
    Ok(Call {
        tool: fields[0].clone(),
        args,
    })
}

#[test]
fn stubs_log_argv_exactly() {
    let sandbox = Sandbox::new();
    let calls = sandbox
        .run("ufw allow 'a b' '' \"\\$x\" 'it'\\''s' \"$(printf 'n\\nl')\"")
        .unwrap();
    assert_eq!(
        calls,
        [call("ufw", &["allow", "a b", "", "$x", "it's", "n\nl"])]
    );
    assert_eq!(sandbox.run("ufw").unwrap(), [call("ufw", &[])]);
    let calls = sandbox
        .run("iptables -C X 2>/dev/null || iptables -A X")
        .unwrap();
    assert_eq!(
        calls,
        [
            call("iptables", &["-A", "X"]),
            call("iptables", &["-C", "X"])
        ]
    );
    let calls = sandbox
        .run("nft list chain X >/dev/null 2>&1 || nft 'add chain X'")
        .unwrap();
    assert_eq!(
        calls,
        [
            call("nft", &["add chain X"]),
            call("nft", &["list", "chain", "X"])
        ]
    );
    assert!(sandbox.run("touch pwned").is_err(), "side effects are seen");
    assert!(syntax_check("echo 'open").is_err());
    assert!(syntax_check("echo (").is_err());
}

// ---------------------------------------------------------------------------
// What each dialect's calls must be
// ---------------------------------------------------------------------------

fn expect(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

/// Checks the calls one line made against its dialect's shape; returns the
/// rule display names the line carried in a name or comment argument.
fn check_calls(
    dialect: Dialect,
    line: &str,
    calls: &[Call],
    displays: &BTreeSet<String>,
    rules: &[Rule],
) -> Result<Vec<String>, String> {
    let ctx = || format!("{line}\n{calls:#?}");
    // A display name and a direction name one planned rule: a connection
    // can have an inbound rule on its destination and an outbound one on
    // its source, under one display name.
    let rule_of = |display: &str, inbound: bool| {
        rules
            .iter()
            .find(|r| r.display_name == display && r.is_inbound() == inbound)
            .ok_or_else(|| format!("no planned rule {display:?}: {}", ctx()))
    };
    let known = |d: &str| -> Result<(), String> {
        expect(displays.contains(d), || {
            format!("{d:?} is not a planned display name: {}", ctx())
        })
    };
    let mut carried = Vec::new();
    match dialect {
        Dialect::Nft => {
            if line.starts_with("nft list ruleset ") {
                // The check against other tables' dropping chains only
                // reads the ruleset (awk, which reads it, is not stubbed).
                expect(calls == [call("nft", &["list", "ruleset"])], ctx)?;
            } else if line == "nft add table inet filter" {
                expect(
                    calls == [call("nft", &["add", "table", "inet", "filter"])],
                    ctx,
                )?;
            } else if line.contains(" || nft 'add chain ") {
                // Created only when `nft list` does not find it (the stub
                // finds nothing), so an existing chain keeps its settings.
                let chain = ["input", "output"].into_iter().find(|c| {
                    calls
                        == [
                            call(
                                "nft",
                                &[&format!(
                                    "add chain inet filter {c} {{ type filter hook {c} priority 0; }}"
                                )],
                            ),
                            call("nft", &["list", "chain", "inet", "filter", c]),
                        ]
                });
                expect(chain.is_some(), ctx)?;
            } else {
                let find = |pred: &dyn Fn(&Call) -> bool| {
                    let found: Vec<&Call> = calls.iter().filter(|c| pred(c)).collect();
                    match found.as_slice() {
                        [one] => Ok(*one),
                        _ => Err(format!(
                            "want one nft list, one grep, one nft rule: {}",
                            ctx()
                        )),
                    }
                };
                expect(calls.len() == 3, ctx)?;
                let list = find(&|c| {
                    c.tool == "nft" && c.args.first().map(String::as_str) == Some("list")
                })?;
                let grep = find(&|c| c.tool == "grep")?;
                let add = find(&|c| {
                    c.tool == "nft" && c.args.first().map(String::as_str) != Some("list")
                })?;
                expect(add.tool == "nft" && add.args.len() == 1, || {
                    format!("the rule is not ONE nft argument: {}", ctx())
                })?;
                let chain = list.args.last().cloned().unwrap_or_default();
                expect(
                    list.tool == "nft"
                        && list.args == ["list", "chain", "inet", "filter", chain.as_str()]
                        && matches!(chain.as_str(), "input" | "output"),
                    ctx,
                )?;
                let text = &add.args[0];
                expect(
                    // Inserted at the head, ahead of any final reject.
                    text.starts_with(&format!("insert rule inet filter {chain} ")),
                    ctx,
                )?;
                expect(grep.tool == "grep" && grep.args.len() == 2, ctx)?;
                expect(grep.args[0] == "-qF", ctx)?;
                let pattern = &grep.args[1];
                let comment = pattern
                    .strip_prefix("comment \"")
                    .and_then(|c| c.strip_suffix('"'))
                    .ok_or_else(|| format!("grep pattern {pattern:?}: {}", ctx()))?;
                expect(text.ends_with(&format!(" accept {pattern}")), || {
                    format!("rule text does not end with its comment: {}", ctx())
                })?;
                expect(comment.len() <= NFT_COMMENT_MAX, || {
                    format!("comment over {NFT_COMMENT_MAX} bytes: {}", ctx())
                })?;
                // The rule's nft name (see `nft_name`), and for a rule split
                // by family, the family it says.
                // (A connection can have an inbound rule on its destination
                // and an outbound one on its source, with one display name:
                // the chain tells them apart.)
                let (rule, family) = rules
                    .iter()
                    .filter(|r| displays.contains(&r.display_name))
                    .filter(|r| r.is_inbound() == (chain == "input"))
                    .find_map(|r| match comment.strip_prefix(nft_name(r))? {
                        "" => Some((r, None)),
                        " ipv4" => Some((r, Some("ip"))),
                        " ipv6" => Some((r, Some("ip6"))),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        format!("{comment:?} is not a planned rule's nft comment: {}", ctx())
                    })?;
                expect(family.is_some() == nft_split(rule), || {
                    format!("family suffix only on split rules: {}", ctx())
                })?;
                if let Some(key) = family {
                    let side = if rule.is_inbound() { "saddr" } else { "daddr" };
                    expect(text.contains(&format!(" {key} {side} {{ ")), ctx)?;
                }
                let display = rule.display_name.as_str();
                let want_chain = if rule.is_inbound() { "input" } else { "output" };
                expect(chain == want_chain, ctx)?;
                expect(
                    text.contains(&format!(" {} dport {{ ", rule.transport.as_str())),
                    ctx,
                )?;
                carried.push(display.to_string());
            }
        }
        Dialect::Iptables => {
            // -C checks, then -I inserts at the top, ahead of any REJECT.
            let [c, a] = calls else {
                return Err(format!("want -C and -I: {}", ctx()));
            };
            expect(
                a.tool == c.tool
                    && matches!(a.tool.as_str(), "iptables" | "ip6tables")
                    && a.args.first().map(String::as_str) == Some("-I")
                    && c.args.first().map(String::as_str) == Some("-C")
                    && a.args[1..] == c.args[1..],
                ctx,
            )?;
            let spec = &a.args[1..];
            let i = spec
                .iter()
                .position(|s| s == "--comment")
                .ok_or_else(|| format!("no --comment: {}", ctx()))?;
            expect(
                i >= 2 && spec[i - 2] == "-m" && spec[i - 1] == "comment",
                ctx,
            )?;
            let display = spec
                .get(i + 1)
                .ok_or_else(|| format!("--comment without value: {}", ctx()))?;
            known(display)?;
            let rule = rule_of(display, spec[0] == "INPUT")?;
            let chain = if rule.is_inbound() { "INPUT" } else { "OUTPUT" };
            expect(
                spec[0] == chain && spec[1] == "-p" && spec[2] == rule.transport.as_str(),
                ctx,
            )?;
            expect(spec.ends_with(&["-j".into(), "ACCEPT".into()]), ctx)?;
            expect(spec.len() == i + 4, ctx)?;
            carried.push(display.clone());
        }
        Dialect::Firewalld => {
            let [one] = calls else {
                return Err(format!("want one firewall-cmd call: {}", ctx()));
            };
            expect(one.tool == "firewall-cmd", ctx)?;
            let args: Vec<&str> = one.args.iter().map(String::as_str).collect();
            let port_ok = |a: &str| {
                a.strip_prefix("--add-port=")
                    .and_then(|p| p.split_once('/'))
                    .is_some_and(|(ports, proto)| {
                        matches!(proto, "tcp" | "udp")
                            && ports.split('-').all(|n| n.parse::<u16>().is_ok())
                    })
            };
            let rich_ok = |a: &str| {
                a.strip_prefix("--add-rich-rule=rule family=\"ipv")
                    .is_some_and(|r| r.ends_with("\" accept") && r.contains(" source address=\""))
            };
            expect(
                args == ["--reload"]
                    || (args.len() >= 2
                        && args[0] == "--permanent"
                        && (args[1..].iter().all(|a| port_ok(a))
                            || (args.len() == 2 && rich_ok(args[1])))),
                ctx,
            )?;
        }
        Dialect::Ufw => {
            let [one] = calls else {
                return Err(format!("want one ufw call: {}", ctx()));
            };
            expect(one.tool == "ufw", ctx)?;
            let mut args: Vec<&str> = one.args.iter().map(String::as_str).collect();
            let out = args.get(1) == Some(&"out");
            if out {
                args.remove(1);
            }
            let [
                allow,
                proto_k,
                proto,
                from_k,
                _,
                to_k,
                _,
                port_k,
                _,
                comment_k,
                display,
            ] = args.as_slice()
            else {
                return Err(format!("ufw argv shape: {}", ctx()));
            };
            expect(
                *allow == "allow"
                    && *proto_k == "proto"
                    && *from_k == "from"
                    && *to_k == "to"
                    && *port_k == "port"
                    && *comment_k == "comment",
                ctx,
            )?;
            known(display)?;
            expect(!ufw_cannot_hold(display), || {
                format!("ufw's parser rejects a comment with `'`: {}", ctx())
            })?;
            let rule = rule_of(display, !out)?;
            expect(
                *proto == rule.transport.as_str() && out != rule.is_inbound(),
                ctx,
            )?;
            carried.push(display.to_string());
        }
        Dialect::Probe if line.starts_with("ping ") => {
            // One echo request.
            let [one] = calls else {
                return Err(format!("want one ping call: {}", ctx()));
            };
            expect(
                one.tool == "ping" && one.args.len() == 3 && one.args[..2] == ["-c", "1"],
                ctx,
            )?;
        }
        Dialect::Probe => {
            let [one] = calls else {
                return Err(format!("want one nc call: {}", ctx()));
            };
            expect(
                one.tool == "nc"
                    && one.args.len() == 3
                    && matches!(one.args[0].as_str(), "-zv" | "-zuv")
                    && one.args[2].parse::<u16>().is_ok(),
                ctx,
            )?;
        }
        Dialect::Powershell | Dialect::Netsh => unreachable!("not sh"),
    }
    Ok(carried)
}

/// nft keeps at most this many bytes of a comment.
const NFT_COMMENT_MAX: usize = 128;

/// Whether nft writes `rule` as one line per family (each comment then ends
/// in " ipv4" or " ipv6").
fn nft_split(rule: &Rule) -> bool {
    [Family::V4, Family::V6]
        .iter()
        .all(|f| rule.remote.iter().any(|a| a.family() == Some(*f)))
}

/// The name an nft comment carries: the display name, or the short name
/// (no ports) when the display name plus a possible " ipv4" would not fit.
fn nft_name(rule: &Rule) -> &str {
    if rule.display_name.len() + " ipv4".len() > NFT_COMMENT_MAX {
        &rule.short_name
    } else {
        &rule.display_name
    }
}

/// What nft may fairly refuse: its comments have no escapes (no `"` or
/// `\`) and hold at most 128 bytes, even with the short name (split rules
/// add " ipv4").
fn nft_cannot_hold(group: &str, rules: &[Rule], displays: &BTreeSet<String>) -> bool {
    group.contains(['"', '\\'])
        || rules
            .iter()
            .filter(|r| displays.contains(&r.display_name))
            .any(|r| {
                let suffix = if nft_split(r) { " ipv4".len() } else { 0 };
                nft_name(r).len() + suffix > NFT_COMMENT_MAX
            })
}

/// What ufw may fairly refuse: its parser rejects any comment holding `'`.
fn ufw_cannot_hold(group: &str) -> bool {
    group.contains('\'')
}

/// The header line that records the group; the only place firewalld and
/// probes say it.
fn header_has_group(text: &str, dialect: Dialect, group: &str) -> bool {
    let want = comment_start(dialect, &format!("settings: group: {group}; profile: "));
    text.lines().nth(3).is_some_and(|l| l.starts_with(&want))
}

/// How a comment line saying `text` (and maybe more after it) starts: the
/// comment without its closing quote.
fn comment_start(dialect: Dialect, text: &str) -> String {
    let line = dialect.comment_line(text);
    line.strip_suffix('\'').unwrap_or(&line).to_string()
}

/// Every sh line of one script: syntax, stub run, shape. Returns the
/// display names seen in arguments.
fn check_sh_script(
    sandbox: &Sandbox,
    dialect: Dialect,
    text: &str,
    displays: &BTreeSet<String>,
    rules: &[Rule],
) -> Result<BTreeSet<String>, String> {
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        if line.trim().is_empty() || dialect.is_comment_line(line) {
            continue;
        }
        let tool = line.split(' ').next().unwrap_or_default();
        let allowed: &[&str] = match dialect {
            Dialect::Nft => &["nft"],
            Dialect::Iptables => &["iptables", "ip6tables"],
            Dialect::Firewalld => &["firewall-cmd"],
            Dialect::Ufw => &["ufw"],
            _ => &["nc", "ping", "Test-NetConnection", "Test-Connection"],
        };
        expect(allowed.contains(&tool), || {
            format!("{}: unexpected command line\n{line}", dialect.name())
        })?;
    }
    for line in sh_lines(text, dialect) {
        syntax_check(line)?;
        let calls = sandbox.run(line)?;
        seen.extend(check_calls(dialect, line, &calls, displays, rules)?);
    }
    Ok(seen)
}

// ---------------------------------------------------------------------------
// Deterministic tests
// ---------------------------------------------------------------------------

#[test]
fn every_sh_line_of_every_connection_runs_as_intended() {
    let base = extended();
    let sandbox = Sandbox::new();
    let mut checked = BTreeSet::new();
    for (label, settings) in settings_cases(&base) {
        let catalog = settings.apply_ports(&base);
        let all: Vec<&Connection> = catalog.connections.iter().collect();
        let mut scopes: Vec<Vec<&Connection>> = all.iter().map(|c| vec![*c]).collect();
        scopes.push(all.clone());
        for dialect in SH_DIALECTS {
            for conns in &scopes {
                let context = format!(
                    "{label} / {} / {}",
                    dialect.name(),
                    if conns.len() == 1 {
                        &conns[0].id
                    } else {
                        "all"
                    }
                );
                let rules: Vec<Rule> = planned_rules(&catalog, conns, &settings);
                let displays = linux_displays(&catalog, conns, &settings);
                let text = match script(&catalog, conns, dialect, &settings) {
                    Ok(text) => text,
                    Err(e)
                        if dialect == Dialect::Nft
                            && nft_cannot_hold(&settings.group, &rules, &displays) =>
                    {
                        assert!(e.message.contains("nft comments"), "{context}: {e:?}");
                        continue;
                    }
                    Err(e) if dialect == Dialect::Ufw && ufw_cannot_hold(&settings.group) => {
                        assert!(
                            e.message.contains("ufw comments cannot hold `'`"),
                            "{context}: {e:?}"
                        );
                        assert!(e.hint.contains("--group"), "{context}: {e:?}");
                        continue;
                    }
                    Err(e) => panic!("{context}: {} ({})", e.message, e.hint),
                };
                assert!(
                    header_has_group(&text, dialect, &settings.group),
                    "{context}"
                );
                let seen = check_sh_script(&sandbox, dialect, &text, &displays, &rules)
                    .unwrap_or_else(|e| panic!("{context}: {e}"));
                for line in sh_lines(&text, dialect) {
                    checked.insert(line.to_string());
                }
                // Each Linux rule shows up by name in its dialect's arguments.
                if matches!(dialect, Dialect::Nft | Dialect::Iptables | Dialect::Ufw) {
                    assert_eq!(seen, displays, "{context}: rules without their line");
                }
                if dialect == Dialect::Firewalld {
                    for rule in rules.iter().filter(|r| !r.is_inbound()) {
                        if displays.contains(&rule.display_name) {
                            assert!(
                                text.contains(&format!(
                                    "\n{}",
                                    comment_start(
                                        dialect,
                                        &format!("{}: outbound ", rule.display_name)
                                    )
                                )),
                                "{context}: {}",
                                rule.display_name
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(checked.len() > 150, "only {} distinct lines", checked.len());
}

/// The stub calls of an nft script for inbound rules: the check of the
/// ruleset (which finds nothing in the stub's), the table, the input chain
/// (made because the stub's `nft list` finds none), then `rules`, the calls
/// of each rule line.
fn nft_input_runs<const N: usize>(rules: [Vec<Call>; N]) -> Vec<Vec<Call>> {
    let mut runs = vec![
        vec![call("nft", &["list", "ruleset"])],
        vec![call("nft", &["add", "table", "inet", "filter"])],
        vec![
            call(
                "nft",
                &["add chain inet filter input { type filter hook input priority 0; }"],
            ),
            call("nft", &["list", "chain", "inet", "filter", "input"]),
        ],
    ];
    runs.extend(rules);
    runs
}

/// The calls of one nft rule line inserted into the input chain: `grep`
/// looks for its comment in the chain `nft list` shows (the stub's grep
/// finds nothing), and one argument inserts `matches` with that comment.
fn nft_input_rule(matches: &str, comment: &str) -> Vec<Call> {
    let comment = format!("comment \"{comment}\"");
    vec![
        call("grep", &["-qF", &comment]),
        call(
            "nft",
            &[&format!(
                "insert rule inet filter input {matches} accept {comment}"
            )],
        ),
        call("nft", &["list", "chain", "inet", "filter", "input"]),
    ]
}

#[test]
fn nft_rule_arrives_as_one_argument() {
    let catalog = extended();
    let mut settings = with_group("G");
    settings
        .add_remote(&catalog, "vmm-server=10.0.0.5,fd00::5")
        .unwrap();
    let conn = catalog.connection("vmm-to-guest-bits").unwrap();
    let text = script(&catalog, &[conn], Dialect::Nft, &settings).unwrap();
    let sandbox = Sandbox::new();
    let runs = sandbox.run_lines(&text, Dialect::Nft);
    let rule = |family: &str, key: &str, addr: &str| {
        nft_input_rule(
            &format!("{key} {{ {addr} }} tcp dport {{ 443 }}"),
            &format!("G - vmm-to-guest-bits (443/tcp) {family}"),
        )
    };
    assert_eq!(
        runs,
        nft_input_runs([
            rule("ipv4", "ip saddr", "10.0.0.5"),
            rule("ipv6", "ip6 saddr", "fd00::5"),
        ])
    );
}

#[test]
fn iptables_and_ufw_comments_are_the_display_name() {
    let catalog = extended();
    let group = "Prod VMM 'east'";
    let settings = with_group(group);
    let conn = catalog.connection("test-guest-out").unwrap();
    let sandbox = Sandbox::new();
    let tcp = format!("{group} - test-guest-out (80,443,49152-65535/tcp)");
    let udp = format!("{group} - test-guest-out (53,5000-5010/udp)");

    let text = script(&catalog, &[conn], Dialect::Iptables, &settings).unwrap();
    let runs = sandbox.run_lines(&text, Dialect::Iptables);
    let spec = |proto: &str, ports: &str, comment: &str| {
        [
            "OUTPUT",
            "-p",
            proto,
            "-m",
            "multiport",
            "--dports",
            ports,
            "-m",
            "comment",
            "--comment",
            comment,
            "-j",
            "ACCEPT",
        ]
        .map(String::from)
        .to_vec()
    };
    let pair = |tool: &str, proto: &str, ports: &str, comment: &str| {
        let s = spec(proto, ports, comment);
        let with = |flag: &str| Call {
            tool: tool.into(),
            args: std::iter::once(flag.to_string()).chain(s.clone()).collect(),
        };
        vec![with("-C"), with("-I")]
    };
    assert_eq!(
        runs,
        [
            pair("iptables", "tcp", "80,443,49152:65535", &tcp),
            pair("ip6tables", "tcp", "80,443,49152:65535", &tcp),
            pair("iptables", "udp", "53,5000:5010", &udp),
            pair("ip6tables", "udp", "53,5000:5010", &udp),
        ]
    );

    // ufw's own parser rejects a comment holding `'`: refused, not mangled.
    let err = script(&catalog, &[conn], Dialect::Ufw, &settings).unwrap_err();
    assert!(
        err.message.contains("ufw comments cannot hold `'`"),
        "{err:?}"
    );
    assert!(err.hint.contains("without that character"), "{err:?}");

    let group = "Prod VMM \"east\" $(x)";
    let settings = with_group(group);
    let tcp = format!("{group} - test-guest-out (80,443,49152-65535/tcp)");
    let udp = format!("{group} - test-guest-out (53,5000-5010/udp)");
    let text = script(&catalog, &[conn], Dialect::Ufw, &settings).unwrap();
    let runs = sandbox.run_lines(&text, Dialect::Ufw);
    let ufw = |proto: &str, ports: &str, comment: &str| {
        vec![call(
            "ufw",
            &[
                "allow", "out", "proto", proto, "from", "any", "to", "any", "port", ports,
                "comment", comment,
            ],
        )]
    };
    assert_eq!(
        runs,
        [
            ufw("tcp", "80,443,49152:65535", &tcp),
            ufw("udp", "53,5000:5010", &udp)
        ]
    );
}

#[test]
fn long_port_lists_are_split_for_multiport_and_ufw() {
    let catalog = extended();
    let settings = Settings::default();
    let conn = catalog.connection("test-guest-many").unwrap();
    let sandbox = Sandbox::new();
    // iptables: `-m multiport --dports LIST`, or `--dport P` for one entry.
    for (dialect, flags) in [
        (Dialect::Iptables, &["--dports", "--dport"][..]),
        (Dialect::Ufw, &["port"][..]),
    ] {
        let text = script(&catalog, &[conn], dialect, &settings).unwrap();
        let mut ports = Vec::new();
        for line in sh_lines(&text, dialect) {
            for c in sandbox.run(line).unwrap() {
                if c.tool == "ip6tables" || (c.args.first().map(String::as_str) == Some("-C")) {
                    continue;
                }
                let i = c
                    .args
                    .iter()
                    .position(|a| flags.contains(&a.as_str()))
                    .unwrap_or_else(|| panic!("no port flag in {c:?}"));
                if c.args[i] == "--dports" {
                    assert_eq!(c.args[i - 2..i], ["-m", "multiport"]);
                }
                let list = &c.args[i + 1];
                let cost: usize = list
                    .split(',')
                    .map(|p| if p.contains(':') { 2 } else { 1 })
                    .sum();
                assert!(cost <= 15, "{}: {list} is over 15", dialect.name());
                ports.extend(list.split(',').map(String::from));
            }
        }
        let want: Vec<String> = (1..10)
            .map(|p| p.to_string())
            .chain(["20:21", "30:31", "40:41", "50:51"].map(String::from))
            .collect();
        assert_eq!(ports, want, "{}", dialect.name());
        assert!(sh_lines(&text, dialect).len() >= 2, "split in two");
    }
}

#[test]
fn hostile_group_arrives_byte_identical_and_runs_nothing() {
    let catalog = extended();
    let sandbox = Sandbox::new();
    let conns: Vec<&Connection> = ["vmm-to-guest-bits", "test-guest-out"]
        .iter()
        .map(|id| catalog.connection(id).unwrap())
        .collect();
    for (group, dialects) in [
        (HOSTILE, &[Dialect::Iptables, Dialect::Firewalld][..]),
        (
            HOSTILE_NFT,
            &[Dialect::Nft, Dialect::Iptables, Dialect::Firewalld][..],
        ),
        (
            HOSTILE_UFW,
            &[Dialect::Ufw, Dialect::Iptables, Dialect::Firewalld][..],
        ),
    ] {
        let settings = with_group(group);
        settings.check(&catalog).unwrap();
        let displays = linux_displays(&catalog, &conns, &settings);
        assert_eq!(displays.len(), 3, "{displays:?}");
        for &dialect in dialects {
            let text = script(&catalog, &conns, dialect, &settings).unwrap();
            let mut arrived = BTreeSet::new();
            if dialect == Dialect::Firewalld {
                // No name field: the outbound note and the header hold it.
                assert!(header_has_group(&text, dialect, group));
                for d in &displays {
                    if text.contains(&format!(
                        "\n{}",
                        comment_start(dialect, &format!("{d}: outbound "))
                    )) {
                        arrived.insert(d.clone());
                    }
                }
            }
            for line in sh_lines(&text, dialect) {
                syntax_check(line).unwrap();
                for c in sandbox.run(line).unwrap() {
                    for arg in &c.args {
                        if !arg.contains(" - ") {
                            continue;
                        }
                        // The name or comment argument, or the nft rule text
                        // (and grep pattern) ending in `comment "…"`.
                        let value = arg
                            .strip_prefix("comment \"")
                            .or_else(|| arg.split_once(" comment \"").map(|(_, v)| v))
                            .map(|v| v.strip_suffix('"').unwrap())
                            .unwrap_or(arg);
                        assert!(
                            displays.contains(value),
                            "{}: {arg:?} is not a display name, byte for byte",
                            dialect.name()
                        );
                        assert!(value.as_bytes().starts_with(group.as_bytes()));
                        arrived.insert(value.to_string());
                    }
                }
            }
            let want: BTreeSet<String> = if dialect == Dialect::Firewalld {
                // Only outbound rules get a note; inbound ones have no name.
                displays
                    .iter()
                    .filter(|d| d.contains(" - test-guest-out "))
                    .cloned()
                    .collect()
            } else {
                displays.clone()
            };
            assert_eq!(arrived, want, "{}", dialect.name());
        }
    }
    // nft cannot hold `"` or `\`, and ufw cannot parse `'`: refused, not
    // mangled.
    for (group, dialect, reason) in [
        (HOSTILE, Dialect::Nft, "nft comments cannot hold"),
        (HOSTILE_UFW, Dialect::Nft, "nft comments cannot hold"),
        (HOSTILE, Dialect::Ufw, "ufw comments cannot hold `'`"),
        (HOSTILE_NFT, Dialect::Ufw, "ufw comments cannot hold `'`"),
    ] {
        let settings = with_group(group);
        let err = script(&catalog, &conns, dialect, &settings).unwrap_err();
        assert!(err.message.contains(reason), "{}: {err:?}", dialect.name());
        assert!(
            err.hint.contains("without that character"),
            "{}: {err:?}",
            dialect.name()
        );
    }
    assert!(std::fs::read_dir(&sandbox.work).unwrap().next().is_none());
}

#[test]
fn windows_keywords_are_refused_by_linux_dialects() {
    let catalog = extended();
    let mut settings = Settings::default();
    settings
        .add_remote(&catalog, "vmm-server=10.0.0.5,LocalSubnet")
        .unwrap();
    let conn = catalog.connection("vmm-to-guest-bits").unwrap();
    for dialect in [
        Dialect::Nft,
        Dialect::Iptables,
        Dialect::Firewalld,
        Dialect::Ufw,
    ] {
        let err = script(&catalog, &[conn], dialect, &settings).unwrap_err();
        assert!(err.message.contains("LocalSubnet"), "{err:?}");
        assert!(err.hint.contains("--remote"), "{err:?}");
    }
}

/// The comments of an nft script's rules as they reach nft, run against the
/// stubs; each line's shape is checked too.
fn nft_comments(catalog: &Catalog, conns: &[&Connection], settings: &Settings) -> Vec<String> {
    let text = script(catalog, conns, Dialect::Nft, settings).unwrap();
    let rules: Vec<Rule> = planned_rules(catalog, conns, settings);
    let displays = linux_displays(catalog, conns, settings);
    let sandbox = Sandbox::new();
    let seen = check_sh_script(&sandbox, Dialect::Nft, &text, &displays, &rules).unwrap();
    assert_eq!(seen, displays, "every rule has its line");
    sh_lines(&text, Dialect::Nft)
        .into_iter()
        .flat_map(|line| sandbox.run(line).unwrap())
        .filter(|c| c.tool == "grep")
        .map(|c| {
            let comment = c.args[1].strip_prefix("comment \"").unwrap();
            comment.strip_suffix('"').unwrap().to_string()
        })
        .collect()
}

/// A display name too long for nft's 128-byte comments (with room for a
/// possible " ipv4") falls back to the short name, without the ports; the
/// short name still tells rules apart by group, connection and protocol.
#[test]
fn nft_long_names_fall_back_to_the_short_name() {
    let catalog = extended();
    let conn = catalog.connection("vmm-to-guest-bits").unwrap();
    let group = "x".repeat(100);
    let settings = with_group(&group);
    let display = format!("{group} - vmm-to-guest-bits (443/tcp)");
    let short = format!("{group} - vmm-to-guest-bits (tcp)");
    assert!(display.len() > NFT_COMMENT_MAX && short.len() <= NFT_COMMENT_MAX);
    let text = script(&catalog, &[conn], Dialect::Nft, &settings).unwrap();
    let sandbox = Sandbox::new();
    let runs = sandbox.run_lines(&text, Dialect::Nft);
    assert_eq!(
        runs,
        nft_input_runs([nft_input_rule("tcp dport { 443 }", &short)])
    );

    // Split rules: the display name is kept while it fits with " ipv4", and
    // the short name takes over one byte later.
    let room = NFT_COMMENT_MAX - " ipv4".len() - " - vmm-to-guest-bits (443/tcp)".len();
    for (len, ports) in [(room, "443/tcp"), (room + 1, "tcp")] {
        let group = "y".repeat(len);
        let mut settings = with_group(&group);
        settings
            .add_remote(&catalog, "vmm-server=10.0.0.5,fd00::5")
            .unwrap();
        let name = format!("{group} - vmm-to-guest-bits ({ports})");
        assert_eq!(
            nft_comments(&catalog, &[conn], &settings),
            [format!("{name} ipv4"), format!("{name} ipv6")],
            "group of {len} bytes"
        );
    }

    // Unsplit: the short name may use all 128 bytes.
    let len = NFT_COMMENT_MAX - " - vmm-to-guest-bits (tcp)".len();
    let settings = Settings {
        group: "z".repeat(len),
        ..Settings::default()
    };
    let comments = nft_comments(&catalog, &[conn], &settings);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].len(), NFT_COMMENT_MAX);
    assert!(comments[0].ends_with(" - vmm-to-guest-bits (tcp)"));
}

/// When even the short name does not fit, nft refuses the group, and the
/// hint says to shorten it (not the one for a bad character).
#[test]
fn nft_length_refusal_hints_at_length() {
    let catalog = extended();
    let conn = catalog.connection("vmm-to-guest-bits").unwrap();
    let short_room = NFT_COMMENT_MAX - " - vmm-to-guest-bits (tcp)".len();
    let cases = [
        // 146 bytes even as the short name.
        ("x".repeat(120), false),
        // One byte over, unsplit.
        ("x".repeat(short_room + 1), false),
        // The short name fits, but not with " ipv4".
        ("x".repeat(short_room - " ipv4".len() + 1), true),
    ];
    for (group, split) in cases {
        let mut settings = Settings {
            group,
            ..Settings::default()
        };
        if split {
            settings
                .add_remote(&catalog, "vmm-server=10.0.0.5,fd00::5")
                .unwrap();
        }
        let context = format!("{} bytes, split: {split}", settings.group.len());
        let err = script(&catalog, &[conn], Dialect::Nft, &settings).unwrap_err();
        assert!(err.message.contains("128 bytes"), "{context}: {err:?}");
        assert!(err.hint.contains("shorten --group"), "{context}: {err:?}");
        assert!(
            !err.hint.contains("without that character"),
            "{context}: hint does not fit a length problem: {}",
            err.hint
        );
    }
}

/// Query, origin and `--on` text go into the header comments through the
/// library API too (the explorer passes its filter text): a line break there
/// would end the comment and leave the rest of the text as a command line.
#[test]
fn provenance_text_cannot_end_a_comment_line() {
    let catalog = extended();
    let conn = catalog.connection("vmm-to-guest-bits").unwrap();
    let provenance = Provenance {
        catalog_origin: "file\ntouch pwned-origin",
        query: "guest\ntouch pwned-query",
        on: None,
    };
    for dialect in Dialect::ALL {
        let text = vmmports::rules::script(
            &catalog,
            &[conn],
            dialect,
            &Settings::default(),
            None,
            &provenance,
        )
        .unwrap();
        for line in text.lines() {
            assert!(
                !line.starts_with("touch"),
                "{}: header text escaped its comment: {line}",
                dialect.name()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// PowerShell (for the property test; rules_powershell.rs has the details)
// ---------------------------------------------------------------------------

/// One command, no error, a known name; returns the name and the un-quoted
/// single-string value after each `-Flag` (when there is one).
fn ps_check(parser: &mut Parser, line: &str) -> Result<(String, Vec<(String, String)>), String> {
    let command = one_command(
        parser,
        line,
        &[
            "New-NetFirewallRule",
            "Set-NetFirewallRule",
            "Test-NetConnection",
        ],
    )?;
    let mut flags = Vec::new();
    for (flag, literal) in command.flags {
        if let Some(literal) = literal {
            flags.push((flag, ps_unquote(&literal)?));
        }
    }
    Ok((command.name, flags))
}

// ---------------------------------------------------------------------------
// The property: any group, every dialect
// ---------------------------------------------------------------------------

/// Text an admin might type or paste: shell and PowerShell metacharacters,
/// the typographic quotes, any Unicode, and now and then a control character.
fn group_strategy() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\'',
        '"',
        '\\',
        '$',
        '`',
        ';',
        '&',
        '|',
        '(',
        ')',
        '{',
        '}',
        '[',
        ']',
        '%',
        '!',
        '#',
        ' ',
        '*',
        '?',
        '~',
        '<',
        '>',
        '-',
        '=',
        ',',
        '^',
        '@',
        '\u{2018}',
        '\u{2019}',
        '\u{201A}',
        '\u{201B}',
        '\u{201C}',
        '\u{201D}',
        '\u{201E}',
        '\u{2028}',
        '\u{feff}',
        '\u{202e}',
        '\u{e9}',
        '\u{65e5}',
        '\u{1f525}',
    ]);
    let control = prop::sample::select(vec![
        '\n', '\r', '\0', '\t', '\u{1b}', '\u{7}', '\u{7f}', '\u{85}', '\u{9b}',
    ]);
    let ch = prop_oneof![
        4 => special,
        2 => any::<char>().prop_filter("controls come below", |c| !c.is_control()),
        4 => prop::char::range('a', 'z'),
    ];
    (
        prop::collection::vec(ch, 0..40),
        prop::option::weighted(0.15, (control, any::<prop::sample::Index>())),
    )
        .prop_map(|(mut chars, control)| {
            if let Some((c, at)) = control {
                let i = at.index(chars.len() + 1);
                chars.insert(i, c);
            }
            chars.into_iter().collect()
        })
}

struct World {
    catalog: Catalog,
    sandbox: Sandbox,
    parser: Parser,
}

/// One group through every dialect. `Err` is a failed property.
fn check_group(world: &mut World, group: &str) -> Result<(), String> {
    let catalog = &world.catalog;
    let mut settings = with_group(group);
    settings.any_for_missing = true;
    settings
        .add_remote(catalog, "vmm-server=10.0.0.5,fd00::5")
        .unwrap();
    // Control and invisible characters are refused everywhere.
    let has_control = group.chars().any(vmmports::text::is_unsafe);
    if let Err(e) = settings.check(catalog) {
        return expect(has_control || group.trim().is_empty(), || {
            format!("refused a fine group: {}", e.message)
        });
    }
    expect(!has_control, || "a control character got through".into())?;
    let conns: Vec<&Connection> = ["vmm-to-guest-bits", "test-guest-out", "vmm-to-host-winrm"]
        .iter()
        .map(|id| catalog.connection(id).unwrap())
        .collect();
    let rules: Vec<Rule> = planned_rules(catalog, &conns, &settings);
    let displays = linux_displays(catalog, &conns, &settings);
    for dialect in Dialect::ALL {
        let text = match script(catalog, &conns, dialect, &settings) {
            Ok(text) => text,
            Err(e) => {
                let fair = match dialect {
                    Dialect::Nft => nft_cannot_hold(group, &rules, &displays),
                    Dialect::Ufw => ufw_cannot_hold(group),
                    // netsh names: letters, digits, spaces, `-`, `_`, `.`.
                    Dialect::Netsh => !group
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')),
                    // Wildcards in -Name, `|` in rule names, and what cmd.exe
                    // acts on should the script be pasted there.
                    Dialect::Powershell => {
                        group.contains(['|', '*', '?', '[', ']', '&', '<', '>', '^', '"'])
                    }
                    _ => false,
                };
                expect(fair, || {
                    format!("{} refused {group:?}: {}", dialect.name(), e.message)
                })?;
                continue;
            }
        };
        expect(header_has_group(&text, dialect, group), || {
            format!("{}: header does not hold the group", dialect.name())
        })?;
        match dialect {
            Dialect::Powershell => {
                let mut rule_lines = 0;
                for line in text
                    .lines()
                    .filter(|l| !l.is_empty() && !dialect.is_comment_line(l))
                {
                    let (name, flags) = ps_check(&mut world.parser, line)?;
                    if name != "New-NetFirewallRule" {
                        continue;
                    }
                    rule_lines += 1;
                    let get = |f: &str| flags.iter().find(|(k, _)| k == f).map(|(_, v)| v);
                    expect(get("-Group") == Some(&settings.group), || {
                        format!("-Group came back as {:?} from {line}", get("-Group"))
                    })?;
                    let display = get("-DisplayName").ok_or("no -DisplayName")?;
                    expect(rules.iter().any(|r| &r.display_name == display), || {
                        format!("-DisplayName {display:?}")
                    })?;
                }
                expect(rule_lines > 0, || "no PowerShell rules".into())?;
            }
            Dialect::Netsh => {
                let lines: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.is_empty() && !l.starts_with("REM"))
                    .collect();
                expect(!lines.is_empty(), || "no netsh lines".into())?;
                for line in lines {
                    let name = line
                        .strip_prefix("netsh advfirewall firewall ")
                        .and_then(|l| {
                            l.strip_prefix("add rule name=\"")
                                .or_else(|| l.strip_prefix("delete rule name=\""))
                        })
                        .and_then(|l| l.split_once('"'))
                        .map(|(name, _)| name)
                        .ok_or_else(|| format!("netsh shape: {line}"))?;
                    expect(rules.iter().any(|r| r.name == name), || {
                        format!("netsh name {name:?} is not a rule name")
                    })?;
                    expect(
                        !name.contains(['"', '\u{201C}', '\u{201D}', '\u{201E}', '%', '$', '`']),
                        || format!("netsh name {name:?}"),
                    )?;
                }
            }
            _ => {
                let seen = check_sh_script(&world.sandbox, dialect, &text, &displays, &rules)
                    .map_err(|e| format!("{}: {e}", dialect.name()))?;
                if matches!(dialect, Dialect::Nft | Dialect::Iptables | Dialect::Ufw) {
                    expect(seen == displays, || {
                        format!("{}: names seen {seen:?}", dialect.name())
                    })?;
                    // The group itself, byte for byte, at the front of each.
                    for display in &seen {
                        expect(display.as_bytes().starts_with(group.as_bytes()), || {
                            format!("{display:?} does not start with {group:?}")
                        })?;
                    }
                }
                if dialect == Dialect::Firewalld {
                    // No name field: the outbound notes and the header say it.
                    for rule in rules.iter().filter(|r| !r.is_inbound()) {
                        if displays.contains(&rule.display_name) {
                            let note = comment_start(
                                dialect,
                                &format!("{}: outbound ", rule.display_name),
                            );
                            expect(text.lines().any(|l| l.starts_with(&note)), || {
                                format!("firewalld note for {}", rule.display_name)
                            })?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    // Each case spawns a few hundred processes; failures are not written
    // to a regressions file next to the tests.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(48)
    })]

    #[test]
    fn any_group_stays_inside_its_argument_in_every_dialect(group in group_strategy()) {
        thread_local! {
            static WORLD: std::cell::RefCell<Option<World>> = const { std::cell::RefCell::new(None) };
        }
        let result = WORLD.with(|w| {
            let mut w = w.borrow_mut();
            let world = w.get_or_insert_with(|| World {
                catalog: extended(),
                sandbox: Sandbox::new(),
                parser: ps_parser(),
            });
            check_group(world, &group)
        });
        prop_assert!(result.is_ok(), "group {:?}: {}", group, result.unwrap_err());
    }
}

#[test]
fn property_checker_accepts_known_groups() {
    let mut world = World {
        catalog: extended(),
        sandbox: Sandbox::new(),
        parser: ps_parser(),
    };
    for group in [
        "VMM",
        "it's \u{2018}odd\u{2019} $(x) `y`",
        HOSTILE,
        HOSTILE_NFT,
        HOSTILE_UFW,
        "\u{201A}\u{201B}''",
        "-rf --reload",
        "a\nb",
        "",
        " ",
    ] {
        check_group(&mut world, group).unwrap_or_else(|e| panic!("{group:?}: {e}"));
    }
}
