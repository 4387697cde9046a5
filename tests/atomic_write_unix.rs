//! Atomic writes in a folder another user can write to: the temporary file
//! beside the target must be neither planted beforehand nor followed. Here
//! another user (uid 65534, `nobody`) plants symlinks to a file of root's
//! at every name the old scheme (`.NAME.PID.tmp`) or a careless one would
//! use, and root's write must land in the target and nowhere else. The
//! same path writes `config.ron`, the explorer's `w` and the policy.

// Unix only: users, modes and setpriv.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::needs::{has_tool, path_env, ready};

/// The user who plants the symlinks.
const OTHER_UID: u32 = 65534;

/// Whether this process is root (a file it creates is root's).
fn is_root(dir: &Path) -> bool {
    let probe = dir.join("whoami");
    std::fs::write(&probe, "").unwrap();
    let root = std::fs::metadata(&probe).unwrap().uid() == 0;
    std::fs::remove_file(probe).unwrap();
    root
}

/// `ln -s target NAME` for each name in `names`, as the other user.
fn plant_as_other_user(target: &Path, names: &[PathBuf]) {
    let uid = OTHER_UID.to_string();
    let planted = Command::new("setpriv")
        .args(["--reuid", &uid, "--regid", &uid, "--clear-groups", "--"])
        .args([
            "sh",
            "-c",
            "t=$1; shift; for n; do ln -s \"$t\" \"$n\" || exit 1; done",
        ])
        .arg("sh")
        .arg(target)
        .args(names)
        .env("PATH", path_env())
        .output()
        .expect("run setpriv");
    assert!(
        planted.status.success(),
        "planting as uid {uid}: {}",
        String::from_utf8_lossy(&planted.stderr)
    );
    for name in names {
        let meta = std::fs::symlink_metadata(name).unwrap();
        assert!(meta.file_type().is_symlink() && meta.uid() == OTHER_UID);
    }
}

/// Every name a predictable scheme could give `target`'s temporary file:
/// the old `.NAME.PID.tmp` for this process and the pids around it, and a
/// few pid-less ones.
fn predictable_names(target: &Path) -> Vec<PathBuf> {
    let dir = target.parent().unwrap();
    let name = target.file_name().unwrap().to_string_lossy();
    let pid = std::process::id();
    let mut names: Vec<PathBuf> = (pid.saturating_sub(50)..=pid + 50)
        .map(|p| dir.join(format!(".{name}.{p}.tmp")))
        .collect();
    for other in [
        format!(".{name}.tmp"),
        format!("{name}.tmp"),
        format!(".{name}.old"),
    ] {
        names.push(dir.join(other));
    }
    names
}

#[test]
fn a_symlink_planted_by_another_user_is_neither_followed_nor_written_through() {
    let top = tempfile::tempdir().unwrap();
    let mut missing = Vec::new();
    if !is_root(top.path()) {
        missing.push("root".to_string());
    }
    if !has_tool("setpriv") {
        missing.push("setpriv".to_string());
    }
    if !ready(&missing, "run as root with util-linux's setpriv") {
        return;
    }
    // The other user reaches the shared folders, not the victim's content.
    std::fs::set_permissions(top.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let victim = top.path().join("victim");
    std::fs::write(&victim, "root's own file\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    // World-writable, with the sticky bit (as /tmp) and without.
    for mode in [0o1777, 0o777] {
        let shared = top.path().join(format!("shared-{mode:o}"));
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(mode)).unwrap();
        let config = shared.join("config.ron");
        let policy = ["networks.yaml", "services.yaml", "vmm.yaml"].map(|n| shared.join(n));
        let mut names = predictable_names(&config);
        for file in &policy {
            names.extend(predictable_names(file));
        }
        plant_as_other_user(&victim, &names);

        vmmports::atomic_file::write(&config, b"(group: \"VMM\")\n").unwrap();
        let set: Vec<(&Path, &[u8])> = policy
            .iter()
            .map(|p| (p.as_path(), b"networks: {}\n".as_slice()))
            .collect();
        vmmports::atomic_file::write_all(&set).unwrap();

        let context = format!("folder mode {mode:o}");
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "root's own file\n",
            "{context}: the write went through a planted symlink"
        );
        for (file, text) in std::iter::once((&config, "(group: \"VMM\")\n"))
            .chain(policy.iter().map(|p| (p, "networks: {}\n")))
        {
            let meta = std::fs::symlink_metadata(file).unwrap();
            assert!(
                meta.is_file(),
                "{context}: {} is no plain file",
                file.display()
            );
            assert_eq!(meta.uid(), 0, "{context}: {}", file.display());
            assert_eq!(std::fs::read_to_string(file).unwrap(), text, "{context}");
        }
        // The planted links are the other user's business: still there,
        // still pointing at the victim, and nothing else was left behind.
        for name in &names {
            assert!(
                std::fs::symlink_metadata(name)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        let entries = std::fs::read_dir(&shared).unwrap().count();
        assert_eq!(entries, names.len() + 1 + policy.len(), "{context}");
    }
}

/// A written file starts with the mode `File::create` gives (0666 less the
/// umask), not a temporary file's private 0600: a policy is for another
/// team to read.
#[test]
fn a_written_file_has_the_mode_a_created_one_has() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "x").unwrap();
    let written = dir.path().join("written");
    vmmports::atomic_file::write(&written, b"x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&written), mode(&plain));
}
