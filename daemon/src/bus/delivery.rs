//! Bundles leave through a file descriptor the client opened in its own
//! directory: the daemon never opens a path in anyone's home, and the file
//! belongs to the user from the start.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;

use orca_ca_proto::errors as names;
use orca_cad::messages;
use zbus::zvariant::OwnedFd;

use super::errors::BusError;

/// Checked before authorization: a regular file opened for writing. A pipe
/// or socket could block the daemon; a read-only fd could never be filled.
pub fn open(fd: OwnedFd) -> Result<File, BusError> {
    let file = File::from(std::os::fd::OwnedFd::from(fd));
    let bad = |why: String| BusError::new(names::BAD_FILE_DESCRIPTOR, why);
    let meta = file
        .metadata()
        .map_err(|e| bad(messages::fd_unusable(&e.to_string())))?;
    if !meta.is_file() {
        return Err(bad(messages::fd_not_regular()));
    }
    // SAFETY: F_GETFL on a descriptor we own has no memory effects.
    let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(bad(messages::fd_unusable(
            &std::io::Error::last_os_error().to_string(),
        )));
    }
    let mode = flags & libc::O_ACCMODE;
    if mode != libc::O_WRONLY && mode != libc::O_RDWR {
        return Err(bad(messages::fd_read_only()));
    }
    Ok(file)
}

/// Replaces the file's content with `zip` and flushes it to disk.
pub fn write(mut file: File, zip: &[u8]) -> std::io::Result<()> {
    file.set_len(0)?;
    // Offset 0 even if the client left the position elsewhere.
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))?;
    file.write_all(zip)?;
    file.sync_all()
}
