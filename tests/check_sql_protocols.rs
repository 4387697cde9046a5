//! The SQL Server probes, end to end through the binary. No SQL Server runs
//! here (nothing in Debian or PyPI implements SQL Server or its Browser), so
//! the far end is a responder on 127.0.0.1 that answers with the byte
//! layouts of Microsoft's open specifications, section by section:
//! [MS-TDS] for PRELOGIN on TCP, [MC-SQLR] (formerly MS-SQLR) for the SQL
//! Server Browser on UDP. Each responder also checks that the request the
//! probe sent is the one those sections define.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::time::Duration;

use common::process::Start;

/// A catalog with a TDS port and a SQL Browser port, on the given numbers.
fn catalog(dir: &std::path::Path, tds_port: u16, browser_port: u16) -> std::path::PathBuf {
    let text = format!(
        r#"{{"title": "sql probes", "source": "tests/check_sql_protocols.rs",
            "components": [{{"id": "vmm", "name": "VMM server", "kind": "windows"}}, {{"id": "sql", "name": "SQL Server", "kind": "windows"}}],
            "connections": [
              {{"id": "vmm-to-sql", "section": "general", "from": ["vmm"], "to": ["sql"],
                "ports": [{{"first": {tds_port}, "last": {tds_port}, "transport": "tcp", "service": "TDS", "purpose": "database", "probe": "tds"}}],
                "rule_on": ["sql"], "direction": "inbound", "modifiability": "fixed", "from_docs": false}},
              {{"id": "vmm-to-sql-browser", "section": "general", "from": ["vmm"], "to": ["sql"],
                "ports": [{{"first": {browser_port}, "last": {browser_port}, "transport": "udp", "service": "SQL Browser", "purpose": "instances", "probe": "sql-browser"}}],
                "rule_on": ["sql"], "direction": "inbound", "modifiability": "fixed", "from_docs": false}}]}}"#
    );
    let path = dir.join("catalog.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// [MS-TDS] 4.1 "Pre-Login Request": the specification's example request.
/// Its first 34 bytes are the packet header (2.2.3.1: type 0x12 PRELOGIN,
/// status 0x01 end of message, length 0x002F, SPID 0, packet id 1, window 0)
/// and the option table (2.2.6.5: VERSION at 0x1A length 6, ENCRYPTION at
/// 0x20 length 1, INSTOPT at 0x21 length 1, THREADID at 0x22 length 4, MARS
/// at 0x26 length 1, terminator 0xFF). The 13 bytes after are the option
/// values, which are the client's own.
const SPEC_PRELOGIN_REQUEST: [u8; 47] = [
    0x12, 0x01, 0x00, 0x2F, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20,
    0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22, 0x00, 0x04, 0x04, 0x00, 0x26, 0x00,
    0x01, 0xFF, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xB8, 0x0D, 0x00, 0x00, 0x01,
];

/// A PRELOGIN response as [MS-TDS] 2.2.6.5 lays it out: packet type 0x04
/// (tabular result, 2.2.3.1.1), then the same option table shape, with the
/// server's VERSION as UL_VERSION (major, minor, build big-endian) and
/// US_SUBBUILD: here 15.0.2000.0 (SQL Server 2019), encryption 0x00 (off),
/// INSTOPT 0x00 (the instance matched), an empty THREADID, MARS 0x00.
fn prelogin_response() -> Vec<u8> {
    let mut body = vec![
        0x00, 0x00, 0x1A, 0x00, 0x06, // VERSION
        0x01, 0x00, 0x20, 0x00, 0x01, // ENCRYPTION
        0x02, 0x00, 0x21, 0x00, 0x01, // INSTOPT
        0x03, 0x00, 0x22, 0x00, 0x00, // THREADID, empty in a response
        0x04, 0x00, 0x22, 0x00, 0x01, // MARS
        0xFF,
    ];
    body.extend_from_slice(&[0x0F, 0x00, 0x07, 0xD0, 0x00, 0x00]); // 15.0.2000.0
    body.extend_from_slice(&[0x00, 0x00, 0x00]); // encryption off, instance ok, MARS off
    let length = (8 + body.len()) as u16;
    let mut packet = vec![0x04, 0x01];
    packet.extend_from_slice(&length.to_be_bytes());
    packet.extend_from_slice(&[0x00, 0x00, 0x01, 0x00]);
    packet.extend(body);
    packet
}

/// Answers one PRELOGIN; returns the request it got.
fn tds_responder() -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut header = [0u8; 8];
        stream.read_exact(&mut header).unwrap();
        let length = u16::from_be_bytes([header[2], header[3]]) as usize;
        let mut rest = vec![0u8; length.saturating_sub(8)];
        stream.read_exact(&mut rest).unwrap();
        stream.write_all(&prelogin_response()).unwrap();
        [header.to_vec(), rest].concat()
    });
    (port, handle)
}

/// [MC-SQLR] 2.2.5 SVR_RESP: 0x05, RESP_SIZE (little-endian u16), then
/// RESP_DATA, `key;value` pairs with each instance closed by `;;`. The first
/// record is the specification's own example (4.1: 0x05 0x58 0x00, then
/// `ServerName;ILSUNG1;InstanceName;YUKONSTD;…;tcp;57137;;`).
fn browser_response(extra: &str) -> Vec<u8> {
    let data = format!(
        "ServerName;ILSUNG1;InstanceName;YUKONSTD;IsClustered;No;Version;9.00.1399.06;tcp;57137;;{extra}"
    );
    let mut packet = vec![0x05];
    packet.extend_from_slice(&(data.len() as u16).to_le_bytes());
    packet.extend_from_slice(data.as_bytes());
    packet
}

/// Answers one SQL Browser request; returns the request it got.
fn browser_responder(extra: String) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 512];
        let (n, from) = socket.recv_from(&mut buffer).unwrap();
        socket.send_to(&browser_response(&extra), from).unwrap();
        buffer[..n].to_vec()
    });
    (port, handle)
}

fn check(data: &std::path::Path, query: &str) -> (Option<i32>, serde_json::Value) {
    let out = common::binary::vmmports()
        .arg("--data")
        .arg(data)
        .args([
            "check",
            "127.0.0.1",
            query,
            "--timeout",
            "3000",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(30))
        .run();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    (out.status.code(), json)
}

#[test]
fn the_sql_browser_lists_instances_and_finds_the_one_on_vmms_port() {
    let (tds_port, tds) = tds_responder();
    // The second instance is on the catalog's TDS port: the one VMM uses.
    let (browser_port, browser) = browser_responder(format!(
        "ServerName;ILSUNG1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;{tds_port};;"
    ));
    let dir = tempfile::tempdir().unwrap();
    let data = catalog(dir.path(), tds_port, browser_port);
    let (code, json) = check(&data, "sql");
    assert_eq!(code, Some(0), "{json:#}");

    // The requests are the ones the specifications define: CLNT_UCAST_EX is
    // the single byte 0x03 ([MC-SQLR] 2.2.2); PRELOGIN's header and option
    // table match [MS-TDS] 4.1 byte for byte.
    assert_eq!(browser.join().unwrap(), [0x03]);
    let prelogin = tds.join().unwrap();
    assert_eq!(prelogin.len(), SPEC_PRELOGIN_REQUEST.len());
    assert_eq!(prelogin[..34], SPEC_PRELOGIN_REQUEST[..34]);

    let results = json["results"].as_array().unwrap();
    let tds = results.iter().find(|r| r["probe"] == "tds").unwrap();
    assert_eq!(tds["result"], "open");
    assert_eq!(tds["answered"], true);
    assert_eq!(
        tds["detail"], "SQL Server 15.0.2000 (2019), encryption off",
        "{tds:#}"
    );
    let browser = results
        .iter()
        .find(|r| r["probe"] == "sql-browser")
        .unwrap();
    assert_eq!(browser["transport"], "udp");
    assert_eq!(browser["result"], "open");
    assert_eq!(browser["answered"], true);
    assert_eq!(
        browser["instances"],
        serde_json::json!([
            {"name": "YUKONSTD", "tcp_port": 57137, "version": "9.00.1399.06"},
            {"name": "MSSQLSERVER", "tcp_port": tds_port, "version": "15.0.2000.5"}
        ])
    );
    let detail = browser["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("SqlPort {tds_port} matches MSSQLSERVER")),
        "{detail}"
    );
    assert_eq!(browser["warnings"], serde_json::json!([]));
}

#[test]
fn no_instance_on_vmms_port_is_a_warning_with_the_port_to_try() {
    let (browser_port, browser) = browser_responder(String::new());
    let dir = tempfile::tempdir().unwrap();
    // VMM is set to 1433; the only instance listens on 57137.
    let data = catalog(dir.path(), 1433, browser_port);
    let out = common::binary::vmmports()
        .arg("--data")
        .arg(&data)
        .args(["check", "127.0.0.1", &format!("port:{browser_port}")])
        .timeout(Duration::from_secs(30))
        .run();
    browser.join().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The Browser answered, so the check passes; the mismatch is a warning.
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("SQL Browser: 1 instance: YUKONSTD on 57137; none on SqlPort 1433"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: no instance listens on SqlPort 1433")
            && stdout.contains("--set-port SqlPort=57137"),
        "{stdout}"
    );
}

#[test]
fn a_tds_port_that_answers_something_else_fails() {
    // An HTTP server where SQL Server should be: reached, but not SQL.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 64];
        let _ = stream.read(&mut buffer);
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    let dir = tempfile::tempdir().unwrap();
    let data = catalog(dir.path(), port, 9);
    let (code, json) = check(&data, &format!("port:{port}"));
    server.join().unwrap();
    assert_eq!(code, Some(1), "{json:#}");
    let result = &json["results"][0];
    assert_eq!(result["result"], "open");
    assert_eq!(result["answered"], false);
    assert!(
        result["detail"]
            .as_str()
            .unwrap()
            .starts_with("not SQL Server (TDS): it replied `HTTP/1.1 400"),
        "{result:#}"
    );
}
