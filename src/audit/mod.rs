//! `audit`: would this machine's own firewall let VMM's flows through, and
//! which rule decides. Core: no terminal code.
//!
//! Each reader turns one kind of input into a [`model::Ruleset`]; the flow
//! layer asks it about the first packet of each flow.

pub mod all_of;
pub mod flows;
pub mod input;
pub mod iptables;
pub mod live;
pub mod model;
pub mod nft;
pub mod windows;
