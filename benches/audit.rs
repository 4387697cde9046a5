//! `vmmports audit` speed on big firewalls. Run: `cargo bench --bench audit`.
//!
//! Target (the audit issue): a 3,000-rule Windows export audited against
//! every flow of a role, and a 10,000-rule nft ruleset, each under 250 ms,
//! end to end as the CLI does it: read the export, list the role's flows,
//! decide each. `read_*` and `audit_*` time the two halves alone, so the
//! slow one shows.
//!
//! The inputs are generated here, deterministically (a fixed-seed
//! generator, no files), in the shapes the readers take: the Windows
//! export's JSON as PowerShell 7 writes it, and `nft -j list ruleset`.
//! To time the real binary on the same inputs (`hyperfine`):
//!
//!     AUDIT_BENCH_WRITE=/tmp/audit cargo bench --bench audit
//!
//! writes /tmp/audit/windows-3000.json and /tmp/audit/nft-10000.json and
//! exits without benchmarking.

use divan::{Bencher, black_box};
use vmmports::audit::flows::{self, Flow};
use vmmports::audit::input;
use vmmports::audit::model::Input;
use vmmports::catalog::{self, Catalog};
use vmmports::rules::settings::Settings;

const WINDOWS_RULES: usize = 3_000;
const NFT_RULES: usize = 10_000;
/// The role audited, and the address given for its VMM server.
const ROLE: &str = "hyperv-host";
const REMOTE: &str = "vmm-server=10.0.0.5";

fn main() {
    if let Some(dir) = std::env::var_os("AUDIT_BENCH_WRITE") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create the output folder");
        std::fs::write(
            dir.join(format!("windows-{WINDOWS_RULES}.json")),
            windows_export(WINDOWS_RULES),
        )
        .expect("write the Windows export");
        std::fs::write(
            dir.join(format!("nft-{NFT_RULES}.json")),
            nft_ruleset(NFT_RULES),
        )
        .expect("write the nft ruleset");
        return;
    }
    divan::main();
}

/// The catalog with the setup ports applied, the settings and the role's
/// flows, as `cli::audit::run` gets them (`--remote vmm-server=10.0.0.5
/// --outbound`: every flow of the role, both ways).
fn plan() -> (Catalog, Settings) {
    let catalog = catalog::embedded().expect("embedded catalog is valid");
    let mut settings = Settings::default();
    settings
        .add_remote(&catalog, REMOTE)
        .expect("the VMM server's address is valid");
    settings.outbound = true;
    settings.any_for_missing = true;
    (settings.apply_ports(&catalog), settings)
}

fn role_flows() -> Vec<Flow> {
    let (deployed, settings) = plan();
    flows::flows_on(&deployed, &settings, ROLE)
}

fn as_input(name: &str, text: String) -> Vec<Input> {
    vec![Input {
        name: name.into(),
        bytes: text.into_bytes(),
    }]
}

/// Read, list the flows, decide each: what one `vmmports audit` does.
fn end_to_end(inputs: &[Input], deployed: &Catalog, settings: &Settings) -> usize {
    let ruleset = input::read(inputs, None).expect("the generated input reads");
    let flows = flows::flows_on(deployed, settings, ROLE);
    flows::audit(ruleset.as_ref(), &flows).len()
}

#[divan::bench]
fn windows_end_to_end(bencher: Bencher) {
    let inputs = as_input("windows.json", windows_export(WINDOWS_RULES));
    let (deployed, settings) = plan();
    bencher.bench(|| end_to_end(black_box(&inputs), &deployed, &settings));
}

#[divan::bench]
fn windows_read(bencher: Bencher) {
    let inputs = as_input("windows.json", windows_export(WINDOWS_RULES));
    bencher.bench(|| input::read(black_box(&inputs), None).expect("reads"));
}

#[divan::bench]
fn windows_audit(bencher: Bencher) {
    let inputs = as_input("windows.json", windows_export(WINDOWS_RULES));
    let ruleset = input::read(&inputs, None).expect("reads");
    let flows = role_flows();
    bencher.bench(|| flows::audit(black_box(ruleset.as_ref()), &flows));
}

#[divan::bench]
fn nft_end_to_end(bencher: Bencher) {
    let inputs = as_input("nft.json", nft_ruleset(NFT_RULES));
    let (deployed, settings) = plan();
    bencher.bench(|| end_to_end(black_box(&inputs), &deployed, &settings));
}

#[divan::bench]
fn nft_read(bencher: Bencher) {
    let inputs = as_input("nft.json", nft_ruleset(NFT_RULES));
    bencher.bench(|| input::read(black_box(&inputs), None).expect("reads"));
}

#[divan::bench]
fn nft_audit(bencher: Bencher) {
    let inputs = as_input("nft.json", nft_ruleset(NFT_RULES));
    let ruleset = input::read(&inputs, None).expect("reads");
    let flows = role_flows();
    bencher.bench(|| flows::audit(black_box(ruleset.as_ref()), &flows));
}

/// The role's flows alone (the catalog's rules plan), for scale.
#[divan::bench]
fn flows_of_the_role(bencher: Bencher) {
    let (deployed, settings) = plan();
    bencher.bench(|| flows::flows_on(black_box(&deployed), &settings, ROLE));
}

/// A small fixed-seed generator (xorshift64*), so every run measures the
/// same input without a `rand` dependency.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True `percent` times in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Ports rules in a real estate name: VMM's own among common services, so
/// some rules decide VMM flows and most do not.
const PORTS: &[u16] = &[
    22, 53, 80, 135, 139, 443, 445, 1433, 3389, 5985, 5986, 8100, 8530, 8531, 443, 6600, 2179,
    3343, 5722, 9389, 10000,
];

fn port(dice: &mut Dice) -> u16 {
    if dice.chance(40) {
        *dice.pick(PORTS)
    } else {
        1024 + dice.below(60_000) as u16
    }
}

fn ipv4(dice: &mut Dice) -> String {
    format!(
        "10.{}.{}.{}",
        dice.below(8),
        dice.below(256),
        1 + dice.below(254)
    )
}

fn json_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// A Windows export of `count` rules, as the export line writes it under
/// PowerShell 7: allow and block, some disabled, all profile mixes, port
/// lists, ranges and RPC keywords, remote address lists, subnets, ranges
/// and keywords, program and service rules, local and Group Policy.
fn windows_export(count: usize) -> String {
    let mut dice = Dice(0x5EED_0000_3000);
    let mut rules = Vec::with_capacity(count);
    for i in 0..count {
        let inbound = dice.chance(70);
        let (direction, tag) = if inbound {
            ("Inbound", "In")
        } else {
            ("Outbound", "Out")
        };
        let protocol = *dice.pick(&["TCP", "TCP", "TCP", "UDP", "UDP", "Any", "ICMPv4", "ICMPv6"]);
        let name = if dice.chance(30) {
            format!(
                "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
                dice.next() as u32,
                dice.next() as u16,
                dice.next() as u16,
                dice.next() as u16,
                dice.next() & 0xFFFF_FFFF_FFFF
            )
        } else {
            format!("BENCH-{i:04}-{tag}-{protocol}")
        };
        let display = if dice.chance(20) {
            format!("@FirewallAPI.dll,-{}", 28_000 + i)
        } else {
            format!("Bench service {i} ({protocol}-{tag})")
        };
        let enabled = if dice.chance(12) { "False" } else { "True" };
        let action = match dice.below(100) {
            0..=79 => "Allow",
            80..=98 => "Block",
            _ => "AllowBypass",
        };
        let profile = *dice.pick(&[
            "Any",
            "Domain",
            "Private",
            "Public",
            "Domain, Private",
            "Private, Public",
        ]);
        let store = if dice.chance(25) {
            ("GroupPolicy", "bench.contoso.local")
        } else {
            ("Local", "PersistentStore")
        };
        let service_ports = |dice: &mut Dice| -> String {
            match dice.below(10) {
                0 | 1 => "\"Any\"".into(),
                2..=4 => format!("\"{}\"", port(dice)),
                5 | 6 => {
                    let n = 2 + dice.below(6) as usize;
                    json_list(&(0..n).map(|_| port(dice).to_string()).collect::<Vec<_>>())
                }
                7 => {
                    let a = 1024 + dice.below(60_000) as u16;
                    format!("\"{a}-{}\"", a.saturating_add(dice.below(500) as u16))
                }
                8 => (*dice.pick(&["\"RPC\"", "\"RPC-EPMap\"", "\"49152-65535\""])).into(),
                _ => (*dice.pick(&["\"IPHTTPSIn\"", "\"Teredo\"", "\"mDNS\""])).into(),
            }
        };
        let (local_port, remote_port) = match protocol {
            "TCP" | "UDP" if inbound => (service_ports(&mut dice), "\"Any\"".to_string()),
            "TCP" | "UDP" => ("\"Any\"".to_string(), service_ports(&mut dice)),
            _ => ("\"Any\"".to_string(), "\"Any\"".to_string()),
        };
        let icmp = if protocol.starts_with("ICMP") && dice.chance(50) {
            if protocol == "ICMPv4" {
                "\"8\""
            } else {
                "\"128\""
            }
        } else {
            "\"Any\""
        };
        let remote_address = match dice.below(10) {
            0..=3 => "\"Any\"".to_string(),
            4 => "\"LocalSubnet\"".to_string(),
            5 | 6 => {
                let n = 1 + dice.below(5) as usize;
                json_list(&(0..n).map(|_| ipv4(&mut dice)).collect::<Vec<_>>())
            }
            7 => format!(
                "[\"10.{}.{}.0/24\",\"fd00:{:x}::/64\"]",
                dice.below(8),
                dice.below(256),
                dice.below(0xFFFF)
            ),
            8 => {
                let (a, b, base) = (dice.below(8), dice.below(256), dice.below(200));
                format!("\"10.{a}.{b}.{base}-10.{a}.{b}.{}\"", base + 50)
            }
            _ => "[\"10.0.0.0/255.255.0.0\",\"DNS\",\"DefaultGateway\"]".to_string(),
        };
        let local_address = if dice.chance(10) {
            "\"10.0.0.20\""
        } else {
            "\"Any\""
        };
        let program = if dice.chance(30) {
            format!(
                "\"C:\\\\Program Files\\\\Bench\\\\app{}\\\\app{}.exe\"",
                i % 97,
                i
            )
        } else if dice.chance(5) {
            "\"System\"".into()
        } else {
            "\"Any\"".into()
        };
        let service = if dice.chance(10) {
            format!("\"benchsvc{}\"", i % 53)
        } else {
            "\"Any\"".into()
        };
        rules.push(format!(
            concat!(
                "{{\"Name\":\"{name}\",\"DisplayName\":\"{display}\",\"Enabled\":\"{enabled}\",",
                "\"Direction\":\"{direction}\",\"Action\":\"{action}\",\"Profile\":\"{profile}\",",
                "\"PolicyStoreSourceType\":\"{store_type}\",\"PolicyStoreSource\":\"{store_source}\",",
                "\"Protocol\":\"{protocol}\",\"LocalPort\":{local_port},\"RemotePort\":{remote_port},",
                "\"IcmpType\":{icmp},\"LocalAddress\":{local_address},\"RemoteAddress\":{remote_address},",
                "\"Program\":{program},\"Package\":null,\"Service\":{service}}}"
            ),
            name = name,
            display = display,
            enabled = enabled,
            direction = direction,
            action = action,
            profile = profile,
            store_type = store.0,
            store_source = store.1,
            protocol = protocol,
            local_port = local_port,
            remote_port = remote_port,
            icmp = icmp,
            local_address = local_address,
            remote_address = remote_address,
            program = program,
            service = service,
        ));
    }
    let profile = |name: &str| {
        format!(
            "{{\"Name\":\"{name}\",\"Enabled\":\"True\",\"DefaultInboundAction\":\"NotConfigured\",\"DefaultOutboundAction\":\"NotConfigured\",\"AllowInboundRules\":\"NotConfigured\",\"AllowLocalFirewallRules\":\"NotConfigured\"}}"
        )
    };
    format!(
        "{{\"Rules\":[{}],\"Profiles\":[{},{},{}],\"Connections\":[{{\"InterfaceAlias\":\"Ethernet\",\"NetworkCategory\":\"DomainAuthenticated\"}}],\"Addresses\":[{{\"IPAddress\":\"10.0.0.20\",\"PrefixLength\":24}},{{\"IPAddress\":\"fe80::20\",\"PrefixLength\":64}}]}}",
        rules.join(","),
        profile("Domain"),
        profile("Private"),
        profile("Public"),
    )
}

/// The user chains rules jump to in the nft ruleset.
const NFT_CHAINS: usize = 40;

/// `nft -j list ruleset` of one `inet filter` table with `count` rules: an
/// input chain with policy drop (conntrack, loopback, then per-address and
/// per-port rules, named and anonymous sets, verdict maps, and jumps by
/// subnet to user chains that hold most of the rules), as nft 1.0.6 prints
/// it.
fn nft_ruleset(count: usize) -> String {
    let mut dice = Dice(0x5EED_0001_0000);
    let mut items: Vec<String> = vec![
        r#"{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}"#.into(),
        r#"{"table": {"family": "inet", "name": "filter", "handle": 1}}"#.into(),
    ];
    let mut handle = 2u32;
    let mut next_handle = || {
        handle += 1;
        handle
    };
    let sets = 20;
    for s in 0..sets {
        let h = next_handle();
        let item = if s % 2 == 0 {
            let elems: Vec<String> = (0..30)
                .map(|_| {
                    if dice.chance(50) {
                        format!("\"{}\"", ipv4(&mut dice))
                    } else {
                        format!(
                            "{{\"prefix\": {{\"addr\": \"10.{}.{}.0\", \"len\": 24}}}}",
                            dice.below(8),
                            dice.below(256)
                        )
                    }
                })
                .collect();
            format!(
                r#"{{"set": {{"family": "inet", "name": "hosts{s}", "table": "filter", "type": "ipv4_addr", "handle": {h}, "flags": ["interval"], "elem": [{}]}}}}"#,
                elems.join(", ")
            )
        } else {
            let elems: Vec<String> = (0..12)
                .map(|_| {
                    if dice.chance(80) {
                        port(&mut dice).to_string()
                    } else {
                        let a = 1024 + dice.below(60_000);
                        format!("{{\"range\": [{a}, {}]}}", a + dice.below(100))
                    }
                })
                .collect();
            format!(
                r#"{{"set": {{"family": "inet", "name": "ports{s}", "table": "filter", "type": "inet_service", "handle": {h}, "flags": ["interval"], "elem": [{}]}}}}"#,
                elems.join(", ")
            )
        };
        items.push(item);
    }
    for c in 0..NFT_CHAINS {
        let h = next_handle();
        items.push(format!(
            r#"{{"chain": {{"family": "inet", "table": "filter", "name": "zone{c}", "handle": {h}}}}}"#
        ));
    }
    let input_handle = next_handle();
    items.push(format!(
        r#"{{"chain": {{"family": "inet", "table": "filter", "name": "input", "handle": {input_handle}, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}}}"#
    ));
    let output_handle = next_handle();
    items.push(format!(
        r#"{{"chain": {{"family": "inet", "table": "filter", "name": "output", "handle": {output_handle}, "type": "filter", "hook": "output", "prio": 0, "policy": "accept"}}}}"#
    ));
    let rule = |chain: &str, handle: u32, exprs: &[String]| {
        format!(
            r#"{{"rule": {{"family": "inet", "table": "filter", "chain": "{chain}", "handle": {handle}, "expr": [{}]}}}}"#,
            exprs.join(", ")
        )
    };
    let saddr = |right: String| {
        format!(
            r#"{{"match": {{"op": "==", "left": {{"payload": {{"protocol": "ip", "field": "saddr"}}}}, "right": {right}}}}}"#
        )
    };
    let dport = |proto: &str, right: String| {
        format!(
            r#"{{"match": {{"op": "==", "left": {{"payload": {{"protocol": "{proto}", "field": "dport"}}}}, "right": {right}}}}}"#
        )
    };
    let counter = r#"{"counter": {"packets": 0, "bytes": 0}}"#.to_string();
    // The usual head of an input chain.
    let head = [
        r#"{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}"#,
        r#"{"accept": null}"#,
    ];
    let mut rules = vec![rule("input", next_handle(), &head.map(str::to_string))];
    rules.push(rule(
        "input",
        next_handle(),
        &[
            r#"{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}"#
                .into(),
            r#"{"accept": null}"#.into(),
        ],
    ));
    // Jumps to the zones, one /16 each, spread through the input chain.
    let jump_every = count / (NFT_CHAINS + 1);
    let mut zone = 0;
    while rules.len() < count {
        let in_input = dice.chance(25);
        let position = rules.len();
        if position % jump_every == 0 && zone < NFT_CHAINS {
            rules.push(rule(
                "input",
                next_handle(),
                &[
                    saddr(format!(
                        r#"{{"prefix": {{"addr": "10.{}.0.0", "len": 16}}}}"#,
                        zone % 8
                    )),
                    format!(r#"{{"jump": {{"target": "zone{zone}"}}}}"#),
                ],
            ));
            zone += 1;
            continue;
        }
        let chain = if in_input {
            "input".to_string()
        } else {
            format!("zone{}", dice.below(NFT_CHAINS as u64))
        };
        let proto = if dice.chance(75) { "tcp" } else { "udp" };
        let mut exprs = Vec::new();
        match dice.below(10) {
            0..=3 => exprs.push(saddr(format!("\"{}\"", ipv4(&mut dice)))),
            4 => exprs.push(saddr(format!(
                r#"{{"prefix": {{"addr": "10.{}.{}.0", "len": 24}}}}"#,
                dice.below(8),
                dice.below(256)
            ))),
            5 => exprs.push(saddr(format!("\"@hosts{}\"", 2 * dice.below(10)))),
            6 => exprs.push(saddr(format!(
                r#"{{"range": ["10.{0}.{1}.10", "10.{0}.{1}.90"]}}"#,
                dice.below(8),
                dice.below(256)
            ))),
            _ => {}
        }
        match dice.below(10) {
            0..=4 => exprs.push(dport(proto, port(&mut dice).to_string())),
            5 | 6 => {
                let n = 2 + dice.below(5) as usize;
                let list: Vec<String> = (0..n).map(|_| port(&mut dice).to_string()).collect();
                exprs.push(dport(proto, format!(r#"{{"set": [{}]}}"#, list.join(", "))));
            }
            7 => exprs.push(dport(
                proto,
                format!("\"@ports{}\"", 2 * dice.below(10) + 1),
            )),
            8 => {
                let a = 1024 + dice.below(60_000);
                exprs.push(dport(
                    proto,
                    format!(r#"{{"range": [{a}, {}]}}"#, a + dice.below(1000)),
                ));
            }
            _ => exprs.push(dport(proto, port(&mut dice).to_string())),
        }
        if dice.chance(30) {
            exprs.push(counter.clone());
        }
        exprs.push(
            match dice.below(10) {
                0..=6 => r#"{"accept": null}"#,
                7 | 8 => r#"{"drop": null}"#,
                _ => r#"{"reject": {"type": "tcp reset"}}"#,
            }
            .into(),
        );
        rules.push(rule(&chain, next_handle(), &exprs));
    }
    items.extend(rules);
    format!("{{\"nftables\": [{}]}}", items.join(", "))
}
