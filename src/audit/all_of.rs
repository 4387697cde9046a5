//! Several rulesets of one machine that a packet must all pass: on Linux,
//! nftables tables and the iptables ones beside them (legacy iptables, or
//! the tables iptables-nft manages, read from `iptables-save` because nft's
//! JSON cannot show their compatibility matches). Each decides on its own,
//! as netfilter's hooks do; the first that stops the packet decides.

use super::model::{Boundaries, Decision, Direction, Packet, Ruleset};

pub struct AllOf {
    pub parts: Vec<Box<dyn Ruleset>>,
}

impl Ruleset for AllOf {
    fn decide(&self, packet: &Packet) -> Decision {
        let mut passed = Decision {
            allowed: true,
            rules: Vec::new(),
            why: String::new(),
            assumptions: Vec::new(),
        };
        let mut whys = Vec::new();
        for part in &self.parts {
            let decision = part.decide(packet);
            if !decision.allowed {
                return decision;
            }
            passed.rules.extend(decision.rules);
            passed.assumptions.extend(decision.assumptions);
            whys.push(decision.why);
        }
        passed.why = whys.join("; and ");
        passed
    }

    fn boundaries(&self, direction: Direction) -> Boundaries {
        let mut all = Boundaries::default();
        for part in &self.parts {
            let b = part.boundaries(direction);
            all.ports.extend(b.ports);
            all.addresses.extend(b.addresses);
        }
        all.ports.sort_unstable();
        all.ports.dedup();
        all.addresses.sort_unstable();
        all.addresses.dedup();
        all
    }

    fn describe(&self) -> Vec<String> {
        self.parts.iter().flat_map(|p| p.describe()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::model::{Input, Protocol};

    fn read(kind: &str, text: &str) -> Box<dyn Ruleset> {
        let input = Input {
            name: kind.into(),
            bytes: text.as_bytes().to_vec(),
        };
        crate::audit::input::read(&[input], None).unwrap()
    }

    #[test]
    fn a_packet_passes_only_if_every_part_lets_it() {
        let open = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";
        let closed = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        let both = AllOf {
            parts: vec![read("a", open), read("b", closed)],
        };
        let packet = |port| Packet {
            direction: Direction::Inbound,
            protocol: Protocol::Tcp,
            peer: "10.0.0.5".parse().unwrap(),
            local: None,
            port,
            source_port: None,
            interface: None,
        };
        assert!(both.decide(&packet(22)).allowed);
        let blocked = both.decide(&packet(5985));
        assert!(!blocked.allowed);
        assert!(blocked.why.contains("policy"), "{}", blocked.why);
        assert_eq!(both.describe().len(), 2);
    }
}
