//! The nftables reader against the kernel: random small rulesets (seeded,
//! so every run is the same) are loaded with the real nft in a throwaway
//! network namespace joined by a veth pair to a peer namespace holding
//! several IPv4 and IPv6 addresses. Between each peer address and this
//! side go a TCP connect and a UDP datagram to each port of a listener
//! that answers them all, and a ping: inbound (from the peer) for a
//! ruleset on the input hook, outbound (to the peer) for one on the output
//! hook. Whether each was answered must be what `decide()` says of the
//! ruleset as `nft -j list ruleset` printed it. Conditions are written in
//! turn as anonymous sets, named interval sets and verdict maps.
//!
//! IPv6 neighbours are static, so neighbour discovery never meets the
//! random rules (which match ICMPv6 as a whole, like pings).
//!
//! Without root, `unshare`, `nsenter`, `ip`, `nft` or Python, the test says
//! what it lacks and passes, except under CI, where it fails.
#![cfg(unix)]

use std::net::IpAddr;
use std::process::Command;
use std::time::Instant;

mod common;
use common::needs;
use common::random_firewall::{Firewall, Rng, Universe, Way};

use vmmports::audit::model::{Direction, Input, Packet, Protocol, Ruleset};

/// How many random rulesets, half each way; each costs about one probe
/// timeout.
const RULESETS: u64 = 60;
/// Seconds a probe waits for an answer; a dropped probe waits this long.
const TIMEOUT: &str = "0.6";

const SCRIPT: &str = r#####"
set -u
D=$1
TOOLS=$2
N=$3
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fatal() { echo "@@fatal: $1"; exit 3; }
ip link set lo up || fatal lo
unshare -n sleep 600 &
PEER=$!
for _ in $(seq 100); do
	[ "$(readlink /proc/$PEER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.02
done
P="nsenter -t $PEER -n"
ip link add vh type veth peer name vp || fatal veth
ip link set vp netns "$PEER" || fatal "veth peer"
ip addr add 10.99.0.1/24 dev vh
ip -6 addr add fd00:99::1/64 dev vh nodad
ip link set vh up
$P ip link set lo up
for a in 10 11 12 13; do
	$P ip addr add 10.99.0.$a/24 dev vp
	$P ip -6 addr add fd00:99::$a/64 dev vp nodad
done
$P ip link set vp up || fatal "peer up"
mac() { $2 ip -o link show "$1" | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/'; }
MAC_H=$(mac vh "")
MAC_P=$(mac vp "$P")
for a in 10 11 12 13; do
	ip -6 neigh replace fd00:99::$a lladdr "$MAC_P" dev vh nud permanent || fatal neigh
done
$P ip -6 neigh replace fd00:99::1 lladdr "$MAC_H" dev vp nud permanent || fatal "peer neigh"
$PY "$TOOLS/answer_tcp_udp.py" "$D/ready" $(cat "$D/ports") &
$P $PY "$TOOLS/answer_tcp_udp.py" "$D/ready_peer" $(cat "$D/ports") &
for _ in $(seq 100); do [ -f "$D/ready" ] && [ -f "$D/ready_peer" ] && break; sleep 0.05; done
[ -f "$D/ready" ] && [ -f "$D/ready_peer" ] || fatal listener
i=0
while [ "$i" -lt "$N" ]; do
	nft -f "$D/r$i.nft" || fatal "nft r$i.nft"
	nft -j list ruleset >"$D/r$i.json" || fatal "nft -j r$i"
	if [ "$(cat "$D/r$i.way")" = in ]; then
		$P $PY "$TOOLS/probe_tcp_udp_ping.py" "$D/probes_in" "$TIMEOUT" "$i" >"$D/p$i.out" || fatal "probe r$i"
	else
		$PY "$TOOLS/probe_tcp_udp_ping.py" "$D/probes_out" "$TIMEOUT" "$i" >"$D/p$i.out" || fatal "probe r$i"
	fi
	i=$((i + 1))
done
echo @@done
"#####;

fn ready() -> bool {
    let mut missing: Vec<String> = ["unshare", "nsenter", "timeout", "ip", "nft", "python3"]
        .iter()
        .filter(|t| !needs::has_tool(t))
        .map(|t| t.to_string())
        .collect();
    if missing.is_empty() && !needs::can_unshare(&["-n", "-p", "-f", "-m", "--mount-proc"]) {
        missing.push("root, for `unshare -n -p -m`".into());
    }
    needs::ready(
        &missing,
        "see .ci/run, which installs them and runs as root",
    )
}

fn universe() -> Universe {
    Universe {
        peers4: (10..14)
            .map(|a| std::net::Ipv4Addr::new(10, 99, 0, a))
            .collect(),
        peers6: (0x10..0x14)
            .map(|a| std::net::Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, a))
            .collect(),
        ports: vec![22, 80, 443, 5985, 8100, 8101],
        interface: "vh".into(),
    }
}

/// One probe: id, protocol, source (the peer), port.
struct Probe {
    id: String,
    protocol: Protocol,
    peer: IpAddr,
    port: u16,
}

fn probes(universe: &Universe) -> Vec<Probe> {
    let peers: Vec<IpAddr> = universe
        .peers4
        .iter()
        .map(|a| IpAddr::V4(*a))
        .chain(universe.peers6.iter().map(|a| IpAddr::V6(*a)))
        .collect();
    let mut out = Vec::new();
    for peer in &peers {
        for port in &universe.ports {
            for protocol in [Protocol::Tcp, Protocol::Udp] {
                out.push(Probe {
                    id: format!("p{}", out.len()),
                    protocol,
                    peer: *peer,
                    port: *port,
                });
            }
        }
        out.push(Probe {
            id: format!("p{}", out.len()),
            protocol: Protocol::Icmp,
            peer: *peer,
            port: 0,
        });
    }
    out
}

fn local_for(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => "10.99.0.1".parse().unwrap(),
        IpAddr::V6(_) => "fd00:99::1".parse().unwrap(),
    }
}

#[test]
fn decide_agrees_with_the_kernel_on_random_rulesets() {
    if !ready() {
        return;
    }
    let universe = universe();
    let probes = probes(&universe);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // Rulesets 0 and 1 are empty: every probe must be answered, both
    // ways, or the network is not what this test thinks.
    let empty = |way| Firewall {
        way,
        tables: Vec::new(),
    };
    let mut firewalls = vec![empty(Way::In), empty(Way::Out)];
    let mut rng = Rng::new(0x05ee_d0fa_0d17);
    while (firewalls.len() as u64) < RULESETS {
        let way = if firewalls.len() % 2 == 0 {
            Way::In
        } else {
            Way::Out
        };
        firewalls.push(Firewall::random(&mut rng, &universe, way));
    }
    for (i, firewall) in firewalls.iter().enumerate() {
        std::fs::write(d.join(format!("r{i}.nft")), firewall.to_nft()).unwrap();
        let way = if firewall.way == Way::In { "in" } else { "out" };
        std::fs::write(d.join(format!("r{i}.way")), way).unwrap();
    }
    for (file, inbound) in [("probes_in", true), ("probes_out", false)] {
        let lines: String = probes
            .iter()
            .map(|p| {
                let (from, to) = if inbound {
                    (p.peer, local_for(p.peer))
                } else {
                    (local_for(p.peer), p.peer)
                };
                format!("{} {} {from} {to} {}\n", p.id, p.protocol.word(), p.port)
            })
            .collect();
        std::fs::write(d.join(file), lines).unwrap();
    }
    let ports: Vec<String> = universe.ports.iter().map(u16::to_string).collect();
    std::fs::write(d.join("ports"), ports.join(" ")).unwrap();
    std::fs::write(d.join("test.sh"), SCRIPT).unwrap();

    let started = Instant::now();
    let out = Command::new("timeout")
        .args(["-k", "5", "300"])
        .args(["unshare", "-n", "-p", "-f", "-m", "--mount-proc", "bash"])
        .arg(d.join("test.sh"))
        .arg(d)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools"))
        .arg(firewalls.len().to_string())
        .env("PATH", needs::path_env())
        .env("TIMEOUT", TIMEOUT)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("@@done") && !stdout.contains("@@fatal"),
        "the namespace's script did not finish: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let elapsed = started.elapsed();

    let mut disagreements = Vec::new();
    let mut compared = 0;
    let mut answered = 0;
    for (i, firewall) in firewalls.iter().enumerate() {
        let name = format!("r{i}.json");
        let bytes = std::fs::read(d.join(&name)).unwrap();
        let ruleset = vmmports::audit::nft::read(&[Input { name, bytes }])
            .unwrap_or_else(|e| panic!("{e}\n{}", firewall.to_nft()));
        let results = std::fs::read_to_string(d.join(format!("p{i}.out"))).unwrap();
        for probe in &probes {
            let kernel_open = results
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{} ", probe.id)))
                .map(|state| state == "open")
                .unwrap_or_else(|| panic!("no result for {} in r{i}", probe.id));
            let direction = match firewall.way {
                Way::In => Direction::Inbound,
                Way::Out => Direction::Outbound,
            };
            let decision = ruleset.decide(&Packet {
                direction,
                protocol: probe.protocol,
                peer: probe.peer,
                local: Some(local_for(probe.peer)),
                port: probe.port,
                source_port: None,
                interface: Some(universe.interface.clone()),
            });
            compared += 1;
            answered += usize::from(kernel_open);
            if firewall.tables.is_empty() {
                assert!(
                    kernel_open,
                    "with no ruleset, {direction:?} {} {} {} went unanswered",
                    probe.protocol.word(),
                    probe.peer,
                    probe.port
                );
            }
            if decision.allowed != kernel_open {
                disagreements.push(format!(
                    "r{i}: {direction:?} {} with {} to port {}: kernel {}, decide {} ({})\n{}",
                    probe.protocol.word(),
                    probe.peer,
                    probe.port,
                    if kernel_open { "answered" } else { "blocked" },
                    if decision.allowed {
                        "allowed"
                    } else {
                        "blocked"
                    },
                    decision.why,
                    firewall.to_nft()
                ));
            }
        }
    }
    eprintln!(
        "{} rulesets, {compared} probes ({answered} answered) in {:.1} s",
        firewalls.len(),
        elapsed.as_secs_f64()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {compared} probes disagree; the first:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The random rulesets must block some probes and let some through, or
    // they test nothing.
    let per_ruleset = probes.len();
    assert!(
        answered > per_ruleset && answered < compared,
        "{answered} of {compared}"
    );
}
