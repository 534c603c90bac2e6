//! The checked-in completions and man pages match the CLI definition.
//!
//! On a mismatch: `KEYWARD_UPDATE_GENERATED=1 cargo test --test cli generated` rewrites them.

use std::path::Path;

const UPDATE: &str = "KEYWARD_UPDATE_GENERATED";

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let update = std::env::var_os(UPDATE).is_some_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&root).unwrap();
    }
    let mut stale = Vec::new();
    for (name, want) in &files {
        let path = root.join(name);
        let have = std::fs::read(&path).unwrap_or_default();
        if &have != want {
            if update {
                std::fs::write(&path, want).unwrap();
            } else {
                stale.push(first_difference(name, &have, want));
            }
        }
    }
    let expected: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !expected.contains(&name.as_str()) {
            if update {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{dir}/{name} is no longer generated"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{dir}/ is out of date with the CLI:\n{}\nrun `{UPDATE}=1 cargo test --test cli generated` and commit the result",
        stale.join("\n")
    );
}

fn first_difference(name: &str, have: &[u8], want: &[u8]) -> String {
    let have = String::from_utf8_lossy(have);
    let want = String::from_utf8_lossy(want);
    for (i, (h, w)) in have.lines().zip(want.lines()).enumerate() {
        if h != w {
            return format!("{name}:{}:\n  - {h}\n  + {w}", i + 1);
        }
    }
    format!(
        "{name}: {} lines checked in, {} generated",
        have.lines().count(),
        want.lines().count()
    )
}

#[test]
fn completions_match_the_cli() {
    let files = keyward::generate::SHELLS
        .iter()
        .map(|(shell, file)| ((*file).to_owned(), keyward::generate::completion(*shell)))
        .collect();
    check("completions", files);
}

#[test]
fn man_pages_match_the_cli() {
    check("man", keyward::generate::man_pages());
}

#[test]
fn root_man_page_carries_what_help_cannot() {
    let pages = keyward::generate::man_pages();
    let root = String::from_utf8(pages[0].1.clone()).unwrap();
    for section in [
        ".SH EXAMPLES",
        ".SH ENVIRONMENT",
        ".SH EXIT STATUS",
        ".SH FILES",
        "KEYWARD_TOKEN",
    ] {
        assert!(root.contains(section), "keyward.1 lacks {section}");
    }
    assert!(pages.iter().any(|(n, _)| n == "keyward-secret-set.1"));
    assert!(pages.iter().any(|(n, _)| n == "keyward-run.1"));
}
