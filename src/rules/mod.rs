//! Firewall rules for catalog connections, in seven dialects.
//!
//! `plan` decides what each machine needs, dialect-free; each dialect file
//! only spells a plan; `quote` and `address` keep user text safe. This module
//! picks the dialect, says why a rule cannot be given where a dialect does not
//! fit a machine, and writes the script header.

pub mod address;
mod firewalld;
mod iptables;
mod netsh;
mod nft;
pub mod plan;
mod powershell;
mod probe;
pub mod quote;
pub mod settings;
mod ufw;

use address::{Address, Family};
use plan::{Item, Rule, Section};
use quote::Unquotable;
use settings::Settings;

use crate::catalog::{Catalog, Component, ComponentKind, Connection};

/// The output dialects, in the order the CLI and the explorer list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    Powershell,
    Netsh,
    Nft,
    Iptables,
    Firewalld,
    Ufw,
    Probe,
}

impl Dialect {
    pub const ALL: [Dialect; 7] = [
        Dialect::Powershell,
        Dialect::Netsh,
        Dialect::Nft,
        Dialect::Iptables,
        Dialect::Firewalld,
        Dialect::Ufw,
        Dialect::Probe,
    ];

    /// The name used by `--format` and shown on tabs.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Powershell => "powershell",
            Dialect::Netsh => "netsh",
            Dialect::Nft => "nft",
            Dialect::Iptables => "iptables",
            Dialect::Firewalld => "firewalld",
            Dialect::Ufw => "ufw",
            Dialect::Probe => "probe",
        }
    }

    /// How every comment line of this dialect starts.
    /// - netsh: `REM '…'`. cmd.exe ignores the rest of a `REM` line; to
    ///   PowerShell `REM` is an unknown command, which fails, and the quotes
    ///   keep its text a plain string (no `;`, `(…)` or `$(…)` can act).
    /// - PowerShell: `#`.
    /// - the sh family, probes included: `: '…'`, a call of the no-op
    ///   builtin `:` with one quoted argument. `#` starts no comment in an
    ///   interactive zsh (unless `interactivecomments` is set), so there
    ///   `# a; touch x` would run `touch`; the quoted argument of `:` is
    ///   inert in bash, dash and zsh alike (and, for the Windows sections of
    ///   a probe script, a failing command in PowerShell).
    fn comment_prefix(self) -> &'static str {
        match self {
            Dialect::Netsh => "REM '",
            Dialect::Powershell => "# ",
            _ => ": '",
        }
    }

    /// A comment line saying `text`, inert in every shell the dialect's
    /// scripts are pasted into (see [`quote::windows_comment_text`] for the
    /// Windows dialects; probe scripts mix Windows and Linux sections, so
    /// their text is reduced the same way).
    pub fn comment_line(self, text: &str) -> String {
        match self {
            Dialect::Powershell => format!("# {}", quote::windows_comment_text(text)),
            Dialect::Netsh => format!("REM '{}'", quote::windows_comment_text(text)),
            Dialect::Probe => format!(": {}", quote::sh(&quote::windows_comment_text(text))),
            _ => format!(": {}", quote::sh(&safe(text))),
        }
    }

    /// Whether `line` is one of this dialect's comment lines.
    pub fn is_comment_line(self, line: &str) -> bool {
        line.starts_with(self.comment_prefix())
    }

    fn fits(self, kind: ComponentKind) -> bool {
        let windows = matches!(self, Dialect::Powershell | Dialect::Netsh);
        match kind {
            ComponentKind::Windows => windows,
            ComponentKind::Linux => !windows,
            ComponentKind::Any => true,
            ComponentKind::Appliance | ComponentKind::Device => false,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Dialect::Powershell => {
                "PowerShell New-NetFirewallRule commands; run in an elevated PowerShell"
            }
            Dialect::Netsh => {
                "netsh advfirewall commands; run as Administrator in cmd.exe or PowerShell"
            }
            Dialect::Nft => "nftables commands (table inet filter); run as root",
            Dialect::Iptables => "iptables/ip6tables commands (built-in chains); run as root",
            Dialect::Firewalld => {
                "firewall-cmd commands (permanent, default zone; add --zone=NAME for another); run as root"
            }
            Dialect::Ufw => "ufw commands; run as root",
            Dialect::Probe => {
                "probes that check each port answers; run each section on the machine it names"
            }
        }
    }
}

/// Why no script could be made, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub message: String,
    pub hint: String,
}

impl RulesError {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        RulesError {
            message: message.into(),
            hint: hint.into(),
        }
    }

    fn unquotable(dialect: &str, text: &str, e: Unquotable) -> Self {
        RulesError::new(
            format!(
                "{dialect}: cannot safely write `{}`: {}",
                text.escape_default(),
                e.reason
            ),
            e.hint,
        )
    }
}

/// What a script header says about where the rules come from.
pub struct Provenance<'a> {
    pub catalog_origin: &'a str,
    pub query: &'a str,
    pub on: Option<&'a str>,
}

/// The complete script for `connections` in `dialect`: header, then body.
pub fn script(
    catalog: &Catalog,
    connections: &[&Connection],
    dialect: Dialect,
    settings: &Settings,
    on: Option<&str>,
    provenance: &Provenance,
) -> Result<String, RulesError> {
    let body = body(catalog, connections, dialect, settings, on)?;
    let mut out = header(catalog, connections, &body, dialect, settings, provenance);
    out.extend(body.lines);
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// A script's lines without its header, as the explorer's rule pane shows
/// them, and how many rules (or probes) they hold.
pub struct Body {
    pub lines: Vec<String>,
    pub count: usize,
    /// How many rules are open to any address because some peer's address
    /// is missing (each has an `unscoped` comment above it).
    pub unscoped: usize,
    /// The ids of the connections the lines cover.
    pub covers: Vec<String>,
    /// Machines left out of some rules' scopes for want of an address (only
    /// `also` a peer: the deployment may have none), with how many rules.
    pub left_out: Vec<(String, usize)>,
    /// Each machine's section: the machine's id, and its lines in `lines`,
    /// from the heading comment that names it to its last. A text to paste
    /// on one machine is one of these.
    pub sections: Vec<(String, std::ops::Range<usize>)>,
}

/// The rules (or probes) for `connections`, grouped by machine, each group
/// opened by a comment line naming the machine.
pub fn body(
    catalog: &Catalog,
    connections: &[&Connection],
    dialect: Dialect,
    settings: &Settings,
    on: Option<&str>,
) -> Result<Body, RulesError> {
    let mut lines = Vec::new();
    let mut count = 0;
    let mut unscoped = 0;
    let mut covers: Vec<String> = Vec::new();
    let mut left_out: Vec<(String, usize)> = Vec::new();
    let mut sections = Vec::new();
    if dialect == Dialect::Probe {
        for section in probe::sections(catalog, connections, settings, on) {
            count += section
                .lines
                .iter()
                .filter(|l| !dialect.is_comment_line(l))
                .count();
            for id in &section.covers {
                if !covers.iter().any(|c| c == id) {
                    covers.push(id.to_string());
                }
            }
            lines.push(String::new());
            let start = lines.len();
            lines.push(dialect.comment_line(&format!(
                "── run on {} ({}) ──",
                section.machine.name, section.machine.id
            )));
            lines.extend(section.lines);
            sections.push((section.machine.id.clone(), start..lines.len()));
        }
    } else {
        let plan = plan::plan(catalog, connections, settings, on);
        refuse_partial_scope(catalog, &plan, settings)?;
        count = plan.rule_count();
        unscoped = plan.rules().filter(|(_, r)| !r.unscoped.is_empty()).count();
        covers = plan.sources().into_iter().map(str::to_string).collect();
        for (_, rule) in plan.rules() {
            for id in &rule.left_out {
                match left_out.iter_mut().find(|(m, _)| m == id) {
                    Some((_, n)) => *n += 1,
                    None => left_out.push((id.clone(), 1)),
                }
            }
        }
        for section in &plan.sections {
            lines.push(String::new());
            let also: String = section
                .machine
                .also
                .iter()
                .map(|id| format!(", also {} ({id})", catalog.names(std::slice::from_ref(id))))
                .collect();
            let start = lines.len();
            lines.push(dialect.comment_line(&format!(
                "── on {} ({}){also} ──",
                section.machine.name, section.machine.id
            )));
            lines.extend(section_lines(catalog, dialect, section, settings)?);
            sections.push((section.machine.id.clone(), start..lines.len()));
        }
    }
    // Never silently empty: say why there is nothing to run.
    if connections.is_empty() {
        lines.push(dialect.comment_line("no connection matches the query; nothing to do"));
    } else if lines.is_empty() {
        lines.push(dialect.comment_line(&format!(
            "none of these connections needs a rule on {}",
            on.unwrap_or("any machine")
        )));
    }
    Ok(Body {
        lines,
        count,
        unscoped,
        covers,
        left_out,
        sections,
    })
}

fn header(
    catalog: &Catalog,
    connections: &[&Connection],
    body: &Body,
    dialect: Dialect,
    settings: &Settings,
    p: &Provenance,
) -> Vec<String> {
    let (matched, count) = (connections.len(), body.count);
    let mut lines = vec![
        format!("vmmports {}: {}", env!("CARGO_PKG_VERSION"), dialect.what()),
        format!("catalog: {}, from {}", catalog.title, p.catalog_origin),
        format!(
            "query: {}{}: {} matched, {}",
            if p.query.is_empty() { "(all)" } else { p.query },
            p.on.map(|o| format!(" --on {o}")).unwrap_or_default(),
            crate::text::count(matched, "connection"),
            crate::text::count(
                count,
                if dialect == Dialect::Probe {
                    "probe"
                } else {
                    "rule"
                }
            ),
        ),
        format!("settings: {}", settings.describe().join("; ")),
    ];
    if let Some(file) = &settings.deployment {
        lines.push(format!("deployment: {file}"));
    }
    if !body.covers.is_empty() {
        lines.push(format!("covers: {}", body.covers.join(", ")));
    }
    if body.unscoped > 0 {
        lines.push(format!(
            "{} open to any address (unscoped) because some peers have no --remote; each is marked below",
            crate::text::count(body.unscoped, "rule"),
        ));
    }
    for (id, rules) in &body.left_out {
        lines.push(format!(
            "{id} ({}) has no --remote, so it is taken as absent and left out of the scope of {}; give --remote {id}=ADDR if this deployment has one",
            safe(&catalog.names(std::slice::from_ref(id))),
            crate::text::count(*rules, "rule"),
        ));
    }
    if settings.remote.is_empty() {
        lines.push("no --remote addresses given: rules allow any remote address, and probes use component ids as host names".into());
    }
    if dialect == Dialect::Nft {
        lines.extend(nft::header());
    }
    lines.iter().map(|l| dialect.comment_line(l)).collect()
}

/// Catalog and user text in comments: control and invisible characters
/// neutralised, so nothing can end the comment line or reorder it.
fn safe(text: &str) -> String {
    crate::text::printable(text).into_owned()
}

fn section_lines(
    catalog: &Catalog,
    dialect: Dialect,
    section: &Section,
    settings: &Settings,
) -> Result<Vec<String>, RulesError> {
    let mut lines: Vec<String> = section
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Note { text, .. } => Some(dialect.comment_line(text)),
            Item::Rule(_) => None,
        })
        .collect();
    let machine = section.machine;
    let fits = dialect.fits(machine.kind);
    if fits {
        lines.extend(match dialect {
            Dialect::Powershell => powershell::prelude(settings)?,
            Dialect::Nft => nft::prelude(section),
            _ => Vec::new(),
        });
    }
    for rule in section.rules() {
        if let Some(warning) = unscoped_warning(catalog, rule) {
            lines.push(dialect.comment_line(&warning));
        }
        lines.extend(if fits {
            match dialect {
                Dialect::Powershell => powershell::rule_lines(rule, settings)?,
                Dialect::Netsh => netsh::rule_lines(rule, settings)?,
                Dialect::Nft => nft::rule_lines(rule)?,
                Dialect::Iptables => iptables::rule_lines(rule)?,
                Dialect::Firewalld => firewalld::rule_lines(rule)?,
                Dialect::Ufw => ufw::rule_lines(rule)?,
                Dialect::Probe => Vec::new(),
            }
        } else {
            vec![dialect.comment_line(&elsewhere(machine, rule))]
        });
    }
    if fits && dialect == Dialect::Firewalld {
        let reload = firewalld::epilogue(&lines);
        lines.extend(reload);
    }
    Ok(lines)
}

/// A script scoped for some peers and open to any address for others is
/// refused, as a policy is: the admin gave addresses because they want the
/// rules scoped. `--any-for-missing` writes it anyway, each open rule marked.
fn refuse_partial_scope(
    catalog: &Catalog,
    plan: &plan::Plan,
    settings: &Settings,
) -> Result<(), RulesError> {
    if settings.any_for_missing {
        return Ok(());
    }
    let mut missing: Vec<&str> = Vec::new();
    let mut open = 0;
    for (_, rule) in plan.rules().filter(|(_, r)| !r.unscoped.is_empty()) {
        open += 1;
        for peer in &rule.unscoped {
            if !missing.contains(&peer.as_str()) {
                missing.push(peer);
            }
        }
    }
    let Some(first) = missing.first() else {
        return Ok(());
    };
    let named: Vec<String> = missing
        .iter()
        .map(|id| format!("{id} ({})", catalog.names(&[id.to_string()])))
        .collect();
    Err(RulesError::new(
        format!(
            "no {} for {}: {open} rule{} would allow any address while the rest are scoped",
            // With a deployment file, the addresses were meant to come from it.
            if settings.deployment.is_some() {
                "address (in the deployment file or --remote)"
            } else {
                "--remote"
            },
            named.join(", "),
            if open == 1 { "" } else { "s" }
        ),
        format!(
            "give each with --remote {first}=ADDR[,ADDR...], narrow the query or --on, or add --any-for-missing to write those rules open to any address (each marked){}",
            settings.why_missing(&missing)
        ),
    ))
}

/// The comment line above a rule left open because some peer's address is
/// missing: it names the peers, so the admin knows which `--remote` to add.
fn unscoped_warning(catalog: &Catalog, rule: &Rule) -> Option<String> {
    if rule.unscoped.is_empty() {
        return None;
    }
    let peers: Vec<String> = rule
        .unscoped
        .iter()
        .map(|id| format!("{} ({id})", catalog.names(std::slice::from_ref(id))))
        .collect();
    // The id too: some dialects' lines (firewalld's) do not name it.
    Some(format!(
        "unscoped: the next rule ({}) allows any address, because no --remote was given for {}",
        rule.source_id,
        peers.join(", ")
    ))
}

/// What to do for a rule on a machine the dialect does not fit: where it is
/// set instead, said as a comment.
fn elsewhere(machine: &Component, rule: &Rule) -> String {
    let instead = match machine.kind {
        ComponentKind::Appliance | ComponentKind::Device => format!(
            "not a Windows or Linux firewall: set it in {}",
            machine
                .configured_in
                .as_deref()
                .unwrap_or("the device's own settings")
        ),
        ComponentKind::Windows => "a Windows machine: use the powershell or netsh dialect".into(),
        _ => "a Linux machine: use the nft, iptables, firewalld or ufw dialect".into(),
    };
    let scope = match (rule.remote.is_empty(), rule.is_inbound()) {
        (true, _) => String::new(),
        (false, true) => format!(" from {}", addresses_text(&rule.remote)),
        (false, false) => format!(" to {}", addresses_text(&rule.remote)),
    };
    format!(
        "{}: allow {} {}/{}{scope}; {} is {instead}",
        rule.source_id,
        if rule.is_inbound() {
            "inbound"
        } else {
            "outbound"
        },
        rule.ports_text(),
        rule.protocol(),
        machine.name,
    )
}

fn addresses_text(addresses: &[Address]) -> String {
    addresses
        .iter()
        .map(Address::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Addresses of one IP family; `None` with no addresses means "any".
type FamilyGroup = (Option<Family>, Vec<Address>);

/// A rule's remote addresses split by IP family, for dialects that need one
/// family per rule; `[(None, [])]` when the rule allows any address. Windows
/// keywords have no Linux meaning and are refused.
fn by_family(rule: &Rule, dialect: &str) -> Result<Vec<FamilyGroup>, RulesError> {
    if rule.remote.is_empty() {
        return Ok(vec![(None, Vec::new())]);
    }
    if let Some(Address::Keyword(k)) = rule.remote.iter().find(|a| a.family().is_none()) {
        return Err(RulesError::new(
            format!("{dialect} has no equivalent of the Windows address keyword {k}"),
            "give real addresses or networks with --remote, e.g. --remote vmm-server=10.0.0.0/24",
        ));
    }
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let group: Vec<Address> = rule
            .remote
            .iter()
            .filter(|a| a.family() == Some(family))
            .copied()
            .collect();
        if !group.is_empty() {
            out.push((Some(family), group));
        }
    }
    Ok(out)
}
