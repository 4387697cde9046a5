//! Finds where a value sits in a catalog file, so that validation errors can
//! say `file:line:col`.
//!
//! Why by hand: serde (and so `ron` and `serde_json`) forgets positions once a
//! value is deserialized, and no maintained crate keeps spans for RON. The
//! validator reports problems by *path* (`connections[3].ports[0].first`); this
//! module walks the source text along that path. It understands just enough of
//! RON and JSON (strings, raw strings, comments, the three bracket kinds and
//! `key: value` entries) to do that, and never decides whether a file is valid:
//! the real parsers do.

/// One step of a path into the document. A catalog's fields are the
/// schema's (`'static`); a deployment's map keys are the file's own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The value of a struct field or map entry, by its key.
    Field(&'a str),
    Index(usize),
    /// The key itself of a map entry (last step only): where a wrong key,
    /// such as an unknown role, was written.
    Key(&'a str),
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// Position of the value at `path`, or of the deepest ancestor that exists
/// (a field that was left out and defaulted points at its parent).
pub fn locate(text: &str, path: &[Step]) -> Position {
    locate_all(text, &[path])[0]
}

/// [`locate`] for many paths, reading the text once: a file whose one
/// renamed component is named by 100,000 rows has 100,000 problems, and
/// scanning an 80 MB file for each would look like a hang.
pub fn locate_all(text: &str, paths: &[&[Step]]) -> Vec<Position> {
    let mut scanner = Scanner::new(text);
    scanner.skip_trivia();
    scanner.skip_inner_attributes();
    let root = scanner.value();
    paths.iter().map(|path| find(&root, path)).collect()
}

fn find(root: &Node, path: &[Step]) -> Position {
    let mut node = root;
    for step in path {
        let next = match (step, &node.entries) {
            (Step::Field(name), Some(entries)) => entries
                .iter()
                .find(|e| e.key.as_deref() == Some(*name))
                .map(|e| &e.node),
            (Step::Key(name), Some(entries)) => {
                match entries.iter().find(|e| e.key.as_deref() == Some(*name)) {
                    Some(e) => return e.key_start,
                    None => None,
                }
            }
            (Step::Index(i), Some(entries)) => entries.get(*i).map(|e| &e.node),
            (_, None) => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    node.start
}

struct Node {
    start: Position,
    /// `Some` for bracketed containers: each entry with its key, if it has one.
    entries: Option<Vec<Entry>>,
}

struct Entry {
    key: Option<String>,
    /// Where the key starts (the value's start when there is no key).
    key_start: Position,
    node: Node,
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Position,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            chars: text.chars().peekable(),
            pos: Position { line: 1, col: 1 },
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.col = 1;
        } else {
            self.pos.col += 1;
        }
        Some(c)
    }

    /// Whitespace and comments (`//`, and nestable `/* */` as RON allows).
    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') => {
                    let mut ahead = self.chars.clone();
                    ahead.next();
                    match ahead.next() {
                        Some('/') => {
                            while self.peek().is_some_and(|c| c != '\n') {
                                self.bump();
                            }
                        }
                        Some('*') => {
                            self.bump();
                            self.bump();
                            let mut depth = 1;
                            while depth > 0 {
                                match self.bump() {
                                    Some('*') if self.peek() == Some('/') => {
                                        self.bump();
                                        depth -= 1;
                                    }
                                    Some('/') if self.peek() == Some('*') => {
                                        self.bump();
                                        depth += 1;
                                    }
                                    Some(_) => {}
                                    None => return,
                                }
                            }
                        }
                        _ => return,
                    }
                }
                _ => return,
            }
        }
    }

    /// RON's `#![enable(...)]` headers.
    fn skip_inner_attributes(&mut self) {
        while self.peek() == Some('#') {
            while let Some(c) = self.bump() {
                if c == ']' {
                    break;
                }
            }
            self.skip_trivia();
        }
    }

    fn value(&mut self) -> Node {
        self.skip_trivia();
        let start = self.pos;
        match self.peek() {
            Some('"') => {
                self.string();
                Node {
                    start,
                    entries: None,
                }
            }
            Some('\'') => {
                self.bump();
                while let Some(c) = self.bump() {
                    match c {
                        '\\' => {
                            self.bump();
                        }
                        '\'' => break,
                        _ => {}
                    }
                }
                Node {
                    start,
                    entries: None,
                }
            }
            Some(open @ ('(' | '[' | '{')) => {
                self.bump();
                let entries = self.entries(closing(open));
                Node {
                    start,
                    entries: Some(entries),
                }
            }
            Some('r') if self.raw_string_ahead() => {
                self.raw_string();
                Node {
                    start,
                    entries: None,
                }
            }
            Some(_) => {
                self.word();
                self.skip_trivia();
                // A named struct or enum variant: `Port(...)`, `device(...)`.
                if let Some(open @ ('(' | '[' | '{')) = self.peek() {
                    self.bump();
                    let entries = self.entries(closing(open));
                    return Node {
                        start,
                        entries: Some(entries),
                    };
                }
                Node {
                    start,
                    entries: None,
                }
            }
            None => Node {
                start,
                entries: None,
            },
        }
    }

    /// Entries up to `close`, each `value` or `key: value`.
    fn entries(&mut self, close: char) -> Vec<Entry> {
        let mut out = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return out,
                Some(c) if c == close => {
                    self.bump();
                    return out;
                }
                Some(',') => {
                    self.bump();
                    continue;
                }
                Some(c) if c == ')' || c == ']' || c == '}' => {
                    // Mismatched bracket: the real parser reports it; stop here.
                    self.bump();
                    return out;
                }
                _ => {}
            }
            let key_text = self.key_text();
            let first = self.value();
            self.skip_trivia();
            let key_start = first.start;
            if self.peek() == Some(':') {
                self.bump();
                let node = self.value();
                out.push(Entry {
                    key: key_text,
                    key_start,
                    node,
                });
            } else {
                out.push(Entry {
                    key: None,
                    key_start,
                    node: first,
                });
            }
        }
    }

    /// The text of the next token if it could be a key (identifier or
    /// string), without consuming anything.
    fn key_text(&mut self) -> Option<String> {
        let mut ahead = self.chars.clone();
        match ahead.peek().copied() {
            Some('"') => {
                ahead.next();
                let mut key = String::new();
                while let Some(c) = ahead.next() {
                    match c {
                        '"' => return Some(key),
                        '\\' => key.push(ahead.next()?),
                        _ => key.push(c),
                    }
                }
                None
            }
            Some(c) if is_word_char(c) => Some(ahead.take_while(|&c| is_word_char(c)).collect()),
            _ => None,
        }
    }

    fn string(&mut self) {
        self.bump();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '"' => return,
                _ => {}
            }
        }
    }

    fn raw_string_ahead(&mut self) -> bool {
        let mut ahead = self.chars.clone();
        ahead.next();
        matches!(ahead.next(), Some('#' | '"'))
    }

    fn raw_string(&mut self) {
        self.bump(); // r
        let mut hashes = 0;
        while self.peek() == Some('#') {
            self.bump();
            hashes += 1;
        }
        self.bump(); // opening quote
        'outer: while let Some(c) = self.bump() {
            if c == '"' {
                for _ in 0..hashes {
                    if self.peek() != Some('#') {
                        continue 'outer;
                    }
                    self.bump();
                }
                return;
            }
        }
    }

    fn word(&mut self) {
        let mut any = false;
        while self.peek().is_some_and(is_word_char) {
            self.bump();
            any = true;
        }
        if !any {
            // Stray punctuation: consume it so scanning always advances.
            self.bump();
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '+' | '.')
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, col: usize) -> Position {
        Position { line, col }
    }

    #[test]
    fn finds_ron_fields_and_indices() {
        let text = "#![enable(implicit_some)]\n// comment\nCatalog(\n  connections: [\n    Connection(id: \"a\", ports: [Port(first: 1)]),\n    Connection(id: \"b\", ports: [Port(first: 2), Port(first: 3)]),\n  ],\n)\n";
        let path = [
            Step::Field("connections"),
            Step::Index(1),
            Step::Field("ports"),
            Step::Index(1),
            Step::Field("first"),
        ];
        assert_eq!(locate(text, &path), at(6, 61));
        assert_eq!(
            locate(
                text,
                &[
                    Step::Field("connections"),
                    Step::Index(0),
                    Step::Field("id")
                ]
            ),
            at(5, 20)
        );
    }

    #[test]
    fn finds_json_fields() {
        let text = "{\n  \"connections\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"from\": [\"x\", \"y\"]}\n  ]\n}";
        let path = [
            Step::Field("connections"),
            Step::Index(1),
            Step::Field("from"),
            Step::Index(1),
        ];
        assert_eq!(locate(text, &path), at(4, 31));
    }

    #[test]
    fn missing_field_points_at_parent() {
        let text = "(a: (b: 1))";
        assert_eq!(
            locate(text, &[Step::Field("a"), Step::Field("zzz")]),
            at(1, 5)
        );
    }

    #[test]
    fn strings_and_comments_do_not_confuse_it() {
        let text = "(a: \"x: [(\", /* b: 9 /* nested */ */ b: r#\"]\"# , c: 'x', d: 4)";
        assert_eq!(locate(text, &[Step::Field("d")]), at(1, 61));
    }

    #[test]
    fn finds_a_map_key_and_the_value_under_it() {
        let text = "(\n  machines: {\n    \"vmm\": [(name: \"a\"), (address: \"b\")],\n  },\n)";
        let machines = Step::Field("machines");
        assert_eq!(locate(text, &[machines, Step::Key("vmm")]), at(3, 5));
        assert_eq!(
            locate(
                text,
                &[
                    machines,
                    Step::Field("vmm"),
                    Step::Index(1),
                    Step::Field("address")
                ]
            ),
            at(3, 36)
        );
        // A key that is not there points at its map.
        assert_eq!(locate(text, &[machines, Step::Key("sql")]), at(2, 13));
    }

    #[test]
    fn survives_truncated_input() {
        let text = "(a: [1, 2, (b: \"unterminated";
        let _ = locate(text, &[Step::Field("a"), Step::Index(2), Step::Field("b")]);
        let _ = locate("", &[Step::Field("a")]);
        let _ = locate(")))", &[Step::Index(4)]);
    }
}
