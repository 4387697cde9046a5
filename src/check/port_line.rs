//! What a check shows: one line per port and transport, naming every
//! connection it serves. Many connections share a port (18 use 443/tcp), and
//! a line per connection repeated the same verdict 18 times.
//!
//! The probing itself stays per target (see [`super::run`]: one probe per
//! port and probe kind); this only groups the targets and folds their
//! findings into the line's.

use super::{Finding, Target};
use crate::catalog::{Probe, Transport};

/// One port and transport, and the targets (connections) behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortLine {
    pub first: u16,
    pub last: u16,
    pub transport: Transport,
    /// The connections that use this port, in catalog order, each once.
    pub connections: Vec<String>,
    /// Indices into the targets the line was made from.
    pub targets: Vec<usize>,
}

impl PortLine {
    /// `443`, `64001-65000`, or an ICMP type's name.
    pub fn port_text(&self) -> String {
        crate::catalog::number_text(self.transport, self.first, self.last)
    }

    /// The line's verdict once every target behind it has its finding
    /// (`None` before): the probe it comes from, and the finding.
    ///
    /// A port whose connections name different probe kinds (TLS for most,
    /// plain HTTP for one) was probed once per kind, but one service
    /// listens there, so the line shows one verdict: the first kind whose
    /// service answered, or else the first that reached the port (its
    /// detail says what answers instead), or else the first. Each other
    /// kind that did not answer adds a warning naming it, so nothing a
    /// probe learned is hidden, and the port still passes when the service
    /// is there.
    pub fn verdict(
        &self,
        targets: &[Target],
        findings: &[Option<Finding>],
    ) -> Option<(Probe, Finding)> {
        let mut kinds: Vec<(Probe, Option<Probe>, &Finding)> = Vec::new();
        for &i in &self.targets {
            let finding = findings.get(i)?.as_ref()?;
            let target = &targets[i];
            if !kinds
                .iter()
                .any(|k| (k.0, k.1) == (target.probe, target.inside_tls))
            {
                kinds.push((target.probe, target.inside_tls, finding));
            }
        }
        let chosen = kinds
            .iter()
            .position(|k| k.2.answered)
            .or_else(|| kinds.iter().position(|k| k.2.status.word() == "open"))
            .unwrap_or(0);
        let (probe, _, finding) = kinds.get(chosen)?;
        let mut finding = (*finding).clone();
        for (j, (other, _, found)) in kinds.iter().enumerate() {
            if j != chosen && !found.answered && found.detail != finding.detail {
                let said = found
                    .detail
                    .clone()
                    .unwrap_or_else(|| found.status.word().to_string());
                finding
                    .warnings
                    .push(format!("as {}: {said}", other.label()));
            }
        }
        Some((*probe, finding))
    }
}

/// The lines for `targets`, sorted by port, then transport: targets with the
/// same ports and transport share one.
pub fn port_lines(targets: &[Target]) -> Vec<PortLine> {
    let mut lines: Vec<PortLine> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let key = (target.first, target.last, target.transport);
        match lines
            .iter_mut()
            .find(|l| (l.first, l.last, l.transport) == key)
        {
            Some(line) => {
                line.targets.push(i);
                if !line.connections.contains(&target.connection) {
                    line.connections.push(target.connection.clone());
                }
            }
            None => lines.push(PortLine {
                first: target.first,
                last: target.last,
                transport: target.transport,
                connections: vec![target.connection.clone()],
                targets: vec![i],
            }),
        }
    }
    lines.sort_by_key(|l| (l.first, l.last, l.transport.as_str()));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use std::time::Duration;

    fn target(connection: &str, port: u16, probe: Probe) -> Target {
        Target {
            connection: connection.into(),
            first: port,
            last: port,
            transport: probe.transport(),
            probe,
            inside_tls: None,
        }
    }

    #[test]
    fn one_line_per_port_naming_each_connection_sorted_by_port() {
        let targets = [
            target("b", 5985, Probe::Winrm),
            target("a", 443, Probe::Tls),
            target("c", 443, Probe::Tls),
            target("a", 443, Probe::Tls),
        ];
        let lines = port_lines(&targets);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].port_text(), "443");
        assert_eq!(lines[0].connections, ["a", "c"]);
        assert_eq!(lines[0].targets, [1, 2, 3]);
        assert_eq!(lines[1].connections, ["b"]);
    }

    #[test]
    fn several_probe_kinds_give_the_answering_one_and_warn_of_the_rest() {
        let targets = [
            target("tls-row", 443, Probe::Tls),
            target("http-row", 443, Probe::Http),
        ];
        let lines = port_lines(&targets);
        let took = Duration::from_millis(1);
        let mut findings = vec![None, None];
        assert_eq!(lines[0].verdict(&targets, &findings), None);
        findings[0] = Some(Finding::reached(took, true, "TLS 1.3"));
        findings[1] = Some(Finding::reached(took, false, "not HTTP"));
        let (probe, finding) = lines[0].verdict(&targets, &findings).unwrap();
        assert_eq!(probe, Probe::Tls);
        assert!(finding.answered);
        assert_eq!(finding.warnings, ["as HTTP: not HTTP"]);
        // Neither answered: the one that reached the port speaks.
        findings[0] = Some(Finding::unreached(Status::TimedOut));
        let (probe, finding) = lines[0].verdict(&targets, &findings).unwrap();
        assert_eq!(probe, Probe::Http);
        assert!(!finding.answered);
    }
}
