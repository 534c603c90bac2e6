//! `keyward init`: a new vault, its master key in the chosen backend, and `default`.

use serde_json::json;

use crate::cli::InitArgs;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::keystore::{self, Backend};
use crate::output::{print_bytes, print_line};
use crate::prompt;
use crate::secret::{Key32, SecretBytes};
use crate::token::hex;
use crate::vault;

/// Creates the vault. The key is stored in its backend before the vault file exists,
/// so a failure leaves neither behind.
pub fn cmd_init(ctx: &Ctx, args: &InitArgs) -> Result<()> {
    let path = &ctx.vault_path;
    if path.exists() {
        return Err(Error::general(format!(
            "a file already exists at {}; init never overwrites a vault",
            path.display()
        ))
        .code("vault-exists")
        .hint("use that vault, or choose another path with --vault / KEYWARD_VAULT"));
    }
    let id = vault::new_id();
    let mk = Key32::random();
    let slot = match args.backend {
        Backend::Passphrase => Some(keystore::passphrase_wrap(
            &id,
            &mk,
            read_new_passphrase(ctx)?.expose(),
        )?),
        Backend::Keyring => {
            keystore::keyring_store(&id, &mk, 0)?;
            None
        }
        Backend::Env => None,
    };
    let created = crate::keychain::init_vault(path, id, &mk, args.backend, slot.as_deref());
    if let Err(e) = created {
        if args.backend == Backend::Keyring {
            keystore::keyring_delete(&id);
        }
        return Err(e);
    }
    report(ctx, args.backend, &id, &mk);
    Ok(())
}

/// What to do after `init`: store a secret, install a package.
const NEXT_STEPS: &str = "Next:\n  keyward secret set STRIPE_SECRET_KEY   store a secret (prompted, no echo)\n  \
keyward install PATH                   pin a package folder and approve the keys it requests";

fn report(ctx: &Ctx, backend: Backend, id: &[u8], mk: &Key32) {
    let path = ctx.vault_path.display();
    let account = format!("vault:{}", hex(id));
    if ctx.out.json {
        let mut doc =
            json!({"vault": path.to_string(), "vault_id": hex(id), "backend": backend.as_str()});
        match backend {
            Backend::Keyring => {
                doc["keyring"] = json!({"service": keystore::KEYRING_SERVICE, "account": account})
            }
            Backend::Env => doc["master_key"] = json!(keystore::encode_master_key(mk).as_str()),
            Backend::Passphrase => {}
        }
        ctx.out.json_doc(&doc);
        return;
    }
    match backend {
        Backend::Keyring => ctx.out.info(format!(
            "Created vault {path}\nIts master key is in the OS keyring (service `{}`, account `{account}`).\n{NEXT_STEPS}",
            keystore::KEYRING_SERVICE
        )),
        Backend::Passphrase => ctx.out.info(format!(
            "Created vault {path}\nIts master key is wrapped under your passphrase; keep the passphrase safe.\n{NEXT_STEPS}"
        )),
        Backend::Env => {
            // stdout is the key alone, so `KEY=$(keyward init --backend env)` works.
            let key = keystore::encode_master_key(mk);
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                print_line(&key);
            } else {
                print_bytes(key.as_bytes());
            }
            ctx.out.info(format!(
                "Created vault {path}\nStore the master key printed on stdout in your CI secret store and export it as \
                 KEYWARD_MASTER_KEY; it is not kept anywhere else.\n{NEXT_STEPS}"
            ));
        }
    }
}

fn read_new_passphrase(ctx: &Ctx) -> Result<SecretBytes> {
    let given = std::env::var("KEYWARD_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| SecretBytes::new(p.into_bytes()));
    prompt::new_passphrase(
        given,
        ctx.no_input,
        "KEYWARD_PASSPHRASE",
        "nothing was created",
    )
}
