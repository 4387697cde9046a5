//! Remote addresses a rule can be scoped to, validated before they reach any
//! command: IPv4, IPv6, CIDR networks, `a-b` ranges and the Windows Firewall
//! keywords.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    /// One address.
    Ip(IpAddr),
    /// A network: address and prefix length.
    Net(IpAddr, u8),
    /// An inclusive range of one family, first ≤ last.
    Range(IpAddr, IpAddr),
    /// A Windows Firewall keyword such as `LocalSubnet` (Windows dialects only).
    Keyword(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// Keywords `New-NetFirewallRule -RemoteAddress` accepts, in its spelling.
pub const POWERSHELL_KEYWORDS: &[&str] = &[
    "Any",
    "LocalSubnet",
    "LocalSubnet4",
    "LocalSubnet6",
    "DNS",
    "DHCP",
    "WINS",
    "DefaultGateway",
    "Internet",
    "Intranet",
    "IntranetRemoteAccess",
    "PlayToDevice",
];

/// The keywords `netsh advfirewall` also understands.
pub const NETSH_KEYWORDS: &[&str] = &[
    "Any",
    "LocalSubnet",
    "DNS",
    "DHCP",
    "WINS",
    "DefaultGateway",
];

impl Address {
    /// Parses one address; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Address, String> {
        let text = text.trim();
        if let Some(keyword) = POWERSHELL_KEYWORDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(text))
        {
            return Ok(Address::Keyword(keyword));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Address::Ip(ip));
        }
        if let Some((ip, prefix)) = text.split_once('/') {
            let ip: IpAddr = ip.parse().map_err(|_| bad(text))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            return match prefix.parse::<u8>() {
                Ok(p) if p <= max => Ok(Address::Net(ip, p)),
                _ => Err(format!("`{text}`: the prefix length must be 0-{max}")),
            };
        }
        if let Some((a, b)) = text.split_once('-') {
            let (a, b): (IpAddr, IpAddr) = (
                a.trim().parse().map_err(|_| bad(text))?,
                b.trim().parse().map_err(|_| bad(text))?,
            );
            if a.is_ipv4() != b.is_ipv4() {
                return Err(format!("`{text}`: a range must not mix IPv4 and IPv6"));
            }
            if a > b {
                return Err(format!(
                    "`{text}`: the range ends before it starts; write `{b}-{a}`"
                ));
            }
            return Ok(Address::Range(a, b));
        }
        Err(bad(text))
    }

    /// The IP family, or `None` for keywords.
    pub fn family(&self) -> Option<Family> {
        let ip = match self {
            Address::Ip(ip) | Address::Net(ip, _) | Address::Range(ip, _) => ip,
            Address::Keyword(_) => return None,
        };
        Some(if ip.is_ipv4() { Family::V4 } else { Family::V6 })
    }

    /// The same addresses as CIDR networks (for dialects without ranges);
    /// a range becomes the fewest networks that cover exactly it.
    pub fn to_networks(&self) -> Vec<Address> {
        match *self {
            Address::Range(IpAddr::V4(a), IpAddr::V4(b)) => {
                cover(u32::from(a).into(), u32::from(b).into(), 32)
                    .into_iter()
                    .map(|(n, p)| Address::Net(IpAddr::V4(Ipv4Addr::from(n as u32)), p))
                    .collect()
            }
            Address::Range(IpAddr::V6(a), IpAddr::V6(b)) => {
                cover(u128::from(a), u128::from(b), 128)
                    .into_iter()
                    .map(|(n, p)| Address::Net(IpAddr::V6(Ipv6Addr::from(n)), p))
                    .collect()
            }
            other => vec![other],
        }
    }

    /// A single host address, the only kind a probe can connect to.
    pub fn host(&self) -> Option<IpAddr> {
        match *self {
            Address::Ip(ip) => Some(ip),
            Address::Net(ip, p) if (ip.is_ipv4() && p == 32) || p == 128 => Some(ip),
            _ => None,
        }
    }
}

fn bad(text: &str) -> String {
    format!(
        "`{text}` is not an address: use an IPv4 or IPv6 address, a CIDR network (10.0.0.0/24), a range (10.0.0.5-10.0.0.9) or a Windows keyword such as LocalSubnet"
    )
}

/// The largest aligned blocks covering `first..=last` in a `bits`-wide space.
fn cover(mut first: u128, last: u128, bits: u8) -> Vec<(u128, u8)> {
    let mut out = Vec::new();
    loop {
        // The biggest block that starts at `first` (alignment) and fits.
        let mut size_bits = if first == 0 {
            u32::from(bits)
        } else {
            first.trailing_zeros().min(u32::from(bits))
        };
        while size_bits > 0 && block_end(first, size_bits) > last {
            size_bits -= 1;
        }
        out.push((first, bits - size_bits as u8));
        let end = block_end(first, size_bits);
        if end >= last {
            return out;
        }
        first = end + 1;
    }
}

fn block_end(first: u128, size_bits: u32) -> u128 {
    if size_bits >= 128 {
        u128::MAX
    } else {
        first.saturating_add((1u128 << size_bits) - 1)
    }
}

impl fmt::Display for Address {
    /// The neutral spelling: `10.0.0.5`, `10.0.0.0/24`, `10.0.0.5-10.0.0.9`, `LocalSubnet`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => write!(f, "{ip}"),
            Address::Net(ip, p) => write!(f, "{ip}/{p}"),
            Address::Range(a, b) => write!(f, "{a}-{b}"),
            Address::Keyword(k) => f.write_str(k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        assert_eq!(Address::parse("10.0.0.5").unwrap().to_string(), "10.0.0.5");
        assert_eq!(
            Address::parse("fe80::1").unwrap().family(),
            Some(Family::V6)
        );
        assert_eq!(
            Address::parse("10.0.0.0/24").unwrap().to_string(),
            "10.0.0.0/24"
        );
        assert_eq!(
            Address::parse("10.0.0.5-10.0.0.9").unwrap().to_string(),
            "10.0.0.5-10.0.0.9"
        );
        assert_eq!(
            Address::parse("localsubnet").unwrap(),
            Address::Keyword("LocalSubnet")
        );
        for bad in [
            "10.0.0.256",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.9-10.0.0.5",
            "10.0.0.1-::1",
            "host;rm",
            "",
            "a b",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_become_exact_networks() {
        let nets = |r: &str| {
            Address::parse(r)
                .unwrap()
                .to_networks()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(nets("10.0.0.0-10.0.0.255"), ["10.0.0.0/24"]);
        assert_eq!(
            nets("10.0.0.5-10.0.0.9"),
            ["10.0.0.5/32", "10.0.0.6/31", "10.0.0.8/31"]
        );
        assert_eq!(nets("0.0.0.0-255.255.255.255"), ["0.0.0.0/0"]);
        assert_eq!(nets("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ["::/0"]);
        assert_eq!(nets("10.0.0.7-10.0.0.7"), ["10.0.0.7/32"]);
    }
}
