//! One check per trouble the ORCA page lists (トラブルシューティング), run
//! on this host's WebORCA files and the CA's index. Every failure there
//! shows a browser only "このサイトにアクセスできません", so each check says
//! what it found and the one thing to do about it.
//!
//! The TLS probe is not here: orca-cad runs without network access, so
//! orca-cactl connects to WebORCA itself.

use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use time::OffsetDateTime;

use crate::ca::crl::asn1_to_time;
use crate::ca::profile::CertKind;
use crate::error::Error;
use crate::index::{CertRecord, StoredCrl};
use crate::messages::doctor as text;
use crate::service::{APPLE_MAX_SERVER_DAYS, EXPIRING_SOON_DAYS};

use super::conf_file::{self, CA_CRT, SERVER_CRT, SERVER_PEM};
use super::owner::{self, Owner};
use super::systemd1::UnitState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One line of the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable name for programs (`server_key_encrypted`, …).
    pub id: &'static str,
    pub level: Level,
    /// What was found, in a sentence.
    pub found: String,
    /// What to do, in a sentence (empty when all is well).
    pub fix: String,
}

impl Check {
    fn new(id: &'static str, level: Level, (found, fix): (String, String)) -> Check {
        Check {
            id,
            level,
            found,
            fix,
        }
    }
}

/// Everything the checks look at, gathered by the service.
#[derive(Debug)]
pub struct Inputs {
    pub conf_path: PathBuf,
    pub owner: Result<Owner, Error>,
    /// The CA orca-cad holds; `None` before `init`.
    pub our_ca: Option<X509>,
    /// Every client certificate in the index.
    pub client_certs: Vec<CertRecord>,
    pub crl: Option<StoredCrl>,
    /// Whether the published CRL files are in the state directory.
    pub crl_published: bool,
    /// The names and addresses clients use to reach WebORCA.
    pub hosts: Vec<String>,
    pub unit: String,
    pub now: OffsetDateTime,
}

/// The files the conf names, read as far as they could be.
#[derive(Default)]
struct Placed {
    server_cert: Option<X509>,
    server_key: Option<PKey<Private>>,
    ca_cert: Option<X509>,
}

pub fn diagnose(inputs: &Inputs) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut placed = Placed::default();
    let owner = match &inputs.owner {
        Ok(o) => {
            checks.push(Check::new(
                "weborca_user",
                Level::Ok,
                text::user_ok(&o.user),
            ));
            Some(o)
        }
        Err(e) => {
            checks.push(Check::new(
                "weborca_user",
                Level::Error,
                text::user_unknown(&e.to_string()),
            ));
            None
        }
    };
    match fs::read(&inputs.conf_path) {
        Ok(conf) => {
            checks.push(Check::new(
                "conf_file",
                Level::Ok,
                text::conf_ok(&inputs.conf_path),
            ));
            let vars = conf_file::read_vars(&conf);
            let dir = inputs.conf_path.parent().unwrap_or(Path::new("/"));
            for (id, key) in [
                ("server_crt", SERVER_CRT),
                ("server_pem", SERVER_PEM),
                ("ca_crt", CA_CRT),
            ] {
                let (check, bytes) = placed_file(id, key, vars.get(key), dir, owner, inputs);
                checks.push(check);
                let Some(bytes) = bytes else { continue };
                match key {
                    SERVER_CRT => placed.server_cert = X509::from_pem(&bytes).ok(),
                    CA_CRT => placed.ca_cert = X509::from_pem(&bytes).ok(),
                    _ => checks.push(server_key(&bytes, &mut placed)),
                }
            }
        }
        Err(e) => checks.push(Check::new(
            "conf_file",
            Level::Error,
            text::conf_missing(&inputs.conf_path, &e.to_string()),
        )),
    }
    if let Some(cert) = &placed.server_cert {
        checks.extend(server_cert_checks(cert, &placed, inputs));
    }
    if let Some(ca) = &placed.ca_cert {
        checks.push(ca_is_ours(ca, inputs.our_ca.as_ref()));
    }
    checks.push(our_ca_expiry(inputs));
    checks.push(client_expiry(inputs));
    checks.push(crl_state(inputs));
    checks.push(crl_enforcement(inputs));
    checks
}

/// SERVER_CRT / SERVER_PEM / CA_CRT: set, present, readable by WebORCA's user.
fn placed_file(
    id: &'static str,
    key: &str,
    value: Option<&String>,
    dir: &Path,
    owner: Option<&Owner>,
    inputs: &Inputs,
) -> (Check, Option<Vec<u8>>) {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return (
            Check::new(id, Level::Error, text::var_unset(key, &inputs.conf_path)),
            None,
        );
    };
    let path = dir.join(value);
    let meta = match fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        _ => {
            return (
                Check::new(id, Level::Error, text::file_missing(key, &path)),
                None,
            );
        }
    };
    let mode = meta.mode() & 0o7777;
    let file_owner = owner::user_name(meta.uid());
    let bytes = fs::read(&path).ok();
    let check = match owner {
        Some(o) if !o.can_read(meta.uid(), meta.gid(), mode) => Check::new(
            id,
            Level::Error,
            text::file_unreadable(key, &path, &o.user, &o.group, &file_owner, mode),
        ),
        _ if mode & 0o077 != 0 && key == SERVER_PEM => {
            Check::new(id, Level::Warning, text::key_too_open(key, &path, mode))
        }
        _ => Check::new(id, Level::Ok, text::file_ok(key, &path, &file_owner, mode)),
    };
    (check, bytes)
}

fn server_key(bytes: &[u8], placed: &mut Placed) -> Check {
    const ID: &str = "server_key_encrypted";
    let pem = String::from_utf8_lossy(bytes);
    if pem.contains("ENCRYPTED") {
        return Check::new(ID, Level::Error, text::key_encrypted());
    }
    match PKey::private_key_from_pem(bytes) {
        Ok(k) => {
            placed.server_key = Some(k);
            Check::new(ID, Level::Ok, text::key_plain())
        }
        Err(_) => Check::new(ID, Level::Error, text::key_unreadable()),
    }
}

fn server_cert_checks(cert: &X509, placed: &Placed, inputs: &Inputs) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(key) = &placed.server_key {
        let same = cert.public_key().map(|p| p.public_eq(key)).unwrap_or(false);
        checks.push(if same {
            Check::new("key_matches_cert", Level::Ok, text::key_matches())
        } else {
            Check::new("key_matches_cert", Level::Error, text::key_mismatch())
        });
    }
    if let Some(ca) = &placed.ca_cert {
        let signed = ca
            .public_key()
            .and_then(|k| cert.verify(&k))
            .unwrap_or(false);
        checks.push(if signed {
            Check::new("issued_by_ca_crt", Level::Ok, text::issued_by_ok())
        } else {
            Check::new(
                "issued_by_ca_crt",
                Level::Error,
                text::issued_by_other(&name(cert.issuer_name()), &name(ca.subject_name())),
            )
        });
    }
    checks.push(hosts_in_san(cert, &inputs.hosts));
    let (not_before, not_after) = match (
        asn1_to_time(cert.not_before()),
        asn1_to_time(cert.not_after()),
    ) {
        (Ok(b), Ok(a)) => (b, a),
        _ => return checks,
    };
    checks.push(expiry(
        "server_cert_expiry",
        &text::what_server(),
        not_after,
        inputs.now,
    ));
    let days = (not_after - not_before).whole_days();
    checks.push(if days > APPLE_MAX_SERVER_DAYS {
        Check::new(
            "server_cert_lifetime",
            Level::Warning,
            text::lifetime_long(days),
        )
    } else {
        Check::new("server_cert_lifetime", Level::Ok, text::lifetime_ok(days))
    });
    checks
}

fn name(n: &openssl::x509::X509NameRef) -> String {
    crate::ca::bundle::one_line_name(n)
}

/// Whether every name clients type is in subjectAltName (Chrome looks
/// nowhere else).
fn hosts_in_san(cert: &X509, hosts: &[String]) -> Check {
    const ID: &str = "hosts_in_san";
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Some(sans) = cert.subject_alt_names() {
        for san in &sans {
            if let Some(d) = san.dnsname() {
                dns.push(d.to_ascii_lowercase());
            } else if let Some(raw) = san.ipaddress() {
                let ip = match raw.len() {
                    4 => <[u8; 4]>::try_from(raw).ok().map(IpAddr::from),
                    16 => <[u8; 16]>::try_from(raw).ok().map(IpAddr::from),
                    _ => None,
                };
                ips.extend(ip);
            }
        }
    }
    let listed: Vec<String> = dns
        .iter()
        .cloned()
        .chain(ips.iter().map(ToString::to_string))
        .collect();
    if hosts.is_empty() {
        return Check::new(ID, Level::Warning, text::no_hosts_given(&listed));
    }
    let missing: Vec<&String> = hosts
        .iter()
        .filter(|h| match h.parse::<IpAddr>() {
            Ok(ip) => !ips.contains(&ip),
            Err(_) => !dns.contains(&h.trim_end_matches('.').to_ascii_lowercase()),
        })
        .collect();
    if missing.is_empty() {
        Check::new(ID, Level::Ok, text::hosts_ok(hosts))
    } else {
        let missing: Vec<String> = missing.into_iter().cloned().collect();
        Check::new(ID, Level::Error, text::hosts_missing(&missing, &listed))
    }
}

fn expiry(id: &'static str, what: &str, not_after: OffsetDateTime, now: OffsetDateTime) -> Check {
    let date = crate::messages::date(not_after);
    let left = (not_after - now).whole_days();
    if not_after <= now {
        Check::new(id, Level::Error, text::expired(what, &date))
    } else if left < EXPIRING_SOON_DAYS {
        Check::new(id, Level::Warning, text::expiring(what, &date, left))
    } else {
        Check::new(id, Level::Ok, text::valid_until(what, &date, left))
    }
}

fn ca_is_ours(ca: &X509, ours: Option<&X509>) -> Check {
    const ID: &str = "ca_crt_is_ours";
    let Some(ours) = ours else {
        return Check::new(ID, Level::Warning, text::no_ca_yet());
    };
    let fp = |c: &X509| crate::service::fingerprint(c).unwrap_or_default();
    if fp(ca) == fp(ours) {
        Check::new(ID, Level::Ok, text::ca_is_ours(&name(ours.subject_name())))
    } else {
        Check::new(
            ID,
            Level::Error,
            text::ca_not_ours(&name(ca.subject_name()), &name(ours.subject_name())),
        )
    }
}

fn our_ca_expiry(inputs: &Inputs) -> Check {
    match inputs
        .our_ca
        .as_ref()
        .and_then(|c| asn1_to_time(c.not_after()).ok())
    {
        Some(not_after) => expiry("ca_expiry", &text::what_ca(), not_after, inputs.now),
        None => Check::new("ca_expiry", Level::Warning, text::no_ca_yet()),
    }
}

/// Issued client certificates that are not revoked: expired or ending soon.
fn client_expiry(inputs: &Inputs) -> Check {
    const ID: &str = "client_cert_expiry";
    let live: Vec<&CertRecord> = inputs
        .client_certs
        .iter()
        .filter(|r| r.kind == CertKind::Client && r.revocation.is_none())
        .collect();
    let label = |r: &&CertRecord| format!("{} {}", r.number, r.common_name);
    let expired: Vec<String> = live
        .iter()
        .filter(|r| r.not_after <= inputs.now)
        .map(label)
        .collect();
    let soon: Vec<String> = live
        .iter()
        .filter(|r| {
            r.not_after > inputs.now && (r.not_after - inputs.now).whole_days() < EXPIRING_SOON_DAYS
        })
        .map(label)
        .collect();
    if expired.is_empty() && soon.is_empty() {
        Check::new(ID, Level::Ok, text::clients_ok(live.len()))
    } else {
        Check::new(ID, Level::Warning, text::clients_expiring(&expired, &soon))
    }
}

fn crl_state(inputs: &Inputs) -> Check {
    const ID: &str = "crl";
    let Some(crl) = &inputs.crl else {
        return Check::new(ID, Level::Error, text::crl_missing());
    };
    if !inputs.crl_published {
        return Check::new(ID, Level::Error, text::crl_missing());
    }
    let next = crate::messages::date_time(crl.schedule.next_update);
    if crl.schedule.next_update <= inputs.now {
        Check::new(ID, Level::Error, text::crl_stale(crl.number, &next))
    } else if crl.schedule.is_due(inputs.now) {
        Check::new(ID, Level::Warning, text::crl_due(crl.number, &next))
    } else {
        Check::new(ID, Level::Ok, text::crl_ok(crl.number, &next))
    }
}

/// WebORCA-Server's unit, as systemd sees it (the page: 日レセが起動しない場合).
pub fn unit_check(unit: &str, state: &UnitState) -> Check {
    const ID: &str = "weborca_unit";
    match state {
        UnitState::Unavailable { detail } => {
            Check::new(ID, Level::Warning, text::unit_unknown_state(unit, detail))
        }
        UnitState::Known { load, .. } if load != "loaded" => {
            Check::new(ID, Level::Error, text::unit_not_loaded(unit, load))
        }
        UnitState::Known { active, sub, .. } if active == "active" => {
            Check::new(ID, Level::Ok, text::unit_active(unit, sub))
        }
        UnitState::Known { active, .. } if active == "failed" => {
            Check::new(ID, Level::Error, text::unit_failed(unit))
        }
        UnitState::Known { active, sub, .. } => Check::new(
            ID,
            Level::Warning,
            text::unit_not_running(unit, active, sub),
        ),
    }
}

/// Revocation alone does not lock a client out of WebORCA-Server.
fn crl_enforcement(inputs: &Inputs) -> Check {
    const ID: &str = "crl_enforcement";
    let still_valid: Vec<String> = inputs
        .client_certs
        .iter()
        .filter(|r| r.kind == CertKind::Client && r.revocation.is_some())
        .filter(|r| r.not_after > inputs.now)
        .map(|r| format!("{} {}", r.number, r.common_name))
        .collect();
    if still_valid.is_empty() {
        Check::new(ID, Level::Ok, text::crl_not_enforced_none())
    } else {
        Check::new(
            ID,
            Level::Warning,
            text::crl_not_enforced(&still_valid, &inputs.unit),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(load: &str, active: &str, sub: &str) -> UnitState {
        UnitState::Known {
            load: load.into(),
            active: active.into(),
            sub: sub.into(),
        }
    }

    #[test]
    fn unit_states_as_an_administrator_reads_them() {
        let unit = "jma-receipt-weborca.service";
        let level = |s: &UnitState| unit_check(unit, s).level;
        assert_eq!(level(&known("loaded", "active", "running")), Level::Ok);
        assert_eq!(level(&known("not-found", "inactive", "dead")), Level::Error);
        assert_eq!(level(&known("masked", "inactive", "dead")), Level::Error);
        assert_eq!(level(&known("loaded", "failed", "failed")), Level::Error);
        assert_eq!(level(&known("loaded", "inactive", "dead")), Level::Warning);
        let unavailable = UnitState::Unavailable {
            detail: "no systemd".into(),
        };
        assert_eq!(level(&unavailable), Level::Warning);
        let failed = unit_check(unit, &known("loaded", "failed", "failed"));
        assert!(failed.fix.contains("jma-receipt-weborca.log"), "{failed:?}");
    }
}
