//! What a check learned about one port: whether it was reached, and what
//! the service behind it said when spoken to.

use std::time::Duration;

use serde::Serialize;

/// Whether the port was reached at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Reached: a TCP connect succeeded, or a UDP datagram got a reply, in
    /// this time.
    Open(Duration),
    /// Something answered and said no: nothing listens, or a firewall
    /// rejects (a TCP reset, or an ICMP port unreachable for UDP).
    Refused,
    /// No TCP answer within the timeout: a firewall drops, or the host is
    /// down.
    TimedOut,
    /// No UDP reply within the timeout. UDP has no handshake, so this means
    /// open or filtered: a service that ignores the probe looks the same as
    /// a firewall that drops it.
    NoAnswer,
    /// Another error (network unreachable…), as the system said it.
    Failed(String),
    /// A port that cannot be checked (ICMP, a range), with what to do.
    Untestable(String),
}

impl Status {
    /// How a table or the explorer shows it: `open (0.4 ms)`, `not tested`,
    /// else [`Status::word`].
    pub fn text(&self) -> String {
        match self {
            Status::Open(d) => format!("open ({:.1} ms)", d.as_secs_f64() * 1000.0),
            Status::Untestable(_) => "not tested".to_string(),
            other => other.word().to_string(),
        }
    }

    /// The word used in tables and JSON.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Open(_) => "open",
            Status::Refused => "refused",
            Status::TimedOut => "timed out",
            Status::NoAnswer => "no answer",
            Status::Failed(_) => "failed",
            Status::Untestable(_) => "untested",
        }
    }
}

/// The certificate and protocol a TLS port presented. Trust is not judged:
/// an internal CA is normal for WinRM and BITS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// `TLS 1.2` or `TLS 1.3`.
    pub version: String,
    /// The subject as `C=US, O=Contoso\, Ltd, CN=hv01`: its attributes in
    /// the certificate's order, each value escaped as RFC 4514 says, so a
    /// comma inside a value cannot pass for a separator.
    pub subject: String,
    /// The issuer, written as the subject is.
    pub issuer: String,
    /// Subject alternative names: DNS names and IP addresses, as written.
    pub san: Vec<String>,
    pub self_signed: bool,
    /// The certificate's notBefore, RFC 3339 in UTC.
    pub not_before: String,
    /// The certificate's notAfter, RFC 3339 in UTC.
    pub not_after: String,
    /// Whole days until notAfter, rounded down; negative once expired.
    pub days_left: i64,
    pub expired: bool,
    /// notBefore is still ahead: clients refuse the certificate too.
    pub not_yet_valid: bool,
    /// Whether the host name (or address) the check was given is one the
    /// certificate names, as a client checking it would see it.
    pub name_matches: bool,
    /// The subject's common names, in order, as parsed (not escaped).
    pub common_names: Vec<String>,
}

/// One instance the SQL Server Browser lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlInstance {
    pub name: String,
    /// The instance's TCP port, when it listens on TCP.
    pub tcp_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The outcome for one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: Status,
    /// The service answered as its probe expects (always false unless open).
    pub answered: bool,
    /// One human line: what answered, or what went wrong and what to do.
    pub detail: Option<String>,
    /// What deserves attention without failing the check: a certificate
    /// that expires within 30 days, a name it does not carry.
    pub warnings: Vec<String>,
    pub tls: Option<TlsInfo>,
    pub instances: Option<Vec<SqlInstance>>,
}

impl Finding {
    /// A port that was not reached, or not tested: nothing answered.
    pub fn unreached(status: Status) -> Finding {
        let detail = match &status {
            Status::Failed(e) | Status::Untestable(e) => Some(e.clone()),
            Status::NoAnswer => Some(
                "open or filtered: UDP cannot tell a silent service from a firewall that drops"
                    .into(),
            ),
            _ => None,
        };
        Finding {
            status,
            answered: false,
            detail,
            warnings: Vec::new(),
            tls: None,
            instances: None,
        }
    }

    /// A port that was reached; the probe fills in the rest.
    pub fn reached(took: Duration, answered: bool, detail: impl Into<String>) -> Finding {
        Finding {
            status: Status::Open(took),
            answered,
            detail: Some(detail.into()),
            warnings: Vec::new(),
            tls: None,
            instances: None,
        }
    }

    /// Whether the port was actually tried (not skipped as untestable).
    pub fn tested(&self) -> bool {
        !matches!(self.status, Status::Untestable(_))
    }
}
