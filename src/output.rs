//! Where output goes: data on stdout (text or one JSON document), messages on stderr,
//! `-q` and `-v` honoured, and a closed pipe treated as success.

use std::io::{self, IsTerminal, Write};

use crate::cli::ColorWhen;

/// How the user asked to be spoken to.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: stdout is one JSON document.
    pub json: bool,
    /// `-q`: only errors and requested data.
    pub quiet: bool,
    /// `-v`: explain what keyward does.
    pub verbose: bool,
    /// Colour on stderr.
    pub color: bool,
    /// Colour in text printed on stdout (`list`, `inspect`, `status`).
    pub color_stdout: bool,
}

/// Whether to colour a stream: `--color always|never` decide; with `auto`, a non-empty
/// NO_COLOR turns colour off, CLICOLOR_FORCE (not `0`) turns it on off a terminal too,
/// and otherwise only a terminal gets colour.
fn wants_color(when: ColorWhen, is_terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
            if set("NO_COLOR") {
                false
            } else if set("CLICOLOR_FORCE")
                && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0")
            {
                true
            } else {
                is_terminal
            }
        }
    }
}

/// `text` in the SGR colour `sgr` (`"32"` green, …) when `on`.
pub fn paint(text: &str, sgr: &str, on: bool) -> String {
    if on {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// A package state word, coloured by what it means: `ready` green, `revoked: changed`
/// red, `needs …` yellow.
pub fn paint_state(word: &str, on: bool) -> String {
    let sgr = match word {
        "ready" => "32",
        "revoked: changed" | "unreadable" => "31",
        w if w.starts_with("needs") => "33",
        _ => return word.to_owned(),
    };
    paint(word, sgr, on)
}

/// Width of `cell` on screen: characters, not counting SGR colour sequences.
fn visible_width(cell: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in cell.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

impl Output {
    /// Builds the policy from the flags and the environment.
    pub fn new(json: bool, quiet: bool, verbose: bool, color: ColorWhen) -> Self {
        Output {
            json,
            quiet,
            verbose,
            color: wants_color(color, io::stderr().is_terminal()),
            color_stdout: !json && wants_color(color, io::stdout().is_terminal()),
        }
    }

    /// A progress or confirmation message on stderr, unless `-q`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln_safe(msg.as_ref());
        }
    }

    /// A warning on stderr, even with `-q`? No: warnings are not errors; `-q` hides them.
    pub fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            let label = if self.color {
                "\x1b[33mwarning\x1b[0m"
            } else {
                "warning"
            };
            eprintln_safe(&format!("keyward: {label}: {}", msg.as_ref()));
        }
    }

    /// An explanation on stderr, only with `-v`.
    pub fn verbose(&self, msg: impl AsRef<str>) {
        if self.verbose {
            eprintln_safe(&format!("keyward: {}", msg.as_ref()));
        }
    }

    /// Prints one JSON document on stdout.
    pub fn json_doc<T: serde::Serialize + ?Sized>(&self, doc: &T) {
        let text = serde_json::to_string_pretty(doc)
            .expect("documents are plain structs of strings, numbers and lists");
        print_line(&text);
    }
}

/// Writes a line of data to stdout; a closed pipe ends the process quietly with 0,
/// as `keyward … | head` expects.
pub fn print_line(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

/// Writes raw bytes to stdout (a secret value for `secret get`, a token, a key).
pub fn print_bytes(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

fn eprintln_safe(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "{msg}");
}

fn exit_on_write_error(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln_safe(&format!("keyward: error: cannot write to stdout: {e}"));
    std::process::exit(1);
}

/// Whether `c` must not reach a terminal as is: control characters (ESC, CR, BEL, C1)
/// and the invisible format characters that reorder or hide text (bidi overrides,
/// zero-width characters, line and paragraph separators).
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Text from a manifest or the file system made safe to print: every unprintable
/// character is shown as `\u{…}`, so a package cannot drive the owner's terminal.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unprintable(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Left-aligned columns: each row's cells padded to the widest cell of their column.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| visible_width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(visible_width(cell));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i + 1 == widths.len() {
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(w - visible_width(cell) + 2));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push('\n');
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_terminal_controls_and_bidi() {
        assert_eq!(sanitize("plain é"), "plain é");
        assert_eq!(sanitize("ok\u{1b}[2K\rX"), "ok\\u{1b}[2K\\u{d}X");
        assert_eq!(sanitize("1\u{202e}0"), "1\\u{202e}0");
    }

    #[test]
    fn coloured_cells_are_aligned_by_what_shows() {
        let rows = vec![
            vec!["a".to_owned(), paint_state("ready", true), "x".to_owned()],
            vec![
                "bb".to_owned(),
                paint_state("revoked: changed", true),
                "y".to_owned(),
            ],
        ];
        let t = table(&["N", "STATE", "K"], &rows);
        let plain: Vec<String> = t
            .lines()
            .map(|l| {
                l.replace("\x1b[32m", "")
                    .replace("\x1b[31m", "")
                    .replace("\x1b[0m", "")
            })
            .collect();
        assert_eq!(plain[1], "a   ready             x");
        assert_eq!(plain[2], "bb  revoked: changed  y");
        assert!(t.contains("\x1b[32mready\x1b[0m"));
        assert_eq!(paint_state("needs approval", false), "needs approval");
        assert_eq!(
            paint_state("needs secret", true),
            "\x1b[33mneeds secret\x1b[0m"
        );
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["A".into(), "1".into()],
            vec!["LONGER".into(), "22".into()],
        ];
        assert_eq!(
            table(&["NAME", "V"], &rows),
            "NAME    V\nA       1\nLONGER  22"
        );
    }
}
