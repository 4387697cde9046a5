//! `reg export` files of the firewall's registry keys: the local policy
//! under `...\Services\SharedAccess\Parameters\FirewallPolicy`, Group
//! Policy's under `HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall`.
//!
//! The file format: a `Windows Registry Editor Version 5.00` header,
//! `[key]` lines, and `"name"=value` lines under each, where a string is
//! quoted with `\"` and `\\` escaped, a DWORD is `dword:0000001`, and
//! binary values (`hex:`, `hex(2):`...) may run on over lines ending in
//! `\` (none of those matter here, so they are passed over).
//!
//! Under each root, `FirewallRules` holds one rule string a value (the
//! value's name is the rule's ID), and `DomainProfile`, `StandardProfile`
//! (Private) and `PublicProfile` hold the profile settings (MS-GPFAS
//! 2.2.3.x): `EnableFirewall`, `DefaultInboundAction` and
//! `DefaultOutboundAction` (0 allow, 1 block) and, from Group Policy,
//! `AllowLocalPolicyMerge`.

use super::eval::Source;
use super::json::count;
use super::profile::{Profile, ProfileSettings, ProfileTable};
use super::rule::Store;
use super::rule_string;
use crate::audit::model::InputError;

const HEADERS: [&str; 2] = ["Windows Registry Editor Version 5.00", "REGEDIT4"];
const EXPORT_HINT: &str = "export the keys with reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\" local.reg and reg export \"HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\" gpo.reg";

/// Whether `text` looks like a `reg export` file: its header, or a key
/// line where the header was lost (checked before JSON, whose lists also
/// start with `[`).
pub(super) fn is_reg(text: &str) -> bool {
    let first = text.trim_start().lines().next().unwrap_or("").trim();
    HEADERS.iter().any(|h| first.eq_ignore_ascii_case(h))
        || first.to_ascii_uppercase().starts_with("[HKEY_")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Local,
    GroupPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Root,
    Rules,
    Profile(Profile),
}

/// Where in the file a value sits, for its errors.
struct Place<'a> {
    file: &'a str,
    line_number: usize,
    line: &'a str,
}

impl Place<'_> {
    /// An error at byte `at` of this line.
    fn error(&self, at: usize, message: String, hint: &str) -> InputError {
        let column = self.line[..at.min(self.line.len())].chars().count() + 1;
        InputError {
            file: self.file.to_string(),
            line: self.line_number,
            column,
            message,
            hint: Some(hint.to_string()),
        }
    }
}

pub(super) fn read(file: &str, text: &str) -> Result<Source, InputError> {
    let mut source = Source::default();
    let mut local = ProfileTable::default();
    let mut group_policy = ProfileTable::default();
    let mut current: Option<(Layer, Section)> = None;
    let mut seen_header = false;
    let mut seen_firewall_key = false;
    let mut continued = false;
    for (index, raw_line) in text.split('\n').enumerate() {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let place = Place {
            file,
            line_number: index + 1,
            line,
        };
        let trimmed = line.trim();
        if continued {
            continued = trimmed.ends_with('\\');
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        if !seen_header {
            if !HEADERS.iter().any(|h| trimmed.eq_ignore_ascii_case(h)) {
                return Err(place.error(
                    0,
                    "this is not a reg export file: it does not start with `Windows Registry Editor Version 5.00`".into(),
                    EXPORT_HINT,
                ));
            }
            seen_header = true;
            continue;
        }
        if let Some(key) = trimmed.strip_prefix('[') {
            let Some(key) = key.strip_suffix(']') else {
                return Err(place.error(
                    line.len(),
                    "a key line has no closing `]`".into(),
                    EXPORT_HINT,
                ));
            };
            current = if key.starts_with('-') {
                None
            } else {
                section(key)
            };
            seen_firewall_key |= current.is_some();
            continue;
        }
        let (name, data, data_at) = value_line(&place)?;
        if data.trim_end().ends_with('\\') {
            continued = true;
        }
        let Some((layer, section)) = current else {
            continue;
        };
        match section {
            Section::Root => {}
            // The key's default value (`@=`) is no rule.
            Section::Rules if name.is_empty() => {}
            Section::Rules => {
                let Some(Quoted {
                    text: rule_text,
                    raw_offsets,
                }) = string_data(&place, data, data_at)?
                else {
                    continue;
                };
                let store = match layer {
                    Layer::Local => Store::Local,
                    Layer::GroupPolicy => Store::GroupPolicy,
                };
                let rule = rule_string::parse(&name, &rule_text, store).map_err(|e| {
                    let raw = raw_offsets
                        .iter()
                        .find(|(decoded, _)| *decoded >= e.offset)
                        .map_or(data_at, |(_, raw)| *raw);
                    place.error(raw, format!("rule {name}: {}", e.message), e.hint)
                })?;
                source.rules.push(rule);
            }
            Section::Profile(profile) => {
                let table = match layer {
                    Layer::Local => &mut local,
                    Layer::GroupPolicy => &mut group_policy,
                };
                profile_value(&place, &name, data, data_at, table.get_mut(profile))?;
            }
        }
    }
    if !seen_header {
        return Err(InputError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "the file is empty".into(),
            hint: Some(EXPORT_HINT.into()),
        });
    }
    if !seen_firewall_key {
        return Err(InputError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "this reg export holds none of the firewall's keys".into(),
            hint: Some(EXPORT_HINT.into()),
        });
    }
    let gp_rules = source
        .rules
        .iter()
        .filter(|r| r.store == Store::GroupPolicy)
        .count();
    let local_rules = source.rules.len() - gp_rules;
    source.summary = format!(
        "{file}: reg export ({}, {})",
        count(local_rules, "local rule"),
        count(gp_rules, "Group Policy rule")
    );
    source.local = local;
    source.group_policy = group_policy;
    Ok(source)
}

/// The layer and part of the firewall's policy a key holds, if any.
fn section(key: &str) -> Option<(Layer, Section)> {
    const ROOTS: [(&str, Layer); 2] = [
        (
            "\\services\\sharedaccess\\parameters\\firewallpolicy",
            Layer::Local,
        ),
        (
            "\\software\\policies\\microsoft\\windowsfirewall",
            Layer::GroupPolicy,
        ),
    ];
    let lower = key.to_ascii_lowercase();
    ROOTS.iter().find_map(|(root, layer)| {
        let rest = &lower[lower.find(root)? + root.len()..];
        let section = match rest {
            "" => Section::Root,
            "\\firewallrules" => Section::Rules,
            "\\domainprofile" => Section::Profile(Profile::Domain),
            "\\standardprofile" => Section::Profile(Profile::Private),
            "\\publicprofile" => Section::Profile(Profile::Public),
            _ => return None,
        };
        Some((*layer, section))
    })
}

/// `"name"=data` (or `@=data`): the name, the data as written, and where
/// the data starts in the line.
fn value_line<'a>(place: &Place<'a>) -> Result<(String, &'a str, usize), InputError> {
    let line = place.line;
    let start = line.len() - line.trim_start().len();
    let hint = "a value line is \"Name\"=\"text\" or \"Name\"=dword:00000001";
    let (name, after) = if line[start..].starts_with('@') {
        (String::new(), start + 1)
    } else if line[start..].starts_with('"') {
        let Some(quoted) = unquote(line, start)? else {
            return Err(place.error(start, "a value name has no closing quote".into(), hint));
        };
        (quoted.text, quoted.end)
    } else {
        return Err(place.error(
            start,
            "expected a key in [brackets] or a \"value\"=data line".into(),
            hint,
        ));
    };
    if !line[after..].starts_with('=') {
        return Err(place.error(after, "expected `=` after the value's name".into(), hint));
    }
    Ok((name, &line[after + 1..], after + 1))
}

/// A quoted string's text and, for each character, its byte offset in
/// the text and in the line.
struct Quoted {
    text: String,
    raw_offsets: Vec<(usize, usize)>,
}

struct Unquoted {
    text: String,
    raw_offsets: Vec<(usize, usize)>,
    /// The byte after the closing quote.
    end: usize,
}

/// Reads the quoted string that starts at byte `open` (its `"`).
fn unquote(line: &str, open: usize) -> Result<Option<Unquoted>, InputError> {
    let mut text = String::new();
    let mut raw_offsets = Vec::new();
    let mut chars = line[open + 1..]
        .char_indices()
        .map(|(i, c)| (i + open + 1, c));
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                return Ok(Some(Unquoted {
                    text,
                    raw_offsets,
                    end: i + 1,
                }));
            }
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    return Ok(None);
                };
                raw_offsets.push((text.len(), i));
                text.push(escaped);
            }
            c => {
                raw_offsets.push((text.len(), i));
                text.push(c);
            }
        }
    }
    Ok(None)
}

/// A string value's text; `None` for a value of another type.
fn string_data(place: &Place, data: &str, data_at: usize) -> Result<Option<Quoted>, InputError> {
    if !data.starts_with('"') {
        return Ok(None);
    }
    match unquote(place.line, data_at)? {
        Some(u) => Ok(Some(Quoted {
            text: u.text,
            raw_offsets: u.raw_offsets,
        })),
        None => Err(place.error(
            place.line.len(),
            "a string value has no closing quote".into(),
            "a string is written \"text\", with \\\" and \\\\ for a quote and a backslash",
        )),
    }
}

/// A DWORD value's number.
fn dword(place: &Place, name: &str, data: &str, data_at: usize) -> Result<u32, InputError> {
    let hint = "the value is a DWORD, 0 or 1: dword:00000000 or dword:00000001";
    let Some(digits) = data.trim().strip_prefix("dword:") else {
        return Err(place.error(data_at, format!("{name} is not a DWORD"), hint));
    };
    u32::from_str_radix(digits, 16).map_err(|_| {
        place.error(
            data_at + 6,
            format!("`{digits}` is not a DWORD's 8 hex digits"),
            hint,
        )
    })
}

/// One of a profile key's values, if it is one that matters.
fn profile_value(
    place: &Place,
    name: &str,
    data: &str,
    data_at: usize,
    settings: &mut ProfileSettings,
) -> Result<(), InputError> {
    let slot = match name.to_ascii_lowercase().as_str() {
        "enablefirewall" => &mut settings.enabled,
        "defaultinboundaction" => &mut settings.inbound_blocks,
        "defaultoutboundaction" => &mut settings.outbound_blocks,
        "allowlocalpolicymerge" => &mut settings.local_rules_merge,
        "donotallowexceptions" => {
            let blocks_all = dword(place, name, data, data_at)? != 0;
            settings.inbound_rules_allowed = Some(!blocks_all);
            return Ok(());
        }
        _ => return Ok(()),
    };
    let number = dword(place, name, data, data_at)?;
    *slot = match number {
        0 => Some(false),
        1 => Some(true),
        // Anything but 0 counts as set for the switches; an action other
        // than 0 or 1 means nothing.
        _ if !name.eq_ignore_ascii_case("DefaultInboundAction")
            && !name.eq_ignore_ascii_case("DefaultOutboundAction") =>
        {
            Some(true)
        }
        _ => {
            return Err(place.error(
                data_at + 6,
                format!("{name} is {number}"),
                "0 is allow and 1 is block",
            ));
        }
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_into_layers_and_sections() {
        assert_eq!(
            section(
                "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules"
            ),
            Some((Layer::Local, Section::Rules))
        );
        assert_eq!(
            section(
                "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\StandardProfile"
            ),
            Some((Layer::GroupPolicy, Section::Profile(Profile::Private)))
        );
        assert_eq!(
            section(
                "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\RestrictedServices\\Static\\System"
            ),
            None
        );
    }

    #[test]
    fn defaults_deletions_and_deleted_keys_are_passed_over() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n\
            [HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules]\r\n\
            @=\"\"\r\n\
            \"Gone\"=-\r\n\
            \"Kept\"=\"v2.30|Action=Block|Dir=In|Protocol=17|LPort=161|\"\r\n\
            [-HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]\r\n\
            \"EnableFirewall\"=dword:00000000\r\n";
        let source = read("gpo.reg", text).unwrap();
        assert_eq!(source.rules.len(), 1);
        assert_eq!(source.rules[0].store, Store::GroupPolicy);
        assert_eq!(source.group_policy, ProfileTable::default());
    }

    #[test]
    fn a_profile_value_that_is_not_a_dword_is_placed() {
        let text = "Windows Registry Editor Version 5.00\n\n\
            [HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\PublicProfile]\n\
            \"DefaultInboundAction\"=dword:0000000g\n";
        let e = read("gpo.reg", text).unwrap_err();
        assert_eq!((e.line, e.column), (4, 30), "{e}");
    }

    #[test]
    fn escapes_are_undone_and_offsets_kept() {
        let line = r#""App"="C:\\Windows\\x \"y\"""#;
        let u = unquote(line, 6).unwrap().unwrap();
        assert_eq!(u.text, r#"C:\Windows\x "y""#);
        assert_eq!(u.end, line.len());
        assert_eq!(u.raw_offsets[2], (2, 9));
    }
}
