//! The CA itself: its key and certificate, and the two things it signs
//! (leaf certificates and CRLs).

use openssl::x509::X509;
use rcgen::{CertificateParams, Issuer};
use time::OffsetDateTime;

use super::crl::RevokedEntry;
use super::keys::KeyPair;
use super::profile::{self, Stamp};
use crate::config::KeyType;
use crate::error::{Error, Result};
use crate::ids::Serial;

#[derive(Debug)]
pub struct Authority {
    key: KeyPair,
    cert_der: Vec<u8>,
    cert: X509,
    key_identifier: Vec<u8>,
    /// The CA's own CN; the issuer name is rebuilt from it exactly as the
    /// CA certificate was made.
    name: String,
}

impl Authority {
    /// A new self-signed CA named `/C=JP/O=orca/CN=<name>`.
    pub fn create(
        name: &str,
        key_type: KeyType,
        serial: Serial,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Authority> {
        let key = KeyPair::generate(key_type)?;
        let stamp = Stamp {
            serial,
            not_before,
            not_after,
            key_identifier: key.key_identifier()?,
        };
        let cert = profile::ca(name, &stamp)?.self_signed(&key)?;
        Authority::from_parts(key, cert.der().to_vec())
    }

    /// From the files in the state directory; the key must belong to the
    /// certificate, or the CA would sign things nobody can verify.
    pub fn load(cert_pem: &[u8], key_pem: &[u8]) -> Result<Authority> {
        let cert = X509::from_pem(cert_pem)?;
        let key = KeyPair::from_pkcs8_pem(key_pem)?;
        Authority::from_parts(key, cert.to_der()?)
    }

    fn from_parts(key: KeyPair, cert_der: Vec<u8>) -> Result<Authority> {
        let cert = X509::from_der(&cert_der)?;
        if !key.matches(&cert)? {
            return Err(Error::Crypto {
                detail: crate::messages::ca_key_mismatch(),
            });
        }
        let key_identifier = key.key_identifier()?;
        let name = cert
            .subject_name()
            .entries_by_nid(openssl::nid::Nid::COMMONNAME)
            .next()
            .and_then(|e| e.data().to_string().ok())
            .ok_or_else(|| Error::Crypto {
                detail: crate::messages::ca_without_name(),
            })?;
        Ok(Authority {
            key,
            cert_der,
            cert,
            key_identifier,
            name,
        })
    }

    pub fn key(&self) -> &KeyPair {
        &self.key
    }

    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn cert(&self) -> &X509 {
        &self.cert
    }

    pub fn cert_pem(&self) -> Result<String> {
        String::from_utf8(self.cert.to_pem()?).map_err(Error::crypto)
    }

    pub fn not_after(&self) -> Result<OffsetDateTime> {
        crate::ca::crl::asn1_to_time(self.cert.not_after())
    }

    pub fn subject(&self) -> String {
        crate::ca::bundle::one_line_name(self.cert.subject_name())
    }

    fn issuer(&self) -> Result<Issuer<'static, &KeyPair>> {
        let mut params = CertificateParams::default();
        params.distinguished_name = profile::subject(&self.name)?;
        params.key_identifier_method =
            rcgen::KeyIdMethod::PreSpecified(self.key_identifier.clone());
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        Ok(Issuer::new(params, &self.key))
    }

    /// Signs `params` for `subject_key` (ours, or a request's).
    pub fn sign(
        &self,
        params: &CertificateParams,
        subject_key: &impl rcgen::PublicKeyData,
    ) -> Result<Vec<u8>> {
        let issuer = self.issuer()?;
        Ok(params.signed_by(subject_key, &issuer)?.der().to_vec())
    }

    /// A v2 CRL with AKI and CRL number, listing `revoked`. rcgen writes
    /// the CRL without entries; the entries are written by `crl_der`, which
    /// is many times faster at a million of them.
    pub fn sign_crl(
        &self,
        number: u64,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        revoked: &[RevokedEntry],
    ) -> Result<Vec<u8>> {
        let empty = self.sign_crl_with_rcgen(number, this_update, next_update, &[])?;
        if revoked.is_empty() {
            return Ok(empty);
        }
        super::crl_der::with_entries(&empty, revoked, &self.key)
    }

    /// The CRL entirely by rcgen (the reference the fast path is tested against).
    pub(crate) fn sign_crl_with_rcgen(
        &self,
        number: u64,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        revoked: &[RevokedEntry],
    ) -> Result<Vec<u8>> {
        let params = rcgen::CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: rcgen::SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: revoked.iter().map(RevokedEntry::to_params).collect(),
            key_identifier_method: rcgen::KeyIdMethod::PreSpecified(self.key_identifier.clone()),
        };
        let issuer = self.issuer()?;
        Ok(params.signed_by(&issuer)?.der().to_vec())
    }
}
