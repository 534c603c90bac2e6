//! The SIGKILL loop: writes killed at random moments leave a vault that is whole.
//!
//! Each iteration starts one writing command — `secret set`, `approve`/`revoke`,
//! `config apply`, `keychain token --rotate`, or a `run` that auto-revokes a changed
//! package — and SIGKILLs it after a random delay drawn from a seeded generator (the
//! seed is printed; `KEYWARD_KILL_SEED=N` replays a run, `KEYWARD_KILL_ITERATIONS=N`
//! runs more than the default 200). After each kill:
//!
//! - `PRAGMA integrity_check` is `ok` (sqlite3);
//! - the change happened entirely or not at all: every value reads back old or new,
//!   the package's grants are the old set or the new one, a token is the old or the
//!   new, a revocation removed every grant with its audit entry, and an audit entry
//!   was written exactly when the state changed;
//! - every shared copy has its secret's version and exists exactly for granted keys;
//! - every MAC verifies: `status --json` reports nothing `tampered`, and
//!   `log --verify` passes in both keychains.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::pkg::write_file;
use crate::common::{TestEnv, keyward_bin, run_no_stdin};

const NAMES: [&str; 3] = ["A_KEY", "B_KEY", "C_KEY"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    SecretSet,
    ToggleGrant,
    ConfigApply,
    TokenRotate,
    AutoRevoke,
}

const OPS: [Op; 5] = [
    Op::SecretSet,
    Op::ToggleGrant,
    Op::ConfigApply,
    Op::TokenRotate,
    Op::AutoRevoke,
];

/// How one iteration's command ended.
#[derive(Default, Clone, Copy)]
struct Tally {
    runs: usize,
    /// SIGKILLed while it ran.
    killed: usize,
    /// Killed, and its change was nevertheless complete (committed before the kill).
    killed_after_commit: usize,
}

struct World {
    env: TestEnv,
    rng: StdRng,
    /// Every value the default keychain holds, as last read back.
    values: BTreeMap<&'static str, String>,
    /// The `ci` keychain's current token.
    token: String,
    /// `q`: requests A_KEY; changed before each auto-revocation run.
    q: PathBuf,
    /// Config files granting p {A_KEY} and {A_KEY, B_KEY}.
    configs: [(PathBuf, BTreeSet<String>); 2],
    /// Per op: how long it takes when not killed (the kill delay's range).
    calibrated: BTreeMap<Op, Duration>,
    q_edits: usize,
    tally: BTreeMap<Op, Tally>,
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

impl World {
    fn new(seed: u64) -> Self {
        let env = TestEnv::with_vault();
        let mut values = BTreeMap::new();
        for name in NAMES {
            let value = format!("{name}-initial");
            env.set_secret(name, &value);
            values.insert(name, value);
        }
        let token = env.create_keychain("ci");
        // p requests A_KEY and B_KEY: always granted A_KEY, B_KEY toggled.
        let p = env.make_package("p", "p", &["A_KEY", "B_KEY"]);
        let q = env.make_package("q", "q", &["A_KEY"]);
        env.install(None, &p, &["A_KEY"]);
        env.install(None, &q, &["A_KEY"]);
        let configs = [&["A_KEY"][..], &["A_KEY", "B_KEY"]].map(|keys| {
            let file = env.root().join(format!("keyward-{}.json", keys.len()));
            let doc =
                serde_json::json!({"p": {"version": "1.0.0", "keys": keys, "path": "packages/p"}});
            fs::write(&file, doc.to_string()).unwrap();
            (file, set(keys))
        });
        World {
            env,
            rng: StdRng::seed_from_u64(seed),
            values,
            token,
            q,
            configs,
            calibrated: BTreeMap::new(),
            q_edits: 0,
            tally: BTreeMap::new(),
        }
    }

    fn sql(&self, sql: &str) -> String {
        self.env.sqlite(sql)
    }

    /// p's granted keys.
    fn grants_of(&self, package: &str) -> BTreeSet<String> {
        self.sql(&format!(
            "SELECT g.key FROM grants g JOIN installations i ON i.id = g.installation_id
             WHERE i.name = '{package}'"
        ))
        .lines()
        .map(str::to_owned)
        .collect()
    }

    fn audit_len(&self) -> usize {
        self.env.audit_len()
    }

    fn last_action(&self) -> String {
        self.sql("SELECT action FROM audit ORDER BY rowid DESC LIMIT 1")
    }

    fn q_revoked(&self) -> bool {
        self.sql("SELECT revoked_reason IS NOT NULL FROM installations WHERE name = 'q'") == "1"
    }

    /// Changes q's code (a new line in run.sh), so its next run revokes it.
    fn edit_q(&mut self) {
        self.q_edits += 1;
        let script = format!(
            "#!/bin/sh\nexec sh \"$(dirname \"$0\")/lib/util.sh\"\n# edit {}\n",
            self.q_edits
        );
        write_file(&self.q, "run.sh", script, true);
    }

    /// The command for `op` in the current state, and what it writes on stdin.
    fn command(&mut self, op: Op) -> (std::process::Command, Option<String>) {
        let mut cmd = self.env.std_cmd(keyward_bin());
        cmd.current_dir(self.env.root());
        let mut stdin = None;
        match op {
            Op::SecretSet => {
                let name = NAMES[self.rng.gen_range(0..NAMES.len())];
                let value = format!("{name}-{:016x}", self.rng.r#gen::<u64>());
                cmd.args(["secret", "set", name, "--stdin"]);
                stdin = Some(value);
            }
            Op::ToggleGrant => {
                let verb = if self.grants_of("p").contains("B_KEY") {
                    "revoke"
                } else {
                    "approve"
                };
                cmd.args([verb, "p", "B_KEY"]);
            }
            Op::ConfigApply => {
                // Always the config that changes something.
                let current = self.grants_of("p");
                let (file, _) = self
                    .configs
                    .iter()
                    .find(|(_, keys)| *keys != current)
                    .unwrap();
                cmd.arg("config").arg("apply").arg(file);
            }
            Op::TokenRotate => {
                cmd.args(["keychain", "token", "ci", "--rotate"]);
            }
            Op::AutoRevoke => {
                self.edit_q();
                cmd.args(["run", "q"]);
            }
        }
        (cmd, stdin)
    }

    /// Starts `cmd`, feeds `stdin`, kills it after `delay` (if it still runs); returns
    /// its stdout and whether it was killed.
    fn start_and_kill(
        cmd: &mut std::process::Command,
        stdin: Option<&str>,
        delay: Option<Duration>,
    ) -> (String, bool, Duration) {
        let started = Instant::now();
        let mut child: Child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn keyward");
        let mut pipe = child.stdin.take().unwrap();
        if let Some(value) = stdin {
            let _ = pipe.write_all(value.as_bytes()); // EPIPE when already killed
        }
        drop(pipe);
        let killed = match delay {
            Some(delay) => {
                let until = started + delay;
                let now = Instant::now();
                if until > now {
                    thread::sleep(until - now);
                }
                let running = child.try_wait().unwrap().is_none();
                if running {
                    child.kill().unwrap();
                }
                running
            }
            None => false,
        };
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = child.wait().unwrap();
        let elapsed = started.elapsed();
        if delay.is_none() {
            let args: Vec<_> = cmd.get_args().collect();
            assert_eq!(
                status.code(),
                Some(if args.first() == Some(&"run".as_ref()) {
                    125
                } else {
                    0
                }),
                "keyward {args:?} (not killed; `run` refuses the changed package)"
            );
        }
        (out, killed, elapsed)
    }

    /// Runs each op once, not killed, to learn how long it takes; restores the state.
    fn calibrate(&mut self) {
        for op in OPS {
            let mut best = Duration::MAX;
            for _ in 0..3 {
                let before = self.snapshot();
                let (mut cmd, stdin) = self.command(op);
                let (out, _, elapsed) = Self::start_and_kill(&mut cmd, stdin.as_deref(), None);
                best = best.min(elapsed);
                // Not killed: the change is complete; take it as the new state.
                self.after(op, &before, &out, false, "calibration");
            }
            self.calibrated.insert(op, best);
        }
    }

    fn snapshot(&self) -> Before {
        Before {
            audit: self.audit_len(),
            grants_p: self.grants_of("p"),
            values: self.values.clone(),
        }
    }

    /// The checks after a command that was killed (or not); updates the model.
    fn after(&mut self, op: Op, before: &Before, stdout: &str, killed: bool, ctx: &str) {
        // First what the killed command left, read without keyward (keyward's own
        // reads may write audit entries).
        let integrity = self.sql("PRAGMA integrity_check");
        assert_eq!(integrity, "ok", "{ctx}: PRAGMA integrity_check");
        let audit_delta = self.audit_len() as isize - before.audit as isize;
        let last_action = self.last_action();
        let grants_p = self.grants_of("p");
        let q_revoked = self.q_revoked();
        let grants_q = self.grants_of("q");
        self.check_shared(ctx);

        let changed = match op {
            Op::SecretSet => {
                let mut changed = false;
                for name in NAMES {
                    let now = self.read_value(name, ctx);
                    if now != before.values[name] {
                        assert!(
                            !changed,
                            "{ctx}: one `secret set` changed two values ({name} = {now:?})"
                        );
                        changed = true;
                        self.values.insert(name, now);
                    }
                }
                assert!(
                    changed || killed,
                    "{ctx}: `secret set` finished but no value changed"
                );
                if changed {
                    assert_eq!(last_action, "secret-set", "{ctx}: the audit entry");
                }
                changed
            }
            Op::ToggleGrant | Op::ConfigApply => {
                let mut target = before.grants_p.clone();
                if !target.remove("B_KEY") {
                    target.insert("B_KEY".to_owned());
                }
                assert!(
                    grants_p == before.grants_p || grants_p == target,
                    "{ctx}: p's grants are {grants_p:?}: neither the old {:?} nor the new {target:?}",
                    before.grants_p
                );
                let changed = grants_p == target;
                if changed {
                    let expected: &[&str] = match op {
                        Op::ConfigApply => &["config-apply"],
                        _ => &["approve", "revoke"],
                    };
                    assert!(
                        expected.contains(&last_action.as_str()),
                        "{ctx}: the newest audit entry is {last_action:?}, not one of {expected:?}"
                    );
                }
                changed
            }
            Op::TokenRotate => self.after_rotation(stdout, ctx),
            Op::AutoRevoke => {
                assert!(
                    (q_revoked && grants_q.is_empty())
                        || (!q_revoked && grants_q == set(&["A_KEY"])),
                    "{ctx}: q revoked = {q_revoked} but its grants are {grants_q:?}"
                );
                if q_revoked {
                    assert_eq!(
                        last_action, "auto-revoke",
                        "{ctx}: the revocation's audit entry"
                    );
                }
                q_revoked
            }
        };
        assert!(
            changed || killed,
            "{ctx}: {op:?} finished (not killed) without changing anything"
        );
        if changed {
            assert!(
                audit_delta >= 1,
                "{ctx}: the change was made with no audit entry"
            );
        } else {
            assert_eq!(
                audit_delta, 0,
                "{ctx}: audit entries written for a change that did not happen"
            );
        }
        if op != Op::SecretSet {
            for name in NAMES {
                let now = self.read_value(name, ctx);
                assert_eq!(now, self.values[name], "{ctx}: {name} changed by {op:?}");
            }
        }
        self.check_macs(ctx);
        if killed && changed {
            self.tally.entry(op).or_default().killed_after_commit += 1;
        }
        // Back to a state where every op changes something.
        if op == Op::AutoRevoke {
            self.env.install(None, &self.q, &["A_KEY"]);
            assert!(!self.q_revoked(), "{ctx}: re-installing q re-pins it");
        }
    }

    /// `secret get NAME`: the value, exit 0.
    fn read_value(&self, name: &str, ctx: &str) -> String {
        let out = run_no_stdin(
            self.env
                .std_cmd(keyward_bin())
                .args(["secret", "get", name]),
        );
        assert!(
            out.status.success(),
            "{ctx}: secret get {name}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Every shared copy has its secret's version, and shared copies exist exactly for
    /// the keys some package is granted.
    fn check_shared(&self, ctx: &str) {
        let stale = self.sql(
            "SELECT s.name FROM shared s LEFT JOIN secrets x
               ON x.keychain_id = s.keychain_id AND x.name = s.name
             WHERE x.version IS NOT s.version",
        );
        assert_eq!(
            stale, "",
            "{ctx}: shared copies of another version than their secret"
        );
        let granted = "SELECT DISTINCT i.keychain_id, g.key FROM grants g
                       JOIN installations i ON i.id = g.installation_id";
        let shared = "SELECT keychain_id, name FROM shared";
        let missing = self.sql(&format!("SELECT key FROM ({granted} EXCEPT {shared})"));
        assert_eq!(missing, "", "{ctx}: granted keys without a shared copy");
        let extra = self.sql(&format!("SELECT name FROM ({shared} EXCEPT {granted})"));
        assert_eq!(extra, "", "{ctx}: shared copies no grant needs");
    }

    /// `status --json` has nothing tampered; `log --verify` passes in both keychains.
    fn check_macs(&self, ctx: &str) {
        let out = run_no_stdin(self.env.std_cmd(keyward_bin()).args(["--json", "status"]));
        assert!(out.status.success(), "{ctx}: status --json: {out:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["tampered"],
            serde_json::json!([]),
            "{ctx}: status --json: {doc}"
        );
        for kc in ["default", "ci"] {
            let out = run_no_stdin(
                self.env
                    .std_cmd(keyward_bin())
                    .args(["-k", kc, "log", "--verify"]),
            );
            assert!(
                out.status.success(),
                "{ctx}: -k {kc} log --verify: {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// A token holder's `secret list` in `ci`: its exit code (0 works, 3 refused).
    fn token_works(&self, token: &str, ctx: &str) -> bool {
        let out = run_no_stdin(
            self.env
                .std_cmd(keyward_bin())
                .env_remove("KEYWARD_MASTER_KEY")
                .env("KEYWARD_TOKEN", token)
                .args(["secret", "list"]),
        );
        match out.status.code() {
            Some(0) => true,
            Some(3) => false,
            _ => panic!(
                "{ctx}: a token holder's `secret list` must work (0) or be refused (3): {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// After a (killed) rotation: the old token works exactly when no rotation was
    /// committed; a printed token always works. Returns whether it rotated.
    fn after_rotation(&mut self, stdout: &str, ctx: &str) -> bool {
        let old_works = self.token_works(&self.token, ctx);
        let printed = stdout
            .strip_suffix('\n')
            .filter(|t| t.starts_with("kw_") && !t.contains('\n'))
            .map(str::to_owned);
        if let Some(new) = &printed {
            assert!(
                self.token_works(new, ctx),
                "{ctx}: the printed token is refused"
            );
            assert!(
                !old_works,
                "{ctx}: the old token still works after a rotation"
            );
        }
        if !old_works {
            let committed = self.last_action_of_ci();
            assert_eq!(
                committed, "token-rotate",
                "{ctx}: the rotation's audit entry"
            );
            self.token = match printed {
                Some(new) => new,
                // Committed but killed before printing: the owner rotates again.
                None => {
                    let token = self.env.rotate_token("ci");
                    assert!(
                        self.token_works(&token, ctx),
                        "{ctx}: a fresh rotation's token"
                    );
                    token
                }
            };
        }
        !old_works
    }

    fn last_action_of_ci(&self) -> String {
        self.sql(
            "SELECT a.action FROM audit a JOIN keychains k ON k.id = a.keychain_id
             WHERE k.name = 'ci' ORDER BY a.seq DESC LIMIT 1",
        )
    }
}

/// The state a command started from.
struct Before {
    audit: usize,
    grants_p: BTreeSet<String>,
    values: BTreeMap<&'static str, String>,
}

impl TestEnv {
    /// `keychain token NAME --rotate`: the new token.
    fn rotate_token(&self, keychain: &str) -> String {
        let out = self
            .cmd()
            .args(["keychain", "token", keychain, "--rotate"])
            .assert()
            .success();
        crate::common::stdout_of(&out).trim_end().to_owned()
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
    )
}

#[test]
fn sigkill_at_random_moments_leaves_a_whole_vault() {
    let iterations = env_number("KEYWARD_KILL_ITERATIONS").unwrap_or(200);
    let seed = env_number("KEYWARD_KILL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    eprintln!("kill loop: seed {seed}, {iterations} iterations (replay: KEYWARD_KILL_SEED={seed})");
    let started = Instant::now();
    let mut world = World::new(seed);
    world.calibrate();
    for i in 0..iterations {
        let op = OPS[world.rng.gen_range(0..OPS.len())];
        // Uniform over the command's whole run, a little past its usual end.
        let span = world.calibrated[&op].mul_f64(1.2);
        let delay = span.mul_f64(world.rng.gen_range(0.0..1.0));
        let before = world.snapshot();
        let (mut cmd, stdin) = world.command(op);
        let (out, killed, _) = World::start_and_kill(&mut cmd, stdin.as_deref(), Some(delay));
        let tally = world.tally.entry(op).or_default();
        tally.runs += 1;
        tally.killed += usize::from(killed);
        let ctx = format!(
            "kill loop seed {seed} (KEYWARD_KILL_SEED={seed}), iteration {i}: {op:?} killed after {delay:?} (killed: {killed})"
        );
        world.after(op, &before, &out, killed, &ctx);
    }
    let report: Vec<String> = world
        .tally
        .iter()
        .map(|(op, t)| {
            format!(
                "{op:?}: {} runs, {} killed ({} after their commit), usual {:?}",
                t.runs, t.killed, t.killed_after_commit, world.calibrated[op]
            )
        })
        .collect();
    eprintln!(
        "kill loop: {iterations} iterations in {:?}, seed {seed}\n  {}",
        started.elapsed(),
        report.join("\n  ")
    );
    // The loop must actually kill: a delay range that always lets commands finish
    // would test nothing.
    let killed: usize = world.tally.values().map(|t| t.killed).sum();
    assert!(
        killed * 4 >= iterations as usize,
        "only {killed} of {iterations} commands were killed while running: {report:?}"
    );
}
