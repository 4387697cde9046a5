//! VMM's inventory as `ConvertTo-Json` writes it: objects with `role`,
//! `name` and `address` (names in any case), from either PowerShell.
//!
//! What differs between them, all read here:
//! - several objects are a list, one object is an object, none is an
//!   empty file;
//! - Windows PowerShell 5.1 wraps an array it is handed whole as
//!   `{"value": [...], "Count": n}` (an extra `Count` property that
//!   `System.Array` has there, and not in PowerShell 7);
//! - 5.1 writes enums as numbers and dates as `"\/Date(ms)\/"`: such a
//!   value where a name or address belongs is refused, saying why;
//! - other properties an object has (`Select-Object` of more than these)
//!   are left alone, unless one is a near miss of these three.
//!
//! Encodings (5.1's UTF-16LE `>`, a UTF-8 BOM) are `decode`'s part.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::value::RawValue;

use super::{Entry, Located, error, position_of};
use crate::deployment::DeploymentError;

const FIELDS: [&str; 3] = ["role", "name", "address"];
const SHAPE_HINT: &str = "give objects with role, name and address: ... | Select-Object @{n='role';e={'hyperv-host'}}, @{n='name';e={$_.FQDN}} | ConvertTo-Json";

pub fn read(path: &Path, text: &str) -> Result<Vec<Entry>, DeploymentError> {
    // Windows PowerShell 5.1 writes nothing at all for no objects.
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let top: &RawValue = serde_json::from_str(text).map_err(|e| syntax(path, e))?;
    let at = |raw: &RawValue| Some(position_of(text, offset(text, raw)));
    let items: Vec<&RawValue> = match first_char(top) {
        '[' => parse(path, text, top)?,
        '{' => {
            let object: BTreeMap<String, &RawValue> = parse(path, text, top)?;
            let keys: Vec<String> = object.keys().map(|k| k.to_lowercase()).collect();
            match object.iter().find(|(k, _)| k.eq_ignore_ascii_case("value")) {
                Some((_, list)) if keys == ["count", "value"] && first_char(list) == '[' => {
                    parse(path, text, list)?
                }
                _ => vec![top],
            }
        }
        _ => {
            return Err(error(
                path,
                at(top),
                "expected an object or a list of objects".into(),
                SHAPE_HINT,
            ));
        }
    };
    items
        .into_iter()
        .map(|item| entry(path, text, item))
        .collect()
}

fn entry(path: &Path, text: &str, item: &RawValue) -> Result<Entry, DeploymentError> {
    let at = Some(position_of(text, offset(text, item)));
    if first_char(item) != '{' {
        return Err(error(
            path,
            at,
            "expected an object with role, name and address".into(),
            SHAPE_HINT,
        ));
    }
    let object: BTreeMap<String, &RawValue> = parse(path, text, item)?;
    let mut fields: [Option<Located>; 3] = [None, None, None];
    for (key, value) in &object {
        let lower = key.to_lowercase();
        let Some(i) = FIELDS.iter().position(|f| *f == lower) else {
            if let Some(meant) = crate::text::nearest(key, &FIELDS) {
                return Err(error(
                    path,
                    Some(position_of(text, offset(text, value))),
                    format!("unknown property `{key}`"),
                    &format!("did you mean `{meant}`?"),
                ));
            }
            continue;
        };
        fields[i] = string(path, text, key, value)?;
    }
    let [role, name, address] = fields;
    let Some(role) = role else {
        return Err(error(
            path,
            at,
            "this object has no `role`".into(),
            "add it in Select-Object: @{n='role';e={'hyperv-host'}}",
        ));
    };
    Ok(Entry {
        role,
        name,
        address,
        at,
    })
}

/// A property's text; `null` is none.
fn string(
    path: &Path,
    text: &str,
    key: &str,
    raw: &RawValue,
) -> Result<Option<Located>, DeploymentError> {
    let at = Some(position_of(text, offset(text, raw)));
    let refuse = |message: String, hint: &str| Err(error(path, at, message, hint));
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(serde_json::Value::Null) => Ok(None),
        Ok(serde_json::Value::String(s)) if is_date(&s) => refuse(
            format!("`{key}` is a date (`{s}`), as Windows PowerShell 5.1 writes one"),
            "select the host's name or address for it, e.g. @{n='name';e={$_.FQDN}}",
        ),
        Ok(serde_json::Value::String(s)) => Ok(Some(Located { text: s, at })),
        Ok(serde_json::Value::Number(n)) => refuse(
            format!("`{key}` is the number {n}, not text"),
            "Windows PowerShell 5.1 writes an enum as its number: select it as text, e.g. @{n='role';e={\"$($_.Role)\"}}",
        ),
        _ => refuse(format!("`{key}` is not text"), SHAPE_HINT),
    }
}

/// `\/Date(1700000000000)\/`, which reads as `/Date(1700000000000)/`.
fn is_date(s: &str) -> bool {
    s.strip_prefix("/Date(")
        .and_then(|rest| rest.strip_suffix(")/"))
        .is_some_and(|ms| {
            let digits = ms.trim_start_matches('-');
            let digits = digits.split(['+', '-']).next().unwrap_or_default();
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        })
}

fn parse<'a, T: serde::Deserialize<'a>>(
    path: &Path,
    text: &'a str,
    raw: &'a RawValue,
) -> Result<T, DeploymentError> {
    // The whole file parsed already: what fails here is a part's shape,
    // placed where the part starts.
    serde_json::from_str(raw.get()).map_err(|e| {
        error(
            path,
            Some(position_of(text, offset(text, raw))),
            crate::text::json_message(&e),
            SHAPE_HINT,
        )
    })
}

fn first_char(raw: &RawValue) -> char {
    raw.get().chars().next().unwrap_or(' ')
}

/// Where a part of the file starts: a borrowed `RawValue` is a slice of
/// the text itself.
fn offset(text: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn syntax(path: &Path, e: serde_json::Error) -> DeploymentError {
    error(
        path,
        Some((e.line(), e.column())),
        crate::text::json_message(&e),
        "the file is not JSON as ConvertTo-Json writes it; export it again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Vec<Entry>, DeploymentError> {
        read(Path::new("v.json"), text)
    }

    #[test]
    fn one_object_a_list_and_the_value_count_wrapper_are_read() {
        let one = read_text(r#"{"Role": "hyperv-host", "NAME": "hv01"}"#).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].name.as_ref().unwrap().text, "hv01");
        let list =
            read_text(r#"[{"role": "sql", "address": "10.0.0.9"}, {"role": "vmm", "name": "v"}]"#)
                .unwrap();
        assert_eq!(list.len(), 2);
        let wrapped = read_text(
            "{\r\n    \"value\":  [\r\n                  {\r\n                      \"role\":  \"sql\",\r\n                      \"name\":  \"sql01\"\r\n                  }\r\n              ],\r\n    \"Count\":  1\r\n}",
        )
        .unwrap();
        assert_eq!(wrapped.len(), 1);
        assert_eq!(wrapped[0].role.at, Some((4, 32)));
        assert!(read_text("  \r\n").unwrap().is_empty());
    }

    #[test]
    fn numbers_dates_and_near_misses_are_refused_with_their_place() {
        let e = read_text("[\n  {\"role\": 3}\n]").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("v.json:2:12: `role` is the number 3"),
            "{e}"
        );
        let e = read_text(r#"{"role": "x", "name": "\/Date(1700000000000)\/"}"#).unwrap_err();
        assert!(e.message.contains("date"), "{e}");
        let e = read_text(r#"{"role": "x", "adress": "10.0.0.1"}"#).unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean `address`?"));
        // Other properties are someone's extra columns.
        assert!(read_text(r#"{"role": "x", "name": "h", "OverallState": 1}"#).is_ok());
        let e = read_text("[\n  {\"role\": \"x\",}\n]").unwrap_err();
        assert_eq!(e.position, Some((2, 16)), "{e}");
    }
}
