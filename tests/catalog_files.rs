//! Catalog files that do not load: every problem is reported as
//! `FILE:LINE:COL: message`, like a compiler, and the exit status is 2, both
//! from `vmmports validate FILE` and from `vmmports --data FILE list`.
//!
//! Every broken file starts as `vmmports export` output and is edited by
//! string replacement; expected positions are computed from the text written,
//! never hard-coded, so the tests survive edits to the embedded catalog.

mod common;

use std::path::Path;

use assert_cmd::Command;
use assert_cmd::assert::OutputAssertExt;
use common::process::Start;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Ron,
    Json,
}

const BOTH: [Fmt; 2] = [Fmt::Ron, Fmt::Json];

impl Fmt {
    fn name(self) -> &'static str {
        match self {
            Fmt::Ron => "ron",
            Fmt::Json => "json",
        }
    }

    /// `field: ` in RON, `"field": ` in JSON, as the exporter writes them.
    fn key(self, field: &str) -> String {
        match self {
            Fmt::Ron => format!("{field}: "),
            Fmt::Json => format!("\"{field}\": "),
        }
    }

    /// `vmmports export --format FMT`.
    fn export(self) -> String {
        let mut cmd = vmmports();
        cmd.args(["export", "--format", self.name()]);
        exits(cmd, 0).0
    }

    /// This format's export with one [`edit`] made after `anchor`, in a
    /// fresh scratch folder: the broken text and where the edit's marker
    /// now sits. Most syntax tests break the export in just one place.
    fn broken(
        self,
        anchor: &str,
        needle: &str,
        replacement: &str,
        marker: &str,
    ) -> (Scratch, String, Pos) {
        let text = self.export();
        let e = edit(&text, &[anchor], needle, replacement, marker);
        let (bad, at) = apply(&text, &[e]);
        (Scratch::new(), bad, at[0])
    }

    /// This format's export cut just after the first connection's id: every
    /// bracket stays open.
    fn cut(self) -> String {
        let text = self.export();
        let anchor = format!("{}\"vmm-to-host-agent\",\n", self.key("id"));
        let cut = text.find(&anchor).unwrap() + anchor.len();
        text[..cut].to_string()
    }
}

fn vmmports() -> Command {
    let mut cmd = common::binary::vmmports();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `cmd`, which must exit with `code`; its stdout and stderr as text.
fn exits(mut cmd: Command, code: i32) -> (String, String) {
    let assert = cmd.run().assert().code(code);
    let out = assert.get_output();
    (
        String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8"),
    )
}

/// A 1-based line and column; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    line: usize,
    col: usize,
}

/// Where byte `offset` of `text` sits.
fn pos_at(text: &str, offset: usize) -> Pos {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.matches('\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
    }
}

/// Where the first non-whitespace character at or after `offset` sits.
fn next_token(text: &str, offset: usize) -> Pos {
    let skipped = text[offset..]
        .find(|c: char| !c.is_whitespace())
        .expect("a token follows");
    pos_at(text, offset + skipped)
}

/// Just after the last non-whitespace character: where input ends.
fn end_of_content(text: &str) -> Pos {
    let trimmed = text.trim_end();
    pos_at(text, trimmed.len())
}

/// One text replacement at a place found by searching.
#[derive(Debug, Clone)]
struct Edit {
    /// Byte offset of the replaced text in the original.
    at: usize,
    len: usize,
    replacement: String,
    /// Byte offset, inside `replacement`, of the value the error points at.
    marker: usize,
}

/// Finds `needle`: after each of `anchors` in turn (the first anchor must be
/// unique), or anywhere if there are no anchors (then `needle` must be
/// unique). `marker` is a part of `replacement`, the value an error must
/// point at.
fn edit(text: &str, anchors: &[&str], needle: &str, replacement: &str, marker: &str) -> Edit {
    let unique = |s: &str| {
        assert_eq!(
            text.matches(s).count(),
            1,
            "`{s}` is not unique in the export"
        );
        text.find(s).unwrap()
    };
    let mut from = 0;
    for (i, anchor) in anchors.iter().enumerate() {
        let start = if i == 0 {
            unique(anchor)
        } else {
            let found = text[from..].find(anchor);
            from + found.unwrap_or_else(|| panic!("no `{anchor}` after the anchors"))
        };
        from = start + anchor.len();
    }
    let at = if anchors.is_empty() {
        unique(needle)
    } else {
        from + text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` after {anchors:?}"))
    };
    let marker = replacement
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` is not in `{replacement}`"));
    Edit {
        at,
        len: needle.len(),
        replacement: replacement.to_string(),
        marker,
    }
}

/// Applies non-overlapping edits and returns the new text and, per edit (in
/// the order given), the position of its marker in the new text.
fn apply(text: &str, edits: &[Edit]) -> (String, Vec<Pos>) {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| edits[i].at);
    let mut out = String::new();
    let mut copied = 0;
    let mut new_offsets = vec![0; edits.len()];
    for i in order {
        let e = &edits[i];
        assert!(e.at >= copied, "edits overlap");
        out.push_str(&text[copied..e.at]);
        new_offsets[i] = out.len() + e.marker;
        out.push_str(&e.replacement);
        copied = e.at + e.len;
    }
    out.push_str(&text[copied..]);
    let positions = new_offsets.iter().map(|&o| pos_at(&out, o)).collect();
    (out, positions)
}

/// One problem as printed: position and message.
#[derive(Debug, Clone)]
struct Reported {
    pos: Pos,
    message: String,
}

/// Parses `FILE:LINE:COL: message` lines out of stderr (a lone problem
/// without a position carries the `vmmports: error: ` prefix; `help:` lines
/// and the closing summary are skipped).
fn reported(stderr: &str, file: &str) -> Vec<Reported> {
    let prefix = format!("{file}:");
    stderr
        .lines()
        .filter_map(|line| {
            let line = line.strip_prefix("vmmports: error: ").unwrap_or(line);
            let rest = line.strip_prefix(&prefix)?;
            let mut parts = rest.splitn(3, ':');
            let line_no = parts.next()?.parse().ok()?;
            let col = parts.next()?.parse().ok()?;
            let message = parts.next()?.trim().to_string();
            Some(Reported {
                pos: Pos { line: line_no, col },
                message,
            })
        })
        .collect()
}

/// A scratch directory that commands run in, so files are named relatively
/// and messages say `bad.ron:…`.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: impl AsRef<[u8]>) {
        std::fs::write(self.path().join(name), text).expect("write the test file");
    }

    /// `vmmports ARGS`, run here.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = vmmports();
        cmd.current_dir(self.path()).args(args);
        cmd
    }

    /// Runs vmmports here, expecting exit 2 and nothing on stdout; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let (stdout, stderr) = exits(self.command(args), 2);
        assert_eq!(stdout, "", "vmmports {args:?} printed on stdout");
        stderr
    }

    fn succeeds(&self, args: &[&str]) -> String {
        exits(self.command(args), 0).0
    }

    /// Writes `text` as `file`, loads it both ways, checks both report the
    /// same problems, and returns them.
    fn problems(&self, file: &str, text: &str) -> (Vec<Reported>, String) {
        self.write(file, text);
        let validate = self.fails(&["validate", file]);
        let data = self.fails(&["--data", file, "list"]);
        assert_eq!(validate, data, "validate and --data disagree");
        (reported(&validate, file), validate)
    }
}

/// Asserts `file` has exactly one problem, at `pos`, whose message contains
/// `message`; returns stderr for further checks.
fn single_problem(scratch: &Scratch, file: &str, text: &str, pos: Pos, message: &str) -> String {
    let (problems, stderr) = scratch.problems(file, text);
    assert_eq!(problems.len(), 1, "{file}: one problem expected:\n{stderr}");
    assert_eq!(problems[0].pos, pos, "{file}: position\n{stderr}");
    assert!(
        problems[0].message.contains(message),
        "{file}: `{message}` expected\n{stderr}"
    );
    stderr
}

// ---- syntax errors -------------------------------------------------------

#[test]
fn ron_missing_comma_on_one_line() {
    // `first: 80 last: 80,` on one line: the parser stops at `last`.
    let (s, bad, at) = Fmt::Ron.broken(
        "id: \"vmm-to-host-agent\"",
        "first: 80,\n          last: 80,",
        "first: 80 last: 80,",
        "last",
    );
    let stderr = single_problem(&s, "bad.ron", &bad, at, "comma");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn ron_missing_comma_at_the_end_of_a_line() {
    let (s, bad, _) = Fmt::Ron.broken("id: \"vmm-to-host-agent\"", "first: 80,", "first: 80", "80");
    // The error is where the comma was wanted: at the next token, `last`,
    // on the following line.
    let missing = bad.find("first: 80\n").unwrap() + "first: 80".len();
    let expected = next_token(&bad, missing);
    assert_eq!(expected.line, pos_at(&bad, missing).line + 1);
    single_problem(&s, "bad.ron", &bad, expected, "comma");
}

#[test]
fn ron_unclosed_paren_reports_the_end_of_input() {
    let bad = Fmt::Ron.cut();
    single_problem(
        &Scratch::new(),
        "cut.ron",
        &bad,
        end_of_content(&bad),
        "end",
    );
}

#[test]
fn ron_number_out_of_range() {
    let (s, bad, at) = Fmt::Ron.broken(
        "id: \"vmm-to-bmc-ipmi\"",
        "first: 623,",
        "first: 70000,",
        "70000",
    );
    single_problem(&s, "big.ron", &bad, at, "out of bounds");
}

#[test]
fn ron_unknown_field() {
    let (s, bad, at) = Fmt::Ron.broken(
        "id: \"vmm-to-bmc-ipmi\"",
        "first: 623,",
        "colour: \"red\",\n          first: 623,",
        "colour",
    );
    single_problem(&s, "field.ron", &bad, at, "colour");
}

#[test]
fn ron_columns_count_characters_not_bytes() {
    // Non-ASCII text before the error on the same line.
    let (s, bad, at) = Fmt::Ron.broken(
        "id: \"vmm-to-host-agent\"",
        "service: \"WinRM 1.1 (legacy)\",\n          purpose:",
        "service: \"WinRM 1.1 (légacy → old)\" purpose:",
        "purpose",
    );
    single_problem(&s, "utf8.ron", &bad, at, "comma");
}

#[test]
fn json_missing_comma_on_one_line() {
    let (s, bad, at) = Fmt::Json.broken(
        "\"id\": \"vmm-to-host-agent\"",
        "\"first\": 80,\n          \"last\": 80,",
        "\"first\": 80 \"last\": 80,",
        "\"last\"",
    );
    let stderr = single_problem(&s, "bad.json", &bad, at, "expected `,`");
    // serde_json's own " at line L column C" is not repeated.
    assert!(!stderr.contains(" at line "), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn json_missing_comma_at_the_end_of_a_line() {
    let (s, bad, _) = Fmt::Json.broken(
        "\"id\": \"vmm-to-host-agent\"",
        "\"first\": 80,",
        "\"first\": 80",
        "80",
    );
    let missing = bad.find("\"first\": 80\n").unwrap() + "\"first\": 80".len();
    let expected = next_token(&bad, missing);
    assert_eq!(expected.line, pos_at(&bad, missing).line + 1);
    single_problem(&s, "bad.json", &bad, expected, "expected `,`");
}

#[test]
fn json_double_comma() {
    let (s, bad, at) = Fmt::Json.broken(
        "\"id\": \"vmm-to-host-agent\"",
        "\"first\": 80,",
        "\"first\": 80,,",
        ",,",
    );
    // The second comma is the offending character.
    let second = Pos {
        line: at.line,
        col: at.col + 1,
    };
    single_problem(&s, "commas.json", &bad, second, "key must be a string");
}

#[test]
fn json_unknown_field_reports_its_line() {
    let (s, bad, at) = Fmt::Json.broken(
        "\"id\": \"vmm-to-bmc-ipmi\"",
        "\"first\": 623,",
        "\"colour\": \"red\",\n          \"first\": 623,",
        "\"colour\"",
    );
    let (problems, stderr) = s.problems("field.json", &bad);
    assert_eq!(problems.len(), 1, "{stderr}");
    // serde_json points into the key; the line is what matters.
    assert_eq!(problems[0].pos.line, at.line, "{stderr}");
    assert!(problems[0].pos.col >= at.col, "{stderr}");
    assert!(
        problems[0].message.contains("unknown field `colour`"),
        "{stderr}"
    );
}

#[test]
fn json_columns_count_characters_not_bytes() {
    let (s, bad, at) = Fmt::Json.broken(
        "\"id\": \"vmm-to-host-agent\"",
        "\"service\": \"WinRM 1.1 (legacy)\",\n          \"purpose\":",
        "\"service\": \"WinRM 1.1 (légacy → old)\" \"purpose\":",
        "\"purpose\"",
    );
    single_problem(&s, "utf8.json", &bad, at, "expected `,`");
}

#[test]
fn json_unexpected_end_has_a_real_column() {
    let s = Scratch::new();
    let cut = Fmt::Json.cut();
    for (file, bad) in [("cut.json", cut.as_str()), ("empty.json", "")] {
        let (problems, stderr) = s.problems(file, bad);
        assert_eq!(problems.len(), 1, "{stderr}");
        let at = problems[0].pos;
        // Either just after the last token or at the very end of the file,
        // but a real, 1-based position.
        let very_end = pos_at(bad, bad.len());
        assert!(
            at == end_of_content(bad) || at == very_end,
            "{file}: {at:?}, expected {:?} or {very_end:?}\n{stderr}",
            end_of_content(bad)
        );
        assert!(at.col >= 1, "{stderr}");
    }
}

#[test]
fn json_unexpected_end_reports_the_last_line() {
    let s = Scratch::new();
    let bad = &Fmt::Json.cut();
    let (problems, stderr) = s.problems("cut.json", bad);
    assert_eq!(problems.len(), 1, "{stderr}");
    assert!(problems[0].message.contains("EOF"), "{stderr}");
    let lines = [end_of_content(bad).line, pos_at(bad, bad.len()).line];
    assert!(lines.contains(&problems[0].pos.line), "{stderr}");
}

#[test]
fn empty_files_are_syntax_errors() {
    let s = Scratch::new();
    for file in ["empty.ron", "empty.json"] {
        let (problems, stderr) = s.problems(file, "");
        assert_eq!(problems.len(), 1, "{file}: {stderr}");
        assert_eq!(problems[0].pos.line, 1, "{stderr}");
    }
}

// ---- semantic problems ---------------------------------------------------

/// One kind of semantic problem, written into an export of format `fmt`:
/// the edit, and what the message must say.
struct Case {
    name: &'static str,
    edit: Edit,
    message: String,
    hint: Option<&'static str>,
}

fn cases(fmt: Fmt, text: &str) -> Vec<Case> {
    let k = |field: &str| fmt.key(field);
    let id_of = |id: &str| format!("{}\"{id}\"", k("id"));
    // The place a new setup feature can be inserted, and the feature itself.
    let (features_end, duplicate_feature) = match fmt {
        Fmt::Ron => (
            "  ],\n  connections: [".to_string(),
            "    SetupFeature(\n      key: \"WSManTcpPort\",\n      name: \"Agent port, again\",\n      default: 5985,\n    ),\n  ],\n  connections: [".to_string(),
        ),
        Fmt::Json => (
            "\n  ],\n  \"connections\": [".to_string(),
            ",\n    {\n      \"key\": \"WSManTcpPort\",\n      \"name\": \"Agent port, again\",\n      \"default\": 5985\n    }\n  ],\n  \"connections\": [".to_string(),
        ),
    };
    let control = match fmt {
        Fmt::Ron => "\"The\\tpage labels",
        Fmt::Json => "\"The\\u001bpage labels",
    };
    vec![
        Case {
            name: "duplicate connection id",
            edit: edit(
                text,
                &[],
                &id_of("vmm-to-host-bits"),
                &id_of("vmm-to-host-agent"),
                "\"vmm-to-host-agent\"",
            ),
            message: "connection id `vmm-to-host-agent` is used twice".into(),
            hint: Some("ids must be unique"),
        },
        Case {
            name: "port 0",
            edit: edit(
                text,
                &[&id_of("vmm-to-bmc-ipmi")],
                &format!("{}623,", k("first")),
                &format!("{}0,", k("first")),
                "0,",
            ),
            message: "port 0 is not a real port".into(),
            hint: Some("ports are 1-65535"),
        },
        Case {
            name: "range that ends before it starts",
            edit: edit(
                text,
                &[&id_of("vmm-to-sql-browser")],
                &format!("{}1434,", k("last")),
                &format!("{}1400,", k("last")),
                "1400",
            ),
            message: "port range 1434-1400 ends before it starts".into(),
            hint: Some("did you mean 1400-1434?"),
        },
        Case {
            name: "unknown component in `to`",
            edit: edit(
                text,
                &[&id_of("vmm-to-vcenter"), &k("to")],
                "\"vcenter\"",
                "\"vcentre\"",
                "\"vcentre\"",
            ),
            message: "unknown component `vcentre`".into(),
            hint: Some("did you mean `vcenter`?"),
        },
        Case {
            name: "undefined setup feature",
            edit: edit(
                text,
                &[&id_of("vmm-to-host-winrm"), &k("setup_key")],
                "\"WSManTcpPort\"",
                "\"NoSuchFeature\"",
                "\"NoSuchFeature\"",
            ),
            message: "unknown setup feature `NoSuchFeature`".into(),
            hint: None,
        },
        Case {
            name: "duplicate setup feature",
            edit: edit(
                text,
                &[],
                &features_end,
                &duplicate_feature,
                "\"WSManTcpPort\"",
            ),
            message: "setup feature `WSManTcpPort` is defined twice".into(),
            hint: Some("keep one"),
        },
        Case {
            name: "id not kebab-case",
            edit: edit(
                text,
                &[],
                &id_of("vmm-to-wsus"),
                &id_of("VMM_to_WSUS"),
                "\"VMM_to_WSUS\"",
            ),
            message: "connection id `VMM_to_WSUS` is not kebab-case".into(),
            hint: Some("kebab"),
        },
        Case {
            name: "probe over the wrong transport",
            edit: edit(
                text,
                &[&id_of("vmm-to-bmc-ipmi")],
                &format!("{}\"ipmi\"", k("probe")),
                &format!("{}\"tls\"", k("probe")),
                "\"tls\"",
            ),
            message: "probe `tls` runs over tcp, but the port is udp".into(),
            hint: Some("for a udp port use one of: udp, sql-browser, ipmi, tftp"),
        },
        Case {
            name: "inside_tls on a port that is not TLS",
            edit: edit(
                text,
                &[&id_of("vmm-to-host-winrm")],
                &format!("{}\"winrm\"", k("probe")),
                &format!("{}\"winrm\", {}\"http\"", k("probe"), k("inside_tls")),
                "\"http\"",
            ),
            message: "inside_tls needs `probe: \"tls\"` on the same port".into(),
            hint: Some("set probe to"),
        },
        Case {
            name: "control character in a note",
            edit: edit(
                text,
                &[&id_of("vmm-to-host-agent"), &k("notes")],
                "\"The page labels",
                control,
                "\"The",
            ),
            message: match fmt {
                Fmt::Ron => "control character U+0009".into(),
                Fmt::Json => "control character U+001B".into(),
            },
            hint: Some("remove it"),
        },
    ]
}

#[test]
fn each_semantic_problem_is_reported_at_its_value() {
    let s = Scratch::new();
    for fmt in BOTH {
        let text = fmt.export();
        for (i, case) in cases(fmt, &text).into_iter().enumerate() {
            let file = format!("case{i}.{}", fmt.name());
            let (bad, at) = apply(&text, std::slice::from_ref(&case.edit));
            let stderr = single_problem(&s, &file, &bad, at[0], &case.message);
            if let Some(hint) = case.hint {
                assert!(
                    stderr.contains("  help: ") && stderr.contains(hint),
                    "{} ({}): hint `{hint}` expected\n{stderr}",
                    case.name,
                    fmt.name()
                );
            }
        }
    }
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let s = Scratch::new();
    for fmt in BOTH {
        let text = fmt.export();
        let cases = cases(fmt, &text);
        let edits: Vec<Edit> = cases.iter().map(|c| c.edit.clone()).collect();
        let (bad, at) = apply(&text, &edits);
        let file = format!("many.{}", fmt.name());
        let (problems, stderr) = s.problems(&file, &bad);
        assert_eq!(
            problems.len(),
            cases.len(),
            "{file}: every problem expected\n{stderr}"
        );
        // Problem lines, not counting help lines and the closing summary.
        let lines = stderr
            .lines()
            .filter(|l| !l.trim_start().starts_with("help:"))
            .filter(|l| !l.starts_with("vmmports: error:"))
            .count();
        assert_eq!(lines, cases.len(), "{stderr}");
        let summary = format!("{file} has {} problems; nothing was loaded", cases.len());
        assert!(
            stderr.lines().last().unwrap().ends_with(&summary),
            "{stderr}"
        );
        for (case, pos) in cases.iter().zip(&at) {
            assert!(
                problems
                    .iter()
                    .any(|p| p.pos == *pos && p.message.contains(&case.message)),
                "{file}: {} at {pos:?} missing\n{stderr}",
                case.name
            );
        }
        let positions: Vec<Pos> = problems.iter().map(|p| p.pos).collect();
        let mut sorted = positions.clone();
        sorted.sort();
        assert_eq!(positions, sorted, "{file}: in file order\n{stderr}");
    }
}

#[test]
fn positions_survive_comments_and_one_line_entries() {
    let s = Scratch::new();
    let text = Fmt::Ron.export();
    // Comments holding brackets and quotes before the problems, and a port
    // written on one line with non-ASCII and brackets in its strings.
    let comment = edit(
        &text,
        &[],
        "  connections: [\n",
        "  connections: [\n    // a \"quote, ( a paren and [ a bracket\n    /* block ( [ { \" /* nested */ still ] */\n",
        "connections",
    );
    let one_line = edit(
        &text,
        &["id: \"vmm-to-host-winrm\"", "ports: ["],
        "PortSpec(\n          first: 5985,\n          last: 5985,",
        "PortSpec(first: 5985, last: 5985, transport: tcp, service: \"Wïn(RM) →\", purpose: \"Control [channel] \\\"x\\\" (\", setup_key: \"Nope\"),\n        PortSpec(\n          first: 5985,\n          last: 5985,",
        "\"Nope\"",
    );
    let dup = edit(
        &text,
        &[],
        "id: \"vmm-to-wsus\"",
        "id: \"vmm-to-host-agent\"",
        "\"vmm-to-host-agent\"",
    );
    let (bad, at) = apply(&text, &[comment, one_line, dup]);
    let (problems, stderr) = s.problems("tricky.ron", &bad);
    assert_eq!(problems.len(), 2, "{stderr}");
    assert_eq!(problems[0].pos, at[1], "{stderr}");
    assert!(problems[0].message.contains("`Nope`"), "{stderr}");
    assert!(at[1].col > 100, "the value sits far along its line");
    assert_eq!(problems[1].pos, at[2], "{stderr}");
    assert!(problems[1].message.contains("used twice"), "{stderr}");
}

// ---- files that cannot be read -------------------------------------------

#[test]
fn unknown_extension_says_to_use_ron_or_json() {
    let s = Scratch::new();
    let text = Fmt::Ron.export();
    for file in ["catalog.txt", "catalog"] {
        s.write(file, &text);
        for args in [vec!["validate", file], vec!["--data", file, "list"]] {
            let stderr = s.fails(&args);
            assert!(stderr.contains(file), "{stderr}");
            assert!(
                stderr.contains(".ron") && stderr.contains(".json"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn extensions_are_case_insensitive() {
    let s = Scratch::new();
    s.write("CATALOG.RON", Fmt::Ron.export());
    s.write("CATALOG.JSON", Fmt::Json.export());
    for file in ["CATALOG.RON", "CATALOG.JSON"] {
        let out = s.succeeds(&["validate", file]);
        assert!(out.starts_with(&format!("{file}: ok")), "{out}");
    }
}

#[test]
fn missing_file_cannot_be_read() {
    let s = Scratch::new();
    for file in ["missing.ron", "missing.json"] {
        for args in [vec!["validate", file], vec!["--data", file, "list"]] {
            let stderr = s.fails(&args);
            assert!(stderr.contains(file), "{stderr}");
            assert!(stderr.contains("cannot read"), "{stderr}");
        }
    }
}

#[test]
fn a_directory_or_non_utf8_file_cannot_be_read() {
    let s = Scratch::new();
    std::fs::create_dir(s.path().join("folder.ron")).unwrap();
    s.write("latin1.json", b"{\"title\": \"caf\xe9\"}");
    for file in ["folder.ron", "latin1.json"] {
        let stderr = s.fails(&["validate", file]);
        assert!(stderr.contains("cannot read"), "{file}: {stderr}");
    }
}

#[test]
fn a_bad_data_file_does_not_stop_validate_or_completions() {
    let s = Scratch::new();
    s.write("good.ron", Fmt::Ron.export());
    s.write("bad.ron", "Catalog(");
    s.write("bad.txt", "whatever");
    for bad in ["bad.ron", "bad.txt", "missing.json"] {
        let out = s.succeeds(&["--data", bad, "validate", "good.ron"]);
        assert!(out.starts_with("good.ron: ok"), "{bad}: {out}");
        let out = s.succeeds(&["--data", bad, "completions", "bash"]);
        assert!(out.contains("vmmports"), "{bad}");
        // Everything that needs the catalog stops.
        for args in [
            vec!["--data", bad, "list"],
            vec!["--data", bad, "show", "vmm-to-host-winrm"],
            vec!["--data", bad, "export", "--format", "json"],
            vec!["--data", bad],
        ] {
            let stderr = s.fails(&args);
            assert!(stderr.contains(bad), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn absolute_paths_are_named_as_given() {
    let (s, bad, at) = Fmt::Json.broken(
        "\"connections\": [",
        "\"id\": \"vmm-to-wsus\"",
        "\"id\": \"Not Kebab\"",
        "\"Not Kebab\"",
    );
    s.write("abs.json", &bad);
    let path = s.path().join("abs.json");
    let path = path.to_str().expect("a UTF-8 temp path");
    let mut validate = vmmports();
    validate.args(["validate", path]);
    let (stdout, stderr) = exits(validate, 2);
    assert_eq!(stdout, "", "{stderr}");
    let problems = reported(&stderr, path);
    assert_eq!(problems.len(), 1, "{stderr}");
    assert_eq!(problems[0].pos, at, "{stderr}");
}
