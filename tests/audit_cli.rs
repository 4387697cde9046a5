//! `vmmports audit` as a user runs it: the real binary on real exports
//! (the Windows fixtures under tests/data/audit/windows, the nft and
//! iptables ones produced by the real tools), its table, its JSON, its exit
//! codes, and its refusals with file:line:col.

mod common;
use common::binary::vmmports;

use serde_json::Value;

const WINDOWS: &str = "tests/data/audit/windows";

fn json(args: &[&str]) -> (Value, i32) {
    let out = vmmports()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (value, out.status.code().unwrap())
}

/// The flow of `connection` on `port`.
fn flow<'a>(report: &'a Value, connection: &str, port: &str) -> &'a Value {
    report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["connection"] == connection && f["port"] == port)
        .unwrap_or_else(|| panic!("no {connection} {port} in {report:#}"))
}

#[test]
fn a_windows_export_gives_each_flow_its_verdict_rule_and_why() {
    let file = format!("{WINDOWS}/ps7-block-beats-allow.json");
    let (report, code) = json(&[
        "audit",
        "--on",
        "hyper-v",
        &file,
        "--remote",
        "vmm-server=10.0.0.5",
    ]);
    assert_eq!(code, 1, "something is blocked");
    assert_eq!(report["machine"], "hyperv-host");
    assert!(
        report["inputs"][0]
            .as_str()
            .unwrap()
            .contains("ps7-block-beats-allow.json")
    );
    let smb = flow(&report, "vmm-to-host-agent", "445");
    assert_eq!(smb["verdict"], "blocked");
    assert_eq!(smb["peer"], "VMM server");
    assert_eq!(smb["peer_addresses"], serde_json::json!(["10.0.0.5"]));
    assert_eq!(smb["direction"], "inbound");
    assert_eq!(smb["protocol"], "tcp");
    assert!(
        smb["why"]
            .as_str()
            .unwrap()
            .contains("beats the allow rule"),
        "{smb:#}"
    );
    assert!(
        smb["rules"][0]["place"]
            .as_str()
            .unwrap()
            .contains("Group Policy"),
        "{smb:#}"
    );
    // A peer with no address given: any address, so only partly blocked
    // by a rule scoped to the lab's network.
    let esxi = flow(&report, "esxi-to-hyperv", "445");
    assert_eq!(esxi["verdict"], "partly", "{esxi:#}");
    assert_eq!(esxi["peer_addresses"], serde_json::json!([]));
    // Failing flows come first.
    let verdicts: Vec<&str> = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verdict"].as_str().unwrap())
        .collect();
    let mut sorted = verdicts.clone();
    sorted.sort_by_key(|v| ["blocked", "partly", "allowed"].iter().position(|w| w == v));
    assert_eq!(verdicts, sorted);
}

#[test]
fn the_table_puts_failing_flows_first_with_why_and_a_summary() {
    let file = format!("{WINDOWS}/ps7-block-beats-allow.json");
    let out = vmmports()
        .args([
            "audit",
            "--on",
            "hyper-v",
            &file,
            "--remote",
            "vmm-server=10.0.0.5",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text.starts_with("blocked "), "{text}");
    assert!(text.contains("why: blocked by the block rule"), "{text}");
    assert!(
        text.contains("Hyper-V host (hyperv-host): 15 flows: 0 allowed, 13 blocked, 2 partly"),
        "{text}"
    );
}

#[test]
fn stdin_reads_like_a_file() {
    let file = format!("{WINDOWS}/ps7-winrm-domain.json");
    let bytes = std::fs::read(&file).unwrap();
    let from_file = vmmports()
        .args(["audit", "--on", "hyper-v", &file, "--format", "json"])
        .output()
        .unwrap();
    let from_stdin = vmmports()
        .args(["audit", "--on", "hyper-v", "-", "--format", "json"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    let flows = |out: &std::process::Output| {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["flows"].clone()
    };
    assert_eq!(flows(&from_file), flows(&from_stdin));
}

#[test]
fn bad_input_says_where_and_exits_2() {
    // A rule string with a bad action, at its line and column.
    let file = format!("{WINDOWS}/error-bad-action.reg");
    let out = vmmports()
        .args(["audit", "--on", "hyper-v", &file, "--profile", "domain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("{file}:")) && said.contains("Action"),
        "{said}"
    );
    let at: Vec<&str> = said
        .split(&format!("{file}:"))
        .nth(1)
        .unwrap()
        .splitn(3, ':')
        .collect();
    assert!(
        at[0].parse::<usize>().unwrap() > 1,
        "a line past the header: {said}"
    );
    assert!(
        at[1].parse::<usize>().unwrap() > 1,
        "a column inside the line: {said}"
    );

    // Not a firewall export at all.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let out = vmmports()
        .args(["audit", "--on", "hyper-v"])
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a firewall export"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A file that is not there, an unknown profile, an unknown role.
    for (args, says) in [
        (
            vec!["audit", "--on", "hyper-v", "/no/such/file.json"],
            "cannot read /no/such/file.json",
        ),
        (
            vec!["audit", "--on", "hyper-v", "--profile", "office", "-"],
            "--profile office",
        ),
        (vec!["audit", "--on", "toaster", "-"], "toaster"),
    ] {
        let out = vmmports().args(&args).write_stdin("").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(says), "{args:?}: {said}");
    }
}

#[test]
fn the_reg_export_needs_a_profile_and_says_so() {
    let file = format!("{WINDOWS}/local-winrm.reg");
    let out = vmmports()
        .args(["audit", "--on", "hyper-v", &file])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--profile"));
    let out = vmmports()
        .args(["audit", "--on", "hyper-v", &file, "--profile", "domain"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
}

/// The export lines in docs/audit.md are the ones the code documents and
/// the reader is tested against, byte for byte.
#[test]
fn the_docs_give_the_export_lines_the_reader_reads() {
    let docs = std::fs::read_to_string("docs/audit.md").unwrap();
    assert!(
        docs.contains(vmmports::audit::windows::export::EXPORT_COMMAND),
        "docs/audit.md must hold export::EXPORT_COMMAND as it is"
    );
    for line in vmmports::audit::windows::export::REG_EXPORT_COMMANDS {
        assert!(docs.contains(line), "{line}");
    }
}

/// `--outbound` adds the flows the machine opens, decided by the outbound
/// rules and default (Windows allows outbound unless told otherwise).
#[test]
fn outbound_adds_the_flows_the_machine_opens() {
    let file = format!("{WINDOWS}/ps7-winrm-domain.json");
    let (inbound, _) = json(&["audit", "--on", "hyper-v", &file]);
    let (both, _) = json(&["audit", "--on", "hyper-v", &file, "--outbound"]);
    let directions = |report: &Value| -> Vec<String> {
        report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["direction"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(directions(&inbound).iter().all(|d| d == "inbound"));
    let out: Vec<&Value> = both["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["direction"] == "outbound")
        .collect();
    assert!(!out.is_empty(), "{both:#}");
    assert!(out.iter().all(|f| f["verdict"] == "allowed"), "{both:#}");
    assert!(
        out.iter()
            .any(|f| f["why"].as_str().unwrap().contains("outbound")),
        "{both:#}"
    );
}

/// A Linux capture saved on Windows: `ssh host sudo nft -j list ruleset >
/// f.json` in Windows PowerShell 5.1 writes UTF-16LE with its BOM. It reads
/// as the same ruleset, for nft JSON and for iptables-save; a byte that is
/// not UTF-8 is refused at its line and column.
#[test]
fn linux_captures_saved_as_utf16_by_powershell_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for (fixture, role) in [
        ("tests/data/audit/nft/firewalld-1.3.3.json", "hyper-v"),
        ("tests/data/audit/iptables/ufw.save", "guest-vm"),
    ] {
        let text = std::fs::read_to_string(fixture).unwrap();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let saved = dir.path().join("capture");
        std::fs::write(&saved, utf16).unwrap();
        let (from_utf8, code) = json(&["audit", "--on", role, fixture]);
        let (from_utf16, code16) = json(&["audit", "--on", role, saved.to_str().unwrap()]);
        assert_eq!(code16, code, "{fixture}");
        assert_eq!(from_utf16["flows"], from_utf8["flows"], "{fixture}");
        assert!(
            from_utf16["flows"]
                .as_array()
                .is_some_and(|f| !f.is_empty()),
            "{fixture}: no flows"
        );
    }

    let latin1 = dir.path().join("latin1.save");
    std::fs::write(
        &latin1,
        b"*filter\n:INPUT ACCEPT [0:0]\n# caf\xE9\nCOMMIT\n",
    )
    .unwrap();
    let out = vmmports()
        .args(["audit", "--on", "guest-vm"])
        .arg(&latin1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("{}:3:6:", latin1.display())) && said.contains("0xE9"),
        "{said}"
    );
}
