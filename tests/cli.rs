//! End-to-end tests of the `vmmports` command line: every subcommand, every
//! output format and every exit status (0 found, 1 nothing matched, 2 bad
//! input), run against the built binary with stdout piped, as a script sees it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use assert_cmd::assert::OutputAssertExt;
use common::process::{Spawn, Start};
use predicates::prelude::*;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// The table's columns, in order.
const COLUMNS: [&str; 7] = ["ID", "FROM", "TO", "PORTS", "RULE ON", "DIR", "MOD"];
/// How many connections the embedded catalog has.
const EMBEDDED_ROWS: usize = 44;
/// Where `show` wraps when stdout is not a terminal (tables are not cut).
const PIPE_WRAP: usize = 100;

/// The binary, with a clean colour environment.
fn vmmports() -> Command {
    let mut cmd = common::binary::vmmports();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `vmmports ARGS`, asserts the exit status, and returns stdout.
fn stdout_of(args: &[&str], code: i32) -> String {
    stdout_in(None, args, code)
}

/// Like [`stdout_of`], in `dir` when given.
fn stdout_in(dir: Option<&Path>, args: &[&str], code: i32) -> String {
    let mut cmd = vmmports();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let assert = cmd.args(args).run().assert().code(code);
    String::from_utf8(assert.get_output().stdout.clone()).expect("stdout is UTF-8")
}

/// Runs `vmmports ARGS`, expecting bad input (exit 2, nothing on stdout), and
/// returns stderr.
fn error_of(args: &[&str]) -> String {
    let assert = vmmports().args(args).run().assert().code(2).stdout("");
    String::from_utf8(assert.get_output().stderr.clone()).expect("stderr is UTF-8")
}

fn json_of(args: &[&str], code: i32) -> Value {
    let text = stdout_of(args, code);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{text}"))
}

/// `list --format json QUERY` as an array of records; the query must match.
fn records(query: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--format", "json"];
    args.extend_from_slice(query);
    match json_of(&args, 0) {
        Value::Array(rows) => rows,
        other => panic!("list --format json printed {other}"),
    }
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().expect("id is a string").to_string())
        .collect()
}

fn record<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no record `{id}`"))
}

/// A table's header cells: the line split on runs of two or more spaces.
fn cells(line: &str) -> Vec<&str> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The first cell (the id) of every data row of a table.
fn table_ids(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

fn assert_header(table: &str) {
    let header = table.lines().next().expect("a header line");
    assert_eq!(cells(header), COLUMNS, "header: {header:?}");
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn has_escape(text: &str) -> bool {
    text.contains("\u{1b}[")
}

fn assert_fits(text: &str, width: usize, what: &str) {
    for line in text.lines() {
        assert!(
            line.width() <= width,
            "{what}: line is {} columns wide: {line:?}",
            line.width()
        );
    }
}

/// Words separated by single spaces, so wrapped text can be searched.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_tcp(record: &Value) -> bool {
    ports(record).iter().any(|p| p["transport"] == "tcp")
}

fn ports(record: &Value) -> &Vec<Value> {
    record["ports"].as_array().expect("ports is an array")
}

// ---- list: table ---------------------------------------------------------

#[test]
fn list_without_query_prints_every_connection() {
    let table = stdout_of(&["list"], 0);
    assert_header(&table);
    assert_eq!(table.lines().count(), 1 + EMBEDDED_ROWS, "{table}");
    // Catalog order when there is nothing to rank.
    assert_eq!(table_ids(&table), ids(&records(&[])));
}

#[test]
fn list_ranks_a_fuzzy_word() {
    let table = stdout_of(&["list", "winrm"], 0);
    assert_header(&table);
    let rows = records(&["winrm"]);
    assert!(!rows.is_empty());
    assert_eq!(table_ids(&table), ids(&rows));
    // The best matches carry WinRM itself. (Further down, fuzzy matching
    // also finds rows that merely scatter the letters, as in "Windows file
    // server, VMM server".)
    for row in rows.iter().take(5) {
        assert!(
            ports(row)
                .iter()
                .any(|p| p["service"].as_str().unwrap().contains("WinRM")),
            "{} has no WinRM port",
            row["id"]
        );
    }
    let first = &rows[0];
    let table_first = table.lines().nth(1).unwrap();
    assert!(table_first.starts_with(first["id"].as_str().unwrap()));
    assert!(
        ids(&rows).contains(&"vmm-to-host-winrm".to_string()),
        "{:?}",
        ids(&rows)
    );
}

#[test]
fn list_with_no_match_exits_1_and_prints_nothing() {
    vmmports()
        .args(["list", "nothingmatchesthis"])
        .run()
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

#[test]
fn list_with_no_match_in_machine_formats_still_exits_1() {
    assert_eq!(
        json_of(&["list", "--format", "json", "nothingmatchesthis"], 1),
        Value::Array(vec![])
    );
    let csv = stdout_of(&["list", "--format", "csv", "nothingmatchesthis"], 1);
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
}

#[test]
fn bad_query_terms_exit_2_and_say_what_is_valid() {
    // (term, what the message says, what the help says)
    let cases = [
        (
            "port:99999",
            "port 99999 is out of range",
            "ports are 1-65535",
        ),
        (
            "port:9-1",
            "ends before it starts",
            "write the smaller port first: `port:1-9`",
        ),
        ("port:abc", "is not a port number", "ports are 1-65535"),
        (
            "proto:gre",
            "`gre` is not a transport",
            "`proto:udp` or `proto:icmp`",
        ),
        (
            "mod:maybe",
            "`maybe` is not a modifiability",
            "`mod:setup`, `mod:fixed`, `mod:device`, `mod:host` or `mod:none`",
        ),
        (
            "dir:sideways",
            "is not a direction",
            "`dir:in`, `dir:out` or `dir:none`",
        ),
        (
            "section:x",
            "is not a section",
            "`section:general` or `section:vmware`",
        ),
        ("to:", "needs a value", "component"),
        ("foo:bar", "unknown qualifier `foo:`", "qualifiers are"),
    ];
    for (term, message, hint) in cases {
        let stderr = error_of(&["list", term]);
        assert!(
            stderr.contains(&format!("bad query term `{term}`")),
            "{term}: {stderr}"
        );
        assert!(stderr.contains(message), "{term}: {stderr}");
        assert!(stderr.contains("help:"), "{term}: {stderr}");
        assert!(stderr.contains(hint), "{term}: {stderr}");
    }
}

#[test]
fn unknown_qualifier_suggests_a_real_one() {
    let stderr = error_of(&["list", "foo:bar"]);
    let suggested = stderr
        .split("did you mean `")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("no suggestion: {stderr}"));
    let qualifiers = [
        "from", "src", "to", "dst", "port", "proto", "mod", "on", "dir", "section",
    ];
    assert!(qualifiers.contains(&suggested), "{suggested}: {stderr}");
    for q in qualifiers {
        assert!(stderr.contains(&format!("{q}:")), "{q}: {stderr}");
    }
    // A typo gets the qualifier it is close to.
    assert!(error_of(&["list", "prot:tcp"]).contains("did you mean `port:`"));
}

#[test]
fn a_bad_term_fails_the_whole_query() {
    let stderr = error_of(&["list", "winrm", "proto:gre", "port:443"]);
    assert!(stderr.contains("`proto:gre`"), "{stderr}");
}

#[test]
fn a_lone_negation_sign_is_a_bad_term() {
    let stderr = error_of(&["list", "--", "-"]);
    assert!(stderr.contains("nothing follows the negation"), "{stderr}");
}

#[test]
fn negated_terms_exclude_rows_in_every_spelling() {
    let after_dashes = stdout_of(&["list", "--", "-proto:tcp"], 0);
    let bang = stdout_of(&["list", "!proto:tcp"], 0);
    let plain = stdout_of(&["list", "-proto:tcp"], 0);
    let word = stdout_of(&["list", "not:proto:tcp"], 0);
    assert_eq!(after_dashes, bang);
    assert_eq!(after_dashes, plain);
    assert_eq!(after_dashes, word);
    assert_header(&plain);

    let all = records(&[]);
    let expected: Vec<String> = ids(&all
        .iter()
        .filter(|r| !has_tcp(r))
        .cloned()
        .collect::<Vec<_>>());
    assert!(!expected.is_empty());
    assert_eq!(table_ids(&plain), expected);

    // Rows that remain carry no TCP port: only UDP, or none at all.
    let rows = records(&["--", "-proto:tcp"]);
    assert_eq!(ids(&rows), expected);
    assert!(rows.iter().all(|r| !has_tcp(r)));
    assert!(rows.iter().any(|r| !ports(r).is_empty()));
    for r in &rows {
        assert!(ports(r).iter().all(|p| p["transport"] != "tcp"), "{r}");
    }
}

#[test]
fn not_is_the_dash_for_free_words_too() {
    let word = stdout_of(&["list", "not:winrm"], 0);
    assert_eq!(word, stdout_of(&["list", "-winrm"], 0));
    assert!(!table_ids(&word).is_empty());
    assert!(!word.to_lowercase().contains("winrm"), "{word}");
    assert_eq!(
        ids(&records(&["not:to:sql"])),
        ids(&records(&["--", "-to:sql"]))
    );
}

/// `check` and `listen` take `-term` among their options: a query error
/// (which comes after clap has read the arguments) proves it got through.
#[test]
fn check_and_listen_take_a_dash_negation() {
    for args in [
        &["check", "127.0.0.1", "-proto:udp", "port:99999"][..],
        &[
            "check",
            "127.0.0.1",
            "--timeout",
            "100",
            "-proto:udp",
            "port:99999",
        ],
        &["listen", "-proto:udp", "port:99999", "--for", "1s"],
        &[
            "listen",
            "--bind",
            "127.0.0.1",
            "not:proto:udp",
            "port:99999",
        ],
    ] {
        let err = error_of(args);
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
        assert!(err.contains("port:99999"), "{args:?}: {err}");
    }
}

#[test]
fn negation_and_a_positive_term_combine() {
    let rows = records(&["proto:udp", "-port:623"]);
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(ports(r).iter().any(|p| p["transport"] == "udp"), "{r}");
        let covers_623 = |p: &Value| {
            let (first, last) = (p["first"].as_u64().unwrap(), p["last"].as_u64().unwrap());
            (first..=last).contains(&623)
        };
        assert!(!ports(r).iter().any(covers_623), "{r}");
    }
    assert!(!ids(&rows).contains(&"vmm-to-bmc-ipmi".to_string()));
}

#[test]
fn a_bare_number_is_a_port() {
    let table = stdout_of(&["list", "623"], 0);
    assert_header(&table);
    assert_eq!(table_ids(&table), ["vmm-to-bmc-ipmi"]);
    assert_eq!(table, stdout_of(&["list", "port:623"], 0));
}

#[test]
fn options_after_query_words_are_options() {
    // `vmmports list port:623 --format json` must print JSON: today the query
    // becomes `port:623 --format json`, which matches nothing (exit 1).
    let rows = json_of(&["list", "port:623", "--format", "json"], 0);
    assert_eq!(ids(rows.as_array().unwrap()), ["vmm-to-bmc-ipmi"]);
    let rows = json_of(&["list", "winrm", "-f", "json"], 0);
    assert_eq!(rows.as_array().unwrap(), &records(&["winrm"]));
    // A negated term followed by an option.
    let csv = stdout_of(&["list", "-proto:tcp", "--format", "csv"], 0);
    assert!(csv.starts_with("id,section,"), "{csv}");
    // A global option after the query.
    let table = stdout_of(&["list", "winrm", "--color", "always"], 0);
    assert!(has_escape(&table), "{table}");
}

// ---- list: JSON ----------------------------------------------------------

fn assert_string(record: &Value, field: &str) {
    assert!(record[field].is_string(), "{field}: {}", record[field]);
}

fn assert_one_of(record: &Value, field: &str, allowed: &[&str]) {
    let value = record[field].as_str().unwrap_or_else(|| {
        panic!("{field} is not a string: {}", record[field]);
    });
    assert!(allowed.contains(&value), "{field}: {value}");
}

#[test]
fn json_records_have_the_documented_fields_and_types() {
    let rows = records(&[]);
    assert_eq!(rows.len(), EMBEDDED_ROWS);
    for r in &rows {
        let id = r["id"].as_str().expect("id is a string");
        assert!(!id.is_empty());
        assert_one_of(r, "section", &["general", "vmware"]);
        assert_string(r, "from");
        assert_string(r, "to");
        assert_string(r, "rule_on");
        assert_one_of(r, "direction", &["inbound", "outbound", "none"]);
        assert_one_of(
            r,
            "configurable",
            &["setup", "fixed", "device", "host", "none"],
        );
        // `device` and `host` say where; the others do not.
        assert_eq!(
            r["configured_at"].is_string(),
            r["configurable"] == "device" || r["configurable"] == "host",
            "{id}"
        );
        // Every rule goes on a component id, inbound on each destination.
        let rules = r["rules"].as_array().expect("rules is an array");
        for to in r["to_ids"].as_array().unwrap() {
            if r["direction"] != "none" {
                assert!(
                    rules
                        .iter()
                        .any(|p| p["on"] == *to && p["direction"] == "inbound"),
                    "{id}: no inbound rule on {to}"
                );
            }
        }
        assert!(
            r["setup_key"].is_string() || r["setup_key"].is_null(),
            "{id}: setup_key {}",
            r["setup_key"]
        );
        assert!(r["from_docs"].is_boolean(), "{id}: from_docs");
        let notes = r["notes"].as_array().expect("notes is an array");
        assert!(notes.iter().all(Value::is_string), "{id}: notes");
        for p in ports(r) {
            let first = p["first"].as_u64().expect("first is a number");
            let last = p["last"].as_u64().expect("last is a number");
            assert_one_of(p, "transport", &["tcp", "udp", "icmp"]);
            if p["transport"] == "icmp" {
                // An ICMP message type (echo request), not a port.
                assert_eq!((first, last), (8, 8), "{id}");
            } else {
                assert!((1..=65535).contains(&first) && first <= last && last <= 65535);
            }
            assert_string(p, "service");
        }
        // A setup row names its setup key; no other row does.
        assert_eq!(
            r["configurable"] == "setup",
            r["setup_key"].is_string(),
            "{id}"
        );
        // A local call has no rule and no ports.
        if r["direction"] == "none" {
            assert_eq!(r["rule_on"], "", "{id}");
        }
    }
}

#[test]
fn json_uses_display_names_for_components() {
    let rows = records(&[]);
    let winrm = record(&rows, "vmm-to-host-winrm");
    assert_eq!(winrm["from"], "VMM server");
    assert_eq!(winrm["to"], "Hyper-V host, VMM library server");
    assert_eq!(winrm["rule_on"], "Hyper-V host, VMM library server");
    assert_eq!(winrm["setup_key"], "WSManTcpPort");
    assert_eq!(winrm["configurable"], "setup");
    assert_eq!(winrm["direction"], "inbound");
    assert_eq!(winrm["from_docs"], true);
    let p = &ports(winrm)[0];
    assert_eq!(
        (p["first"].as_u64(), p["last"].as_u64()),
        (Some(5985), Some(5985))
    );
    assert_eq!(p["transport"], "tcp");
    assert_eq!(p["service"], "WinRM");
}

#[test]
fn json_for_one_port() {
    let rows = records(&["port:623"]);
    assert_eq!(ids(&rows), ["vmm-to-bmc-ipmi"]);
    let r = &rows[0];
    assert_eq!(r["configurable"], "device");
    assert_eq!(r["setup_key"], Value::Null);
    assert_eq!(ports(r).len(), 1);
    assert_eq!(ports(r)[0]["transport"], "udp");
    assert_eq!(ports(r)[0]["first"], 623);
}

#[test]
fn json_directions() {
    let rows = records(&[]);
    assert_eq!(record(&rows, "vcenter-to-vmm")["direction"], "outbound");
    assert_eq!(record(&rows, "vmm-to-vcenter")["direction"], "inbound");
    assert_eq!(record(&rows, "vmm-to-vcenter")["section"], "vmware");
    let local = record(&rows, "vmm-to-storage-service");
    assert_eq!(local["direction"], "none");
    assert_eq!(local["configurable"], "none");
    assert!(ports(local).is_empty());
}

#[test]
fn json_rows_match_the_table_rows() {
    for query in [
        &[][..],
        &["proto:udp"],
        &["to:hyper-v", "mod:setup"],
        &["dir:out"],
    ] {
        let mut args = vec!["list"];
        args.extend_from_slice(query);
        let table = stdout_of(&args, 0);
        assert_eq!(table_ids(&table), ids(&records(query)), "{query:?}");
    }
}

// ---- list: CSV and Markdown ----------------------------------------------

const CSV_HEADER: [&str; 11] = [
    "id",
    "section",
    "from",
    "to",
    "ports",
    "rule_on",
    "direction",
    "configurable",
    "setup_key",
    "from_docs",
    "notes",
];

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a CSV header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn csv_has_the_header_and_one_record_per_row() {
    let text = stdout_of(&["list", "--format", "csv"], 0);
    let (header, rows) = csv_rows(&text);
    assert_eq!(header, CSV_HEADER);
    assert_eq!(rows.len(), EMBEDDED_ROWS);
    assert!(rows.iter().all(|r| r.len() == CSV_HEADER.len()));
    let json = records(&[]);
    let csv_ids: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(csv_ids, ids(&json));
    for (row, rec) in rows.iter().zip(&json) {
        assert_eq!(row[1], rec["section"].as_str().unwrap());
        assert_eq!(row[2], rec["from"].as_str().unwrap());
        assert_eq!(row[3], rec["to"].as_str().unwrap());
        assert_eq!(row[6], rec["direction"].as_str().unwrap());
        assert_eq!(row[7], rec["configurable"].as_str().unwrap());
        assert_eq!(row[8], rec["setup_key"].as_str().unwrap_or(""));
        assert_eq!(row[9], rec["from_docs"].to_string());
    }
}

#[test]
fn csv_quotes_fields_with_commas() {
    let text = stdout_of(&["list", "--format", "csv", "port:5985", "from:vmm"], 0);
    assert!(
        text.contains(",\"Hyper-V host, VMM library server\","),
        "{text}"
    );
    let (_, rows) = csv_rows(&text);
    let winrm = rows
        .iter()
        .find(|r| r[0] == "vmm-to-host-winrm")
        .expect("vmm-to-host-winrm");
    assert_eq!(winrm[3], "Hyper-V host, VMM library server");
    assert_eq!(winrm[4], "5985/tcp");
    assert_eq!(winrm[8], "WSManTcpPort");
    // Several ports in one field are quoted too.
    let text = stdout_of(&["list", "--format", "csv", "port:135"], 0);
    assert!(text.contains("\"80,135,139,445/tcp\""), "{text}");
}

#[test]
fn csv_row_count_follows_the_query() {
    let text = stdout_of(&["list", "--format", "csv", "proto:udp"], 0);
    let (_, rows) = csv_rows(&text);
    assert_eq!(rows.len(), records(&["proto:udp"]).len());
}

#[test]
fn markdown_has_a_header_a_rule_and_one_line_per_row() {
    let text = stdout_of(&["list", "--format", "markdown"], 0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "| ID | From | To | Ports | Rule on | Direction | Configurable |"
    );
    assert!(lines[1].starts_with("|---|"), "{}", lines[1]);
    assert_eq!(lines[1].matches("---").count(), 7);
    assert_eq!(lines.len(), 2 + EMBEDDED_ROWS);
    let json = records(&[]);
    for (line, rec) in lines[2..].iter().zip(&json) {
        assert!(line.starts_with("| ") && line.ends_with(" |"), "{line}");
        let id = rec["id"].as_str().unwrap();
        assert!(line.starts_with(&format!("| {id} |")), "{line}");
        // Seven cells: eight unescaped pipes.
        let pipes = line.matches('|').count() - line.matches("\\|").count();
        assert_eq!(pipes, 8, "{line}");
    }
    let udp = stdout_of(&["list", "-f", "markdown", "proto:udp"], 0);
    assert_eq!(udp.lines().count(), 2 + records(&["proto:udp"]).len());
}

// ---- table width and colour ----------------------------------------------

/// A table in a pipe is never cut, whatever the longest cell, as with `ls`.
#[test]
fn piped_tables_cut_nothing() {
    for args in [
        &["list"][..],
        &["list", "winrm"],
        &["list", "section:vmware"],
        &["--color", "never"],
        &["flows"],
        &["flows", "--format", "table"],
    ] {
        let table = stdout_of(args, 0);
        assert!(!table.contains('…'), "{args:?} cut something:\n{table}");
    }
}

/// `vmmports list | grep 445` finds every row with a 445 port, whole.
#[test]
fn list_in_a_pipe_greps_every_port() {
    let table = stdout_of(&["list"], 0);
    let all = records(&[]);
    assert_eq!(table_ids(&table).len(), all.len());
    let mut with_445 = Vec::new();
    for rec in &all {
        let has = rec["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["first"].as_u64() <= Some(445) && Some(445) <= p["last"].as_u64());
        if has {
            with_445.push(rec["id"].as_str().unwrap().to_string());
        }
    }
    assert!(with_445.contains(&"vmm-to-host-agent".to_string()));
    let grepped: Vec<String> = table
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .any(|w| w.split([',', '/']).any(|p| p == "445"))
        })
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(grepped, with_445, "{table}");
    // Every row's ports, and every name, stand whole on its line.
    for (line, rec) in table.lines().skip(1).zip(&all) {
        // ICMP shows message type names, not numbers.
        for port in ports(rec).iter().filter(|p| p["transport"] != "icmp") {
            let first = port["first"].to_string();
            assert!(line.contains(&first), "{first} missing: {line}");
        }
        for key in ["from", "to"] {
            let name = rec[key].as_str().unwrap();
            assert!(line.contains(name), "{name} missing: {line}");
        }
    }
}

/// `flows` in a pipe shows whole ports, names and services.
#[test]
fn flows_in_a_pipe_shows_whole_cells() {
    let table = stdout_of(&["flows", "--format", "table"], 0);
    let flows = match json_of(&["flows", "--format", "json"], 0) {
        Value::Array(rows) => rows,
        other => panic!("{other}"),
    };
    let lines: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(lines.len(), flows.len(), "{table}");
    for (line, flow) in lines.iter().zip(&flows) {
        for key in ["source", "destination", "service", "connection"] {
            let text = flow[key].as_str().unwrap();
            assert!(line.contains(text), "{key} {text:?} cut: {line}");
        }
        let ports: Vec<String> = flow["ports"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["transport"] != "icmp")
            .map(|p| {
                if p["first"] == p["last"] {
                    p["first"].to_string()
                } else {
                    format!("{}-{}", p["first"], p["last"])
                }
            })
            .collect();
        for port in &ports {
            assert!(
                line.split_whitespace()
                    .any(|w| w.split([',', '/']).any(|p| p == port)),
                "port {port} cut: {line}"
            );
        }
    }
}

/// `--width N` cuts every table to N columns, in a pipe too.
#[test]
fn width_flag_cuts_tables() {
    for width in ["100", "60"] {
        let n: usize = width.parse().unwrap();
        for args in [
            &["list"][..],
            &["list", "section:vmware"],
            &[],
            &["flows"],
            &["flows", "to:hyper-v", "--remote", "vmm-server=10.0.0.5"],
        ] {
            let mut with = vec!["--width", width];
            with.extend_from_slice(args);
            let table = stdout_of(&with, 0);
            assert!(table.contains('…'), "{with:?} cut nothing:\n{table}");
            assert_fits(&table, n, &format!("{with:?}"));
            // The flag stands anywhere, as a global option.
            let mut after = args.to_vec();
            after.extend_from_slice(&["--width", width]);
            if !args.is_empty() {
                assert_eq!(stdout_of(&after, 0), table, "{after:?}");
            }
        }
    }
}

#[test]
fn a_bad_width_is_refused() {
    for bad in ["0", "abc", "-5", ""] {
        let bad = &format!("--width={bad}");
        let err = error_of(&[bad, "list"]);
        assert!(err.contains("--width"), "{bad:?}: {err}");
    }
}

#[test]
fn width_flag_cuts_wide_names_too() {
    let dir = tempfile::tempdir().unwrap();
    let ron = stdout_of(&["export", "--format", "ron"], 0);
    let wide = ron
        .replacen(
            "name: \"VMM server\"",
            "name: \"仮想マシンマネージャーのサーバー（とても長い名前です）\"",
            1,
        )
        .replacen(
            "name: \"Hyper-V host\"",
            "name: \"Hyper-V ホスト with a much longer descriptive name than usual\"",
            1,
        );
    assert_ne!(wide, ron);
    std::fs::write(dir.path().join("wide.ron"), wide).unwrap();
    let whole = stdout_in(Some(dir.path()), &["--data", "wide.ron", "list"], 0);
    assert!(whole.contains("（とても長い名前です）"), "{whole}");
    assert!(!whole.contains('…'), "{whole}");
    let table = stdout_in(
        Some(dir.path()),
        &["--data", "wide.ron", "--width", "100", "list"],
        0,
    );
    assert!(
        table.contains('…'),
        "something must have been cut:\n{table}"
    );
    assert!(table.contains("仮想"), "{table}");
    assert_fits(&table, 100, "wide names");
    let coloured = stdout_in(
        Some(dir.path()),
        &[
            "--data", "wide.ron", "--color", "always", "--width", "100", "list",
        ],
        0,
    );
    assert_fits(&strip_ansi(&coloured), 100, "wide names, coloured");
}

#[test]
fn piped_show_wraps_at_100_columns_or_the_width_asked() {
    for id in ids(&records(&[])) {
        let text = stdout_of(&["show", &id], 0);
        assert_fits(&text, PIPE_WRAP, &id);
        let narrow = stdout_of(&["show", &id, "--width", "60"], 0);
        assert_fits(&narrow, 60, &id);
        // Wrapping may break after a `/`: compare the text without spaces.
        let bare = |t: &str| t.split_whitespace().collect::<String>();
        assert_eq!(bare(&narrow), bare(&text), "{id}: wrapping lost words");
    }
}

#[test]
fn color_always_paints_the_table_and_show() {
    let table = stdout_of(&["--color", "always", "list"], 0);
    assert!(has_escape(&table));
    // Colour changes nothing else, and escapes never count as width.
    assert_eq!(strip_ansi(&table), stdout_of(&["list"], 0));
    assert!(!strip_ansi(&table).contains('…'), "coloured table cut");
    let show = stdout_of(&["show", "vmm-to-host-winrm", "--color", "always"], 0);
    assert!(has_escape(&show));
    assert_eq!(
        strip_ansi(&show),
        stdout_of(&["show", "vmm-to-host-winrm"], 0)
    );
}

#[test]
fn color_never_and_piped_auto_paint_nothing() {
    for args in [
        &["--color", "never", "list"][..],
        &["list"],
        &["--color", "auto", "list"],
        &[],
        &["show", "vmm-to-host-agent", "--color", "never"],
        &["show", "vmm-to-host-agent"],
    ] {
        let out = stdout_of(args, 0);
        assert!(!has_escape(&out), "{args:?}");
    }
}

#[test]
fn no_color_turns_auto_off_but_not_always() {
    for args in [&["--color", "auto", "list"][..], &["list"]] {
        let assert = vmmports()
            .env("NO_COLOR", "1")
            .args(args)
            .run()
            .assert()
            .code(0);
        assert!(!has_escape(&String::from_utf8_lossy(
            &assert.get_output().stdout
        )));
    }
    let assert = vmmports()
        .env("NO_COLOR", "1")
        .args(["--color", "always", "list"])
        .run()
        .assert()
        .code(0);
    assert!(has_escape(&String::from_utf8_lossy(
        &assert.get_output().stdout
    )));
}

#[test]
fn machine_formats_are_never_painted() {
    for format in ["json", "csv", "markdown"] {
        let out = stdout_of(&["--color", "always", "list", "--format", format], 0);
        assert!(!has_escape(&out), "{format}");
    }
    let show = stdout_of(
        &[
            "--color",
            "always",
            "show",
            "vmm-to-host-winrm",
            "-f",
            "json",
        ],
        0,
    );
    assert!(!has_escape(&show));
    assert!(serde_json::from_str::<Value>(&show).is_ok());
    let export = stdout_of(&["--color", "always", "export", "--format", "ron"], 0);
    assert!(!has_escape(&export));
}

#[test]
fn bad_color_value_is_a_usage_error() {
    vmmports()
        .args(["--color", "sometimes", "list"])
        .run()
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("sometimes"));
}

// ---- show ----------------------------------------------------------------

#[test]
fn show_text_for_a_setup_row_names_its_setup_key() {
    let text = stdout_of(&["show", "vmm-to-host-winrm"], 0);
    let flat = squash(&text);
    assert!(text.starts_with("id"), "{text}");
    assert!(flat.contains("vmm-to-host-winrm"), "{text}");
    assert!(
        flat.contains("VMM server → Hyper-V host, VMM library server"),
        "{text}"
    );
    assert!(flat.contains("5985/tcp"), "{text}");
    assert!(flat.contains("WSManTcpPort (default 5985)"), "{text}");
    assert!(flat.contains("SETUP"), "{text}");
    assert!(
        flat.contains("inbound on Hyper-V host (and untrusted-host), VMM library server"),
        "{text}"
    );
}

#[test]
fn show_text_lists_every_note_and_setup_key() {
    let rows = records(&[]);
    for r in &rows {
        let id = r["id"].as_str().unwrap();
        let text = squash(&stdout_of(&["show", id], 0));
        for note in r["notes"].as_array().unwrap() {
            let note = squash(note.as_str().unwrap());
            assert!(text.contains(&note), "{id}: note missing: {note}\n{text}");
        }
        for p in ports(r) {
            // ICMP shows its message type's name, TCP and UDP their numbers.
            let port = if p["transport"] == "icmp" {
                "echo-request/icmp".to_string()
            } else {
                p["first"].to_string()
            };
            assert!(text.contains(&port), "{id}: port {port} missing\n{text}");
            if let Some(key) = p["setup_key"].as_str() {
                assert!(text.contains(key), "{id}: setup key {key} missing");
            }
        }
    }
    // A row with notes says so.
    let agent = stdout_of(&["show", "vmm-to-host-agent"], 0);
    assert!(agent.contains("\nnotes"), "{agent}");
    assert!(squash(&agent).contains("mark it as legacy"), "{agent}");
}

#[test]
fn show_json_is_the_list_record() {
    let rows = records(&[]);
    for id in [
        "vmm-to-host-winrm",
        "vmm-to-bmc-ipmi",
        "vcenter-to-vmm",
        "vmm-to-storage-service",
    ] {
        let shown = json_of(&["show", id, "--format", "json"], 0);
        assert_eq!(&shown, record(&rows, id), "{id}");
    }
    let shown = json_of(&["show", "-f", "json", "vmm-to-host-winrm"], 0);
    assert_eq!(shown["setup_key"], "WSManTcpPort");
}

#[test]
fn show_unknown_id_suggests_the_nearest() {
    let stderr = error_of(&["show", "vmm-to-host-winrn"]);
    assert!(
        stderr.contains("no connection or component has the id `vmm-to-host-winrn`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `vmm-to-host-winrm`?"),
        "{stderr}"
    );
    let stderr = error_of(&["show", "unknown-id"]);
    assert!(stderr.contains("`unknown-id`"), "{stderr}");
    assert!(stderr.contains("vmmports list"), "{stderr}");
}

#[test]
fn show_needs_an_id() {
    error_of(&["show"]);
}

// ---- export, --data and validate -----------------------------------------

struct Exported {
    dir: tempfile::TempDir,
    ron: String,
    json: String,
}

fn exported() -> Exported {
    let dir = tempfile::tempdir().unwrap();
    let ron = stdout_of(&["export", "--format", "ron"], 0);
    let json = stdout_of(&["export", "--format", "json"], 0);
    std::fs::write(dir.path().join("exported.ron"), &ron).unwrap();
    std::fs::write(dir.path().join("exported.json"), &json).unwrap();
    Exported { dir, ron, json }
}

#[test]
fn export_is_parseable_and_is_the_embedded_catalog() {
    let e = exported();
    let embedded = vmmports::catalog::embedded().expect("the embedded catalog loads");
    let from_ron =
        vmmports::catalog::load_str("exported.ron", &e.ron, vmmports::catalog::Format::Ron)
            .unwrap_or_else(|err| panic!("{err}"));
    let from_json =
        vmmports::catalog::load_str("exported.json", &e.json, vmmports::catalog::Format::Json)
            .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(from_ron, embedded);
    assert_eq!(from_json, embedded);

    let json: Value = serde_json::from_str(&e.json).expect("export --format json is JSON");
    for key in [
        "title",
        "source",
        "components",
        "setup_features",
        "connections",
        "notes",
    ] {
        assert!(json.get(key).is_some(), "exported JSON lacks `{key}`");
    }
    assert_eq!(
        json["connections"].as_array().map(Vec::len),
        Some(EMBEDDED_ROWS)
    );
    assert!(
        e.ron.trim_start().starts_with("#![enable(implicit_some)]"),
        "{}",
        &e.ron[..80]
    );
    assert!(e.ron.ends_with(")\n"));
    assert!(e.json.ends_with("}\n"));
}

#[test]
fn export_needs_a_format() {
    error_of(&["export"]);
    error_of(&["export", "--format", "yaml"]);
}

#[test]
fn data_files_round_trip_every_list_format() {
    let e = exported();
    let dir = Some(e.dir.path());
    for query in [&[][..], &["winrm"], &["proto:udp", "-port:623"]] {
        for format in ["table", "json", "csv", "markdown"] {
            let mut args = vec!["list", "--format", format];
            args.extend_from_slice(query);
            let embedded = stdout_of(&args, 0);
            for file in ["exported.ron", "exported.json"] {
                let mut data_args = vec!["--data", file];
                data_args.extend_from_slice(&args);
                assert_eq!(stdout_in(dir, &data_args, 0), embedded, "{file} {args:?}");
            }
        }
    }
    // The plain forms from the brief.
    assert_eq!(
        stdout_in(dir, &["--data", "exported.ron", "list"], 0),
        stdout_of(&["list"], 0)
    );
    assert_eq!(
        stdout_in(
            dir,
            &["--data", "exported.json", "list", "--format", "json"],
            0
        ),
        stdout_of(&["list", "--format", "json"], 0)
    );
    // `--data` after the subcommand is the same global option.
    assert_eq!(
        stdout_in(dir, &["list", "--data", "exported.json"], 0),
        stdout_of(&["list"], 0)
    );
}

#[test]
fn data_files_round_trip_show() {
    let e = exported();
    for file in ["exported.ron", "exported.json"] {
        for format in ["text", "json"] {
            let args = ["show", "vmm-to-host-agent", "--format", format];
            let mut data_args = vec!["--data", file];
            data_args.extend_from_slice(&args);
            assert_eq!(
                stdout_in(Some(e.dir.path()), &data_args, 0),
                stdout_of(&args, 0),
                "{file} {format}"
            );
        }
    }
}

#[test]
fn export_of_an_exported_file_is_byte_identical() {
    let e = exported();
    let dir = Some(e.dir.path());
    for file in ["exported.ron", "exported.json"] {
        assert_eq!(
            stdout_in(dir, &["--data", file, "export", "--format", "ron"], 0),
            e.ron,
            "{file} → ron"
        );
        assert_eq!(
            stdout_in(dir, &["--data", file, "export", "--format", "json"], 0),
            e.json,
            "{file} → json"
        );
    }
}

#[test]
fn validate_prints_a_one_line_summary() {
    let e = exported();
    let connections = format!("{EMBEDDED_ROWS} connections");
    for file in ["exported.ron", "exported.json"] {
        let assert = vmmports()
            .current_dir(e.dir.path())
            .args(["validate", file])
            .run()
            .assert()
            .code(0)
            .stderr("");
        let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.ends_with('\n'));
        assert!(out.starts_with(&format!("{file}: ok")), "{out}");
        assert!(out.contains(&connections), "{out}");
        assert!(out.contains("components"), "{out}");
    }
    // An absolute path is named as given.
    let path = e.dir.path().join("exported.ron");
    let out = stdout_of(&["validate", path.to_str().unwrap()], 0);
    assert!(out.starts_with(&format!("{}: ok", path.display())), "{out}");
}

#[test]
fn validate_needs_a_file() {
    error_of(&["validate"]);
}

// ---- completions, help, no subcommand ------------------------------------

#[test]
fn completions_for_every_shell() {
    let bash = stdout_of(&["completions", "bash"], 0);
    assert!(bash.contains("vmmports"));
    assert!(bash.contains("complete"), "{bash}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell], 0);
        assert!(script.contains("vmmports"), "{shell}");
    }
    error_of(&["completions", "tcsh"]);
}

#[test]
fn help_shows_examples() {
    vmmports()
        .arg("--help")
        .run()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("vmmports list winrm"))
        .stdout(predicate::str::contains("vmmports --data my.json list"))
        .stdout(predicate::str::contains("proto:tcp|udp"));
    for sub in ["list", "show", "export", "validate", "completions"] {
        vmmports()
            .args([sub, "--help"])
            .run()
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Usage:"));
    }
}

#[test]
fn version_prints_the_name() {
    vmmports()
        .arg("--version")
        .run()
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("vmmports "));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    error_of(&["frobnicate"]);
    error_of(&["list", "--format", "xml"]);
}

#[test]
fn no_subcommand_prints_the_table_when_piped() {
    let table = stdout_of(&[], 0);
    assert_header(&table);
    assert_eq!(table, stdout_of(&["list"], 0));
}

// ---- closed stdout -------------------------------------------------------

#[test]
fn a_closed_stdout_is_not_an_error() {
    for args in [&["list"][..], &["export", "--format", "json"]] {
        let mut child = common::binary::vmmports_std()
            .args(args)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .start();
        // Like `vmmports list | head -0`: the reader is gone before the
        // writer writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("vmmports ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn listed_ids_are_unique() {
    let rows = records(&[]);
    let unique: BTreeSet<String> = ids(&rows).into_iter().collect();
    assert_eq!(unique.len(), rows.len());
}

#[test]
fn a_mistyped_flag_is_an_error_never_a_query_term() {
    // Once `--remtoe vmm-server=10.0.0.5` became the query
    // `!-remtoe vmm-server=10.0.0.5` and printed a script with no rules.
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["list", "winrm", "--fromat", "json"],
            "--fromat",
            "--format",
        ),
        (
            &[
                "rules",
                "--on",
                "hyper-v",
                "--remtoe",
                "vmm-server=10.0.0.5",
            ],
            "--remtoe",
            "--remote",
        ),
        (
            &["check", "127.0.0.1", "5985", "--timout", "50"],
            "--timout",
            "--timeout",
        ),
        (
            &["show", "vmm-to-sql", "--fromat", "json"],
            "--fromat",
            "--format",
        ),
    ];
    for (args, typo, nearest) in cases {
        let stderr = error_of(args);
        assert!(stderr.contains(&format!("'{typo}'")), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("similar argument exists: '{nearest}'")),
            "{args:?}: {stderr}"
        );
    }
    // A single dash still negates a term, as documented.
    let rows = records(&["-proto:tcp"]);
    assert!(!rows.is_empty());
    let table = stdout_of(&["list", "to:sql", "-1434"], 0);
    assert_eq!(table_ids(&table), ["vmm-to-sql"]);
}

#[test]
fn show_a_component_says_what_else_it_is_and_where_its_rules_come_from() {
    let text = squash(&stdout_of(&["show", "untrusted-host"], 0));
    assert!(
        text.contains("also Hyper-V host: it carries those rules too"),
        "{text}"
    );
    assert!(text.contains("vmm-to-host-winrm"), "{text}");
    let json = json_of(&["show", "untrusted-host", "--format", "json"], 0);
    assert_eq!(json["also"], serde_json::json!(["hyperv-host"]));
    let from: Vec<&str> = json["rules_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(from.contains(&"vmm-to-host-bits"), "{from:?}");
    assert!(from.contains(&"vmm-to-host-ping"), "{from:?}");
    // A service says which machine it runs on; a PXE client where it sends
    // from before it has an address.
    let text = squash(&stdout_of(&["show", "storage-service"], 0));
    assert!(text.contains("runs on VMM server"), "{text}");
    let json = json_of(&["show", "bare-metal-machine", "--format", "json"], 0);
    assert_eq!(json["boot_source"], "0.0.0.0");
    // A connection names where its rules go, roles included.
    let text = squash(&stdout_of(&["show", "vcenter-to-vmm"], 0));
    assert!(
        text.contains("rules inbound on VMM server; outbound on VMware vCenter server"),
        "{text}"
    );
    assert!(
        text.contains("docs rule outbound on VMware vCenter server"),
        "{text}"
    );
}
