//! Running keyward as an unprivileged user. CI runs as root, where every process may
//! read every other's `/proc/PID/environ`; the attacks the hardening tests replay are
//! those of an ordinary user, so as root the commands run as `nobody` (65534) through
//! `setpriv` (util-linux), over a test folder handed to that user. As any other user
//! they run as that user, which is the real unprivileged case.
//!
//! Declared in `tests/cli.rs` as `crate::users` (its own file, so `common/mod.rs` is
//! left as it is).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use crate::common::{TestEnv, keyward_bin, run_no_stdin};

/// The uid and gid commands run as when the tests run as root.
pub const NOBODY: u32 = 65534;

/// Whether the tests run as root (real uid 0).
pub fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

impl TestEnv {
    /// Hands the whole test folder to [`NOBODY`] (when root; a no-op otherwise), so
    /// that commands from [`TestEnv::unprivileged`] can create and use the vault.
    pub fn give_to_unprivileged_user(&self) {
        if !is_root() {
            return;
        }
        let status = StdCommand::new("chown")
            .args(["-R", &format!("{NOBODY}:{NOBODY}")])
            .arg(self.root())
            .status()
            .expect("run chown");
        assert!(status.success(), "chown -R the test folder to nobody");
    }

    /// `PROGRAM ARGS…` in the clean environment (with the master key, if any), as
    /// `nobody` when the tests run as root, as the current user otherwise. The process
    /// keeps the id of the direct child: `setpriv` execs the program.
    pub fn unprivileged(&self, program: impl AsRef<OsStr>) -> StdCommand {
        if is_root() {
            let mut cmd = self.std_cmd("setpriv");
            cmd.args([
                format!("--reuid={NOBODY}"),
                format!("--regid={NOBODY}"),
                "--clear-groups".to_owned(),
                "--".to_owned(),
            ]);
            cmd.arg(program.as_ref());
            cmd
        } else {
            self.std_cmd(program)
        }
    }

    /// `PROGRAM ARGS…` in the clean environment (with the master key, if any), as root
    /// without any capability when the tests run as root (so, like an ordinary user,
    /// it may read or trace only dumpable processes of its own uid whose capabilities
    /// are no more than its own: none), as the current user otherwise.
    pub fn capless(&self, program: impl AsRef<OsStr>) -> StdCommand {
        if is_root() {
            let mut cmd = self.std_cmd("setpriv");
            cmd.args(["--bounding-set=-all", "--inh-caps=-all", "--"]);
            cmd.arg(program.as_ref());
            cmd
        } else {
            self.std_cmd(program)
        }
    }

    /// The keyward binary as [`NOBODY`] can run it: when root, a copy in the test
    /// folder (the build's own may sit under a folder only root can enter, such as
    /// /root); the build's otherwise.
    pub fn unprivileged_bin(&self) -> PathBuf {
        if !is_root() {
            return keyward_bin();
        }
        let bin = self.root().join("bin/keyward");
        if !bin.exists() {
            std::fs::create_dir_all(bin.parent().unwrap()).expect("create bin/");
            std::fs::copy(keyward_bin(), &bin).expect("copy the keyward binary");
            std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))
                .expect("chmod the keyward copy");
        }
        bin
    }

    /// `keyward ARGS…` as [`TestEnv::unprivileged`]; asserts success; returns stdout.
    pub fn unprivileged_ok(&self, args: &[&str], cwd: &Path) -> String {
        let out = run_no_stdin(
            self.unprivileged(self.unprivileged_bin())
                .args(args)
                .current_dir(cwd)
                .stdin(Stdio::null()),
        );
        assert!(
            out.status.success(),
            "keyward {args:?} as an unprivileged user: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 stdout")
    }
}
