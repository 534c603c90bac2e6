//! `keyward approve`, `revoke` and `uninstall`: the owner's decisions on a package.

use crate::cli::GrantArgs;
use crate::commands::Ctx;
use crate::commands::render::{ApprovedDoc, RevokedDoc, UninstalledDoc};
use crate::error::{Error, Kind, Result};
use crate::keychain::Role;
use crate::output::sanitize;

/// `keyward approve PACKAGE KEY… | --all`. The package's code must still match its pin:
/// approving is trusting the code as it is now.
pub fn cmd_approve(ctx: &Ctx, args: &GrantArgs) -> Result<()> {
    let mut kc = ctx.open(Role::Owner("approving keys"))?;
    let mut inst = kc.package(&args.package)?;
    let check = kc.verify_pin(&mut inst, &ctx.out)?;
    if inst.revoked() {
        return Err(Error::new(
            Kind::Changed,
            format!(
                "`{}` changed since it was approved ({} file(s)); its grants are revoked",
                inst.name(),
                check.changes.len()
            ),
        )
        .hint(format!(
            "review with `keyward inspect {} --diff`",
            inst.name()
        ))
        .hint(format!(
            "then re-pin and approve with `keyward install {}`",
            sanitize(&inst.row.path)
        )));
    }
    let wanted: Vec<String> = if args.all {
        inst.manifest.keys.iter().map(|k| k.name.clone()).collect()
    } else {
        args.keys.clone()
    };
    if let Some(key) = wanted.iter().find(|k| inst.manifest.requests(k).is_none()) {
        return Err(crate::commands::not_requested_key(&inst.manifest, key, ""));
    }
    kc.approve(&inst, &wanted)?;
    if ctx.out.json {
        ctx.out.json_doc(&ApprovedDoc {
            package: inst.name(),
            approved: &wanted,
        });
    }
    if wanted.is_empty() {
        ctx.out.info(format!(
            "{} requests no keys; nothing to approve.",
            inst.name()
        ));
    } else {
        ctx.out.info(format!(
            "Approved {} for {}.",
            wanted.join(", "),
            inst.name()
        ));
    }
    Ok(())
}

/// `keyward revoke PACKAGE KEY… | --all`.
pub fn cmd_revoke(ctx: &Ctx, args: &GrantArgs) -> Result<()> {
    let mut kc = ctx.open(Role::Owner("revoking keys"))?;
    let inst = kc.package(&args.package)?;
    let which = (!args.all).then_some(args.keys.as_slice());
    let revoked = kc.revoke(&inst, which)?;
    if ctx.out.json {
        ctx.out.json_doc(&RevokedDoc {
            package: inst.name(),
            revoked: &revoked,
        });
    }
    let not_granted: Vec<&str> = args
        .keys
        .iter()
        .filter(|k| !revoked.contains(k))
        .map(String::as_str)
        .collect();
    if !not_granted.is_empty() {
        ctx.out.warn(format!(
            "{} had no grant for {}",
            inst.name(),
            not_granted.join(", ")
        ));
    }
    ctx.out.info(format!(
        "Revoked {} for {}.",
        if revoked.is_empty() {
            "nothing".into()
        } else {
            revoked.join(", ")
        },
        inst.name()
    ));
    Ok(())
}

/// `keyward uninstall PACKAGE`.
pub fn cmd_uninstall(ctx: &Ctx, package_arg: &str) -> Result<()> {
    let mut kc = ctx.open(Role::Owner("uninstalling a package"))?;
    let inst = kc.package(package_arg)?;
    kc.uninstall(&inst)?;
    crate::registry::install::remove_uninstalled(&ctx.vault_path, &inst);
    if ctx.out.json {
        ctx.out.json_doc(&UninstalledDoc {
            package: inst.name(),
            uninstalled: true,
        });
    }
    ctx.out.info(format!(
        "Uninstalled {} and revoked its grants.",
        inst.name()
    ));
    Ok(())
}
