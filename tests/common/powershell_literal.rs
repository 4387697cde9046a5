//! A reference for PowerShell's single-quoted strings, written from the
//! language's rules rather than from the generator: tree-sitter knows only
//! the ASCII quote, but PowerShell also ends a string on the four
//! typographic single quotes, which is how an undoubled `’` lets code out.

/// PowerShell ends a single-quoted string on any of these five characters,
/// and reads two of them in a row as one literal quote (the second).
pub const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

pub fn is_quote(c: char) -> bool {
    QUOTES.contains(&c)
}

/// Reads one single-quoted literal at the start of `text` by PowerShell's
/// rules; returns its value and whatever follows the closing quote.
pub fn read_literal(text: &str) -> Result<(String, &str), String> {
    let mut chars = text.char_indices().peekable();
    match chars.next() {
        Some((_, c)) if is_quote(c) => {}
        _ => return Err(format!("`{text}` does not start with a quote")),
    }
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        if is_quote(c) {
            match chars.peek() {
                Some(&(_, next)) if is_quote(next) => {
                    value.push(next);
                    chars.next();
                }
                _ => return Ok((value, &text[i + c.len_utf8()..])),
            }
        } else {
            value.push(c);
        }
    }
    Err(format!("`{text}` never closes its string"))
}

/// The value of a literal that must be exactly one single-quoted string.
pub fn unquote(literal: &str) -> Result<String, String> {
    let (value, rest) = read_literal(literal)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(format!(
            "`{literal}`: PowerShell ends the string early and reads `{rest}` as code"
        ))
    }
}
