//! The next step for a result that is not right: one line an admin can act
//! on in an incident, naming the command to run and where. A result that
//! is right gets none, and so does a port that was not tested (its detail
//! already says what to run instead).

use super::{Finding, Status};
use crate::catalog::Transport;

/// What to do next about `finding` on `port` (`5985`) over `transport`,
/// checked on `host`; `None` when the service answered as expected.
pub fn hint(finding: &Finding, port: &str, transport: Transport, host: &str) -> Option<String> {
    if finding.answered {
        return None;
    }
    // Who listens, on each system the catalog's machines run: Windows (most
    // of VMM; OwningProcess is in the default view) and Linux (appliances);
    // `ss -p` needs root to name another user's process.
    let (windows, flags) = match transport {
        Transport::Udp => (format!("Get-NetUDPEndpoint -LocalPort {port}"), "lun"),
        _ => (
            format!("Get-NetTCPConnection -LocalPort {port} -State Listen"),
            "ltn",
        ),
    };
    let ss = |more: &str| format!("ss -{flags}{more} 'sport = :{port}'");
    let listen = format!("vmmports listen port:{port}");
    match &finding.status {
        // The right service, with a certificate clients refuse: the next
        // step is the certificate, not another service.
        Status::Open(_)
            if finding
                .tls
                .as_ref()
                .is_some_and(|tls| tls.expired || tls.not_yet_valid) =>
        {
            Some(format!(
                "the certificate on {host}:{port} is refused by clients: renew or rebind it there; `Get-ChildItem Cert:\\LocalMachine\\My | Sort-Object NotAfter` lists the machine's certificates"
            ))
        }
        Status::Open(_) => Some(format!(
            "another service owns {port} on {host}; find it: `{windows}` on Windows, `sudo {}` on Linux",
            ss("p")
        )),
        Status::Refused => Some(format!(
            "nothing listens: is the service running on {host}? `{windows}` on Windows, `{}` on Linux",
            ss("")
        )),
        Status::TimedOut => Some(format!(
            "dropped on the way or on {host}: stop the service there, run `{listen}` on {host}, check again"
        )),
        Status::NoAnswer => Some(format!(
            "open or filtered: stop the service on {host}, run `{listen}` there, check again (listen replies; silence then means a firewall)"
        )),
        Status::Failed(_) => Some(format!(
            "not sent from here: check this machine's route to {host} (`ping {host}`, `tracert`/`traceroute`)"
        )),
        Status::Untestable(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_wrong_result_gets_a_step_and_a_right_one_none() {
        let h = |f: &Finding, t| hint(f, "5985", t, "hv01");
        let right = Finding::reached(Duration::ZERO, true, "WinRM");
        assert_eq!(h(&right, Transport::Tcp), None);
        let timed_out = h(&Finding::unreached(Status::TimedOut), Transport::Tcp).unwrap();
        assert!(timed_out.contains("`vmmports listen port:5985` on hv01"));
        let refused = h(&Finding::unreached(Status::Refused), Transport::Tcp).unwrap();
        assert!(refused.contains("Get-NetTCPConnection -LocalPort 5985 -State Listen"));
        assert!(refused.contains("ss -ltn 'sport = :5985'"));
        let other = Finding::reached(Duration::ZERO, false, "HTTP, not WinRM");
        let other = h(&other, Transport::Tcp).unwrap();
        assert!(other.contains("another service owns 5985") && other.contains("ss -ltnp"));
        let silent = h(&Finding::unreached(Status::NoAnswer), Transport::Udp).unwrap();
        assert!(
            silent.contains("open or filtered") && silent.contains("vmmports listen port:5985")
        );
        // An expired certificate on the right service is about the
        // certificate, not another service.
        let mut expired = Finding::reached(Duration::ZERO, false, "TLS 1.2, cert CN=hv01 expired");
        expired.tls = Some(crate::check::TlsInfo {
            version: "TLS 1.2".into(),
            subject: "CN=hv01".into(),
            issuer: "CN=Contoso CA".into(),
            san: vec!["hv01".into()],
            self_signed: false,
            not_before: "2025-01-01T00:00:00Z".into(),
            not_after: "2026-01-01T00:00:00Z".into(),
            days_left: -340,
            expired: true,
            not_yet_valid: false,
            name_matches: true,
            common_names: vec!["hv01".into()],
        });
        let expired = hint(&expired, "5986", Transport::Tcp, "hv01").unwrap();
        assert!(expired.contains("certificate on hv01:5986"), "{expired}");
        assert!(!expired.contains("another service"), "{expired}");
        let untested = Finding::unreached(Status::Untestable("a range".into()));
        assert_eq!(h(&untested, Transport::Tcp), None);
    }
}
