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
    let mut saves = Vec::new();
    for (tool, family) in [("iptables-save", "ip"), ("ip6tables-save", "ip6")] {
        if let Ok(bytes) = run(tool, &[])
            && !bytes.is_empty()
        {
            saves.push((tool, family, bytes));
        }
    }
    let save_inputs = |saves: &[(&str, &str, Vec<u8>)]| -> Vec<Input> {
        saves
            .iter()
            .map(|(tool, _, bytes)| Input {
                name: (*tool).into(),
                bytes: bytes.clone(),
            })
            .collect()
    };
    match &nft {
        Ok(json) if has_tables(json) => {
            // iptables-nft's rules live in nft's tables, but their
            // compatibility matches (`-m conntrack`…) reach nft's JSON
            // without their options: read those tables from
            // iptables-save, and the rest from nft.
            if !saves.is_empty() && String::from_utf8_lossy(json).contains("\"xt\"") {
                let managed: Vec<(&str, String)> = saves
                    .iter()
                    .flat_map(|(_, family, bytes)| {
                        String::from_utf8_lossy(bytes)
                            .lines()
                            .filter_map(|l| {
                                l.strip_prefix('*').map(|t| (*family, t.trim().to_string()))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let mut inputs = save_inputs(&saves);
                if let Some(rest) = without_tables(json, &managed)
                    && has_tables(&rest)
                {
                    inputs.push(Input {
                        name: "nft -j list ruleset (its other tables)".into(),
                        bytes: rest,
                    });
                }
                return Ok(inputs);
            }
            return Ok(vec![Input {
                name: "nft -j list ruleset".into(),
                bytes: json.clone(),
            }]);
        }
        _ => {}
    }
    // No nft, or an empty ruleset: the legacy iptables may hold the rules.
    if !saves.is_empty() {
        return Ok(save_inputs(&saves));
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

/// `nft -j` output without the tables `managed` names (family, table) and
/// everything in them; `None` when it is not JSON nft wrote.
fn without_tables(json: &[u8], managed: &[(&str, String)]) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let objects = value.get_mut("nftables")?.as_array_mut()?;
    objects.retain(|object| {
        let Some(inner) = object.as_object().and_then(|o| o.values().next()) else {
            return true;
        };
        let family = inner.get("family").and_then(|f| f.as_str());
        // A table names itself in `name`; what is in a table, in `table`.
        let table = if object.get("table").is_some() {
            inner.get("name")
        } else {
            inner.get("table")
        }
        .and_then(|t| t.as_str());
        match (family, table) {
            (Some(family), Some(table)) => !managed.iter().any(|(f, t)| *f == family && t == table),
            _ => true,
        }
    });
    serde_json::to_vec(&value).ok()
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
    fn the_tables_iptables_nft_manages_are_taken_out_of_nfts_json() {
        let json = br#"{"nftables": [{"metainfo": {"version": "1.0.6"}},
            {"table": {"family": "ip", "name": "filter", "handle": 1}},
            {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 1}},
            {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 4, "expr": []}},
            {"table": {"family": "inet", "name": "filter", "handle": 2}},
            {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1}}]}"#;
        let rest = super::without_tables(json, &[("ip", "filter".to_string())]).unwrap();
        let rest = String::from_utf8(rest).unwrap();
        assert!(!rest.contains("INPUT"), "{rest}");
        assert!(rest.contains(r#""family":"inet""#), "{rest}");
        assert!(rest.contains("metainfo"), "{rest}");
        assert!(super::has_tables(rest.as_bytes()));
    }

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
