//! `--deployment FILE` and the default `deployment.ron`, end to end through
//! the binary: `rules`, `flows` and `policy` give the same output from the
//! file as from the equivalent flags, flags override the file, the default
//! file is read, and every kind of mistake in the file is reported at its
//! file:line:col with exit 2 and nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A config folder of the test's own, and a folder for deployment files.
struct Env {
    home: tempfile::TempDir,
}

/// The deployment the tests use, and below, the same as flags.
const CONTOSO: &str = r#"// Contoso: every role given by address.
(
    machines: {
        "vmm-server": [(name: "vmm01.contoso.com", address: "10.0.0.5")],
        "sql": [(name: "sql01.contoso.com", address: "10.0.0.7")],
        "hyperv-host": [
            (name: "hv01.contoso.com", address: "10.0.1.21"),
            (address: "10.0.2.0/24"),
        ],
        "library-server": [(address: "10.0.0.9")],
        "VMM console": [(address: "10.0.5.0/24")],
        "wsus": [(name: "wsus01.contoso.com", address: "10.0.0.40")],
        "file-server": [(address: "10.0.0.41"), (address: "10.0.0.42")],
    },
    ports: {"BitsTcpPort": 8443, "WSManTcpPort": 5995},
    rules: (group: "Contoso VMM", profiles: [domain, private], outbound: true, any_for_missing: true),
)
"#;

const CONTOSO_FLAGS: &[&str] = &[
    "--remote",
    "vmm-server=10.0.0.5",
    "--remote",
    "sql-server=10.0.0.7",
    "--remote",
    "hyperv-host=10.0.1.21,10.0.2.0/24",
    "--remote",
    "library-server=10.0.0.9",
    "--remote",
    "vmm-console=10.0.5.0/24",
    "--remote",
    "wsus-server=10.0.0.40",
    "--remote",
    "file-server=10.0.0.41,10.0.0.42",
];

/// The file's setup ports, as flags (`flows` and `policy` take none).
const CONTOSO_PORT_FLAGS: &[&str] = &[
    "--set-port",
    "BitsTcpPort=8443",
    "--set-port",
    "WSManTcpPort=5995",
];

const CONTOSO_RULE_FLAGS: &[&str] = &[
    "--group",
    "Contoso VMM",
    "--profile",
    "domain,private",
    "--outbound",
    "--any-for-missing",
];

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes `name` in the test's folder (not the config folder).
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The default deployment file, in the config folder.
    fn default_file(&self, text: &str) -> PathBuf {
        let folder = self.home.path().join("config").join("vmmports");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("deployment.ron");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        common::binary::vmmports()
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    }

    /// stdout of a run that must exit with `code`.
    fn stdout(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// stderr of a run that must refuse (exit 2) and print nothing.
    fn refusal(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed something");
        String::from_utf8(out.stderr).unwrap()
    }
}

/// One command line from several parts.
fn cat(parts: &[&[&str]]) -> Vec<String> {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|s| s.to_string())
        .collect()
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The script without the one header line that names the deployment file,
/// after checking that it names `file`.
fn without_file_line(script: &str, file: &Path) -> String {
    let named: Vec<&str> = script
        .lines()
        .filter(|l| l.contains("deployment: "))
        .collect();
    assert_eq!(named.len(), 1, "one line names the file:\n{script}");
    assert!(
        named[0].contains(&file.display().to_string()),
        "{}",
        named[0]
    );
    script
        .lines()
        .filter(|l| !l.contains("deployment: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn rules_from_the_file_equal_rules_from_flags_in_every_dialect() {
    let env = Env::new();
    let file = env.file("contoso.ron", CONTOSO);
    let file_arg = file.to_str().unwrap();
    for format in ["powershell", "netsh", "nft", "iptables", "ufw", "probe"] {
        for on in ["hyperv-host", "sql-server", "vmm-server"] {
            let common = ["rules", "--format", format, "--on", on];
            let from_file = env.stdout(&refs(&cat(&[&common, &["--deployment", file_arg]])), 0);
            let flags = cat(&[
                &common,
                CONTOSO_FLAGS,
                CONTOSO_PORT_FLAGS,
                CONTOSO_RULE_FLAGS,
            ]);
            let from_flags = env.stdout(&refs(&flags), 0);
            assert_eq!(
                without_file_line(&from_file, &file),
                from_flags,
                "{format} --on {on}"
            );
            assert!(from_flags.contains("10.0.0.5"), "scoped: {format} {on}");
        }
    }
}

#[test]
fn flows_and_policy_from_the_file_equal_those_from_flags() {
    let env = Env::new();
    // `flows` and `policy` have no --set-port: the same file without its
    // ports, so that flags can say all of it.
    let ports_line = "    ports: {\"BitsTcpPort\": 8443, \"WSManTcpPort\": 5995},\n";
    assert!(CONTOSO.contains(ports_line));
    let file = env.file("contoso.ron", &CONTOSO.replace(ports_line, ""));
    let file_arg = file.to_str().unwrap();
    for format in ["table", "csv", "json", "markdown"] {
        let from_file = env.stdout(
            &[
                "flows",
                "to:hyper-v",
                "--format",
                format,
                "--deployment",
                file_arg,
            ],
            0,
        );
        let flags = cat(&[&["flows", "to:hyper-v", "--format", format], CONTOSO_FLAGS]);
        assert_eq!(from_file, env.stdout(&refs(&flags), 0), "flows {format}");
        assert!(from_file.contains("10.0.2.0/24"), "{from_file}");
    }
    // With its ports, the file moves the flows' ports as --set-port would.
    let full = env.file("contoso-ports.ron", CONTOSO);
    let bits = env.stdout(
        &[
            "flows",
            "vmm-to-host-bits",
            "--format",
            "csv",
            "--deployment",
            full.to_str().unwrap(),
        ],
        0,
    );
    assert!(bits.contains("8443") && !bits.contains(",443,"), "{bits}");
    let out_file = env.home.path().join("from-file");
    let out_flags = env.home.path().join("from-flags");
    let query = ["policy", "from:vmm-server", "to:hyper-v", "--out"];
    let to_file = [out_file.to_str().unwrap(), "--deployment", file_arg];
    env.stdout(&refs(&cat(&[&query, &to_file])), 0);
    let flags = cat(&[&query, &[out_flags.to_str().unwrap()], CONTOSO_FLAGS]);
    env.stdout(&refs(&flags), 0);
    for part in [
        "def/networks.yaml",
        "def/services.yaml",
        "policies/pol/vmm.yaml",
    ] {
        let a = std::fs::read_to_string(out_file.join(part)).unwrap();
        let b = std::fs::read_to_string(out_flags.join(part)).unwrap();
        assert_eq!(a, b, "{part}");
    }
}

#[test]
fn flags_override_the_file() {
    let env = Env::new();
    let file = env.file("contoso.ron", CONTOSO);
    let file_arg = file.to_str().unwrap();
    // --remote for a role the file lists replaces the file's addresses;
    // --group and --set-port replace the file's.
    let overrides = [
        "--remote",
        "vmm-server=10.9.9.9",
        "--group",
        "Other",
        "--set-port",
        "BitsTcpPort=9443",
    ];
    let common = ["rules", "--on", "hyperv-host"];
    let from_file = env.stdout(
        &refs(&cat(&[&common, &["--deployment", file_arg], &overrides])),
        0,
    );
    let flags: Vec<&str> = [
        "--remote",
        "vmm-server=10.9.9.9",
        "--remote",
        "sql-server=10.0.0.7",
        "--remote",
        "hyperv-host=10.0.1.21,10.0.2.0/24",
        "--remote",
        "library-server=10.0.0.9",
        "--remote",
        "vmm-console=10.0.5.0/24",
        "--remote",
        "wsus-server=10.0.0.40",
        "--remote",
        "file-server=10.0.0.41,10.0.0.42",
        "--set-port",
        "BitsTcpPort=9443",
        "--set-port",
        "WSManTcpPort=5995",
        "--group",
        "Other",
        "--profile",
        "domain,private",
        "--outbound",
        "--any-for-missing",
    ]
    .into();
    let expected = env.stdout(&refs(&cat(&[&common, &flags])), 0);
    assert_eq!(without_file_line(&from_file, &file), expected);
    assert!(
        !from_file.contains("10.0.0.5"),
        "the file's address is replaced"
    );
    assert!(from_file.contains("'9443'"), "the flag's port");
}

#[test]
fn the_default_file_in_the_config_folder_is_read() {
    let env = Env::new();
    let file = env.file("contoso.ron", CONTOSO);
    let default = env.default_file(CONTOSO);
    let explicit = env.stdout(
        &[
            "rules",
            "--on",
            "sql",
            "--deployment",
            file.to_str().unwrap(),
        ],
        0,
    );
    let implicit = env.stdout(&["rules", "--on", "sql"], 0);
    assert_eq!(
        without_file_line(&implicit, &default),
        without_file_line(&explicit, &file)
    );
    // And it sits above the config file: the deployment's group wins.
    std::fs::write(
        default.with_file_name("config.ron"),
        "(settings: (group: \"FromConfig\", remote: {\"wsus-server\": [\"10.0.0.40\"]}))",
    )
    .unwrap();
    let layered = env.stdout(&["rules", "--on", "sql"], 0);
    assert!(layered.contains("group: Contoso VMM"), "{layered}");
    assert!(
        layered.contains("remote: wsus-server=10.0.0.40"),
        "what the file does not name stays the config's: {layered}"
    );
    // `check` and `listen` take its setup ports.
    let check = env.stdout(
        &[
            "check",
            "127.0.0.1",
            "vmm-to-host-bits",
            "--timeout",
            "300",
            "--format",
            "json",
        ],
        1,
    );
    assert!(check.contains("8443"), "{check}");
    assert!(
        !check.contains(":443,") && !check.contains("\"port\":443"),
        "{check}"
    );
}

/// A mistake: what it is, the file, the line and column it must be
/// reported at, and words the message or hint must hold.
type Mistake = (
    &'static str,
    &'static str,
    (usize, usize),
    &'static [&'static str],
);

const MISTAKES: &[Mistake] = &[
    (
        "unknown role",
        "(\n  machines: {\n    \"hyperv-hots\": [(name: \"hv01\")],\n  },\n)\n",
        (3, 5),
        &["hyperv-hots", "did you mean `hyperv-host`?"],
    ),
    (
        "ambiguous role",
        "(\n  machines: {\n    \"server\": [(name: \"hv01\")],\n  },\n)\n",
        (3, 5),
        &["could be any of"],
    ),
    (
        "a service on another machine",
        "(\n  machines: {\n    \"storage-service\": [(name: \"vmm01\")],\n  },\n)\n",
        (3, 5),
        &["runs on vmm-server", "under \"vmm-server\""],
    ),
    (
        "neither name nor address",
        "(\n  machines: {\n    \"vmm-server\": [\n      (),\n    ],\n  },\n)\n",
        (4, 7),
        &["neither a name nor an address"],
    ),
    (
        "bad host name",
        "(\n  machines: {\n    \"vmm-server\": [(name: \"vmm+01\")],\n  },\n)\n",
        (3, 27),
        &["not a host name", "`+`"],
    ),
    (
        "bad address",
        "(\n  machines: {\n    \"vmm-server\": [(address: \"10.0.0.300\")],\n  },\n)\n",
        (3, 30),
        &["not an IP address or a subnet", "subnet"],
    ),
    (
        "a range is not a deployment address",
        "(\n  machines: {\n    \"vmm-server\": [(address: \"10.0.0.1-10.0.0.9\")],\n  },\n)\n",
        (3, 30),
        &["is a range", "subnets"],
    ),
    (
        "unknown setup key",
        "(\n  ports: {\"BitsTcpPrt\": 8443},\n)\n",
        (2, 11),
        &["BitsTcpPrt", "did you mean `BitsTcpPort`?"],
    ),
    (
        "reserved port",
        "(\n  ports: {\"BitsTcpPort\": 5986},\n)\n",
        (2, 26),
        &["reserves port 5986"],
    ),
    (
        "port zero",
        "(\n  ports: {\"BitsTcpPort\": 0},\n)\n",
        (2, 26),
        &["not a port"],
    ),
    (
        "two features on one port",
        "(\n  ports: {\"BitsTcpPort\": 443, \"WSManTcpPort\": 443},\n)\n",
        (2, 26),
        &["both use port 443"],
    ),
    (
        "empty group",
        "(\n  rules: (\n    group: \"\",\n  ),\n)\n",
        (3, 12),
        &["group name is empty"],
    ),
    (
        "syntax: unknown field",
        "(\n  machines: {},\n  prots: {},\n)\n",
        (3, 3),
        &["prots"],
    ),
    (
        "syntax: port out of range",
        "(\n  ports: {\"BitsTcpPort\": 70000},\n)\n",
        (2, 26),
        &[],
    ),
];

#[test]
fn every_mistake_is_reported_at_file_line_col_with_exit_2_and_nothing_written() {
    let env = Env::new();
    for (what, text, (line, col), words) in MISTAKES {
        let file = env.file("broken.ron", text);
        let out = env.home.path().join("policy-out");
        for args in [
            vec!["rules", "--on", "hyperv-host"],
            vec!["flows"],
            vec![
                "policy",
                "--any-for-missing",
                "--out",
                out.to_str().unwrap(),
            ],
        ] {
            let args = cat(&[&args, &["--deployment", file.to_str().unwrap()]]);
            let stderr = env.refusal(&refs(&args));
            let at = format!("{}:{line}:{col}: ", file.display());
            assert!(stderr.contains(&at), "{what}: want {at} in\n{stderr}");
            for word in *words {
                assert!(stderr.contains(word), "{what}: want {word} in\n{stderr}");
            }
            assert!(
                stderr.contains("help: "),
                "{what}: a fix is offered\n{stderr}"
            );
        }
        assert!(!out.exists(), "{what}: policy wrote nothing");
    }
    // A file that is not there is not silently skipped when named.
    let stderr = env.refusal(&["rules", "--deployment", "no-such-file.ron"]);
    assert!(
        stderr.contains("no-such-file.ron: cannot read it"),
        "{stderr}"
    );
    // And a broken default file stops commands too, rather than being ignored.
    env.default_file(MISTAKES[0].1);
    let stderr = env.refusal(&["rules", "--on", "sql"]);
    assert!(stderr.contains("deployment.ron:3:5: "), "{stderr}");
}

#[test]
fn a_role_given_by_host_name_only_has_no_address_for_rules_and_the_hint_says_why() {
    let env = Env::new();
    let file = env.file(
        "names.ron",
        "(machines: {\n  \"vmm-server\": [(name: \"vmm01.contoso.com\", address: \"10.0.0.5\")],\n  \"hyperv-host\": [(name: \"hv01.contoso.com\"), (address: \"10.0.1.22\")],\n})\n",
    );
    let stderr = env.refusal(&[
        "rules",
        "--on",
        "vmm-server",
        "--deployment",
        file.to_str().unwrap(),
    ]);
    assert!(stderr.contains("hyperv-host"), "{stderr}");
    assert!(
        stderr.contains("deployment file") && stderr.contains("hv01.contoso.com by host name only"),
        "{stderr}"
    );
    // Not scoped to the one address given: that would shut hv01 out.
    let open = env.stdout(
        &[
            "rules",
            "--on",
            "vmm-server",
            "--any-for-missing",
            "--deployment",
            file.to_str().unwrap(),
        ],
        0,
    );
    assert!(!open.contains("10.0.1.22"), "{open}");
}

#[test]
fn the_example_on_the_docs_page_is_the_file_its_examples_run_on() {
    let page = std::fs::read_to_string("docs/deployment.md").unwrap();
    let file = std::fs::read_to_string("docs/deployment.in/contoso.ron").unwrap();
    let start = page.find("```ron\n").expect("a ron block") + "```ron\n".len();
    let end = start + page[start..].find("```").unwrap();
    assert_eq!(
        page[start..end].replace("\r\n", "\n"),
        file.replace("\r\n", "\n")
    );
}
