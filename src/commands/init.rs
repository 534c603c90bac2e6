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
    let transit = transit_key(args.backend, args.transit_key.as_deref())?;
    let id = vault::new_id();
    let mk = Key32::random();
    let slot = match args.backend {
        Backend::Openbao => {
            let key = transit.as_ref().expect("openbao has a transit key");
            let client = crate::openbao::Client::from_env()?;
            Some(crate::openbao::wrap(&client, key, &id, &mk)?)
        }
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
    report(ctx, args.backend, &id, &mk, transit.as_ref());
    Ok(())
}

/// The Transit key of `--backend openbao` (`--transit-key`, default `keyward`); `None`
/// for other backends, and a usage error when `--transit-key` is given with one.
pub(super) fn transit_key(
    backend: Backend,
    arg: Option<&str>,
) -> Result<Option<crate::openbao::TransitKey>> {
    match (backend, arg) {
        (Backend::Openbao, arg) => Ok(Some(crate::openbao::TransitKey::parse(
            arg.unwrap_or(crate::openbao::DEFAULT_TRANSIT_KEY),
        )?)),
        (_, None) => Ok(None),
        (other, Some(_)) => Err(Error::usage(format!(
            "--transit-key applies to --backend openbao only, not {other}"
        ))
        .hint("drop --transit-key, or use --backend openbao")),
    }
}

/// What to do after `init`: store a secret, install a package.
const NEXT_STEPS: &str = "Next:\n  keyward secret set STRIPE_SECRET_KEY   store a secret (prompted, no echo)\n  \
keyward install PATH                   pin a package folder and approve the keys it requests";

fn report(
    ctx: &Ctx,
    backend: Backend,
    id: &[u8],
    mk: &Key32,
    transit: Option<&crate::openbao::TransitKey>,
) {
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
            Backend::Openbao => {
                doc["openbao"] =
                    json!({"transit_key": transit.map(crate::openbao::TransitKey::display)})
            }
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
        Backend::Openbao => ctx.out.info(format!(
            "Created vault {path}\nIts master key is wrapped by OpenBao Transit key `{}`; only the ciphertext is kept in the vault, \
             and each unlock asks OpenBao to decrypt it (BAO_ADDR and a login are needed from now on).\n{NEXT_STEPS}",
            transit.map(crate::openbao::TransitKey::display).unwrap_or_default()
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
