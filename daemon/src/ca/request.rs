//! Certificate signing requests (PKCS#10) from people who keep their own
//! key. Only two things are taken from a request: its public key and the
//! names it asks for. Every extension it requests (basicConstraints,
//! keyUsage, …) is ignored: the certificate gets our profile's.

use std::net::IpAddr;

use openssl::nid::Nid;
use openssl::x509::X509Req;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

use super::keys::PublicKey;
use crate::error::InvalidArgument;
use crate::validate;

/// A request larger than this is not a request: an RSA 4096 CSR with a
/// hundred names stays far below. The bus refuses larger ones before
/// asking polkit, with the same limit.
pub const MAX_BYTES: usize = orca_ca_proto::wire::MAX_CSR_BYTES;

/// A request whose signature and key type were checked; names not yet
/// validated (that depends on the profile it is signed for).
#[derive(Debug, Clone)]
pub struct SigningRequest {
    pub key: PublicKey,
    /// Every commonName of the subject, in order.
    pub common_names: Vec<String>,
    /// DNS entries of the requested subjectAltName.
    pub dns: Vec<String>,
    /// IP entries of the requested subjectAltName.
    pub ips: Vec<IpAddr>,
}

impl SigningRequest {
    /// PEM (`BEGIN CERTIFICATE REQUEST`) or DER. Refuses a request whose
    /// own signature does not verify (it was altered, or its key is not
    /// the requester's), then a key of a type we do not issue for.
    pub fn parse(bytes: &[u8]) -> Result<SigningRequest, InvalidArgument> {
        if bytes.is_empty() {
            return Err(InvalidArgument::CsrEmpty);
        }
        if bytes.len() > MAX_BYTES {
            return Err(InvalidArgument::CsrTooLarge {
                size: bytes.len(),
                max: MAX_BYTES,
            });
        }
        // PEM may follow text (`openssl req -text` prints the request first).
        let req = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
            X509Req::from_pem(bytes)
        } else {
            X509Req::from_der(bytes)
        }
        .map_err(|_| InvalidArgument::CsrUnreadable)?;
        let pkey = req
            .public_key()
            .map_err(|_| InvalidArgument::CsrUnreadable)?;
        if !req.verify(&pkey).unwrap_or(false) {
            return Err(InvalidArgument::CsrSignatureInvalid);
        }
        let key = PublicKey::from_pkey(&pkey)
            .map_err(|found| InvalidArgument::CsrKeyUnsupported { found })?;
        let common_names = req
            .subject_name()
            .entries_by_nid(Nid::COMMONNAME)
            .map(|e| {
                e.data()
                    .to_string()
                    .map_err(|_| InvalidArgument::CsrUnreadable)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let der = req.to_der().map_err(|_| InvalidArgument::CsrUnreadable)?;
        let (dns, ips) = requested_names(&der)?;
        Ok(SigningRequest {
            key,
            common_names,
            dns,
            ips,
        })
    }

    /// The one commonName a client certificate is issued for, validated
    /// as `IssueClientCert` validates its argument.
    pub fn client_name(&self) -> Result<&str, InvalidArgument> {
        match self.common_names.as_slice() {
            [cn] => {
                validate::common_name(cn)?;
                Ok(cn)
            }
            other => Err(InvalidArgument::CsrCommonNames { count: other.len() }),
        }
    }

    /// Host names and addresses for `ServerNames::new`: the subjectAltName
    /// entries, or the single commonName when the request has none (many
    /// tools still put the host only there).
    pub fn server_names(&self) -> Result<(Vec<String>, Vec<String>), InvalidArgument> {
        let ips: Vec<String> = self.ips.iter().map(ToString::to_string).collect();
        if !self.dns.is_empty() || !ips.is_empty() {
            return Ok((self.dns.clone(), ips));
        }
        match self.common_names.as_slice() {
            [] => Err(InvalidArgument::CsrNoNames),
            [cn] => Ok((vec![cn.clone()], Vec::new())),
            other => Err(InvalidArgument::CsrCommonNames { count: other.len() }),
        }
    }
}

/// DNS and IP entries of the extensionRequest's subjectAltName. Other kinds
/// (e-mail, URI, directory names) are refused rather than dropped: the
/// requester would get a certificate without a name they asked for.
fn requested_names(der: &[u8]) -> Result<(Vec<String>, Vec<IpAddr>), InvalidArgument> {
    let (_, csr) =
        X509CertificationRequest::from_der(der).map_err(|_| InvalidArgument::CsrUnreadable)?;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    let Some(extensions) = csr.requested_extensions() else {
        return Ok((dns, ips));
    };
    for ext in extensions {
        let ParsedExtension::SubjectAlternativeName(san) = ext else {
            continue;
        };
        for name in &san.general_names {
            match name {
                GeneralName::DNSName(h) => dns.push((*h).to_owned()),
                GeneralName::IPAddress(b) => ips.push(ip_from_bytes(b)?),
                other => {
                    return Err(InvalidArgument::CsrNameUnsupported {
                        name: validate::printable(&other.to_string(), 80),
                    });
                }
            }
        }
    }
    Ok((dns, ips))
}

fn ip_from_bytes(b: &[u8]) -> Result<IpAddr, InvalidArgument> {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        Ok(IpAddr::from(v4))
    } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
        Ok(IpAddr::from(v6))
    } else {
        Err(InvalidArgument::CsrNameUnsupported {
            name: format!("IP address of {} bytes", b.len()),
        })
    }
}
