//! D-Bus error names. Clients act on the name; people read the message.

pub const PREFIX: &str = "jp.or.med.orca.CaTool1.Error";

pub const NOT_INITIALIZED: &str = "jp.or.med.orca.CaTool1.Error.NotInitialized";
pub const ALREADY_INITIALIZED: &str = "jp.or.med.orca.CaTool1.Error.AlreadyInitialized";
pub const INVALID_ARGUMENT: &str = "jp.or.med.orca.CaTool1.Error.InvalidArgument";
pub const NOT_FOUND: &str = "jp.or.med.orca.CaTool1.Error.NotFound";
pub const ALREADY_REVOKED: &str = "jp.or.med.orca.CaTool1.Error.AlreadyRevoked";
pub const NOT_PERMITTED: &str = "jp.or.med.orca.CaTool1.Error.NotPermitted";
pub const CA_EXPIRED: &str = "jp.or.med.orca.CaTool1.Error.CaExpired";
pub const CONFIG: &str = "jp.or.med.orca.CaTool1.Error.Config";
pub const STATE_CORRUPT: &str = "jp.or.med.orca.CaTool1.Error.StateCorrupt";
pub const STATE_BUSY: &str = "jp.or.med.orca.CaTool1.Error.StateBusy";
pub const DISK_FULL: &str = "jp.or.med.orca.CaTool1.Error.DiskFull";
pub const BAD_FILE_DESCRIPTOR: &str = "jp.or.med.orca.CaTool1.Error.BadFileDescriptor";
pub const SHUTTING_DOWN: &str = "jp.or.med.orca.CaTool1.Error.ShuttingDown";
pub const FAILED: &str = "jp.or.med.orca.CaTool1.Error.Failed";

// WebORCA installation (InstallServerCert, InstallClientCert).
/// A client certificate where a server certificate is needed, or the reverse.
pub const WRONG_KIND: &str = "jp.or.med.orca.CaTool1.Error.WrongKind";
pub const CERTIFICATE_REVOKED: &str = "jp.or.med.orca.CaTool1.Error.CertificateRevoked";
pub const CERTIFICATE_EXPIRED: &str = "jp.or.med.orca.CaTool1.Error.CertificateExpired";
pub const KEY_MISMATCH: &str = "jp.or.med.orca.CaTool1.Error.KeyMismatch";
/// Issued with key escrow off: the daemon has no key to place.
pub const NO_KEY_MATERIAL: &str = "jp.or.med.orca.CaTool1.Error.NoKeyMaterial";
/// The WebORCA conf directory or jma-receipt.conf is missing.
pub const WEBORCA_NOT_INSTALLED: &str = "jp.or.med.orca.CaTool1.Error.WebOrcaNotInstalled";
/// The configured owner (weborca_user / weborca_group) does not exist.
pub const WEBORCA_OWNER_UNKNOWN: &str = "jp.or.med.orca.CaTool1.Error.WebOrcaOwnerUnknown";
/// Files placed and configured, but systemd does not know the unit.
pub const NO_SUCH_UNIT: &str = "jp.or.med.orca.CaTool1.Error.NoSuchUnit";
/// Files placed and configured, but the restart failed or could not be asked for.
pub const RESTART_FAILED: &str = "jp.or.med.orca.CaTool1.Error.RestartFailed";

/// Authorization failures use the standard names, as systemd and fwupd do.
pub const ACCESS_DENIED: &str = "org.freedesktop.DBus.Error.AccessDenied";
pub const INTERACTIVE_AUTHORIZATION_REQUIRED: &str =
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired";
