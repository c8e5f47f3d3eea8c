//! Reaching the recorder daemon: connect to `recorder.sock`; if nobody listens and no live process
//! holds `recorder.pid`, start `node <bundle> --daemon` in a session of its own with stdio to
//! /dev/null (so neither the browser closing the port nor a killed relay can reach it), then keep
//! trying until it listens or the deadline passes.

use crate::args::Args;
use std::fs;
use std::io;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The daemon's Node flags, for resident size (native-host/src/relay/connect-daemon.ts has the same list and why).
const DAEMON_NODE_FLAGS: [&str; 3] = ["--max-semi-space-size=1", "--v8-pool-size=1", "--lite-mode"];
const RETRY: Duration = Duration::from_millis(40);

pub fn connect_or_start(dir: &Path, args: &Args, deadline: Instant) -> io::Result<UnixStream> {
    let socket = dir.join("recorder.sock");
    let mut started = false;
    loop {
        match UnixStream::connect(&socket) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{}: {e}", socket.display()),
                ))
            }
            Err(_) => {
                if !started && !holder_alive(&dir.join("recorder.pid")) {
                    start(args)?;
                    started = true;
                }
                thread::sleep(RETRY);
            }
        }
    }
}

fn holder_alive(pid_file: &Path) -> bool {
    let Ok(text) = fs::read_to_string(pid_file) else {
        return false;
    };
    match text.trim().parse::<libc::pid_t>() {
        Ok(pid) if pid > 0 => process_alive(pid),
        // An empty file is a daemon between creating its lock and writing its pid.
        _ => text.is_empty(),
    }
}

/// Exists and is not a zombie (killed but not reaped), as the Node side's processAlive.
fn process_alive(pid: libc::pid_t) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) == 0 || *libc::__errno_location() == libc::EPERM };
    if !exists {
        return false;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rfind(')').and_then(|i| stat.get(i + 2..i + 3)) != Some("Z"),
        Err(_) => true,
    }
}

fn start(args: &Args) -> io::Result<()> {
    let mut cmd = Command::new(&args.node);
    cmd.args(DAEMON_NODE_FLAGS)
        .arg(&args.bundle)
        .arg("--daemon")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe, as pre_exec requires.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // The child is not waited for: it outlives us, and init reaps it.
    cmd.spawn().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_free_pid_is_not() {
        assert!(process_alive(std::process::id() as libc::pid_t));
        assert!(!process_alive(4_194_305));
    }

    #[test]
    fn a_zombie_is_not_alive() {
        let child = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let pid = child.id() as libc::pid_t;
        // Not waited for: once it exits it stays a zombie until this test reaps it.
        for _ in 0..200 {
            if !process_alive(pid) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!process_alive(pid));
        let mut child = child;
        let _ = child.wait();
    }
}
