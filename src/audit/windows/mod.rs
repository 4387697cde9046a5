//! The Windows Firewall reader: an admin exports the machine's firewall
//! state on the host, `audit` reads it here and decides like the
//! firewall would.
//!
//! Two kinds of input, several at once:
//! - the JSON file [`export::EXPORT_COMMAND`] writes (one line pasted into
//!   an elevated PowerShell). It reads the *ActiveStore*, the rules that
//!   are really in force (Group Policy ones included, which a plain
//!   `Get-NetFirewallRule` misses), the profiles' settings, which network
//!   profile each interface is on, and the machine's addresses (for
//!   `LocalSubnet`). Its shape:
//!   ```text
//!   { "Rules":       [ { "Name", "DisplayName", "Enabled", "Direction", "Action", "Profile",
//!                        "PolicyStoreSourceType", "PolicyStoreSource",
//!                        "Protocol", "LocalPort", "RemotePort", "IcmpType",
//!                        "LocalAddress", "RemoteAddress", "Program", "Package", "Service" } ],
//!     "Profiles":    [ { "Name", "Enabled", "DefaultInboundAction", "DefaultOutboundAction",
//!                        "AllowInboundRules", "AllowLocalFirewallRules" } ],
//!     "Connections": [ { "InterfaceAlias", "NetworkCategory" } ],
//!     "Addresses":   [ { "IPAddress", "PrefixLength" } ] }
//!   ```
//!   Enums may be numbers (Windows PowerShell 5.1) or names (PowerShell 7
//!   `-EnumsAsStrings`, or the export's own `[string]` casts); one value
//!   may stand where a list belongs, and a list may come wrapped as
//!   5.1's `{"value": [...], "Count": n}`.
//! - `reg export` files of the local policy
//!   (`HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`)
//!   and of Group Policy (`HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall`),
//!   see [`export::REG_EXPORT_COMMANDS`]: rule strings in MS-GPFAS 2.2.2.19's
//!   grammar and the profiles' values (MS-GPFAS 2.2.3.x). They do not say
//!   which profile is active: `--profile` must.
//!
//! The semantics ([`eval`]) follow MS-FASP: allow-bypass beats block, block
//! beats allow, and with no rule the profile's default action decides.

mod addresses;
pub mod eval;
pub mod export;
mod json;
mod ports;
pub mod profile;
mod reg;
mod rule;
mod rule_string;

pub use eval::{WindowsRuleset, read};
pub use profile::Profile;
