//! Everything the explorer can do, as data. The keymap turns keys and mouse
//! events into these; `App::update` is the only place state changes.

use serde::{Deserialize, Serialize};

use super::text_input::Edit;
use crate::rules::Dialect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Move the selection down one row (or cell, or line).
    Down,
    /// Move the selection up one row.
    Up,
    /// Move left (matrix columns).
    Left,
    /// Move right (matrix columns).
    Right,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// One screen down.
    PageDown,
    /// One screen up.
    PageUp,
    /// Put the cursor in the filter bar and type.
    FocusFilter,
    /// Type one character into whatever text has the focus: the filter, a
    /// prompt or a settings field.
    Type(char),
    /// Edit that text otherwise: delete, move the cursor, clear.
    Edit(Edit),
    /// Keep the filter and return to the list (Enter).
    FilterAccept,
    /// Clear the filter and return to the list (Esc).
    FilterClear,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Show rules in the next dialect.
    NextDialect,
    /// Show rules in the previous dialect.
    PrevDialect,
    /// Show rules in this dialect (a click on its tab).
    SelectDialect(Dialect),
    /// The rule pane shows (and `y` copies) the selected row's rules for
    /// the next machine they go on; in the machine view, the next machine.
    NextMachine,
    /// The same, the previous machine.
    PrevMachine,
    /// Mark or unmark the selected row.
    ToggleMark,
    /// Copy the selected connection's rule in the current dialect.
    CopyRule,
    /// Copy the rules of all marked rows, or of every filtered row when none is marked.
    CopyAll,
    /// Copy the marked rows, or every filtered row, as a flow table in
    /// Markdown for the network team (`F`).
    CopyFlows,
    /// Show the selected rule (or the machine's script, or the last copy)
    /// alone on the terminal's own screen, for a mouse selection (`v`).
    PlainView,
    /// Write the last copy to a file named in a prompt.
    WriteCopy,
    /// Check whether the selected (or marked) connections' ports answer on a host.
    CheckPorts,
    /// Open the matrix of sources × destinations.
    ShowMatrix,
    /// Open "what do I open on…": every rule one machine needs.
    ShowMachine,
    /// Open the catalog's notes.
    ShowNotes,
    /// Open the sweep of the deployment's machines (asking which role to
    /// sweep as when there is none yet).
    ShowSweep,
    /// In the sweep view: sweep again (asking the role again).
    Resweep,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Open the settings popup.
    OpenSettings,
    /// Enter: filter the list to a matrix cell, or act on the selection.
    Confirm,
    /// Leave the current view or popup.
    Back,
    /// Select this list row (a mouse click), counted from the top of the list.
    ClickRow(u16),
    /// Scroll the list by this many rows (the mouse wheel).
    Scroll(i8),
    /// Focus the machine view's script and scroll it by this many rows (the
    /// wheel over it, or a click on it: 0).
    ScrollScript(i8),
    /// Quit the explorer.
    Quit,
}
