//! The README's table of error codes is the list the source uses: every `error[CODE]`
//! keyward can print is documented, and every documented code exists.

use std::collections::BTreeSet;
use std::path::Path;

/// Every string literal inside the argument of each `.code(…)` call in `text`, and in
/// `Kind::code`'s match (the default of each exit class).
fn codes_in(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(at) = rest.find(".code(") {
        let after = &rest[at + ".code(".len()..];
        let mut depth = 1;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        literals(&after[..end], out);
        rest = &after[end..];
    }
    if let Some(at) = text.find("pub fn code(self) -> &'static str {") {
        let body = &text[at..];
        let body = &body[..body.find("\n    }\n").unwrap_or(body.len())];
        literals(body, out);
    }
}

fn literals(text: &str, out: &mut BTreeSet<String>) {
    let mut parts = text.split('"');
    parts.next();
    while let Some(lit) = parts.next() {
        if !lit.is_empty()
            && lit
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
        {
            out.insert(lit.to_owned());
        }
        parts.next();
    }
}

fn source_codes() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read src/") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                codes_in(
                    &std::fs::read_to_string(&path).expect("read a source file"),
                    out,
                );
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

fn readme_codes() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let section = readme
        .split("### Error codes")
        .nth(1)
        .expect("README has an `### Error codes` section");
    let section = section.split("\n### ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_error_code_is_documented_and_every_documented_code_is_used() {
    let source = source_codes();
    let readme = readme_codes();
    assert!(
        source.contains("package-changed") && source.contains("error"),
        "{source:?}"
    );
    let undocumented: Vec<_> = source.difference(&readme).collect();
    let unused: Vec<_> = readme.difference(&source).collect();
    assert!(
        undocumented.is_empty(),
        "codes the source uses but README.md's error-code table lacks: {undocumented:?}"
    );
    assert!(
        unused.is_empty(),
        "codes README.md documents but no `.code(…)` in src/ uses: {unused:?}"
    );
}

#[test]
fn the_parser_finds_codes_in_every_shape_the_source_writes() {
    let mut found = BTreeSet::new();
    codes_in(
        r#"x.code("one"); y.code(
            "two",
        ); z.code(if a { "three" } else { "four" }); w.code(kind.code())"#,
        &mut found,
    );
    assert_eq!(
        found,
        ["four", "one", "three", "two"].map(String::from).into()
    );
}
