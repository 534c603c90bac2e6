//! Randomized tests run for a time budget (stable Rust has no `cargo fuzz`): the
//! manifest parser, the token parser, `config apply` of random JSON (through the
//! binary) and the digest walker on random trees (through the binary).
//!
//! Each target first runs its seed corpus, `tests/fuzz/<target>/*`, then generated and
//! mutated inputs for `KEYWARD_FUZZ_SECONDS` seconds (default 3; CI sets 30). Inputs
//! come from a seeded generator: the seed is printed, `KEYWARD_FUZZ_SEED=N` replays it.
//! A panic (exit 101), a crash (a signal) or a broken invariant fails the test printing
//! the input, and writes it to `target/fuzz-failures/` (copy it into the corpus to keep
//! it as a regression). No input holds a secret: the vaults fuzzed hold none.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{TestEnv, keyward_bin, kw1_digest, run_no_stdin, write_package};

// ---------------------------------------------------------------------------------
// The harness.

/// Seconds each target runs after its corpus.
fn budget() -> Duration {
    let secs = std::env::var("KEYWARD_FUZZ_SECONDS")
        .ok()
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("KEYWARD_FUZZ_SECONDS={s:?} is not a number"))
        })
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

/// The generator of one target, seeded from `KEYWARD_FUZZ_SEED` or the clock.
fn rng_for(target: &str) -> (StdRng, u64) {
    let seed = match std::env::var("KEYWARD_FUZZ_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("KEYWARD_FUZZ_SEED={s:?} is not a number")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    };
    eprintln!("fuzz {target}: seed {seed} (replay: KEYWARD_FUZZ_SEED={seed})");
    (StdRng::seed_from_u64(seed), seed)
}

/// The seed corpus of `target`: every file in `tests/fuzz/<target>/`, sorted.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read the corpus {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: an empty corpus", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect()
}

/// The input as text for a failure message: escaped, at most 4000 characters.
fn show(input: &[u8]) -> String {
    let text: String = input.escape_ascii().to_string();
    if text.len() > 4000 {
        format!("{}… ({} bytes)", &text[..4000], input.len())
    } else {
        text
    }
}

/// Fails the test for `input`, keeping it under `target/fuzz-failures/`.
fn fail(target: &str, seed: u64, input: &[u8], what: &str) -> ! {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    let _ = fs::create_dir_all(&dir);
    let file = dir.join(format!("{target}-{seed}-{:08x}", crc32fast::hash(input)));
    let _ = fs::write(&file, input);
    panic!(
        "fuzz {target} (KEYWARD_FUZZ_SEED={seed}): {what}\n  input (also in {}): {}",
        file.display(),
        show(input)
    );
}

/// Runs `check` on the corpus, then on `generate`d inputs until the budget is spent.
/// Returns how many inputs ran.
fn fuzz(
    target: &str,
    mut generate: impl FnMut(&mut StdRng, &[Vec<u8>]) -> Vec<u8>,
    mut check: impl FnMut(&[u8]) -> Result<(), String>,
) -> usize {
    let (mut rng, seed) = rng_for(target);
    let seeds: Vec<Vec<u8>> = corpus(target).into_iter().map(|(_, b)| b).collect();
    let mut run = |input: &[u8]| match catch_unwind(AssertUnwindSafe(|| check(input))) {
        Ok(Ok(())) => {}
        Ok(Err(what)) => fail(target, seed, input, &what),
        Err(_) => fail(target, seed, input, "panicked (see the message above)"),
    };
    for input in &seeds {
        run(input);
    }
    let deadline = Instant::now() + budget();
    let mut n = seeds.len();
    while Instant::now() < deadline {
        let input = generate(&mut rng, &seeds);
        run(&input);
        n += 1;
    }
    eprintln!(
        "fuzz {target}: {n} inputs ({} from the corpus) in {:?}",
        seeds.len(),
        budget()
    );
    n
}

// ---------------------------------------------------------------------------------
// Generators.

/// Bytes that matter to JSON and to the parsers.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\\"",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999",
    "-1",
    "18446744073709551616",
    "1.5",
    "\"\"",
    "[]",
    "{}",
    "\u{0}",
    "\u{7f}",
    "\u{fffd}",
    "é",
    "\u{202e}",
    "\n",
    " ",
    "\"name\"",
    "\"keys\"",
    "\"run\"",
    "\"version\"",
    "\"path\"",
    "\"sha256\"",
    "\"./x\"",
    "kw1:",
    "@",
    "/",
    "..",
];

/// Applies 1–4 random edits to `input` (bytes, tokens, ranges, a splice of `others`).
fn mutate(rng: &mut StdRng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = out.len();
        let at = if len == 0 { 0 } else { rng.gen_range(0..=len) };
        match rng.gen_range(0..8) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] = rng.r#gen();
            }
            2 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                out.splice(at..at, t.bytes());
            }
            3 if len > 0 => {
                let end = rng.gen_range(at..=len.min(at + 16));
                out.drain(at..end);
            }
            4 if len > 0 => {
                let start = rng.gen_range(0..len);
                let end = rng.gen_range(start..=len.min(start + 64));
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            5 if !others.is_empty() => {
                let other = &others[rng.gen_range(0..others.len())];
                let cut = rng.gen_range(0..=other.len());
                out.truncate(at);
                out.extend_from_slice(&other[cut..]);
            }
            6 => out.insert(at, rng.r#gen()),
            _ => out.truncate(at),
        }
    }
    out
}

/// A string literal (quoted), often a plausible value for `field`.
fn gen_string(rng: &mut StdRng) -> String {
    const WORDS: &[&str] = &[
        "STRIPE_SECRET_KEY",
        "A_KEY",
        "PATH",
        "LD_PRELOAD",
        "KEYWARD_TOKEN",
        "lower_key",
        "_",
        "9KEY",
        "@acme/tool",
        "tool",
        "@acme/",
        "@/x",
        "UPPER",
        "pkg-a",
        "./run.sh",
        "../x",
        "/etc/passwd",
        "1.0.0",
        "v-20250101",
        "",
        " ",
        "\\u0000",
        "\\ud800",
        "é",
        "env",
        "files",
        "socket",
        "cgi",
        "http",
        "npm:x@1",
        "pypi:x==1",
        "kw1:0000000000000000000000000000000000000000000000000000000000000000",
        "GET /forecast",
        "openbao:kv/x#y",
    ];
    let mut s = String::from("\"");
    match rng.gen_range(0..4) {
        0 => {
            for _ in 0..rng.gen_range(0..12) {
                let c = match rng.gen_range(0..4) {
                    0 => char::from(rng.gen_range(b'A'..=b'Z')),
                    1 => char::from(rng.gen_range(b'a'..=b'z')),
                    2 => ['_', '-', '.', '/', '@', ' ', 'é', '\u{7f}'][rng.gen_range(0..8)],
                    _ => char::from(rng.gen_range(b'0'..=b'9')),
                };
                s.push(c);
            }
        }
        1 => {
            let n = if rng.gen_bool(0.1) {
                rng.gen_range(60..300)
            } else {
                rng.gen_range(0..8)
            };
            s.extend(std::iter::repeat_n('K', n));
        }
        _ => s.push_str(WORDS[rng.gen_range(0..WORDS.len())]),
    }
    s.push('"');
    s
}

/// A random JSON value as text, keys mostly from `keys`.
fn gen_json(rng: &mut StdRng, depth: usize, keys: &[&str], out: &mut String) {
    let kind = if depth > 6 {
        rng.gen_range(0..4)
    } else {
        rng.gen_range(0..7)
    };
    match kind {
        0 => out.push_str(&gen_string(rng)),
        1 => out.push_str(
            ["0", "1", "-1", "10", "300", "301", "1.5", "1e999", "-0"][rng.gen_range(0..9)],
        ),
        2 => out.push_str(["true", "false", "null"][rng.gen_range(0..3)]),
        3 => out.push_str(&gen_string(rng)),
        4 | 5 => {
            out.push('[');
            for i in 0..rng.gen_range(0..5) {
                if i > 0 {
                    out.push(',');
                }
                gen_json(rng, depth + 1, keys, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..rng.gen_range(0..6) {
                if i > 0 {
                    out.push(',');
                }
                if rng.gen_bool(0.8) {
                    let _ = write!(out, "\"{}\"", keys[rng.gen_range(0..keys.len())]);
                } else {
                    out.push_str(&gen_string(rng));
                }
                out.push(':');
                gen_json(rng, depth + 1, keys, out);
            }
            out.push('}');
        }
    }
}

/// `depth` nested arrays around `inner`.
fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

// ---------------------------------------------------------------------------------
// Manifest parser.

const MANIFEST_FIELDS: &[&str] = &[
    "name",
    "version",
    "description",
    "keys",
    "env",
    "run",
    "keychain",
    "required",
    "optional",
    "timeout",
    "deliver",
    "serve",
    "nmae",
    "key",
    "runs",
    "extra",
];

/// A secret name by DESIGN.md: `^[A-Z_][A-Z0-9_]{0,127}$`, not reserved.
fn valid_key_name(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "PATH",
        "HOME",
        "NODE_OPTIONS",
        "PYTHONPATH",
        "PYTHONHOME",
        "BASH_ENV",
        "ENV",
        "IFS",
        "SHELL",
    ];
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && !RESERVED.contains(&name)
        && !["LD_", "DYLD_", "KEYWARD_"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// What every manifest `parse` accepts must satisfy (DESIGN.md "Manifest").
fn check_accepted(input: &[u8], m: &keyward::manifest::Manifest) -> Result<(), String> {
    if input.len() > keyward::manifest::MAX_MANIFEST_BYTES {
        return Err(format!("accepted {} bytes (over 64 KiB)", input.len()));
    }
    if std::str::from_utf8(input).is_err() {
        return Err("accepted a manifest that is not UTF-8".into());
    }
    let name = &m.name;
    let npm_like = !name.is_empty()
        && name.len() <= 214
        && !name
            .chars()
            .any(|c| c.is_uppercase() || c.is_whitespace() || c.is_control())
        && match name.split_once('/') {
            Some((scope, rest)) => {
                scope.starts_with('@') && scope.len() > 1 && !rest.is_empty() && !rest.contains('/')
            }
            None => !name.starts_with('@'),
        };
    if !npm_like {
        return Err(format!("accepted the package name {name:?}"));
    }
    let v = &m.version;
    if v.is_empty() || v.chars().count() > 64 || v.chars().any(char::is_control) {
        return Err(format!("accepted the version {v:?}"));
    }
    let mut seen = BTreeSet::new();
    for key in &m.keys {
        if !valid_key_name(&key.name) {
            return Err(format!("accepted the key name {:?}", key.name));
        }
        if !seen.insert(&key.name) {
            return Err(format!("accepted {:?} twice", key.name));
        }
    }
    for var in &m.env {
        if ["KEYWARD_TOKEN", "KEYWARD_MASTER_KEY", "KEYWARD_PASSPHRASE"].contains(&var.as_str()) {
            return Err(format!("accepted {var} in `env`"));
        }
    }
    if m.run.is_empty() {
        return Err("accepted an empty `run`".into());
    }
    Ok(())
}

/// A manifest-shaped document: the known fields with plausible or random values.
fn gen_manifest(rng: &mut StdRng) -> String {
    let mut fields: Vec<String> = Vec::new();
    let pick = |rng: &mut StdRng, good: &str| -> String {
        if rng.gen_bool(0.6) {
            good.to_owned()
        } else {
            let mut s = String::new();
            gen_json(rng, 1, MANIFEST_FIELDS, &mut s);
            s
        }
    };
    for (field, good) in [
        ("name", "\"@acme/tool\""),
        ("version", "\"1.0.0\""),
        ("description", "\"d\""),
        (
            "keys",
            "[\"A_KEY\", {\"name\": \"B_KEY\", \"optional\": true}]",
        ),
        ("env", "[\"HTTPS_PROXY\"]"),
        ("run", "[\"./run.sh\"]"),
        ("timeout", "10"),
        ("deliver", "\"env\""),
        ("keychain", "{\"required\": [{\"name\": \"C_KEY\"}]}"),
    ] {
        if rng.gen_bool(0.8) {
            fields.push(format!("\"{field}\": {}", pick(rng, good)));
        }
    }
    if rng.gen_bool(0.2) {
        let mut s = String::new();
        gen_json(rng, 1, MANIFEST_FIELDS, &mut s);
        fields.push(format!("{}: {s}", gen_string(rng)));
    }
    // Shuffle a little: order must not matter to validity.
    if fields.len() > 1 && rng.gen_bool(0.5) {
        let (a, b) = (
            rng.gen_range(0..fields.len()),
            rng.gen_range(0..fields.len()),
        );
        fields.swap(a, b);
    }
    format!("{{{}}}", fields.join(", "))
}

/// Inputs that must be refused whatever else they hold: a duplicate key, nesting past
/// 32, more than 64 KiB, invalid UTF-8. Returns the rule broken and the bytes.
fn must_refuse(rng: &mut StdRng, base: &str) -> (String, Vec<u8>) {
    let body = base.trim().strip_prefix('{').unwrap_or("\"x\": 1}");
    match rng.gen_range(0..4) {
        0 => (
            "a duplicate key".into(),
            format!("{{\"name\": \"dup\", \"name\": \"dup\", {body}").into_bytes(),
        ),
        1 => (
            "nesting deeper than 32".into(),
            format!(
                "{{\"extra\": {}, {body}",
                nested(rng.gen_range(32..2000), "1")
            )
            .into_bytes(),
        ),
        2 => (
            "more than 64 KiB".into(),
            format!(
                "{{\"extra\": \"{}\", {body}",
                "x".repeat(keyward::manifest::MAX_MANIFEST_BYTES)
            )
            .into_bytes(),
        ),
        _ => {
            let mut bytes = format!("{{\"description\": \"\u{1}\", {body}").into_bytes();
            let at = bytes.iter().position(|&b| b == 1).unwrap();
            bytes[at] = [0xff, 0xc3, 0x80][rng.gen_range(0..3)];
            ("invalid UTF-8".into(), bytes)
        }
    }
}

#[test]
fn fuzz_manifest_parser() {
    let file = Path::new("instant.package.json");
    let mut refused_rules = Vec::new();
    let mut accepted = 0usize;
    let n = fuzz(
        "manifest",
        |rng, seeds| match rng.gen_range(0..10) {
            0..=3 => {
                let base = &seeds[rng.gen_range(0..seeds.len())];
                mutate(rng, base, seeds)
            }
            4..=6 => gen_manifest(rng).into_bytes(),
            7 => {
                let base = gen_manifest(rng);
                let (rule, bytes) = must_refuse(rng, &base);
                refused_rules.push(rule);
                let mut tagged = b"\0RULE\0".to_vec();
                tagged.extend_from_slice(&bytes);
                tagged
            }
            _ => {
                let mut s = String::new();
                gen_json(rng, 0, MANIFEST_FIELDS, &mut s);
                s.into_bytes()
            }
        },
        |input| {
            // A tagged input comes from `must_refuse`: it must be refused.
            let (must_fail, input) = match input.strip_prefix(b"\0RULE\0") {
                Some(rest) => (true, rest),
                None => (false, input),
            };
            let first = keyward::manifest::parse(input, file);
            let second = keyward::manifest::parse(input, file);
            if first != second {
                return Err("two parses of the same bytes differ".into());
            }
            match first {
                Ok(m) => {
                    if must_fail {
                        return Err(format!("accepted a manifest breaking a rule: {m:?}"));
                    }
                    accepted += 1;
                    check_accepted(input, &m)
                }
                Err(e) => {
                    let text = e.to_string();
                    if !text.starts_with("instant.package.json: ") || text.len() < 30 {
                        return Err(format!(
                            "an error that names no file or says nothing: {text:?}"
                        ));
                    }
                    Ok(())
                }
            }
        },
    );
    eprintln!(
        "fuzz manifest: {accepted} of {n} accepted, {} rule-breaking inputs refused",
        refused_rules.len()
    );
    assert!(
        accepted > 0,
        "no generated manifest was valid: the generator is broken"
    );
}

// ---------------------------------------------------------------------------------
// Token parser.

/// A token's text with its CRC32 suffix recomputed over the rest, as `encode` does.
fn with_crc(body: &str) -> String {
    format!("{body}{:08x}", crc32fast::hash(body.as_bytes()))
}

#[test]
fn fuzz_token_parser() {
    use keyward::token::Token;
    let mut accepted = 0usize;
    let n = fuzz(
        "token",
        |rng, seeds| {
            let valid = Token::generate(rng.r#gen()).encode().to_string();
            match rng.gen_range(0..6) {
                0 => valid.into_bytes(),
                // A mutated body with a correct checksum: the decoder itself is tested.
                1 | 2 => {
                    let body = &valid.as_bytes()[..valid.len() - 8];
                    let body = mutate(rng, body, &[]);
                    with_crc(&String::from_utf8_lossy(&body)).into_bytes()
                }
                3 => mutate(rng, valid.as_bytes(), seeds),
                4 => {
                    let base = &seeds[rng.gen_range(0..seeds.len())];
                    mutate(rng, base, seeds)
                }
                _ => {
                    let len = rng.gen_range(0..200);
                    (0..len).map(|_| rng.gen_range(0x20..0x7f)).collect()
                }
            }
        },
        |input| {
            let Ok(text) = std::str::from_utf8(input) else {
                return Ok(()); // the parser takes &str; the CLI passes what env gives
            };
            let Ok(token) = Token::parse(text) else {
                return Ok(());
            };
            accepted += 1;
            // Accepted: its canonical encoding is the text itself (no second spelling
            // of one token) and parses back to the same ids.
            let encoded = token.encode();
            let again = Token::parse(&encoded).map_err(|e| format!("re-encoding refused: {e}"))?;
            if (again.keychain_id, again.token_id) != (token.keychain_id, token.token_id) {
                return Err("re-encoding changed the ids".into());
            }
            // The checksum's spelling (hex case) is the parser's tolerance; the payload
            // has one spelling (canonical base64url, no padding).
            let body = |t: &str| t.len().checked_sub(8).map(|n| t[..n].to_owned());
            if body(encoded.as_str()) != body(text.trim()) {
                return Err("accepted a token whose payload is not its canonical spelling".into());
            }
            Ok(())
        },
    );
    eprintln!("fuzz token: {accepted} of {n} accepted");
    assert!(accepted > 0, "no valid token was generated");
}

/// Corpus tokens through the binary: a token holder with a malformed or unknown token
/// is refused with exit 3, and the token is never echoed.
#[test]
fn fuzz_corpus_tokens_through_the_binary_exit_3_without_echo() {
    let env = TestEnv::new();
    env.cmd_without_key()
        .args(["init", "--backend", "env"])
        .assert()
        .success();
    for (name, bytes) in corpus("token") {
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let text = text.trim_end_matches('\n');
        if text.is_empty() || text.contains('\0') {
            continue; // not something an environment variable can hold
        }
        let out = run_no_stdin(
            env.std_cmd(keyward_bin())
                .env("KEYWARD_TOKEN", text)
                .env("RUST_BACKTRACE", "1")
                .args(["-v", "secret", "list"]),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "token corpus {name}: {stderr}");
        if text.trim().len() >= 8 {
            assert!(
                !stderr.contains(text.trim()),
                "token corpus {name}: the token is echoed: {stderr}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// `config apply` of random JSON, through the binary.

const CONFIG_FIELDS: &[&str] = &[
    "version",
    "keys",
    "path",
    "sha256",
    "source",
    "permissions",
    "endpoints",
    "sources",
    "pkg-a",
    "@acme/b",
    "verison",
];

/// A config-shaped document naming the two fixture packages (or others).
fn gen_config(rng: &mut StdRng, digest_a: &str) -> String {
    let mut entries = Vec::new();
    for (name, path, keys) in [
        ("pkg-a", "pkg-a", "[\"A_KEY\"]"),
        ("@acme/b", "b", "[\"B_KEY\", \"A_KEY\"]"),
    ] {
        if !rng.gen_bool(0.8) {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = |rng: &mut StdRng, k: &str, good: String| {
            if rng.gen_bool(0.85) {
                let v = if rng.gen_bool(0.75) {
                    good
                } else {
                    let mut s = String::new();
                    gen_json(rng, 2, CONFIG_FIELDS, &mut s);
                    s
                };
                fields.push(format!("\"{k}\": {v}"));
            }
        };
        field(rng, "version", "\"1.0.0\"".into());
        field(rng, "keys", keys.into());
        field(rng, "path", format!("\"{path}\""));
        if name == "pkg-a" {
            field(rng, "sha256", format!("\"{digest_a}\""));
        }
        if rng.gen_bool(0.15) {
            field(rng, "permissions", "{\"endpoints\": [\"GET /x\"]}".into());
        }
        if rng.gen_bool(0.1) {
            field(rng, "source", "\"npm:x@1.0.0\"".into());
        }
        let name = if rng.gen_bool(0.9) {
            format!("\"{name}\"")
        } else {
            gen_string(rng)
        };
        entries.push(format!("{name}: {{{}}}", fields.join(", ")));
    }
    format!("{{{}}}", entries.join(", "))
}

#[test]
fn fuzz_config_apply_never_panics() {
    let env = TestEnv::with_vault();
    env.set_secret("A_KEY", "value-a");
    env.set_secret("B_KEY", "value-b");
    let proj = env.root().join("proj");
    write_package(&proj.join("pkg-a"), "pkg-a", &["A_KEY"]);
    write_package(&proj.join("b"), "@acme/b", &["B_KEY", "A_KEY"]);
    let digest_a = kw1_digest(&proj.join("pkg-a"));
    let file = proj.join("keyward.json");
    let mut codes = std::collections::BTreeMap::<i32, usize>::new();
    let mut i = 0u64;
    fuzz(
        "config",
        |rng, seeds| match rng.gen_range(0..10) {
            0..=3 => {
                let base = &seeds[rng.gen_range(0..seeds.len())];
                mutate(rng, base, seeds)
            }
            4..=7 => gen_config(rng, &digest_a).into_bytes(),
            8 => {
                let base = gen_config(rng, &digest_a);
                mutate(rng, base.as_bytes(), seeds)
            }
            _ => {
                let mut s = String::new();
                gen_json(rng, 0, CONFIG_FIELDS, &mut s);
                s.into_bytes()
            }
        },
        |input| {
            i += 1;
            fs::write(&file, input).unwrap();
            let mut cmd = env.std_cmd(keyward_bin());
            // A `source` entry reaches npm: point it at a closed port, so it fails at
            // once (fetching for real is tests/registry.rs's job, not the fuzzer's).
            cmd.env("RUST_BACKTRACE", "1")
                .env("npm_config_registry", "http://127.0.0.1:9/")
                .env("npm_config_fetch_retries", "0")
                .current_dir(&proj)
                .args(["config", "apply", "keyward.json"]);
            if i.is_multiple_of(4) {
                cmd.arg("--prune");
            }
            if i.is_multiple_of(3) {
                cmd.arg("--json");
            }
            let out = run_no_stdin(&mut cmd);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let Some(code) = out.status.code() else {
                return Err(format!("keyward crashed: {}: {stderr}", out.status));
            };
            *codes.entry(code).or_default() += 1;
            if stderr.contains("panicked") || !matches!(code, 0 | 1 | 2 | 4 | 5 | 6) {
                return Err(format!("exit {code}: {stderr}"));
            }
            // Progress lines (`Fetching npm:…`) may come first; the error line must be there.
            if code != 0
                && !stderr
                    .lines()
                    .any(|l| l.starts_with("keyward: error[") || l.starts_with("{\"error\""))
            {
                return Err(format!("exit {code} without an error line: {stderr}"));
            }
            Ok(())
        },
    );
    eprintln!("fuzz config: exit codes {codes:?}");
    // The vault the random configs were applied to is still whole.
    env.cmd().args(["log", "--verify"]).assert().success();
    let status = env.json(&["status"]);
    assert_eq!(status["tampered"], serde_json::json!([]), "{status}");
    assert!(
        codes.contains_key(&0),
        "no random config applied: {codes:?}"
    );
}

// ---------------------------------------------------------------------------------
// The digest walker on random trees, through the binary.

/// A tree, one entry a line (paths relative to the root, `/`-separated, escaped with
/// `\xNN`; parents before children):
///   `d PATH` a folder · `f PATH MODE CONTENT` a file (MODE octal, CONTENT escaped) ·
///   `l PATH TARGET` a symlink · `p PATH` a FIFO
/// The corpus (`tests/fuzz/digest/*.tree`) and failure reports use this form.
fn build_tree(spec: &[u8], root: &Path) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    fs::create_dir_all(root).unwrap();
    let text = std::str::from_utf8(spec).map_err(|_| "a tree spec is UTF-8".to_owned())?;
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.splitn(4, ' ');
        let kind = parts.next().unwrap();
        let path = unescape(parts.next().ok_or(format!("no path: {line}"))?);
        let abs = root.join(std::ffi::OsStr::from_bytes(&path));
        match kind {
            "d" => fs::create_dir_all(&abs).map_err(|e| format!("{line}: {e}"))?,
            "f" => {
                let mode = u32::from_str_radix(parts.next().unwrap_or("644"), 8)
                    .map_err(|e| format!("{line}: {e}"))?;
                let content = unescape(parts.next().unwrap_or(""));
                fs::write(&abs, content).map_err(|e| format!("{line}: {e}"))?;
                fs::set_permissions(&abs, fs::Permissions::from_mode(mode))
                    .map_err(|e| format!("{line}: {e}"))?;
            }
            "l" => {
                let target = unescape(parts.next().unwrap_or(""));
                std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(&target), &abs)
                    .map_err(|e| format!("{line}: {e}"))?;
            }
            "p" => {
                let ok = std::process::Command::new("mkfifo")
                    .arg(&abs)
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if !ok {
                    return Err(format!("{line}: mkfifo failed"));
                }
            }
            _ => return Err(format!("unknown entry kind: {line}")),
        }
    }
    Ok(())
}

/// `\xNN`, `\n`, `\s` (space) and `\\` decoded.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b's' => out.push(b' '),
                b'\\' => out.push(b'\\'),
                b'x' if i + 4 <= b.len() => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).ok();
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                    out.push(b'\\');
                    i += 1;
                    continue;
                }
                _ => {
                    out.push(b'\\');
                    i += 1;
                    continue;
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &c in bytes {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b' ' => s.push_str("\\s"),
            0x21..=0x7e => s.push(char::from(c)),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s
}

/// A random tree spec: folders, files (some executable, some empty, some large),
/// symlinks inside, outside and absolute, a top-level `.git`, odd names, rarely a FIFO
/// or a name keyward must refuse.
fn gen_tree(rng: &mut StdRng) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "a",
        "b",
        "run.sh",
        ".hidden",
        "-",
        "é",
        "日本",
        "...",
        "a b",
        "A",
        "a.txt",
        "z",
        "instant.package.json",
        "lib",
        ".git",
        "node_modules",
        "\u{202e}",
    ];
    // One tree in three may hold what keyward must refuse; the others must hash.
    const HOSTILE: &[&str] = &["\u{7f}", "x\ny", "tab\there"];
    let hostile = rng.gen_bool(0.35);
    let mut dirs = vec![String::new()];
    let mut lines = Vec::new();
    let mut used = BTreeSet::new();
    for _ in 0..rng.gen_range(0..25) {
        let parent = dirs[rng.gen_range(0..dirs.len())].clone();
        let mut name: Vec<u8> = match rng.gen_range(0..10) {
            0 if hostile && rng.gen_bool(0.2) => vec![0xff, b'n'], // not UTF-8
            0 if hostile && rng.gen_bool(0.2) => {
                HOSTILE[rng.gen_range(0..HOSTILE.len())].as_bytes().to_vec()
            }
            0..=6 => NAMES[rng.gen_range(0..NAMES.len())].as_bytes().to_vec(),
            _ => (0..rng.gen_range(1..12))
                .map(|_| rng.gen_range(b'a'..=b'z'))
                .collect(),
        };
        if rng.gen_bool(0.3) {
            name.extend_from_slice(format!("{}", rng.gen_range(0..9)).as_bytes());
        }
        let path = if parent.is_empty() {
            escape(&name)
        } else {
            format!("{parent}/{}", escape(&name))
        };
        if !used.insert(path.clone()) {
            continue;
        }
        let depth = path.matches('/').count();
        match rng.gen_range(0..12) {
            0..=2 if depth < 6 => {
                lines.push(format!("d {path}"));
                dirs.push(path);
            }
            3..=8 => {
                let mode = ["644", "755", "600", "700", "444", "4755"][rng.gen_range(0..6)];
                let len = if rng.gen_bool(0.02) {
                    rng.gen_range(20_000..100_000)
                } else {
                    rng.gen_range(0..200)
                };
                let content: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
                lines.push(format!("f {path} {mode} {}", escape(&content)));
            }
            9 | 10 => {
                let most = if hostile { depth + 1 } else { depth };
                let ups = "../".repeat(rng.gen_range(0..=most));
                let target = match rng.gen_range(0..5) {
                    0 if hostile => "/etc/passwd".to_owned(),
                    0 => "a".to_owned(),
                    1 => format!("{ups}a"),
                    2 => format!("{ups}lib/run.sh"),
                    3 => ".".to_owned(),
                    _ => format!("{ups}no-such-file"),
                };
                lines.push(format!("l {path} {}", escape(target.as_bytes())));
            }
            _ if hostile && rng.gen_bool(0.3) => lines.push(format!("p {path}")),
            _ => lines.push(format!("d {path}")),
        }
    }
    lines.join("\n").into_bytes()
}

/// `keyward digest DIR`: (exit code, stdout, stderr with DIR replaced by `DIR`).
fn digest_of(env: &TestEnv, dir: &Path) -> Result<(i32, String, String), String> {
    let out = run_no_stdin(
        env.std_cmd(keyward_bin())
            .env("RUST_BACKTRACE", "1")
            .arg("digest")
            .arg(dir)
            .stdin(Stdio::null()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&*dir.to_string_lossy(), "DIR");
    let code = out
        .status
        .code()
        .ok_or_else(|| format!("keyward digest crashed: {}: {stderr}", out.status))?;
    if code == 101 || stderr.contains("panicked") {
        return Err(format!("keyward digest panicked: {stderr}"));
    }
    Ok((
        code,
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        stderr,
    ))
}

#[test]
fn fuzz_digest_walker_on_random_trees() {
    let env = TestEnv::new();
    let trees = env.root().join("trees");
    let mut i = 0u64;
    let mut ok = 0usize;
    fuzz(
        "digest",
        |rng, seeds| {
            if rng.gen_bool(0.2) {
                // A corpus tree with one line dropped or duplicated.
                let base =
                    String::from_utf8_lossy(&seeds[rng.gen_range(0..seeds.len())]).into_owned();
                // Without the corpus's `#must-build` mark: a variant may not build.
                let mut lines: Vec<&str> = base.lines().filter(|l| !l.starts_with('#')).collect();
                if !lines.is_empty() {
                    let at = rng.gen_range(0..lines.len());
                    if rng.gen_bool(0.5) {
                        lines.remove(at);
                    } else {
                        lines.push(lines[at]);
                    }
                }
                lines.join("\n").into_bytes()
            } else {
                gen_tree(rng)
            }
        },
        |spec| {
            i += 1;
            let dir = trees.join(format!("t{i}"));
            let copy = trees.join(format!("t{i}-copy"));
            if let Err(e) = build_tree(spec, &dir) {
                // A spec that cannot be built (a path under a file, a duplicate): skip
                // only the input, never the check.
                let _ = fs::remove_dir_all(&dir);
                if spec.starts_with(b"#must-build") {
                    return Err(format!("corpus tree does not build: {e}"));
                }
                return Ok(());
            }
            let first = digest_of(&env, &dir)?;
            let second = digest_of(&env, &dir)?;
            if first != second {
                return Err(format!(
                    "two digests of one tree differ: {first:?} vs {second:?}"
                ));
            }
            let status = std::process::Command::new("cp")
                .arg("-a")
                .arg(&dir)
                .arg(&copy)
                .status()
                .unwrap();
            assert!(status.success(), "cp -a");
            let copied = digest_of(&env, &copy)?;
            let result = match first.0 {
                0 => {
                    ok += 1;
                    let expected = kw1_digest(&dir);
                    if first.1 != expected {
                        Err(format!(
                            "digest {} but DESIGN.md's encoding gives {expected}",
                            first.1
                        ))
                    } else if copied.1 != first.1 {
                        Err(format!("after cp -a: {} vs {}", copied.1, first.1))
                    } else {
                        Ok(())
                    }
                }
                code => {
                    if copied.0 != code {
                        Err(format!(
                            "refused ({code}) but its cp -a copy gives {copied:?}"
                        ))
                    } else if !first.2.starts_with("keyward: error[") {
                        Err(format!("exit {code} without an error line: {}", first.2))
                    } else {
                        Ok(())
                    }
                }
            };
            let _ = fs::remove_dir_all(&dir);
            let _ = fs::remove_dir_all(&copy);
            result
        },
    );
    eprintln!("fuzz digest: {ok} trees hashed, the rest refused");
    assert!(
        ok > 0,
        "no generated tree was hashed: the generator is broken"
    );
}
