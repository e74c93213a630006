//! Replacing a file atomically: an interrupted write leaves the old file or the new one,
//! never a mix. `apply` writes targets with it, and the secret store its files.
//!
//! The new bytes go to a temporary file in the same folder, created readable by its owner
//! only, then synced; it gets the final mode and is renamed over the file, and the folder
//! is synced so that the rename survives a crash. A leftover temporary file is never
//! readable by others, whatever it holds.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The variable of the testing hook: `FLEETC_FAULT=before-rename` makes [`replace`] stop
/// with an error after the temporary file is written and synced, right before the rename,
/// leaving it behind as a crash would. Tests use it to prove that the old file survives.
pub const FAULT_VAR: &str = "FLEETC_FAULT";

/// Replaces (or creates) `path` with `bytes`, ending with permission bits `mode`.
pub fn replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let temporary = temporary_path(path)?;
    // A file of this name is left from a crashed run with the same process id: stale.
    let _ = std::fs::remove_file(&temporary);
    let mut file = private_options().open(&temporary)?;
    let written = write_all(&mut file, bytes);
    if let Err(error) = written {
        // The write failed; the temporary file is useless and the first error is the news.
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    if std::env::var(FAULT_VAR).is_ok_and(|v| v == "before-rename") {
        return Err(io::Error::other(format!(
            "stopped before the rename by `{FAULT_VAR}=before-rename` (a testing hook)"
        )));
    }
    let finished = set_mode(&file, mode).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = finished {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    sync_folder(path);
    Ok(())
}

fn write_all(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

/// `.NAME.fleetc-PID-N.tmp` beside `path`.
fn temporary_path(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temporary = format!(
        ".{}.fleetc-{}-{unique}.tmp",
        name.to_string_lossy(),
        std::process::id()
    );
    Ok(path.with_file_name(temporary))
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

/// Makes the rename durable; not every system can sync a folder, so this is best effort.
fn sync_folder(path: &Path) {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Ok(folder) = File::open(folder.unwrap_or(Path::new("."))) {
        let _ = folder.sync_all();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_with_the_requested_mode() {
        let dir = std::env::temp_dir().join(format!("fleetc-target-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let path = dir.join("kibana.yml");
        std::fs::write(&path, "old").expect("writes");
        for mode in [0o640, 0o600] {
            replace(&path, b"new", mode).expect("replaces");
            let found = std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(found & 0o777, mode);
        }
        assert_eq!(std::fs::read(&path).expect("reads"), b"new");
        let leftovers = std::fs::read_dir(&dir).expect("lists").count();
        assert_eq!(leftovers, 1);
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
