//! A BMC on 623/udp: an RMCP/ASF Presence Ping (DSP0136, 3.2.4.3); the
//! Presence Pong names whether IPMI is supported. No session is opened.

use super::Reply;

/// RMCP header (version 6, reserved, sequence 0xFF "no ACK", class ASF),
/// then the ASF message: IANA number 4542, type Presence Ping (0x80), tag,
/// reserved, no data.
pub const PRESENCE_PING: [u8; 12] = [
    0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x56, 0x00, 0x00,
];

const PRESENCE_PONG: u8 = 0x40;

pub fn read_pong(reply: &[u8]) -> Reply {
    if reply.len() < 12 || reply[0] != 0x06 || reply[3] != 0x06 {
        return Reply::no(format!(
            "not RMCP: it replied `{}`",
            super::io::preview(reply)
        ));
    }
    if reply[8] != PRESENCE_PONG {
        return Reply::no(format!(
            "RMCP, but message type 0x{:02x} instead of a Presence Pong",
            reply[8]
        ));
    }
    // The pong's data: IANA number (4), OEM (4), supported entities (1):
    // bit 7 means IPMI.
    match reply.get(12 + 8) {
        Some(entities) if entities & 0x80 != 0 => Reply::yes("IPMI pong (IPMI supported)"),
        Some(_) => Reply::yes("IPMI pong (ASF only: the BMC does not announce IPMI)"),
        None => Reply::yes("IPMI pong"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pongs_and_other_replies() {
        let mut pong = vec![
            0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x40, 0x56, 0x00, 0x10,
        ];
        pong.extend_from_slice(&[0, 0, 0x11, 0xBE, 0, 0, 0, 0, 0x81, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(read_pong(&pong), Reply::yes("IPMI pong (IPMI supported)"));
        pong[20] = 0x01;
        assert!(read_pong(&pong).detail.contains("ASF only"));
        pong[8] = 0x80;
        assert!(!read_pong(&pong).answered);
        assert!(!read_pong(b"vmmports").answered);
    }
}
