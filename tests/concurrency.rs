//! Many keyward processes writing one vault at once: no write is lost, no process sees
//! `SQLITE_BUSY`, every one exits 0 (WAL + busy_timeout + BEGIN IMMEDIATE).

use std::io::Write;
use std::process::Stdio;
use std::thread;

use crate::common::{TestEnv, keyward_bin};

const PROCESSES: usize = 16;
const SETS_EACH: usize = 50;

/// What one `secret set` run left behind that a test must look at.
struct Failure {
    name: String,
    code: Option<i32>,
    stderr: String,
}

fn name(worker: usize, i: usize) -> String {
    format!("PAR_{worker:02}_{i:02}")
}

fn value(worker: usize, i: usize) -> String {
    format!("value-{worker}-{i}")
}

/// Runs `SETS_EACH` sequential `secret set --stdin`; returns the runs that exited
/// non-zero or printed anything that smells of a lock.
fn worker(env: &TestEnv, worker: usize) -> Vec<Failure> {
    let mut failures = Vec::new();
    for i in 0..SETS_EACH {
        let mut child = env
            .std_cmd(keyward_bin())
            .args(["secret", "set", &name(worker, i), "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keyward");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(value(worker, i).as_bytes())
            .expect("write the value");
        let out = child.wait_with_output().expect("wait for keyward");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let lower = stderr.to_lowercase();
        if !out.status.success()
            || lower.contains("sqlite_busy")
            || lower.contains("busy")
            || lower.contains("locked")
        {
            failures.push(Failure {
                name: name(worker, i),
                code: out.status.code(),
                stderr,
            });
        }
    }
    failures
}

#[test]
fn sixteen_processes_setting_fifty_secrets_each_lose_nothing_and_never_see_busy() {
    let env = TestEnv::with_vault();
    let failures: Vec<Failure> = thread::scope(|scope| {
        let handles: Vec<_> = (0..PROCESSES)
            .map(|w| {
                let env = &env;
                scope.spawn(move || worker(env, w))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });
    let report: Vec<String> = failures
        .iter()
        .take(10)
        .map(|f| format!("{}: exit {:?}: {}", f.name, f.code, f.stderr.trim()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} runs failed or mentioned a lock:\n{}",
        failures.len(),
        PROCESSES * SETS_EACH,
        report.join("\n")
    );

    let mut names = env.secret_names();
    names.sort();
    let mut expected: Vec<String> = (0..PROCESSES)
        .flat_map(|w| (0..SETS_EACH).map(move |i| name(w, i)))
        .collect();
    expected.sort();
    assert_eq!(names.len(), PROCESSES * SETS_EACH);
    assert_eq!(names, expected, "every secret is present");
    assert_eq!(
        env.sqlite("SELECT count(*) FROM secrets"),
        (PROCESSES * SETS_EACH).to_string()
    );

    // Spot-check values: each one decrypts to what its writer sent.
    for (w, i) in [(0, 0), (7, 23), (15, 49)] {
        assert_eq!(env.get_secret(&name(w, i)), value(w, i));
    }
}

/// Runs `keyward ARGS` once; `Some(description)` when it failed or mentioned a lock.
fn run_once(env: &TestEnv, args: &[&str], stdin: &str) -> Option<String> {
    let mut child = env
        .std_cmd(keyward_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn keyward");
    // Commands that do not read stdin may exit first: a broken pipe is fine then.
    let _ = child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("wait for keyward");
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    let bad = !out.status.success() || stderr.contains("busy") || stderr.contains("locked");
    bad.then(|| format!("{args:?}: exit {:?}: {}", out.status.code(), stderr.trim()))
}

#[test]
fn parallel_readers_writers_and_keychain_creates_never_see_busy() {
    let env = TestEnv::with_vault();
    env.set_secret("SEED", "seed-value");
    let failures: Vec<String> = thread::scope(|scope| {
        let mut handles = Vec::new();
        for t in 0..12 {
            let env = &env;
            handles.push(scope.spawn(move || {
                let mut failures = Vec::new();
                for i in 0..20 {
                    let name = format!("MIX_{t:02}_{i:02}");
                    let keychain = format!("kc-{t}-{i}");
                    let args: Vec<&str> = match t % 4 {
                        0 | 1 => vec!["secret", "set", &name, "--stdin"],
                        2 => vec!["secret", "list"],
                        _ if i % 2 == 0 => vec!["secret", "get", "SEED"],
                        _ => vec!["keychain", "create", &keychain, "--no-token"],
                    };
                    failures.extend(run_once(env, &args, "v"));
                }
                failures
            }));
        }
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 6 writer threads x 20 sets, plus SEED.
    assert_eq!(env.secret_names().len(), 6 * 20 + 1);
    assert_eq!(
        env.sqlite("SELECT count(*) FROM keychains"),
        (1 + 3 * 10).to_string()
    );
}

#[test]
fn parallel_inits_on_one_path_create_exactly_one_vault() {
    let env = TestEnv::new();
    let results: Vec<(Option<i32>, String)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let env = &env;
                scope.spawn(move || {
                    let out = env
                        .std_cmd(keyward_bin())
                        .args(["init", "--backend", "env"])
                        .stdin(Stdio::null())
                        .output()
                        .expect("run keyward init");
                    (out.status.code(), String::from_utf8(out.stdout).unwrap())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<_> = results
        .iter()
        .filter(|(code, _)| *code == Some(0))
        .collect();
    let losers = results.iter().filter(|(code, _)| *code == Some(1)).count();
    assert_eq!((winners.len(), losers), (1, 7), "{results:?}");

    // The one key printed is the key of the vault on disk.
    let mut env = env;
    env.set_master_key(winners[0].1.clone());
    env.set_secret("AFTER_RACE", "ok");
    assert_eq!(env.get_secret("AFTER_RACE"), "ok");
}
