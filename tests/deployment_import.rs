//! `vmmports deployment import`, run as a user runs it, on files written
//! byte for byte as their tools write them (tests/data/deployment/):
//! Excel's CSV (a UTF-8 BOM, CRLF, quotes), Windows PowerShell 5.1's
//! `ConvertTo-Json > FILE` (UTF-16LE with a BOM, its own indentation, the
//! `{"value": [...], "Count": n}` wrapper), PowerShell 7's (UTF-8 without
//! a BOM; one object alone is an object), Ansible INI and YAML inventories.
//! The RON printed must parse as a deployment and equal the one expected;
//! each broken variant must be refused at its file:line:col, exit 2, with
//! nothing written.

mod common;

use std::path::{Path, PathBuf};

use common::binary::vmmports;
use vmmports::deployment::{Deployment, Machine};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/deployment")
        .join(name)
        .display()
        .to_string()
}

/// Runs `deployment import` on the fixtures, with these flags; on success,
/// the deployment it printed.
fn import(files: &[&str], flags: &[&str]) -> Deployment {
    let mut cmd = vmmports();
    cmd.args(["deployment", "import"]);
    cmd.args(files.iter().map(|f| data(f)));
    cmd.args(flags);
    let out = cmd.assert().success().get_output().clone();
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    Deployment::parse(&text, Path::new("stdout")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs it expecting exit 2; its stderr.
fn refused(args: &[&str]) -> String {
    let mut cmd = vmmports();
    cmd.args(["deployment", "import"]);
    cmd.args(args);
    let out = cmd.assert().code(2).get_output().clone();
    assert!(out.stdout.is_empty(), "nothing on stdout");
    String::from_utf8(out.stderr).expect("UTF-8 errors")
}

fn machine(name: Option<&str>, address: Option<&str>) -> Machine {
    Machine {
        name: name.map(Into::into),
        address: address.map(Into::into),
    }
}

fn expected(roles: &[(&str, &[Machine])]) -> Deployment {
    let mut d = Deployment::default();
    for (role, machines) in roles {
        d.machines.insert(role.to_string(), machines.to_vec());
    }
    d
}

#[test]
fn excels_csv_with_bom_crlf_quotes_and_role_aliases_is_imported() {
    let d = import(&["machines.csv"], &[]);
    assert_eq!(
        d,
        expected(&[
            (
                "vmm-server",
                &[machine(Some("vmm01.contoso.com"), Some("10.0.0.5"))]
            ),
            (
                "hyperv-host",
                &[
                    machine(Some("hv01.contoso.com"), Some("10.0.1.21")),
                    machine(Some("hv02.contoso.com"), None),
                ]
            ),
            ("sql-server", &[machine(None, Some("10.0.2.0/24"))]),
        ])
    );
}

#[test]
fn both_powershells_json_is_imported_and_merged_with_a_csv() {
    let d = import(
        &[
            "hosts-ps51.json",
            "library-ps51.json",
            "vmm-ps7.json",
            "hosts-ps7.json",
            "machines.csv",
        ],
        &[],
    );
    assert_eq!(
        d,
        expected(&[
            // One vmm01 from vmm-ps7.json and the CSV; its address from the CSV.
            (
                "vmm-server",
                &[machine(Some("vmm01.contoso.com"), Some("10.0.0.5"))]
            ),
            (
                "hyperv-host",
                &[
                    machine(Some("hv01.contoso.com"), Some("10.0.1.21")),
                    machine(Some("hv03.contoso.com"), None),
                    machine(Some("hv04.contoso.com"), None),
                    machine(Some("hv02.contoso.com"), None),
                ]
            ),
            (
                "library-server",
                &[machine(Some("lib01.contoso.com"), None)]
            ),
            ("sql-server", &[machine(None, Some("10.0.2.0/24"))]),
        ])
    );
}

#[test]
fn an_ansible_ini_inventory_is_imported_through_its_maps() {
    let mut cmd = vmmports();
    cmd.args(["deployment", "import", &data("inventory.ini")])
        .args(["--map", "fabric=guest-vm", "--map", "hyperv=hyperv-host"]);
    let out = cmd.assert().success().get_output().clone();
    let d = Deployment::parse(&String::from_utf8_lossy(&out.stdout), Path::new("-")).unwrap();
    let hosts = [
        machine(Some("hv01.contoso.com"), None),
        machine(Some("hv02.contoso.com"), None),
        machine(Some("hv03.contoso.com"), None),
        machine(Some("hv10"), Some("10.0.1.10")),
    ];
    let mut guests = hosts.to_vec();
    guests.push(machine(Some("sql01.contoso.com"), Some("10.0.2.5")));
    assert_eq!(
        d,
        expected(&[("hyperv-host", &hosts), ("guest-vm", &guests)])
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped group `monitoring` (1 host): no --map monitoring=ROLE"),
        "{stderr}"
    );
}

#[test]
fn an_ansible_yaml_inventory_is_imported_through_its_maps() {
    let d = import(
        &["inventory.yml"],
        &[
            "--map",
            "hyperv=hyperv-host",
            "--map",
            "library=library",
            "--map",
            "monitoring=guest-vm",
        ],
    );
    assert_eq!(
        d,
        expected(&[
            (
                "hyperv-host",
                &[
                    machine(Some("hv01.contoso.com"), None),
                    machine(Some("hv02.contoso.com"), None),
                    machine(Some("hv10"), Some("10.0.1.10")),
                ]
            ),
            (
                "library-server",
                &[machine(Some("lib01.contoso.com"), None)]
            ),
            ("guest-vm", &[machine(Some("mon01.contoso.com"), None)]),
        ])
    );
}

#[test]
fn each_broken_file_is_refused_at_its_line_and_column() {
    for (file, place, what) in [
        (
            "machines-broken.csv",
            "3:30",
            "`10.0.1.300` is not an IP address",
        ),
        ("hosts-ps51-broken.json", "7:18", "`role` is the number 2"),
        ("hosts-ps7-broken.json", "8:4", "EOF while parsing"),
        (
            "inventory-broken.ini",
            "3:1",
            "the range ends before it starts",
        ),
        ("inventory-broken.yml", "6:8", "did not find expected key"),
    ] {
        let path = data(file);
        let stderr = refused(&[&path, "--map", "hyperv=hyperv-host"]);
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{path}:{place}: ")) && first.contains(what),
            "{file}: {stderr}"
        );
        assert!(
            stderr.contains("  help: "),
            "{file}: a way to fix it: {stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
}

#[test]
fn out_is_written_whole_and_never_over_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("deployment.ron");
    let out_text = out.display().to_string();
    let csv = data("machines.csv");
    vmmports()
        .args(["deployment", "import", &csv, "--out", &out_text])
        .assert()
        .success()
        .stdout("wrote ".to_string() + &out_text + ": 4 machines in 3 roles\n");
    let first = std::fs::read_to_string(&out).unwrap();
    Deployment::parse(&first, &out).unwrap();

    // A second run without --force leaves the file as it was.
    let stderr = refused(&[&data("vmm-ps7.json"), "--out", &out_text]);
    assert!(stderr.contains("exists; nothing was written"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);

    // The file as an input keeps its machines; --force replaces it.
    vmmports()
        .args([
            "deployment",
            "import",
            &out_text,
            &data("library-ps51.json"),
        ])
        .args(["--out", &out_text, "--force"])
        .assert()
        .success();
    let merged = Deployment::parse(&std::fs::read_to_string(&out).unwrap(), &out).unwrap();
    assert_eq!(merged.machines["hyperv-host"].len(), 2);
    assert_eq!(merged.machines["library-server"].len(), 1);

    // A broken input writes nothing.
    let fresh = dir.path().join("new.ron");
    refused(&[
        &data("machines-broken.csv"),
        "--out",
        &fresh.display().to_string(),
    ]);
    assert!(!fresh.exists());
}

#[test]
fn a_map_to_an_unknown_role_or_group_is_refused() {
    let ini = data("inventory.ini");
    let stderr = refused(&[&ini, "--map", "hyperv=hyperv-hots"]);
    assert!(
        stderr.contains("no component matches `hyperv-hots`"),
        "{stderr}"
    );
    let stderr = refused(&[&ini, "--map", "hyprv=hyperv-host"]);
    assert!(
        stderr.contains("no inventory has the group `hyprv`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `hyperv`?"), "{stderr}");
    let stderr = refused(&[&data("machines.csv"), "--map", "hyperv=hyperv-host"]);
    assert!(
        stderr.contains("--map is for Ansible inventories"),
        "{stderr}"
    );
    // Every group skipped: nothing to write.
    let stderr = refused(&[&ini]);
    assert!(stderr.contains("name no machine"), "{stderr}");
}

#[test]
fn a_machine_given_two_names_is_a_conflict_not_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        "role,name,address\nvmm-server,vmm02.contoso.com,10.0.0.5\n",
    )
    .unwrap();
    let stderr = refused(&[&data("machines.csv"), &other.display().to_string()]);
    assert!(
        stderr.contains("has the name `vmm02.contoso.com` here but `vmm01.contoso.com` in"),
        "{stderr}"
    );
    assert!(stderr.contains("machines.csv:2:1"), "{stderr}");
}

#[test]
fn hostile_names_are_refused_in_every_format_and_never_echoed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let invisible = common::hostile::INVISIBLE.map(|c| format!("hv01{c}.contoso.com"));
    let names = common::hostile::PAYLOADS
        .iter()
        .map(|p| p.to_string())
        .chain(invisible)
        .chain(["hv01\u{1b}]52;c;cHduZWQ=\u{7}".to_string()]);
    for (i, name) in names.enumerate() {
        let csv_field = format!("\"{}\"", name.replace('"', "\"\""));
        let json_field = serde_json::to_string(&name).unwrap();
        let files = [
            (
                format!("{i}.csv"),
                format!("role,name,address\r\nhyperv-host,{csv_field},\r\n"),
            ),
            (
                format!("{i}.json"),
                format!("{{\"role\": \"hyperv-host\", \"name\": {json_field}}}"),
            ),
            (
                format!("{i}.ini"),
                format!("[hyperv]\nhv01 ansible_host={json_field}\n"),
            ),
        ];
        for (file, text) in files {
            let path = dir.path().join(&file);
            std::fs::write(&path, text).unwrap();
            let stderr = refused(&[&path.display().to_string(), "--map", "hyperv=hyperv-host"]);
            assert!(
                !stderr
                    .chars()
                    .any(|c| (c.is_control() && c != '\n')
                        || common::hostile::INVISIBLE.contains(&c)),
                "{file} ({name:?}): stderr carries it raw: {stderr:?}"
            );
        }
    }
}
