//! The values an iptables option takes, in the spellings `iptables-save`
//! prints and admins write: protocols, addresses, ports, ICMP types, TCP
//! flags. Each parser says what was wrong and how to write it instead.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::tables::{AddressRange, PortRange};

/// What is wrong with one value, and how to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    pub message: String,
    pub hint: Option<String>,
}

impl Bad {
    fn new(message: String, hint: &str) -> Bad {
        Bad {
            message,
            hint: Some(hint.to_string()),
        }
    }
}

/// `-p`: a protocol name or number; `None` for `all` (and 0).
pub fn protocol(word: &str) -> Result<Option<u8>, Bad> {
    if let Ok(number) = word.parse::<u8>() {
        return Ok((number != 0).then_some(number));
    }
    let number = match word.to_ascii_lowercase().as_str() {
        "all" => return Ok(None),
        "icmp" => 1,
        "igmp" => 2,
        "ipip" | "ipencap" => 4,
        "tcp" => 6,
        "egp" => 8,
        "udp" => 17,
        "ipv6" => 41,
        "ipv6-route" => 43,
        "ipv6-frag" => 44,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" | "icmpv6" => 58,
        "ipv6-nonxt" => 59,
        "ipv6-opts" => 60,
        "ospf" | "ospfigp" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "l2tp" => 115,
        "sctp" => 132,
        "mh" | "ipv6-mh" => 135,
        "udplite" => 136,
        "dccp" => 33,
        _ => {
            return Err(Bad::new(
                format!("unknown protocol `{word}`"),
                "use a name such as tcp, udp, icmp, ipv6-icmp, all, or the protocol number",
            ));
        }
    };
    Ok(Some(number))
}

/// Well-known service names `--dport` accepts, for files written by hand
/// (`iptables-save` prints numbers). The list covers VMM's and the usual
/// admin services; another name is refused with a hint to use the number.
const SERVICES: &[(&str, u16)] = &[
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("domain", 53),
    ("dns", 53),
    ("http", 80),
    ("www", 80),
    ("kerberos", 88),
    ("ntp", 123),
    ("epmap", 135),
    ("loc-srv", 135),
    ("netbios-ns", 137),
    ("netbios-dgm", 138),
    ("netbios-ssn", 139),
    ("snmp", 161),
    ("ldap", 389),
    ("https", 443),
    ("microsoft-ds", 445),
    ("ldaps", 636),
    ("ms-sql-s", 1433),
    ("ms-sql-m", 1434),
    ("ms-wbt-server", 3389),
    ("wsman", 5985),
    ("wsmans", 5986),
];

pub fn port(word: &str) -> Result<u16, Bad> {
    if let Ok(number) = word.parse::<u16>() {
        return Ok(number);
    }
    SERVICES
        .iter()
        .find(|(name, _)| *name == word)
        .map(|&(_, number)| number)
        .ok_or_else(|| {
            Bad::new(
                format!("`{word}` is not a port"),
                "give the port number (0-65535); service names other than the common ones are not known here",
            )
        })
}

/// One `--dport` value: `N`, `N:M`, `N:` (to 65535) or `:M` (from 0).
pub fn port_range(word: &str) -> Result<PortRange, Bad> {
    let Some((first, last)) = word.split_once(':') else {
        let single = port(word)?;
        return Ok((single, single));
    };
    let first = if first.is_empty() { 0 } else { port(first)? };
    let last = if last.is_empty() {
        u16::MAX
    } else {
        port(last)?
    };
    if first > last {
        return Err(Bad::new(
            format!("port range `{word}` runs backwards"),
            "write the lower port first, as in 49152:65535",
        ));
    }
    Ok((first, last))
}

/// multiport's comma list of ports and ranges.
pub fn port_list(word: &str) -> Result<Vec<PortRange>, Bad> {
    word.split(',').map(port_range).collect()
}

/// `-s`/`-d`: a comma list of addresses, each with an optional prefix
/// length or dotted mask.
pub fn address_list(word: &str) -> Result<Vec<AddressRange>, Bad> {
    word.split(',').map(network).collect()
}

fn network(word: &str) -> Result<AddressRange, Bad> {
    let (address, mask) = match word.split_once('/') {
        Some((address, mask)) => (address, Some(mask)),
        None => (word, None),
    };
    let address = address_only(address)?;
    let bits = match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    let prefix = match mask {
        None => bits,
        Some(mask) => prefix_length(mask, address, bits)?,
    };
    Ok(prefix_range(address, prefix))
}

fn prefix_length(mask: &str, address: IpAddr, bits: u32) -> Result<u32, Bad> {
    if let Ok(length) = mask.parse::<u32>() {
        if length <= bits {
            return Ok(length);
        }
        return Err(Bad::new(
            format!("prefix length /{length} is longer than the address"),
            "IPv4 prefixes go up to /32, IPv6 ones to /128",
        ));
    }
    let as_mask = match (address, mask.parse::<IpAddr>()) {
        (IpAddr::V4(_), Ok(IpAddr::V4(m))) => u128::from(u32::from(m)) << 96,
        (IpAddr::V6(_), Ok(IpAddr::V6(m))) => u128::from(m),
        _ => {
            return Err(Bad::new(
                format!("`{mask}` is not a mask"),
                "write a prefix length (/24) or a dotted mask (/255.255.255.0)",
            ));
        }
    };
    let ones = as_mask.leading_ones();
    if as_mask.checked_shl(ones).unwrap_or(0) != 0 {
        return Err(Bad::new(
            format!("mask `{mask}` is not contiguous"),
            "this reader handles masks whose ones come first (a prefix length)",
        ));
    }
    Ok(ones)
}

/// The first and last address of `address/prefix`.
fn prefix_range(address: IpAddr, prefix: u32) -> AddressRange {
    match address {
        IpAddr::V4(a) => {
            let host_bits = 32 - prefix;
            let span = if host_bits == 32 {
                u32::MAX
            } else {
                (1u32 << host_bits) - 1
            };
            let first = u32::from(a) & !span;
            AddressRange {
                first: IpAddr::V4(Ipv4Addr::from(first)),
                last: IpAddr::V4(Ipv4Addr::from(first | span)),
            }
        }
        IpAddr::V6(a) => {
            let host_bits = 128 - prefix;
            let span = if host_bits == 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            let first = u128::from(a) & !span;
            AddressRange {
                first: IpAddr::V6(Ipv6Addr::from(first)),
                last: IpAddr::V6(Ipv6Addr::from(first | span)),
            }
        }
    }
}

fn address_only(word: &str) -> Result<IpAddr, Bad> {
    word.parse::<IpAddr>().map_err(|_| {
        Bad::new(
            format!("`{word}` is not an IP address"),
            "iptables-save prints addresses; a host name here would be resolved when the rules were loaded, so give its address",
        )
    })
}

/// iprange's `A-B` (or a single address).
pub fn address_span(word: &str) -> Result<AddressRange, Bad> {
    let (first, last) = match word.split_once('-') {
        Some((first, last)) => (address_only(first)?, address_only(last)?),
        None => {
            let single = address_only(word)?;
            (single, single)
        }
    };
    let range = AddressRange { first, last };
    let ordered = match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a <= b,
        (IpAddr::V6(a), IpAddr::V6(b)) => a <= b,
        _ => {
            return Err(Bad::new(
                format!("`{word}` mixes IPv4 and IPv6"),
                "both ends of a range are of one family",
            ));
        }
    };
    if !ordered {
        return Err(Bad::new(
            format!("address range `{word}` runs backwards"),
            "write the lower address first",
        ));
    }
    Ok(range)
}

/// Whether `--icmp-type` (`v6` false) or `--icmpv6-type` covers an echo
/// request, the only ICMP packet VMM's flows send. Names other than the
/// echo request's are taken as other types without checking the whole
/// list, since none of them covers it.
pub fn icmp_type_covers_echo_request(word: &str, v6: bool) -> Result<bool, Bad> {
    let echo: u8 = if v6 { 128 } else { 8 };
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "any" => return Ok(true),
        "echo-request" | "ping" => return Ok(true),
        _ => {}
    }
    let (kind, code) = match lower.split_once('/') {
        Some((kind, code)) => (kind, Some(code)),
        None => (lower.as_str(), None),
    };
    if let Ok(kind) = kind.parse::<u8>() {
        let code_matches = match code {
            None => true,
            Some(code) => code.parse::<u8>().map_err(|_| bad_icmp(word))? == 0,
        };
        return Ok(kind == echo && code_matches);
    }
    if code.is_none() && lower.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Ok(false);
    }
    Err(bad_icmp(word))
}

fn bad_icmp(word: &str) -> Bad {
    Bad::new(
        format!("`{word}` is not an ICMP type"),
        "write a type name (echo-request) or number, optionally with /code",
    )
}

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;
pub const URG: u8 = 0x20;
pub const ECE: u8 = 0x40;
pub const CWR: u8 = 0x80;

/// `--tcp-flags`' comma list of flag names.
pub fn tcp_flags(word: &str) -> Result<u8, Bad> {
    word.split(',').try_fold(0u8, |all, name| {
        let flag = match name.to_ascii_uppercase().as_str() {
            "FIN" => FIN,
            "SYN" => SYN,
            "RST" => RST,
            "PSH" => PSH,
            "ACK" => ACK,
            "URG" => URG,
            "ECE" => ECE,
            "CWR" => CWR,
            "ALL" => 0xff,
            "NONE" => 0,
            _ => {
                return Err(Bad::new(
                    format!("`{name}` is not a TCP flag"),
                    "flags are SYN, ACK, FIN, RST, URG, PSH, ECE, CWR, ALL, NONE",
                ));
            }
        };
        Ok(all | flag)
    })
}

/// Whether a conntrack/state list names NEW (the state of every packet
/// asked about) and whether it names UNTRACKED (its state once a raw rule
/// exempts it from tracking); checks the other names so a typo is not
/// taken silently.
pub fn state_list(word: &str) -> Result<(bool, bool), Bad> {
    let mut new = false;
    let mut untracked = false;
    for name in word.split(',') {
        match name.to_ascii_uppercase().as_str() {
            "NEW" => new = true,
            "UNTRACKED" => untracked = true,
            "ESTABLISHED" | "RELATED" | "INVALID" | "SNAT" | "DNAT" => {}
            _ => {
                return Err(Bad::new(
                    format!("`{name}` is not a connection state"),
                    "states are NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT, DNAT",
                ));
            }
        }
    }
    Ok((new, untracked))
}

/// A mark number, hexadecimal (`0x10`) or decimal.
pub fn mark_number(word: &str) -> Result<u32, Bad> {
    let parsed = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => word.parse::<u32>(),
    };
    parsed.map_err(|_| {
        Bad::new(
            format!("`{word}` is not a mark"),
            "a mark is a 32-bit number, such as 0x10 or 16",
        )
    })
}

/// `VALUE[/MASK]`, the mask all ones when left out.
pub fn mark_with_mask(word: &str) -> Result<(u32, u32), Bad> {
    match word.split_once('/') {
        Some((value, mask)) => Ok((mark_number(value)?, mark_number(mask)?)),
        None => Ok((mark_number(word)?, u32::MAX)),
    }
}

/// addrtype's comma list of address types, checked and upper-cased.
pub fn address_types(word: &str) -> Result<Vec<String>, Bad> {
    word.split(',')
        .map(|name| {
            let upper = name.to_ascii_uppercase();
            match upper.as_str() {
                "UNSPEC" | "UNICAST" | "LOCAL" | "BROADCAST" | "ANYCAST" | "MULTICAST"
                | "BLACKHOLE" | "UNREACHABLE" | "PROHIBIT" | "THROW" | "NAT" | "XRESOLVE" => {
                    Ok(upper)
                }
                _ => Err(Bad::new(
                    format!("`{name}` is not an address type"),
                    "types are UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE, UNSPEC",
                )),
            }
        })
        .collect()
}

/// Whether pkttype's `--pkt-type` names a unicast packet.
pub fn packet_type_is_unicast(word: &str) -> Result<bool, Bad> {
    match word.to_ascii_lowercase().as_str() {
        "unicast" | "host" => Ok(true),
        "broadcast" | "multicast" | "otherhost" | "outgoing" | "loopback" | "fastroute" => {
            Ok(false)
        }
        _ => Err(Bad::new(
            format!("`{word}` is not a packet type"),
            "packet types are unicast, broadcast, multicast",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_dotted_mask_is_the_same_network_as_its_prefix() {
        assert_eq!(
            address_list("10.1.2.3/255.255.255.0").unwrap(),
            address_list("10.1.2.0/24").unwrap()
        );
        let range = address_list("10.1.2.3/24").unwrap()[0];
        assert_eq!(
            (range.first, range.last),
            (v4("10.1.2.0"), v4("10.1.2.255"))
        );
    }

    #[test]
    fn a_zero_prefix_covers_every_address_of_its_family() {
        let range = address_list("::/0").unwrap()[0];
        assert!(range.contains("2001:db8::1".parse().unwrap()));
        assert!(!range.contains(v4("10.0.0.1")));
    }

    #[test]
    fn a_mask_with_holes_is_refused() {
        assert!(address_list("10.0.0.0/255.0.255.0").is_err());
    }

    #[test]
    fn open_ended_port_ranges_run_to_the_ends() {
        assert_eq!(port_range("80:").unwrap(), (80, 65535));
        assert_eq!(port_range(":1023").unwrap(), (0, 1023));
        assert_eq!(port_range("https").unwrap(), (443, 443));
        assert!(port_range("90:80").is_err());
    }

    #[test]
    fn icmp_types_cover_the_echo_request_by_name_number_and_code() {
        assert!(icmp_type_covers_echo_request("echo-request", false).unwrap());
        assert!(icmp_type_covers_echo_request("8", false).unwrap());
        assert!(icmp_type_covers_echo_request("8/0", false).unwrap());
        assert!(!icmp_type_covers_echo_request("8/1", false).unwrap());
        assert!(!icmp_type_covers_echo_request("8", true).unwrap());
        assert!(icmp_type_covers_echo_request("128", true).unwrap());
        assert!(!icmp_type_covers_echo_request("destination-unreachable", false).unwrap());
        assert!(icmp_type_covers_echo_request("8/x", false).is_err());
    }

    #[test]
    fn syn_is_a_tcp_flag_and_typos_are_not() {
        assert_eq!(tcp_flags("FIN,SYN,RST,ACK").unwrap(), FIN | SYN | RST | ACK);
        assert!(tcp_flags("SYNN").is_err());
    }
}
