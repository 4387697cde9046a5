//! A read-only view of the JSON text that remembers where each part is, so
//! a structural error points at the offending value (`file:line:col`), not
//! only at the file. nft prints its whole ruleset on one line, so a line
//! number alone would say nothing.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

/// One JSON value inside the input text: a borrowed slice of it.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    text: &'a str,
    raw: &'a RawValue,
}

impl<'a> Node<'a> {
    /// The whole document, or serde_json's syntax error.
    pub(crate) fn root(text: &'a str) -> Result<Node<'a>, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        Ok(Node { text, raw })
    }

    /// Byte offset of the value's first character in the input text: a
    /// borrowed `RawValue` is a slice of the text itself.
    pub(crate) fn offset(&self) -> usize {
        (self.raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    /// The value, parsed: the text was valid JSON once, so this only fails
    /// on numbers serde_json cannot hold, which read as `Null`.
    pub(crate) fn value(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }

    /// The object's members, by name; `None` when it is not an object.
    pub(crate) fn members(&self) -> Option<BTreeMap<String, Node<'a>>> {
        let map: BTreeMap<String, &'a RawValue> = serde_json::from_str(self.raw.get()).ok()?;
        Some(
            map.into_iter()
                .map(|(k, raw)| {
                    (
                        k,
                        Node {
                            text: self.text,
                            raw,
                        },
                    )
                })
                .collect(),
        )
    }

    /// Member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        self.members()?.remove(key)
    }

    /// The array's items; `None` when it is not an array.
    pub(crate) fn items(&self) -> Option<Vec<Node<'a>>> {
        let list: Vec<&'a RawValue> = serde_json::from_str(self.raw.get()).ok()?;
        Some(
            list.into_iter()
                .map(|raw| Node {
                    text: self.text,
                    raw,
                })
                .collect(),
        )
    }

    /// The one member of a `{"kind": {...}}` object, as nft wraps every
    /// table, chain, rule and statement.
    pub(crate) fn single_member(&self) -> Option<(String, Node<'a>)> {
        let members = self.members()?;
        if members.len() != 1 {
            return None;
        }
        members.into_iter().next()
    }

    /// The object with its members parsed once, for reading several.
    pub(crate) fn object(&self) -> Option<Object<'a>> {
        Some(Object {
            offset: self.offset(),
            members: self.members()?,
        })
    }

    pub(crate) fn as_str(&self) -> Option<String> {
        match self.value() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A JSON object whose members are parsed: reading five fields of a rule
/// costs one parse, not five.
pub(crate) struct Object<'a> {
    offset: usize,
    members: BTreeMap<String, Node<'a>>,
}

impl<'a> Object<'a> {
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        self.members.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_the_value_itself_not_the_whitespace_before_it() {
        let text = r#"{ "a" :  [ 1,   {"b": true} ] }"#;
        let root = Node::root(text).unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(a.offset(), text.find('[').unwrap());
        let items = a.items().unwrap();
        assert_eq!(items[1].offset(), text.find("{\"b\"").unwrap());
        assert_eq!(items[1].single_member().unwrap().0, "b");
        assert_eq!(items[0].value(), Value::from(1));
    }
}
