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
    // The commands that show who listens, on each system the catalog's
    // machines run: Windows (most of VMM) and Linux (appliances, ESXi's
    // neighbours). `ss -p` needs root to name another user's process.
    let (windows, linux, owner) = match transport {
        Transport::Udp => (
            format!("Get-NetUDPEndpoint -LocalPort {port}"),
            format!("ss -lun 'sport = :{port}'"),
            format!(
                "`(Get-NetUDPEndpoint -LocalPort {port}).OwningProcess | Get-Process` on Windows, `sudo ss -lunp 'sport = :{port}'` on Linux"
            ),
        ),
        _ => (
            format!("Get-NetTCPConnection -LocalPort {port} -State Listen"),
            format!("ss -ltn 'sport = :{port}'"),
            format!(
                "`(Get-NetTCPConnection -LocalPort {port} -State Listen).OwningProcess | Get-Process` on Windows, `sudo ss -ltnp 'sport = :{port}'` on Linux"
            ),
        ),
    };
    let listen = format!("vmmports listen port:{port}");
    match &finding.status {
        Status::Open(_) => Some(format!(
            "another service answers on {port}: find what owns the port on {host} ({owner}) and move it, or the service, to its own port"
        )),
        Status::Refused => Some(format!(
            "nothing listens on {host} (or a firewall rejects): is the service running? See what listens there: `{windows}` on Windows, `{linux}` on Linux"
        )),
        Status::TimedOut => Some(format!(
            "something drops it on the way or on {host}: stop the service there, run `{listen}` on {host}, and check again; no answer then means a firewall"
        )),
        Status::NoAnswer => Some(format!(
            "open or filtered: see whether anything listens on {host} (`{windows}` on Windows, `{linux}` on Linux); if it does, stop it, run `{listen}` there, and check again: listen replies, so silence then means a firewall"
        )),
        Status::Failed(_) => Some(format!(
            "this machine could not send it: check its own network and route to {host} (`ping {host}`, `tracert`/`traceroute`)"
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
        assert!(
            h(&other, Transport::Tcp)
                .unwrap()
                .contains("find what owns the port")
        );
        let silent = h(&Finding::unreached(Status::NoAnswer), Transport::Udp).unwrap();
        assert!(silent.contains("open or filtered") && silent.contains("Get-NetUDPEndpoint"));
        let untested = Finding::unreached(Status::Untestable("a range".into()));
        assert_eq!(h(&untested, Transport::Tcp), None);
    }
}
