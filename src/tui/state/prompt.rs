//! A one-line text prompt over the view: what it asks for and what is typed.
//! It only collects the answer; `App` acts on it, because writing a file or
//! starting a check needs what the prompt does not own.

use crate::tui::action::Action;
use crate::tui::text_input::{Edit, TextInput};

/// What a text prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// A file name for the last copy (`w`).
    WriteCopy,
    /// The host to check the selected connections' ports on (`p`).
    CheckHost,
    /// The role this machine plays, to sweep the deployment as (`S`).
    SweepAs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptState {
    pub purpose: Prompt,
    /// What is typed; a proposed value starts selected.
    pub input: TextInput,
}

/// Where a key left the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptOutcome {
    /// Still open.
    Open,
    /// Closed without an answer (Esc).
    Cancelled,
    /// Closed with this answer, trimmed (Enter).
    Answered(Prompt, String),
}

impl PromptState {
    /// A prompt for `purpose` proposing `value`, selected so typing replaces it.
    pub fn new(purpose: Prompt, value: impl Into<String>) -> Self {
        PromptState {
            purpose,
            input: TextInput::prefilled(value),
        }
    }

    /// Keys while the prompt is open: every text input edits the same way.
    pub fn update(&mut self, action: Action) -> PromptOutcome {
        match action {
            Action::Type(c) => {
                self.input.apply(Edit::Insert(c));
            }
            Action::Edit(edit) => {
                self.input.apply(edit);
            }
            Action::Back => return PromptOutcome::Cancelled,
            Action::Confirm => {
                return PromptOutcome::Answered(self.purpose, self.input.text().trim().to_string());
            }
            _ => {}
        }
        PromptOutcome::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_answers_trimmed_and_esc_cancels() {
        let mut prompt = PromptState::new(Prompt::CheckHost, "old");
        // The proposed value is selected: typing replaces it.
        for c in " host ".chars() {
            assert_eq!(prompt.update(Action::Type(c)), PromptOutcome::Open);
        }
        assert_eq!(prompt.update(Action::Down), PromptOutcome::Open);
        assert_eq!(
            prompt.update(Action::Confirm),
            PromptOutcome::Answered(Prompt::CheckHost, "host".into())
        );
        assert_eq!(prompt.update(Action::Back), PromptOutcome::Cancelled);
    }
}
