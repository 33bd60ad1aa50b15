//! The state directory (`/var/lib/orca-ca`): CA key, index, CRL. It is
//! checked for ownership and mode before use, locked against a second
//! process, and every file in it is replaced atomically.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DIR_MODE: u32 = 0o700;
pub const SECRET_MODE: u32 = 0o600;
pub const PUBLIC_MODE: u32 = 0o644;

#[derive(Debug)]
pub struct StateDir {
    path: PathBuf,
    /// Held for the life of the process: one owner per state directory.
    _lock: File,
}

impl StateDir {
    /// Opens (creating it 0700 if absent) and locks the state directory.
    /// A directory others can read is refused, not repaired: it may already
    /// have leaked the key, and an admin must look.
    pub fn open(path: &Path) -> Result<StateDir> {
        match fs::symlink_metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(DIR_MODE)
                    .create(path)
                    .map_err(|e| Error::io(path, e))?;
                // recursive() applies the umask; make sure of the mode.
                fs::set_permissions(path, fs::Permissions::from_mode(DIR_MODE))
                    .map_err(|e| Error::io(path, e))?;
            }
            Err(e) => return Err(Error::io(path, e)),
        }
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_dir() {
            return Err(Error::StateCorrupt {
                path: path.to_owned(),
                detail: crate::messages::not_a_directory(),
            });
        }
        check_private(path, &meta, DIR_MODE)?;
        let lock_path = path.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(SECRET_MODE)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        // SAFETY: flock on a descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(Error::StateBusy {
                path: path.to_owned(),
            });
        }
        Ok(StateDir {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn ca_key(&self) -> PathBuf {
        self.path.join("ca.key")
    }
    pub fn ca_cert(&self) -> PathBuf {
        self.path.join("ca.crt")
    }
    pub fn index(&self) -> PathBuf {
        self.path.join("index.sqlite")
    }
    pub fn crl_der(&self) -> PathBuf {
        self.path.join("crl.der")
    }
    pub fn crl_pem(&self) -> PathBuf {
        self.path.join("crl.pem")
    }

    /// Reads a secret file after checking it is ours and not readable by others.
    pub fn read_secret(&self, path: &Path) -> Result<Vec<u8>> {
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::StateCorrupt {
                path: path.to_owned(),
                detail: crate::messages::not_a_regular_file(),
            });
        }
        check_private(path, &meta, SECRET_MODE)?;
        fs::read(path).map_err(|e| Error::io(path, e))
    }
}

/// Mode bits beyond `expected` for group or others, or another owner, refuse.
fn check_private(path: &Path, meta: &fs::Metadata, expected: u32) -> Result<()> {
    let mode = meta.mode() & 0o7777;
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    if meta.uid() != euid {
        return Err(Error::StateWrongOwner {
            path: path.to_owned(),
            owner: meta.uid(),
            expected_owner: euid,
        });
    }
    if mode & 0o077 != 0 {
        return Err(Error::StateInsecure {
            path: path.to_owned(),
            mode,
            expected,
        });
    }
    Ok(())
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the
/// new file, never a mix: temp file in the same directory, fsync, rename,
/// fsync of the directory. The temp file is removed on failure (a full disk
/// must not leave debris behind).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)
            .map_err(|e| Error::io(&tmp, e))?;
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `path` with `bytes`, refusing to replace an existing file.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // From here on the file is ours: remove it if it cannot be completed.
    let result = (|| {
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
        f.write_all(bytes).map_err(|e| Error::io(path, e))?;
        f.sync_all().map_err(|e| Error::io(path, e))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result
}

pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_private_dir_and_locks_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("state");
        let state = StateDir::open(&dir).expect("open");
        let mode = fs::metadata(&dir).expect("meta").mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(matches!(StateDir::open(&dir), Err(Error::StateBusy { .. })));
        drop(state);
        StateDir::open(&dir).expect("reopen after release");
    }

    #[test]
    fn wrong_owner_is_named_with_the_command_that_fixes_it() {
        let err = Error::StateWrongOwner {
            path: "/var/lib/orca-ca".into(),
            owner: 1000,
            expected_owner: 0,
        };
        let text = err.to_string();
        assert!(text.contains("uid 1000"), "{text}");
        assert!(text.contains("chown 0 /var/lib/orca-ca"), "{text}");
        assert!(!text.contains("chmod"), "{text}");
    }

    #[test]
    fn world_readable_dir_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("state");
        fs::create_dir(&dir).expect("mkdir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        let err = StateDir::open(&dir).expect_err("must refuse");
        assert!(
            matches!(err, Error::StateInsecure { mode: 0o755, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 700"), "{err}");
        assert_eq!(fs::metadata(&dir).expect("meta").mode() & 0o777, 0o755);
    }

    #[test]
    fn atomic_write_replaces_and_sets_mode() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("f");
        write_atomic(&p, b"one", 0o600).expect("write");
        write_atomic(&p, b"two", 0o600).expect("rewrite");
        assert_eq!(fs::read(&p).expect("read"), b"two");
        assert_eq!(fs::metadata(&p).expect("meta").mode() & 0o777, 0o600);
        assert_eq!(
            fs::read_dir(tmp.path()).expect("ls").count(),
            1,
            "no temp left"
        );
        assert!(write_new(&p, b"three", 0o600).is_err());
        assert_eq!(fs::read(&p).expect("read"), b"two");
    }
}
