//! `vmmports rules`: what each rule means, settings and their errors, `--on`,
//! exit codes, and golden copies of whole scripts.

mod common;

use assert_cmd::Command;
use common::config::config_home;
use common::process::Start;

/// The binary, with an empty config folder so a developer's own settings
/// never leak into the test.
fn vmmports() -> Command {
    let mut cmd = common::binary::vmmports();
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("vmmports-tests-no-config"),
    );
    cmd
}

/// Runs and returns stdout, asserting the exit code.
fn run(args: &[&str], code: i32) -> String {
    let out = vmmports().args(args).run();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs expecting exit 2 and returns stderr.
fn refused(args: &[&str]) -> String {
    let out = vmmports().args(args).run();
    assert_eq!(out.status.code(), Some(2), "{args:?} should be refused");
    assert!(
        out.stdout.is_empty(),
        "nothing may be printed to stdout on error"
    );
    String::from_utf8(out.stderr).unwrap()
}

/// Lines that are commands, not comments or blanks.
fn commands(script: &str) -> Vec<&str> {
    script
        .lines()
        .filter(|l| {
            !l.is_empty() && !l.starts_with('#') && !l.starts_with("REM ") && !l.starts_with(": '")
        })
        .collect()
}

#[test]
fn golden_powershell_script_for_the_embedded_catalog() {
    insta::assert_snapshot!(
        "all_powershell",
        run(&["rules", "--format", "powershell"], 0)
    );
}

#[test]
fn golden_nft_script_for_the_embedded_catalog() {
    insta::assert_snapshot!("all_nft", run(&["rules", "--format", "nft"], 0));
}

#[test]
fn hyper_v_host_gets_exactly_its_inbound_rules() {
    let script = run(&["rules", "--on", "hyper-v"], 0);
    assert!(
        script.contains("--on hyperv-host"),
        "header names the resolved machine"
    );
    let names: Vec<&str> = commands(&script)
        .iter()
        .filter(|l| l.starts_with("New-NetFirewallRule"))
        .map(|l| l.split('\'').nth(1).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "VMM-vmm-to-host-agent-tcp-in",
            "VMM-vmm-to-host-bits-tcp-in",
            "VMM-vmm-to-host-winrm-tcp-in",
            "VMM-vmm-to-host-winrm-tls-tcp-in",
            "VMM-host-to-host-bits-tcp-in",
            "VMM-library-to-host-bits-tcp-in",
            // The docs put this rule on ESXi only; the Hyper-V host, its
            // destination, must accept it too.
            "VMM-esxi-to-hyperv-tcp-in",
            "VMM-console-to-host-vmconnect-tcp-in",
            // Ping, once per IP family.
            "VMM-vmm-to-host-ping-icmpv4-in",
            "VMM-vmm-to-host-ping-icmpv6-in",
            // Live migration, which VMM configures (issue 20).
            "VMM-host-to-host-live-migration-tcp-in",
        ]
    );
    // Rules that go on other machines never appear, e.g. ESXi's outbound rule to Hyper-V.
    assert!(!script.contains("-Direction Outbound"));
    assert!(!script.contains("vmm-to-sql"));
    assert!(script.contains("-LocalPort '80','135','139','445'"));
}

#[test]
fn inbound_rules_are_scoped_to_the_source_and_outbound_to_the_destination() {
    let script = run(
        &[
            "rules",
            "--on",
            "sql-server",
            "--remote",
            "vmm-server=10.0.0.5",
        ],
        0,
    );
    assert!(
        script.contains(
            "-Direction Inbound -Protocol TCP -LocalPort '1433' -RemoteAddress '10.0.0.5'"
        )
    );
    assert!(
        script.contains(
            "-Direction Inbound -Protocol UDP -LocalPort '1434' -RemoteAddress '10.0.0.5'"
        )
    );
    // vCenter's rule is outbound and goes on vCenter, an appliance: a comment
    // that names the destination's address and where to configure it.
    let script = run(
        &[
            "rules",
            "vcenter-to-vmm",
            "--remote",
            "vmm-server=10.0.0.5",
            "--remote",
            "vcenter=10.0.0.9",
        ],
        0,
    );
    assert!(
        script.contains("# vcenter-to-vmm: allow outbound 443/tcp to 10.0.0.5; VMware vCenter server is not a Windows or Linux firewall"),
        "{script}"
    );
}

#[test]
fn tcp_and_udp_of_one_connection_become_separate_rules() {
    let script = run(&["rules", "pxe-boot", "--format", "netsh"], 0);
    let adds: Vec<&str> = commands(&script)
        .into_iter()
        .filter(|l| l.contains(" add rule "))
        .collect();
    assert_eq!(adds.len(), 1, "pxe-boot is UDP only: {script}");
    assert!(adds[0].contains("protocol=UDP localport=67,69,4011,64001-65000"));
    let script = run(&["rules", "--on", "sql", "--format", "netsh"], 0);
    assert!(script.contains("protocol=TCP localport=1433"));
    assert!(script.contains("protocol=UDP localport=1434"));
}

#[test]
fn set_port_moves_setup_ports_and_never_fixed_ones() {
    let script = run(
        &[
            "rules",
            "--set-port",
            "WSManTcpPort=15985",
            "--set-port",
            "BitsTcpPort=8443",
        ],
        0,
    );
    assert!(script.contains("-DisplayName 'VMM - vmm-to-host-winrm (15985/tcp)'"));
    assert!(script.contains("-DisplayName 'VMM - vmm-to-host-bits (8443/tcp)'"));
    assert!(script.contains("-DisplayName 'VMM - library-to-host-bits (8443/tcp)'"));
    // The guest agent keeps 5985 and 443: those ports are fixed.
    assert!(script.contains("-DisplayName 'VMM - vmm-to-guest-winrm (5985/tcp)'"));
    assert!(script.contains("-DisplayName 'VMM - vmm-to-guest-bits (443/tcp)'"));
    assert!(
        script.contains("set-port: BitsTcpPort=8443"),
        "the header records the settings"
    );
    // Queries see the deployed ports.
    let found = run(&["rules", "port:8443", "--set-port", "BitsTcpPort=8443"], 0);
    // Rows 2, 7, 12, the perimeter host's 20 and 21 ([S2]: set in setup),
    // the file server's 23 (the same agent), and the added BITS rows.
    assert!(found.contains("9 connections matched"), "{found}");
    for id in [
        "perimeter-host-to-vmm",
        "perimeter-host-to-library",
        "vmm-to-file-server-bits",
        "vmm-to-perimeter-host-bits",
        "library-to-perimeter-host-bits",
        "host-to-library-bits",
    ] {
        assert!(
            found.contains(&format!("-DisplayName 'VMM - {id} (8443/tcp)'")),
            "{id} follows BitsTcpPort:\n{found}"
        );
    }
    // Setup keys are matched case-insensitively, as admins type them.
    run(&["rules", "--set-port", "bitstcpport=8443"], 0);
}

#[test]
fn settings_errors_are_refused_with_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--set-port", "BitsTcpPort=5986"], "reserves port 5986"),
        (&["--set-port", "WSManTcpPort=5986"], "reserves port 5986"),
        (
            &["--set-port", "WSManTcpPort=8100"],
            "would both use port 8100",
        ),
        (
            &[
                "--set-port",
                "BitsTcpPort=9000",
                "--set-port",
                "SqlPort=9000",
            ],
            "would both use port 9000",
        ),
        (
            &["--set-port", "BitsTcpPrt=8443"],
            "did you mean `BitsTcpPort`",
        ),
        (
            &["--set-port", "Nothing=8443"],
            "not a port VMM setup lets you choose",
        ),
        (&["--set-port", "BitsTcpPort=70000"], "ports are 1-65535"),
        (&["--set-port", "BitsTcpPort=0"], "ports are 1-65535"),
        (&["--set-port", "BitsTcpPort"], "has no `=`"),
        (&["--remote", "vmm-server=10.0.0.300"], "is not an address"),
        (
            &["--remote", "vmm-server=10.0.0.9-10.0.0.1"],
            "ends before it starts",
        ),
        (&["--remote", "vmm-server=10.0.0.0/40"], "prefix length"),
        (
            &["--remote", "vmm-server=host;rm -rf /"],
            "is not an address",
        ),
        (
            &["--remote", "nosuchthing=10.0.0.1"],
            "no component matches",
        ),
        (&["--remote", "10.0.0.1"], "has no `=`"),
        (&["--profile", "work"], "not a firewall profile"),
        (&["--group", "a\u{1b}[2Jb"], "control character U+001B"),
        (&["--group", "line\nbreak"], "control character U+000A"),
        (&["--group", "c1\u{9b}x"], "control character U+009B"),
        (&["--group", ""], "group name is empty"),
        (
            &["--on", "hyper"],
            "could be any of hyperv-host, untrusted-host",
        ),
        (&["--on", "nothing-like-this"], "no component matches"),
        (&["port:99999"], "out of range"),
        (
            &["--format", "nft", "--group", "say \"hi\""],
            "nft comments cannot hold",
        ),
        (
            &["--format", "netsh", "--group", "100%"],
            "netsh names hold only letters, digits, spaces",
        ),
        (
            &[
                "--format",
                "nft",
                "--on",
                "guest-vm",
                "--remote",
                "vmm-server=LocalSubnet",
            ],
            "no equivalent of the Windows address keyword",
        ),
        (
            &[
                "--format",
                "netsh",
                "from:vmm-server",
                "--on",
                "hyper-v",
                "--remote",
                "vmm-server=Internet",
            ],
            "netsh does not understand",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["rules"];
        all.extend_from_slice(args);
        let stderr = refused(&all);
        assert!(stderr.contains(needle), "{all:?}: {stderr}");
        assert!(
            stderr.contains("help:") || stderr.contains("\n  "),
            "{all:?} gives a fix: {stderr}"
        );
    }
}

#[test]
fn dialects_fit_machines_and_output_is_never_silently_empty() {
    // Windows machine, Linux dialect: a comment that says what to use instead.
    let script = run(&["rules", "--on", "sql", "--format", "ufw"], 0);
    assert!(
        script.contains("SQL Server is a Windows machine: use the powershell or netsh dialect")
    );
    assert!(commands(&script).is_empty());
    // Devices get where to configure them, never New-NetFirewallRule.
    let script = run(&["rules", "--on", "bmc"], 0);
    assert!(commands(&script).is_empty(), "{script}");
    assert!(
        script.contains("623/udp") && script.contains("BMC´s network settings"),
        "{script}"
    );
    // A local call is a note.
    let script = run(&["rules", "vmm-to-storage-service"], 0);
    assert!(script.contains("a local call"), "{script}");
    // Nothing matches: say so, exit 1.
    let script = run(&["rules", "nothingmatchesthisatall"], 1);
    assert!(script.contains("no connection matches"), "{script}");
    // Matches, but none on the machine asked for.
    let script = run(&["rules", "to:sql", "--on", "hyperv-host"], 0);
    assert!(
        script.contains("none of these connections needs a rule on hyperv-host"),
        "{script}"
    );
}

#[test]
fn include_dynamic_adds_the_rpc_range_on_hosts_file_and_library_servers() {
    let script = run(
        &[
            "rules",
            "--on",
            "file-server",
            "--include-dynamic",
            "--remote",
            "vmm-server=10.0.0.5",
            "--any-for-missing",
        ],
        0,
    );
    // Scoping needs every peer's address; with only the VMM server's known,
    // the range stays open to any (scoping would shut out the others), as
    // --any-for-missing allows.
    assert!(
        script.contains("-DisplayName 'VMM - dynamic-ports (49152-65535/tcp)'"),
        "{script}"
    );
    let without = run(&["rules", "--on", "file-server"], 0);
    assert!(!without.contains("49152"));
    let all = run(&["rules", "--include-dynamic", "--format", "netsh"], 0);
    for machine in ["hyperv-host", "library-server", "file-server"] {
        let section = all
            .split("REM '── on ")
            .find(|s| s.contains(&format!("({machine}) ──")))
            .unwrap();
        assert!(
            section.contains("localport=49152-65535"),
            "{machine}: {section}"
        );
    }
}

#[test]
fn probes_run_from_the_source() {
    let script = run(
        &[
            "rules",
            "to:sql",
            "--format",
            "probe",
            "--remote",
            "sql-server=10.0.0.7",
        ],
        0,
    );
    assert!(
        script.contains(": '── run on VMM server (vmm-server) ──'"),
        "{script}"
    );
    assert!(script.contains("Test-NetConnection -ComputerName '10.0.0.7' -Port 1433"));
    assert!(
        script.contains("1434/udp"),
        "UDP is a comment for Windows sources: {script}"
    );
    let script = run(&["rules", "esxi-to-vmm", "--format", "probe"], 0);
    assert!(script.contains("nc -zv 'vmm-server' 443"), "{script}");
}

#[test]
fn header_says_what_where_from_and_which_settings() {
    let script = run(
        &[
            "rules",
            "winrm",
            "--group",
            "Contoso VMM",
            "--profile",
            "private,domain",
        ],
        0,
    );
    let header: Vec<&str> = script.lines().take_while(|l| l.starts_with('#')).collect();
    assert!(header[0].contains("PowerShell New-NetFirewallRule"));
    assert!(header[1].contains("embedded catalog"));
    assert!(header[2].contains("query: winrm"));
    assert!(header[3].contains("group: Contoso VMM; profile: domain,private"));
    assert!(script.contains("-Profile Domain,Private"));
}

/// The binary with its config folder set to `dir`.
fn with_config(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    common::binary::vmmports()
        .env("XDG_CONFIG_HOME", dir)
        .args(args)
        .run()
}

#[test]
fn rules_read_the_config_file_and_flags_override_it() {
    let (dir, _) = config_home(
        "Config(settings: (group: \"Contoso\", remote: {\"vmm-server\": [\"10.0.0.5\"]}, ports: {\"SqlPort\": 14330}))\n",
    );
    let out = with_config(dir.path(), &["rules", "--on", "sql"]);
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        script.contains("-Group 'Contoso'") && script.contains("-RemoteAddress '10.0.0.5'"),
        "{script}"
    );
    assert!(script.contains("-LocalPort '14330'"), "{script}");
    let out = with_config(
        dir.path(),
        &[
            "rules",
            "--on",
            "sql",
            "--group",
            "Flag",
            "--set-port",
            "SqlPort=1533",
        ],
    );
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        script.contains("-Group 'Flag'") && script.contains("-LocalPort '1533'"),
        "{script}"
    );
    assert!(
        script.contains("-RemoteAddress '10.0.0.5'"),
        "unflagged settings still come from the file"
    );
}

#[test]
fn a_broken_config_file_is_reported_with_its_position_and_never_touched() {
    let broken = "Config(\n  settings: (group: 5),\n)\n";
    let (dir, path) = config_home(broken);
    let out = with_config(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:2:", path.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    // Parses, but holds a bad value: still refused, naming the file.
    std::fs::write(
        &path,
        "Config(settings: (ports: {\"BitsTcpPort\": 5986}))\n",
    )
    .unwrap();
    let out = with_config(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("config.ron") && stderr.contains("5986"),
        "{stderr}"
    );
}

// ---- Rules as a whole (issue 11) -------------------------------------------

/// The New-NetFirewallRule lines of a PowerShell script.
fn created(script: &str) -> Vec<&str> {
    commands(script)
        .into_iter()
        .filter(|l| l.starts_with("New-NetFirewallRule"))
        .collect()
}

/// The one New-NetFirewallRule line of rule `name`.
fn created_rule<'a>(script: &'a str, name: &str) -> &'a str {
    let wanted = format!("-Name '{name}' ");
    let found: Vec<&str> = created(script)
        .into_iter()
        .filter(|l| l.contains(&wanted))
        .collect();
    assert_eq!(found.len(), 1, "one rule {name} in\n{script}");
    found[0]
}

#[test]
fn an_untrusted_domain_host_gets_the_agents_inbound_rules_from_the_vmm_server() {
    // VMM pushes its agent as to any Hyper-V host [UD]: it is one.
    let script = run(
        &[
            "rules",
            "from:vmm-server",
            "--on",
            "untrusted-host",
            "--remote",
            "vmm-server=10.0.0.5",
        ],
        0,
    );
    assert!(
        script.contains("(untrusted-host), also Hyper-V host (hyperv-host)"),
        "the section says what else it is:\n{script}"
    );
    for (name, port) in [
        ("VMM-vmm-to-host-agent-tcp-in", "'80','135','139','445'"),
        ("VMM-vmm-to-host-winrm-tcp-in", "'5985'"),
        ("VMM-vmm-to-host-bits-tcp-in", "'443'"),
    ] {
        let line = created_rule(&script, name);
        assert!(line.contains("-Direction Inbound"), "{line}");
        assert!(line.contains(&format!("-LocalPort {port} ")), "{line}");
        assert!(line.contains("-RemoteAddress '10.0.0.5' "), "{line}");
    }
}

#[test]
fn a_perimeter_host_gets_only_the_ports_its_doc_names() {
    // The agent is installed locally; VMM reaches it on 5986 and moves files
    // on 443 [PN]. No SMB, RPC or 5985 from the VMM server (issue 20).
    let script = run(
        &[
            "rules",
            "from:vmm-server",
            "--on",
            "perimeter-host",
            "--remote",
            "vmm-server=10.0.0.5",
        ],
        0,
    );
    assert_eq!(local_ports(&script), ["'5986'", "'443'"], "{script}");
    for line in created(&script) {
        assert!(line.contains("-RemoteAddress '10.0.0.5' "), "{line}");
    }
}

#[test]
fn the_vmm_server_accepts_vcenters_callback() {
    // The docs put this rule on vCenter (outbound) only; scoped rules on the
    // VMM server would otherwise shut vCenter out.
    let script = run(
        &[
            "rules",
            "--on",
            "vmm-server",
            "from:vcenter",
            "--remote",
            "vcenter=10.0.0.9",
        ],
        0,
    );
    let line = created_rule(&script, "VMM-vcenter-to-vmm-tcp-in");
    assert!(line.contains("-Direction Inbound -Protocol TCP -LocalPort '443' "));
    assert!(line.contains("-RemoteAddress '10.0.0.9' "), "{line}");
}

#[test]
fn the_hyperv_host_accepts_esxi_conversions() {
    let script = run(
        &[
            "rules",
            "--on",
            "hyper-v",
            "--remote",
            "esxi-host=10.0.0.8",
            "--any-for-missing",
        ],
        0,
    );
    let line = created_rule(&script, "VMM-esxi-to-hyperv-tcp-in");
    assert!(line.contains("-LocalPort '443','445' "), "{line}");
    assert!(line.contains("-RemoteAddress '10.0.0.8' "), "{line}");
    // ESXi's own outbound rule is still said, where ESXi is configured.
    let esxi = run(&["rules", "--on", "esxi-host"], 0);
    assert!(
        esxi.contains("esxi-to-hyperv: allow outbound 443,445/tcp"),
        "{esxi}"
    );
}

#[test]
fn outbound_rules_come_with_the_flag() {
    let without = run(&["rules", "--on", "vmm-server", "to:sql"], 0);
    assert!(!without.contains("-Direction Outbound"), "{without}");
    let with = run(
        &[
            "rules",
            "--on",
            "vmm-server",
            "to:sql",
            "--outbound",
            "--remote",
            "sql-server=10.0.0.7",
        ],
        0,
    );
    let line = created_rule(&with, "VMM-vmm-to-sql-tcp-out");
    assert!(
        line.contains("-Direction Outbound -Protocol TCP -RemotePort '1433' "),
        "{line}"
    );
    assert!(line.contains("-RemoteAddress '10.0.0.7' "), "{line}");
    assert!(with.contains("outbound: yes"), "the header says so");
}

#[test]
fn a_free_word_selects_exactly_its_rows() {
    // `ipmi` once matched the perimeter and agent rows fuzzily, opening 80,
    // 135, 139 and 445.
    let script = run(&["rules", "ipmi"], 0);
    assert!(script.contains("covers: vmm-to-bmc-ipmi\n"), "{script}");
    assert!(script.contains("1 connection matched, 1 rule"), "{script}");
    assert!(script.contains("623/udp"), "{script}");
    for port in ["80", "135", "139", "445"] {
        assert!(!script.contains(&format!("{port},")), "{script}");
    }
    // The explorer and `list` stay fuzzy.
    let list = run(&["list", "ipmi"], 0);
    assert!(list.lines().count() > 2, "{list}");
}

/// The local ports of the script's `New-NetFirewallRule` lines, in order.
fn local_ports(script: &str) -> Vec<String> {
    created(script)
        .iter()
        .map(|l| {
            let rest = l.split("-LocalPort ").nth(1).unwrap();
            rest.split(' ').next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_word_found_only_in_some_ports_keeps_only_those() {
    // `netbios` is in port 139's service and purpose, and nowhere else in the
    // agent rows: their other ports are not NetBIOS.
    let script = run(&["rules", "netbios", "--on", "hyper-v"], 0);
    assert_eq!(local_ports(&script), ["'139'"], "{script}");
    // A port term narrows the same way.
    let smb = run(&["rules", "445", "--on", "hyper-v"], 0);
    assert!(smb.contains("-LocalPort '445' "), "{smb}");
    assert!(!smb.contains("'135'"), "{smb}");
}

/// nft rules are gone after a reboot: the nft header says how to keep them,
/// and the other dialects' headers say nothing of nft. Each machine's first
/// command is the check against other tables, ahead of any change.
#[test]
fn nft_header_says_how_to_keep_the_rules_and_the_check_comes_first() {
    for format in [
        "powershell",
        "netsh",
        "nft",
        "iptables",
        "firewalld",
        "ufw",
        "probe",
    ] {
        let script = run(&["rules", "--on", "guest-vm", "--format", format], 0);
        let (header, body) = script.split_once("\n\n").unwrap();
        let nft = format == "nft";
        for text in [
            "nft rules last until the next reboot",
            "Debian: { echo flush ruleset; nft list ruleset; } > /etc/nftables.conf; systemctl enable nftables",
            "RHEL: the same, into /etc/sysconfig/nftables.conf",
            "another table drops on the input or output hook",
        ] {
            assert_eq!(
                header.contains(text),
                nft,
                "{format}: {text:?} in\n{header}"
            );
        }
        assert_eq!(script.contains("nftables.conf"), nft, "{format}");
        if nft {
            let commands = commands(body);
            assert!(
                commands[0].starts_with("nft list ruleset 2>/dev/null | awk ")
                    && commands[0].ends_with(" >&2 || exit 1"),
                "{body}"
            );
            assert_eq!(commands[1], "nft add table inet filter", "{body}");
        }
    }
}

#[test]
fn a_word_that_names_the_row_keeps_all_its_ports() {
    // Issue 20: `rules pxe` once wrote pxe-boot with 67 and 4011 only (the
    // ports whose purpose says PXE), a PXE script that cannot work. `pxe` is
    // in the row's id, `wds` in its destination, `dhcp` in its notes: each
    // keeps the whole row, in every dialect.
    let all = "67,69,4011,64001-65000/udp";
    for word in ["pxe", "wds", "dhcp", "tftp"] {
        let script = run(
            &["rules", word, "--on", "wds-server", "--format", "netsh"],
            0,
        );
        let pxe: Vec<&str> = script
            .lines()
            .filter(|l| l.contains("pxe-boot") && l.starts_with("netsh"))
            .collect();
        assert!(!pxe.is_empty(), "{word}:\n{script}");
        assert!(
            pxe.iter()
                .any(|l| l.contains("localport=67,69,4011,64001-65000")),
            "{word}: {pxe:#?}"
        );
    }
    for format in ["powershell", "netsh", "nft", "iptables", "firewalld", "ufw"] {
        let script = run(&["rules", "pxe", "--format", format], 0);
        assert!(
            script.contains("covers: wds-to-vmm, pxe-boot,"),
            "{format}:\n{script}"
        );
        // Windows dialects write the rule; the Linux ones say where it goes,
        // with the same ports.
        let wanted = match format {
            "powershell" => "-LocalPort '67','69','4011','64001-65000' ".to_string(),
            "netsh" => "localport=67,69,4011,64001-65000 ".to_string(),
            _ => format!("pxe-boot: allow inbound {all}"),
        };
        assert!(script.contains(&wanted), "{format}: {wanted}\n{script}");
    }
    // The agent row's notes mention WinRM (port 80 is WinRM 1.1), so
    // `winrm` names that row and keeps it whole.
    let winrm = run(&["rules", "winrm", "--on", "hyper-v"], 0);
    assert_eq!(
        local_ports(&winrm),
        ["'80','135','139','445'", "'5985'", "'5986'"],
        "{winrm}"
    );
}

#[test]
fn partial_remote_marks_every_unscoped_rule() {
    for format in ["powershell", "netsh", "nft", "iptables", "firewalld", "ufw"] {
        let script = run(
            &[
                "rules",
                "--on",
                "hyper-v",
                "--remote",
                "vmm-server=10.0.0.5",
                "--format",
                format,
                "--any-for-missing",
            ],
            0,
        );
        let lines: Vec<&str> = script.lines().collect();
        // host-to-host-bits, library-to-host-bits, esxi-to-hyperv,
        // console-to-host-vmconnect and host-to-host-live-migration have no
        // address for their sources.
        let header = "5 rules open to any address (unscoped)";
        assert!(script.contains(header), "{format}:\n{script}");
        let warnings: Vec<&&str> = lines
            .iter()
            .filter(|l| {
                l.contains("unscoped: the next rule (") && l.contains(") allows any address")
            })
            .collect();
        assert_eq!(warnings.len(), 5, "{format}:\n{script}");
        for (peer, id) in [
            ("Hyper-V host (hyperv-host)", "host-to-host-bits"),
            (
                "VMM library server (library-server)",
                "library-to-host-bits",
            ),
            ("VMware ESXi host (esxi-host)", "esxi-to-hyperv"),
            ("VMM console (vmm-console)", "console-to-host-vmconnect"),
            ("Hyper-V host (hyperv-host)", "host-to-host-live-migration"),
        ] {
            let at = lines
                .iter()
                .position(|l| l.contains(&format!("unscoped: the next rule ({id})")))
                .unwrap_or_else(|| panic!("{format}: no unscoped comment for {id}"));
            assert!(lines[at].contains(peer), "{format}: {}", lines[at]);
            // The rule itself comes next.
            let next = lines[at + 1];
            assert!(
                next.contains(id) || next.starts_with("firewall-cmd --permanent --add-port="),
                "{format}: {next}"
            );
        }
    }
    // With no --remote at all, the header says it once; no rule is marked.
    let open = run(&["rules", "--on", "hyper-v"], 0);
    assert!(!open.contains("unscoped"), "{open}");
}

#[test]
fn partial_remote_is_refused_naming_the_peers_without_addresses() {
    // Issue 20: scoped for some peers and open to any for others is a hole
    // an admin does not see; refused as `policy` refuses it.
    for format in ["powershell", "netsh", "nft", "iptables", "firewalld", "ufw"] {
        let out = common::binary::vmmports()
            .args([
                "rules",
                "--on",
                "hyper-v",
                "--remote",
                "vmm-server=10.0.0.5",
            ])
            .args(["--remote", "library-server=10.0.0.7", "--format", format])
            .run();
        assert_eq!(out.status.code(), Some(2), "{format}: {out:?}");
        assert!(out.stdout.is_empty(), "{format}: nothing is written");
        let err = String::from_utf8_lossy(&out.stderr);
        for peer in ["hyperv-host", "esxi-host", "vmm-console"] {
            assert!(err.contains(peer), "{format}: {peer} not named:\n{err}");
        }
        assert!(!err.contains("library-server"), "{err}");
        assert!(err.contains("--any-for-missing"), "{err}");
    }
    // The dynamic range follows the same rule (it used to be scoped to the
    // VMM server alone, its other peers left out without a word).
    let out = common::binary::vmmports()
        .args(["rules", "--on", "file-server", "from:vmm-server"])
        .args(["--include-dynamic", "--remote", "vmm-server=10.0.0.5"])
        .run();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hyperv-host") && err.contains("library-server"),
        "{err}"
    );
}

#[test]
fn the_dynamic_range_is_scoped_to_every_peer() {
    // Scoped to all of its peers: the VMM server, hosts, file and library
    // servers (an untrusted-domain host too, when one is given).
    let script = run(
        &[
            "rules",
            "--on",
            "hyper-v",
            "from:vmm-server",
            "to:hyper-v",
            "--include-dynamic",
            "--remote",
            "vmm-server=10.0.0.5",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--remote",
            "file-server=10.0.2.9",
            "--remote",
            "library-server=10.0.0.7",
            "--remote",
            "untrusted-host=198.51.100.7",
        ],
        0,
    );
    let line = created_rule(&script, "VMM-dynamic-ports-tcp-in");
    assert!(
        line.contains(
            "-RemoteAddress '10.0.0.5','10.0.0.7','10.0.2.9','198.51.100.7','10.0.1.0/24' "
        ),
        "{line}"
    );
    // With only other components given, it is open and says so, when the
    // admin accepts that.
    let open = run(
        &[
            "rules",
            "--on",
            "hyper-v",
            "--include-dynamic",
            "--remote",
            "sql-server=10.0.0.7",
            "--any-for-missing",
        ],
        0,
    );
    let lines: Vec<&str> = open.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("New-NetFirewallRule -Name 'VMM-dynamic-ports-tcp-in'"))
        .unwrap();
    assert!(lines[at - 1].contains("unscoped"), "{}", lines[at - 1]);
    assert!(lines[at].contains("-RemoteAddress Any "), "{}", lines[at]);
}

#[test]
fn ping_has_a_rule_in_every_dialect() {
    // The embedded catalog pings Hyper-V hosts (Windows).
    let ps = run(&["rules", "proto:icmp"], 0);
    assert!(
        ps.contains("-Protocol ICMPv4 -IcmpType 8 -RemoteAddress Any"),
        "{ps}"
    );
    assert!(
        ps.contains("-Protocol ICMPv6 -IcmpType 128 -RemoteAddress Any"),
        "{ps}"
    );
    let netsh = run(&["rules", "ping", "--format", "netsh"], 0);
    assert!(
        netsh.contains(" protocol=icmpv4:8,any profile=any"),
        "{netsh}"
    );
    assert!(
        netsh.contains(" protocol=icmpv6:128,any profile=any"),
        "{netsh}"
    );
    // A scoped rule only for the families its addresses have.
    let scoped = run(&["rules", "ping", "--remote", "vmm-server=10.0.0.5"], 0);
    assert!(scoped.contains("ICMPv4"), "{scoped}");
    assert!(!scoped.contains("ICMPv6"), "{scoped}");
    // The Linux dialects' ICMP lines are run through nft, iptables and
    // firewalld in tests/rules_linux_tools.rs.
}

#[test]
fn a_machine_only_also_a_peer_is_left_out_of_scopes_and_the_header_says_so() {
    // Issue 20 review: a deployment may have no untrusted-domain hosts, so
    // their rules' scopes leave them out; never silently.
    let script = run(
        &[
            "rules",
            "host-to-host-bits",
            "--on",
            "hyper-v",
            "--remote",
            "hyperv-host=10.0.1.0/24",
        ],
        0,
    );
    assert!(
        script.contains(
            "untrusted-host (Hyper-V host in an untrusted domain) has no --remote, so it is taken as absent and left out of the scope of 1 rule"
        ),
        "{script}"
    );
    let line = created_rule(&script, "VMM-host-to-host-bits-tcp-in");
    assert!(line.contains("-RemoteAddress '10.0.1.0/24' "), "{line}");
    // Given an address, it is in the scope, and nothing is said.
    let script = run(
        &[
            "rules",
            "host-to-host-bits",
            "--on",
            "hyper-v",
            "--remote",
            "hyperv-host=10.0.1.0/24",
            "--remote",
            "untrusted-host=198.51.100.7",
        ],
        0,
    );
    assert!(!script.contains("taken as absent"), "{script}");
    let line = created_rule(&script, "VMM-host-to-host-bits-tcp-in");
    assert!(
        line.contains("-RemoteAddress '198.51.100.7','10.0.1.0/24' "),
        "{line}"
    );
}

#[test]
fn probes_run_on_and_reach_the_machines_that_play_each_end() {
    // The storage service's probes run on the VMM server it runs on.
    let script = run(&["rules", "storage-to-smis", "--format", "probe"], 0);
    assert!(
        script.contains("── run on VMM server (vmm-server) ──"),
        "{script}"
    );
    // An untrusted-domain host given an address is probed as a Hyper-V host.
    let script = run(
        &[
            "rules",
            "vmm-to-host-winrm-tls",
            "--format",
            "probe",
            "--remote",
            "untrusted-host=198.51.100.7",
            "--remote",
            "hyperv-host=10.0.0.21",
            "--remote",
            "library-server=10.0.0.7",
        ],
        0,
    );
    assert!(
        script.contains("Test-NetConnection -ComputerName '198.51.100.7' -Port 5986"),
        "{script}"
    );
}

#[test]
fn a_service_has_no_addresses_of_its_own() {
    let out = common::binary::vmmports()
        .args(["rules", "--remote", "storage-service=10.0.0.5"])
        .run();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("storage-service runs on vmm-server") && err.contains("--remote vmm-server="),
        "{err}"
    );
}
