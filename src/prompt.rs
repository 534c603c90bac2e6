//! Prompts, only when a person can answer: stdin and stderr are terminals and
//! `--no-input` is not set. Otherwise each asker fails with exit 5 naming the flag or
//! variable that provides the answer, so CI never hangs.

use std::io::IsTerminal;

use dialoguer::{Confirm, MultiSelect, Password};

use crate::error::{Error, Result};
use crate::secret::SecretBytes;

/// Whether prompting is allowed in this process.
pub fn interactive(no_input: bool) -> bool {
    !no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The error for input that is needed but cannot be asked for.
pub fn needs_input(what: &str, provide: &str) -> Error {
    Error::denied(format!(
        "{what} is needed, but keyward may not prompt (no terminal or --no-input)"
    ))
    .code("needs-input")
    .hint(provide.to_owned())
}

/// What an empty answer to a hidden prompt means. dialoguer's own default re-asks
/// silently, which reads as a hang; every caller says instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Pressing Enter skips the question: `Ok(None)`.
    Skips,
    /// An empty answer is an error saying that nothing was typed.
    Refused,
}

/// Asks for a value without echo; `confirm` asks twice and requires a match.
pub fn password(prompt: &str, confirm: bool, empty: Empty) -> Result<Option<SecretBytes>> {
    let mut asker = Password::new()
        .with_prompt(prompt)
        .allow_empty_password(true);
    if confirm {
        asker = asker.with_confirmation("Repeat to confirm", "The two entries differ; try again");
    }
    let value = SecretBytes::new(
        asker
            .interact()
            .map_err(|e| terminal_error(&e))?
            .into_bytes(),
    );
    match (value.is_empty(), empty) {
        (false, _) => Ok(Some(value)),
        (true, Empty::Skips) => Ok(None),
        (true, Empty::Refused) => Err(Error::general(format!(
            "nothing was typed at `{prompt}`; an empty value is not accepted, and nothing was changed"
        ))
        .code("empty-value")
        .hint("run the command again and type the value (it is not echoed), or pipe it with --stdin")),
    }
}

/// A yes/no question; `false` by default.
pub fn confirm(question: &str) -> Result<bool> {
    Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| terminal_error(&e))
}

/// A multi-select over `items` (label, preselected); returns the chosen indices.
pub fn select(prompt: &str, items: &[(String, bool)]) -> Result<Vec<usize>> {
    MultiSelect::new()
        .with_prompt(prompt)
        .items_checked(items)
        .interact()
        .map_err(|e| terminal_error(&e))
}

fn terminal_error(e: &dialoguer::Error) -> Error {
    Error::general(format!("could not read from the terminal: {e}"))
.code("no-terminal")
        .hint("pass the answer with flags or variables instead, and --no-input (see the command's --help)")
}
