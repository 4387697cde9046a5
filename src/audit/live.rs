//! `audit` without a file: this machine's own firewall, read the way an
//! admin would export it. On Linux `nft -j list ruleset` (iptables-nft and
//! firewalld live there too), else `iptables-save` and `ip6tables-save`;
//! on Windows the export line, its JSON taken from stdout.

use std::process::Command;

use super::model::Input;
use crate::platform::{OS, Os};

/// Why the live ruleset could not be read, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveError {
    pub message: String,
    pub hint: String,
}

/// This machine's firewall state, as inputs for [`super::input::read`].
pub fn read() -> Result<Vec<Input>, LiveError> {
    match OS {
        Os::Windows => windows(),
        Os::Unix => linux(),
    }
}

fn linux() -> Result<Vec<Input>, LiveError> {
    let nft = run("nft", &["-j", "list", "ruleset"]);
    match nft {
        Ok(bytes) if has_tables(&bytes) => {
            return Ok(vec![Input {
                name: "nft -j list ruleset".into(),
                bytes,
            }]);
        }
        _ => {}
    }
    // No nft, or an empty ruleset: the legacy iptables may hold the rules.
    let mut inputs = Vec::new();
    for tool in ["iptables-save", "ip6tables-save"] {
        if let Ok(bytes) = run(tool, &[])
            && !bytes.is_empty()
        {
            inputs.push(Input {
                name: tool.into(),
                bytes,
            });
        }
    }
    if !inputs.is_empty() {
        return Ok(inputs);
    }
    match nft {
        // An empty nft ruleset and no iptables: nothing filters at all.
        Ok(bytes) => Ok(vec![Input {
            name: "nft -j list ruleset".into(),
            bytes,
        }]),
        Err(e) => Err(LiveError {
            message: format!("cannot read this machine's firewall: {e}"),
            hint: "run as root (nft and iptables-save need it), or give a file: `nft -j list ruleset > rules.json` there, then `vmmports audit --on ROLE rules.json`".into(),
        }),
    }
}

/// Whether `nft -j` output holds any table.
fn has_tables(json: &[u8]) -> bool {
    String::from_utf8_lossy(json).contains("\"table\"")
}

fn windows() -> Result<Vec<Input>, LiveError> {
    let command = export_to_stdout();
    let bytes = run(
        "powershell.exe",
        &["-NoProfile", "-NonInteractive", "-Command", &command],
    )
    .map_err(|e| LiveError {
        message: format!("cannot read this machine's firewall: {e}"),
        hint:
            "run from an elevated prompt, or export on the host (docs/audit.md) and give the file"
                .into(),
    })?;
    Ok(vec![Input {
        name: "Windows Firewall (live)".into(),
        bytes,
    }])
}

/// The export line, with its JSON written to stdout instead of a file, in
/// UTF-8: Windows PowerShell writes a pipe in the console's code page,
/// which would garble a localised rule name.
fn export_to_stdout() -> String {
    let line = super::windows::export::EXPORT_COMMAND;
    let json = line
        .rsplit_once(" | Set-Content")
        .map_or(line, |(json, _)| json);
    format!("[Console]::OutputEncoding=[Text.Encoding]::UTF8; {json}")
}

/// `program args`' stdout, or why not (its stderr's first line).
fn run(program: &str, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let first = said.lines().next().unwrap_or("").trim();
        return Err(format!("{program} failed: {first}"));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_live_export_writes_json_to_stdout_not_a_file() {
        let command = super::export_to_stdout();
        assert!(
            command.ends_with("ConvertTo-Json -Depth 5 -Compress"),
            "{command}"
        );
        assert!(command.starts_with("[Console]::OutputEncoding=[Text.Encoding]::UTF8;"));
        assert!(!command.contains("Set-Content"));
    }
}
