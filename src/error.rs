//! The error every command returns: what failed, what to do next, and the exit code.
//!
//! Library modules keep their own `thiserror` enums; commands turn them into an
//! [`Error`] with a [`Kind`] (the documented exit code) and a hint. Messages never
//! carry secret values: only names, paths and ids.

use std::fmt;

/// The class of failure; each maps to one documented exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1: anything else that went wrong.
    General,
    /// 2: the command line is wrong.
    Usage,
    /// 3: no way to unlock, or a wrong key, passphrase or token.
    Locked,
    /// 4: the named keychain, secret or package does not exist.
    NotFound,
    /// 5: not approved, not allowed to a token holder, or needs input with no terminal.
    Denied,
    /// 6: the package changed since it was approved; its grants were revoked.
    Changed,
    /// 7: the vault is tampered with, corrupt, or not a keyward vault.
    Integrity,
}

impl Kind {
    /// The process exit code for this kind (every command but `run`).
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::General => 1,
            Kind::Usage => 2,
            Kind::Locked => 3,
            Kind::NotFound => 4,
            Kind::Denied => 5,
            Kind::Changed => 6,
            Kind::Integrity => 7,
        }
    }

    /// The default machine-readable code in `{"error": {"code": …}}`.
    pub fn code(self) -> &'static str {
        match self {
            Kind::General => "error",
            Kind::Usage => "usage",
            Kind::Locked => "locked",
            Kind::NotFound => "not-found",
            Kind::Denied => "denied",
            Kind::Changed => "package-changed",
            Kind::Integrity => "integrity",
        }
    }
}

/// A failure ready to show: one line of what failed, then hints of what to do.
#[derive(Debug)]
pub struct Error {
    /// Exit-code class.
    pub kind: Kind,
    /// Specific code for scripts (`not-approved`, `missing-secret`, …); defaults to the kind's.
    pub code: &'static str,
    /// What failed. Never contains a secret value.
    pub message: String,
    /// What to do next, one line each.
    pub hints: Vec<String>,
    /// For `run`: the exit status to use instead of 125 (126, 127).
    pub run_status: Option<u8>,
    /// Raised inside a vault transaction that does not know the vault's path;
    /// `Vault::write` prefixes it to the message.
    pub needs_vault_path: bool,
}

/// Result alias used throughout the crate's command layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message` and no hint yet.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            code: kind.code(),
            message: message.into(),
            hints: Vec::new(),
            run_status: None,
            needs_vault_path: false,
        }
    }

    /// Adds one line saying what to do next.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds each of `hints` (none when empty).
    #[must_use]
    pub fn hints_from(mut self, hints: impl IntoIterator<Item = String>) -> Self {
        self.hints.extend(hints);
        self
    }

    /// Overrides the machine-readable code.
    #[must_use]
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// Shorthand for [`Kind::General`].
    pub fn general(message: impl Into<String>) -> Self {
        Self::new(Kind::General, message)
    }
    /// Shorthand for [`Kind::Usage`].
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }
    /// Shorthand for [`Kind::Locked`].
    pub fn locked(message: impl Into<String>) -> Self {
        Self::new(Kind::Locked, message)
    }
    /// Shorthand for [`Kind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }
    /// Shorthand for [`Kind::Denied`].
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(Kind::Denied, message)
    }
    /// Shorthand for [`Kind::Integrity`].
    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(Kind::Integrity, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<crate::names::NameError> for Error {
    fn from(err: crate::names::NameError) -> Self {
        Error::usage(err.to_string())
            .code("invalid-name")
            .hints_from(err.hint())
    }
}

impl From<crate::vault::VaultError> for Error {
    /// Says what to do about a vault failure. Raised inside a write transaction (no
    /// path yet), it also says the transaction was rolled back, and `Vault::write` puts
    /// the path in front.
    fn from(err: crate::vault::VaultError) -> Self {
        use crate::vault::VaultErrorKind as K;
        let message = err.to_string();
        let mut out = match &err.kind {
            K::Missing => Error::not_found(message).hint(
                "create one with `keyward init`, or point --vault / KEYWARD_VAULT at yours",
            ),
            K::NotAVault(_) => Error::integrity(message)
                .hint("check --vault / KEYWARD_VAULT; keyward left the file untouched"),
            K::Corrupt(_) => Error::integrity(message)
                .hint("restore the vault from a backup; keyward left the file untouched"),
            K::Busy(_) => Error::general(message)
                .code("vault-busy")
                .hint("retry; if it persists, look for a stuck keyward process"),
            K::CannotWrite(_) => Error::general(message)
                .code("vault-unwritable")
                .hint("check the file's owner and permissions (keyward makes it 0600)"),
            K::DiskFull => Error::general(message).code("disk-full").hint(
                "free space on the disk that holds the vault, then retry; stored values still read back",
            ),
            K::Newer { .. } => Error::general(message)
                .code("vault-newer")
                .hint("upgrade keyward; the vault was left unchanged"),
            K::NoWal => Error::general(message)
                .code("vault-create-failed")
                .hint("put the vault on a local disk with --vault or KEYWARD_VAULT"),
            K::Exists => Error::general(message)
                .code("vault-exists")
                .hint("use that vault, or choose another path with --vault / KEYWARD_VAULT"),
            K::Folder(_) | K::Create(_) => Error::general(message)
                .code("vault-create-failed")
                .hint("check that you own the folder, or choose another path with --vault"),
            K::CannotRead(_) => Error::general(message)
                .code("vault-unreadable")
                .hint("check the path and its permissions"),
            K::Database(_) => Error::general(message).code("database").hint(
                "nothing was changed; retry, and if it persists check the disk and run `keyward log --verify`",
            ),
        };
        if err.path.is_none() {
            out.needs_vault_path = true;
            if !matches!(err.kind, K::DiskFull | K::Corrupt(_) | K::NotAVault(_)) {
                out.code = "database";
                out.hints = vec![
                    "keyward left the vault unchanged (the transaction was rolled back)".into(),
                ];
            }
        }
        out
    }
}
