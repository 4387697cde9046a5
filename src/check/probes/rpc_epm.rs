//! The RPC endpoint mapper: one DCE/RPC bind (C706, 12.6.4.3) to its
//! interface; a `bind_ack` (12.6.4.4) means RPC answered. Nothing is
//! looked up.

use std::net::TcpStream;
use std::time::Instant;

use super::io::{self, le16};
use super::{Context, Reply};

/// The endpoint mapper's interface, e1af8308-5d1f-11c9-91a4-08002b14a0fa
/// version 3.0, as its UUID is laid out on the wire (first three fields
/// little-endian).
const EPM: [u8; 20] = [
    0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa,
    3, 0, 0, 0,
];

/// The NDR transfer syntax, 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0.
const NDR: [u8; 20] = [
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
    2, 0, 0, 0,
];

const BIND: u8 = 11;
const BIND_ACK: u8 = 12;
const BIND_NAK: u8 = 13;

pub fn bind_request() -> Vec<u8> {
    let mut pdu = vec![
        5, 0, // version 5.0
        BIND, 0x03, // first and last fragment
        0x10, 0, 0, 0, // little-endian, ASCII, IEEE floats
        0, 0, // fragment length, set below
        0, 0, // no authentication
        1, 0, 0, 0, // call id 1
    ];
    pdu.extend_from_slice(&4280u16.to_le_bytes()); // max transmit fragment
    pdu.extend_from_slice(&4280u16.to_le_bytes()); // max receive fragment
    pdu.extend_from_slice(&[0; 4]); // new association group
    pdu.extend_from_slice(&[1, 0, 0, 0]); // one context element
    pdu.extend_from_slice(&[0, 0, 1, 0]); // context 0, one transfer syntax
    pdu.extend_from_slice(&EPM);
    pdu.extend_from_slice(&NDR);
    let length = pdu.len() as u16;
    pdu[8..10].copy_from_slice(&length.to_le_bytes());
    pdu
}

pub fn probe(stream: &mut TcpStream, context: &Context, deadline: Instant) -> Reply {
    let whole = |got: &[u8]| le16(got, 8).is_some_and(|length| got.len() >= length as usize);
    match io::ask(
        stream,
        &bind_request(),
        deadline,
        8 * 1024,
        whole,
        "RPC reply",
        context.timeout,
    ) {
        Ok(reply) => read_bind_reply(&reply),
        Err(e) => Reply::no(e),
    }
}

pub fn read_bind_reply(reply: &[u8]) -> Reply {
    if reply.len() < 16 || reply[0] != 5 {
        return Reply::no(format!("not DCE/RPC: it replied `{}`", io::preview(reply)));
    }
    match reply[2] {
        BIND_ACK => match context_result(reply) {
            Some(0) | None => Reply::yes("RPC endpoint mapper (bind_ack)"),
            Some(result) => Reply::no(format!(
                "RPC answered (bind_ack), but refused the endpoint mapper interface (result {result})"
            )),
        },
        BIND_NAK => Reply::no(format!(
            "RPC refused the bind (bind_nak, reason {})",
            le16(reply, 16).unwrap_or(0)
        )),
        other => Reply::no(format!(
            "DCE/RPC, but packet type {other} instead of bind_ack"
        )),
    }
}

/// The first context's result in a bind_ack: after the fixed part (24
/// bytes) comes the secondary address (a length and a string), padding to
/// four bytes, then the result list.
fn context_result(reply: &[u8]) -> Option<u16> {
    let address_length = le16(reply, 24)? as usize;
    let after_address = 26 + address_length;
    let results = after_address.div_ceil(4) * 4;
    le16(reply, results + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bind_is_72_bytes_with_its_length_inside() {
        let pdu = bind_request();
        assert_eq!(pdu.len(), 72);
        assert_eq!(le16(&pdu, 8), Some(72));
    }

    #[test]
    fn bind_ack_nak_and_junk() {
        // A bind_ack: header, max frags, group, secondary address "135\0"
        // (length 4), no padding needed (26 + 4 = 30 → 32), one result 0.
        let mut ack = vec![5, 0, BIND_ACK, 3, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
        ack.extend_from_slice(&[0xb8, 0x10, 0xb8, 0x10, 1, 2, 3, 4]);
        ack.extend_from_slice(&[4, 0, b'1', b'3', b'5', 0, 0, 0]);
        ack.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
        ack.extend_from_slice(&NDR);
        assert!(read_bind_reply(&ack).answered);
        let n = ack.len();
        ack[32 + 4] = 2; // provider rejection
        assert!(!read_bind_reply(&ack[..n]).answered);
        let nak = [
            5, 0, BIND_NAK, 3, 0x10, 0, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0, 4, 0,
        ];
        assert!(read_bind_reply(&nak).detail.contains("bind_nak"));
        assert!(!read_bind_reply(b"HTTP/1.1 400 Bad\r\n\r\n").answered);
    }
}
