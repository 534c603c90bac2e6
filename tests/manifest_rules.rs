//! Every rule of DESIGN.md "Manifest", through `keyward install`: a manifest that
//! breaks one is refused with exit 1 and a message naming the manifest and the field,
//! and nothing is installed. Hostile sizes and nestings are refused without a crash.

use crate::common::{TestEnv, stderr_of, write_manifest};

/// A valid manifest with top-level fields replaced, added, or removed (`None`). Values
/// are raw JSON text, spliced in as written.
fn manifest(changes: &[(&str, Option<&str>)]) -> String {
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), r#""@acme/tool""#.into()),
        ("version".into(), r#""1.0.0""#.into()),
        ("run".into(), r#"["./tool"]"#.into()),
    ];
    for (field, value) in changes {
        let at = fields.iter().position(|(f, _)| f == field);
        match (at, value) {
            (Some(i), Some(v)) => fields[i].1 = (*v).to_owned(),
            (Some(i), None) => {
                fields.remove(i);
            }
            (None, Some(v)) => fields.push(((*field).to_owned(), (*v).to_owned())),
            (None, None) => {}
        }
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(f, v)| format!("\"{f}\": {v}"))
        .collect();
    format!("{{{}}}", body.join(", "))
}

/// Installs a package whose manifest is `bytes`; returns the result's stderr after
/// checking exit 1 (not a signal, not a panic), an empty stdout, a message naming the
/// manifest file and holding every `expected` part, and an empty keychain.
fn refused(bytes: impl AsRef<[u8]>, expected: &[&str]) -> String {
    let env = TestEnv::with_vault();
    let dir = env.package_path("bad");
    write_manifest(&dir, bytes);
    let assert = env
        .cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .code(1)
        .stdout("");
    let stderr = stderr_of(&assert);
    assert!(stderr.starts_with("keyward: error[error]: "), "{stderr}");
    let file = dir.join("instant.package.json");
    assert!(
        stderr.contains(file.to_str().unwrap()),
        "the error names the manifest: {stderr}"
    );
    for part in expected {
        assert!(stderr.contains(part), "the error says {part:?}: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(env.listed_names().is_empty(), "nothing was installed");
    stderr
}

/// `refused` for a field rule: the message says "field `FIELD`".
fn refused_field(bytes: impl AsRef<[u8]>, field: &str, hint: &str) -> String {
    refused(bytes, &[&format!("field `{field}`: "), hint])
}

/// Installs a package whose manifest is `bytes`, which must succeed.
fn accepted(bytes: impl AsRef<[u8]>) -> serde_json::Value {
    let env = TestEnv::with_vault();
    let dir = env.package_path("good");
    write_manifest(&dir, bytes);
    env.install_json(&dir, &[])
}

/// A valid manifest padded with an ignored `pad` field to exactly `len` bytes.
fn padded_to(len: usize) -> String {
    let base = manifest(&[("pad", Some(r#""""#))]);
    let fill = len
        .checked_sub(base.len())
        .expect("len fits the base manifest");
    manifest(&[("pad", Some(&format!("\"{}\"", "x".repeat(fill))))])
}

// ---------------------------------------------------------------------------------
// Document-wide rules.

#[test]
fn manifest_larger_than_64_kib_is_refused() {
    let bytes = padded_to(64 * 1024 + 1);
    assert_eq!(bytes.len(), 65_537);
    refused(bytes, &["larger than 65536 bytes (64 KiB)"]);
}

#[test]
fn manifest_of_exactly_64_kib_is_accepted() {
    let bytes = padded_to(64 * 1024);
    assert_eq!(bytes.len(), 65_536);
    assert_eq!(accepted(bytes)["package"], "@acme/tool");
}

#[test]
fn manifest_of_1_mb_is_refused_without_crash() {
    refused(padded_to(1024 * 1024), &["larger than 65536 bytes"]);
}

#[test]
fn manifest_with_invalid_utf8_is_refused() {
    let mut bytes = manifest(&[("description", Some("\"caf\u{e9}\""))]).into_bytes();
    // "café" in Latin-1: 0xE9 alone is not UTF-8.
    let at = bytes.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    bytes.splice(at..at + 2, [0xE9]);
    refused(bytes, &["not valid UTF-8", "offset"]);
}

#[test]
fn manifest_with_utf8_byte_order_mark_is_refused() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(manifest(&[]).as_bytes());
    refused(bytes, &["byte-order mark"]);
}

#[test]
fn manifest_that_is_not_an_object_is_refused() {
    for doc in ["[]", r#""@acme/tool""#, "42", "null", "true"] {
        refused(doc, &["top level: ", "must be a JSON object"]);
    }
}

#[test]
fn manifest_that_is_not_json_is_refused() {
    refused("{\"name\": ", &["is not valid JSON"]);
    refused(
        format!("{} trailing", manifest(&[])),
        &["is not valid JSON"],
    );
}

#[test]
fn manifest_with_duplicate_top_level_key_is_refused() {
    let doc = r#"{"name": "@acme/tool", "version": "1", "name": "@evil/tool", "run": ["x"]}"#;
    refused_field(doc, "name", "appears twice");
}

#[test]
fn manifest_with_duplicate_nested_key_is_refused() {
    refused_field(
        manifest(&[("extra", Some(r#"{"a": {"x": 1, "x": 2}}"#))]),
        "extra.a.x",
        "appears twice",
    );
    refused_field(
        manifest(&[("keys", Some(r#"[{"name": "A_KEY", "name": "B_KEY"}]"#))]),
        "keys[0].name",
        "appears twice",
    );
}

#[test]
fn manifest_nesting_of_32_levels_is_accepted_and_33_refused() {
    // The top-level object is level 1; 31 arrays in it make 32.
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    accepted(manifest(&[("deep", Some(&nested(31)))]));
    let stderr = refused(
        manifest(&[("deep", Some(&nested(32)))]),
        &["field `deep[0]", "nests deeper than 32 levels"],
    );
    assert!(
        stderr.contains(&format!("deep{}`", "[0]".repeat(31))),
        "{stderr}"
    );
}

#[test]
fn manifest_nesting_10000_deep_is_refused_without_crash() {
    let nested = |c: (&str, &str)| format!("{}{}", c.0.repeat(10_000), c.1.repeat(10_000));
    refused(nested(("[", "]")), &["nests deeper than 32 levels"]);
    let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    refused(objects, &["nests deeper than 32 levels"]);
    refused(
        manifest(&[("deep", Some(&nested(("[", "]"))))]),
        &["field `deep[0]", "nests deeper than 32 levels"],
    );
    // Unclosed: the parser must stop at the limit, not recurse to the end.
    refused("[".repeat(60_000), &["nests deeper than 32 levels"]);
}

#[test]
fn manifest_other_fields_are_kept_and_ignored() {
    let report = accepted(manifest(&[
        ("description", Some(r#""Charges a card""#)),
        ("homepage", Some(r#""https://example.com""#)),
        ("scripts", Some(r#"{"test": ["a", {"b": null}]}"#)),
        (
            "keys",
            Some(
                r#"["STRIPE_SECRET_KEY", {"name": "STRIPE_ACCOUNT", "optional": true, "description": "connected account"}]"#,
            ),
        ),
        ("env", Some(r#"["HTTPS_PROXY"]"#)),
    ]));
    assert_eq!(report["version"], "1.0.0");
    assert_eq!(report["keys"][1]["optional"], true, "{report}");
    assert_eq!(report["keys"][1]["description"], "connected account");
}

// ---------------------------------------------------------------------------------
// name

#[test]
fn manifest_missing_name_is_refused() {
    refused_field(manifest(&[("name", None)]), "name", "is required");
}

#[test]
fn manifest_name_not_a_string_is_refused() {
    for v in ["42", "null", r#"["@acme/tool"]"#] {
        refused_field(manifest(&[("name", Some(v))]), "name", "must be a string");
    }
}

#[test]
fn manifest_invalid_names_are_refused_by_npm_rules() {
    let too_long = format!("\"{}\"", "a".repeat(215));
    for (name, why) in [
        (r#""""#, "is empty"),
        (r#""Tool""#, "not lowercase"),
        (r#""@Acme/tool""#, "not lowercase"),
        (r#""@acme""#, "no `/name`"),
        (r#""@acme/""#, "empty name"),
        (r#""@/tool""#, "empty scope"),
        (r#"".hidden""#, "starting with `.` or `_`"),
        (r#""_private""#, "starting with `.` or `_`"),
        (r#""@acme/_tool""#, "starting with `.` or `_`"),
        (r#""a b""#, "not allowed"),
        (r#"" tool""#, "not allowed"),
        (r#""a/b""#, "not allowed"),
        (r#""@acme/a/b""#, "not allowed"),
        (r#""crazy!""#, "not allowed"),
        (r#""caf\u00e9""#, "not allowed"),
        (r#""node_modules""#, "reserved by npm"),
        (r#""favicon.ico""#, "reserved by npm"),
        (&too_long, "215 characters"),
    ] {
        refused_field(manifest(&[("name", Some(name))]), "name", why);
    }
}

#[test]
fn manifest_valid_npm_names_are_accepted() {
    let longest = format!("\"{}\"", "a".repeat(214));
    for name in [
        r#""@acme/stripe-charge""#,
        r#""some-package""#,
        r#""example.com""#,
        r#""under_score""#,
        r#""123numeric""#,
        &longest,
    ] {
        accepted(manifest(&[("name", Some(name))]));
    }
}

/// npm's current rules (validate-npm-package-name, `validForNewPackages`) refuse
/// `~'!()*` in the name part: "name can no longer contain special characters".
#[test]
fn manifest_name_with_tilde_is_refused_as_npm_does() {
    refused_field(
        manifest(&[("name", Some(r#""a~b""#))]),
        "name",
        "not allowed",
    );
    refused_field(
        manifest(&[("name", Some(r#""@acme/a~b""#))]),
        "name",
        "not allowed",
    );
}

// ---------------------------------------------------------------------------------
// version

#[test]
fn manifest_missing_version_is_refused() {
    refused_field(manifest(&[("version", None)]), "version", "is required");
}

#[test]
fn manifest_version_not_a_string_is_refused() {
    refused_field(
        manifest(&[("version", Some("1"))]),
        "version",
        "is not a string",
    );
}

#[test]
fn manifest_empty_version_is_refused() {
    refused_field(
        manifest(&[("version", Some(r#""""#))]),
        "version",
        "1 to 64 printable characters",
    );
}

#[test]
fn manifest_version_over_64_characters_is_refused() {
    let v65 = format!("\"{}\"", "1".repeat(65));
    refused_field(
        manifest(&[("version", Some(&v65))]),
        "version",
        "1 to 64 printable characters",
    );
    let v64 = format!("\"{}\"", "1".repeat(64));
    accepted(manifest(&[("version", Some(&v64))]));
    // Characters, not bytes: 64 two-byte characters are fine.
    let wide = format!("\"{}\"", "\u{e9}".repeat(64));
    accepted(manifest(&[("version", Some(&wide))]));
}

#[test]
fn manifest_version_with_control_character_is_refused() {
    for v in [
        r#""1.0\u0007""#,
        r#""1.0\n""#,
        r#""1.0\t1""#,
        r#""\u001b[31m1""#,
        r#""1\u007f""#,
        r#""1\u0085""#,
    ] {
        let stderr = refused_field(
            manifest(&[("version", Some(v))]),
            "version",
            "1 to 64 printable characters",
        );
        assert!(
            !stderr.contains('\u{1b}'),
            "no raw escape echoed: {stderr:?}"
        );
    }
}

/// "1–64 printable characters": a bidi override or a line separator is not printable,
/// and in a version shown to the owner it can make the text read differently.
#[test]
fn manifest_version_with_non_printable_format_character_is_refused() {
    for v in [r#""1\u202e0""#, r#""1\u2028""#, r#""1\u200b""#] {
        refused_field(
            manifest(&[("version", Some(v))]),
            "version",
            "printable characters",
        );
    }
}

// ---------------------------------------------------------------------------------
// description

#[test]
fn manifest_description_not_a_string_is_refused() {
    for v in ["42", "null", r#"["a"]"#, r#"{"en": "a"}"#] {
        refused_field(
            manifest(&[("description", Some(v))]),
            "description",
            "must be a string",
        );
    }
}

// ---------------------------------------------------------------------------------
// keys

#[test]
fn manifest_keys_not_an_array_is_refused() {
    for v in [
        r#""STRIPE_SECRET_KEY""#,
        r#"{"name": "STRIPE_SECRET_KEY"}"#,
        "null",
    ] {
        refused_field(manifest(&[("keys", Some(v))]), "keys", "must be an array");
    }
}

#[test]
fn manifest_key_neither_name_nor_object_is_refused() {
    refused_field(
        manifest(&[("keys", Some(r#"["A_KEY", 5]"#))]),
        "keys[1]",
        "must be a string or an object",
    );
}

#[test]
fn manifest_key_object_missing_name_is_refused() {
    refused_field(
        manifest(&[("keys", Some(r#"[{"optional": true}]"#))]),
        "keys[0].name",
        "is required",
    );
    refused_field(
        manifest(&[("keys", Some(r#"[{"name": 5}]"#))]),
        "keys[0].name",
        "must be a string",
    );
}

#[test]
fn manifest_key_object_with_unknown_field_is_refused() {
    refused_field(
        manifest(&[("keys", Some(r#"[{"name": "A_KEY", "value": "sk_live_1"}]"#))]),
        "keys[0].value",
        "is not a known field of a key",
    );
}

#[test]
fn manifest_key_object_optional_not_a_bool_is_refused() {
    refused_field(
        manifest(&[("keys", Some(r#"[{"name": "A_KEY", "optional": "yes"}]"#))]),
        "keys[0].optional",
        "must be true or false",
    );
}

#[test]
fn manifest_invalid_key_name_is_refused() {
    let long = format!("\"{}\"", "A".repeat(129));
    for name in [
        r#""stripe_key""#,
        r#""1KEY""#,
        r#""A-B""#,
        r#""A B""#,
        r#""""#,
        &long,
    ] {
        refused_field(
            manifest(&[("keys", Some(&format!("[{name}]")))]),
            "keys[0]",
            "is not a valid name",
        );
    }
    refused_field(
        manifest(&[("keys", Some(r#"["A_KEY", {"name": "bad-name"}]"#))]),
        "keys[1].name",
        "is not a valid name",
    );
}

#[test]
fn manifest_reserved_key_name_is_refused() {
    for name in [
        "PATH",
        "HOME",
        "LD_PRELOAD",
        "DYLD_INSERT_LIBRARIES",
        "KEYWARD_X",
        "NODE_OPTIONS",
    ] {
        refused_field(
            manifest(&[("keys", Some(&format!("[\"{name}\"]")))]),
            "keys[0]",
            "is reserved",
        );
    }
    refused_field(
        manifest(&[("keys", Some(r#"[{"name": "KEYWARD_TOKEN"}]"#))]),
        "keys[0].name",
        "is reserved",
    );
}

#[test]
fn manifest_duplicate_requested_key_is_refused() {
    refused_field(
        manifest(&[("keys", Some(r#"["A_KEY", "A_KEY"]"#))]),
        "keys[1]",
        "already requested by keys[0]",
    );
    refused_field(
        manifest(&[(
            "keys",
            Some(r#"["A_KEY", "B_KEY", {"name": "A_KEY", "optional": true}]"#),
        )]),
        "keys[2]",
        "already requested by keys[0]",
    );
}

// ---------------------------------------------------------------------------------
// env

#[test]
fn manifest_env_not_an_array_of_names_is_refused() {
    refused_field(
        manifest(&[("env", Some(r#""HTTPS_PROXY""#))]),
        "env",
        "must be an array of variable names",
    );
    refused_field(
        manifest(&[("env", Some(r#"["HTTPS_PROXY", 1]"#))]),
        "env[1]",
        "must be a string",
    );
    for name in [r#""1X""#, r#""A-B""#, r#""""#, r#""A=B""#] {
        refused_field(
            manifest(&[("env", Some(&format!("[{name}]")))]),
            "env[0]",
            "is not a variable name",
        );
    }
}

#[test]
fn manifest_env_naming_keyward_credentials_or_a_requested_key_is_refused() {
    for name in ["KEYWARD_TOKEN", "KEYWARD_MASTER_KEY", "KEYWARD_PASSPHRASE"] {
        refused_field(
            manifest(&[("env", Some(&format!("[\"{name}\"]")))]),
            "env[0]",
            "keyward's own credentials",
        );
    }
    refused_field(
        manifest(&[
            ("keys", Some(r#"["A_KEY"]"#)),
            ("env", Some(r#"["A_KEY"]"#)),
        ]),
        "env[0]",
        "also requested in `keys`",
    );
}

// ---------------------------------------------------------------------------------
// run

#[test]
fn manifest_missing_run_is_refused() {
    refused_field(manifest(&[("run", None)]), "run", "is required");
}

#[test]
fn manifest_empty_run_is_refused() {
    refused_field(
        manifest(&[("run", Some("[]"))]),
        "run",
        "must be a non-empty array of strings",
    );
    refused_field(
        manifest(&[("run", Some(r#""./tool""#))]),
        "run",
        "must be a non-empty array of strings",
    );
}

#[test]
fn manifest_run_with_non_string_element_is_refused() {
    for (run, field) in [
        (r#"[3]"#, "run[0]"),
        (r#"["./tool", null]"#, "run[1]"),
        (r#"["./tool", ["a"]]"#, "run[1]"),
        (r#"["./tool", ""]"#, "run[1]"),
        (r#"["./tool\u0000x"]"#, "run[0]"),
    ] {
        refused_field(
            manifest(&[("run", Some(run))]),
            field,
            "must be a non-empty string",
        );
    }
}

// ---------------------------------------------------------------------------------
// Text shown to the owner.

/// The owner decides what to approve from what `install` and `inspect` show; a
/// manifest must not be able to rewrite that screen with terminal escapes, carriage
/// returns or fake lines. Either the manifest is refused naming the field, or the text
/// is shown with its control characters escaped.
#[test]
fn manifest_text_shown_to_the_owner_cannot_drive_the_terminal() {
    for (field, changes) in [
        (
            "description",
            manifest(&[("description", Some(r#""ok\u001b[2K\rApproved: nothing""#))]),
        ),
        (
            "keys[0].description",
            manifest(&[(
                "keys",
                Some(r#"[{"name": "A_KEY", "description": "x\u001b[1A\u001b[2Kgone"}]"#),
            )]),
        ),
        (
            "run[1]",
            manifest(&[("run", Some(r#"["./tool", "a\u001b]0;title\u0007b"]"#))]),
        ),
    ] {
        let env = TestEnv::with_vault();
        let dir = env.package_path("ansi");
        write_manifest(&dir, &changes);
        let out = env
            .cmd()
            .args(["install", dir.to_str().unwrap(), "--yes"])
            .assert();
        let code = out.get_output().status.code();
        let stderr = stderr_of(&out);
        if code == Some(1) {
            assert!(stderr.contains(&format!("field `{field}`")), "{stderr}");
            assert!(!stderr.contains('\u{1b}'), "{field}: {stderr:?}");
            continue;
        }
        assert_eq!(
            code,
            Some(0),
            "{field}: refused (1) or installed (0): {stderr}"
        );
        let inspect = env.cmd().args(["inspect", "@acme/tool"]).assert().success();
        let stdout = crate::common::stdout_of(&inspect);
        for text in [&stderr, &stdout] {
            assert!(
                !text.contains(['\u{1b}', '\r', '\u{7}']),
                "{field}: raw control characters reach the terminal: {text:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// The seed's shape: `keychain` in place of `keys`, `timeout`, `deliver`, `serve`

const SEED_KEYCHAIN: &str = r#"{
    "required": [{"name": "STRIPE_SECRET_KEY", "description": "charges cards"}],
    "optional": [{"name": "STRIPE_ACCOUNT", "description": "connected account"}]
}"#;

#[test]
fn manifest_seed_shape_installs_required_then_optional_keys() {
    let report = accepted(manifest(&[
        ("keychain", Some(SEED_KEYCHAIN)),
        ("timeout", Some("30")),
        ("deliver", Some(r#""env""#)),
        ("serve", Some(r#""http""#)),
    ]));
    let keys: Vec<(String, bool, String)> = report["keys"]
        .as_array()
        .expect("`keys` is an array")
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_owned(),
                k["optional"].as_bool().unwrap(),
                k["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("STRIPE_SECRET_KEY".into(), false, "charges cards".into()),
            ("STRIPE_ACCOUNT".into(), true, "connected account".into()),
        ],
        "{report}"
    );
}

#[test]
fn manifest_seed_example_installs_and_runs_with_its_key_masked() {
    let env = TestEnv::with_vault();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-shape");
    let dir = env.root().join("pkgs/seed-shape");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["instant.package.json", "summary.sh"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
    let value = "sk-openai-example-value-5e1d";
    env.set_secret("OPENAI_API_KEY", value);
    env.install(None, &dir, &["OPENAI_API_KEY"]);
    let assert = env.run_cmd(["@example/seed-shape"]).assert().success();
    let stdout = crate::common::stdout_of(&assert);
    assert!(
        stdout.contains("hello from @example/seed-shape"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OPENAI_API_KEY: given (28 bytes), value: <concealed by keyward>"),
        "{stdout}"
    );
    assert!(stdout.contains("SLACK_WEBHOOK_URL: not given"), "{stdout}");
    assert!(!stdout.contains(value), "{stdout}");
}

#[test]
fn manifest_with_both_keys_and_keychain_is_refused() {
    let stderr = refused_field(
        manifest(&[
            ("keys", Some(r#"["STRIPE_SECRET_KEY"]"#)),
            ("keychain", Some(SEED_KEYCHAIN)),
        ]),
        "keychain",
        "together with `keys`",
    );
    assert!(stderr.contains("keep one of the two fields"), "{stderr}");
}

#[test]
fn manifest_seed_shape_keys_follow_the_key_rules() {
    for (keychain, field, hint) in [
        (r#"["A"]"#, "keychain", "must be an object"),
        (
            r#"{"required": "A"}"#,
            "keychain.required",
            "must be an array",
        ),
        (
            r#"{"requird": []}"#,
            "keychain.requird",
            "did you mean `required`?",
        ),
        (
            r#"{"required": [{"name": "stripe"}]}"#,
            "keychain.required[0].name",
            "not a valid name",
        ),
        (
            r#"{"optional": ["NODE_OPTIONS"]}"#,
            "keychain.optional[0]",
            "reserved",
        ),
        (
            r#"{"required": [{"name": "A", "description": []}]}"#,
            "keychain.required[0].description",
            "must be a string",
        ),
        (
            r#"{"required": ["A"], "optional": [{"name": "A"}]}"#,
            "keychain.optional[0]",
            "already requested by keychain.required[0]",
        ),
    ] {
        refused_field(manifest(&[("keychain", Some(keychain))]), field, hint);
    }
}

#[test]
fn manifest_timeout_is_1_to_300_seconds() {
    for ok in ["1", "300"] {
        accepted(manifest(&[("timeout", Some(ok))]));
    }
    for bad in ["0", "301", "2.5", r#""10""#] {
        refused_field(
            manifest(&[("timeout", Some(bad))]),
            "timeout",
            "whole number of seconds from 1 to 300",
        );
    }
}

#[test]
fn manifest_deliver_and_serve_take_their_documented_values() {
    for ok in [r#""env""#, r#""files""#, r#""socket""#] {
        accepted(manifest(&[("deliver", Some(ok))]));
    }
    accepted(manifest(&[("serve", Some(r#""cgi""#))]));
    refused_field(
        manifest(&[("deliver", Some(r#""stdin""#))]),
        "deliver",
        r#"must be one of "env", "files", "socket""#,
    );
    refused_field(
        manifest(&[("serve", Some(r#""HTTP""#))]),
        "serve",
        r#"must be one of "cgi", "http""#,
    );
}

#[test]
fn manifest_env_naming_a_reserved_variable_is_refused() {
    for name in [
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "DYLD_INSERT_LIBRARIES",
        "BASH_ENV",
        "ENV",
        "NODE_OPTIONS",
        "PYTHONPATH",
        "PYTHONHOME",
        "IFS",
        "SHELL",
        "KEYWARD_VAULT",
        "KEYWARD_PACKAGE_DIR",
    ] {
        refused_field(
            manifest(&[("env", Some(&format!(r#"["HTTPS_PROXY", "{name}"]"#)))]),
            "env[1]",
            "is reserved",
        );
    }
}

#[test]
fn manifest_near_miss_field_is_not_read_as_the_known_one() {
    // `key` is not `keys`: the package requests nothing (and `install` should warn).
    let report = accepted(manifest(&[("key", Some(r#"["OPENAI_API_KEY"]"#))]));
    assert_eq!(report["keys"], serde_json::json!([]), "{report}");
}

#[test]
fn manifest_near_miss_field_is_warned_about_at_install() {
    let env = TestEnv::with_vault();
    let dir = env.package_path("near-miss");
    write_manifest(
        &dir,
        manifest(&[("key", Some(r#"["OPENAI_API_KEY"]"#)), ("Run", Some("1"))]),
    );
    let assert = env
        .cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .success();
    let stderr = stderr_of(&assert);
    for warning in [
        "keyward: warning: unknown field `key`; did you mean `keys`?",
        "keyward: warning: unknown field `Run`; did you mean `run`?",
    ] {
        assert!(stderr.contains(warning), "{stderr}");
    }
    // With --json too: stdout stays one document, the warning goes to stderr.
    let dir = env.package_path("near-miss-json");
    write_manifest(&dir, manifest(&[("Keys", Some(r#"["OPENAI_API_KEY"]"#))]));
    let assert = env
        .cmd()
        .args(["--json", "install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .success();
    serde_json::from_slice::<serde_json::Value>(&assert.get_output().stdout)
        .expect("stdout is one JSON document");
    assert!(
        stderr_of(&assert).contains("unknown field `Keys`; did you mean `keys`?"),
        "{}",
        stderr_of(&assert)
    );
}

#[test]
fn install_shows_the_callers_variables_a_package_will_see() {
    let env = TestEnv::with_vault();
    let dir = env.package_path("with-env");
    write_manifest(
        &dir,
        r#"{"name": "with-env", "version": "1", "env": ["GITHUB_TOKEN", "HTTPS_PROXY"], "run": ["true"]}"#,
    );
    let out = env
        .cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .success();
    let err = stderr_of(&out);
    assert!(
        err.contains("env     GITHUB_TOKEN HTTPS_PROXY (passed from the caller's environment"),
        "{err}"
    );
    assert!(err.contains("run     true"), "{err}");
}
