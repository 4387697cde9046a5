//! What `deployment.ron` holds, and reading and writing its text.
//!
//! ```ron
//! (
//!     machines: {
//!         "vmm-server": [(name: "vmm01.contoso.com", address: "10.0.0.5")],
//!         "hyperv-host": [(name: "hv01.contoso.com"), (address: "10.0.1.0/24")],
//!     },
//!     ports: {"BitsTcpPort": 8443},
//!     rules: (group: "VMM", profiles: [domain]),
//! )
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rules::settings::Profile;

/// A deployment as written in its file. Every part may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deployment {
    /// The machines of each role, by catalog component id, in file order.
    pub machines: BTreeMap<String, Vec<Machine>>,
    /// Ports chosen in VMM setup, by VMServer.ini key (`BitsTcpPort`).
    pub ports: BTreeMap<String, u16>,
    /// How rules are written for this deployment.
    pub rules: RuleSettings,
}

/// One machine, or one subnet of machines: a host name, an address (an IP
/// address or a CIDR subnet), or both. Never neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Machine {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The rule settings that `--group`, `--profile`, `--include-dynamic`,
/// `--outbound` and `--any-for-missing` give on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Windows Firewall profiles; left out or empty means any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Profile>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub include_dynamic: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub outbound: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub any_for_missing: bool,
}

/// A deployment file that cannot be used: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for DeploymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.path.display(), self.message)
            }
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for DeploymentError {}

impl Deployment {
    /// Parses the text of a deployment file; `path` names it in errors.
    /// Only the shape is checked here, not the roles against a catalog.
    pub fn parse(text: &str, path: &Path) -> Result<Deployment, DeploymentError> {
        // `name: "hv01"`, not `name: Some("hv01")`: the file is written by hand.
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .map_err(|e| DeploymentError {
                path: path.to_path_buf(),
                position: Some((e.span.start.line, e.span.start.col)),
                message: e.code.to_string(),
                hint: Some(
                    "a deployment file is (machines: {\"ROLE\": [(name: \"HOST\", address: \"IP\")]}, ports: {}, rules: ())"
                        .into(),
                ),
            })
    }

    /// The file's text: pretty RON, ending in a newline, lines ending as a
    /// hand-edited file does on this platform.
    pub fn to_ron(&self) -> String {
        let newline = crate::platform::EDITABLE_NEWLINE;
        let pretty = ron::ser::PrettyConfig::new()
            .new_line(newline)
            .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
        let mut text =
            ron::ser::to_string_pretty(self, pretty).expect("a deployment always encodes");
        text.push_str(newline);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_shape_parses_and_round_trips() {
        let text = r#"(
            machines: {
                "vmm-server": [(name: "vmm01.contoso.com", address: "10.0.0.5")],
                "hyperv-host": [(name: "hv01.contoso.com"), (address: "10.0.1.0/24")],
            },
            ports: {"BitsTcpPort": 8443},
            rules: (group: "VMM", profiles: [domain]),
        )"#;
        let d = Deployment::parse(text, Path::new("d.ron")).unwrap();
        assert_eq!(d.machines["hyperv-host"].len(), 2);
        assert_eq!(
            d.machines["vmm-server"][0].address.as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(d.ports["BitsTcpPort"], 8443);
        assert_eq!(d.rules.profiles, [Profile::Domain]);
        assert_eq!(
            Deployment::parse(&d.to_ron(), Path::new("d.ron")).unwrap(),
            d
        );
    }

    #[test]
    fn a_typo_is_reported_with_its_line_and_column() {
        let text = "(\n  machines: {},\n  prots: {},\n)";
        let e = Deployment::parse(text, Path::new("d.ron")).unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");
        assert!(e.to_string().starts_with("d.ron:3:"), "{e}");
        assert!(e.message.contains("prots"), "{e}");
    }
}
