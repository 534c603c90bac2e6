//! Launching a package: its environment, its argv, and the process itself, either
//! replaced by the package (`--no-mask`) or supervised with masked output, signals
//! forwarded and the exit status passed through.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGWINCH};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;

use crate::digest::Entry;
use crate::guard::Guard;
use crate::manifest::Manifest;
use crate::mask::Masker;
use crate::secret::SecretBytes;

/// Signals keyward catches while a package runs: forwarded, or (WINCH) acted on.
const FORWARDED: [i32; 5] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH];

/// Caller variables every package sees (plus `LC_*`).
pub const BASE_ALLOWLIST: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "TZ",
    "TERM",
    "TMPDIR",
    "COLORTERM",
    "NO_COLOR",
];

/// What the package's environment carries of its keys.
pub enum Given<'a> {
    /// The values themselves (`deliver: env`).
    Values(&'a [(String, SecretBytes)]),
    /// Where to get them (`deliver: files` or `socket`): paths, a socket and a run
    /// token, never a value.
    Pointers(Vec<(OsString, OsString)>),
}

/// Builds the child's environment from the caller's `caller` variables.
///
/// Allowlist mode passes the base allowlist and the manifest's `env` names; `inherit`
/// passes everything. Either way `KEYWARD_*` variables are dropped, and so are the
/// names keyward sets for delivery (a requested key's name, `KEY_FILE`,
/// `CREDENTIALS_DIRECTORY`): those are set only by keyward, with the package's own
/// variables and the requested key names (`KEYWARD_KEYS`, `KEYWARD_REQUIRED`).
pub fn environment(
    caller: impl Iterator<Item = (OsString, OsString)>,
    manifest: &Manifest,
    dir: &Path,
    given: Given<'_>,
    inherit: bool,
) -> BTreeMap<OsString, OsString> {
    let allowed = |name: &str| {
        BASE_ALLOWLIST.contains(&name)
            || name.starts_with("LC_")
            || manifest.env.iter().any(|e| e == name)
    };
    let keyward_sets = |name: &str| {
        name.starts_with("KEYWARD_")
            || name == "CREDENTIALS_DIRECTORY"
            || manifest.requests(name).is_some()
            || name
                .strip_suffix("_FILE")
                .is_some_and(|key| manifest.requests(key).is_some())
    };
    let mut env: BTreeMap<OsString, OsString> = caller
        .filter(|(k, _)| {
            let Some(name) = k.to_str() else {
                return inherit;
            };
            !keyward_sets(name) && (inherit || allowed(name))
        })
        .collect();
    match given {
        Given::Values(granted) => {
            for (name, value) in granted {
                env.insert(
                    name.into(),
                    OsStr::from_encoded_bytes_checked(value.expose()),
                );
            }
        }
        Given::Pointers(vars) => env.extend(vars),
    }
    let names = |required_only: bool| {
        manifest
            .keys
            .iter()
            .filter(|k| !(required_only && k.optional))
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    env.insert("KEYWARD_KEYS".into(), names(false).into());
    env.insert("KEYWARD_REQUIRED".into(), names(true).into());
    env.insert("KEYWARD_PACKAGE".into(), manifest.name.clone().into());
    env.insert("KEYWARD_PACKAGE_DIR".into(), dir.into());
    env.insert("PYTHONDONTWRITEBYTECODE".into(), "1".into());
    env
}

/// Small shim: `OsStr` from bytes on Unix, where any bytes are a valid `OsStr`.
trait FromBytes {
    fn from_encoded_bytes_checked(bytes: &[u8]) -> OsString;
}

impl FromBytes for OsStr {
    fn from_encoded_bytes_checked(bytes: &[u8]) -> OsString {
        std::os::unix::ffi::OsStringExt::from_vec(bytes.to_vec())
    }
}

/// keyward's launcher for Instant API projects (DESIGN.md "Gateway").
pub const INSTANT_API_LAUNCHER: &str = include_str!("../sdk/node/instant-launcher.mjs");

/// The manifest's `run` with `./` elements resolved against `dir`, then `args`. The
/// manifest parser already refused `./` elements that could leave `dir`.
/// [`crate::manifest::INSTANT_API_RUN`] is keyward's Instant API launcher, run by
/// `node` from the `PATH` (its source is keyward's, in the argv, never a file the
/// package could change).
pub fn argv(manifest: &Manifest, dir: &Path, args: &[OsString]) -> Vec<OsString> {
    if manifest.run == [crate::manifest::INSTANT_API_RUN] {
        return [
            "node",
            "--input-type=module",
            "--eval",
            INSTANT_API_LAUNCHER,
        ]
        .into_iter()
        .map(OsString::from)
        .chain(args.iter().cloned())
        .collect();
    }
    manifest
        .run
        .iter()
        .map(|a| match a.strip_prefix("./") {
            Some(rest) => dir.join(rest).into_os_string(),
            None => a.into(),
        })
        .chain(args.iter().cloned())
        .collect()
}

fn command(argv: &[OsString], env: &BTreeMap<OsString, OsString>, guard: &Guard) -> Command {
    let (program, arg0) = guard.program(&argv[0]);
    let mut cmd = Command::new(program);
    if let Some(arg0) = arg0 {
        cmd.arg0(arg0);
    }
    cmd.args(&argv[1..]).env_clear().envs(env);
    cmd
}

/// Why the package could not be started; maps to 126/127 like `env`.
#[derive(Debug)]
pub enum LaunchError {
    /// The OS refused to start it.
    Os {
        /// 126 (not executable) or 127 (not found).
        status: u8,
        /// The OS error.
        source: io::Error,
    },
    /// A file of the package changed after it was verified (exit 125): the path.
    Changed(String),
}

impl LaunchError {
    /// The exit status `run` returns for it.
    pub fn status(&self) -> u8 {
        match self {
            LaunchError::Os { status, .. } => *status,
            LaunchError::Changed(_) => 125,
        }
    }
}

fn launch_error(source: io::Error) -> LaunchError {
    let status = if source.kind() == io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    LaunchError::Os { status, source }
}

/// What is being launched: argv, environment, and the guard held since before the
/// tree was hashed, re-checked right before the package starts.
pub struct Launchable<'a> {
    /// The argv, `./` elements resolved.
    pub argv: &'a [OsString],
    /// The whole environment.
    pub env: &'a BTreeMap<OsString, OsString>,
    /// Held from before hashing.
    pub guard: &'a Guard,
    /// The pinned files, for the guard's re-check.
    pub pinned: &'a [Entry],
}

impl Launchable<'_> {
    /// The command that starts the package, after the guard's re-check (the gateway
    /// spawns it itself, with its own stdio).
    pub fn command(&self) -> Result<Command, LaunchError> {
        self.guard
            .recheck(self.pinned)
            .map_err(LaunchError::Changed)?;
        Ok(command(self.argv, self.env, self.guard))
    }
}

/// Replaces this process with the package. Returns only on failure.
pub fn exec(what: &Launchable<'_>) -> LaunchError {
    match what.command() {
        Ok(mut cmd) => launch_error(cmd.exec()),
        Err(e) => e,
    }
}

/// Catches the signals keyward forwards to the package. Do it before anything that
/// must be undone at exit exists (a run folder), so no signal can end keyward first.
pub fn catch_signals() -> Option<Signals> {
    SignalsInfo::<WithOrigin>::new(FORWARDED).ok()
}

/// Signals caught for a run ([`catch_signals`]).
pub type Signals = SignalsInfo<WithOrigin>;

/// How the package's output reaches keyward's.
pub enum Output<'a> {
    /// Through keyward, every granted value masked.
    Masked(&'a [SecretBytes]),
    /// Straight to keyward's own stdout and stderr (`--no-mask` when keyward stays
    /// the parent).
    Inherit,
}

/// Starts the package and waits for it, forwarding signals: the masked run, or with
/// [`Output::Inherit`] a run with keyward's own stdio. `started` gets the package's pid
/// as soon as it exists. Returns its exit status: its code, or 128+N when killed by N.
pub fn run_supervised(
    what: &Launchable<'_>,
    output: Output<'_>,
    signals: Option<Signals>,
    started: impl FnOnce(u32),
) -> Result<u8, LaunchError> {
    match output {
        Output::Masked(values) => run_masked(what, values, signals, started),
        Output::Inherit => {
            let mut cmd = what.command()?;
            let child = cmd.spawn().map_err(launch_error)?;
            drop(cmd);
            started(child.id());
            Ok(supervise(child, signals, Vec::new()))
        }
    }
}

/// Output of one child stream: where it comes from and where it goes.
enum Sink {
    Stdout,
    Stderr,
}

/// Starts the package with masked output (a pseudo-terminal for each of keyward's own
/// outputs that is a terminal, a pipe otherwise), forwards signals, and returns its
/// exit status: its code, or 128+N when killed by signal N.
fn run_masked(
    what: &Launchable<'_>,
    values: &[SecretBytes],
    signals: Option<Signals>,
    started: impl FnOnce(u32),
) -> Result<u8, LaunchError> {
    let out_pty = if io::stdout().is_terminal() {
        open_pty(&io::stdout()).ok()
    } else {
        None
    };
    let err_pty = if io::stderr().is_terminal() {
        open_pty(&io::stderr()).ok()
    } else {
        None
    };
    // Resizing needs the masters after the pumps own them: keep a duplicate of each.
    let resize: Vec<OwnedFd> = [&out_pty, &err_pty]
        .into_iter()
        .flatten()
        .filter_map(|p| p.master.try_clone().ok())
        .collect();
    let (out_reader, out_writer) = pipe_or_pty(out_pty).map_err(launch_error)?;
    let (err_reader, err_writer) = pipe_or_pty(err_pty).map_err(launch_error)?;
    // Signals were caught before the package exists, so none can end keyward and
    // orphan it. (The child gets default dispositions back at exec.)
    let mut cmd = what.command()?;
    cmd.stdin(Stdio::inherit())
        .stdout(out_writer)
        .stderr(err_writer);
    let child = cmd.spawn().map_err(launch_error)?;
    // `cmd` holds our copies of the write ends; drop them so EOF arrives when the child exits.
    drop(cmd);
    started(child.id());
    let masker = Masker::new(values);
    let status = thread::scope(|scope| {
        scope.spawn(|| pump(out_reader, Sink::Stdout, &masker));
        scope.spawn(|| pump(err_reader, Sink::Stderr, &masker));
        supervise(child, signals, resize)
    });
    Ok(status)
}

struct Pty {
    master: OwnedFd,
    slave: OwnedFd,
}

/// A pseudo-terminal sized like `like`, so the package sees a terminal of the same size.
fn open_pty(like: &impl AsFd) -> io::Result<Pty> {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let slave: OwnedFd = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(<OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
            name.as_bytes(),
        ))?
        .into();
    if let Ok(size) = rustix::termios::tcgetwinsize(like) {
        let _ = rustix::termios::tcsetwinsize(&slave, size);
    }
    // No output processing on the package's side (it would turn "\n" into "\r\n"):
    // bytes reach the masker exactly as written, so multi-line values still match, and
    // keyward's own terminal does the newline translation once.
    let mut attrs = rustix::termios::tcgetattr(&slave)?;
    attrs
        .output_modes
        .remove(rustix::termios::OutputModes::OPOST);
    rustix::termios::tcsetattr(&slave, rustix::termios::OptionalActions::Now, &attrs)?;
    Ok(Pty { master, slave })
}

fn pipe_or_pty(pty: Option<Pty>) -> io::Result<(OwnedFd, Stdio)> {
    match pty {
        Some(pty) => Ok((pty.master, Stdio::from(pty.slave))),
        None => {
            let (reader, writer) = io::pipe()?;
            // A roomier pipe than the default 64 KiB lets the package write ahead while
            // keyward masks, and each read brings more at once. (Refused beyond the
            // system's limit, which is no reason to fail.)
            let _ = rustix::pipe::fcntl_setpipe_size(&reader, PIPE_SIZE);
            Ok((reader.into(), Stdio::from(writer)))
        }
    }
}

/// Bytes asked of the kernel for each of the package's output pipes.
const PIPE_SIZE: usize = 1 << 20;
/// Bytes read at once: a read returns what the package has written so far, up to this.
const READ_SIZE: usize = 256 << 10;

/// Copies one child stream to ours through the masker. Ends at EOF (or EIO, which is
/// how a pty master reports that the last slave closed).
fn pump(source: OwnedFd, sink: Sink, masker: &Masker) {
    let mut source = std::fs::File::from(source);
    let mut stream = masker.stream();
    let mut buf = vec![0u8; READ_SIZE];
    let mut out = Vec::new();
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        out.clear();
        // What can be shown is `out`, then `rest`: most reads hold no value and are
        // written straight from `buf`.
        let rest = stream.feed_in_place(&buf[..n], &mut out);
        if write_all(&sink, &out)
            .and_then(|()| write_all(&sink, rest))
            .is_err()
        {
            // Our reader went away (`| head`): close our end so the package meets the
            // closed pipe itself (SIGPIPE or EPIPE), as it would without keyward.
            return;
        }
    }
    out.clear();
    stream.finish(&mut out);
    let _ = write_all(&sink, &out);
}

/// Writes `bytes` to the descriptor itself: std's stdout would buffer by lines and
/// write each read twice (up to the last newline, then the rest at the flush).
fn write_all(sink: &Sink, bytes: &[u8]) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    match sink {
        Sink::Stdout => {
            // The lock keeps keyward's own output out meanwhile; what it printed before
            // goes first.
            let mut o = io::stdout().lock();
            o.flush()?;
            write_fd(o.as_fd(), bytes)
        }
        Sink::Stderr => write_fd(io::stderr().lock().as_fd(), bytes),
    }
}

fn write_fd(fd: std::os::fd::BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Forwards INT, TERM, HUP and QUIT sent to keyward by another process (the terminal
/// already delivers its own to the package, which shares keyward's process group), and
/// on WINCH resizes the package's pseudo-terminals before telling it, then reaps it.
fn supervise(mut child: Child, signals: Option<Signals>, ptys: Vec<OwnedFd>) -> u8 {
    let pid = rustix::process::Pid::from_child(&child);
    let handle = signals.as_ref().map(SignalsInfo::handle);
    let forwarder = signals.map(|mut signals| {
        thread::spawn(move || {
            for origin in signals.forever() {
                if origin.signal == SIGWINCH {
                    resize_ptys(&ptys);
                } else if matches!(origin.cause, Cause::Kernel) {
                    continue;
                }
                if let Some(sig) = rustix::process::Signal::from_named_raw(origin.signal) {
                    let _ = rustix::process::kill_process(pid, sig);
                }
            }
        })
    });
    let status = loop {
        match child.wait() {
            Ok(status) => break status,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return 125,
        }
    };
    if let Some(handle) = handle {
        handle.close();
    }
    if let Some(f) = forwarder {
        let _ = f.join();
    }
    exit_code(status)
}

/// Copies the size of keyward's terminal to each of the package's pseudo-terminals.
fn resize_ptys(ptys: &[OwnedFd]) {
    let size = rustix::termios::tcgetwinsize(io::stdout())
        .or_else(|_| rustix::termios::tcgetwinsize(io::stderr()));
    if let Ok(size) = size {
        for pty in ptys {
            let _ = rustix::termios::tcsetwinsize(pty, size);
        }
    }
}

/// The package's code, or 128+N when it was killed by signal N.
pub fn exit_code(status: std::process::ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(255),
        (None, None) => 125,
    }
}
