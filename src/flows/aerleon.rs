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

use super::{Flow, Origin, addresses};
use crate::catalog::{Component, Transport};
use crate::rules::address::Address;
use crate::rules::settings::Settings;

/// The platforms vmmports writes a filter header for, with the header's
/// options: every filter holds IPv4 and IPv6 (`mixed`) where the platform
/// can, so no address given is dropped silently (Aerleon's iptables
/// generator is IPv4 only). The flows cross a network firewall, so the
/// Linux filters hook where routed traffic passes (`forward`, `FORWARD`),
/// not where traffic to the firewall itself arrives.
pub const TARGETS: &[(&str, &str)] = &[
    ("cisco", "vmm-flows mixed"),
    ("ciscoasa", "vmm-flows"),
    ("juniper", "vmm-flows mixed"),
    ("arista", "vmm-flows mixed"),
    ("paloalto", "from-zone vmm-sources to-zone vmm-destinations"),
    ("nftables", "mixed forward"),
    ("iptables", "FORWARD DROP"),
];

/// Some platforms cap term names at 24 characters; every name fits all.
const TERM_NAME_MAX: usize = 24;

/// nftables refuses comments over 128 bytes, and Aerleon passes term
/// comments through.
const COMMENT_MAX: usize = 120;

/// Catalog text as it may reach a comment: ASCII letters, digits, spaces
/// and `.,:()_-`, every other run of characters one space. Aerleon copies
/// comments into its output raw, and each target closes a comment on
/// something else: `"` (nftables `comment "…"`, iptables), `*/` (Juniper),
/// a line break (Cisco `remark`), `<` and `&` (Palo Alto's XML). None of
/// them passes, so a component's name can describe a rule but never add
/// one, whatever the target.
fn comment_text(text: &str) -> String {
    let inert = |c: char| c.is_ascii_alphanumeric() || " .,:()_-".contains(c);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if inert(c) { c } else { ' ' };
        if c != ' ' || !out.ends_with(' ') {
            out.push(c);
        }
    }
    out.trim().to_string()
}

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
/// side of the flow be any address. The caller has already left out the
/// flows of machines the deployment may not have ([`super::present`]). `targets` are names from [`TARGETS`].
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
                "give each with --remote {}=ADDR[,ADDR...], or --any-for-missing to allow any address in their place{}",
                missing[0],
                settings.why_missing(&missing)
            ),
        ));
    }
    let blocks = Blocks::of(&components, settings)?;
    let networks = networks_yaml(&components, &blocks, flows);
    let services = services_yaml(flows);
    let nftables = targets.iter().any(|t| t == "nftables");
    let policy = policy_yaml(flows, &blocks, &headers, nftables);
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

/// What joins a token made from an id to a word of vmmports' own: `__`,
/// which no kebab-case id's [`token`] holds, so the names made with it
/// never meet the names of ids.
const SEPARATOR: &str = "__";

/// A service's token: a connection's from its id, a note's marked as one
/// (`DYNAMIC_PORTS__NOTE`), since a note may share an id with a connection,
/// and the two services would be one.
fn service_token(origin: &Origin) -> String {
    match origin {
        Origin::Connection(c) => token(&c.id),
        Origin::Note(n) => format!("{}{SEPARATOR}NOTE", token(&n.id)),
    }
}

/// `token` as a YAML scalar that reads back as that string: Aerleon reads
/// YAML 1.1, where `YES`, `ON`, `NULL` or `1_2` would come back as a bool,
/// nothing or a number, so those are quoted.
fn yaml_token(token: &str) -> String {
    const SPECIAL: &[&str] = &[
        "Y", "N", "YES", "NO", "ON", "OFF", "TRUE", "FALSE", "NULL", "~",
    ];
    let numeric = token.chars().all(|c| c.is_ascii_digit() || c == '_');
    if numeric || SPECIAL.contains(&token) {
        format!("\"{token}\"")
    } else {
        token.to_string()
    }
}

/// Aerleon's names for an ICMP type of [`crate::catalog::ICMP_TYPES`]: for
/// ICMPv4, then for ICMPv6 (they differ for type 3).
fn aerleon_icmp(v4_type: u16) -> Option<(&'static str, &'static str)> {
    Some(match v4_type {
        0 => ("echo-reply", "echo-reply"),
        3 => ("unreachable", "destination-unreachable"),
        8 => ("echo-request", "echo-request"),
        11 => ("time-exceeded", "time-exceeded"),
        _ => return None,
    })
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

/// Each component's addresses as CIDR blocks, by component id; a
/// component given none is absent (any address).
struct Blocks(Vec<(String, Vec<String>)>);

impl Blocks {
    fn of(components: &[&Component], settings: &Settings) -> Result<Blocks, PolicyError> {
        let mut out = Vec::new();
        for component in components {
            let Some(given) = addresses(settings, component) else {
                continue;
            };
            let mut blocks = Vec::new();
            // A PXE client's first packet comes from 0.0.0.0 (`boot_source`).
            for text in given.iter().chain(&component.boot_source) {
                blocks.extend(cidr_blocks(&component.id, text)?);
            }
            out.push((component.id.clone(), blocks));
        }
        Ok(Blocks(out))
    }

    /// `None` when the component was given no address.
    fn get(&self, id: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, blocks)| blocks.as_slice())
    }
}

/// The IP families a network can be split into, for ICMP: Aerleon writes
/// `icmp` terms for IPv4 only and `icmpv6` for IPv6, and its nftables
/// generator writes invalid rules for an `icmp` term with IPv6 addresses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn holds(self, block: &str) -> bool {
        block.contains(':') == (self == Family::V6)
    }

    /// The per-family network's token: `VMM_SERVER__IPV4`. Ids are
    /// kebab-case, so no component's own token holds `__`: with a single
    /// `_`, the component `vmm-server-ipv4` would share this name, and the
    /// policy would hold the key twice.
    fn token(self, id: &str) -> String {
        let suffix = match self {
            Family::V4 => "IPV4",
            Family::V6 => "IPV6",
        };
        format!("{}{SEPARATOR}{suffix}", token(id))
    }
}

fn networks_yaml(components: &[&Component], blocks: &Blocks, flows: &[Flow]) -> String {
    let mut out = String::from(
        "# Written by vmmports: one network per component, from --remote (and one per IP family\n# for the ends of ICMP flows).\nnetworks:\n",
    );
    let write = |out: &mut String, name: String, component: &Component, blocks: &[&String]| {
        let _ = writeln!(out, "  {}:", yaml_token(&name));
        out.push_str("    values:\n");
        for block in blocks {
            let _ = writeln!(out, "      - address: {block}");
            let _ = writeln!(
                out,
                "        comment: {}",
                quoted(&comment_text(&component.name))
            );
        }
    };
    for component in components {
        let Some(all) = blocks.get(&component.id) else {
            continue;
        };
        write(
            &mut out,
            token(&component.id),
            component,
            &all.iter().collect::<Vec<_>>(),
        );
        let pings = flows.iter().any(|f| {
            f.protocol == Transport::Icmp
                && (f.source.id == component.id || f.destination.id == component.id)
        });
        if pings {
            for family in [Family::V4, Family::V6] {
                let part: Vec<&String> = all.iter().filter(|b| family.holds(b)).collect();
                if !part.is_empty() {
                    write(&mut out, family.token(&component.id), component, &part);
                }
            }
        }
    }
    out
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
        Address::Range(..) => address
            .to_networks()
            .iter()
            .map(Address::to_string)
            .collect(),
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

/// One service per connection (the ports it has in the flows asked for),
/// and per note whose ports are included (the dynamic RPC range).
fn services_yaml(flows: &[Flow]) -> String {
    let mut out = String::from("# Written by vmmports: one service per connection.\nservices:\n");
    let mut seen: Vec<String> = Vec::new();
    let mut any = false;
    for flow in flows {
        for origin in &flow.origins {
            let name = service_token(origin);
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            let ports: Vec<_> = flows
                .iter()
                .filter(|f| f.origins.iter().any(|o| service_token(o) == name))
                .flat_map(|f| f.ports.iter().filter(|p| origin.ports().contains(p)))
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
            let _ = writeln!(out, "  {}:", yaml_token(&name));
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
    blocks: &Blocks,
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
        if flow.protocol == Transport::Icmp {
            // One term per IP family, each between that family's addresses
            // (a family one end lacks has no flow).
            for (family, label) in [(Family::V4, "icmp"), (Family::V6, "icmpv6")] {
                let ends = [flow.source, flow.destination].map(|end| {
                    blocks.get(&end.id).map(|all| {
                        all.iter()
                            .any(|b| family.holds(b))
                            .then(|| family.token(&end.id))
                    })
                });
                // Some(None): addresses given, none of this family.
                if ends.iter().any(|end| matches!(end, Some(None))) {
                    continue;
                }
                let types: Vec<&str> = flow
                    .ports
                    .iter()
                    .filter_map(|p| aerleon_icmp(p.first))
                    .map(|(v4, v6)| if family == Family::V6 { v6 } else { v4 })
                    .collect();
                term_head(&mut out, flow, label, &mut names);
                addresses_of(&mut out, ends.map(Option::flatten));
                let _ = writeln!(out, "        protocol: {label}");
                // Aerleon 1.18's nftables generator fails on any icmp-type, so
                // with nftables among the targets the term allows every type.
                if !nftables {
                    let _ = writeln!(out, "        icmp-type: {}", types.join(" "));
                }
                out.push_str("        action: accept\n");
            }
        } else {
            let protocol = flow.protocol.as_str();
            term_head(&mut out, flow, protocol, &mut names);
            let ends = [flow.source, flow.destination]
                .map(|end| blocks.get(&end.id).map(|_| token(&end.id)));
            addresses_of(&mut out, ends);
            let services: Vec<String> = flow.origins.iter().map(service_token).collect();
            let _ = writeln!(
                out,
                "        destination-port: {}",
                yaml_token(&services.join(" "))
            );
            let _ = writeln!(out, "        protocol: {protocol}");
            out.push_str("        action: accept\n");
        }
    }
    out.push_str("      - name: default-deny\n        comment: \"Everything else between these networks\"\n        action: deny\n");
    out
}

/// A term's name and comment.
fn term_head(out: &mut String, flow: &Flow, protocol: &str, names: &mut Vec<String>) {
    let name = term_name(flow, protocol, names);
    let _ = writeln!(out, "      - name: {name}");
    names.push(name);
    let comment = format!(
        "{} -> {}: {}",
        comment_text(&flow.source.name),
        comment_text(&flow.destination.name),
        flow.connection_ids().join(", ")
    );
    let _ = writeln!(
        out,
        "        comment: {}",
        quoted(&cut(&comment, COMMENT_MAX))
    );
}

/// A term's source and destination networks; an end without one is any
/// address (`--any-for-missing`).
fn addresses_of(out: &mut String, [source, destination]: [Option<String>; 2]) {
    for (key, network) in [
        ("source-address", source),
        ("destination-address", destination),
    ] {
        if let Some(network) = network {
            let _ = writeln!(out, "        {key}: {}", yaml_token(&network));
        }
    }
}

/// `vmm-server-hyperv-host-tcp`, shortened to fit every platform (words cut
/// to three letters, then the whole cut), unique within the policy.
fn term_name(flow: &Flow, protocol: &str, taken: &[String]) -> String {
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
    fn comments_keep_only_inert_characters() {
        assert_eq!(
            comment_text("VMM\"; ip saddr 0.0.0.0/0 accept comment \""),
            "VMM ip saddr 0.0.0.0 0 accept comment"
        );
        assert_eq!(comment_text("a */ then accept; /* b"), "a then accept b");
        assert_eq!(
            comment_text("Hyper-V host (perimeter)"),
            "Hyper-V host (perimeter)"
        );
        assert_eq!(comment_text("<x>&amp; caf\u{e9} it's"), "x amp caf it s");
    }

    #[test]
    fn tokens_are_upper_snake_case() {
        assert_eq!(token("hyperv-host"), "HYPERV_HOST");
        assert_eq!(token("vmm-to-host-winrm-tls"), "VMM_TO_HOST_WINRM_TLS");
    }

    #[test]
    fn addresses_become_cidr_blocks() {
        let blocks = |text: &str| cidr_blocks("c", text).unwrap();
        assert_eq!(blocks("10.0.0.0-10.0.0.255"), ["10.0.0.0/24"]);
        assert_eq!(
            blocks("10.0.0.1-10.0.0.6"),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(blocks("0.0.0.0-255.255.255.255"), ["0.0.0.0/0"]);
        assert_eq!(blocks("2001:db8::-2001:db8::ff"), ["2001:db8::/120"]);
        assert_eq!(blocks("10.0.0.7-10.0.0.7"), ["10.0.0.7/32"]);
        // Host bits cleared, as Aerleon requires; single addresses as /32, /128.
        assert_eq!(blocks("10.0.1.7/24"), ["10.0.1.0/24"]);
        assert_eq!(blocks("10.0.0.5"), ["10.0.0.5/32"]);
        assert_eq!(blocks("2001:db8::5"), ["2001:db8::5/128"]);
        assert!(cidr_blocks("c", "LocalSubnet").is_err());
    }

    #[test]
    fn tokens_that_yaml_would_read_as_something_else_are_quoted() {
        assert_eq!(yaml_token("HYPERV_HOST"), "HYPERV_HOST");
        for word in [
            "YES", "NO", "ON", "OFF", "TRUE", "FALSE", "NULL", "Y", "N", "1_2", "123",
        ] {
            assert_eq!(yaml_token(word), format!("\"{word}\""), "{word}");
        }
        assert_eq!(yaml_token("2ND_HOST"), "2ND_HOST");
    }

    #[test]
    fn icmp_types_take_aerleons_names() {
        assert_eq!(
            aerleon_icmp(3),
            Some(("unreachable", "destination-unreachable"))
        );
        assert_eq!(aerleon_icmp(8), Some(("echo-request", "echo-request")));
        assert_eq!(aerleon_icmp(99), None);
    }
}
