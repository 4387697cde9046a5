//! vmmports: the System Center VMM firewall connection matrix, searchable,
//! with firewall rules generated from it.
//!
//! The core modules here (`catalog`, `query`, `rules`) never touch the
//! terminal; the CLI (`cli`) and the explorer (`tui`) are front ends over them.

// Denied rather than forbidden: `platform::windows` alone allows it, for the
// one Win32 call no safe crate covers.
#![deny(unsafe_code)]

pub mod atomic_file;
pub mod audit;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod deployment;
pub mod file_text;
pub mod flows;
pub mod listen;
pub mod platform;
pub mod query;
pub mod rules;
pub mod sweep;
pub mod text;
pub mod tui;
