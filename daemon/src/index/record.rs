//! Rows of the index as Rust values.

use std::fmt;

use time::OffsetDateTime;

use crate::ca::crl::{CrlSchedule, RevocationReason};
use crate::ca::profile::{AltName, CertKind};
use crate::config::KeyType;
use crate::ids::{IssueNumber, Serial};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: OffsetDateTime,
    pub reason: RevocationReason,
}

/// A certificate as listed: everything but the certificate bytes and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRecord {
    pub number: IssueNumber,
    pub serial: Serial,
    pub kind: CertKind,
    pub common_name: String,
    pub alt_names: Vec<AltName>,
    pub key_type: KeyType,
    pub issued_at: OffsetDateTime,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub revocation: Option<Revocation>,
    pub fingerprint_sha256: String,
    /// Whether the index holds the key material to rebuild the whole bundle.
    pub has_key_material: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    Revoked,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Revoked => "revoked",
            Status::Expired => "expired",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "valid" => Ok(Status::Valid),
            "revoked" => Ok(Status::Revoked),
            "expired" => Ok(Status::Expired),
            _ => Err(()),
        }
    }
}

impl CertRecord {
    /// Revoked wins over expired: a revoked certificate stays on the CRL.
    pub fn status(&self, now: OffsetDateTime) -> Status {
        if self.revocation.is_some() {
            Status::Revoked
        } else if now > self.not_after {
            Status::Expired
        } else {
            Status::Valid
        }
    }

    pub fn base_name(&self) -> String {
        crate::ca::bundle::base_name(self.number, &self.common_name)
    }
}

/// A certificate about to be recorded; its issue number is given on insert.
#[derive(Debug)]
pub struct NewCertificate<'a> {
    pub serial: Serial,
    pub kind: CertKind,
    pub common_name: &'a str,
    pub alt_names: &'a [AltName],
    pub key_type: KeyType,
    pub issued_at: OffsetDateTime,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub fingerprint_sha256: &'a str,
    pub certificate_der: &'a [u8],
    pub material: Option<&'a crate::ca::bundle::Material>,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    /// Valid certificates whose notAfter falls within this many days.
    pub expiring_within_days: Option<i64>,
    /// Case-insensitive substring of the CN or any subjectAltName.
    pub pattern: Option<String>,
    pub kind: Option<CertKind>,
    /// Paging, so a client can walk 100 000 rows in messages the bus accepts.
    pub offset: u64,
    pub limit: Option<u64>,
}

/// How many certificates (the CA not counted) are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub valid: u64,
    pub revoked: u64,
    pub expired: u64,
    pub expiring_soon: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCrl {
    pub number: u64,
    pub revoked_count: u32,
    pub schedule: CrlSchedule,
    pub der: Vec<u8>,
}
