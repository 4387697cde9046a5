//! Stand-ins for the firewall tools, for pasting scripts into real shells
//! without touching the machine's firewall.

use std::path::Path;
use std::process::Command;

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
