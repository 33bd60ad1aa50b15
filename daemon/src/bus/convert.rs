//! Engine values to wire dictionaries, and caller dictionaries to engine
//! values (unknown keys and wrong types refused by name).

use std::collections::HashMap;

use orca_ca_proto::wire::{CertInfo, CrlInfo};
use orca_cad::index::{CertRecord, StoredCrl};
use orca_cad::messages;
use orca_cad::service::crl_pem;
use time::OffsetDateTime;
use zbus::zvariant::{OwnedValue, Value};

use super::errors::BusError;

pub fn cert_info(r: &CertRecord, now: OffsetDateTime) -> CertInfo {
    CertInfo {
        number: r.number.get(),
        issue_number: r.number.to_string(),
        serial: r.serial.hex(),
        kind: r.kind.as_str().into(),
        common_name: r.common_name.clone(),
        alt_names: r.alt_names.iter().map(ToString::to_string).collect(),
        key_type: r.key_type.as_str().into(),
        issued_at: r.issued_at.unix_timestamp(),
        not_before: r.not_before.unix_timestamp(),
        not_after: r.not_after.unix_timestamp(),
        status: r.status(now).as_str().into(),
        revoked_at: r.revocation.as_ref().map(|v| v.at.unix_timestamp()),
        revocation_reason: r.revocation.as_ref().map(|v| v.reason.as_str().into()),
        fingerprint_sha256: r.fingerprint_sha256.clone(),
        has_key_material: r.has_key_material,
        base_name: r.base_name(),
        certificate_pem: None,
        warnings: None,
    }
}

pub fn crl_info(crl: &StoredCrl, state_dir: &std::path::Path) -> Result<CrlInfo, BusError> {
    Ok(CrlInfo {
        crl_number: crl.number,
        this_update: crl.schedule.this_update.unix_timestamp(),
        next_update: crl.schedule.next_update.unix_timestamp(),
        renew_after: crl.schedule.renew_after().unix_timestamp(),
        revoked_count: crl.revoked_count,
        pem: crl_pem(&crl.der),
        der_path: state_dir.join("crl.der").display().to_string(),
        pem_path: state_dir.join("crl.pem").display().to_string(),
    })
}

/// A caller's `a{sv}`: each known key taken once, the rest refused.
#[derive(Debug)]
pub struct Options {
    map: HashMap<String, OwnedValue>,
}

impl Options {
    pub fn new(map: HashMap<String, OwnedValue>) -> Self {
        Options { map }
    }

    pub fn string(&mut self, key: &str) -> Result<Option<String>, BusError> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(v) => match &*v {
                Value::Str(s) => Ok(Some(s.to_string())),
                _ => Err(BusError::invalid(messages::option_type(
                    key,
                    "a string (s)",
                ))),
            },
        }
    }

    /// Days and counts: any unsigned or signed integer type is accepted, so
    /// `busctl … u 30` and `… i 30` both work.
    pub fn integer(&mut self, key: &str) -> Result<Option<i64>, BusError> {
        let Some(v) = self.map.remove(key) else {
            return Ok(None);
        };
        let n = match &*v {
            Value::U8(n) => i64::from(*n),
            Value::U16(n) => i64::from(*n),
            Value::U32(n) => i64::from(*n),
            Value::I16(n) => i64::from(*n),
            Value::I32(n) => i64::from(*n),
            Value::I64(n) => *n,
            Value::U64(n) => i64::try_from(*n).unwrap_or(i64::MAX),
            _ => {
                return Err(BusError::invalid(messages::option_type(
                    key,
                    "an integer (u)",
                )));
            }
        };
        Ok(Some(n))
    }

    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, BusError> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(v) => match &*v {
                Value::Bool(b) => Ok(Some(*b)),
                _ => Err(BusError::invalid(messages::option_type(
                    key,
                    "a boolean (b)",
                ))),
            },
        }
    }

    pub fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>, BusError> {
        let Some(v) = self.map.remove(key) else {
            return Ok(None);
        };
        let wrong = || BusError::invalid(messages::option_type(key, "an array of strings (as)"));
        let Value::Array(items) = &*v else {
            return Err(wrong());
        };
        items
            .iter()
            .map(|item| match item {
                Value::Str(s) => Ok(s.to_string()),
                _ => Err(wrong()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    pub fn finish(self) -> Result<(), BusError> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(k) => Err(BusError::invalid(messages::option_unknown(
                &orca_cad::validate::printable(k, 60),
            ))),
        }
    }
}
