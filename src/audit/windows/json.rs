//! The JSON file [`super::export::EXPORT_COMMAND`] writes, from either
//! PowerShell (the module docs give its shape).
//!
//! What differs between Windows PowerShell 5.1 and PowerShell 7, all read:
//! - enums: 5.1 writes numbers (`Enabled` 1 True / 2 False, `Direction`
//!   1 Inbound / 2 Outbound, `Action` 2 Allow / 3 AllowBypass / 4 Block,
//!   `Profile` flags Domain 1, Private 2, Public 4 with 0 for any,
//!   `NetworkCategory` 0 Public / 1 Private / 2 DomainAuthenticated,
//!   `DefaultInboundAction` 0 NotConfigured / 2 Allow / 4 Block, GpoBoolean
//!   0 False / 1 True / 2 NotConfigured); 7 writes the same numbers, or
//!   names with `-EnumsAsStrings` (`"Domain, Private"` for flags);
//! - one value where a list belongs (`"5985"` for `["80","443"]`), one
//!   object where a list of objects belongs, and 5.1's
//!   `{"value": [...], "Count": n}` for a list it was handed whole.
//!
//! Property names are matched without regard to case, as PowerShell does.
//! A property this reader does not know is left alone (someone's extra
//! `Select-Object` column).

use std::net::IpAddr;

use serde_json::value::RawValue;

use super::eval::Source;
use super::profile::{Profile, ProfileSet, ProfileSettings, ProfileTable};
use super::rule::{Action, Condition, Rule, RuleProtocol, Store};
use crate::audit::model::{Direction, InputError};
use crate::file_text::position_of;

const EXPORT_HINT: &str = "export the firewall again with the PowerShell line vmmports gives for Windows (audit::windows::EXPORT_COMMAND)";

/// Whether `text` looks like JSON.
pub(super) fn is_json(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
}

/// One scalar value as PowerShell wrote it.
enum Scalar {
    Null,
    Bool(bool),
    Number(i64),
    Text(String),
}

struct Doc<'a> {
    file: &'a str,
    text: &'a str,
}

type Fields<'a> = Vec<(String, &'a RawValue)>;

impl<'a> Doc<'a> {
    fn error_at(&self, offset: usize, message: String, hint: &str) -> InputError {
        let (line, column) = position_of(self.text, offset);
        InputError {
            file: self.file.to_string(),
            line,
            column,
            message,
            hint: Some(hint.to_string()),
        }
    }

    /// An error where `raw` starts: a borrowed `RawValue` is a slice of
    /// the text itself.
    fn error(&self, raw: &RawValue, message: String, hint: &str) -> InputError {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.error_at(offset, message, hint)
    }

    fn object(&self, raw: &'a RawValue, what: &str) -> Result<Fields<'a>, InputError> {
        if !raw.get().starts_with('{') {
            return Err(self.error(raw, format!("expected {what} (an object)"), EXPORT_HINT));
        }
        let parsed: std::collections::BTreeMap<String, &'a RawValue> =
            serde_json::from_str(raw.get())
                .map_err(|e| self.error(raw, crate::text::json_message(&e), EXPORT_HINT))?;
        Ok(parsed.into_iter().collect())
    }

    /// A list as any of the shapes PowerShell writes one in.
    fn list(&self, raw: &'a RawValue) -> Result<Vec<&'a RawValue>, InputError> {
        let text = raw.get();
        if text == "null" {
            return Ok(Vec::new());
        }
        if text.starts_with('[') {
            return serde_json::from_str(text)
                .map_err(|e| self.error(raw, crate::text::json_message(&e), EXPORT_HINT));
        }
        if text.starts_with('{') {
            let fields = self.object(raw, "a list")?;
            let names: Vec<String> = fields.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
            if names.len() == 2
                && names.contains(&"value".to_string())
                && names.contains(&"count".to_string())
                && let Some((_, inner)) =
                    fields.iter().find(|(k, _)| k.eq_ignore_ascii_case("value"))
                && inner.get().starts_with('[')
            {
                return self.list(inner);
            }
        }
        Ok(vec![raw])
    }

    fn scalar(&self, raw: &RawValue, field: &str) -> Result<Scalar, InputError> {
        match serde_json::from_str::<serde_json::Value>(raw.get()) {
            Ok(serde_json::Value::Null) => Ok(Scalar::Null),
            Ok(serde_json::Value::Bool(b)) => Ok(Scalar::Bool(b)),
            Ok(serde_json::Value::Number(n)) => n.as_i64().map(Scalar::Number).ok_or_else(|| {
                self.error(
                    raw,
                    format!("`{field}` is the number {n}, not a whole number"),
                    EXPORT_HINT,
                )
            }),
            Ok(serde_json::Value::String(s)) => Ok(Scalar::Text(s)),
            _ => Err(self.error(raw, format!("`{field}` is not a single value"), EXPORT_HINT)),
        }
    }

    /// Every text of a value that may be one or a list: numbers become
    /// their digits.
    fn strings(
        &self,
        raw: &'a RawValue,
        field: &str,
    ) -> Result<Vec<(String, &'a RawValue)>, InputError> {
        let mut out = Vec::new();
        for item in self.list(raw)? {
            match self.scalar(item, field)? {
                Scalar::Null => {}
                Scalar::Bool(b) => out.push((b.to_string(), item)),
                Scalar::Number(n) => out.push((n.to_string(), item)),
                Scalar::Text(s) => out.push((s, item)),
            }
        }
        Ok(out)
    }

    /// An enum's value as a lowercase name: a number through `numbers`, a
    /// name as written.
    fn enum_word(
        &self,
        raw: &RawValue,
        field: &str,
        numbers: &[(i64, &str)],
        hint: &str,
    ) -> Result<Option<String>, InputError> {
        match self.scalar(raw, field)? {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b.to_string())),
            Scalar::Number(n) => match numbers.iter().find(|(k, _)| *k == n) {
                Some((_, word)) => Ok(Some(word.to_string())),
                None => Err(self.error(raw, format!("`{field}` is {n}"), hint)),
            },
            // A number written as text ("1") is still the enum's number.
            Scalar::Text(s) => match s.trim().parse::<i64>() {
                Ok(n) => match numbers.iter().find(|(k, _)| *k == n) {
                    Some((_, word)) => Ok(Some(word.to_string())),
                    None => Err(self.error(raw, format!("`{field}` is {n}"), hint)),
                },
                Err(_) => Ok(Some(s.trim().to_ascii_lowercase())),
            },
        }
    }
}

fn field<'a>(fields: &Fields<'a>, name: &str) -> Option<&'a RawValue> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

pub(super) fn read(file: &str, text: &str) -> Result<Source, InputError> {
    let doc = Doc { file, text };
    let top: &RawValue = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        InputError {
            file: file.to_string(),
            line,
            column,
            message: crate::text::json_message(&e),
            hint: Some("the file is not JSON as ConvertTo-Json writes it; export it again".into()),
        }
    })?;
    if !top.get().starts_with('{') {
        return Err(doc.error(
            top,
            "expected one object with Rules, Profiles, Connections and Addresses".into(),
            "this looks like Get-NetFirewallRule's output alone, which has no ports, addresses or profiles; export with vmmports' Windows export line instead",
        ));
    }
    let fields = doc.object(top, "the export")?;
    let Some(rules) = field(&fields, "Rules") else {
        return Err(doc.error(top, "the export has no `Rules`".into(), EXPORT_HINT));
    };
    let mut source = Source::default();
    for item in doc.list(rules)? {
        source.rules.push(rule(&doc, item)?);
    }
    if let Some(profiles) = field(&fields, "Profiles") {
        for item in doc.list(profiles)? {
            profile(&doc, item, &mut source.effective)?;
        }
    }
    if let Some(connections) = field(&fields, "Connections") {
        for item in doc.list(connections)? {
            if let Some(connection) = connection(&doc, item)? {
                source.connections.push(connection);
            }
        }
    }
    if let Some(addresses) = field(&fields, "Addresses") {
        for item in doc.list(addresses)? {
            if let Some(subnet) = address(&doc, item)? {
                source.subnets.push(subnet);
            }
        }
    }
    source.summary = format!(
        "{file}: Windows Firewall ActiveStore export ({}, {}, {})",
        count(source.rules.len(), "rule"),
        count(source.connections.len(), "connection profile"),
        count(source.subnets.len(), "address")
    );
    Ok(source)
}

fn rule<'a>(doc: &Doc<'a>, raw: &'a RawValue) -> Result<Rule, InputError> {
    let fields = doc.object(raw, "a rule")?;
    let text_of = |name: &str| -> Result<Option<String>, InputError> {
        match field(&fields, name) {
            None => Ok(None),
            Some(v) => Ok(doc.strings(v, name)?.into_iter().next().map(|(s, _)| s)),
        }
    };
    let Some(name) = text_of("Name")? else {
        return Err(doc.error(raw, "this rule has no `Name`".into(), EXPORT_HINT));
    };
    let store = match field(&fields, "PolicyStoreSourceType") {
        None => Store::Other(String::new()),
        Some(v) => {
            let numbers = [
                (0, "none"),
                (1, "local"),
                (2, "grouppolicy"),
                (3, "dynamic"),
                (4, "generated"),
                (5, "hardcoded"),
                (6, "mdm"),
            ];
            match doc
                .enum_word(
                    v,
                    "PolicyStoreSourceType",
                    &numbers,
                    "PolicyStoreSourceType is Local, GroupPolicy, Dynamic...",
                )?
                .as_deref()
            {
                Some("local") => Store::Local,
                Some("grouppolicy") => Store::GroupPolicy,
                Some(other) => Store::Other(other.to_string()),
                None => Store::Other(String::new()),
            }
        }
    };
    let mut rule = Rule::new(name, store);
    rule.display_name = text_of("DisplayName")?;
    if let Some(v) = field(&fields, "Enabled") {
        rule.enabled = match doc
            .enum_word(
                v,
                "Enabled",
                &[(1, "true"), (2, "false")],
                "Enabled is True (1) or False (2)",
            )?
            .as_deref()
        {
            Some("true") => true,
            Some("false") | None => false,
            Some(other) => {
                return Err(doc.error(
                    v,
                    format!("`Enabled` is `{other}`"),
                    "Enabled is True (1) or False (2)",
                ));
            }
        };
    }
    let hint = "Direction is Inbound (1) or Outbound (2)";
    let Some(direction) = field(&fields, "Direction") else {
        return Err(doc.error(raw, "this rule has no `Direction`".into(), EXPORT_HINT));
    };
    rule.direction = match doc
        .enum_word(
            direction,
            "Direction",
            &[(1, "inbound"), (2, "outbound")],
            hint,
        )?
        .as_deref()
    {
        Some("inbound" | "in") => Direction::Inbound,
        Some("outbound" | "out") => Direction::Outbound,
        other => {
            return Err(doc.error(
                direction,
                format!("`Direction` is `{}`", other.unwrap_or("null")),
                hint,
            ));
        }
    };
    let hint = "Action is Allow (2), AllowBypass (3) or Block (4)";
    let Some(action) = field(&fields, "Action") else {
        return Err(doc.error(raw, "this rule has no `Action`".into(), EXPORT_HINT));
    };
    rule.action = match doc
        .enum_word(
            action,
            "Action",
            &[(2, "allow"), (3, "allowbypass"), (4, "block")],
            hint,
        )?
        .as_deref()
    {
        Some("allow") => Action::Allow,
        Some("allowbypass" | "bypass") => Action::Bypass,
        Some("block") => Action::Block,
        other => {
            return Err(doc.error(
                action,
                format!("`Action` is `{}`", other.unwrap_or("null")),
                hint,
            ));
        }
    };
    if let Some(v) = field(&fields, "Profile") {
        rule.profiles = profiles(doc, v)?;
    }
    if let Some(v) = field(&fields, "Protocol") {
        rule.protocol = protocol(doc, v)?;
    }
    let port_hint = "a port is a number, a range a-b, Any, or a keyword such as RPC or RPCEPMap";
    let address_hint = "an address is an IP, a subnet (/24 or /255.255.255.0), a range a-b, Any, or a keyword such as LocalSubnet";
    for (name, set) in [
        ("LocalPort", &mut rule.local_ports),
        ("RemotePort", &mut rule.remote_ports),
    ] {
        if let Some(v) = field(&fields, name) {
            for (word, at) in doc.strings(v, name)? {
                set.add(&word).map_err(|e| doc.error(at, e, port_hint))?;
            }
        }
    }
    if let Some(v) = field(&fields, "IcmpType") {
        for (word, at) in doc.strings(v, "IcmpType")? {
            rule.icmp_types
                .add(&word)
                .map_err(|e| doc.error(at, e, "an ICMP type is a number, type:code, or Any"))?;
        }
    }
    for (name, set) in [
        ("LocalAddress", &mut rule.local_addresses),
        ("RemoteAddress", &mut rule.remote_addresses),
    ] {
        if let Some(v) = field(&fields, name) {
            for (word, at) in doc.strings(v, name)? {
                set.add(&word, None)
                    .map_err(|e| doc.error(at, e, address_hint))?;
            }
        }
    }
    type Make = fn(String) -> Condition;
    let conditions: [(&str, Make); 3] = [
        ("Program", Condition::Program),
        ("Service", Condition::Service),
        ("Package", Condition::Package),
    ];
    for (name, make) in conditions {
        if let Some(value) = text_of(name)? {
            let value = value.trim();
            if !value.is_empty() && !value.eq_ignore_ascii_case("any") {
                rule.conditions.push(make(value.to_string()));
            }
        }
    }
    Ok(rule)
}

/// `Profile`: flags as a number, `"Any"`, `"Domain, Private"`, or a list.
fn profiles<'a>(doc: &Doc<'a>, raw: &'a RawValue) -> Result<ProfileSet, InputError> {
    let hint = "Profile is Any (0) or flags Domain (1), Private (2), Public (4)";
    let mut bits = 0u8;
    for (word, at) in doc.strings(raw, "Profile")? {
        if let Ok(n) = word.parse::<u8>() {
            bits |= n;
            continue;
        }
        for part in word.split(',') {
            let part = part.trim();
            if part.eq_ignore_ascii_case("any") {
                return Ok(ProfileSet(0));
            }
            let profile = Profile::from_word(part)
                .ok_or_else(|| doc.error(at, format!("`Profile` is `{word}`"), hint))?;
            bits |= profile.bit();
        }
    }
    Ok(ProfileSet(bits))
}

fn protocol<'a>(doc: &Doc<'a>, raw: &'a RawValue) -> Result<RuleProtocol, InputError> {
    let hint = "Protocol is TCP, UDP, ICMPv4, ICMPv6, Any or a number from 0 to 255";
    let Some((word, at)) = doc.strings(raw, "Protocol")?.into_iter().next() else {
        return Ok(RuleProtocol(None));
    };
    let number = match word.trim().to_ascii_lowercase().as_str() {
        "any" | "256" => return Ok(RuleProtocol(None)),
        "tcp" => 6,
        "udp" => 17,
        "icmpv4" | "icmp" => 1,
        "icmpv6" => 58,
        digits => digits
            .parse::<u8>()
            .map_err(|_| doc.error(at, format!("`Protocol` is `{word}`"), hint))?,
    };
    Ok(RuleProtocol(Some(number)))
}

/// GpoBoolean: False 0, True 1, NotConfigured 2.
fn gpo_boolean<'a>(
    doc: &Doc<'a>,
    raw: &'a RawValue,
    name: &str,
) -> Result<Option<bool>, InputError> {
    let hint = "the value is True (1), False (0) or NotConfigured (2)";
    match doc
        .enum_word(
            raw,
            name,
            &[(0, "false"), (1, "true"), (2, "notconfigured")],
            hint,
        )?
        .as_deref()
    {
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some("notconfigured") | None => Ok(None),
        Some(other) => Err(doc.error(raw, format!("`{name}` is `{other}`"), hint)),
    }
}

/// A default action: whether it blocks; `None` for NotConfigured.
fn default_action<'a>(
    doc: &Doc<'a>,
    raw: &'a RawValue,
    name: &str,
) -> Result<Option<bool>, InputError> {
    let hint = "a default action is NotConfigured (0), Allow (2) or Block (4)";
    match doc
        .enum_word(
            raw,
            name,
            &[(0, "notconfigured"), (2, "allow"), (4, "block")],
            hint,
        )?
        .as_deref()
    {
        Some("allow") => Ok(Some(false)),
        Some("block") => Ok(Some(true)),
        Some("notconfigured") | None => Ok(None),
        Some(other) => Err(doc.error(raw, format!("`{name}` is `{other}`"), hint)),
    }
}

fn profile<'a>(
    doc: &Doc<'a>,
    raw: &'a RawValue,
    table: &mut ProfileTable,
) -> Result<(), InputError> {
    let fields = doc.object(raw, "a profile")?;
    let hint = "a profile's Name is Domain, Private or Public";
    let Some(name_raw) = field(&fields, "Name") else {
        return Err(doc.error(raw, "this profile has no `Name`".into(), hint));
    };
    let name = doc
        .strings(name_raw, "Name")?
        .into_iter()
        .next()
        .map(|(s, _)| s)
        .unwrap_or_default();
    let Some(which) = Profile::from_word(&name) else {
        return Err(doc.error(name_raw, format!("`Name` is `{name}`"), hint));
    };
    let mut settings = ProfileSettings::default();
    if let Some(v) = field(&fields, "Enabled") {
        settings.enabled = gpo_boolean(doc, v, "Enabled")?;
    }
    if let Some(v) = field(&fields, "DefaultInboundAction") {
        settings.inbound_blocks = default_action(doc, v, "DefaultInboundAction")?;
    }
    if let Some(v) = field(&fields, "DefaultOutboundAction") {
        settings.outbound_blocks = default_action(doc, v, "DefaultOutboundAction")?;
    }
    if let Some(v) = field(&fields, "AllowInboundRules") {
        settings.inbound_rules_allowed = gpo_boolean(doc, v, "AllowInboundRules")?;
    }
    if let Some(v) = field(&fields, "AllowLocalFirewallRules") {
        settings.local_rules_merge = gpo_boolean(doc, v, "AllowLocalFirewallRules")?;
    }
    *table.get_mut(which) = settings;
    Ok(())
}

fn connection<'a>(
    doc: &Doc<'a>,
    raw: &'a RawValue,
) -> Result<Option<(String, Profile)>, InputError> {
    let fields = doc.object(raw, "a connection profile")?;
    let alias = match field(&fields, "InterfaceAlias") {
        Some(v) => doc
            .strings(v, "InterfaceAlias")?
            .into_iter()
            .next()
            .map(|(s, _)| s),
        None => None,
    }
    .unwrap_or_default();
    let Some(category) = field(&fields, "NetworkCategory") else {
        return Ok(None);
    };
    let hint = "NetworkCategory is Public (0), Private (1) or DomainAuthenticated (2)";
    let word = doc.enum_word(
        category,
        "NetworkCategory",
        &[(0, "public"), (1, "private"), (2, "domainauthenticated")],
        hint,
    )?;
    match word.as_deref().map(Profile::from_word) {
        Some(Some(profile)) => Ok(Some((alias, profile))),
        None => Ok(None),
        Some(None) => Err(doc.error(
            category,
            format!("`NetworkCategory` is `{}`", word.unwrap_or_default()),
            hint,
        )),
    }
}

fn address<'a>(doc: &Doc<'a>, raw: &'a RawValue) -> Result<Option<(IpAddr, u8)>, InputError> {
    let fields = doc.object(raw, "an address")?;
    let Some(ip_raw) = field(&fields, "IPAddress") else {
        return Ok(None);
    };
    let Some((text, at)) = doc.strings(ip_raw, "IPAddress")?.into_iter().next() else {
        return Ok(None);
    };
    // A link-local IPv6 address carries its zone: fe80::1%12.
    let bare = text.split('%').next().unwrap_or("");
    let ip: IpAddr = bare
        .parse()
        .map_err(|_| doc.error(at, format!("`{text}` is not an IP address"), EXPORT_HINT))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let length = match field(&fields, "PrefixLength") {
        Some(v) => match doc.strings(v, "PrefixLength")?.into_iter().next() {
            Some((n, at)) => n.parse::<u8>().ok().filter(|n| *n <= max).ok_or_else(|| {
                doc.error(
                    at,
                    format!("`PrefixLength` is `{n}`"),
                    "a prefix length is 0 to 32 (IPv4) or 128 (IPv6)",
                )
            })?,
            None => max,
        },
        None => max,
    };
    Ok(Some((ip, length)))
}

/// `1 rule`, `3 rules`, `2 addresses`.
pub(super) fn count(n: usize, word: &str) -> String {
    let plural = if word.ends_with('s') { "es" } else { "s" };
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::windows::ports::PortItem;

    fn one_rule(fields: &str) -> Result<Rule, InputError> {
        let text = format!("{{\"Rules\": {{{fields}}}}}");
        read("t.json", &text).map(|mut s| s.rules.remove(0))
    }

    #[test]
    fn names_numbers_and_numbers_as_text_are_one_enum() {
        for (enabled, direction, action) in [
            ("\"True\"", "\"Inbound\"", "\"Block\""),
            ("1", "1", "4"),
            ("\"1\"", "\"1\"", "\"4\""),
            ("true", "\"In\"", "\"block\""),
        ] {
            let rule = one_rule(&format!(
                "\"Name\": \"R\", \"Enabled\": {enabled}, \"Direction\": {direction}, \"Action\": {action}"
            ))
            .unwrap();
            assert!(rule.enabled);
            assert_eq!(rule.direction, Direction::Inbound);
            assert_eq!(rule.action, Action::Block);
        }
    }

    #[test]
    fn profile_flags_read_as_numbers_names_and_lists() {
        for (written, bits) in [
            ("5", 5),
            ("\"Domain, Public\"", 5),
            ("[\"Domain\", \"Public\"]", 5),
            ("\"Any\"", 0),
            ("0", 0),
        ] {
            let rule = one_rule(&format!(
                "\"Name\": \"R\", \"Direction\": 1, \"Action\": 2, \"Profile\": {written}"
            ))
            .unwrap();
            assert_eq!(rule.profiles, ProfileSet(bits), "{written}");
        }
    }

    #[test]
    fn a_single_port_and_a_wrapped_list_are_lists() {
        let rule = one_rule(
            "\"Name\": \"R\", \"Direction\": 1, \"Action\": 2, \"LocalPort\": {\"value\": [\"80\", 443], \"Count\": 2}, \"RemotePort\": \"8080\"",
        )
        .unwrap();
        assert_eq!(
            rule.local_ports.items,
            vec![PortItem::Range(80, 80), PortItem::Range(443, 443)]
        );
        assert_eq!(rule.remote_ports.items, vec![PortItem::Range(8080, 8080)]);
    }

    #[test]
    fn a_rule_without_its_action_is_refused_where_it_starts() {
        let e = one_rule("\"Name\": \"R\", \"Direction\": 1").unwrap_err();
        assert_eq!((e.line, e.column), (1, 11), "{e}");
        assert!(e.message.contains("Action"), "{e}");
    }
}
