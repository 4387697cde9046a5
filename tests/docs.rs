//! The README and docs/*.md are held to the binary:
//!
//! - every ```console block is run by trycmd: each `$ vmmports …` line
//!   (continued on `> ` lines) against the binary under test, with a config
//!   folder of its own, its stdout and stderr compared with the lines below
//!   it. `...` on a line of its own stands for any lines, `[..]` for the
//!   rest of a line; `? 2` under the command is the exit code it must give
//!   (none: it must succeed). Runs that need a server, root, a terminal or a
//!   clipboard are shown in ```text blocks, which are not run.
//!   `TRYCMD=overwrite cargo test --test docs` writes what the binary
//!   prints into the blocks, to review with `git diff`.
//! - every relative link (and image) points at a file that exists, and a
//!   `#fragment` at a heading of that file, as GitHub makes its anchors;
//! - every page in docs/ is linked from the README;
//! - every ```powershell block parses with PowerShell's grammar
//!   (tree-sitter-powershell), so an admin pastes no syntax error.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

#[test]
// On Windows trycmd reads every `.exe` in the output as its `[EXE]`
// placeholder, and no setting turns that off, so `cmd.exe` in a script's
// header would never match. The Windows binary's output is held to the
// Linux binary's, byte for byte, by tests/windows_exe_unix.rs instead.
#[cfg_attr(
    windows,
    ignore = "trycmd turns .exe into [EXE] on Windows; windows_exe_unix compares the outputs"
)]
fn the_examples_in_the_readme_and_docs_are_what_the_binary_prints() {
    let config_home = common::binary::empty_config_home().display().to_string();
    trycmd::TestCases::new()
        .register_bin("vmmports", assert_cmd::cargo::cargo_bin("vmmports"))
        .env("XDG_CONFIG_HOME", config_home)
        // --help wraps to COLUMNS when it is set (with LINES); fix it to the
        // width it takes in a pipe, whatever the shell running the test says.
        .env("COLUMNS", "100")
        .env("LINES", "40")
        // Plain text, whatever the shell asks of colour (CLICOLOR_FORCE).
        .env("NO_COLOR", "1")
        .case("README.md")
        .case("docs/*.md");
}

#[test]
fn every_relative_link_points_at_a_file_and_heading_that_exist() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = read(&page);
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a page is in a folder").join(path)
            };
            if !target.exists() {
                broken.push(format!("{}: {link}: no such file", page.display()));
                continue;
            }
            if !fragment.is_empty() && !anchors(&read(&target)).contains(fragment) {
                broken.push(format!(
                    "{}: {link}: {} has no heading with that anchor",
                    page.display(),
                    target.display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_page_in_docs_is_linked_from_the_readme() {
    let linked: HashSet<String> = links(&read(Path::new("README.md")))
        .into_iter()
        .map(|l| l.split('#').next().unwrap_or_default().to_string())
        .collect();
    let orphans: Vec<String> = pages()
        .into_iter()
        .filter(|p| p.starts_with("docs"))
        .map(|p| p.display().to_string().replace('\\', "/"))
        .filter(|p| !linked.contains(p))
        .collect();
    assert!(orphans.is_empty(), "not linked from README.md: {orphans:?}");
}

#[test]
fn every_console_block_starts_at_the_margin_where_trycmd_finds_it() {
    // An indented fence (in a list item) is Markdown all the same, but
    // trycmd looks for fences at the start of a line: its example would
    // silently go unchecked.
    let mut hidden = Vec::new();
    for page in pages() {
        for (n, line) in read(&page).lines().enumerate() {
            let fence = line.trim_start();
            if fence.starts_with("```") && fence != line && fence.contains("console") {
                hidden.push(format!("{}:{}: {line}", page.display(), n + 1));
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "indented console blocks:\n{}",
        hidden.join("\n")
    );
}

#[test]
fn every_powershell_block_parses_as_powershell() {
    let mut grammar = common::powershell_grammar::parser();
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in pages() {
        for block in code_blocks(&read(&page), "powershell") {
            checked += 1;
            let tree = grammar.parse(&block, None).expect("a tree");
            if tree.root_node().has_error() {
                broken.push(format!("{}:\n{block}", page.display()));
            }
        }
    }
    assert!(checked >= 3, "only {checked} PowerShell blocks found");
    assert!(
        broken.is_empty(),
        "PowerShell's grammar rejects:\n{}",
        broken.join("\n")
    );
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    let text = "# Incident mode: do the ports answer?\n\
                ## Test the path: `vmmports listen`\n\
                ## Copying, everywhere\n\
                ## Copying, everywhere\n";
    let made = anchors(text);
    for anchor in [
        "incident-mode-do-the-ports-answer",
        "test-the-path-vmmports-listen",
        "copying-everywhere",
        "copying-everywhere-1",
    ] {
        assert!(made.contains(anchor), "{anchor} not in {made:?}");
    }
}

/// README.md and every page in docs/, as paths relative to the crate root
/// (where cargo runs integration tests).
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("docs/ exists")
        .map(|entry| entry.expect("a readable docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, Options::ENABLE_TABLES)
}

/// The text of every fenced block whose info string is `language`.
fn code_blocks(text: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut open: Option<String> = None;
    for event in parser(text) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == language => {
                open = Some(String::new());
            }
            Event::Text(t) => {
                if let Some(block) = open.as_mut() {
                    block.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

/// The destinations of the page's links and images.
fn links(text: &str) -> Vec<String> {
    parser(text)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .collect()
}

/// The anchors of the page's headings, as GitHub makes them: the heading's
/// text in lower case, spaces as `-`, and every character but letters,
/// digits, `-` and `_` left out; a repeated one gets `-1`, `-2`…
fn anchors(text: &str) -> HashSet<String> {
    let mut made = HashSet::new();
    let mut heading: Option<String> = None;
    for event in parser(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let title = heading.take().unwrap_or_default();
                let slug: String = title
                    .to_lowercase()
                    .chars()
                    .filter_map(|c| match c {
                        ' ' => Some('-'),
                        c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                        _ => None,
                    })
                    .collect();
                let unique = (0..)
                    .map(|n| {
                        if n == 0 {
                            slug.clone()
                        } else {
                            format!("{slug}-{n}")
                        }
                    })
                    .find(|candidate| !made.contains(candidate))
                    .expect("some suffix is free");
                made.insert(unique);
            }
            _ => {}
        }
    }
    made
}
