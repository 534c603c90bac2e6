//! The `keyward` binary: parse, dispatch, turn the error into an exit code.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use keyward::cli::{Cli, Command};
use keyward::error::Error;

fn main() -> ExitCode {
    // Answers `COMPLETE=<shell> keyward …` (dynamic completion) and exits; otherwise a no-op.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    if std::env::args_os().len() == 1 {
        // The overview says where to start. clap's own arg_required_else_help does not
        // fire when KEYWARD_VAULT or KEYWARD_KEYCHAIN are set, so do it here.
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let json = std::env::args_os().any(|a| a == "--json");
            if json && e.use_stderr() {
                // clap's own text, first line only, as the one JSON error document.
                let text = e.render().to_string();
                let message = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ");
                report(
                    &Error::usage(message).hint("see `keyward --help`"),
                    true,
                    false,
                );
            } else {
                let _ = e.print();
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let json = cli.json;
    let color = keyward::output::Output::new(cli.json, cli.quiet, cli.verbose, cli.color).color;
    // `run` reserves 125-127 for its own failures; every other status is the package's.
    let is_run = matches!(cli.command, Command::Run(_));
    match keyward::commands::run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(err) => {
            report(&err, json, color);
            let code = if is_run {
                err.run_status.unwrap_or(125)
            } else {
                err.kind.exit_code()
            };
            ExitCode::from(code)
        }
    }
}

/// Prints the error on stderr: `keyward: error[code]: …` and hints, or one JSON object.
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
