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
        // Shorten what we echo back: a mistyped "name" may be a pasted value.
        return Err(NameError::Pattern(shorten(name)));
    }
    if RESERVED.contains(&name) || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Err(NameError::Reserved(name.to_owned()));
    }
    Ok(())
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
        for name in ["", "a", "9A", "A-B", "A B", "É", &"A".repeat(129)] {
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
    fn message_quotes_the_rule_and_not_a_long_input() {
        let long = "sk_live_abcdefghijklmnopqrstuvwxyz0123456789";
        let msg = check_name(long).unwrap_err().to_string();
        assert!(msg.contains("^[A-Z_][A-Z0-9_]{0,127}$"));
        assert!(!msg.contains(long));
    }
}
