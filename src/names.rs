//! Secret and key names: the one rule shared by `secret set`, manifests and grants.
//!
//! A name is what the package sees as an environment variable, so the rule keeps out
//! anything that could change how the child process or its interpreter behaves.

/// The rule, quoted verbatim in every error so the user can fix the name.
pub const NAME_RULE: &str = "names match ^[A-Z_][A-Z0-9_]{0,127}$ and are not reserved \
     (PATH, HOME, LD_*, DYLD_*, KEYWARD_*, NODE_OPTIONS, PYTHONPATH, PYTHONHOME, BASH_ENV, \
     ENV, IFS, SHELL)";

const RESERVED: &[&str] = &[
    "PATH",
    "HOME",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PYTHONHOME",
    "BASH_ENV",
    "ENV",
    "IFS",
    "SHELL",
];
const RESERVED_PREFIXES: &[&str] = &["LD_", "DYLD_", "KEYWARD_"];

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name does not match the pattern.
    #[error("`{0}` is not a valid name: {NAME_RULE}")]
    Pattern(String),
    /// A name in the wrong case: the upper-case spelling (which is valid) is suggested.
    #[error("`{0}` is not a valid name: names are upper case, ^[A-Z_][A-Z0-9_]{{0,127}}$")]
    WrongCase(String),
    /// The name matches the pattern but would hijack the child's environment.
    #[error("`{0}` is reserved: {NAME_RULE}")]
    Reserved(String),
}

/// Checks `name` against [`NAME_RULE`].
pub fn check_name(name: &str) -> Result<(), NameError> {
    let bytes = name.as_bytes();
    let pattern_ok = !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_uppercase() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    if !pattern_ok {
        if looks_like_a_lower_case_name(name) && check_name(&name.to_ascii_uppercase()).is_ok() {
            return Err(NameError::WrongCase(name.to_owned()));
        }
        // Shorten what we echo back: a mistyped "name" may be a pasted value.
        return Err(NameError::Pattern(shorten(name)));
    }
    if RESERVED.contains(&name) || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Err(NameError::Reserved(name.to_owned()));
    }
    Ok(())
}

impl NameError {
    /// What to do about it: the upper-case spelling of a wrong-case name.
    pub fn hint(&self) -> Option<String> {
        match self {
            NameError::WrongCase(name) => {
                Some(format!("did you mean {}?", name.to_ascii_uppercase()))
            }
            _ => None,
        }
    }
}

/// Whether `name` reads as a name typed in lower case (`stripe_secret_key`) rather than
/// a pasted value: lower-case words of letters joined by `_`, each ending in at most
/// two digits (`v2`), or short numbers (`2024`). API key values mix case or run letters into digits
/// (`sk_live_51Hx…`), so they are never echoed back as a suggestion.
fn looks_like_a_lower_case_name(name: &str) -> bool {
    name.len() <= 64
        && name.contains(|c: char| c.is_ascii_lowercase())
        && name.split('_').all(|word| {
            let letters = word.bytes().take_while(u8::is_ascii_lowercase).count();
            let (head, tail) = word.split_at(letters);
            let digits = tail.bytes().all(|b| b.is_ascii_digit());
            head.len() <= 16 && digits && (tail.len() <= 2 || (head.is_empty() && tail.len() <= 4))
        })
}

/// Of `candidates`, the one `word` most likely misspells: equal but for case, or within
/// an edit distance of 2, ignoring case (the manifest's did-you-mean distance). `None`
/// when `word` is itself a candidate or nothing is near.
pub fn nearest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == word {
            return None;
        }
        let d = crate::manifest::edit_distance(&lower, &candidate.to_lowercase());
        if d <= 2 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Echoes at most 4 characters of a refused name: a value pasted where a name belongs
/// (`secret set sk_live_…`) must not be printed back.
fn shorten(name: &str) -> String {
    let mut out: String = name.chars().take(4).filter(|c| !c.is_control()).collect();
    if name.chars().count() > 4 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_names() {
        for name in ["A", "_", "STRIPE_SECRET_KEY", "K9", &"A".repeat(128)] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn refuses_pattern_violations() {
        for name in ["", "9A", "A-B", "A B", "É", "a-b", &"A".repeat(129)] {
            assert!(
                matches!(check_name(name), Err(NameError::Pattern(_))),
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_reserved_names() {
        for name in [
            "PATH",
            "HOME",
            "LD_PRELOAD",
            "DYLD_X",
            "KEYWARD_TOKEN",
            "IFS",
            "ENV",
        ] {
            assert!(
                matches!(check_name(name), Err(NameError::Reserved(_))),
                "{name}"
            );
        }
        assert_eq!(check_name("ENVIRONMENT"), Ok(()));
        assert_eq!(check_name("PATHS"), Ok(()));
    }

    #[test]
    fn wrong_case_names_get_their_upper_case_spelling() {
        let err = check_name("stripe_secret_key").unwrap_err();
        assert_eq!(err, NameError::WrongCase("stripe_secret_key".into()));
        assert_eq!(err.hint().unwrap(), "did you mean STRIPE_SECRET_KEY?");
        assert!(matches!(
            check_name("openai_key_v2"),
            Err(NameError::WrongCase(_))
        ));
        // Values are never echoed back, upper-cased or not.
        for value in [
            "sk_live_51HxYzAbCdEf",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "deadbeef0123",
        ] {
            assert!(
                matches!(check_name(value), Err(NameError::Pattern(_))),
                "{value}"
            );
        }
    }

    #[test]
    fn nearest_ignores_case_and_allows_two_edits() {
        let names = ["@example/hello-keys", "STRIPE_SECRET_KEY", "OTHER"];
        assert_eq!(
            nearest("@Example/Hello-Keys", names),
            Some("@example/hello-keys")
        );
        assert_eq!(
            nearest("stripe_secret_key", names),
            Some("STRIPE_SECRET_KEY")
        );
        assert_eq!(
            nearest("STRIPE_SECRT_KEY", names),
            Some("STRIPE_SECRET_KEY")
        );
        assert_eq!(nearest("NOTHING_LIKE", names), None);
        assert_eq!(nearest("OTHER", names), None);
    }

    #[test]
    fn message_quotes_the_rule_and_not_a_long_input() {
        let long = "sk_live_abcdefghijklmnopqrstuvwxyz0123456789";
        let msg = check_name(long).unwrap_err().to_string();
        assert!(msg.contains("^[A-Z_][A-Z0-9_]{0,127}$"));
        assert!(!msg.contains(long));
    }
}
