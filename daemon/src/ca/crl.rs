//! Revocation: reasons (RFC 5280 5.3.1), CRL entries, and when a CRL is due.

use std::fmt;
use std::str::FromStr;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, InvalidArgument, Result};
use crate::ids::Serial;

/// The reasons a user may give. `certificateHold` and `removeFromCRL` are
/// left out: we never un-revoke, so a hold would be a lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    PrivilegeWithdrawn,
}

impl RevocationReason {
    pub const ALL: [RevocationReason; 7] = [
        RevocationReason::Unspecified,
        RevocationReason::KeyCompromise,
        RevocationReason::CaCompromise,
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::CessationOfOperation,
        RevocationReason::PrivilegeWithdrawn,
    ];

    /// The RFC 5280 spelling, also what the index stores.
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "unspecified",
            RevocationReason::KeyCompromise => "keyCompromise",
            RevocationReason::CaCompromise => "cACompromise",
            RevocationReason::AffiliationChanged => "affiliationChanged",
            RevocationReason::Superseded => "superseded",
            RevocationReason::CessationOfOperation => "cessationOfOperation",
            RevocationReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        }
    }

    /// `unspecified` is written as no reasonCode at all (RFC 5280 5.3.1
    /// says the code SHOULD be absent rather than 0).
    pub(crate) fn code(self) -> Option<rcgen::RevocationReason> {
        use rcgen::RevocationReason as R;
        match self {
            RevocationReason::Unspecified => None,
            RevocationReason::KeyCompromise => Some(R::KeyCompromise),
            RevocationReason::CaCompromise => Some(R::CaCompromise),
            RevocationReason::AffiliationChanged => Some(R::AffiliationChanged),
            RevocationReason::Superseded => Some(R::Superseded),
            RevocationReason::CessationOfOperation => Some(R::CessationOfOperation),
            RevocationReason::PrivilegeWithdrawn => Some(R::PrivilegeWithdrawn),
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RevocationReason {
    /// The exact spelling the index stores ([`RevocationReason::as_str`]):
    /// no folding, since a CRL reads it once per revoked certificate.
    pub fn from_stored(s: &str) -> Option<RevocationReason> {
        RevocationReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl FromStr for RevocationReason {
    type Err = InvalidArgument;
    /// Accepts `keyCompromise`, `key-compromise`, `key_compromise`, any case.
    fn from_str(s: &str) -> Result<Self, InvalidArgument> {
        let fold = |v: &str| {
            v.chars()
                .filter(|c| *c != '-' && *c != '_')
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let wanted = fold(s);
        RevocationReason::ALL
            .into_iter()
            .find(|r| fold(r.as_str()) == wanted)
            .ok_or_else(|| InvalidArgument::RevocationReasonUnknown {
                reason: crate::validate::printable(s, 40),
            })
    }
}

#[derive(Debug, Clone)]
pub struct RevokedEntry {
    pub serial: Serial,
    pub revoked_at: OffsetDateTime,
    pub reason: RevocationReason,
}

impl RevokedEntry {
    pub(crate) fn to_params(&self) -> rcgen::RevokedCertParams {
        rcgen::RevokedCertParams {
            serial_number: rcgen::SerialNumber::from_slice(self.serial.as_bytes()),
            revocation_time: self.revoked_at,
            reason_code: self.reason.code(),
            invalidity_date: None,
        }
    }
}

/// When the current CRL was made and when it runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrlSchedule {
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
}

/// thisUpdate lies this far before the moment the CRL is signed, as the
/// leaves' notBefore does: a clinic PC whose clock runs behind would
/// otherwise call the CRL "not yet valid" and refuse every certificate.
pub const CRL_BACKDATE: Duration = Duration::hours(1);

impl CrlSchedule {
    pub fn starting(now: OffsetDateTime, validity_days: i64) -> CrlSchedule {
        CrlSchedule {
            this_update: now - CRL_BACKDATE,
            next_update: now + Duration::days(validity_days),
        }
    }

    /// When the CRL was signed: anything revoked later is missing from it.
    pub fn signed_at(&self) -> OffsetDateTime {
        self.this_update + CRL_BACKDATE
    }

    /// Renew once two thirds of the CRL's life have passed, leaving a third
    /// for a timer that missed days (machine off over a holiday).
    pub fn renew_after(&self) -> OffsetDateTime {
        self.this_update + (self.next_update - self.this_update) * 2 / 3
    }

    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        now >= self.renew_after()
    }
}

pub fn asn1_to_time(t: &Asn1TimeRef) -> Result<OffsetDateTime> {
    let epoch = Asn1Time::from_unix(0)?;
    let diff = epoch.diff(t)?;
    let secs = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    OffsetDateTime::from_unix_timestamp(secs).map_err(Error::crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_parse_in_every_spelling() {
        for s in ["keyCompromise", "key-compromise", "KEY_COMPROMISE"] {
            assert_eq!(s.parse(), Ok(RevocationReason::KeyCompromise));
        }
        assert!("certificateHold".parse::<RevocationReason>().is_err());
        assert!("".parse::<RevocationReason>().is_err());
        assert_eq!(RevocationReason::Unspecified.code(), None);
    }

    #[test]
    fn due_after_two_thirds() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("t");
        let s = CrlSchedule::starting(t0, 30);
        assert!(!s.is_due(t0 + Duration::days(19)));
        assert!(s.is_due(t0 + Duration::days(20)));
    }
}
