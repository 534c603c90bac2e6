//! "Keys at run time without the environment": `deliver: files` and `socket`.
//!
//! A canary value is granted to a probe package that reports, as digests and names
//! only, what it and its own child (a grandchild of keyward) see. In `files` and
//! `socket` mode the canary is in neither environment, it is nowhere under the run
//! folder after the run, another uid cannot read the folder, a same-uid process that
//! is not in the package's process tree is refused even with the token, a grant the
//! owner revokes mid-run is refused at the next read, and a folder left by a keyward
//! killed with SIGKILL is swept by the next run.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::pkg::{contains_bytes, wait_for_file, wait_with_deadline, write_file};
use crate::common::{TIMEOUT, TestEnv, keyward_bin, run_no_stdin};
use crate::users::{NOBODY, is_root};

const CANARY: &str = "canary-deliver-7Hq2xZ9mWv4K";
const OTHER: &str = "canary-other-ungranted-p3Lr8";

/// The probe: `probe.py OUT KEYWARD MODE`. Writes OUT/env.json (its environment),
/// OUT/grandchild.env (`env -0` of its child), OUT/report.json (what it read, as
/// SHA-256 digests, and the run folder's listing), then with MODE `wait` writes
/// OUT/conn.json and, once OUT/release exists, reads again into OUT/after.json.
const PROBE_PY: &str = r#"
import hashlib, json, os, socket, subprocess, sys, time

out, kw, mode = sys.argv[1], sys.argv[2], sys.argv[3]

def dump(name, doc):
    with open(os.path.join(out, name + ".tmp"), "w") as f:
        json.dump(doc, f)
    os.rename(os.path.join(out, name + ".tmp"), os.path.join(out, name))

def digest(b):
    return hashlib.sha256(b).hexdigest()

def ask(key):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["KEYWARD_SOCKET"])
    s.sendall((json.dumps({"token": os.environ["KEYWARD_RUN_TOKEN"], "key": key}) + "\n").encode())
    line = s.makefile("rb").readline()
    s.close()
    doc = json.loads(line)
    if "value" in doc:
        doc = {"value": digest(doc["value"].encode())}
    return doc

subprocess.run(["sh", "-c", 'env -0 > "$1/grandchild.env"', "sh", out], check=True)
report = {"pid": os.getpid(), "ppid": os.getppid()}
cred = os.environ.get("CREDENTIALS_DIRECTORY")
if cred:
    report["dir_mode"] = oct(os.stat(cred).st_mode & 0o777)
    report["files"] = {n: oct(os.stat(os.path.join(cred, n)).st_mode & 0o777) for n in sorted(os.listdir(cred))}
    with open(os.environ["API_KEY_FILE"], "rb") as f:
        report["file"] = digest(f.read())
if "KEYWARD_SOCKET" in os.environ:
    report["socket"] = ask("API_KEY")
    report["ungranted"] = ask("OTHER_KEY")
    token = os.environ["KEYWARD_RUN_TOKEN"]
    os.environ["KEYWARD_RUN_TOKEN"] = "0" * 64
    report["bad_token"] = ask("API_KEY")
    os.environ["KEYWARD_RUN_TOKEN"] = token
r = subprocess.run([kw, "key", "API_KEY"], capture_output=True)
report["key_cmd"] = {"status": r.returncode, "value": digest(r.stdout)}
with open(os.path.join(out, "env.json"), "w") as f:
    json.dump(dict(os.environ), f)
dump("report.json", report)
if mode == "wait":
    dump("conn.json", {"socket": os.environ.get("KEYWARD_SOCKET"), "dir": cred})
    deadline = time.time() + 60
    while not os.path.exists(os.path.join(out, "release")) and time.time() < deadline:
        time.sleep(0.02)
    r = subprocess.run([kw, "key", "API_KEY"], capture_output=True)
    after = {"status": r.returncode, "stderr": r.stderr.decode(errors="replace"), "value": digest(r.stdout)}
    if "KEYWARD_SOCKET" in os.environ:
        after["socket"] = ask("API_KEY")
    dump("after.json", after)
"#;

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A vault with API_KEY = the canary granted to `probe` (OTHER_KEY set, not requested).
fn setup() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", CANARY);
    env.set_secret("OTHER_KEY", OTHER);
    let pkg = env.write_package(
        "probe",
        &json!({"name": "probe", "version": "1", "keys": ["API_KEY"],
                "run": ["python3", "./probe.py"]}),
    );
    write_file(&pkg, "probe.py", PROBE_PY, false);
    env.install(None, &pkg, &["API_KEY"]);
    (env, pkg)
}

/// Where run folders go in the harness (no XDG_RUNTIME_DIR; TMPDIR is `root/tmp`).
fn run_base(env: &TestEnv) -> PathBuf {
    env.root()
        .join("tmp")
        .join(format!("keyward-{}", rustix::process::geteuid().as_raw()))
}

fn out_dir(env: &TestEnv, name: &str) -> PathBuf {
    let out = env.root().join(name);
    fs::create_dir_all(&out).unwrap();
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

/// Every byte of every file under `dir` (recursively), concatenated.
fn all_bytes_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(all_bytes_under(&path));
            } else {
                out.extend(fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

fn run_probe(env: &TestEnv, mode: &str, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = env.cmd();
    cmd.arg("run")
        .args(extra)
        .args(["probe", "--deliver", mode, "--"])
        .arg(out)
        .arg(keyward_bin())
        .arg("once")
        .current_dir(env.root());
    cmd.assert()
}

#[test]
fn files_and_socket_keep_values_out_of_every_environment_and_leave_nothing_behind() {
    let (env, _pkg) = setup();
    for mode in ["files", "socket"] {
        for extra in [&[][..], &["--no-mask"][..]] {
            let label = format!("{mode} {extra:?}");
            let out = out_dir(&env, &format!("out-{mode}-{}", extra.len()));
            let run = run_probe(&env, mode, &out, extra).success();
            let stdout = run.get_output().stdout.clone();
            let stderr = run.get_output().stderr.clone();
            let report = read_json(&out.join("report.json"));
            let own_env = fs::read(out.join("env.json")).unwrap();
            let grandchild = fs::read(out.join("grandchild.env")).unwrap();
            for (what, bytes) in [("package env", &own_env), ("grandchild env", &grandchild)] {
                assert!(
                    !contains_bytes(bytes, CANARY.as_bytes()),
                    "{label}: canary in the {what}"
                );
                assert!(
                    !contains_bytes(bytes, OTHER.as_bytes()),
                    "{label}: other value in the {what}"
                );
                assert!(
                    !contains_bytes(bytes, b"API_KEY="),
                    "{label}: API_KEY set in the {what}"
                );
                assert!(
                    contains_bytes(bytes, b"KEYWARD_KEYS"),
                    "{label}: KEYWARD_KEYS missing in the {what}"
                );
            }
            for (what, bytes) in [("stdout", &stdout), ("stderr", &stderr)] {
                assert!(
                    !contains_bytes(bytes, CANARY.as_bytes()),
                    "{label}: canary on keyward's {what}"
                );
            }
            // What the package read is the value, byte for byte.
            assert_eq!(
                report["key_cmd"]["status"], 0,
                "{label}: keyward key: {report}"
            );
            assert_eq!(
                report["key_cmd"]["value"],
                sha(CANARY),
                "{label}: keyward key"
            );
            if mode == "files" {
                assert_eq!(report["file"], sha(CANARY), "{label}: API_KEY_FILE");
                assert_eq!(report["dir_mode"], "0o700", "{label}");
                assert_eq!(
                    report["files"],
                    json!({"API_KEY": "0o400"}),
                    "{label}: exactly the granted keys, 0400"
                );
            } else {
                assert_eq!(report["socket"], json!({"value": sha(CANARY)}), "{label}");
                assert_eq!(
                    report["ungranted"]["error"]["code"], "not-granted",
                    "{label}"
                );
                assert_eq!(report["bad_token"]["error"]["code"], "bad-token", "{label}");
            }
            // After the run: no run folder, and the canary nowhere under the base.
            let base = run_base(&env);
            let left: Vec<_> = fs::read_dir(&base)
                .unwrap()
                .flatten()
                .map(|e| e.file_name())
                .collect();
            assert!(
                left.is_empty(),
                "{label}: run folders left behind: {left:?}"
            );
            assert!(
                !contains_bytes(&all_bytes_under(&base), CANARY.as_bytes()),
                "{label}"
            );
        }
    }
    // Socket reads are audited: package, key, the reading pid; files mode has none.
    let reads: Vec<Value> = env
        .log_entries(None)
        .into_iter()
        .filter(|e| e["action"] == "key-read")
        .collect();
    assert_eq!(
        reads.len(),
        4,
        "2 granted reads per socket run, 2 runs: {reads:?}"
    );
    for r in &reads {
        assert_eq!(r["package"], "probe");
        assert_eq!(r["detail"]["key"], "API_KEY");
        assert!(r["detail"]["pid"].as_u64().is_some_and(|p| p > 1), "{r}");
    }
}

#[test]
fn env_mode_is_unchanged_and_keyward_key_reads_the_environment() {
    let (env, _pkg) = setup();
    let out = out_dir(&env, "out-env");
    run_probe(&env, "env", &out, &["--no-mask"]).success();
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["key_cmd"]["value"], sha(CANARY));
    let own_env = read_json(&out.join("env.json"));
    assert_eq!(
        own_env["API_KEY"], CANARY,
        "env mode: the value is in the environment"
    );
    assert!(
        own_env.get("CREDENTIALS_DIRECTORY").is_none() && own_env.get("KEYWARD_SOCKET").is_none()
    );
}

#[test]
fn keyward_key_outside_a_run_is_exit_4() {
    let env = TestEnv::new();
    let out = env.cmd().args(["key", "API_KEY"]).assert().code(4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error[not-in-run]") && stderr.contains("keyward run"),
        "{stderr}"
    );
}

/// Starts `keyward run probe --deliver MODE` with the probe waiting for OUT/release.
fn start_waiting(env: &TestEnv, mode: &str, out: &Path) -> Child {
    env.std_cmd(keyward_bin())
        .args(["run", "probe", "--deliver", mode, "--no-mask", "--"])
        .arg(out)
        .arg(keyward_bin())
        .arg("wait")
        .current_dir(env.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn keyward run")
}

fn wait_json(path: &Path, child: &mut Child) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "keyward ended ({status}) before {} appeared",
                path.display()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{} did not appear",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    read_json(path)
}

/// One request to the run socket from the test itself (same uid, not a descendant).
fn ask_from_outside(socket: &str, token: &str) -> Value {
    let script = "import json,socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\n\
                  s.sendall((json.dumps({'token':sys.argv[2],'key':'API_KEY'})+'\\n').encode())\n\
                  print(s.makefile().readline(), end='')";
    let out = run_no_stdin(StdCommand::new("python3").args(["-c", script, socket, token]));
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_process_outside_the_package_tree_is_refused_even_with_the_token() {
    let (env, _pkg) = setup();
    let out = out_dir(&env, "out-outsider");
    let mut child = start_waiting(&env, "socket", &out);
    let conn = wait_json(&out.join("conn.json"), &mut child);
    let socket = conn["socket"].as_str().unwrap().to_owned();
    // The token as the package has it (its environment, dumped by the probe).
    let token = read_json(&out.join("env.json"))["KEYWARD_RUN_TOKEN"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64, "256 bits, hex");
    let answer = ask_from_outside(&socket, &token);
    assert_eq!(answer["error"]["code"], "not-descendant", "{answer}");
    assert!(answer.get("value").is_none());
    fs::write(out.join("release"), "").unwrap();
    let status = wait_with_deadline(&mut child, "keyward run");
    assert!(status.success(), "{status}");
    // After the run the socket is gone with the folder: the token is worth nothing.
    assert!(!Path::new(&socket).exists());
    let reads = env
        .log_entries(None)
        .into_iter()
        .filter(|e| e["action"] == "key-read")
        .count();
    assert_eq!(
        reads, 4,
        "the probe's 4 reads; the refused one is not a read"
    );
}

#[test]
fn a_grant_revoked_mid_run_is_refused_at_the_next_read() {
    let (env, _pkg) = setup();
    let out = out_dir(&env, "out-revoke");
    let mut child = start_waiting(&env, "socket", &out);
    let first = wait_json(&out.join("report.json"), &mut child);
    assert_eq!(first["socket"], json!({"value": sha(CANARY)}));
    env.cmd()
        .args(["revoke", "probe", "API_KEY"])
        .assert()
        .success();
    fs::write(out.join("release"), "").unwrap();
    let after = wait_json(&out.join("after.json"), &mut child);
    assert_eq!(after["socket"]["error"]["code"], "revoked", "{after}");
    assert_eq!(after["status"], 5, "keyward key after the revoke: {after}");
    assert!(
        after["stderr"].as_str().unwrap().contains("revoked"),
        "{after}"
    );
    assert_ne!(after["value"], sha(CANARY));
    wait_with_deadline(&mut child, "keyward run");
}

#[test]
fn a_keyward_killed_by_sigkill_leaves_a_folder_the_next_run_sweeps() {
    let (env, _pkg) = setup();
    for mode in ["files", "socket"] {
        let out = out_dir(&env, &format!("out-kill-{mode}"));
        let mut child = start_waiting(&env, mode, &out);
        let report = wait_json(&out.join("report.json"), &mut child);
        let left = fs::read_dir(run_base(&env)).unwrap().count();
        assert_eq!(left, 1, "{mode}: one run folder while it runs");
        child.kill().unwrap(); // SIGKILL: keyward cannot clean up
        child.wait().unwrap();
        let package = report["pid"].as_i64().unwrap();
        let _ = StdCommand::new("kill")
            .args(["-9", &package.to_string()])
            .status();
        assert_eq!(
            fs::read_dir(run_base(&env)).unwrap().count(),
            1,
            "{mode}: the folder survived SIGKILL"
        );
        // The next run (any mode) sweeps it.
        let next = out_dir(&env, &format!("out-next-{mode}"));
        run_probe(&env, "env", &next, &[]).success();
        let left: Vec<_> = fs::read_dir(run_base(&env))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            left.is_empty(),
            "{mode}: the dead run's folder was not swept: {left:?}"
        );
    }
}

#[test]
fn a_signal_to_keyward_ends_the_package_and_removes_the_folder() {
    let (env, _pkg) = setup();
    let out = out_dir(&env, "out-term");
    let mut child = start_waiting(&env, "files", &out);
    wait_json(&out.join("report.json"), &mut child);
    assert_eq!(fs::read_dir(run_base(&env)).unwrap().count(), 1);
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let status = wait_with_deadline(&mut child, "keyward run");
    assert_eq!(
        status.code(),
        Some(128 + 15),
        "the package's death by SIGTERM: {status}"
    );
    assert_eq!(
        fs::read_dir(run_base(&env)).unwrap().count(),
        0,
        "the folder was removed"
    );
}

/// Another uid can read neither the key files nor the socket. As root the reader is
/// `nobody`, and every folder above the run folder is opened up, so keyward's own
/// 0700 is all that stands in the way; as any other user, the modes are checked.
#[test]
fn another_uid_cannot_read_the_run_folder() {
    let (env, _pkg) = setup();
    for dir in [env.root().to_path_buf(), env.root().join("tmp")] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    for mode in ["files", "socket"] {
        let out = out_dir(&env, &format!("out-uid-{mode}"));
        let mut child = start_waiting(&env, mode, &out);
        let conn = wait_json(&out.join("conn.json"), &mut child);
        let base = run_base(&env);
        let run_dir = fs::read_dir(&base).unwrap().next().unwrap().unwrap().path();
        assert_eq!(fs::metadata(&base).unwrap().mode() & 0o777, 0o700);
        assert_eq!(fs::metadata(&run_dir).unwrap().mode() & 0o777, 0o700);
        let target = if mode == "files" {
            run_dir.join("API_KEY")
        } else {
            PathBuf::from(conn["socket"].as_str().unwrap())
        };
        if is_root() {
            let script = "import socket,sys\np=sys.argv[1]\ntry:\n  s=socket.socket(socket.AF_UNIX); s.connect(p) if p.endswith('socket') else open(p,'rb').read(); print('read')\nexcept PermissionError: print('denied')";
            let mut cmd = StdCommand::new("setpriv");
            cmd.args([
                format!("--reuid={NOBODY}"),
                format!("--regid={NOBODY}"),
                "--clear-groups".into(),
                "--".into(),
                "/usr/bin/python3".into(),
                "-c".into(),
                script.into(),
            ])
            .arg(&target);
            let seen = run_no_stdin(&mut cmd);
            assert_eq!(
                String::from_utf8_lossy(&seen.stdout).trim(),
                "denied",
                "{mode}: nobody: {seen:?}"
            );
            // The control: nobody can list the folder above, so it is the 0700 that stops it.
            let mut ls = StdCommand::new("setpriv");
            ls.args([
                format!("--reuid={NOBODY}"),
                format!("--regid={NOBODY}"),
                "--clear-groups".into(),
                "--".into(),
                "ls".into(),
            ])
            .arg(env.root().join("tmp"));
            assert!(
                run_no_stdin(&mut ls).status.success(),
                "control: nobody lists TMPDIR"
            );
        } else {
            assert_eq!(
                fs::metadata(&target).unwrap().mode() & 0o077,
                0,
                "{mode}: no access for others"
            );
        }
        fs::write(out.join("release"), "").unwrap();
        wait_with_deadline(&mut child, "keyward run");
    }
}

/// The package (or any peer with keyward's credentials and no privilege) reads
/// neither keyward's `/proc/PID/environ` nor its `mem` while keyward holds the values
/// it serves, though it reads a dumpable process's with the same credentials (the
/// control). As root keyward runs as root without any capability (`capless`), as in
/// tests/hardening.rs.
#[test]
fn keyward_serving_values_is_not_readable_through_proc() {
    const PEEK_PY: &str = r#"
import errno, os, subprocess, sys, time
out = sys.argv[1]
ppid = os.getppid()
def attempt(path):
    try:
        open(path, "rb").close()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
sib = subprocess.Popen(["sleep", "30"])
time.sleep(0.05)
lines = ["control=" + attempt("/proc/%d/environ" % sib.pid),
         "environ=" + attempt("/proc/%d/environ" % ppid),
         "mem=" + attempt("/proc/%d/mem" % ppid)]
sib.kill()
with open(out + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.rename(out + ".tmp", out)
"#;
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", CANARY);
    let pkg = env.write_package(
        "peek",
        &json!({"name": "peek", "version": "1", "keys": ["API_KEY"], "run": ["python3", "./peek.py"]}),
    );
    write_file(&pkg, "peek.py", PEEK_PY, false);
    env.install(None, &pkg, &["API_KEY"]);
    for mode in ["files", "socket"] {
        let out = env.root().join(format!("peek-{mode}.out"));
        let mut child = env
            .capless(keyward_bin())
            .args(["run", "peek", "--deliver", mode, "--"])
            .arg(&out)
            .current_dir(env.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let text = wait_for_file(&out, &mut child);
        assert!(wait_with_deadline(&mut child, "keyward run peek").success());
        assert!(
            text.contains("control=ok"),
            "{mode}: the control must be readable: {text}"
        );
        assert!(text.contains("environ=EACCES"), "{mode}: {text}");
        assert!(text.contains("mem=EACCES"), "{mode}: {text}");
    }
}
