//! The explorer's state, one concern per file. `App` (in `app.rs`) holds
//! what the views share and dispatches each action to the state it is about;
//! each state here changes only through its own methods, so it can be read
//! and tested on its own. The settings form, the last of them, lives in
//! `tui/settings_form.rs`.

pub mod check;
pub mod filter;
pub mod list;
pub mod machine;
pub mod matrix;
pub mod prompt;
pub mod requests;
pub mod sweep;

pub use check::CheckRun;
pub use filter::{FilterState, Searched};
pub use list::{ListState, Pane};
pub use machine::{MachinePane, MachineState};
pub use matrix::MatrixState;
pub use prompt::{Prompt, PromptOutcome, PromptState};
pub use requests::Requests;
pub use sweep::SweepView;
