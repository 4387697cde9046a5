//! SMB: one SMB2 NEGOTIATE ([MS-SMB2] 2.2.3), and the dialect the server
//! picks from the response (2.2.4). On 139 a NetBIOS session request
//! (RFC 1002, 4.3.2) comes first, as it does for every client there.

use std::net::TcpStream;
use std::time::Instant;

use super::io::{self, be16, le16};
use super::{Context, Reply};

/// Dialects offered: SMB 2.0.2 through 3.0.2. 3.1.1 needs negotiate
/// contexts (a salt and hash list) that only make the probe longer; a
/// server that speaks 3.1.1 picks 3.0.2 here.
const DIALECTS: [u16; 4] = [0x0202, 0x0210, 0x0300, 0x0302];

/// The NEGOTIATE request, framed for direct TCP (a 4-byte length first).
pub fn negotiate_request() -> Vec<u8> {
    let mut smb = Vec::with_capacity(64 + 36 + 8);
    // SMB2 header, 64 bytes (2.2.1): protocol id, structure size 64,
    // credit charge 0, status 0, command NEGOTIATE (0), credits asked 1,
    // flags 0, next command 0, message id 0, process id 0, tree id 0,
    // session id 0, signature zeros.
    smb.extend_from_slice(&[0xFE, b'S', b'M', b'B']);
    smb.extend_from_slice(&64u16.to_le_bytes());
    smb.extend_from_slice(&[0; 2 + 4]);
    smb.extend_from_slice(&0u16.to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes());
    smb.extend_from_slice(&[0; 4 + 4 + 8 + 4 + 4 + 8 + 16]);
    // NEGOTIATE body (2.2.3): structure size 36, dialect count, security
    // mode "signing enabled", reserved, capabilities 0, client GUID, client
    // start time 0, then the dialects.
    smb.extend_from_slice(&36u16.to_le_bytes());
    smb.extend_from_slice(&(DIALECTS.len() as u16).to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes());
    smb.extend_from_slice(&[0; 2 + 4]);
    smb.extend_from_slice(b"vmmports-probe\0\0");
    smb.extend_from_slice(&[0; 8]);
    for dialect in DIALECTS {
        smb.extend_from_slice(&dialect.to_le_bytes());
    }
    framed(0x00, &smb)
}

/// A NetBIOS session service packet: type, then a 24-bit length.
fn framed(kind: u8, payload: &[u8]) -> Vec<u8> {
    let length = payload.len() as u32;
    let mut packet = vec![kind];
    packet.extend_from_slice(&length.to_be_bytes()[1..]);
    packet.extend_from_slice(payload);
    packet
}

/// A NetBIOS name, first-level encoded (RFC 1001, 14.1): padded to 16
/// bytes, each nibble as a letter from 'A'.
fn netbios_name(name: &str, suffix: u8) -> Vec<u8> {
    let mut raw = [b' '; 16];
    for (slot, byte) in raw.iter_mut().zip(name.bytes().take(15)) {
        *slot = byte.to_ascii_uppercase();
    }
    raw[15] = suffix;
    let mut encoded = vec![32];
    for byte in raw {
        encoded.push(b'A' + (byte >> 4));
        encoded.push(b'A' + (byte & 0x0F));
    }
    encoded.push(0);
    encoded
}

/// The session request: called `*SMBSERVER` (any server), calling
/// `VMMPORTS`.
pub fn session_request() -> Vec<u8> {
    let mut names = netbios_name("*SMBSERVER", 0x20);
    names.extend(netbios_name("VMMPORTS", 0x00));
    framed(0x81, &names)
}

/// A whole NetBIOS session packet has arrived.
fn whole_packet(got: &[u8]) -> bool {
    got.len() >= 4
        && got.len() >= 4 + ((got[1] as usize) << 16 | be16(got, 2).unwrap_or(0) as usize)
}

pub fn probe(stream: &mut TcpStream, port: u16, context: &Context, deadline: Instant) -> Reply {
    let timeout = context.timeout;
    if port == 139 {
        let what = "NetBIOS session reply";
        match io::ask(
            stream,
            &session_request(),
            deadline,
            64,
            whole_packet,
            what,
            timeout,
        ) {
            Ok(reply) if reply.first() == Some(&0x82) => {}
            Ok(reply) if reply.first() == Some(&0x83) => {
                return Reply::no(format!(
                    "NetBIOS session refused (error 0x{:02x})",
                    reply.get(4).copied().unwrap_or(0)
                ));
            }
            Ok(reply) => {
                return Reply::no(format!("not NetBIOS: it replied `{}`", io::preview(&reply)));
            }
            Err(e) => return Reply::no(e),
        }
    }
    match io::ask(
        stream,
        &negotiate_request(),
        deadline,
        64 * 1024,
        whole_packet,
        "SMB reply",
        timeout,
    ) {
        Ok(reply) => read_negotiate(&reply),
        Err(e) => Reply::no(e),
    }
}

/// Reads the dialect from a framed NEGOTIATE response.
pub fn read_negotiate(reply: &[u8]) -> Reply {
    let smb = reply.get(4..).unwrap_or_default();
    if smb.starts_with(&[0xFF, b'S', b'M', b'B']) {
        return Reply::no("SMB1 only: the server does not speak SMB2 or later");
    }
    if !smb.starts_with(&[0xFE, b'S', b'M', b'B']) {
        return Reply::no(format!("not SMB: it replied `{}`", io::preview(reply)));
    }
    let status = smb.get(8..12).map_or(u32::MAX, |s| {
        u32::from_le_bytes(s.try_into().unwrap_or([0xFF; 4]))
    });
    if status != 0 {
        return Reply::no(format!(
            "SMB refused the negotiation (status 0x{status:08x})"
        ));
    }
    match le16(smb, 64 + 4) {
        Some(dialect) => match dialect_name(dialect) {
            Some(name) => Reply::yes(format!("SMB {name}")),
            None => Reply::yes(format!("SMB2 (dialect 0x{dialect:04x})")),
        },
        None => Reply::no("SMB reply too short to hold a dialect"),
    }
}

fn dialect_name(dialect: u16) -> Option<&'static str> {
    Some(match dialect {
        0x0202 => "2.0.2",
        0x0210 => "2.1",
        0x0300 => "3.0",
        0x0302 => "3.0.2",
        0x0311 => "3.1.1",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_framed_and_sized() {
        let request = negotiate_request();
        assert_eq!(request.len(), 4 + 64 + 36 + 2 * DIALECTS.len());
        assert_eq!(&request[..4], &[0, 0, 0, (request.len() - 4) as u8]);
        assert_eq!(&request[4..8], b"\xfeSMB");
        // The NetBIOS names are 34 bytes each (length, 32 letters, root).
        let session = session_request();
        assert_eq!(session.len(), 4 + 68);
        assert_eq!(session[0], 0x81);
        // `*` is 0x2A: letters C and K.
        assert_eq!(&session[5..7], b"CK");
    }

    #[test]
    fn a_response_names_its_dialect() {
        let mut reply = vec![0, 0, 0, 0];
        reply.extend_from_slice(b"\xfeSMB");
        reply.resize(4 + 64 + 8, 0);
        reply[4 + 64 + 4] = 0x02;
        reply[4 + 64 + 5] = 0x03;
        assert_eq!(read_negotiate(&reply), Reply::yes("SMB 3.0.2"));
        reply[4 + 8] = 0x22; // STATUS_ACCESS_DENIED's low byte
        assert!(!read_negotiate(&reply).answered);
        assert!(!read_negotiate(b"\0\0\0\x04\xffSMB").answered);
        assert!(!read_negotiate(b"HTTP/1.1 400").answered);
    }
}
