//! After the connect, just enough of each protocol to recognise the
//! service. No probe authenticates or sends credentials, and each sends the
//! fewest bytes its protocol allows; every read has a deadline and a cap.

mod http;
mod io;
mod ipmi;
mod rpc_epm;
mod smb;
mod sql_browser;
mod ssh;
mod tds;
mod tftp;
mod tls;
mod x509_name;

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::finding::{Finding, SqlInstance, Status, TlsInfo};
use crate::catalog::{Probe, Transport};
use crate::text::printable;
use io::UdpReply;

/// What every probe may need besides the socket.
#[derive(Debug, Clone)]
pub struct Context {
    /// The host as the user gave it: for TLS's name check and HTTP's Host.
    pub host: String,
    pub timeout: Duration,
    /// The TCP ports the catalog gives SQL Server (after `--set-port`), for
    /// the SQL Browser's answer.
    pub sql_ports: Vec<u16>,
}

/// What a probe made of the service's reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub answered: bool,
    pub detail: String,
    pub warnings: Vec<String>,
    pub tls: Option<TlsInfo>,
    pub instances: Option<Vec<SqlInstance>>,
}

impl Reply {
    /// The service answered as expected.
    pub fn yes(detail: impl Into<String>) -> Reply {
        Reply {
            answered: true,
            detail: detail.into(),
            ..Reply::default()
        }
    }

    /// Something answered, but not as the service should, or not at all.
    pub fn no(detail: impl Into<String>) -> Reply {
        Reply {
            answered: false,
            detail: detail.into(),
            ..Reply::default()
        }
    }

    /// The finding for a port reached in `took`. Everything a server said
    /// (a `Server` header, a banner, a certificate's names, an instance
    /// name) is made printable here, once, so no front end can be handed a
    /// terminal escape sequence by a hostile peer.
    fn into_finding(self, took: Duration) -> Finding {
        let clean = |text: String| printable(&text).into_owned();
        let tls = self.tls.map(|tls| TlsInfo {
            subject: clean(tls.subject),
            issuer: clean(tls.issuer),
            san: tls.san.into_iter().map(clean).collect(),
            common_names: tls.common_names.into_iter().map(clean).collect(),
            ..tls
        });
        let instances = self.instances.map(|list| {
            list.into_iter()
                .map(|i| SqlInstance {
                    name: clean(i.name),
                    version: i.version.map(clean),
                    ..i
                })
                .collect()
        });
        Finding {
            warnings: self.warnings.into_iter().map(clean).collect(),
            tls,
            instances,
            ..Finding::reached(took, self.answered, clean(self.detail))
        }
    }
}

/// Checks one port of `address` with `probe` (and, for TLS, `inside_tls`
/// within the session).
pub fn check(
    address: SocketAddr,
    probe: Probe,
    inside_tls: Option<Probe>,
    context: &Context,
) -> Finding {
    match probe.transport() {
        Transport::Tcp => tcp(address, probe, inside_tls, context),
        Transport::Udp => udp(address, probe, context),
        Transport::Icmp => Finding::unreached(Status::Untestable(
            "ICMP is not sent: it needs privileges vmmports does not ask for".into(),
        )),
    }
}

fn tcp(address: SocketAddr, probe: Probe, inside_tls: Option<Probe>, context: &Context) -> Finding {
    let start = Instant::now();
    let mut stream = match TcpStream::connect_timeout(&address, context.timeout) {
        Ok(stream) => stream,
        Err(e) => {
            return Finding::unreached(match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Status::Refused,
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Status::TimedOut,
                _ => Status::Failed(e.to_string()),
            });
        }
    };
    let took = start.elapsed();
    let _ = stream.set_write_timeout(Some(context.timeout));
    let _ = stream.set_nodelay(true);
    // The protocol exchange gets a timeout of its own, after the connect.
    let deadline = Instant::now() + context.timeout;
    let reply = match probe {
        Probe::Tls => tls::probe(stream, address.port(), inside_tls, context, deadline),
        Probe::Winrm => http::winrm(&mut stream, address.port(), context, deadline),
        Probe::Http => http::http(&mut stream, address.port(), context, deadline),
        Probe::Smb => smb::probe(&mut stream, address.port(), context, deadline),
        Probe::RpcEpm => rpc_epm::probe(&mut stream, context, deadline),
        Probe::Tds => tds::probe(&mut stream, context, deadline),
        Probe::Ssh => ssh::probe(&mut stream, context, deadline),
        _ => Reply::yes("connected"),
    };
    reply.into_finding(took)
}

fn udp(address: SocketAddr, probe: Probe, context: &Context) -> Finding {
    let (payload, same_port): (&[u8], bool) = match probe {
        Probe::Ipmi => (&ipmi::PRESENCE_PING, true),
        Probe::SqlBrowser => (&sql_browser::INSTANCE_QUERY, true),
        Probe::Tftp => (&tftp::READ_REQUEST, false),
        // Any short datagram: most services ignore it, some answer.
        _ => (b"vmmports check\n", true),
    };
    match io::udp_exchange(address, payload, same_port, context.timeout) {
        UdpReply::Got(bytes, from_port, took, socket) => {
            let reply = match probe {
                Probe::Ipmi => ipmi::read_pong(&bytes),
                Probe::SqlBrowser => sql_browser::read_response(&bytes, &context.sql_ports),
                Probe::Tftp => {
                    tftp::read_reply(&bytes, &socket, SocketAddr::new(address.ip(), from_port))
                }
                _ => Reply::yes(format!("a reply of {} bytes", bytes.len())),
            };
            reply.into_finding(took)
        }
        UdpReply::Refused => Finding::unreached(Status::Refused),
        UdpReply::NoAnswer => Finding::unreached(Status::NoAnswer),
        UdpReply::Failed(e) => Finding::unreached(Status::Failed(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_server_says_reaches_no_terminal_raw() {
        let hostile = "Server: x\u{1b}]52;c;cm0gLXJmIH4=\u{7}y";
        let reply = Reply {
            warnings: vec![hostile.into()],
            instances: Some(vec![SqlInstance {
                name: hostile.into(),
                tcp_port: Some(1433),
                version: Some(hostile.into()),
            }]),
            ..Reply::yes(hostile)
        };
        let finding = reply.into_finding(Duration::ZERO);
        let texts = [
            finding.detail.clone().unwrap(),
            finding.warnings[0].clone(),
            finding.instances.as_ref().unwrap()[0].name.clone(),
        ];
        for text in texts {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{text:?}"
            );
            assert!(text.starts_with("Server: x"), "{text:?}");
        }
    }
}
