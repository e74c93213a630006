//! Writing files that may hold secret values.
//!
//! A file that holds a secret value is created with mode 0600, so that there is no moment
//! when another user could open it; replacing a file goes through `atomic` (a temporary
//! file in the same folder, fsync, rename), so that an interrupted write leaves the old
//! file or the new one, never a mix, and a public file keeps the mode it had.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

/// Who may read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only the owner (0600): the file holds a secret value.
    Private,
    /// Ciphertext or other public data: a new file gets 0666 less the umask when created,
    /// 0644 when replaced into place; a replaced file keeps its mode.
    Public,
}

/// Creates `path` with `bytes`; fails if it exists.
pub fn create_new(path: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let mut file = options(mode).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces (or creates) `path` with `bytes`, atomically: a private file gets mode 0600, a
/// public one keeps the mode of the file it replaces (0644 for a new one).
pub fn replace(path: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let bits = match mode {
        Mode::Private => 0o600,
        Mode::Public => existing_mode(path).unwrap_or(0o644),
    };
    crate::atomic::replace(path, bytes, bits)
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn existing_mode(_: &Path) -> Option<u32> {
    None
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
