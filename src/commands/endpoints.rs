//! `keyward endpoints PACKAGE [--enable E…] [--disable E…] [--all]`: which endpoints of
//! an installation the gateway serves.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::json;

use crate::cli::EndpointsArgs;
use crate::commands::Ctx;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::keychain::{Endpoints, Role};

/// Shows or edits the endpoint permissions of one installation.
pub fn cmd_endpoints(ctx: &Ctx, args: &EndpointsArgs) -> Result<()> {
    let editing = args.all || !args.enable.is_empty() || !args.disable.is_empty();
    let role = if editing {
        Role::Owner("changing endpoint permissions")
    } else {
        Role::Any
    };
    let mut kc = ctx.open(role)?;
    let inst = kc.package(&args.package)?;
    let found = endpoints::discover(Path::new(&inst.row.path), &inst.row.manifest);
    let now = kc.endpoints(&inst)?;
    let next = if editing {
        edited(&now, &found.endpoints, args)?
    } else {
        now.clone()
    };
    if editing {
        let changed = kc.set_endpoints(&inst, &next)?;
        if !changed {
            ctx.out.info("nothing changed");
        }
    }
    render(ctx, inst.name(), &found.endpoints, &next);
    Ok(())
}

fn edited(now: &Endpoints, known: &[String], args: &EndpointsArgs) -> Result<Endpoints> {
    if args.all {
        return Ok(Endpoints::All);
    }
    let parse = |list: &[String]| -> Result<Vec<String>> {
        list.iter()
            .map(|e| endpoints::parse(e).map_err(Error::usage))
            .collect()
    };
    let (enable, disable) = (parse(&args.enable)?, parse(&args.disable)?);
    let mut set: BTreeSet<String> = match now {
        Endpoints::Only(set) => set.clone(),
        Endpoints::All if disable.is_empty() => return Ok(Endpoints::All),
        Endpoints::All if known.is_empty() => {
            return Err(Error::usage(
                "every endpoint is enabled and the package lists none, so there is nothing to disable one from",
            )
            .hint("enable exactly the endpoints it may serve: keyward endpoints PACKAGE --enable \"GET /path\""));
        }
        Endpoints::All => known.iter().cloned().collect(),
    };
    set.extend(enable);
    for e in &disable {
        set.remove(e);
    }
    Ok(Endpoints::Only(set))
}

fn render(ctx: &Ctx, name: &str, known: &[String], now: &Endpoints) {
    let enabled = |e: &str| match now {
        Endpoints::All => true,
        Endpoints::Only(set) => set.contains(e),
    };
    let mut rows: Vec<(String, bool)> = known.iter().map(|e| (e.clone(), enabled(e))).collect();
    if let Endpoints::Only(set) = now {
        for e in set.iter().filter(|e| !known.contains(e)) {
            rows.push((e.clone(), true));
        }
    }
    if ctx.out.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(e, on)| json!({"endpoint": e, "enabled": on}))
            .collect();
        ctx.out.json_doc(
            &json!({"package": name, "all": matches!(now, Endpoints::All),
            "permissions": now.to_permissions(), "endpoints": list}),
        );
        return;
    }
    let all = matches!(now, Endpoints::All);
    crate::output::print_line(&format!(
        "{name}: {}",
        if all {
            "every endpoint enabled"
        } else {
            "only the endpoints marked enabled"
        }
    ));
    if rows.is_empty() {
        crate::output::print_line("  (the package lists no endpoints)");
    }
    for (e, on) in rows {
        crate::output::print_line(&format!(
            "  {} {e}",
            if on { "enabled " } else { "disabled" }
        ));
    }
}
