//! Output masking of `keyward run`: granted values never reach stdout or stderr, also
//! when written byte by byte across read boundaries, whether keyward's outputs are
//! pipes or terminals; output without values passes through byte for byte.

use std::io::Read;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::pkg::{
    REPLACEMENT, contains_bytes, count_bytes, replace_bytes, sh_quote, write_file,
};
use crate::common::{TestEnv, keyward_bin, run_no_stdin};

const SECRET: &str = "sk_live_51HxQmMaskTest9";

/// Installs `NAME` running `python3 ./main.py` with `API_KEY` (= SECRET) approved.
fn python_package(env: &TestEnv, name: &str, program: &str) {
    env.set_secret("API_KEY", SECRET);
    let pkg = env.write_package(
        name,
        &json!({"name": name, "version": "1", "keys": ["API_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(&pkg, "main.py", program, false);
    env.install(None, &pkg, &["API_KEY"]);
}

// ---------------------------------------------------------------------------------
// 3. Masking through pipes
// ---------------------------------------------------------------------------------

/// Writes the value byte by byte (one flush per byte) at the very start of each
/// stream, straddling offsets 4096, 65536 and 131072, interleaved on both streams, and
/// at the very end; keeps a copy of each stream in the files named by argv[1], argv[2].
const BYTEWISE_PY: &str = r#"
import os, sys
secret = os.environ["API_KEY"].encode()
streams = [sys.stdout.buffer, sys.stderr.buffer]
copies = [open(sys.argv[1], "wb"), open(sys.argv[2], "wb")]
pos = [0, 0]

def w(i, b):
    streams[i].write(b)
    streams[i].flush()
    copies[i].write(b)
    pos[i] += len(b)

def value_bytewise(i):
    for c in secret:
        w(i, bytes([c]))

line = b"a line of output without the value\n"
for i in (0, 1):
    value_bytewise(i)                      # the very start
    for off in (4096, 65536, 131072):      # half before the offset, half after
        filler = off - len(secret) // 2 - pos[i]
        w(i, (line * (filler // len(line) + 1))[:filler])
        value_bytewise(i)
for c in secret:                           # both streams at once, one byte each in turn
    w(0, bytes([c]))
    w(1, bytes([c]))
for i in (0, 1):
    w(i, b"\nthe end: ")
    value_bytewise(i)                      # the very end, nothing after it
for c in copies:
    c.close()
"#;

#[test]
fn run_masks_a_value_written_byte_by_byte_at_start_end_and_4096_65536_on_stdout_and_stderr() {
    let env = TestEnv::with_vault();
    python_package(&env, "bytewise", BYTEWISE_PY);
    let (out_copy, err_copy) = (env.root().join("out.copy"), env.root().join("err.copy"));
    let out = env
        .run_cmd(["bytewise", "--"])
        .args([&out_copy, &err_copy])
        .assert()
        .success();
    let output = out.get_output();
    for (name, got, copy) in [
        ("stdout", &output.stdout, &out_copy),
        ("stderr", &output.stderr, &err_copy),
    ] {
        let written = std::fs::read(copy).unwrap();
        assert_eq!(
            count_bytes(&written, SECRET.as_bytes()),
            6,
            "{name}: the program wrote the value 6 times"
        );
        assert!(
            !contains_bytes(got, SECRET.as_bytes()),
            "{name} shows the value"
        );
        assert_eq!(
            count_bytes(got, REPLACEMENT.as_bytes()),
            6,
            "{name}: one replacement per value"
        );
        let want = replace_bytes(&written, SECRET.as_bytes(), REPLACEMENT.as_bytes());
        assert!(
            *got == want,
            "{name}: output differs from the program's with each value replaced \
             (got {} bytes, want {})",
            got.len(),
            want.len()
        );
        assert!(got.starts_with(REPLACEMENT.as_bytes()), "{name}: start");
        assert!(got.ends_with(REPLACEMENT.as_bytes()), "{name}: end");
    }
}

/// 200 KiB of random bytes per stream, in odd chunk sizes, with every proper prefix of
/// the value (each cut short) and ending with the value minus its last byte; a copy of
/// each stream goes to the files named by argv[1], argv[2].
const NOISE_PY: &str = r#"
import os, sys
secret = os.environ["API_KEY"].encode()
near = b"".join(secret[:k] + b"\x00" for k in range(1, len(secret)))
sizes = [1, 7, 4093, 3, 65537, 13, 8191, 2, 33333, 1021, 5, 4097]
for f, path in ((sys.stdout.buffer, sys.argv[1]), (sys.stderr.buffer, sys.argv[2])):
    data = bytearray(os.urandom(200 * 1024))
    data[70000:70000] = near
    data[1000:1000] = near
    data += secret[:-1]
    with open(path, "wb") as copy:
        copy.write(data)
    i = n = 0
    while i < len(data):
        chunk = data[i:i + sizes[n % len(sizes)]]
        f.write(chunk)
        f.flush()
        i += len(chunk)
        n += 1
"#;

#[test]
fn run_passes_output_without_values_byte_for_byte() {
    let env = TestEnv::with_vault();
    python_package(&env, "noise", NOISE_PY);
    let (out_copy, err_copy) = (env.root().join("out.copy"), env.root().join("err.copy"));
    let out = env
        .run_cmd(["noise", "--"])
        .args([&out_copy, &err_copy])
        .assert()
        .success();
    let output = out.get_output();
    for (name, got, copy) in [
        ("stdout", &output.stdout, &out_copy),
        ("stderr", &output.stderr, &err_copy),
    ] {
        let written = std::fs::read(copy).unwrap();
        assert!(written.len() > 200 * 1024);
        assert!(!contains_bytes(&written, SECRET.as_bytes()));
        assert!(
            *got == written,
            "{name}: {} bytes shown, {} written; first difference at {:?}",
            got.len(),
            written.len(),
            got.iter().zip(&written).position(|(a, b)| a != b)
        );
    }
}

#[test]
fn run_masks_every_granted_value_including_multiline_ones_but_not_values_under_4_bytes() {
    let env = TestEnv::with_vault();
    let values = [
        ("FIRST_KEY", "first-value-0a1b"),
        ("SECOND_KEY", "second-value-2c3d-longer"),
        (
            "PEM_KEY",
            "-----BEGIN KEY-----\nMIIBVQIBADANBg\n-----END KEY-----",
        ),
        ("TINY_KEY", "x9z"),
    ];
    for (name, value) in values {
        env.set_secret(name, value);
    }
    let pkg = env.write_package(
        "many",
        &json!({"name": "many", "version": "1",
                "keys": ["FIRST_KEY", "SECOND_KEY", "PEM_KEY", "TINY_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(
        &pkg,
        "main.py",
        "import os, sys\n\
         for k in ('FIRST_KEY', 'SECOND_KEY', 'PEM_KEY', 'TINY_KEY'):\n\
         \x20   print(k, '=', os.environ[k], sep='', flush=True)\n\
         \x20   print(k, '=', os.environ[k], sep='', file=sys.stderr, flush=True)\n",
        false,
    );
    env.install(
        None,
        &pkg,
        &["FIRST_KEY", "SECOND_KEY", "PEM_KEY", "TINY_KEY"],
    );
    let out = env.run_cmd(["many"]).assert().success();
    let want = format!(
        "FIRST_KEY={REPLACEMENT}\nSECOND_KEY={REPLACEMENT}\nPEM_KEY={REPLACEMENT}\nTINY_KEY=x9z\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout), want);
    assert_eq!(String::from_utf8_lossy(&out.get_output().stderr), want);
}

#[test]
fn run_masks_a_value_at_end_of_output_that_is_also_the_start_of_a_longer_value() {
    // DB_PASSWORD is part of DATABASE_URL: output ending in `postgres://app:PASSWORD`
    // is held back as a possible start of DATABASE_URL, then flushed unmasked at EOF.
    let env = TestEnv::with_vault();
    env.set_secret("DB_PASSWORD", "hunter2pass");
    env.set_secret("DATABASE_URL", "postgres://app:hunter2pass@db.internal/app");
    let pkg = env.write_package(
        "dburl",
        &json!({"name": "dburl", "version": "1", "keys": ["DB_PASSWORD", "DATABASE_URL"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(
        &pkg,
        "main.py",
        "import os, sys\n\
         sys.stdout.write('connecting to postgres://app:' + os.environ['DB_PASSWORD'])\n",
        false,
    );
    env.install(None, &pkg, &["DB_PASSWORD", "DATABASE_URL"]);
    let out = env.run_cmd(["dburl"]).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        format!("connecting to postgres://app:{REPLACEMENT}")
    );
}

#[test]
fn run_ends_when_its_stdout_reader_goes_away() {
    let env = TestEnv::with_vault();
    let pkg = env.write_package(
        "yes",
        &json!({"name": "yes", "version": "1", "run": ["yes"]}),
    );
    env.install(None, &pkg, &[]);
    let mut child = env
        .std_cmd(keyward_bin())
        .args(["run", "yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"y\ny\n");
    drop(stdout); // like `| head -2` exiting
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("keyward run yes kept running 10 s after its stdout was closed");
        }
        thread::sleep(Duration::from_millis(20));
    };
    // `yes` dies of SIGPIPE, as it would without keyward: 128 + 13.
    assert_eq!(status.code(), Some(141));
}

// ---------------------------------------------------------------------------------
// 4. Under a terminal
// ---------------------------------------------------------------------------------

/// Says whether fds 1 and 2 are terminals, writes the value byte by byte on both,
/// exits with argv[1].
const TTY_PY: &str = r#"
import os, sys
secret = os.environ["API_KEY"].encode()
for fd, f in ((1, sys.stdout.buffer), (2, sys.stderr.buffer)):
    f.write(b"fd%d:%s\n" % (fd, b"TTY" if os.isatty(fd) else b"NOTTY"))
    f.write(b"value=[")
    f.flush()
    for c in secret:
        f.write(bytes([c]))
        f.flush()
    f.write(b"]\n")
    f.flush()
sys.exit(int(sys.argv[1]))
"#;

/// Runs `sh_command` under `script`, i.e. with a terminal as stdin/stdout/stderr;
/// returns the terminal's output and script's status (the command's, with `-e`).
fn under_terminal(env: &TestEnv, sh_command: &str) -> (Vec<u8>, Option<i32>) {
    let mut cmd = env.std_cmd("script");
    cmd.args(["-qfec", sh_command, "/dev/null"])
        .current_dir(env.root());
    let out = run_no_stdin(&mut cmd);
    (out.stdout, out.status.code())
}

#[test]
fn run_under_a_terminal_gives_the_package_a_terminal_and_still_masks() {
    let env = TestEnv::with_vault();
    python_package(&env, "ttyprobe", TTY_PY);
    let kw = sh_quote(keyward_bin());
    let (shown, status) = under_terminal(&env, &format!("{kw} run ttyprobe -- 3"));
    let text = String::from_utf8_lossy(&shown);
    assert_eq!(status, Some(3), "the package's status: {text}");
    assert!(text.contains("fd1:TTY"), "stdout is a terminal: {text:?}");
    assert!(text.contains("fd2:TTY"), "stderr is a terminal: {text:?}");
    assert!(!text.contains(SECRET), "the value reached the terminal");
    // Both outputs share the terminal, so their lines may interleave.
    assert_eq!(
        text.matches(REPLACEMENT).count(),
        2,
        "masked on both: {text:?}"
    );

    // Only stdout a terminal, stderr a file: the package sees the same.
    let err_file = env.root().join("stderr.txt");
    let (shown, status) = under_terminal(
        &env,
        &format!("{kw} run ttyprobe -- 0 2>{}", sh_quote(&err_file)),
    );
    let text = String::from_utf8_lossy(&shown);
    let err = std::fs::read_to_string(&err_file).unwrap();
    assert_eq!(status, Some(0));
    assert!(text.contains("fd1:TTY"), "{text:?}");
    assert!(err.contains("fd2:NOTTY"), "{err:?}");
    assert!(!text.contains(SECRET) && !err.contains(SECRET));
    assert!(text.contains(&format!("value=[{REPLACEMENT}]")), "{text:?}");
    assert!(err.contains(&format!("value=[{REPLACEMENT}]")), "{err:?}");
}

#[test]
fn run_under_a_terminal_masks_a_multiline_value() {
    let env = TestEnv::with_vault();
    let pem = "-----BEGIN KEY-----\nMIIBVQIBADANBg\n-----END KEY-----";
    env.set_secret("PEM_KEY", pem);
    let pkg = env.write_package(
        "pem",
        &json!({"name": "pem", "version": "1", "keys": ["PEM_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(
        &pkg,
        "main.py",
        "import os\nprint('key:', os.environ['PEM_KEY'])\n",
        false,
    );
    env.install(None, &pkg, &["PEM_KEY"]);
    let kw = sh_quote(keyward_bin());
    let (shown, status) = under_terminal(&env, &format!("{kw} run pem"));
    let text = String::from_utf8_lossy(&shown);
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("key:"), "{text:?}");
    assert!(
        !text.contains("MIIBVQIBADANBg"),
        "the value reached the terminal: {text:?}"
    );
    assert!(text.contains(REPLACEMENT), "{text:?}");
}
