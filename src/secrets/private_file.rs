//! Writing files that may hold secret values.
//!
//! A file that holds a secret value is created with mode 0600, so that there is no moment
//! when another user could open it; replacing a file goes through a temporary file in the
//! same folder, fsync and rename, so that an interrupted write leaves the old file or the
//! new one, never a mix, and never widens the mode of an existing file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Who may read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only the owner (0600): the file holds a secret value.
    Private,
    /// The usual mode (0666 less the umask): ciphertext or other public data.
    Public,
}

/// Creates `path` with `bytes`; fails if it exists.
pub fn create_new(path: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let mut file = options(mode).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces (or creates) `path` with `bytes`, atomically.
pub fn replace(path: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let temporary = temporary_path(path)?;
    let written = write_temporary(&temporary, bytes, mode).and_then(|()| {
        std::fs::rename(&temporary, path)?;
        sync_folder(path);
        Ok(())
    });
    if written.is_err() {
        // The temporary file may not exist; the first error is the one worth reporting.
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_temporary(temporary: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let mut file = options(mode).create_new(true).open(temporary)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `.NAME.PID-N.tmp` beside `path`.
fn temporary_path(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temporary = format!(
        ".{}.{}-{unique}.tmp",
        name.to_string_lossy(),
        std::process::id()
    );
    Ok(path.with_file_name(temporary))
}

/// Makes the rename durable; folders cannot be synced everywhere, so this is best effort.
fn sync_folder(path: &Path) {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Ok(folder) = File::open(folder.unwrap_or(Path::new("."))) {
        let _ = folder.sync_all();
    }
}

fn options(mode: Mode) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match mode {
            Mode::Private => 0o600,
            Mode::Public => 0o666,
        });
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replacing_narrows_an_open_file_to_0600() {
        let dir = std::env::temp_dir().join(format!("fleetc-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let path = dir.join("out.yml");
        std::fs::write(&path, "old").expect("writes");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        replace(&path, b"new", Mode::Private).expect("replaces");
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).expect("reads"), b"new");
        assert!(create_new(&path, b"x", Mode::Private).is_err());
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
