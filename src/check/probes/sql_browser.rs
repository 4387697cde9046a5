//! The SQL Server Browser on 1434/udp ([MS-SQLR]): one CLNT_UCAST_EX
//! request (2.2.2) lists the host's instances in an SVR_RESP (2.2.5), each
//! with its TCP port; the probe says whether one of them is on the port VMM
//! is set to use (`SqlPort`).

use super::Reply;
use super::io::le16;
use crate::check::finding::SqlInstance;

/// CLNT_UCAST_EX: "list every instance on this machine".
pub const INSTANCE_QUERY: [u8; 1] = [0x03];

/// SVR_RESP's first byte.
const SVR_RESP: u8 = 0x05;

/// Parses RESP_DATA: `key;value;` pairs, each instance ending in `;;`. A
/// record without its `;;` (a reply cut short) is left out rather than read
/// with a wrong port.
pub fn parse_instances(text: &str) -> Vec<SqlInstance> {
    let complete = text.rfind(";;").map_or("", |end| &text[..end]);
    complete
        .split(";;")
        .filter(|record| !record.trim().is_empty())
        .filter_map(|record| {
            let fields: Vec<&str> = record.split(';').collect();
            let value = |key: &str| {
                fields
                    .chunks(2)
                    .find(|pair| pair[0].eq_ignore_ascii_case(key))
                    .and_then(|pair| pair.get(1))
                    .map(|v| v.to_string())
            };
            Some(SqlInstance {
                name: value("InstanceName")?,
                tcp_port: value("tcp").and_then(|p| p.trim().parse().ok()),
                version: value("Version"),
            })
        })
        .collect()
}

/// Reads an SVR_RESP; `sql_ports` are the ports VMM is set to use.
pub fn read_response(reply: &[u8], sql_ports: &[u16]) -> Reply {
    if reply.first() != Some(&SVR_RESP) {
        return Reply::no(format!(
            "not the SQL Server Browser: it replied `{}`",
            super::io::preview(reply)
        ));
    }
    let size = le16(reply, 1).unwrap_or(0) as usize;
    let data = reply
        .get(3..(3 + size).min(reply.len()))
        .unwrap_or_default();
    let received = reply.len().saturating_sub(3);
    let instances = parse_instances(&String::from_utf8_lossy(data));
    if instances.is_empty() {
        return Reply::no("the SQL Server Browser answered, but lists no instance");
    }
    let listed: Vec<String> = instances
        .iter()
        .map(|i| match i.tcp_port {
            Some(port) => format!("{} on {port}", i.name),
            None => format!("{} (no TCP)", i.name),
        })
        .collect();
    let count = match instances.len() {
        1 => "1 instance".to_string(),
        n => format!("{n} instances"),
    };
    let mut reply = Reply::yes(format!("SQL Browser: {count}: {}", listed.join(", ")));
    if received < size {
        reply.warnings.push(format!(
            "the SQL Browser's reply was cut short ({received} of {size} bytes); the instances listed are the complete ones"
        ));
    }
    if let Some(&wanted) = sql_ports.first() {
        let on_it: Vec<&str> = instances
            .iter()
            .filter(|i| i.tcp_port.is_some_and(|p| sql_ports.contains(&p)))
            .map(|i| i.name.as_str())
            .collect();
        if on_it.is_empty() {
            reply
                .detail
                .push_str(&format!("; none on SqlPort {wanted}"));
            let other = instances.iter().find_map(|i| i.tcp_port).unwrap_or(wanted);
            reply.warnings.push(format!(
                "no instance listens on SqlPort {wanted}: VMM's database may be a named instance on another port; allow that port, and check it with --set-port SqlPort={other}"
            ));
        } else {
            reply
                .detail
                .push_str(&format!("; SqlPort {wanted} matches {}", on_it.join(", ")));
        }
    }
    reply.instances = Some(instances);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_cut_short_is_left_out() {
        let whole = "ServerName;H;InstanceName;A;IsClustered;No;Version;15.0;tcp;1433;;";
        let cut = format!("{whole}ServerName;H;InstanceName;B;tcp;50");
        let instances = parse_instances(&cut);
        assert_eq!(instances.len(), 1);
        assert_eq!(instances[0].tcp_port, Some(1433));
        // A reply whose RESP_SIZE says more than arrived warns.
        let mut bytes = vec![0x05];
        bytes.extend_from_slice(&((cut.len() + 20) as u16).to_le_bytes());
        bytes.extend_from_slice(cut.as_bytes());
        let reply = read_response(&bytes, &[1433]);
        assert!(reply.answered);
        assert!(reply.warnings[0].contains("cut short"), "{reply:?}");
    }
}
