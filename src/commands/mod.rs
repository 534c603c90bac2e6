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
mod mcp;
mod new;
mod rekey;
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
    /// `--accept-rollback`.
    pub accept_rollback: bool,
    /// Output policy.
    pub out: Output,
}

impl Ctx {
    /// Opens and unlocks the vault.
    pub fn unlock(&self) -> Result<Unlocked> {
        Unlocked::open(
            &self.vault_path,
            self.no_input,
            self.accept_rollback,
            &self.out,
        )
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
    if let Command::Mcp(crate::cli::McpCommand::Bridge {
        url,
        header,
        transport,
    }) = &cli.command
    {
        return crate::mcp::bridge::run(url, header, *transport).map(|()| 0);
    }
    let vault_path = match cli.global.vault.filter(|p| !p.as_os_str().is_empty()) {
        Some(path) => path,
        None => crate::vault::default_path().ok_or_else(|| {
            Error::usage("cannot find the default vault: neither XDG_DATA_HOME nor HOME is set")
                .hint("pass --vault PATH or set KEYWARD_VAULT")
        })?,
    };
    let ctx = Ctx {
        vault_path,
        keychain: cli.global.keychain.filter(|k| !k.is_empty()),
        no_input: cli.global.no_input,
        accept_rollback: cli.global.accept_rollback,
        out: Output::new(
            cli.global.json,
            cli.global.quiet,
            cli.global.verbose,
            cli.global.color,
        ),
    };
    ctx.out
        .verbose(format!("vault: {}", ctx.vault_path.display()));
    let package_arg = package_arg(&cli.command);
    let done = match cli.command {
        Command::Run(args) => {
            return run::cmd_run(&ctx, &args).map_err(|e| suggest_package(&ctx, &args.package, e));
        }
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
        Command::Status { check, remote } => view::cmd_status(&ctx, check, remote),
        Command::Config(cmd) => config::cmd_config(&ctx, &cmd),
        Command::Rekey(args) => rekey::cmd_rekey(&ctx, &args),
        Command::Mcp(cmd) => mcp::cmd_mcp(&ctx, &cmd),
    };
    done.map(|()| 0).map_err(|e| match &package_arg {
        Some(arg) => suggest_package(&ctx, arg, e),
        None => e,
    })
}

/// The PACKAGE argument of commands that name one installed package.
fn package_arg(command: &Command) -> Option<String> {
    match command {
        Command::Approve(args) | Command::Revoke(args) => Some(args.package.clone()),
        Command::Uninstall { package } | Command::Inspect { package, .. } => Some(package.clone()),
        Command::Log(args) => args.package.clone(),
        _ => None,
    }
}

/// To "no package `ARG` is installed" adds the installed package `ARG` most likely
/// misspells (case, or two edits). Names are read without unlocking anything, as
/// completion reads them.
fn suggest_package(ctx: &Ctx, arg: &str, err: Error) -> Error {
    if err.kind != crate::error::Kind::NotFound
        || !err.message.starts_with(&format!("no package `{arg}`"))
    {
        return err;
    }
    let keychain = ctx.keychain.as_deref().unwrap_or("default");
    let names =
        crate::vault::completion_names(&ctx.vault_path, crate::vault::Listed::Packages, keychain);
    match crate::names::nearest(arg, names.iter().map(String::as_str)) {
        Some(name) => err.hint(format!("did you mean {name}?")),
        None => err,
    }
}

/// "`PKG` does not request KEY" with the requested key KEY most likely misspells.
pub(crate) fn not_requested_key(
    manifest: &crate::manifest::Manifest,
    key: &str,
    consequence: &str,
) -> Error {
    let err = crate::keychain::not_requested(manifest, key, consequence);
    match crate::names::nearest(key, manifest.keys.iter().map(|k| k.name.as_str())) {
        Some(name) => err.hint(format!("did you mean {name}?")),
        None => err,
    }
}
