//! The client certificate and key inside an orca-cactl bundle
//! (`NNNNNN__JP_orca_<CN>.zip`), for `doctor --probe --bundle`.

use std::io::{Cursor, Read};

use openssl::pkey::PKey;
use openssl::x509::X509;

use crate::messages::probe as text;
use crate::probe::Identity;

/// Reads `<base>/<base>.crt` and the unencrypted `<base>/<base>.pem`.
pub fn identity(zip: &[u8]) -> Result<Identity, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| e.to_string())?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    let find = |suffix: &str, not: &str| {
        names
            .iter()
            .find(|n| n.ends_with(suffix) && !n.ends_with(not))
            .cloned()
    };
    let cert_name = find(".crt", "/ca.crt").ok_or_else(text::bundle_no_cert)?;
    let key_name = find(".pem", ".enc.pem").ok_or_else(text::bundle_no_key)?;
    let mut read = |name: &str| -> Result<Vec<u8>, String> {
        let mut f = archive.by_name(name).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        f.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(out)
    };
    let cert = X509::from_pem(&read(&cert_name)?).map_err(|e| e.to_string())?;
    let key = PKey::private_key_from_pem(&read(&key_name)?).map_err(|e| e.to_string())?;
    let name = cert
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .map(|s| s.to_string())
        .unwrap_or(cert_name);
    Ok(Identity { name, cert, key })
}
