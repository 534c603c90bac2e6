//! A person at a terminal: runs a shell line under `script(1)` (a pseudo-terminal for
//! stdin, stdout and stderr), waits for the texts a prompt draws and only then types
//! the answer, the way someone reading the screen would. Every wait is bounded, so a
//! prompt that asks again forever fails the test instead of hanging it.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::TestEnv;

/// Longest wait for one prompt or for the command to end.
const WAIT: Duration = Duration::from_secs(30);

/// A command running on a pseudo-terminal.
pub struct Term {
    child: Child,
    stdin: Option<ChildStdin>,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the screen earlier `expect`s consumed.
    seen: usize,
    line: String,
}

impl Term {
    /// Starts `line` (a shell command line) in `env`'s clean environment plus `extra`.
    pub fn spawn(env: &TestEnv, line: &str, extra: &[(&str, &str)]) -> Term {
        let mut cmd: StdCommand = env.std_cmd("script");
        cmd.args(["-qfec", line, "/dev/null"])
            .env("TERM", "dumb")
            .env("NO_COLOR", "1");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        Self::start(cmd, line)
    }

    /// Starts a prepared `script -qfec LINE /dev/null` command.
    pub fn start(mut cmd: StdCommand, line: &str) -> Term {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run script(1) (package bsdutils)");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("piped stdout");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&screen);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Term {
            child,
            stdin,
            screen,
            seen: 0,
            line: line.to_owned(),
        }
    }

    /// Everything shown so far, as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until `text` appears after what earlier calls consumed.
    pub fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen.lock().unwrap().clone();
            let rest = &screen[self.seen.min(screen.len())..];
            if let Some(at) = find(rest, text.as_bytes()) {
                self.seen += at + text.len();
                return;
            }
            if Instant::now() > deadline || self.child.try_wait().ok().flatten().is_some() {
                // One last look: the child may have printed and exited at once.
                thread::sleep(Duration::from_millis(100));
                let screen = self.screen.lock().unwrap().clone();
                if let Some(at) = find(&screen[self.seen.min(screen.len())..], text.as_bytes()) {
                    self.seen += at + text.len();
                    return;
                }
                let _ = self.child.kill();
                panic!(
                    "`{}` never showed `{text}`; the screen:\n{}",
                    self.line,
                    String::from_utf8_lossy(&screen)
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys` (after a short pause, so the prompt is ready to read them).
    pub fn send(&mut self, keys: &str) {
        thread::sleep(Duration::from_millis(150));
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin
            .write_all(keys.as_bytes())
            .expect("type into the terminal");
        stdin.flush().unwrap();
    }

    /// Waits for the command to end; its exit status and the whole screen.
    pub fn finish(mut self) -> (i32, String) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for script(1)") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "`{}` did not end (still asking?); the screen:\n{}",
                    self.line,
                    self.screen()
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        drop(self.stdin.take());
        thread::sleep(Duration::from_millis(100));
        (status.code().unwrap_or(-1), self.screen())
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `text` quoted for `sh`.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
