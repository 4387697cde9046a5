//! Checks that a parsed catalog means something: unique ids, real ports,
//! references that resolve. Every problem is collected (not just the first),
//! each with the path of the offending value so `load.rs` can turn it into
//! `file:line:col`.

use std::collections::{HashMap, HashSet};

use super::locate::Step;
use super::model::{
    Catalog, Component, Connection, Direction, ICMP_TYPES, Modifiability, PortSpec, icmp_type_name,
};
use super::probe::Probe;

/// One thing wrong with a catalog, at a path inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: Vec<Step<'static>>,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem outside `connections`: title, source, components, setup
/// features and notes. A streaming load checks these once the whole file
/// is read, and the connections batch by batch with [`RowChecker`].
pub fn validate_head(catalog: &Catalog) -> Vec<Violation> {
    let mut out = Checker::new(catalog);
    out.text(&catalog.title, At::root("title"));
    out.text(&catalog.source, At::root("source"));
    out.components(catalog);
    out.setup_features(catalog);
    out.notes(catalog);
    out.violations
}

/// Checks connections a batch at a time, in file order, so they can be
/// checked while the rest of the file is still being parsed. It remembers
/// the ids seen so far, since ids must be unique across batches.
pub struct RowChecker {
    /// Looked up for every reference: a set keeps 100,000-row catalogs fast.
    component_ids: HashSet<String>,
    seen: HashMap<String, usize>,
    violations: Vec<Violation>,
    /// The hint for each unknown component id met so far.
    suggested: HashMap<String, String>,
}

impl RowChecker {
    /// `head` needs its components and setup features; its connections are
    /// not looked at.
    pub fn new(head: &Catalog) -> Self {
        RowChecker {
            component_ids: head.components.iter().map(|c| c.id.clone()).collect(),
            seen: HashMap::new(),
            violations: Vec::new(),
            suggested: HashMap::new(),
        }
    }

    /// Checks `rows`, the connections from index `first` on.
    pub fn check(&mut self, head: &Catalog, first: usize, rows: &[Connection]) {
        let mut out = Checker {
            violations: std::mem::take(&mut self.violations),
            component_ids: self.component_ids.iter().map(String::as_str).collect(),
            suggested: std::mem::take(&mut self.suggested),
        };
        for (offset, conn) in rows.iter().enumerate() {
            out.connection(head, first + offset, conn, &mut self.seen);
        }
        self.violations = out.violations;
        self.suggested = out.suggested;
    }

    pub fn finish(self) -> Vec<Violation> {
        self.violations
    }
}

/// A path into the document, kept on the stack: the checks make one for
/// every value they look at, and only the few that fail turn it into a
/// [`Violation`]'s `Vec` (allocating each path up front was a fifth of
/// loading 100,000 connections).
#[derive(Clone, Copy)]
struct At {
    steps: [Step<'static>; 6],
    len: usize,
}

impl At {
    fn root(field: &'static str) -> At {
        At {
            steps: [Step::Index(0); 6],
            len: 0,
        }
        .field(field)
    }

    fn field(self, name: &'static str) -> At {
        self.then(Step::Field(name))
    }

    fn index(self, i: usize) -> At {
        self.then(Step::Index(i))
    }

    fn then(mut self, step: Step<'static>) -> At {
        // The schema is at most five steps deep (connections[i].ports[j].first).
        debug_assert!(self.len < self.steps.len(), "path deeper than the schema");
        if let Some(slot) = self.steps.get_mut(self.len) {
            *slot = step;
            self.len += 1;
        }
        self
    }

    fn to_vec(self) -> Vec<Step<'static>> {
        self.steps[..self.len].to_vec()
    }
}

struct Checker<'c> {
    violations: Vec<Violation>,
    component_ids: HashSet<&'c str>,
    /// "did you mean" for each unknown component id, worked out once: one
    /// renamed component can be named by 100,000 rows.
    suggested: HashMap<String, String>,
}

impl<'c> Checker<'c> {
    fn new(catalog: &'c Catalog) -> Self {
        Checker {
            violations: Vec::new(),
            component_ids: catalog.components.iter().map(|c| c.id.as_str()).collect(),
            suggested: HashMap::new(),
        }
    }

    fn push(&mut self, at: At, message: String, hint: Option<String>) {
        self.violations.push(Violation {
            path: at.to_vec(),
            message,
            hint,
        });
    }

    fn components(&mut self, catalog: &Catalog) {
        let mut seen = HashMap::new();
        for (i, c) in catalog.components.iter().enumerate() {
            let at = At::root("components").index(i);
            self.id("component", &c.id, at.field("id"), &mut seen);
            self.text(&c.name, at.field("name"));
            if let Some(place) = &c.configured_in {
                self.text(place, at.field("configured_in"));
            }
            for (j, alias) in c.aliases.iter().enumerate() {
                self.text(alias, at.field("aliases").index(j));
            }
            for (j, other) in c.also.iter().enumerate() {
                let path = at.field("also").index(j);
                if *other == c.id {
                    self.push(
                        path,
                        format!("component `{}` says it is also itself", c.id),
                        Some("list other component ids in `also`, or remove it".into()),
                    );
                } else if catalog
                    .component(other)
                    .is_some_and(|o| o.runs_on.is_some())
                {
                    // Its ends are its host; playing it means being the host.
                    self.push(
                        path,
                        format!("component `{}` is also `{other}`, a service that runs on another component", c.id),
                        Some(format!("put `also` on the machine `{other}` runs on, or give `{other}` no `runs_on`")),
                    );
                } else {
                    self.component_ref(catalog, other, path);
                }
            }
            if let Some(host) = &c.runs_on {
                self.runs_on(catalog, c, host, at.field("runs_on"));
            }
            if let Some(address) = &c.boot_source {
                // Rules carry it, so it must be one address every dialect
                // can spell.
                if address.parse::<std::net::IpAddr>().is_err() {
                    self.push(
                        at.field("boot_source"),
                        format!("boot_source `{address}` is not an IP address"),
                        Some("give one IPv4 or IPv6 address, such as 0.0.0.0".into()),
                    );
                }
            }
        }
    }

    /// A service runs on a machine of its own kind: not on itself, not on
    /// another service (its ends would have no machine), and it plays no
    /// roles itself (`also`), since its host plays them.
    fn runs_on(&mut self, catalog: &Catalog, c: &Component, host: &str, path: At) {
        let problem = if host == c.id {
            Some(format!("component `{}` says it runs on itself", c.id))
        } else if let Some(h) = catalog.component(host).filter(|h| h.runs_on.is_some()) {
            Some(format!(
                "component `{}` runs on `{}`, which itself runs on another component",
                c.id, h.id
            ))
        } else if !c.also.is_empty() {
            Some(format!(
                "component `{}` both runs on `{host}` and is `also` other components",
                c.id
            ))
        } else {
            None
        };
        match problem {
            Some(message) => self.push(
                path,
                message,
                Some("name the machine it runs on: a component without `runs_on`, other than itself; put `also` on that machine".into()),
            ),
            None => self.component_ref(catalog, host, path),
        }
    }

    fn setup_features(&mut self, catalog: &Catalog) {
        let mut seen = HashMap::new();
        for (i, f) in catalog.setup_features.iter().enumerate() {
            let at = At::root("setup_features").index(i);
            if let Some(first) = seen.insert(f.key.as_str(), i) {
                self.push(
                    at.field("key"),
                    format!("setup feature `{}` is defined twice", f.key),
                    Some(format!("it is already setup_features[{first}]; keep one")),
                );
            }
            if f.key.is_empty() || !f.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.push(
                    at.field("key"),
                    format!("setup feature key `{}` is not a plain word", f.key),
                    Some("use letters, digits and `_`, like `WSManTcpPort`".into()),
                );
            }
            self.text(&f.name, at.field("name"));
            if f.default == 0 {
                self.push(
                    at.field("default"),
                    "port 0 is not a real port".into(),
                    Some(PORT_HINT.into()),
                );
            }
        }
    }

    /// The checks of `connections[i]`; `seen` holds the ids before it.
    fn connection(
        &mut self,
        catalog: &Catalog,
        i: usize,
        conn: &Connection,
        seen: &mut HashMap<String, usize>,
    ) {
        let at = At::root("connections").index(i);
        self.id("connection", &conn.id, at.field("id"), seen);
        for (field, ids) in [
            ("from", &conn.from),
            ("to", &conn.to),
            ("rule_on", &conn.rule_on),
        ] {
            if ids.is_empty() && field != "rule_on" {
                self.push(
                    at.field(field),
                    format!("`{field}` names no component"),
                    Some("list at least one component id".into()),
                );
            }
            for (j, id) in ids.iter().enumerate() {
                self.component_ref(catalog, id, at.field(field).index(j));
            }
        }
        match (conn.direction, conn.rule_on.is_empty()) {
            (Direction::None, false) => self.push(
                at.field("rule_on"),
                "a connection with direction `none` (a local call) needs no rule, but `rule_on` names a machine".into(),
                Some("empty `rule_on`, or set direction to `inbound` or `outbound`".into()),
            ),
            (Direction::Inbound | Direction::Outbound, true) => self.push(
                at.field("rule_on"),
                "an inbound or outbound connection must say which machine carries the rule".into(),
                Some("set `rule_on` to the component ids whose firewall needs the rule".into()),
            ),
            _ => {}
        }
        // The docs' rule location must be an end of the connection:
        // inbound on a destination, outbound on a source.
        let (ends, end_name) = match conn.direction {
            Direction::Inbound => (&conn.to, "`to`"),
            _ => (&conn.from, "`from`"),
        };
        // (A misspelt end is reported once, as an unknown component.)
        let ends_known = ends.iter().all(|e| self.component_ids.contains(e.as_str()));
        for (j, id) in conn.rule_on.iter().enumerate() {
            if ends_known && conn.direction != Direction::None && !ends.contains(id) {
                self.push(
                    at.field("rule_on").index(j),
                    format!(
                        "`{id}` carries an {} rule but is not in {end_name}",
                        conn.direction.as_str()
                    ),
                    Some(format!(
                        "an inbound rule goes on a destination and an outbound rule on a source: add `{id}` to {end_name}, or fix `rule_on`"
                    )),
                );
            }
        }
        if conn.ports.is_empty() && conn.direction != Direction::None {
            self.push(
                at.field("ports"),
                "a connection that needs a firewall rule must list at least one port".into(),
                None,
            );
        }
        for (j, port) in conn.ports.iter().enumerate() {
            self.port(
                catalog,
                port,
                at.field("ports").index(j),
                &conn.modifiability,
            );
        }
        let is_setup = conn.modifiability == Modifiability::Setup;
        if is_setup && conn.setup_keys().is_empty() {
            self.push(
                at.field("modifiability"),
                "modifiability is `setup` but no port names its setup feature".into(),
                Some("add `setup_key: \"...\"` to the ports setup can change".into()),
            );
        }
        if let Some(place) = conn.modifiability.place() {
            self.text(place, at.field("modifiability"));
        }
        for (j, note) in conn.notes.iter().enumerate() {
            self.text(note, at.field("notes").index(j));
        }
    }

    fn notes(&mut self, catalog: &Catalog) {
        let mut seen = HashMap::new();
        for (i, note) in catalog.notes.iter().enumerate() {
            let at = At::root("notes").index(i);
            self.id("note", &note.id, at.field("id"), &mut seen);
            self.text(&note.title, at.field("title"));
            self.text(&note.text, at.field("text"));
            for (j, port) in note.ports.iter().enumerate() {
                self.port(
                    catalog,
                    port,
                    at.field("ports").index(j),
                    &Modifiability::None,
                );
            }
            for (field, ids) in [("components", &note.components), ("peers", &note.peers)] {
                for (j, id) in ids.iter().enumerate() {
                    self.component_ref(catalog, id, at.field(field).index(j));
                }
            }
        }
    }

    /// An ICMP spec names one message type that rules can write for both
    /// IP families.
    fn icmp_type(&mut self, port: &PortSpec, at: At) {
        if icmp_type_name(port.first).is_none() {
            let known: Vec<String> = ICMP_TYPES
                .iter()
                .map(|(v4, _, name)| format!("{v4} ({name})"))
                .collect();
            self.push(
                at.field("first"),
                format!(
                    "ICMP type {} is not one vmmports can write rules for",
                    port.first
                ),
                Some(format!("use one of {}", known.join(", "))),
            );
        } else if port.first != port.last {
            self.push(
                at.field("last"),
                "an ICMP spec names one message type, not a range".into(),
                Some(format!("set `last` to {}, like `first`", port.first)),
            );
        }
    }

    fn port(&mut self, catalog: &Catalog, port: &PortSpec, at: At, modifiability: &Modifiability) {
        if !port.has_ports() {
            self.icmp_type(port, at);
        } else if port.first == 0 {
            self.push(
                at.field("first"),
                "port 0 is not a real port".into(),
                Some(PORT_HINT.into()),
            );
        }
        if port.has_ports() && port.last == 0 {
            self.push(
                at.field("last"),
                "port 0 is not a real port".into(),
                Some(PORT_HINT.into()),
            );
        }
        if port.has_ports() && port.first > port.last {
            self.push(
                at.field("last"),
                format!(
                    "port range {}-{} ends before it starts",
                    port.first, port.last
                ),
                Some(format!("did you mean {}-{}?", port.last, port.first)),
            );
        }
        self.text(&port.service, at.field("service"));
        self.text(&port.purpose, at.field("purpose"));
        if let Some(key) = &port.setup_key {
            if !port.has_ports() {
                self.push(
                    at.field("setup_key"),
                    format!("an ICMP message type cannot follow the setup port `{key}`"),
                    Some("remove the setup_key".into()),
                );
            } else if *modifiability != Modifiability::Setup {
                self.push(
                    at.field("setup_key"),
                    format!(
                        "port has setup_key `{key}` but the connection's modifiability is `{}`",
                        modifiability.as_str()
                    ),
                    Some("set modifiability to `setup`, or remove the setup_key".into()),
                );
            } else if catalog.setup_feature(key).is_none() {
                let known: Vec<&str> = catalog
                    .setup_features
                    .iter()
                    .map(|f| f.key.as_str())
                    .collect();
                self.push(
                    at.field("setup_key"),
                    format!("unknown setup feature `{key}`"),
                    Some(suggestion("setup feature", key, &known)),
                );
            }
        }
        self.probe(port, at);
    }

    /// A probe speaks over one transport, and only WinRM or HTTP run
    /// inside a TLS session.
    fn probe(&mut self, port: &PortSpec, at: At) {
        if let Some(probe) = port.probe
            && probe.transport() != port.transport
        {
            let fitting: Vec<&str> = Probe::ALL
                .iter()
                .filter(|p| p.transport() == port.transport)
                .map(|p| p.as_str())
                .collect();
            self.push(
                at.field("probe"),
                format!(
                    "probe `{}` runs over {}, but the port is {}",
                    probe.as_str(),
                    probe.transport().as_str(),
                    port.transport.as_str()
                ),
                Some(format!(
                    "for a {} port use one of: {}",
                    port.transport.as_str(),
                    fitting.join(", ")
                )),
            );
        }
        if let Some(inside) = port.inside_tls {
            if port.probe() != Probe::Tls {
                self.push(
                    at.field("inside_tls"),
                    "inside_tls needs `probe: \"tls\"` on the same port".into(),
                    Some("set probe to \"tls\", or remove inside_tls".into()),
                );
            } else if !inside.runs_inside_tls() {
                self.push(
                    at.field("inside_tls"),
                    format!("probe `{}` does not run inside TLS", inside.as_str()),
                    Some("use \"winrm\" or \"http\"".into()),
                );
            }
        }
    }

    fn id(&mut self, what: &str, id: &str, at: At, seen: &mut HashMap<String, usize>) {
        if !is_kebab_case(id) {
            self.push(
                at,
                format!("{what} id `{id}` is not kebab-case"),
                Some("use lowercase letters, digits and single dashes, like `vmm-server`".into()),
            );
        }
        if seen.insert(id.to_string(), seen.len()).is_some() {
            self.push(
                at,
                format!("{what} id `{id}` is used twice"),
                Some("ids must be unique; rename one of them".into()),
            );
        }
    }

    fn component_ref(&mut self, catalog: &Catalog, id: &str, at: At) {
        if self.component_ids.contains(id) {
            return;
        }
        let hint = self
            .suggested
            .entry(id.to_string())
            .or_insert_with(|| {
                let known: Vec<&str> = catalog.components.iter().map(|c| c.id.as_str()).collect();
                suggestion("component", id, &known)
            })
            .clone();
        self.push(at, format!("unknown component `{id}`"), Some(hint));
    }

    /// Catalog text ends up in terminals and in firewall scripts run as
    /// Administrator, so control and invisible characters are refused at
    /// the door.
    fn text(&mut self, text: &str, at: At) {
        if text.trim().is_empty() {
            self.push(at, "text is empty".into(), Some("write a few words".into()));
        } else if let Err(message) = crate::text::check_plain("text", text) {
            self.push(
                at,
                message,
                Some("remove it; use separate list entries instead of line breaks".into()),
            );
        }
    }
}

const PORT_HINT: &str = "ports are 1-65535";

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// "did you mean `x`?" when something is close, else the full list of choices.
pub fn suggestion(what: &str, wrong: &str, known: &[&str]) -> String {
    match crate::text::nearest(wrong, known) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => format!("no {what} is defined"),
        None => format!("known {what}s: {}", known.join(", ")),
    }
}
