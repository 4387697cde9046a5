//! The nftables reader: `nft -j list ruleset` output, and what it decides
//! for one packet.
//!
//! - `located`: where each part of the JSON text is, for errors
//! - `parse`: the JSON into chains, rules and statements (`ast`), with
//!   nft's symbols (`values`) turned into numbers
//! - `eval`: the verdict on one packet; `bounds`: where matches change
//! - `render`: a rule back as nft syntax, for the report

mod ast;
mod bounds;
mod eval;
mod located;
mod narrow;
mod parse;
mod render;
mod values;

use super::model::{Boundaries, Decision, Direction, Input, InputError, Packet, Protocol, Ruleset};

/// A machine's nftables ruleset, read from one or more `nft -j list
/// ruleset` outputs (their tables side by side, as if listed together).
#[derive(Debug, Clone)]
pub struct NftRuleset {
    chains: Vec<ast::Chain>,
    inputs: Vec<parse::Summary>,
}

/// Reads `nft -j list ruleset` outputs. Errors say file:line:col.
pub fn read(inputs: &[Input]) -> Result<NftRuleset, InputError> {
    let mut builder = parse::Builder::default();
    let summaries = inputs
        .iter()
        .map(|input| builder.read(input))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NftRuleset {
        chains: builder.chains,
        inputs: summaries,
    })
}

impl Ruleset for NftRuleset {
    fn decide(&self, packet: &Packet) -> Decision {
        eval::decide(&self.chains, packet)
    }

    fn boundaries(&self, direction: Direction) -> Boundaries {
        bounds::boundaries(&self.chains, direction)
    }

    fn for_flow(
        &self,
        _direction: Direction,
        protocol: Protocol,
        ports: (u16, u16),
    ) -> Option<Box<dyn Ruleset + '_>> {
        Some(Box::new(NftRuleset {
            chains: narrow::for_flow(&self.chains, protocol, ports),
            inputs: self.inputs.clone(),
        }))
    }

    fn describe(&self) -> Vec<String> {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        self.inputs
            .iter()
            .map(|s| {
                format!(
                    "nft -j list ruleset ({}): {}, {}, {}",
                    s.name,
                    plural(s.tables, "table"),
                    plural(s.chains, "chain"),
                    plural(s.rules, "rule")
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
