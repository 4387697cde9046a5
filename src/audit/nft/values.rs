//! nft's words for numbers: priorities, protocol names, ICMP types, flag
//! bits, and how a literal on a rule's right-hand side becomes an [`Atom`]
//! for the key it is compared with.

use std::net::IpAddr;

use serde_json::Value;

use super::ast::{Atom, FibQuery, IpVersion, Key, MaskedKey};

/// A base chain's priority: a number, or a named one (`filter`, `raw`,
/// `filter + 10`), as newer nft prints it.
pub(crate) fn priority(value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let text = value.as_str()?.replace(' ', "");
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let split = text.find(['+', '-']).unwrap_or(text.len());
    let (name, offset) = text.split_at(split);
    let base = match name {
        "raw" => -300,
        "mangle" => -150,
        "dstnat" => -100,
        "filter" => 0,
        "security" => 50,
        "srcnat" => 100,
        _ => return None,
    };
    let offset = if offset.is_empty() {
        0
    } else {
        offset.trim_start_matches('+').parse::<i64>().ok()?
    };
    Some(base + offset)
}

/// The bits of `ct state` nft prints by name.
const CT_STATES: &[(&str, u128)] = &[
    ("invalid", 1),
    ("established", 2),
    ("related", 4),
    ("new", 8),
    ("untracked", 64),
];

/// The bits of `ct status`.
const CT_STATUS: &[(&str, u128)] = &[
    ("expected", 1),
    ("seen-reply", 2),
    ("assured", 4),
    ("confirmed", 8),
    ("snat", 16),
    ("dnat", 32),
    ("dying", 512),
];

/// Route types a `fib ... type` lookup answers with.
const FIB_TYPES: &[(&str, u128)] = &[
    ("unspec", 0),
    ("unicast", 1),
    ("local", 2),
    ("broadcast", 3),
    ("anycast", 4),
    ("multicast", 5),
    ("blackhole", 6),
    ("unreachable", 7),
    ("prohibit", 8),
];

/// TCP's flag bits.
const TCP_FLAGS: &[(&str, u128)] = &[
    ("fin", 0x01),
    ("syn", 0x02),
    ("rst", 0x04),
    ("psh", 0x08),
    ("ack", 0x10),
    ("urg", 0x20),
    ("ecn", 0x40),
    ("cwr", 0x80),
];

/// IP protocol numbers by the names nft prints (/etc/protocols).
const PROTOCOLS: &[(&str, u128)] = &[
    ("icmp", 1),
    ("igmp", 2),
    ("ipencap", 4),
    ("tcp", 6),
    ("egp", 8),
    ("udp", 17),
    ("dccp", 33),
    ("ipv6", 41),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("icmpv6", 58),
    ("ipv6-icmp", 58),
    ("comp", 108),
    ("sctp", 132),
    ("udplite", 136),
];

const ICMP_TYPES: &[(&str, u128)] = &[
    ("echo-reply", 0),
    ("destination-unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
    ("info-request", 15),
    ("info-reply", 16),
    ("address-mask-request", 17),
    ("address-mask-reply", 18),
];

const ICMPV6_TYPES: &[(&str, u128)] = &[
    ("destination-unreachable", 1),
    ("packet-too-big", 2),
    ("time-exceeded", 3),
    ("parameter-problem", 4),
    ("echo-request", 128),
    ("echo-reply", 129),
    ("mld-listener-query", 130),
    ("mld-listener-report", 131),
    ("mld-listener-done", 132),
    ("mld-listener-reduction", 132),
    ("nd-router-solicit", 133),
    ("nd-router-advert", 134),
    ("nd-neighbor-solicit", 135),
    ("nd-neighbor-advert", 136),
    ("nd-redirect", 137),
    ("router-renumbering", 138),
    ("ind-neighbor-solicit", 141),
    ("ind-neighbor-advert", 142),
    ("mld2-listener-report", 143),
];

const NFPROTOS: &[(&str, u128)] = &[("ipv4", 2), ("ipv6", 10)];
const ETHER_TYPES: &[(&str, u128)] = &[("ip", 0x0800), ("ip6", 0x86dd), ("arp", 0x0806)];
const PKT_TYPES: &[(&str, u128)] = &[
    ("host", 0),
    ("broadcast", 1),
    ("multicast", 2),
    ("other", 3),
];

/// The number nft means by `name` for `key`, if this reader knows it.
pub(crate) fn symbol(key: Key, name: &str) -> Option<u128> {
    let table = match key {
        Key::CtState | Key::Masked(MaskedKey::CtState, _) => CT_STATES,
        Key::TcpFlags | Key::Masked(MaskedKey::TcpFlags, _) => TCP_FLAGS,
        Key::IpProtocol | Key::Ip6Nexthdr | Key::L4proto => PROTOCOLS,
        Key::IcmpType(IpVersion::V4) => ICMP_TYPES,
        Key::IcmpType(IpVersion::V6) => ICMPV6_TYPES,
        Key::Nfproto => NFPROTOS,
        Key::EtherProtocol => ETHER_TYPES,
        Key::PktType => PKT_TYPES,
        Key::CtStatus => CT_STATUS,
        Key::Fib(FibQuery::DaddrType | FibQuery::SaddrType) => FIB_TYPES,
        Key::Fib(FibQuery::Oif) => &[("missing", 0)],
        _ => &[],
    };
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// Whether `key` holds flag bits, so a list on the right means "any of".
pub(crate) fn is_flags(key: Key) -> bool {
    matches!(key, Key::CtState | Key::CtStatus | Key::TcpFlags)
}

/// Whether `key` is compared as an interface name.
pub(crate) fn is_name(key: Key) -> bool {
    matches!(key, Key::Iifname | Key::Oifname | Key::Iif | Key::Oif)
}

/// The largest value `key` can hold, for `<`, `>`, and address ranges.
pub(crate) fn max_of(key: Key) -> u128 {
    match key {
        Key::Saddr(IpVersion::V4) | Key::Daddr(IpVersion::V4) => u32::MAX as u128,
        Key::Saddr(IpVersion::V6) | Key::Daddr(IpVersion::V6) => u128::MAX,
        Key::Dport(_) | Key::Sport(_) | Key::EtherProtocol => u16::MAX as u128,
        _ => u8::MAX as u128,
    }
}

/// An address as a number of its family.
pub(crate) fn address_number(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

/// A number of `key`'s kind back as an address, for boundaries.
pub(crate) fn number_address(key: Key, n: u128) -> Option<IpAddr> {
    match key {
        Key::Saddr(IpVersion::V4) | Key::Daddr(IpVersion::V4) => {
            Some(IpAddr::V4(u32::try_from(n).ok()?.into()))
        }
        Key::Saddr(IpVersion::V6) | Key::Daddr(IpVersion::V6) => Some(IpAddr::V6(n.into())),
        _ => None,
    }
}

/// One scalar of `key`'s kind: a number, a symbol, an address, a name.
fn scalar(key: Key, value: &Value) -> Option<u128> {
    if let Some(n) = value.as_u64() {
        return Some(n as u128);
    }
    // `fib ... oif missing` is printed as `false`: no interface.
    if let Some(exists) = value.as_bool() {
        return Some(exists.into());
    }
    let text = value.as_str()?;
    if let Some(number_address) = text.parse::<IpAddr>().ok().map(address_number) {
        return Some(number_address);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return u128::from_str_radix(hex, 16).ok();
    }
    if let Ok(n) = text.parse::<u128>() {
        return Some(n);
    }
    symbol(key, text)
}

/// A literal, prefix or range on the right of `key`, as an atom. Anything
/// else it could be, this reader keeps as [`Atom::Opaque`].
pub(crate) fn atom(key: Key, value: &Value) -> Atom {
    let opaque = || Atom::Opaque(super::render::value(value));
    if is_name(key) {
        return match value {
            Value::String(s) => Atom::Name(s.clone()),
            _ => opaque(),
        };
    }
    if let Some(prefix) = value.get("prefix") {
        let (Some(addr), Some(len)) = (
            prefix
                .get("addr")
                .and_then(|a| a.as_str()?.parse::<IpAddr>().ok()),
            prefix.get("len").and_then(Value::as_u64),
        ) else {
            return opaque();
        };
        let bits: u32 = if addr.is_ipv4() { 32 } else { 128 };
        let Ok(len) = u32::try_from(len) else {
            return opaque();
        };
        if len > bits {
            return opaque();
        }
        let host_bits = bits - len;
        let span: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let start = address_number(addr) & !span;
        return Atom::Range(start, start | span);
    }
    if let Some(range) = value.get("range").and_then(Value::as_array) {
        return match (
            range.first().and_then(|v| scalar(key, v)),
            range.get(1).and_then(|v| scalar(key, v)),
        ) {
            (Some(a), Some(b)) if a <= b => Atom::Range(a, b),
            _ => opaque(),
        };
    }
    match scalar(key, value) {
        Some(n) => Atom::Range(n, n),
        None => opaque(),
    }
}

/// The bits of a flag list (`["syn", "ack"]`) or one flag (`"syn"`).
pub(crate) fn flag_mask(key: Key, value: &Value) -> Option<u128> {
    match value {
        Value::Array(items) => items
            .iter()
            .try_fold(0u128, |mask, item| Some(mask | scalar(key, item)?)),
        _ => scalar(key, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::nft::ast::Transport;
    use serde_json::json;

    #[test]
    fn named_priorities_and_offsets_become_numbers() {
        assert_eq!(priority(&json!(-5)), Some(-5));
        assert_eq!(priority(&json!("raw")), Some(-300));
        assert_eq!(priority(&json!("filter + 10")), Some(10));
        assert_eq!(priority(&json!("mangle - 1")), Some(-151));
        assert_eq!(priority(&json!("nonsense")), None);
    }

    #[test]
    fn a_prefix_covers_its_network_and_a_range_its_ends() {
        let key = Key::Saddr(IpVersion::V4);
        let net = atom(key, &json!({"prefix": {"addr": "10.0.0.0", "len": 24}}));
        assert_eq!(net, Atom::Range(0x0a00_0000, 0x0a00_00ff));
        let all = atom(key, &json!({"prefix": {"addr": "0.0.0.0", "len": 0}}));
        assert_eq!(all, Atom::Range(0, u32::MAX as u128));
        let v6 = atom(
            Key::Saddr(IpVersion::V6),
            &json!({"prefix": {"addr": "::", "len": 0}}),
        );
        assert_eq!(v6, Atom::Range(0, u128::MAX));
        let ports = atom(Key::Dport(Transport::Tcp), &json!({"range": [1000, 2000]}));
        assert_eq!(ports, Atom::Range(1000, 2000));
        assert!(matches!(
            atom(Key::L4proto, &json!("frob")),
            Atom::Opaque(_)
        ));
        assert_eq!(
            atom(Key::IcmpType(IpVersion::V6), &json!("echo-request")),
            Atom::Range(128, 128)
        );
    }
}
