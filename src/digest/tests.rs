//! Unit tests of the `kw1` digest: the golden vector, the walk's refusals, the limits
//! and the diff.

use super::walk::link_escapes;
use super::*;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// An encoder written from DESIGN.md alone, sharing no code with the module.
#[derive(Default)]
struct SpecEncoder {
    records: Vec<u8>,
    count: u64,
}

impl SpecEncoder {
    fn lp(&mut self, x: &[u8]) {
        self.records
            .extend_from_slice(&(x.len() as u32).to_be_bytes());
        self.records.extend_from_slice(x);
    }
    fn dir(&mut self, path: &str) {
        self.records.push(b'D');
        self.lp(path.as_bytes());
        self.count += 1;
    }
    fn file(&mut self, path: &str, exec: bool, content: &[u8]) {
        self.records.push(b'F');
        self.lp(path.as_bytes());
        self.records.push(exec as u8);
        self.records
            .extend_from_slice(&(content.len() as u64).to_be_bytes());
        self.records.extend_from_slice(&Sha256::digest(content));
        self.count += 1;
    }
    fn link(&mut self, path: &str, target: &str) {
        self.records.push(b'L');
        self.lp(path.as_bytes());
        self.lp(target.as_bytes());
        self.count += 1;
    }
    fn finish(self) -> String {
        let mut input = b"keyward-tree-v1\0".to_vec();
        input.extend_from_slice(&self.records);
        input.push(b'E');
        input.extend_from_slice(&self.count.to_be_bytes());
        let hex: String = Sha256::digest(&input)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("kw1:{hex}")
    }
}

fn write(root: &Path, rel: &str, content: &[u8], mode: u32) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("fixture paths have a parent")).unwrap();
    fs::write(&path, content).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
}

fn digest(root: &Path) -> String {
    digest_tree(root, &Options::default()).unwrap().digest
}

fn digest_err(root: &Path) -> DigestError {
    digest_tree(root, &Options::default()).unwrap_err()
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap();
    assert!(status.success(), "{cmd:?} failed");
}

/// The golden tree: one of each kind of record, plus both `.git` cases.
fn golden_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a.txt", b"hello\n", 0o644);
    write(root, "run.sh", b"#!/bin/sh\necho hi\n", 0o755);
    write(root, "sub/nested.txt", b"nested", 0o600);
    write(root, "sub/.git", b"gitdir: ../elsewhere\n", 0o644);
    fs::create_dir(root.join("empty")).unwrap();
    symlink("sub/nested.txt", root.join("link")).unwrap();
    write(root, ".git/HEAD", b"ref: refs/heads/main\n", 0o644);
    dir
}

/// The golden digest, pinned so that other implementations can check themselves.
const GOLDEN: &str = "kw1:8beeb04882aa70fb766a3ab051301de40e6cb4f8e47b6968203984ef6bd3042d";

#[test]
fn hashing_on_one_thread_gives_the_same_tree() {
    let dir = golden_fixture();
    let small = Options {
        small: true,
        ..Options::default()
    };
    let pooled = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(digest_tree(dir.path(), &small).unwrap(), pooled);
    assert_eq!(pooled.digest, GOLDEN);
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("abs")).unwrap();
    assert!(matches!(
        digest_tree(dir.path(), &small),
        Err(DigestError::SymlinkAbsolute { .. })
    ));
}

#[test]
fn golden_vector_matches_the_spec() {
    let dir = golden_fixture();
    let mut enc = SpecEncoder::default();
    enc.dir("");
    enc.file("a.txt", false, b"hello\n");
    enc.dir("empty");
    enc.link("link", "sub/nested.txt");
    enc.file("run.sh", true, b"#!/bin/sh\necho hi\n");
    enc.dir("sub");
    enc.file("sub/.git", false, b"gitdir: ../elsewhere\n");
    enc.file("sub/nested.txt", false, b"nested");
    let expected = enc.finish();
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(tree.digest, expected);
    assert_eq!(tree.digest, GOLDEN);
    let paths: Vec<&str> = tree.entries.iter().map(|e| e.path.as_str()).collect();
    let order = [
        "",
        "a.txt",
        "empty",
        "link",
        "run.sh",
        "sub",
        "sub/.git",
        "sub/nested.txt",
    ];
    assert_eq!(paths, order);
    assert_eq!(tree.manifest, None);
}

#[test]
fn entries_describe_each_record() {
    let dir = golden_fixture();
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    let by_path = |p: &str| tree.entries.iter().find(|e| e.path == p).unwrap().clone();
    assert_eq!(by_path("run.sh").kind, EntryKind::File { exec: true });
    assert_eq!(by_path("a.txt").size, 6);
    assert_eq!(by_path("a.txt").sha256, to_hex(&Sha256::digest(b"hello\n")));
    let target = "sub/nested.txt".to_owned();
    assert_eq!(by_path("link").kind, EntryKind::Symlink { target });
    assert_eq!(by_path("empty").kind, EntryKind::Dir);
}

#[test]
fn manifest_bytes_are_the_hashed_bytes() {
    let dir = golden_fixture();
    let json = br#"{"name": "x", "version": "1", "run": ["./x"]}"#;
    write(dir.path(), MANIFEST_FILE, json, 0o644);
    write(dir.path(), "sub/instant.package.json", b"{}", 0o644);
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(tree.manifest.as_deref(), Some(&json[..]));
}

#[test]
fn oversized_manifest_is_captured_only_past_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b' '; 1 << 20];
    write(dir.path(), MANIFEST_FILE, &big, 0o644);
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    let kept = tree.manifest.unwrap();
    assert_eq!(kept.len(), crate::manifest::MAX_MANIFEST_BYTES + 1);
    assert_eq!(tree.entries[1].size, 1 << 20);
}

#[test]
fn copy_and_mtimes_do_not_change_the_digest() {
    let dir = golden_fixture();
    let before = digest(dir.path());
    let copy = tempfile::tempdir().unwrap();
    let dest = copy.path().join("pkg");
    run(Command::new("cp").arg("-a").arg(dir.path()).arg(&dest));
    assert_eq!(digest(&dest), before);
    for rel in ["a.txt", "run.sh", "sub", "sub/nested.txt", "empty"] {
        run(Command::new("touch")
            .args(["-d", "2001-02-03 04:05:06"])
            .arg(dest.join(rel)));
    }
    assert_eq!(digest(&dest), before);
}

#[test]
fn content_mode_and_names_change_the_digest() {
    let dir = golden_fixture();
    let root = dir.path();
    let mut seen = vec![digest(root)];
    let mut expect_new = |what: &str| {
        let d = digest(root);
        assert!(!seen.contains(&d), "{what} did not change the digest");
        seen.push(d);
    };
    fs::set_permissions(root.join("a.txt"), fs::Permissions::from_mode(0o744)).unwrap();
    expect_new("chmod +x");
    fs::create_dir(root.join("another-empty")).unwrap();
    expect_new("a new empty folder");
    fs::rename(root.join("a.txt"), root.join("b.txt")).unwrap();
    expect_new("a rename");
    fs::write(root.join("b.txt"), b"hellO\n").unwrap();
    expect_new("one changed byte");
}

#[test]
fn group_and_other_bits_are_ignored() {
    let dir = golden_fixture();
    let before = digest(dir.path());
    let path = dir.path().join("a.txt");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o611)).unwrap();
    assert_eq!(digest(dir.path()), before);
}

#[test]
fn one_file_differs_from_two() {
    let one = tempfile::tempdir().unwrap();
    write(one.path(), "f", b"foo\nbar", 0o644);
    let two = tempfile::tempdir().unwrap();
    write(two.path(), "f", b"foo", 0o644);
    write(two.path(), "g", b"bar", 0o644);
    assert_ne!(digest(one.path()), digest(two.path()));
    // Length prefixes keep names from running into each other.
    let ab = tempfile::tempdir().unwrap();
    write(ab.path(), "ab/c", b"", 0o644);
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "a/bc", b"", 0o644);
    assert_ne!(digest(ab.path()), digest(a.path()));
}

#[test]
fn nested_git_is_hashed_and_top_level_git_is_not() {
    let dir = golden_fixture();
    let before = digest(dir.path());
    write(dir.path(), ".git/objects/x", b"anything", 0o644);
    assert_eq!(digest(dir.path()), before);
    write(dir.path(), "sub/.git", b"changed", 0o644);
    assert_ne!(digest(dir.path()), before);
}

#[test]
fn top_level_git_that_is_not_a_real_folder_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "evil.sh", b"#!/bin/sh\n", 0o755);
    type Make = fn(&Path, &Path);
    let cases: [(&str, Make); 3] = [
        ("a symlink to `", |root, outside| {
            symlink(outside, root.join(".git")).unwrap()
        }),
        ("a symlink to `sub`", |root, _| {
            fs::create_dir(root.join("sub")).unwrap();
            symlink("sub", root.join(".git")).unwrap()
        }),
        ("a FIFO", |root, _| {
            run(Command::new("mkfifo").arg(root.join(".git")))
        }),
    ];
    for (what, make) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x", b"x", 0o644);
        make(dir.path(), outside.path());
        let err = digest_err(dir.path());
        let named = matches!(&err, DigestError::GitNotAFolder { path, what: w } if path == ".git" && w.starts_with(what));
        assert!(named, "{what}: {err}");
        let msg = err.to_string();
        assert!(msg.starts_with(".git: is "), "{msg}");
        assert!(msg.contains("not a folder") && msg.contains(" — "), "{msg}");
    }
    // A real folder is still left out, whatever it holds.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x", b"x", 0o644);
    let before = digest(dir.path());
    write(dir.path(), ".git/HEAD", b"ref: x\n", 0o644);
    symlink("/etc/passwd", dir.path().join(".git/abs")).unwrap();
    assert_eq!(digest(dir.path()), before);
}
#[test]
fn absolute_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
    let err = digest_err(dir.path());
    assert!(matches!(&err, DigestError::SymlinkAbsolute { path, .. } if path == "passwd"));
    assert!(err.to_string().contains("/etc/passwd"), "{err}");
}

#[test]
fn escaping_symlinks_are_refused() {
    for target in ["../x", "a/../../x", "./../x", "sub/../../.."] {
        let dir = tempfile::tempdir().unwrap();
        symlink(target, dir.path().join("link")).unwrap();
        let err = digest_err(dir.path());
        assert!(
            matches!(err, DigestError::SymlinkEscapes { .. }),
            "{target}: {err}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sub/deep/f", b"", 0o644);
    symlink("../x", dir.path().join("sub/up")).unwrap();
    symlink("a/../../f", dir.path().join("sub/deep/ok")).unwrap();
    symlink("missing", dir.path().join("dangling")).unwrap();
    digest_tree(dir.path(), &Options::default()).unwrap();
}

/// A tree of `(path, target)` symlinks plus a few real folders and files.
fn link_tree(links: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/main.rs", b"fn main() {}\n", 0o644);
    write(root, "sibling/f", b"f", 0o644);
    write(root, "sub/deeper/g", b"g", 0o644);
    write(root, "README", b"readme", 0o644);
    fs::create_dir_all(root.join("a/b")).unwrap();
    for (path, target) in links {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
    }
    dir
}

#[test]
fn symlink_escaping_through_another_symlink_is_refused() {
    // `a/b/up` is `a`, so three `..` from it leave the package although the target
    // stays inside on paper.
    let dir = link_tree(&[("a/b/up", ".."), ("esc", "a/b/up/../../../outside")]);
    assert!(!link_escapes("esc", "a/b/up/../../../outside"));
    let err = digest_err(dir.path());
    let through = matches!(&err, DigestError::SymlinkEscapesThrough { path, via, .. } if path == "esc" && via == "a/b/up");
    assert!(through, "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("esc: symlink target `a/b/up/../../../outside` leads outside the package through the symlink `a/b/up`"), "{msg}");

    // Through a chain: l1 -> l2 -> sub/up2 -> .. (the root), then `..`.
    let chain = [
        ("l1", "l2"),
        ("l2", "sub/up2"),
        ("sub/up2", ".."),
        ("x", "l1/../outside"),
    ];
    let err = digest_err(link_tree(&chain).path());
    let through = matches!(&err, DigestError::SymlinkEscapesThrough { path, via, .. } if path == "x" && via == "l1");
    assert!(through, "{err}");

    // A link that is itself fine but whose target's folder is reached through a link
    // deeper down.
    let deep = [("sub/up", ".."), ("sub/y", "up/../x")];
    let err = digest_err(link_tree(&deep).path());
    assert!(
        matches!(&err, DigestError::SymlinkEscapesThrough { path, .. } if path == "sub/y"),
        "{err}"
    );
}

#[test]
fn symlink_loops_and_overlong_chains_are_refused() {
    for links in [
        &[("ping", "pong"), ("pong", "ping")][..],
        &[("self", "self")],
        &[("x", "loop/f"), ("loop", "loop/inner")],
        &[("sub/p", "../q"), ("q", "sub/p/x")],
    ] {
        let err = digest_err(link_tree(links).path());
        assert!(
            matches!(err, DigestError::SymlinkLoop { .. }),
            "{links:?}: {err}"
        );
        assert!(err.to_string().contains("loop of symlinks"), "{err}");
    }
    // Linux follows at most 40 nested links; a chain of 41 could never be opened.
    let chain = |n: usize| {
        let names: Vec<String> = (0..=n).map(|i| format!("l{i:02}")).collect();
        let mut links: Vec<(String, String)> = names
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
        links.push((names[n].clone(), "README".to_owned()));
        links
    };
    let as_refs = |links: &[(String, String)]| -> Vec<(String, String)> { links.to_vec() };
    for (n, ok) in [(39, true), (41, false)] {
        let links = as_refs(&chain(n));
        let refs: Vec<(&str, &str)> = links
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let result = digest_tree(link_tree(&refs).path(), &Options::default());
        assert_eq!(result.is_ok(), ok, "a chain of {n}: {result:?}");
    }
}

#[test]
fn symlink_into_the_top_level_git_is_refused() {
    for (link, target) in [
        ("hook", ".git/hooks/pre-commit"),
        ("sub/up", "../.git"),
        ("via", "src/../.git/config"),
    ] {
        for with_git in [true, false] {
            let dir = link_tree(&[(link, target)]);
            if with_git {
                write(dir.path(), ".git/hooks/pre-commit", b"#!/bin/sh\n", 0o755);
            }
            let err = digest_err(dir.path());
            assert!(
                matches!(&err, DigestError::SymlinkIntoGit { path, .. } if path == link),
                "{link} -> {target}: {err}"
            );
        }
    }
    // A nested .git is code like any other, and so is a name that only starts so.
    let dir = link_tree(&[("n", "sub/.git"), ("g", ".github")]);
    write(dir.path(), "sub/.git", b"gitdir: x\n", 0o644);
    digest_tree(dir.path(), &Options::default()).unwrap();
}

#[test]
fn symlinks_inside_the_package_stay_accepted() {
    let links = [
        ("lib", "./src"),
        ("sub/x", "../sibling"),
        ("sub/deeper/back", "../../README"),
        ("main", "lib/main.rs"),
        // `lib/..` is the root, as the kernel resolves it: still inside.
        ("readme", "lib/../README"),
        ("c1", "c2"),
        ("c2", "c3/"),
        ("c3", "sub/deeper"),
        ("g", "c1/g"),
        ("dot", "."),
        ("sub/dots", "./.././sub//deeper/./g"),
        ("dangling", "missing/../README"),
        ("through-file", "README/x"),
    ];
    let dir = link_tree(&links);
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    let recorded = tree
        .entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Symlink { .. }))
        .count();
    assert_eq!(recorded, links.len());
}

#[test]
fn fifo_is_refused_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    run(Command::new("mkfifo").arg(dir.path().join("pipe")));
    let root = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(digest_tree(&root, &Options::default())));
    let result = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("digest hung on a FIFO");
    let err = result.unwrap_err();
    let is_fifo = matches!(&err, DigestError::SpecialFile { path, kind: SpecialKind::Fifo } if path == "pipe");
    assert!(is_fifo, "{err}");
    assert!(err.to_string().contains("FIFO"), "{err}");
}

#[test]
fn socket_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    let err = digest_err(dir.path());
    assert!(
        matches!(
            err,
            DigestError::SpecialFile {
                kind: SpecialKind::Socket,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn non_utf8_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"bad\xffname");
    fs::write(dir.path().join(name), b"").unwrap();
    let err = digest_err(dir.path());
    assert!(
        matches!(&err, DigestError::BadName { name, .. } if name == "bad\\xffname"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    symlink(OsStr::from_bytes(b"to\xfe"), dir.path().join("link")).unwrap();
    let err = digest_err(dir.path());
    let is_target = matches!(
        &err,
        DigestError::BadName {
            what: "symlink target",
            ..
        }
    );
    assert!(is_target, "{err}");
}

#[test]
fn control_character_in_name_is_refused() {
    for name in ["line\nbreak", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}"] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &format!("d/{name}"), b"", 0o644);
        let err = digest_err(dir.path());
        assert!(
            matches!(&err, DigestError::BadName { path, .. } if path.starts_with("d/")),
            "{err}"
        );
        assert!(!err.to_string().chars().any(|c| c.is_control()), "{err:?}");
    }
}

#[test]
fn file_appended_to_while_hashed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing");
    fs::write(&path, vec![7u8; 64 << 20]).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, started) = (stop.clone(), started.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
            // Bounded, so a broken test cannot fill the disk.
            for _ in 0..(256 << 20) / 4096 {
                file.write_all(&[1u8; 4096]).unwrap();
                started.store(true, Ordering::SeqCst);
                if stop.load(Ordering::SeqCst) {
                    break;
                }
            }
        })
    };
    while !started.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    let result = digest_tree(dir.path(), &Options::default());
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let err = result.unwrap_err();
    assert!(
        matches!(&err, DigestError::ChangedWhileHashing { path, .. } if path == "growing"),
        "{err}"
    );
}

#[test]
fn file_root_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f", b"", 0o644);
    let err = digest_err(&dir.path().join("f"));
    assert!(matches!(err, DigestError::NotADirectory { .. }), "{err}");
    let err = digest_err(&dir.path().join("missing"));
    assert!(matches!(err, DigestError::Io { .. }), "{err}");
}

#[test]
fn unreadable_file_is_an_io_error_naming_it() {
    if Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        return; // root reads anything: nothing to test
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret", b"x", 0o000);
    let err = digest_err(dir.path());
    assert!(
        matches!(&err, DigestError::Io { path, .. } if path == "secret"),
        "{err}"
    );
}

fn small(max_entries: usize, max_bytes: u64, max_depth: usize) -> Limits {
    Limits {
        max_entries,
        max_bytes,
        max_depth,
    }
}

#[test]
fn too_many_entries() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c", "d"] {
        write(dir.path(), name, b"", 0o644);
    }
    let opts = Options::default();
    digest_tree_with_limits(dir.path(), &opts, &small(5, 100, 8)).unwrap();
    let err = digest_tree_with_limits(dir.path(), &opts, &small(4, 100, 8)).unwrap_err();
    assert!(
        matches!(err, DigestError::TooManyEntries { limit: 4, .. }),
        "{err}"
    );
}

#[test]
fn entries_are_counted_while_a_folder_is_listed() {
    // `0/pipe` would be the first error found by visiting; the root's listing alone is
    // over the limit, so the walk stops before visiting anything.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("0")).unwrap();
    run(Command::new("mkfifo").arg(dir.path().join("0/pipe")));
    for i in 0..20 {
        write(dir.path(), &format!("f{i:02}"), b"", 0o644);
    }
    let opts = Options::default();
    let err = digest_tree_with_limits(dir.path(), &opts, &small(10, 100, 8)).unwrap_err();
    assert!(
        matches!(err, DigestError::TooManyEntries { limit: 10, .. }),
        "{err}"
    );

    // Entries listed in a folder further up count too: root, a, a/1..3, b, c is 7.
    let dir = tempfile::tempdir().unwrap();
    for rel in ["a/1", "a/2", "a/3", "b", "c"] {
        write(dir.path(), rel, b"", 0o644);
    }
    digest_tree_with_limits(dir.path(), &opts, &small(7, 100, 8)).unwrap();
    let err = digest_tree_with_limits(dir.path(), &opts, &small(6, 100, 8)).unwrap_err();
    assert!(
        matches!(err, DigestError::TooManyEntries { limit: 6, .. }),
        "{err}"
    );
}

#[test]
fn manifest_missing_says_why() {
    let missing = |dir: &Path| {
        digest_tree(dir, &Options::default())
            .unwrap()
            .manifest_missing
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real.json", b"{}", 0o644);
    assert_eq!(missing(dir.path()), Some(ManifestMissing::Absent));
    symlink("real.json", dir.path().join(MANIFEST_FILE)).unwrap();
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(tree.manifest, None);
    let target = "real.json".to_owned();
    assert_eq!(
        tree.manifest_missing,
        Some(ManifestMissing::Symlink { target })
    );
    fs::remove_file(dir.path().join(MANIFEST_FILE)).unwrap();
    fs::create_dir(dir.path().join(MANIFEST_FILE)).unwrap();
    assert_eq!(missing(dir.path()), Some(ManifestMissing::NotAFile));
    fs::remove_dir(dir.path().join(MANIFEST_FILE)).unwrap();
    write(dir.path(), MANIFEST_FILE, b"{}", 0o644);
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(
        (tree.manifest.as_deref(), tree.manifest_missing),
        (Some(&b"{}"[..]), None)
    );
    // Only the top-level one is the manifest.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &format!("sub/{MANIFEST_FILE}"), b"{}", 0o644);
    assert_eq!(missing(dir.path()), Some(ManifestMissing::Absent));
}

#[test]
fn folder_replaced_by_a_symlink_is_not_followed() {
    // The walk opens each folder relative to its parent without following links: a
    // symlink swapped in for a folder after the listing (here, without the race) makes
    // the open fail instead of leading the walk outside.
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret", b"s", 0o644);
    symlink(outside.path(), dir.path().join("d")).unwrap();
    let root = walk::open_root(dir.path()).unwrap();
    let err = walk::open_dir(std::os::fd::AsFd::as_fd(&root), "d", "d").unwrap_err();
    assert!(
        matches!(&err, DigestError::ChangedWhileHashing { path, .. } if path == "d"),
        "{err}"
    );
}

#[test]
fn too_deep() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1/2/3/4", b"", 0o644);
    let opts = Options::default();
    digest_tree_with_limits(dir.path(), &opts, &small(100, 100, 4)).unwrap();
    let err = digest_tree_with_limits(dir.path(), &opts, &small(100, 100, 3)).unwrap_err();
    assert!(
        matches!(&err, DigestError::TooDeep { path, limit: 3 } if path == "1/2/3/4"),
        "{err}"
    );
}

#[test]
fn default_depth_limit_is_reached_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deepest = vec!["d"; 256].join("/");
    fs::create_dir_all(dir.path().join(&deepest)).unwrap();
    let tree = digest_tree(dir.path(), &Options::default()).unwrap();
    assert_eq!(
        tree.entries.last().map(|e| e.path.as_str()),
        Some(deepest.as_str())
    );
    fs::create_dir(dir.path().join(&deepest).join("d")).unwrap();
    let err = digest_err(dir.path());
    assert!(
        matches!(err, DigestError::TooDeep { limit: 256, .. }),
        "{err}"
    );
}

#[test]
fn too_large() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a", &[0; 10], 0o644);
    write(dir.path(), "b", &[0; 10], 0o644);
    let opts = Options::default();
    digest_tree_with_limits(dir.path(), &opts, &small(100, 20, 8)).unwrap();
    let err = digest_tree_with_limits(dir.path(), &opts, &small(100, 19, 8)).unwrap_err();
    assert!(
        matches!(err, DigestError::TooLarge { limit: 19, .. }),
        "{err}"
    );
}

#[test]
fn default_limits_match_the_design() {
    assert_eq!(
        Limits::default(),
        small(200_000, 4 * 1024 * 1024 * 1024, 256)
    );
}

fn entry(path: &str, sha: &str) -> Entry {
    Entry {
        path: path.to_owned(),
        kind: EntryKind::File { exec: false },
        size: 1,
        sha256: sha.to_owned(),
    }
}

#[test]
fn diff_finds_added_removed_and_changed() {
    let old = [
        entry("a", "1"),
        entry("b", "1"),
        entry("c", "1"),
        entry("e", "1"),
    ];
    let mut exec = entry("e", "1");
    exec.kind = EntryKind::File { exec: true };
    let new = [entry("d", "1"), entry("c", "2"), entry("a", "1"), exec];
    let expected = vec![
        Change::Removed("b".into()),
        Change::Changed("c".into()),
        Change::Added("d".into()),
        Change::Changed("e".into()),
    ];
    assert_eq!(diff(&old, &new), expected);
    assert_eq!(diff(&new, &new), vec![]);
}

#[test]
fn diff_of_real_trees() {
    let dir = golden_fixture();
    let before = digest_tree(dir.path(), &Options::default()).unwrap();
    fs::remove_file(dir.path().join("link")).unwrap();
    symlink("a.txt", dir.path().join("link")).unwrap();
    write(dir.path(), "new/file", b"", 0o644);
    fs::remove_dir(dir.path().join("empty")).unwrap();
    let after = digest_tree(dir.path(), &Options::default()).unwrap();
    let expected = vec![
        Change::Removed("empty".into()),
        Change::Changed("link".into()),
        Change::Added("new".into()),
        Change::Added("new/file".into()),
    ];
    assert_eq!(diff(&before.entries, &after.entries), expected);
}

#[test]
fn errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    symlink("../../x", dir.path().join("up")).unwrap();
    let msg = digest_err(dir.path()).to_string();
    assert!(msg.starts_with("up: symlink target `../../x`"), "{msg}");
    assert!(msg.contains(" — "), "{msg}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Creation order, and hence directory order on disk, never matters.
    #[test]
    fn digest_ignores_creation_order(
        files in proptest::collection::btree_map("[a-c]{1,2}(/[a-c]{1,2}){0,2}", proptest::collection::vec(0u8..4, 0..16), 1..12),
        seed in 0u64..1000,
    ) {
        // A path that is also a folder of another path cannot be a file too.
        let files: Vec<_> = files.iter()
            .filter(|(p, _)| !files.keys().any(|q| q.starts_with(&format!("{p}/"))))
            .collect();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for (path, content) in &files {
            write(a.path(), path, content, 0o644);
        }
        let mut shuffled = files.clone();
        shuffled.rotate_left(seed as usize % files.len().max(1));
        shuffled.reverse();
        for (path, content) in &shuffled {
            write(b.path(), path, content, 0o644);
        }
        let da = digest_tree(a.path(), &Options::default()).unwrap();
        let db = digest_tree(b.path(), &Options::default()).unwrap();
        proptest::prop_assert_eq!(&da.digest, &db.digest);
        proptest::prop_assert!(diff(&da.entries, &db.entries).is_empty());
    }

    #[test]
    fn escape_check_matches_a_path_model(link in "([a-b]/){0,3}l", target in "(\\.\\.|\\.|[a-b])(/(\\.\\.|\\.|[a-b]|)){0,5}") {
        let mut depth: i64 = link.matches('/').count() as i64;
        let mut escaped = false;
        for part in target.split('/') {
            match part {
                ".." => depth -= 1,
                "" | "." => {}
                _ => depth += 1,
            }
            escaped |= depth < 0;
        }
        proptest::prop_assert_eq!(link_escapes(&link, &target), escaped);
    }
}
