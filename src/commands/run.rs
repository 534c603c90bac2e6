//! `keyward run PACKAGE [--no-mask] [--inherit-env] [-- ARGS…]`: verify, then launch
//! with exactly the approved keys. Every refusal happens before anything is launched.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::cli::RunArgs;
use crate::commands::Ctx;
use crate::crypto::{self, label};
use crate::error::{Error, Kind, Result};
use crate::grants;
use crate::output::sanitize;
use crate::package::{self, Installed, Scope};
use crate::runner;
use crate::secret::{Key32, SecretBytes};
use crate::session::Session;
use crate::vault::KeychainRow;

/// Verifies the package and runs it; returns the package's exit status.
pub fn cmd_run(ctx: &Ctx, args: &RunArgs) -> Result<u8> {
    let started = Instant::now();
    let mut s = ctx.session()?;
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let rk = s.rk(&kc)?;
    let loaded = package::load(&s.vault, &kc, &rk)?;
    let mut inst = loaded.resolve(&args.package, &kc.name)?.clone();
    if inst.revoked() {
        return Err(defunct(&inst));
    }
    let vid = s.vault.id;
    let scope = Scope::holder(&vid, &kc, &rk);
    let check = package::verify_pin(&mut s.vault, &scope, &mut inst, &ctx.out)?;
    if check.changed(&inst) {
        return Err(changed(&inst, &check.changes));
    }
    let values = granted_values(&s, &kc, &rk, &inst)?;
    let names: Vec<String> = values.iter().map(|(n, _)| n.clone()).collect();
    ctx.out.verbose(format!(
        "{} gets {}",
        inst.row.name,
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
    let record = |s: &mut Session, status: serde_json::Value| {
        let detail = json!({"digest": inst.row.digest, "keys": names, "status": status, "duration_ms": started.elapsed().as_millis() as u64, "masked": !args.no_mask});
        if let Err(e) = s
            .vault
            .write(|tx| scope.audit(tx, "run", Some(&inst.row.name), detail))
        {
            ctx.out.warn(format!(
                "could not record the run in the audit log: {}",
                e.message
            ));
        }
    };
    if args.no_mask {
        record(&mut s, json!("exec"));
        // Close the vault cleanly (a WAL checkpoint): skipping it saves two fsyncs but
        // leaves the next process to rebuild the WAL index, reading the whole WAL.
        drop(s);
        return Err(launch_failed(&argv[0], runner::exec(&argv, &env)));
    }
    let value_bytes: Vec<SecretBytes> = values.into_iter().map(|(_, v)| v).collect();
    match runner::run_masked(&argv, &env, &value_bytes) {
        Ok(status) => {
            record(&mut s, json!(status));
            Ok(status)
        }
        Err(e) => {
            record(&mut s, json!(e.status));
            Err(launch_failed(&argv[0], e))
        }
    }
}

/// Decrypts the shared copies of the keys this package gets, or says why it gets none.
fn granted_values(
    s: &Session,
    kc: &KeychainRow,
    rk: &Key32,
    inst: &Installed,
) -> Result<Vec<(String, SecretBytes)>> {
    let mut present = BTreeSet::new();
    let mut sealed = Vec::new();
    for key in &inst.manifest.keys {
        if let Some(copy) = s.vault.shared(&kc.id, &key.name)? {
            present.insert(key.name.clone());
            sealed.push((key.name.clone(), copy));
        }
    }
    let d = grants::decide(&inst.manifest, &inst.granted, &present);
    let name = &inst.row.name;
    if !d.not_approved.is_empty() {
        return Err(Error::new(
            Kind::Denied,
            format!(
                "{name} needs {} approved; it was not started",
                d.not_approved.join(", ")
            ),
        )
        .code("not-approved")
        .hint(format!(
            "the owner approves with `keyward approve {name} {}`",
            d.not_approved.join(" ")
        )));
    }
    if !d.missing.is_empty() {
        let mut err = Error::new(
            Kind::NotFound,
            format!(
                "keychain `{}` has no value for {}; {name} was not started",
                kc.name,
                d.missing.join(", ")
            ),
        )
        .code("missing-secret");
        for key in &d.missing {
            err = err.hint(format!("keyward secret set {key}"));
        }
        return Err(err);
    }
    let mut values = Vec::new();
    for (key, (version, copy)) in sealed.into_iter().filter(|(k, _)| d.give.contains(k)) {
        let aad = crypto::value_aad(label::SHARED, &s.vault.id, &kc.id, &key, version);
        let value = crypto::open(rk, &copy, &aad).map_err(|_| {
            s.vault
                .corrupt(&format!("the shared copy of {key} does not decrypt"))
                .code("integrity")
        })?;
        values.push((key, value));
    }
    Ok(values)
}

fn defunct(inst: &Installed) -> Error {
    let when = inst
        .row
        .revoked_at
        .map(crate::time::rfc3339)
        .unwrap_or_default();
    Error::new(Kind::Changed, format!(
        "{} is defunct: its grants were revoked at {when} because its code changed; it was not started",
        inst.row.name
    ))
    .code("package-changed")
    .hint(format!("review the change: keyward inspect {} --diff", inst.row.name))
    .hint(format!("then re-approve this code: keyward install {}", sanitize(&inst.row.path)))
}

fn changed(inst: &Installed, changes: &[crate::digest::Change]) -> Error {
    Error::new(Kind::Changed, format!(
        "{} changed since it was approved; its grants are revoked and it was not started. Changed files:\n{}",
        inst.row.name,
        package::change_lines(changes)
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
