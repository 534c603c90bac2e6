//! Command handlers: one module per command group, each with `cmd_*` entry points that
//! take the parsed arguments and a [`Ctx`]. Dispatch is the one `match` below.

mod config;
mod endpoints;
mod grant;
mod init;
mod install;
mod key;
mod keychain;
mod log;
mod new;
mod render;
mod report;
mod run;
mod secret;
mod serve;
mod view;

use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::keychain::{Keychain, Role};
use crate::output::Output;
use crate::unlock::Unlocked;

/// What every handler needs besides its own arguments.
pub struct Ctx {
    /// The vault file.
    pub vault_path: PathBuf,
    /// `-k` / `KEYWARD_KEYCHAIN`, if given.
    pub keychain: Option<String>,
    /// `--no-input` / `KEYWARD_NO_INPUT`.
    pub no_input: bool,
    /// Output policy.
    pub out: Output,
}

impl Ctx {
    /// Opens and unlocks the vault.
    pub fn unlock(&self) -> Result<Unlocked> {
        Unlocked::open(&self.vault_path, self.no_input, &self.out)
    }

    /// Unlocks the vault and opens the keychain to act on (`-k`, the token's own, or
    /// `default`); with [`Role::Owner`], a token holder gets exit 5.
    pub fn open(&self, role: Role<'_>) -> Result<Keychain> {
        Keychain::open(self.unlock()?, self.keychain.as_deref(), role)
    }
}

/// Runs the parsed command line; returns the exit status (non-zero only from `run`).
pub fn run(cli: Cli) -> Result<u8> {
    // Inside a package's run: no vault is opened, so none needs to be found.
    if let Command::Key { name } = &cli.command {
        return key::cmd_key(name).map(|()| 0);
    }
    let vault_path = match cli.vault.filter(|p| !p.as_os_str().is_empty()) {
        Some(path) => path,
        None => crate::vault::default_path().ok_or_else(|| {
            Error::usage("cannot find the default vault: neither XDG_DATA_HOME nor HOME is set")
                .hint("pass --vault PATH or set KEYWARD_VAULT")
        })?,
    };
    let ctx = Ctx {
        vault_path,
        keychain: cli.keychain.filter(|k| !k.is_empty()),
        no_input: cli.no_input,
        out: Output::new(cli.json, cli.quiet, cli.verbose, cli.color),
    };
    ctx.out
        .verbose(format!("vault: {}", ctx.vault_path.display()));
    let done = match cli.command {
        Command::Run(args) => return run::cmd_run(&ctx, &args),
        Command::Serve(args) => serve::cmd_serve(&ctx, &args),
        Command::Endpoints(args) => endpoints::cmd_endpoints(&ctx, &args),
        Command::Log(args) => log::cmd_log(&ctx, &args),
        Command::Report(args) => report::cmd_report(&ctx, &args),
        Command::Key { name } => key::cmd_key(&name),
        Command::Digest { path } => {
            let tree = crate::keychain::hash_tree(&path, &ctx.out, false)?;
            crate::output::print_line(&tree.digest);
            Ok(())
        }
        Command::Completions { shell } => {
            crate::output::print_bytes(&crate::generate::completion(shell));
            Ok(())
        }
        Command::Init(args) => init::cmd_init(&ctx, &args),
        Command::Keychain(cmd) => keychain::cmd_keychain(&ctx, cmd),
        Command::Secret(cmd) => secret::cmd_secret(&ctx, cmd),
        Command::New(args) => new::cmd_new(&ctx, &args),
        Command::Install(args) => install::cmd_install(&ctx, &args),
        Command::Approve(args) => grant::cmd_approve(&ctx, &args),
        Command::Revoke(args) => grant::cmd_revoke(&ctx, &args),
        Command::Uninstall { package } => grant::cmd_uninstall(&ctx, &package),
        Command::List => view::cmd_list(&ctx),
        Command::Inspect { package, diff } => view::cmd_inspect(&ctx, &package, diff),
        Command::Status { check } => view::cmd_status(&ctx, check),
        Command::Config(cmd) => config::cmd_config(&ctx, &cmd),
    };
    done.map(|()| 0)
}
