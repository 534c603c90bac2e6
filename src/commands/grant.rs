//! `keyward approve`, `revoke` and `uninstall`: the owner's decisions on a package.

use serde_json::json;

use crate::cli::GrantArgs;
use crate::commands::Ctx;
use crate::error::{Error, Kind, Result};
use crate::package::{self, Scope};

/// `keyward approve PACKAGE KEY… | --all`. The package's code must still match its pin:
/// approving is trusting the code as it is now.
pub fn cmd_approve(ctx: &Ctx, args: &GrantArgs) -> Result<()> {
    let (mut s, kc, keys) = ctx.owner("approving keys")?;
    let loaded = package::load(&s.vault, &kc, &keys.rk)?;
    let mut inst = loaded.resolve(&args.package, &kc.name)?.clone();
    let vid = s.vault.id;
    let scope = Scope::owner(&vid, &kc, &keys);
    let check = package::verify_pin(&mut s.vault, &scope, &mut inst, &ctx.out)?;
    if inst.revoked() {
        return Err(Error::new(
            Kind::Changed,
            format!(
                "`{}` changed since it was approved ({} file(s)); its grants are revoked",
                inst.row.name,
                check.changes.len()
            ),
        )
        .hint(format!(
            "review with `keyward inspect {} --diff`",
            inst.row.name
        ))
        .hint(format!(
            "then re-pin and approve with `keyward install {}`",
            inst.row.path
        )));
    }
    let wanted: Vec<String> = if args.all {
        inst.manifest.keys.iter().map(|k| k.name.clone()).collect()
    } else {
        args.keys.clone()
    };
    s.vault.write(|tx| {
        package::approve(tx, &scope, &keys, &inst.row, &inst.manifest, &wanted)?;
        scope.audit(
            tx,
            "approve",
            Some(&inst.row.name),
            json!({"keys": wanted, "digest": inst.row.digest}),
        )
    })?;
    if ctx.out.json {
        ctx.out
            .json_doc(&json!({"package": inst.row.name, "approved": wanted}));
    }
    if wanted.is_empty() {
        ctx.out.info(format!(
            "{} requests no keys; nothing to approve.",
            inst.row.name
        ));
    } else {
        ctx.out.info(format!(
            "Approved {} for {}.",
            wanted.join(", "),
            inst.row.name
        ));
    }
    Ok(())
}

/// `keyward revoke PACKAGE KEY… | --all`.
pub fn cmd_revoke(ctx: &Ctx, args: &GrantArgs) -> Result<()> {
    let (mut s, kc, keys) = ctx.owner("revoking keys")?;
    let loaded = package::load(&s.vault, &kc, &keys.rk)?;
    let inst = loaded.resolve(&args.package, &kc.name)?.clone();
    let vid = s.vault.id;
    let scope = Scope::owner(&vid, &kc, &keys);
    let which = if args.all {
        None
    } else {
        Some(args.keys.as_slice())
    };
    let revoked = s.vault.write(|tx| {
        let revoked = scope.revoke(tx, &inst, which)?;
        scope.audit(tx, "revoke", Some(&inst.row.name), json!({"keys": revoked}))?;
        Ok(revoked)
    })?;
    if ctx.out.json {
        ctx.out
            .json_doc(&json!({"package": inst.row.name, "revoked": revoked}));
    }
    let not_granted: Vec<&String> = args.keys.iter().filter(|k| !revoked.contains(k)).collect();
    if !not_granted.is_empty() {
        ctx.out.warn(format!(
            "{} had no grant for {}",
            inst.row.name,
            not_granted
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    ctx.out.info(format!(
        "Revoked {} for {}.",
        if revoked.is_empty() {
            "nothing".into()
        } else {
            revoked.join(", ")
        },
        inst.row.name
    ));
    Ok(())
}

/// `keyward uninstall PACKAGE`.
pub fn cmd_uninstall(ctx: &Ctx, package_arg: &str) -> Result<()> {
    let (mut s, kc, keys) = ctx.owner("uninstalling a package")?;
    let loaded = package::load(&s.vault, &kc, &keys.rk)?;
    let inst = loaded.resolve(package_arg, &kc.name)?.clone();
    let vid = s.vault.id;
    let scope = Scope::owner(&vid, &kc, &keys);
    s.vault.write(|tx| uninstall(tx, &scope, &inst))?;
    if ctx.out.json {
        ctx.out
            .json_doc(&json!({"package": inst.row.name, "uninstalled": true}));
    }
    ctx.out.info(format!(
        "Uninstalled {} and revoked its grants.",
        inst.row.name
    ));
    Ok(())
}

/// Removes an installation, its grants and the shared copies only it needed.
pub fn uninstall(
    tx: &rusqlite::Transaction<'_>,
    scope: &Scope<'_>,
    inst: &package::Installed,
) -> Result<()> {
    scope.revoke(tx, inst, None)?;
    crate::vault::packages::delete_installation(tx, &inst.row.id).map_err(crate::vault::db)?;
    scope.audit(
        tx,
        "uninstall",
        Some(&inst.row.name),
        json!({"digest": inst.row.digest}),
    )
}
