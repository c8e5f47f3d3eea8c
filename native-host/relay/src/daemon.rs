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
        // SAFETY: kill with signal 0 only checks that the process exists.
        Ok(pid) if pid > 0 => unsafe {
            libc::kill(pid, 0) == 0 || *libc::__errno_location() == libc::EPERM
        },
        // An empty file is a daemon between creating its lock and writing its pid.
        _ => text.is_empty(),
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
