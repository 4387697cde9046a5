//! Stand-ins for the firewall tools, for pasting scripts into real shells
//! without touching the machine's firewall.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every tool the Linux dialects' lines call: the firewalls' own, and `nc`
/// and `ping` for the probes.
pub const LINUX_TOOLS: [&str; 7] = [
    "nft",
    "iptables",
    "ip6tables",
    "firewall-cmd",
    "ufw",
    "nc",
    "ping",
];

/// Writes an executable `script` into `bin` under each name in `tools`.
/// A child shell writes them, so this multi-threaded test process never
/// holds a write handle on a file about to be executed (ETXTBSY).
pub fn install(bin: &Path, tools: &[&str], script: &str) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"for t in $TOOLS; do printf '%s' "$STUB" > "$BIN/$t" && chmod 755 "$BIN/$t" || exit 1; done"#)
        .env("TOOLS", tools.join(" "))
        .env("STUB", script)
        .env("BIN", bin)
        .status()
        .unwrap();
    assert!(status.success(), "stubs written");
}

/// A throwaway folder for running pasted lines against stubs: `bin/` holds
/// the stubs, and `work/` starts empty and is where the lines run, so that
/// anything a line injects (`touch pwned`) shows up as a file there.
pub struct Scratch {
    pub root: tempfile::TempDir,
    pub bin: PathBuf,
    pub work: PathBuf,
}

impl Scratch {
    /// `bin/` with `script` installed under each name in `tools`, and an
    /// empty `work/`.
    pub fn new(tools: &[&str], script: &str) -> Scratch {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let work = root.path().join("work");
        for dir in [&bin, &work] {
            std::fs::create_dir(dir).unwrap();
        }
        install(&bin, tools, script);
        Scratch { root, bin, work }
    }
}
