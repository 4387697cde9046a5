//! The last sweep, kept for `--diff`: each sweep's JSON report saved in
//! `last-sweep.json` beside the config file, one per deployment file,
//! sweeping role and query (sweeps of different questions never compare),
//! and what changed between two reports.
//!
//! Reports are compared as JSON values, the documented output, so a saved
//! file from an older build still compares as long as those fields stay.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The file's name, in the config folder.
pub const FILE_NAME: &str = "last-sweep.json";

/// Where the saved sweeps live: beside `config.ron`.
pub fn default_path() -> Option<PathBuf> {
    crate::config::default_path().and_then(|p| p.parent().map(|d| d.join(FILE_NAME)))
}

/// What a sweep is the answer to: the deployment file, the role swept from,
/// the query, and whether services were spoken to (a connect-only sweep
/// passes ports a full one fails).
pub fn key(deployment: &Path, role: &str, query: &str, connect_only: bool) -> String {
    let file = std::fs::canonicalize(deployment).unwrap_or_else(|_| deployment.to_path_buf());
    let mode = if connect_only { "connect-only" } else { "full" };
    format!("{} | {role} | {query} | {mode}", file.display())
}

/// The saved sweeps, read once.
pub struct Store {
    path: PathBuf,
    all: Value,
}

impl Store {
    /// Reads the file at `path`; a missing or unreadable one is empty (a
    /// file that is not JSON is replaced at the next save).
    pub fn open(path: &Path) -> Store {
        let all = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Map::new()));
        Store {
            path: path.to_path_buf(),
            all,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The report saved for `key`, and when; none when there is none.
    pub fn previous(&self, key: &str) -> Option<(String, Value)> {
        let entry = self.all.get("sweeps")?.get(key)?;
        Some((
            entry.get("saved_at")?.as_str()?.to_string(),
            entry.get("report")?.clone(),
        ))
    }

    /// Saves what [`diff`] needs of `report` under `key`, keeping the other
    /// keys' reports; written whole to a temporary file and renamed, so a
    /// reader never sees half.
    pub fn save(&mut self, key: &str, saved_at: &str, report: &Value) -> std::io::Result<()> {
        if let Value::Object(all) = &mut self.all {
            let sweeps = all
                .entry("sweeps")
                .or_insert_with(|| Value::Object(Map::new()));
            if !sweeps.is_object() {
                *sweeps = Value::Object(Map::new());
            }
            if let Value::Object(sweeps) = sweeps {
                let mut entry = Map::new();
                entry.insert("saved_at".into(), Value::String(saved_at.into()));
                entry.insert("report".into(), essentials(report));
                sweeps.insert(key.into(), Value::Object(entry));
            }
        }
        if let Some(folder) = self.path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let mut text = serde_json::to_string(&self.all).unwrap_or_default();
        text.push('\n');
        crate::atomic_file::write(&self.path, text.as_bytes())
    }
}

/// Of a sweep report, what [`diff`] reads: each machine's role, name and
/// address, and each port's result and verdict. A fleet's full records
/// (details, hints, connections) would make the file ten times as big and
/// every sweep slower to save.
pub fn essentials(report: &Value) -> Value {
    let keep = |from: &Value, fields: &[&str]| -> Map<String, Value> {
        fields
            .iter()
            .filter_map(|f| from.get(*f).map(|v| (f.to_string(), v.clone())))
            .collect()
    };
    let hosts: Vec<Value> = report
        .get("hosts")
        .and_then(Value::as_array)
        .map(|hosts| {
            hosts
                .iter()
                .map(|h| {
                    let mut host = keep(h, &["role", "name", "address"]);
                    let results: Vec<Value> = h
                        .get("results")
                        .and_then(Value::as_array)
                        .map(|r| {
                            r.iter()
                                .map(|r| {
                                    Value::Object(keep(
                                        r,
                                        &["port", "transport", "result", "answered"],
                                    ))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    host.insert("results".into(), Value::Array(results));
                    Value::Object(host)
                })
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({ "hosts": hosts })
}

/// One difference between the last sweep and this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    HostAdded {
        host: String,
    },
    HostRemoved {
        host: String,
    },
    /// Answered as expected before, not now (or new and failing).
    NewlyFailing {
        host: String,
        port: String,
        was: String,
        now: String,
    },
    /// Failing before, answered as expected now.
    NewlyFixed {
        host: String,
        port: String,
        was: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::HostAdded { host } => write!(f, "+ {host}: new in the deployment"),
            Change::HostRemoved { host } => write!(f, "- {host}: no longer in the deployment"),
            Change::NewlyFailing {
                host,
                port,
                was,
                now,
            } => write!(f, "! {host} {port}: newly failing: {now} (was {was})"),
            Change::NewlyFixed { host, port, was } => {
                write!(f, "✓ {host} {port}: newly fixed (was {was})")
            }
        }
    }
}

/// A machine's identity across sweeps: its role, name and address.
fn host_key(host: &Value) -> String {
    let text = |field: &str| host.get(field).and_then(Value::as_str).unwrap_or("-");
    format!("{} {} ({})", text("name"), text("address"), text("role"))
}

/// A port's results by `443/tcp`, with the word and whether it passed.
fn ports(host: &Value) -> Vec<(String, String, bool)> {
    host.get("results")
        .and_then(Value::as_array)
        .map(|results| {
            results
                .iter()
                .map(|r| {
                    let text = |field: &str| r.get(field).and_then(Value::as_str).unwrap_or("");
                    let result = text("result").to_string();
                    let passed = result == "not tested"
                        || r.get("answered").and_then(Value::as_bool) == Some(true);
                    (
                        format!("{}/{}", text("port"), text("transport")),
                        result,
                        passed,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What changed from `old` to `new` (two sweep reports): machines added or
/// removed, ports newly failing or newly fixed, in `new`'s order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let hosts = |report: &Value| -> Vec<Value> {
        report
            .get("hosts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (old, new) = (hosts(old), hosts(new));
    let find = |list: &[Value], key: &str| list.iter().find(|h| host_key(h) == key).cloned();
    let mut changes = Vec::new();
    for host in &new {
        let key = host_key(host);
        let Some(before) = find(&old, &key) else {
            changes.push(Change::HostAdded { host: key });
            continue;
        };
        let before = ports(&before);
        for (port, now, passed) in ports(host) {
            let was = before.iter().find(|p| p.0 == port);
            let failing = |was: &str| Change::NewlyFailing {
                host: key.clone(),
                port: port.clone(),
                was: was.to_string(),
                now: now.clone(),
            };
            match (was, passed) {
                (Some((_, was, true)), false) => changes.push(failing(was)),
                (None, false) => changes.push(failing("not swept")),
                (Some((_, was, false)), true) => changes.push(Change::NewlyFixed {
                    host: key.clone(),
                    port,
                    was: was.clone(),
                }),
                _ => {}
            }
        }
    }
    for host in &old {
        let key = host_key(host);
        if find(&new, &key).is_none() {
            changes.push(Change::HostRemoved { host: key });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn host(name: &str, results: Value) -> Value {
        json!({"role": "hyperv-host", "name": name, "address": "10.0.0.1", "results": results})
    }

    #[test]
    fn failing_fixed_added_and_removed_are_each_reported() {
        let ok = |port: &str| json!({"port": port, "transport": "tcp", "result": "open", "answered": true});
        let bad = |port: &str, r: &str| json!({"port": port, "transport": "tcp", "result": r, "answered": false});
        let old = json!({"hosts": [
            host("hv01", json!([ok("443"), bad("5985", "refused")])),
            host("hv02", json!([ok("443")])),
        ]});
        let new = json!({"hosts": [
            host("hv01", json!([bad("443", "timed out"), ok("5985")])),
            host("hv03", json!([ok("443")])),
        ]});
        let changes = diff(&old, &new);
        let text: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "! hv01 10.0.0.1 (hyperv-host) 443/tcp: newly failing: timed out (was open)",
                "✓ hv01 10.0.0.1 (hyperv-host) 5985/tcp: newly fixed (was refused)",
                "+ hv03 10.0.0.1 (hyperv-host): new in the deployment",
                "- hv02 10.0.0.1 (hyperv-host): no longer in the deployment",
            ]
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn saving_keeps_other_sweeps_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(FILE_NAME);
        let report = json!({"hosts": [host("hv01", json!([
            {"port": "443", "transport": "tcp", "result": "open", "answered": true, "detail": "TLS 1.3"}
        ]))]});
        Store::open(&path)
            .save("a", "t1", &json!({"hosts": []}))
            .unwrap();
        Store::open(&path).save("b", "t2", &report).unwrap();
        let store = Store::open(&path);
        assert_eq!(
            store.previous("a"),
            Some(("t1".into(), json!({"hosts": []})))
        );
        // Only what a diff reads is kept, and it still compares equal.
        let (_, saved) = store.previous("b").unwrap();
        assert_eq!(saved["hosts"][0]["results"][0].get("detail"), None);
        assert_eq!(saved["hosts"][0]["results"][0]["answered"], true);
        assert!(diff(&saved, &report).is_empty());
        assert_eq!(store.previous("c"), None);
    }
}
