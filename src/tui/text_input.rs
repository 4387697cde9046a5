//! One line of editable text with a cursor: the filter, the `p` and `w`
//! prompts and the settings fields all edit through it, so they all take
//! the same keys (Ctrl-U, Ctrl-W, ←/→, Home/End).

use serde::{Deserialize, Serialize};

/// An edit to a [`TextInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    Insert(char),
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Delete the word before the cursor (Ctrl-W).
    DeleteWord,
    /// Delete everything (Ctrl-U).
    Clear,
    Left,
    Right,
    Home,
    End,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// In characters, 0..=len.
    cursor: usize,
    /// A prefilled value not yet touched: typing replaces it, as in a
    /// dialog whose default is selected. Any other edit keeps it.
    selected: bool,
}

impl TextInput {
    /// `text`, with the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        TextInput {
            cursor: text.chars().count(),
            text,
            selected: false,
        }
    }

    /// A proposed value: shown selected, so the first character typed
    /// replaces it, and ←/→/Home/End or Backspace keep it for editing.
    pub fn prefilled(text: impl Into<String>) -> Self {
        let mut input = TextInput::new(text);
        input.selected = !input.text.is_empty();
        input
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the whole (prefilled) text is selected.
    pub fn is_selected(&self) -> bool {
        self.selected
    }

    /// The text before the cursor, for placing a terminal cursor.
    pub fn before_cursor(&self) -> String {
        self.text.chars().take(self.cursor).collect()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies `edit`; returns whether the text changed.
    pub fn apply(&mut self, edit: Edit) -> bool {
        let before = self.text.clone();
        if std::mem::take(&mut self.selected) && matches!(edit, Edit::Insert(_)) {
            self.text.clear();
            self.cursor = 0;
        }
        let len = self.text.chars().count();
        match edit {
            Edit::Insert(c) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            Edit::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            Edit::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            Edit::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.text = chars[..start].iter().chain(&chars[self.cursor..]).collect();
                self.cursor = start;
            }
            Edit::Clear => {
                self.text.clear();
                self.cursor = 0;
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(len),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = len,
            Edit::Backspace | Edit::Delete => {}
        }
        self.text != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(input: &mut TextInput, text: &str) {
        for c in text.chars() {
            input.apply(Edit::Insert(c));
        }
    }

    #[test]
    fn edits_at_the_cursor_in_characters() {
        let mut input = TextInput::new("hv01");
        input.apply(Edit::Home);
        typed(&mut input, "é");
        assert_eq!((input.text(), input.cursor()), ("éhv01", 1));
        input.apply(Edit::End);
        input.apply(Edit::Backspace);
        input.apply(Edit::Left);
        input.apply(Edit::Delete);
        assert_eq!((input.text(), input.cursor()), ("éhv", 3));
        assert!(!input.apply(Edit::Right), "moving changes no text");
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_ctrl_u_everything() {
        let mut input = TextInput::new("to:hyper-v  winrm");
        assert!(input.apply(Edit::DeleteWord));
        assert_eq!(input.text(), "to:hyper-v  ");
        input.apply(Edit::DeleteWord);
        assert_eq!(input.text(), "");
        typed(&mut input, "10.0.0.7");
        assert!(input.apply(Edit::Clear));
        assert_eq!((input.text(), input.cursor()), ("", 0));
    }

    #[test]
    fn a_prefilled_value_is_replaced_by_typing_and_kept_by_moving() {
        let mut input = TextInput::prefilled("127.0.0.1");
        assert!(input.is_selected());
        typed(&mut input, "10.0.0.7");
        assert_eq!(input.text(), "10.0.0.7", "not 127.0.0.110.0.0.7");
        let mut input = TextInput::prefilled("hv01");
        input.apply(Edit::End);
        typed(&mut input, ".contoso.com");
        assert_eq!(input.text(), "hv01.contoso.com");
        let mut input = TextInput::prefilled("hv01");
        input.apply(Edit::Backspace);
        assert_eq!(input.text(), "hv0");
    }
}
