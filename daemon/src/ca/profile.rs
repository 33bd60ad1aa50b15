//! What goes into each kind of certificate. These choices decide whether
//! Chrome, NSS and OpenSSL accept what we issue (see DESIGN.md).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyUsagePurpose, SanType, SerialNumber,
};
use time::OffsetDateTime;

use crate::config::KeyType;
use crate::error::{InvalidArgument, Result};
use crate::ids::Serial;
use crate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    Ca,
    Server,
    Client,
}

impl CertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CertKind::Ca => "ca",
            CertKind::Server => "server",
            CertKind::Client => "client",
        }
    }
}

impl FromStr for CertKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "ca" => Ok(CertKind::Ca),
            "server" => Ok(CertKind::Server),
            "client" => Ok(CertKind::Client),
            _ => Err(()),
        }
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltName {
    Dns(String),
    Ip(IpAddr),
}

impl fmt::Display for AltName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AltName::Dns(h) => write!(f, "DNS:{h}"),
            AltName::Ip(ip) => write!(f, "IP:{ip}"),
        }
    }
}

impl FromStr for AltName {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if let Some(h) = s.strip_prefix("DNS:") {
            Ok(AltName::Dns(h.to_owned()))
        } else if let Some(ip) = s.strip_prefix("IP:") {
            ip.parse().map(AltName::Ip).map_err(|_| ())
        } else {
            Err(())
        }
    }
}

/// The names of a server certificate, validated: every name in
/// subjectAltName (Chrome matches only SAN), the first host name (else the
/// first address) as CN for old Java clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerNames {
    pub common_name: String,
    pub alt_names: Vec<AltName>,
    /// Addresses given as host names (`-c 192.168.1.100`), moved to IP SANs.
    pub moved_to_ip: Vec<String>,
}

impl ServerNames {
    pub fn new(hosts: &[String], ips: &[String]) -> Result<ServerNames, InvalidArgument> {
        if hosts.is_empty() && ips.is_empty() {
            return Err(InvalidArgument::NoHosts);
        }
        let count = hosts.len() + ips.len();
        if count > validate::SAN_MAX {
            return Err(InvalidArgument::TooManyNames {
                count,
                max: validate::SAN_MAX,
            });
        }
        let mut dns = Vec::new();
        let mut addrs = Vec::new();
        let mut moved_to_ip = Vec::new();
        for h in hosts {
            // A bare address given as a host name would never match in a
            // browser as a DNS SAN; it belongs in an IP SAN.
            if let Ok(ip) = h.trim().parse::<IpAddr>() {
                moved_to_ip.push(h.clone());
                addrs.push(ip);
            } else {
                dns.push(validate::host_name(h)?);
            }
        }
        for ip in ips {
            addrs.push(validate::ip_address(ip)?);
        }
        let mut alt_names: Vec<AltName> = Vec::new();
        for name in dns
            .iter()
            .cloned()
            .map(AltName::Dns)
            .chain(addrs.iter().copied().map(AltName::Ip))
        {
            if !alt_names.contains(&name) {
                alt_names.push(name);
            }
        }
        let common_name = match (dns.first(), addrs.first()) {
            (Some(h), _) => h.clone(),
            (None, Some(ip)) => ip.to_string(),
            (None, None) => return Err(InvalidArgument::NoHosts),
        };
        Ok(ServerNames {
            common_name,
            alt_names,
            moved_to_ip,
        })
    }
}

/// `/C=JP/O=orca/CN=<cn>`, with countryName as PrintableString (RFC 5280).
pub fn subject(cn: &str) -> Result<DistinguishedName> {
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString("JP".try_into()?),
    );
    dn.push(DnType::OrganizationName, "orca");
    dn.push(DnType::CommonName, cn);
    Ok(dn)
}

/// Validity and identity shared by every certificate we make.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub serial: Serial,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub key_identifier: Vec<u8>,
}

fn base(cn: &str, stamp: &Stamp) -> Result<CertificateParams> {
    let mut p = CertificateParams::default();
    p.distinguished_name = subject(cn)?;
    p.serial_number = Some(SerialNumber::from_slice(stamp.serial.as_bytes()));
    p.not_before = stamp.not_before;
    p.not_after = stamp.not_after;
    p.key_identifier_method = KeyIdMethod::PreSpecified(stamp.key_identifier.clone());
    Ok(p)
}

/// The CA: basicConstraints CA:TRUE (critical, pathlen 0: it signs only
/// leaves), keyUsage keyCertSign + cRLSign (critical), SKI.
pub fn ca(name: &str, stamp: &Stamp) -> Result<CertificateParams> {
    let mut p = base(name, stamp)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(p)
}

/// Server: EKU serverAuth, keyUsage digitalSignature (+ keyEncipherment for
/// RSA; Chrome refuses an RSA server certificate without digitalSignature).
pub fn server(names: &ServerNames, key_type: KeyType, stamp: &Stamp) -> Result<CertificateParams> {
    let mut p = leaf(&names.common_name, stamp)?;
    p.subject_alt_names = names
        .alt_names
        .iter()
        .map(|n| match n {
            AltName::Dns(h) => Ok(SanType::DnsName(h.as_str().try_into()?)),
            AltName::Ip(ip) => Ok(SanType::IpAddress(*ip)),
        })
        .collect::<Result<_, rcgen::Error>>()?;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if key_type.is_rsa() {
        p.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok(p)
}

/// Client: EKU clientAuth, keyUsage digitalSignature only (keyEncipherment
/// on a client certificate trips RFC 5280 linters).
pub fn client(cn: &str, stamp: &Stamp) -> Result<CertificateParams> {
    let mut p = leaf(cn, stamp)?;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    Ok(p)
}

fn leaf(cn: &str, stamp: &Stamp) -> Result<CertificateParams> {
    let mut p = base(cn, stamp)?;
    p.is_ca = IsCa::ExplicitNoCa;
    p.use_authority_key_identifier_extension = true;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn cn_is_first_host_else_first_ip() {
        let n = ServerNames::new(&s(&["weborca-server"]), &s(&["192.168.1.100"])).expect("ok");
        assert_eq!(n.common_name, "weborca-server");
        assert_eq!(n.alt_names.len(), 2);
        let n = ServerNames::new(&[], &s(&["192.168.1.100", "::1"])).expect("ok");
        assert_eq!(n.common_name, "192.168.1.100");
    }

    #[test]
    fn address_given_as_host_becomes_ip_san() {
        let n = ServerNames::new(&s(&["10.0.0.1"]), &[]).expect("ok");
        assert_eq!(
            n.alt_names,
            vec![AltName::Ip("10.0.0.1".parse().expect("ip"))]
        );
        assert_eq!(n.moved_to_ip, s(&["10.0.0.1"]));
    }

    #[test]
    fn bad_server_names_are_refused() {
        assert_eq!(ServerNames::new(&[], &[]), Err(InvalidArgument::NoHosts));
        assert!(matches!(
            ServerNames::new(&[], &s(&["192.168.1.300"])),
            Err(InvalidArgument::IpAddressInvalid { .. })
        ));
        let many: Vec<String> = (0..10_000).map(|i| format!("h{i}")).collect();
        assert!(matches!(
            ServerNames::new(&many, &[]),
            Err(InvalidArgument::TooManyNames { count: 10_000, .. })
        ));
    }

    #[test]
    fn duplicates_collapse() {
        let n = ServerNames::new(&s(&["a", "A"]), &s(&["::1", "0:0::1"])).expect("ok");
        assert_eq!(n.alt_names.len(), 2);
    }
}
