//! The Linux dialects, checked by the real tools rather than by reading them:
//!
//! - nft and iptables scripts are run whole, as root, in a throwaway network
//!   namespace (`unshare -n`), and the ruleset the kernel then holds is read
//!   back (`nft -j list ruleset`, `iptables -S`) and compared with what each
//!   rule means; a second run must change nothing.
//! - firewalld lines go through `firewall-offline-cmd --system-config COPY`
//!   (no daemon), one copy of the configuration per machine, and the zone XML
//!   it writes is compared the same way.
//! - ufw lines go through `ufw --dry-run`, and for real into a copy of
//!   /etc/ufw bound over the original in a private mount namespace.
//!
//! The test catalog is the embedded one with the Hyper-V host, SQL Server, WDS
//! and ESXi made Linux machines, plus a connection with more than 15 ports, so
//! UDP, ICMP (ping, per IP family), port lists, ranges, the multiport split,
//! inbound rules on every destination and outbound rules all appear. What
//! each rule must allow is written out below (`wants`), independently of the
//! generator.
//!
//! A missing tool (or not being root) fails a test when `CI` is set, since
//! .ci/run installs the tools; otherwise the test says what to install and
//! passes.

// Unix only: the real nft, iptables, firewalld and ufw, in network namespaces.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;

use serde_json::Value;

mod common;
use common::needs;

// ── the scenario ──────────────────────────────────────────────────────────

/// Components made Linux machines in the test catalog (guest-vm already is `any`).
const LINUX: [&str; 4] = ["hyperv-host", "sql-server", "wds-server", "esxi-host"];

/// The extra connection's ports: 14 single ports then a range, which counts
/// as two and so no longer fits the first 15-port list.
const MANY_TCP: &[(u16, u16)] = &[
    (7001, 7001),
    (7002, 7002),
    (7003, 7003),
    (7004, 7004),
    (7005, 7005),
    (7006, 7006),
    (7007, 7007),
    (7008, 7008),
    (7009, 7009),
    (7010, 7010),
    (7011, 7011),
    (7012, 7012),
    (7013, 7013),
    (7014, 7014),
    (7100, 7110),
    (7120, 7120),
    (7121, 7121),
    (7122, 7122),
];
const MANY_UDP: &[(u16, u16)] = &[(7200, 7210), (7301, 7301)];

/// `--remote` settings: component → addresses, as typed.
type Remote = &'static [(&'static str, &'static [&'static str])];

/// Every address form: IPv4, IPv6, CIDR, and a-b ranges of both families.
/// vmm-console and esxi-host have no address, so rules from them stay open to
/// any address. file-server has none either: the dynamic ports, which any of
/// their peers may use, are scoped to the other peers' addresses
/// (`REMOTE_SLIM` gives every one of those peers an address).
const REMOTE: Remote = &[
    (
        "vmm-server",
        &[
            "10.0.0.5",
            "fd00::5",
            "10.1.0.0/24",
            "10.2.0.5-10.2.0.9",
            "fd00:1::10-fd00:1::20",
        ],
    ),
    ("hyperv-host", &["10.0.0.7", "fd00::7"]),
    ("library-server", &["10.0.0.6"]),
    ("bare-metal-machine", &["10.20.0.0/16"]),
];

/// firewalld and ufw write one command per source network (and port, for
/// firewalld), and each command costs a Python start: fewer addresses keep
/// those tests quick while still covering a range that becomes several
/// networks, an IPv6 range and a CIDR.
const REMOTE_SLIM: Remote = &[
    ("vmm-server", &["fd00::5", "10.2.0.6-10.2.0.9"]),
    ("hyperv-host", &["10.0.0.7", "fd00:7::-fd00:7::ff"]),
    ("library-server", &["10.0.0.6"]),
    ("file-server", &["10.0.0.9"]),
    ("bare-metal-machine", &["10.20.0.0/16"]),
];

/// One rule the scripts must contain, as the catalog means it.
struct Want {
    machine: &'static str,
    id: &'static str,
    outbound: bool,
    /// `tcp`, `udp`, `icmpv4` or `icmpv6`: ICMPv4 and ICMPv6 are two
    /// protocols, each with its own type numbers, and one rule each.
    proto: &'static str,
    /// TCP and UDP: the ports. ICMP: none.
    ports: &'static [(u16, u16)],
    /// ICMP: the message type, in the numbering of `proto`'s family (an
    /// echo request is 8 in ICMPv4, 128 in ICMPv6).
    icmp_type: Option<u16>,
    /// The remote components: sources inbound, destinations outbound.
    peers: &'static [&'static str],
}

/// The ICMP types of the catalog: (proto, type number, the name nft,
/// iptables and firewalld give it).
const ICMP_TYPES: &[(&str, u16, &str)] = &[
    ("icmpv4", 8, "echo-request"),
    ("icmpv6", 128, "echo-request"),
];

fn icmp_type_name(proto: &str, number: u16) -> &'static str {
    ICMP_TYPES
        .iter()
        .find(|&&(p, n, _)| p == proto && n == number)
        .unwrap_or_else(|| panic!("no {proto} type {number} in ICMP_TYPES"))
        .2
}

fn icmp_type_number(proto: &str, name: &str) -> u16 {
    ICMP_TYPES
        .iter()
        .find(|&&(p, _, n)| p == proto && n == name)
        .unwrap_or_else(|| panic!("no {proto} type {name:?} in ICMP_TYPES"))
        .1
}

impl Want {
    /// `VMM - <connection> (<ports>/<proto>)`, the documented rule name;
    /// for ICMP `VMM - <connection> (<type name>/<icmpv4|icmpv6>)`.
    fn name(&self) -> String {
        let what = match self.icmp_type {
            Some(number) => icmp_type_name(self.proto, number).to_string(),
            None => ports_text(self.ports),
        };
        format!("VMM - {} ({what}/{})", self.id, self.proto)
    }

    fn port_spans(&self) -> Vec<Span> {
        merge(
            self.ports
                .iter()
                .map(|&(a, b)| (u128::from(a), u128::from(b)))
                .collect(),
        )
    }

    /// The IP family an ICMP rule is for (`true` for IPv6); `None` for TCP
    /// and UDP, whose rules cover both.
    fn icmp_family(&self) -> Option<bool> {
        match self.proto {
            "icmpv4" => Some(false),
            "icmpv6" => Some(true),
            _ => None,
        }
    }

    /// What the rule matches besides addresses.
    fn matched(&self) -> Matched {
        Matched {
            ports: self.port_spans(),
            icmp_type: self.icmp_type,
        }
    }

    /// Each address the rule is scoped to, as typed (one iptables rule
    /// each); `None` when it allows any address. An ICMP rule keeps only the
    /// addresses of its family: with none of them, it is not there at all
    /// (`Some` of an empty set).
    fn addresses(&self, remote: Remote) -> Option<BTreeSet<(bool, Span)>> {
        // Scoped only when every peer has addresses, since scoping to some
        // would shut out the others; else open to any.
        if self.peers.is_empty() {
            return None;
        }
        let mut out = peer_addresses(remote, self.peers)?;
        if let Some(v6) = self.icmp_family() {
            out.retain(|&(family, _)| family == v6);
        }
        Some(out)
    }

    /// The rule's addresses by family, `[v4, v6]`, merged into spans; `None`
    /// when it allows any address.
    fn scope(&self, remote: Remote) -> Option<[Vec<Span>; 2]> {
        let mut by_family = [Vec::new(), Vec::new()];
        for (v6, span) in self.addresses(remote)? {
            by_family[usize::from(v6)].push(span);
        }
        Some(by_family.map(merge))
    }
}

/// What one rule matches besides addresses: merged TCP or UDP ports, or
/// one ICMP type.
#[derive(Debug, Default, PartialEq, Eq)]
struct Matched {
    ports: Vec<Span>,
    icmp_type: Option<u16>,
}

/// Every rule on a Linux machine of the test catalog, with `--include-dynamic`:
/// inbound on each destination of a connection, from its sources; outbound
/// on a source where the docs put the rule outbound (ESXi's two callbacks),
/// to the destinations; the dynamic ports inbound on the Hyper-V host.
fn wants() -> Vec<Want> {
    const VMM: &[&str] = &["vmm-server"];
    const IN: bool = false;
    const OUT: bool = true;
    // (machine, connection, outbound, proto, ports, peers) of each TCP or
    // UDP rule scoped only when every peer has addresses. The docs put
    // ESXi's esxi-to-hyperv outbound on the ESXi host; the Hyper-V host,
    // its destination, needs it inbound too.
    type Row = (
        &'static str,
        &'static str,
        bool,
        &'static str,
        &'static [(u16, u16)],
        &'static [&'static str],
    );
    #[rustfmt::skip]
    let rows: &[Row] = &[
        ("hyperv-host", "vmm-to-host-agent",         IN,  "tcp", &[(80, 80), (135, 135), (139, 139), (445, 445)],               VMM),
        ("hyperv-host", "vmm-to-host-bits",          IN,  "tcp", &[(443, 443)],                                                 VMM),
        ("hyperv-host", "vmm-to-host-winrm",         IN,  "tcp", &[(5985, 5985)],                                               VMM),
        ("hyperv-host", "vmm-to-host-winrm-tls",     IN,  "tcp", &[(5986, 5986)],                                               VMM),
        ("hyperv-host", "host-to-host-bits",         IN,  "tcp", &[(443, 443)],                                                 &["hyperv-host"]),
        ("hyperv-host", "library-to-host-bits",      IN,  "tcp", &[(443, 443)],                                                 &["library-server"]),
        ("hyperv-host", "esxi-to-hyperv",            IN,  "tcp", &[(443, 443), (445, 445)],                                     &["esxi-host"]),
        ("hyperv-host", "console-to-host-vmconnect", IN,  "tcp", &[(2179, 2179)],                                               &["vmm-console"]),
        ("hyperv-host", "many-ports",                IN,  "tcp", MANY_TCP,                                                      &["vmm-console"]),
        ("hyperv-host", "many-ports",                IN,  "udp", MANY_UDP,                                                      &["vmm-console"]),
        ("guest-vm",    "vmm-to-guest-bits",         IN,  "tcp", &[(443, 443)],                                                 VMM),
        ("guest-vm",    "vmm-to-guest-winrm",        IN,  "tcp", &[(5985, 5985)],                                               VMM),
        ("esxi-host",   "vmm-to-esxi-sftp",          IN,  "tcp", &[(22, 22)],                                                   VMM),
        ("esxi-host",   "vmm-to-esxi",               IN,  "tcp", &[(22, 22), (443, 443)],                                       VMM),
        ("esxi-host",   "esxi-to-hyperv",            OUT, "tcp", &[(443, 443), (445, 445)],                                     &["hyperv-host"]),
        ("esxi-host",   "esxi-to-vmm",               OUT, "tcp", &[(443, 443)],                                                 VMM),
        ("sql-server",  "vmm-to-sql",                IN,  "tcp", &[(1433, 1433)],                                               VMM),
        ("sql-server",  "vmm-to-sql-browser",        IN,  "udp", &[(1434, 1434)],                                               VMM),
        ("hyperv-host", "host-to-host-live-migration", IN, "tcp", &[(445, 445), (6600, 6600)],                                  &["hyperv-host"]),
        ("wds-server",  "pxe-boot",                  IN,  "udp", &[(67, 67), (69, 69), (4011, 4011), (64001, 65000)],           &["bare-metal-machine"]),
        ("wds-server",  "dhcp-to-wds-authorization", IN,  "udp", &[(68, 68)],                                                   &["dhcp-server"]),
        ("wds-server",  "vmm-to-wds-agent",          IN,  "tcp", &[(135, 135), (139, 139), (445, 445), (5986, 5986)],           VMM),
        ("wds-server",  "vmm-to-wds-winrm",          IN,  "tcp", &[(5985, 5985)],                                               VMM),
    ];
    let w = |&(machine, id, outbound, proto, ports, peers): &Row| Want {
        machine,
        id,
        outbound,
        proto,
        ports,
        icmp_type: None,
        peers,
    };
    let mut wants: Vec<Want> = rows.iter().map(w).collect();
    // Ping from the VMM server: an echo request in each IP family.
    for (proto, icmp_type) in [("icmpv4", 8), ("icmpv6", 128)] {
        wants.push(Want {
            icmp_type: Some(icmp_type),
            ..w(&("hyperv-host", "vmm-to-host-ping", IN, proto, &[], VMM))
        });
    }
    // The dynamic ports, scoped as any rule is: to every peer, or open.
    wants.push(Want {
        ..w(&(
            "hyperv-host",
            "dynamic-ports",
            IN,
            "tcp",
            &[(49152, 65535)],
            &["vmm-server", "hyperv-host", "file-server", "library-server"],
        ))
    });
    wants
}

/// Each address of `peers` as typed; `None` when some peer has none. A PXE
/// client's first DHCP message comes from 0.0.0.0 (RFC 2131 4.1), so the
/// catalog's bare-metal machine adds it to whatever it is given.
fn peer_addresses(remote: Remote, peers: &[&str]) -> Option<BTreeSet<(bool, Span)>> {
    let mut out = BTreeSet::new();
    for peer in peers {
        let (_, list) = remote.iter().find(|(id, _)| id == peer)?;
        out.extend(list.iter().map(|a| address_span(a)));
        if *peer == "bare-metal-machine" {
            out.insert(address_span("0.0.0.0"));
        }
    }
    Some(out)
}

fn ports_text(ports: &[(u16, u16)]) -> String {
    ports
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

// ── running things ────────────────────────────────────────────────────────

/// Where Debian keeps the firewall tools, which a non-login PATH may lack.
/// The Debian package of each tool the tests need.
fn package(tool: &str) -> &'static str {
    match tool {
        "nft" => "nftables",
        "iptables" | "ip6tables" => "iptables",
        "firewall-offline-cmd" => "firewalld",
        "ufw" => "ufw",
        "dash" => "dash",
        "zsh" => "zsh",
        _ => "util-linux",
    }
}

/// Whether the tools (and root, for namespaces, when `root`) are here. Without them the
/// test fails under CI and is skipped, with a message, elsewhere.
fn ready(tools: &[&str], root: bool) -> bool {
    let mut missing: Vec<String> = tools
        .iter()
        .filter(|t| !needs::has_tool(t))
        .map(|t| format!("{t} (apt-get install {})", package(t)))
        .collect();
    if missing.is_empty() && root && !needs::can_unshare(&["-n", "-m"]) {
        missing.push("root, for `unshare -n` and `unshare -m`".into());
    }
    needs::ready(&missing, ".ci/run installs the tools; run it as root")
}

/// `vmmports ARGS`, which must succeed; its stdout.
fn vmmports(args: &[&str]) -> String {
    let out = common::binary::vmmports_std()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vmmports {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The test catalog, written as JSON into `dir`.
fn linux_catalog(dir: &Path) -> PathBuf {
    let mut catalog: Value =
        serde_json::from_str(&vmmports(&["export", "--format", "json"])).unwrap();
    for component in catalog["components"].as_array_mut().unwrap() {
        if LINUX.contains(&component["id"].as_str().unwrap()) {
            component["kind"] = "linux".into();
        }
    }
    let connections = catalog["connections"].as_array_mut().unwrap();
    let mut many = connections[0].clone();
    let ports: Vec<Value> = [(MANY_TCP, "tcp"), (MANY_UDP, "udp")]
        .into_iter()
        .flat_map(|(ports, transport)| {
            ports.iter().map(move |&(first, last)| {
                serde_json::json!({
                    "first": first,
                    "last": last,
                    "transport": transport,
                    "service": "test service",
                    "purpose": "More ports than one iptables multiport match takes.",
                })
            })
        })
        .collect();
    many["id"] = "many-ports".into();
    many["from"] = serde_json::json!(["vmm-console"]);
    many["to"] = serde_json::json!(["hyperv-host"]);
    many["rule_on"] = serde_json::json!(["hyperv-host"]);
    many["direction"] = "inbound".into();
    many["modifiability"] = "fixed".into();
    many["notes"] = serde_json::json!([]);
    many["ports"] = Value::Array(ports);
    connections.push(many);
    let path = dir.join("linux-catalog.json");
    std::fs::write(&path, serde_json::to_string_pretty(&catalog).unwrap()).unwrap();
    path
}

/// The script for the whole test catalog in `format`.
fn script(catalog: &Path, format: &str, remote: Remote, extra: &[&str]) -> String {
    let remote_args: Vec<String> = remote
        .iter()
        .map(|(id, list)| format!("{id}={}", list.join(",")))
        .collect();
    let mut args = vec![
        "--data",
        catalog.to_str().unwrap(),
        "rules",
        "--format",
        format,
        "--include-dynamic",
    ];
    for r in &remote_args {
        args.extend(["--remote", r]);
    }
    // The tests give some peers addresses and check the rest stay open.
    if !remote_args.is_empty() {
        args.push("--any-for-missing");
    }
    args.extend(extra);
    vmmports(&args)
}

/// How most tests here start: the tools ready (else the test is skipped, or
/// fails under CI), a scratch folder holding the test catalog, and the
/// script for it in `format`. The folder lives as long as the guard.
fn scenario(
    tools: &[&str],
    root: bool,
    format: &str,
    remote: Remote,
    extra: &[&str],
) -> Option<(tempfile::TempDir, String)> {
    if !ready(tools, root) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let catalog = linux_catalog(dir.path());
    let script = script(&catalog, format, remote, extra);
    Some((dir, script))
}

/// Whether `line` is a comment of the Linux dialects: `: '…'`, inert in
/// bash, dash and zsh alike.
fn is_comment(line: &str) -> bool {
    line.starts_with(": '")
}

/// Lines that are commands, not comments or blanks.
fn commands(script: &str) -> Vec<&str> {
    script
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_comment(l))
        .collect()
}

/// The script's lines that are not blank, comments included, by the machine
/// whose section (`: '── on NAME (ID) ──'`) they are in; the header's under "".
fn machine_lines(script: &str) -> BTreeMap<String, Vec<&str>> {
    let mut out: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut machine = String::new();
    for line in script.lines() {
        if let Some(head) = line.strip_prefix(": '── on ") {
            // `NAME (ID) ──'`, or `NAME (ID), also NAME (ID) ──'` for a
            // machine that is also another: the first ID is the machine's.
            let own = head.split(", also ").next().unwrap();
            let id = own.rsplit_once('(').unwrap().1;
            machine = id.split_once(')').unwrap().0.to_string();
        } else if !line.trim().is_empty() {
            out.entry(machine.clone()).or_default().push(line);
        }
    }
    out
}

/// Every rule of `wants` that is open to any address because some peer has
/// no `--remote` has an `unscoped` comment right above its command, and no
/// other rule on these machines has one.
fn assert_unscoped_marked(script: &str, remote: Remote) {
    let mut marked: Vec<(String, String)> = Vec::new();
    for (machine, lines) in machine_lines(script) {
        if !wants().iter().any(|w| w.machine == machine) {
            continue;
        }
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix(": 'unscoped: the next rule (") else {
                continue;
            };
            let id = rest.split_once(')').unwrap().0;
            let next = lines.get(i + 1).copied().unwrap_or_default();
            assert!(
                !is_comment(next) && next.contains(&format!(" - {id} (")),
                "{machine}: the unscoped comment for {id} is not above its rule:\n{line}\n{next}"
            );
            marked.push((machine.clone(), id.to_string()));
        }
    }
    marked.sort();
    let mut expected: Vec<(String, String)> = wants()
        .iter()
        .filter(|w| w.addresses(remote).is_none())
        .map(|w| (w.machine.to_string(), w.id.to_string()))
        .collect();
    expected.sort();
    assert_eq!(marked, expected, "rules marked unscoped");
}

fn show(out: &Output) -> String {
    format!(
        "exit: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Separates the parts of one namespace's output.
const MARK: &str = "@@vmmports-test@@";

/// A shell function that runs each line of `$1` on its own and names the
/// first one that fails.
const EACH: &str = r#"each() {
    printf '%s\n' "$1" | while IFS= read -r line; do
        sh -ec "$line" || { echo "failing line: $line" >&2; exit 1; }
    done
}
"#;

/// Runs `body` with `sh -e` inside fresh namespaces (`unshare FLAGS`), with
/// `$1` = `script` and `$2` = `arg`; every `echo $MARK` in `body` starts a
/// new part of the returned stdout. Bodies run scripts whole, as
/// `sh -ec "$1"`; when that fails, it is run again line by line in new
/// namespaces to name the line that fails.
fn in_namespace(flags: &str, body: &str, script: &str, arg: &str) -> Vec<String> {
    let run = |body: &str| {
        Command::new("unshare")
            .args([
                flags,
                "sh",
                "-ec",
                &body.replace("$MARK", MARK),
                "sh",
                script,
                arg,
            ])
            .env("PATH", needs::path_env())
            .output()
            .unwrap()
    };
    let out = run(body);
    if !out.status.success() {
        let each = body
            .replace(r#"sh -ec "$1""#, r#"each "$1""#)
            .replace(r#"sh -ec "$2""#, r#"each "$2""#);
        let again = run(&format!("{EACH}{each}"));
        panic!(
            "the script failed in `unshare {flags}`\n{}\n\nrun line by line:\n{}",
            show(&out),
            String::from_utf8_lossy(&again.stderr)
        );
    }
    // Nothing on stderr: no tool may even warn.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "unexpected messages:\n{stderr}");
    String::from_utf8(out.stdout)
        .unwrap()
        .split(&format!("{MARK}\n"))
        .map(str::to_string)
        .collect()
}

// ── spans: ports and addresses as merged inclusive intervals ───────────────

type Span = (u128, u128);

/// Adds `more` to the merged `spans`, which stay merged: rules and zone
/// entries that say the same thing in several pieces compare as one.
fn add_spans(spans: &mut Vec<Span>, more: impl IntoIterator<Item = Span>) {
    spans.extend(more);
    *spans = merge(std::mem::take(spans));
}

/// Sorted, with overlapping and adjacent spans joined: one spelling per set.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::new();
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn ip_number(text: &str) -> (bool, u128) {
    match text.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => (false, u128::from(u32::from(ip))),
        Ok(IpAddr::V6(ip)) => (true, u128::from(ip)),
        Err(_) => panic!("`{text}` is not an IP address"),
    }
}

/// `10.0.0.5`, `10.0.0.0/24` (host bits ignored) or `a-b`, with its family
/// (`true` for IPv6).
fn address_span(text: &str) -> (bool, Span) {
    if let Some((a, b)) = text.split_once('-') {
        let ((v6, a), (_, b)) = (ip_number(a), ip_number(b));
        return (v6, (a, b));
    }
    if let Some((ip, len)) = text.split_once('/') {
        let (v6, n) = ip_number(ip);
        let host_bits = if v6 { 128 } else { 32 } - len.parse::<u32>().unwrap();
        let host = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        return (v6, (n & !host, n | host));
    }
    let (v6, n) = ip_number(text);
    (v6, (n, n))
}

/// `443`, `49152:65535` or `49152-65535`.
fn port_span(text: &str) -> Span {
    let (a, b) = text.split_once([':', '-']).unwrap_or((text, text));
    (a.parse().unwrap(), b.parse().unwrap())
}

/// A port list as iptables and ufw count it: a range is two.
fn multiport_cost(list: &str) -> usize {
    list.split(',')
        .map(|p| if p.contains(':') { 2 } else { 1 })
        .sum()
}

// ── nft ───────────────────────────────────────────────────────────────────

/// One rule as `nft -j list ruleset` reports it.
#[derive(Debug, PartialEq, Eq)]
struct NftRule {
    chain: String,
    /// `ip saddr` etc., with its merged spans; `None` for any address.
    addresses: Option<(String, Vec<Span>)>,
    /// `tcp`, `udp` (`… dport`), `icmpv4` (`icmp type`) or `icmpv6`
    /// (`icmpv6 type`).
    proto: String,
    ports: Vec<Span>,
    icmp_type: Option<u16>,
    verdict: String,
}

fn nft_spans(value: &Value, addresses: bool) -> Vec<Span> {
    let one = |v: &Value| -> u128 {
        match v {
            Value::Number(n) => u128::from(n.as_u64().unwrap()),
            Value::String(s) if addresses => ip_number(s).1,
            other => panic!("unexpected nft value {other}"),
        }
    };
    match value {
        Value::Object(o) if o.contains_key("set") => o["set"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| nft_spans(e, addresses))
            .collect(),
        Value::Object(o) if o.contains_key("range") => {
            vec![(one(&o["range"][0]), one(&o["range"][1]))]
        }
        Value::Object(o) if o.contains_key("prefix") => {
            let p = &o["prefix"];
            vec![address_span(&format!("{}/{}", p["addr"].as_str().unwrap(), p["len"])).1]
        }
        v => vec![(one(v), one(v))],
    }
}

/// The rules of `nft -j list ruleset` by comment, and the chains by name.
fn nft_ruleset(json: &str) -> (BTreeMap<String, NftRule>, BTreeMap<String, Value>) {
    let doc: Value = serde_json::from_str(json).unwrap();
    let mut rules = BTreeMap::new();
    let mut chains = BTreeMap::new();
    for item in doc["nftables"].as_array().unwrap() {
        if let Some(chain) = item.get("chain") {
            chains.insert(chain["name"].as_str().unwrap().to_string(), chain.clone());
        }
        let Some(rule) = item.get("rule") else {
            continue;
        };
        assert_eq!(
            (rule["family"].as_str(), rule["table"].as_str()),
            (Some("inet"), Some("filter"))
        );
        let comment = rule["comment"]
            .as_str()
            .unwrap_or("(no comment)")
            .to_string();
        let mut parsed = NftRule {
            chain: rule["chain"].as_str().unwrap().to_string(),
            addresses: None,
            proto: String::new(),
            ports: Vec::new(),
            icmp_type: None,
            verdict: String::new(),
        };
        for expr in rule["expr"].as_array().unwrap() {
            if let Some(m) = expr.get("match") {
                assert_eq!(m["op"], "==", "{comment}: {m}");
                let payload = &m["left"]["payload"];
                let (Some(protocol), Some(field)) =
                    (payload["protocol"].as_str(), payload["field"].as_str())
                else {
                    panic!("{comment}: unexpected match {m}");
                };
                match (protocol, field) {
                    ("tcp" | "udp", "dport") => {
                        assert!(parsed.proto.is_empty(), "{comment}: two protocols");
                        parsed.proto = protocol.to_string();
                        parsed.ports = merge(nft_spans(&m["right"], false));
                    }
                    ("icmp" | "icmpv6", "type") => {
                        assert!(parsed.proto.is_empty(), "{comment}: two protocols");
                        let proto = if protocol == "icmp" {
                            "icmpv4"
                        } else {
                            "icmpv6"
                        };
                        parsed.proto = proto.to_string();
                        parsed.icmp_type = Some(match &m["right"] {
                            Value::String(name) => icmp_type_number(proto, name),
                            Value::Number(n) => u16::try_from(n.as_u64().unwrap()).unwrap(),
                            other => panic!("{comment}: one ICMP type, not {other}"),
                        });
                    }
                    ("ip" | "ip6", "saddr" | "daddr") => {
                        assert!(parsed.addresses.is_none(), "{comment}: two address matches");
                        parsed.addresses = Some((
                            format!("{protocol} {field}"),
                            merge(nft_spans(&m["right"], true)),
                        ));
                    }
                    _ => panic!("{comment}: unexpected match {m}"),
                }
            } else if let Some(verdict) = expr.as_object().and_then(|o| o.keys().next()) {
                parsed.verdict = verdict.clone();
            }
        }
        let previous = rules.insert(comment.clone(), parsed);
        assert!(previous.is_none(), "two rules are commented {comment:?}");
    }
    (rules, chains)
}

/// What the nft ruleset must hold for `wants`: rules by comment.
fn nft_expected(wants: &[Want], remote: Remote) -> BTreeMap<String, NftRule> {
    let mut out = BTreeMap::new();
    for want in wants {
        let chain = if want.outbound { "output" } else { "input" };
        let rule = |addresses| NftRule {
            chain: chain.into(),
            addresses,
            proto: want.proto.into(),
            ports: want.port_spans(),
            icmp_type: want.icmp_type,
            verdict: "accept".into(),
        };
        // An ICMP rule's scope holds addresses of its own family only, so
        // it is never split.
        let Some([v4, v6]) = want.scope(remote) else {
            out.insert(want.name(), rule(None));
            continue;
        };
        let field = if want.outbound { "daddr" } else { "saddr" };
        let split = !v4.is_empty() && !v6.is_empty();
        for (family, spans, suffix) in [("ip", v4, " ipv4"), ("ip6", v6, " ipv6")] {
            if !spans.is_empty() {
                let name = format!("{}{}", want.name(), if split { suffix } else { "" });
                out.insert(name, rule(Some((format!("{family} {field}"), spans))));
            }
        }
    }
    out
}

#[test]
fn nft_script_applies_to_an_empty_ruleset_means_each_rule_and_is_idempotent() {
    let Some((_dir, script)) = scenario(&["nft"], true, "nft", REMOTE, &[]) else {
        return;
    };
    let parts = in_namespace(
        "-n",
        r#"sh -ec "$1"
echo $MARK; nft list ruleset
echo $MARK; nft -j list ruleset
echo $MARK; sh -ec "$1"
echo $MARK; nft list ruleset"#,
        &script,
        "",
    );
    let [_, listing, json, _, again] = &parts[..] else {
        panic!("unexpected output: {parts:#?}");
    };
    assert_eq!(listing, again, "a second run changed the ruleset");

    // The table and both chains, with the policy nft defaults to.
    for text in [
        "table inet filter {",
        "chain input {\n\t\ttype filter hook input priority filter; policy accept;",
        "chain output {\n\t\ttype filter hook output priority filter; policy accept;",
        // Sets of each address form, one family per rule.
        "ip saddr { 10.0.0.5, 10.1.0.0/24, 10.2.0.5-10.2.0.9 } tcp dport { 80, 135, 139, 445 } accept",
        "ip6 saddr { fd00::5, fd00:1::10-fd00:1::20 } tcp dport { 80, 135, 139, 445 } accept",
        "ip daddr 10.0.0.7 tcp dport { 443, 445 } accept",
        // A PXE client's first DHCP message comes from 0.0.0.0.
        "ip saddr { 0.0.0.0, 10.20.0.0/16 } udp dport { 67, 69, 4011, 64001-65000 } accept",
        // The dynamic ports: one of their peers (file-server) has no
        // address, so they are open to any, marked (--any-for-missing).
        "tcp dport 49152-65535 accept comment \"VMM - dynamic-ports (49152-65535/tcp)\"",
        "comment \"VMM - console-to-host-vmconnect (2179/tcp)\"",
        // Ping, one rule per IP family, each with its own ICMP.
        "ip saddr { 10.0.0.5, 10.1.0.0/24, 10.2.0.5-10.2.0.9 } icmp type echo-request accept comment \"VMM - vmm-to-host-ping (echo-request/icmpv4)\"",
        "ip6 saddr { fd00::5, fd00:1::10-fd00:1::20 } icmpv6 type echo-request accept comment \"VMM - vmm-to-host-ping (echo-request/icmpv6)\"",
    ] {
        assert!(listing.contains(text), "missing {text:?} in\n{listing}");
    }
    assert_unscoped_marked(&script, REMOTE);

    let (rules, chains) = nft_ruleset(json);
    for (name, hook) in [("input", "input"), ("output", "output")] {
        let chain = &chains[name];
        assert_eq!(
            (
                &chain["type"],
                &chain["hook"],
                &chain["prio"],
                &chain["policy"]
            ),
            (
                &Value::from("filter"),
                &Value::from(hook),
                &Value::from(0),
                &Value::from("accept")
            ),
            "{chain}"
        );
    }
    let expected = nft_expected(&wants(), REMOTE);
    let names = |m: &BTreeMap<String, NftRule>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&rules), names(&expected), "rules by comment");
    for (name, want) in &expected {
        assert_eq!(&rules[name], want, "{name}");
    }
}

#[test]
fn nft_script_keeps_an_existing_drop_policy_and_the_admins_rules() {
    let Some((_dir, script)) = scenario(&["nft"], true, "nft", REMOTE, &["--on", "esxi-host"])
    else {
        return;
    };
    let parts = in_namespace(
        "-n",
        r#"nft add table inet filter
nft 'add chain inet filter input { type filter hook input priority 0; policy drop; }'
nft 'add rule inet filter input tcp dport 2222 accept comment "admin ssh"'
nft 'add chain inet filter output { type filter hook output priority 0; policy drop; }'
sh -ec "$1"
echo $MARK; nft -j list ruleset"#,
        &script,
        "",
    );
    let (rules, chains) = nft_ruleset(&parts[1]);
    for chain in ["input", "output"] {
        assert_eq!(
            chains[chain]["policy"], "drop",
            "{chain} lost its drop policy"
        );
    }
    assert!(rules.contains_key("admin ssh"), "the admin's rule is gone");
    let esxi: Vec<Want> = wants()
        .into_iter()
        .filter(|w| w.machine == "esxi-host")
        .collect();
    let expected = nft_expected(&esxi, REMOTE);
    assert_eq!(rules.len(), expected.len() + 1);
    for (name, want) in &expected {
        assert_eq!(rules.get(name), Some(want), "{name}");
    }
}

// ── nft beside other tables ───────────────────────────────────────────────
//
// netfilter runs every base chain on a hook, and a packet passes only if
// each accepts it: the script's accepts in `inet filter` cannot open a port
// that another table's chain drops, so the script refuses there.

/// The ruleset firewalld 1.3.3 writes (zone public), for `nft -f`.
fn firewalld_ruleset() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/firewalld-1.3.3.nft")
}

/// The refusal's line for one chain, as the script prints it.
fn refusal(head: &str, advice: &str) -> String {
    format!(
        "vmmports: {head}, and an accept in table inet filter does not get a packet past it: {advice}"
    )
}

/// A ruleset the nft script must refuse to change.
struct Refusal<'a> {
    case: &'a str,
    /// sh lines that build the ruleset; `$2` is the firewalld ruleset.
    setup: &'a str,
    script: &'a str,
    /// The chains the refusal names, each with its advice.
    chains: &'a [(&'a str, &'a str)],
}

const USE_FIREWALLD: &str = "use vmmports rules --format firewalld";
const IPTABLES: &str = "iptables-nft owns it: use vmmports rules --format iptables (or --format ufw where ufw manages it)";
const ADD_THERE: &str = "add these accepts to that chain instead, or make it accept them";

#[test]
fn nft_script_refuses_beside_another_tables_dropping_chain_and_changes_nothing() {
    let Some((dir, guest)) = scenario(
        &["nft", "iptables"],
        true,
        "nft",
        REMOTE,
        &["--on", "guest-vm"],
    ) else {
        return;
    };
    // ESXi has outbound rules too: its script needs the output hook.
    let esxi = script(
        &dir.path().join("linux-catalog.json"),
        "nft",
        REMOTE,
        &["--on", "esxi-host"],
    );
    let fixture = firewalld_ruleset();
    let cases = [
        Refusal {
            case: "firewalld 1.3.3: policy accept, then a final reject",
            setup: r#"nft -f "$2""#,
            script: &guest,
            chains: &[(
                "table inet firewalld, chain filter_INPUT (hook input) ends in a reject",
                USE_FIREWALLD,
            )],
        },
        Refusal {
            case: "a firewalld-style table with policy drop",
            setup: "nft add table inet firewalld\n\
                    nft 'add chain inet firewalld filter_INPUT { type filter hook input priority filter + 10; policy drop; }'\n\
                    nft add rule inet firewalld filter_INPUT ct state established,related accept",
            script: &guest,
            chains: &[(
                "table inet firewalld, chain filter_INPUT (hook input) has policy drop",
                USE_FIREWALLD,
            )],
        },
        Refusal {
            case: "iptables-nft with INPUT policy DROP",
            setup: "iptables -P INPUT DROP",
            script: &guest,
            chains: &[(
                "table ip filter, chain INPUT (hook input) has policy drop",
                IPTABLES,
            )],
        },
        Refusal {
            case: "another table's output chain ends in a counted, commented drop",
            setup: "nft add table inet egress\n\
                    nft 'add chain inet egress out { type filter hook output priority 0; policy accept; }'\n\
                    nft 'add rule inet egress out counter drop comment \"egress\"'",
            script: &esxi,
            chains: &[(
                "table inet egress, chain out (hook output) ends in a drop",
                ADD_THERE,
            )],
        },
        Refusal {
            case: "a second input chain in inet filter itself",
            setup: "nft add table inet filter\n\
                    nft 'add chain inet filter INPUT { type filter hook input priority 10; policy drop; }'",
            script: &guest,
            chains: &[(
                "table inet filter, chain INPUT (hook input) has policy drop",
                ADD_THERE,
            )],
        },
        Refusal {
            case: "firewalld and iptables-nft together",
            setup: "nft -f \"$2\"\niptables -P INPUT DROP",
            script: &guest,
            chains: &[
                (
                    "table inet firewalld, chain filter_INPUT (hook input) ends in a reject",
                    USE_FIREWALLD,
                ),
                (
                    "table ip filter, chain INPUT (hook input) has policy drop",
                    IPTABLES,
                ),
            ],
        },
    ];
    for Refusal {
        case,
        setup,
        script,
        chains,
    } in cases
    {
        let parts = in_namespace(
            "-n",
            &format!(
                r#"{setup}
nft list ruleset 2>/dev/null
echo $MARK; err=$(sh -ec "$1" 2>&1 >/dev/null) && rc=0 || rc=$?; echo "$rc"
echo $MARK; printf '%s\n' "$err"
echo $MARK; nft list ruleset 2>/dev/null"#
            ),
            script,
            fixture.to_str().unwrap(),
        );
        let [before, rc, stderr, after] = &parts[..] else {
            panic!("{case}: unexpected output: {parts:#?}");
        };
        assert_eq!(rc, "1\n", "{case}: the exit code; stderr:\n{stderr}");
        let mut want: Vec<String> = chains
            .iter()
            .map(|(head, advice)| refusal(head, advice))
            .collect();
        want.push("vmmports: stopped before changing anything".into());
        assert_eq!(
            stderr.lines().collect::<Vec<_>>(),
            want,
            "{case}: what the script said"
        );
        assert!(before.contains("table "), "{case}: no ruleset:\n{before}");
        assert_eq!(before, after, "{case}: the ruleset changed");
    }
}

/// Pasted, a script runs line by line: the refusal must end the shell, or
/// the lines after it would still add the rules.
#[test]
fn nft_script_pasted_into_an_interactive_shell_stops_at_the_refusal() {
    let Some((_dir, guest)) = scenario(
        &["nft", "bash", "dash", "zsh"],
        true,
        "nft",
        REMOTE,
        &["--on", "guest-vm"],
    ) else {
        return;
    };
    for shell in ["bash --norc --noprofile -i", "dash -i", "zsh -f -i"] {
        let parts = in_namespace(
            "-n",
            &format!(
                r#"nft -f "$2"
nft list ruleset
echo $MARK; printf '%s\n' "$1" | {shell} >/dev/null 2>&1 && rc=0 || rc=$?; echo "$rc"
echo $MARK; nft list ruleset"#
            ),
            &guest,
            firewalld_ruleset().to_str().unwrap(),
        );
        let [before, rc, after] = &parts[..] else {
            panic!("{shell}: unexpected output: {parts:#?}");
        };
        assert_eq!(rc, "1\n", "{shell}: the exit code");
        assert_eq!(before, after, "{shell}: the ruleset changed");
    }
}

#[test]
fn nft_script_applies_beside_tables_that_drop_nothing_it_needs() {
    let Some((dir, all)) = scenario(&["nft"], true, "nft", REMOTE, &[]) else {
        return;
    };
    // Neither a condition's drop (fail2ban's ban list, invalid packets), a
    // comment saying "drop", a regular chain that drops, a dormant table,
    // nor a bridge table's input hook stops every packet on the IP input
    // and output hooks.
    let harmless = r#"nft -f - <<'EOF'
table inet f2b-table {
	set addr-set-sshd { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 }; }
	chain f2b-chain {
		type filter hook input priority filter - 1; policy accept;
		tcp dport 22 ip saddr @addr-set-sshd reject with icmp port-unreachable
	}
}
table ip admin {
	chain helper { counter drop; }
	chain in {
		type filter hook input priority 0; policy accept;
		ct state invalid drop
		tcp dport 22 accept comment "else drop"
	}
	chain out { type filter hook output priority 0; policy accept; }
}
table inet sleeping {
	flags dormant;
	chain in { type filter hook input priority 0; policy drop; }
}
table bridge br {
	chain in { type filter hook input priority 0; policy drop; }
}
EOF"#;
    let parts = in_namespace(
        "-n",
        &format!(
            r#"{harmless}
nft list ruleset
echo $MARK; sh -ec "$1"; sh -ec "$1"; nft list ruleset
echo $MARK; nft -j list table inet filter"#
        ),
        &all,
        "",
    );
    let [before, after, json] = &parts[..] else {
        panic!("unexpected output: {parts:#?}");
    };
    assert!(
        after.starts_with(before.as_str()) && after.len() > before.len(),
        "the other tables changed, or inet filter was not added:\n{after}"
    );
    let (rules, _) = nft_ruleset(json);
    let expected = nft_expected(&wants(), REMOTE);
    assert_eq!(rules, expected, "inet filter beside the other tables");

    // A dropping chain on a hook the script does not use: the guest VM's
    // rules are all inbound, and another table drops only on output.
    let guest = script(
        &dir.path().join("linux-catalog.json"),
        "nft",
        REMOTE,
        &["--on", "guest-vm"],
    );
    let parts = in_namespace(
        "-n",
        r#"nft add table inet egress
nft 'add chain inet egress out { type filter hook output priority 0; policy drop; }'
sh -ec "$1"
echo $MARK; nft -j list table inet filter"#,
        &guest,
        "",
    );
    let (rules, _) = nft_ruleset(&parts[1]);
    let names: Vec<&String> = rules.keys().collect();
    assert_eq!(
        names,
        [
            "VMM - vmm-to-guest-bits (443/tcp) ipv4",
            "VMM - vmm-to-guest-bits (443/tcp) ipv6",
            "VMM - vmm-to-guest-winrm (5985/tcp) ipv4",
            "VMM - vmm-to-guest-winrm (5985/tcp) ipv6",
        ]
    );
}

#[test]
fn nft_and_iptables_scripts_for_the_guest_vm_with_a_quoting_group() {
    if !ready(&["nft", "iptables", "ip6tables"], true) {
        return;
    }
    // The embedded catalog's one Linux machine, and a group that needs sh
    // quoting (`'`) and is not ASCII.
    let group = "O'Brien – ops";
    let args = |format| {
        vmmports(&[
            "rules",
            "--on",
            "guest-vm",
            "--format",
            format,
            "--group",
            group,
            "--remote",
            "vmm-server=10.0.0.5,fd00::5",
        ])
    };
    let (nft, iptables) = (args("nft"), args("iptables"));
    let parts = in_namespace(
        "-n",
        r#"sh -ec "$1"; sh -ec "$1"
echo $MARK; nft -j list ruleset
echo $MARK; iptables -S INPUT; ip6tables -S INPUT
echo $MARK; sh -ec "$2"; sh -ec "$2"; iptables -S INPUT; ip6tables -S INPUT"#,
        &nft,
        &iptables,
    );
    let (rules, _) = nft_ruleset(&parts[1]);
    let names: Vec<&String> = rules.keys().collect();
    assert_eq!(
        names,
        [
            "O'Brien – ops - vmm-to-guest-bits (443/tcp) ipv4",
            "O'Brien – ops - vmm-to-guest-bits (443/tcp) ipv6",
            "O'Brien – ops - vmm-to-guest-winrm (5985/tcp) ipv4",
            "O'Brien – ops - vmm-to-guest-winrm (5985/tcp) ipv6",
        ]
    );
    // iptables-nft shares the namespace's nftables; iptables -S only shows
    // its own tables, so the listing before the iptables script is empty.
    assert_eq!(parts[2], "-P INPUT ACCEPT\n-P INPUT ACCEPT\n");
    let listed: Vec<IptRule> = parts[3]
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(ipt_rule)
        .collect();
    assert_eq!(
        listed.len(),
        4,
        "run twice, the four rules stay four:\n{}",
        parts[3]
    );
    for rule in &listed {
        assert!(
            rule.comment.starts_with("O'Brien – ops - vmm-to-guest-"),
            "{rule:?}"
        );
    }
}

// ── iptables ──────────────────────────────────────────────────────────────

/// One `-A` line of `iptables -S`.
#[derive(Debug)]
struct IptRule {
    chain: String,
    proto: String,
    /// `-s`/`--src-range` (true) or `-d`/`--dst-range` (false), as a span.
    address: Option<(bool, Span)>,
    ports: Vec<Span>,
    /// The port list as written, for the 15-port limit.
    list: String,
    /// `--icmp-type N` (false) or `--icmpv6-type N` (true).
    icmp: Option<(bool, u16)>,
    comment: String,
    target: String,
}

impl IptRule {
    /// The protocol as `Want` says it, for a line of `tool`'s listing:
    /// `tcp` or `udp` with ports; `icmpv4` (`-p icmp --icmp-type`, in
    /// iptables) or `icmpv6` (`-p ipv6-icmp --icmpv6-type`, in ip6tables)
    /// with one type and no ports. Anything else matches something no rule
    /// means, and fails.
    fn want_proto(&self, tool: &str, line: &str) -> &'static str {
        let ports = !self.ports.is_empty();
        match (self.proto.as_str(), self.icmp, tool) {
            ("tcp", None, _) if ports => "tcp",
            ("udp", None, _) if ports => "udp",
            ("icmp", Some((false, _)), "iptables") if !ports => "icmpv4",
            ("ipv6-icmp", Some((true, _)), "ip6tables") if !ports => "icmpv6",
            _ => panic!("{tool}: not one protocol with its ports or ICMP type: {line}"),
        }
    }
}

/// Splits an `iptables -S` line into words: `"…"` with `\` escapes is one word.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => continue,
            '"' => {
                let mut word = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => word.extend(chars.next()),
                        '"' => break,
                        c => word.push(c),
                    }
                }
                out.push(word);
            }
            c => {
                let mut word = String::from(c);
                for c in chars.by_ref() {
                    if c == ' ' {
                        break;
                    }
                    word.push(c);
                }
                out.push(word);
            }
        }
    }
    out
}

fn ipt_rule(line: &str) -> IptRule {
    let words = words(line);
    let mut rule = IptRule {
        chain: String::new(),
        proto: String::new(),
        address: None,
        ports: Vec::new(),
        list: String::new(),
        icmp: None,
        comment: String::new(),
        target: String::new(),
    };
    let mut i = 0;
    while i < words.len() {
        let value = words.get(i + 1).cloned().unwrap_or_default();
        match words[i].as_str() {
            "-A" => rule.chain = value,
            "-p" => rule.proto = value,
            "-s" | "--src-range" => rule.address = Some((true, address_span(&value).1)),
            "-d" | "--dst-range" => rule.address = Some((false, address_span(&value).1)),
            "--dport" | "--dports" => {
                rule.ports = merge(value.split(',').map(port_span).collect());
                rule.list = value;
            }
            "--icmp-type" | "--icmpv6-type" => {
                assert!(rule.icmp.is_none(), "two ICMP types in {line}");
                let number = value
                    .parse()
                    .unwrap_or_else(|_| panic!("ICMP type `{value}` is not one number in {line}"));
                rule.icmp = Some((words[i] == "--icmpv6-type", number));
            }
            "--comment" => rule.comment = value,
            "-j" => rule.target = value,
            "-m" => {}
            other => panic!("unexpected `{other}` in {line}"),
        }
        i += 2;
    }
    rule
}

#[test]
fn iptables_script_applies_to_empty_tables_means_each_rule_and_is_idempotent() {
    let Some((_dir, script)) = scenario(&["iptables", "ip6tables"], true, "iptables", REMOTE, &[])
    else {
        return;
    };
    let parts = in_namespace(
        "-n",
        r#"sh -ec "$1"
echo $MARK; iptables -S
echo $MARK; ip6tables -S
echo $MARK; sh -ec "$1"
echo $MARK; iptables -S
echo $MARK; ip6tables -S"#,
        &script,
        "",
    );
    let [_, v4, v6, _, v4_again, v6_again] = &parts[..] else {
        panic!("unexpected output: {parts:#?}");
    };
    assert_eq!(
        (v4, v6),
        (v4_again, v6_again),
        "a second run changed the rules"
    );

    for (listing, text) in [
        (v4, "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"),
        (v6, "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"),
        // a-b ranges through iprange, in both directions and families.
        (
            v4,
            "-m iprange --src-range 10.2.0.5-10.2.0.9 -m multiport --dports 80,135,139,445",
        ),
        (
            v6,
            "-m iprange --dst-range fd00:1::10-fd00:1::20 -m tcp --dport 443",
        ),
        (v4, "-A INPUT -s 10.1.0.0/24 -p tcp -m tcp --dport 1433"),
        (
            v6,
            "-A OUTPUT -d fd00::7/128 -p tcp -m multiport --dports 443,445",
        ),
        (
            v4,
            "-A INPUT -s 10.20.0.0/16 -p udp -m multiport --dports 67,69,4011,64001:65000",
        ),
        // A PXE client's first DHCP message comes from 0.0.0.0.
        (
            v4,
            "-A INPUT -s 0.0.0.0/32 -p udp -m multiport --dports 67,69,4011,64001:65000",
        ),
        (v4, "-m tcp --dport 49152:65535"),
        // 14 ports then a range that counts two: the range starts the second list.
        (
            v4,
            "-A INPUT -p tcp -m multiport --dports 7001,7002,7003,7004,7005,7006,7007,7008,7009,7010,7011,7012,7013,7014 -m comment",
        ),
        (
            v6,
            "-A INPUT -p tcp -m multiport --dports 7100:7110,7120,7121,7122 -m comment",
        ),
        (
            v4,
            "--comment \"VMM - many-ports (7200-7210,7301/udp)\" -j ACCEPT",
        ),
        // Ping: ICMPv4 in iptables, ICMPv6 in ip6tables, by type number.
        (
            v4,
            "-A INPUT -s 10.0.0.5/32 -p icmp -m icmp --icmp-type 8 -m comment --comment \"VMM - vmm-to-host-ping (echo-request/icmpv4)\" -j ACCEPT",
        ),
        (
            v6,
            "-A INPUT -s fd00::5/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -m comment --comment \"VMM - vmm-to-host-ping (echo-request/icmpv6)\" -j ACCEPT",
        ),
    ] {
        assert!(listing.contains(text), "missing {text:?} in\n{listing}");
    }

    // (tool, chain, proto, comment) → address (None: any) → merged ports,
    // or the ICMP type.
    type Key = (&'static str, String, String, String);
    let mut actual: BTreeMap<Key, BTreeMap<Option<Span>, Matched>> = BTreeMap::new();
    for (tool, listing) in [("iptables", v4), ("ip6tables", v6)] {
        let lines: Vec<&str> = listing.lines().filter(|l| l.starts_with("-A ")).collect();
        let unique: BTreeSet<&&str> = lines.iter().collect();
        assert_eq!(unique.len(), lines.len(), "{tool}: duplicate rules");
        for line in lines {
            let rule = ipt_rule(line);
            assert_eq!(rule.target, "ACCEPT", "{line}");
            assert!(
                multiport_cost(&rule.list) <= 15,
                "more than 15 ports: {line}"
            );
            if let Some((source, _)) = rule.address {
                assert_eq!(source, rule.chain == "INPUT", "{line}");
            }
            let proto = rule.want_proto(tool, line);
            let matched = actual
                .entry((tool, rule.chain, proto.into(), rule.comment))
                .or_default()
                .entry(rule.address.map(|(_, span)| span))
                .or_default();
            add_spans(&mut matched.ports, rule.ports);
            if let Some((_, number)) = rule.icmp {
                let previous = matched.icmp_type.replace(number);
                assert!(previous.is_none(), "{tool}: a second ICMP rule like {line}");
            }
        }
    }
    let mut expected: BTreeMap<Key, BTreeMap<Option<Span>, Matched>> = BTreeMap::new();
    for want in wants() {
        let chain = if want.outbound { "OUTPUT" } else { "INPUT" };
        let tools = [("iptables", false), ("ip6tables", true)];
        for (tool, v6) in tools {
            // ICMPv4 is iptables' only, ICMPv6 ip6tables'.
            if want.icmp_family().is_some_and(|family| family != v6) {
                continue;
            }
            let key = (tool, chain.into(), want.proto.into(), want.name());
            match want.addresses(REMOTE) {
                None => {
                    expected
                        .entry(key)
                        .or_default()
                        .insert(None, want.matched());
                }
                Some(list) => {
                    for (_, span) in list.into_iter().filter(|(f, _)| *f == v6) {
                        expected
                            .entry(key.clone())
                            .or_default()
                            .insert(Some(span), want.matched());
                    }
                }
            }
        }
    }
    let keys = |m: &BTreeMap<Key, _>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&actual), keys(&expected));
    for (key, want) in &expected {
        assert_eq!(&actual[key], want, "{key:?}");
    }
}

// ── firewalld ─────────────────────────────────────────────────────────────

/// The script's sections: machine id → its command lines.
fn sections(script: &str) -> BTreeMap<String, Vec<String>> {
    machine_lines(script)
        .into_iter()
        .filter_map(|(machine, lines)| {
            let commands: Vec<String> = lines
                .into_iter()
                .filter(|l| !is_comment(l))
                .map(str::to_string)
                .collect();
            (!commands.is_empty()).then_some((machine, commands))
        })
        .collect()
}

/// A fresh copy of the firewalld configuration.
fn firewalld_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("firewalld");
    std::fs::create_dir_all(&copy).unwrap();
    if Path::new("/etc/firewalld/firewalld.conf").exists() {
        let status = Command::new("cp")
            .args(["-a", "/etc/firewalld/.", copy.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    copy
}

/// Runs each `firewall-cmd` line offline against `copy`, `--permanent`
/// dropped and `--reload` skipped; every line must succeed.
fn firewalld_apply(copy: &Path, lines: &[String]) {
    let reloads = lines.iter().filter(|l| l.contains("--reload")).count();
    assert_eq!(reloads, 1, "one reload per machine:\n{}", lines.join("\n"));
    assert_eq!(
        lines.last().unwrap(),
        "firewall-cmd --reload",
        "the reload comes last"
    );
    for line in lines.iter().filter(|l| !l.contains("--reload")) {
        let rest = line
            .strip_prefix("firewall-cmd --permanent ")
            .unwrap_or_else(|| panic!("not a permanent firewall-cmd: {line}"));
        let offline = format!(
            "firewall-offline-cmd --system-config '{}' {rest}",
            copy.display()
        );
        let out = Command::new("sh")
            .args(["-c", &offline])
            .env("PATH", needs::path_env())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("ERROR") && !stderr.contains("Error"),
            "firewalld refused the line\n{line}\n{}",
            show(&out)
        );
    }
}

/// The default zone's file in `copy`.
fn zone_xml(copy: &Path) -> String {
    let conf = std::fs::read_to_string(copy.join("firewalld.conf")).unwrap_or_default();
    let zone = conf
        .lines()
        .find_map(|l| l.strip_prefix("DefaultZone="))
        .unwrap_or("public")
        .trim();
    let path = copy.join("zones").join(format!("{zone}.xml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a zone opens: plain ports `(proto, port)`, rich rules by
/// `(ipv6, proto, port)` → merged source spans, and ICMP rich rules by
/// `(ipv6, icmp type name)`, with no source (any address) or → merged
/// source spans.
#[derive(Debug, Default, PartialEq, Eq)]
struct Zone {
    ports: BTreeSet<(String, Span)>,
    rich: BTreeMap<(bool, String, Span), Vec<Span>>,
    icmp_any: BTreeSet<(bool, String)>,
    icmp_rich: BTreeMap<(bool, String), Vec<Span>>,
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The rich rule being read.
struct RichRule {
    family: String,
    source: Option<String>,
    /// (protocol, port)
    port: Option<(String, String)>,
    /// `<icmp-type name="…"/>`
    icmp: Option<String>,
    accept: bool,
}

fn parse_zone(xml: &str) -> Zone {
    let mut zone = Zone::default();
    let mut rule: Option<RichRule> = None;
    for tag in xml.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        let name = tag.split([' ', '/']).next().unwrap();
        let port = || {
            (
                attribute(tag, "protocol").unwrap().to_string(),
                attribute(tag, "port").unwrap().to_string(),
            )
        };
        match (name, rule.as_mut()) {
            ("rule", None) => {
                let family = attribute(tag, "family").expect("rich rules name a family");
                assert!(
                    family == "ipv4" || family == "ipv6",
                    "a rich rule of family {family:?} in\n{xml}"
                );
                rule = Some(RichRule {
                    family: family.to_string(),
                    source: None,
                    port: None,
                    icmp: None,
                    accept: false,
                });
            }
            ("source", Some(r)) if r.source.is_none() => {
                assert!(attribute(tag, "invert").is_none(), "an inverted <{tag}>");
                r.source = Some(attribute(tag, "address").expect("a source address").into());
            }
            ("port", Some(r)) if r.port.is_none() => r.port = Some(port()),
            ("icmp-type", Some(r)) if r.icmp.is_none() => {
                r.icmp = Some(attribute(tag, "name").expect("an ICMP type name").into());
            }
            ("accept", Some(r)) => r.accept = true,
            ("", Some(_)) if tag == "/rule" => match rule.take() {
                Some(RichRule {
                    family,
                    source: Some(source),
                    port: Some((proto, port)),
                    icmp: None,
                    accept: true,
                }) => {
                    let (v6, span) = address_span(&source);
                    assert_eq!(v6, family == "ipv6", "{source} in a {family} rule");
                    let spans = zone.rich.entry((v6, proto, port_span(&port))).or_default();
                    add_spans(spans, [span]);
                }
                Some(RichRule {
                    family,
                    source,
                    port: None,
                    icmp: Some(name),
                    accept: true,
                }) => {
                    let key = (family == "ipv6", name);
                    let Some(source) = source else {
                        assert!(zone.icmp_any.insert(key), "two same ICMP rules in\n{xml}");
                        continue;
                    };
                    let (v6, span) = address_span(&source);
                    assert_eq!(v6, family == "ipv6", "{source} in a {family} rule");
                    let spans = zone.icmp_rich.entry(key).or_default();
                    add_spans(spans, [span]);
                }
                _ => panic!(
                    "a rich rule that is not `source … port … accept` or `[source …] icmp-type … accept` in\n{xml}"
                ),
            },
            ("port", None) => {
                let (proto, port) = port();
                zone.ports.insert((proto, port_span(&port)));
            }
            (_, Some(_)) => panic!("unexpected <{tag}> in a rich rule of\n{xml}"),
            _ => {}
        }
    }
    zone
}

fn firewalld_expected(machine: &str, remote: Remote) -> Zone {
    let mut zone = Zone::default();
    for want in wants()
        .iter()
        .filter(|w| w.machine == machine && !w.outbound)
    {
        // ICMP: always a rich rule of the ICMP's own family.
        if let (Some(number), Some(v6)) = (want.icmp_type, want.icmp_family()) {
            let key = (v6, icmp_type_name(want.proto, number).to_string());
            match want.scope(remote) {
                None => {
                    zone.icmp_any.insert(key);
                }
                Some(families) => {
                    let [v4_spans, v6_spans] = families;
                    assert!((if v6 { &v4_spans } else { &v6_spans }).is_empty());
                    let spans = if v6 { v6_spans } else { v4_spans };
                    if !spans.is_empty() {
                        let all = zone.icmp_rich.entry(key).or_default();
                        add_spans(all, spans);
                    }
                }
            }
            continue;
        }
        for &(a, b) in want.ports {
            let port = (u128::from(a), u128::from(b));
            match want.scope(remote) {
                None => {
                    zone.ports.insert((want.proto.into(), port));
                }
                Some(families) => {
                    for (v6, spans) in [false, true].into_iter().zip(families) {
                        if spans.is_empty() {
                            continue;
                        }
                        let all = zone.rich.entry((v6, want.proto.into(), port)).or_default();
                        add_spans(all, spans);
                    }
                }
            }
        }
    }
    zone
}

#[test]
fn firewalld_lines_apply_offline_and_each_zone_holds_what_they_mean() {
    let Some((dir, script)) = scenario(
        &["firewall-offline-cmd"],
        false,
        "firewalld",
        REMOTE_SLIM,
        &[],
    ) else {
        return;
    };
    // Outbound rules need nothing in firewalld, and say so.
    assert!(script.contains(
        ": 'VMM - esxi-to-hyperv (443,445/tcp): outbound 443,445/tcp: firewalld lets outgoing traffic through"
    ));
    let sections = sections(&script);
    let machines: Vec<&String> = sections.keys().collect();
    assert_eq!(
        machines,
        [
            "esxi-host",
            "guest-vm",
            "hyperv-host",
            "sql-server",
            "wds-server"
        ],
        "machines with firewall-cmd lines"
    );
    // Each machine has its own configuration; they run side by side.
    thread::scope(|s| {
        for (machine, lines) in &sections {
            let copy = firewalld_copy(&dir.path().join(machine));
            s.spawn(move || {
                firewalld_apply(&copy, lines);
                let check = Command::new("firewall-offline-cmd")
                    .args(["--system-config", copy.to_str().unwrap(), "--check-config"])
                    .env("PATH", needs::path_env())
                    .output()
                    .unwrap();
                assert!(check.status.success(), "{machine}: {}", show(&check));
                let zone = parse_zone(&zone_xml(&copy));
                assert_eq!(zone, firewalld_expected(machine, REMOTE_SLIM), "{machine}");
            });
        }
    });
}

#[test]
fn firewalld_lines_applied_twice_change_nothing() {
    let Some((dir, script)) = scenario(
        &["firewall-offline-cmd"],
        false,
        "firewalld",
        REMOTE_SLIM,
        &["--on", "sql-server"],
    ) else {
        return;
    };
    let lines = &sections(&script)["sql-server"];
    let copy = firewalld_copy(dir.path());
    firewalld_apply(&copy, lines);
    let once = zone_xml(&copy);
    firewalld_apply(&copy, lines);
    assert_eq!(once, zone_xml(&copy));
    assert_eq!(
        parse_zone(&once),
        firewalld_expected("sql-server", REMOTE_SLIM)
    );
}

// ── ufw ───────────────────────────────────────────────────────────────────

/// `ufw allow …` → `ufw --dry-run allow …`.
fn dry_run(line: &str) -> String {
    let rest = line
        .strip_prefix("ufw allow ")
        .unwrap_or_else(|| panic!("not a ufw allow line: {line}"));
    format!("ufw --dry-run allow {rest}")
}

/// Runs each line as `unshare -n sh -c LINE` on a few threads; the outputs
/// in order, or the first line ufw refused with what it said.
fn ufw_each(lines: &[String]) -> Vec<String> {
    let threads = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = lines.len().div_ceil(threads).max(1);
    thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|line| {
                            let out = Command::new("unshare")
                                .args(["-n", "sh", "-c", line])
                                .env("PATH", needs::path_env())
                                .output()
                                .unwrap();
                            let text = format!(
                                "{}{}",
                                String::from_utf8_lossy(&out.stdout),
                                String::from_utf8_lossy(&out.stderr)
                            );
                            assert!(
                                out.status.success() && !text.contains("ERROR"),
                                "ufw refused the line\n{line}\n{}",
                                show(&out)
                            );
                            text
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn hex_decode(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

/// `(direction, proto, comment)` → peer `(ipv6, span)` → merged ports.
type UfwRules = BTreeMap<(String, String, String), BTreeMap<(bool, Span), Vec<Span>>>;

/// Reads `### tuple ### allow PROTO DPORT DST SPORT SRC DIR comment=HEX`.
fn ufw_tuples(outputs: &[String]) -> UfwRules {
    let mut rules = UfwRules::new();
    for line in outputs.iter().flat_map(|o| o.lines()) {
        let Some(tuple) = line.strip_prefix("### tuple ### ") else {
            continue;
        };
        let f: Vec<&str> = tuple.split(' ').collect();
        let [action, proto, dport, dst, sport, src, direction, comment] = f[..] else {
            panic!("unexpected tuple: {line}");
        };
        assert_eq!((action, sport), ("allow", "any"), "{line}");
        assert!(multiport_cost(dport) <= 15, "more than 15 ports: {line}");
        let (peer, other) = if direction == "in" {
            (src, dst)
        } else {
            (dst, src)
        };
        assert!(other == "0.0.0.0/0" || other == "::/0", "{line}");
        let comment = hex_decode(comment.strip_prefix("comment=").unwrap());
        let ports = rules
            .entry((direction.into(), proto.into(), comment))
            .or_default()
            .entry(address_span(peer))
            .or_default();
        add_spans(ports, dport.split(',').map(port_span));
    }
    rules
}

#[test]
fn ufw_accepts_every_line_in_dry_run_and_each_means_its_rule() {
    let Some((_dir, script)) = scenario(&["ufw"], true, "ufw", REMOTE_SLIM, &[]) else {
        return;
    };
    let lines: Vec<String> = commands(&script).into_iter().map(dry_run).collect();
    let outputs = ufw_each(&lines);
    for (line, out) in lines.iter().zip(&outputs) {
        let ports = line
            .split(" port ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert!(
            out.contains(&format!(" {ports} ")),
            "the dry run does not mention {ports}:\n{line}\n{out}"
        );
    }

    // ufw's command line has no ICMP rules: an ICMP rule is only a comment
    // in its machine's section, and no command is about ICMP.
    let by_machine = machine_lines(&script);
    for want in wants().iter().filter(|w| w.icmp_type.is_some()) {
        let about: Vec<&&str> = by_machine[want.machine]
            .iter()
            .filter(|l| l.contains(want.id) && l.contains(want.proto))
            .collect();
        assert!(
            !about.is_empty(),
            "{}: nothing says {}",
            want.machine,
            want.name()
        );
        for line in about {
            assert!(is_comment(line), "{}: not a comment: {line}", want.name());
        }
    }
    for line in &lines {
        assert!(!line.to_lowercase().contains("icmp"), "{line}");
    }

    let actual = ufw_tuples(&outputs);
    let mut expected = UfwRules::new();
    let everyone = [(false, (0, u128::from(u32::MAX))), (true, (0, u128::MAX))];
    for want in wants().iter().filter(|w| w.icmp_type.is_none()) {
        let direction = if want.outbound { "out" } else { "in" };
        let key = (direction.to_string(), want.proto.to_string(), want.name());
        let rule = expected.entry(key).or_default();
        match want.addresses(REMOTE_SLIM) {
            None => {
                for peer in everyone {
                    rule.insert(peer, want.port_spans());
                }
            }
            // A range becomes several networks: compare what they cover.
            Some(list) => {
                for (v6, span) in list {
                    rule.insert((v6, span), want.port_spans());
                }
            }
        }
    }
    let keys = |m: &UfwRules| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&actual),
        keys(&expected),
        "rules by direction, proto, comment"
    );
    for (key, want) in &expected {
        let got = &actual[key];
        let cover = |m: &BTreeMap<(bool, Span), Vec<Span>>, v6: bool| {
            merge(
                m.keys()
                    .filter(|(f, _)| *f == v6)
                    .map(|(_, s)| *s)
                    .collect(),
            )
        };
        for v6 in [false, true] {
            assert_eq!(cover(got, v6), cover(want, v6), "{key:?}: peers");
        }
        let all_ports = want.values().next().unwrap();
        for (peer, ports) in got {
            assert_eq!(ports, all_ports, "{key:?}: ports from {peer:?}");
        }
    }
}

#[test]
fn ufw_lines_run_twice_add_nothing_the_second_time() {
    let Some((dir, script)) = scenario(&["ufw"], true, "ufw", REMOTE_SLIM, &["--on", "sql-server"])
    else {
        return;
    };
    // The real ufw, writing into a copy of /etc/ufw bound over the original
    // in a private mount namespace (and with no network to touch).
    let copy = dir.path().join("ufw");
    let status = Command::new("cp")
        .args(["-a", "/etc/ufw", copy.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let parts = in_namespace(
        "-mn",
        r#"mount --bind "$2" /etc/ufw
grep -qx 'ENABLED=no' /etc/ufw/ufw.conf
sh -ec "$1"
echo $MARK; cat /etc/ufw/user.rules /etc/ufw/user6.rules
echo $MARK; sh -ec "$1"
echo $MARK; cat /etc/ufw/user.rules /etc/ufw/user6.rules"#,
        &script,
        copy.to_str().unwrap(),
    );
    let [_, once, second_run, twice] = &parts[..] else {
        panic!("unexpected output: {parts:#?}");
    };
    assert_eq!(once, twice, "a second run changed ufw's rules");
    let lines = commands(&script).len();
    assert_eq!(
        second_run.matches("Skipping adding existing rule").count(),
        lines,
        "{second_run}"
    );
    let expected: Vec<String> = wants()
        .iter()
        .filter(|w| w.machine == "sql-server")
        .map(Want::name)
        .collect();
    let rules = ufw_tuples(std::slice::from_ref(once));
    let names: BTreeSet<&String> = rules.keys().map(|(_, _, name)| name).collect();
    assert_eq!(names, expected.iter().collect());
}

#[test]
fn ufw_group_with_an_apostrophe_is_accepted_or_refused_up_front() {
    if !ready(&["ufw"], true) {
        return;
    }
    let out = common::binary::vmmports_std()
        .args([
            "rules", "--on", "guest-vm", "--format", "ufw", "--group", "O'Brien",
        ])
        .output()
        .unwrap();
    // Either vmmports refuses the group (exit 2, "refused, not mangled")…
    if out.status.code() == Some(2) {
        assert!(String::from_utf8_lossy(&out.stderr).contains("ufw"));
        return;
    }
    // …or ufw accepts every line it prints.
    assert!(out.status.success(), "{}", show(&out));
    let script = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = commands(&script).into_iter().map(dry_run).collect();
    ufw_each(&lines);
}
