//! A full disk: a write fails with exit 1 and a clear "disk full; nothing changed",
//! the vault is left as it was, and stored values still read back.
//!
//! The vault lives on a 2 MiB tmpfs that the test fills. The tmpfs is mounted in a
//! private mount namespace (`unshare`, util-linux): as root directly, otherwise in a
//! user namespace where the current user maps to root. The mount vanishes with the
//! namespace, whatever happens to the test. The whole scenario is one shell script run
//! inside it; it records each step's exit code, stdout and stderr for the assertions.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::{TestEnv, keyward_bin, run_no_stdin};
use crate::users::is_root;

/// The scenario. `$1` keyward, `$2` the folder to mount the tmpfs on, `$3` the folder
/// for results. Each `step NAME CMD…` writes NAME.rc, NAME.out and NAME.err.
const SCENARIO: &str = r#"
set -u
kw=$1 mnt=$2 out=$3
step() {
    name=$1; shift
    "$@" >"$out/$name.out" 2>"$out/$name.err"
    echo $? >"$out/$name.rc"
}
mount -t tmpfs -o size=2m,mode=0700 keyward-disk-full "$mnt" || exit 90
export KEYWARD_VAULT="$mnt/vault/vault.db" KEYWARD_NO_INPUT=1
KEYWARD_MASTER_KEY=$("$kw" init --backend env 2>"$out/init.err") || exit 91
export KEYWARD_MASTER_KEY
printf %s old-value-1 | "$kw" secret set STORED_KEY --stdin 2>>"$out/init.err" || exit 92
printf %s old-value-2 | "$kw" secret set OTHER_KEY --stdin 2>>"$out/init.err" || exit 92
cp "$mnt/vault/vault.db" "$out/before.db"
# Fill the file system to the last block.
dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
dd if=/dev/zero of="$mnt/fill-tail" bs=512 2>/dev/null
df -k "$mnt" >"$out/df"
step set_new sh -c 'printf %s new-value | "$0" secret set STORED_KEY --stdin' "$kw"
step set_json sh -c 'printf %s new-value | "$0" --json secret set NEW_KEY --stdin' "$kw"
step get_full "$kw" secret get STORED_KEY
step verify_full "$kw" log --verify
# What the failed writes left, still on the full disk.
cp "$mnt/vault/vault.db" "$out/after.db"
# Space again.
rm -f "$mnt/fill" "$mnt/fill-tail"
step get_freed "$kw" secret get STORED_KEY
step get_other "$kw" secret get OTHER_KEY
step verify_freed "$kw" log --verify
step list_freed "$kw" --json secret list
step set_freed sh -c 'printf %s newer-value | "$0" secret set STORED_KEY --stdin' "$kw"
step get_after "$kw" secret get STORED_KEY
umount "$mnt"
exit 0
"#;

/// One step's result.
struct Step {
    rc: i32,
    stdout: String,
    stderr: String,
}

/// Runs the scenario; returns each step by name, and the results folder.
fn scenario(env: &TestEnv) -> (BTreeMap<String, Step>, std::path::PathBuf) {
    let mnt = env.root().join("mnt");
    let out = env.root().join("results");
    fs::create_dir_all(&mnt).unwrap();
    fs::create_dir_all(&out).unwrap();
    let script = env.root().join("scenario.sh");
    fs::write(&script, SCENARIO).unwrap();
    let mut cmd = env.std_cmd("unshare");
    if !is_root() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--mount", "--propagation", "private", "sh"])
        .arg(&script)
        .arg(keyward_bin())
        .args([&mnt, &out]);
    let done = run_no_stdin(&mut cmd);
    let read = |name: &str| fs::read_to_string(out.join(name)).unwrap_or_default();
    assert!(
        done.status.success(),
        "the disk-full scenario could not run ({}; 90: no tmpfs could be mounted, which \
         needs root or user namespaces; 91/92: keyward failed before the disk was full): \
         {}{}",
        done.status,
        String::from_utf8_lossy(&done.stderr),
        read("init.err")
    );
    let df = read("df");
    assert!(
        df.lines().nth(1).and_then(|l| l.split_whitespace().nth(3)) == Some("0"),
        "the tmpfs is full: {df}"
    );
    let mut steps = BTreeMap::new();
    for entry in fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(step) = name.strip_suffix(".rc") {
            steps.insert(
                step.to_owned(),
                Step {
                    rc: read(&name).trim().parse().unwrap(),
                    stdout: read(&format!("{step}.out")),
                    stderr: read(&format!("{step}.err")),
                },
            );
        }
    }
    (steps, out)
}

fn step<'a>(steps: &'a BTreeMap<String, Step>, name: &str) -> &'a Step {
    steps
        .get(name)
        .unwrap_or_else(|| panic!("the scenario ran no step {name}"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    fs::read(a).unwrap() == fs::read(b).unwrap()
}

/// What holds today: the write fails with exit 1 saying nothing changed, the vault
/// file is byte for byte what it was, and once there is space again every value
/// reads back, the audit chain verifies and writes work again.
#[test]
fn write_on_a_full_disk_exits_1_and_changes_nothing() {
    let env = TestEnv::new();
    let (steps, out) = scenario(&env);
    for name in ["set_new", "set_json"] {
        let s = step(&steps, name);
        assert_eq!(s.rc, 1, "{name}: exit 1 on a full disk: {}", s.stderr);
        assert_eq!(s.stdout, "", "{name}: nothing on stdout");
        let text = s.stderr.to_lowercase();
        assert!(
            text.contains("nothing changed") || text.contains("nothing was changed"),
            "{name}: says nothing changed: {}",
            s.stderr
        );
    }
    let json: serde_json::Value = serde_json::from_str(step(&steps, "set_json").stderr.trim())
        .expect("--json: the error is one JSON object on stderr");
    assert!(json["error"]["message"].is_string(), "{json}");
    assert!(
        same_file(&out.join("before.db"), &out.join("after.db")),
        "the failed writes changed vault.db"
    );
    let get = step(&steps, "get_freed");
    assert_eq!(
        (get.rc, get.stdout.as_str()),
        (0, "old-value-1"),
        "{}",
        get.stderr
    );
    let other = step(&steps, "get_other");
    assert_eq!((other.rc, other.stdout.as_str()), (0, "old-value-2"));
    let verify = step(&steps, "verify_freed");
    assert_eq!(
        verify.rc, 0,
        "log --verify after the disk was full: {}",
        verify.stderr
    );
    let names = crate::common::json_secret_names(step(&steps, "list_freed").stdout.as_bytes());
    assert_eq!(names, ["OTHER_KEY", "STORED_KEY"], "NEW_KEY was not stored");
    assert_eq!(
        step(&steps, "set_freed").rc,
        0,
        "{}",
        step(&steps, "set_freed").stderr
    );
    assert_eq!(step(&steps, "get_after").stdout, "newer-value");
}

/// The intended behaviour on a full disk: the error says so ("disk full; nothing
/// changed"), and reads still work while the disk is full: `secret get` and
/// `log --verify` need no space.
#[test]
fn full_disk_is_named_and_values_still_read_back_while_it_is_full() {
    let env = TestEnv::new();
    let (steps, _) = scenario(&env);
    for name in ["set_new", "set_json"] {
        let s = step(&steps, name);
        assert_eq!(s.rc, 1, "{name}: {}", s.stderr);
        assert!(
            s.stderr.to_lowercase().contains("disk full")
                && s.stderr.to_lowercase().contains("nothing changed"),
            "{name}: says `disk full; nothing changed`: {}",
            s.stderr
        );
    }
    let get = step(&steps, "get_full");
    assert_eq!(
        (get.rc, get.stdout.as_str()),
        (0, "old-value-1"),
        "secret get while the disk is full: {}",
        get.stderr
    );
    let verify = step(&steps, "verify_full");
    assert_eq!(
        verify.rc, 0,
        "log --verify while the disk is full: {}",
        verify.stderr
    );
}
