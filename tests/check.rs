//! Incident mode against listeners this test opens on 127.0.0.1 only: an
//! open port, a refused one, and one that never answers (a listener whose
//! accept queue is full, so the kernel drops new SYNs). No traffic leaves
//! the machine.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::process::Start;
use socket2::{Domain, Socket, Type};
use vmmports::catalog::{Probe, Transport};
use vmmports::check::{self, Context, Status, Target};

/// Three TCP ports on 127.0.0.1, kept alive while the test runs.
struct Ports {
    open: u16,
    refused: u16,
    silent: u16,
    _keep: (TcpListener, Socket, TcpStream),
}

fn ports() -> Ports {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed on drop
    // backlog 0: one pending connection fills the queue; later SYNs are dropped.
    let silent = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    silent
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    silent.listen(0).unwrap();
    let silent_addr = silent.local_addr().unwrap().as_socket().unwrap();
    let filler = TcpStream::connect(silent_addr).unwrap();
    Ports {
        open: open.local_addr().unwrap().port(),
        refused,
        silent: silent_addr.port(),
        _keep: (open, silent, filler),
    }
}

/// A catalog with one connection per port, plus a UDP port and a range.
fn catalog(dir: &std::path::Path, p: &Ports) -> std::path::PathBuf {
    let conn = |id: &str, first: u16, last: u16, transport: &str| {
        format!(
            r#"{{"id": "{id}", "section": "general", "from": ["client"], "to": ["server"],
               "ports": [{{"first": {first}, "last": {last}, "transport": "{transport}", "service": "svc", "purpose": "test"}}],
               "rule_on": ["server"], "direction": "inbound", "modifiability": "fixed", "from_docs": false}}"#
        )
    };
    let text = format!(
        r#"{{"title": "check test", "source": "tests/check.rs",
            "components": [{{"id": "client", "name": "Client", "kind": "linux"}}, {{"id": "server", "name": "Server", "kind": "linux"}}],
            "connections": [{}, {}, {}, {}, {}]}}"#,
        conn("open-svc", p.open, p.open, "tcp"),
        conn("refused-svc", p.refused, p.refused, "tcp"),
        conn("silent-svc", p.silent, p.silent, "tcp"),
        conn("udp-svc", 623, 623, "udp"),
        conn("range-svc", 49152, 65535, "tcp"),
    );
    let path = dir.join("catalog.json");
    std::fs::write(&path, text).unwrap();
    path
}

fn target(id: &str, port: u16) -> Target {
    Target {
        connection: id.into(),
        first: port,
        last: port,
        transport: Transport::Tcp,
        probe: Probe::Tcp,
        inside_tls: None,
    }
}

fn context(host: &str, timeout: Duration) -> Context {
    Context {
        host: host.into(),
        timeout,
        sql_ports: Vec::new(),
    }
}

#[test]
fn each_port_gets_its_status_and_answers_arrive_as_they_come() {
    let p = ports();
    let targets = [
        target("silent", p.silent),
        target("open", p.open),
        target("refused", p.refused),
    ];
    let (send, receive) = channel();
    let start = Instant::now();
    let timeout = Duration::from_millis(400);
    std::thread::scope(|scope| {
        let targets = &targets;
        scope.spawn(move || {
            check::run(
                "127.0.0.1".parse().unwrap(),
                targets,
                &context("127.0.0.1", timeout),
                &send,
            )
        });
        let mut seen = Vec::new();
        for (i, finding) in receive {
            seen.push((i, finding.status, start.elapsed()));
        }
        assert_eq!(seen.len(), 3);
        let status = |i: usize| seen.iter().find(|s| s.0 == i).unwrap();
        assert!(matches!(status(1).1, Status::Open(_)), "{seen:?}");
        assert_eq!(status(2).1, Status::Refused);
        assert_eq!(status(0).1, Status::TimedOut);
        // Results appear as they arrive: the open and refused ports do not
        // wait for the silent one, and the silent one waits no longer than
        // the timeout (with slack for a loaded machine).
        assert!(status(1).2 < timeout, "{seen:?}");
        assert!(
            status(0).2 >= timeout && status(0).2 < timeout * 5,
            "{seen:?}"
        );
        assert_eq!(seen.last().unwrap().0, 0, "the silent port answers last");
    });
}

/// `vmmports --data DATA check ARGS`, run to the end: every CLI test here
/// checks against a catalog of this machine's own test ports.
fn check_on(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    common::binary::vmmports()
        .arg("--data")
        .arg(data)
        .arg("check")
        .args(args)
        .run()
}

#[test]
fn cli_table_json_and_exit_codes() {
    let p = ports();
    let dir = tempfile::tempdir().unwrap();
    let data = catalog(dir.path(), &p);
    let run = |args: &[&str]| check_on(&data, args);
    // Everything tested is open: exit 0.
    let out = run(&["127.0.0.1", "open-svc"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("checking 127.0.0.1 (127.0.0.1), 1 port"),
        "{stdout}"
    );
    assert!(
        stdout.contains("open-svc") && stdout.contains(" open ("),
        "{stdout}"
    );
    // Mixed: exit 1, each status named.
    let out = run(&["127.0.0.1", "svc", "--timeout", "300"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "refused",
        "timed out",
        "not tested",
        "a range",
        "next: nothing listens",
        "next: dropped on the way",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    // UDP is probed too: nothing listens on 623 here.
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("623/udp") && (l.contains("refused") || l.contains("no answer"))),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 of 4 tested ports answered as expected"),
        "{stdout}"
    );
    // JSON: one object per port, with the address used.
    let out = run(&["localhost", "svc", "--timeout", "300", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["host"], "localhost");
    assert!(json["address"].as_str().unwrap().starts_with("127.") || json["address"] == "::1");
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let by_id = |id: &str| results.iter().find(|r| r["connection"] == id).unwrap();
    assert_eq!(by_id("open-svc")["result"], "open");
    assert!(by_id("open-svc")["ms"].is_number());
    assert_eq!(by_id("open-svc")["probe"], "tcp");
    assert_eq!(by_id("open-svc")["answered"], true);
    assert_eq!(by_id("refused-svc")["answered"], false);
    assert_eq!(
        by_id("open-svc")["connections"],
        serde_json::json!(["open-svc"])
    );
    // A next step for each result that is not right, none for the right one.
    assert!(by_id("open-svc")["hint"].is_null(), "{results:?}");
    let hint = |id: &str| by_id(id)["hint"].as_str().unwrap_or_default().to_string();
    assert!(
        hint("refused-svc").contains("nothing listens")
            && hint("refused-svc").contains(&format!("ss -ltn 'sport = :{}'", p.refused)),
        "{results:?}"
    );
    assert!(
        hint("silent-svc").contains(&format!("`vmmports listen port:{}` on localhost", p.silent)),
        "{results:?}"
    );
    assert!(by_id("range-svc")["hint"].is_null(), "{results:?}");
    assert_eq!(by_id("range-svc")["result"], "untested");
    assert_eq!(by_id("refused-svc")["result"], "refused");
    assert_eq!(by_id("silent-svc")["result"], "timed out");
    assert_eq!(by_id("udp-svc")["probe"], "udp");
    assert_eq!(by_id("udp-svc")["transport"], "udp");
    assert!(
        ["refused", "no answer"].contains(&by_id("udp-svc")["result"].as_str().unwrap()),
        "{results:?}"
    );
    // Only the ports asked for are tried.
    let out = run(&["127.0.0.1", &p.refused.to_string()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("1 port") && !stdout.contains("open-svc"),
        "{stdout}"
    );
}

/// The ports of a `check --format json` run on the embedded catalog, as
/// `port/transport`, and its records.
fn json_check(args: &[&str]) -> (Vec<String>, Vec<serde_json::Value>) {
    let out = common::binary::vmmports()
        .args(["check", "127.0.0.1", "--timeout", "300", "--format", "json"])
        .args(args)
        .run();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {out:?}"));
    let results = json["results"].as_array().unwrap().clone();
    let ports = results
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["port"].as_str().unwrap(),
                r["transport"].as_str().unwrap()
            )
        })
        .collect();
    (ports, results)
}

/// Issue 22: 443 serves 18 connections; a record (and a line) per port,
/// naming them all, not 18 copies of the same verdict.
#[test]
fn one_record_and_one_line_per_port_naming_its_connections() {
    let (ports, results) = json_check(&["port:443,5985"]);
    assert_eq!(ports, ["443/tcp", "5985/tcp"], "{results:#?}");
    let catalog = vmmports::catalog::embedded().unwrap();
    for record in &results {
        let port: u16 = record["port"].as_str().unwrap().parse().unwrap();
        let expected: Vec<&str> = catalog
            .connections
            .iter()
            .filter(|c| {
                c.ports
                    .iter()
                    .any(|p| p.first == port && p.last == port && p.transport == Transport::Tcp)
            })
            .map(|c| c.id.as_str())
            .collect();
        let named: Vec<&str> = record["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(named, expected, "{record:#}");
        for key in [
            "result", "probe", "answered", "detail", "warnings", "hint", "ms",
        ] {
            assert!(record.get(key).is_some(), "{key}: {record:#}");
        }
    }
    assert!(results[0]["connections"].as_array().unwrap().len() > 10);
    let out = common::binary::vmmports()
        .args(["check", "127.0.0.1", "port:443,5985", "--timeout", "300"])
        .run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let result_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("/tcp ") && !l.trim_start().starts_with("next:"))
        .collect();
    assert_eq!(result_lines.len(), 2, "{stdout}");
    assert!(result_lines[0].contains("443/tcp") && result_lines[1].contains("5985/tcp"));
    assert!(
        result_lines[0].contains("vmm-to-host-bits") && result_lines[0].contains("vmm-to-wsus"),
        "{stdout}"
    );
    assert!(stdout.contains("2 ports"), "{stdout}");
}

/// `--on` checks what that machine must answer: the connections placed
/// inbound on it, as `rules --on` has them.
#[test]
fn on_a_role_checks_what_that_machine_must_answer() {
    let (ports, results) = json_check(&["--on", "sql-server"]);
    assert_eq!(ports, ["1433/tcp", "1434/udp"], "{results:#?}");
    // With a query too: both must hold.
    let (ports, _) = json_check(&["--on", "sql-server", "port:1433,5985"]);
    assert_eq!(ports, ["1433/tcp"]);
    // A host in an untrusted domain is `also` a Hyper-V host: it must
    // answer WinRM as one, as `rules --on` places it.
    let (ports, _) = json_check(&["--on", "untrusted-host", "port:5985,1433"]);
    assert_eq!(ports, ["5985/tcp"]);
    let out = common::binary::vmmports()
        .args(["check", "127.0.0.1", "--on", "no-such-role"])
        .run();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8(out.stderr).unwrap().contains("--on"));
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let p = ports();
    let dir = tempfile::tempdir().unwrap();
    let data = catalog(dir.path(), &p);
    let cases: &[(&[&str], &str)] = &[
        (&["127.0.0.1"], "never probes anything you did not ask for"),
        (&["127.0.0.1", "svc", "--timeout", "0"], "out of range"),
        (&["127.0.0.1", "port:99999"], "out of range"),
        (&["no-such-host.invalid", "svc"], "unresolved"),
        (&["bad host", "svc"], "not a host name"),
    ];
    for (args, needle) in cases {
        let out = check_on(&data, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // Nothing matches: exit 1 and a word on stderr.
    let out = check_on(&data, &["127.0.0.1", "nomatch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("nothing to check")
    );
}

#[test]
fn free_words_match_plainly_so_nothing_unasked_is_probed() {
    let p = ports();
    let dir = tempfile::tempdir().unwrap();
    let data = catalog(dir.path(), &p);
    // `opn` fuzzy-matches `open-svc`, but check wants the plain text.
    let out = check_on(&data, &["127.0.0.1", "opn"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn spawn_resolves_once_then_streams_answers_and_closes() {
    use vmmports::check::Event;
    let p = ports();
    let events = check::spawn(
        context("localhost", Duration::from_millis(500)),
        vec![target("open", p.open), target("refused", p.refused)],
    );
    let all: Vec<Event> = events.iter().collect();
    assert!(
        matches!(all[0], Event::Resolved(Ok(ip)) if ip.is_loopback()),
        "{all:?}"
    );
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(
        all.iter()
            .any(|e| matches!(e, Event::Answer(1, f) if f.status == Status::Refused)),
        "{all:?}"
    );
    let events = check::spawn(
        context("no-such-host.invalid", Duration::from_millis(100)),
        vec![target("x", 1)],
    );
    let all: Vec<Event> = events.iter().collect();
    assert!(matches!(&all[..], [Event::Resolved(Err(_))]), "{all:?}");
}

#[test]
fn a_word_naming_some_ports_tries_only_those_and_icmp_is_never_sent() {
    let run = |args: &[&str]| {
        let out = common::binary::vmmports()
            .args(["check", "127.0.0.1", "--timeout", "300", "--format", "json"])
            .args(args)
            .run();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {out:?}"));
        json["results"].as_array().unwrap().clone()
    };
    let ports = |results: &[serde_json::Value]| -> std::collections::BTreeSet<String> {
        results
            .iter()
            .map(|r| r["port"].as_str().unwrap().to_string())
            .collect()
    };
    // `netbios` is only in port 139's service and purpose: the agent rows'
    // 80, 135 and 445 are not tried.
    let results = run(&["netbios"]);
    assert_eq!(ports(&results), ["139".to_string()].into(), "{results:?}");
    // `pxe` names the pxe-boot row itself (its id): every port of it is
    // tried, TFTP's 69 among them (issue 20).
    let results = run(&["pxe-boot"]);
    let expected: std::collections::BTreeSet<String> =
        ["67", "69", "4011", "64001-65000"].map(String::from).into();
    assert_eq!(ports(&results), expected, "{results:?}");
    let pxe = ports(&run(&["pxe"]));
    assert!(expected.is_subset(&pxe), "{pxe:?}");
    // Ping is listed, never sent: no raw sockets, no privileges asked.
    let results = run(&["ping"]);
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["transport"], "icmp");
    assert_eq!(results[0]["port"], "echo-request");
    assert_eq!(results[0]["result"], "untested");
    assert!(
        results[0]["detail"]
            .as_str()
            .unwrap()
            .contains("ping 127.0.0.1"),
        "{results:?}"
    );
}

/// A server that accepts, reads the request, then sends a TLS record header
/// and one byte every 200 ms: no probe may wait past its timeout, whatever
/// loop it reads in (rustls reads until a record is whole).
#[test]
fn a_server_that_drips_bytes_cannot_stretch_any_probe() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            listener.set_nonblocking(true).unwrap();
            let mut drips = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => drips.push(std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_millis(300)))
                            .unwrap();
                        let _ = stream.read(&mut [0u8; 4096]);
                        let _ = stream.write_all(b"\x16\x03\x03\x40\x00");
                        for _ in 0..25 {
                            std::thread::sleep(Duration::from_millis(200));
                            if stream.write_all(b"\x02").is_err() {
                                break;
                            }
                        }
                    })),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            drips
        })
    };
    let probes = ["tls", "winrm", "http", "smb", "rpc-epm", "tds", "ssh"];
    let ports: Vec<String> = probes
        .iter()
        .map(|probe| {
            format!(
                r#"{{"first": {port}, "last": {port}, "transport": "tcp", "service": "s", "purpose": "p", "probe": "{probe}"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"title": "drip", "source": "tests/check.rs",
            "components": [{{"id": "a", "name": "A", "kind": "windows"}}, {{"id": "b", "name": "B", "kind": "windows"}}],
            "connections": [{{"id": "a-to-b", "section": "general", "from": ["a"], "to": ["b"], "ports": [{}],
              "rule_on": ["b"], "direction": "inbound", "modifiability": "fixed", "from_docs": false}}]}}"#,
        ports.join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("drip.json");
    std::fs::write(&data, text).unwrap();
    let start = Instant::now();
    let out = common::binary::vmmports()
        .arg("--data")
        .arg(&data)
        .args([
            "check",
            "127.0.0.1",
            "a-to-b",
            "--timeout",
            "500",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(20))
        .run();
    let took = start.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for drip in server.join().unwrap() {
        let _ = drip.join();
    }
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = json["results"].as_array().unwrap();
    // One port: one record, the first probe's verdict, and what each other
    // probe made of it as a warning.
    assert_eq!(results.len(), 1, "{results:#?}");
    let result = &results[0];
    assert_eq!(result["result"], "open", "{result:#}");
    assert_eq!(result["answered"], false, "{result:#}");
    assert_eq!(result["probe"], "tls", "{result:#}");
    let warnings = result["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), probes.len() - 1, "{result:#}");
    // Connect, then one 500 ms exchange, all probes at once: far less than
    // the 5 s the drip would last.
    assert!(took < Duration::from_secs(4), "took {took:?}");
}
