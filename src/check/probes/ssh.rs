//! SSH: the server speaks first (RFC 4253, 4.2), so the probe only reads
//! its identification line and sends nothing.

use std::net::TcpStream;
use std::time::Instant;

use super::io;
use super::{Context, Reply};

pub fn probe(stream: &mut TcpStream, context: &Context, deadline: Instant) -> Reply {
    // Servers may send other lines before the identification; 255 bytes is
    // the longest one RFC 4253 allows, so a few of those suffice.
    let has_banner = |got: &[u8]| banner(got).is_some();
    match io::receive(stream, deadline, 2048, has_banner) {
        Ok(got) => match banner(&got) {
            Some(line) => Reply::yes(line),
            None => Reply::no(format!("not SSH: it sent `{}`", io::preview(&got))),
        },
        Err(e) => Reply::no(e.describe("SSH banner", context.timeout)),
    }
}

/// The first whole line starting `SSH-`, without its line end.
pub fn banner(got: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(got);
    // Only lines that have ended: the last one may still be arriving.
    let whole = &text[..text.rfind('\n')?];
    whole
        .split('\n')
        .map(|line| line.trim_end_matches('\r'))
        .find(|line| line.starts_with("SSH-"))
        .map(|line| line.chars().filter(|c| !c.is_control()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identification_line_is_the_banner() {
        assert_eq!(
            banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n").as_deref(),
            Some("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
        );
        assert_eq!(
            banner(b"hello\r\nSSH-2.0-x\r\n").as_deref(),
            Some("SSH-2.0-x")
        );
        assert_eq!(banner(b"SSH-2.0-partial"), None);
        assert_eq!(banner(b"HTTP/1.1 400\r\n"), None);
    }
}
