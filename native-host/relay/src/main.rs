//! sessions-relay: what Chrome starts for a native messaging port, as small as a process can be.
//!
//! It connects to the user's recorder daemon (starting it with the given Node and bundle if none
//! listens), announces the caller's origin in a `relay.hello` frame — the daemon decides whether
//! that caller is served — and then passes bytes from stdin to the daemon and whole frames from the
//! daemon to stdout. Guarantees: stdout carries complete frames only; on stdin EOF the daemon is
//! told (half-close) and its last replies are passed on before exiting within 1.2 s; if the daemon
//! closes the connection while the browser is still there, the relay exits 1 so the browser sees
//! the port close; if no daemon can be reached it writes one `error INTERNAL` frame and exits 1.
//! The Node relay (native-host/src/relay/) does the same where this binary is not built.

mod args;
mod daemon;
mod frames;
mod runtime_dir;

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// After stdin EOF the relay is gone within this (HOST_EXIT_AFTER_EOF_MS is 1.5 s; leave margin).
const EXIT_AFTER_EOF: Duration = Duration::from_millis(1200);
const CONNECT_DEADLINE: Duration = Duration::from_secs(5);

enum Ended {
    Stdin,
    Daemon,
}

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sessions-relay: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "sessions-relay: host starting (native relay), origin {}, pid {}",
        args.origin.as_deref().unwrap_or("none"),
        std::process::id()
    );
    let dir = match runtime_dir::resolve_and_secure() {
        Ok(d) => d,
        Err(e) => return fail(&format!("the runtime directory is unusable: {e}")),
    };
    let socket = match daemon::connect_or_start(&dir, &args, Instant::now() + CONNECT_DEADLINE) {
        Ok(s) => s,
        Err(e) => return fail(&format!("the recorder daemon could not be reached: {e}")),
    };
    relay(
        socket,
        args.origin.as_deref(),
        build_identity(&args.bundle).as_deref(),
    )
}

/// The bundle's size and modification time in ms, as native-host/src/daemon/build-identity.ts
/// computes it: a daemon of another build with no session hands over to a new one.
fn build_identity(bundle: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(bundle).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}:{}", meta.len(), mtime.as_millis()))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("sessions-relay: {message}");
    let mut out = io::stdout().lock();
    let _ = out.write_all(&frames::error_frame("INTERNAL", message));
    let _ = out.flush();
    ExitCode::from(1)
}

fn relay(socket: UnixStream, origin: Option<&str>, build: Option<&str>) -> ExitCode {
    let (tx, rx) = mpsc::channel::<Ended>();
    let mut to_daemon = match socket.try_clone() {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot share the daemon connection: {e}")),
    };
    if let Err(e) = to_daemon.write_all(&frames::relay_hello(origin, build)) {
        return fail(&format!("the recorder daemon refused the connection: {e}"));
    }

    let stdin_done = tx.clone();
    thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to_daemon.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_daemon.shutdown(Shutdown::Write);
        let _ = stdin_done.send(Ended::Stdin);
    });

    thread::spawn(move || {
        let mut from_daemon = socket;
        let mut out = io::stdout().lock();
        let mut frame = Vec::with_capacity(64 * 1024);
        while let Ok(true) = frames::read_frame(&mut from_daemon, &mut frame) {
            if out.write_all(&frame).and_then(|_| out.flush()).is_err() {
                break;
            }
        }
        let _ = tx.send(Ended::Daemon);
    });

    match rx.recv() {
        Ok(Ended::Daemon) | Err(_) => {
            eprintln!("sessions-relay: the recorder daemon closed the connection");
            ExitCode::from(1)
        }
        Ok(Ended::Stdin) => {
            // The browser is done: wait for the daemon's last replies, but not past the deadline.
            let _ = rx.recv_timeout(EXIT_AFTER_EOF);
            ExitCode::SUCCESS
        }
    }
}
