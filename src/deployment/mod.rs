//! The deployment: which machines play each catalog role, the ports setup
//! moved, and the rule settings, in one file (`deployment.ron`) that every
//! command reads instead of repeated `--remote` flags.
//!
//! Core: no terminal code. `model` is the file's shape; `load` reads it and
//! checks it against a catalog; `settings` turns it into rule settings; the
//! importers build on it.

pub mod import;
pub mod load;
pub mod model;
mod settings;

pub use load::{default_path, load, load_default};
pub use model::{Deployment, DeploymentError, Machine, RuleSettings};
