//! TLS: the handshake, then the server's certificate read for what breaks
//! WinRM over HTTPS and BITS in an incident: expiry, and the names on it.
//! Trust is not judged (an internal CA is normal), so every certificate is
//! taken as presented.

use std::net::{IpAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, InvalidMessage, SignatureScheme,
    StreamOwned,
};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

use super::io::Deadlined;
use super::{Context, Reply, http, x509_name};
use crate::catalog::Probe;
use crate::check::finding::TlsInfo;

/// A certificate this close to expiry is a warning.
pub const WARN_DAYS: i64 = 30;

/// Takes any certificate chain and any handshake signature. The probe sends
/// nothing secret and reports the certificate rather than trusting it; and
/// checking signatures would go through webpki, which refuses the X.509 v1
/// certificates that old self-signed ones often are, so such a server could
/// not be reported at all.
#[derive(Debug)]
struct AnyChain(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    /// Every scheme the provider knows, so any server certificate's key fits.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(rustls::ALL_VERSIONS)
                .map_err(|e| format!("TLS is not available: {e}"))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyChain(provider)))
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
}

/// The name sent as SNI: a DNS name as given; none for an address (or a
/// name TLS cannot carry), as Windows clients do.
fn server_name(host: &str) -> ServerName<'static> {
    let bare = host.trim_matches(['[', ']']);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return ServerName::IpAddress(ip.into());
    }
    ServerName::try_from(bare.to_string())
        .unwrap_or(ServerName::IpAddress(IpAddr::from([0, 0, 0, 0]).into()))
}

pub fn probe(
    stream: TcpStream,
    port: u16,
    inside: Option<Probe>,
    context: &Context,
    deadline: Instant,
) -> Reply {
    let config = match config() {
        Ok(c) => c,
        Err(e) => return Reply::no(e),
    };
    let mut session = match ClientConnection::new(config, server_name(&context.host)) {
        Ok(s) => s,
        Err(e) => return Reply::no(format!("TLS could not start: {e}")),
    };
    // rustls reads in a loop until a record is whole; the deadline on every
    // read bounds the handshake as a whole.
    let mut stream = Deadlined { stream, deadline };
    while session.is_handshaking() {
        if let Err(e) = session.complete_io(&mut stream) {
            return Reply::no(handshake_error(&e, version_name(&session), context));
        }
    }
    let version = version_name(&session);
    let Some(der) = session.peer_certificates().and_then(|c| c.first()).cloned() else {
        return Reply::no(format!("{version}, but the server sent no certificate"));
    };
    let mut reply = match certificate(&der, version, &context.host, now()) {
        Ok(info) => judge(info, &context.host),
        Err(e) => Reply::no(format!(
            "{version}, but its certificate does not parse: {e}"
        )),
    };
    if let Some(inner) = inside {
        // The exchange inside gets a time of its own, as every exchange does.
        stream.deadline = Instant::now() + context.timeout;
        let mut tls = StreamOwned::new(session, stream);
        let inner_reply = inside_session(&mut tls, inner, port, context);
        if inner_reply.answered {
            reply.detail = format!("{}; {}", reply.detail, inner_reply.detail);
        } else if inner == Probe::Winrm {
            // WinRM over HTTPS is the one service VMM needs on its port
            // (5986): TLS with anything else behind it (an IIS site, a
            // proxy) is the wrong service, and VMM's calls fail there.
            reply.answered = false;
            reply.detail = format!(
                "{}; TLS, but no {} inside: {}",
                reply.detail,
                inner.label(),
                inner_reply.detail
            );
        } else {
            // Elsewhere the port is checked for its handshake and
            // certificate; what answers inside is reported, not failed on.
            reply.detail = format!("{}; no {} answer inside TLS", reply.detail, inner.label());
            reply
                .warnings
                .push(format!("inside TLS: {}", inner_reply.detail));
        }
    }
    reply
}

fn inside_session(
    tls: &mut StreamOwned<ClientConnection, Deadlined>,
    inner: Probe,
    port: u16,
    context: &Context,
) -> Reply {
    let deadline = tls.sock.deadline;
    // The stream keeps its own deadline; nothing more to set per read.
    let unchanged = |_: &mut StreamOwned<ClientConnection, Deadlined>, _| Ok(());
    let (request, judge): (String, fn(&http::Head) -> Reply) = match inner {
        Probe::Winrm => (http::winrm_request(&context.host, port), http::judge_winrm),
        Probe::Http => (http::head_request(&context.host, port), http::judge_http),
        _ => return Reply::no(format!("{} is not spoken inside TLS", inner.as_str())),
    };
    http::exchange(tls, unchanged, &request, judge, context, deadline)
}

/// The version agreed, as far as the handshake got: `TLS` before the
/// server's hello is read.
fn version_name(session: &ClientConnection) -> &'static str {
    match session.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
        _ => "TLS",
    }
}

/// The largest handshake message rustls reads, and the most it buffers
/// while joining one: 0xffff bytes, a limit it keeps against memory
/// exhaustion and does not export. A server's certificate chain is the one
/// handshake message that grows past it in practice.
const MAX_HANDSHAKE_KB: usize = 64;

fn handshake_error(e: &std::io::Error, version: &str, context: &Context) -> String {
    if matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ) {
        return format!(
            "connected, but the TLS handshake did not finish within {} ms",
            context.timeout.as_millis()
        );
    }
    // A TLS server that sends more than rustls reads is TLS all the same,
    // and what it is matters: "not TLS" would send the admin the wrong way.
    let too_large = || {
        format!(
            "{version}, but its certificate chain is larger than the {MAX_HANDSHAKE_KB} KB this probe reads, so the certificate was not checked"
        )
    };
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        // One message longer than the limit (its header says so).
        Some(rustls::Error::InvalidMessage(InvalidMessage::HandshakePayloadTooLarge)) => {
            too_large()
        }
        Some(rustls::Error::InvalidMessage(_)) => {
            "not TLS: the reply to a TLS hello is something else".into()
        }
        Some(rustls::Error::AlertReceived(alert)) => format!(
            "TLS handshake refused by the server ({alert:?}); it may offer only TLS 1.0/1.1, which vmmports does not speak"
        ),
        Some(other) => format!("TLS handshake failed: {other}"),
        // rustls's only other InvalidData: its buffer filled while joining a
        // message just under the limit, with the records' own overhead.
        None if e.kind() == std::io::ErrorKind::InvalidData => too_large(),
        None => format!("TLS handshake failed: {e}"),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads what matters from a DER certificate, as of `now` (Unix seconds),
/// for a client that asked for `host`.
pub fn certificate(der: &[u8], version: &str, host: &str, now: i64) -> Result<TlsInfo, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    let mut has_san = false;
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        has_san = true;
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from(bytes) {
                        ips.push(ip);
                    }
                }
                _ => {}
            }
        }
    }
    let common_names = x509_name::common_names(cert.subject());
    let rfc3339 = |t: &x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| e.to_string())
    };
    let validity = cert.validity();
    let not_after = validity.not_after.timestamp();
    Ok(TlsInfo {
        version: version.to_string(),
        subject: x509_name::text(cert.subject()),
        issuer: x509_name::text(cert.issuer()),
        san: dns
            .iter()
            .cloned()
            .chain(ips.iter().map(IpAddr::to_string))
            .collect(),
        self_signed: self_signed(&cert),
        not_before: rfc3339(&validity.not_before)?,
        not_after: rfc3339(&validity.not_after)?,
        days_left: (not_after - now).div_euclid(86_400),
        expired: now > not_after,
        not_yet_valid: now < validity.not_before.timestamp(),
        name_matches: names_host(
            host,
            &dns,
            &ips,
            if has_san {
                None
            } else {
                common_names.first().map(String::as_str)
            },
        ),
        common_names,
    })
}

fn ip_from(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// Issued by itself: the issuer is the subject, and the key identifiers
/// (where both are present) agree.
fn self_signed(cert: &X509Certificate<'_>) -> bool {
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return false;
    }
    let mut subject_key = None;
    let mut authority_key = None;
    for extension in cert.extensions() {
        match extension.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => subject_key = Some(id.0),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                authority_key = aki.key_identifier.as_ref().map(|id| id.0);
            }
            _ => {}
        }
    }
    match (subject_key, authority_key) {
        (Some(s), Some(a)) => s == a,
        _ => true,
    }
}

/// Whether a client asking for `host` finds it on the certificate: an
/// address among the SAN addresses; a name among the SAN names (a leading
/// `*.` stands for one label). Without a SAN, the common name is used, as
/// older Windows clients still do.
fn names_host(host: &str, dns: &[String], ips: &[IpAddr], common_name: Option<&str>) -> bool {
    let host = host.trim_matches(['[', ']']).trim_end_matches('.');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return ips.contains(&ip) || common_name.is_some_and(|cn| cn.parse() == Ok(ip));
    }
    let matches = |pattern: &str| {
        let pattern = pattern.trim_end_matches('.');
        match pattern.strip_prefix("*.") {
            Some(rest) => host.split_once('.').is_some_and(|(label, domain)| {
                !label.is_empty() && domain.eq_ignore_ascii_case(rest)
            }),
            None => pattern.eq_ignore_ascii_case(host),
        }
    };
    dns.iter().any(|d| matches(d)) || common_name.is_some_and(matches)
}

/// The one-line summary and what deserves a warning.
fn judge(info: TlsInfo, host: &str) -> Reply {
    // The common names as parsed, never found in the subject's text: a
    // value there may spell `, CN=` itself.
    let who = if info.common_names.is_empty() {
        info.subject.clone()
    } else {
        info.common_names
            .iter()
            .map(|cn| x509_name::common_name_text(cn))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let date = info
        .not_after
        .get(..10)
        .unwrap_or(&info.not_after)
        .to_string();
    let when = match info.days_left {
        d if info.expired => match -d - 1 {
            0 => "expired today".to_string(),
            1 => "expired 1 day ago".to_string(),
            n => format!("expired {n} days ago"),
        },
        0 => "expires within a day".to_string(),
        1 => "expires in 1 day".to_string(),
        d => format!("expires in {d} days"),
    };
    let summary = format!("{}, cert {who} {when}", info.version);
    let mut reply = if info.expired {
        Reply::no(format!(
            "{summary} ({date}): clients refuse it; renew it and bind the new one"
        ))
    } else if info.not_yet_valid {
        // A certificate bound before its time, or a clock that is wrong.
        Reply::no(format!(
            "{summary}, but is not valid before {}: clients refuse it until then (or this machine's clock is wrong)",
            info.not_before
        ))
    } else {
        Reply::yes(summary)
    };
    if !info.expired && info.days_left < WARN_DAYS {
        reply.warnings.push(format!(
            "the certificate {when} ({date}); renew it before clients refuse it"
        ));
    }
    if !info.name_matches {
        let names = if info.san.is_empty() {
            who.clone()
        } else {
            info.san.join(", ")
        };
        reply.detail.push_str(&format!(", name {host} not on it"));
        reply.warnings.push(format!(
            "the certificate does not name {host} (it names {names}); clients that check names refuse it unless told to skip the check"
        ));
    }
    reply.tls = Some(info);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_like_a_client_checks_them() {
        let dns = ["hv01.contoso.test".to_string(), "*.lab.test".to_string()];
        let ips = ["10.0.0.5".parse().unwrap()];
        assert!(names_host("HV01.contoso.test", &dns, &ips, None));
        assert!(names_host("hv02.lab.test", &dns, &ips, None));
        assert!(!names_host("a.b.lab.test", &dns, &ips, None));
        assert!(!names_host("lab.test", &dns, &ips, None));
        assert!(names_host("10.0.0.5", &dns, &ips, None));
        assert!(!names_host("10.0.0.6", &dns, &ips, None));
        assert!(!names_host("hv01", &dns, &ips, None));
        // No SAN: the common name stands in.
        assert!(names_host("hv01", &[], &[], Some("hv01")));
        assert!(!names_host("hv02", &[], &[], Some("hv01")));
    }

    fn info(days_left: i64, expired: bool, name_matches: bool) -> TlsInfo {
        TlsInfo {
            version: "TLS 1.2".into(),
            subject: "O=Contoso, CN=hv01".into(),
            issuer: "CN=Contoso CA".into(),
            san: vec!["hv01".into()],
            self_signed: false,
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2026-12-05T10:00:00Z".into(),
            days_left,
            expired,
            not_yet_valid: false,
            name_matches,
            common_names: vec!["hv01".into()],
        }
    }

    #[test]
    fn expiry_soon_warns_and_expired_fails() {
        let soon = judge(info(3, false, true), "hv01");
        assert!(soon.answered);
        assert_eq!(soon.detail, "TLS 1.2, cert CN=hv01 expires in 3 days");
        assert_eq!(soon.warnings.len(), 1);
        let later = judge(info(300, false, true), "hv01");
        assert!(later.answered && later.warnings.is_empty());
        let old = judge(info(-31, true, true), "hv01");
        assert!(!old.answered);
        assert!(
            old.detail
                .starts_with("TLS 1.2, cert CN=hv01 expired 30 days ago (2026-12-05)"),
            "{}",
            old.detail
        );
        assert!(soon.warnings[0].contains("expires in 3 days (2026-12-05)"));
        let early = judge(
            TlsInfo {
                not_yet_valid: true,
                ..info(300, false, true)
            },
            "hv01",
        );
        assert!(!early.answered);
        assert!(
            early
                .detail
                .contains("not valid before 2026-01-01T00:00:00Z")
        );
        // The name shown is the parsed common names, escaped; without one,
        // the whole subject.
        let posing = TlsInfo {
            subject: r"O=x\, CN=hv01, CN=a\, b".into(),
            common_names: vec!["a, b".into()],
            ..info(300, false, true)
        };
        assert_eq!(
            judge(posing.clone(), "hv01").detail,
            r"TLS 1.2, cert CN=a\, b expires in 300 days"
        );
        let no_cn = TlsInfo {
            common_names: Vec::new(),
            ..posing
        };
        assert_eq!(
            judge(no_cn, "hv01").detail,
            r"TLS 1.2, cert O=x\, CN=hv01, CN=a\, b expires in 300 days"
        );
        let wrong_name = judge(info(300, false, false), "10.0.0.9");
        assert!(wrong_name.answered);
        assert!(wrong_name.detail.ends_with("name 10.0.0.9 not on it"));
        assert!(wrong_name.warnings[0].contains("it names hv01"));
    }

    #[test]
    fn a_server_sending_more_than_the_probe_reads_is_still_tls() {
        let context = Context {
            host: "hv01".into(),
            timeout: std::time::Duration::from_millis(500),
            sql_ports: Vec::new(),
        };
        let error =
            |inner: rustls::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
        let too_large = "TLS 1.3, but its certificate chain is larger than the 64 KB this probe reads, so the certificate was not checked";
        let one_message = error(rustls::Error::InvalidMessage(
            InvalidMessage::HandshakePayloadTooLarge,
        ));
        assert_eq!(
            handshake_error(&one_message, "TLS 1.3", &context),
            too_large
        );
        // How rustls says its buffer is full: a bare InvalidData error.
        let buffer_full =
            std::io::Error::new(std::io::ErrorKind::InvalidData, "message buffer full");
        assert_eq!(
            handshake_error(&buffer_full, "TLS 1.3", &context),
            too_large
        );
        let junk = error(rustls::Error::InvalidMessage(
            InvalidMessage::InvalidContentType,
        ));
        assert!(handshake_error(&junk, "TLS", &context).starts_with("not TLS"));
    }
}
