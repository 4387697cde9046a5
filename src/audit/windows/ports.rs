//! A rule's port condition: numbers, ranges and the keywords Windows has
//! for ports it assigns itself (MS-GPFAS 2.2.2.19's `LPort`/`RPort`
//! values; `Get-NetFirewallPortFilter`'s `LocalPort`/`RemotePort`).

/// The dynamic range RPC services are given ports from (Windows Vista and
/// later, unless `netsh int ipv4 set dynamicport` moved it).
pub(super) const RPC_DYNAMIC: (u16, u16) = (49152, 65535);
/// The RPC endpoint mapper's port.
pub(super) const RPC_ENDPOINT_MAPPER: u16 = 135;

/// One entry of a port list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PortItem {
    /// `5985`, or `49152-65535`.
    Range(u16, u16),
    /// `RPC-EPMap` / `RPCEPMap`: whatever port the RPC endpoint mapper
    /// listens on, 135.
    EndpointMapper,
    /// `RPC`: the ports RPC services registered with the endpoint mapper,
    /// which are taken from the dynamic range.
    DynamicRpc,
    /// A keyword for a tunnel or discovery port (`IPHTTPSIn`, `Teredo`,
    /// `Ply2Disc`, `mDNS`...): traffic no VMM flow is, so it never matches.
    Special(String),
}

/// The ports a rule matches; empty is any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct PortSet {
    pub items: Vec<PortItem>,
    /// `Any` was among the entries: every port.
    pub any: bool,
}

impl PortSet {
    pub fn is_any(&self) -> bool {
        self.any || self.items.is_empty()
    }

    /// Adds one entry as written: `Any`, a port, a range or a keyword.
    pub fn add(&mut self, text: &str) -> Result<(), String> {
        match parse_item(text)? {
            None => self.any = true,
            Some(item) => self.items.push(item),
        }
        Ok(())
    }

    /// Whether `port` is in the set, and what that takes for granted.
    pub fn matches(&self, port: u16) -> Option<Vec<String>> {
        if self.is_any() {
            return Some(Vec::new());
        }
        let mut assumed = None;
        for item in &self.items {
            match item {
                PortItem::Range(a, b) if (*a..=*b).contains(&port) => return Some(Vec::new()),
                PortItem::EndpointMapper if port == RPC_ENDPOINT_MAPPER => {
                    assumed.get_or_insert_with(|| {
                        vec![format!(
                            "port {port} is the RPC endpoint mapper's (the rule's port is the keyword RPC-EPMap, which follows the RpcEptMapper service)"
                        )]
                    });
                }
                PortItem::DynamicRpc if (RPC_DYNAMIC.0..=RPC_DYNAMIC.1).contains(&port) => {
                    assumed.get_or_insert_with(|| {
                        vec![format!(
                            "port {port} is one an RPC service registered with the endpoint mapper (the rule's port is the keyword RPC, the dynamic range {}-{})",
                            RPC_DYNAMIC.0, RPC_DYNAMIC.1
                        )]
                    });
                }
                _ => {}
            }
        }
        assumed
    }

    /// Whether some port of `first..=last` may be in the set (a keyword
    /// counts where it could match).
    pub fn meets(&self, first: u16, last: u16) -> bool {
        let overlaps = |a: u16, b: u16| a <= last && first <= b;
        self.is_any()
            || self.items.iter().any(|item| match item {
                PortItem::Range(a, b) => overlaps(*a, *b),
                PortItem::EndpointMapper => overlaps(RPC_ENDPOINT_MAPPER, RPC_ENDPOINT_MAPPER),
                PortItem::DynamicRpc => overlaps(RPC_DYNAMIC.0, RPC_DYNAMIC.1),
                PortItem::Special(_) => false,
            })
    }

    /// Where the set starts and stops matching: `a` and `b + 1` of each
    /// interval.
    pub fn bounds(&self, out: &mut Vec<u16>) {
        if self.is_any() {
            return;
        }
        let mut push = |a: u16, b: u16| {
            out.push(a);
            if let Some(next) = b.checked_add(1) {
                out.push(next);
            }
        };
        for item in &self.items {
            match item {
                PortItem::Range(a, b) => push(*a, *b),
                PortItem::EndpointMapper => push(RPC_ENDPOINT_MAPPER, RPC_ENDPOINT_MAPPER),
                PortItem::DynamicRpc => push(RPC_DYNAMIC.0, RPC_DYNAMIC.1),
                PortItem::Special(_) => {}
            }
        }
    }

    /// The set as a person reads it: `5985, 5986`.
    pub fn words(&self) -> String {
        if self.is_any() {
            return "any".into();
        }
        let words: Vec<String> = self
            .items
            .iter()
            .map(|item| match item {
                PortItem::Range(a, b) if a == b => a.to_string(),
                PortItem::Range(a, b) => format!("{a}-{b}"),
                PortItem::EndpointMapper => "RPC-EPMap".into(),
                PortItem::DynamicRpc => "RPC".into(),
                PortItem::Special(word) => word.clone(),
            })
            .collect();
        words.join(", ")
    }
}

/// One entry; `None` for `Any`.
fn parse_item(text: &str) -> Result<Option<PortItem>, String> {
    let word = text.trim();
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "any" | "*" => return Ok(None),
        "rpc-epmap" | "rpcepmap" => return Ok(Some(PortItem::EndpointMapper)),
        "rpc" => return Ok(Some(PortItem::DynamicRpc)),
        _ => {}
    }
    if word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        if word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Ok(Some(PortItem::Special(word.to_string())));
        }
        return Err(format!("`{word}` is not a port, a range or a port keyword"));
    }
    let number = |part: &str| -> Result<u16, String> {
        part.trim()
            .parse::<u16>()
            .map_err(|_| format!("`{word}` is not a port: a port is a number from 0 to 65535"))
    };
    match word.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            if a > b {
                return Err(format!("`{word}` is a range that ends before it starts"));
            }
            Ok(Some(PortItem::Range(a, b)))
        }
        None => {
            let port = number(word)?;
            Ok(Some(PortItem::Range(port, port)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(entries: &[&str]) -> PortSet {
        let mut set = PortSet::default();
        for e in entries {
            set.add(e).unwrap();
        }
        set
    }

    #[test]
    fn numbers_ranges_and_any_match_without_assumptions() {
        let s = set(&["5985", "8000-8010"]);
        assert_eq!(s.matches(5985), Some(vec![]));
        assert_eq!(s.matches(8010), Some(vec![]));
        assert_eq!(s.matches(8011), None);
        assert!(set(&["Any"]).matches(1).is_some());
        let mut bounds = Vec::new();
        s.bounds(&mut bounds);
        assert_eq!(bounds, vec![5985, 5986, 8000, 8011]);
    }

    #[test]
    fn rpc_keywords_match_with_an_assumption_and_tunnels_never() {
        let s = set(&["RPC-EPMap", "RPC", "IPHTTPSIn"]);
        assert!(!s.matches(135).unwrap().is_empty());
        assert!(!s.matches(50000).unwrap().is_empty());
        assert_eq!(s.matches(443), None);
        assert_eq!(s.matches(136), None);
    }

    #[test]
    fn malformed_ports_are_refused() {
        for bad in ["70000", "10-", "20-10", "5985;5986"] {
            assert!(PortSet::default().add(bad).is_err(), "{bad}");
        }
    }
}
