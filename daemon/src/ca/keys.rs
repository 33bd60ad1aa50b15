//! Key pairs, generated and used through the system OpenSSL (so security
//! updates of libssl reach the CA), adapted to rcgen's signing traits.

use std::fmt;

use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey, PointConversionForm};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{HasPublic, Id, PKey, PKeyRef, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use openssl::symm::Cipher;

use crate::config::KeyType;
use crate::error::{Error, Result};

pub struct KeyPair {
    pkey: PKey<Private>,
    public: PublicKey,
}

/// The public half of a key of a type we issue for: ours, or the one in a
/// certificate signing request (whose private half we never see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key_type: KeyType,
    /// subjectPublicKey bits: RSAPublicKey DER, or the uncompressed EC point.
    bits: Vec<u8>,
}

impl PublicKey {
    /// Accepts exactly the key types we generate ourselves; anything else
    /// is refused with what it is (`RSA 1024`, `EC secp384r1`, `ED25519`).
    pub fn from_pkey<T: HasPublic>(pkey: &PKeyRef<T>) -> Result<PublicKey, String> {
        match pkey.id() {
            Id::RSA => {
                let rsa = pkey.rsa().map_err(|e| e.to_string())?;
                let bits = rsa.size() * 8;
                let key_type = match bits {
                    2048 => KeyType::Rsa2048,
                    3072 => KeyType::Rsa3072,
                    4096 => KeyType::Rsa4096,
                    _ => return Err(format!("RSA {bits}")),
                };
                let bits = rsa.public_key_to_der_pkcs1().map_err(|e| e.to_string())?;
                Ok(PublicKey { key_type, bits })
            }
            Id::EC => {
                let ec = pkey.ec_key().map_err(|e| e.to_string())?;
                let curve = ec.group().curve_name();
                if curve != Some(Nid::X9_62_PRIME256V1) {
                    let name = curve
                        .and_then(|n| n.short_name().ok())
                        .unwrap_or("with explicit parameters");
                    return Err(format!("EC {name}"));
                }
                let mut ctx = BigNumContext::new().map_err(|e| e.to_string())?;
                let bits = ec
                    .public_key()
                    .to_bytes(ec.group(), PointConversionForm::UNCOMPRESSED, &mut ctx)
                    .map_err(|e| e.to_string())?;
                Ok(PublicKey {
                    key_type: KeyType::EcdsaP256,
                    bits,
                })
            }
            other => Err(Nid::from_raw(other.as_raw())
                .short_name()
                .map_or_else(|_| format!("type {}", other.as_raw()), str::to_uppercase)),
        }
    }

    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    pub fn key_identifier(&self) -> Result<Vec<u8>> {
        Ok(openssl::hash::hash(MessageDigest::sha1(), &self.bits)?.to_vec())
    }
}

impl rcgen::PublicKeyData for PublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        if self.key_type.is_rsa() {
            &rcgen::PKCS_RSA_SHA256
        } else {
            &rcgen::PKCS_ECDSA_P256_SHA256
        }
    }
}

// Never print key material, not even in debug output.
impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_type", &self.public.key_type)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    pub fn generate(key_type: KeyType) -> Result<KeyPair> {
        let pkey = match key_type {
            KeyType::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?)?,
            KeyType::Rsa3072 => PKey::from_rsa(Rsa::generate(3072)?)?,
            KeyType::Rsa4096 => PKey::from_rsa(Rsa::generate(4096)?)?,
            KeyType::EcdsaP256 => {
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(EcKey::generate(&group)?)?
            }
        };
        KeyPair::from_pkey(pkey)
    }

    pub fn from_pkcs8_pem(pem: &[u8]) -> Result<KeyPair> {
        KeyPair::from_pkey(PKey::private_key_from_pem(pem)?)
    }

    fn from_pkey(pkey: PKey<Private>) -> Result<KeyPair> {
        let public = PublicKey::from_pkey(&pkey).map_err(|_| Error::Crypto {
            detail: crate::messages::unsupported_key(),
        })?;
        Ok(KeyPair { pkey, public })
    }

    pub fn key_type(&self) -> KeyType {
        self.public.key_type
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn pkey(&self) -> &PKey<Private> {
        &self.pkey
    }

    /// Unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`), what WebORCA-Server reads.
    pub fn pkcs8_pem(&self) -> Result<String> {
        pem_string(self.pkey.private_key_to_pem_pkcs8()?)
    }

    /// PKCS#8 encrypted with AES-256-CBC; OpenSSL 3 derives the key with
    /// PBKDF2 (PBES2, hmacWithSHA256).
    pub fn encrypted_pem(&self, passphrase: &str) -> Result<String> {
        pem_string(
            self.pkey.private_key_to_pem_pkcs8_passphrase(
                Cipher::aes_256_cbc(),
                passphrase.as_bytes(),
            )?,
        )
    }

    pub fn key_identifier(&self) -> Result<Vec<u8>> {
        self.public.key_identifier()
    }

    /// Whether `cert` carries this key's public half.
    pub fn matches(&self, cert: &openssl::x509::X509Ref) -> Result<bool> {
        Ok(cert.public_key()?.public_eq(&self.pkey))
    }
}

fn pem_string(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(Error::crypto)
}

impl rcgen::PublicKeyData for KeyPair {
    fn der_bytes(&self) -> &[u8] {
        self.public.der_bytes()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.public.algorithm()
    }
}

impl rcgen::SigningKey for KeyPair {
    /// RSA PKCS#1 v1.5 or ECDSA (DER-encoded signature), both over SHA-256.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let sign = || -> Result<Vec<u8>, openssl::error::ErrorStack> {
            let mut signer = Signer::new(MessageDigest::sha256(), &self.pkey)?;
            signer.update(msg)?;
            signer.sign_to_vec()
        };
        sign().map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_type_round_trips_through_pem() {
        for kt in [KeyType::Rsa2048, KeyType::EcdsaP256] {
            let k = KeyPair::generate(kt).expect("generate");
            let pem = k.pkcs8_pem().expect("pem");
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
            let back = KeyPair::from_pkcs8_pem(pem.as_bytes()).expect("parse");
            assert_eq!(back.key_type(), kt);
            assert_eq!(back.key_identifier().ok(), k.key_identifier().ok());
            let enc = k.encrypted_pem("secret").expect("enc");
            assert!(enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            assert!(
                PKey::private_key_from_pem_passphrase(enc.as_bytes(), b"wrong").is_err(),
                "wrong passphrase must fail"
            );
        }
    }

    #[test]
    fn foreign_key_types_are_named_in_the_refusal() {
        let rsa1024 = PKey::from_rsa(Rsa::generate(1024).expect("rsa")).expect("pkey");
        assert_eq!(PublicKey::from_pkey(&rsa1024), Err("RSA 1024".into()));
        let p384 =
            EcKey::generate(&EcGroup::from_curve_name(Nid::SECP384R1).expect("group")).expect("ec");
        let p384 = PKey::from_ec_key(p384).expect("pkey");
        assert_eq!(PublicKey::from_pkey(&p384), Err("EC secp384r1".into()));
        let ed = PKey::generate_ed25519().expect("ed25519");
        assert_eq!(PublicKey::from_pkey(&ed), Err("ED25519".into()));
        let ours = KeyPair::generate(KeyType::EcdsaP256).expect("generate");
        assert_eq!(
            PublicKey::from_pkey(ours.pkey()).as_ref(),
            Ok(ours.public()),
            "our own keys pass the same gate"
        );
    }

    #[test]
    fn debug_output_has_no_key() {
        let k = KeyPair::generate(KeyType::EcdsaP256).expect("generate");
        assert!(!format!("{k:?}").contains("PRIVATE"));
    }
}
