//! The daemon's private per-user directory, found by the same rules as the Node side
//! (native-host/src/daemon/runtime-dir.ts): $SESSIONS_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sessions,
//! else <tmp>/sessions-<uid>. Created 0700; refused if it is not a directory of this user.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::PathBuf;

pub fn resolve() -> PathBuf {
    if let Some(d) = std::env::var_os("SESSIONS_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("sessions");
    }
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir().join(format!("sessions-{uid}"))
}

pub fn resolve_and_secure() -> io::Result<PathBuf> {
    let dir = resolve();
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let meta = fs::symlink_metadata(&dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    // SAFETY: as above.
    let uid = unsafe { libc::getuid() };
    if meta.uid() != uid {
        return Err(io::Error::other(format!(
            "{} belongs to uid {}, not {uid}",
            dir.display(),
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}
