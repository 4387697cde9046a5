//! Linux: iptables (IPv4) and ip6tables (IPv6) on the built-in INPUT and
//! OUTPUT chains. `-C … || -I …` adds a rule only when it is missing, and
//! inserts it at the top: RHEL-style rulesets end INPUT in a `REJECT`, so an
//! appended rule would never match.

use super::address::{Address, Family};
use super::plan::{Rule, chunk_ports, range_text};
use super::quote::iptables_comment;
use super::{RulesError, by_family};

/// multiport takes at most 15 ports, a range counting as two.
const MULTIPORT_LIMIT: usize = 15;

pub fn rule_lines(rule: &Rule) -> Result<Vec<String>, RulesError> {
    let chain = if rule.is_inbound() { "INPUT" } else { "OUTPUT" };
    let comment = iptables_comment(&rule.display_name)
        .map_err(|e| RulesError::unquotable("iptables", &rule.display_name, e))?;
    let mut lines = Vec::new();
    for (family, addresses) in by_family(rule, "iptables")? {
        // No address means any, and an IPv4-only rule would leave IPv6 shut;
        // an ICMP rule is for its own family only.
        let families = match family.or(rule.family) {
            Some(f) => vec![f],
            None => vec![Family::V4, Family::V6],
        };
        for family in families {
            let tool = if family == Family::V4 {
                "iptables"
            } else {
                "ip6tables"
            };
            let matches: Vec<Option<String>> = if addresses.is_empty() {
                vec![None]
            } else {
                addresses
                    .iter()
                    .map(|a| Some(address_match(a, rule.is_inbound())))
                    .collect()
            };
            for address in &matches {
                // (protocol, what to match after the address): one per
                // multiport chunk, or the ICMP type.
                let protocol_matches: Vec<(&str, String)> = if rule.transport.has_ports() {
                    chunk_ports(&rule.ports, MULTIPORT_LIMIT)
                        .iter()
                        .map(|chunk| (rule.transport.as_str(), port_match(chunk)))
                        .collect()
                } else if family == Family::V6 {
                    let name = rule.icmp_type_name();
                    vec![("ipv6-icmp", format!(" --icmpv6-type {name}"))]
                } else {
                    let name = rule.icmp_type_name();
                    vec![("icmp", format!(" --icmp-type {name}"))]
                };
                for (protocol, matched) in protocol_matches {
                    let mut spec = format!("{chain} -p {protocol}");
                    if let Some(a) = address {
                        spec.push_str(&format!(" {a}"));
                    }
                    spec.push_str(&matched);
                    spec.push_str(&format!(" -m comment --comment {comment} -j ACCEPT"));
                    lines.push(format!("{tool} -C {spec} 2>/dev/null || {tool} -I {spec}"));
                }
            }
        }
    }
    Ok(lines)
}

fn address_match(address: &Address, inbound: bool) -> String {
    match address {
        Address::Range(a, b) => format!(
            "-m iprange --{}-range {a}-{b}",
            if inbound { "src" } else { "dst" }
        ),
        other => format!("{} {other}", if inbound { "-s" } else { "-d" }),
    }
}

/// `--dport 443`, `--dport 49152:65535`, or multiport for a list.
fn port_match(ports: &[(u16, u16)]) -> String {
    let colon = |&range: &(u16, u16)| range_text(range, ':');
    match ports {
        [one] => format!(" --dport {}", colon(one)),
        many => format!(
            " -m multiport --dports {}",
            many.iter().map(colon).collect::<Vec<_>>().join(",")
        ),
    }
}
