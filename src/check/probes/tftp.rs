//! TFTP on 69/udp: a read request (RFC 1350) for a file that does not
//! exist. An ERROR packet means a TFTP server is alive; it answers from a
//! port of its own, so the reply is taken from any port of the host.

use std::net::{SocketAddr, UdpSocket};

use super::Reply;
use super::io::be16;

/// RRQ (opcode 1) for `vmmports-probe-no-such-file`, mode `octet`.
pub const READ_REQUEST: [u8; 36] = *b"\x00\x01vmmports-probe-no-such-file\x00octet\x00";

const DATA: u16 = 3;
const ERROR: u16 = 5;

/// Reads the server's reply, which came to `socket` from `from` (the
/// transfer's own port). If the file exists after all, the transfer is
/// ended with an ERROR from the same socket: a server ignores packets from
/// any other port (RFC 1350, 4).
pub fn read_reply(reply: &[u8], socket: &UdpSocket, from: SocketAddr) -> Reply {
    match be16(reply, 0) {
        Some(ERROR) => {
            let code = be16(reply, 2).unwrap_or(0);
            let message = reply
                .get(4..)
                .map(|m| {
                    String::from_utf8_lossy(m.split(|&b| b == 0).next().unwrap_or(m)).into_owned()
                })
                .unwrap_or_default();
            Reply::yes(format!("TFTP error {code}: {}", message.trim()))
        }
        Some(DATA) => {
            let _ = socket.send_to(b"\x00\x05\x00\x00transfer ended\x00", from);
            Reply::yes("TFTP (it sent data for the probe's file name; the transfer was ended)")
        }
        _ => Reply::no(format!(
            "not TFTP: it replied `{}`",
            super::io::preview(reply)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_packets_mean_tftp() {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let from: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let reply = read_reply(b"\x00\x05\x00\x01File not found\x00", &socket, from);
        assert_eq!(reply, Reply::yes("TFTP error 1: File not found"));
        assert!(!read_reply(b"SSH-2.0", &socket, from).answered);
        assert_eq!(&READ_REQUEST[..2], &[0, 1]);
        assert!(READ_REQUEST.ends_with(b"octet\0"));
    }
}
