//! The command line, as clap types only. Doc comments here are the `--help` text.
//! Nothing in this file runs logic; completions and man pages are generated from it.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::complete;

use crate::keystore::Backend;
pub use crate::mcp::bridge::Transport as McpTransport;
pub use crate::mcp::{Client as McpClient, Scope as McpScope};

const AFTER_HELP: &str = "\
Start here:
  keyward init                          create the vault; the master key goes to the OS keyring
  keyward secret set STRIPE_SECRET_KEY  store a secret (prompted without echo)
  keyward install ./tools/stripe        pin a package's code and approve the keys it requests
  keyward run @acme/stripe-charge       launch it with exactly its approved keys, output masked
  keyward secret list                   names, versions and dates; never values

Exit codes: 0 done, 1 error, 2 usage, 3 locked, 4 not found, 5 denied,
6 package changed (approve, config apply), 7 integrity failure. `run` returns the
package's own status, or 125 when keyward fails (126 not executable, 127 not found).
See `man keyward`.";

/// keyward: hand API keys to tools and agents with double opt-in, pinned to their code.
#[derive(Debug, Parser)]
#[command(name = "keyward", version, propagate_version = true, after_help = AFTER_HELP)]
#[command(arg_required_else_help = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Vault file [default: $XDG_DATA_HOME/keyward/vault.db]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "KEYWARD_VAULT",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub vault: Option<PathBuf>,

    /// Keychain to act on [default: default, or the token's keychain]
    #[arg(
        short = 'k',
        long,
        global = true, help_heading = "Global options",
        env = "KEYWARD_KEYCHAIN",
        add = ArgValueCandidates::new(complete::keychains),
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub keychain: Option<String>,

    /// Print one JSON document instead of text (errors too, on stderr)
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Never prompt; fail with exit 5 when input would be needed
    #[arg(long, global = true, help_heading = "Global options", env = "KEYWARD_NO_INPUT", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub no_input: bool,

    /// Open a vault the OS keyring says is older than the last one it saw (a restored
    /// backup), and record it as current
    #[arg(long, global = true)]
    pub accept_rollback: bool,

    /// Print only errors and the data asked for
    #[arg(
        short,
        long,
        global = true,
        help_heading = "Global options",
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// Explain what keyward does (names and ids only, never values)
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,

    /// When to use colour
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// `keyward [GLOBAL OPTIONS] run …` and nothing else: the same options and `run`
/// arguments as [`Cli`], in a command tree a tenth of its size. `run` sits in front of
/// every tool call, and building (and dropping) the whole tree was a third of its CPU
/// time. main parses with this first and falls back to [`Cli`] for anything it refuses
/// (other subcommands, `--help`, `--version`, errors), so help and errors are the same.
#[derive(Debug, Parser)]
#[command(name = "keyward", max_term_width = 100)]
pub struct RunLine {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: RunOnly,
}

/// [`RunLine`]'s one subcommand.
#[derive(Debug, Subcommand)]
pub enum RunOnly {
    Run(RunArgs),
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stderr/stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the vault and its master key
    ///
    /// Never overwrites an existing vault. With `--backend env`, stdout is the master key
    /// alone (base64url), for a CI secret store; later runs read it from KEYWARD_MASTER_KEY.
    /// With `--backend openbao`, the key is wrapped by an OpenBao (or HashiCorp Vault)
    /// Transit key the operator created (BAO_ADDR, BAO_TOKEN or BAO_ROLE_ID +
    /// BAO_SECRET_ID, BAO_CACERT); only the ciphertext is kept.
    #[command(
        after_long_help = "Examples:\n  export KEYWARD_MASTER_KEY=\"$(keyward init --backend env)\"\n  BAO_ADDR=https://bao.example:8200 keyward init --backend openbao --transit-key keyward"
    )]
    Init(InitArgs),

    /// Create, list and remove keychains; rotate their bearer tokens
    #[command(
        after_long_help = "Examples:\n  TOKEN=$(keyward keychain create ci)\n  keyward keychain list\n  keyward keychain token ci --rotate"
    )]
    #[command(subcommand)]
    Keychain(KeychainCommand),

    /// Store, list, remove and read secrets
    #[command(
        after_long_help = "Examples:\n  keyward secret set STRIPE_SECRET_KEY\n  keyward secret list --json"
    )]
    #[command(subcommand)]
    Secret(SecretCommand),

    /// Write a new package's instant.package.json (never overwrites one)
    ///
    /// Creates DIR when missing. The name defaults to the folder's, lowercased and made
    /// npm-valid; names and keys follow the manifest's rules. Without --run the package
    /// runs `sh ./run.sh`, and a placeholder run.sh that prints the names of the keys it
    /// gets (never their values) is written unless one exists.
    #[command(
        after_long_help = "Examples:\n  keyward new tools/stripe --key STRIPE_SECRET_KEY\n  keyward new --name @acme/charge --key STRIPE_SECRET_KEY --run python3 ./charge.py"
    )]
    New(NewArgs),

    /// Install or update a package: pin its code and approve the keys it requests
    ///
    /// Shows each requested key with its state. On a terminal it asks which keys to
    /// approve (required keys pre-selected) and then for values still missing. With no
    /// terminal, --approve / --approve-all decide; --yes installs without approving
    /// anything not named. Re-installing changed code shows what changed and asks again.
    #[command(
        after_long_help = "Examples:\n  keyward install ./tools/stripe\n  keyward install ./tools/stripe --approve STRIPE_SECRET_KEY"
    )]
    Install(InstallArgs),

    /// Approve keys the package's manifest requests
    #[command(
        after_long_help = "Examples:\n  keyward approve @acme/stripe-charge STRIPE_SECRET_KEY"
    )]
    Approve(GrantArgs),

    /// Revoke approved keys
    #[command(after_long_help = "Examples:\n  keyward revoke @acme/stripe-charge --all")]
    Revoke(GrantArgs),

    /// Remove a package and all its grants
    #[command(after_long_help = "Examples:\n  keyward uninstall @acme/stripe-charge")]
    Uninstall {
        /// Package name (from its manifest) or installed path
        #[arg(add = ArgValueCandidates::new(complete::packages))]
        package: String,
    },

    /// List the keychain's packages with their state
    ///
    /// States: ready, needs approval, needs secret, revoked: changed.
    #[command(after_long_help = "Examples:\n  keyward list\n  keyward list --json")]
    List,

    /// Show a package: manifest, pin, current digest, and each key's state
    #[command(after_long_help = "Examples:\n  keyward inspect @acme/stripe-charge --diff")]
    Inspect {
        /// Package name (from its manifest) or installed path
        #[arg(add = ArgValueCandidates::new(complete::packages))]
        package: String,
        /// List files added, removed and changed since the pin
        #[arg(long)]
        diff: bool,
    },

    /// What needs the owner: unapproved requests, missing values, changed packages
    #[command(after_long_help = "Examples:\n  keyward status --check")]
    Status {
        /// Exit 5 when anything is pending
        #[arg(long)]
        check: bool,
        /// Also ask OpenBao whether sourced secrets moved since their last sync
        #[arg(long)]
        remote: bool,
    },

    /// Export or apply the keychain's grants as a JSON file
    #[command(
        after_long_help = "Examples:\n  keyward config export > keyward.json\n  keyward config apply keyward.json"
    )]
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Verify a package and launch it with exactly its approved keys
    ///
    /// Recomputes the package's digest first: if its code changed since approval, its
    /// grants are revoked and nothing is launched (exit 125, error[package-changed]).
    /// The package's output is masked: each granted value reads `<concealed by keyward>`.
    /// Exit status: the package's own (128+N if killed by signal N); 125 when keyward
    /// fails, 126 when the command is not executable, 127 when it is not found.
    #[command(
        after_long_help = "Examples:\n  keyward run @acme/stripe-charge -- --amount 100\n  KEYWARD_TOKEN=$TOKEN keyward run ./tools/stripe"
    )]
    Run(RunArgs),

    /// Inside a package started by `keyward run`: print one of its granted keys
    ///
    /// Asks the run's socket (deliver: socket), then reads $CREDENTIALS_DIRECTORY
    /// (deliver: files), then the environment (deliver: env). Prints the value exactly,
    /// with a newline only on a terminal. Outside a run it fails with exit 4.
    #[command(after_long_help = "Examples:\n  STRIPE_SECRET_KEY=$(keyward key STRIPE_SECRET_KEY)")]
    Key {
        /// The key, as the package's manifest requests it
        name: String,
    },

    /// Per package and key: when it was granted, last run, last read, grants never read
    ///
    /// Read from the audit log (approvals, runs, socket reads) and the current grants.
    /// A grant counts as used in the period when a run delivered it (deliver: env or
    /// files) or the package read it over the socket (deliver: socket).
    #[command(
        after_long_help = "Examples:\n  keyward report\n  keyward report --package @acme/charge --since 2025-01-01 --json"
    )]
    Report(ReportArgs),

    /// Show the keychain's audit log, or verify its HMAC chain
    #[command(
        after_long_help = "Examples:\n  keyward log --package @acme/stripe-charge --limit 20\n  keyward log --verify"
    )]
    Log(LogArgs),

    /// Move the vault's master key to another backend (owner)
    ///
    /// Re-wraps the same master key: nothing else in the vault changes, and every
    /// token stays valid. `keyring` stores it in the OS keyring; `passphrase` wraps it
    /// under a new passphrase (prompted twice, or KEYWARD_NEW_PASSPHRASE; also
    /// KEYWARD_PASSPHRASE when the vault is not on a passphrase now); `env` prints it
    /// once, alone on stdout, before the vault is switched; `openbao` wraps it with an
    /// OpenBao Transit key (--transit-key, default `keyward`). Leaving the keyring removes
    /// the keyring entry, after the switch is committed; leaving OpenBao deletes the
    /// Transit ciphertext from the vault.
    #[command(
        after_long_help = "Examples:\n  export KEYWARD_MASTER_KEY=\"$(keyward rekey --backend env)\"\n  keyward rekey --backend passphrase\n  KEYWARD_MASTER_KEY=… keyward rekey --backend keyring"
    )]
    Rekey(RekeyArgs),
    /// Put MCP servers behind keyward: add, import and list client config entries
    ///
    /// Clients: claude-code, claude-desktop, cursor, vscode, codex. An entry keyward guards
    /// runs `keyward run PACKAGE`, with no `env` block: the server gets exactly its
    /// approved keys, and no key is left in the client's file.
    #[command(
        after_long_help = "Examples:\n  keyward mcp import --dry-run\n  keyward mcp import --client cursor\n  keyward mcp add @modelcontextprotocol/server-everything --client claude-code\n  keyward mcp list --check"
    )]
    #[command(subcommand)]
    Mcp(McpCommand),
    /// Serve installed packages over HTTP to keychain-token holders (the gateway)
    ///
    /// Routes `{name}.{scope}.localhost:PORT` / `{name}.localhost:PORT`, or the path
    /// `/@scope/name/…` on the listen address. Every request needs
    /// `Authorization: Bearer <keychain token>`; the package must be installed in that
    /// token's keychain, its code must match its pin, the endpoint must be enabled and
    /// its required keys granted. `serve: "cgi"` packages run once per request (CGI/1.1),
    /// `serve: "http"` packages are started once and proxied. Loopback only unless
    /// --tls-cert and --tls-key are given.
    #[command(
        after_long_help = "Examples:\n  keyward serve\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:7777/@acme/weather/forecast\n  keyward serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem"
    )]
    Serve(ServeArgs),

    /// Show or change which endpoints of a package the gateway serves
    ///
    /// With no flag, lists the package's endpoints (Instant API `functions/**`, or the
    /// manifest's `endpoints`) and which are enabled. Every endpoint is enabled until
    /// the owner restricts them; `--all` goes back to that.
    #[command(
        after_long_help = "Examples:\n  keyward endpoints @acme/weather\n  keyward endpoints @acme/weather --disable \"POST /charge\"\n  keyward endpoints @acme/weather --enable \"GET /forecast\""
    )]
    Endpoints(EndpointsArgs),

    /// Print a completion script
    #[command(
        after_long_help = "Examples:\n  keyward completions bash > ~/.local/share/bash-completion/completions/keyward"
    )]
    Completions {
        /// Shell to complete for
        shell: clap_complete::Shell,
    },

    /// Print the kw1 digest of a folder (for benchmarks and other implementations)
    #[command(hide = true)]
    Digest {
        /// Folder to hash
        path: PathBuf,
    },
}

/// `serve` arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (repeatable) [default: 127.0.0.1:7777 and [::1]:7777]
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<String>,
    /// PEM certificate chain: serve HTTPS (needed for a non-loopback address)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Requests served at once, in all [default: 256]
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_concurrent: usize,
    /// Requests served at once, per package [default: 64]
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_per_package: usize,
    /// Largest request body, in bytes [default: 1 MiB]
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
}

/// `endpoints` arguments.
#[derive(Debug, Args)]
pub struct EndpointsArgs {
    /// Package name (from its manifest) or installed path
    #[arg(add = ArgValueCandidates::new(complete::packages))]
    pub package: String,
    /// Enable an endpoint, "METHOD /path" (repeatable)
    #[arg(long, value_name = "ENDPOINT")]
    pub enable: Vec<String>,
    /// Disable an endpoint, "METHOD /path" (repeatable)
    #[arg(long, value_name = "ENDPOINT")]
    pub disable: Vec<String>,
    /// Enable every endpoint (the default)
    #[arg(long, conflicts_with_all = ["enable", "disable"])]
    pub all: bool,
}

/// `run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Package name (from its manifest) or installed path
    #[arg(add = ArgValueCandidates::new(complete::packages))]
    pub package: String,
    /// Replace keyward with the package (exec): no output masking, no extra process
    #[arg(long)]
    pub no_mask: bool,
    /// Pass the caller's whole environment instead of the allowlist
    #[arg(long)]
    pub inherit_env: bool,
    /// How the keys reach the package, for this run [default: the manifest's `deliver`, else env]
    ///
    /// env: environment variables. files: one 0400 file per key in a private run folder
    /// ($CREDENTIALS_DIRECTORY, KEY_FILE). socket: read one at a time from a unix socket
    /// ($KEYWARD_SOCKET, $KEYWARD_RUN_TOKEN), each read checked and audited. With files
    /// and socket no value is in the package's environment and keyward stays its parent.
    #[arg(long, value_enum, value_name = "MODE")]
    pub deliver: Option<DeliverMode>,
    /// Read and hash every file of the package, ignoring the verification cache
    ///
    /// Without it, a file whose device, inode, size, mtime and ctime are those seen at
    /// the last verification is not read again (big packages on ext4, XFS or btrfs only).
    /// With it, every byte is hashed and the cache is written anew.
    #[arg(long)]
    pub rehash: bool,
    /// Arguments appended to the manifest's `run`
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<OsString>,
}

/// `run --deliver` values (the manifest's `deliver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeliverMode {
    /// Environment variables (the default)
    Env,
    /// 0400 files in a private run folder
    Files,
    /// A unix socket, one checked and audited read at a time
    Socket,
}

/// `report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this package
    #[arg(long, value_name = "PACKAGE", add = ArgValueCandidates::new(complete::packages))]
    pub package: Option<String>,
    /// The period starts here: YYYY-MM-DD (UTC) or RFC 3339 [default: everything]
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

/// `log` arguments.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only entries about this package
    #[arg(long, value_name = "PACKAGE", add = ArgValueCandidates::new(complete::packages))]
    pub package: Option<String>,
    /// Only the newest N entries
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Check the HMAC chain; exit 7 naming the first bad entry
    #[arg(long)]
    pub verify: bool,
}

/// `new` arguments.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Package folder to write into (created when missing)
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Package name, `name` or `@scope/name` [default: the folder's name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A key the package requests, e.g. STRIPE_SECRET_KEY (repeatable)
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<String>,
    /// The command to launch: every argument after --run [default: sh ./run.sh]
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub run: Vec<String>,
}

/// `install` arguments.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Package directory (holding instant.package.json), or a registry package at one
    /// exact version: npm:NAME@VERSION or pypi:NAME==VERSION
    pub path: PathBuf,
    /// Registry package that declares no keys: the manifest you wrote for it
    #[arg(long, value_name = "FILE", conflicts_with_all = ["keys", "run"])]
    pub manifest: Option<PathBuf>,
    /// Registry package that declares no keys: a key it needs (repeatable)
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<String>,
    /// Registry package: the command to launch, every argument after --run (`./` is
    /// its store folder) [default: node + its bin, or its console script]
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub run: Vec<String>,
    /// PyPI package: let pip build source distributions (their build scripts then run
    /// on this machine, as you); without it only wheels are installed
    #[arg(long)]
    pub allow_build: bool,
    /// Approve this requested key (repeatable)
    #[arg(long, value_name = "KEY")]
    pub approve: Vec<String>,
    /// Approve every key the manifest requests
    #[arg(long, conflicts_with = "approve")]
    pub approve_all: bool,
    /// Do not ask; approve only what --approve / --approve-all name
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `mcp` subcommands.
#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Add a server entry that runs an installed package through keyward
    ///
    /// Writes `{"command": "keyward", "args": ["run", PACKAGE]}` (plus `-k KEYCHAIN` when
    /// not `default`, and `--vault PATH` when not the default vault), with no `env`, into
    /// the client's config. Everything else in the file is kept, comments included.
    #[command(
        after_long_help = "Examples:\n  keyward mcp add @modelcontextprotocol/server-everything --client cursor --scope project\n  keyward mcp add @modelcontextprotocol/server-everything --client claude-code --scope local"
    )]
    Add {
        /// Installed package name (or path)
        #[arg(add = ArgValueCandidates::new(complete::packages))]
        package: String,
        /// Which client's config to write
        #[arg(long, value_enum)]
        client: McpClient,
        /// The user's config, the project's (the current folder), or (Claude Code) the
        /// current folder's entry in ~/.claude.json
        #[arg(long, value_enum, default_value_t = McpScope::User)]
        scope: McpScope,
        /// Server name in the config [default: the package's name without its scope]
        #[arg(long, value_name = "SERVER")]
        name: Option<String>,
    },
    /// Move literal keys out of client configs into the vault, and guard the servers
    ///
    /// Each literal `env` value (and an HTTP server's `headers` value) becomes a secret;
    /// the server is installed (`npx -y pkg@ver` → npm:pkg@ver, `uvx pkg==ver` →
    /// pypi:pkg==ver, another command → a local package, a `url` → a local package
    /// running `keyward mcp bridge`), its keys approved, and the entry rewritten to
    /// `keyward run`. `${VAR}` references are left alone. All or nothing; the original, with each moved value
    /// written as `keyward:KEYCHAIN/NAME`, is kept as FILE.keyward-backup.
    #[command(
        after_long_help = "Examples:\n  keyward mcp import --dry-run\n  keyward mcp import ~/.cursor/mcp.json --pin github=2025.4.8\n  keyward mcp import --undo ~/.cursor/mcp.json"
    )]
    Import {
        /// One config file [default: every client config found]
        file: Option<PathBuf>,
        /// Only this client's configs (or: the client FILE belongs to)
        #[arg(long, value_enum)]
        client: Option<McpClient>,
        /// Print the plan and the config diff (values concealed); change nothing
        #[arg(long)]
        dry_run: bool,
        /// Put FILE back from FILE.keyward-backup, values read from the vault
        #[arg(long, requires = "file", conflicts_with = "dry_run")]
        undo: bool,
        /// The exact version for a server whose command floats: SERVER=VERSION (repeatable)
        #[arg(long, value_name = "SERVER=VERSION")]
        pin: Vec<String>,
    },
    /// A stdio MCP server that forwards to a remote (HTTP) MCP server
    ///
    /// What `mcp import` turns an HTTP server entry into: it reads JSON-RPC messages, one
    /// per line, from stdin, POSTs each to URL (Streamable HTTP; or the older HTTP+SSE
    /// transport) and writes the answers to stdout, one per line. Header values may hold
    /// `${NAME}`, read from the environment `keyward run` delivers, so the key itself is
    /// never in argv or in the client's config. URL must be https://, or http:// to a
    /// loopback address.
    #[command(
        after_long_help = "Examples:\n  keyward mcp bridge --url https://mcp.linear.app/mcp --header 'Authorization: Bearer ${LINEAR_TOKEN}'"
    )]
    Bridge {
        /// The remote MCP server's URL
        #[arg(long, value_name = "URL")]
        url: String,
        /// A header to send, `NAME: VALUE`; `${KEY}` in VALUE is read from the environment
        /// (repeatable)
        #[arg(long, value_name = "HEADER")]
        header: Vec<String>,
        /// The remote transport
        #[arg(long, value_enum, default_value_t = McpTransport::StreamableHttp)]
        transport: McpTransport,
    },
    /// Every server in every client config found: guarded by keyward or not, and which
    /// still hold literal keys (names only)
    #[command(after_long_help = "Examples:\n  keyward mcp list\n  keyward mcp list --check")]
    List {
        /// Only this client's configs
        #[arg(long, value_enum)]
        client: Option<McpClient>,
        /// Exit 5 while any server holds a literal key
        #[arg(long)]
        check: bool,
    },
}

/// `approve` / `revoke` arguments.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// Package name (from its manifest) or installed path
    #[arg(add = ArgValueCandidates::new(complete::packages))]
    pub package: String,
    /// Keys
    #[arg(required_unless_present = "all", value_name = "KEY")]
    pub keys: Vec<String>,
    /// Every key the manifest requests
    #[arg(long, conflicts_with = "keys")]
    pub all: bool,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the keychain's packages and grants as JSON, or write them to a file
    ///
    /// On stdout, `path` is relative to the current directory (absolute when the package
    /// is outside it). With -o FILE, `path` is relative to FILE's folder, which is what
    /// `config apply FILE` reads it against.
    #[command(
        after_long_help = "Examples:\n  keyward config export -o keyward.json\n  keyward config export -o ci/keyward.json @acme/stripe-charge\n  keyward config export > keyward.json"
    )]
    Export {
        /// Write the config to FILE (paths relative to its folder) instead of stdout
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only these packages (name or installed path) [default: all]
        #[arg(value_name = "PACKAGE", add = ArgValueCandidates::new(complete::packages))]
        packages: Vec<String>,
    },
    /// Make the keychain match a config file (declarative, idempotent, all or nothing)
    ///
    /// Installs each package from `path` (relative to the file), fails when its digest
    /// is not `sha256` or its version is not `version`, approves exactly `keys`.
    #[command(after_long_help = "Examples:\n  keyward config apply keyward.json --prune")]
    Apply {
        /// Config file
        file: PathBuf,
        /// Uninstall packages the file does not name
        #[arg(long)]
        prune: bool,
    },
}

/// `init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where the master key is kept
    #[arg(long, value_enum, default_value_t = Backend::Keyring)]
    pub backend: Backend,
    /// With `--backend openbao`: the Transit key that wraps the master key (default
    /// `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)
    #[arg(long, value_name = "NAME")]
    pub transit_key: Option<String>,
}

/// `rekey` arguments.
#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// Where the master key is to be kept from now on
    #[arg(long, value_enum)]
    pub backend: Backend,
    /// With `--backend openbao`: the Transit key that wraps the master key (default
    /// `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)
    #[arg(long, value_name = "NAME")]
    pub transit_key: Option<String>,
}

/// `keychain` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeychainCommand {
    /// Create a keychain and print its bearer token once, alone on stdout
    #[command(after_long_help = "Examples:\n  TOKEN=$(keyward keychain create ci)")]
    Create {
        /// Keychain name: lower-case letters, digits, '.', '_' and '-', up to 64
        name: String,
        /// Create it without a token (rotate one in later)
        #[arg(long)]
        no_token: bool,
    },
    /// List keychains: name, tokens, secrets, creation time
    #[command(after_long_help = "Examples:\n  keyward keychain list --json")]
    List,
    /// Remove a keychain with all its secrets and tokens
    ///
    /// Asks for confirmation on a terminal; pass --yes otherwise.
    #[command(after_long_help = "Examples:\n  keyward keychain rm ci --yes")]
    Rm {
        /// Keychain to remove
        #[arg(add = ArgValueCandidates::new(complete::keychains))]
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Issue a new bearer token; the old one stops working at once
    #[command(after_long_help = "Examples:\n  TOKEN=$(keyward keychain token ci --rotate)")]
    Token {
        /// Keychain whose token to rotate
        #[arg(add = ArgValueCandidates::new(complete::keychains))]
        name: String,
        /// Required: confirms that the current token will stop working
        #[arg(long)]
        rotate: bool,
    },
}

/// `secret` subcommands.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret: prompted without echo, or from --stdin or --from-env
    ///
    /// A value is never accepted as an argument (it would end up in shell history and
    /// in the process list).
    #[command(
        after_long_help = "Examples:\n  keyward secret set STRIPE_SECRET_KEY\n  printf %s \"$STRIPE_KEY\" | keyward secret set STRIPE_SECRET_KEY --stdin\n  keyward secret set OPENAI_API_KEY --from-env OPENAI_API_KEY\n  keyward secret set STRIPE_SECRET_KEY --from-openbao secret/stripe#key"
    )]
    Set(SecretSetArgs),
    /// List secret names, versions and dates; never values
    #[command(
        after_long_help = "Examples:\n  keyward secret list\n  keyward -k ci secret list --json"
    )]
    List,
    /// Re-read secrets sourced from OpenBao and store a new version where the KV version moved
    ///
    /// Names the secrets to sync, or --all for every sourced secret of the keychain.
    /// Unchanged secrets are left as they are; each new version is recorded in the
    /// audit log with its source and KV version.
    #[command(
        after_long_help = "Examples:\n  keyward secret sync --all\n  keyward secret sync STRIPE_SECRET_KEY"
    )]
    Sync {
        /// Secrets to sync
        #[arg(add = ArgValueCandidates::new(complete::secrets), required_unless_present = "all", conflicts_with = "all")]
        names: Vec<String>,
        /// Every sourced secret of the keychain
        #[arg(long)]
        all: bool,
    },
    /// Remove a secret
    #[command(after_long_help = "Examples:\n  keyward secret rm STRIPE_SECRET_KEY")]
    Rm {
        /// Secret name
        #[arg(add = ArgValueCandidates::new(complete::secrets))]
        name: String,
    },
    /// Print one secret's value (owner only)
    ///
    /// The value is printed as stored, with a newline only when stdout is a terminal.
    #[command(after_long_help = "Examples:\n  keyward secret get STRIPE_SECRET_KEY | pbcopy")]
    Get {
        /// Secret name
        #[arg(add = ArgValueCandidates::new(complete::secrets))]
        name: String,
    },
}

/// `secret set` arguments.
#[derive(Debug, Args)]
pub struct SecretSetArgs {
    /// Secret name, e.g. STRIPE_SECRET_KEY
    #[arg(add = ArgValueCandidates::new(complete::secrets))]
    pub name: String,
    /// Read the value from standard input (one trailing newline is dropped)
    #[arg(long, conflicts_with_all = ["from_env", "from_openbao"])]
    pub stdin: bool,
    /// Read the value from this environment variable of keyward's own process
    #[arg(long, value_name = "VAR", conflicts_with = "from_openbao")]
    pub from_env: Option<String>,
    /// Read the value from OpenBao / HashiCorp Vault KV v2 (BAO_ADDR, BAO_TOKEN or an
    /// AppRole) and remember the source, so `secret sync` can follow it
    #[arg(long, value_name = "MOUNT/PATH#FIELD")]
    pub from_openbao: Option<String>,
    /// Never used: a value given here is refused without being echoed.
    #[arg(hide = true, num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub refused_value: Vec<RefusedValue>,
}

/// Whatever followed the name of `secret set`: probably a pasted secret, so it is only
/// ever counted, never shown, and its `Debug` is redacted.
#[derive(Clone)]
pub struct RefusedValue(#[allow(dead_code)] OsString);

impl From<OsString> for RefusedValue {
    fn from(value: OsString) -> Self {
        RefusedValue(value)
    }
}

impl std::fmt::Debug for RefusedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefusedValue(<redacted>)")
    }
}
