//! A polkit text agent for this process, started as systemctl does, so that
//! polkit can ask for a password on the terminal, also over SSH.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const PROGRAM: &str = "pkttyagent";
/// How long to wait for the agent to register before calling anyway.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the agent gets to restore the terminal after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(2);

/// The running agent; dropping it stops it.
#[derive(Debug)]
pub struct Agent {
    child: Child,
}

impl Agent {
    /// Starts `pkttyagent --notify-fd N --fallback --process PID` and waits
    /// until it has registered (it closes N). `None` when there is no
    /// pkttyagent or it cannot start: the call then goes out without an
    /// agent of ours, and a desktop agent may still answer.
    ///
    /// `--fallback` (let a desktop agent of the session go first) only in a
    /// logind session: polkit looks for a fallback agent only after finding
    /// the caller's session, so outside one (a container, a console without
    /// logind) a fallback agent is never asked and the call is refused.
    pub fn start() -> Option<Agent> {
        let program = find_program(PROGRAM, std::env::var_os("PATH").as_deref())?;
        let (read_end, write_end) = pipe().ok()?;
        let notify_fd = write_end.as_raw_fd();
        let mut cmd = Command::new(program);
        cmd.arg("--notify-fd").arg(notify_fd.to_string());
        if in_login_session(&std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default()) {
            cmd.arg("--fallback");
        }
        cmd.arg("--process").arg(std::process::id().to_string());
        // SAFETY: the hook only calls fcntl(2), which is async-signal-safe,
        // on a descriptor that is open in the child.
        unsafe {
            cmd.pre_exec(move || keep_across_exec(notify_fd));
        }
        let child = cmd.spawn().ok()?;
        drop(write_end);
        wait_for_close(read_end, REGISTER_TIMEOUT);
        Some(Agent { child })
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: plain syscall; the child is not reaped yet, so the pid
            // still names it.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + EXIT_TIMEOUT;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `/proc/self/cgroup` (given) puts us in a logind session scope,
/// which is how polkit's session monitor (sd_pid_get_session) finds one.
fn in_login_session(cgroup: &str) -> bool {
    cgroup.lines().any(|line| {
        line.rsplit('/')
            .next()
            .is_some_and(|leaf| leaf.starts_with("session-") && leaf.ends_with(".scope"))
    })
}

/// The first executable `name` in `path` (a `PATH` value).
fn find_program(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let path = path.unwrap_or_else(|| OsStr::new("/usr/bin:/bin"));
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A pipe whose ends are closed on exec unless told otherwise.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds: [libc::c_int; 2] = [-1, -1];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded; both descriptors are new and owned only here.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Runs in the child between fork and exec: the notify fd must survive exec.
fn keep_across_exec(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on an open descriptor, no memory involved.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Returns once every writer closed the pipe, or after `timeout`.
fn wait_for_close(read_end: OwnedFd, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let mut pfd = libc::pollfd {
        fd: read_end.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let mut file = File::from(read_end);
    let mut buf = [0u8; 64];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        let millis = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: `pfd` is one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, millis) };
        if ready < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if ready == 0 {
            return;
        }
        match file.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn login_session_is_read_from_the_cgroup() {
        assert!(in_login_session(
            "0::/user.slice/user-1000.slice/session-4.scope\n"
        ));
        assert!(in_login_session(
            "12:pids:/user.slice/user-0.slice/session-c2.scope\n1:name=systemd:/x\n"
        ));
        assert!(!in_login_session("0::/system.slice/ssh.service\n"));
        assert!(!in_login_session("0::/\n"));
        assert!(!in_login_session(""));
    }

    use super::*;

    #[test]
    fn finds_only_executables_on_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exe = dir.path().join("pkttyagent");
        std::fs::write(&exe, b"#!/bin/sh\n").expect("write");
        let path = std::env::join_paths([dir.path()]).expect("join");
        assert_eq!(find_program("pkttyagent", Some(&path)), None);
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(find_program("pkttyagent", Some(&path)), Some(exe));
        assert_eq!(find_program("absent", Some(&path)), None);
    }

    #[test]
    fn notify_fd_reaches_the_child_and_its_close_is_seen() {
        // The same dance as with pkttyagent, with sh closing the fd by exiting.
        let (read_end, write_end) = pipe().expect("pipe");
        let fd = write_end.as_raw_fd();
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c").arg(format!("echo ready >&{fd}"));
        // SAFETY: as in Agent::start.
        unsafe {
            cmd.pre_exec(move || keep_across_exec(fd));
        }
        let mut child = cmd.spawn().expect("spawn");
        drop(write_end);
        let started = Instant::now();
        wait_for_close(read_end, Duration::from_secs(10));
        assert!(started.elapsed() < Duration::from_secs(9));
        assert!(child.wait().expect("wait").success());
    }
}
