//! `keyward run PACKAGE [--no-mask] [--inherit-env] [-- ARGS…]`: verify, then launch
//! with exactly the approved keys. Every refusal happens before anything is launched.

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::cli::RunArgs;
use crate::commands::Ctx;
use crate::commands::render::change_lines;
use crate::error::{Error, Kind, Result};
use crate::keychain::{Installed, Keychain, Launch, Role};
use crate::output::sanitize;
use crate::runner;
use crate::secret::SecretBytes;

/// Verifies the package and runs it; returns the package's exit status.
pub fn cmd_run(ctx: &Ctx, args: &RunArgs) -> Result<u8> {
    let started = Instant::now();
    let mut kc = ctx.open(Role::Any)?;
    let mut inst = kc.package(&args.package)?;
    if inst.revoked() {
        return Err(defunct(&inst));
    }
    let check = kc.verify_pin(&mut inst, &ctx.out)?;
    if check.changed(&inst) {
        return Err(changed(&inst, &check.changes));
    }
    let Launch { names, values } = kc.launch(&inst)?;
    ctx.out.verbose(format!(
        "{} gets {}",
        inst.name(),
        if names.is_empty() {
            "no keys".into()
        } else {
            names.join(", ")
        }
    ));
    let dir = Path::new(&inst.row.path);
    let env = runner::environment(
        std::env::vars_os(),
        &inst.manifest,
        dir,
        &values,
        args.inherit_env,
    );
    let argv = runner::argv(&inst.manifest, dir, &args.args);
    kc.record_launch(&inst, &names, !args.no_mask)?;
    // The run record is durable in the WAL; leave it there (see `keep_wal_on_close`).
    // Failing to set this only costs the checkpoint.
    let _ = kc.vault().keep_wal_on_close();
    if args.no_mask {
        drop(kc);
        return Err(launch_failed(&argv[0], runner::exec(&argv, &env)));
    }
    // The run already happened: a failure to record its end is a warning, not an error.
    let record = |kc: &mut Keychain, status: serde_json::Value| {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Err(e) = kc.record_exit(&inst, &names, status, ms) {
            ctx.out.warn(format!(
                "could not record the end of the run in the audit log: {}",
                e.message
            ));
        }
    };
    let value_bytes: Vec<SecretBytes> = values.into_iter().map(|(_, v)| v).collect();
    match runner::run_masked(&argv, &env, &value_bytes) {
        Ok(status) => {
            record(&mut kc, json!(status));
            Ok(status)
        }
        Err(e) => {
            record(&mut kc, json!(e.status));
            Err(launch_failed(&argv[0], e))
        }
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

fn launch_failed(program: &std::ffi::OsStr, e: runner::LaunchError) -> Error {
    let what = if e.status == 127 {
        "was not found"
    } else {
        "could not be executed"
    };
    let mut err = Error::general(format!(
        "{} {what}: {}",
        sanitize(&program.to_string_lossy()),
        e.source
    ))
    .code(if e.status == 127 {
        "command-not-found"
    } else {
        "not-executable"
    })
    .hint("check the manifest's `run` and the package's files");
    err.run_status = Some(e.status);
    err
}
