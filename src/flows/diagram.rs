//! Flows as a picture for a change board: the components as nodes, grouped
//! by the catalog section they first appear in, and one edge per flow,
//! labelled with its ports, protocol and service.
//!
//! Mermaid pastes into a Markdown wiki (GitHub, Azure DevOps); DOT renders
//! with Graphviz (`dot -Tsvg`).

use std::fmt::Write as _;

use super::Flow;
use crate::catalog::{Component, Section};

/// The diagram languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Mermaid,
    Dot,
}

/// The diagram of `flows` in `language`.
pub fn diagram(flows: &[Flow], language: Language) -> String {
    let groups = groups(flows);
    match language {
        Language::Mermaid => mermaid(flows, &groups),
        Language::Dot => dot(flows, &groups),
    }
}

/// The sections in catalog order, each with the components that first
/// appear in one of its flows.
fn groups<'c>(flows: &[Flow<'c>]) -> Vec<(Section, Vec<&'c Component>)> {
    let mut out: Vec<(Section, Vec<&'c Component>)> = Vec::new();
    let mut placed: Vec<&str> = Vec::new();
    for flow in flows {
        let section = flow
            .origins
            .first()
            .map_or(Section::General, |o| o.section());
        for component in [flow.source, flow.destination] {
            if placed.contains(&component.id.as_str()) {
                continue;
            }
            placed.push(&component.id);
            match out.iter_mut().find(|(s, _)| *s == section) {
                Some((_, members)) => members.push(component),
                None => out.push((section, vec![component])),
            }
        }
    }
    out
}

fn section_title(section: Section) -> &'static str {
    match section {
        Section::General => "VMM, Windows machines and devices",
        Section::Vmware => "VMware",
    }
}

/// A node id both languages take: letters, digits and `_`, after `n_` so
/// that no id is a keyword (`end` in Mermaid, `node`, `edge` or `graph` in
/// DOT), starts with a digit, or meets a group's id.
fn node_id(component: &Component) -> String {
    let id: String = component
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("n_{id}")
}

/// A group's id: `s_general`, `s_vmware`.
fn group_id(section: Section) -> String {
    format!("s_{}", section.as_str())
}

/// `80,443/tcp`: an edge says its ports and protocol (the services are in
/// the flow table; on a picture they crowd the lines).
fn edge_label(flow: &Flow) -> String {
    flow.ports_text()
}

/// Mermaid text in double quotes, with every character Mermaid acts on
/// written as an entity it reads back as that character (`#quot;`, `#37;`):
/// - `"` would end the string, and `#` starts an entity;
/// - `%`, `{`, `}` and `'` make a `%%{init: …}%%` directive, which Mermaid
///   finds anywhere in the text, even inside a label, and whose theme CSS
///   could hide or relabel edges;
/// - a backtick makes a Markdown string, and `<`, `>` and `&` are HTML in
///   a label.
fn mermaid_text(text: &str) -> String {
    let mut out = String::new();
    for c in crate::text::printable(text).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' | '%' | '{' | '}' | '\'' | '`' | '<' | '>' | '&' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn mermaid(flows: &[Flow], groups: &[(Section, Vec<&Component>)]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (section, members) in groups {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            group_id(*section),
            mermaid_text(section_title(*section))
        );
        for component in members {
            let _ = writeln!(
                out,
                "    {}[\"{}\"]",
                node_id(component),
                mermaid_text(&component.name)
            );
        }
        out.push_str("  end\n");
    }
    for flow in flows {
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            node_id(flow.source),
            mermaid_text(&edge_label(flow)),
            node_id(flow.destination)
        );
    }
    out
}

/// A DOT string's inside: `"` and `\` escaped.
fn dot_text(text: &str) -> String {
    crate::text::printable(text)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

fn dot(flows: &[Flow], groups: &[(Section, Vec<&Component>)]) -> String {
    let mut out = String::from(
        "digraph vmm_flows {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for (section, members) in groups {
        // DOT draws a box around a subgraph only when its name starts
        // with `cluster`.
        let _ = writeln!(out, "  subgraph cluster_{} {{", group_id(*section));
        let _ = writeln!(out, "    label=\"{}\";", dot_text(section_title(*section)));
        for component in members {
            let _ = writeln!(
                out,
                "    {} [label=\"{}\"];",
                node_id(component),
                dot_text(&component.name)
            );
        }
        out.push_str("  }\n");
    }
    for flow in flows {
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\"];",
            node_id(flow.source),
            node_id(flow.destination),
            dot_text(&edge_label(flow))
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn mermaid_text_writes_what_mermaid_acts_on_as_entities() {
        assert_eq!(
            super::mermaid_text("a %%{init: {'theme':'dark'}}%% \"b\" #1"),
            "a #37;#37;#123;init: #123;#39;theme#39;:#39;dark#39;#125;#125;#37;#37; #quot;b#quot; #35;1"
        );
        assert_eq!(
            super::mermaid_text("`x` <b>&amp;"),
            "#96;x#96; #60;b#62;#38;amp;"
        );
        assert_eq!(
            super::mermaid_text("Hyper-V host (a/b)"),
            "Hyper-V host (a/b)"
        );
    }
}
