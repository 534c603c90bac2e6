//! Who is on the other end of the run socket: its uid and pid (`SO_PEERCRED`, taken
//! by the kernel when the peer connected) and whether that pid is the package or one
//! of its descendants, by the ppid chain in `/proc/PID/stat`.

use std::os::fd::AsFd;

/// The most parent links followed before giving up (deeper trees are refused).
const MAX_DEPTH: usize = 1024;

/// The peer's pid and uid, as the kernel recorded them at `connect`.
pub fn credentials(conn: impl AsFd) -> Option<(u32, u32)> {
    let cred = rustix::net::sockopt::socket_peercred(conn).ok()?;
    let pid = u32::try_from(cred.pid.as_raw_nonzero().get()).ok()?;
    Some((pid, cred.uid.as_raw()))
}

/// Fields of `/proc/PID/stat` after the command name (which may hold spaces and
/// parentheses: it ends at the last `)`), so index 0 is field 3 (state).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// The parent pid of `pid` (field 4), if it exists.
pub fn parent(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// The start time of `pid` in clock ticks since boot (field 22), if it exists: with
/// the pid it names one process for the life of the system.
pub fn start_time(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// Whether `pid` is `root` or one of its descendants now.
pub fn descends_from(pid: u32, root: u32) -> bool {
    let mut cur = pid;
    for _ in 0..MAX_DEPTH {
        if cur == root {
            return true;
        }
        match parent(cur) {
            Some(p) if p > 1 && p != cur => cur = p,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_descends_from_its_ancestors_only() {
        let me = std::process::id();
        let parent_pid = parent(me).expect("our parent");
        assert!(descends_from(me, me));
        assert!(descends_from(me, parent_pid));
        assert!(!descends_from(parent_pid, me));
        assert!(start_time(me).is_some());
    }
}
