//! `keyward rekey --backend B`: the same master key, kept by another backend.

use std::io::IsTerminal;

use serde_json::json;

use crate::cli::RekeyArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::keychain;
use crate::keystore::{self, Backend};
use crate::output::{print_bytes, print_line};
use crate::prompt;
use crate::secret::SecretBytes;

/// `keyward rekey`.
pub fn cmd_rekey(ctx: &Ctx, args: &RekeyArgs) -> Result<()> {
    let unlocked = ctx.unlock()?;
    unlocked.require_owner("moving the master key to another backend")?;
    let from = keychain::backend_of(&unlocked)?;
    let transit = crate::commands::init::transit_key(args.backend, args.transit_key.as_deref())?;
    let pass = match args.backend {
        Backend::Passphrase => Some(new_passphrase(ctx, from)?),
        _ => None,
    };
    let id = unlocked.vault.id;
    let json = ctx.out.json;
    let to = args.backend;
    let material = match (&pass, transit.clone()) {
        (Some(p), _) => keychain::NewMaterial::Passphrase(p.expose()),
        (None, Some(key)) => {
            let client = crate::openbao::Client::from_env()?;
            keychain::NewMaterial::Openbao(Box::new(move |mk| {
                crate::openbao::wrap(&client, &key, &id, mk)
            }))
        }
        (None, None) => keychain::NewMaterial::None,
    };
    let done = keychain::rekey(unlocked, to, material, |mk| {
        // The key is shown before the vault depends on it: if this fails, the
        // vault is left on its old backend.
        if to == Backend::Env {
            let key = keystore::encode_master_key(mk);
            if json {
                ctx.out
                    .json_doc(&json!({"vault": ctx.vault_path.display().to_string(),
                        "backend": "env", "from": from.as_str(), "master_key": key.as_str()}));
            } else if std::io::stdout().is_terminal() {
                print_line(&key);
            } else {
                print_bytes(key.as_bytes());
            }
        }
        Ok(())
    })?;
    let account = keystore::keyring_account_of(&id);
    if json && to != Backend::Env {
        let mut doc = json!({"vault": ctx.vault_path.display().to_string(),
            "backend": to.as_str(), "from": done.from.as_str()});
        if let Some(key) = &transit {
            doc["openbao"] = json!({"transit_key": key.display()});
        }
        if to == Backend::Keyring {
            doc["keyring"] = json!({"service": keystore::KEYRING_SERVICE, "account": account});
        }
        ctx.out.json_doc(&doc);
    }
    let now = match to {
        Backend::Keyring => format!(
            "in the OS keyring (service `{}`, account `{account}`)",
            keystore::KEYRING_SERVICE
        ),
        Backend::Passphrase => "wrapped under the new passphrase".to_owned(),
        Backend::Openbao => format!(
            "wrapped by OpenBao Transit key `{}`; each unlock asks OpenBao to decrypt it",
            transit.as_ref().map(|k| k.display()).unwrap_or_default()
        ),
        Backend::Env => "read from KEYWARD_MASTER_KEY only: store the key printed on stdout in \
                         your secret store; it is kept nowhere else"
            .to_owned(),
    };
    let mut text = format!(
        "The master key of {} moved from the {} backend to {}: it is {now}.",
        ctx.vault_path.display(),
        done.from,
        done.to
    );
    if done.from == Backend::Keyring && to != Backend::Keyring && done.leftover_entry.is_none() {
        text.push_str(&format!(
            "\nRemoved its OS keyring entry (account `{account}`)."
        ));
    }
    ctx.out.info(text);
    if let Some(e) = done.leftover_entry {
        ctx.out.warn(format!(
            "the vault no longer uses the OS keyring, but its old entry (service `{}`, account `{account}`) \
             could not be removed: {}; remove it with: secret-tool clear service {} account {account}",
            keystore::KEYRING_SERVICE,
            e.message,
            keystore::KEYRING_SERVICE
        ));
    }
    Ok(())
}

/// The new passphrase: KEYWARD_NEW_PASSPHRASE, else KEYWARD_PASSPHRASE when it is not
/// the one that unlocks the vault now, else a prompt (twice).
fn new_passphrase(ctx: &Ctx, from: Backend) -> Result<SecretBytes> {
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|p| !p.is_empty())
            .map(|p| SecretBytes::new(p.into_bytes()))
    };
    let given = from_env("KEYWARD_NEW_PASSPHRASE")
        .or_else(|| from_env("KEYWARD_PASSPHRASE").filter(|_| from != Backend::Passphrase));
    prompt::new_passphrase(
        given,
        ctx.no_input,
        "KEYWARD_NEW_PASSPHRASE",
        "nothing was changed",
    )
}
