//! vmmports: the System Center VMM firewall connection matrix, searchable,
//! with firewall rules generated from it.
//!
//! The core modules here (`catalog`, `query`) never touch the terminal; the
//! CLI (and later the TUI) are front ends over them.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
pub mod query;
pub mod rules;
pub mod text;
