//! `keyward run PACKAGE [--no-mask] [--inherit-env] [-- ARGS…]`: verify, then launch
//! with exactly the approved keys. Every refusal happens before anything is launched.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use serde_json::json;

use crate::cli::{DeliverMode, RunArgs};
use crate::commands::Ctx;
use crate::commands::render::change_lines;
use crate::deliver::RunDir;
use crate::deliver::socket::{Gate, Refusal, RunSocket};
use crate::error::{Error, Kind, Result};
use crate::guard::Guard;
use crate::keychain::reads::GrantNow;
use crate::keychain::{Installed, Keychain, Launch, Role, RunHow};
use crate::manifest::Deliver;
use crate::output::sanitize;
use crate::runner::{self, Given, Launchable};
use crate::secret::SecretBytes;

/// Verifies the package and runs it; returns the package's exit status.
pub fn cmd_run(ctx: &Ctx, args: &RunArgs) -> Result<u8> {
    let started = Instant::now();
    let mut kc = ctx.open(Role::Any)?;
    let mut inst = kc.package(&args.package)?;
    if inst.revoked() {
        return Err(defunct(&inst));
    }
    // Held from before hashing until launch (hardening item 10): see `guard`. A long
    // pinned list is not parsed: the guard of a big tree holds its entry point only.
    let pinned = inst
        .pinned_entries_up_to(crate::guard::SMALL_ENTRIES)
        .unwrap_or_default();
    let dir = PathBuf::from(&inst.row.path);
    let guard = Guard::open(&dir, &inst.manifest, &pinned);
    let check = kc.verify_pin_for_run(&mut inst, &ctx.out, args.rehash)?;
    if check.changed(&inst) {
        return Err(changed(&inst, &check.changes));
    }
    // What the launch rechecks the held files against: the tree just verified, whose
    // digest is the pin's, so its entries are the pinned ones.
    let pinned = check.entries;
    let launch = kc.launch(&inst)?;
    let deliver = args.deliver.map_or(inst.manifest.deliver, |d| match d {
        DeliverMode::Env => Deliver::Env,
        DeliverMode::Files => Deliver::Files,
        DeliverMode::Socket => Deliver::Socket,
    });
    ctx.out.verbose(format!(
        "{} gets {} ({})",
        inst.name(),
        if launch.names.is_empty() {
            "no keys".into()
        } else {
            launch.names.join(", ")
        },
        deliver.as_str()
    ));
    let argv = runner::argv(&inst.manifest, &dir, &args.args);
    let run = Run {
        ctx,
        args,
        inst: &inst,
        dir: &dir,
        argv: &argv,
        guard: &guard,
        pinned: &pinned,
        started,
        how: RunHow {
            masked: !args.no_mask,
            supervised: !args.no_mask || deliver != Deliver::Env,
            deliver,
        },
    };
    if deliver == Deliver::Env {
        run.with_env(kc, launch)
    } else {
        run.delivered(kc, launch)
    }
}

/// One run, verified and decided.
struct Run<'a> {
    ctx: &'a Ctx,
    args: &'a RunArgs,
    inst: &'a Installed,
    dir: &'a Path,
    argv: &'a [OsString],
    guard: &'a Guard,
    pinned: &'a [crate::digest::Entry],
    started: Instant,
    how: RunHow,
}

impl Run<'_> {
    fn environment(&self, given: Given<'_>) -> BTreeMap<OsString, OsString> {
        runner::environment(
            std::env::vars_os(),
            &self.inst.manifest,
            self.dir,
            given,
            self.args.inherit_env,
        )
    }

    /// `deliver: env`: the values in the package's environment; exec'd with
    /// `--no-mask`, else supervised with masked output.
    fn with_env(&self, mut kc: Keychain, launch: Launch) -> Result<u8> {
        let Launch { names, values } = launch;
        crate::deliver::sweep_stale();
        let env = self.environment(Given::Values(&values));
        let what = self.launchable(&env);
        kc.record_launch(self.inst, &names, self.how)?;
        // The run record is durable in the WAL; leave it there (see `keep_wal_on_close`).
        // Failing to set this only costs the checkpoint.
        let _ = kc.vault().keep_wal_on_close();
        if self.args.no_mask {
            drop(kc);
            return Err(self.launch_failed(runner::exec(&what)));
        }
        let signals = runner::catch_signals();
        let value_bytes: Vec<SecretBytes> = values.into_iter().map(|(_, v)| v).collect();
        let result =
            runner::run_supervised(&what, runner::Output::Masked(&value_bytes), signals, |_| {});
        self.finish(&mut kc, &names, result)
    }

    /// `deliver: files` or `socket`: a private run folder, no value in the
    /// environment; keyward stays the parent (even with `--no-mask`, which then
    /// leaves the package's output alone) and removes the folder when it exits.
    fn delivered(&self, mut kc: Keychain, launch: Launch) -> Result<u8> {
        let Launch { names, values } = launch;
        // Before the folder exists: a signal from now on is forwarded, not fatal.
        let signals = runner::catch_signals();
        let run_dir = RunDir::create()?;
        let socket = match self.how.deliver {
            Deliver::Socket => Some(RunSocket::bind(&run_dir)?),
            _ => None,
        };
        let vars = match &socket {
            Some(socket) => socket.vars(),
            None => run_dir.write_files(&values)?,
        };
        let env = self.environment(Given::Pointers(vars));
        let what = self.launchable(&env);
        kc.record_launch(self.inst, &names, self.how)?;
        let value_bytes: Vec<SecretBytes> = values.iter().map(|(_, v)| v.clone()).collect();
        let output = if self.args.no_mask {
            runner::Output::Inherit
        } else {
            runner::Output::Masked(&value_bytes)
        };
        let gate = VaultGate {
            kc: Mutex::new(&mut kc),
            inst: self.inst,
        };
        let (stop, stopper) = std::io::pipe().map_err(|e| {
            Error::general(format!("cannot make a pipe for the run socket: {e}"))
                .hint("the system is out of file descriptors; retry")
        })?;
        let (pid_tx, pid_rx) = mpsc::channel::<u32>();
        let result = std::thread::scope(|scope| {
            if let Some(socket) = &socket {
                let (gate, values, stop) = (&gate, &values, &stop);
                scope.spawn(move || {
                    if let Ok(pid) = pid_rx.recv() {
                        socket.serve(pid, values, gate, stop);
                    }
                });
            }
            let result = runner::run_supervised(&what, output, signals, move |pid| {
                let _ = pid_tx.send(pid);
            });
            // The package has exited: no more reads; the server returns.
            drop(stopper);
            result
        });
        drop(socket);
        drop(run_dir);
        self.finish(&mut kc, &names, result)
    }

    fn launchable<'e>(&'e self, env: &'e BTreeMap<OsString, OsString>) -> Launchable<'e> {
        Launchable {
            argv: self.argv,
            env,
            guard: self.guard,
            pinned: self.pinned,
        }
    }

    /// Records how a supervised run ended (a failure to record it is a warning: the
    /// run already happened) and returns its status.
    fn finish(
        &self,
        kc: &mut Keychain,
        names: &[String],
        result: std::result::Result<u8, runner::LaunchError>,
    ) -> Result<u8> {
        let status = match &result {
            Ok(status) => json!(status),
            Err(runner::LaunchError::Changed(_)) => json!("package-changed"),
            Err(e) => json!(e.status()),
        };
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Err(e) = kc.record_exit(self.inst, names, status, ms, self.how) {
            self.ctx.out.warn(format!(
                "could not record the end of the run in the audit log: {}",
                e.message
            ));
        }
        result.map_err(|e| self.launch_failed(e))
    }

    fn launch_failed(&self, e: runner::LaunchError) -> Error {
        launch_failed(self.inst, &self.argv[0], e)
    }
}

/// The socket's last check: the grant re-read from the vault, then the read recorded.
struct VaultGate<'a> {
    kc: Mutex<&'a mut Keychain>,
    inst: &'a Installed,
}

impl Gate for VaultGate<'_> {
    fn allow(&self, key: &str, pid: u32) -> std::result::Result<(), Refusal> {
        let mut kc = self
            .kc
            .lock()
            .map_err(|_| Refusal::new("vault", "the vault handle is unusable; retry the run"))?;
        let name = self.inst.name();
        match kc.grant_now(self.inst, key) {
            Ok(GrantNow::Holds) => {}
            Ok(GrantNow::Revoked) => {
                return Err(Refusal::new(
                    "revoked",
                    format!(
                        "{key} is no longer granted to {name}: the owner revoked it during this run"
                    ),
                ));
            }
            Ok(GrantNow::Changed) => {
                return Err(Refusal::new(
                    "package-changed",
                    format!(
                        "{name} was revoked or re-pinned during this run; its keys are no longer given"
                    ),
                ));
            }
            Err(e) => {
                return Err(Refusal::new(
                    "vault",
                    format!(
                        "cannot re-check the grant of {key} in the vault: {}",
                        e.message
                    ),
                ));
            }
        }
        kc.record_key_read(self.inst, key, pid).map_err(|e| {
            Refusal::new(
                "audit",
                format!(
                    "the read of {key} cannot be recorded in the audit log, so it is refused: {}",
                    e.message
                ),
            )
        })
    }
}

fn defunct(inst: &Installed) -> Error {
    let when = inst
        .row
        .revoked_at
        .map(crate::time::rfc3339)
        .unwrap_or_default();
    Error::new(Kind::Changed, format!(
        "{} was not started: its code changed after you approved it, so keyward revoked its grants at {when}; \
         it gets no key until you approve its new code",
        inst.row.name
    ))
    .code("package-changed")
    .hint(format!("see what changed: keyward inspect {} --diff", inst.row.name))
    .hint(format!(
        "if you trust the change, pin it and approve again: keyward install {}",
        sanitize(&inst.row.path)
    ))
}

fn changed(inst: &Installed, changes: &[crate::digest::Change]) -> Error {
    Error::new(Kind::Changed, format!(
        "{} changed since it was approved; its grants are revoked and it was not started. Changed files:\n{}",
        inst.row.name,
        change_lines(changes)
    ))
    .code("package-changed")
    .hint(format!("review the change: keyward inspect {} --diff", inst.row.name))
    .hint(format!("then re-approve this code: keyward install {}", sanitize(&inst.row.path)))
}

fn launch_failed(inst: &Installed, program: &std::ffi::OsStr, e: runner::LaunchError) -> Error {
    let (status, source) = match e {
        runner::LaunchError::Changed(file) => {
            let mut err = Error::new(Kind::Changed, format!(
                "{} changed after it was verified ({} is no longer the file that was hashed); it was not started",
                inst.name(),
                sanitize(&file)
            ))
            .code("package-changed")
            .hint("something is modifying the package folder: find out what, then run again (keyward hashes it again and revokes its grants if its code differs)");
            err.run_status = Some(125);
            return err;
        }
        runner::LaunchError::Os { status, source } => (status, source),
    };
    let what = if status == 127 {
        "was not found"
    } else {
        "could not be executed"
    };
    let mut err = Error::general(format!(
        "{} {what}: {source}",
        sanitize(&program.to_string_lossy()),
    ))
    .code(if status == 127 {
        "command-not-found"
    } else {
        "not-executable"
    })
    .hint("check the manifest's `run` and the package's files");
    err.run_status = Some(status);
    err
}
