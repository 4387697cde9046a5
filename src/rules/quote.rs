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

/// `text` as one word of a command line vmmports suggests (`next: aclgen
/// …`) for the shell `os` has: POSIX sh on Unix, PowerShell on Windows. A
/// word of letters, digits and `_./=:-` (and `\` in PowerShell, where it
/// escapes nothing) stays as it is, so the usual line reads plainly; any
/// other is single-quoted, so a folder named `pol x;touch PWNED` is one
/// word and runs nothing.
pub fn shell_word(os: crate::platform::Os, text: &str) -> String {
    use crate::platform::Os;
    let plain = |c: char| {
        c.is_ascii_alphanumeric() || "_./=:-".contains(c) || (c == '\\' && os == Os::Windows)
    };
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_string();
    }
    match os {
        Os::Unix => sh(text),
        Os::Windows => powershell(text),
    }
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

/// Text for a comment line of a Windows script (`# …` in PowerShell,
/// `REM '…'` in netsh), reduced so that the line does nothing in PowerShell
/// or cmd.exe, whichever it is pasted into:
/// - cmd.exe acts on `&`, `|`, `<`, `>`, `^` and `"` in a line it does not
///   know (a PowerShell `#` line is one);
/// - PowerShell's five single quotes would end the `'…'` that holds a netsh
///   comment's text for PowerShell, where `REM` is a command.
///
/// They become Windows-1252 look-alikes, never the full-width forms that
/// Windows' "best fit" code-page conversion turns back into ASCII:
/// `Configure > System` becomes `Configure › System`.
pub fn windows_comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::printable(text).chars() {
        match c {
            '&' => out.push_str("and"),
            '|' => out.push('/'),
            '<' => out.push('‹'),
            '>' => out.push('›'),
            '^' => out.push('ˆ'),
            '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' => out.push('´'),
            c if POWERSHELL_QUOTES.contains(&c) => out.push('´'),
            c => out.push(c),
        }
    }
    out
}

/// Characters a Windows rule name (`-Name`, `-DisplayName`, netsh `name=`)
/// must not hold, and why. The group is part of every name.
/// - `|`: Windows Firewall refuses it in rule names and descriptions.
/// - `*`, `?`, `[`, `]`: `Set-NetFirewallRule -Name` reads them as
///   wildcards, so the name would match other rules, or not its own.
/// - `&`, `<`, `>`, `^`, `"`: cmd.exe acts on them outside double quotes,
///   and a PowerShell script pasted into cmd.exe has them there.
const WILDCARD: &str = "Set-NetFirewallRule -Name (and Get- or Remove-) reads it as a wildcard";

const WINDOWS_NAME_UNSAFE: [(char, &str); 10] = [
    ('|', "Windows Firewall does not allow it in rule names"),
    ('*', WILDCARD),
    ('?', WILDCARD),
    ('[', WILDCARD),
    (']', WILDCARD),
    (
        '&',
        "cmd.exe runs what follows it, should the script be pasted there",
    ),
    (
        '<',
        "cmd.exe redirects input with it, should the script be pasted there",
    ),
    (
        '>',
        "cmd.exe redirects output with it, should the script be pasted there",
    ),
    (
        '^',
        "cmd.exe reads it as an escape, should the script be pasted there",
    ),
    (
        '"',
        "cmd.exe changes what it quotes, should the script be pasted there",
    ),
];

/// Refuses a group that cannot be part of a Windows rule name, naming the
/// character, where it is, and why.
pub fn windows_name_part(what: &str, text: &str) -> Result<(), Unquotable> {
    for (index, c) in text.chars().enumerate() {
        if let Some((_, why)) = WINDOWS_NAME_UNSAFE.iter().find(|(u, _)| *u == c) {
            return Err(Unquotable {
                reason: format!(
                    "{what} `{text}` has `{c}` at character {}, and it becomes part of Windows rule names: {why}",
                    index + 1
                ),
                hint: AVOID_CHARACTER,
            });
        }
    }
    Ok(())
}

/// Free text (a rule's description) for a PowerShell line that may also be
/// pasted into cmd.exe: inside PowerShell's single quotes everything but the
/// quote is literal, but cmd.exe does not know those quotes and acts on `&`,
/// `<`, `>`, `^` and `"`. Those become look-alikes; the text stays readable.
/// `|` is refused before this (Windows Firewall does not allow it).
pub fn cmd_inert(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => '+',
            '<' => '‹',
            '>' => '›',
            '^' => 'ˆ',
            '"' => 'ʺ',
            c => c,
        })
        .collect()
}

/// Refuses `|` in a Windows rule's description (Windows Firewall rejects it,
/// and a rejected `New-NetFirewallRule` would leave the port closed),
/// saying where it is.
pub fn windows_description(what: &str, text: &str) -> Result<String, Unquotable> {
    if let Some(index) = text.chars().position(|c| c == '|') {
        return Err(Unquotable {
            reason: format!(
                "{what} has `|` at character {}: Windows Firewall does not allow it in rule descriptions",
                index + 1
            ),
            hint: "use another character in that catalog text, e.g. `/`",
        });
    }
    Ok(cmd_inert(text))
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

/// netsh takes `name="…"` with no way to escape `"`, and the same line is
/// pasted into cmd.exe (which expands `%VAR%`, and `!VAR!` with delayed
/// expansion) and PowerShell (where the quotes expand `$x`, backticks and
/// end on typographic quotes, and whose grammar reads `(`, `,` or `;` in a
/// `name="…"` argument as code). Rather than list every danger, a netsh name
/// holds only letters, digits, spaces, `-`, `_` and `.`; anything else is
/// refused, naming the character and where it is.
pub fn netsh_string(text: &str) -> Result<String, Unquotable> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.');
    if let Some((index, c)) = text.chars().enumerate().find(|(_, c)| !allowed(*c)) {
        return Err(Unquotable {
            reason: format!(
                "netsh names hold only letters, digits, spaces, `-`, `_` and `.`, and this one has `{}` at character {}",
                crate::text::printable(&c.to_string()),
                index + 1
            ),
            hint: AVOID_CHARACTER,
        });
    }
    Ok(format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_for_the_shell_of_the_os_when_needed() {
        use crate::platform::Os;
        let word = "--out=pol x;touch PWNED's";
        assert_eq!(
            shell_word(Os::Unix, word),
            "'--out=pol x;touch PWNED'\\''s'"
        );
        assert_eq!(
            shell_word(Os::Windows, word),
            "'--out=pol x;touch PWNED''s'"
        );
        assert_eq!(shell_word(Os::Unix, "--o=a/b-c.d"), "--o=a/b-c.d");
        assert_eq!(shell_word(Os::Unix, "--o=C:\\x"), "'--o=C:\\x'");
        assert_eq!(shell_word(Os::Windows, "--o=C:\\x"), "--o=C:\\x");
        assert_eq!(shell_word(Os::Unix, ""), "''");
    }

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
        use crate::text::check_plain;
        assert!(check_plain("group", "a\u{1b}[2J").is_err());
        assert!(check_plain("group", "a\u{85}").is_err());
        assert!(check_plain("group", "a\u{7f}").is_err());
        assert!(check_plain("group", "VMM Prod").is_ok());
    }

    #[test]
    fn windows_comment_text_keeps_words_and_drops_what_acts() {
        assert_eq!(
            windows_comment_text("the host's Configure > System & more | x ^ \"q\" ‘a’"),
            "the host´s Configure › System and more / x ˆ ´q´ ´a´"
        );
        // Punctuation PowerShell reads inside `REM '…'` and cmd.exe ignores
        // in a `#` line stays.
        assert_eq!(
            windows_comment_text("(all); 80,135/tcp $x %y%"),
            "(all); 80,135/tcp $x %y%"
        );
        assert_eq!(windows_comment_text("a\u{1b}b"), "a\u{FFFD}b");
    }

    #[test]
    fn windows_names_refuse_wildcards_pipes_and_cmd_metacharacters() {
        assert!(windows_name_part("--group", "VMM Prod-2").is_ok());
        let e = windows_name_part("--group", "VMM [prod]").unwrap_err();
        assert!(e.reason.contains("`[` at character 5"), "{}", e.reason);
        assert!(netsh_string("VMM-x.y_z 2").is_ok());
        let e = netsh_string("VMM!x").unwrap_err();
        assert!(e.reason.contains("`!` at character 4"), "{}", e.reason);
    }
}
