//! The dictionaries (`a{sv}`) that methods return. Times are Unix seconds
//! (UTC); optional fields are absent rather than empty.

use zbus::zvariant::{DeserializeDict, SerializeDict, Type};

/// One certificate in the index.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct CertInfo {
    /// Issue number, `1` = the CA.
    pub number: u32,
    /// The same, six digits, as in file names.
    pub issue_number: String,
    /// 32 hex digits.
    pub serial: String,
    /// `ca`, `server` or `client`.
    pub kind: String,
    pub common_name: String,
    /// `DNS:host` / `IP:addr`.
    pub alt_names: Vec<String>,
    pub key_type: String,
    pub issued_at: i64,
    pub not_before: i64,
    pub not_after: i64,
    /// `valid`, `revoked` or `expired`, at the time of the call.
    pub status: String,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<String>,
    pub fingerprint_sha256: String,
    pub has_key_material: bool,
    /// `000003__JP_orca_user1`
    pub base_name: String,
    /// Only in `GetCertificate` and `SignRequest`.
    pub certificate_pem: Option<String>,
    /// Only in `SignRequest`: what the caller should know although the
    /// certificate was signed (the 825-day warning, …).
    pub warnings: Option<Vec<String>>,
}

/// What issue and export return besides the zip written to the passed fd.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct Delivered {
    pub certificate: CertInfo,
    /// The name the client gives the temporary file it passed.
    pub file_name: String,
    pub size: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct CrlInfo {
    pub crl_number: u64,
    pub this_update: i64,
    pub next_update: i64,
    /// When the renewal timer will renew it.
    pub renew_after: i64,
    pub revoked_count: u32,
    pub pem: String,
    /// Where the daemon published it.
    pub der_path: String,
    pub pem_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct Revoked {
    pub certificate: CertInfo,
    pub crl: CrlInfo,
}

#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct CaStatus {
    pub version: String,
    pub initialized: bool,
    pub subject: Option<String>,
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
    pub key_type: Option<String>,
    pub serial: Option<String>,
    pub fingerprint_sha256: Option<String>,
    pub certificates: Option<u64>,
    pub valid: Option<u64>,
    pub revoked: Option<u64>,
    pub expired: Option<u64>,
    /// Valid certificates ending within 31 days (WebORCA warns from 31).
    pub expiring_soon: Option<u64>,
    pub crl_number: Option<u64>,
    pub crl_next_update: Option<i64>,
    pub crl_renew_after: Option<i64>,
    pub state_dir: String,
}

/// What `InstallServerCert` and `InstallClientCert` return.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct Installed {
    pub certificate: CertInfo,
    /// Absolute paths of the files placed, each mode 0400.
    pub files: Vec<String>,
    /// `user:group` that owns them.
    pub owner: String,
    /// Server only: `jma-receipt.conf`.
    pub conf_path: Option<String>,
    /// Server only: false when it already said exactly this.
    pub conf_changed: Option<bool>,
    /// Server only: created because of the `create` option.
    pub conf_created: Option<bool>,
    /// Server only: the previous conf file, kept.
    pub backup_path: Option<String>,
    /// Server only: the systemd unit of WebORCA-Server.
    pub unit: Option<String>,
    /// Server only: `done` or `skipped` (failures are errors).
    pub restart: Option<String>,
    /// What the administrator still has to do, if anything.
    pub next_step: Option<String>,
    /// Client only: the settings for push-exchanger and API clients.
    pub cert_path: Option<String>,
    pub key_path: Option<String>,
    pub encrypted_key_path: Option<String>,
    pub passphrase_path: Option<String>,
    pub ca_path: Option<String>,
}

/// One line of `Diagnose`.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct CheckInfo {
    /// Stable name (`server_key_encrypted`, `hosts_in_san`, …).
    pub id: String,
    /// `ok`, `warning` or `error`.
    pub status: String,
    pub found: String,
    /// One sentence; empty when all is well.
    pub fix: String,
}

/// Keys of the `options` and `filter` dictionaries callers send.
pub mod keys {
    /// `Initialize`: CA name (s).
    pub const CA_NAME: &str = "ca_name";
    /// `Initialize`: `rsa2048` | `rsa3072` | `rsa4096` | `ecdsa-p256` (s).
    pub const KEY_TYPE: &str = "key_type";
    /// `Initialize`, `Issue*`, `SignRequest`: days (u32).
    pub const VALIDITY_DAYS: &str = "validity_days";
    /// `ListCertificates`: `valid` | `revoked` | `expired` (s).
    pub const STATUS: &str = "status";
    /// `ListCertificates`: days (u32).
    pub const EXPIRING_WITHIN_DAYS: &str = "expiring_within_days";
    /// `ListCertificates`: substring of CN or SAN (s).
    pub const PATTERN: &str = "pattern";
    /// `ListCertificates`: `ca` | `server` | `client` (s).
    pub const KIND: &str = "kind";
    /// `ListCertificates`: rows to skip (u32); with `limit`, for paging.
    pub const OFFSET: &str = "offset";
    /// `ListCertificates`: at most this many rows (u32). The daemon caps a
    /// page at [`super::MAX_PAGE`] so a reply stays within bus limits.
    pub const LIMIT: &str = "limit";
    /// `InstallServerCert`: place and configure, but do not restart (b).
    pub const NO_RESTART: &str = "no_restart";
    /// `InstallServerCert`: write a new jma-receipt.conf if there is none (b).
    pub const CREATE: &str = "create";
    /// `Diagnose`: host names and addresses clients use (as).
    pub const HOSTS: &str = "hosts";
}

/// `SignRequest` profiles.
pub mod profiles {
    pub const SERVER: &str = "server";
    pub const CLIENT: &str = "client";
}

/// The largest certificate signing request `SignRequest` accepts, in bytes.
pub const MAX_CSR_BYTES: usize = 64 * 1024;

/// Host names and addresses `Diagnose` accepts at most.
pub const MAX_DIAGNOSE_HOSTS: usize = 64;

/// Rows per `ListCertificates` reply at most (about 5 MB).
pub const MAX_PAGE: u32 = 10_000;
