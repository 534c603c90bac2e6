//! The `keyward` binary: parse, dispatch, turn the error into an exit code.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use std::ffi::OsString;

use clap::Parser;
use keyward::cli::{Cli, Command, RunLine, RunOnly};
use keyward::error::Error;

fn main() -> ExitCode {
    // First, before any argument, variable, file or key is read: nothing this process
    // will hold may be dumped or read through /proc by another process.
    if let Err(err) = harden_process() {
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        report(&err, args.iter().any(|a| a == "--json"), false);
        let is_run = command_words(&args).first() == Some(&"run");
        return ExitCode::from(if is_run { 125 } else { err.kind.exit_code() });
    }
    // Answers `COMPLETE=<shell> keyward …` (dynamic completion) and exits; otherwise a no-op.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    if std::env::args_os().len() == 1 {
        // The overview says where to start. clap's own arg_required_else_help does not
        // fire when KEYWARD_VAULT or KEYWARD_KEYCHAIN are set, so do it here.
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return ExitCode::from(2);
    }
    let cli = match parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let json = cli.global.json;
    let color = keyward::output::Output::new(
        cli.global.json,
        cli.global.quiet,
        cli.global.verbose,
        cli.global.color,
    )
    .color;
    // `run` reserves 125-127 for its own failures; every other status is the package's.
    // The bridge is a package's process under `run`: its failures are reported alike.
    let is_run = matches!(
        cli.command,
        Command::Run(_) | Command::Mcp(keyward::cli::McpCommand::Bridge { .. })
    );
    match keyward::commands::run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(err) => {
            // An MCP client (or any supervisor) starts `run` with no terminal and shows
            // each stderr line as an event: there, the failure is one line.
            if is_run && !json && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!("{}", one_line(&err));
            } else {
                report(&err, json, color);
            }
            let code = if is_run {
                err.run_status.unwrap_or(125)
            } else {
                err.kind.exit_code()
            };
            ExitCode::from(code)
        }
    }
}

/// The command line: a `run` line through [`RunLine`]'s small command tree, everything
/// else (and any `run` line it refuses: help, version, a usage error) through [`Cli`],
/// whose answer is then the one the user sees.
fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if args.iter().skip(1).any(|a| a == "run")
        && let Ok(RunLine {
            global,
            command: RunOnly::Run(run),
        }) = RunLine::try_parse_from(&args)
    {
        return Ok(Cli {
            global,
            command: Command::Run(run),
        });
    }
    Cli::try_parse_from(args)
}

/// Makes this process non-dumpable and sets its core size limit to 0 (soft and hard).
///
/// keyward holds the master key or a token in its environment and decrypted values in
/// its memory, and with masking on it stays the parent of the package it runs. A
/// dumpable process's `/proc/PID/environ` and `/proc/PID/mem` are readable, and it can
/// be ptrace-attached, by any process of the same user, the package included; a
/// SIGABRT would dump a core holding it all. `PR_SET_DUMPABLE` 0 makes those files
/// root-only, refuses ptrace attach by non-root and disables core dumps; `RLIMIT_CORE`
/// 0 is a second lock on core files (even under `fs.suid_dumpable=2`). A package that
/// keyward execs (`--no-mask`) is dumpable again (execve resets it) but inherits the
/// core limit of 0. Fails closed: keyward does not go on without this.
fn harden_process() -> Result<(), Error> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(|e| {
            Error::general(format!(
                "cannot make keyward's process non-dumpable (prctl PR_SET_DUMPABLE): {e}"
            ))
            .hint("keyward refuses to hold secrets in a process others could read; run it where prctl(2) is allowed (a seccomp or sandbox policy may block it)")
        })?;
    let none = rustix::process::Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    rustix::process::setrlimit(rustix::process::Resource::Core, none).map_err(|e| {
        Error::general(format!(
            "cannot set keyward's core file size limit to 0 (setrlimit RLIMIT_CORE): {e}"
        ))
        .hint("keyward refuses to hold secrets in a process that could dump a core; run it where setrlimit(2) is allowed")
    })?;
    Ok(())
}

/// Reports a command line clap refused. Two commands get special care: `run`, whose
/// own failures must not look like a package's exit status 2 (125, as `env` does), and
/// `secret set`, where a refused argument may be a pasted secret (never echoed).
fn usage_error(e: &clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print(); // --help, --version
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let words = command_words(&args);
    let json = args.iter().any(|a| a == "--json");
    let secret_set = words.len() >= 2 && words[0] == "secret" && words[1] == "set";
    let code = if words.first() == Some(&"run") {
        125
    } else {
        2
    };
    if secret_set {
        let err = Error::usage(
            "invalid arguments for `secret set` (not shown: one of them may be a secret value)",
        )
        .hint("usage: keyward secret set NAME [--stdin | --from-env VAR]; see `keyward secret set --help`");
        report(&err, json, false);
    } else if json {
        report(&json_usage_error(&e.render().to_string()), json, false);
    } else {
        let _ = e.print();
    }
    ExitCode::from(code)
}

/// clap's text as one JSON error: the whole message (a list of missing arguments
/// included), its tips and usage line as hints, and the help of the command in use.
fn json_usage_error(text: &str) -> Error {
    let mut parts = text.split("\n\n");
    let message = parts
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut err = Error::usage(message);
    let mut help = "keyward --help".to_owned();
    for part in parts {
        let part = part.trim();
        if let Some(tip) = part.strip_prefix("tip: ") {
            err = err.hint(tip.to_owned());
        } else if let Some(usage) = part.strip_prefix("Usage: ") {
            let usage = usage.lines().next().unwrap_or(usage);
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['-', '<', '[']))
                .collect();
            help = format!("{} --help", words.join(" "));
            err = err.hint(format!("usage: {usage}"));
        }
    }
    err.hint(format!("see `{help}`"))
}

/// The spellings of the global options that take a value (`--vault`, `-k`, …), read
/// from the command definition so a new one cannot be forgotten here.
fn valued_globals() -> Vec<String> {
    let cmd = <Cli as clap::CommandFactory>::command();
    cmd.get_arguments()
        .filter(|a| a.is_global_set() && a.get_action().takes_values())
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect()
}

/// The first words that are not options (nor values of the global options that take one).
fn command_words(args: &[String]) -> Vec<&str> {
    let valued = valued_globals();
    let mut words = Vec::new();
    let mut skip = false;
    for arg in args {
        if std::mem::take(&mut skip) {
            continue;
        }
        match arg.as_str() {
            a if valued.iter().any(|v| v == a) => skip = true,
            "--" => break,
            a if a.starts_with('-') => {}
            a => words.push(a),
        }
        if words.len() == 2 {
            break;
        }
    }
    words
}

/// Prints the error on stderr: `keyward: error[code]: …` and hints, or one JSON object.
/// `keyward: error[code]: message (hint: …; hint: …)`, with the message's own line
/// breaks folded, for `run` without a terminal.
fn one_line(err: &Error) -> String {
    let fold = |text: &str| {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut line = format!("keyward: error[{}]: {}", err.code, fold(&err.message));
    if !err.hints.is_empty() {
        let hints: Vec<String> = err
            .hints
            .iter()
            .map(|h| format!("hint: {}", fold(h)))
            .collect();
        line.push_str(&format!(" ({})", hints.join("; ")));
    }
    line
}

fn report(err: &Error, json: bool, color: bool) {
    if json {
        let doc = serde_json::json!({"error": {"code": err.code, "message": err.message, "hints": err.hints}});
        eprintln!("{doc}");
    } else {
        let label = if color {
            "\x1b[1;31merror\x1b[0m"
        } else {
            "error"
        };
        eprintln!("keyward: {label}[{}]: {err}", err.code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_failure_without_a_terminal_is_one_line() {
        let err = Error::general("pkg changed:\n  ~ a.sh\n  + b.sh")
            .code("package-changed")
            .hint("review it")
            .hint("then install it");
        assert_eq!(
            one_line(&err),
            "keyward: error[package-changed]: pkg changed:; ~ a.sh; + b.sh (hint: review it; hint: then install it)"
        );
    }

    #[test]
    fn json_usage_errors_keep_the_missing_arguments_and_name_the_subcommand_help() {
        let text = "error: the following required arguments were not provided:\n  <PATH>\n\n\
                    Usage: keyward install <PATH>\n\nFor more information, try '--help'.\n";
        let err = json_usage_error(text);
        assert_eq!(
            err.message,
            "the following required arguments were not provided: <PATH>"
        );
        assert_eq!(
            err.hints,
            [
                "usage: keyward install <PATH>",
                "see `keyward install --help`"
            ]
        );
    }

    /// Every line the small `run` tree accepts parses to exactly what the whole tree
    /// makes of it, and what it refuses still reaches the whole tree.
    #[test]
    fn the_run_fast_path_parses_as_the_whole_command_line_does() {
        let lines: &[&[&str]] = &[
            &["run", "pkg"],
            &["run", "pkg", "--no-mask"],
            &[
                "-k",
                "ci",
                "run",
                "@a/b",
                "--deliver",
                "files",
                "--",
                "x",
                "--y",
            ],
            &[
                "--vault",
                "/tmp/v.db",
                "--json",
                "-q",
                "run",
                "./p",
                "--inherit-env",
            ],
            &[
                "run",
                "pkg",
                "-v",
                "--color",
                "never",
                "--no-input",
                "--accept-rollback",
            ],
            &["run", "run"],
            &["--keychain=run", "run", "pkg", "--", "run"],
        ];
        for line in lines {
            let args: Vec<OsString> = std::iter::once("keyward")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            let whole = Cli::try_parse_from(&args).map(|c| format!("{c:?}"));
            let fast = parse(args.clone()).map(|c| format!("{c:?}"));
            assert_eq!(fast.ok(), whole.ok(), "{line:?}");
            let small = RunLine::try_parse_from(&args).map(|l| format!("{:?}", l.global));
            assert!(small.is_ok(), "the small tree takes {line:?}");
        }
        for line in [
            &["run"][..],
            &["run", "pkg", "--help"],
            &["run", "--version"],
            &["run", "pkg", "--bogus"],
            &["run", "--", "pkg"],
            &["run", "pkg", "-q", "-v"],
            &["secret", "set", "run"],
            &["inspect", "run"],
        ] {
            let args: Vec<OsString> = std::iter::once("keyward")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            let whole = Cli::try_parse_from(&args).map(|c| format!("{c:?}"));
            let fast = parse(args).map(|c| format!("{c:?}"));
            match (whole, fast) {
                (Ok(w), Ok(f)) => assert_eq!(w, f, "{line:?}"),
                (Err(w), Err(f)) => assert_eq!(w.render().to_string(), f.render().to_string()),
                (w, f) => panic!("{line:?}: {w:?} vs {f:?}"),
            }
        }
    }

    #[test]
    fn valued_globals_come_from_the_command_definition() {
        let valued = valued_globals();
        for flag in ["--vault", "-k", "--keychain", "--color"] {
            assert!(valued.iter().any(|v| v == flag), "{flag} in {valued:?}");
        }
        for flag in ["--json", "-q", "-v", "--no-input"] {
            assert!(!valued.iter().any(|v| v == flag), "{flag} in {valued:?}");
        }
    }

    #[test]
    fn command_words_skip_values_of_global_options() {
        let args: Vec<String> = ["-k", "secret", "--vault", "set", "run", "--", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(command_words(&args), ["run"]);
    }
}
