//! Reading manual pages as a user does, with the real `man` (man-db and
//! groff), and reading `--help` to know what a page must contain.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::needs::path_env;

/// What `man -l -` makes of the page: plain text, as man-db writes it to a
/// pipe (no pager, a fixed width).
pub fn render(page: &str) -> String {
    render_with("-", page.as_bytes())
}

/// What `man -l FILE` makes of a page file (plain or gzip-compressed, as
/// man-db reads either).
pub fn render_file(path: &Path) -> String {
    render_with(path.to_str().expect("a UTF-8 path"), b"")
}

fn render_with(source: &str, stdin: &[u8]) -> String {
    let mut man = Command::new("man")
        .args(["-l", source])
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
        .write_all(stdin)
        .expect("man reads the page");
    let out = man.wait_with_output().expect("man ends");
    assert!(out.status.success(), "man -l {source} failed: {out:?}");
    assert!(
        out.stdout.len() > 1000,
        "man rendered almost nothing: {out:?}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The lines of the section with this heading, up to the next heading
/// (a line that starts in the first column).
pub fn section(rendered: &str, heading: &str) -> Option<String> {
    let mut lines = rendered.lines().skip_while(|l| l.trim_end() != heading);
    let head = lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect();
    Some(format!("{head}\n{}", body.join("\n")))
}

/// The names in the `Commands:` list of `--help`, but clap's own `help`.
pub fn subcommands_of_help(help: &str) -> Vec<String> {
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
pub fn long_options_of_help(help: &str) -> Vec<String> {
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
