//! The deployment: which machines play each catalog role, the ports setup
//! moved, and the rule settings, in one file (`deployment.ron`) that every
//! command reads instead of repeated `--remote` flags.
//!
//! Core: no terminal code. `model` is the file's shape; loading, checking
//! against a catalog, and the importers build on it.

pub mod import;
pub mod model;

pub use model::{Deployment, DeploymentError, Machine, RuleSettings};
