//! `vmmports sweep` against a fleet built on one machine: in a throwaway
//! network, PID and mount namespace (`unshare -n -p -f -m --mount-proc`),
//! hundreds of /32 addresses on `lo`, nft sets of them that drop every
//! packet or reject SYNs with a reset (only SYNs: a connection from an
//! address to itself would otherwise have its own reset rejected), a route
//! that makes a subnet unreachable, an address with no route at all, SYNs
//! answered with an ICMP host unreachable (the error arrives after the
//! connect started, through the poller), a
//! name in /etc/hosts (bind-mounted) and one that resolves nowhere, and a
//! Python listener on two ports of every address. Every state the sweep
//! reports must equal the one the test set up.
//!
//! The CLI's refusals (exit 2), the JSON shape and `--diff` need no root and
//! run on 127.0.0.1, with a setup port moved to a port the test listens on.
//!
//! Without root, `unshare`, `ip`, `nft` or Python, the namespace tests say
//! what they lack and pass, except under CI, where they fail.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::Command;
use std::time::Instant;

mod common;
use common::binary::{vmmports, vmmports_std};
use common::needs;

use serde_json::Value;

/// Addresses in the fleet, 10.77.x.y.
const FLEET: usize = 300;
/// The ports the Python listener holds on every address.
const LISTENING: [u16; 2] = [445, 5985];

/// What the test set up for one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    /// Every packet to it dropped.
    Dropped,
    /// SYNs to it answered with a reset.
    Rejected,
    /// Listening on [`LISTENING`]; nothing else.
    Listening,
    /// Behind an `unreachable` route, no route at all, or answered with an
    /// ICMP host unreachable (10.77.9.x).
    Unreachable,
    /// A name no resolver knows.
    Unresolved,
}

impl Truth {
    /// The state a sweep must report on TCP `port`.
    fn state(self, port: u16) -> &'static str {
        match self {
            Truth::Dropped => "timed out",
            Truth::Rejected => "refused",
            Truth::Listening if LISTENING.contains(&port) => "open",
            Truth::Listening => "refused",
            Truth::Unreachable => "unreachable",
            Truth::Unresolved => "name not resolved",
        }
    }
}

fn fleet_address(i: usize) -> String {
    format!("10.77.{}.{}", i / 250, i % 250 + 1)
}

/// The fleet: every tenth address dropped, the next rejected, the rest
/// listening; two unreachable ones, a name in /etc/hosts for a listening
/// address, and a name that resolves nowhere. Keyed by what the sweep's
/// JSON says of each machine: its name, else its address.
fn fleet() -> Vec<(Option<String>, Option<String>, Truth)> {
    let mut machines: Vec<(Option<String>, Option<String>, Truth)> = (0..FLEET)
        .map(|i| {
            let truth = match i % 10 {
                0 => Truth::Dropped,
                1 => Truth::Rejected,
                _ => Truth::Listening,
            };
            (None, Some(fleet_address(i)), truth)
        })
        .collect();
    machines.push((None, Some("10.78.0.1".into()), Truth::Unreachable));
    machines.push((None, Some("10.79.0.1".into()), Truth::Unreachable));
    machines.push((None, Some("10.77.9.1".into()), Truth::Unreachable));
    machines.push((None, Some("10.77.9.2".into()), Truth::Unreachable));
    machines.push((Some("hv-named.sweep.test".into()), None, Truth::Listening));
    machines.push((Some("hv-missing.invalid".into()), None, Truth::Unresolved));
    machines
}

/// A deployment file of `machines`, all Hyper-V hosts.
fn deployment(machines: &[(Option<String>, Option<String>, Truth)]) -> String {
    let list: Vec<String> = machines
        .iter()
        .map(|(name, address, _)| {
            let mut fields = Vec::new();
            if let Some(name) = name {
                fields.push(format!("name: \"{name}\""));
            }
            if let Some(address) = address {
                fields.push(format!("address: \"{address}\""));
            }
            format!("({})", fields.join(", "))
        })
        .collect();
    format!(
        "(machines: {{\"hyperv-host\": [{}], \"library-server\": [(address: \"10.0.0.0/8\")]}})\n",
        list.join(", ")
    )
}

/// `$1` is the test's folder (deployment files there), `$2` the binary,
/// `$3` tests/tools.
const PRELUDE: &str = r#####"
set -u
D=$1
VMMPORTS=$2
TOOLS=$3
cd "$D" || exit 3
mkdir -p config
export XDG_CONFIG_HOME="$D/config" NO_COLOR=1
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
ip link set lo up || { echo "@@fatal: lo"; exit 3; }
ip -batch "$D/addresses" || { echo "@@fatal: addresses"; exit 3; }
ip route add unreachable 10.78.0.0/24 || { echo "@@fatal: route"; exit 3; }
nft -f "$D/rules.nft" || { echo "@@fatal: nft"; exit 3; }
printf '127.0.0.1 localhost\n10.77.0.3 hv-named.sweep.test\n' > "$D/hosts"
mount --bind "$D/hosts" /etc/hosts || { echo "@@fatal: hosts"; exit 3; }
# A listener on every address: accepts and closes, with a backlog deep
# enough for every address at once.
$PY "$TOOLS/accept_and_close.py" "$D/listening" 445 5985 &
for _ in $(seq 100); do [ -f "$D/listening" ] && break; sleep 0.05; done
[ -f "$D/listening" ] || { echo "@@fatal: listener"; exit 3; }
"#####;

/// The `ip -batch` lines and the nft ruleset for [`fleet`].
fn network_files(dir: &std::path::Path) {
    let machines = fleet();
    let mut addresses = String::new();
    let mut dropped = Vec::new();
    let mut rejected = Vec::new();
    let mut icmp = Vec::new();
    for (_, address, truth) in &machines {
        let Some(address) = address else { continue };
        if !address.starts_with("10.77.") {
            continue;
        }
        addresses.push_str(&format!("address add {address}/32 dev lo\n"));
        match truth {
            Truth::Dropped => dropped.push(address.clone()),
            Truth::Rejected => rejected.push(address.clone()),
            Truth::Unreachable => icmp.push(address.clone()),
            _ => {}
        }
    }
    std::fs::write(dir.join("addresses"), addresses).unwrap();
    let rules = format!(
        "table inet sweep {{
  set dropped {{ type ipv4_addr; elements = {{ {} }} }}
  set rejected {{ type ipv4_addr; elements = {{ {} }} }}
  set hostunreach {{ type ipv4_addr; elements = {{ {} }} }}
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr @dropped drop
    ip daddr @rejected tcp flags & (syn | ack) == syn reject with tcp reset
    ip daddr @hostunreach tcp flags & (syn | ack) == syn reject with icmp type host-unreachable
  }}
}}
",
        dropped.join(", "),
        rejected.join(", "),
        icmp.join(", ")
    );
    std::fs::write(dir.join("rules.nft"), rules).unwrap();
    std::fs::write(dir.join("fleet.ron"), deployment(&machines)).unwrap();
}

fn ready() -> bool {
    let missing = needs::missing_for_namespaces(
        [
            "unshare", "timeout", "ip", "nft", "mount", "python3", "script",
        ],
        &["-n", "-p", "-f", "-m", "--mount-proc"],
    );
    needs::ready(
        &missing,
        "see .ci/run, which installs them and runs as root",
    )
}

/// Runs `body` after the prelude in a new namespace; its stdout.
fn in_namespace(dir: &std::path::Path, body: &str) -> String {
    network_files(dir);
    let script = dir.join("test.sh");
    std::fs::write(&script, format!("{PRELUDE}\n{body}\necho @@done\n")).unwrap();
    let out = Command::new("timeout")
        .args(["-k", "5", "60"])
        .args(["unshare", "-n", "-p", "-f", "-m", "--mount-proc", "bash"])
        .arg(&script)
        .arg(dir)
        .arg(env!("CARGO_BIN_EXE_vmmports"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools"))
        .env("PATH", needs::path_env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!(
        "namespace: {:?}\n=== stdout\n{stdout}\n=== stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("@@done") && !stdout.contains("@@fatal"),
        "the namespace's script did not finish; see above"
    );
    stdout
}

/// The text between `@@begin NAME` and `@@end NAME`, and the exit code and
/// milliseconds printed after the end marker.
fn section(stdout: &str, name: &str) -> (String, i32, u64) {
    let begin = format!("@@begin {name}\n");
    let start = stdout.find(&begin).expect("begin marker") + begin.len();
    let rest = &stdout[start..];
    let end = rest.find(&format!("@@end {name} ")).expect("end marker");
    let tail = rest[end..].lines().next().unwrap();
    let field = |key: &str| -> i64 {
        tail.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("`{key}` in {tail}"))
    };
    (
        rest[..end].to_string(),
        field("rc=") as i32,
        field("ms=") as u64,
    )
}

/// Shell lines that run `vmmports ARGS` as section NAME.
fn run_section(name: &str, args: &str) -> String {
    format!(
        "echo '@@begin {name}'\nT=$(date +%s%N)\n\"$VMMPORTS\" {args} 2>\"$D/{name}.err\"\nrc=$?\necho \"@@end {name} rc=$rc ms=$((($(date +%s%N) - T) / 1000000))\"\ncat \"$D/{name}.err\"\n"
    )
}

#[test]
fn every_state_the_sweep_reports_is_the_one_the_network_was_set_up_with() {
    if !ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let body = run_section(
        "connect",
        "sweep --deployment fleet.ron --connect-only --timeout 1000 --format json",
    );
    let stdout = in_namespace(dir.path(), &body);
    let (json, rc, ms) = section(&stdout, "connect");
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(rc, 1, "some ports fail, so the exit code is 1");

    let truth: BTreeMap<String, Truth> = fleet()
        .into_iter()
        .map(|(name, address, truth)| (name.or(address).unwrap(), truth))
        .collect();
    let hosts = report["hosts"].as_array().expect("hosts");
    assert_eq!(hosts.len(), truth.len(), "one record per machine");
    let mut checked = BTreeMap::<&str, usize>::new();
    for host in hosts {
        let key = host["name"]
            .as_str()
            .or(host["address"].as_str())
            .unwrap()
            .to_string();
        let expected = truth[&key];
        assert_eq!(host["role"], "hyperv-host");
        let results = host["results"].as_array().unwrap();
        assert!(results.len() >= 5, "{key}: {results:?}");
        for result in results {
            let port = result["port"].as_str().unwrap();
            if result["transport"] != "tcp" {
                assert_eq!(result["result"], "not tested", "{key} {port}");
                continue;
            }
            let want = expected.state(port.parse().unwrap());
            assert_eq!(result["result"], want, "{key} port {port}: {result:#}");
            assert_eq!(result["answered"], want == "open", "{key} {port}");
            *checked.entry(want).or_default() += 1;
        }
    }
    // Every state was met, many times over.
    for state in [
        "open",
        "refused",
        "timed out",
        "unreachable",
        "name not resolved",
    ] {
        assert!(
            checked.get(state).copied().unwrap_or(0) > 0,
            "{state}: {checked:?}"
        );
    }
    assert_eq!(report["summary"]["complete"], true);
    assert_eq!(report["summary"]["not_swept"][0]["machine"], "10.0.0.0/8");
    // 2,000 connects, 200 of them silent: given up once the others show how
    // fast this network answers, well inside the 1 s timeout.
    assert!(ms < 3_000, "the sweep took {ms} ms");
}

#[test]
fn without_connect_only_open_ports_get_checks_verdict_and_ctrl_c_prints_what_is_known() {
    if !ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A listening machine and a dropped one; then the same with a timeout
    // long enough to interrupt.
    std::fs::write(
        dir.path().join("two.ron"),
        "(machines: {\"hyperv-host\": [(name: \"hv-named.sweep.test\"), (address: \"10.77.0.1\")]})",
    )
    .unwrap();
    let mut body = run_section(
        "service",
        "sweep --deployment two.ron --timeout 500 --format json",
    );
    // Interrupted: the named machine answers at once; 10.77.0.4 accepts on
    // 443 but never speaks TLS, so its check is still waiting for the 20 s
    // timeout at Ctrl-C; the dropped one is given up long before (once the
    // others' answers show how fast this network answers).
    std::fs::write(
        dir.path().join("three.ron"),
        "(machines: {\"hyperv-host\": [(name: \"hv-named.sweep.test\"), (address: \"10.77.0.4\"), (address: \"10.77.0.1\")]})",
    )
    .unwrap();
    body.push_str(
        "$PY -c \"import socket,time; s=socket.socket(); s.bind(('10.77.0.4', 443)); s.listen(16); open('$D/held', 'w').close(); time.sleep(120)\" &\nH=$!\nfor _ in $(seq 100); do [ -f \"$D/held\" ] && break; sleep 0.05; done\n",
    );
    body.push_str(
        "echo '@@begin interrupted'\nT=$(date +%s%N)\n\"$VMMPORTS\" sweep --deployment three.ron --timeout 20000 > \"$D/int.out\" 2>&1 &\nP=$!\nsleep 1.5\nkill -INT $P\nwait $P\nrc=$?\nkill $H\ncat \"$D/int.out\"\necho \"@@end interrupted rc=$rc ms=$((($(date +%s%N) - T) / 1000000))\"\n",
    );
    // Progress, on a terminal only: `script` gives the sweep one.
    body.push_str(
        "echo '@@begin pty'\nscript -qec \"$VMMPORTS sweep --deployment two.ron --timeout 1000\" /dev/null\necho \"@@end pty rc=$? ms=0\"\n",
    );
    let stdout = in_namespace(dir.path(), &body);

    let (on_terminal, _, _) = section(&stdout, "pty");
    assert!(
        on_terminal.contains("\r\x1b[2Ksweeping 2 machines: ")
            && on_terminal.contains(" ports known ("),
        "{on_terminal:?}"
    );
    // Piped (every other run here), stderr has no progress line.
    assert_eq!(
        stdout.matches("ports known (").count(),
        on_terminal.matches("ports known (").count()
    );

    let (json, rc, _) = section(&stdout, "service");
    assert_eq!(rc, 1);
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let named = &report["hosts"][0];
    assert_eq!(named["name"], "hv-named.sweep.test");
    assert_eq!(named["address"], "10.77.0.3", "the name's address");
    let winrm = named["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["port"] == "5985")
        .expect("5985");
    // Open, but the listener only closes the connection: not WinRM.
    assert_eq!(winrm["result"], "open", "{winrm:#}");
    assert_eq!(winrm["probe"], "winrm", "{winrm:#}");
    assert_eq!(winrm["answered"], false, "{winrm:#}");
    assert!(
        winrm["detail"].is_string() && winrm["hint"].is_string(),
        "{winrm:#}"
    );
    assert!(
        winrm["connections"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    let (text, rc, ms) = section(&stdout, "interrupted");
    assert_eq!(rc, 130, "{text}");
    assert!(ms < 5_000, "Ctrl-C ended it after {ms} ms");
    assert!(
        text.contains("interrupted: what was known so far"),
        "{text}"
    );
    // What was known: the listening machine in full, the dropped one given
    // up well inside the 20 s timeout, and the held check still waiting.
    let line = |has: &str| {
        text.lines()
            .find(|l| l.contains(has))
            .unwrap_or_else(|| panic!("{has} in {text}"))
            .to_string()
    };
    let named = line("hv-named.sweep.test");
    assert!(
        named.contains("135 refused") && named.contains("5985 open, not WinRM"),
        "{named}"
    );
    assert!(!named.contains("not finished"), "{named}");
    let dropped = line("10.77.0.1 ");
    assert!(dropped.contains("timed out (7 ports)"), "{dropped}");
    assert!(!dropped.contains("not finished"), "{dropped}");
    assert!(line("10.77.0.4 ").contains("443 not finished"), "{text}");
}

/// A deployment of one machine on 127.0.0.1 whose WinRM port (a setup
/// port) is moved to `port`; `--connect-only port:PORT` sweeps just it.
fn local_deployment(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("local.ron");
    std::fs::write(
        &path,
        format!(
            "(machines: {{\"hyperv-host\": [(name: \"hv-local\", address: \"127.0.0.1\")]}}, ports: {{\"WSManTcpPort\": {port}}})\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn json_has_one_record_per_machine_with_checks_fields_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let file = local_deployment(dir.path(), port);
    let out = vmmports()
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["sweep", &format!("port:{port}"), "--connect-only"])
        .arg("--deployment")
        .arg(&file)
        .args(["--format", "json", "--timeout", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let host = &report["hosts"][0];
    assert_eq!(host["role"], "hyperv-host");
    assert_eq!(host["name"], "hv-local");
    assert_eq!(host["address"], "127.0.0.1");
    let result = &host["results"][0];
    for field in [
        "port",
        "transport",
        "result",
        "connections",
        "connection",
        "ms",
        "probe",
        "answered",
        "detail",
        "warnings",
        "hint",
    ] {
        assert!(result.get(field).is_some(), "{field} in {result:#}");
    }
    assert_eq!(result["port"], port.to_string());
    assert_eq!(result["result"], "open");
    let summary = &report["summary"];
    assert_eq!(summary["machines"], 1);
    assert_eq!(summary["failing"], 0);
    assert_eq!(summary["ports"]["open"], 1);
    assert_eq!(summary["as"], "vmm-server");
    assert_eq!(summary["complete"], true);
}

#[test]
fn diff_names_the_port_that_stopped_answering_and_the_one_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let file = local_deployment(dir.path(), port);
    let sweep = |extra: &[&str]| {
        let out = vmmports_std()
            .env("XDG_CONFIG_HOME", dir.path())
            .args(["sweep", &format!("port:{port}"), "--connect-only", "--diff"])
            .arg("--deployment")
            .arg(&file)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = sweep(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("no earlier sweep"), "{text}");
    assert!(
        dir.path()
            .join("vmmports")
            .join("last-sweep.json")
            .is_file(),
        "saved beside the config file"
    );
    let (_, text) = sweep(&[]);
    assert!(text.contains("no change since the last sweep"), "{text}");

    drop(listener);
    let (code, text) = sweep(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "! hv-local 127.0.0.1 (hyperv-host) {port}/tcp: newly failing: refused (was open)"
        )),
        "{text}"
    );
    let _listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (code, text) = sweep(&["--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        report["diff"]["changes"][0],
        format!("✓ hv-local 127.0.0.1 (hyperv-host) {port}/tcp: newly fixed (was refused)")
    );
}

#[test]
fn bad_input_exits_2_and_says_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let good = local_deployment(dir.path(), 5985);
    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, "(\n  machines: {},\n  prots: {},\n)\n").unwrap();
    let unknown = dir.path().join("unknown.ron");
    std::fs::write(
        &unknown,
        "(machines: {\"hyperv-hots\": [(address: \"10.0.0.1\")]})",
    )
    .unwrap();
    let empty = dir.path().join("empty.ron");
    std::fs::write(&empty, "()").unwrap();
    let missing = dir.path().join("missing.ron");
    let path = |p: &std::path::Path| p.display().to_string();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["--deployment".into(), path(&missing)],
            format!("deployment file {}: cannot read it", path(&missing)),
        ),
        (
            vec!["--deployment".into(), path(&broken)],
            format!("{}:3:", path(&broken)),
        ),
        (
            vec!["--deployment".into(), path(&unknown)],
            format!(
                "{}:1:13: no component matches the role `hyperv-hots`",
                path(&unknown)
            ),
        ),
        (
            vec!["--deployment".into(), path(&empty)],
            "nothing to sweep".into(),
        ),
        (
            vec![
                "--deployment".into(),
                path(&good),
                "--as".into(),
                "no-such-role".into(),
            ],
            "--as: no component matches".into(),
        ),
        (
            vec![
                "--deployment".into(),
                path(&good),
                "--timeout".into(),
                "0".into(),
            ],
            "--timeout 0 is out of range".into(),
        ),
        (
            vec!["--deployment".into(), path(&good), "port:x".into()],
            "bad query term".into(),
        ),
    ];
    for (args, says) in cases {
        let started = Instant::now();
        let out = vmmports()
            .env("XDG_CONFIG_HOME", dir.path())
            .arg("sweep")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(started.elapsed().as_secs() < 5, "{args:?} probed something");
    }
    // No --deployment: the config folder's deployment.ron.
    let out = vmmports()
        .env("XDG_CONFIG_HOME", dir.path())
        .arg("sweep")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("vmmports/deployment.ron"), "{stderr}");
}

#[test]
fn a_low_descriptor_limit_makes_connects_wait_for_a_slot_not_fail() {
    if !needs::ready(
        &(!needs::has_tool("prlimit"))
            .then(|| "prlimit (util-linux)".to_string())
            .into_iter()
            .collect::<Vec<_>>(),
        "install util-linux",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Every 127.0.0.0/8 address is this machine's: one listener on all of
    // them, 150 machines, one port each. Its backlog holds every connect at
    // once: an accept thread that lags on a loaded machine must not fill
    // it, or the kernel drops SYNs, whose retry a second later comes after
    // the sweep has given the port up (as it would a real overloaded host).
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "0.0.0.0:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    socket.listen(1024).unwrap();
    let listener: TcpListener = socket.into();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || for _ in listener.incoming() {});
    let machines: Vec<String> = (0..150)
        .map(|i| format!("(address: \"127.0.{}.{}\")", i / 200, i % 200 + 2))
        .collect();
    let file = dir.path().join("many.ron");
    std::fs::write(
        &file,
        format!(
            "(machines: {{\"hyperv-host\": [{}]}}, ports: {{\"WSManTcpPort\": {port}}})",
            machines.join(", ")
        ),
    )
    .unwrap();
    // 64 descriptors: far fewer than the 512 connects a sweep keeps in
    // flight.
    let out = Command::new("prlimit")
        .arg("--nofile=64")
        .arg(assert_cmd::cargo::cargo_bin("vmmports"))
        .env("XDG_CONFIG_HOME", dir.path())
        .env("PATH", needs::path_env())
        .args([
            "sweep",
            &format!("port:{port}"),
            "--connect-only",
            "--format",
            "json",
        ])
        .arg("--deployment")
        .arg(&file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        report["summary"]["ports"]["open"], 150,
        "{:#}",
        report["summary"]
    );
    assert_eq!(out.status.code(), Some(0));
}
