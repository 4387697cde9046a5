//! SQL Server: one TDS PRELOGIN ([MS-TDS] 2.2.6.5), the first message every
//! client sends; the server's PRELOGIN response carries its version. No
//! login follows.

use std::net::TcpStream;
use std::time::Instant;

use super::io::{self, be16};
use super::{Context, Reply};

/// Packet header type of a PRELOGIN (2.2.3.1.1) and of the server's reply
/// ("tabular result").
const PRELOGIN: u8 = 0x12;
const TABULAR_RESULT: u8 = 0x04;

/// PRELOGIN option tokens (2.2.6.5).
const VERSION: u8 = 0x00;
const ENCRYPTION: u8 = 0x01;
const INSTOPT: u8 = 0x02;
const THREADID: u8 = 0x03;
const MARS: u8 = 0x04;
const TERMINATOR: u8 = 0xFF;

/// The request: the same options as the specification's example (4.1), with
/// a zero client version and thread id, encryption "not supported", the
/// default instance, and no MARS.
pub fn prelogin_request() -> Vec<u8> {
    let options: [(u8, &[u8]); 5] = [
        (VERSION, &[0, 0, 0, 0, 0, 0]),
        (ENCRYPTION, &[0x02]),
        (INSTOPT, &[0x00]),
        (THREADID, &[0, 0, 0, 0]),
        (MARS, &[0x00]),
    ];
    let table_length = options.len() * 5 + 1;
    let mut table = Vec::new();
    let mut data = Vec::new();
    for (token, value) in options {
        table.push(token);
        table.extend_from_slice(&((table_length + data.len()) as u16).to_be_bytes());
        table.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
    }
    table.push(TERMINATOR);
    let length = (8 + table.len() + data.len()) as u16;
    // Header (2.2.3.1): type, status "end of message", length, SPID 0,
    // packet id 1, window 0.
    let mut packet = vec![PRELOGIN, 0x01];
    packet.extend_from_slice(&length.to_be_bytes());
    packet.extend_from_slice(&[0, 0, 1, 0]);
    packet.extend(table);
    packet.extend(data);
    packet
}

pub fn probe(stream: &mut TcpStream, context: &Context, deadline: Instant) -> Reply {
    let whole = |got: &[u8]| be16(got, 2).is_some_and(|length| got.len() >= length as usize);
    match io::ask(
        stream,
        &prelogin_request(),
        deadline,
        8 * 1024,
        whole,
        "TDS reply",
        context.timeout,
    ) {
        Ok(reply) => read_response(&reply),
        Err(e) => Reply::no(e),
    }
}

/// Reads a PRELOGIN response: the server's version and encryption choice.
pub fn read_response(reply: &[u8]) -> Reply {
    if reply.first() != Some(&TABULAR_RESULT) || reply.len() < 8 {
        return Reply::no(format!(
            "not SQL Server (TDS): it replied `{}`",
            io::preview(reply)
        ));
    }
    let body = &reply[8..];
    let mut version = None;
    let mut encryption = None;
    let mut at = 0;
    while let Some(&token) = body.get(at) {
        if token == TERMINATOR {
            break;
        }
        let (Some(offset), Some(length)) = (be16(body, at + 1), be16(body, at + 3)) else {
            break;
        };
        let value = body.get(offset as usize..offset as usize + length as usize);
        match (token, value) {
            (VERSION, Some(v)) if v.len() >= 4 => {
                version = Some(format!(
                    "{}.{}.{}",
                    v[0],
                    v[1],
                    u16::from_be_bytes([v[2], v[3]])
                ));
            }
            (ENCRYPTION, Some([e, ..])) => encryption = Some(*e),
            _ => {}
        }
        at += 5;
    }
    let Some(version) = version else {
        return Reply::no("TDS, but the PRELOGIN response has no version");
    };
    let release = release_name(&version);
    let encryption = match encryption {
        Some(0x00) => ", encryption off",
        Some(0x01) => ", encryption on",
        Some(0x02) => ", encryption not supported",
        Some(0x03) => ", encryption required",
        _ => "",
    };
    Reply::yes(format!("SQL Server {version}{release}{encryption}"))
}

/// ` (2019)` for a major version VMM supports, else nothing.
fn release_name(version: &str) -> &'static str {
    match version.split('.').next() {
        Some("11") => " (2012)",
        Some("12") => " (2014)",
        Some("13") => " (2016)",
        Some("14") => " (2017)",
        Some("15") => " (2019)",
        Some("16") => " (2022)",
        Some("17") => " (2025)",
        _ => "",
    }
}
