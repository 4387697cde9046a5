//! `Ruleset::for_flow` leaves out only rules that cannot matter: on every
//! nft and Windows fixture, each packet of a flow is decided exactly as
//! the whole ruleset decides it (verdict, rules, why and assumptions).

use std::net::IpAddr;

use vmmports::audit::input;
use vmmports::audit::model::{Direction, Input, Packet, Protocol, Ruleset};

const PORTS: &[u16] = &[
    22, 53, 80, 135, 161, 443, 445, 1433, 5985, 8000, 9000, 50000,
];
const PEERS: &[&str] = &[
    "10.0.0.5",
    "10.0.0.66",
    "10.1.2.3",
    "10.2.0.5",
    "10.3.0.9",
    "192.168.1.1",
    "192.168.5.15",
    "172.16.0.1",
    "127.0.0.1",
    "2001:db8::1",
    "fd00:10::5",
];

/// Every fixture of a reader that reads without `--profile`.
fn rulesets(dir: &str) -> Vec<(String, Box<dyn Ruleset>)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.display().to_string();
        let inputs = [Input {
            name: name.clone(),
            bytes: std::fs::read(&path).unwrap(),
        }];
        if let Ok(ruleset) = input::read(&inputs, None) {
            out.push((name, ruleset));
        }
    }
    out
}

fn assert_narrowing_changes_no_decision(dir: &str) {
    let rulesets = rulesets(dir);
    assert!(rulesets.len() >= 5, "fixtures in {dir}");
    for (name, whole) in &rulesets {
        for direction in [Direction::Inbound, Direction::Outbound] {
            for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Icmp] {
                let ports: &[u16] = if protocol == Protocol::Icmp {
                    &[0]
                } else {
                    PORTS
                };
                for &port in ports {
                    // The flow as one port, and as a range around it.
                    for range in [(port, port), (port.saturating_sub(10), port + 10)] {
                        let narrowed = whole.for_flow(direction, protocol, range);
                        let Some(narrowed) = narrowed else { continue };
                        for peer in PEERS {
                            let packet = Packet {
                                direction,
                                protocol,
                                peer: peer.parse::<IpAddr>().unwrap(),
                                local: None,
                                port,
                                source_port: None,
                                interface: None,
                            };
                            assert_eq!(
                                narrowed.decide(&packet),
                                whole.decide(&packet),
                                "{name}: {packet:?} within {range:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn narrowing_an_nft_ruleset_to_a_flow_changes_no_decision() {
    assert_narrowing_changes_no_decision("tests/data/audit/nft");
}

#[test]
fn narrowing_a_windows_export_to_a_flow_changes_no_decision() {
    assert_narrowing_changes_no_decision("tests/data/audit/windows");
}
