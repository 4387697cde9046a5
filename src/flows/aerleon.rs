//! An Aerleon policy for flows. Aerleon (PyPI `aerleon`, command `aclgen`)
//! turns one policy into Cisco, Juniper, Palo Alto, nftables and many more
//! platforms' ACLs, so vmmports writes that policy and no vendor syntax of
//! its own:
//!
//! ```text
//!  DIR/def/networks.yaml        one network per component, from its addresses
//!  DIR/def/services.yaml        one service per connection: its ports and protocols
//!  DIR/policies/pol/vmm.yaml    one filter: a term per flow, a final deny, the targets
//! ```
//!
//! `aclgen --base_directory=DIR/policies --definitions_directory=DIR/def
//! --output_directory=OUT` then writes the ACLs.

use std::fmt::Write as _;

use super::{Flow, addresses};
use crate::catalog::{Component, Transport, icmp_type_name};
use crate::rules::address::Address;
use crate::rules::settings::Settings;

/// The platforms vmmports writes a filter header for, with the header's
/// options: every filter holds IPv4 and IPv6 (`mixed`) where the platform
/// can, so no address given is dropped silently.
pub const TARGETS: &[(&str, &str)] = &[
    ("cisco", "vmm-flows mixed"),
    ("ciscoasa", "vmm-flows"),
    ("juniper", "vmm-flows mixed"),
    ("arista", "vmm-flows mixed"),
    ("paloalto", "from-zone vmm-sources to-zone vmm-destinations"),
    ("nftables", "mixed input"),
    ("iptables", "INPUT ACCEPT"),
];

/// The targets when none are asked for.
pub const DEFAULT_TARGETS: &[&str] = &["cisco", "juniper", "nftables"];

/// Some platforms cap term names at 24 characters; every name fits all.
const TERM_NAME_MAX: usize = 24;

/// nftables refuses comments over 128 bytes, and Aerleon passes term
/// comments through.
const COMMENT_MAX: usize = 120;

/// `text` in at most `max` bytes, ending in `...` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// The three files of a policy, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `def/networks.yaml`
    pub networks: String,
    /// `def/services.yaml`
    pub services: String,
    /// `policies/pol/vmm.yaml`
    pub policy: String,
}

impl Policy {
    /// Where each file goes, relative to the output folder.
    pub fn files(&self) -> [(&'static str, &str); 3] {
        [
            ("def/networks.yaml", &self.networks),
            ("def/services.yaml", &self.services),
            ("policies/pol/vmm.yaml", &self.policy),
        ]
    }
}

/// Why no policy was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
    pub hint: String,
}

fn refuse(message: String, hint: impl Into<String>) -> PolicyError {
    PolicyError {
        message,
        hint: hint.into(),
    }
}

/// The policy for `flows`, with addresses from `settings`. A component
/// without addresses is refused unless `any_for_missing`, which lets its
/// side of the flow be any address. `targets` are names from [`TARGETS`].
pub fn policy(
    flows: &[Flow],
    settings: &Settings,
    targets: &[String],
    any_for_missing: bool,
) -> Result<Policy, PolicyError> {
    if flows.is_empty() {
        return Err(refuse(
            "no flows match: there is nothing to allow".into(),
            "widen the query, or leave it out for every flow",
        ));
    }
    let headers = headers(targets)?;
    let components = endpoints(flows);
    let missing: Vec<&str> = components
        .iter()
        .filter(|c| addresses(settings, c).is_none())
        .map(|c| c.id.as_str())
        .collect();
    if !missing.is_empty() && !any_for_missing {
        return Err(refuse(
            format!(
                "no addresses for {}: a network policy needs them",
                missing.join(", ")
            ),
            format!(
                "give each with --remote {}=ADDR[,ADDR...], or --any-for-missing to allow any address in their place",
                missing[0]
            ),
        ));
    }
    let networks = networks_yaml(&components, settings)?;
    let services = services_yaml(flows);
    let nftables = targets.iter().any(|t| t == "nftables");
    let policy = policy_yaml(flows, settings, &headers, nftables);
    Ok(Policy {
        networks,
        services,
        policy,
    })
}

/// Each target's header line, refusing names Aerleon would not know from us.
fn headers(targets: &[String]) -> Result<Vec<(&'static str, &'static str)>, PolicyError> {
    let known: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    let mut out = Vec::new();
    for target in targets {
        let Some(&(name, options)) = TARGETS.iter().find(|(name, _)| name == target) else {
            return Err(refuse(
                format!("unknown --target `{target}`"),
                crate::catalog::suggestion("target", target, &known),
            ));
        };
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, options));
        }
    }
    if out.is_empty() {
        return Err(refuse(
            "--target names no platform".into(),
            format!("name one or more of: {}", known.join(", ")),
        ));
    }
    Ok(out)
}

/// Every component at either end of a flow, each once, in flow order.
fn endpoints<'c>(flows: &[Flow<'c>]) -> Vec<&'c Component> {
    let mut out: Vec<&Component> = Vec::new();
    for flow in flows {
        for c in [flow.source, flow.destination] {
            if !out.iter().any(|o| o.id == c.id) {
                out.push(c);
            }
        }
    }
    out
}

/// An Aerleon token from an id: `hyperv-host` → `HYPERV_HOST`.
pub fn token(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'a'..='z' => c.to_ascii_uppercase(),
            'A'..='Z' | '0'..='9' => c,
            _ => '_',
        })
        .collect()
}

/// A YAML string in double quotes: only `"`, `\` and control characters
/// need escaping there (catalog text has no control characters).
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn networks_yaml(components: &[&Component], settings: &Settings) -> Result<String, PolicyError> {
    let mut out = String::from(
        "# Written by vmmports: one network per component, from --remote.\nnetworks:\n",
    );
    for component in components {
        let Some(given) = addresses(settings, component) else {
            continue;
        };
        let _ = writeln!(out, "  {}:", token(&component.id));
        out.push_str("    values:\n");
        for text in given {
            for block in cidr_blocks(&component.id, text)? {
                let _ = writeln!(out, "      - address: {block}");
                let _ = writeln!(out, "        comment: {}", quoted(&component.name));
            }
        }
    }
    Ok(out)
}

/// An address as Aerleon takes it: CIDR blocks. A range becomes the blocks
/// that cover exactly it; a Windows keyword has no address to give.
fn cidr_blocks(component: &str, text: &str) -> Result<Vec<String>, PolicyError> {
    let address = Address::parse(text).map_err(|e| {
        refuse(
            format!("--remote {component}: {e}"),
            "fix the address and run again",
        )
    })?;
    Ok(match address {
        Address::Ip(ip) => vec![format!("{ip}/{}", if ip.is_ipv4() { 32 } else { 128 })],
        Address::Net(ip, prefix) => vec![format!("{}/{prefix}", network_of(ip, prefix))],
        Address::Range(first, last) => range_blocks(first, last),
        Address::Keyword(keyword) => {
            return Err(refuse(
                format!(
                    "--remote {component}={keyword}: `{keyword}` is a Windows Firewall keyword, not an address a network firewall knows"
                ),
                "give the addresses or CIDR blocks it stands for",
            ));
        }
    })
}

/// The network address of `ip/prefix` (host bits cleared), which Aerleon
/// requires.
fn network_of(ip: std::net::IpAddr, prefix: u8) -> std::net::IpAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// The fewest CIDR blocks covering exactly `first..=last` (one family).
fn range_blocks(first: std::net::IpAddr, last: std::net::IpAddr) -> Vec<String> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let (bits, start, end) = match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (32u32, u128::from(u32::from(a)), u128::from(u32::from(b)))
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (128u32, u128::from(a), u128::from(b)),
        // Address::parse refuses mixed families.
        _ => return Vec::new(),
    };
    let show = |n: u128| -> IpAddr {
        if bits == 32 {
            IpAddr::V4(Ipv4Addr::from(n as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(n))
        }
    };
    let mut out = Vec::new();
    let mut at = start;
    loop {
        // The biggest aligned block starting at `at` that ends by `end`.
        let mut size_log = if at == 0 {
            bits
        } else {
            at.trailing_zeros().min(bits)
        };
        while size_log > 0 && (size_log >= 128 || at + ((1u128 << size_log) - 1) > end) {
            size_log -= 1;
        }
        out.push(format!("{}/{}", show(at), bits - size_log));
        let block_last = at + ((1u128 << size_log) - 1);
        if block_last >= end {
            break;
        }
        at = block_last + 1;
    }
    out
}

/// One service per connection (the ports it has in the flows asked for).
fn services_yaml(flows: &[Flow]) -> String {
    let mut out = String::from("# Written by vmmports: one service per connection.\nservices:\n");
    let mut seen: Vec<&str> = Vec::new();
    let mut any = false;
    for flow in flows {
        for conn in &flow.connections {
            if seen.contains(&conn.id.as_str()) {
                continue;
            }
            seen.push(&conn.id);
            let ports: Vec<_> = flows
                .iter()
                .filter(|f| f.connections.iter().any(|c| c.id == conn.id))
                .flat_map(|f| f.ports.iter().filter(|p| conn.ports.contains(p)))
                .filter(|p| p.transport.has_ports())
                .collect();
            let mut entries: Vec<String> = Vec::new();
            for port in ports {
                let number = if port.first == port.last {
                    port.first.to_string()
                } else {
                    format!("{}-{}", port.first, port.last)
                };
                let entry = format!(
                    "    - port: {number}\n      protocol: {}\n",
                    port.transport.as_str()
                );
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            // ICMP has no ports: its terms name no service.
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {}:", token(&conn.id));
            out.extend(entries);
            any = true;
        }
    }
    if !any {
        // An empty map, not a null: Aerleon warns about a bare `services:`.
        out = out.replace("services:\n", "services: {}\n");
    }
    out
}

fn policy_yaml(
    flows: &[Flow],
    settings: &Settings,
    headers: &[(&str, &str)],
    nftables: bool,
) -> String {
    let mut out = String::from(
        "# Written by vmmports from the VMM port catalog: one term per flow, then a final deny.\nfilters:\n  - header:\n      comment: \"VMM flows, from vmmports\"\n      targets:\n",
    );
    for (name, options) in headers {
        let _ = writeln!(out, "        {name}: {options}");
    }
    out.push_str("    terms:\n");
    let mut names: Vec<String> = Vec::new();
    for flow in flows {
        let name = term_name(flow, &names);
        let _ = writeln!(out, "      - name: {name}");
        let comment = format!(
            "{} -> {}: {}",
            flow.source.name,
            flow.destination.name,
            flow.connection_ids().join(", ")
        );
        let _ = writeln!(
            out,
            "        comment: {}",
            quoted(&cut(&comment, COMMENT_MAX))
        );
        // A side without addresses is any address (--any-for-missing).
        if addresses(settings, flow.source).is_some() {
            let _ = writeln!(out, "        source-address: {}", token(&flow.source.id));
        }
        if addresses(settings, flow.destination).is_some() {
            let _ = writeln!(
                out,
                "        destination-address: {}",
                token(&flow.destination.id)
            );
        }
        if flow.protocol == Transport::Icmp {
            out.push_str("        protocol: icmp\n");
            // Aerleon 1.18's nftables generator fails on any icmp-type, so
            // with nftables among the targets the term allows every type.
            if !nftables {
                let types = crate::text::join_unique(
                    flow.ports.iter().filter_map(|p| icmp_type_name(p.first)),
                    " ",
                );
                let _ = writeln!(out, "        icmp-type: {types}");
            }
        } else {
            let services: Vec<String> = flow.connections.iter().map(|c| token(&c.id)).collect();
            let _ = writeln!(out, "        destination-port: {}", services.join(" "));
            let _ = writeln!(out, "        protocol: {}", flow.protocol.as_str());
        }
        out.push_str("        action: accept\n");
        names.push(name);
    }
    out.push_str("      - name: default-deny\n        comment: \"Everything else between these networks\"\n        action: deny\n");
    out
}

/// `vmm-server-hyperv-host-tcp`, shortened to fit every platform (words cut
/// to three letters, then the whole cut), unique within the policy.
fn term_name(flow: &Flow, taken: &[String]) -> String {
    let protocol = flow.protocol.as_str();
    let full = format!("{}-{}-{protocol}", flow.source.id, flow.destination.id);
    let short = |id: &str| -> String {
        id.split('-')
            .map(|w| w.chars().take(3).collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut name = if full.len() <= TERM_NAME_MAX {
        full
    } else {
        format!(
            "{}-{}-{protocol}",
            short(&flow.source.id),
            short(&flow.destination.id)
        )
    };
    if name.len() > TERM_NAME_MAX {
        name.truncate(TERM_NAME_MAX);
    }
    let name = name.trim_end_matches('-').to_string();
    if !taken.contains(&name) {
        return name;
    }
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let mut base = name.clone();
            base.truncate(TERM_NAME_MAX - suffix.len());
            format!("{}{suffix}", base.trim_end_matches('-'))
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_upper_snake_case() {
        assert_eq!(token("hyperv-host"), "HYPERV_HOST");
        assert_eq!(token("vmm-to-host-winrm-tls"), "VMM_TO_HOST_WINRM_TLS");
    }

    #[test]
    fn ranges_become_the_fewest_blocks() {
        let ip = |s: &str| s.parse().unwrap();
        assert_eq!(
            range_blocks(ip("10.0.0.0"), ip("10.0.0.255")),
            ["10.0.0.0/24"]
        );
        assert_eq!(
            range_blocks(ip("10.0.0.1"), ip("10.0.0.6")),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(
            range_blocks(ip("0.0.0.0"), ip("255.255.255.255")),
            ["0.0.0.0/0"]
        );
        assert_eq!(
            range_blocks(ip("2001:db8::"), ip("2001:db8::ff")),
            ["2001:db8::/120"]
        );
        assert_eq!(network_of(ip("10.0.1.7"), 24), ip("10.0.1.0"));
    }
}
