//! The registry's rule strings (MS-GPFAS 2.2.2.19):
//! `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=5985|RA4=10.0.0.1-10.0.0.9|Name=...|`.
//!
//! A version, then `Key=Value` fields each ended by `|`; a key may repeat
//! (`Profile=`, `LPort=`, `RA4=`). A field no version of Windows uses for
//! matching (`Desc`, `EmbedCtxt`, `Platform`...), or one newer than this
//! reader, is passed over: a new field must not make a whole export
//! unreadable.

use super::addresses::Family;
use super::profile::{Profile, ProfileSet};
use super::rule::{Action, Condition, Rule, RuleProtocol, Store};
use crate::audit::model::Direction;

/// What is wrong with a rule string, and where in it (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FieldError {
    pub offset: usize,
    pub message: String,
    pub hint: &'static str,
}

const GRAMMAR_HINT: &str = "a rule string is v2.xx|Key=Value|Key=Value|... as MS-GPFAS 2.2.2.19 gives it; export the key again with reg export";

/// Parses the rule stored under value name `id` in `store`.
pub(super) fn parse(id: &str, text: &str, store: Store) -> Result<Rule, FieldError> {
    let mut rule = Rule::new(id.to_string(), store);
    let mut fields = split(text);
    let Some((0, version)) = fields.next() else {
        return Err(at(0, "the rule string is empty".into(), GRAMMAR_HINT));
    };
    if !is_version(version) {
        return Err(at(
            0,
            format!("the rule string starts with `{version}`, not a version such as v2.30"),
            GRAMMAR_HINT,
        ));
    }
    for (offset, field) in fields {
        if field.is_empty() {
            continue;
        }
        let Some((key, value)) = field.split_once('=') else {
            return Err(at(
                offset,
                format!("the field `{field}` has no `=`"),
                GRAMMAR_HINT,
            ));
        };
        let value_at = offset + key.len() + 1;
        apply(&mut rule, key, value).map_err(|(message, hint)| at(value_at, message, hint))?;
    }
    Ok(rule)
}

/// The fields after splitting on `|`, with their offsets.
fn split(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('|').map(move |field| {
        let start = offset;
        offset += field.len() + 1;
        (start, field)
    })
}

fn is_version(word: &str) -> bool {
    word.strip_prefix(['v', 'V'])
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        })
}

fn at(offset: usize, message: String, hint: &'static str) -> FieldError {
    FieldError {
        offset,
        message,
        hint,
    }
}

type Refusal = (String, &'static str);

fn apply(rule: &mut Rule, key: &str, value: &str) -> Result<(), Refusal> {
    let port = |e: String| {
        (
            e,
            "a port is a number, a range a-b, or a keyword such as RPC or RPC-EPMap",
        )
    };
    let address = |e: String| {
        (
            e,
            "an address is an IP, a subnet (/24 or /255.255.255.0), a range a-b, or a keyword such as LocalSubnet",
        )
    };
    match key {
        "Action" => {
            rule.action = match value.to_ascii_lowercase().as_str() {
                "allow" => Action::Allow,
                "block" => Action::Block,
                "bypass" => Action::Bypass,
                _ => {
                    return Err((
                        format!("Action is `{value}`"),
                        "Action is Allow, Block or ByPass",
                    ));
                }
            }
        }
        "Active" => {
            rule.enabled = match value.to_ascii_uppercase().as_str() {
                "TRUE" => true,
                "FALSE" => false,
                _ => return Err((format!("Active is `{value}`"), "Active is TRUE or FALSE")),
            }
        }
        "Dir" => {
            rule.direction = match value.to_ascii_lowercase().as_str() {
                "in" => Direction::Inbound,
                "out" => Direction::Outbound,
                _ => return Err((format!("Dir is `{value}`"), "Dir is In or Out")),
            }
        }
        "Protocol" => {
            let number = value.parse::<u16>().ok().filter(|n| *n <= 256).ok_or_else(|| {
                (
                    format!("Protocol is `{value}`"),
                    "Protocol is an IANA protocol number: 6 for TCP, 17 for UDP, 1 ICMPv4, 58 ICMPv6",
                )
            })?;
            rule.protocol = RuleProtocol(u8::try_from(number).ok());
        }
        "Profile" if value.eq_ignore_ascii_case("Any") => {}
        "Profile" => {
            let profile = Profile::from_word(value).ok_or_else(|| {
                (
                    format!("Profile is `{value}`"),
                    "Profile is Domain, Private or Public (one field each)",
                )
            })?;
            rule.profiles = ProfileSet(rule.profiles.0 | profile.bit());
        }
        "LPort" | "LPort2_10" | "LPort2_20" => rule.local_ports.add(value).map_err(port)?,
        "RPort" | "RPort2_10" | "RPort2_20" => rule.remote_ports.add(value).map_err(port)?,
        "ICMP4" | "ICMP6" => rule
            .icmp_types
            .add(value)
            .map_err(|e| (e, "an ICMP entry is type:code, the code a number or *"))?,
        "LA4" => rule
            .local_addresses
            .add(value, Some(Family::V4))
            .map_err(address)?,
        "LA6" => rule
            .local_addresses
            .add(value, Some(Family::V6))
            .map_err(address)?,
        "RA4" | "RA42" => rule
            .remote_addresses
            .add(value, Some(Family::V4))
            .map_err(address)?,
        "RA6" | "RA62" => rule
            .remote_addresses
            .add(value, Some(Family::V6))
            .map_err(address)?,
        "App" => rule.conditions.push(Condition::Program(value.to_string())),
        "Svc" => rule.conditions.push(Condition::Service(value.to_string())),
        "AppPkgId" => rule.conditions.push(Condition::Package(value.to_string())),
        "IFType" => rule
            .conditions
            .push(Condition::InterfaceType(value.to_string())),
        "IF" => rule
            .conditions
            .push(Condition::Interface(value.to_string())),
        "Security" | "Security2" | "Security2_9" | "RUAuth" | "RMAuth" => rule
            .conditions
            .push(Condition::Secured(format!("{key}={value}"))),
        "Name" => rule.display_name = Some(value.to_string()),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::windows::ports::PortItem;

    #[test]
    fn the_spec_example_is_read_field_by_field() {
        let rule = parse(
            "WINRM-HTTP-In-TCP",
            "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|LPort=5985|RA4=LocalSubnet|Name=Windows Remote Management (HTTP-In)|EmbedCtxt=@FirewallAPI.dll,-30267|",
            Store::Local,
        )
        .unwrap();
        assert_eq!(rule.profiles, ProfileSet(3));
        assert_eq!(rule.protocol, RuleProtocol(Some(6)));
        assert_eq!(rule.local_ports.items, vec![PortItem::Range(5985, 5985)]);
        assert_eq!(
            rule.display_name.as_deref(),
            Some("Windows Remote Management (HTTP-In)")
        );
    }

    #[test]
    fn a_bad_field_is_placed_at_its_value() {
        let text = "v2.30|Action=Allow|Dir=Sideways|";
        let e = parse("x", text, Store::Local).unwrap_err();
        assert_eq!(e.offset, text.find("Sideways").unwrap());
        let e = parse("x", "2.30|Action=Allow|", Store::Local).unwrap_err();
        assert_eq!(e.offset, 0);
        let e = parse("x", "v2.30|Action=Allow|LPort=59x|", Store::Local).unwrap_err();
        assert!(e.message.contains("59x"), "{e:?}");
    }
}
