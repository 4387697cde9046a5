//! Which protocol probe `check` speaks on a port once it is reached: data in
//! the catalog (`probe: "winrm"`), so that a new row needs no code.

use serde::{Deserialize, Serialize};

use super::model::Transport;

/// A probe kind. Written as a kebab-case string in RON and JSON alike
/// (`"rpc-epm"`), because RON identifiers cannot hold a dash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Probe {
    /// The TCP connect alone.
    Tcp,
    /// One short datagram; any reply means open.
    Udp,
    /// ICMP: not sent (it needs privileges); `check` says what to run.
    Icmp,
    /// The TLS handshake: version and the server's certificate.
    Tls,
    /// An unauthenticated `POST /wsman`: WinRM answers 401 with Negotiate
    /// or Kerberos from Microsoft-HTTPAPI/2.0.
    Winrm,
    /// A `HEAD /`: the status line and the `Server` header.
    Http,
    /// An SMB2 NEGOTIATE (after a NetBIOS session request on 139).
    Smb,
    /// A DCE/RPC bind to the endpoint mapper.
    RpcEpm,
    /// A TDS PRELOGIN: the SQL Server version.
    Tds,
    /// The SQL Server Browser's instance list.
    SqlBrowser,
    /// An RMCP/ASF Presence Ping to a BMC.
    Ipmi,
    /// A TFTP read request for a file that does not exist.
    Tftp,
    /// The SSH banner.
    Ssh,
}

impl Probe {
    pub const ALL: [Probe; 13] = [
        Probe::Tcp,
        Probe::Udp,
        Probe::Icmp,
        Probe::Tls,
        Probe::Winrm,
        Probe::Http,
        Probe::Smb,
        Probe::RpcEpm,
        Probe::Tds,
        Probe::SqlBrowser,
        Probe::Ipmi,
        Probe::Tftp,
        Probe::Ssh,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Probe::Tcp => "tcp",
            Probe::Udp => "udp",
            Probe::Icmp => "icmp",
            Probe::Tls => "tls",
            Probe::Winrm => "winrm",
            Probe::Http => "http",
            Probe::Smb => "smb",
            Probe::RpcEpm => "rpc-epm",
            Probe::Tds => "tds",
            Probe::SqlBrowser => "sql-browser",
            Probe::Ipmi => "ipmi",
            Probe::Tftp => "tftp",
            Probe::Ssh => "ssh",
        }
    }

    /// The protocol's name, for sentences.
    pub fn label(self) -> &'static str {
        match self {
            Probe::Tcp => "TCP",
            Probe::Udp => "UDP",
            Probe::Icmp => "ICMP",
            Probe::Tls => "TLS",
            Probe::Winrm => "WinRM",
            Probe::Http => "HTTP",
            Probe::Smb => "SMB",
            Probe::RpcEpm => "RPC endpoint mapper",
            Probe::Tds => "SQL Server",
            Probe::SqlBrowser => "SQL Server Browser",
            Probe::Ipmi => "IPMI",
            Probe::Tftp => "TFTP",
            Probe::Ssh => "SSH",
        }
    }

    /// The transport the probe runs over.
    pub fn transport(self) -> Transport {
        match self {
            Probe::Udp | Probe::SqlBrowser | Probe::Ipmi | Probe::Tftp => Transport::Udp,
            Probe::Icmp => Transport::Icmp,
            _ => Transport::Tcp,
        }
    }

    /// The probe of a port that names none: the bare transport.
    pub fn default_for(transport: Transport) -> Probe {
        match transport {
            Transport::Tcp => Probe::Tcp,
            Transport::Udp => Probe::Udp,
            Transport::Icmp => Probe::Icmp,
        }
    }

    /// Probes that may run inside a TLS session (`inside_tls`).
    pub fn runs_inside_tls(self) -> bool {
        matches!(self, Probe::Winrm | Probe::Http)
    }

    /// Every kind, for error messages and help.
    pub fn names() -> String {
        Probe::ALL.map(Probe::as_str).join(", ")
    }
}

impl TryFrom<String> for Probe {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Probe::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "unknown probe `{}`; expected one of: {}",
                    text.escape_default(),
                    Probe::names()
                )
            })
    }
}

impl From<Probe> for String {
    fn from(probe: Probe) -> String {
        probe.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_choices() {
        for probe in Probe::ALL {
            assert_eq!(Probe::try_from(probe.as_str().to_string()), Ok(probe));
        }
        let err = Probe::try_from("rpc_epm".to_string()).unwrap_err();
        assert!(
            err.contains("`rpc_epm`") && err.contains("rpc-epm"),
            "{err}"
        );
    }

    #[test]
    fn each_probe_runs_over_one_transport() {
        assert_eq!(Probe::SqlBrowser.transport(), Transport::Udp);
        assert_eq!(Probe::Winrm.transport(), Transport::Tcp);
        for t in Transport::ALL {
            assert_eq!(Probe::default_for(t).transport(), t);
        }
    }
}
