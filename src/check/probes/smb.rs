//! SMB: one SMB2 NEGOTIATE ([MS-SMB2] 2.2.3), and the dialect the server
//! picks from the response (2.2.4). On 139 a NetBIOS session request
//! (RFC 1002, 4.3.2) comes first, as it does for every client there.
//! Starting with `\xfeSMB` is not enough to be SMB: the request itself
//! does, so an echo service would pass; the reply must be a server's
//! NEGOTIATE response naming a dialect that was offered.

use std::net::TcpStream;
use std::time::Instant;

use super::io::{self, be16, le16};
use super::{Context, Reply};

/// Dialects offered, with their names: SMB 2.0.2 through 3.0.2. 3.1.1
/// needs negotiate contexts (a salt and hash list) that only make the probe
/// longer; a server that speaks 3.1.1 picks 3.0.2 here.
const DIALECTS: [(u16, &str); 4] = [
    (0x0202, "2.0.2"),
    (0x0210, "2.1"),
    (0x0300, "3.0"),
    (0x0302, "3.0.2"),
];

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
    for (dialect, _) in DIALECTS {
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

/// SMB2 header fields ([MS-SMB2] 2.2.1): offsets into the header.
const HEADER_SIZE: u16 = 64;
const STATUS_AT: usize = 8;
const COMMAND_AT: usize = 12;
const FLAGS_AT: usize = 16;
const NEGOTIATE: u16 = 0x0000;
/// Set in every message a server sends, never in a client's: a service
/// that sends the request back (an echo) lacks it.
const SMB2_FLAGS_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// The NEGOTIATE response's StructureSize (2.2.4), whatever its length.
const NEGOTIATE_RESPONSE_SIZE: u16 = 65;

/// SMB1's header ([MS-CIFS] 2.2.3.1): the command, and the flag a reply
/// carries.
const SMB1_COMMAND_AT: usize = 4;
const SMB1_FLAGS_AT: usize = 9;
const SMB_COM_NEGOTIATE: u8 = 0x72;
const SMB_FLAGS_REPLY: u8 = 0x80;

/// Reads the dialect from a framed NEGOTIATE response. Only a server's
/// reply to this request counts: the header must say it comes from a
/// server and answers NEGOTIATE, the body must be a NEGOTIATE response, and
/// the dialect one of those offered; anything else (a request sent back, a
/// stray message) is not SMB, whatever its first bytes.
pub fn read_negotiate(reply: &[u8]) -> Reply {
    let smb = reply.get(4..).unwrap_or_default();
    let not_smb = |why: &str| Reply::no(format!("not SMB: {why}"));
    if reply == negotiate_request() {
        return not_smb("it sent the request back unchanged (an echo service?)");
    }
    if smb.starts_with(&[0xFF, b'S', b'M', b'B']) {
        return read_smb1(smb);
    }
    if !smb.starts_with(&[0xFE, b'S', b'M', b'B']) {
        return not_smb(&format!("it replied `{}`", io::preview(reply)));
    }
    if le16(smb, 4) != Some(HEADER_SIZE) {
        return not_smb("its SMB2 header is not 64 bytes");
    }
    let flags = smb
        .get(FLAGS_AT..FLAGS_AT + 4)
        .map_or(0, |f| u32::from_le_bytes([f[0], f[1], f[2], f[3]]));
    if flags & SMB2_FLAGS_SERVER_TO_REDIR == 0 {
        return not_smb("the reply is an SMB2 request, not a server's response");
    }
    match le16(smb, COMMAND_AT) {
        Some(NEGOTIATE) => {}
        Some(other) => {
            return not_smb(&format!(
                "the reply is for command 0x{other:04x}, not NEGOTIATE"
            ));
        }
        None => return not_smb("the reply is too short for an SMB2 header"),
    }
    let status = smb
        .get(STATUS_AT..STATUS_AT + 4)
        .map_or(u32::MAX, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
    if status != 0 {
        return Reply::no(format!(
            "SMB refused the negotiation (status 0x{status:08x})"
        ));
    }
    let body = usize::from(HEADER_SIZE);
    if le16(smb, body) != Some(NEGOTIATE_RESPONSE_SIZE) {
        return not_smb("the reply to NEGOTIATE is not a NEGOTIATE response");
    }
    match le16(smb, body + 4) {
        Some(dialect) => match DIALECTS.iter().find(|(offered, _)| *offered == dialect) {
            Some((_, name)) => Reply::yes(format!("SMB {name}")),
            None => not_smb(&format!(
                "it chose dialect 0x{dialect:04x}, which was not offered"
            )),
        },
        None => Reply::no("SMB reply too short to hold a dialect"),
    }
}

/// An SMB1 reply: the server does not speak SMB2, if it is a reply to a
/// NEGOTIATE at all.
fn read_smb1(smb: &[u8]) -> Reply {
    let reply = smb
        .get(SMB1_FLAGS_AT)
        .is_some_and(|flags| flags & SMB_FLAGS_REPLY != 0);
    if reply && smb.get(SMB1_COMMAND_AT) == Some(&SMB_COM_NEGOTIATE) {
        Reply::no("SMB1 only: the server does not speak SMB2 or later")
    } else {
        Reply::no("not SMB: an SMB1 message that is not a reply to NEGOTIATE")
    }
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

    /// A NEGOTIATE response as a server frames it: flags with
    /// SERVER_TO_REDIR, command NEGOTIATE, body size 65, `dialect`.
    fn response(dialect: u16) -> Vec<u8> {
        let mut reply = vec![0, 0, 0, 0];
        reply.extend_from_slice(b"\xfeSMB");
        reply.resize(4 + 64 + 65, 0);
        reply[4 + 4] = 64;
        reply[4 + FLAGS_AT] = 0x01;
        reply[4 + 64] = 65;
        reply[4 + 64 + 4..4 + 64 + 6].copy_from_slice(&dialect.to_le_bytes());
        let length = (reply.len() - 4) as u16;
        reply[2..4].copy_from_slice(&length.to_be_bytes());
        reply
    }

    #[test]
    fn a_response_names_its_dialect() {
        assert_eq!(read_negotiate(&response(0x0302)), Reply::yes("SMB 3.0.2"));
        assert_eq!(read_negotiate(&response(0x0202)), Reply::yes("SMB 2.0.2"));
        let mut denied = response(0x0302);
        denied[4 + STATUS_AT] = 0x22; // STATUS_ACCESS_DENIED's low byte
        let denied = read_negotiate(&denied);
        assert!(!denied.answered && denied.detail.contains("refused"));
        assert!(!read_negotiate(b"HTTP/1.1 400").answered);
    }

    /// Each field that tells a server's NEGOTIATE response from anything
    /// else: without it, the reply is not SMB.
    #[test]
    fn only_a_servers_negotiate_response_counts() {
        let echo = read_negotiate(&negotiate_request());
        assert!(!echo.answered, "{echo:?}");
        assert!(echo.detail.contains("echo"), "{echo:?}");

        let not_smb = |reply: Vec<u8>, why: &str| {
            let got = read_negotiate(&reply);
            assert!(!got.answered, "{why}: {got:?}");
            assert!(got.detail.starts_with("not SMB: "), "{why}: {got:?}");
        };
        let mut request_flags = response(0x0302);
        request_flags[4 + FLAGS_AT] = 0;
        not_smb(request_flags, "no SERVER_TO_REDIR");
        let mut other_command = response(0x0302);
        other_command[4 + COMMAND_AT] = 0x01; // SESSION_SETUP
        not_smb(other_command, "not NEGOTIATE");
        let mut request_body = response(0x0302);
        request_body[4 + 64] = 36; // a NEGOTIATE request's body
        not_smb(request_body, "not a NEGOTIATE response");
        let mut header = response(0x0302);
        header[4 + 4] = 0;
        not_smb(header, "header size");
        // 3.1.1 and the SMB1-negotiate wildcard were not offered.
        not_smb(response(0x0311), "3.1.1");
        not_smb(response(0x02FF), "wildcard");
        not_smb(response(0x0001), "junk dialect");
    }

    #[test]
    fn smb1_is_a_negotiate_reply_or_not_smb() {
        // Protocol id, command, status (4), flags.
        let mut smb1 = b"\0\0\0\x20\xffSMB\x72\0\0\0\0\x80".to_vec();
        smb1.resize(4 + 32, 0);
        let only = read_negotiate(&smb1);
        assert!(
            !only.answered && only.detail.starts_with("SMB1 only"),
            "{only:?}"
        );
        let mut request = smb1.clone();
        request[4 + SMB1_FLAGS_AT] = 0;
        assert!(read_negotiate(&request).detail.starts_with("not SMB"));
        let mut other = smb1;
        other[4 + SMB1_COMMAND_AT] = 0x73;
        assert!(read_negotiate(&other).detail.starts_with("not SMB"));
    }
}
