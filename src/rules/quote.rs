//! Quoting text for the shells admins paste our scripts into, as root or
//! Administrator. Every user-provided string (group, names, descriptions)
//! goes through here; nothing is ever interpolated raw.

/// Characters PowerShell treats as a single quote: ASCII `'` and the four
/// typographic ones. Any of them ends a single-quoted string, so each must be
/// doubled, or `it’s` would end the string early.
const POWERSHELL_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// A PowerShell single-quoted string literal. Single quotes never expand
/// `$()` or backticks, unlike double quotes.
pub fn powershell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        out.push(c);
        if POWERSHELL_QUOTES.contains(&c) {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// A POSIX sh single-quoted word; an embedded `'` becomes `'\''`.
pub fn sh(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A problem with a user string for one dialect, and how to avoid it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unquotable {
    pub reason: String,
    pub hint: &'static str,
}

const AVOID_CHARACTER: &str = "choose a --group without that character";
const SHORTEN: &str =
    "shorten --group: the comment holds the group, the connection id and its ports";

/// Control characters (C0, DEL, C1) can end a command line or hide text in a
/// terminal; no dialect gets them.
pub fn reject_control(what: &str, text: &str) -> Result<(), String> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "{what} contains the control character U+{:04X}; remove it (line breaks and tabs are not allowed either)",
            c as u32
        )),
        None => Ok(()),
    }
}

/// iptables keeps at most 256 bytes of a comment, and cuts the rest silently.
pub fn iptables_comment(text: &str) -> Result<String, Unquotable> {
    if text.len() > 256 {
        return Err(Unquotable {
            reason: format!(
                "iptables comments hold at most 256 bytes, and this one has {}",
                text.len()
            ),
            hint: SHORTEN,
        });
    }
    Ok(sh(text))
}

/// ufw's parser rejects a comment holding `'`, however it is quoted.
pub fn ufw_comment(text: &str) -> Result<String, Unquotable> {
    if text.contains('\'') {
        return Err(Unquotable {
            reason: "ufw comments cannot hold `'`".into(),
            hint: AVOID_CHARACTER,
        });
    }
    Ok(sh(text))
}

/// nft strings (`comment "…"`) have no escapes and hold at most 128 bytes.
pub fn nft_string(text: &str) -> Result<String, Unquotable> {
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '"' | '\\') || c.is_control())
    {
        return Err(Unquotable {
            reason: format!("nft comments cannot hold `{}`", c.escape_default()),
            hint: AVOID_CHARACTER,
        });
    }
    if text.len() > 128 {
        return Err(Unquotable {
            reason: format!(
                "nft comments hold at most 128 bytes, and this one has {}",
                text.len()
            ),
            hint: SHORTEN,
        });
    }
    Ok(format!("\"{text}\""))
}

/// What would end or expand a double-quoted string in cmd.exe or PowerShell:
/// the ASCII quote and PowerShell's three typographic double quotes, `%`,
/// `$` and the backtick.
const NETSH_UNSAFE: [char; 7] = ['"', '\u{201C}', '\u{201D}', '\u{201E}', '%', '$', '`'];

/// netsh takes `name="…"` with no way to escape `"`. The same line may be
/// pasted into cmd.exe (which expands `%VAR%`) or PowerShell (which expands
/// `$x` and backticks in double quotes), so those are refused too.
pub fn netsh_string(text: &str) -> Result<String, Unquotable> {
    if let Some(c) = text
        .chars()
        .find(|c| NETSH_UNSAFE.contains(c) || c.is_control())
    {
        return Err(Unquotable {
            reason: format!("netsh names cannot safely hold `{}`", c.escape_default()),
            hint: AVOID_CHARACTER,
        });
    }
    Ok(format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_doubles_all_five_quotes() {
        assert_eq!(powershell("VMM"), "'VMM'");
        assert_eq!(powershell("it's"), "'it''s'");
        assert_eq!(powershell("it\u{2019}s"), "'it\u{2019}\u{2019}s'");
        assert_eq!(
            powershell("\u{2018}\u{201A}\u{201B}"),
            "'\u{2018}\u{2018}\u{201A}\u{201A}\u{201B}\u{201B}'"
        );
        assert_eq!(powershell("$(rm x) `n"), "'$(rm x) `n'");
    }

    #[test]
    fn sh_closes_and_reopens_around_quotes() {
        assert_eq!(sh("VMM"), "'VMM'");
        assert_eq!(sh("it's"), "'it'\\''s'");
        assert_eq!(sh("$(x) `y` \"z\""), "'$(x) `y` \"z\"'");
    }

    #[test]
    fn nft_and_netsh_refuse_what_they_cannot_hold() {
        assert!(nft_string("a\"b").is_err());
        assert!(nft_string("a\\b").is_err());
        assert!(nft_string(&"x".repeat(129)).is_err());
        assert_eq!(
            nft_string("VMM - a (1/tcp)").unwrap(),
            "\"VMM - a (1/tcp)\""
        );
        for bad in [
            "a\"b",
            "%PATH%",
            "$env:x",
            "a`b",
            "a\nb",
            "a\u{201C}b",
            "a\u{201D}b",
            "a\u{201E}b",
        ] {
            assert!(netsh_string(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(reject_control("group", "a\u{1b}[2J").is_err());
        assert!(reject_control("group", "a\u{85}").is_err());
        assert!(reject_control("group", "a\u{7f}").is_err());
        assert!(reject_control("group", "VMM Prod").is_ok());
    }
}
