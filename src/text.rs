//! Small text helpers shared by the core and both front ends.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The known word closest to `wrong`, if it is close enough to be what the
/// user meant (a typo, a missing letter, a different case).
pub fn nearest<'a>(wrong: &str, known: &[&'a str]) -> Option<&'a str> {
    let wrong = wrong.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&wrong, &k.to_lowercase()), *k))
        .filter(|(distance, k)| {
            let k = k.to_lowercase();
            *distance <= k.chars().count() / 3 + 1 || k.starts_with(&wrong) || wrong.starts_with(&k)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Joins the distinct parts, in first-seen order: services or purposes that
/// several ports of one connection share are said once.
pub fn join_unique<'a>(parts: impl Iterator<Item = &'a str>, separator: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for part in parts {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen.join(separator)
}

/// Replaces control characters (C0, DEL, C1) with U+FFFD so that text from a
/// catalog file can never move the cursor or change colours when printed.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Cuts `text` to at most `width` columns, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_prefixes() {
        let known = ["from", "to", "port", "proto", "mod", "on", "dir"];
        assert_eq!(nearest("prot", &known), Some("port"));
        assert_eq!(nearest("protocol", &known), Some("proto"));
        assert_eq!(nearest("frm", &known), Some("from"));
        assert_eq!(nearest("zzzzzzzz", &known), None);
    }

    #[test]
    fn printable_neutralises_escapes() {
        assert_eq!(
            printable("a\x1b[31mb\u{9b}c\x7f"),
            "a\u{FFFD}[31mb\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(printable("plain"), "plain");
    }
}
