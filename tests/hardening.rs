//! Start-up hardening ("a package reads its parent"): with masking on keyward stays the
//! parent of the package it runs, holding the master key (or a token) in its
//! environment and decrypted values in its memory. keyward makes itself non-dumpable
//! and sets its core size limit to 0 before it reads anything, so the package (or any
//! other process of the same user) cannot read `/proc/$PPID/environ` or `mem`, cannot
//! ptrace-attach, and `kill -ABRT $PPID` dumps no core.
//!
//! Linux shows no "Dumpable" field in `/proc/PID/status`; these tests observe what it
//! governs instead. As root (CI), keyward runs either as `nobody` or as root with no
//! capability at all: either way its peers (the package, another process of the same
//! credentials) are in the position of an ordinary user, and each refusal is checked
//! against a control, a dumpable process with the same credentials that they *can*
//! read. As any other user the tests run as that user.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::pkg::{contains_bytes, wait_for_file, wait_with_deadline, write_file};
use crate::common::{TIMEOUT, TestEnv, keyward_bin, run_no_stdin};
use crate::users::{NOBODY, is_root};

/// The package: looks at its parent the way an attacker would, writes what it found
/// to OUT (one `name=result` line each, the whole file at once), waits for RELEASE,
/// then sends its parent SIGABRT.
const PROBE_PY: &str = r#"
import ctypes, errno, os, signal, subprocess, sys, time

out, release = sys.argv[1], sys.argv[2]
ppid = os.getppid()
lines = ["ppid=%d" % ppid]

def attempt(name, action):
    try:
        action()
        lines.append(name + "=ok")
    except OSError as e:
        lines.append(name + "=" + errno.errorcode.get(e.errno, str(e.errno)))

def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        f.read()

def environ():
    environ_of(ppid)

# The control: a dumpable process with the same credentials (a child of the probe)
# has an environ the probe can read, so a refusal for keyward is keyward's own doing.
sibling = subprocess.Popen(["sleep", "30"])
time.sleep(0.05)
attempt("control_environ", lambda: environ_of(sibling.pid))
sibling.kill()
sibling.wait()

def mem():
    # Opening is the permission check (reading offset 0 would fail with EIO anyway).
    open("/proc/%d/mem" % ppid, "rb").close()

def ptrace():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    if libc.ptrace(16, ppid, None, None) != 0:  # PTRACE_ATTACH
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    os.waitpid(ppid, 0x40000000)  # __WALL: the attach stop
    libc.ptrace(17, ppid, None, None)  # PTRACE_DETACH

attempt("environ", environ)
attempt("mem", mem)
attempt("ptrace", ptrace)

with open(out + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.rename(out + ".tmp", out)

deadline = time.time() + 60
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.02)
os.kill(ppid, signal.SIGABRT)
"#;

/// Who keyward (and so the package) runs as.
#[derive(Clone, Copy, PartialEq)]
enum As {
    /// root without capabilities (the current user when not root).
    Capless,
    /// `nobody` through setpriv (the current user when not root).
    Nobody,
}

/// A vault holding a secret granted to no one, and a package `probe` granted nothing
/// at all (the attack needs no grant).
struct Setup {
    env: TestEnv,
    /// keyward's working folder, writable by the user keyward runs as: a core dump
    /// (core_pattern `core`) would land here.
    cwd: PathBuf,
    who: As,
}

impl Setup {
    fn new(who: As) -> Self {
        let mut env = TestEnv::new();
        let pkg = env.write_package(
            "probe",
            &json!({"name": "probe", "version": "1", "run": ["python3", "./probe.py"]}),
        );
        write_file(&pkg, "probe.py", PROBE_PY, false);
        let cwd = env.root().join("cwd");
        fs::create_dir(&cwd).unwrap();
        if who == As::Nobody && is_root() {
            // The temp dir is 0700 root: hand all of it over, then make the vault.
            env.unprivileged_bin();
            fs::set_permissions(env.root(), fs::Permissions::from_mode(0o755)).unwrap();
            env.give_to_unprivileged_user();
            let key = env.unprivileged_ok(&["init", "--backend", "env"], &cwd);
            env.set_master_key(key);
            let mut set = env.unprivileged(env.unprivileged_bin());
            set.args(["secret", "set", "OTHER_KEY", "--from-env", "SOURCE"])
                .env("SOURCE", "a-value-granted-to-no-one");
            let out = run_no_stdin(&mut set);
            assert!(out.status.success(), "{out:?}");
            env.unprivileged_ok(&["install", pkg.to_str().unwrap(), "--yes"], &cwd);
        } else {
            env.init_env_backend();
            env.set_secret("OTHER_KEY", "a-value-granted-to-no-one");
            env.install(None, &pkg, &[]);
        }
        Setup { env, cwd, who }
    }

    /// `PROGRAM` as [`Setup::who`].
    fn as_who(&self, program: impl AsRef<std::ffi::OsStr>) -> StdCommand {
        match self.who {
            As::Capless => self.env.capless(program),
            As::Nobody => self.env.unprivileged(program),
        }
    }
}

/// What the probe found, and what the test itself saw of keyward while it ran.
struct Probe {
    results: Vec<(String, String)>,
    keyward_pid: u32,
    /// keyward's `/proc/PID/limits`.
    limits: String,
    /// keyward's `/proc/PID/status`.
    status: String,
    /// The owner uid of keyward's `/proc/PID/environ` (root for a non-dumpable task).
    environ_owner: u32,
    /// keyward's `/proc/PID/environ` as the test's own user reads it (root: it can).
    environ_seen_by_test: Option<Vec<u8>>,
}

impl Probe {
    fn get(&self, name: &str) -> &str {
        self.results
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("the probe reported no {name}: {:?}", self.results))
    }
}

/// Runs `keyward run probe` (masked) as [`Setup::who`], with the soft core limit
/// raised to the hard one (as root: unlimited), so that only keyward's own hardening
/// can keep a core from being written; collects what the probe and the test see; lets
/// the probe SIGABRT keyward; checks that keyward died of it without dumping a core.
fn probe(s: &Setup) -> Probe {
    let out = s.env.root().join("probe.out");
    let release = s.env.root().join("probe.release");
    // sh raises the limit (while still root, when root) and execs keyward, through
    // setpriv when root: one pid throughout.
    let inner = match s.who {
        As::Nobody => s.as_who(s.env.unprivileged_bin()),
        As::Capless => s.as_who(keyward_bin()),
    };
    let mut cmd = s.env.std_cmd("sh");
    cmd.arg("-c")
        .arg("ulimit -c \"$(ulimit -H -c)\" && exec \"$@\"")
        .arg("sh")
        .arg(inner.get_program())
        .args(inner.get_args());
    let mut child = cmd
        .args(["run", "probe", "--"])
        .args([&out, &release])
        .current_dir(&s.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn keyward run probe");
    let text = wait_for_file(&out, &mut child);
    let keyward_pid = child.id();
    let proc_file = |name: &str| format!("/proc/{keyward_pid}/{name}");
    let limits = fs::read_to_string(proc_file("limits")).unwrap();
    let status = fs::read_to_string(proc_file("status")).unwrap();
    let environ_owner = fs::metadata(proc_file("environ")).unwrap().uid();
    let environ_seen_by_test = fs::read(proc_file("environ")).ok();
    fs::write(&release, "").unwrap();
    let exit = wait_with_deadline(&mut child, "keyward run probe");
    let results: Vec<(String, String)> = text
        .lines()
        .map(|l| {
            let (n, v) = l.split_once('=').expect("name=result");
            (n.to_owned(), v.to_owned())
        })
        .collect();
    let probe = Probe {
        results,
        keyward_pid,
        limits,
        status,
        environ_owner,
        environ_seen_by_test,
    };
    assert_eq!(
        probe.get("ppid"),
        keyward_pid.to_string(),
        "masked: keyward is the package's parent"
    );
    assert_eq!(
        exit.signal(),
        Some(rustix::process::Signal::ABORT.as_raw()),
        "the probe's SIGABRT ended keyward: {exit}"
    );
    assert!(
        !exit.core_dumped(),
        "keyward dumped a core on SIGABRT (a core holds the master key and decrypted values)"
    );
    let cores: Vec<_> = fs::read_dir(&s.cwd)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("core"))
        .collect();
    assert!(
        cores.is_empty(),
        "core files in keyward's folder: {cores:?}"
    );
    probe
}

/// `Max core file size` of a `/proc/PID/limits` text: (soft, hard).
fn core_limit(limits: &str) -> (String, String) {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core line in {limits}"));
    let mut words = line["Max core file size".len()..].split_whitespace();
    (
        words.next().unwrap().to_owned(),
        words.next().unwrap().to_owned(),
    )
}

fn status_field<'a>(status: &'a str, field: &str) -> &'a str {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// What holds for keyward as any peer sees it, whoever it runs as.
fn assert_hardened(p: &Probe) {
    assert_eq!(
        core_limit(&p.limits),
        ("0".to_owned(), "0".to_owned()),
        "keyward's RLIMIT_CORE (soft, hard) in /proc/{}/limits, though started with the \
         soft limit raised to the hard one",
        p.keyward_pid
    );
    assert_eq!(
        p.get("control_environ"),
        "ok",
        "the control: the probe reads the environ of its own dumpable child"
    );
    assert_eq!(
        p.get("environ"),
        "EACCES",
        "cat /proc/$PPID/environ from the package"
    );
    assert_eq!(
        p.get("mem"),
        "EACCES",
        "open /proc/$PPID/mem from the package"
    );
    assert_eq!(
        p.get("ptrace"),
        "EPERM",
        "PTRACE_ATTACH to $PPID from the package"
    );
}

#[test]
fn masked_run_parent_is_not_dumpable_and_its_core_limit_is_0() {
    let s = Setup::new(As::Capless);
    let p = probe(&s);
    assert_hardened(&p);
}

#[test]
fn package_run_as_nobody_cannot_read_its_parents_environ_or_mem_nor_ptrace_it() {
    let s = Setup::new(As::Nobody);
    let p = probe(&s);
    assert_hardened(&p);
    if is_root() {
        assert_eq!(
            status_field(&p.status, "Uid:").split_whitespace().next(),
            Some(NOBODY.to_string().as_str()),
            "keyward ran as nobody"
        );
        // The kernel hands a non-dumpable task's /proc files to root.
        assert_eq!(
            p.environ_owner, 0,
            "owner of /proc/{}/environ (keyward runs as {NOBODY})",
            p.keyward_pid
        );
        // What the package was kept from: keyward's environment holds the master key.
        let environ = p.environ_seen_by_test.as_ref().expect("root reads it");
        let needle = format!("KEYWARD_MASTER_KEY={}", s.env.master_key());
        assert!(
            contains_bytes(environ, needle.as_bytes()),
            "keyward's environ holds the master key (what the package must not read)"
        );
    }
}

/// Every command, not only `run`: `secret set --stdin` blocked reading its value is
/// already hardened: a peer with its credentials cannot read its environ (the master
/// key) while it can read a dumpable control's, and its core limit is 0.
#[test]
fn a_command_waiting_for_its_input_is_already_hardened() {
    let env = TestEnv::with_vault();
    let mut child = env
        .capless(keyward_bin())
        .args(["secret", "set", "WAITING_KEY", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let limits = wait_until_blocked(&mut child, pid);
    let peer = peer_reads_environ(&env, pid);
    let mut control = env
        .capless("sleep")
        .arg("30")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(50));
    let control_read = peer_reads_environ(&env, control.id());
    let _ = control.kill();
    let _ = control.wait();
    drop(child.stdin.take()); // EOF: an empty value, refused or stored, either way it ends
    let _ = wait_with_deadline(&mut child, "keyward secret set");
    assert_eq!(
        control_read,
        Ok(()),
        "the control: a dumpable peer's environ"
    );
    assert!(
        peer.as_ref()
            .is_err_and(|e| e.contains("Permission denied")),
        "a peer reading /proc/PID/environ of `secret set` waiting for stdin: {peer:?}"
    );
    assert_eq!(core_limit(&limits), ("0".to_owned(), "0".to_owned()));
}

/// `cat /proc/PID/environ` run as a capability-less peer: Ok, or cat's error.
fn peer_reads_environ(env: &TestEnv, pid: u32) -> Result<(), String> {
    let out = run_no_stdin(
        env.capless("cat")
            .arg(format!("/proc/{pid}/environ"))
            .stdout(Stdio::null()),
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Polls `/proc/PID` until the process is the keyward binary (after exec), asleep in
/// two polls 50 ms apart (blocked reading stdin, past start-up); returns its limits.
fn wait_until_blocked(child: &mut Child, pid: u32) -> String {
    let deadline = Instant::now() + TIMEOUT;
    let bin = fs::canonicalize(keyward_bin()).unwrap();
    let mut asleep = 0;
    loop {
        let exe = fs::read_link(format!("/proc/{pid}/exe")).ok();
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The field after the parenthesised name is the state: S = sleeping (in read).
        let sleeping = stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('S'));
        if exe.as_deref() == Some(Path::new(&bin)) && sleeping {
            asleep += 1;
        } else {
            asleep = 0;
        }
        if asleep >= 2 {
            return fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("keyward ended ({status}) before it waited for stdin");
        }
        assert!(Instant::now() < deadline, "keyward never waited for stdin");
        thread::sleep(Duration::from_millis(50));
    }
}
