//! `keyward log [--package P] [--limit N] [--verify]`.

use serde_json::json;

use crate::audit;
use crate::cli::LogArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::output::{print_line, table};
use crate::time;

/// Shows or verifies the keychain's audit log.
pub fn cmd_log(ctx: &Ctx, args: &LogArgs) -> Result<()> {
    let s = ctx.session()?;
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let rk = s.rk(&kc)?;
    if args.verify {
        let n = audit::verify(&s.vault, &kc.id, &rk)?;
        if ctx.out.json {
            ctx.out
                .json_doc(&json!({"keychain": kc.name, "verified": true, "entries": n}));
        } else {
            print_line(&format!(
                "The audit log of keychain `{}` verifies: {n} entries, chain intact.",
                kc.name
            ));
        }
        return Ok(());
    }
    let mut rows = s.vault.audit(&kc.id)?;
    if let Some(p) = &args.package {
        rows.retain(|r| r.package.as_deref() == Some(p.as_str()));
    }
    if let Some(limit) = args.limit {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    if ctx.out.json {
        let entries: Vec<_> = rows
            .iter()
            .map(|r| {
                let detail: serde_json::Value = serde_json::from_str(&r.detail).unwrap_or(json!(r.detail));
                json!({"seq": r.seq, "at": time::rfc3339(r.at), "action": r.action, "package": r.package, "detail": detail})
            })
            .collect();
        ctx.out
            .json_doc(&json!({"keychain": kc.name, "entries": entries}));
        return Ok(());
    }
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.seq.to_string(),
                time::rfc3339(r.at),
                r.action.clone(),
                r.package.clone().unwrap_or_default(),
                r.detail.clone(),
            ]
        })
        .collect();
    print_line(&table(
        &["SEQ", "TIME", "ACTION", "PACKAGE", "DETAIL"],
        &lines,
    ));
    Ok(())
}
