//! What `.ci/release` puts in `target/dist/`, held to what an admin does
//! with it: unzip the Windows archive and run the .exe (here under Wine),
//! unpack the static Linux binary, install the .deb, read the man page,
//! load the completions into real shells, and check the sums and the
//! package-manager manifests.
//!
//! `.ci/run` runs `.ci/release` before the tests. Without `target/dist/`
//! (or `VMMPORTS_DIST`) these tests fail when `CI` is set, and otherwise say
//! what to run and are skipped. Each binary in the archives must print what
//! this checkout's build prints, so archives left from older code fail here
//! too: run `.ci/release` again.

// Unix only: the archives are checked with Linux tools and Wine.
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::binary::{empty_config_home, vmmports_std};
use common::man::{render_file, section, subcommands_of_help};
use common::needs::{missing_tools, path_env, ready};
use common::powershell_grammar;
use common::pty;
use common::wine;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const WINDOWS: &str = "x86_64-pc-windows-gnu";
const LINUX: &str = "x86_64-unknown-linux-musl";

/// The release folder, and the names of what it must hold.
struct Dist {
    dir: PathBuf,
}

impl Dist {
    fn zip_name() -> String {
        format!("vmmports-{VERSION}-{WINDOWS}.zip")
    }
    fn tar_folder() -> String {
        format!("vmmports-{VERSION}-{LINUX}")
    }
    fn tar_name() -> String {
        format!("{}.tar.gz", Self::tar_folder())
    }
    /// As .ci/release names it: a pre-release's `-` is `~` for dpkg.
    fn deb_name() -> String {
        format!("vmmports_{}_amd64.deb", VERSION.replace('-', "~"))
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// `target/dist/` (or `VMMPORTS_DIST`) with every archive of this version,
/// and the tools named in `tools`; or `None` after saying what is missing.
fn dist(tools: &[&str]) -> Option<Dist> {
    let dir = std::env::var_os("VMMPORTS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dist"));
    let mut missing: Vec<String> = [Dist::zip_name(), Dist::tar_name(), Dist::deb_name()]
        .into_iter()
        .filter(|name| !dir.join(name).is_file())
        .map(|name| dir.join(name).display().to_string())
        .collect();
    missing.extend(missing_tools(tools.iter().copied()));
    ready(
        &missing,
        "run .ci/release (it names the Debian packages and rustup targets it needs); \
         .ci/run installs the tools",
    )
    .then_some(Dist { dir })
}

/// Runs `program args` in `dir`, which must succeed; its output.
fn tool(program: &str, args: &[&str], dir: &Path) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path_env())
        .output()
        .unwrap_or_else(|e| panic!("{program} does not start: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// What a binary prints for `args`, with no config; it must succeed.
fn prints(binary: &Path, args: &[&str]) -> String {
    let out = Command::new(binary)
        .args(args)
        .env("XDG_CONFIG_HOME", empty_config_home())
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed: {out:?}",
        binary.display()
    );
    text(&out)
}

/// What this checkout's own build prints for `args`.
fn this_build_prints(args: &[&str]) -> String {
    let out = vmmports_std().args(args).output().expect("vmmports runs");
    assert!(out.status.success(), "vmmports {args:?} failed: {out:?}");
    text(&out)
}

/// The binary, run as a user would run it once unpacked: `--version` names
/// this version, and `list winrm` prints what this checkout prints.
fn assert_runs_like_this_build(binary: &Path) {
    assert_eq!(
        prints(binary, &["--version"]),
        format!("vmmports {VERSION}\n")
    );
    assert_eq!(
        prints(binary, &["list", "winrm"]),
        this_build_prints(&["list", "winrm"]),
        "{} prints another catalog: run .ci/release again",
        binary.display()
    );
}

/// Every file below `root`, as paths relative to it.
fn files_below(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).expect("a readable folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("below the root");
                out.insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// The zip, expanded into a fresh folder.
fn unzipped(dist: &Dist) -> tempfile::TempDir {
    let into = tempfile::tempdir().unwrap();
    let zip = dist.path(&Dist::zip_name());
    tool(
        "unzip",
        &[
            "-q",
            zip.to_str().unwrap(),
            "-d",
            into.path().to_str().unwrap(),
        ],
        into.path(),
    );
    into
}

/// The tar.gz, unpacked into a fresh folder; its one top folder.
fn untarred(dist: &Dist) -> (tempfile::TempDir, PathBuf) {
    let into = tempfile::tempdir().unwrap();
    let tarball = dist.path(&Dist::tar_name());
    tool("tar", &["-xzf", tarball.to_str().unwrap()], into.path());
    let top = into.path().join(Dist::tar_folder());
    (into, top)
}

/// The .deb's files, extracted as dpkg would install them under a root.
fn extracted_deb(dist: &Dist) -> tempfile::TempDir {
    let into = tempfile::tempdir().unwrap();
    let deb = dist.path(&Dist::deb_name());
    tool(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), into.path().to_str().unwrap()],
        into.path(),
    );
    into
}

#[test]
fn the_zip_holds_the_exe_docs_and_completion_and_the_exe_runs_under_wine() {
    let Some(dist) = dist(&["unzip"]) else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let unzipped = unzipped(&dist);
    // Flat, so that Expand-Archive into one folder puts vmmports.exe there.
    assert_eq!(
        files_below(unzipped.path()),
        set(&["vmmports.exe", "README.md", "LICENSE", "_vmmports.ps1"])
    );
    // This checkout's, with CRLF line ends for Windows' Notepad.
    for doc in ["README.md", "LICENSE"] {
        let zipped = fs::read_to_string(unzipped.path().join(doc)).unwrap();
        assert!(
            zipped.lines().count() > 10
                && zipped
                    .split('\n')
                    .all(|l| l.is_empty() || l.ends_with('\r')),
            "the zip's {doc} does not end every line with CRLF"
        );
        assert_eq!(
            zipped.replace("\r\n", "\n"),
            fs::read_to_string(root.join(doc)).unwrap(),
            "the zip's {doc} is not this checkout's"
        );
    }
    assert_eq!(
        fs::read_to_string(unzipped.path().join("_vmmports.ps1")).unwrap(),
        this_build_prints(&["completions", "powershell"]),
        "the zip's PowerShell completion is not this build's: run .ci/release again"
    );

    let Some(wine) = wine::harness(unzipped.path().join("vmmports.exe")) else {
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    let env = [("XDG_CONFIG_HOME", empty.path().as_os_str())];
    let version = wine.vmmports(&["--version"], &env);
    assert_eq!(version.code, Some(0), "{}", version.stderr);
    assert_eq!(version.stdout(), format!("vmmports {VERSION}\n"));
    let list = wine.vmmports(&["list", "winrm"], &env);
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    assert_eq!(list.stdout(), this_build_prints(&["list", "winrm"]));
}

#[test]
fn the_zips_powershell_completion_parses_and_offers_every_subcommand() {
    let Some(dist) = dist(&["unzip"]) else { return };
    let unzipped = unzipped(&dist);
    let script = fs::read_to_string(unzipped.path().join("_vmmports.ps1")).unwrap();
    let mut parser = powershell_grammar::parser();
    let tree = parser.parse(&script, None).expect("a tree");
    assert!(
        !tree.root_node().has_error(),
        "PowerShell's grammar finds an error in _vmmports.ps1:\n{}",
        tree.root_node().to_sexp()
    );
    assert!(
        script.contains("Register-ArgumentCompleter -Native -CommandName 'vmmports'"),
        "the script registers no completer for vmmports"
    );
    assert!(
        script.is_ascii(),
        "Windows PowerShell 5.1 would misread a non-ASCII script"
    );
    // What `vmmports <Tab>` offers: the top-level case, up to the next one.
    let top = script
        .split_once("'vmmports' {")
        .and_then(|(_, rest)| rest.split_once("'vmmports;"))
        .map(|(top, _)| top)
        .expect("a case for `vmmports` itself");
    let subcommands = subcommands_of_help(&this_build_prints(&["--help"]));
    assert!(
        subcommands.len() >= 10,
        "--help lists too few: {subcommands:?}"
    );
    for sub in subcommands {
        assert!(
            top.contains(&format!("[CompletionResult]::new('{sub}'")),
            "the PowerShell completion does not offer `{sub}` after `vmmports`:\n{top}"
        );
    }
}

#[test]
fn the_linux_binary_is_static_and_runs() {
    let Some(dist) = dist(&["tar", "ldd"]) else {
        return;
    };
    let (_unpacked, top) = untarred(&dist);
    assert_eq!(
        files_below(&top),
        set(&[
            "vmmports",
            "vmmports.1",
            "README.md",
            "LICENSE",
            "complete/vmmports.bash",
            "complete/_vmmports",
            "complete/vmmports.fish",
        ])
    );
    for (file, args) in [
        ("vmmports.1", &["man"][..]),
        ("complete/vmmports.bash", &["completions", "bash"]),
        ("complete/_vmmports", &["completions", "zsh"]),
        ("complete/vmmports.fish", &["completions", "fish"]),
    ] {
        assert_eq!(
            fs::read_to_string(top.join(file)).unwrap(),
            this_build_prints(args),
            "the tar.gz's {file} is not this build's: run .ci/release again"
        );
    }
    let binary = top.join("vmmports");
    // glibc's ldd says "statically linked" for a static-pie binary and "not
    // a dynamic executable" for a non-PIE one (then with exit 1).
    let ldd = Command::new("ldd")
        .arg(&binary)
        .env("PATH", path_env())
        .output()
        .expect("ldd starts");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        said.contains("statically linked") || said.contains("not a dynamic executable"),
        "ldd finds shared libraries in the musl binary:\n{said}"
    );
    assert!(!said.contains("=>"), "ldd lists libraries:\n{said}");
    assert_runs_like_this_build(&binary);
}

#[test]
fn the_deb_holds_the_binary_man_page_and_completions_and_passes_lintian() {
    let Some(dist) = dist(&["dpkg-deb", "dpkg", "gzip", "lintian"]) else {
        return;
    };
    let deb = dist.path(&Dist::deb_name());
    let deb_arg = deb.to_str().unwrap();
    let listing = text(&tool("dpkg-deb", &["-c", deb_arg], &dist.dir));
    // dpkg-deb -c: mode, owner, size, date, time, ./path
    let entries: BTreeMap<String, String> = listing
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let path = fields.get(5)?.trim_start_matches('.').to_string();
            Some((path, format!("{} {}", fields[0], fields[1])))
        })
        .collect();
    for (path, mode) in [
        ("/usr/bin/vmmports", "-rwxr-xr-x root/root"),
        ("/usr/share/man/man1/vmmports.1.gz", "-rw-r--r-- root/root"),
        (
            "/usr/share/bash-completion/completions/vmmports",
            "-rw-r--r-- root/root",
        ),
        (
            "/usr/share/zsh/vendor-completions/_vmmports",
            "-rw-r--r-- root/root",
        ),
        (
            "/usr/share/fish/vendor_completions.d/vmmports.fish",
            "-rw-r--r-- root/root",
        ),
        ("/usr/share/doc/vmmports/copyright", "-rw-r--r-- root/root"),
    ] {
        assert_eq!(
            entries.get(path).map(String::as_str),
            Some(mode),
            "dpkg-deb -c does not list {path} as {mode}:\n{listing}"
        );
    }
    for (field, value) in [
        ("Package", "vmmports"),
        ("Version", VERSION),
        ("Architecture", "amd64"),
    ] {
        let got = text(&tool("dpkg-deb", &["-f", deb_arg, field], &dist.dir));
        assert_eq!(got.trim(), value, "the control file's {field}");
    }

    let root = extracted_deb(&dist);
    assert_runs_like_this_build(&root.path().join("usr/bin/vmmports"));
    let man = tool(
        "gzip",
        &["-dc", "usr/share/man/man1/vmmports.1.gz"],
        root.path(),
    );
    assert_eq!(
        text(&man),
        this_build_prints(&["man"]),
        "the .deb's man page"
    );
    for (file, shell) in [
        ("usr/share/bash-completion/completions/vmmports", "bash"),
        ("usr/share/zsh/vendor-completions/_vmmports", "zsh"),
        ("usr/share/fish/vendor_completions.d/vmmports.fish", "fish"),
    ] {
        assert_eq!(
            fs::read_to_string(root.path().join(file)).unwrap(),
            this_build_prints(&["completions", shell]),
            "the .deb's {file} is not this build's: run .ci/release again"
        );
    }
    let copyright =
        fs::read_to_string(root.path().join("usr/share/doc/vmmports/copyright")).unwrap();
    assert!(
        copyright.contains("License: MIT") && copyright.contains(" Permission is hereby granted"),
        "the copyright file carries no MIT license:\n{copyright}"
    );

    // dpkg installs it (into a scratch root with a database of its own),
    // and its md5sums then vouch for every installed file.
    let target = tempfile::tempdir().unwrap();
    let admin = target.path().join("var/lib/dpkg");
    fs::create_dir_all(admin.join("info")).unwrap();
    fs::create_dir_all(admin.join("updates")).unwrap();
    fs::write(admin.join("status"), "").unwrap();
    let dpkg_root = format!("--root={}", target.path().display());
    tool(
        "dpkg",
        &[
            &dpkg_root,
            "--force-not-root",
            "--log=/dev/null",
            "-i",
            deb_arg,
        ],
        target.path(),
    );
    tool(
        "dpkg",
        &[&dpkg_root, "--force-not-root", "--verify", "vmmports"],
        target.path(),
    );
    assert_runs_like_this_build(&target.path().join("usr/bin/vmmports"));

    // Debian's own package checker, failing on its errors and warnings.
    let lintian = Command::new("lintian")
        .args(["--fail-on", "error,warning", "--tag-display-limit", "0"])
        .arg(&deb)
        .env("PATH", path_env())
        .output()
        .expect("lintian starts");
    assert!(
        lintian.status.success(),
        "lintian finds problems in the .deb:\n{}{}",
        String::from_utf8_lossy(&lintian.stdout),
        String::from_utf8_lossy(&lintian.stderr)
    );
}

#[test]
fn the_man_pages_render_and_name_every_subcommand() {
    let Some(dist) = dist(&["tar", "dpkg-deb", "man", "nroff"]) else {
        return;
    };
    let (_unpacked, top) = untarred(&dist);
    let extracted = extracted_deb(&dist);
    let subcommands = subcommands_of_help(&this_build_prints(&["--help"]));
    assert!(
        subcommands.len() >= 10,
        "--help lists too few: {subcommands:?}"
    );
    for page in [
        top.join("vmmports.1"),
        extracted.path().join("usr/share/man/man1/vmmports.1.gz"),
    ] {
        let rendered = render_file(&page);
        assert!(
            rendered.contains("vmmports - "),
            "{} has no NAME line:\n{rendered}",
            page.display()
        );
        for sub in &subcommands {
            assert!(
                section(&rendered, &format!("VMMPORTS {}", sub.to_uppercase())).is_some(),
                "{} has no section for `{sub}`:\n{rendered}",
                page.display()
            );
        }
    }
}

#[test]
fn the_shell_completions_complete_subcommands_in_bash_zsh_and_fish() {
    let Some(dist) = dist(&["tar", "bash", "zsh", "fish"]) else {
        return;
    };
    let (_unpacked, top) = untarred(&dist);
    let complete = top.join("complete");
    let arg = |name: &str| complete.join(name).to_str().unwrap().to_string();

    // bash: the function the script registers, called as bash calls it
    // for `vmmports li<Tab>`.
    let bash = text(&tool(
        "bash",
        &[
            "--norc",
            "--noprofile",
            "-c",
            r#"source "$1" && [[ "$(complete -p vmmports)" == *" -F _vmmports "* ]] || exit 3
               COMP_WORDS=(vmmports li); COMP_CWORD=1; COMP_LINE="vmmports li"; COMP_POINT=${#COMP_LINE}
               _vmmports vmmports li vmmports; printf '%s\n' "${COMPREPLY[@]}""#,
            "bash",
            &arg("vmmports.bash"),
        ],
        &top,
    ));
    assert_eq!(bash.lines().collect::<Vec<_>>(), ["list", "listen"], "bash");

    // fish: its own completion query for the same words.
    let fish = text(&tool(
        "fish",
        &[
            "--no-config",
            "-c",
            r#"source $argv[1]; and complete -C "vmmports li""#,
            &arg("vmmports.fish"),
        ],
        &top,
    ));
    let offered: Vec<&str> = fish.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(offered, ["list", "listen"], "fish:\n{fish}");

    // zsh: found on $fpath by compinit, as the .deb's vendor-completions
    // folder is, through its `#compdef vmmports` line; then the function
    // it autoloads for the command is the script's.
    let zsh = text(&tool(
        "zsh",
        &[
            "-f",
            "-c",
            r#"fpath=("$1" $fpath) && autoload -Uz compinit && compinit -u -D &&
               print -r -- "$_comps[vmmports]" && autoload +X _vmmports && print -r -- "${functions[_vmmports]:+loaded}""#,
            "zsh",
            complete.to_str().unwrap(),
        ],
        &top,
    ));
    assert_eq!(
        zsh.lines().collect::<Vec<_>>(),
        ["_vmmports", "loaded"],
        "zsh"
    );
}

/// SHA256SUMS's lines: file name to hash.
fn sums(dist: &Dist) -> BTreeMap<String, String> {
    fs::read_to_string(dist.path("SHA256SUMS"))
        .expect("target/dist/SHA256SUMS")
        .lines()
        .filter_map(|line| {
            let (hash, name) = line.split_once("  ")?;
            Some((name.to_string(), hash.to_string()))
        })
        .collect()
}

#[test]
fn the_sums_check_and_the_manifests_hold_them() {
    let Some(dist) = dist(&["sha256sum"]) else {
        return;
    };
    let checked = text(&tool("sha256sum", &["-c", "SHA256SUMS"], &dist.dir));
    let names = [Dist::zip_name(), Dist::tar_name(), Dist::deb_name()];
    let expected: BTreeSet<String> = names.iter().map(|n| format!("{n}: OK")).collect();
    assert_eq!(
        checked.lines().map(String::from).collect::<BTreeSet<_>>(),
        expected,
        "sha256sum -c covers exactly the three archives"
    );
    let sums = sums(&dist);
    let zip_hash = &sums[&Dist::zip_name()];
    assert!(zip_hash.len() == 64 && zip_hash.chars().all(|c| c.is_ascii_hexdigit()));

    // winget: the three files winget-pkgs takes, read as winget's manifest
    // tool reads them (types that refuse unknown installer types,
    // architectures, URLs and versions), then their values.
    let winget = dist.path("winget");
    let read = |name: &str| {
        fs::read_to_string(winget.join(name)).unwrap_or_else(|e| panic!("winget/{name}: {e}"))
    };
    let installer_text = read("vmmports.vmmports.installer.yaml");
    let version_text = read("vmmports.vmmports.yaml");
    let locale_text = read("vmmports.vmmports.locale.en-US.yaml");
    let _: winget_types::InstallerManifest =
        yaml_serde::from_str(&installer_text).expect("a valid winget installer manifest");
    let _: winget_types::VersionManifest =
        yaml_serde::from_str(&version_text).expect("a valid winget version manifest");
    let _: winget_types::DefaultLocaleManifest =
        yaml_serde::from_str(&locale_text).expect("a valid winget default-locale manifest");

    let installer: yaml_serde::Value = yaml_serde::from_str(&installer_text).unwrap();
    for (manifest, kind) in [
        (&installer_text, "installer"),
        (&version_text, "version"),
        (&locale_text, "defaultLocale"),
    ] {
        let value: yaml_serde::Value = yaml_serde::from_str(manifest).unwrap();
        assert_eq!(value["ManifestType"].as_str(), Some(kind));
        assert_eq!(value["ManifestVersion"].as_str(), Some("1.10.0"));
        assert_eq!(value["PackageVersion"].as_str(), Some(VERSION));
        assert_eq!(
            value["PackageIdentifier"].as_str(),
            Some("vmmports.vmmports")
        );
    }
    let entry = &installer["Installers"][0];
    assert_eq!(
        entry["InstallerSha256"].as_str(),
        Some(zip_hash.to_uppercase().as_str()),
        "winget's hash is not the zip's"
    );
    let winget_url = entry["InstallerUrl"].as_str().expect("an InstallerUrl");
    assert!(
        winget_url.starts_with("https://")
            && winget_url.ends_with(&format!("/{}", Dist::zip_name())),
        "winget's address is not the zip's: {winget_url}"
    );
    assert_eq!(installer["InstallerType"].as_str(), Some("zip"));
    assert_eq!(installer["NestedInstallerType"].as_str(), Some("portable"));
    let nested = &installer["NestedInstallerFiles"][0];
    assert_eq!(nested["RelativeFilePath"].as_str(), Some("vmmports.exe"));
    assert_eq!(nested["PortableCommandAlias"].as_str(), Some("vmmports"));

    // scoop: one JSON manifest; the same URL and hash, and the exe the zip holds.
    let scoop: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dist.path("scoop/vmmports.json")).unwrap())
            .expect("scoop/vmmports.json is JSON");
    assert_eq!(scoop["version"], VERSION);
    assert_eq!(scoop["license"], "MIT");
    assert_eq!(scoop["bin"], "vmmports.exe");
    let scoop_64 = &scoop["architecture"]["64bit"];
    assert_eq!(scoop_64["hash"].as_str(), Some(zip_hash.as_str()));
    assert_eq!(scoop_64["url"].as_str(), Some(winget_url));
}

/// Types `vmmports li` and Tab at a real interactive prompt of `shell`
/// (after `setup`, which loads the archived completion), in a terminal,
/// and waits for the screen to offer both `list` and `listen`.
fn tab_offers_list_and_listen(shell: &str, args: &[&str], setup: &str) {
    let home = tempfile::tempdir().unwrap();
    let cmd = pty::command(shell, args, home.path());
    let session = pty::Pty::start(cmd, 120, 30, true);
    session.send(format!("{setup}\r").as_bytes());
    session.wait_for("READY>");
    // The first Tab completes what `list` and `listen` share; readline
    // lists them at the third (the second only rings the bell), zsh and
    // fish at once, or at the next.
    session.send(b"vmmports li");
    for _ in 0..3 {
        session.send(b"\t");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let screen = session.wait_until(&format!("{shell} to offer list and listen"), |seen| {
        let screen = seen.parser.screen().contents();
        // The line completed to `list`, and `listen` offered below it.
        screen
            .split_once("READY> vmmports list")
            .is_some_and(|(_, below)| below.contains("listen"))
    });
    assert!(!screen.contains("command not found"), "{shell}:\n{screen}");
    // Leave: drop the line, then end the shell.
    session.send(b"\x03");
    session.send(b"exit\r");
}

#[test]
fn the_archived_completions_complete_at_a_real_prompt() {
    let Some(dist) = dist(&["tar", "bash", "zsh", "fish"]) else {
        return;
    };
    let (_unpacked, top) = untarred(&dist);
    let complete = top.join("complete");
    let file = |name: &str| complete.join(name).display().to_string();
    let bash = format!("source '{}'; PS1='READY> '", file("vmmports.bash"));
    let zsh = format!(
        "fpath=('{}' $fpath); autoload -Uz compinit; compinit -u -D; PS1='READY> '",
        complete.display()
    );
    let fish = format!(
        "source '{}'; function fish_prompt; echo -n 'READY> '; end",
        file("vmmports.fish")
    );
    // (The unpacked folder outlives the scenario: within_timeout waits.)
    pty::within_timeout(move || {
        tab_offers_list_and_listen("bash", &["--norc", "--noprofile", "-i"], &bash);
        tab_offers_list_and_listen("zsh", &["-f", "-i"], &zsh);
        tab_offers_list_and_listen("fish", &["--no-config", "-i"], &fish);
    });
}
