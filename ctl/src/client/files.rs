//! Where output lands: the bundle directory, the temporary file whose fd the
//! daemon writes a zip into, and PEM files (CRL, CA certificate).

use std::ffi::CString;
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use orca_ca_proto::wire::Delivered;
use tempfile::NamedTempFile;
use zbus::zvariant::Fd;

use crate::error::OutputProblem;

/// Names of the named temporary files (see `open_named`).
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

/// The temporary file a bundle is written into, gone unless `finish` gives
/// it its final name.
#[derive(Debug)]
pub struct BundleTarget {
    dir: PathBuf,
    temp: Temp,
}

#[derive(Debug)]
enum Temp {
    /// O_TMPFILE: the file has no name until `finish` links it in, so a
    /// client killed mid-call (kill -9, power cut) leaves nothing behind.
    Unnamed(File),
    /// Filesystems without O_TMPFILE: a hidden private file, removed on
    /// every error path this process lives through.
    Named(NamedTempFile),
}

impl BundleTarget {
    /// Creates `dir` if needed and an empty private (0600) file in it.
    pub fn create(dir: &Path) -> Result<Self, OutputProblem> {
        let dir = prepare_dir(dir)?;
        let temp = match open_unnamed(&dir) {
            Ok(file) => Temp::Unnamed(file),
            Err(e) if unnamed_unsupported(&e) => Temp::Named(open_named(&dir)?),
            Err(source) => return Err(OutputProblem::TempFile { dir, source }),
        };
        Ok(BundleTarget { dir, temp })
    }

    /// As `create`, always with a named file (for the fallback's tests).
    #[cfg(test)]
    fn create_named(dir: &Path) -> Result<Self, OutputProblem> {
        let dir = prepare_dir(dir)?;
        let temp = Temp::Named(open_named(&dir)?);
        Ok(BundleTarget { dir, temp })
    }

    fn file(&self) -> &File {
        match &self.temp {
            Temp::Unnamed(f) => f,
            Temp::Named(t) => t.as_file(),
        }
    }

    /// The descriptor passed to the daemon, which writes the zip into it.
    pub fn fd(&self) -> Fd<'_> {
        Fd::from(self.file())
    }

    /// Checks what the daemon wrote and gives it the name the daemon chose,
    /// never replacing an existing file. On error the temporary file is gone.
    pub fn finish(self, delivered: &Delivered) -> Result<PathBuf, OutputProblem> {
        if !is_safe_bundle_name(&delivered.file_name) {
            return Err(OutputProblem::UnsafeName {
                name: delivered.file_name.clone(),
            });
        }
        let target = self.dir.join(&delivered.file_name);
        let write_error = |source| OutputProblem::Write {
            path: target.clone(),
            source,
        };
        let got = self.file().metadata().map_err(write_error)?.len();
        if got == 0 || (delivered.size != 0 && got != delivered.size) {
            return Err(OutputProblem::Incomplete {
                expected: delivered.size,
                got,
            });
        }
        self.file().sync_all().map_err(write_error)?;
        let linked = match self.temp {
            Temp::Unnamed(file) => link_unnamed(&file, &target),
            Temp::Named(temp) => temp
                .persist_noclobber(&target)
                .map(drop)
                .map_err(|e| e.error),
        };
        match linked {
            Ok(()) => {
                sync_dir(&self.dir);
                Ok(target)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(OutputProblem::Exists { path: target })
            }
            Err(source) => Err(OutputProblem::Write {
                path: target,
                source,
            }),
        }
    }
}

/// Creates `dir` if needed; its absolute path, so that the path printed at
/// the end works from any directory.
fn prepare_dir(dir: &Path) -> Result<PathBuf, OutputProblem> {
    ensure_dir(dir)?;
    fs::canonicalize(dir).map_err(|source| OutputProblem::TempFile {
        dir: dir.to_owned(),
        source,
    })
}

fn open_unnamed(dir: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
}

/// What kernels and filesystems without O_TMPFILE answer.
fn unnamed_unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
    )
}

/// Hidden, and not ending in `.zip`: a half-written bundle never looks like one.
fn open_named(dir: &Path) -> Result<NamedTempFile, OutputProblem> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|source| OutputProblem::TempFile {
            dir: dir.to_owned(),
            source,
        })
}

/// Gives an O_TMPFILE file its name; fails with AlreadyExists rather than
/// replace a file. Through /proc/self/fd, as linkat(2) documents for
/// callers without CAP_DAC_READ_SEARCH.
fn link_unnamed(file: &File, target: &Path) -> io::Result<()> {
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let to = CString::new(target.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: both arguments are valid NUL-terminated strings that outlive
    // the call; linkat reads them and keeps nothing.
    let rc = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
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
/// Like [`write_public_file`], but never replaces anything: a certificate
/// file that is already there may be the one a server uses.
pub fn write_new_public_file(path: &Path, contents: &[u8]) -> Result<(), OutputProblem> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let write_error = |source| OutputProblem::Write {
        path: path.to_owned(),
        source,
    };
    refuse_existing(path)?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(write_error)?;
    temp.as_file()
        .set_permissions(Permissions::from_mode(0o644))
        .map_err(write_error)?;
    temp.write_all(contents).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    match temp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(dir);
            Ok(())
        }
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(OutputProblem::Exists {
            path: path.to_owned(),
        }),
        Err(e) => Err(write_error(e.error)),
    }
}

/// `Exists` when something (a file, a directory, a dangling link) has the name.
pub fn refuse_existing(path: &Path) -> Result<(), OutputProblem> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(OutputProblem::Exists {
            path: path.to_owned(),
        });
    }
    Ok(())
}

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

    /// The daemon's side: it writes the zip into the descriptor it got.
    fn daemon_writes(target: &BundleTarget, bytes: &[u8]) {
        target.file().write_all(bytes).expect("daemon writes");
    }

    #[test]
    fn bundle_has_no_name_until_finished_then_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir_path = fs::canonicalize(dir.path()).expect("canonical");
        let target = BundleTarget::create(dir.path()).expect("target");
        assert!(
            matches!(target.temp, Temp::Unnamed(_)),
            "the test directory's filesystem has O_TMPFILE"
        );
        daemon_writes(&target, b"PK zip");
        assert!(
            entries(dir.path()).is_empty(),
            "nothing visible while the zip is written"
        );
        let path = target
            .finish(&delivered("000003__JP_orca_user1.zip", 6))
            .expect("finish");
        assert_eq!(path, dir_path.join("000003__JP_orca_user1.zip"));
        assert_eq!(entries(dir.path()), vec!["000003__JP_orca_user1.zip"]);
        assert_eq!(fs::read(&path).expect("read"), b"PK zip");
        assert_eq!(fs::metadata(&path).expect("meta").mode() & 0o777, 0o600);
    }

    #[test]
    fn named_fallback_is_hidden_private_and_renamed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = BundleTarget::create_named(dir.path()).expect("target");
        let names = entries(dir.path());
        assert_eq!(names.len(), 1);
        assert!(
            names[0].starts_with('.') && !names[0].ends_with(".zip"),
            "{names:?}"
        );
        let meta = fs::metadata(dir.path().join(&names[0])).expect("meta");
        assert_eq!(meta.mode() & 0o777, 0o600);
        daemon_writes(&target, b"PK zip");
        target
            .finish(&delivered("000003__JP_orca_user1.zip", 6))
            .expect("finish");
        assert_eq!(entries(dir.path()), vec!["000003__JP_orca_user1.zip"]);
    }

    #[test]
    fn existing_bundle_is_never_overwritten_and_temp_is_removed() {
        for named in [false, true] {
            let dir = tempfile::tempdir().expect("tempdir");
            let existing = fs::canonicalize(dir.path())
                .expect("canonical")
                .join("000003__JP_orca_user1.zip");
            fs::write(&existing, b"old").expect("write");
            let target = if named {
                BundleTarget::create_named(dir.path())
            } else {
                BundleTarget::create(dir.path())
            }
            .expect("target");
            daemon_writes(&target, b"new");
            let err = target
                .finish(&delivered("000003__JP_orca_user1.zip", 3))
                .expect_err("must refuse");
            assert!(matches!(err, OutputProblem::Exists { ref path } if *path == existing));
            assert_eq!(fs::read(&existing).expect("read"), b"old");
            assert_eq!(entries(dir.path()), vec!["000003__JP_orca_user1.zip"]);
        }
    }

    #[test]
    fn unsafe_names_and_short_writes_leave_nothing_behind() {
        for named in [false, true] {
            let dir = tempfile::tempdir().expect("tempdir");
            let make = || {
                if named {
                    BundleTarget::create_named(dir.path())
                } else {
                    BundleTarget::create(dir.path())
                }
                .expect("target")
            };
            let target = make();
            daemon_writes(&target, b"zip");
            assert!(matches!(
                target.finish(&delivered("../evil.zip", 3)),
                Err(OutputProblem::UnsafeName { .. })
            ));
            let target = make();
            daemon_writes(&target, b"zi");
            assert!(matches!(
                target.finish(&delivered("000003__JP_orca_user1.zip", 3)),
                Err(OutputProblem::Incomplete {
                    expected: 3,
                    got: 2
                })
            ));
            let target = make();
            assert!(matches!(
                target.finish(&delivered("000003__JP_orca_user1.zip", 0)),
                Err(OutputProblem::Incomplete { got: 0, .. })
            ));
            // A failed call drops the target without finishing it.
            drop(make());
            assert!(entries(dir.path()).is_empty(), "named={named}");
        }
    }

    #[test]
    fn new_public_files_are_0644_and_never_replace_anything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("000002__JP_orca_host.crt");
        write_new_public_file(&path, b"first").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"first");
        assert_eq!(
            fs::metadata(&path).expect("stat").permissions().mode() & 0o777,
            0o644
        );
        let err = write_new_public_file(&path, b"second").expect_err("exists");
        assert!(matches!(err, OutputProblem::Exists { .. }));
        assert_eq!(fs::read(&path).expect("read"), b"first", "left as it was");
        assert_eq!(entries(tmp.path()), vec!["000002__JP_orca_host.crt"]);
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
