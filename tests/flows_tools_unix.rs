//! The hand-off to the network team, checked by the tools that team uses:
//! the real Aerleon (`aclgen`) turns `vmmports policy` into Cisco and
//! nftables ACLs (the nftables one then passes `nft -c` in a network
//! namespace), Graphviz renders `diagram --format dot`, and the real
//! Mermaid parser (the npm package, in Node with jsdom) reads `diagram`.
//!
//! `.ci/run` installs them under target/tools/: Aerleon in a Python
//! virtual environment, Mermaid with npm; Graphviz and nft from Debian.

// Unix only: nft, network namespaces, and the tools' Unix installs.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::hostile;
use common::needs::{has_tool, missing_for_namespaces, path_env, ready};

/// Where `.ci/run` installs the tools that do not come from Debian.
fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools")
}

fn aclgen() -> PathBuf {
    tools().join("aerleon/bin/aclgen")
}

fn mermaid_dir() -> PathBuf {
    tools().join("mermaid")
}

const INSTALL: &str = "run .ci/run once, or: python3 -m venv target/tools/aerleon && \
     target/tools/aerleon/bin/pip install aerleon==1.18.0; \
     npm install --prefix target/tools/mermaid mermaid@11.17.2 jsdom@24.1.3; apt-get install graphviz nftables";

/// vmmports with a config folder of the test's own.
fn vmmports(args: &[&str], home: &Path) -> Output {
    common::binary::vmmports_std()
        .args(args)
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .output()
        .expect("run vmmports")
}

fn ok(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes a policy with `args` into a new folder and runs aclgen on it;
/// returns the folder with its `acls/`.
fn generate(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("policy");
    let mut all = vec!["policy"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    ok(&vmmports(&all, dir.path()), "vmmports policy");
    let generated = Command::new(aclgen())
        .arg(format!(
            "--base_directory={}",
            out.join("policies").display()
        ))
        .arg(format!(
            "--definitions_directory={}",
            out.join("def").display()
        ))
        .arg(format!(
            "--output_directory={}",
            dir.path().join("acls").display()
        ))
        .output()
        .expect("run aclgen");
    let log = String::from_utf8_lossy(&generated.stderr);
    assert!(generated.status.success(), "aclgen failed:\n{log}");
    // aclgen logs a bad definition as a warning and carries on.
    assert!(!log.contains("rror"), "aclgen reported an error:\n{log}");
    assert!(!log.contains("\nE1"), "aclgen logged an error:\n{log}");
    dir
}

/// Whether Aerleon, nft and network namespaces are here; under CI they
/// must be.
fn aclgen_and_nft_ready() -> bool {
    let mut missing = Vec::new();
    if !aclgen().is_file() {
        missing.push("Aerleon (target/tools/aerleon)".to_string());
    }
    missing.extend(missing_for_namespaces(["nft", "unshare"], &["-n"]));
    ready(&missing, INSTALL)
}

#[test]
fn aerleon_turns_the_policy_into_cisco_and_nftables_acls() {
    if !aclgen_and_nft_ready() {
        return;
    }
    // IPv6 at both ends of ping too: Aerleon's nftables output is only
    // valid when each ICMP term holds one family's addresses.
    let dir = generate(&[
        "to:hyper-v",
        "--remote",
        "vmm-server=10.0.0.5,2001:db8::5",
        "--remote",
        "hyperv-host=10.0.1.0/24,2001:db8:1::/64",
        "--any-for-missing",
    ]);
    let cisco = std::fs::read_to_string(dir.path().join("acls/vmm.acl")).expect("a Cisco ACL");
    // The WinRM flow, from the VMM server to the hosts' network.
    assert!(
        cisco.contains("permit tcp host 10.0.0.5 10.0.1.0 0.0.0.255 eq 5985"),
        "{cisco}"
    );
    assert!(cisco.contains("permit tcp host 10.0.0.5 10.0.1.0 0.0.0.255 eq 5986"));
    // A source given no address (--any-for-missing) is any.
    assert!(
        cisco.contains("permit tcp any 10.0.1.0 0.0.0.255 eq 2179"),
        "{cisco}"
    );
    // IPv6 goes to its own access list, and everything else is denied.
    assert!(cisco.contains("ipv6 access-list ipv6-vmm-flows"), "{cisco}");
    assert!(cisco.contains("deny ip any any"), "{cisco}");
    let juniper =
        std::fs::read_to_string(dir.path().join("acls/vmm.jcl")).expect("a Juniper filter");
    assert!(juniper.contains("5985-5986"), "{juniper}");
    assert!(juniper.contains("10.0.0.5/32;"), "{juniper}");
    // Ping in both families, each between its own family's addresses.
    assert!(
        cisco.contains("permit icmp host 10.0.0.5 10.0.1.0 0.0.0.255"),
        "{cisco}"
    );
    assert!(
        cisco.contains("permit 58 host 2001:db8::5 2001:db8:1::/64"),
        "{cisco}"
    );
    // nft itself reads the nftables output, in a namespace of its own; the
    // filter sits where routed traffic passes.
    let nft = dir.path().join("acls/vmm.nft");
    let rules = std::fs::read_to_string(&nft).unwrap();
    assert!(rules.contains("type filter hook forward"), "{rules}");
    assert!(
        rules.contains("ip6 saddr 2001:db8::5/128 ip6 daddr 2001:db8:1::/64 meta l4proto icmpv6"),
        "{rules}"
    );
    let checked = Command::new("unshare")
        .args(["-n", "nft", "-c", "-f"])
        .arg(&nft)
        .env("PATH", path_env())
        .output()
        .expect("run nft");
    assert!(
        checked.status.success(),
        "nft -c refused {}:\n{}\n{}",
        nft.display(),
        String::from_utf8_lossy(&checked.stderr),
        std::fs::read_to_string(&nft).unwrap_or_default()
    );
}

#[test]
fn aerleon_takes_the_whole_catalog_for_every_target() {
    if !ready(
        &(!aclgen().is_file())
            .then(|| "Aerleon (target/tools/aerleon)".to_string())
            .into_iter()
            .collect::<Vec<_>>(),
        INSTALL,
    ) {
        return;
    }
    let dir = generate(&[
        "--remote",
        "vmm-server=10.0.0.5",
        "--remote",
        "hyperv-host=10.0.1.0-10.0.1.77",
        "--any-for-missing",
        "--include-dynamic",
        "--target",
        "cisco,ciscoasa,juniper,arista,paloalto,nftables,iptables",
    ]);
    let written: Vec<String> = std::fs::read_dir(dir.path().join("acls"))
        .expect("acls")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for file in [
        "vmm.acl", "vmm.asa", "vmm.jcl", "vmm.eacl", "vmm.xml", "vmm.nft",
    ] {
        assert!(written.iter().any(|w| w == file), "{file} in {written:?}");
    }
    // Without nftables among the targets, ping is only an echo request.
    let ping = generate(&[
        "vmm-to-host-ping",
        "--remote",
        "vmm-server=10.0.0.5",
        "--remote",
        "hyperv-host=10.0.1.0/24",
        "--target",
        "cisco,juniper",
    ]);
    let cisco = std::fs::read_to_string(ping.path().join("acls/vmm.acl")).unwrap();
    assert!(
        cisco.contains("permit icmp host 10.0.0.5 10.0.1.0 0.0.0.255 8"),
        "{cisco}"
    );
    let juniper = std::fs::read_to_string(ping.path().join("acls/vmm.jcl")).unwrap();
    assert!(juniper.contains("icmp-type 8;"), "{juniper}");
    // The range became blocks the ACL spells out, and the dynamic RPC
    // range is there.
    let cisco = std::fs::read_to_string(dir.path().join("acls/vmm.acl")).unwrap();
    assert!(
        cisco.contains("permit tcp host 10.0.0.5 10.0.1.0 0.0.0.63 range 49152 65535"),
        "{cisco}"
    );
    for block in [
        "10.0.1.0 0.0.0.63",
        "10.0.1.64 0.0.0.7",
        "10.0.1.72 0.0.0.3",
        "10.0.1.76 0.0.0.1",
    ] {
        assert!(cisco.contains(block), "{block} in\n{cisco}");
    }
}

/// `catalog` as JSON, its busiest components renamed to words the diagram
/// languages reserve (`end`, `subgraph`, `node`, `edge`, `graph`).
fn with_keyword_ids(catalog: &vmmports::catalog::Catalog) -> String {
    let mut json = vmmports::catalog::to_json(catalog);
    for (id, keyword) in [
        ("vmm-server", "end"),
        ("hyperv-host", "subgraph"),
        ("library-server", "node"),
        ("sql-server", "edge"),
        ("vmm-console", "graph"),
    ] {
        // Ids stand alone in quotes; longer ids that contain them do not.
        json = json.replace(&format!("\"{id}\""), &format!("\"{keyword}\""));
    }
    json
}

#[test]
fn graphviz_renders_the_dot_diagram() {
    if !ready(
        &(!has_tool("dot"))
            .then(|| "dot".to_string())
            .into_iter()
            .collect::<Vec<_>>(),
        INSTALL,
    ) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    // `vmmports [--data FILE] diagram --format dot`, rendered by Graphviz.
    let svg_of = |data: Option<&Path>| -> String {
        let mut args = Vec::new();
        if let Some(data) = data {
            args.extend(["--data", data.to_str().unwrap()]);
        }
        args.extend(["diagram", "--format", "dot"]);
        let file = home.path().join("flows.dot");
        std::fs::write(&file, ok(&vmmports(&args, home.path()), "diagram")).unwrap();
        let rendered = Command::new("dot")
            .args(["-Tsvg"])
            .arg(&file)
            .env("PATH", path_env())
            .output()
            .expect("run dot");
        ok(&rendered, &format!("dot -Tsvg of {args:?}"))
    };
    let svg = svg_of(None);
    assert!(svg.contains("<svg"), "{svg}");
    // Every component of the picture is drawn, labelled with its name
    // (Graphviz writes a dash as `&#45;`).
    for name in ["VMM server", "Hyper&#45;V host", "VMware vCenter"] {
        assert!(svg.contains(name), "{name} in the SVG");
    }
    // Component ids that are DOT keywords still make a valid graph with
    // every node.
    let data = home.path().join("keywords.json");
    std::fs::write(
        &data,
        with_keyword_ids(&vmmports::catalog::embedded().unwrap()),
    )
    .unwrap();
    let svg = svg_of(Some(&data));
    assert!(
        svg.contains("VMM server") && svg.contains("SQL Server"),
        "{svg}"
    );
}

/// A Mermaid directive that would hide every edge label, were it read.
const DIRECTIVE: &str = "%%{init: {'theme':'dark', 'themeCSS': '.edgeLabel {display:none}'}}%%";

#[test]
fn mermaid_parses_the_diagram_including_hostile_names() {
    let parser = mermaid_dir().join("node_modules/mermaid");
    let mut missing = Vec::new();
    if !parser.is_dir() {
        missing.push("the mermaid npm package (target/tools/mermaid)".to_string());
    }
    if !has_tool("node") {
        missing.push("node".to_string());
    }
    if !ready(&missing, INSTALL) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let whole = home.path().join("whole.mmd");
    std::fs::write(&whole, ok(&vmmports(&["diagram"], home.path()), "diagram")).unwrap();
    // A catalog whose names hold what Mermaid treats as syntax.
    let mut catalog = vmmports::catalog::embedded().unwrap();
    for (i, component) in catalog.components.iter_mut().enumerate() {
        component.name = format!(
            "{} \"quoted\" [b] {{c}} |pipe| #{i} <x> a-->b; end {DIRECTIVE} `md` &amp; it's",
            component.name
        );
    }
    let data = home.path().join("hostile.json");
    std::fs::write(&data, with_keyword_ids(&catalog)).unwrap();
    let hostile = home.path().join("hostile.mmd");
    let text = ok(
        &vmmports(&["--data", data.to_str().unwrap(), "diagram"], home.path()),
        "diagram of the hostile catalog",
    );
    std::fs::write(&hostile, text).unwrap();
    // The checker runs beside its node_modules, where Node looks for them.
    let checker = mermaid_dir().join("mermaid-check.mjs");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/mermaid-check.mjs"),
        &checker,
    )
    .unwrap();
    let parsed = Command::new("node")
        .arg(&checker)
        .arg(&whole)
        .arg(&hostile)
        .env("PATH", path_env())
        .output()
        .expect("run node");
    let report = ok(&parsed, "the Mermaid parser");
    assert_eq!(report.matches(": ok (flowchart").count(), 2, "{report}");
    // The directive in the names is no directive: the diagram sets no
    // configuration, and every node shows its component's name as it is.
    let details: Vec<serde_json::Value> = report
        .lines()
        .filter_map(|line| line.strip_prefix("details: "))
        .map(|json| serde_json::from_str(json).expect("details JSON"))
        .collect();
    assert_eq!(details.len(), 2, "{report}");
    let names: Vec<&str> = catalog.components.iter().map(|c| c.name.as_str()).collect();
    let hostile = &details[1];
    assert_eq!(hostile["config"], serde_json::json!({}), "{report}");
    let nodes = hostile["nodes"].as_array().unwrap();
    assert!(nodes.len() > 5, "{report}");
    for node in nodes {
        let node = node.as_str().unwrap();
        assert!(names.contains(&node), "{node:?} is no component's name");
        assert!(node.contains(DIRECTIVE), "{node:?}");
    }
    // And a broken diagram is refused, so the check can fail.
    let broken = home.path().join("broken.mmd");
    std::fs::write(&broken, "flowchart LR\n  a -->|\"x| b\n").unwrap();
    let refused = Command::new("node")
        .arg(&checker)
        .arg(&broken)
        .env("PATH", path_env())
        .output()
        .expect("run node");
    assert!(!refused.status.success());
}

/// What `aclgen` wrote into `acls/`, file by file, sorted by name.
fn acl_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join("acls"))
        .expect("acls")
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The comment syntax of each file `aclgen` writes, by its name: delimited
/// comments (opening, closing), or comments that run to the end of a line.
enum CommentSyntax {
    Delimited(&'static str, &'static str),
    Line(&'static str),
}

fn comment_syntax(file: &str) -> Vec<CommentSyntax> {
    use CommentSyntax::{Delimited, Line};
    match file.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "nft" => vec![Delimited("comment \"", "\"")],
        "jcl" => vec![Delimited("/*", "*/")],
        "acl" | "eacl" | "asa" => vec![Line("remark ")],
        "xml" => vec![Delimited("<description>", "</description>")],
        // iptables: one `-A CHAIN -m comment --comment "…"` line per part.
        "" => vec![Delimited("--comment \"", "\"")],
        other => panic!("no comment syntax known for .{other}"),
    }
}

/// `text` split into what lies outside its comments (each comment a
/// `#` placeholder, lines left empty dropped) and the comments' texts.
fn split_comments(file: &str, text: &str) -> (String, Vec<String>) {
    let mut rest = text.to_string();
    let mut comments = Vec::new();
    for syntax in comment_syntax(file) {
        let mut outside = String::new();
        let mut left = rest.as_str();
        loop {
            let (open, close) = match syntax {
                CommentSyntax::Delimited(open, close) => (open, close),
                CommentSyntax::Line(open) => (open, "\n"),
            };
            let Some(start) = left.find(open) else {
                outside.push_str(left);
                break;
            };
            outside.push_str(&left[..start]);
            outside.push('#');
            let body = &left[start + open.len()..];
            let end = body.find(close).unwrap_or(body.len());
            comments.push(body[..end].to_string());
            left = &body[(end + close.len()).min(body.len())..];
            if close == "\n" {
                outside.push('\n');
            }
        }
        rest = outside;
    }
    // A long comment takes more lines or parts in some targets: only the
    // rules are compared.
    let only_a_comment = |line: &&str| {
        line.trim() == "#"
            || line.ends_with(" -m comment #")
            || line.trim() == "access-list vmm-flows #"
    };
    let rules: Vec<&str> = rest.lines().filter(|l| !only_a_comment(l)).collect();
    (rules.join("\n"), comments)
}

/// The ruleset `nft` itself reads from `file`, listed back from a network
/// namespace of its own, each rule's comment left out.
fn nft_ruleset(file: &Path) -> String {
    let listed = Command::new("unshare")
        .args(["-n", "sh", "-c", "nft -f \"$1\" && nft list ruleset", "sh"])
        .arg(file)
        .env("PATH", path_env())
        .output()
        .expect("run nft");
    let text = ok(&listed, &format!("nft -f {}", file.display()));
    split_comments("x.nft", &text).0
}

#[test]
fn a_hostile_catalog_adds_no_rule_to_any_target() {
    if !aclgen_and_nft_ready() {
        return;
    }
    let targets: Vec<&str> = vmmports::flows::aerleon::TARGETS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let targets = targets.join(",");
    let args = [
        "--remote",
        "vmm-server=10.0.0.5,2001:db8::5",
        "--remote",
        "hyperv-host=10.0.1.0/24,2001:db8:1::/64",
        "--any-for-missing",
        "--include-dynamic",
        "--target",
        &targets,
    ];
    let plain = generate(&args);
    let plain_files = acl_files(plain.path());
    assert_eq!(plain_files.len(), TARGETS_WRITTEN, "{plain_files:?}");
    let plain_rules = nft_ruleset(&plain.path().join("acls/vmm.nft"));
    assert!(plain_rules.matches(" accept").count() > 10, "{plain_rules}");
    // The nftables payload as the VMM server's whole name first: without
    // the other payloads' syntax errors, nft would load the rule it adds.
    let mut nft_only = vmmports::catalog::embedded().unwrap();
    let vmm = nft_only
        .components
        .iter_mut()
        .find(|c| c.id == "vmm-server");
    vmm.unwrap().name = hostile::POLICY_PAYLOADS[0].to_string();
    let every_payload: Vec<&str> = hostile::POLICY_PAYLOADS
        .iter()
        .chain(&hostile::PAYLOADS)
        .copied()
        .collect();
    for catalog in [nft_only, hostile::policy_catalog(&every_payload)] {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join("hostile.json");
        std::fs::write(&data, vmmports::catalog::to_json(&catalog)).unwrap();
        let mut with_data = vec!["--data", data.to_str().unwrap()];
        with_data.extend_from_slice(&args);
        let hostile = generate(&with_data);
        let hostile_files = acl_files(hostile.path());
        assert_eq!(
            plain_files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            hostile_files.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
        // nft reads both to the same rules: no accept beyond the terms.
        assert_eq!(
            plain_rules,
            nft_ruleset(&hostile.path().join("acls/vmm.nft")),
            "nft loads a rule the names added"
        );
        // Outside the comments, every target's ACL is the plain catalog's.
        for ((file, plain_text), (_, hostile_text)) in plain_files.iter().zip(&hostile_files) {
            assert_eq!(
                split_comments(file, plain_text).0,
                split_comments(file, hostile_text).0,
                "{file}: the names changed the rules:\n{hostile_text}"
            );
        }
        for ((file, plain_text), (_, hostile_text)) in plain_files.iter().zip(&hostile_files) {
            assert_inert_comments(file, plain_text, hostile_text);
        }
    }
}

/// The lines of `text`'s comments (a file `aclgen` wrote), trimmed;
/// Juniper's comments take several lines, each after `**`.
fn comment_lines(file: &str, text: &str) -> Vec<String> {
    let (_, comments) = split_comments(file, text);
    comments
        .iter()
        .flat_map(|c| c.lines())
        .map(|l| l.trim().trim_start_matches("**").trim().to_string())
        .collect()
}

/// No comment line of `text` that the plain catalog's `plain` lacks (so
/// not Aerleon's own, such as `$Id:$`) holds a character that could end a
/// comment: only vmmports' `->` goes beyond letters, digits, spaces and
/// `.,:()_-`.
fn assert_inert_comments(file: &str, plain: &str, text: &str) {
    let known = comment_lines(file, plain);
    for line in comment_lines(file, text) {
        if known.contains(&line) {
            continue;
        }
        let bad: Vec<char> = line
            .replace("-&gt;", "")
            .replace("->", "")
            .chars()
            .filter(|c| !(c.is_ascii_alphanumeric() || " .,:()_-".contains(*c)))
            .collect();
        assert!(bad.is_empty(), "{file}: {bad:?} in the comment {line:?}");
    }
}

/// The files `aclgen` writes for every target (Cisco and Arista share a
/// syntax but not a file).
const TARGETS_WRITTEN: usize = 7;
