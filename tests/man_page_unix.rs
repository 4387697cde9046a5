//! `vmmports man`: the manual page made from the clap definition, read by
//! the real `man` (man-db, with groff). It must render, and say what
//! `--help` says: every subcommand `--help` lists gets its section, with
//! every option that subcommand's own `--help` lists.

// Unix only: man-db is a Unix program.
#![cfg(unix)]

mod common;

use common::binary::vmmports_std;
use common::man::{long_options_of_help, render, section, subcommands_of_help};
use common::needs::{missing_tools, ready};

#[test]
fn the_man_page_renders_with_every_subcommand_and_option_of_help() {
    let missing = missing_tools(["man", "nroff"]);
    if !ready(
        &missing,
        "install the Debian packages man-db and groff-base",
    ) {
        return;
    }
    let page = run(&["man"]);
    let rendered = render(&page);
    assert!(
        rendered.contains("NAME") && rendered.contains("vmmports - "),
        "the page has no NAME section:\n{rendered}"
    );

    assert!(
        rendered.contains("--deployment"),
        "the global options are described at the top:\n{rendered}"
    );
    let subcommands = subcommands_of_help(&run(&["--help"]));
    assert!(
        subcommands.len() >= 10,
        "--help lists too few: {subcommands:?}"
    );
    for sub in &subcommands {
        let section = section(&rendered, &format!("VMMPORTS {}", sub.to_uppercase()))
            .unwrap_or_else(|| panic!("no section for `{sub}` in the man page:\n{rendered}"));
        for option in long_options_of_help(&run(&[sub, "--help"])) {
            // The program's global options and --help are described once, at the top.
            let global = [
                "--help",
                "--data",
                "--deployment",
                "--color",
                "--width",
                "--clipboard",
            ];
            if global.contains(&option.as_str()) {
                continue;
            }
            assert!(
                section.contains(&option),
                "`{sub} --help` lists {option}, its man section does not:\n{section}"
            );
        }
    }
}

/// The binary's stdout for these arguments, which must succeed.
fn run(args: &[&str]) -> String {
    let out = vmmports_std().args(args).output().expect("vmmports runs");
    assert!(out.status.success(), "vmmports {args:?} failed: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
