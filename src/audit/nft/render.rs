//! A rule back in nft's own syntax, best effort, so the report shows the
//! admin the line `nft list ruleset` would show them. Only for display:
//! nothing is decided from this text.

use serde_json::Value;

/// A rule's statements as one line.
pub(crate) fn rule(statements: &[Value]) -> String {
    statements
        .iter()
        .map(statement)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn statement(value: &Value) -> String {
    let Some((kind, body)) = value.as_object().and_then(|o| o.iter().next()) else {
        return self::value(value);
    };
    match kind.as_str() {
        "match" => statement_of_match(
            body.get("left").unwrap_or(&Value::Null),
            body.get("op").and_then(Value::as_str).unwrap_or("=="),
            body.get("right").unwrap_or(&Value::Null),
        ),
        "accept" | "drop" | "continue" | "return" | "notrack" | "masquerade" => kind.clone(),
        "jump" | "goto" => format!(
            "{kind} {}",
            body.get("target").and_then(Value::as_str).unwrap_or("?")
        ),
        "reject" => match (
            body.get("type").and_then(Value::as_str),
            body.get("expr").map(self::value),
        ) {
            (Some(kind), Some(code)) => format!("reject with {kind} {code}"),
            (Some(kind), None) => format!("reject with {kind}"),
            _ => "reject".into(),
        },
        "vmap" => format!(
            "{} vmap {}",
            expression(body.get("key").unwrap_or(&Value::Null)),
            self::value(body.get("data").unwrap_or(&Value::Null))
        ),
        "log" => match body.get("prefix").and_then(Value::as_str) {
            Some(prefix) => format!("log prefix \"{prefix}\""),
            None => "log".into(),
        },
        other => other.to_string(),
    }
}

/// A match statement from its parts, for an assumption about it.
pub(crate) fn statement_of_match(left: &Value, op: &str, right: &Value) -> String {
    // nft leaves out `==` except after a bitwise expression.
    let bitwise = left.get("&").is_some();
    let (left, right) = (expression(left), value(right));
    match op {
        "==" if bitwise => format!("{left} == {right}"),
        "==" | "in" => format!("{left} {right}"),
        op => format!("{left} {op} {right}"),
    }
}

/// A left-hand side: `ip saddr`, `meta l4proto`, `ct state`.
pub(crate) fn expression(value: &Value) -> String {
    if let Some(payload) = value.get("payload") {
        let protocol = payload
            .get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let field = payload.get("field").and_then(Value::as_str).unwrap_or("?");
        return format!("{protocol} {field}");
    }
    if let Some(meta) = value.get("meta") {
        let key = meta.get("key").and_then(Value::as_str).unwrap_or("?");
        return match key {
            "iifname" | "oifname" | "iif" | "oif" => key.to_string(),
            _ => format!("meta {key}"),
        };
    }
    if let Some(ct) = value.get("ct") {
        return format!(
            "ct {}",
            ct.get("key").and_then(Value::as_str).unwrap_or("?")
        );
    }
    if let Some(parts) = value.get("concat").and_then(Value::as_array) {
        return parts.iter().map(expression).collect::<Vec<_>>().join(" . ");
    }
    if let Some([left, right]) = value.get("&").and_then(Value::as_array).map(Vec::as_slice) {
        // nft writes a mask of several flags as `(syn | ack)`.
        let mask = match right.as_array() {
            Some(flags) if flags.len() > 1 => format!(
                "({})",
                flags
                    .iter()
                    .map(self::value)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            _ => self::value(right),
        };
        return format!("{} & {mask}", expression(left));
    }
    if let Some((kind, _)) = value.as_object().and_then(|o| o.iter().next()) {
        return kind.clone();
    }
    self::value(value)
}

/// A right-hand side: literal, prefix, range, set, map, `@name`.
pub(crate) fn value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(items) => {
            let words: Vec<_> = items.iter().map(self::value).collect();
            // A pair in a map's element list is `key : verdict`; a plain list
            // (flags) is comma-separated.
            if items.len() == 2 && items[1].is_object() && items[0].as_object().is_none() {
                format!("{} : {}", words[0], statement(&items[1]))
            } else {
                words.join(",")
            }
        }
        Value::Object(map) => {
            if let Some(prefix) = map.get("prefix") {
                return format!(
                    "{}/{}",
                    self::value(prefix.get("addr").unwrap_or(&Value::Null)),
                    self::value(prefix.get("len").unwrap_or(&Value::Null))
                );
            }
            if let Some([a, b]) = map
                .get("range")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                return format!("{}-{}", self::value(a), self::value(b));
            }
            if let Some(items) = map.get("set") {
                let items = match items {
                    Value::Array(items) => items.iter().map(element).collect::<Vec<_>>(),
                    single => vec![element(single)],
                };
                return format!("{{ {} }}", items.join(", "));
            }
            if let Some(parts) = map.get("concat").and_then(Value::as_array) {
                return parts
                    .iter()
                    .map(self::value)
                    .collect::<Vec<_>>()
                    .join(" . ");
            }
            if let Some(elem) = map.get("elem") {
                return self::value(elem.get("val").unwrap_or(&Value::Null));
            }
            if map.len() == 1 && map.values().all(Value::is_null) {
                return map.keys().cloned().collect();
            }
            statement(value)
        }
    }
}

/// One element of a set or map.
fn element(value: &Value) -> String {
    match value {
        Value::Array(pair) if pair.len() == 2 => {
            format!("{} : {}", self::value(&pair[0]), statement(&pair[1]))
        }
        other => self::value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rule_reads_as_nft_prints_it() {
        let rule_json = json!([
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                       "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}},
            {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                       "right": {"set": [{"range": [1000, 2000]}, 3000]}}},
            {"counter": {"packets": 0, "bytes": 0}},
            {"jump": {"target": "sub"}}
        ]);
        assert_eq!(
            rule(rule_json.as_array().unwrap()),
            "ip saddr 10.0.0.0/8 tcp dport != { 1000-2000, 3000 } counter jump sub"
        );
        let vmap = json!([{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}},
            "data": {"set": [[22, {"accept": null}], [23, {"drop": null}]]}}}]);
        assert_eq!(
            rule(vmap.as_array().unwrap()),
            "tcp dport vmap { 22 : accept, 23 : drop }"
        );
        let syn = json!([
            {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}},
            {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}},
            {"reject": {"type": "tcp reset"}}
        ]);
        assert_eq!(
            rule(syn.as_array().unwrap()),
            "tcp flags & (syn | ack) == syn ct state established,related reject with tcp reset"
        );
    }
}
