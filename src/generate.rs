//! Completion scripts and man pages, generated from the clap definition so they can
//! never drift from the CLI. `tests/generated.rs` compares them with `completions/`
//! and `man/`, and rewrites them when `KEYWARD_UPDATE_GENERATED=1`.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The shells we ship completions for, with their file names.
pub const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "keyward.bash"),
    (Shell::Zsh, "_keyward"),
    (Shell::Fish, "keyward.fish"),
    (Shell::Elvish, "keyward.elv"),
    (Shell::PowerShell, "_keyward.ps1"),
];

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "keyward", &mut out);
    out
}

/// Every man page: `keyward.1` and one per subcommand (`keyward-secret-set.1`, …).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    // No `help` subcommand in any page: there is no keyward-help(1) to point at.
    let mut cmd = no_help_subcommand(Cli::command());
    cmd.build();
    let mut pages = Vec::new();
    let mut root = render(&cmd, "keyward");
    root.extend_from_slice(ROOT_EXTRA.as_bytes());
    pages.push(("keyward.1".to_owned(), root));
    for sub in documented(&cmd) {
        collect(sub, "keyward", &mut pages);
    }
    pages
}

fn collect(cmd: &clap::Command, parent: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let name = format!("{parent}-{}", cmd.get_name());
    pages.push((format!("{name}.1"), render(cmd, &name)));
    for sub in documented(cmd) {
        collect(sub, &name, pages);
    }
}

/// Subcommands that get a page: not `help`, not hidden ones.
fn documented(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
}

fn no_help_subcommand(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_subcommand(true)
        .mut_subcommands(no_help_subcommand)
}

fn render(cmd: &clap::Command, name: &str) -> Vec<u8> {
    // The text after the options (examples; the root's "Start here") is set as written,
    // in a no-fill block: clap_mangen's EXTRA section would let groff re-flow its columns.
    let extra = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|t| t.to_string());
    // NAME is "keyward-x \- about": an about that starts with "keyward: " would say it twice.
    let about = cmd.get_about().map(|a| {
        let a = a.to_string();
        a.strip_prefix("keyward: ").map_or(a.clone(), str::to_owned)
    });
    let mut cmd = cmd
        .clone()
        .name(name.to_owned())
        .bin_name(name.replace('-', " "))
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    if let Some(about) = about {
        cmd = cmd.about(about);
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .manual("keyward manual")
        .render(&mut out)
        .expect("rendering into a Vec cannot fail");
    if let Some(extra) = extra {
        out.extend_from_slice(extra_section(&extra).as_bytes());
    }
    out
}

/// `text` as a man page section: "Examples:" becomes EXAMPLES, anything else NOTES;
/// lines kept as they are (`.nf`), roff-escaped, without the pointer to this manual.
fn extra_section(text: &str) -> String {
    let (title, body) = match text.strip_prefix("Examples:\n") {
        Some(body) => ("EXAMPLES", body),
        None => ("NOTES", text),
    };
    let mut out = format!(".SH {title}\n.nf\n");
    for line in body.lines().filter(|l| !l.contains("See `man keyward`")) {
        let line = line.replace('\\', "\\\\").replace('-', "\\-");
        if line.starts_with(['.', '\'']) {
            out.push_str("\\&");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}

/// What `--help` cannot hold: examples, environment, exit status, files.
const ROOT_EXTRA: &str = r#".SH EXAMPLES
.SS A developer and one tool
.nf
keyward init
keyward secret set STRIPE_SECRET_KEY
keyward install ./tools/stripe          # approve STRIPE_SECRET_KEY when asked
keyward run @acme/stripe\-charge \-\- \-\-amount 100
# the tool's code changes: run refuses, its grants are revoked
keyward inspect @acme/stripe\-charge \-\-diff
keyward install ./tools/stripe          # review and approve again
.fi
.SS A CI job
.nf
export KEYWARD_VAULT="$RUNNER_TEMP/vault.db" KEYWARD_NO_INPUT=1
export KEYWARD_MASTER_KEY="$(keyward init \-\-backend env)"
printf %s "$STRIPE_KEY" | keyward secret set STRIPE_SECRET_KEY \-\-stdin
keyward config apply keyward.json
keyward run @acme/stripe\-charge \-\- \-\-amount 100
.fi
.SS An agent with a token
.nf
TOKEN=$(keyward keychain create agent)  # owner, once
KEYWARD_TOKEN=$TOKEN keyward run @acme/stripe\-charge   # the agent
.fi
.SH ENVIRONMENT
.TP
.B KEYWARD_VAULT
Vault file (\-\-vault). Default: $XDG_DATA_HOME/keyward/vault.db.
.TP
.B KEYWARD_KEYCHAIN
Keychain (\-k). Default: default, or the token's keychain.
.TP
.B KEYWARD_NO_INPUT
Set to 1 to never prompt (\-\-no\-input).
.TP
.B KEYWARD_TOKEN
A keychain bearer token: unlocks as a token holder (run, inspect, list, status, log, secret list, config export).
.TP
.B KEYWARD_MASTER_KEY
The vault's master key (base64url), as printed by init \-\-backend env: unlocks as the owner.
.TP
.B KEYWARD_PASSPHRASE
The passphrase of a vault created with init \-\-backend passphrase.
.TP
.B KEYWARD_NEW_PASSPHRASE
The new passphrase of rekey \-\-backend passphrase.
.TP
.B NO_COLOR
Disables colour.
.TP
.B CLICOLOR_FORCE
Colour even when not writing to a terminal (NO_COLOR and \-\-color never win).
.PP
A package launched by run sees KEYWARD_PACKAGE, KEYWARD_PACKAGE_DIR and PYTHONDONTWRITEBYTECODE=1, never KEYWARD_TOKEN, KEYWARD_MASTER_KEY or KEYWARD_PASSPHRASE.
.SH EXIT STATUS
.TP
.B 0
done
.TP
.B 1
error
.TP
.B 2
usage
.TP
.B 3
locked: no way to unlock, wrong key, passphrase or token
.TP
.B 4
not found
.TP
.B 5
denied: not approved, not allowed to a token holder, or needs input with no terminal
.TP
.B 6
package changed (grants revoked): approve, and config apply when a digest is not the file's sha256
.TP
.B 7
integrity failure: tampered, corrupt or foreign vault
.PP
run returns the package's own status (128+N when killed by signal N); 125 when keyward fails before or while launching it (a changed package too, never 6; and run's own usage errors), 126 when the command is not executable, 127 when it is not found.
.SH FILES
.TP
.I $XDG_DATA_HOME/keyward/vault.db
The vault (SQLite, with \-wal and \-shm beside it while in use). Its folder is created 0700 and its files 0600 whatever the umask.
"#;
