//! The service's WebORCA operations on a temporary WebORCA directory: what
//! the end-to-end suite cannot do without moving the clock — certificates
//! that have expired or are about to, and a CRL that is due or stale.
//! Files are owned by the user running the tests, so this works as root
//! and as anyone else.

use std::fs;
use std::os::unix::fs::MetadataExt;

use orca_cad::Error;
use orca_cad::config::{Config, KeyType};
use orca_cad::error::WebOrcaProblem;
use orca_cad::ids::CertId;
use orca_cad::service::{CaService, InitOptions};
use orca_cad::weborca::doctor::{Check, Level};
use orca_cad::weborca::owner;
use tempfile::TempDir;
use time::{Duration, OffsetDateTime};

struct Lab {
    _tmp: TempDir,
    svc: CaService,
    dir: std::path::PathBuf,
}

/// The user and group running the tests: the files are placed for them.
fn me() -> (String, String) {
    // SAFETY: getuid/getgid have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    (owner::user_name(uid), owner::group_name(gid))
}

fn lab() -> Lab {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (user, group) = me();
    let dir = tmp.path().join("weborca");
    fs::create_dir(&dir).expect("weborca dir");
    fs::write(dir.join("jma-receipt.conf"), "DBNAME=orca\n").expect("conf");
    let config = Config {
        state_dir: tmp.path().join("state"),
        key_type: KeyType::EcdsaP256,
        weborca_dir: dir.clone(),
        weborca_user: user,
        weborca_group: group,
        ..Config::default()
    };
    let mut svc = CaService::open(config).expect("open");
    svc.initialize(&InitOptions::default()).expect("init");
    svc.issue_server(&["weborca-server".into()], &[], Some(400))
        .expect("server 000002");
    svc.issue_client("user1", Some(100)).expect("client 000003");
    Lab {
        _tmp: tmp,
        svc,
        dir,
    }
}

fn id(n: &str) -> CertId {
    n.parse().expect("id")
}

fn find<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {checks:?}"))
}

fn at(lab: &mut Lab, days: i64) {
    let later = OffsetDateTime::now_utc() + Duration::days(days);
    lab.svc.set_clock(move || later);
}

#[test]
fn install_places_files_and_doctor_finds_them_good() {
    let lab = lab();
    let placed = lab.svc.install_server(&id("2"), false).expect("install");
    assert_eq!(placed.files.len(), 3);
    for f in &placed.files {
        assert_eq!(fs::metadata(f).expect("meta").mode() & 0o7777, 0o400);
    }
    assert!(placed.conf.backup.is_some());
    let checks = lab
        .svc
        .diagnose(vec!["weborca-server".into()])
        .expect("diagnose");
    let bad: Vec<&Check> = checks.iter().filter(|c| c.level != Level::Ok).collect();
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn expired_certificates_are_refused_with_their_own_error() {
    let mut lab = lab();
    at(&mut lab, 401);
    let before: Vec<_> = fs::read_dir(&lab.dir).expect("ls").collect();
    let err = lab
        .svc
        .install_server(&id("2"), false)
        .expect_err("expired");
    assert!(
        matches!(err, Error::WebOrca(WebOrcaProblem::Expired { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("expired on"), "{err}");
    let err = lab.svc.install_client(&id("3")).expect_err("expired");
    assert!(matches!(
        err,
        Error::WebOrca(WebOrcaProblem::Expired { .. })
    ));
    assert_eq!(fs::read_dir(&lab.dir).expect("ls").count(), before.len());
}

#[test]
fn doctor_sees_expiry_coming_and_past() {
    let mut lab = lab();
    lab.svc.install_server(&id("2"), false).expect("install");
    // 20 days before the server certificate ends; the client (100 days) is gone.
    at(&mut lab, 380);
    let checks = lab
        .svc
        .diagnose(vec!["weborca-server".into()])
        .expect("diagnose");
    let server = find(&checks, "server_cert_expiry");
    assert_eq!(server.level, Level::Warning, "{server:?}");
    assert!(server.found.contains("31 days"), "{server:?}");
    let clients = find(&checks, "client_cert_expiry");
    assert_eq!(clients.level, Level::Warning, "{clients:?}");
    assert!(
        clients.found.contains("expired: 000003 user1"),
        "{clients:?}"
    );
    // The CRL (30 days) was not renewed in all that time.
    let crl = find(&checks, "crl");
    assert_eq!(crl.level, Level::Error, "{crl:?}");
    assert!(crl.fix.contains("crl renew"), "{crl:?}");

    at(&mut lab, 402);
    let checks = lab
        .svc
        .diagnose(vec!["weborca-server".into()])
        .expect("diagnose");
    let server = find(&checks, "server_cert_expiry");
    assert_eq!(server.level, Level::Error, "{server:?}");
    assert!(server.found.contains("expired on"), "{server:?}");
}

#[test]
fn doctor_says_when_the_crl_is_due() {
    let mut lab = lab();
    at(&mut lab, 25);
    let checks = lab.svc.diagnose(Vec::new()).expect("diagnose");
    assert_eq!(find(&checks, "crl").level, Level::Warning);
    lab.svc.renew_crl(true).expect("renew");
    let checks = lab.svc.diagnose(Vec::new()).expect("diagnose");
    assert_eq!(find(&checks, "crl").level, Level::Ok);
}

#[test]
fn ca_expiring_within_31_days_is_a_warning() {
    let mut lab = lab();
    let ca_end = lab.svc.summary().expect("summary").not_after;
    let near = ca_end - Duration::days(10);
    lab.svc.set_clock(move || near);
    let checks = lab.svc.diagnose(Vec::new()).expect("diagnose");
    let ca = find(&checks, "ca_expiry");
    assert_eq!(ca.level, Level::Warning, "{ca:?}");
}
