//! `keyward log [--package P] [--limit N] [--verify]`.

use crate::cli::LogArgs;
use crate::commands::Ctx;
use crate::commands::render::{LogDoc, LogEntryDoc, VerifiedDoc};
use crate::error::Result;
use crate::keychain::Role;
use crate::output::{print_line, table};
use crate::time;

/// Shows or verifies the keychain's audit log.
pub fn cmd_log(ctx: &Ctx, args: &LogArgs) -> Result<()> {
    let kc = ctx.open(Role::Any)?;
    if args.verify {
        let entries = kc.verify_log()?;
        if ctx.out.json {
            ctx.out.json_doc(&VerifiedDoc {
                keychain: kc.name(),
                verified: true,
                entries,
            });
        } else {
            print_line(&format!(
                "The audit log of keychain `{}` verifies: {entries} entries, chain intact.",
                kc.name()
            ));
        }
        return Ok(());
    }
    let mut rows = kc.log()?;
    if let Some(p) = &args.package {
        rows.retain(|r| r.package.as_deref() == Some(p.as_str()));
    }
    if let Some(limit) = args.limit {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    if ctx.out.json {
        let entries = rows
            .iter()
            .map(|r| LogEntryDoc {
                seq: r.seq,
                at: time::rfc3339(r.at),
                action: &r.action,
                package: r.package.as_deref(),
                detail: serde_json::from_str(&r.detail)
                    .unwrap_or_else(|_| serde_json::Value::String(r.detail.clone())),
            })
            .collect();
        ctx.out.json_doc(&LogDoc {
            keychain: kc.name(),
            entries,
        });
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
