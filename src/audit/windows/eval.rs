//! Reading the inputs into one [`WindowsRuleset`], and deciding like the
//! Windows Firewall does (MS-FASP 2.2.34 and around):
//! - only enabled rules of the packet's direction, whose profiles include
//!   the profile of the network the packet uses, count;
//! - with the firewall off on that profile (`EnableFirewall=0`), every
//!   packet passes; with inbound rules switched off (`AllowInboundRules`
//!   False, the registry's `DoNotAllowExceptions=1`), no inbound one does;
//! - an allow-bypass rule beats a block rule, a block rule beats an allow
//!   rule, and with none the profile's default action decides (inbound
//!   block, outbound allow unless set otherwise);
//! - when Group Policy sets `AllowLocalPolicyMerge=0`, the local store's
//!   rules do not count.
//!
//! Whatever the input cannot tell (the program behind a port, a keyword
//! only the machine resolves, which interface a packet uses) is taken to
//! match, and the decision lists it in `assumptions`.

use std::net::IpAddr;

use super::ports::PortItem;
use super::profile::{Profile, ProfileSettings, ProfileTable};
use super::rule::{Action, Condition, Rule, Store, packet_words};
use super::{json, reg};
use crate::audit::model::{
    Boundaries, Decision, Direction, Input, InputError, Packet, Protocol, Ruleset,
};

/// What one input holds.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    pub rules: Vec<Rule>,
    /// The local policy's profile settings (a local `reg export`).
    pub local: ProfileTable,
    /// Group Policy's (a Group Policy `reg export`).
    pub group_policy: ProfileTable,
    /// The settings in force (the JSON's ActiveStore profiles).
    pub effective: ProfileTable,
    /// Interface alias and the profile of its network.
    pub connections: Vec<(String, Profile)>,
    /// This machine's addresses and prefix lengths.
    pub subnets: Vec<(IpAddr, u8)>,
    /// The input in a few words, for `describe`.
    pub summary: String,
}

/// Which profile a packet is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ActiveProfile {
    /// `--profile`.
    Given(Profile),
    /// From `Get-NetConnectionProfile`: each interface's network.
    Connections(Vec<(String, Profile)>),
}

/// A Windows machine's firewall, read from its exports.
#[derive(Debug, Clone)]
pub struct WindowsRuleset {
    rules: Vec<Rule>,
    settings: ProfileTable,
    active: ActiveProfile,
    subnets: Vec<(IpAddr, u8)>,
    summaries: Vec<String>,
}

/// Reads `inputs` (one JSON export, or the local and the Group Policy
/// `reg export`, or all of them) into one ruleset. `profile` is the
/// network profile to decide on; without it the JSON's connection
/// profiles tell, and an input that cannot (a `.reg`) is an error.
pub fn read(inputs: &[Input], profile: Option<Profile>) -> Result<WindowsRuleset, InputError> {
    let Some(first) = inputs.first() else {
        return Err(InputError {
            file: "-".into(),
            line: 1,
            column: 1,
            message: "no Windows firewall export was given".into(),
            hint: Some("give the JSON file the export line writes, or reg export files".into()),
        });
    };
    let mut sources = Vec::new();
    for input in inputs {
        sources.push(read_one(input)?);
    }
    let mut rules = Vec::new();
    let (mut local, mut group_policy, mut effective) = Default::default();
    let mut connections = Vec::new();
    let mut subnets = Vec::new();
    let mut summaries = Vec::new();
    for source in sources {
        rules.extend(source.rules);
        local = source.local.over(local);
        group_policy = source.group_policy.over(group_policy);
        effective = source.effective.over(effective);
        connections.extend(source.connections);
        subnets.extend(source.subnets);
        summaries.push(source.summary);
    }
    let settings = effective.over(group_policy).over(local);
    let active = match (profile, connections.is_empty()) {
        (Some(p), _) => ActiveProfile::Given(p),
        (None, false) => ActiveProfile::Connections(connections),
        (None, true) => {
            return Err(InputError {
                file: first.name.clone(),
                line: 1,
                column: 1,
                message: "the input does not say which network profile (Domain, Private or Public) the machine is on".into(),
                hint: Some("give --profile domain|private|public (Get-NetConnectionProfile on the host shows it), or export with the JSON export line, which records it".into()),
            });
        }
    };
    match &active {
        ActiveProfile::Given(p) => {
            summaries.push(format!("deciding on the {p} profile (--profile)"))
        }
        ActiveProfile::Connections(list) => {
            let words: Vec<String> = list
                .iter()
                .map(|(alias, p)| format!("{alias}: {p}"))
                .collect();
            summaries.push(format!("network profiles: {}", words.join(", ")));
        }
    }
    summaries.push(settings_words(&settings));
    if let Some(line) = special_ports_words(&rules) {
        summaries.push(line);
    }
    Ok(WindowsRuleset {
        rules,
        settings,
        active,
        subnets,
        summaries,
    })
}

fn read_one(input: &Input) -> Result<Source, InputError> {
    let text = input.text("give the file as the export wrote it: UTF-8, or UTF-16 with its BOM")?;
    if reg::is_reg(&text) {
        reg::read(&input.name, &text)
    } else if json::is_json(&text) {
        json::read(&input.name, &text)
    } else {
        Err(InputError {
            file: input.name.clone(),
            line: 1,
            column: 1,
            message: "this is neither the JSON export nor a reg export file".into(),
            hint: Some("give the JSON file the PowerShell export line writes, or the .reg files reg export writes".into()),
        })
    }
}

/// One rule that matched the packet, and what that took for granted.
struct Hit<'a> {
    rule: &'a Rule,
    /// About its ports and addresses; its conditions' sentences are
    /// written only if it decides.
    assumed: Vec<String>,
    /// An allow-bypass rule's, that the connection is IPsec-authenticated.
    ipsec: Option<String>,
}

impl Hit<'_> {
    /// How much the match takes for granted: a rule that matches for
    /// certain decides before one that matches only under assumptions.
    fn assumption_count(&self) -> usize {
        self.assumed.len() + self.rule.conditions.len() + usize::from(self.ipsec.is_some())
    }

    /// Everything the match takes for granted, in order.
    fn assumptions(&self, packet: &Packet) -> Vec<String> {
        let mut all = self.assumed.clone();
        all.extend(self.rule.condition_assumptions(packet));
        all.extend(self.ipsec.clone());
        all
    }
}

/// The rules that match a packet, sorted by why they count or do not.
#[derive(Default)]
struct Hits<'a> {
    bypass: Vec<Hit<'a>>,
    block: Vec<Hit<'a>>,
    allow: Vec<Hit<'a>>,
    /// Matching, but local while Group Policy does not merge local rules.
    unmerged: Vec<Hit<'a>>,
    /// Matching, but for other profiles only.
    other_profile: Vec<Hit<'a>>,
}

impl WindowsRuleset {
    /// The profile `packet` is decided on, and what choosing it assumed.
    fn profile_for(&self, packet: &Packet) -> (Profile, Vec<String>) {
        let list = match &self.active {
            ActiveProfile::Given(p) => return (*p, Vec::new()),
            ActiveProfile::Connections(list) => list,
        };
        if let Some(name) = &packet.interface
            && let Some((_, p)) = list
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        {
            return (*p, Vec::new());
        }
        // `read` keeps `Connections` for a non-empty list only.
        let Some((alias, first)) = list.first() else {
            return (
                Profile::Public,
                vec!["the machine is on a Public network (the export lists none)".into()],
            );
        };
        if list.iter().all(|(_, p)| p == first) {
            return (*first, Vec::new());
        }
        let others: Vec<String> = list[1..]
            .iter()
            .map(|(a, p)| format!("{a} ({p})"))
            .collect();
        (
            *first,
            vec![format!(
                "the packet uses the interface {alias}, on a {first} network (the machine also has {}; give --profile to choose)",
                others.join(", ")
            )],
        )
    }

    fn hits(&self, packet: &Packet, profile: Profile, settings: ProfileSettings) -> Hits<'_> {
        let merge_local = settings.local_rules_merge.unwrap_or(true);
        let mut hits = Hits::default();
        for rule in &self.rules {
            let Some(assumed) = rule.matches(packet, &self.subnets) else {
                continue;
            };
            if !rule.profiles.contains(profile) {
                hits.other_profile.push(Hit {
                    rule,
                    assumed,
                    ipsec: None,
                });
                continue;
            }
            if rule.store == Store::Local && !merge_local {
                hits.unmerged.push(Hit {
                    rule,
                    assumed,
                    ipsec: None,
                });
                continue;
            }
            let mut ipsec = None;
            let list = match rule.action {
                Action::Bypass => {
                    let says_ipsec = rule
                        .conditions
                        .iter()
                        .any(|c| matches!(c, Condition::Secured(_)));
                    if !says_ipsec {
                        ipsec = Some(format!(
                            "the connection is authenticated by IPsec, as the allow-bypass rule {} requires",
                            rule.label()
                        ));
                    }
                    &mut hits.bypass
                }
                Action::Block => &mut hits.block,
                Action::Allow => &mut hits.allow,
            };
            list.push(Hit {
                rule,
                assumed,
                ipsec,
            });
        }
        // A rule that matches for certain decides before one that matches
        // only under assumptions.
        for list in [&mut hits.bypass, &mut hits.block, &mut hits.allow] {
            list.sort_by_key(Hit::assumption_count);
        }
        hits
    }
}

impl Ruleset for WindowsRuleset {
    fn decide(&self, packet: &Packet) -> Decision {
        let (profile, mut assumptions) = self.profile_for(packet);
        let settings = self.settings.get(profile);
        if settings.enabled == Some(false) {
            return Decision {
                allowed: true,
                rules: Vec::new(),
                why: format!(
                    "the Windows Firewall is off on the {profile} profile (EnableFirewall=0), so it lets everything through"
                ),
                assumptions,
            };
        }
        if packet.direction == Direction::Inbound && settings.inbound_rules_allowed == Some(false) {
            return Decision {
                allowed: false,
                rules: Vec::new(),
                why: format!(
                    "the {profile} profile blocks every inbound connection whatever the rules say (AllowInboundRules=False, DoNotAllowExceptions=1 in the registry)"
                ),
                assumptions,
            };
        }
        let hits = self.hits(packet, profile, settings);
        let ignored = |action: Action| {
            hits.unmerged
                .iter()
                .find(|h| h.rule.action == action)
                .map(|h| {
                    format!(
                        "the local {} rule {} is ignored because Group Policy sets AllowLocalPolicyMerge=0",
                        action_word(action),
                        h.rule.label()
                    )
                })
        };
        let (allowed, hit, why) = if let Some(hit) = hits.bypass.first() {
            let mut why = format!("let through by the allow-bypass rule {}", hit.rule.label());
            if let Some(block) = hits.block.first() {
                why.push_str(&format!(
                    ", which beats the block rule {} (MS-FASP 2.2.34)",
                    block.rule.label()
                ));
            }
            (true, Some(hit), why)
        } else if let Some(hit) = hits.block.first() {
            let mut why = format!("blocked by the block rule {}", hit.rule.label());
            if let Some(allow) = hits.allow.first() {
                why.push_str(&format!(
                    ", which beats the allow rule {} (MS-FASP 2.2.34)",
                    allow.rule.label()
                ));
            }
            if let Some(note) = ignored(Action::Allow).or_else(|| ignored(Action::Bypass)) {
                why.push_str(&format!("; {note}"));
            }
            (false, Some(hit), why)
        } else if let Some(hit) = hits.allow.first() {
            let mut why = format!(
                "let through by the allow rule {} on the {profile} profile",
                hit.rule.label()
            );
            if let Some(note) = ignored(Action::Block) {
                why.push_str(&format!("; {note}"));
            }
            (true, Some(hit), why)
        } else {
            let (blocks, way) = match packet.direction {
                Direction::Inbound => (settings.inbound_blocks.unwrap_or(true), "inbound"),
                Direction::Outbound => (settings.outbound_blocks.unwrap_or(false), "outbound"),
            };
            let verdict = if blocks { "block" } else { "allow" };
            let mut why = format!(
                "no rule for {} applies on the {profile} profile, whose default {way} action is {verdict}",
                packet_words(packet)
            );
            if blocks {
                if let Some(note) = ignored(Action::Allow).or_else(|| ignored(Action::Bypass)) {
                    why.push_str(&format!("; {note}"));
                }
                // Only a rule that would count there: not a local one
                // while Group Policy keeps local rules out.
                let merge_local = settings.local_rules_merge.unwrap_or(true);
                let other = hits.other_profile.iter().find(|h| {
                    h.rule.action != Action::Block && (merge_local || h.rule.store != Store::Local)
                });
                if let Some(h) = other {
                    why.push_str(&format!(
                        "; the allow rule {} applies only on the {} profile",
                        h.rule.label(),
                        h.rule.profiles.words()
                    ));
                }
            } else if let Some(note) = ignored(Action::Block) {
                why.push_str(&format!("; {note}"));
            }
            (!blocks, None, why)
        };
        let mut rules = Vec::new();
        if let Some(hit) = hit {
            rules.push(hit.rule.reference());
            assumptions.extend(hit.assumptions(packet));
        }
        Decision {
            allowed,
            rules,
            why,
            assumptions,
        }
    }

    fn boundaries(&self, direction: Direction) -> Boundaries {
        let mut ports = Vec::new();
        let mut addresses = Vec::new();
        for rule in self
            .rules
            .iter()
            .filter(|r| r.enabled && r.direction == direction)
        {
            match direction {
                Direction::Inbound => rule.local_ports.bounds(&mut ports),
                Direction::Outbound => rule.remote_ports.bounds(&mut ports),
            }
            rule.remote_addresses.bounds(&self.subnets, &mut addresses);
        }
        ports.sort_unstable();
        ports.dedup();
        addresses.sort_unstable();
        addresses.dedup();
        Boundaries { ports, addresses }
    }

    /// Only the rules a packet of the flow may match: a rule left out
    /// fails every such packet on its direction, protocol or port, so no
    /// decision changes (its profile and store never mattered then), while
    /// the thousands of rules for other services no longer cut the flow
    /// into pieces nor get walked for each.
    fn for_flow(
        &self,
        direction: Direction,
        protocol: Protocol,
        ports: (u16, u16),
    ) -> Option<Box<dyn Ruleset + '_>> {
        Some(Box::new(WindowsRuleset {
            rules: self
                .rules
                .iter()
                .filter(|r| r.may_match_flow(direction, protocol, ports))
                .cloned()
                .collect(),
            settings: self.settings,
            active: self.active.clone(),
            subnets: self.subnets.clone(),
            summaries: self.summaries.clone(),
        }))
    }

    fn describe(&self) -> Vec<String> {
        self.summaries.clone()
    }
}

/// `profiles: Domain on (inbound block, outbound allow), Public off`.
fn settings_words(settings: &ProfileTable) -> String {
    let words: Vec<String> = Profile::ALL
        .iter()
        .map(|p| {
            let s = settings.get(*p);
            if s.enabled == Some(false) {
                return format!("{p} off");
            }
            let verdict = |blocks: bool| if blocks { "block" } else { "allow" };
            let mut parts = vec![
                format!("inbound {}", verdict(s.inbound_blocks.unwrap_or(true))),
                format!("outbound {}", verdict(s.outbound_blocks.unwrap_or(false))),
            ];
            if s.inbound_rules_allowed == Some(false) {
                parts.push("all inbound blocked".into());
            }
            if s.local_rules_merge == Some(false) {
                parts.push("local rules ignored".into());
            }
            format!("{p} on ({})", parts.join(", "))
        })
        .collect();
    format!("profiles: {}", words.join("; "))
}

/// The tunnel and discovery port keywords rules use, which no VMM flow
/// matches: said once, so an admin who expected one to match knows why.
fn special_ports_words(rules: &[Rule]) -> Option<String> {
    let mut words: Vec<&str> = rules
        .iter()
        .filter(|r| r.enabled)
        .flat_map(|r| r.local_ports.items.iter().chain(&r.remote_ports.items))
        .filter_map(|item| match item {
            PortItem::Special(word) => Some(word.as_str()),
            _ => None,
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    (!words.is_empty()).then(|| {
        format!(
            "port keywords taken to match no VMM flow (tunnel and discovery ports): {}",
            words.join(", ")
        )
    })
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Allow => "allow",
        Action::Block => "block",
        Action::Bypass => "allow-bypass",
    }
}
