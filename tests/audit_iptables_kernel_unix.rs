//! The iptables reader against the kernel: each fixture is loaded with
//! `iptables-nft-restore` into a throwaway network namespace (the audited
//! machine), a second namespace joined to it by a veth pair plays the peers,
//! and real packets are sent each way. What got through must be what
//! `decide` says, and every rule `decide` names must have counted the
//! packet (`iptables-save -c`), so the verdict comes from the same rules.
//!
//! Inbound, a probe got through when its answer came back (a TCP connect,
//! a UDP echo, an ICMP echo reply from a listener or the kernel). Outbound,
//! when a counting rule in the peer's own namespace saw it arrive, since
//! the audited machine's INPUT may drop the answer.
//!
//! Left out on purpose: nat rewrites (`decide` notes them and judges the
//! packet as it arrived) and unmodelled matches such as `-m recent`
//! (assumed to hold), where the kernel knows more than the text says.
//!
//! Without root, `unshare`, `nsenter`, `ip`, iptables or Python, the test
//! says what it lacks and passes, except under CI, where it fails.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

mod common;
use common::needs;

use vmmports::audit::iptables::read;
use vmmports::audit::model::{Direction, Input, Packet, Protocol, Ruleset};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/audit/iptables");
const TOOL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/firewall_probe.py");
/// The audited machine's addresses on the veth link.
const MACHINE: &str = "172.31.0.1";
const MACHINE6: &str = "fd00:31::1";

/// The commands and addresses of one family.
struct Family {
    tables: &'static str,
    machine: &'static str,
    prefix: u8,
    /// `ip` flags for an address that is usable at once (no duplicate
    /// address detection).
    address_flags: &'static str,
    /// `ip`, or `ip -6`: a default route names no address to tell by.
    ip: &'static str,
}

const V4: Family = Family {
    tables: "iptables",
    machine: MACHINE,
    prefix: 32,
    address_flags: "",
    ip: "ip",
};

const V6: Family = Family {
    tables: "ip6tables",
    machine: MACHINE6,
    prefix: 128,
    address_flags: " nodad",
    ip: "ip -6",
};

struct Probe {
    direction: Direction,
    protocol: Protocol,
    peer: &'static str,
    port: u16,
}

fn inbound(protocol: Protocol, peer: &'static str, port: u16) -> Probe {
    Probe {
        direction: Direction::Inbound,
        protocol,
        peer,
        port,
    }
}

fn outbound(protocol: Protocol, peer: &'static str, port: u16) -> Probe {
    Probe {
        direction: Direction::Outbound,
        protocol,
        peer,
        port,
    }
}

impl Probe {
    fn packet(&self) -> Packet {
        Packet {
            direction: self.direction,
            protocol: self.protocol,
            peer: self.peer.parse().unwrap(),
            local: Some(
                if self.peer.contains(':') {
                    MACHINE6
                } else {
                    MACHINE
                }
                .parse()
                .unwrap(),
            ),
            port: self.port,
            source_port: None,
            interface: Some("eth0".into()),
        }
    }

    fn spec(&self) -> String {
        format!("{}:{}", self.protocol.word(), self.port)
    }
}

fn ready() -> bool {
    let missing = needs::missing_for_namespaces(
        [
            "unshare",
            "nsenter",
            "timeout",
            "ip",
            "python3",
            "iptables-nft",
            "iptables-nft-restore",
            "iptables-nft-save",
            "ip6tables-nft",
            "ip6tables-nft-restore",
            "ip6tables-nft-save",
        ],
        &["-n"],
    );
    needs::ready(
        &missing,
        "apt-get install -y iptables iproute2 python3 and run as root",
    )
}

/// The namespace script: the link, the listeners, then per probe a fresh
/// restore (counters at zero), the probe, and the counters.
fn script(fixture: &str, probes: &[Probe], dir: &std::path::Path) -> String {
    let mut peers: Vec<&str> = probes.iter().map(|p| p.peer).collect();
    peers.sort();
    peers.dedup();
    let listen = |direction: Direction| -> String {
        let mut specs: Vec<String> = probes
            .iter()
            .filter(|p| p.direction == direction && p.protocol != Protocol::Icmp)
            .map(Probe::spec)
            .collect();
        specs.sort();
        specs.dedup();
        specs.join(" ")
    };
    let dir = dir.display();
    let family = if fixture.contains('6') { &V6 } else { &V4 };
    let Family {
        tables,
        machine,
        prefix,
        address_flags,
        ip,
    } = family;
    let mut s = format!(
        r#"set -eu
ip link set lo up
unshare -n sleep 300 &
PEER=$!
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
while [ "$(readlink /proc/$PEER/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
A="nsenter -t $PEER -n"
ip link add eth0 type veth peer name peer0
ip link set peer0 netns $PEER
ip addr add {machine}/{prefix} dev eth0{address_flags}
ip link set eth0 up
{ip} route add default dev eth0
$A ip link set lo up
$A ip link set peer0 up
$A {tables}-nft -A INPUT -s {machine}/{prefix}
python3 {TOOL} listen {dir}/ready-machine {machine_ports} &
$A python3 {TOOL} listen {dir}/ready-peer {peer_ports} &
"#,
        machine_ports = listen(Direction::Inbound),
        peer_ports = listen(Direction::Outbound),
    );
    for peer in &peers {
        writeln!(s, "$A ip addr add {peer}/{prefix} dev peer0{address_flags}").unwrap();
    }
    writeln!(s, "$A ip route add {machine}/{prefix} dev peer0").unwrap();
    writeln!(
        s,
        "while [ ! -e {dir}/ready-machine ] || [ ! -e {dir}/ready-peer ]; do sleep 0.05; done"
    )
    .unwrap();
    for (index, probe) in probes.iter().enumerate() {
        writeln!(s, "{tables}-nft-restore < {FIXTURES}/{fixture}").unwrap();
        let proto = probe.protocol.word();
        match probe.direction {
            Direction::Inbound => writeln!(
                s,
                "echo \"@@probe {index} $($A python3 {TOOL} probe {proto} {} {machine} {})\"",
                probe.peer, probe.port
            ),
            Direction::Outbound => writeln!(
                s,
                "$A {tables}-nft -Z INPUT\n\
                 python3 {TOOL} probe {proto} {machine} {} {} >/dev/null\n\
                 if $A {tables}-nft-save -c -t filter | grep -q '^\\[[1-9][0-9]*:[0-9]*\\] -A INPUT -s {machine}/{prefix}'; \
                 then echo '@@probe {index} open'; else echo '@@probe {index} closed'; fi",
                probe.peer, probe.port
            ),
        }
        .unwrap();
        writeln!(s, "{tables}-nft-save -c | sed 's/^/@@counters {index} /'").unwrap();
    }
    s.push_str("echo @@done\n");
    s
}

/// Per table and chain: the policy's packet count and each rule's.
#[derive(Default, Debug)]
struct Counters {
    policies: BTreeMap<(String, String), u64>,
    rules: BTreeMap<(String, String), Vec<u64>>,
}

impl Counters {
    fn parse(lines: &[&str]) -> Counters {
        let mut counters = Counters::default();
        let mut table = String::new();
        for line in lines {
            if let Some(name) = line.strip_prefix('*') {
                table = name.to_string();
            } else if let Some(rest) = line.strip_prefix(':') {
                let mut words = rest.split_whitespace();
                let chain = words.next().unwrap_or("").to_string();
                let packets = words.nth(1).map(packets).unwrap_or(0);
                counters.policies.insert((table.clone(), chain), packets);
            } else if line.starts_with('[') {
                let mut words = line.split_whitespace();
                let count = words.next().map(packets).unwrap_or(0);
                let chain = words.nth(1).unwrap_or("").to_string();
                counters
                    .rules
                    .entry((table.clone(), chain))
                    .or_default()
                    .push(count);
            }
        }
        counters
    }

    /// The packets counted at `place` (`filter INPUT rule 3`, `filter
    /// INPUT policy DROP`).
    fn at(&self, place: &str) -> Option<u64> {
        let words: Vec<&str> = place.split_whitespace().collect();
        let key = (words.first()?.to_string(), words.get(1)?.to_string());
        match words.get(2) {
            Some(&"policy") => self.policies.get(&key).copied(),
            Some(&"rule") => {
                let number: usize = words.get(3)?.parse().ok()?;
                self.rules.get(&key)?.get(number - 1).copied()
            }
            _ => None,
        }
    }
}

/// `[packets:bytes]`'s packets.
fn packets(word: &str) -> u64 {
    word.trim_matches(['[', ']'])
        .split(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

/// Runs `probes` against `fixture` in the kernel and compares each with
/// `decide`.
fn compare_with_kernel(fixture: &str, probes: &[Probe]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kernel.sh");
    std::fs::write(&path, script(fixture, probes, dir.path())).unwrap();
    let out = Command::new("timeout")
        .args(["-k", "5", "120", "unshare", "-n", "bash"])
        .arg(&path)
        .env("PATH", needs::path_env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("@@done"),
        "the namespace's script did not finish: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let ruleset = read(&[Input {
        name: fixture.to_string(),
        bytes: std::fs::read(format!("{FIXTURES}/{fixture}")).unwrap(),
    }])
    .unwrap();
    let mut disagreements = Vec::new();
    for (index, probe) in probes.iter().enumerate() {
        let result = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("@@probe {index} ")))
            .unwrap_or("missing");
        let prefix = format!("@@counters {index} ");
        let lines: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .collect();
        let counters = Counters::parse(&lines);
        let decision = ruleset.decide(&probe.packet());
        let what = format!(
            "{fixture}: {:?} {} {} {}",
            probe.direction,
            probe.protocol.word(),
            probe.peer,
            probe.port
        );
        if (result == "open") != decision.allowed {
            disagreements.push(format!(
                "{what}: the kernel says {result}, decide says allowed={} ({})",
                decision.allowed, decision.why
            ));
        }
        for rule in &decision.rules {
            if counters.at(&rule.place).unwrap_or(0) == 0 {
                disagreements.push(format!(
                    "{what}: decide names {}, which the kernel did not count",
                    rule.place
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{}\n\nnamespace output:\n{stdout}",
        disagreements.join("\n")
    );
}

#[test]
fn the_host_fixture_lets_through_what_the_kernel_lets_through() {
    if !ready() {
        return;
    }
    use Protocol::{Icmp, Tcp, Udp};
    compare_with_kernel(
        "host.save",
        &[
            inbound(Tcp, "10.10.0.5", 5985),
            inbound(Tcp, "10.10.0.66", 5985),
            inbound(Tcp, "10.10.0.7", 5985),
            inbound(Tcp, "10.10.0.5", 8000),
            inbound(Tcp, "10.10.0.5", 445),
            inbound(Tcp, "10.10.0.5", 8103),
            inbound(Tcp, "10.10.0.5", 8104),
            inbound(Tcp, "192.168.5.5", 9999),
            inbound(Tcp, "192.168.7.7", 22),
            inbound(Tcp, "192.168.1.5", 3389),
            inbound(Tcp, "10.1.2.3", 3389),
            inbound(Udp, "10.20.0.9", 53),
            inbound(Udp, "10.20.0.10", 53),
            inbound(Udp, "10.20.0.19", 53),
            inbound(Udp, "10.20.0.20", 53),
            inbound(Icmp, "192.168.9.9", 0),
            outbound(Tcp, "10.10.0.5", 443),
            outbound(Udp, "10.10.0.5", 161),
        ],
    );
}

#[test]
fn the_tables_fixture_passes_each_tables_chains_as_the_kernel_does() {
    if !ready() {
        return;
    }
    use Protocol::{Tcp, Udp};
    compare_with_kernel(
        "tables.save",
        &[
            inbound(Udp, "10.0.0.1", 161),
            inbound(Udp, "10.0.0.1", 53),
            inbound(Tcp, "10.0.0.1", 5985),
            inbound(Tcp, "192.0.2.66", 5985),
            inbound(Tcp, "203.0.113.7", 5985),
            inbound(Tcp, "10.0.0.1", 9000),
            outbound(Tcp, "10.0.0.9", 25),
            outbound(Tcp, "10.0.0.9", 5986),
            outbound(Tcp, "10.0.0.9", 2525),
            outbound(Tcp, "10.0.0.9", 443),
        ],
    );
}

#[test]
fn the_goto_fixture_returns_where_the_kernel_returns() {
    if !ready() {
        return;
    }
    use Protocol::{Tcp, Udp};
    compare_with_kernel(
        "goto.save",
        &[
            inbound(Tcp, "10.1.1.1", 443),
            inbound(Tcp, "192.168.1.1", 443),
            inbound(Tcp, "10.1.1.1", 80),
            inbound(Udp, "10.1.1.1", 53),
            inbound(Udp, "10.1.1.1", 123),
        ],
    );
}

#[test]
fn ufws_rules_let_through_what_the_kernel_lets_through() {
    if !ready() {
        return;
    }
    use Protocol::{Icmp, Tcp, Udp};
    // Not port 22: `ufw limit` counts with `-m recent`, taken as reached.
    compare_with_kernel(
        "ufw.save",
        &[
            inbound(Tcp, "10.10.0.5", 5985),
            inbound(Tcp, "192.168.1.1", 5985),
            inbound(Tcp, "192.168.1.1", 443),
            inbound(Udp, "192.168.1.1", 443),
            inbound(Tcp, "10.10.0.5", 8000),
            inbound(Icmp, "10.0.0.1", 0),
            outbound(Tcp, "10.0.0.9", 5985),
        ],
    );
}

#[test]
fn the_ip6tables_fixture_lets_through_what_the_kernel_lets_through() {
    if !ready() {
        return;
    }
    use Protocol::{Icmp, Tcp};
    compare_with_kernel(
        "host6.save",
        &[
            inbound(Tcp, "2001:db8:10::5", 5985),
            inbound(Tcp, "2001:db8:10::5", 5986),
            inbound(Tcp, "2001:db8:10::5", 5987),
            inbound(Tcp, "2001:db8:99::1", 5985),
            inbound(Tcp, "2001:db8:20::10", 443),
            inbound(Tcp, "2001:db8:20::1f", 443),
            inbound(Tcp, "2001:db8:20::20", 443),
            inbound(Icmp, "2001:db8:99::1", 0),
            outbound(Tcp, "2001:db8:99::1", 443),
        ],
    );
}

#[test]
fn an_untracked_packet_meets_the_rules_the_kernel_meets_it_with() {
    if !ready() {
        return;
    }
    use Protocol::Tcp;
    compare_with_kernel(
        "notrack.save",
        &[
            inbound(Tcp, "10.0.0.1", 9100),
            inbound(Tcp, "10.0.0.1", 9101),
            inbound(Tcp, "10.0.0.1", 22),
        ],
    );
}

#[test]
fn marks_are_set_and_matched_as_the_kernel_does() {
    if !ready() {
        return;
    }
    use Protocol::Tcp;
    compare_with_kernel(
        "mark.save",
        &[
            inbound(Tcp, "10.10.0.5", 5985),
            inbound(Tcp, "10.10.0.5", 5986),
            inbound(Tcp, "192.168.1.1", 5985),
        ],
    );
}
