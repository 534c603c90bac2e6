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

/// Asks for a value without echo and says what an empty answer means: dialoguer's own
/// default re-asks silently, which reads as a hang. `confirm` asks twice and requires a
/// match. Pressing Enter skips: `Ok(None)`.
pub fn password_or_skip(prompt: &str) -> Result<Option<SecretBytes>> {
    let value = ask_hidden(prompt, false)?;
    Ok((!value.is_empty()).then_some(value))
}

/// Asks for a value without echo; an empty answer is an error saying nothing was typed.
pub fn password(prompt: &str, confirm: bool) -> Result<SecretBytes> {
    let value = ask_hidden(prompt, confirm)?;
    if value.is_empty() {
        return Err(Error::general(format!(
            "nothing was typed at `{prompt}`; an empty value is not accepted, and nothing was changed"
        ))
        .code("empty-value")
        .hint("run the command again and type the value (it is not echoed), or pipe it with --stdin"));
    }
    Ok(value)
}

fn ask_hidden(prompt: &str, confirm: bool) -> Result<SecretBytes> {
    let mut asker = Password::new()
        .with_prompt(prompt)
        .allow_empty_password(true);
    if confirm {
        asker = asker.with_confirmation("Repeat to confirm", "The two entries differ; try again");
    }
    let typed = asker.interact().map_err(|e| terminal_error(&e))?;
    Ok(SecretBytes::new(typed.into_bytes()))
}

/// Shortest passphrase accepted for a vault.
pub const MIN_PASSPHRASE: usize = 8;

/// A new vault passphrase: `given` (from a variable), else asked twice on a terminal,
/// else exit 5 saying to set `variable`; shorter than [`MIN_PASSPHRASE`] is refused.
/// `unchanged` says what was left as it was, for the messages.
pub fn new_passphrase(
    given: Option<SecretBytes>,
    no_input: bool,
    variable: &str,
    unchanged: &str,
) -> Result<SecretBytes> {
    let pass = match given {
        Some(p) => p,
        None if interactive(no_input) => password("New vault passphrase", true)?,
        None => {
            return Err(needs_input(
                "a new vault passphrase",
                &format!("set {variable}, or run on a terminal without --no-input"),
            ));
        }
    };
    if pass.len() < MIN_PASSPHRASE {
        return Err(Error::general(format!(
            "the passphrase is shorter than {MIN_PASSPHRASE} characters; {unchanged}"
        ))
        .code("short-passphrase")
        .hint("choose a longer passphrase"));
    }
    Ok(pass)
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
