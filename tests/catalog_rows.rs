//! One test per connection of the embedded catalog (`assets/vmm.ron`): the
//! exact ports, transports and setup keys of every docs row and every extra
//! row, so that an edit to the catalog cannot silently change a firewall rule.
//! Row numbers are the rows of "Identify VMM ports and protocols", in order.

use vmmports::catalog::{Catalog, Direction, Section, Transport, embedded};

use Direction::{Inbound, Outbound};
use Section::{General, Vmware};

const TCP: Transport = Transport::Tcp;
const UDP: Transport = Transport::Udp;

/// One expected port: first, last, transport, setup key.
type Port<'a> = (u16, u16, Transport, Option<&'a str>);

fn catalog() -> Catalog {
    embedded().unwrap_or_else(|e| panic!("the embedded catalog does not load:\n{e}"))
}

/// Everything a row promises: where it sits, its ports, which machines carry
/// the rule, which way it faces, and who can change it.
fn row(
    id: &str,
    section: Section,
    from_docs: bool,
    ports: &[Port],
    rule_on: &[&str],
    direction: Direction,
    modifiability: &str,
) {
    let catalog = catalog();
    let c = catalog
        .connection(id)
        .unwrap_or_else(|| panic!("no connection `{id}` in the catalog"));
    let actual: Vec<Port> = c
        .ports
        .iter()
        .map(|p| (p.first, p.last, p.transport, p.setup_key.as_deref()))
        .collect();
    assert_eq!(actual, ports, "{id}: ports");
    assert_eq!(c.section, section, "{id}: section");
    assert_eq!(c.from_docs, from_docs, "{id}: from_docs");
    assert_eq!(c.rule_on, rule_on, "{id}: rule_on");
    assert_eq!(c.direction, direction, "{id}: direction");
    assert_eq!(
        c.modifiability.as_str(),
        modifiability,
        "{id}: modifiability"
    );
    if !from_docs {
        assert!(
            c.notes.iter().any(|n| n.starts_with("Not on the")),
            "{id}: an extra row must say it is not on the docs page"
        );
    }
}

/// A docs row in the general section.
fn general(id: &str, ports: &[Port], rule_on: &[&str], direction: Direction, modifiability: &str) {
    row(id, General, true, ports, rule_on, direction, modifiability);
}

/// A docs row in the VMware section.
fn vmware(id: &str, ports: &[Port], rule_on: &[&str], direction: Direction, modifiability: &str) {
    row(id, Vmware, true, ports, rule_on, direction, modifiability);
}

/// A row we added (not on the docs page).
fn extra(id: &str, ports: &[Port], rule_on: &[&str], direction: Direction, modifiability: &str) {
    row(id, General, false, ports, rule_on, direction, modifiability);
}

const HOST_AND_LIBRARY: &[&str] = &["hyperv-host", "library-server"];
const AGENT_PORTS: &[Port] = &[
    (80, 80, TCP, None),
    (135, 135, TCP, None),
    (139, 139, TCP, None),
    (445, 445, TCP, None),
];

// ---- General section ----

#[test]
fn row_01_vmm_to_host_agent() {
    general(
        "vmm-to-host-agent",
        AGENT_PORTS,
        HOST_AND_LIBRARY,
        Inbound,
        "fixed",
    );
}

#[test]
fn row_02_vmm_to_host_bits() {
    general(
        "vmm-to-host-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        HOST_AND_LIBRARY,
        Inbound,
        "setup",
    );
}

#[test]
fn row_03_vmm_to_host_winrm() {
    general(
        "vmm-to-host-winrm",
        &[(5985, 5985, TCP, Some("WSManTcpPort"))],
        HOST_AND_LIBRARY,
        Inbound,
        "setup",
    );
}

#[test]
fn row_04_vmm_to_host_winrm_tls() {
    general(
        "vmm-to-host-winrm-tls",
        &[(5986, 5986, TCP, None)],
        HOST_AND_LIBRARY,
        Inbound,
        "fixed",
    );
}

#[test]
fn row_05_vmm_to_guest_bits() {
    general(
        "vmm-to-guest-bits",
        &[(443, 443, TCP, None)],
        &["guest-vm"],
        Inbound,
        "fixed",
    );
}

#[test]
fn row_06_vmm_to_guest_winrm() {
    general(
        "vmm-to-guest-winrm",
        &[(5985, 5985, TCP, None)],
        &["guest-vm"],
        Inbound,
        "fixed",
    );
}

#[test]
fn row_07_host_to_host_bits() {
    // The VMM server takes part: it holds the default library share ([S4];
    // [S2] lists "VMM library server on the VMM management server: 443
    // BITS"), so it is a destination beside the hosts.
    let c = catalog();
    let row = c.connection("host-to-host-bits").unwrap();
    assert_eq!(row.to, ["hyperv-host", "vmm-server"]);
    assert!(
        row.notes
            .iter()
            .any(|n| n.contains("[S4]") && n.contains("[S2]")),
        "{:?}",
        row.notes
    );
    assert!(
        !row.notes.iter().any(|n| n.contains("only hosts take part")),
        "the old, wrong note is gone"
    );
    let ports = &[(443, 443, TCP, Some("BitsTcpPort"))];
    general(
        "host-to-host-bits",
        ports,
        &["hyperv-host", "vmm-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn row_08_vmm_to_esxi_sftp() {
    general(
        "vmm-to-esxi-sftp",
        &[(22, 22, TCP, None)],
        &["esxi-host"],
        Inbound,
        "fixed",
    );
}

#[test]
fn row_09_vmm_to_load_balancer() {
    let ports = &[(80, 80, TCP, None), (443, 443, TCP, None)];
    general(
        "vmm-to-load-balancer",
        ports,
        &["load-balancer"],
        Inbound,
        "device",
    );
}

#[test]
fn row_10_vmm_to_sql() {
    general(
        "vmm-to-sql",
        &[(1433, 1433, TCP, Some("SqlPort"))],
        &["sql-server"],
        Inbound,
        "setup",
    );
    let catalog = catalog();
    let sql = catalog.setup_feature("SqlPort").expect("SqlPort feature");
    assert!(
        !sql.in_ini,
        "SqlPort is our own name, not a VMServer.ini key"
    );
}

#[test]
fn row_11_vmm_to_wsus() {
    let ports = &[
        (80, 80, TCP, None),
        (8530, 8530, TCP, None),
        (443, 443, TCP, None),
        (8531, 8531, TCP, None),
    ];
    // The port is chosen on WSUS and handed to VMM (Add-SCUpdateServer
    // -TCPPort [FU]): set on the device, not fixed (issue 20).
    general("vmm-to-wsus", ports, &["wsus-server"], Inbound, "device");
    let c = catalog();
    let notes = c.connection("vmm-to-wsus").unwrap().notes.join(" ");
    // 8530/8531 is the default on Windows Server 2012 R2 and later; 80/443
    // only on the IIS Default Web Site.
    assert!(
        notes.contains("2012 R2") && notes.contains("8530 (HTTP) and 8531 (HTTPS) by default"),
        "{notes}"
    );
    assert!(notes.contains("Default Web Site"), "{notes}");
    assert!(notes.contains("-TCPPort"), "{notes}");
}

#[test]
fn row_12_library_to_host_bits() {
    general(
        "library-to-host-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["hyperv-host"],
        Inbound,
        "setup",
    );
}

#[test]
fn row_13_console_to_vmm() {
    // The page lists 8101 and 8102 too, but setup gives them to Windows PE
    // and WDS, and the console uses IndigoTcpPort alone [S5] (issue 20).
    let ports = &[(8100, 8100, TCP, Some("IndigoTcpPort"))];
    general("console-to-vmm", ports, &["vmm-server"], Inbound, "setup");
    let c = catalog();
    let notes = c.connection("console-to-vmm").unwrap().notes.join(" ");
    assert!(notes.contains("8101") && notes.contains("[S5]"), "{notes}");
}

#[test]
fn row_14_vmm_to_storage_service() {
    general("vmm-to-storage-service", &[], &[], Direction::None, "none");
}

#[test]
fn row_15_storage_to_smis() {
    let ports = &[(5988, 5988, TCP, None), (5989, 5989, TCP, None)];
    general(
        "storage-to-smis",
        ports,
        &["smis-provider"],
        Inbound,
        "none",
    );
}

#[test]
fn row_16_vmm_to_bmc_smash() {
    general(
        "vmm-to-bmc-smash",
        &[(443, 443, TCP, None)],
        &["bmc"],
        Inbound,
        "device",
    );
}

#[test]
fn row_17_vmm_to_bmc_ipmi() {
    general(
        "vmm-to-bmc-ipmi",
        &[(623, 623, UDP, None)],
        &["bmc"],
        Inbound,
        "device",
    );
}

#[test]
fn row_18_winpe_to_vmm() {
    let ports = &[
        (8101, 8101, TCP, Some("IndigoHTTPSPort")),
        (8103, 8103, TCP, Some("IndigoHTTPPort")),
    ];
    general("winpe-to-vmm", ports, &["vmm-server"], Inbound, "setup");
}

#[test]
fn row_19_wds_to_vmm() {
    general(
        "wds-to-vmm",
        &[(8102, 8102, TCP, Some("IndigoNETTCPPort"))],
        &["vmm-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn row_20_perimeter_host_to_vmm() {
    general(
        "perimeter-host-to-vmm",
        // [S2] marks the perimeter host's BITS port as set in VMM setup.
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["vmm-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn row_21_perimeter_host_to_library() {
    general(
        "perimeter-host-to-library",
        // [S2] marks the perimeter host's BITS port as set in VMM setup.
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["library-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn an_untrusted_domain_host_is_also_a_hyperv_host_a_perimeter_host_is_not() {
    // VMM pushes the agent to a host in an untrusted domain, as to a domain
    // host [UD]: it needs every Hyper-V host row. A perimeter host gets its
    // agent installed locally and only 5986 and 443 [PN] (issue 20).
    let c = catalog();
    assert_eq!(c.component("untrusted-host").unwrap().also, ["hyperv-host"]);
    assert!(c.acts_as("untrusted-host", "hyperv-host"));
    assert!(!c.acts_as("hyperv-host", "untrusted-host"));
    assert!(c.component("perimeter-host").unwrap().also.is_empty());
    assert!(!c.acts_as("perimeter-host", "hyperv-host"));
    // Rows 20 and 21 come from the perimeter host; an untrusted-domain
    // host reaches the same ports as a Hyper-V host (rows 7 and
    // host-to-library-bits), where it is an optional end.
    for id in ["perimeter-host-to-vmm", "perimeter-host-to-library"] {
        assert_eq!(c.connection(id).unwrap().from, ["perimeter-host"], "{id}");
    }
}

#[test]
fn extra_the_perimeter_hosts_agent() {
    extra(
        "vmm-to-perimeter-host-winrm-tls",
        &[(5986, 5986, TCP, None)],
        &["perimeter-host"],
        Inbound,
        "fixed",
    );
    extra(
        "vmm-to-perimeter-host-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["perimeter-host"],
        Inbound,
        "setup",
    );
    // The library sends it what it deploys, as to any host (row 12); the
    // page's row 21 is titled that way.
    extra(
        "library-to-perimeter-host-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["perimeter-host"],
        Inbound,
        "setup",
    );
    // Nothing else reaches a perimeter host from the VMM server.
    let c = catalog();
    let to_perimeter: Vec<&str> = c
        .connections
        .iter()
        .filter(|conn| conn.from.contains(&"vmm-server".to_string()))
        .filter(|conn| {
            c.ends(&conn.to)
                .iter()
                .any(|e| e.machine.id == "perimeter-host")
        })
        .map(|conn| conn.id.as_str())
        .collect();
    assert_eq!(
        to_perimeter,
        [
            "vmm-to-perimeter-host-winrm-tls",
            "vmm-to-perimeter-host-bits"
        ]
    );
}

#[test]
fn the_storage_service_runs_on_the_vmm_server() {
    // Its traffic to SMI-S providers leaves the VMM server (issue 20).
    let c = catalog();
    let service = c.component("storage-service").unwrap();
    assert_eq!(service.runs_on.as_deref(), Some("vmm-server"));
    let role = ["storage-service".to_string()];
    let ends: Vec<&str> = c
        .ends(&role)
        .iter()
        .map(|e| e.machine.id.as_str())
        .collect();
    assert_eq!(ends, ["vmm-server"]);
    let notes = c.connection("storage-to-smis").unwrap().notes.join(" ");
    assert!(
        notes.contains("indications") && notes.contains("[SM]"),
        "{notes}"
    );
}

#[test]
fn row_22_vmm_to_file_server_agent() {
    general(
        "vmm-to-file-server-agent",
        AGENT_PORTS,
        &["file-server"],
        Inbound,
        "none",
    );
}

#[test]
fn row_23_vmm_to_file_server_bits() {
    // The same agent as on hosts and WDS: its BITS port follows setup.
    general(
        "vmm-to-file-server-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["file-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn row_24_vmm_to_file_server_winrm() {
    // 5985 follows WSManTcpPort, as on hosts and WDS; 5986 is fixed.
    let ports = &[
        (5985, 5985, TCP, Some("WSManTcpPort")),
        (5986, 5986, TCP, None),
    ];
    general(
        "vmm-to-file-server-winrm",
        ports,
        &["file-server"],
        Inbound,
        "setup",
    );
}

// ---- VMware section ----

#[test]
fn row_25_vmm_to_vcenter() {
    vmware(
        "vmm-to-vcenter",
        &[(443, 443, TCP, None)],
        &["vcenter"],
        Inbound,
        "fixed",
    );
}

#[test]
fn row_26_vcenter_to_vmm() {
    vmware(
        "vcenter-to-vmm",
        &[(443, 443, TCP, None)],
        &["vcenter"],
        Outbound,
        "fixed",
    );
}

#[test]
fn row_27_vmm_to_esxi() {
    let ports = &[(22, 22, TCP, None), (443, 443, TCP, None)];
    vmware("vmm-to-esxi", ports, &["esxi-host"], Inbound, "fixed");
}

#[test]
fn row_28_esxi_to_hyperv() {
    let ports = &[(443, 443, TCP, None), (445, 445, TCP, None)];
    vmware("esxi-to-hyperv", ports, &["esxi-host"], Outbound, "fixed");
}

#[test]
fn row_29_esxi_to_vmm() {
    vmware(
        "esxi-to-vmm",
        &[(443, 443, TCP, None)],
        &["esxi-host"],
        Outbound,
        "fixed",
    );
}

// ---- Extra rows, not on the docs page ----

#[test]
fn extra_vmm_to_sql_browser() {
    extra(
        "vmm-to-sql-browser",
        &[(1434, 1434, UDP, None)],
        &["sql-server"],
        Inbound,
        "fixed",
    );
}

#[test]
fn extra_pxe_boot() {
    // 64001-65000 is set in WDS [WDS], so the row is `device`; 68 comes
    // from the DHCP server, never from the booting machine (issue 20).
    let ports = &[
        (67, 67, UDP, None),
        (69, 69, UDP, None),
        (4011, 4011, UDP, None),
        (64001, 65000, UDP, None),
    ];
    extra("pxe-boot", ports, &["wds-server"], Inbound, "device");
    // Its first DHCP message comes from 0.0.0.0 [RFC2131].
    let c = catalog();
    let client = c.component("bare-metal-machine").unwrap();
    assert_eq!(client.boot_source.as_deref(), Some("0.0.0.0"));
}

#[test]
fn extra_dhcp_to_wds_authorization() {
    extra(
        "dhcp-to-wds-authorization",
        &[(68, 68, UDP, None)],
        &["wds-server"],
        Inbound,
        "fixed",
    );
    let c = catalog();
    assert_eq!(
        c.connection("dhcp-to-wds-authorization").unwrap().from,
        ["dhcp-server"]
    );
}

#[test]
fn extra_host_to_library_bits() {
    // Row 7's note reasons that hosts send library files over BITS; this is
    // that row (issue 20).
    extra(
        "host-to-library-bits",
        &[(443, 443, TCP, Some("BitsTcpPort"))],
        &["library-server"],
        Inbound,
        "setup",
    );
}

#[test]
fn extra_managed_servers_to_wsus() {
    // The servers VMM scans and remediates are WSUS clients [FU].
    extra(
        "managed-to-wsus",
        &[(8530, 8530, TCP, None), (8531, 8531, TCP, None)],
        &["wsus-server"],
        Inbound,
        "device",
    );
    let c = catalog();
    let conn = c.connection("managed-to-wsus").unwrap();
    assert_eq!(
        conn.from,
        [
            "hyperv-host",
            "perimeter-host",
            "library-server",
            "wds-server",
            "file-server",
            "vmm-server"
        ]
    );
    assert!(conn.notes.join(" ").contains("[FU]"));
}

#[test]
fn extra_live_migration_and_file_shares() {
    // VMM configures both (-EnableLiveMigration [PS]; file shares assigned
    // to hosts [SF]); Hyper-V live migration is TCP 6600 [LM].
    extra(
        "host-to-host-live-migration",
        &[(6600, 6600, TCP, None), (445, 445, TCP, None)],
        &["hyperv-host"],
        Inbound,
        "fixed",
    );
    extra(
        "host-to-file-server-smb",
        &[(445, 445, TCP, None)],
        &["file-server"],
        Inbound,
        "fixed",
    );
}

#[test]
fn extra_console_to_host_vmconnect() {
    extra(
        "console-to-host-vmconnect",
        &[(2179, 2179, TCP, None)],
        &["hyperv-host"],
        Inbound,
        "host",
    );
    // Add-SCVMHost and Set-SCVMHost take -RemoteConnectPort: set per host.
    let c = catalog();
    let row = c.connection("console-to-host-vmconnect").unwrap();
    assert_eq!(row.modifiability.badge(), "HOST");
    let place = row.modifiability.place().unwrap();
    assert!(place.contains("-RemoteConnectPort"), "{place}");
    assert!(row.notes.iter().any(|n| n.contains("[PS]")));
}

#[test]
fn extra_vmm_to_wds_agent() {
    // Add-SCPXEServer installs a VMM agent on the WDS server [PS].
    extra(
        "vmm-to-wds-agent",
        &[
            (135, 135, TCP, None),
            (139, 139, TCP, None),
            (445, 445, TCP, None),
            (5986, 5986, TCP, None),
        ],
        &["wds-server"],
        Inbound,
        "fixed",
    );
    extra(
        "vmm-to-wds-winrm",
        &[(5985, 5985, TCP, Some("WSManTcpPort"))],
        &["wds-server"],
        Inbound,
        "setup",
    );
    let c = catalog();
    for id in ["vmm-to-wds-agent", "vmm-to-wds-winrm"] {
        let notes = c.connection(id).unwrap().notes.join(" ");
        assert!(
            notes.contains("Add-SCPXEServer") && notes.contains("[PS]"),
            "{id}: {notes}"
        );
    }
}

#[test]
fn extra_host_to_library_smb() {
    // Linked ISOs are read from the library share over SMB
    // (Set-SCVirtualDVDDrive -Link [PS]); the VMM server holds the default
    // library share [S4].
    extra(
        "host-to-library-smb",
        &[(445, 445, TCP, None)],
        &["library-server", "vmm-server"],
        Inbound,
        "fixed",
    );
    let c = catalog();
    let row = c.connection("host-to-library-smb").unwrap();
    assert_eq!(row.from, ["hyperv-host"]);
    let notes = row.notes.join(" ");
    assert!(notes.contains("[PS]") && notes.contains("[S4]"), "{notes}");
}

#[test]
fn extra_vmm_to_host_ping() {
    // [S2] lists ICMP (ping) from the VMM server to Hyper-V hosts.
    extra(
        "vmm-to-host-ping",
        &[(8, 8, Transport::Icmp, None)],
        &["hyperv-host"],
        Inbound,
        "fixed",
    );
    let c = catalog();
    let row = c.connection("vmm-to-host-ping").unwrap();
    assert_eq!(row.ports_text(), "echo-request/icmp");
    assert!(row.notes.join(" ").contains("[S2]"));
}

#[test]
fn every_cited_source_is_listed() {
    let c = catalog();
    let sources = &c.notes.iter().find(|n| n.id == "sources").unwrap().text;
    const TAGS: [&str; 14] = [
        "[S1]",
        "[S2]",
        "[S4]",
        "[S5]",
        "[PS]",
        "[PN]",
        "[UD]",
        "[FU]",
        "[LM]",
        "[SF]",
        "[SM]",
        "[WDS]",
        "[RFC2131]",
        "[LGA]",
    ];
    for tag in TAGS {
        assert!(sources.contains(tag), "{tag} is not in the sources note");
    }
    for conn in &c.connections {
        for note in &conn.notes {
            for tag in TAGS.iter().chain(&["[S3]"]) {
                if note.contains(tag) {
                    assert!(
                        sources.contains(tag),
                        "{}: cites {tag}, which is not listed",
                        conn.id
                    );
                }
            }
        }
    }
}

// ---- Whole-catalog checks ----

#[test]
fn embedded_catalog_loads() {
    if let Err(e) = embedded() {
        panic!("the embedded catalog does not load:\n{e}");
    }
}

#[test]
fn docs_rows_are_29_in_page_order() {
    let catalog = catalog();
    let docs: Vec<_> = catalog.connections.iter().filter(|c| c.from_docs).collect();
    assert_eq!(docs.len(), 29, "docs rows");
    assert_eq!(
        docs.iter().filter(|c| c.section == General).count(),
        24,
        "general docs rows"
    );
    assert_eq!(
        docs.iter().filter(|c| c.section == Vmware).count(),
        5,
        "vmware docs rows"
    );
    // The docs rows come first, in the page's order; the extras follow.
    assert!(catalog.connections[..29].iter().all(|c| c.from_docs));
    assert_eq!(catalog.connections.len(), 44, "29 docs rows and 15 extras");
    assert_eq!(catalog.connections[0].id, "vmm-to-host-agent");
    assert_eq!(catalog.connections[28].id, "esxi-to-vmm");
}

#[test]
fn the_only_udp_port_among_docs_rows_is_623() {
    let catalog = catalog();
    let udp: Vec<u16> = catalog
        .connections
        .iter()
        .filter(|c| c.from_docs)
        .flat_map(|c| &c.ports)
        .filter(|p| p.transport == UDP)
        .map(|p| p.first)
        .collect();
    assert_eq!(udp, [623]);
}

#[test]
fn setup_features_and_their_defaults() {
    let catalog = catalog();
    let features: Vec<(&str, u16, bool)> = catalog
        .setup_features
        .iter()
        .map(|f| (f.key.as_str(), f.default, f.in_ini))
        .collect();
    assert_eq!(
        features,
        [
            ("IndigoTcpPort", 8100, true),
            ("IndigoHTTPSPort", 8101, true),
            ("IndigoNETTCPPort", 8102, true),
            ("IndigoHTTPPort", 8103, true),
            ("WSManTcpPort", 5985, true),
            ("BitsTcpPort", 443, true),
            ("SqlPort", 1433, false),
        ]
    );
    // Every setup port sits on its feature's default.
    for c in &catalog.connections {
        for p in &c.ports {
            if let Some(key) = &p.setup_key {
                let f = catalog.setup_feature(key).unwrap();
                assert_eq!((p.first, p.last), (f.default, f.default), "{}: {key}", c.id);
            }
        }
    }
}

#[test]
fn catalog_notes() {
    let catalog = catalog();
    let ids: Vec<&str> = catalog.notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "dynamic-ports",
            "ntlm",
            "sources",
            "docs-oddities",
            "not-covered"
        ]
    );
    let dynamic = &catalog.notes[0];
    assert!(dynamic.from_docs);
    let ports: Vec<(u16, u16, Transport)> = dynamic
        .ports
        .iter()
        .map(|p| (p.first, p.last, p.transport))
        .collect();
    assert_eq!(ports, [(49152, 65535, TCP)]);
    assert_eq!(
        dynamic.components,
        ["hyperv-host", "file-server", "library-server"]
    );
    assert!(catalog.notes[1].from_docs);
    assert_eq!(catalog.notes[1].versions, ["2019", "2022"]);
    assert!(!catalog.notes[2].from_docs);
    assert!(!catalog.notes[3].from_docs);
    // What is deliberately left out, each with a pointer (issue 20).
    let left_out = &catalog.notes[4].text;
    for item in [
        "Active Directory",
        "Kerberos",
        "DKM",
        "Failover clustering",
        "Storage Spaces Direct",
        "Scale-Out File Server",
        "SDN network controller",
        "Azure from the VMM console",
        "Operations Manager",
        "Hyper-V Replica",
        "Azure Site Recovery",
    ] {
        assert!(left_out.contains(item), "{item} is not in:\n{left_out}");
    }
    assert!(!catalog.notes[4].from_docs);
}
