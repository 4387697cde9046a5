//! RHEL-style rulesets end their input chain in a reject, so a rule appended
//! after it never matches. The iptables and nft scripts insert their rules
//! at the head of the chain instead, and a second run adds nothing.
//!
//! Both run for real, as root, inside a throwaway network namespace
//! (`unshare -n`), against a chain that already ends in a reject. Without
//! root or the tools the tests are skipped with a note, except under CI,
//! where they fail: `.ci/run` installs the tools and runs as root.
#![cfg(unix)]

use std::process::Command;

mod common;
use common::needs;

/// The guest VM (Windows or Linux) accepts BITS and WinRM from the VMM
/// server: two rules, scoped to one IPv4 and one IPv6 address.
const ARGS: &[&str] = &[
    "rules",
    "--on",
    "guest-vm",
    "--remote",
    "vmm-server=10.0.0.5,fd00::5",
];

/// Separates the parts of one namespace's output.
const MARK: &str = "@@mark@@";

/// Whether `tools` and network namespaces are here; under CI they must be.
fn ready(tools: &[&str]) -> bool {
    let missing = needs::missing_for_namespaces(tools.iter().copied(), &["-n"]);
    needs::ready(&missing, ".ci/run installs the tools; run it as root")
}

fn script(format: &str) -> String {
    let out = common::binary::vmmports_std()
        .args(ARGS)
        .args(["--format", format])
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("vmmports-no-config"),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `setup`, then the script, lists with `list`, runs the script again
/// and lists again, all in one new network namespace. Returns the two
/// listings.
fn apply_twice(setup: &str, script: &str, list: &str) -> (String, String) {
    let body = format!("{setup}\nsh -e -c \"$1\"\n{list}\necho {MARK}\nsh -e -c \"$1\"\n{list}");
    let out = Command::new("unshare")
        .args(["-n", "sh", "-e", "-c", &body, "sh", script])
        .env("PATH", needs::path_env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the script failed:\n{script}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (first, second) = stdout
        .split_once(&format!("{MARK}\n"))
        .expect("both listings");
    (first.to_string(), second.to_string())
}

/// Positions of the lines containing `needle`.
fn positions(listing: &str, needle: &str) -> Vec<usize> {
    listing
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn iptables_rules_land_before_an_existing_reject() {
    if !ready(&["iptables", "ip6tables"]) {
        return;
    }
    let setup = "iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited\n\
                 ip6tables -A INPUT -j REJECT --reject-with icmp6-adm-prohibited";
    let list = "iptables -S INPUT; ip6tables -S INPUT";
    let (first, second) = apply_twice(setup, &script("iptables"), list);
    let accepts = positions(&first, "-j ACCEPT");
    let rejects = positions(&first, "-j REJECT");
    // Two rules per family: BITS and WinRM.
    assert_eq!(accepts.len(), 4, "{first}");
    assert_eq!(rejects.len(), 2, "{first}");
    for family in first.split("-P INPUT").skip(1) {
        let accept = positions(family, "-j ACCEPT");
        let reject = positions(family, "-j REJECT");
        assert!(
            accept.iter().all(|a| reject.iter().all(|r| a < r)),
            "an ACCEPT after the REJECT:\n{family}"
        );
        assert!(
            family.contains("VMM - vmm-to-guest-bits (443/tcp)"),
            "{family}"
        );
    }
    assert_eq!(first, second, "a second run changed the chain");
}

#[test]
fn nft_rules_land_before_an_existing_reject() {
    if !ready(&["nft"]) {
        return;
    }
    let setup = "nft add table inet filter\n\
                 nft 'add chain inet filter input { type filter hook input priority 0; policy accept; }'\n\
                 nft add rule inet filter input ct state established,related accept\n\
                 nft add rule inet filter input reject with icmpx type admin-prohibited";
    let list = "nft list chain inet filter input";
    let (first, second) = apply_twice(setup, &script("nft"), list);
    let accepts = positions(&first, "comment \"VMM - ");
    let reject = positions(&first, "reject with icmpx");
    // BITS and WinRM, each split into an IPv4 and an IPv6 rule.
    assert_eq!(accepts.len(), 4, "{first}");
    assert_eq!(reject.len(), 1, "{first}");
    assert!(
        accepts.iter().all(|a| *a < reject[0]),
        "a VMM accept after the reject:\n{first}"
    );
    // The admin's own rules stay, in their order.
    assert!(
        positions(&first, "ct state established,related accept")[0] < reject[0],
        "{first}"
    );
    assert_eq!(first, second, "a second run changed the chain");
}
