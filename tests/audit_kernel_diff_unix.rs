//! The nftables and iptables readers against the kernel: random small
//! rulesets (each from its own seed, so every run is the same) are loaded
//! with the real tools in a throwaway network namespace joined by a veth
//! pair to a peer namespace holding several IPv4 and IPv6 addresses.
//! Between each peer address and this side go a TCP connect and a UDP
//! datagram to each port of a listener that answers them all, and a ping:
//! inbound (from the peer) for a ruleset on the input hook, outbound (to
//! the peer) for one on the output hook. A TCP probe is answered when its
//! handshake completes, even if a rule on established packets rejects the
//! handshake's last ACK: `decide` judges a connection's first packet.
//! Whether each was answered must be what `decide()` says of the ruleset
//! as the machine prints it back:
//! `nft -j list ruleset` for nft, `iptables-nft-save` and
//! `ip6tables-nft-save` for iptables (Debian's default back end), which is
//! what an admin would hand the audit.
//!
//! Speed: the namespaces and listeners are made once per shard and each
//! ruleset replaces the last; a ruleset's probes go out at once and a
//! silent one is given up after [`TIMEOUT`] (an allowed probe on a local
//! veth is answered in well under a millisecond). Each dialect runs in two
//! shards at once. A probe that disagrees is sent again, with its whole
//! ruleset, after a fresh load and with [`SLOW_TIMEOUT`], so a busy
//! machine cannot pass off a late answer as a drop.
//!
//! IPv6 neighbours are static, so neighbour discovery never meets the
//! random rules (which match ICMPv6 as a whole, like pings).
//!
//! Without root, `unshare`, `nsenter`, `ip`, the firewall tools or Python,
//! the test says what it lacks and passes, except under CI, where it fails.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod common;
use common::needs;
use common::random_firewall::{Firewall, Rng, Universe, Way};

use vmmports::audit::model::{Direction, Input, Packet, Protocol, Ruleset};

/// Random rulesets per dialect (the first two empty, one each way).
const RULESETS: usize = 500;
/// Namespaces per dialect, each loading its share of the rulesets.
const SHARDS: usize = 2;
/// Seconds a probe waits for an answer; a dropped probe waits this long.
const TIMEOUT: &str = "0.25";
/// The wait when a disagreement is checked again.
const SLOW_TIMEOUT: &str = "2";

/// The namespace script: `$LOAD` loads ruleset `$i` and prints it back.
const SCRIPT: &str = r#####"
set -u
D=$1
TOOLS=$2
ORDER=$3
SHARD=$4
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fatal() { echo "@@fatal: $1"; exit 3; }
ip link set lo up || fatal lo
unshare -n sleep 900 &
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
$PY "$TOOLS/answer_tcp_udp.py" "$D/ready$SHARD" $(cat "$D/ports") &
$P $PY "$TOOLS/answer_tcp_udp.py" "$D/ready_peer$SHARD" $(cat "$D/ports") &
for _ in $(seq 100); do [ -f "$D/ready$SHARD" ] && [ -f "$D/ready_peer$SHARD" ] && break; sleep 0.05; done
[ -f "$D/ready$SHARD" ] && [ -f "$D/ready_peer$SHARD" ] || fatal listener
# EPOCH numbers the rulesets this namespace has seen, so each run's UDP
# ports and ping ids are its own (see probe_tcp_udp_ping.py).
EPOCH=0
for i in $(cat "$ORDER"); do
	@@LOAD@@
	if [ "$(cat "$D/r$i.way")" = in ]; then
		$P $PY "$TOOLS/probe_tcp_udp_ping.py" "$D/probes_in" "$TIMEOUT" "$EPOCH" >"$D/p$i.out" || fatal "probe r$i"
	else
		$PY "$TOOLS/probe_tcp_udp_ping.py" "$D/probes_out" "$TIMEOUT" "$EPOCH" >"$D/p$i.out" || fatal "probe r$i"
	fi
	EPOCH=$((EPOCH + 1))
done
echo @@done
"#####;

/// The firewall language under test: how a ruleset is written, loaded,
/// printed back and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Nft,
    Iptables,
}

impl Dialect {
    fn tools(self) -> &'static [&'static str] {
        match self {
            Dialect::Nft => &["nft"],
            Dialect::Iptables => &[
                "iptables-nft-restore",
                "iptables-nft-save",
                "ip6tables-nft-restore",
                "ip6tables-nft-save",
            ],
        }
    }

    /// The seed of ruleset `i`: each dialect its own firewalls.
    fn seed(self, i: usize) -> u64 {
        let base: u64 = match self {
            Dialect::Nft => 0x05ee_d0fa_0d17_0000,
            Dialect::Iptables => 0x1b7a_b1e5_0000_0000,
        };
        base + i as u64
    }

    /// Writes ruleset `i`'s files for [`Dialect::load`].
    fn write(self, d: &Path, i: usize, firewall: &Firewall) {
        match self {
            Dialect::Nft => std::fs::write(d.join(format!("r{i}.nft")), firewall.to_nft()).unwrap(),
            Dialect::Iptables => {
                for (v6, suffix) in [(false, "v4"), (true, "v6")] {
                    std::fs::write(
                        d.join(format!("r{i}.{suffix}")),
                        firewall.to_iptables_restore(v6),
                    )
                    .unwrap();
                }
            }
        }
    }

    /// Shell lines that load ruleset `$i` (replacing the one before) and
    /// save what the kernel then holds.
    fn load(self) -> &'static str {
        match self {
            Dialect::Nft => {
                r#"nft -f "$D/r$i.nft" || fatal "nft r$i.nft"
	nft -j list ruleset >"$D/r$i.json" || fatal "nft -j r$i""#
            }
            Dialect::Iptables => {
                r#"iptables-nft-restore <"$D/r$i.v4" || fatal "iptables-nft-restore r$i.v4"
	ip6tables-nft-restore <"$D/r$i.v6" || fatal "ip6tables-nft-restore r$i.v6"
	iptables-nft-save >"$D/r$i.save4" || fatal "iptables-nft-save r$i"
	ip6tables-nft-save >"$D/r$i.save6" || fatal "ip6tables-nft-save r$i""#
            }
        }
    }

    /// Words of the printed-back rulesets that some ruleset must show, so
    /// a generator that stops writing one of its features fails the test
    /// rather than testing less.
    fn features(self) -> &'static [&'static str] {
        match self {
            Dialect::Nft => &[
                "\"goto\"",
                "\"jump\"",
                "\"return\"",
                "\"reject\"",
                "\"vmap\"",
                "\"ct\"",
                "\"iifname\"",
                "\"oifname\"",
                "\"range\"",
                "\"prefix\"",
                "\"!=\"",
                "\"@s",
                "\"th\"",
                "\"policy\": \"drop\"",
                "\"family\": \"inet\"",
                "\"family\": \"ip6\"",
                "\"hook\": \"output\"",
            ],
            Dialect::Iptables => &[
                "-g sub",
                "-j sub",
                "-j RETURN",
                "-j REJECT",
                "-j DROP",
                "-j ACCEPT",
                "--src-range",
                "--dst-range",
                "! -s",
                "! -d",
                "-m multiport --dports",
                "-m multiport ! --dports",
                "-m tcp --dport",
                "-m udp ! --dport",
                "-m state --state",
                "-m conntrack --ctstate",
                "-i vh",
                "! -i",
                "-o ",
                ":INPUT DROP",
                ":OUTPUT DROP",
                "-p ipv6-icmp",
                "-p icmp",
            ],
        }
    }

    /// What was written for ruleset `i`, for a disagreement's message.
    fn text(self, firewall: &Firewall) -> String {
        match self {
            Dialect::Nft => firewall.to_nft(),
            Dialect::Iptables => format!(
                "{}{}",
                firewall.to_iptables_restore(false),
                firewall.to_iptables_restore(true)
            ),
        }
    }

    /// Ruleset `i` as the kernel printed it back, read by vmmports, and
    /// that text.
    fn read_back(self, d: &Path, i: usize) -> Result<(Box<dyn Ruleset>, String), String> {
        let files: Vec<String> = match self {
            Dialect::Nft => vec![format!("r{i}.json")],
            Dialect::Iptables => vec![format!("r{i}.save4"), format!("r{i}.save6")],
        };
        let inputs: Vec<Input> = files
            .iter()
            .map(|name| Input {
                name: name.clone(),
                bytes: std::fs::read(d.join(name)).unwrap(),
            })
            .collect();
        let text = inputs
            .iter()
            .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
            .collect();
        let ruleset: Box<dyn Ruleset> = match self {
            Dialect::Nft => {
                Box::new(vmmports::audit::nft::read(&inputs).map_err(|e| e.to_string())?)
            }
            Dialect::Iptables => {
                Box::new(vmmports::audit::iptables::read(&inputs).map_err(|e| e.to_string())?)
            }
        };
        Ok((ruleset, text))
    }
}

fn ready(dialect: Dialect) -> bool {
    let missing = needs::missing_for_namespaces(
        ["unshare", "nsenter", "timeout", "ip", "python3"]
            .into_iter()
            .chain(dialect.tools().iter().copied()),
        &["-n", "-p", "-f", "-m", "--mount-proc"],
    );
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

/// Loads and probes `rulesets` (indices) in one pair of namespaces: for
/// each, `r{i}`'s saved text and `p{i}.out` land in `d`.
fn run_namespace(dialect: Dialect, d: &Path, shard: &str, rulesets: &[usize], timeout: &str) {
    let order = d.join(format!("order{shard}"));
    let list: Vec<String> = rulesets.iter().map(usize::to_string).collect();
    std::fs::write(&order, list.join("\n")).unwrap();
    let script = d.join(format!("test{shard}.sh"));
    std::fs::write(&script, SCRIPT.replace("@@LOAD@@", dialect.load())).unwrap();
    let out = Command::new("timeout")
        .args(["-k", "5", "600"])
        .args(["unshare", "-n", "-p", "-f", "-m", "--mount-proc", "bash"])
        .arg(&script)
        .arg(d)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools"))
        .arg(&order)
        .arg(shard)
        .env("PATH", needs::path_env())
        .env("TIMEOUT", timeout)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("@@done") && !stdout.contains("@@fatal"),
        "{dialect:?} shard {shard}: the namespace's script did not finish: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the kernel did with ruleset `i`'s probes: probe id → answered.
fn kernel_results(d: &Path, i: usize) -> BTreeMap<String, bool> {
    std::fs::read_to_string(d.join(format!("p{i}.out")))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, state)| (id.to_string(), state == "open"))
        .collect()
}

/// Tallies of one comparison.
#[derive(Default)]
struct Tally {
    compared: usize,
    answered: usize,
    /// Which of [`Dialect::features`] some ruleset showed.
    seen: std::collections::BTreeSet<&'static str>,
}

/// Ruleset `i`'s probes, the kernel's answer against `decide`'s: one
/// message per disagreement.
fn compare(
    dialect: Dialect,
    d: &Path,
    i: usize,
    firewall: &Firewall,
    probes: &[Probe],
    universe: &Universe,
    tally: &mut Tally,
) -> Vec<String> {
    let seed = dialect.seed(i);
    let (ruleset, saved) = dialect.read_back(d, i).unwrap_or_else(|e| {
        panic!(
            "{dialect:?} r{i} (seed {seed:#x}): the reader refused what the kernel printed: {e}\nwritten:\n{}",
            dialect.text(firewall)
        )
    });
    for feature in dialect.features() {
        if saved.contains(feature) {
            tally.seen.insert(feature);
        }
    }
    let results = kernel_results(d, i);
    let direction = match firewall.way {
        Way::In => Direction::Inbound,
        Way::Out => Direction::Outbound,
    };
    let mut disagreements = Vec::new();
    for probe in probes {
        let kernel_open = *results
            .get(&probe.id)
            .unwrap_or_else(|| panic!("no result for {} in {dialect:?} r{i}", probe.id));
        let decision = ruleset.decide(&Packet {
            direction,
            protocol: probe.protocol,
            peer: probe.peer,
            local: Some(local_for(probe.peer)),
            port: probe.port,
            source_port: None,
            interface: Some(universe.interface.clone()),
        });
        tally.compared += 1;
        tally.answered += usize::from(kernel_open);
        if firewall.tables.is_empty() {
            assert!(
                kernel_open,
                "{dialect:?}: with no ruleset, {direction:?} {} {} {} went unanswered",
                probe.protocol.word(),
                probe.peer,
                probe.port
            );
        }
        if decision.allowed != kernel_open {
            disagreements.push(format!(
                "{dialect:?} r{i} (seed {seed:#x}): {direction:?} {} with {} to port {}: \
                 the kernel {}, decide says {} ({})\nwritten:\n{}\nprinted back:\n{saved}",
                probe.protocol.word(),
                probe.peer,
                probe.port,
                if kernel_open {
                    "answered"
                } else {
                    "blocked it"
                },
                if decision.allowed {
                    "allowed"
                } else {
                    "blocked"
                },
                decision.why,
                dialect.text(firewall)
            ));
        }
    }
    disagreements
}

/// The whole differential run for one dialect.
fn decide_agrees_with_the_kernel(dialect: Dialect) {
    if !ready(dialect) {
        return;
    }
    let universe = universe();
    let probes = probes(&universe);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // Rulesets 0 and 1 are empty: every probe must be answered, both
    // ways, or the network is not what this test thinks.
    let firewalls: Vec<Firewall> = (0..RULESETS)
        .map(|i| {
            let way = if i % 2 == 0 { Way::In } else { Way::Out };
            if i < 2 {
                Firewall {
                    way,
                    tables: Vec::new(),
                }
            } else {
                Firewall::random(&mut Rng::new(dialect.seed(i)), &universe, way)
            }
        })
        .collect();
    for (i, firewall) in firewalls.iter().enumerate() {
        dialect.write(d, i, firewall);
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

    let started = Instant::now();
    std::thread::scope(|scope| {
        for shard in 0..SHARDS {
            let mine: Vec<usize> = (shard..RULESETS).step_by(SHARDS).collect();
            scope.spawn(move || run_namespace(dialect, d, &shard.to_string(), &mine, TIMEOUT));
        }
    });
    let fast = started.elapsed();

    let mut tally = Tally::default();
    let doubtful: Vec<usize> = firewalls
        .iter()
        .enumerate()
        .filter(|(i, firewall)| {
            !compare(dialect, d, *i, firewall, &probes, &universe, &mut tally).is_empty()
        })
        .map(|(i, _)| i)
        .collect();
    // Each disagreement again, slowly, in fresh namespaces: the verdict
    // that counts.
    let mut disagreements = Vec::new();
    let again = Instant::now();
    if !doubtful.is_empty() {
        run_namespace(dialect, d, "again", &doubtful, SLOW_TIMEOUT);
        for &i in &doubtful {
            disagreements.extend(compare(
                dialect,
                d,
                i,
                &firewalls[i],
                &probes,
                &universe,
                &mut Tally::default(),
            ));
        }
    }
    let Tally {
        compared,
        answered,
        seen,
    } = tally;
    eprintln!(
        "{dialect:?}: {RULESETS} rulesets, {compared} probes ({answered} answered) in {:.1} s; \
         {} rulesets probed again in {:.1} s",
        fast.as_secs_f64(),
        doubtful.len(),
        again.elapsed().as_secs_f64()
    );
    assert!(
        disagreements.is_empty(),
        "{} probes disagree even with {SLOW_TIMEOUT} s to answer:\n{}\n\nThe first in full:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(40)
            .filter_map(|d| d.lines().next())
            .collect::<Vec<_>>()
            .join("\n"),
        disagreements[0]
    );
    let unseen: Vec<&str> = dialect
        .features()
        .iter()
        .filter(|f| !seen.contains(*f))
        .copied()
        .collect();
    assert!(
        unseen.is_empty(),
        "no {dialect:?} ruleset showed {unseen:?}"
    );
    // The random rulesets must block some probes and let some through, or
    // they test nothing.
    assert!(
        answered > 2 * probes.len() && answered < compared,
        "{answered} of {compared}"
    );
}

#[test]
fn decide_agrees_with_the_kernel_on_random_nft_rulesets() {
    decide_agrees_with_the_kernel(Dialect::Nft);
}

#[test]
fn decide_agrees_with_the_kernel_on_random_iptables_rulesets() {
    decide_agrees_with_the_kernel(Dialect::Iptables);
}
