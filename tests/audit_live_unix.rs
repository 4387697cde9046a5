//! `vmmports audit` with no file, as root on Linux: it reads the live
//! ruleset itself. In a throwaway network namespace (`unshare -n`), a real
//! nft ruleset is loaded (and, in a second namespace, the same rules
//! through iptables-restore), then `audit --on guest-vm` with no file must
//! say what `audit` says of the export an admin would make there.
//!
//! Without root, `unshare` or the tools, it says what it lacks and passes,
//! except under CI, where it fails.
#![cfg(unix)]

mod common;
use common::needs;

use std::process::Command;

/// The guest's flows: WinRM 5985 allowed from 10.10.0.0/24 only, BITS 443
/// from anywhere, everything else dropped.
const NFT: &str = "table inet vmm {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iif lo accept
    ip saddr 10.10.0.0/24 tcp dport 5985 accept
    tcp dport 443 accept
  }
}
";

const IPTABLES: &str = "*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -s 10.10.0.0/24 -p tcp --dport 5985 -j ACCEPT
-A INPUT -p tcp --dport 443 -j ACCEPT
COMMIT
";

fn ready() -> bool {
    let missing = needs::missing_for_namespaces(
        [
            "unshare",
            "nft",
            "iptables-restore",
            "iptables-save",
            "bash",
        ],
        &["-n"],
    );
    needs::ready(
        &missing,
        ".ci/run installs nftables and iptables and runs as root",
    )
}

/// `setup`, then `vmmports audit --on guest-vm ARGS` in a fresh network
/// namespace: its stdout and exit code.
fn audit_in_namespace(setup: &str, args: &str) -> (String, i32) {
    let binary = assert_cmd::cargo::cargo_bin("vmmports");
    let script = format!(
        "set -e\n{setup}\nXDG_CONFIG_HOME=\"$1\" \"$2\" audit --on guest-vm {args} --format json"
    );
    let config = tempfile::tempdir().unwrap();
    let out = Command::new("unshare")
        .args(["-n", "bash", "-c", &script, "audit"])
        .arg(config.path())
        .arg(&binary)
        .env("PATH", needs::path_env())
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        matches!(code, 0 | 1),
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8(out.stdout).unwrap(), code)
}

/// Each flow's port and verdict.
fn verdicts(report: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(report).unwrap();
    let mut out: Vec<(String, String)> = value["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!(
                    "{} {}",
                    f["connection"].as_str().unwrap(),
                    f["port"].as_str().unwrap()
                ),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn with_no_file_the_live_nft_ruleset_is_read_as_its_export_would_be() {
    if !ready() {
        return;
    }
    let load = format!("nft -f - <<'RULES'\n{NFT}RULES");
    let (live, code) = audit_in_namespace(&load, "");
    assert_eq!(code, 1, "WinRM is only partly allowed");
    let (exported, _) = audit_in_namespace(
        &format!("{load}\nnft -j list ruleset > \"$1/rules.json\""),
        "\"$1/rules.json\"",
    );
    assert_eq!(verdicts(&live), verdicts(&exported));
    let report: serde_json::Value = serde_json::from_str(&live).unwrap();
    assert!(
        report["inputs"][0]
            .as_str()
            .unwrap()
            .contains("nft -j list ruleset"),
        "{report:#}"
    );
    let by_port = verdicts(&live);
    assert!(
        by_port.contains(&("vmm-to-guest-winrm 5985".into(), "partly".into())),
        "{by_port:?}"
    );
    assert!(
        by_port.contains(&("vmm-to-guest-bits 443".into(), "allowed".into())),
        "{by_port:?}"
    );
}

#[test]
fn with_no_file_and_only_iptables_rules_those_are_read() {
    if !ready() {
        return;
    }
    // iptables-nft puts its rules in nft's tables; the live read takes
    // them from nft, and must reach the same verdicts as iptables-save's.
    let load = format!("iptables-restore <<'RULES'\n{IPTABLES}RULES");
    let (live, _) = audit_in_namespace(&load, "");
    let (saved, _) = audit_in_namespace(
        &format!("{load}\niptables-save > \"$1/rules.v4\""),
        "\"$1/rules.v4\"",
    );
    let v4 = |report: &str| {
        verdicts(report)
            .into_iter()
            .filter(|(flow, _)| flow.contains("5985") || flow.contains("443"))
            .collect::<Vec<_>>()
    };
    // IPv4 alone was given to iptables-restore: the flows' IPv4 part is
    // what both must agree on; WinRM is partly allowed either way.
    assert_eq!(v4(&live), v4(&saved));
    // Read from iptables-save: nft's JSON shows `-m conntrack` without its
    // states, which would read as accepting every packet.
    let report: serde_json::Value = serde_json::from_str(&live).unwrap();
    assert!(
        report["inputs"][0]
            .as_str()
            .unwrap()
            .contains("iptables-save"),
        "{report:#}"
    );
    assert!(
        v4(&live).contains(&("vmm-to-guest-winrm 5985".into(), "partly".into())),
        "{live}"
    );
}
