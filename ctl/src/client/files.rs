//! Where output lands: the bundle directory, the temporary file whose fd the
//! daemon writes a zip into, and PEM files (CRL, CA certificate).

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use orca_ca_proto::wire::Delivered;
use tempfile::NamedTempFile;
use zbus::zvariant::Fd;

use crate::error::OutputProblem;

/// Hidden, and not ending in `.zip`: a half-written bundle never looks like one.
const TEMP_PREFIX: &str = ".orca-cactl-";
const TEMP_SUFFIX: &str = ".part";

/// `$HOME/certs`, where the ORCA page's `orca-catool` put its zips.
pub fn default_out_dir() -> Result<PathBuf, OutputProblem> {
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join("certs")),
        _ => Err(OutputProblem::HomeUnset),
    }
}

/// Creates `dir` (and missing parents) with mode 0700 when it is missing;
/// an existing directory is left as it is.
pub fn ensure_dir(dir: &Path) -> Result<(), OutputProblem> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(OutputProblem::NotADirectory {
            dir: dir.to_owned(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| OutputProblem::CreateDir {
                dir: dir.to_owned(),
                source,
            }),
        Err(source) => Err(OutputProblem::CreateDir {
            dir: dir.to_owned(),
            source,
        }),
    }
}

/// A name the daemon may give a bundle: one plain, visible `.zip` file in
/// the output directory, nothing that climbs out of it or hides in it.
pub fn is_safe_bundle_name(name: &str) -> bool {
    name.len() > ".zip".len()
        && name.len() <= 255
        && name.ends_with(".zip")
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

/// The temporary file a bundle is written into, removed unless `finish`
/// gives it its final name.
#[derive(Debug)]
pub struct BundleTarget {
    dir: PathBuf,
    temp: NamedTempFile,
}

impl BundleTarget {
    /// Creates `dir` if needed and an empty file in it (O_EXCL, mode 0600).
    pub fn create(dir: &Path) -> Result<Self, OutputProblem> {
        ensure_dir(dir)?;
        // The path printed at the end should work from any directory.
        let dir = fs::canonicalize(dir).map_err(|source| OutputProblem::TempFile {
            dir: dir.to_owned(),
            source,
        })?;
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .permissions(Permissions::from_mode(0o600))
            .tempfile_in(&dir)
            .map_err(|source| OutputProblem::TempFile {
                dir: dir.clone(),
                source,
            })?;
        Ok(BundleTarget { dir, temp })
    }

    /// The descriptor passed to the daemon, which writes the zip into it.
    pub fn fd(&self) -> Fd<'_> {
        Fd::from(self.temp.as_file())
    }

    #[cfg(test)]
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Checks what the daemon wrote and renames it to the name it chose,
    /// never replacing an existing file. On error the temporary file is gone.
    pub fn finish(self, delivered: &Delivered) -> Result<PathBuf, OutputProblem> {
        if !is_safe_bundle_name(&delivered.file_name) {
            return Err(OutputProblem::UnsafeName {
                name: delivered.file_name.clone(),
            });
        }
        let write_error = |source| OutputProblem::Write {
            path: self.temp.path().to_owned(),
            source,
        };
        let got = self.temp.as_file().metadata().map_err(write_error)?.len();
        if got == 0 || (delivered.size != 0 && got != delivered.size) {
            return Err(OutputProblem::Incomplete {
                expected: delivered.size,
                got,
            });
        }
        self.temp.as_file().sync_all().map_err(write_error)?;
        let target = self.dir.join(&delivered.file_name);
        match self.temp.persist_noclobber(&target) {
            Ok(_) => {
                sync_dir(&self.dir);
                Ok(target)
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                Err(OutputProblem::Exists { path: target })
            }
            Err(e) => Err(OutputProblem::Write {
                path: target,
                source: e.error,
            }),
        }
    }
}

/// Writes a public file (PEM) whole or not at all, replacing an older one:
/// a CRL or CA certificate is meant to be refreshed in place.
pub fn write_public_file(path: &Path, contents: &[u8]) -> Result<(), OutputProblem> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let write_error = |source| OutputProblem::Write {
        path: path.to_owned(),
        source,
    };
    if path.is_dir() {
        return Err(write_error(io::Error::from(io::ErrorKind::IsADirectory)));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(write_error)?;
    // Readable by all whatever the umask: a CRL and a CA certificate are public.
    temp.as_file()
        .set_permissions(Permissions::from_mode(0o644))
        .map_err(write_error)?;
    temp.write_all(contents).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(path).map_err(|e| write_error(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable; a failure here loses nothing already written.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orca_ca_proto::wire::CertInfo;
    use std::os::unix::fs::MetadataExt;

    fn delivered(name: &str, size: u64) -> Delivered {
        Delivered {
            certificate: CertInfo {
                number: 3,
                issue_number: "000003".into(),
                ..CertInfo::default()
            },
            file_name: name.into(),
            size,
            warnings: vec![],
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn bundle_names_are_plain_zip_files() {
        for good in [
            "000003__JP_orca_user1.zip",
            "000002__JP_orca_192.168.1.100.zip",
            "000004__JP_orca_fd00::1.zip",
            "a.zip",
        ] {
            assert!(is_safe_bundle_name(good), "{good} refused");
        }
        let long = format!("{}.zip", "a".repeat(252));
        for bad in [
            "",
            ".zip",
            ".hidden.zip",
            "../000003.zip",
            "dir/000003.zip",
            "/etc/passwd.zip",
            "000003.zip.exe",
            "000003.ZIP",
            "000003\n.zip",
            "..",
            long.as_str(),
        ] {
            assert!(!is_safe_bundle_name(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn missing_out_dir_is_created_private() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("home/certs");
        ensure_dir(&dir).expect("created");
        let mode = fs::metadata(&dir).expect("meta").mode() & 0o777;
        assert_eq!(mode, 0o700);
        let file = base.path().join("file");
        fs::write(&file, b"x").expect("write");
        assert!(matches!(
            ensure_dir(&file),
            Err(OutputProblem::NotADirectory { .. })
        ));
    }

    #[test]
    fn temp_file_is_hidden_private_and_renamed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir_path = fs::canonicalize(dir.path()).expect("canonical");
        let target = BundleTarget::create(dir.path()).expect("target");
        let temp_name = target
            .temp_path()
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(temp_name.starts_with('.'), "{temp_name}");
        assert!(!temp_name.ends_with(".zip"), "{temp_name}");
        let meta = fs::metadata(target.temp_path()).expect("meta");
        assert_eq!(meta.mode() & 0o777, 0o600);
        fs::write(target.temp_path(), b"PK zip").expect("daemon writes");
        let path = target
            .finish(&delivered("000003__JP_orca_user1.zip", 6))
            .expect("finish");
        assert_eq!(path, dir_path.join("000003__JP_orca_user1.zip"));
        assert_eq!(entries(dir.path()), vec!["000003__JP_orca_user1.zip"]);
        assert_eq!(fs::read(&path).expect("read"), b"PK zip");
    }

    #[test]
    fn existing_bundle_is_never_overwritten_and_temp_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let existing = fs::canonicalize(dir.path())
            .expect("canonical")
            .join("000003__JP_orca_user1.zip");
        fs::write(&existing, b"old").expect("write");
        let target = BundleTarget::create(dir.path()).expect("target");
        fs::write(target.temp_path(), b"new").expect("daemon writes");
        let err = target
            .finish(&delivered("000003__JP_orca_user1.zip", 3))
            .expect_err("must refuse");
        assert!(matches!(err, OutputProblem::Exists { ref path } if *path == existing));
        assert_eq!(fs::read(&existing).expect("read"), b"old");
        assert_eq!(entries(dir.path()), vec!["000003__JP_orca_user1.zip"]);
    }

    #[test]
    fn unsafe_names_and_short_writes_leave_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = BundleTarget::create(dir.path()).expect("target");
        fs::write(target.temp_path(), b"zip").expect("write");
        assert!(matches!(
            target.finish(&delivered("../evil.zip", 3)),
            Err(OutputProblem::UnsafeName { .. })
        ));
        let target = BundleTarget::create(dir.path()).expect("target");
        fs::write(target.temp_path(), b"zi").expect("write");
        assert!(matches!(
            target.finish(&delivered("000003__JP_orca_user1.zip", 3)),
            Err(OutputProblem::Incomplete {
                expected: 3,
                got: 2
            })
        ));
        let target = BundleTarget::create(dir.path()).expect("target");
        assert!(matches!(
            target.finish(&delivered("000003__JP_orca_user1.zip", 0)),
            Err(OutputProblem::Incomplete { got: 0, .. })
        ));
        // A failed call drops the target without finishing it.
        drop(BundleTarget::create(dir.path()).expect("target"));
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn public_files_are_replaced_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("crl.pem");
        write_public_file(&path, b"one").expect("write");
        write_public_file(&path, b"two").expect("rewrite");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert_eq!(fs::metadata(&path).expect("meta").mode() & 0o777, 0o644);
        assert_eq!(entries(dir.path()), vec!["crl.pem"]);
        assert!(write_public_file(dir.path(), b"x").is_err());
    }
}
