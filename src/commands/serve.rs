//! `keyward serve [--listen ADDR]… [--tls-cert F --tls-key F]`: the HTTP gateway.

use crate::cli::ServeArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::gateway::{self, Config, Limits};

/// Serves until SIGINT or SIGTERM.
pub fn cmd_serve(ctx: &Ctx, args: &ServeArgs) -> Result<()> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        _ => None,
    };
    let cfg = Config {
        vault: ctx.vault_path.clone(),
        listen: args.listen.clone(),
        tls,
        limits: Limits {
            concurrent: args.max_concurrent.max(1),
            per_package: args.max_per_package.max(1),
            body: args.max_body,
        },
    };
    gateway::serve(cfg, &ctx.out)
}
