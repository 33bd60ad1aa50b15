//! Engine errors as D-Bus errors, each kind with its own name so clients
//! can act on it (never everything as `Failed`).

use orca_ca_proto::errors as names;
use orca_cad::{Error, ErrorKind};
use zbus::message::{Header, Message};
use zbus::names::ErrorName;

#[derive(Debug, Clone)]
pub struct BusError {
    name: &'static str,
    message: String,
}

impl BusError {
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        BusError {
            name,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        BusError::new(names::INVALID_ARGUMENT, message)
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn name(&self) -> &'static str {
        self.name
    }
}

pub fn name_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotInitialized => names::NOT_INITIALIZED,
        ErrorKind::AlreadyInitialized => names::ALREADY_INITIALIZED,
        ErrorKind::InvalidArgument => names::INVALID_ARGUMENT,
        ErrorKind::NotFound => names::NOT_FOUND,
        ErrorKind::AlreadyRevoked => names::ALREADY_REVOKED,
        ErrorKind::NotPermitted => names::NOT_PERMITTED,
        ErrorKind::CaExpired => names::CA_EXPIRED,
        ErrorKind::Config => names::CONFIG,
        ErrorKind::StateCorrupt => names::STATE_CORRUPT,
        ErrorKind::StateBusy => names::STATE_BUSY,
        ErrorKind::DiskFull => names::DISK_FULL,
        ErrorKind::Failed => names::FAILED,
        ErrorKind::WrongKind => names::WRONG_KIND,
        ErrorKind::CertificateRevoked => names::CERTIFICATE_REVOKED,
        ErrorKind::CertificateExpired => names::CERTIFICATE_EXPIRED,
        ErrorKind::KeyMismatch => names::KEY_MISMATCH,
        ErrorKind::NoKeyMaterial => names::NO_KEY_MATERIAL,
        ErrorKind::WebOrcaNotInstalled => names::WEBORCA_NOT_INSTALLED,
        ErrorKind::WebOrcaOwnerUnknown => names::WEBORCA_OWNER_UNKNOWN,
    }
}

impl From<Error> for BusError {
    fn from(e: Error) -> Self {
        BusError::new(name_for(e.kind()), e.to_string())
    }
}

impl From<orca_cad::error::InvalidArgument> for BusError {
    fn from(e: orca_cad::error::InvalidArgument) -> Self {
        Error::from(e).into()
    }
}

impl std::fmt::Display for BusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for BusError {}

impl zbus::DBusError for BusError {
    fn create_reply(&self, call: &Header<'_>) -> zbus::Result<Message> {
        Message::error(call, self.name())?.build(&(self.message.as_str(),))
    }

    fn name(&self) -> ErrorName<'_> {
        ErrorName::from_static_str_unchecked(self.name)
    }

    fn description(&self) -> Option<&str> {
        Some(&self.message)
    }
}

impl From<zbus::Error> for BusError {
    fn from(e: zbus::Error) -> Self {
        BusError::new(names::FAILED, e.to_string())
    }
}
