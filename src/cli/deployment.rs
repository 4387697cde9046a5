//! The deployment file on the command line: `--deployment FILE`, else the
//! default file beside `config.ron` when there is one, and the settings
//! every command starts from. Precedence, lowest first: the config file,
//! the deployment file, the command's flags.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::catalog::Catalog;
use crate::deployment::{Deployment, DeploymentError};
use crate::rules::settings::Settings;

/// A deployment file that was read and checked.
pub struct InUse {
    pub path: PathBuf,
    pub deployment: Deployment,
}

impl From<DeploymentError> for CliError {
    fn from(e: DeploymentError) -> Self {
        CliError::new(format!("deployment file {e}"), e.hint)
    }
}

/// The deployment file this run uses: the one `--deployment` names (which
/// must exist), else the default one if it exists, else none.
pub fn in_use(flag: Option<&Path>, catalog: &Catalog) -> Result<Option<InUse>, CliError> {
    let path = match flag {
        Some(path) => path.to_path_buf(),
        None => match crate::deployment::default_path() {
            Some(path) if path.exists() => path,
            _ => return Ok(None),
        },
    };
    let deployment = crate::deployment::load(&path, catalog)?;
    Ok(Some(InUse { path, deployment }))
}

/// Which deployment file commands read, for `vmmports doctor` (not
/// checked here: that needs the catalog, and every command checks it).
pub fn describe(flag: Option<&Path>) -> String {
    match (flag, crate::deployment::default_path()) {
        (Some(path), _) if path.exists() => format!("{} (--deployment)", path.display()),
        (Some(path), _) => format!("{} (--deployment), which does not exist", path.display()),
        (None, Some(path)) if path.exists() => format!("{} (the default)", path.display()),
        (None, Some(path)) => format!(
            "none; --remote flags and the config only (the default file would be {})",
            path.display()
        ),
        (None, None) => "none (no config folder here)".into(),
    }
}

/// The settings before a command's flags: the config file's, then the
/// deployment file's.
pub struct Base {
    pub settings: Settings,
    /// The roles the deployment file lists: a `--remote` for one of them
    /// replaces the file's addresses instead of adding to them, since the
    /// flag is the admin overriding the file for this run.
    pub file_roles: BTreeSet<String>,
}

impl Base {
    /// `config` (the config file's settings) with `in_use` on top.
    pub fn new(
        catalog: &Catalog,
        config: Settings,
        in_use: Option<&InUse>,
    ) -> Result<Base, CliError> {
        let Some(file) = in_use else {
            return Ok(Base {
                settings: config,
                file_roles: BTreeSet::new(),
            });
        };
        let mut settings = file.deployment.settings(catalog, config).map_err(|e| {
            CliError::new(
                format!(
                    "deployment file {}, on top of the config file: {}",
                    file.path.display(),
                    e.message
                ),
                Some(e.hint),
            )
        })?;
        settings.deployment = Some(file.path.display().to_string());
        Ok(Base {
            settings,
            file_roles: file.deployment.machines.keys().cloned().collect(),
        })
    }
}
