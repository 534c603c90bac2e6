//! The `kw1` package digest through the CLI: a golden vector computed in the test from
//! DESIGN.md's encoding (`common::kw1_digest`), what changes it and what does not, and
//! the trees `install` refuses (exit 1, naming the path) without opening or hanging.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use crate::common::{TestEnv, kw1_digest, stderr_of};

/// The digest of [`build_fixture`]'s tree, as computed by `kw1_digest` and by
/// [`by_hand`] (and, when this test was written, by a separate Python script) from
/// DESIGN.md: pins the encoders too, so that the CLI and the test cannot drift together.
const GOLDEN: &str = "kw1:f6237ba51648194676fd23298550c5d9644259cf885dfd339ca7ba934c51ab1f";

const MANIFEST: &str = r#"{"name": "@acme/golden", "version": "1.0.0", "run": ["./run.sh"]}"#;

/// A package with a file, an executable, nested folders, an empty folder, relative
/// symlinks, names whose byte order differs from path order (`lib` < `lib-x.txt` <
/// `lib.txt`, `B.txt` < `empty`), a nested `.git` file (code) and a top-level `.git`
/// folder (left out).
fn build_fixture(dir: &Path) {
    let file = |rel: &str, content: &str| {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    };
    file("instant.package.json", MANIFEST);
    file("hello.txt", "hello, keyward\n");
    file("run.sh", "#!/bin/sh\necho hi\n");
    fs::set_permissions(dir.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    file("B.txt", "upper case sorts before lower case\n");
    file("lib/util.py", "print('util')\n");
    file("lib/sub/deep.txt", "deep\n");
    file(
        "lib/.git",
        "gitdir: only the top-level .git folder is left out\n",
    );
    file("lib-x.txt", "after every lib/ record\n");
    file("lib.txt", "after lib-x.txt\n");
    fs::create_dir(dir.join("empty")).unwrap();
    symlink("lib/util.py", dir.join("link")).unwrap();
    symlink("../hello.txt", dir.join("lib/up")).unwrap();
    file(".git/HEAD", "ref: refs/heads/main\n");
    fs::create_dir_all(dir.join(".git/objects")).unwrap();
}

/// One record of DESIGN.md's encoding, for [`by_hand`].
enum Rec<'a> {
    D(&'a str),
    F(&'a str),
    L(&'a str, &'a str),
}

/// The fixture's digest from its records listed by hand in the documented order
/// (pre-order, each folder's entries in byte order of their names), reading only file
/// contents and modes from disk: checks the order `kw1_digest` derives by walking.
fn by_hand(dir: &Path) -> String {
    use Rec::{D, F, L};
    use sha2::{Digest, Sha256};
    let records = [
        D(""),
        F("B.txt"),
        D("empty"),
        F("hello.txt"),
        F("instant.package.json"),
        D("lib"),
        F("lib/.git"),
        D("lib/sub"),
        F("lib/sub/deep.txt"),
        L("lib/up", "../hello.txt"),
        F("lib/util.py"),
        F("lib-x.txt"),
        F("lib.txt"),
        L("link", "lib/util.py"),
        F("run.sh"),
    ];
    let lp = |h: &mut Sha256, b: &[u8]| {
        h.update((b.len() as u32).to_be_bytes());
        h.update(b);
    };
    let mut h = Sha256::new();
    h.update(b"keyward-tree-v1\0");
    for rec in &records {
        match rec {
            D(path) => {
                h.update(b"D");
                lp(&mut h, path.as_bytes());
            }
            F(path) => {
                let content = fs::read(dir.join(path)).unwrap();
                let mode = fs::metadata(dir.join(path)).unwrap().permissions().mode();
                h.update(b"F");
                lp(&mut h, path.as_bytes());
                h.update([u8::from(mode & 0o100 != 0)]);
                h.update((content.len() as u64).to_be_bytes());
                h.update(Sha256::digest(&content));
            }
            L(path, target) => {
                h.update(b"L");
                lp(&mut h, path.as_bytes());
                lp(&mut h, target.as_bytes());
            }
        }
    }
    h.update(b"E");
    h.update((records.len() as u64).to_be_bytes());
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("kw1:{hex}")
}

/// The fixture at `root/packages/NAME`.
fn fixture(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.package_path(name);
    fs::create_dir_all(&dir).unwrap();
    build_fixture(&dir);
    dir
}

/// `cp -a FROM TO`.
fn cp_a(from: &Path, to: &Path) {
    let status = StdCommand::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success(), "cp -a");
}

/// The digest `install --yes --json` reports for `dir`.
fn cli_digest(env: &TestEnv, dir: &Path) -> String {
    let report = env.install_json(dir, &[]);
    report["digest"].as_str().expect("a digest").to_owned()
}

/// Asserts `install DIR --yes` exits 1 naming `path` and saying `what`; nothing is
/// installed.
fn refused(env: &TestEnv, dir: &Path, path: &str, what: &str) {
    let assert = env
        .cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .code(1)
        .stdout("");
    let stderr = stderr_of(&assert);
    assert!(
        stderr.starts_with(&format!("keyward: error[package-files]: {path}: ")),
        "the error names {path}: {stderr}"
    );
    assert!(stderr.contains(what), "{what:?}: {stderr}");
    assert!(env.listed_names().is_empty(), "nothing was installed");
}

/// A package with a valid manifest and nothing else, at `root/packages/NAME`.
fn bare_package(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.package_path(name);
    crate::common::write_manifest(&dir, MANIFEST);
    dir
}

#[test]
fn digest_golden_vector_matches_an_independent_encoder() {
    let env = TestEnv::with_vault();
    let dir = fixture(&env, "golden");
    assert_eq!(by_hand(&dir), GOLDEN, "records listed by hand");
    assert_eq!(kw1_digest(&dir), GOLDEN, "the test's walking encoder");

    let report = env.install_json(&dir, &[]);
    assert_eq!(report["digest"], GOLDEN, "{report}");
    let doc = env.inspect_json("@acme/golden");
    assert_eq!(doc["pinned_digest"], GOLDEN);
    assert_eq!(doc["current_digest"], GOLDEN);
    assert_eq!(doc["matches"], true);
    let listed = env.listed("@acme/golden").unwrap();
    assert_eq!(listed["digest"], GOLDEN);
}

#[test]
fn digest_is_unchanged_by_cp_a_touch_and_other_mode_bits() {
    let env = TestEnv::with_vault();
    let dir = fixture(&env, "golden");
    let copy = env.package_path("copy");
    cp_a(&dir, &copy);
    assert_eq!(cli_digest(&env, &copy), GOLDEN, "after cp -a");

    let status = StdCommand::new("find")
        .arg(&copy)
        .args([
            "-exec",
            "touch",
            "-h",
            "-d",
            "2001-02-03 04:05:06",
            "{}",
            "+",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        cli_digest(&env, &copy),
        GOLDEN,
        "after touch -d of everything"
    );

    // Only the owner's execute bit counts.
    for (rel, mode) in [
        ("hello.txt", 0o600),
        ("B.txt", 0o666),
        ("run.sh", 0o700),
        ("lib", 0o700),
        ("lib/util.py", 0o640),
    ] {
        fs::set_permissions(copy.join(rel), fs::Permissions::from_mode(mode)).unwrap();
    }
    assert_eq!(cli_digest(&env, &copy), GOLDEN, "after chmod of other bits");
}

#[test]
fn digest_changes_with_exec_bit_empty_folder_rename_and_one_byte() {
    let env = TestEnv::with_vault();
    let dir = fixture(&env, "golden");
    type Change = fn(&Path);
    let changes: [(&str, Change); 7] = [
        ("chmod u+x hello.txt", |d| {
            fs::set_permissions(d.join("hello.txt"), fs::Permissions::from_mode(0o744)).unwrap()
        }),
        ("chmod u-x run.sh", |d| {
            fs::set_permissions(d.join("run.sh"), fs::Permissions::from_mode(0o655)).unwrap()
        }),
        ("mkdir lib/sub/empty", |d| {
            fs::create_dir(d.join("lib/sub/empty")).unwrap()
        }),
        ("mv B.txt C.txt", |d| {
            fs::rename(d.join("B.txt"), d.join("C.txt")).unwrap()
        }),
        ("mv lib/sub lib/sub2", |d| {
            fs::rename(d.join("lib/sub"), d.join("lib/sub2")).unwrap()
        }),
        ("one byte of lib/util.py", |d| {
            fs::write(d.join("lib/util.py"), "print('utiL')\n").unwrap()
        }),
        ("retarget link", |d| {
            fs::remove_file(d.join("link")).unwrap();
            symlink("lib/sub/deep.txt", d.join("link")).unwrap();
        }),
    ];
    let mut seen = vec![GOLDEN.to_owned()];
    for (i, (what, change)) in changes.iter().enumerate() {
        let copy = env.package_path(&format!("changed-{i}"));
        cp_a(&dir, &copy);
        change(&copy);
        let digest = cli_digest(&env, &copy);
        assert_eq!(
            digest,
            kw1_digest(&copy),
            "{what}: the CLI agrees with DESIGN.md"
        );
        assert!(!seen.contains(&digest), "{what} changes the digest");
        seen.push(digest);
    }
}

#[test]
fn digest_ignores_only_the_top_level_git_folder() {
    let env = TestEnv::with_vault();
    let dir = fixture(&env, "golden");
    fs::write(dir.join(".git/HEAD"), "ref: refs/heads/other\n").unwrap();
    fs::write(dir.join(".git/objects/new"), "object").unwrap();
    assert_eq!(cli_digest(&env, &dir), GOLDEN, "top-level .git is left out");

    fs::write(dir.join("lib/.git"), "gitdir: changed\n").unwrap();
    let digest = cli_digest(&env, &dir);
    assert_ne!(digest, GOLDEN, "a nested .git is code");
    assert_eq!(digest, kw1_digest(&dir));
}

#[test]
fn digest_refuses_symlink_to_etc_passwd() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "abs-link");
    fs::create_dir(dir.join("conf")).unwrap();
    symlink("/etc/passwd", dir.join("conf/passwd")).unwrap();
    refused(
        &env,
        &dir,
        "conf/passwd",
        "symlink target `/etc/passwd` is absolute",
    );
}

#[test]
fn digest_refuses_symlink_leaving_the_package() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "up-link");
    symlink("../x", dir.join("up")).unwrap();
    refused(
        &env,
        &dir,
        "up",
        "symlink target `../x` leads outside the package",
    );

    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "nested-up-link");
    fs::create_dir_all(dir.join("a/b")).unwrap();
    symlink("../../../x", dir.join("a/b/up")).unwrap();
    refused(&env, &dir, "a/b/up", "leads outside the package");

    // Lexically: climbing out and back in still leaves the tree on the way.
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "round-trip");
    fs::write(dir.join("x"), "x").unwrap();
    symlink("../round-trip/x", dir.join("back")).unwrap();
    refused(&env, &dir, "back", "leads outside the package");
}

#[test]
fn digest_refuses_fifo_without_hanging() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "fifo");
    let status = StdCommand::new("mkfifo")
        .arg(dir.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo");
    // The harness's timeout fails the test if keyward opens the FIFO and blocks.
    refused(&env, &dir, "pipe", "is a FIFO (named pipe)");
}

#[test]
fn digest_refuses_socket() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "socket");
    let _listener = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    refused(&env, &dir, "sock", "is a socket");
}

#[test]
fn digest_refuses_non_utf8_file_name() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "latin1");
    fs::create_dir(dir.join("src")).unwrap();
    fs::write(dir.join("src").join(OsStr::from_bytes(b"caf\xe9.txt")), "x").unwrap();
    refused(&env, &dir, "src/caf\\xe9.txt", "is not valid UTF-8");
}

#[test]
fn digest_refuses_control_character_in_file_name() {
    let env = TestEnv::with_vault();
    let dir = bare_package(&env, "newline");
    fs::write(dir.join("a\nb"), "x").unwrap();
    refused(&env, &dir, "a\\nb", "contains a control character");
}

/// Asserts `keyward digest DIR` exits 1 naming `path` and saying `what`.
fn digest_refused(env: &TestEnv, dir: &Path, path: &str, what: &str) {
    let assert = env
        .cmd()
        .args(["digest", dir.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout("");
    let stderr = stderr_of(&assert);
    assert!(
        stderr.starts_with(&format!("keyward: error[package-files]: {path}: ")),
        "the error names {path}: {stderr}"
    );
    assert!(stderr.contains(what), "{what:?}: {stderr}");
}

/// `keyward digest DIR`'s output, which must be a kw1 digest.
fn digest_of(env: &TestEnv, dir: &Path) -> String {
    let assert = env
        .cmd()
        .args(["digest", dir.to_str().unwrap()])
        .assert()
        .success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    out.trim_end().to_owned()
}

#[test]
fn digest_refuses_symlink_escaping_through_another_symlink() {
    let env = TestEnv::new();
    let dir = bare_package(&env, "double-hop");
    fs::create_dir_all(dir.join("a/b")).unwrap();
    symlink("..", dir.join("a/b/up")).unwrap();
    symlink("a/b/up/../../../outside", dir.join("esc")).unwrap();
    digest_refused(
        &env,
        &dir,
        "esc",
        "symlink target `a/b/up/../../../outside` leads outside the package through the \
         symlink `a/b/up`",
    );
}

#[test]
fn digest_refuses_symlink_loop_without_hanging() {
    let env = TestEnv::new();
    let dir = bare_package(&env, "loop");
    symlink("pong", dir.join("ping")).unwrap();
    symlink("ping", dir.join("pong")).unwrap();
    // The harness's timeout fails the test if the resolver goes round forever.
    digest_refused(&env, &dir, "ping", "goes round a loop of symlinks");
}

#[test]
fn digest_accepts_symlinks_that_stay_inside() {
    let env = TestEnv::new();
    let dir = bare_package(&env, "inside-links");
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::create_dir_all(dir.join("sub/sibling")).unwrap();
    fs::create_dir_all(dir.join("sub/pkg")).unwrap();
    fs::write(dir.join("src/main.py"), "print('hi')\n").unwrap();
    symlink("./src", dir.join("lib")).unwrap();
    symlink("../sibling", dir.join("sub/pkg/x")).unwrap();
    symlink("lib/../src/main.py", dir.join("main")).unwrap();
    assert_eq!(digest_of(&env, &dir), kw1_digest(&dir));
}

#[test]
fn digest_refuses_top_level_git_that_is_not_a_folder() {
    let env = TestEnv::new();
    let outside = env.package_path("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    let dir = bare_package(&env, "git-link");
    symlink(&outside, dir.join(".git")).unwrap();
    let what = format!("is a symlink to `{}`, not a folder", outside.display());
    digest_refused(&env, &dir, ".git", &what);
}

#[test]
fn a_symlinked_manifest_is_refused_saying_what_it_is() {
    let env = TestEnv::with_vault();
    let dir = env.root().join("linked");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("real.json"),
        crate::common::manifest_json("linked", &[]),
    )
    .unwrap();
    symlink("real.json", dir.join("instant.package.json")).unwrap();
    let out = env
        .cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .code(1);
    let err = crate::common::stderr_of(&out);
    assert!(err.contains("error[no-manifest]"), "{err}");
    assert!(err.contains("is a symlink (to `real.json`)"), "{err}");
}

#[test]
fn a_git_file_is_hashed_like_any_file() {
    let env = TestEnv::new();
    let dir = env.root().join("worktree");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a"), "a").unwrap();
    let digest = |env: &TestEnv| {
        let out = env.cmd().args(["digest"]).arg(&dir).assert().success();
        crate::common::stdout_of(&out)
    };
    std::fs::write(dir.join(".git"), "gitdir: /elsewhere\n").unwrap();
    let first = digest(&env);
    std::fs::write(dir.join(".git"), "gitdir: /other\n").unwrap();
    assert_ne!(
        first,
        digest(&env),
        "editing a .git file must change the digest"
    );
}
