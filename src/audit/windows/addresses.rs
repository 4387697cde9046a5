//! A rule's address condition: addresses, subnets (`/24` or
//! `/255.255.255.0`), ranges `a-b` and the keywords Windows resolves on the
//! machine itself (`LocalSubnet`, `DNS`, `DefaultGateway`...), in both
//! spellings: the cmdlets' (`Internet`, `IntranetRemoteAccess`) and the
//! registry's (`IntErnet`, `RmtIntrAnet`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address family, for keywords limited to one (`LocalSubnet4`, or any
/// keyword under the registry's `RA4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(ip: IpAddr) -> Family {
        if ip.is_ipv4() { Family::V4 } else { Family::V6 }
    }
}

/// One entry of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AddressItem {
    /// A single address, a subnet or a range, as its first and last
    /// address (same family).
    Range(IpAddr, IpAddr),
    /// A keyword, in the cmdlets' spelling, limited to a family or not.
    Keyword(String, Option<Family>),
}

/// The addresses a rule matches; empty is any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct AddressSet {
    pub items: Vec<AddressItem>,
    pub any: bool,
}

/// The machine's own addresses with their prefix lengths, which
/// `LocalSubnet` stands for.
pub(super) type Subnets = [(IpAddr, u8)];

impl AddressSet {
    pub fn is_any(&self) -> bool {
        self.any || self.items.is_empty()
    }

    /// Adds one entry as written; `family` limits it (the registry's
    /// `RA4`/`RA6`).
    pub fn add(&mut self, text: &str, family: Option<Family>) -> Result<(), String> {
        let word = text.trim();
        if word.eq_ignore_ascii_case("any") || word == "*" {
            self.any = true;
            return Ok(());
        }
        if word.starts_with(|c: char| c.is_ascii_alphabetic()) && !looks_like_ipv6(word) {
            let (keyword, suffix) = keyword(word)
                .ok_or_else(|| format!("`{word}` is neither an address nor an address keyword"))?;
            self.items
                .push(AddressItem::Keyword(keyword.to_string(), suffix.or(family)));
            return Ok(());
        }
        let (first, last) = range(word)?;
        if family.is_some_and(|f| f != Family::of(first)) {
            return Err(format!(
                "`{word}` is not of the address family its field is for"
            ));
        }
        self.items.push(AddressItem::Range(first, last));
        Ok(())
    }

    /// Whether `address` (the peer, or this machine's end when `local`)
    /// is in the set. `None` (not known) and the keywords only the machine
    /// can resolve are assumed to match, and the assumption is returned.
    pub fn matches(
        &self,
        address: Option<IpAddr>,
        subnets: &Subnets,
        what: &str,
    ) -> Option<Vec<String>> {
        if self.is_any() {
            return Some(Vec::new());
        }
        let Some(ip) = address else {
            return Some(vec![format!(
                "{what} is one of {} (the rule limits it, and it is not known)",
                self.words()
            )]);
        };
        let mut assumed = None;
        for item in &self.items {
            match item {
                AddressItem::Range(a, b) => {
                    if in_range(ip, *a, *b) {
                        return Some(Vec::new());
                    }
                }
                AddressItem::Keyword(_, Some(f)) if *f != Family::of(ip) => {}
                AddressItem::Keyword(k, _) if k == "LocalSubnet" && !subnets.is_empty() => {
                    if subnets.iter().any(|(net, len)| {
                        let (a, b) = prefix_range(*net, *len);
                        in_range(ip, a, b)
                    }) {
                        return Some(Vec::new());
                    }
                }
                AddressItem::Keyword(k, _) => {
                    assumed.get_or_insert_with(|| {
                        let why = if k == "LocalSubnet" {
                            "the input has none of this machine's addresses to tell".to_string()
                        } else {
                            "only the machine can resolve that keyword".to_string()
                        };
                        vec![format!(
                            "{what} {ip} is in the rule's `{k}` addresses ({why})"
                        )]
                    });
                }
            }
        }
        assumed
    }

    /// Where the set starts and stops matching: the first address of each
    /// range, and the one after its last.
    pub fn bounds(&self, subnets: &Subnets, out: &mut Vec<IpAddr>) {
        if self.is_any() {
            return;
        }
        let mut push = |a: IpAddr, b: IpAddr| {
            out.push(a);
            if let Some(next) = successor(b) {
                out.push(next);
            }
        };
        for item in &self.items {
            match item {
                AddressItem::Range(a, b) => push(*a, *b),
                AddressItem::Keyword(k, _) if k == "LocalSubnet" => {
                    for (net, len) in subnets {
                        let (a, b) = prefix_range(*net, *len);
                        push(a, b);
                    }
                }
                AddressItem::Keyword(..) => {}
            }
        }
    }

    pub fn words(&self) -> String {
        if self.is_any() {
            return "any address".into();
        }
        let words: Vec<String> = self
            .items
            .iter()
            .map(|item| match item {
                AddressItem::Range(a, b) if a == b => a.to_string(),
                AddressItem::Range(a, b) => format!("{a}-{b}"),
                AddressItem::Keyword(k, _) => k.clone(),
            })
            .collect();
        words.join(", ")
    }
}

/// `fe80::1` starts with a letter too.
fn looks_like_ipv6(word: &str) -> bool {
    word.contains(':')
}

/// A keyword in the cmdlets' spelling, and the family a `4`/`6` suffix
/// limits it to.
fn keyword(word: &str) -> Option<(&'static str, Option<Family>)> {
    const KEYWORDS: [(&str, &str); 14] = [
        ("localsubnet", "LocalSubnet"),
        ("dns", "DNS"),
        ("dhcp", "DHCP"),
        ("wins", "WINS"),
        ("defaultgateway", "DefaultGateway"),
        ("internet", "Internet"),
        ("intranet", "Intranet"),
        ("intranetremoteaccess", "IntranetRemoteAccess"),
        ("rmtintranet", "IntranetRemoteAccess"),
        ("playtodevice", "PlayToDevice"),
        ("ply2renders", "PlayToDevice"),
        ("captiveportal", "CaptivePortal"),
        ("cloudresources", "CloudResources"),
        ("loopback", "Loopback"),
    ];
    let lower = word.to_ascii_lowercase();
    let (stem, family) = match lower.as_bytes().last() {
        Some(b'4') => (&lower[..lower.len() - 1], Some(Family::V4)),
        Some(b'6') => (&lower[..lower.len() - 1], Some(Family::V6)),
        _ => (lower.as_str(), None),
    };
    KEYWORDS
        .iter()
        .find(|(spelling, _)| *spelling == stem)
        .map(|(_, name)| (*name, family))
}

/// First and last address of `10.0.0.1`, `10.0.0.0/24`,
/// `10.0.0.0/255.255.255.0`, `10.0.0.1-10.0.0.9`, `fd00::/8`.
fn range(word: &str) -> Result<(IpAddr, IpAddr), String> {
    let ip = |part: &str| -> Result<IpAddr, String> {
        part.trim()
            .parse::<IpAddr>()
            .map_err(|_| format!("`{}` is not an IP address", part.trim()))
    };
    if let Some((a, b)) = word.split_once('-') {
        let (a, b) = (ip(a)?, ip(b)?);
        if Family::of(a) != Family::of(b) || key(a) > key(b) {
            return Err(format!(
                "`{word}` is not a range from a lower to a higher address of one family"
            ));
        }
        return Ok((a, b));
    }
    if let Some((net, mask)) = word.split_once('/') {
        let net = ip(net)?;
        let len = match (net, mask.parse::<u8>(), mask.parse::<Ipv4Addr>()) {
            (_, Ok(len), _) => len,
            (IpAddr::V4(_), _, Ok(mask)) => {
                let bits = u32::from(mask);
                if bits.leading_ones() + bits.trailing_zeros() != 32 {
                    return Err(format!("`{word}` has a mask whose ones are not contiguous"));
                }
                bits.leading_ones() as u8
            }
            _ => return Err(format!("`{word}` has no prefix length or mask after `/`")),
        };
        let max = if net.is_ipv4() { 32 } else { 128 };
        if len > max {
            return Err(format!("`{word}` has a prefix longer than {max} bits"));
        }
        return Ok(prefix_range(net, len));
    }
    let one = ip(word)?;
    Ok((one, one))
}

/// Family first, then the number: v4 sorts below v6, as `IpAddr` does.
fn key(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn in_range(ip: IpAddr, first: IpAddr, last: IpAddr) -> bool {
    Family::of(ip) == Family::of(first) && key(first) <= key(ip) && key(ip) <= key(last)
}

/// The first and last address of `net/len`.
pub(super) fn prefix_range(net: IpAddr, len: u8) -> (IpAddr, IpAddr) {
    match net {
        IpAddr::V4(v4) => {
            let host_bits = 32 - u32::from(len.min(32));
            let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
            let first = u32::from(v4) & mask;
            (
                IpAddr::V4(Ipv4Addr::from(first)),
                IpAddr::V4(Ipv4Addr::from(first | !mask)),
            )
        }
        IpAddr::V6(v6) => {
            let host_bits = 128 - u32::from(len.min(128));
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            let first = u128::from(v6) & mask;
            (
                IpAddr::V6(Ipv6Addr::from(first)),
                IpAddr::V6(Ipv6Addr::from(first | !mask)),
            )
        }
    }
}

fn successor(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V4(v4) => u32::from(v4)
            .checked_add(1)
            .map(|n| IpAddr::V4(Ipv4Addr::from(n))),
        IpAddr::V6(v6) => u128::from(v6)
            .checked_add(1)
            .map(|n| IpAddr::V6(Ipv6Addr::from(n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn masks_prefixes_and_ranges_cover_the_same_addresses() {
        for written in [
            "10.1.2.0/255.255.255.0",
            "10.1.2.0/24",
            "10.1.2.0-10.1.2.255",
        ] {
            let mut set = AddressSet::default();
            set.add(written, None).unwrap();
            assert_eq!(
                set.matches(Some(ip("10.1.2.77")), &[], "the peer"),
                Some(vec![]),
                "{written}"
            );
            assert_eq!(
                set.matches(Some(ip("10.1.3.0")), &[], "the peer"),
                None,
                "{written}"
            );
            let mut bounds = Vec::new();
            set.bounds(&[], &mut bounds);
            assert_eq!(bounds, vec![ip("10.1.2.0"), ip("10.1.3.0")]);
        }
    }

    #[test]
    fn local_subnet_uses_the_machines_addresses_or_is_assumed() {
        let mut set = AddressSet::default();
        set.add("LocalSubnet", None).unwrap();
        let subnets = [(ip("192.168.5.20"), 24)];
        assert_eq!(
            set.matches(Some(ip("192.168.5.9")), &subnets, "the peer"),
            Some(vec![])
        );
        assert_eq!(
            set.matches(Some(ip("192.168.6.9")), &subnets, "the peer"),
            None
        );
        assert!(
            !set.matches(Some(ip("192.168.6.9")), &[], "the peer")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn registry_spellings_and_family_suffixes_are_keywords() {
        let mut set = AddressSet::default();
        set.add("IntErnet", None).unwrap();
        set.add("RmtIntrAnet", None).unwrap();
        set.add("DNS6", None).unwrap();
        assert_eq!(set.items[0], AddressItem::Keyword("Internet".into(), None));
        assert_eq!(
            set.items[1],
            AddressItem::Keyword("IntranetRemoteAccess".into(), None)
        );
        assert_eq!(
            set.items[2],
            AddressItem::Keyword("DNS".into(), Some(Family::V6))
        );
        assert!(AddressSet::default().add("Nowhere", None).is_err());
        assert!(
            AddressSet::default()
                .add("10.0.0.0/255.0.255.0", None)
                .is_err()
        );
        assert!(AddressSet::default().add("fe80::/64", None).is_ok());
    }
}
