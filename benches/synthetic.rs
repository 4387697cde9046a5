//! Deterministic synthetic catalogs for benchmarks: many components and
//! connections built from technical word lists, so fuzzy matching sees text
//! shaped like a real port matrix, only larger.

use vmmports::catalog::{
    Catalog, Component, ComponentKind, Connection, Direction, Modifiability, PortSpec, Section,
    Transport,
};

const SERVICES: &[&str] = &[
    "WinRM",
    "HTTPS",
    "HTTP",
    "SMB",
    "RPC",
    "NetBIOS",
    "SQL",
    "LDAP",
    "Kerberos",
    "DNS",
    "NTP",
    "SSH",
    "SFTP",
    "RDP",
    "BITS",
    "WCF",
    "net.tcp",
    "IPMI",
    "SNMP",
    "Syslog",
    "iSCSI",
    "NFS",
    "TFTP",
    "DHCP",
    "PostgreSQL",
    "Redis",
    "Kafka",
    "AMQP",
    "gRPC",
    "MQTT",
    "etcd",
    "Consul",
    "Vault",
    "Prometheus",
    "Grafana",
    "Elastic",
];
const WORDS: &[&str] = &[
    "agent",
    "control",
    "channel",
    "data",
    "transfer",
    "file",
    "management",
    "console",
    "listener",
    "replica",
    "backup",
    "cluster",
    "node",
    "storage",
    "provider",
    "gateway",
    "proxy",
    "cache",
    "queue",
    "broker",
    "index",
    "search",
    "monitor",
    "metrics",
    "logging",
    "update",
    "deploy",
    "image",
    "template",
    "library",
    "service",
    "endpoint",
    "mapper",
    "session",
    "secure",
    "encrypted",
    "legacy",
    "default",
    "dynamic",
    "range",
    "inbound",
    "outbound",
    "host",
    "server",
    "client",
    "remote",
    "local",
    "domain",
    "perimeter",
    "untrusted",
    "trusted",
];
const ROLES: &[&str] = &[
    "web", "app", "db", "sql", "cache", "queue", "auth", "dns", "mail", "file", "backup",
    "monitor", "proxy", "gateway", "vpn", "build", "deploy", "log", "search", "stream", "edge",
    "core", "batch", "report",
];

/// A small, fast, deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    fn sentence(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub fn catalog(count: usize) -> Catalog {
    let mut rng = Lcg(0x5eed);
    let components: Vec<Component> = (0..400)
        .map(|i| {
            let role = ROLES[i % ROLES.len()];
            Component {
                id: format!("{role}-{i:03}"),
                name: format!("{} {} server {i}", role, rng.pick(WORDS)),
                aliases: vec![format!("{role}{i}")],
                kind: ComponentKind::Windows,
                configured_in: None,
                also: Vec::new(),
                runs_on: None,
                boot_source: None,
            }
        })
        .collect();
    let connections = (0..count)
        .map(|i| {
            let from = components[rng.below(components.len())].id.clone();
            let to = components[rng.below(components.len())].id.clone();
            let ports = (0..1 + rng.below(3))
                .map(|_| {
                    let first = 1 + rng.below(65000) as u16;
                    PortSpec {
                        first,
                        last: first,
                        transport: if rng.below(10) == 0 {
                            Transport::Udp
                        } else {
                            Transport::Tcp
                        },
                        service: rng.pick(SERVICES).to_string(),
                        purpose: rng.sentence(6),
                        setup_key: None,
                        probe: None,
                        inside_tls: None,
                    }
                })
                .collect();
            Connection {
                id: format!("conn-{i:06}"),
                section: Section::General,
                from: vec![from],
                to: vec![to.clone()],
                ports,
                rule_on: vec![to],
                direction: Direction::Inbound,
                modifiability: if rng.below(2) == 0 {
                    Modifiability::Fixed
                } else {
                    Modifiability::None
                },
                from_docs: false,
                notes: (0..rng.below(3)).map(|_| rng.sentence(12)).collect(),
            }
        })
        .collect();
    Catalog {
        title: format!("Synthetic catalog of {count} connections"),
        source: "benches/synthetic.rs".into(),
        components,
        setup_features: vec![],
        connections,
        notes: vec![],
    }
}
