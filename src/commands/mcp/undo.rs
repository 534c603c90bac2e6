//! `mcp import --undo FILE`: the original put back from its backup, values read
//! from the vault.

use std::collections::BTreeMap;
use std::path::Path;

use super::{NOT_COPIED, client_of};
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::keychain::{Keychain, Role};
use crate::mcp::config::{ConfigFile, write_atomic};
use crate::mcp::rewrite::REF_PREFIX;
use crate::mcp::{Client, backup_path};

pub(super) fn undo_import(ctx: &Ctx, file: &Path, client: Option<Client>) -> Result<()> {
    let client = client_of(file, client)?;
    let backup = backup_path(file);
    if !backup.is_file() {
        return Err(
            Error::not_found(format!("no backup {} to put back", backup.display()))
                .hint("keyward mcp import keeps one beside each file it changes"),
        );
    }
    let mut restored = ConfigFile::load(client, &backup)?;
    let mut keychains: BTreeMap<String, Keychain> = BTreeMap::new();
    let mut count = 0;
    for server in restored.servers() {
        for (key, value) in server.env.iter().chain(&server.headers) {
            if value == NOT_COPIED {
                return Err(Error::general(format!(
                    "{} was made by `mcp add` and does not hold the value of {key} (server {}); it was not put back",
                    backup.display(),
                    server.name
                ))
                .hint("remove the added entry from the file by hand instead"));
            }
            // `keyward:KC/NAME`, after the part the import kept (`Bearer `).
            let Some(at) = value.find(REF_PREFIX) else {
                continue;
            };
            let (kept, reference) = (&value[..at], &value[at + REF_PREFIX.len()..]);
            let Some((kc_name, name)) = reference.split_once('/') else {
                continue;
            };
            if !keychains.contains_key(kc_name) {
                let kc = Keychain::open(
                    ctx.unlock()?,
                    Some(kc_name),
                    Role::Owner("putting a config's values back"),
                )?;
                keychains.insert(kc_name.to_owned(), kc);
            }
            let (_, secret) = keychains[kc_name].secret_value(name)?;
            let text = zeroize::Zeroizing::new(
                String::from_utf8(secret.expose().to_vec()).map_err(|_| {
                    Error::general(format!(
                        "{name} is not UTF-8 text, so it cannot go into {}",
                        file.display()
                    ))
                    .hint("set it again as text: keyward secret set NAME")
                })?,
            );
            let whole = zeroize::Zeroizing::new(format!("{kept}{}", text.as_str()));
            restored.set_value(&server.loc, &server.name, key, &whole);
            count += 1;
        }
    }
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(file).map_or(0o600, |m| m.permissions().mode() & 0o7777)
    };
    write_atomic(file, restored.text().as_bytes(), mode)?;
    let _ = std::fs::remove_file(&backup);
    if ctx.out.json {
        ctx.out
            .json_doc(&serde_json::json!({"file": file, "restored_values": count}));
    }
    ctx.out.info(format!(
        "Put {} back as it was before the import ({count} value(s) read from the vault); the packages stay installed.",
        file.display()
    ));
    Ok(())
}
