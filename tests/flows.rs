//! `vmmports flows`, `policy` and `diagram`, end to end through the binary:
//! the flow table in each format (CSV read back by a CSV reader, Markdown
//! parsed as a table), the Aerleon files and their refusals, and the
//! diagrams' shape. tests/flows_tools_unix.rs hands the output to the real
//! Aerleon, nft, Graphviz and Mermaid.

mod common;

use assert_cmd::Command;
use assert_cmd::assert::OutputAssertExt;
use common::process::Start;
use serde_json::Value;

/// The binary, with a config folder of its own (so no developer's
/// `--remote` settings play in).
struct Run {
    config: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        Run {
            config: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = common::binary::vmmports();
        cmd.env("XDG_CONFIG_HOME", self.config.path())
            .env("HOME", self.config.path())
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    }

    /// stdout of a run that must end with `code`.
    fn stdout(&self, args: &[&str], code: i32) -> String {
        let out = self
            .cmd(args)
            .run()
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("UTF-8")
    }

    /// stderr of a run refused as bad input: exit 2, nothing on stdout.
    fn refused(&self, args: &[&str]) -> String {
        let out = self
            .cmd(args)
            .run()
            .assert()
            .code(2)
            .stdout("")
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).expect("UTF-8")
    }
}

/// The documented field names of a flow, in order (CSV header, JSON keys),
/// written out here as the README gives them, not taken from the code.
const FIELDS: [&str; 10] = [
    "source",
    "source_addresses",
    "destination",
    "destination_addresses",
    "protocol",
    "ports",
    "service",
    "purpose",
    "connection",
    "from_docs",
];

const HYPERV: [&str; 5] = [
    "to:hyper-v",
    "--remote",
    "vmm-server=10.0.0.5",
    "--remote",
    "hyperv-host=10.0.1.0/24,2001:db8::/64",
];

fn json_rows(run: &Run, args: &[&str]) -> Vec<Value> {
    let text = run.stdout(args, 0);
    match serde_json::from_str(&text).expect("JSON") {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn json_rows_have_the_documented_fields_and_merge_ports_per_endpoints_and_protocol() {
    let run = Run::new();
    let rows = json_rows(
        &run,
        &[&["flows", "--format", "json"], &HYPERV[..]].concat(),
    );
    for row in &rows {
        for field in FIELDS {
            assert!(row.get(field).is_some(), "{field} missing in {row}");
        }
        // to:hyper-v: every flow ends at a Hyper-V host (or one in an
        // untrusted domain or a perimeter network), although the agent's
        // connection also goes to library servers.
        let destination = row["destination"].as_str().unwrap();
        assert!(destination.starts_with("Hyper-V host"), "{row}");
    }
    let winrm = rows
        .iter()
        .find(|r| {
            r["source"] == "VMM server"
                && r["destination"] == "Hyper-V host"
                && r["protocol"] == "tcp"
        })
        .expect("VMM server to the hosts over TCP");
    assert_eq!(winrm["source_addresses"], serde_json::json!(["10.0.0.5"]));
    assert_eq!(
        winrm["destination_addresses"],
        serde_json::json!(["10.0.1.0/24", "2001:db8::/64"])
    );
    // One row for the agent, BITS and both WinRM connections: ports merged.
    let ports: Vec<u64> = winrm["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["first"].as_u64().unwrap())
        .collect();
    for port in [80, 135, 139, 445, 443, 5985, 5986] {
        assert!(ports.contains(&port), "{port} in {ports:?}");
    }
    for id in [
        "vmm-to-host-agent",
        "vmm-to-host-winrm",
        "vmm-to-host-winrm-tls",
    ] {
        assert!(
            winrm["connection"].as_str().unwrap().contains(id),
            "{winrm}"
        );
    }
    assert_eq!(winrm["ports"][0]["transport"], "tcp");
    // One row per endpoints and protocol.
    let mut keys: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["source"].to_string(),
                r["destination"].to_string(),
                r["protocol"].to_string(),
            )
        })
        .collect();
    let count = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), count, "merged rows repeat no endpoints");
    // Ping is a flow of its own, on ICMP.
    assert!(rows.iter().any(|r| r["protocol"] == "icmp"));
}

#[test]
fn components_without_addresses_say_so_and_local_calls_are_left_out() {
    let run = Run::new();
    let table = run.stdout(&["flows"], 0);
    assert!(table.contains("(address not given)"), "{table}");
    let rows = json_rows(&run, &["flows", "--format", "json"]);
    assert!(
        rows.iter()
            .all(|r| r["source_addresses"] == serde_json::json!([]))
    );
    // The storage provider call is local to the VMM server: no network flow.
    let listed = run.stdout(&["list", "--format", "json"], 0);
    let local: Vec<String> = serde_json::from_str::<Vec<Value>>(&listed)
        .unwrap()
        .iter()
        .filter(|r| r["direction"] == "none")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!local.is_empty());
    for id in &local {
        assert!(
            rows.iter()
                .all(|r| !r["connection"].as_str().unwrap().contains(id.as_str())),
            "{id} is local"
        );
    }
    // Nothing matched: exit 1, as `list`.
    run.stdout(&["flows", "nosuchthingatall"], 1);
}

#[test]
fn csv_reads_back_with_a_csv_reader() {
    let run = Run::new();
    let text = run.stdout(&[&["flows", "--format", "csv"], &HYPERV[..]].concat(), 0);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, FIELDS);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    let json = json_rows(
        &run,
        &[&["flows", "--format", "json"], &HYPERV[..]].concat(),
    );
    assert_eq!(records.len(), json.len());
    for (record, row) in records.iter().zip(&json) {
        assert_eq!(record.len(), 10);
        assert_eq!(&record[0], row["source"].as_str().unwrap());
        assert_eq!(&record[4], row["protocol"].as_str().unwrap());
        // Cells with commas and quotes survive the round trip.
        assert_eq!(&record[6], row["service"].as_str().unwrap());
        assert_eq!(&record[7], row["purpose"].as_str().unwrap());
        assert_eq!(&record[9], row["from_docs"].to_string());
    }
}

#[test]
fn markdown_renders_as_one_table() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let run = Run::new();
    let text = run.stdout(
        &[&["flows", "--format", "markdown"], &HYPERV[..]].concat(),
        0,
    );
    let rows = json_rows(
        &run,
        &[&["flows", "--format", "json"], &HYPERV[..]].concat(),
    );
    let (mut tables, mut body_rows, mut cells_in_row, mut row_widths) = (0, 0, 0, Vec::new());
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableRow) => body_rows += 1,
            Event::Start(Tag::TableCell) => cells_in_row += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                row_widths.push(cells_in_row);
                cells_in_row = 0;
            }
            _ => {}
        }
    }
    assert_eq!(tables, 1, "{text}");
    assert_eq!(body_rows, rows.len(), "{text}");
    assert!(row_widths.iter().all(|&w| w == 10), "{row_widths:?}");
}

#[test]
fn policy_writes_aerleon_files_with_valid_tokens() {
    let run = Run::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pol");
    let report = run.stdout(
        &[
            &["policy"],
            &HYPERV[..],
            &["--any-for-missing", "--out", out.to_str().unwrap()],
        ]
        .concat(),
        0,
    );
    assert!(report.contains("aclgen --base_directory="), "{report}");
    let read = |file: &str| std::fs::read_to_string(out.join(file)).expect(file);
    let networks = read("def/networks.yaml");
    let services = read("def/services.yaml");
    let policy = read("policies/pol/vmm.yaml");
    assert!(networks.contains("  VMM_SERVER:\n    values:\n      - address: 10.0.0.5/32"));
    assert!(networks.contains("address: 2001:db8::/64"));
    assert!(services.contains("  VMM_TO_HOST_WINRM:\n    - port: 5985\n      protocol: tcp"));
    for target in ["cisco:", "juniper:", "nftables:"] {
        assert!(policy.contains(target), "{target}");
    }
    assert!(policy.ends_with("      - name: default-deny\n        comment: \"Everything else between these networks\"\n        action: deny\n"));
    // Every token and term name is one Aerleon takes.
    for line in policy
        .lines()
        .chain(networks.lines())
        .chain(services.lines())
    {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("- name: ") {
            assert!(name.len() <= 24, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
        }
        for key in [
            "source-address: ",
            "destination-address: ",
            "destination-port: ",
        ] {
            if let Some(tokens) = line.strip_prefix(key) {
                for token in tokens.split(' ') {
                    assert!(
                        token
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                        "{token}"
                    );
                    assert!(
                        networks.contains(&format!("  {token}:\n"))
                            || services.contains(&format!("  {token}:\n")),
                        "{token} defined"
                    );
                }
            }
        }
    }
    // A range becomes the CIDR blocks that cover it.
    run.stdout(
        &[
            "policy",
            "vmm-to-host-winrm",
            "to:hyper-v",
            "--remote",
            "vmm-server=10.0.0.1-10.0.0.6",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--out",
            out.to_str().unwrap(),
        ],
        0,
    );
    let networks = read("def/networks.yaml");
    for block in ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"] {
        assert!(
            networks.contains(&format!("address: {block}\n")),
            "{block}:\n{networks}"
        );
    }
}

#[test]
fn policy_refuses_what_it_cannot_write_and_writes_nothing() {
    let run = Run::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pol");
    let out_arg = out.to_str().unwrap();
    // A component with no address, named.
    let e = run.refused(&[
        "policy",
        "to:hyper-v",
        "--remote",
        "vmm-server=10.0.0.5",
        "--out",
        out_arg,
    ]);
    assert!(e.contains("no addresses for hyperv-host"), "{e}");
    assert!(e.contains("--any-for-missing"), "{e}");
    // A platform Aerleon would not get a header for.
    let e = run.refused(
        &[
            &["policy"],
            &HYPERV[..],
            &["--target", "cisco,junos", "--out", out_arg],
        ]
        .concat(),
    );
    assert!(e.contains("unknown --target `junos`"), "{e}");
    assert!(e.contains("juniper"), "{e}");
    // A Windows keyword is no address for a network firewall.
    let e = run.refused(&[
        "policy",
        "vmm-to-host-winrm",
        "to:hyper-v",
        "--remote",
        "vmm-server=LocalSubnet",
        "--remote",
        "hyperv-host=10.0.1.0/24",
        "--out",
        out_arg,
    ]);
    assert!(e.contains("Windows Firewall keyword"), "{e}");
    // Nothing matched: nothing to allow.
    let e = run.refused(
        &[
            &["policy", "nosuchthingatall"],
            &HYPERV[1..],
            &["--out", out_arg],
        ]
        .concat(),
    );
    assert!(e.contains("no flows match"), "{e}");
    assert!(!out.exists(), "no half-written policy");
}

#[test]
fn diagrams_have_a_node_per_component_and_an_edge_per_flow() {
    let run = Run::new();
    let rows = json_rows(&run, &["flows", "--format", "json"]);
    let mut components: Vec<&str> = rows
        .iter()
        .flat_map(|r| {
            [
                r["source_id"].as_str().unwrap(),
                r["destination_id"].as_str().unwrap(),
            ]
        })
        .collect();
    components.sort();
    components.dedup();
    let mermaid = run.stdout(&["diagram"], 0);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert_eq!(mermaid.matches(" -->|").count(), rows.len());
    assert_eq!(
        mermaid.matches("  subgraph ").count(),
        2,
        "the two sections"
    );
    for id in &components {
        let node = format!("n_{}", id.replace('-', "_"));
        assert_eq!(
            mermaid.matches(&format!("    {node}[\"")).count(),
            1,
            "{node} once"
        );
    }
    let dot = run.stdout(&["diagram", "--format", "dot"], 0);
    assert!(dot.starts_with("digraph vmm_flows {"), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), rows.len());
    assert_eq!(dot.matches("subgraph cluster_").count(), 2);
    assert!(
        dot.contains("n_vmm_server -> n_hyperv_host [label=\"echo-request/icmp\"];"),
        "{dot}"
    );
}

#[test]
fn include_dynamic_adds_the_rpc_range_as_rules_include_dynamic_does() {
    let run = Run::new();
    let plain = json_rows(&run, &["flows", "--format", "json", "to:hyper-v"]);
    assert!(
        plain
            .iter()
            .all(|r| !r["connection"].as_str().unwrap().contains("dynamic-ports"))
    );
    let rows = json_rows(
        &run,
        &[
            "flows",
            "--format",
            "json",
            "to:hyper-v",
            "--include-dynamic",
        ],
    );
    let agent = rows
        .iter()
        .find(|r| r["source_id"] == "vmm-server" && r["protocol"] == "tcp")
        .expect("VMM server to the hosts");
    let last = &agent["ports"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["first"].as_u64(), last["last"].as_u64()),
        (Some(49152), Some(65535))
    );
    assert!(
        agent["connection"]
            .as_str()
            .unwrap()
            .ends_with(", dynamic-ports"),
        "{agent}"
    );
    // Between the servers too: host to host, library server to host.
    for source in ["hyperv-host", "library-server", "file-server"] {
        assert!(
            rows.iter().any(|r| r["source_id"] == source
                && r["connection"].as_str().unwrap().contains("dynamic-ports")),
            "{source}"
        );
    }
    // The Aerleon policy gets a service for it.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pol");
    run.stdout(
        &[
            &["policy", "--include-dynamic"],
            &HYPERV[..],
            &["--any-for-missing", "--out", out.to_str().unwrap()],
        ]
        .concat(),
        0,
    );
    let services = std::fs::read_to_string(out.join("def/services.yaml")).unwrap();
    assert!(
        services.contains("  DYNAMIC_PORTS__NOTE:\n    - port: 49152-65535\n      protocol: tcp\n"),
        "{services}"
    );
}

/// A policy is replaced whole or not at all: with a folder where its last
/// file goes, the other two stay the older policy's, byte for byte, and
/// the message says so.
#[test]
fn policy_replaces_all_three_files_or_none() {
    let run = Run::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pol");
    let policy = |vmm: &str| -> Vec<String> {
        let mut args = vec!["policy".to_string(), "to:hyper-v".to_string()];
        for remote in [vmm, "hyperv-host=10.0.1.0/24"] {
            args.extend(["--remote".to_string(), remote.to_string()]);
        }
        args.extend(["--any-for-missing", "--out"].map(String::from));
        args.push(out.to_str().unwrap().to_string());
        args
    };
    let args = policy("vmm-server=10.0.0.5");
    run.stdout(&args.iter().map(String::as_str).collect::<Vec<_>>(), 0);
    let files = ["def/networks.yaml", "def/services.yaml"].map(|f| out.join(f));
    let before = files.clone().map(|f| std::fs::read_to_string(f).unwrap());
    let blocked = out.join("policies/pol/vmm.yaml");
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    // Another address: every file would change.
    let args = policy("vmm-server=10.0.0.6");
    let e = run.refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        e,
        format!(
            "vmmports: error: cannot write the policy into {}: {}: a folder is in the way\n  help: nothing there was replaced; move what is in the way, or choose another --out folder\n",
            out.display(),
            blocked.display()
        )
    );
    for (file, old) in files.iter().zip(&before) {
        let now = std::fs::read_to_string(file).unwrap();
        assert_eq!(&now, old, "{}", file.display());
    }
    // Nothing else was left in the folders: no temporary files.
    for (folder, count) in [("def", 2), ("policies/pol", 1)] {
        let entries = std::fs::read_dir(out.join(folder)).unwrap().count();
        assert_eq!(entries, count, "{folder}");
    }
}

/// The top-level keys of a YAML map written as vmmports writes them (two
/// spaces, the key, a colon), each with the lines under it.
fn yaml_entries(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let key = line
            .strip_prefix("  ")
            .filter(|rest| !rest.starts_with(' ') && rest.ends_with(':'));
        match (key, out.last_mut()) {
            (Some(key), _) => out.push((key.trim_end_matches(':').to_string(), String::new())),
            (None, Some((_, body))) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Network and service names are unique by construction: a component
/// whose id ends in `-ipv4` does not meet another's ping network, and a
/// note sharing a connection's id does not share its service.
#[test]
fn policy_names_never_collide() {
    let mut catalog = vmmports::catalog::embedded().unwrap();
    let vmm = catalog.components.iter().find(|c| c.id == "vmm-server");
    let mut twin = vmm.unwrap().clone();
    twin.id = "vmm-server-ipv4".into();
    twin.name = "Another server".into();
    catalog.components.push(twin);
    let winrm = catalog
        .connections
        .iter()
        .find(|c| c.id == "vmm-to-host-winrm");
    let mut from_twin = winrm.unwrap().clone();
    from_twin.id = "twin-to-host-winrm".into();
    from_twin.from = vec!["vmm-server-ipv4".into()];
    from_twin.rule_on = vec!["hyperv-host".into()];
    catalog.connections.push(from_twin);
    let note = catalog.notes.iter_mut().find(|n| n.id == "dynamic-ports");
    note.unwrap().id = "vmm-to-host-winrm".into();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("twins.json");
    std::fs::write(&data, vmmports::catalog::to_json(&catalog)).unwrap();
    let out = dir.path().join("pol");
    let run = Run::new();
    run.stdout(
        &[
            "--data",
            data.to_str().unwrap(),
            "policy",
            "--include-dynamic",
            "--remote",
            "vmm-server=10.0.0.5",
            "--remote",
            "vmm-server-ipv4=10.9.9.9",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--any-for-missing",
            "--out",
            out.to_str().unwrap(),
        ],
        0,
    );
    let read = |file: &str| std::fs::read_to_string(out.join(file)).expect(file);
    for file in ["def/networks.yaml", "def/services.yaml"] {
        let text = read(file);
        let entries = yaml_entries(&text);
        let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "a key twice in {file}:\n{text}");
    }
    let networks = yaml_entries(&read("def/networks.yaml"));
    let network = |name: &str| {
        let found = networks.iter().find(|(k, _)| k == name);
        found
            .unwrap_or_else(|| panic!("{name} in {networks:?}"))
            .1
            .clone()
    };
    // The ping network of the VMM server holds its address only.
    assert!(network("VMM_SERVER__IPV4").contains("10.0.0.5/32"));
    assert!(!network("VMM_SERVER__IPV4").contains("10.9.9.9"));
    assert!(network("VMM_SERVER_IPV4").contains("10.9.9.9/32"));
    let services = yaml_entries(&read("def/services.yaml"));
    let service = |name: &str| services.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert!(!service("VMM_TO_HOST_WINRM").contains("49152"));
    assert!(service("VMM_TO_HOST_WINRM__NOTE").contains("49152-65535"));
}

/// A name that a spreadsheet would run as a formula reaches the CSV as text.
#[test]
fn csv_cells_that_spreadsheets_would_evaluate_are_text() {
    let run = Run::new();
    let mut catalog = vmmports::catalog::embedded().unwrap();
    let server = catalog
        .components
        .iter_mut()
        .find(|c| c.id == "vmm-server")
        .unwrap();
    server.name = "=HYPERLINK(\"http://x.example/\",\"VMM\")".into();
    let data = run.config.path().join("formula.json");
    std::fs::write(&data, vmmports::catalog::to_json(&catalog)).unwrap();
    let data = data.to_str().unwrap();
    for args in [
        ["--data", data, "flows", "--format", "csv"],
        ["--data", data, "list", "--format", "csv"],
    ] {
        let text = run.stdout(&args, 0);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let cells: Vec<String> = reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
            .collect();
        assert!(
            cells.iter().any(|c| c.starts_with("'=HYPERLINK(")),
            "{args:?}"
        );
        assert!(cells.iter().all(|c| !c.starts_with('=')), "{args:?}");
    }
}

#[test]
fn the_perimeter_and_untrusted_hosts_are_ends_in_both_directions() {
    // Issue 20: `flows to:perimeter` exited 1, and a DMZ firewall built from
    // `flows`/`policy` blocked the VMM server's way to the perimeter host.
    let run = Run::new();
    let deployment = [
        "--remote",
        "perimeter-host=192.0.2.10",
        "--remote",
        "vmm-server=10.0.0.5",
        "--remote",
        "library-server=10.0.0.7",
    ];
    let rows = json_rows(
        &run,
        &[
            &["flows", "to:perimeter", "--format", "json"],
            &deployment[..],
        ]
        .concat(),
    );
    let to_perimeter = rows
        .iter()
        .find(|r| {
            r["source_addresses"] == serde_json::json!(["10.0.0.5"])
                && r["destination_addresses"] == serde_json::json!(["192.0.2.10"])
                && r["protocol"] == "tcp"
        })
        .unwrap_or_else(|| panic!("no flow 10.0.0.5 -> 192.0.2.10: {rows:#?}"));
    let ports: Vec<u64> = to_perimeter["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["first"].as_u64().unwrap())
        .collect();
    assert!(ports.contains(&5986), "{ports:?}");
    // The policy for the same deployment has the perimeter host as a
    // destination.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pol");
    run.stdout(
        &[
            &["policy", "to:perimeter"],
            &deployment[..],
            &["--out", out.to_str().unwrap()],
        ]
        .concat(),
        0,
    );
    let policy = std::fs::read_to_string(out.join("policies/pol/vmm.yaml")).unwrap();
    assert!(
        policy.contains("destination-address: PERIMETER_HOST"),
        "{policy}"
    );
    // A host in an untrusted domain is also a Hyper-V host: it is an end of
    // the agent's rows, from the VMM server to it, with its own address.
    let rows = json_rows(
        &run,
        &[
            "flows",
            "to:untrusted",
            "--format",
            "json",
            "--remote",
            "untrusted-host=198.51.100.7",
            "--remote",
            "vmm-server=10.0.0.5",
        ],
    );
    assert!(
        rows.iter().any(|r| r["source_id"] == "vmm-server"
            && r["destination_id"] == "untrusted-host"
            && r["destination_addresses"] == serde_json::json!(["198.51.100.7"])
            && r["connections"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("vmm-to-host-winrm"))),
        "{rows:#?}"
    );
    // ... and a policy for Hyper-V hosts leaves it out when it has no address
    // (the deployment may have none), instead of refusing.
    let networks = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let base = [
            "policy",
            "vmm-to-host-winrm",
            "--remote",
            "vmm-server=10.0.0.5",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--remote",
            "library-server=10.0.0.7",
            "--out",
            out.to_str().unwrap(),
        ];
        run.stdout(&[&base[..], extra].concat(), 0);
        std::fs::read_to_string(out.join("def/networks.yaml")).unwrap()
    };
    let without = networks("hosts", &[]);
    assert!(without.contains("HYPERV_HOST"), "{without}");
    assert!(!without.contains("UNTRUSTED_HOST"), "{without}");
    // Given an address, it is in.
    let with = networks(
        "with-untrusted",
        &["--remote", "untrusted-host=198.51.100.7"],
    );
    assert!(with.contains("UNTRUSTED_HOST"), "{with}");
}

#[test]
fn a_policy_says_what_it_left_out_and_never_drops_a_required_end() {
    let run = Run::new();
    let dir = tempfile::tempdir().unwrap();
    // The optional end has an address, the required one (the VMM server)
    // has none: refused, naming the VMM server, rather than written without
    // the VMM server's flows.
    let out = dir.path().join("a");
    let err = run.refused(&[
        "policy",
        "to:untrusted",
        "--remote",
        "untrusted-host=192.0.2.20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(err.contains("vmm-server"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // An optional end without an address is left out, and the report says
    // so; the flow count is what was written.
    let out = dir.path().join("b");
    let report = run.stdout(
        &[
            "policy",
            "vmm-to-host-winrm",
            "--remote",
            "vmm-server=10.0.0.5",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--remote",
            "library-server=10.0.0.7",
            "--out",
            out.to_str().unwrap(),
        ],
        0,
    );
    assert!(
        report.contains("left out: Hyper-V host in an untrusted domain (untrusted-host)"),
        "{report}"
    );
    // VMM server to the hosts and to the library, TCP (5985 and 5986
    // merged per pair).
    assert!(report.contains("policy of 2 flows"), "{report}");
}

#[test]
fn a_service_is_found_by_its_own_name_at_its_hosts_end() {
    // The storage service runs on the VMM server: its flow leaves the VMM
    // server, and `from:storage` still names it.
    let run = Run::new();
    let rows = json_rows(&run, &["flows", "from:storage", "--format", "json"]);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["source_id"], "vmm-server");
    assert_eq!(rows[0]["destination_id"], "smis-provider");
}

/// `-term` works in `flows`, `policy` and `diagram` as in `list`, and
/// `not:term` means the same.
#[test]
fn every_flow_command_takes_negations() {
    let run = Run::new();
    let vmware: Vec<String> = json_rows(&run, &["list", "--format", "json", "section:vmware"])
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!vmware.is_empty());
    let all = json_rows(&run, &["flows", "--format", "json"]);
    let word = json_rows(&run, &["flows", "not:section:vmware", "--format", "json"]);
    let dash = json_rows(&run, &["flows", "-section:vmware", "--format", "json"]);
    assert_eq!(word, dash);
    assert!(!word.is_empty() && word.len() < all.len());
    for flow in &word {
        for id in flow["connections"].as_array().unwrap() {
            assert!(
                !vmware.iter().any(|v| id == v.as_str()),
                "a VMware connection: {flow}"
            );
        }
    }
    let diagram = run.stdout(&["diagram", "-section:vmware"], 0);
    assert_eq!(diagram, run.stdout(&["diagram", "not:section:vmware"], 0));
    assert_ne!(diagram, run.stdout(&["diagram"], 0));
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("policy");
    run.stdout(
        &[
            "policy",
            "-proto:udp",
            "to:hyper-v",
            "--remote",
            "vmm-server=10.0.0.5",
            "--any-for-missing",
            "--out",
            dir.to_str().unwrap(),
        ],
        0,
    );
    let services = std::fs::read_to_string(dir.join("def/services.yaml")).unwrap();
    assert!(!services.contains("udp"), "{services}");
}
