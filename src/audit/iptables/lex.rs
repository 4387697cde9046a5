//! One line of `iptables-save` text into words, as `iptables-restore`
//! splits it: spaces separate words, double quotes group them (a comment,
//! a log prefix), and a backslash makes the next character plain
//! (`iptables-save` writes `\"` and `\\` inside quotes). Single quotes are
//! plain characters, as restore treats them.

/// One word and where it starts in the line, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub offset: usize,
}

/// Why a line could not be split: an unclosed quote, at its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclosedQuote {
    pub offset: usize,
}

pub fn words(line: &str) -> Result<Vec<Word>, UnclosedQuote> {
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote_start: Option<usize> = None;
    let mut chars = line.char_indices();
    while let Some((offset, c)) = chars.next() {
        if c.is_whitespace() && quote_start.is_none() {
            if let Some(word) = current.take() {
                words.push(word);
            }
            continue;
        }
        let word = current.get_or_insert_with(|| Word {
            text: String::new(),
            offset,
        });
        match c {
            '"' => {
                quote_start = match quote_start {
                    Some(_) => None,
                    None => Some(offset),
                }
            }
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    word.text.push(next);
                }
            }
            _ => word.text.push(c),
        }
    }
    if let Some(offset) = quote_start {
        return Err(UnclosedQuote { offset });
    }
    words.extend(current);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        words(line).unwrap().into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn quoted_words_keep_their_spaces_and_escapes() {
        let line = r#"-A INPUT -m comment --comment "a \"q\" b\\c d\'e" -j ACCEPT"#;
        assert_eq!(
            texts(line),
            [
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                r#"a "q" b\c d'e"#,
                "-j",
                "ACCEPT"
            ]
        );
    }

    #[test]
    fn each_word_knows_where_it_starts() {
        let found = words("-A  INPUT \"x y\"").unwrap();
        let offsets: Vec<usize> = found.iter().map(|w| w.offset).collect();
        assert_eq!(offsets, [0, 4, 10]);
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        assert_eq!(
            words("-A INPUT --comment \"open"),
            Err(UnclosedQuote { offset: 19 })
        );
    }

    #[test]
    fn an_empty_quoted_word_is_a_word() {
        assert_eq!(
            texts("--log-prefix \"\" -j LOG"),
            ["--log-prefix", "", "-j", "LOG"]
        );
    }
}
