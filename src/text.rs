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

/// Characters that show as nothing, or silently reorder what follows, so a
/// line can read differently from what it does: zero-width characters, the
/// byte order mark, bidirectional controls, and the Unicode line and
/// paragraph separators. Returns the character's Unicode name, for the
/// ones worth naming; [`is_invisible`] covers the whole class.
pub fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        _ => return None,
    })
}

/// Default-ignorable code points (Unicode's DerivedCoreProperties) that are
/// not format characters (category Cf, which [`is_invisible`] asks of the
/// character database): fillers and variation selectors that a renderer
/// shows as nothing, and the code points reserved to behave so.
const IGNORABLE_NOT_FORMAT: &[(u32, u32)] = &[
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Whether `c` reads as nothing, or changes how the text around it reads:
/// a format character (category Cf: bidirectional controls, zero-width
/// characters, invisible operators, tag characters…), a default-ignorable
/// code point, a line or paragraph separator, or a noncharacter (U+FFFE,
/// U+FFFF and the like: not text at all, and YAML loaders refuse them).
pub fn is_invisible(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    let n = c as u32;
    invisible_name(c).is_some()
        || is_noncharacter(c)
        || IGNORABLE_NOT_FORMAT
            .iter()
            .any(|&(a, b)| (a..=b).contains(&n))
        || matches!(
            get_general_category(c),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// U+FDD0–U+FDEF and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// Whether `c` must never be printed from input or written into a script: a
/// control character (C0, DEL, C1) or an invisible one.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// `42,000`: a count that grows while it is read is easier to follow grouped.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Refuses text holding a control or invisible character, saying which one
/// and where (1-based character position), e.g. for `--group` or a
/// catalog field.
pub fn check_plain(what: &str, text: &str) -> Result<(), String> {
    // Printable ASCII holds no control or invisible character: the common
    // case, checked a byte at a time (a big catalog has millions of texts).
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Ok(());
    }
    let Some((index, c)) = text.chars().enumerate().find(|(_, c)| is_unsafe(*c)) else {
        return Ok(());
    };
    let at = index + 1;
    let code = c as u32;
    Err(if c.is_control() {
        format!(
            "{what} contains the control character U+{code:04X} at character {at}; \
             remove it (line breaks and tabs are not allowed either)"
        )
    } else if is_noncharacter(c) {
        format!(
            "{what} contains the noncharacter U+{code:04X} at character {at}; \
             it is not text, and other tools refuse it: remove it"
        )
    } else {
        let name = invisible_name(c)
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        format!(
            "{what} contains the invisible character U+{code:04X}{name} at character {at}; \
             it makes text read differently from what it is: remove it"
        )
    })
}

/// Neutralises text from outside (a catalog file, a flag, a config, a
/// server's answer) before it is printed: a control character becomes
/// U+FFFD, so it can never move the cursor, change colours or set the
/// clipboard; an invisible one is spelled out as `<U+2060>`, so that
/// `localhost<U+2060>` cannot pass for `localhost` and nothing reorders the
/// line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let plain_ascii = text.bytes().all(|b| (b' '..=b'~').contains(&b));
    if plain_ascii || !text.chars().any(is_unsafe) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push('\u{FFFD}');
        } else if is_invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// [`printable`] for text of several lines: the line breaks stay.
pub fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(printable)
        .collect::<Vec<_>>()
        .join("\n")
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

/// `1 connection`, `2 connections`: a count with its noun, English plural.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// serde_json's message without its ` at line L column C`: every reader
/// says the place first, as `file:line:col`, in its own way.
pub fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4_096), "4,096");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

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
        // Invisible characters are spelled out, so they can be seen.
        assert_eq!(printable("a\u{202E}b\u{200B}"), "a<U+202E>b<U+200B>");
        assert_eq!(printable("localhost\u{2060}"), "localhost<U+2060>");
        assert_eq!(printable_lines("a\u{1b}\nb\r\n"), "a\u{FFFD}\nb\u{FFFD}\n");
    }

    #[test]
    fn check_plain_names_the_character_and_where() {
        assert!(check_plain("--group", "VMM Prod").is_ok());
        assert!(check_plain("--group", "Ünïcödé ok, it’s fine").is_ok());
        let e = check_plain("--group", "VMM\u{202E}x").unwrap_err();
        assert!(
            e.contains("U+202E RIGHT-TO-LEFT OVERRIDE at character 4"),
            "{e}"
        );
        let e = check_plain("--group", "VMM\u{2060}").unwrap_err();
        assert!(e.contains("U+2060 WORD JOINER at character 4"), "{e}");
        let e = check_plain("a name", "x\u{FFFE}").unwrap_err();
        assert!(e.contains("noncharacter U+FFFE at character 2"), "{e}");
        let e = check_plain("a name", "x\u{E0041}").unwrap_err();
        assert!(
            e.contains("invisible character U+E0041 at character 2"),
            "{e}"
        );
        // Visible text of every script passes, accents and CJK included.
        assert!(check_plain("x", "Zürich 東京 Ελλάδα عربي हिन्दी").is_ok());
        let e = check_plain("the title", "a\u{1b}]0;x").unwrap_err();
        assert!(e.contains("control character U+001B at character 2"), "{e}");
        // Issue 21: format characters and default-ignorable code points as a
        // class, and noncharacters.
        for c in [
            '\u{200B}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{2029}',
            '\u{2066}',
            '\u{85}',
            '\u{2060}',
            '\u{00AD}',
            '\u{2061}',
            '\u{2064}',
            '\u{206A}',
            '\u{206F}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{FE0F}',
            '\u{3164}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{FDD0}',
            '\u{1FFFF}',
            '\u{10FFFF}',
            '\u{034F}',
            '\u{180E}',
            '\u{0600}',
        ] {
            assert!(
                check_plain("x", &format!("a{c}")).is_err(),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
