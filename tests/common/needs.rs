//! What a test that drives real tools needs, and what happens without them:
//! under CI the test fails (`.ci/run` installs the tools and runs as root);
//! elsewhere it says what is missing and is skipped.

use std::path::Path;
use std::process::Command;

/// PATH plus the system folders where root's tools live.
pub fn path_env() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{path}:/usr/sbin:/sbin:/usr/bin:/bin")
}

/// Whether `tool` (a name on the PATH above, or an absolute path) is here.
pub fn has_tool(tool: &str) -> bool {
    if tool.starts_with('/') {
        return Path::new(tool).is_file();
    }
    path_env()
        .split(':')
        .any(|dir| !dir.is_empty() && Path::new(dir).join(tool).is_file())
}

/// Whether `unshare ARGS true` works: root, and namespaces allowed here.
pub fn can_unshare(args: &[&str]) -> bool {
    Command::new("unshare")
        .args(args)
        .arg("true")
        .env("PATH", path_env())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The tools of `tools` that are not here (see [`has_tool`]).
pub fn missing_tools<'a>(tools: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    tools
        .into_iter()
        .filter(|tool| !has_tool(tool))
        .map(String::from)
        .collect()
}

/// What a test that runs in namespaces lacks: the tools of `tools` that
/// are not here and, once they all are, root (namespaces allowed) for
/// `unshare UNSHARE_ARGS`.
pub fn missing_for_namespaces<'a>(
    tools: impl IntoIterator<Item = &'a str>,
    unshare_args: &[&str],
) -> Vec<String> {
    let mut missing = missing_tools(tools);
    if missing.is_empty() && !can_unshare(unshare_args) {
        missing.push(format!("root, for `unshare {}`", unshare_args.join(" ")));
    }
    missing
}

/// True when nothing is `missing`. Otherwise the test must not pass
/// silently: under CI this fails; elsewhere it prints what is missing (and
/// `fix`, how to get it) and returns false, so the caller skips.
pub fn ready(missing: &[String], fix: &str) -> bool {
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set, so this test must run, but it lacks: {what}. {fix}"
    );
    eprintln!("skipped: needs {what}. {fix}");
    false
}
