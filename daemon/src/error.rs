//! Error types of the engine. The English wording lives in `messages.rs`.

use std::path::PathBuf;

use crate::ids::IssueNumber;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an argument was refused. Each variant names one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidArgument {
    CommonNameEmpty,
    CommonNameTooLong {
        len: usize,
    },
    CommonNameCharacter {
        ch: char,
        position: usize,
    },
    CommonNameLeading {
        ch: char,
    },
    CaNameInvalid {
        name: String,
    },
    HostNameInvalid {
        host: String,
        why: HostProblem,
    },
    IpAddressInvalid {
        ip: String,
    },
    NoHosts,
    TooManyNames {
        count: usize,
        max: usize,
    },
    ValidityDays {
        days: i64,
    },
    ValidityPastCa {
        days: i64,
        ca_not_after: String,
    },
    IdInvalid {
        id: String,
    },
    RevocationReasonUnknown {
        reason: String,
    },
    KeyTypeUnknown {
        value: String,
    },
    P12ProfileUnknown {
        value: String,
    },
    /// `SignRequest`: the profile is neither `server` nor `client`.
    ProfileUnknown {
        value: String,
    },
    CsrEmpty,
    CsrTooLarge {
        size: usize,
        max: usize,
    },
    /// Neither PEM nor DER of a PKCS#10 request.
    CsrUnreadable,
    /// The request's own signature does not verify with its key.
    CsrSignatureInvalid,
    /// A key we do not issue for (`RSA 1024`, `EC secp384r1`, …).
    CsrKeyUnsupported {
        found: String,
    },
    /// A client request needs exactly one commonName.
    CsrCommonNames {
        count: usize,
    },
    /// A server request without subjectAltName and without commonName.
    CsrNoNames,
    /// A subjectAltName entry other than DNS or IP.
    CsrNameUnsupported {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostProblem {
    Empty,
    TooLong,
    LabelEmpty,
    LabelTooLong,
    Character(char),
    HyphenAtEdge,
    AllNumeric,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", crate::messages::error(self))]
    NotInitialized,
    #[error("{}", crate::messages::error(self))]
    AlreadyInitialized { evidence: PathBuf },
    #[error("{}", crate::messages::error(self))]
    InvalidArgument(InvalidArgument),
    #[error("{}", crate::messages::error(self))]
    NotFound { id: String },
    #[error("{}", crate::messages::error(self))]
    AlreadyRevoked {
        number: IssueNumber,
        revoked_at: String,
    },
    #[error("{}", crate::messages::error(self))]
    CannotRevokeCa,
    #[error("{}", crate::messages::error(self))]
    CaExpired { not_after: String },
    #[error("{}", crate::messages::error(self))]
    Config { path: PathBuf, detail: String },
    #[error("{}", crate::messages::error(self))]
    StateInsecure {
        path: PathBuf,
        mode: u32,
        expected: u32,
    },
    #[error("{}", crate::messages::error(self))]
    StateWrongOwner {
        path: PathBuf,
        owner: u32,
        expected_owner: u32,
    },
    #[error("{}", crate::messages::error(self))]
    StateCorrupt { path: PathBuf, detail: String },
    #[error("{}", crate::messages::error(self))]
    StateBusy { path: PathBuf },
    #[error("{}", crate::messages::error(self))]
    DiskFull { path: PathBuf },
    #[error("{}", crate::messages::error(self))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::messages::error(self))]
    Crypto { detail: String },
    /// WebORCA installation refused or impossible (`weborca`).
    #[error("{}", crate::messages::weborca(self))]
    WebOrca(WebOrcaProblem),
}

/// Why a certificate cannot be placed for WebORCA, or WebORCA's side is
/// not there. Each has its own D-Bus error name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebOrcaProblem {
    /// A client certificate given where a server certificate is needed, or the reverse.
    WrongKind {
        number: IssueNumber,
        kind: &'static str,
        wanted: &'static str,
    },
    Revoked {
        number: IssueNumber,
        revoked_at: String,
    },
    Expired {
        number: IssueNumber,
        not_after: String,
    },
    /// The escrowed key does not belong to the certificate.
    KeyMismatch {
        number: IssueNumber,
    },
    /// Signed for a request, or issued with key escrow off: there is no key to place.
    NoKeyMaterial {
        number: IssueNumber,
    },
    /// The conf directory or `jma-receipt.conf` is missing.
    NotInstalled {
        path: PathBuf,
    },
    /// The configured owner does not exist on this host.
    UnknownUser {
        user: String,
    },
    UnknownGroup {
        group: String,
    },
}

/// The class of an error, for callers that act on it (the D-Bus layer maps
/// each to its own error name; exit codes are derived from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotInitialized,
    AlreadyInitialized,
    InvalidArgument,
    NotFound,
    AlreadyRevoked,
    NotPermitted,
    CaExpired,
    Config,
    StateCorrupt,
    StateBusy,
    DiskFull,
    Failed,
    WrongKind,
    CertificateRevoked,
    CertificateExpired,
    KeyMismatch,
    NoKeyMaterial,
    WebOrcaNotInstalled,
    WebOrcaOwnerUnknown,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotInitialized => ErrorKind::NotInitialized,
            Error::AlreadyInitialized { .. } => ErrorKind::AlreadyInitialized,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::AlreadyRevoked { .. } => ErrorKind::AlreadyRevoked,
            Error::CannotRevokeCa => ErrorKind::NotPermitted,
            Error::CaExpired { .. } => ErrorKind::CaExpired,
            Error::Config { .. } => ErrorKind::Config,
            Error::StateInsecure { .. }
            | Error::StateWrongOwner { .. }
            | Error::StateCorrupt { .. } => ErrorKind::StateCorrupt,
            Error::StateBusy { .. } => ErrorKind::StateBusy,
            Error::DiskFull { .. } => ErrorKind::DiskFull,
            Error::Io { .. } | Error::Crypto { .. } => ErrorKind::Failed,
            Error::WebOrca(p) => match p {
                WebOrcaProblem::WrongKind { .. } => ErrorKind::WrongKind,
                WebOrcaProblem::Revoked { .. } => ErrorKind::CertificateRevoked,
                WebOrcaProblem::Expired { .. } => ErrorKind::CertificateExpired,
                WebOrcaProblem::KeyMismatch { .. } => ErrorKind::KeyMismatch,
                WebOrcaProblem::NoKeyMaterial { .. } => ErrorKind::NoKeyMaterial,
                WebOrcaProblem::NotInstalled { .. } => ErrorKind::WebOrcaNotInstalled,
                WebOrcaProblem::UnknownUser { .. } | WebOrcaProblem::UnknownGroup { .. } => {
                    ErrorKind::WebOrcaOwnerUnknown
                }
            },
        }
    }

    /// An I/O error on `path`; a full disk gets its own kind because the
    /// remedy (free space) differs from every other I/O failure.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.raw_os_error() == Some(libc::ENOSPC)
            || source.raw_os_error() == Some(libc::EDQUOT)
        {
            Error::DiskFull { path }
        } else {
            Error::Io { path, source }
        }
    }

    pub(crate) fn crypto(e: impl std::fmt::Display) -> Self {
        Error::Crypto {
            detail: e.to_string(),
        }
    }
}

impl From<InvalidArgument> for Error {
    fn from(e: InvalidArgument) -> Self {
        Error::InvalidArgument(e)
    }
}

impl From<openssl::error::ErrorStack> for Error {
    fn from(e: openssl::error::ErrorStack) -> Self {
        Error::crypto(e)
    }
}

impl From<rcgen::Error> for Error {
    fn from(e: rcgen::Error) -> Self {
        Error::crypto(e)
    }
}
