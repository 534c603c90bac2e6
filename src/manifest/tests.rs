//! Unit tests of the manifest: the design's example, the document-wide limits and
//! each field's rules.

use super::fields::{FORBIDDEN_ENV, check_package_name};
use super::*;
use crate::names::check_name;
use serde_json::Map;

const FILE: &str = "/pkg/instant.package.json";

const DESIGN_EXAMPLE: &str = r#"{
      "name": "@acme/stripe-charge",
      "version": "v-20250101",
      "description": "Charges a card with Stripe",
      "keys": ["STRIPE_SECRET_KEY",
               {"name": "STRIPE_ACCOUNT", "optional": true, "description": "connected account"}],
      "env": ["HTTPS_PROXY"],
      "run": ["python3", "./charge.py"]
    }"#;

fn parse_str(json: &str) -> Result<Manifest, ManifestError> {
    parse(json.as_bytes(), Path::new(FILE))
}

/// A valid manifest with one top-level field replaced (or removed, for `None`).
/// `value` is spliced in as raw text, so it may break rules serde_json would hide.
fn with(field: &str, value: Option<&str>) -> String {
    let mut top: Map<String, Value> = serde_json::from_str(DESIGN_EXAMPLE).unwrap();
    top.remove(field);
    let json = serde_json::to_string(&top).unwrap();
    match value {
        Some(v) => format!("{}, \"{field}\": {v}}}", &json[..json.len() - 1]),
        None => json,
    }
}

/// Asserts the manifest is refused for `field`, with a message naming the file and
/// the field and containing `hint`.
fn refused(json: &str, field: &str, hint: &str) {
    let err = parse_str(json).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(&err, ManifestError::Field { field: f, .. } if f == field),
        "{msg}"
    );
    assert!(
        msg.starts_with(&format!("{FILE}: field `{field}`: ")),
        "{msg}"
    );
    assert!(msg.contains(hint), "{msg} lacks {hint:?}");
}

#[test]
fn design_example_parses() {
    let m = parse_str(DESIGN_EXAMPLE).unwrap();
    let expected = Manifest {
        name: "@acme/stripe-charge".into(),
        version: "v-20250101".into(),
        description: Some("Charges a card with Stripe".into()),
        keys: vec![
            KeyRequest {
                name: "STRIPE_SECRET_KEY".into(),
                optional: false,
                description: None,
            },
            KeyRequest {
                name: "STRIPE_ACCOUNT".into(),
                optional: true,
                description: Some("connected account".into()),
            },
        ],
        env: vec!["HTTPS_PROXY".into()],
        run: vec!["python3".into(), "./charge.py".into()],
        timeout: 10,
        deliver: Deliver::Env,
        serve: None,
        warnings: vec![],
    };
    assert_eq!(m, expected);
    assert!(m.requests("STRIPE_ACCOUNT").is_some_and(|k| k.optional));
    assert_eq!(m.requests("OPENAI_API_KEY"), None);
}

#[test]
fn minimal_manifest_parses_with_defaults() {
    let m = parse_str(r#"{"name": "tool", "version": "1", "run": ["./tool"]}"#).unwrap();
    assert_eq!((m.keys.len(), m.env.len(), m.description), (0, 0, None));
}

#[test]
fn unknown_top_level_fields_are_ignored() {
    let json = with(
        "x-extra",
        Some(r#"{"deep": [1, 2.5, -3, null, true, {"a": "b"}]}"#),
    );
    assert_eq!(
        parse_str(&json).unwrap(),
        parse_str(DESIGN_EXAMPLE).unwrap()
    );
}

#[test]
fn refuses_over_64_kib_before_parsing() {
    // Not even JSON: the size is checked first.
    let big = vec![b'x'; 1 << 20];
    let err = parse(&big, Path::new(FILE)).unwrap_err();
    assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
    assert!(err.to_string().starts_with(FILE), "{err}");
    let mut padded = DESIGN_EXAMPLE.as_bytes().to_vec();
    padded.resize(MAX_MANIFEST_BYTES, b' ');
    parse(&padded, Path::new(FILE)).unwrap();
    padded.push(b' ');
    let err = parse(&padded, Path::new(FILE)).unwrap_err();
    assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
}

#[test]
fn refuses_non_utf8_and_bom() {
    let err = parse(b"{\"name\": \"\xff\"}", Path::new(FILE)).unwrap_err();
    assert!(matches!(err, ManifestError::NotUtf8 { .. }), "{err}");
    assert!(err.to_string().contains("offset 10"), "{err}");
    let bom = [b"\xEF\xBB\xBF", DESIGN_EXAMPLE.as_bytes()].concat();
    let err = parse(&bom, Path::new(FILE)).unwrap_err();
    assert!(err.to_string().contains("byte-order mark"), "{err}");
}

#[test]
fn refuses_bad_json_syntax() {
    for bad in ["", "{", r#"{"name": "x",}"#, "{} {}", "{'name': 1}"] {
        let err = parse_str(bad).unwrap_err();
        assert!(matches!(err, ManifestError::Syntax { .. }), "{bad}: {err}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}

#[test]
fn refuses_a_top_level_that_is_not_an_object() {
    for bad in ["[]", "\"name\"", "null", "3"] {
        let msg = parse_str(bad).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("{FILE}: top level: must be a JSON object")),
            "{msg}"
        );
    }
}

#[test]
fn refuses_10000_deep_nesting_without_crashing() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let err = parse_str(&deep).unwrap_err();
    assert!(matches!(err, ManifestError::Field { .. }), "{err}");
    assert!(err.to_string().contains("deeper than 32"), "{err}");
    // Also inside an ignored field, and with objects.
    let deep = with(
        "x",
        Some(&format!(
            "{}1{}",
            "{\"a\":".repeat(5_000),
            "}".repeat(5_000)
        )),
    );
    let err = parse_str(&deep).unwrap_err();
    assert!(err.to_string().contains("deeper than 32"), "{err}");
}

#[test]
fn nesting_limit_is_exactly_32() {
    // The top-level object is level 1, so 31 arrays inside it reach 32.
    let ok = with("x", Some(&format!("{}{}", "[".repeat(31), "]".repeat(31))));
    parse_str(&ok).unwrap();
    let over = with("x", Some(&format!("{}{}", "[".repeat(32), "]".repeat(32))));
    let field = format!("x{}", "[0]".repeat(31));
    refused(&over, &field, "deeper than 32 levels");
}

#[test]
fn refuses_duplicate_keys_at_top_level() {
    let json = r#"{"name": "a", "version": "1", "run": ["x"], "name": "b"}"#;
    refused(json, "name", "appears twice");
}

#[test]
fn refuses_duplicate_keys_nested() {
    let json = with(
        "keys",
        Some(r#"["A", {"name": "B", "optional": true, "name": "C"}]"#),
    );
    refused(&json, "keys[1].name", "appears twice");
    let json = with("x", Some(r#"{"odd key": {"y": 1, "y": 2}}"#));
    refused(&json, r#"x["odd key"].y"#, "appears twice");
}

#[test]
fn name_is_required_and_follows_npm_rules() {
    refused(&with("name", None), "name", "is required");
    refused(&with("name", Some("7")), "name", "must be a string");
    for (bad, why) in [
        (r#""""#, "is empty"),
        (r#""Acme""#, "not lowercase"),
        (r#""a b""#, "not allowed"),
        (r#""café""#, "not allowed"),
        (r#"".hidden""#, "starting with"),
        (r#""_private""#, "starting with"),
        (r#""@acme""#, "no `/name`"),
        (r#""@/x""#, "empty scope"),
        (r#""@acme/""#, "empty name after the scope"),
        (r#""@acme/a/b""#, "not allowed"),
        (r#""node_modules""#, "reserved"),
        (r#""a~b""#, "not allowed"),
    ] {
        refused(&with("name", Some(bad)), "name", why);
    }
    let long = format!("\"{}\"", "a".repeat(215));
    refused(&with("name", Some(&long)), "name", "215 characters");
    for good in [
        "a",
        "a-b.c_d-e",
        "@acme/stripe-charge",
        "@a/b",
        &"a".repeat(214),
    ] {
        let json = with("name", Some(&format!("\"{good}\"")));
        assert_eq!(parse_str(&json).unwrap().name, good);
    }
}

#[test]
fn version_is_required_and_printable() {
    refused(&with("version", None), "version", "is required");
    refused(&with("version", Some("1")), "version", "1 to 64 printable");
    refused(
        &with("version", Some(r#""""#)),
        "version",
        "1 to 64 printable",
    );
    refused(
        &with("version", Some(r#""1\n2""#)),
        "version",
        "1 to 64 printable",
    );
    let long = format!("\"{}\"", "é".repeat(65));
    refused(
        &with("version", Some(&long)),
        "version",
        "1 to 64 printable",
    );
    let max = format!("\"{}\"", "é".repeat(64));
    parse_str(&with("version", Some(&max))).unwrap();
}

#[test]
fn description_must_be_a_string() {
    refused(
        &with("description", Some("[]")),
        "description",
        "must be a string",
    );
}

#[test]
fn keys_must_be_an_array_of_names_or_objects() {
    refused(&with("keys", Some(r#""A""#)), "keys", "must be an array");
    refused(
        &with("keys", Some("[1]")),
        "keys[0]",
        "a string or an object",
    );
}

#[test]
fn key_names_follow_the_name_rule() {
    refused(
        &with("keys", Some(r#"["A", "lower"]"#)),
        "keys[1]",
        "^[A-Z_][A-Z0-9_]{0,127}$",
    );
    refused(
        &with("keys", Some(r#"["LD_PRELOAD"]"#)),
        "keys[0]",
        "reserved",
    );
    refused(
        &with("keys", Some(r#"[{"name": "a-b"}]"#)),
        "keys[0].name",
        "not a valid name",
    );
}

#[test]
fn key_objects_are_checked_field_by_field() {
    refused(
        &with("keys", Some(r#"[{"optional": true}]"#)),
        "keys[0].name",
        "is required",
    );
    refused(
        &with("keys", Some(r#"[{"name": 1}]"#)),
        "keys[0].name",
        "must be a string",
    );
    let bad = r#"[{"name": "A", "optional": "yes"}]"#;
    refused(
        &with("keys", Some(bad)),
        "keys[0].optional",
        "true or false",
    );
    let bad = r#"[{"name": "A", "description": 5}]"#;
    refused(
        &with("keys", Some(bad)),
        "keys[0].description",
        "must be a string",
    );
    let bad = r#"["B", {"name": "A", "requried": true}]"#;
    refused(
        &with("keys", Some(bad)),
        "keys[1].requried",
        "not a known field",
    );
}

#[test]
fn a_key_is_requested_once() {
    let bad = r#"["A", "B", {"name": "A", "optional": true}]"#;
    refused(
        &with("keys", Some(bad)),
        "keys[2]",
        "already requested by keys[0]",
    );
}

#[test]
fn env_holds_variable_names() {
    refused(&with("env", Some(r#""HOME""#)), "env", "must be an array");
    refused(
        &with("env", Some(r#"["HOME", 1]"#)),
        "env[1]",
        "must be a string",
    );
    for bad in [r#""1X""#, r#""A-B""#, r#""""#, r#""A=B""#] {
        refused(
            &with("env", Some(&format!("[{bad}]"))),
            "env[0]",
            "^[A-Za-z_][A-Za-z0-9_]*$",
        );
    }
    let ok = parse_str(&with("env", Some(r#"["https_proxy", "_X1", "PATH"]"#))).unwrap();
    assert_eq!(ok.env, ["https_proxy", "_X1", "PATH"]);
}

#[test]
fn env_never_names_keyward_credentials() {
    for name in FORBIDDEN_ENV {
        let json = with("env", Some(&format!(r#"["HTTPS_PROXY", "{name}"]"#)));
        refused(&json, "env[1]", "keyward's own credentials");
    }
}

#[test]
fn env_does_not_repeat_a_requested_key() {
    refused(
        &with("env", Some(r#"["STRIPE_ACCOUNT"]"#)),
        "env[0]",
        "also requested in `keys`",
    );
}

#[test]
fn run_is_a_non_empty_argv() {
    refused(
        &with("run", None),
        "run",
        r#"e.g. ["python3", "./main.py"]"#,
    );
    for escape in [
        "./",
        "./../evil.sh",
        ".//bin/echo",
        "./a/../../x",
        "./a//b",
        "./.git/hook",
        "././x",
    ] {
        let json = with("run", Some(&format!("[\"{escape}\"]")));
        refused(&json, "run[0]", "./");
    }
    assert!(
        parse_str(&with(
            "run",
            Some(r#"["./bin/tool", "../not-a-dot-slash", "x/../y"]"#)
        ))
        .is_ok()
    );
    refused(&with("run", Some("[]")), "run", "non-empty array");
    refused(&with("run", Some(r#""./x""#)), "run", "non-empty array");
    refused(
        &with("run", Some(r#"["python3", 1]"#)),
        "run[1]",
        "non-empty string",
    );
    refused(
        &with("run", Some(r#"["python3", ""]"#)),
        "run[1]",
        "non-empty string",
    );
    refused(
        &with("run", Some(r#"["a\u0000b"]"#)),
        "run[0]",
        "without NUL",
    );
}

#[test]
fn echoed_values_are_escaped_and_short() {
    let json = with("name", Some(&format!("\"\\u001b[31m{}\"", "x".repeat(300))));
    let msg = parse_str(&json).unwrap_err().to_string();
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    assert!(msg.len() < 600, "{msg}");
}

// ---------------------------------------------------------------------------------
// The seed's `keychain` shape.

const SEED_EXAMPLE: &str = r#"{
      "name": "@acme/forecast",
      "version": "1.0.0",
      "keychain": {
        "required": [{"name": "OPENWEATHER_API_KEY", "description": "the forecast source"}],
        "optional": [{"name": "SENTRY_DSN", "description": "error reports"}, "LOG_TOKEN"]
      },
      "timeout": 30,
      "run": ["node", "./index.js"]
    }"#;

/// The seed example with `keychain` replaced (or removed, for `None`).
fn seed_with(field: &str, value: Option<&str>) -> String {
    let mut top: Map<String, Value> = serde_json::from_str(SEED_EXAMPLE).unwrap();
    top.remove(field);
    let json = serde_json::to_string(&top).unwrap();
    match value {
        Some(v) => format!("{}, \"{field}\": {v}}}", &json[..json.len() - 1]),
        None => json,
    }
}

#[test]
fn seed_shape_parses_required_first_then_optional() {
    let m = parse_str(SEED_EXAMPLE).unwrap();
    let keys: Vec<(&str, bool, Option<&str>)> = m
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.optional, k.description.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("OPENWEATHER_API_KEY", false, Some("the forecast source")),
            ("SENTRY_DSN", true, Some("error reports")),
            ("LOG_TOKEN", true, None),
        ]
    );
    assert_eq!(m.timeout, 30);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    // Required first whatever the order in the file.
    let swapped = seed_with(
        "keychain",
        Some(r#"{"optional": [{"name": "B"}], "required": [{"name": "A"}]}"#),
    );
    let names: Vec<String> = parse_str(&swapped)
        .unwrap()
        .keys
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["A", "B"]);
}

#[test]
fn seed_shape_lists_may_be_missing_or_empty() {
    for keychain in ["{}", r#"{"required": []}"#, r#"{"optional": []}"#] {
        let m = parse_str(&seed_with("keychain", Some(keychain))).unwrap();
        assert!(m.keys.is_empty(), "{keychain}");
    }
    let m = parse_str(&seed_with("keychain", Some(r#"{"optional": ["A"]}"#))).unwrap();
    assert!(m.keys[0].optional);
}

#[test]
fn seed_shape_without_run_runs_the_instant_api_launcher() {
    // The seed's manifests have no `run`: an Instant API project gets keyward's launcher.
    let m = parse_str(&seed_with("run", None)).unwrap();
    assert_eq!(m.run, [super::INSTANT_API_RUN]);
    // Written out, the same.
    let json = seed_with("run", Some(r#"["keyward:instant-api"]"#));
    assert_eq!(parse_str(&json).unwrap().run, [super::INSTANT_API_RUN]);
    // The `keys` shape still needs its `run`.
    refused(&with("run", None), "run", "is required");
}

#[test]
fn keys_and_keychain_together_are_refused_naming_both() {
    let json = seed_with("keys", Some(r#"["A"]"#));
    refused(&json, "keychain", "together with `keys`");
    // Even when both are empty: which one is meant is still unclear.
    let json = seed_with("keychain", Some("{}"));
    refused(
        &format!("{}, \"keys\": []}}", &json[..json.len() - 1]),
        "keychain",
        "`keys`",
    );
}

#[test]
fn keychain_must_be_an_object_of_two_arrays() {
    refused(
        &seed_with("keychain", Some(r#"["A"]"#)),
        "keychain",
        "must be an object",
    );
    refused(
        &seed_with("keychain", Some(r#"{"required": "A"}"#)),
        "keychain.required",
        "must be an array",
    );
    refused(
        &seed_with("keychain", Some(r#"{"optional": {"name": "A"}}"#)),
        "keychain.optional",
        "must be an array",
    );
    refused(
        &seed_with("keychain", Some(r#"{"requried": []}"#)),
        "keychain.requried",
        "did you mean `required`?",
    );
    refused(
        &seed_with("keychain", Some(r#"{"required": [], "extra": []}"#)),
        "keychain.extra",
        "not a known field of `keychain`",
    );
    refused(
        &seed_with("keychain", Some(r#"{"required": [7]}"#)),
        "keychain.required[0]",
        "an object or a name",
    );
}

#[test]
fn keychain_keys_follow_the_key_rules() {
    for (keychain, field, hint) in [
        (
            r#"{"required": [{"name": "lower"}]}"#,
            "keychain.required[0].name",
            "^[A-Z_][A-Z0-9_]{0,127}$",
        ),
        (
            r#"{"optional": ["A", "LD_PRELOAD"]}"#,
            "keychain.optional[1]",
            "reserved",
        ),
        (
            r#"{"required": [{"description": "x"}]}"#,
            "keychain.required[0].name",
            "is required",
        ),
        (
            r#"{"required": [{"name": 5}]}"#,
            "keychain.required[0].name",
            "must be a string",
        ),
        (
            r#"{"required": [{"name": "A", "description": 5}]}"#,
            "keychain.required[0].description",
            "must be a string",
        ),
        (
            r#"{"required": [{"name": "A", "descripton": "x"}]}"#,
            "keychain.required[0].descripton",
            "did you mean `description`?",
        ),
        (
            r#"{"required": [{"name": "A", "optional": true}]}"#,
            "keychain.required[0].optional",
            "the list holding the key",
        ),
        (
            r#"{"required": [{"name": "A", "name": "B"}]}"#,
            "keychain.required[0].name",
            "appears twice",
        ),
    ] {
        refused(&seed_with("keychain", Some(keychain)), field, hint);
    }
}

#[test]
fn a_keychain_key_is_requested_once_across_both_lists() {
    refused(
        &seed_with("keychain", Some(r#"{"required": ["A", "A"]}"#)),
        "keychain.required[1]",
        "already requested by keychain.required[0]",
    );
    refused(
        &seed_with(
            "keychain",
            Some(r#"{"required": [{"name": "A"}], "optional": [{"name": "A"}]}"#),
        ),
        "keychain.optional[0]",
        "already requested by keychain.required[0]",
    );
}

#[test]
fn env_does_not_repeat_a_key_of_the_keychain() {
    refused(
        &seed_with("env", Some(r#"["SENTRY_DSN"]"#)),
        "env[0]",
        "also requested in `keychain`",
    );
}

// ---------------------------------------------------------------------------------
// timeout, deliver, serve

#[test]
fn timeout_is_whole_seconds_from_1_to_300() {
    assert_eq!(parse_str(DESIGN_EXAMPLE).unwrap().timeout, DEFAULT_TIMEOUT);
    for (ok, secs) in [("1", 1), ("300", 300), ("10", 10)] {
        assert_eq!(parse_str(&with("timeout", Some(ok))).unwrap().timeout, secs);
    }
    for bad in ["0", "301", "-1", "10.5", "1e3", "18446744073709551616"] {
        refused(
            &with("timeout", Some(bad)),
            "timeout",
            "whole number of seconds from 1 to 300",
        );
    }
    for bad in [r#""10""#, "null", "true", "[10]"] {
        refused(&with("timeout", Some(bad)), "timeout", "is not a number");
    }
}

#[test]
fn deliver_is_env_files_or_socket() {
    assert_eq!(parse_str(DESIGN_EXAMPLE).unwrap().deliver, Deliver::Env);
    for d in Deliver::ALL {
        let json = with("deliver", Some(&format!("\"{}\"", d.as_str())));
        assert_eq!(parse_str(&json).unwrap().deliver, d);
    }
    for bad in [r#""Env""#, r#""file""#, r#""""#] {
        refused(
            &with("deliver", Some(bad)),
            "deliver",
            r#"must be one of "env", "files", "socket""#,
        );
    }
    refused(&with("deliver", Some("1")), "deliver", "is not a string");
}

#[test]
fn serve_is_cgi_or_http_when_given() {
    assert_eq!(parse_str(DESIGN_EXAMPLE).unwrap().serve, None);
    for s in Serve::ALL {
        let json = with("serve", Some(&format!("\"{}\"", s.as_str())));
        assert_eq!(parse_str(&json).unwrap().serve, Some(s));
    }
    refused(
        &with("serve", Some(r#""https""#)),
        "serve",
        r#"must be one of "cgi", "http""#,
    );
    refused(&with("serve", Some("null")), "serve", "is not a string");
}

#[test]
fn refused_enum_values_are_echoed_escaped() {
    let msg = parse_str(&with("deliver", Some(r#""\u001b[2Jx""#)))
        .unwrap_err()
        .to_string();
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    assert!(msg.contains(r#""\u001b[2Jx""#), "{msg}");
}

// ---------------------------------------------------------------------------------
// env: reserved names

#[test]
fn env_refuses_reserved_names_as_keys_do() {
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
    ] {
        assert!(
            matches!(check_name(name), Err(crate::names::NameError::Reserved(_))),
            "{name} is a reserved key name"
        );
        let json = with("env", Some(&format!(r#"["HTTPS_PROXY", "{name}"]"#)));
        refused(&json, "env[1]", "is reserved");
    }
}

#[test]
fn env_refuses_every_keyward_variable() {
    for name in [
        "KEYWARD_VAULT",
        "KEYWARD_PACKAGE",
        "KEYWARD_x",
        &format!("KEYWARD_{}", "A".repeat(200)),
    ] {
        let json = with("env", Some(&format!(r#"["{name}"]"#)));
        refused(&json, "env[0]", "is reserved");
    }
    // Its own credentials keep their sharper message.
    refused(
        &with("env", Some(r#"["KEYWARD_TOKEN"]"#)),
        "env[0]",
        "keyward's own credentials",
    );
}

#[test]
fn env_allows_what_every_package_gets_and_near_names() {
    // PATH and HOME are reserved as keys, but every package sees the caller's anyway.
    let names = r#"["PATH", "HOME", "LANG", "ENVIRONMENT", "SHELLCHECK_OPTS", "ld_preload", "LDFLAGS", "MY_LD_PRELOAD"]"#;
    let m = parse_str(&with("env", Some(names))).unwrap();
    assert_eq!(m.env.len(), 8);
    // Long names are still checked for the reserved prefixes.
    let long = format!(r#"["LD_{}"]"#, "A".repeat(200));
    refused(&with("env", Some(&long)), "env[0]", "is reserved");
}

// ---------------------------------------------------------------------------------
// Near misses of known fields

fn warnings_of(json: &str) -> Vec<String> {
    parse_str(json).unwrap().warnings
}

#[test]
fn a_misspelt_field_is_warned_about_with_a_did_you_mean() {
    let json = with("keys", None);
    let json = format!(
        r#"{}, "key": ["OPENAI_API_KEY"]}}"#,
        &json[..json.len() - 1]
    );
    assert_eq!(
        warnings_of(&json),
        ["unknown field `key`; did you mean `keys`?"]
    );
    for (field, known) in [
        ("Keys", "keys"),
        ("KEYS", "keys"),
        ("kyes", "keys"),
        ("nmae", "name"),
        ("Name", "name"),
        ("verison", "version"),
        ("vesrion", "version"),
        ("desription", "description"),
        ("descripton", "description"),
        ("Description", "description"),
        ("keychian", "keychain"),
        ("key_chain", "keychain"),
        ("keyChain", "keychain"),
        ("envs", "env"),
        ("Env", "env"),
        ("rnu", "run"),
        ("runs", "run"),
        ("timout", "timeout"),
        ("timeOut", "timeout"),
        ("time_out", "timeout"),
        ("delivery", "deliver"),
        ("server", "serve"),
    ] {
        let json = with(field, Some("1"));
        assert_eq!(
            warnings_of(&json),
            [format!("unknown field `{field}`; did you mean `{known}`?")],
            "{field}"
        );
    }
}

#[test]
fn other_unknown_fields_are_not_warned_about() {
    for field in [
        "homepage",
        "scripts",
        "license",
        "author",
        "bin",
        "url",
        "main",
        "tags",
        "x-extra",
        "deps",
        "node",
        "id",
        "repository",
        "keywords",
        "$schema",
        "",
    ] {
        assert_eq!(
            warnings_of(&with(field, Some("1"))),
            Vec::<String>::new(),
            "{field}"
        );
    }
}

#[test]
fn every_near_miss_gets_its_own_warning() {
    let json = with("Keys", Some("1"));
    let json = format!(r#"{}, "nmae": 2}}"#, &json[..json.len() - 1]);
    let mut warnings = warnings_of(&json);
    warnings.sort();
    assert_eq!(
        warnings,
        [
            "unknown field `Keys`; did you mean `keys`?",
            "unknown field `nmae`; did you mean `name`?",
        ]
    );
}

#[test]
fn a_warned_field_name_cannot_drive_the_terminal() {
    for field in ["keychai\\u001b", "versio\\u202e"] {
        let warnings = warnings_of(&with(field, Some("1")));
        assert_eq!(warnings.len(), 1, "{field}");
        assert!(
            !warnings[0].chars().any(crate::output::is_unprintable),
            "{:?}",
            warnings[0]
        );
    }
}

#[test]
fn warnings_are_not_serialized() {
    let m = parse_str(&with("Keys", Some("1"))).unwrap();
    assert_eq!(m.warnings.len(), 1);
    let json = serde_json::to_value(&m).unwrap();
    assert!(json.get("warnings").is_none(), "{json}");
    assert_eq!(json["deliver"], "env");
    assert_eq!(json["timeout"], 10);
}

#[test]
fn check_package_name_explains_the_rule() {
    assert_eq!(super::check_package_name("@acme/tool"), Ok(()));
    let why = super::check_package_name("My Tool").unwrap_err();
    assert!(
        why.starts_with("\"My Tool\" is not lowercase; a package name is"),
        "{why}"
    );
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        let _ = parse(&bytes, Path::new(FILE));
    }

    #[test]
    fn valid_manifests_round_trip(
        name in "(@[a-z0-9][a-z0-9-]{0,8}/)?[a-z0-9][a-z0-9._~-]{0,20}",
        version in "[ -~]{1,64}",
        keys in proptest::collection::btree_map("[A-Z][A-Z0-9_]{0,10}", (proptest::bool::ANY, proptest::option::of(".{0,20}")), 0..5),
        run in proptest::collection::vec("[^\u{0}]{1,10}", 1..4),
        timeout in 1..=MAX_TIMEOUT,
        deliver in proptest::sample::select(Deliver::ALL.to_vec()),
        serve in proptest::option::of(proptest::sample::select(Serve::ALL.to_vec())),
    ) {
        proptest::prop_assume!(check_package_name(&name).is_ok());
        // `./`, `./..` and the like are refused by a rule of their own.
        proptest::prop_assume!(run.iter().all(|a| super::fields::escapes_package(a).is_none()));
        let keys: Vec<KeyRequest> = keys.into_iter()
            .filter(|(k, _)| check_name(k).is_ok())
            .map(|(name, (optional, description))| KeyRequest { name, optional, description })
            .collect();
        let m = Manifest {
            name, version, description: None, keys, env: vec!["HTTPS_PROXY".into()], run,
            timeout, deliver, serve, warnings: vec![],
        };
        let json = serde_json::to_vec(&m).unwrap();
        proptest::prop_assert_eq!(parse(&json, Path::new(FILE)).unwrap(), m);
    }
}
