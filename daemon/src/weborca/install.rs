//! Placing certificate files in WebORCA's conf directory, as the ORCA page
//! does by hand (cp, chown orca:orca, chmod 400), but all or nothing: every
//! file is written to a temporary name first, and only when all of them
//! are complete are they renamed into place. Files of earlier
//! installations stay where they are.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, WebOrcaProblem};
use crate::state;

use super::owner::Owner;

/// What WebORCA-Server and its clients read: owner-readable only.
pub const FILE_MODE: u32 = 0o400;

/// One file to place: its name in the conf directory and its content.
pub struct FileToPlace {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for FileToPlace {
    // Contents may be private keys: never in a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileToPlace")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The conf directory must already exist: we never guess where WebORCA is.
pub fn check_dir(dir: &Path) -> Result<()> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        _ => Err(Error::WebOrca(WebOrcaProblem::NotInstalled {
            path: dir.to_owned(),
        })),
    }
}

/// Writes every file as `owner`, mode 0400, replacing files of the same
/// name atomically. Returns the paths placed, in the order given.
pub fn place(dir: &Path, files: &[FileToPlace], owner: &Owner) -> Result<Vec<PathBuf>> {
    check_dir(dir)?;
    // What would make a rename fail, found before anything is written.
    for f in files {
        let target = dir.join(&f.name);
        if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            return Err(Error::io(
                &target,
                std::io::Error::from(std::io::ErrorKind::IsADirectory),
            ));
        }
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    let result = (|| {
        for f in files {
            let target = dir.join(&f.name);
            let tmp = dir.join(format!(".{}.tmp-{}", f.name, std::process::id()));
            staged.push((tmp.clone(), target));
            write_owned(&tmp, &f.bytes, owner)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (tmp, _) in &staged {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    let mut placed = Vec::with_capacity(staged.len());
    for (i, (tmp, target)) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, target) {
            for (rest, _) in &staged[i..] {
                let _ = fs::remove_file(rest);
            }
            return Err(Error::io(target, e));
        }
        placed.push(target.clone());
    }
    state::sync_dir(dir)?;
    Ok(placed)
}

fn write_owned(path: &Path, bytes: &[u8], owner: &Owner) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    chown_file(&f, path, owner.uid, owner.gid)?;
    // After the chown, which may clear mode bits, so the mode is exact.
    f.set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

pub(crate) fn chown_file(f: &File, path: &Path, uid: u32, gid: u32) -> Result<()> {
    std::os::unix::fs::fchown(f, Some(uid), Some(gid)).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    fn me() -> Owner {
        // SAFETY: getuid/getgid have no preconditions.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Owner {
            user: "me".into(),
            uid,
            group: "me".into(),
            gid,
            groups: vec![gid],
        }
    }

    fn file(name: &str, bytes: &[u8]) -> FileToPlace {
        FileToPlace {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn places_files_0400_and_replaces_same_names_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        fs::write(dir.join("000002__JP_orca_old.crt"), b"old").expect("old file");
        let placed = place(
            dir,
            &[file("a.crt", b"cert"), file("ca.crt", b"ca1")],
            &me(),
        )
        .expect("place");
        assert_eq!(placed, vec![dir.join("a.crt"), dir.join("ca.crt")]);
        let placed = place(dir, &[file("ca.crt", b"ca2")], &me()).expect("again");
        assert_eq!(placed.len(), 1);
        assert_eq!(fs::read(dir.join("ca.crt")).expect("read"), b"ca2");
        assert_eq!(fs::read(dir.join("a.crt")).expect("read"), b"cert");
        assert_eq!(
            fs::read(dir.join("000002__JP_orca_old.crt")).expect("earlier file stays"),
            b"old"
        );
        for name in ["a.crt", "ca.crt"] {
            let m = fs::metadata(dir.join(name)).expect("meta");
            assert_eq!(m.mode() & 0o7777, 0o400, "{name}");
            assert_eq!(m.uid(), me().uid);
        }
        let names: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.starts_with('.')), "{names:?}");
    }

    #[test]
    fn missing_dir_says_weborca_is_not_installed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let err = place(&tmp.path().join("nope"), &[file("a", b"x")], &me()).expect_err("no dir");
        assert!(matches!(
            err,
            Error::WebOrca(WebOrcaProblem::NotInstalled { .. })
        ));
    }

    #[test]
    fn a_failure_leaves_nothing_half_written() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        fs::write(dir.join("ca.crt"), b"before").expect("seed");
        // A directory where the second file should go.
        fs::create_dir(dir.join("b.pem")).expect("dir in the way");
        fs::write(dir.join("b.pem").join("x"), b"x").expect("non-empty dir");
        let err = place(
            dir,
            &[file("ca.crt", b"after"), file("b.pem", b"key")],
            &me(),
        );
        assert!(err.is_err());
        assert_eq!(fs::read(dir.join("ca.crt")).expect("read"), b"before");
        let names: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.starts_with('.')), "{names:?}");
    }
}
