//! Helpers shared by the integration tests that declare `mod common;`.

// Each test binary compiles this module on its own and uses only part of it
// (`tui_pty_unix` resizes and signals, `clipboard_e2e_unix` does not), so whatever one
// binary leaves unused would otherwise warn there.
#![allow(dead_code)]

pub mod big_catalog;
pub mod binary;
pub mod config;
pub mod hostile;
pub mod library;
pub mod man;
pub mod needs;
pub mod powershell_grammar;
pub mod powershell_literal;
pub mod process;
pub mod pty;
pub mod random_firewall;
pub mod screen;
pub mod stubs;
pub mod swept;
pub mod wine;
