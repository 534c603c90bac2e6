//! The verification cache of `run` (issue #11 item 5), attacked through the real binary:
//! every same-user way of changing a file is caught at the next run even with its
//! times set back, a shared mapping written after the record included; a row forged in
//! the vault file, or written by a token holder, is never trusted by the owner; files
//! younger than the racy margin are never served from the cache; `--rehash` reads
//! everything; and only trusted filesystems back the cache.

use std::fs::{self, File, FileTimes, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use crate::common::{TestEnv, stderr_of, write_package};

/// Files besides the manifest, run.sh and lib/util.sh: enough that the tree is not
/// "small" (which is always hashed in full).
const FILES: usize = 70;
/// The file every attack changes.
const TARGET: &str = "lib/f03";
/// Longer than the racy margin (2 s), so files written before it are recorded.
const SETTLE: Duration = Duration::from_millis(2300);

fn original(i: usize) -> Vec<u8> {
    format!("original content of file {i:02}, padded to a few bytes\n").into_bytes()
}

/// The same length as the original: size alone never tells.
fn forged() -> Vec<u8> {
    let mut bytes = original(3);
    bytes[0] = b'O';
    bytes
}

/// A package of `FILES + 3` files at `root/packages/DIR`, named `name`, requesting K.
fn big_package(env: &TestEnv, dir: &str, name: &str) -> PathBuf {
    let path = env.package_path(dir);
    write_package(&path, name, &["K"]);
    for i in 0..FILES {
        fs::write(path.join(format!("lib/f{i:02}")), original(i)).unwrap();
    }
    fs::canonicalize(path).unwrap()
}

fn install(env: &TestEnv, dir: &Path) {
    env.install_json(dir, &["--approve", "K"]);
}

/// `keyward -v run NAME [EXTRA]`: (exit code, stderr).
fn run(cmd: &mut assert_cmd::Command, name: &str, extra: &[&str]) -> (i32, String) {
    let out = cmd.args(["-v", "run", name]).args(extra).assert();
    let code = out.get_output().status.code().unwrap_or(-1);
    (code, stderr_of(&out))
}

/// (unchanged, hashed) from run's verbose line.
fn counts(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.contains("unchanged since the last verification"))
        .unwrap_or_else(|| panic!("no cache line in:\n{stderr}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[nums.len() - 2], nums[nums.len() - 1])
}

fn assert_caught(env: &TestEnv, name: &str, what: &str) {
    let (code, stderr) = run(&mut env.cmd(), name, &[]);
    assert_eq!(code, 125, "{what}: not caught:\n{stderr}");
    assert!(
        stderr.contains("error[package-changed]")
            && stderr.contains("changed since it was approved; its grants are revoked")
            && stderr.contains(TARGET),
        "{what}: {stderr}"
    );
    assert_eq!(
        env.listed(name).unwrap()["state"],
        "revoked: changed",
        "{what}"
    );
}

/// Sets mtime and atime of `path` to those in `meta` (what `touch -d`/utimes do).
fn set_times_back(path: &Path, meta: &fs::Metadata) {
    let times = FileTimes::new()
        .set_modified(meta.modified().unwrap())
        .set_accessed(meta.accessed().unwrap());
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_times(times)
        .unwrap();
}

/// A file outside the package with the forged content and the target's old times.
fn decoy(env: &TestEnv, tag: &str, meta: &fs::Metadata) -> PathBuf {
    let path = env.root().join(format!("decoy-{tag}"));
    fs::write(&path, forged()).unwrap();
    set_times_back(&path, meta);
    path
}

fn touch_d(path: &Path, meta: &fs::Metadata) {
    let stamp = format!("@{}.{:09}", meta.mtime(), meta.mtime_nsec());
    let ok = Command::new("touch")
        .args(["-m", "-d", &stamp])
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success());
}

type Attack = fn(&TestEnv, &Path, &fs::Metadata);

const ATTACKS: &[(&str, Attack)] = &[
    ("write in place", |_, f, m| {
        OpenOptions::new()
            .write(true)
            .open(f)
            .unwrap()
            .write_all(&forged())
            .unwrap();
        set_times_back(f, m);
    }),
    ("truncate and rewrite", |_, f, m| {
        let mut file = OpenOptions::new().write(true).open(f).unwrap();
        file.set_len(0).unwrap();
        file.write_all(&forged()).unwrap();
        drop(file);
        set_times_back(f, m);
    }),
    ("rename over", |env, f, m| {
        let tmp = f.with_file_name("f03.new");
        fs::write(&tmp, forged()).unwrap();
        set_times_back(&tmp, m);
        fs::rename(&tmp, f).unwrap();
        let _ = env;
    }),
    ("hard-link swap", |env, f, m| {
        let other = decoy(env, "link", m);
        fs::remove_file(f).unwrap();
        fs::hard_link(&other, f).unwrap();
        set_times_back(f, m);
    }),
    ("touch -d back to the old mtime", |_, f, m| {
        let mut bytes = fs::read(f).unwrap();
        bytes[1] ^= 0x20;
        fs::write(f, bytes).unwrap();
        touch_d(f, m);
    }),
    ("cp -p of a file with the old times", |env, f, m| {
        let other = decoy(env, "cp", m);
        let ok = Command::new("cp")
            .arg("-p")
            .arg(&other)
            .arg(f)
            .status()
            .unwrap();
        assert!(ok.success());
    }),
    (
        "delete and recreate (the inode number may be reused)",
        |_, f, m| {
            fs::remove_file(f).unwrap();
            fs::write(f, forged()).unwrap();
            set_times_back(f, m);
        },
    ),
];

/// A python3 process holding `path` in a shared writable mapping, writing one byte
/// at `offset` per line it reads on stdin, answering "ok" each time.
struct Mapper {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
}

const MAPPER: &str = r#"
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, os.fstat(fd).st_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
for line in sys.stdin:
    off = int(line)
    m[off:off + 1] = bytes([m[off] ^ 0x20])
    print("ok", flush=True)
"#;

impl Mapper {
    fn new(path: &Path) -> Mapper {
        let mut child = Command::new("python3")
            .args(["-c", MAPPER])
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let out = BufReader::new(child.stdout.take().unwrap());
        Mapper { child, out }
    }

    /// Stores to the mapping; no write(2), no utimes.
    fn store(&mut self, offset: usize) {
        writeln!(self.child.stdin.as_mut().unwrap(), "{offset}").unwrap();
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ok");
    }
}

impl Drop for Mapper {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[test]
fn an_unchanged_big_tree_is_verified_from_the_cache_and_rehash_reads_it_all() {
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let dir = big_package(&env, "big", "big");
    std::thread::sleep(SETTLE);
    install(&env, &dir);
    let all = FILES + 3;

    let (code, stderr) = run(&mut env.cmd(), "big", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(counts(&stderr), (0, all), "the first run hashes everything");
    assert!(stderr.contains("verification cache stored"), "{stderr}");

    let (code, stderr) = run(&mut env.cmd(), "big", &[]);
    assert_eq!(code, 0, "{stderr}");
    // Only the manifest is read: it is never taken from the cache.
    assert_eq!(counts(&stderr), (all - 1, 1), "{stderr}");
    assert!(
        !stderr.contains("verification cache stored"),
        "an unchanged run writes nothing: {stderr}"
    );

    let (code, stderr) = run(&mut env.cmd(), "big", &["--rehash"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        counts(&stderr),
        (0, all),
        "--rehash reads every file: {stderr}"
    );
}

/// Every same-user way of changing a file, each followed by setting its mtime and
/// atime back where the attack allows: the next run revokes, with the usual message.
#[test]
fn every_same_user_change_is_caught_even_with_the_times_set_back() {
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let mut pkgs = Vec::new();
    for (i, (what, _)) in ATTACKS.iter().enumerate() {
        let name = format!("attack-{i}");
        pkgs.push((name.clone(), big_package(&env, &name, &name), *what));
    }
    // The shared mapping: a page dirtied long before the record (its fault stamped the
    // file then), so that after the record only a fresh fault can stamp it again.
    let mapped = big_package(&env, "mmap", "mmap");
    let mut mapper = Mapper::new(&mapped.join(TARGET));
    mapper.store(0);
    std::thread::sleep(SETTLE);
    for (_, dir, _) in &pkgs {
        install(&env, dir);
    }
    install(&env, &mapped);
    let all = FILES + 3;
    for name in pkgs.iter().map(|p| p.0.as_str()).chain(["mmap"]) {
        let (code, stderr) = run(&mut env.cmd(), name, &[]);
        assert_eq!((code, counts(&stderr).0), (0, 0), "{name}: {stderr}");
        let (code, stderr) = run(&mut env.cmd(), name, &[]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            counts(&stderr),
            (all - 1, 1),
            "{name} is served from the cache"
        );
    }

    for ((name, dir, what), (_, attack)) in pkgs.iter().zip(ATTACKS) {
        let target = dir.join(TARGET);
        let meta = fs::metadata(&target).unwrap();
        attack(&env, &target, &meta);
        let now = fs::metadata(&target).unwrap();
        assert_eq!(now.len(), meta.len(), "{what}: same size");
        if *what != "cp -p of a file with the old times" {
            assert_eq!(now.mtime(), meta.mtime(), "{what}: mtime set back");
        }
        assert_ne!(fs::read(&target).unwrap(), original(3), "{what}");
        assert_caught(&env, name, what);
    }

    // A store to the page after the record: no write(2), no utimes. The record cleaned
    // and write-protected the page (syncfs), so the store faults and stamps the file.
    let before = fs::metadata(mapped.join(TARGET)).unwrap();
    mapper.store(1);
    drop(mapper);
    assert_ne!(fs::read(mapped.join(TARGET)).unwrap()[1], original(3)[1]);
    let after = fs::metadata(mapped.join(TARGET)).unwrap();
    // Without the sync the store stamps nothing, the entry matches, and this fails.
    assert_caught(&env, "mmap", "a store through a shared mapping");
    assert_ne!(
        (before.mtime(), before.mtime_nsec()),
        (after.mtime(), after.mtime_nsec()),
        "the store after the record updated the mtime"
    );
}

/// The hazard the sync defeats is real on this kernel: a store to a page that is
/// already dirty updates no time, so a cache recorded without cleaning pages first
/// would serve a stale hash.
#[test]
fn a_store_to_a_dirty_shared_page_updates_no_time() {
    let env = TestEnv::new();
    let path = env.root().join("mapped");
    fs::write(&path, original(0)).unwrap();
    let mut mapper = Mapper::new(&path);
    mapper.store(0);
    let first = fs::metadata(&path).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    mapper.store(1);
    let second = fs::metadata(&path).unwrap();
    assert_eq!(
        (first.mtime(), first.mtime_nsec(), first.ctime_nsec()),
        (second.mtime(), second.mtime_nsec(), second.ctime_nsec()),
        "a dirty page's second store went unnoticed by the times"
    );
}

/// A file whose times are within the racy margin of the run that hashed it is not
/// recorded: it is read again at every run until it settles.
#[test]
fn a_file_younger_than_the_racy_margin_is_never_served_from_the_cache() {
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let dir = big_package(&env, "racy", "racy");
    std::thread::sleep(SETTLE);
    // Written right before the install and the first run.
    fs::write(dir.join(TARGET), forged()).unwrap();
    let written = std::time::Instant::now();
    install(&env, &dir);
    let all = FILES + 3;
    let (code, stderr) = run(&mut env.cmd(), "racy", &[]);
    assert_eq!((code, counts(&stderr)), (0, (0, all)), "{stderr}");
    let (code, stderr) = run(&mut env.cmd(), "racy", &[]);
    assert_eq!(code, 0, "{stderr}");
    if written.elapsed() < Duration::from_millis(1900) {
        assert_eq!(
            counts(&stderr),
            (all - 2, 2),
            "the young file is read again"
        );
    } else {
        eprintln!("the machine is too slow to check the racy window in time; skipped");
    }
    // Changed again within the same window, same size, times set back: caught.
    let meta = fs::metadata(dir.join(TARGET)).unwrap();
    let mut bytes = forged();
    bytes[2] ^= 0x20;
    fs::write(dir.join(TARGET), bytes).unwrap();
    set_times_back(&dir.join(TARGET), &meta);
    assert_caught(&env, "racy", "a change within the racy window");
}

/// The entries of one installation's cache row: (path, byte offset of its stamp).
fn entries_of(env: &TestEnv, name: &str) -> (Vec<u8>, Vec<(String, usize)>) {
    let hex = env.sqlite(&format!(
        "SELECT hex(entries) FROM verify_cache WHERE installation_id = \
         (SELECT id FROM installations WHERE name = '{name}')"
    ));
    let blob: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(blob[0], 1, "format version");
    let mut at = 1;
    let mut out = Vec::new();
    while at < blob.len() {
        let len = u32::from_le_bytes(blob[at..at + 4].try_into().unwrap()) as usize;
        let path = String::from_utf8(blob[at + 4..at + 4 + len].to_vec()).unwrap();
        out.push((path, at + 4 + len));
        at += 4 + len + 40 + 32;
    }
    (blob, out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Someone who can write the vault file but holds no key rewrites the cache entry of a
/// file they modified to its new stat with the pinned hash. The row no longer verifies,
/// so it is ignored and the change is caught. Moving another installation's valid row
/// onto this one is ignored too.
#[test]
fn a_cache_row_forged_in_the_vault_file_is_never_trusted() {
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let dir = big_package(&env, "victim", "victim");
    let other = big_package(&env, "other", "other");
    std::thread::sleep(SETTLE);
    install(&env, &dir);
    install(&env, &other);
    for name in ["victim", "other"] {
        assert_eq!(run(&mut env.cmd(), name, &[]).0, 0);
    }

    // Another installation's row (valid MACs, same files) moved onto the victim.
    env.sqlite(
        "DELETE FROM verify_cache WHERE installation_id = (SELECT id FROM installations WHERE name = 'victim');
         UPDATE verify_cache SET installation_id = (SELECT id FROM installations WHERE name = 'victim'),
             digest = (SELECT digest FROM installations WHERE name = 'victim');",
    );
    let (code, stderr) = run(&mut env.cmd(), "victim", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(counts(&stderr).0, 0, "a moved row is ignored: {stderr}");
    assert!(stderr.contains("does not verify for you"), "{stderr}");
    assert_eq!(counts(&run(&mut env.cmd(), "victim", &[]).1).0, FILES + 2);

    // The forged entry.
    let target = dir.join(TARGET);
    let meta = fs::metadata(&target).unwrap();
    fs::write(&target, forged()).unwrap();
    set_times_back(&target, &meta);
    let now = fs::metadata(&target).unwrap();
    let (mut blob, entries) = entries_of(&env, "victim");
    let (_, at) = entries.iter().find(|(p, _)| p == TARGET).unwrap();
    let stamp = [
        now.dev(),
        now.ino(),
        now.len(),
        (now.mtime() * 1_000_000_000 + now.mtime_nsec()) as u64,
        (now.ctime() * 1_000_000_000 + now.ctime_nsec()) as u64,
    ];
    for (i, v) in stamp.iter().enumerate() {
        blob[at + i * 8..at + i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    env.sqlite(&format!(
        "UPDATE verify_cache SET entries = X'{}' WHERE installation_id = \
         (SELECT id FROM installations WHERE name = 'victim')",
        to_hex(&blob)
    ));
    assert_caught(&env, "victim", "a forged cache entry");
}

/// A token holder's run writes the cache with its RK MAC only; the owner does not use
/// that row (it hashes everything and writes its own), while holders use the owner's.
#[test]
fn a_cache_written_by_a_token_holder_is_not_trusted_by_the_owner() {
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let token = env.rotate_default_token();
    let dir = big_package(&env, "shared", "shared");
    std::thread::sleep(SETTLE);
    install(&env, &dir);
    let all = FILES + 3;
    let owner_mac_len = || {
        env.sqlite("SELECT length(owner_mac) FROM verify_cache")
            .trim()
            .to_owned()
    };

    assert_eq!(run(&mut env.token_cmd(&token), "shared", &[]).0, 0);
    assert_eq!(owner_mac_len(), "0", "a holder cannot make the owner MAC");
    let (code, stderr) = run(&mut env.token_cmd(&token), "shared", &[]);
    assert_eq!((code, counts(&stderr)), (0, (all - 1, 1)), "{stderr}");

    let (code, stderr) = run(&mut env.cmd(), "shared", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(counts(&stderr), (0, all), "the owner ignores it: {stderr}");
    assert!(stderr.contains("does not verify for you"), "{stderr}");
    assert_eq!(owner_mac_len(), "32");
    let (_, stderr) = run(&mut env.cmd(), "shared", &[]);
    assert_eq!(counts(&stderr), (all - 1, 1), "{stderr}");
    let (_, stderr) = run(&mut env.token_cmd(&token), "shared", &[]);
    assert_eq!(counts(&stderr), (all - 1, 1), "holders use the owner's row");
}

/// tmpfs is fenced (a dirty shared mapping there is never written back, so stores after
/// the record would stamp nothing), like FUSE, NFS and SMB (unit-tested by f_type): a
/// package there is hashed in full at every run and no cache is stored.
#[test]
fn a_package_on_tmpfs_is_always_hashed_in_full() {
    let shm = Path::new("/dev/shm");
    let is_tmpfs = Command::new("stat")
        .args(["-f", "-c", "%t"])
        .arg(shm)
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1021994");
    if !is_tmpfs {
        eprintln!("skipped: /dev/shm is not a tmpfs here");
        return;
    }
    let env = TestEnv::with_vault();
    env.set_secret("K", "value-of-k");
    let place = tempfile::Builder::new()
        .prefix("keyward-test.")
        .tempdir_in(shm)
        .unwrap();
    let dir = place.path().join("pkg");
    write_package(&dir, "ontmpfs", &["K"]);
    for i in 0..FILES {
        fs::write(dir.join(format!("lib/f{i:02}")), original(i)).unwrap();
    }
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in fs::read_dir(dir.join("lib")).unwrap() {
        let f = File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        f.set_times(FileTimes::new().set_modified(old)).unwrap();
    }
    std::thread::sleep(SETTLE);
    install(&env, &dir);
    for _ in 0..2 {
        let (code, stderr) = run(&mut env.cmd(), "ontmpfs", &[]);
        assert_eq!((code, counts(&stderr)), (0, (0, FILES + 3)), "{stderr}");
    }
    assert_eq!(env.sqlite("SELECT count(*) FROM verify_cache").trim(), "0");
}
