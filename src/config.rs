//! The user's config file: the deployment settings the explorer saves and
//! `vmmports rules` reads (flags override it).
//!
//! It lives in `vmmports/config.ron` under `XDG_CONFIG_HOME` when that is
//! set, on every platform; otherwise under the platform's config folder:
//! `~/.config` on Linux, `%APPDATA%` (the roaming profile) on Windows.
//! Saving writes a temporary file beside it
//! and renames it over the old one, so a crash never leaves half a file. A
//! file that does not parse is reported with line:col and never overwritten.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rules::Dialect;
use crate::rules::settings::Settings;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub settings: Settings,
    /// The dialect the explorer opens with.
    pub dialect: Option<Dialect>,
    /// How to copy (`--clipboard` overrides it).
    pub clipboard: Option<crate::clipboard::Choice>,
    /// The largest copy OSC 52 may send, in bytes (default 74,994).
    pub osc52_limit: Option<usize>,
    /// The host last checked (`p`), by destination component id.
    pub hosts: std::collections::BTreeMap<String, String>,
}

/// A config file that could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, for parse errors.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.path.display(), self.message)
            }
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Where the config file is; `None` when the platform has no config folder
/// (no `HOME` and no user database entry, say).
pub fn default_path() -> Option<PathBuf> {
    // `dirs` honours XDG_CONFIG_HOME only on Linux; an admin who sets it on
    // Windows (a portable setup, a test) means it there too.
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::config_dir)?;
    Some(base.join("vmmports").join("config.ron"))
}

/// Reads the config; a missing file is the default config.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError {
                path: path.to_path_buf(),
                position: None,
                message: format!("cannot read it: {e}"),
            });
        }
    };
    ron::Options::default()
        .from_str(&text)
        .map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: Some((e.span.start.line, e.span.start.col)),
            message: format!(
                "{}; fix or delete the file (vmmports will not overwrite it)",
                e.code
            ),
        })
}

/// Writes the config atomically: a temporary file in the same folder, flushed
/// to disk, then renamed over the old file.
pub fn save(path: &Path, config: &Config) -> Result<(), ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        position: None,
        message,
    };
    let dir = path
        .parent()
        .ok_or_else(|| error("has no parent folder".into()))?;
    std::fs::create_dir_all(dir).map_err(|e| error(format!("cannot create its folder: {e}")))?;
    let newline = crate::platform::EDITABLE_NEWLINE;
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .new_line(newline);
    let mut text = ron::ser::to_string_pretty(config, pretty)
        .map_err(|e| error(format!("cannot encode settings: {e}")))?;
    text.push_str(newline);
    crate::atomic_file::write(path, text.as_bytes()).map_err(|e| error(format!("cannot save: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.ron");
        let mut config = Config::default();
        config.settings.group = "Contoso".into();
        config.settings.ports.insert("BitsTcpPort".into(), 8443);
        config.dialect = Some(Dialect::Nft);
        save(&path, &config).unwrap();
        assert_eq!(load(&path).unwrap(), config);
        // Every line ends the platform's way for a hand-edited file: CRLF on
        // Windows (this test runs there too, under Wine in CI), LF elsewhere.
        let text = std::fs::read_to_string(&path).unwrap();
        let newline = crate::platform::EDITABLE_NEWLINE;
        assert!(
            text.ends_with(newline) && text.lines().count() > 3,
            "{text:?}"
        );
        assert_eq!(
            text.matches('\n').count(),
            text.matches(newline).count(),
            "{text:?}"
        );
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config.ron"]);
    }

    #[test]
    fn missing_file_is_the_default_and_bad_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load(&dir.path().join("none.ron")).unwrap(),
            Config::default()
        );
        let path = dir.path().join("bad.ron");
        std::fs::write(&path, "Config(\n  settings: (group: 5),\n)\n").unwrap();
        let e = load(&path).unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert!(
            e.to_string().starts_with(&format!("{}:2:", path.display())),
            "{e}"
        );
    }
}
