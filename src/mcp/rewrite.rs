//! The texts `mcp import` writes: each config with its imported entries rewritten to
//! `keyward run`, and the backup, where each moved value is `keyward:KEYCHAIN/NAME`
//! (or, for `--dry-run`'s diff, concealed) so that no copy holds a secret.

use std::collections::BTreeMap;

use super::config::ConfigFile;
use super::plan::Item;

/// What a backup holds in place of a moved value, before `KEYCHAIN/NAME`.
pub const REF_PREFIX: &str = "keyward:";
/// How `--dry-run` shows a value.
pub const CONCEALED: &str = "<concealed by keyward>";

/// File `fi` (`f`) as it was, each value the import moves replaced by its reference in
/// `keychain` (or concealed).
pub fn backup_text(
    f: &ConfigFile,
    items: &[Item],
    fi: usize,
    keychain: &str,
    conceal: bool,
) -> String {
    let mut b = f.reparse();
    for item in items.iter().filter(|i| i.file == fi) {
        for m in &item.moves {
            let shown = if conceal {
                format!("{}{CONCEALED}", m.prefix)
            } else {
                format!("{}{REF_PREFIX}{keychain}/{}", m.prefix, m.key)
            };
            b.set_value(&item.server.loc, &item.server.name, &m.field, &shown);
        }
    }
    b.text()
}

/// Each file's new text (`None`: nothing of it is imported): its items' entries run
/// `keyward` with `args(package)`, `names` giving each package's installed name.
pub fn rewritten(
    files: &[ConfigFile],
    items: &[Item],
    names: &BTreeMap<String, String>,
    args: impl Fn(&str) -> Vec<String>,
) -> Vec<Option<String>> {
    files
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let mine: Vec<&Item> = items.iter().filter(|i| i.file == fi).collect();
            if mine.is_empty() {
                return None;
            }
            let mut new = f.reparse();
            for item in mine {
                let package = &names[&item.want.key()];
                new.rewrite(
                    &item.server.loc,
                    &item.server.name,
                    "keyward",
                    &args(package),
                    &item.refs,
                    &item.forward,
                );
            }
            Some(new.text())
        })
        .collect()
}
