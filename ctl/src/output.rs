//! What commands print: aligned tables and `key: value` lines for people,
//! pretty JSON (snake_case keys as on the wire, RFC 3339 UTC times) for
//! programs. The wire types are D-Bus dictionaries; these are their JSON twins.

use std::io::{self, Write};
use std::path::Path;

use orca_ca_proto::wire::{CaStatus, CertInfo, CheckInfo, CrlInfo, Delivered, Installed};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CtlError, OutputProblem};
use crate::messages::{self, label};

/// `2026-11-25T10:38:54Z`; out-of-range values stay numbers in text.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertOut {
    pub number: u32,
    pub issue_number: String,
    pub serial: String,
    pub kind: String,
    pub common_name: String,
    pub alt_names: Vec<String>,
    pub key_type: String,
    pub issued_at: String,
    pub not_before: String,
    pub not_after: String,
    pub status: String,
    pub revoked_at: Option<String>,
    pub revocation_reason: Option<String>,
    pub fingerprint_sha256: String,
    pub has_key_material: bool,
    pub base_name: String,
    /// Only `show` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_pem: Option<String>,
}

impl From<&CertInfo> for CertOut {
    fn from(c: &CertInfo) -> Self {
        CertOut {
            number: c.number,
            issue_number: c.issue_number.clone(),
            serial: c.serial.clone(),
            kind: c.kind.clone(),
            common_name: c.common_name.clone(),
            alt_names: c.alt_names.clone(),
            key_type: c.key_type.clone(),
            issued_at: rfc3339(c.issued_at),
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
            status: c.status.clone(),
            revoked_at: c.revoked_at.map(rfc3339),
            revocation_reason: c.revocation_reason.clone(),
            fingerprint_sha256: c.fingerprint_sha256.clone(),
            has_key_material: c.has_key_material,
            base_name: c.base_name.clone(),
            certificate_pem: c.certificate_pem.clone(),
        }
    }
}

/// What issue and export print: where the bundle is and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleOut {
    pub path: String,
    pub number: u32,
    pub issue_number: String,
    pub serial: String,
    pub kind: String,
    pub common_name: String,
    pub alt_names: Vec<String>,
    pub not_after: String,
    pub warnings: Vec<String>,
}

impl BundleOut {
    pub fn new(path: &Path, d: &Delivered) -> Self {
        let c = &d.certificate;
        BundleOut {
            path: path.display().to_string(),
            number: c.number,
            issue_number: c.issue_number.clone(),
            serial: c.serial.clone(),
            kind: c.kind.clone(),
            common_name: c.common_name.clone(),
            alt_names: c.alt_names.clone(),
            not_after: rfc3339(c.not_after),
            warnings: d.warnings.clone(),
        }
    }
}

/// What `sign-request` prints: where the certificate is, and the
/// certificate (with its PEM).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedOut {
    pub path: String,
    pub certificate: CertOut,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrlOut {
    pub crl_number: u64,
    pub this_update: String,
    pub next_update: String,
    pub renew_after: String,
    pub revoked_count: u32,
    pub der_path: String,
    pub pem_path: String,
    pub pem: String,
    /// Where orca-cactl wrote the PEM (`--out`), if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl CrlOut {
    pub fn new(c: &CrlInfo, path: Option<&Path>) -> Self {
        CrlOut {
            crl_number: c.crl_number,
            this_update: rfc3339(c.this_update),
            next_update: rfc3339(c.next_update),
            renew_after: rfc3339(c.renew_after),
            revoked_count: c.revoked_count,
            der_path: c.der_path.clone(),
            pem_path: c.pem_path.clone(),
            pem: c.pem.clone(),
            path: path.map(|p| p.display().to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevokedOut {
    pub certificate: CertOut,
    pub crl: CrlOut,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewOut {
    pub renewed: bool,
    pub crl: CrlOut,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaCertOut {
    pub pem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusOut {
    pub version: String,
    pub client_version: String,
    pub initialized: bool,
    pub subject: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub key_type: Option<String>,
    pub serial: Option<String>,
    pub fingerprint_sha256: Option<String>,
    pub certificates: Option<u64>,
    pub valid: Option<u64>,
    pub revoked: Option<u64>,
    pub expired: Option<u64>,
    pub expiring_soon: Option<u64>,
    pub crl_number: Option<u64>,
    pub crl_next_update: Option<String>,
    pub crl_renew_after: Option<String>,
    pub state_dir: String,
}

impl From<&CaStatus> for StatusOut {
    fn from(s: &CaStatus) -> Self {
        StatusOut {
            version: s.version.clone(),
            client_version: orca_ca_proto::VERSION.to_owned(),
            initialized: s.initialized,
            subject: s.subject.clone(),
            not_before: s.not_before.map(rfc3339),
            not_after: s.not_after.map(rfc3339),
            key_type: s.key_type.clone(),
            serial: s.serial.clone(),
            fingerprint_sha256: s.fingerprint_sha256.clone(),
            certificates: s.certificates,
            valid: s.valid,
            revoked: s.revoked,
            expired: s.expired,
            expiring_soon: s.expiring_soon,
            crl_number: s.crl_number,
            crl_next_update: s.crl_next_update.map(rfc3339),
            crl_renew_after: s.crl_renew_after.map(rfc3339),
            state_dir: s.state_dir.clone(),
        }
    }
}

pub fn json<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Columns padded to their widest cell, two spaces apart, no trailing blanks.
pub fn table(headings: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headings.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let headings: Vec<String> = headings.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&headings).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let pad = w.saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        messages::NONE.to_owned()
    } else {
        s.to_owned()
    }
}

pub fn list_human(certs: &[CertInfo]) -> String {
    if certs.is_empty() {
        return format!("{}\n", messages::NO_CERTIFICATES);
    }
    let rows: Vec<Vec<String>> = certs
        .iter()
        .map(|c| {
            vec![
                c.issue_number.clone(),
                messages::kind(&c.kind).to_owned(),
                messages::status(&c.status).to_owned(),
                or_none(&c.common_name),
                or_none(&c.alt_names.join(",")),
                messages::date(c.not_after),
                c.serial.clone(),
            ]
        })
        .collect();
    table(&messages::LIST_HEADINGS, &rows)
}

fn kv(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

pub fn show_human(c: &CertInfo) -> String {
    let mut o = String::new();
    kv(&mut o, label::ISSUE_NUMBER, &c.issue_number);
    kv(&mut o, label::SERIAL, &c.serial);
    kv(&mut o, label::KIND, messages::kind(&c.kind));
    kv(&mut o, label::COMMON_NAME, &c.common_name);
    kv(&mut o, label::ALT_NAMES, &or_none(&c.alt_names.join(", ")));
    kv(&mut o, label::KEY_TYPE, &c.key_type);
    kv(&mut o, label::ISSUED_AT, &messages::date_time(c.issued_at));
    kv(
        &mut o,
        label::NOT_BEFORE,
        &messages::date_time(c.not_before),
    );
    kv(&mut o, label::NOT_AFTER, &messages::date_time(c.not_after));
    kv(&mut o, label::STATUS, messages::status(&c.status));
    if let Some(t) = c.revoked_at {
        kv(&mut o, label::REVOKED_AT, &messages::date_time(t));
    }
    if let Some(r) = &c.revocation_reason {
        kv(&mut o, label::REVOCATION_REASON, r);
    }
    kv(&mut o, label::FINGERPRINT, &c.fingerprint_sha256);
    kv(
        &mut o,
        label::KEY_KEPT,
        if c.has_key_material {
            messages::YES_WORD
        } else {
            messages::NO_WORD
        },
    );
    kv(&mut o, label::BUNDLE, &format!("{}.zip", c.base_name));
    if let Some(pem) = &c.certificate_pem {
        o.push('\n');
        o.push_str(pem);
        if !pem.ends_with('\n') {
            o.push('\n');
        }
    }
    o
}

pub fn status_human(s: &CaStatus) -> String {
    let mut o = String::new();
    kv(&mut o, label::DAEMON_VERSION, &s.version);
    kv(&mut o, label::CLIENT_VERSION, orca_ca_proto::VERSION);
    if !s.initialized {
        kv(&mut o, label::CA, messages::CA_ABSENT);
        kv(&mut o, label::STATE_DIR, &s.state_dir);
        return o;
    }
    kv(&mut o, label::CA, messages::CA_PRESENT);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| messages::NONE.to_owned());
    let time = |v: Option<i64>| v.map_or_else(|| messages::NONE.to_owned(), messages::date_time);
    let num = |v: Option<u64>| v.map_or_else(|| messages::NONE.to_owned(), |n| n.to_string());
    kv(&mut o, label::CA_SUBJECT, &opt(&s.subject));
    kv(&mut o, label::NOT_BEFORE, &time(s.not_before));
    kv(&mut o, label::NOT_AFTER, &time(s.not_after));
    kv(&mut o, label::KEY_TYPE, &opt(&s.key_type));
    kv(&mut o, label::SERIAL, &opt(&s.serial));
    kv(&mut o, label::FINGERPRINT, &opt(&s.fingerprint_sha256));
    let counts = match (s.certificates, s.valid, s.revoked, s.expired) {
        (Some(t), Some(v), Some(r), Some(e)) => messages::certificate_counts(t, v, r, e),
        (t, ..) => num(t),
    };
    kv(&mut o, label::CERTIFICATES, &counts);
    kv(&mut o, label::EXPIRING_SOON, &num(s.expiring_soon));
    kv(&mut o, label::CRL_NUMBER, &num(s.crl_number));
    kv(&mut o, label::CRL_NEXT_UPDATE, &time(s.crl_next_update));
    kv(&mut o, label::CRL_RENEW_AFTER, &time(s.crl_renew_after));
    kv(&mut o, label::STATE_DIR, &s.state_dir);
    o
}

// ---- WebORCA -----------------------------------------------------------

/// One line of `doctor`: from orca-cad's `Diagnose` or from the probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: String,
    /// `ok`, `warning` or `error`.
    pub status: String,
    pub found: String,
    pub fix: String,
}

impl Finding {
    fn new(id: &str, status: &str, (found, fix): (String, String)) -> Self {
        Finding {
            id: id.to_owned(),
            status: status.to_owned(),
            found,
            fix,
        }
    }

    pub fn ok(id: &str, text: (String, String)) -> Self {
        Finding::new(id, "ok", text)
    }

    pub fn error(id: &str, text: (String, String)) -> Self {
        Finding::new(id, "error", text)
    }
}

impl From<&CheckInfo> for Finding {
    fn from(c: &CheckInfo) -> Self {
        Finding {
            id: c.id.clone(),
            status: c.status.clone(),
            found: c.found.clone(),
            fix: c.fix.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoctorOut {
    pub hosts: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub checks: Vec<Finding>,
}

impl DoctorOut {
    pub fn new(hosts: Vec<String>, checks: Vec<Finding>) -> Self {
        let count = |s: &str| checks.iter().filter(|c| c.status == s).count();
        DoctorOut {
            hosts,
            errors: count("error"),
            warnings: count("warning"),
            checks,
        }
    }
}

/// STATUS / CHECK / FOUND, with the fix on its own line under a problem.
pub fn doctor_human(d: &DoctorOut) -> String {
    let rows: Vec<Vec<String>> = d
        .checks
        .iter()
        .map(|c| {
            vec![
                messages::check_status(&c.status).to_owned(),
                c.id.clone(),
                c.found.clone(),
            ]
        })
        .collect();
    let table = table(&messages::DOCTOR_HEADINGS, &rows);
    let mut out = String::new();
    let mut lines = table.lines();
    if let Some(head) = lines.next() {
        out.push_str(head);
        out.push('\n');
    }
    // Under the CHECK column: the STATUS column's width plus the gap.
    let indent = d
        .checks
        .iter()
        .map(|c| messages::check_status(&c.status).chars().count())
        .chain(std::iter::once(
            messages::DOCTOR_HEADINGS[0].chars().count(),
        ))
        .max()
        .unwrap_or(0)
        + 2;
    for (line, c) in lines.zip(&d.checks) {
        out.push_str(line);
        out.push('\n');
        if c.status != "ok" && !c.fix.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(&messages::fix_line(&c.fix));
            out.push('\n');
        }
    }
    out.push_str(&messages::doctor_summary(d.errors, d.warnings, &d.hosts));
    out.push('\n');
    out
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstalledOut {
    pub certificate: CertOut,
    pub files: Vec<String>,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conf_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conf_changed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conf_created: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ClientSettingsOut>,
}

/// Where a push-exchanger or API client reads its files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSettingsOut {
    pub cert: String,
    pub key: String,
    pub encrypted_key: String,
    pub passphrase_file: String,
    pub ca: String,
}

impl From<&Installed> for InstalledOut {
    fn from(i: &Installed) -> Self {
        let settings = match (
            &i.cert_path,
            &i.key_path,
            &i.encrypted_key_path,
            &i.passphrase_path,
            &i.ca_path,
        ) {
            (Some(c), Some(k), Some(e), Some(p), Some(ca)) => Some(ClientSettingsOut {
                cert: c.clone(),
                key: k.clone(),
                encrypted_key: e.clone(),
                passphrase_file: p.clone(),
                ca: ca.clone(),
            }),
            _ => None,
        };
        InstalledOut {
            certificate: CertOut::from(&i.certificate),
            files: i.files.clone(),
            owner: i.owner.clone(),
            conf_path: i.conf_path.clone(),
            conf_changed: i.conf_changed,
            conf_created: i.conf_created,
            backup_path: i.backup_path.clone(),
            unit: i.unit.clone(),
            restart: i.restart.clone(),
            next_step: i.next_step.clone(),
            settings,
        }
    }
}

pub fn installed_human(i: &InstalledOut) -> String {
    let mut out = String::new();
    out.push_str(&messages::placed_heading(
        &i.certificate.issue_number,
        &i.certificate.common_name,
        &i.owner,
    ));
    out.push('\n');
    for f in &i.files {
        out.push_str(&format!("  {f}\n"));
    }
    if let Some(conf) = &i.conf_path {
        out.push_str(&messages::conf_result(
            conf,
            i.conf_changed.unwrap_or(false),
            i.conf_created.unwrap_or(false),
            i.backup_path.as_deref(),
        ));
        out.push('\n');
    }
    if let (Some(unit), Some("done")) = (&i.unit, i.restart.as_deref()) {
        out.push_str(&messages::restarted(unit));
        out.push('\n');
    }
    if let Some(s) = &i.settings {
        out.push_str(&messages::client_settings(s));
    }
    out
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn emit(text: &str) -> Result<(), CtlError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CtlError::output(OutputProblem::Write {
                path: messages::STANDARD_OUTPUT.into(),
                source: e,
            }))
        }
        _ => Ok(()),
    }
}

/// A warning line on stderr (never on stdout, which may be JSON).
pub fn warn(text: &str) {
    eprintln!("{}", messages::warning(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(number: u32, cn: &str, alt: &[&str], status: &str) -> CertInfo {
        CertInfo {
            number,
            issue_number: format!("{number:06}"),
            serial: "7F3A0C11D2E4B5A69788990011223344".into(),
            kind: if alt.is_empty() { "client" } else { "server" }.into(),
            common_name: cn.into(),
            alt_names: alt.iter().map(|s| (*s).to_owned()).collect(),
            key_type: "rsa2048".into(),
            issued_at: 1_764_067_134,
            not_before: 1_764_067_134,
            not_after: 2_079_427_134,
            status: status.into(),
            revoked_at: None,
            revocation_reason: None,
            fingerprint_sha256: "AB:CD".into(),
            has_key_material: true,
            base_name: format!("{number:06}__JP_orca_{cn}"),
            certificate_pem: None,
            warnings: None,
        }
    }

    #[test]
    fn list_is_an_aligned_table() {
        let certs = [
            cert(2, "192.168.1.100", &["IP:192.168.1.100"], "valid"),
            cert(3, "user1", &[], "revoked"),
        ];
        let text = list_human(&certs);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "No.     KIND    STATUS   COMMON NAME    ALT NAMES         NOT AFTER   SERIAL"
        );
        assert_eq!(
            lines[1],
            "000002  server  valid    192.168.1.100  IP:192.168.1.100  2035-11-23  7F3A0C11D2E4B5A69788990011223344"
        );
        assert_eq!(
            lines[2],
            "000003  client  revoked  user1          -                 2035-11-23  7F3A0C11D2E4B5A69788990011223344"
        );
        for l in &lines {
            assert_eq!(l.trim_end(), *l);
        }
        assert_eq!(list_human(&[]), "no certificates match\n");
    }

    #[test]
    fn show_is_key_value_lines_with_utc_times() {
        let mut c = cert(3, "user1", &[], "revoked");
        c.revoked_at = Some(1_764_067_200);
        c.revocation_reason = Some("keyCompromise".into());
        c.certificate_pem =
            Some("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n".into());
        let text = show_human(&c);
        for want in [
            "issue number: 000003\n",
            "common name: user1\n",
            "alt names: -\n",
            "issued at: 2025-11-25 10:38:54 UTC\n",
            "not after: 2035-11-23 10:38:54 UTC\n",
            "status: revoked\n",
            "revoked at: 2025-11-25 10:40:00 UTC\n",
            "revocation reason: keyCompromise\n",
            "private key kept: yes\n",
            "bundle: 000003__JP_orca_user1.zip\n",
            "\n-----BEGIN CERTIFICATE-----\n",
        ] {
            assert!(text.contains(want), "{want:?} missing in\n{text}");
        }
    }

    #[test]
    fn json_mirrors_the_wire_with_rfc3339_times() {
        let v: serde_json::Value =
            serde_json::from_str(&json(&CertOut::from(&cert(3, "user1", &[], "valid"))))
                .expect("json");
        assert_eq!(v["number"], 3);
        assert_eq!(v["issue_number"], "000003");
        assert_eq!(v["common_name"], "user1");
        assert_eq!(v["alt_names"], serde_json::json!([]));
        assert_eq!(v["issued_at"], "2025-11-25T10:38:54Z");
        assert_eq!(v["not_after"], "2035-11-23T10:38:54Z");
        assert_eq!(v["revoked_at"], serde_json::Value::Null);
        assert_eq!(v["has_key_material"], true);
        assert!(v.get("certificate_pem").is_none());

        let d = Delivered {
            certificate: cert(2, "192.168.1.100", &["IP:192.168.1.100"], "valid"),
            file_name: "000002__JP_orca_192.168.1.100.zip".into(),
            size: 4096,
            warnings: vec!["longer than 825 days".into()],
        };
        let v: serde_json::Value = serde_json::from_str(&json(&BundleOut::new(
            Path::new("/home/u/certs/000002__JP_orca_192.168.1.100.zip"),
            &d,
        )))
        .expect("json");
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        for k in [
            "path",
            "issue_number",
            "serial",
            "common_name",
            "not_after",
            "warnings",
        ] {
            assert!(keys.contains(&k), "{k} missing");
        }
        assert_eq!(v["path"], "/home/u/certs/000002__JP_orca_192.168.1.100.zip");
        assert_eq!(v["warnings"][0], "longer than 825 days");
    }

    #[test]
    fn status_json_keeps_absent_fields_as_null() {
        let s = CaStatus {
            version: "0.1.0".into(),
            initialized: false,
            state_dir: "/var/lib/orca-ca".into(),
            ..CaStatus::default()
        };
        let v: serde_json::Value = serde_json::from_str(&json(&StatusOut::from(&s))).expect("json");
        assert_eq!(v["initialized"], false);
        assert_eq!(v["subject"], serde_json::Value::Null);
        assert_eq!(v["client_version"], orca_ca_proto::VERSION);
        assert!(status_human(&s).contains("CA: not created yet"));
    }
}
