//! `/etc/orca-ca/orca-cad.toml`: administrator settings over compiled-in
//! defaults. Unknown keys and bad values are errors that name the key, so a
//! typo never silently falls back to a default.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::error::{Error, InvalidArgument, Result};

pub const DEFAULT_PATH: &str = "/etc/orca-ca/orca-cad.toml";
pub const DEFAULT_STATE_DIR: &str = "/var/lib/orca-ca";
pub const DEFAULT_WEBORCA_DIR: &str = "/opt/jma/weborca/conf";
/// Longest validity accepted anywhere: 100 years.
pub const MAX_VALIDITY_DAYS: i64 = 36_500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
}

impl KeyType {
    pub const ALL: [KeyType; 4] = [
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
        }
    }

    pub fn is_rsa(self) -> bool {
        !matches!(self, KeyType::EcdsaP256)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = InvalidArgument;
    fn from_str(s: &str) -> Result<Self, InvalidArgument> {
        KeyType::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| InvalidArgument::KeyTypeUnknown {
                value: crate::validate::printable(s, 40),
            })
    }
}

/// How the `.p12` is protected. `compat` is what every browser and OS reads
/// (3DES, SHA-1 MAC; never RC2-40, which OpenSSL 3 and curl refuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P12Profile {
    Compat,
    Modern,
}

impl P12Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            P12Profile::Compat => "compat",
            P12Profile::Modern => "modern",
        }
    }
}

impl FromStr for P12Profile {
    type Err = InvalidArgument;
    fn from_str(s: &str) -> Result<Self, InvalidArgument> {
        match s {
            "compat" => Ok(P12Profile::Compat),
            "modern" => Ok(P12Profile::Modern),
            _ => Err(InvalidArgument::P12ProfileUnknown {
                value: crate::validate::printable(s, 40),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `None`: derived from the host name when the CA is created.
    pub ca_name: Option<String>,
    pub key_type: KeyType,
    pub ca_validity_days: i64,
    pub server_cert_validity: i64,
    pub client_cert_validity: i64,
    pub crl_validity_days: i64,
    pub p12_profile: P12Profile,
    pub key_escrow: bool,
    pub state_dir: PathBuf,
    pub weborca_dir: PathBuf,
    pub weborca_user: String,
    pub weborca_group: String,
    pub weborca_unit: String,
    pub idle_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ca_name: None,
            key_type: KeyType::Rsa2048,
            // 20 years, so the default 10-year certificates issued in the
            // CA's first decade are never cut short.
            ca_validity_days: 7305,
            server_cert_validity: 3650,
            client_cert_validity: 3650,
            crl_validity_days: 30,
            p12_profile: P12Profile::Compat,
            key_escrow: true,
            state_dir: PathBuf::from(DEFAULT_STATE_DIR),
            weborca_dir: PathBuf::from(DEFAULT_WEBORCA_DIR),
            weborca_user: "orca".into(),
            weborca_group: "orca".into(),
            weborca_unit: "jma-receipt-weborca.service".into(),
            idle_timeout_secs: 120,
        }
    }
}

/// The file's shape. Every field optional: absent means the default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    ca_name: Option<String>,
    key_type: Option<String>,
    ca_validity_days: Option<i64>,
    server_cert_validity: Option<i64>,
    client_cert_validity: Option<i64>,
    crl_validity_days: Option<i64>,
    p12_profile: Option<String>,
    key_escrow: Option<bool>,
    state_dir: Option<PathBuf>,
    weborca_dir: Option<PathBuf>,
    weborca_user: Option<String>,
    weborca_group: Option<String>,
    weborca_unit: Option<String>,
    idle_timeout_secs: Option<u64>,
}

impl Config {
    /// Reads `path`. A missing file is fine only when `required` is false
    /// (the default path on a host where the admin never wrote one).
    pub fn load(path: &Path, required: bool) -> Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(e) => Err(Error::Config {
                path: path.to_owned(),
                detail: e.to_string(),
            }),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let bad = |detail: String| Error::Config {
            path: path.to_owned(),
            detail,
        };
        let file: ConfigFile = toml::from_str(text).map_err(|e| bad(toml_error(&e, text)))?;
        let mut c = Config::default();
        let key_err =
            |key: &str, e: InvalidArgument| bad(format!("{key}: {}", crate::messages::invalid(&e)));
        if let Some(v) = file.ca_name {
            crate::validate::ca_name(&v).map_err(|e| key_err("ca_name", e))?;
            c.ca_name = Some(v);
        }
        if let Some(v) = file.key_type {
            c.key_type = v.parse().map_err(|e| key_err("key_type", e))?;
        }
        if let Some(v) = file.p12_profile {
            c.p12_profile = v.parse().map_err(|e| key_err("p12_profile", e))?;
        }
        let days = |key: &str, v: Option<i64>, max: i64, slot: &mut i64| -> Result<()> {
            if let Some(v) = v {
                if !(1..=max).contains(&v) {
                    return Err(bad(crate::messages::config_range(key, v, 1, max)));
                }
                *slot = v;
            }
            Ok(())
        };
        days(
            "ca_validity_days",
            file.ca_validity_days,
            MAX_VALIDITY_DAYS,
            &mut c.ca_validity_days,
        )?;
        days(
            "server_cert_validity",
            file.server_cert_validity,
            MAX_VALIDITY_DAYS,
            &mut c.server_cert_validity,
        )?;
        days(
            "client_cert_validity",
            file.client_cert_validity,
            MAX_VALIDITY_DAYS,
            &mut c.client_cert_validity,
        )?;
        days(
            "crl_validity_days",
            file.crl_validity_days,
            3650,
            &mut c.crl_validity_days,
        )?;
        if let Some(v) = file.key_escrow {
            c.key_escrow = v;
        }
        for (key, v, slot) in [
            ("state_dir", file.state_dir, &mut c.state_dir),
            ("weborca_dir", file.weborca_dir, &mut c.weborca_dir),
        ] {
            if let Some(v) = v {
                if !v.is_absolute() {
                    return Err(bad(crate::messages::config_not_absolute(key, &v)));
                }
                *slot = v;
            }
        }
        for (key, v, slot) in [
            ("weborca_user", file.weborca_user, &mut c.weborca_user),
            ("weborca_group", file.weborca_group, &mut c.weborca_group),
            ("weborca_unit", file.weborca_unit, &mut c.weborca_unit),
        ] {
            if let Some(v) = v {
                let ok = !v.is_empty()
                    && v.len() <= 255
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.@:\\".contains(c));
                if !ok {
                    return Err(bad(crate::messages::config_bad_name(key, &v)));
                }
                *slot = v;
            }
        }
        if let Some(v) = file.idle_timeout_secs {
            c.idle_timeout_secs = v;
        }
        Ok(c)
    }
}

/// toml's own message names neither the key nor the line when a value
/// has the wrong type; name both from the span, on one line.
fn toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return msg;
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default();
    match line.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() && !key.trim_start().starts_with('#') => {
            format!("line {line_no}: {}: {msg}", key.trim())
        }
        _ => format!("line {line_no}: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config> {
        Config::parse(s, Path::new("test.toml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let c = parse("").expect("defaults");
        assert_eq!(c.server_cert_validity, 3650);
        assert_eq!(c.client_cert_validity, 3650);
        assert_eq!(c.key_type, KeyType::Rsa2048);
        assert_eq!(c.p12_profile, P12Profile::Compat);
        assert!(c.key_escrow);
    }

    #[test]
    fn values_are_read() {
        let c = parse("key_type = \"ecdsa-p256\"\nserver_cert_validity = 397\np12_profile = \"modern\"\nkey_escrow = false\n")
            .expect("parse");
        assert_eq!(c.key_type, KeyType::EcdsaP256);
        assert_eq!(c.server_cert_validity, 397);
        assert_eq!(c.p12_profile, P12Profile::Modern);
        assert!(!c.key_escrow);
    }

    #[test]
    fn errors_name_the_key() {
        for (text, key) in [
            ("server_cert_validty = 10", "server_cert_validty"),
            ("server_cert_validity = 0", "server_cert_validity"),
            ("client_cert_validity = \"ten\"", "ten"),
            ("key_type = \"rsa1024\"", "key_type"),
            ("p12_profile = \"rc2\"", "p12_profile"),
            ("state_dir = \"relative\"", "state_dir"),
            ("crl_validity_days = 99999", "crl_validity_days"),
        ] {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.contains(key), "{text}: {err}");
            assert!(err.contains("test.toml"), "{text}: {err}");
        }
    }
}
