//! The one integration-test binary (`autotests = false`): every file in `tests/` is a
//! module of it, so the crate and its dependencies are linked once.

mod common;

mod audit;
mod canaries;
mod completion;
mod concurrency;
mod config;
mod deliver;
mod digest_cli;
mod disk_full;
mod double_opt_in;
mod error_codes;
mod first_hour;
mod fuzzing;
mod gateway;
mod generated;
mod grant_tamper;
mod hardening;
mod help;
mod holder_forgery;
mod init;
mod install_no_input;
mod instant_api;
mod integrity;
mod keychain;
mod keyring;
mod kill_loop;
mod launch_race;
mod leaks;
mod manifest_rules;
mod mcp;
mod mcp_http;
mod mcp_scopes;
mod new;
mod no_input;
mod openbao;
mod package_changes;
mod package_tokens;
mod perf_paths;
mod permissions;
mod quickstart;
mod recipes;
mod registry;
mod rekey;
mod report;
mod rollback;
mod run;
mod run_mask;
mod sdk;
mod secret;
mod snapshots;
mod token;
mod unlock;
mod verify_cache;

/// Running keyward as an unprivileged user (`nobody` through setpriv when root).
#[path = "common/users.rs"]
mod users;

use std::collections::BTreeSet;
use std::path::PathBuf;

/// A test file that is not declared as a module above would silently never run.
#[test]
fn test_no_forgotten_test_files() {
    let tests_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let runner = std::fs::read_to_string(tests_dir.join("cli.rs")).expect("read tests/cli.rs");
    let declared: BTreeSet<String> = runner
        .lines()
        .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_owned)
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(&tests_dir)
        .expect("read tests/")
        .map(|entry| entry.expect("read an entry of tests/").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|stem| stem != "cli")
        .collect();
    let forgotten: Vec<_> = files.difference(&declared).collect();
    assert!(
        forgotten.is_empty(),
        "tests/{{{}}}.rs are not declared as `mod NAME;` in tests/cli.rs, so they never run",
        forgotten
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
}
