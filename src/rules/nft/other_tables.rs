//! The nft script's first line on each machine: a check that no other base
//! chain on the hooks the script uses would drop what `inet filter` accepts.
//!
//! netfilter runs every base chain on a hook, each on its own, in priority
//! order, and a packet passes only if all of them accept it: an accept in
//! `inet filter` does not skip firewalld's `inet firewalld` chain, which ends
//! in a reject, nor iptables-nft's `ip filter` INPUT with policy DROP. Adding
//! the rules there would leave the port closed while the script reported
//! nothing wrong.
//!
//! The script refuses rather than also opening the port in the other table:
//! that table belongs to another manager (firewalld rewrites its own on every
//! reload, iptables-nft's tables must not be touched with `nft`), and its own
//! tool is the right way in. So the check names each such chain, says which
//! dialect to use instead, and exits before the script changes anything.
//!
//! What counts as dropping:
//! - a base chain on the hook (`input` for inbound rules, `output` for
//!   outbound ones) in an `ip`, `ip6` or `inet` table, other than the
//!   script's own `inet filter input`/`output` (its policy is the admin's,
//!   and the script inserts ahead of its rules). An `ip` table is counted for
//!   every script, IPv6-only ones too: a needless refusal is better than a
//!   port silently left closed. `bridge`, `arp` and `netdev` tables see other
//!   traffic on their hooks and are not read. A dormant table filters
//!   nothing and is skipped.
//! - whose policy is drop, or whose last rule drops or rejects every packet
//!   that reaches it: nothing but a verdict, maybe with `counter`, `log` and
//!   a comment (firewalld's `reject with icmpx admin-prohibited`, iptables'
//!   `counter packets 0 bytes 0 reject`).
//!
//! What does not: a drop with a condition, in any position (fail2ban's
//! `ip saddr @banned reject`, firewalld's `ct state invalid drop`). It drops
//! only what the admin chose to, and refusing there would refuse on most
//! servers. Jumps and gotos are not followed either: a base chain that
//! jumps to a regular chain which drops everything is not seen.
//!
//! The check is one line of POSIX sh and awk over `nft list ruleset`, whose
//! layout (one tab per level, a rule per line) is nft's own: jq and Python
//! are not on a fresh host, awk is (mawk, gawk and busybox read it alike).
//! When `nft list ruleset` fails (nft missing, not root) it finds nothing,
//! and the next line fails with nft's own message.

use crate::rules::quote::sh;

/// The awk program, in fragments joined with spaces into one line, so every
/// statement ends in `;` or `}`. No `'`: it is single-quoted for sh, where
/// `!`, `$` and `\` stay as they are in bash, dash and zsh alike.
const PROGRAM: &[&str] = &[
    // The verdict of a chain's last rule when it ends every packet's way.
    "function verdict(r) {",
    "sub(/^[ \\t]+/, \"\", r); sub(/ comment \"[^\"]*\"$/, \"\", r);",
    "while (sub(/^(counter( packets [0-9]+ bytes [0-9]+)?|log( (prefix \"[^\"]*\"|level [a-z]+|flags [a-z,-]+|group [0-9]+|snaplen [0-9]+|queue-threshold [0-9]+))*) /, \"\", r)) {}",
    "if (r == \"drop\") return \"ends in a drop\";",
    "if (r ~ /^reject( with [a-z0-9 -]+)?$/) return \"ends in a reject\";",
    "return \"\"; }",
    // What to use instead: the dialect of the tool that owns the table.
    "function advice() {",
    "if (fam == \"inet\" && tbl ~ /^firewalld/) return \"use vmmports rules --format firewalld\";",
    "if (fam ~ /^ip6?$/ && tbl == \"filter\" && chain ~ /^(INPUT|OUTPUT)$/) return \"iptables-nft owns it: use vmmports rules --format iptables (or --format ufw where ufw manages it)\";",
    "return \"add these accepts to that chain instead, or make it accept them\"; }",
    "/^table / { fam = $2; tbl = $3; dormant = 0; chain = \"\"; }",
    "/^\\tflags .*dormant/ { dormant = 1; }",
    "/^\\tchain / { chain = $2; hook = \"\"; policy = \"\"; last = \"\"; next; }",
    // Sets, maps and the rest of a table: not chains, not read.
    "chain == \"\" { next; }",
    "/^\\t\\ttype .* hook / { for (i = 1; i < NF; i++) { if ($i == \"hook\") hook = $(i + 1); if ($i == \"policy\") policy = $(i + 1); } next; }",
    "/^\\t\\t/ { last = $0; next; }",
    "/^\\t}/ { why = policy ~ /^drop/ ? \"has policy drop\" : verdict(last);",
    "if (why != \"\" && dormant == 0 && fam ~ /^(inet|ip|ip6)$/ && hook != \"\" && index(\" \" hooks \" \", \" \" hook \" \") && fam \" \" tbl \" \" chain != \"inet filter \" hook) {",
    "printf \"vmmports: table %s %s, chain %s (hook %s) %s, and an accept in table inet filter does not get a packet past it: %s\\n\", fam, tbl, chain, hook, why, advice(); n++; }",
    "chain = \"\"; }",
    "END { if (n) { print \"vmmports: stopped before changing anything\"; exit 1; } }",
];

/// The check for a section whose rules go on `hooks` (`input`, `output`).
///
/// It ends the shell with `exit 1` when it finds a dropping chain: a pasted
/// script runs line by line, and only ending the shell stops the lines after
/// it (under `sh -e` too). The message stays on the screen above.
pub fn check(hooks: &[&str]) -> String {
    format!(
        "nft list ruleset 2>/dev/null | awk -v hooks={} {} >&2 || exit 1",
        sh(&hooks.join(" ")),
        sh(&PROGRAM.join(" "))
    )
}
