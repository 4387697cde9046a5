//! HTTP and WinRM: one request, and the reply's status line and headers.
//!
//! WinRM's listener answers an unauthenticated `POST /wsman` with 401 and
//! `WWW-Authenticate: Negotiate` (or `Kerberos`), served by HTTP.sys
//! (`Server: Microsoft-HTTPAPI/2.0`). Anything else is another web server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use super::io::{self, Silence};
use super::{Context, Reply};

/// Headers larger than this are not a probe's business.
const HEADER_CAP: usize = 16 * 1024;

/// The parts of an HTTP reply the probes read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `HTTP/1.1 401 Unauthorized`
    pub status_line: String,
    pub code: u16,
    pub server: Option<String>,
    /// Each `WWW-Authenticate` scheme, in order (`Negotiate`, `Kerberos`).
    pub auth_schemes: Vec<String>,
}

/// Parses a reply's head; `None` when it is not HTTP.
pub fn parse_head(bytes: &[u8]) -> Option<Head> {
    let end = find(bytes, b"\r\n\r\n").unwrap_or(bytes.len());
    let text = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?.trim().to_string();
    let mut words = status_line.split_whitespace();
    if !words.next()?.starts_with("HTTP/") {
        return None;
    }
    let code = words.next()?.parse().ok()?;
    let mut head = Head {
        status_line: status_line.clone(),
        code,
        server: None,
        auth_schemes: Vec::new(),
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("server") {
            head.server = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("www-authenticate") {
            // `Negotiate`, `Negotiate abc=`, or several comma-separated.
            for challenge in value.split(',') {
                if let Some(scheme) = challenge.split_whitespace().next()
                    && !scheme.contains('=')
                {
                    head.auth_schemes.push(scheme.to_string());
                }
            }
        }
    }
    Some(head)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `Host` header's value: IPv6 addresses go in brackets.
fn host_header(host: &str, port: u16) -> String {
    let bare = host.trim_matches(['[', ']']);
    if bare.contains(':') {
        format!("[{bare}]:{port}")
    } else {
        format!("{bare}:{port}")
    }
}

/// The WinRM request: no body, no credentials.
pub fn winrm_request(host: &str, port: u16) -> String {
    format!(
        "POST /wsman HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        host_header(host, port)
    )
}

/// What a reply to [`winrm_request`] says about the listener.
pub fn judge_winrm(head: &Head) -> Reply {
    let server = head.server.as_deref().unwrap_or("");
    let http_sys = server.starts_with("Microsoft-HTTPAPI");
    let kerberos_or_negotiate: Vec<&str> = head
        .auth_schemes
        .iter()
        .map(String::as_str)
        .filter(|s| s.eq_ignore_ascii_case("negotiate") || s.eq_ignore_ascii_case("kerberos"))
        .collect();
    if head.code == 401 && http_sys && !kerberos_or_negotiate.is_empty() {
        return Reply::yes(format!("WinRM (401 {})", head.auth_schemes.join(", ")));
    }
    if http_sys && head.code == 404 {
        return Reply::no(
            "HTTP.sys answers, but no WinRM listener at /wsman (404): run `winrm quickconfig` or check `winrm enumerate winrm/config/listener`",
        );
    }
    Reply::no(format!("HTTP, not WinRM ({})", summary(head)))
}

/// `501, Server: SimpleHTTP/0.6 Python/3.11.2`
fn summary(head: &Head) -> String {
    match &head.server {
        Some(server) => format!("{}, Server: {server}", head.code),
        None => format!("{}, no Server header", head.code),
    }
}

/// Reads one reply's head from any stream, by [`io::receive_from`].
pub fn read_head<S: Read>(
    stream: &mut S,
    set_timeout: impl Fn(&mut S, std::time::Duration) -> std::io::Result<()>,
    deadline: Instant,
) -> Result<Vec<u8>, Silence> {
    io::receive_from(stream, set_timeout, deadline, HEADER_CAP, |got| {
        find(got, b"\r\n\r\n").is_some()
    })
}

/// Sends `request` and judges the reply's head with `judge`.
pub fn exchange<S: Read + Write>(
    stream: &mut S,
    set_timeout: impl Fn(&mut S, std::time::Duration) -> std::io::Result<()>,
    request: &str,
    judge: impl Fn(&Head) -> Reply,
    context: &Context,
    deadline: Instant,
) -> Reply {
    if let Err(e) = io::send(stream, request.as_bytes()) {
        return Reply::no(e.describe("HTTP reply", context.timeout));
    }
    match read_head(stream, set_timeout, deadline) {
        Ok(bytes) => match parse_head(&bytes) {
            Some(head) => judge(&head),
            None => Reply::no(format!("not HTTP: it replied `{}`", io::preview(&bytes))),
        },
        Err(e) => Reply::no(e.describe("HTTP reply", context.timeout)),
    }
}

fn set_tcp_timeout(stream: &mut TcpStream, timeout: std::time::Duration) -> std::io::Result<()> {
    stream.set_read_timeout(Some(timeout))
}

pub fn winrm(stream: &mut TcpStream, port: u16, context: &Context, deadline: Instant) -> Reply {
    let request = winrm_request(&context.host, port);
    exchange(
        stream,
        set_tcp_timeout,
        &request,
        judge_winrm,
        context,
        deadline,
    )
}

/// A `HEAD /`: any HTTP reply means a web server answered.
pub fn head_request(host: &str, port: u16) -> String {
    format!(
        "HEAD / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        host_header(host, port)
    )
}

/// Any HTTP reply: its status line and `Server` header.
pub fn judge_http(head: &Head) -> Reply {
    match &head.server {
        Some(server) => Reply::yes(format!("{}, Server: {server}", head.status_line)),
        None => Reply::yes(head.status_line.clone()),
    }
}

pub fn http(stream: &mut TcpStream, port: u16, context: &Context, deadline: Instant) -> Reply {
    let request = head_request(&context.host, port);
    exchange(
        stream,
        set_tcp_timeout,
        &request,
        judge_http,
        context,
        deadline,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winrm_is_401_negotiate_from_http_sys() {
        let winrm = b"HTTP/1.1 401 \r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: Kerberos\r\nDate: x\r\nContent-Length: 0\r\n\r\n";
        let reply = judge_winrm(&parse_head(winrm).unwrap());
        assert!(reply.answered);
        assert_eq!(reply.detail, "WinRM (401 Negotiate, Kerberos)");
    }

    #[test]
    fn another_web_server_is_http_not_winrm() {
        let python = b"HTTP/1.0 501 Unsupported method ('POST')\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n";
        let reply = judge_winrm(&parse_head(python).unwrap());
        assert!(!reply.answered);
        assert_eq!(
            reply.detail,
            "HTTP, not WinRM (501, Server: SimpleHTTP/0.6 Python/3.11.2)"
        );
        // IIS with Windows authentication also says Negotiate; it is not WinRM.
        let iis = b"HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-IIS/10.0\r\nWWW-Authenticate: Negotiate\r\n\r\n";
        assert!(!judge_winrm(&parse_head(iis).unwrap()).answered);
        let no_listener = b"HTTP/1.1 404 Not Found\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n";
        let reply = judge_winrm(&parse_head(no_listener).unwrap());
        assert!(!reply.answered && reply.detail.contains("no WinRM listener"));
    }

    #[test]
    fn heads_parse_or_are_refused() {
        assert_eq!(parse_head(b"SSH-2.0-OpenSSH_9.2\r\n"), None);
        assert_eq!(parse_head(b""), None);
        let head = parse_head(
            b"HTTP/1.1 401 x\r\nwww-authenticate: Negotiate abc=, Basic realm=\"x\"\r\n\r\n",
        )
        .unwrap();
        assert_eq!(head.auth_schemes, ["Negotiate", "Basic"]);
        assert_eq!(host_header("::1", 80), "[::1]:80");
        assert_eq!(host_header("[::1]", 80), "[::1]:80");
        assert_eq!(host_header("hv01", 5985), "hv01:5985");
    }
}
