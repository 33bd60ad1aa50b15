//! WebORCA on this host: placing certificate files in its conf directory,
//! editing `jma-receipt.conf`, restarting `jma-receipt-weborca.service`
//! through systemd's D-Bus API, and diagnosing what the ORCA page lists as
//! trouble. Knows nothing of our own D-Bus interface or of polkit; the only
//! D-Bus here is the systemd client.

pub mod conf_file;
pub mod doctor;
pub mod install;
pub mod owner;
pub mod systemd1;
