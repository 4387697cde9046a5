//! `vmmports man`: the manual page made from the clap definition, read by
//! the real `man` (man-db, with groff). It must render, and say what
//! `--help` says: every subcommand `--help` lists gets its section, with
//! every option that subcommand's own `--help` lists.

// Unix only: man-db is a Unix program.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::binary::vmmports_std;
use common::needs::{has_tool, path_env, ready};

#[test]
fn the_man_page_renders_with_every_subcommand_and_option_of_help() {
    let missing: Vec<String> = ["man", "nroff"]
        .into_iter()
        .filter(|tool| !has_tool(tool))
        .map(String::from)
        .collect();
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

/// What `man -l -` makes of the page: plain text, as man-db writes it to a
/// pipe (no pager, a fixed width).
fn render(page: &str) -> String {
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("PATH", path_env())
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man starts");
    man.stdin
        .take()
        .expect("piped stdin")
        .write_all(page.as_bytes())
        .expect("man reads the page");
    let out = man.wait_with_output().expect("man ends");
    assert!(out.status.success(), "man -l - failed: {out:?}");
    assert!(
        out.stdout.len() > 1000,
        "man rendered almost nothing: {out:?}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The lines of the section with this heading, up to the next heading
/// (a line that starts in the first column).
fn section(rendered: &str, heading: &str) -> Option<String> {
    let mut lines = rendered.lines().skip_while(|l| l.trim_end() != heading);
    let head = lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect();
    Some(format!("{head}\n{}", body.join("\n")))
}

/// The names in the `Commands:` list of `--help`, but clap's own `help`.
fn subcommands_of_help(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        // A description wrapped onto a second line is indented further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

/// Every `--long` option that starts an entry of the `Options:` list:
/// clap indents an entry by 2 spaces (`  -f, --format`) or 6 (`      --on`),
/// and the wrapped lines of its description further.
fn long_options_of_help(help: &str) -> Vec<String> {
    help.lines()
        .filter(|l| {
            let indent = l.len() - l.trim_start().len();
            (indent == 2 || indent == 6) && l.trim_start().starts_with('-')
        })
        .filter_map(|l| {
            l.split_whitespace()
                .map(|word| word.trim_end_matches(','))
                .find(|word| word.starts_with("--"))
                .map(String::from)
        })
        .collect()
}
