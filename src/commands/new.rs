//! `keyward new`: writes a valid `instant.package.json` (and, for the default `run`, a
//! placeholder `run.sh`) so a package can be installed in one more command.
//!
//! Everything is checked before anything is written, by the manifest parser itself
//! (the bytes about to be written are parsed as `install` would parse them), so `new`
//! can never write a manifest keyward would refuse. It never overwrites a manifest or
//! an existing `run.sh`, and needs no vault.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use crate::cli::NewArgs;
use crate::commands::Ctx;
use crate::digest::MANIFEST_FILE;
use crate::error::{Error, Result};
use crate::manifest::{self, ManifestError};
use crate::output::sanitize;

/// `version` of a new manifest.
const FIRST_VERSION: &str = "0.1.0";

/// The placeholder script the default `run` launches.
const RUN_SH: &str = "run.sh";

/// npm's longest package name.
const MAX_NAME: usize = 214;

/// The manifest as written: the documented field order, the plain `keys` shape.
#[derive(Serialize)]
struct NewManifest<'a> {
    name: &'a str,
    version: &'a str,
    keys: &'a [String],
    run: &'a [String],
}

/// Writes DIR/instant.package.json (and DIR/run.sh for the default `run`).
pub fn cmd_new(ctx: &Ctx, args: &NewArgs) -> Result<()> {
    check_keys(&args.keys)?;
    let dir = &args.dir;
    let shown_dir = dir.to_str().ok_or_else(|| {
        Error::usage(format!(
            "the folder {} is not valid UTF-8; keyward refuses such package paths",
            sanitize(&dir.to_string_lossy())
        ))
        .hint("choose a folder whose path is UTF-8")
    })?;
    let name = match &args.name {
        Some(name) => {
            manifest::check_package_name(name)
                .map_err(|why| Error::usage(format!("--name: {why}")))?;
            name.clone()
        }
        None => default_name(dir)?,
    };
    let default_run = args.run.is_empty();
    let run: Vec<String> = if default_run {
        vec!["sh".into(), format!("./{RUN_SH}")]
    } else {
        args.run.clone()
    };
    let file = dir.join(MANIFEST_FILE);
    let bytes = render(&name, &args.keys, &run);
    // The same parser `install` uses: what it would refuse is refused here, in the
    // terms of the flags that produced it.
    manifest::parse(&bytes, &file).map_err(|e| flag_error(e, &run))?;

    if fs::symlink_metadata(&file).is_ok() {
        return Err(exists(&file));
    }
    if fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::general(format!(
            "{} exists and is not a folder; a package is a folder",
            sanitize(shown_dir)
        ))
        .code("not-a-folder")
        .hint("give the package's folder, or a new path for one: keyward new DIR"));
    }
    fs::create_dir_all(dir).map_err(|e| {
        Error::general(format!(
            "cannot create the folder {}: {e}",
            sanitize(shown_dir)
        ))
        .code("write-failed")
        .hint("check the path and its permissions, or choose another DIR")
    })?;
    write_new(&file, &bytes, 0o644).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => exists(&file),
        _ => Error::general(format!(
            "cannot write {}: {e}",
            sanitize(&file.to_string_lossy())
        ))
        .code("write-failed")
        .hint("check the folder's permissions and free space, then run `keyward new` again"),
    })?;

    let script = dir.join(RUN_SH);
    let wrote_script = default_run && fs::symlink_metadata(&script).is_err();
    if wrote_script {
        write_new(&script, run_sh(&args.keys).as_bytes(), 0o755).map_err(|e| {
            Error::general(format!(
                "wrote {} but cannot write {}: {e}",
                sanitize(&file.to_string_lossy()),
                sanitize(&script.to_string_lossy())
            ))
            .code("write-failed")
            .hint("write run.sh yourself, or point `run` in the manifest at your program")
        })?;
    }
    let written = Written {
        dir,
        file: &file,
        name: &name,
        keys: &args.keys,
        run: &run,
        default_run,
        wrote_script,
    };
    written.report(ctx);
    Ok(())
}

/// What `new` wrote, for the report.
struct Written<'a> {
    dir: &'a Path,
    file: &'a Path,
    name: &'a str,
    keys: &'a [String],
    run: &'a [String],
    /// `run` is the default `sh ./run.sh`.
    default_run: bool,
    /// run.sh was written (it did not exist).
    wrote_script: bool,
}

/// Each `--key` by the rule manifest keys follow, and each only once.
fn check_keys(keys: &[String]) -> Result<()> {
    for (i, key) in keys.iter().enumerate() {
        crate::names::check_name(key).map_err(|e| {
            Error::usage(format!("--key: {e}"))
                .code("invalid-name")
                .hints_from(e.hint())
        })?;
        if keys[..i].contains(key) {
            return Err(Error::usage(format!(
                "--key {key} is given twice; give each key once"
            )));
        }
    }
    Ok(())
}

/// The package name the folder's own name suggests: lowercased, every run of other
/// characters made one `-`, leading `.`/`_`/`-` dropped (npm refuses them).
fn default_name(dir: &Path) -> Result<String> {
    // `.` and `..` have no name of their own: the real folder's is meant.
    let abs = fs::canonicalize(dir).or_else(|_| std::path::absolute(dir));
    let folder = abs
        .ok()
        .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()));
    let Some(folder) = folder else {
        return Err(Error::usage(format!(
            "cannot tell a package name from the folder {}",
            sanitize(&dir.to_string_lossy())
        ))
        .hint("pass --name, e.g. --name @acme/tool"));
    };
    let name = name_from_folder(&folder);
    manifest::check_package_name(&name).map_err(|why| {
        Error::usage(format!(
            "the folder name {} gives no valid package name: {why}",
            sanitize(&folder)
        ))
        .hint("pass --name, e.g. --name @acme/tool")
    })?;
    Ok(name)
}

fn name_from_folder(folder: &str) -> String {
    let mut out = String::new();
    for c in folder.chars().flat_map(char::to_lowercase) {
        let keep = c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c);
        let c = if keep { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out
        .trim_start_matches(['.', '_', '-'])
        .trim_end_matches('-');
    // ASCII only by now, so any cut is a character boundary.
    trimmed[..trimmed.len().min(MAX_NAME)].to_owned()
}

/// The manifest's bytes: pretty JSON, two-space indent, ending in a newline.
fn render(name: &str, keys: &[String], run: &[String]) -> Vec<u8> {
    let doc = NewManifest {
        name,
        version: FIRST_VERSION,
        keys,
        run,
    };
    // Serializing strings and string lists cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A refusal of the would-be manifest, told in terms of the flag behind the field.
fn flag_error(e: ManifestError, run: &[String]) -> Error {
    if let ManifestError::Field { field, problem, .. } = &e {
        if let Some(i) = field
            .strip_prefix("run[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|i| *i < run.len())
        {
            let arg = serde_json::to_string(&run[i]).unwrap_or_default();
            return Error::usage(format!(
                "--run: argument {} ({}): {problem}",
                i + 1,
                sanitize(&arg)
            ));
        }
        if field == "name" {
            return Error::usage(format!("--name: {problem}"));
        }
    }
    // The flags were checked one by one above; anything else is keyward's own bug.
    Error::general(format!(
        "keyward new built a manifest its own parser refuses: {e}"
    ))
.code("internal")
    .hint("report this bug; meanwhile write instant.package.json by hand (see DESIGN.md \"Manifest\")")
}

fn exists(file: &Path) -> Error {
    Error::general(format!(
        "{} already exists; keyward new never overwrites a manifest",
        sanitize(&file.to_string_lossy())
    ))
    .code("manifest-exists")
    .hint("edit that manifest, remove it first, or give another folder: keyward new DIR")
}

/// Creates `path` with `mode` (before the umask), failing if anything is there, and
/// removes it again when its content cannot be written in full.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// The placeholder program: it says which of the requested keys it received, by name
/// only, so trying a new package never prints a secret.
fn run_sh(keys: &[String]) -> String {
    let mut s = String::from(
        "#!/bin/sh\n\
         # Written by `keyward new` as a placeholder: replace it with your program, or point\n\
         # \"run\" in instant.package.json at it. It prints which keys keyward gave it, by\n\
         # name only (never a value). The names were copied from the manifest when it was\n\
         # written; keep them in step if you change \"keys\".\n\
         echo \"hello from $KEYWARD_PACKAGE\"\n",
    );
    if keys.is_empty() {
        s.push_str(
            "echo \"no keys requested: add them to \\\"keys\\\" in instant.package.json\"\n",
        );
        return s;
    }
    // Key names match ^[A-Z_][A-Z0-9_]*$, so they are safe as words and inside eval.
    s.push_str(&format!(
        "for key in {}; do\n  \
           eval \"given=\\${{$key+yes}}\"\n  \
           if [ \"$given\" = yes ]; then\n    \
             echo \"$key: given\"\n  \
           else\n    \
             echo \"$key: not given\"\n  \
           fi\n\
         done\n",
        keys.join(" ")
    ));
    s
}

impl Written<'_> {
    /// `--json`: the document; otherwise what was written and the next steps, on stderr.
    fn report(&self, ctx: &Ctx) {
        let Written {
            dir,
            file,
            name,
            keys,
            run,
            ..
        } = *self;
        if ctx.out.json {
            let path = fs::canonicalize(file).unwrap_or_else(|_| PathBuf::from(file));
            ctx.out.json_doc(&json!({
                "path": path.to_string_lossy(), "name": name, "keys": keys, "run": run,
            }));
            return;
        }
        let shown = |p: &Path| sanitize(&p.to_string_lossy()).into_owned();
        let keys_text = if keys.is_empty() {
            "no keys".to_owned()
        } else {
            format!("keys {}", keys.join(", "))
        };
        let argv: Vec<String> = run.iter().map(|a| shell_word(a)).collect();
        let mut lines = vec![format!(
            "Wrote {}: {name}, {keys_text}, run `{}`",
            shown(file),
            sanitize(&argv.join(" "))
        )];
        let script = dir.join(RUN_SH);
        if self.wrote_script {
            lines.push(format!(
                "Wrote {}: a placeholder that prints the names of the keys it gets",
                shown(&script)
            ));
        } else if self.default_run {
            lines.push(format!("Kept the existing {}", shown(&script)));
        }
        ctx.out.info(lines.join("\n"));
        // A `./` program that does not exist yet would be pinned as missing at install.
        for arg in run.iter().filter(|a| a.starts_with("./")) {
            if fs::symlink_metadata(dir.join(arg)).is_err() {
                ctx.out.warn(format!(
                    "{} does not exist in {} yet; write it before `keyward install`, which \
                     pins the package's files",
                    sanitize(arg),
                    shown(dir)
                ));
            }
        }
        let dir_word = sanitize(&shell_word(&dir.to_string_lossy())).into_owned();
        ctx.out.info(format!(
            "Next steps:\n  keyward install {dir_word}\n  keyward run {}",
            shell_word(name)
        ));
    }
}

/// `s` as one shell word: as is when that is safe, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@:+,=%".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_become_npm_names() {
        for (folder, name) in [
            ("hello", "hello"),
            ("My Tool", "my-tool"),
            ("Stripe_Charge.v2", "stripe_charge.v2"),
            ("  spaced  out  ", "spaced-out"),
            (".hidden", "hidden"),
            ("_private-x", "private-x"),
            ("café", "caf"),
            ("a~b(c)", "a-b-c"),
        ] {
            assert_eq!(name_from_folder(folder), name, "{folder}");
            assert_eq!(manifest::check_package_name(name), Ok(()), "{name}");
        }
        assert_eq!(name_from_folder("日本"), "");
        assert_eq!(name_from_folder(&"A".repeat(300)).len(), MAX_NAME);
    }

    #[test]
    fn rendered_manifests_parse() {
        let keys = vec!["STRIPE_SECRET_KEY".to_owned(), "OPENAI_API_KEY".to_owned()];
        let run = vec!["python3".to_owned(), "./main.py".to_owned()];
        let bytes = render("@acme/tool", &keys, &run);
        let m = manifest::parse(&bytes, Path::new("x/instant.package.json")).unwrap();
        assert_eq!(m.name, "@acme/tool");
        assert_eq!(m.version, FIRST_VERSION);
        let names: Vec<&str> = m.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["STRIPE_SECRET_KEY", "OPENAI_API_KEY"]);
        assert!(m.keys.iter().all(|k| !k.optional));
        assert_eq!(m.run, run);
        assert!(m.warnings.is_empty());
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("{\n  \"name\": \"@acme/tool\",\n  \"version\""),
            "{text}"
        );
        assert!(text.ends_with("}\n"), "{text}");
    }

    #[test]
    fn run_flag_problems_name_the_argument() {
        let run = vec!["sh".to_owned(), "./../x".to_owned()];
        let e = manifest::parse(&render("a", &[], &run), Path::new("f")).unwrap_err();
        let err = flag_error(e, &run);
        assert_eq!(err.kind, crate::error::Kind::Usage);
        assert!(
            err.message
                .starts_with("--run: argument 2 (\"./../x\"): a `./` path"),
            "{}",
            err.message
        );
    }

    #[test]
    fn keys_are_checked_and_unique() {
        assert!(check_keys(&["A".into(), "B".into()]).is_ok());
        let e = check_keys(&["lower".into()]).unwrap_err();
        assert!(
            e.message.starts_with("--key: `lower` is not a valid name"),
            "{}",
            e.message
        );
        assert_eq!(e.hints, ["did you mean LOWER?"]);
        let e = check_keys(&["sk-4242".into()]).unwrap_err();
        assert!(
            e.message.starts_with("--key: `sk-4…` is not a valid name"),
            "{}",
            e.message
        );
        let e = check_keys(&["PATH".into()]).unwrap_err();
        assert!(e.message.contains("reserved"), "{}", e.message);
        let e = check_keys(&["A".into(), "A".into()]).unwrap_err();
        assert!(e.message.contains("given twice"), "{}", e.message);
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("@acme/tool"), "@acme/tool");
        assert_eq!(shell_word("./a b"), "'./a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
