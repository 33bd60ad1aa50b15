//! The ORCA bundle: `NNNNNN__JP_orca_<CN>.zip` holding one folder with
//! `.crt`, `.enc.pem`, `.p12`, `.pass`, `.pem` and `ca.crt`, exactly as
//! orca-catool made it, so the ORCA page's instructions keep working.

use std::io::{Cursor, Write};

use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::stack::Stack;
use openssl::x509::{X509, X509NameRef};
use time::OffsetDateTime;
use zip::write::SimpleFileOptions;

use super::keys::KeyPair;
use crate::config::P12Profile;
use crate::error::{Error, Result};
use crate::ids::IssueNumber;

pub const PASSPHRASE_LEN: usize = 16;
const PASSPHRASE_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// 16 letters and digits from the OS CSPRNG, without modulo bias.
pub fn passphrase() -> Result<String> {
    let mut out = String::with_capacity(PASSPHRASE_LEN);
    // 62 symbols: bytes >= 248 (4 * 62) are drawn again.
    let limit = (256 / PASSPHRASE_ALPHABET.len() * PASSPHRASE_ALPHABET.len()) as u8;
    while out.len() < PASSPHRASE_LEN {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(Error::crypto)?;
        for b in buf {
            if b < limit && out.len() < PASSPHRASE_LEN {
                out.push(PASSPHRASE_ALPHABET[usize::from(b) % PASSPHRASE_ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// The private parts of a bundle. Kept in the index (key escrow) so an
/// export hands out byte-identical files; never logged.
pub struct Material {
    pub key_pem: String,
    pub encrypted_key_pem: String,
    pub pkcs12: Vec<u8>,
    pub passphrase: String,
}

impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Material { .. }")
    }
}

impl Material {
    pub fn build(
        key: &KeyPair,
        cert: &X509,
        ca: &X509,
        friendly_name: &str,
        profile: P12Profile,
    ) -> Result<Material> {
        let passphrase = passphrase()?;
        let mut chain = Stack::new()?;
        chain.push(ca.clone())?;
        let mut builder = Pkcs12::builder();
        builder
            .name(friendly_name)
            .pkey(key.pkey())
            .cert(cert)
            .ca(chain);
        match profile {
            // 3DES bags and a SHA-1 MAC: read by Windows, macOS, Java,
            // OpenSSL 3 without -legacy, curl and NSS.
            P12Profile::Compat => builder
                .key_algorithm(Nid::PBE_WITHSHA1AND3_KEY_TRIPLEDES_CBC)
                .cert_algorithm(Nid::PBE_WITHSHA1AND3_KEY_TRIPLEDES_CBC)
                .mac_md(MessageDigest::sha1()),
            // PBES2: AES-256-CBC with PBKDF2, SHA-256 MAC.
            P12Profile::Modern => builder
                .key_algorithm(Nid::AES_256_CBC)
                .cert_algorithm(Nid::AES_256_CBC)
                .mac_md(MessageDigest::sha256()),
        };
        let pkcs12 = builder.build2(&passphrase)?.to_der()?;
        Ok(Material {
            key_pem: key.pkcs8_pem()?,
            encrypted_key_pem: key.encrypted_pem(&passphrase)?,
            pkcs12,
            passphrase,
        })
    }
}

/// `000003__JP_orca_user1`: the issue number and the subject, as orca-catool named them.
pub fn base_name(number: IssueNumber, cn: &str) -> String {
    format!("{number}__JP_orca_{cn}")
}

/// `/C=JP/O=orca/CN=x`, the form OpenSSL and the ORCA log print.
pub fn one_line_name(name: &X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("/{key}={value}")
        })
        .collect()
}

/// The zip, byte for byte the same for the same inputs (fixed timestamps),
/// so an export equals the original delivery. Without `material` (key
/// escrow off) only the certificate and `ca.crt` can be rebuilt.
pub fn zip(
    base: &str,
    cert_pem: &str,
    material: Option<&Material>,
    ca_pem: &str,
    stamp: OffsetDateTime,
) -> Result<Vec<u8>> {
    let when = zip::DateTime::from_date_and_time(
        stamp.year().clamp(1980, 2107) as u16,
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second(),
    )
    .unwrap_or_default();
    let opts = |mode: u32| {
        SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(when)
            .unix_permissions(mode)
    };
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let add = |w: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: String, mode: u32, data: &[u8]| {
        w.start_file(name, opts(mode)).map_err(Error::crypto)?;
        w.write_all(data).map_err(Error::crypto)
    };
    w.add_directory(format!("{base}/"), opts(0o700))
        .map_err(Error::crypto)?;
    add(
        &mut w,
        format!("{base}/{base}.crt"),
        0o644,
        cert_pem.as_bytes(),
    )?;
    if let Some(m) = material {
        add(
            &mut w,
            format!("{base}/{base}.enc.pem"),
            0o600,
            m.encrypted_key_pem.as_bytes(),
        )?;
        add(&mut w, format!("{base}/{base}.p12"), 0o600, &m.pkcs12)?;
        add(
            &mut w,
            format!("{base}/{base}.pass"),
            0o600,
            format!("{}\n", m.passphrase).as_bytes(),
        )?;
        add(
            &mut w,
            format!("{base}/{base}.pem"),
            0o600,
            m.key_pem.as_bytes(),
        )?;
    }
    add(&mut w, format!("{base}/ca.crt"), 0o644, ca_pem.as_bytes())?;
    Ok(w.finish().map_err(Error::crypto)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_are_16_alphanumerics_and_differ() {
        let a = passphrase().expect("a");
        let b = passphrase().expect("b");
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn base_name_matches_the_orca_page() {
        let n = IssueNumber::new(2).expect("n");
        assert_eq!(
            base_name(n, "192.168.1.100"),
            "000002__JP_orca_192.168.1.100"
        );
    }
}
