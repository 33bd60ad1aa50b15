//! Integration tests of the CA engine (`orca_cad::service::CaService`).
//!
//! What we issue is checked with tools we did not write: the `openssl` CLI
//! (OpenSSL 3.0) and `unzip`, run on files written into a temporary
//! directory, exactly as a clinic's administrator or browser would meet them.
//! Each test owns its own state directory, so they run in parallel.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use orca_cad::Error;
use orca_cad::ca::crl::RevocationReason;
use orca_cad::config::{Config, KeyType, P12Profile};
use orca_cad::error::{HostProblem, InvalidArgument};
use orca_cad::ids::{CertId, IssueNumber};
use orca_cad::index::{CertRecord, ListFilter, Status};
use orca_cad::service::{CaService, Delivery, InitOptions, Issued, Warning};
use tempfile::TempDir;
use time::{Duration, OffsetDateTime};

const CA_NAME: &str = "Test Clinic CA";

// ───────────────────────── helpers ─────────────────────────

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// `CaService::open` right after the previous service was dropped. Another
/// test's `openssl` child, forked but not yet exec'd, can briefly hold a copy
/// of the lock's descriptor (flock locks follow the open file, which fork
/// shares); so StateBusy is retried for a moment. No daemon reopens like this.
fn reopen(config: &Config) -> orca_cad::Result<CaService> {
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match CaService::open(config.clone()) {
            Err(Error::StateBusy { .. }) if Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// One CA in a temporary directory: the state directory is `<tmp>/state`,
/// bundles handed to the "user" go under `<tmp>/out`.
struct Lab {
    tmp: TempDir,
    config: Config,
}

impl Lab {
    /// A lab whose CA is not created yet.
    fn empty(key_type: KeyType, tweak: impl FnOnce(&mut Config)) -> Lab {
        let tmp = tempfile::tempdir().expect("create a temp dir");
        let mut config = Config {
            state_dir: tmp.path().join("state"),
            key_type,
            ..Config::default()
        };
        tweak(&mut config);
        Lab { tmp, config }
    }

    /// A lab with an initialized CA named [`CA_NAME`].
    fn new(key_type: KeyType) -> (Lab, CaService) {
        Lab::with(key_type, |_| {}, None)
    }

    fn with(
        key_type: KeyType,
        tweak: impl FnOnce(&mut Config),
        ca_validity_days: Option<i64>,
    ) -> (Lab, CaService) {
        let lab = Lab::empty(key_type, tweak);
        let mut svc = lab.open();
        let ca = svc
            .initialize(&InitOptions {
                ca_name: Some(CA_NAME.into()),
                key_type: None,
                validity_days: ca_validity_days,
            })
            .expect("initializing a CA in a fresh state dir must work");
        assert_eq!(
            ca.number.to_string(),
            "000001",
            "the CA must be issue 000001"
        );
        (lab, svc)
    }

    fn open(&self) -> CaService {
        reopen(&self.config).expect("opening the state directory must work")
    }

    fn state(&self, name: &str) -> PathBuf {
        self.config.state_dir.join(name)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Writes the zip where a user would get it: `<tmp>/<folder>/<file_name>`.
    fn deliver_to(&self, d: &Delivery, folder: &str) -> PathBuf {
        let dir = self.path(folder);
        fs::create_dir_all(&dir).expect("create the output dir");
        let path = dir.join(&d.file_name);
        fs::write(&path, &d.zip).expect("write the zip");
        path
    }

    fn deliver(&self, d: &Delivery) -> PathBuf {
        self.deliver_to(d, "out")
    }

    /// Delivers an issued bundle and unpacks it.
    fn bundle(&self, issued: &Issued) -> Bundle {
        unpack(&self.deliver(&issued.delivery))
    }
}

/// An unpacked zip: `<dir>` is the one folder inside, named `<base>`.
struct Bundle {
    dir: PathBuf,
    base: String,
}

impl Bundle {
    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{suffix}", self.base))
    }
    fn crt(&self) -> PathBuf {
        self.file(".crt")
    }
    fn pass(&self) -> PathBuf {
        self.file(".pass")
    }
    fn ca(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }
}

/// `unzip -q` next to the zip, into `<zip without .zip>.d/`.
fn unpack(zip: &Path) -> Bundle {
    let dest = zip.with_extension("d");
    ok(
        run("unzip", &["-q", p(zip), "-d", p(&dest)]),
        "unzip must extract the bundle",
    );
    let base = zip
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("zip name")
        .to_string();
    let dir = dest.join(&base);
    assert!(
        dir.is_dir(),
        "the zip must hold a folder named like itself ({base}/)"
    );
    Bundle { dir, base }
}

/// `unzip -Z1`: the names in the zip, as unzip sees them.
fn zip_names(zip: &Path) -> BTreeSet<String> {
    ok(
        run("unzip", &["-Z1", p(zip)]),
        "unzip -Z1 must list the zip",
    )
    .lines()
    .map(str::to_string)
    .collect()
}

fn expected_names(base: &str, files: &[&str]) -> BTreeSet<String> {
    std::iter::once(format!("{base}/"))
        .chain(files.iter().map(|f| format!("{base}/{f}")))
        .collect()
}

fn full_names(base: &str) -> BTreeSet<String> {
    expected_names(
        base,
        &[
            &format!("{base}.crt"),
            &format!("{base}.enc.pem"),
            &format!("{base}.p12"),
            &format!("{base}.pass"),
            &format!("{base}.pem"),
            "ca.crt",
        ],
    )
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn openssl(args: &[&str]) -> Output {
    run("openssl", args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts success and returns stdout + stderr.
#[track_caller]
fn ok(o: Output, what: &str) -> String {
    let t = text(&o);
    assert!(o.status.success(), "{what}, but it failed:\n{t}");
    t
}

/// Asserts failure and returns stdout + stderr.
#[track_caller]
fn fails(o: Output, what: &str) -> String {
    let t = text(&o);
    assert!(!o.status.success(), "{what}, but it succeeded:\n{t}");
    t
}

fn x509_text(cert: &Path) -> String {
    ok(
        openssl(&["x509", "-in", p(cert), "-noout", "-text"]),
        "openssl x509 must read the certificate",
    )
}

/// An extension in `openssl x509 -text`: (critical, the first value line).
fn ext(text: &str, name: &str) -> Option<(bool, String)> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with(name) {
            let critical = line.contains("critical");
            return Some((critical, lines.next().unwrap_or("").trim().to_string()));
        }
    }
    None
}

#[track_caller]
fn ext_value(text: &str, name: &str) -> String {
    ext(text, name)
        .unwrap_or_else(|| panic!("openssl shows no {name}:\n{text}"))
        .1
}

/// The subject in the `/C=JP/O=orca/CN=…` form of the ORCA page.
fn subject(cert: &Path) -> String {
    ok(
        openssl(&[
            "x509",
            "-in",
            p(cert),
            "-noout",
            "-subject",
            "-nameopt",
            "compat",
        ]),
        "openssl x509 -subject",
    )
    .trim()
    .trim_start_matches("subject=")
    .to_string()
}

/// `openssl verify -CAfile ca -x509_strict <extra> cert`.
fn verify(ca: &Path, cert: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["verify", "-CAfile", p(ca), "-x509_strict"];
    args.extend_from_slice(extra);
    args.push(p(cert));
    openssl(&args)
}

/// The SKI/AKI hex as printed, without an optional `keyid:` prefix.
fn key_id(value: &str) -> String {
    value.trim().trim_start_matches("keyid:").to_string()
}

fn crl_text(lab: &Lab) -> String {
    ok(
        openssl(&[
            "crl",
            "-inform",
            "DER",
            "-in",
            p(&lab.state("crl.der")),
            "-noout",
            "-text",
        ]),
        "openssl crl must read crl.der",
    )
}

/// The CRL number as openssl reads it from crl.der (and crl.pem agrees).
fn crl_number(lab: &Lab) -> u64 {
    let der = crl_text(lab);
    let pem = ok(
        openssl(&["crl", "-in", p(&lab.state("crl.pem")), "-noout", "-text"]),
        "openssl crl must read crl.pem",
    );
    assert_eq!(der, pem, "crl.der and crl.pem must hold the same CRL");
    ext_value(&der, "X509v3 CRL Number")
        .parse()
        .unwrap_or_else(|e| panic!("CRL number not decimal ({e}):\n{der}"))
}

/// Serials compare without leading zeros (openssl drops them).
fn serial_key(s: &str) -> String {
    s.trim()
        .replace(':', "")
        .to_ascii_uppercase()
        .trim_start_matches('0')
        .to_string()
}

fn cert_serial(cert: &Path) -> String {
    let out = ok(
        openssl(&["x509", "-in", p(cert), "-noout", "-serial"]),
        "openssl x509 -serial",
    );
    serial_key(out.trim().trim_start_matches("serial="))
}

/// Writes the certificate of `number` from the index to `<tmp>/<number>.crt`.
fn cert_file(lab: &Lab, svc: &CaService, number: IssueNumber) -> PathBuf {
    let path = lab.path(&format!("{number}.crt"));
    fs::write(&path, svc.certificate_pem(number).expect("certificate pem")).expect("write crt");
    path
}

fn id(s: &str) -> CertId {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} must parse as an ID: {e}"))
}

fn num(record: &CertRecord) -> CertId {
    CertId::Number(record.number)
}

/// Everything in the state directory that a refused operation must leave
/// alone (the SQLite shared-memory file and the lock change on mere reads).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("list the state dir")
        .map(|e| e.expect("dir entry"))
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            !n.ends_with("-shm") && n != "lock"
        })
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read state file"),
            )
        })
        .collect()
}

/// Asserts two snapshots are equal, naming the files that differ (the
/// bytes themselves would flood the output).
#[track_caller]
fn assert_unchanged(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let changed: Vec<&str> = names
        .into_iter()
        .filter(|n| before.get(*n) != after.get(*n))
        .map(String::as_str)
        .collect();
    assert!(
        changed.is_empty(),
        "{what}: these state files changed: {changed:?}"
    );
}

fn all(svc: &CaService) -> Vec<CertRecord> {
    svc.list(&ListFilter::default()).expect("list")
}

fn numbers(records: &[CertRecord]) -> Vec<u32> {
    records.iter().map(|r| r.number.get()).collect()
}

fn cns(records: &[CertRecord]) -> Vec<&str> {
    records.iter().map(|r| r.common_name.as_str()).collect()
}

// ───────────────────────── 1. init ─────────────────────────

/// The CA certificate carries the ORCA subject and the extensions that make
/// browsers and OpenSSL treat it as a CA for leaves only.
#[test]
fn init_makes_ca_with_orca_subject_and_ca_extensions() {
    let (lab, svc) = Lab::new(KeyType::Rsa2048);
    let ca = lab.state("ca.crt");
    assert_eq!(
        subject(&ca),
        format!("/C=JP/O=orca/CN={CA_NAME}"),
        "CA subject must be /C=JP/O=orca/CN=<name>"
    );
    assert_eq!(
        svc.summary().expect("summary").subject,
        format!("/C=JP/O=orca/CN={CA_NAME}"),
        "summary must show the same subject openssl sees"
    );
    let t = x509_text(&ca);
    assert!(
        t.contains("Version: 3"),
        "CA must be an X.509 v3 certificate:\n{t}"
    );
    let (critical, bc) = ext(&t, "X509v3 Basic Constraints").expect("CA has basicConstraints");
    assert!(critical, "basicConstraints must be critical:\n{t}");
    assert!(
        bc.starts_with("CA:TRUE"),
        "basicConstraints must say CA:TRUE:\n{t}"
    );
    assert!(
        bc.contains("pathlen:0"),
        "the CA signs only leaves, so pathlen must be 0:\n{t}"
    );
    let (critical, ku) = ext(&t, "X509v3 Key Usage").expect("CA has keyUsage");
    assert!(critical, "CA keyUsage must be critical:\n{t}");
    assert_eq!(
        ku, "Certificate Sign, CRL Sign",
        "CA keyUsage must be exactly keyCertSign + cRLSign"
    );
    assert!(
        !key_id(&ext_value(&t, "X509v3 Subject Key Identifier")).is_empty(),
        "CA must carry a SKI:\n{t}"
    );
    assert!(
        t.contains("rsaEncryption") && t.contains("2048 bit"),
        "default key must be RSA 2048:\n{t}"
    );
    assert!(
        t.contains("sha256WithRSAEncryption"),
        "CA must be signed with SHA-256:\n{t}"
    );
    // Self-signed and valid by itself.
    ok(
        openssl(&["verify", "-CAfile", p(&ca), "-x509_strict", p(&ca)]),
        "the CA must verify against itself with -x509_strict",
    );
    let rows = all(&svc);
    assert_eq!(
        numbers(&rows),
        vec![1],
        "after init the index holds only the CA as 000001"
    );
    assert_eq!(
        rows[0].common_name, CA_NAME,
        "index row of the CA carries its name"
    );
    assert_eq!(
        serial_key(&rows[0].serial.hex()),
        cert_serial(&ca),
        "the index serial of the CA must be the one in ca.crt"
    );
}

/// Without a name the CA gets a default one; ECDSA CAs work too.
#[test]
fn init_ecdsa_with_default_name() {
    let lab = Lab::empty(KeyType::EcdsaP256, |_| {});
    let mut svc = lab.open();
    assert!(!svc.is_initialized(), "a fresh state dir has no CA");
    assert!(
        matches!(svc.issue_client("user1", None), Err(Error::NotInitialized)),
        "issuing before init must say NotInitialized"
    );
    svc.initialize(&InitOptions::default())
        .expect("init with defaults");
    let ca = lab.state("ca.crt");
    let subj = subject(&ca);
    assert!(
        subj.starts_with("/C=JP/O=orca/CN=ORCA CA "),
        "default CA name must be 'ORCA CA <host> <date>', got {subj}"
    );
    let t = x509_text(&ca);
    assert!(
        t.contains("id-ecPublicKey") && t.contains("prime256v1"),
        "ecdsa-p256 CA must have a P-256 key:\n{t}"
    );
    assert!(
        t.contains("ecdsa-with-SHA256"),
        "ECDSA CA must be signed with SHA-256:\n{t}"
    );
}

#[test]
fn init_twice_is_refused_and_changes_nothing() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let before = snapshot(&lab.config.state_dir);
    let err = svc
        .initialize(&InitOptions {
            ca_name: Some("Another CA".into()),
            ..InitOptions::default()
        })
        .expect_err("a second init must be refused");
    assert!(
        matches!(err, Error::AlreadyInitialized { .. }),
        "second init must be AlreadyInitialized, got {err:?}"
    );
    assert!(
        err.to_string().contains("never overwritten"),
        "message must say the CA is kept: {err}"
    );
    assert_unchanged(
        &before,
        &snapshot(&lab.config.state_dir),
        "a refused init must not touch ca.key, ca.crt, the CRL or the index",
    );
    // Also from a fresh process. (Closing the index checkpoints its WAL, so
    // the SQLite files are compared from after the reopen.)
    let key = fs::read(lab.state("ca.key")).expect("read ca.key");
    drop(svc);
    let mut svc = lab.open();
    let before = snapshot(&lab.config.state_dir);
    assert!(
        matches!(
            svc.initialize(&InitOptions::default()),
            Err(Error::AlreadyInitialized { .. })
        ),
        "init after reopen must be refused as well"
    );
    assert_unchanged(
        &before,
        &snapshot(&lab.config.state_dir),
        "a refused init after reopen must change nothing",
    );
    assert_eq!(
        fs::read(lab.state("ca.key")).expect("read ca.key"),
        key,
        "ca.key must be byte-identical after two refused inits"
    );
    assert_eq!(all(&svc).len(), 1, "still only the CA in the index");
}

#[test]
fn init_makes_state_private() {
    let (lab, _svc) = Lab::new(KeyType::EcdsaP256);
    assert_eq!(mode(&lab.config.state_dir), 0o700, "state dir must be 0700");
    assert_eq!(mode(&lab.state("ca.key")), 0o600, "ca.key must be 0600");
    assert_eq!(
        mode(&lab.state("index.sqlite")),
        0o600,
        "index.sqlite holds escrowed keys: 0600"
    );
    let key = fs::read_to_string(lab.state("ca.key")).expect("read ca.key");
    assert!(
        key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "ca.key must be a PKCS#8 key"
    );
    // The key on disk is the CA's key.
    let a = ok(
        openssl(&["pkey", "-in", p(&lab.state("ca.key")), "-pubout"]),
        "openssl pkey must read ca.key",
    );
    let b = ok(
        openssl(&["x509", "-in", p(&lab.state("ca.crt")), "-noout", "-pubkey"]),
        "openssl x509 -pubkey",
    );
    assert_eq!(a, b, "ca.key must belong to ca.crt");
}

#[test]
fn init_publishes_empty_crl_number_1() {
    let (lab, svc) = Lab::new(KeyType::Rsa2048);
    assert!(
        lab.state("crl.der").is_file(),
        "crl.der must exist after init"
    );
    assert!(
        lab.state("crl.pem").is_file(),
        "crl.pem must exist after init"
    );
    let t = crl_text(&lab);
    assert!(t.contains("Version 2"), "CRL must be v2:\n{t}");
    assert_eq!(crl_number(&lab), 1, "the first CRL must have number 1");
    let ski = key_id(&ext_value(
        &x509_text(&lab.state("ca.crt")),
        "X509v3 Subject Key Identifier",
    ));
    assert_eq!(
        key_id(&ext_value(&t, "X509v3 Authority Key Identifier")),
        ski,
        "CRL AKI must be the CA's SKI"
    );
    assert!(
        t.contains("No Revoked Certificates"),
        "the first CRL must be empty:\n{t}"
    );
    let v = ok(
        openssl(&[
            "crl",
            "-in",
            p(&lab.state("crl.pem")),
            "-CAfile",
            p(&lab.state("ca.crt")),
            "-noout",
        ]),
        "the CRL signature must verify against ca.crt",
    );
    assert!(v.contains("verify OK"), "openssl must say verify OK: {v}");
    assert_eq!(
        svc.current_crl().expect("crl").map(|c| c.number),
        Some(1),
        "the index must record CRL 1"
    );
}

// ───────────────────────── 2. server certificates ─────────────────────────

/// Checks a server certificate as a browser would: chain, purpose, names.
fn check_server(ca: &Path, cert: &Path, good_hosts: &[&str], good_ips: &[&str]) {
    ok(
        verify(ca, cert, &["-purpose", "sslserver"]),
        "server cert must verify with -purpose sslserver -x509_strict",
    );
    for h in good_hosts {
        ok(
            verify(ca, cert, &["-purpose", "sslserver", "-verify_hostname", h]),
            &format!("server cert must verify for host {h}"),
        );
    }
    for ip in good_ips {
        ok(
            verify(ca, cert, &["-purpose", "sslserver", "-verify_ip", ip]),
            &format!("server cert must verify for IP {ip}"),
        );
    }
    let out = fails(
        verify(
            ca,
            cert,
            &[
                "-purpose",
                "sslserver",
                "-verify_hostname",
                "not-in-the-cert.example",
            ],
        ),
        "a host name not in the SAN must not verify",
    );
    assert!(
        out.contains("hostname mismatch"),
        "expected a hostname mismatch: {out}"
    );
    let out = fails(
        verify(
            ca,
            cert,
            &["-purpose", "sslserver", "-verify_ip", "192.168.1.101"],
        ),
        "an IP not in the SAN must not verify",
    );
    assert!(
        out.contains("IP address mismatch"),
        "expected an IP mismatch: {out}"
    );
    let t = x509_text(cert);
    assert_eq!(
        ext_value(&t, "X509v3 Extended Key Usage"),
        "TLS Web Server Authentication",
        "server EKU must be exactly serverAuth"
    );
    let ca_ski = key_id(&ext_value(&x509_text(ca), "X509v3 Subject Key Identifier"));
    assert_eq!(
        key_id(&ext_value(&t, "X509v3 Authority Key Identifier")),
        ca_ski,
        "server AKI must equal the CA's SKI"
    );
    assert!(
        ext(&t, "X509v3 Subject Key Identifier").is_some(),
        "server cert must carry a SKI:\n{t}"
    );
    assert_eq!(
        ext_value(&t, "X509v3 Basic Constraints"),
        "CA:FALSE",
        "a leaf must say CA:FALSE"
    );
}

#[test]
fn server_cert_for_host_name() {
    let (lab, mut svc) = Lab::new(KeyType::Rsa2048);
    let issued = svc
        .issue_server(&strs(&["weborca-server"]), &[], None)
        .expect("issue -c weborca-server");
    let b = lab.bundle(&issued);
    check_server(&lab.state("ca.crt"), &b.crt(), &["weborca-server"], &[]);
    fails(
        verify(
            &lab.state("ca.crt"),
            &b.crt(),
            &["-verify_ip", "192.168.1.100"],
        ),
        "a host-only cert must not verify for an IP",
    );
    assert_eq!(
        subject(&b.crt()),
        "/C=JP/O=orca/CN=weborca-server",
        "CN = the host name"
    );
    let t = x509_text(&b.crt());
    assert_eq!(
        ext_value(&t, "X509v3 Subject Alternative Name"),
        "DNS:weborca-server",
        "SAN must hold the host name"
    );
    let (_, ku) = ext(&t, "X509v3 Key Usage").expect("server keyUsage");
    assert_eq!(
        ku, "Digital Signature, Key Encipherment",
        "an RSA server cert needs digitalSignature + keyEncipherment"
    );
    assert_eq!(
        issued.delivery.file_name, "000002__JP_orca_weborca-server.zip",
        "the first server cert is 000002, named after its CN"
    );
}

#[test]
fn server_cert_for_ip_address() {
    let (lab, mut svc) = Lab::new(KeyType::Rsa2048);
    let issued = svc
        .issue_server(&[], &strs(&["192.168.1.100"]), None)
        .expect("issue -i 192.168.1.100");
    let b = lab.bundle(&issued);
    check_server(&lab.state("ca.crt"), &b.crt(), &[], &["192.168.1.100"]);
    assert_eq!(
        subject(&b.crt()),
        "/C=JP/O=orca/CN=192.168.1.100",
        "without host names CN = the first IP"
    );
    assert_eq!(
        ext_value(&x509_text(&b.crt()), "X509v3 Subject Alternative Name"),
        "IP Address:192.168.1.100",
        "SAN must hold the address as an IP SAN"
    );
}

#[test]
fn server_cert_for_host_and_ips_ecdsa() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let issued = svc
        .issue_server(
            &strs(&["weborca-server", "orca.clinic.example"]),
            &strs(&["192.168.1.100", "fd00::1"]),
            Some(397),
        )
        .expect("issue -c … -i …");
    assert!(
        issued.warnings.is_empty(),
        "397 days, no warning: {:?}",
        issued.warnings
    );
    let b = lab.bundle(&issued);
    check_server(
        &lab.state("ca.crt"),
        &b.crt(),
        &["weborca-server", "orca.clinic.example"],
        &["192.168.1.100", "fd00::1"],
    );
    assert_eq!(
        subject(&b.crt()),
        "/C=JP/O=orca/CN=weborca-server",
        "CN = the first host name even when IPs are given"
    );
    let t = x509_text(&b.crt());
    let (_, ku) = ext(&t, "X509v3 Key Usage").expect("server keyUsage");
    assert_eq!(
        ku, "Digital Signature",
        "an ECDSA server cert must have digitalSignature only (no keyEncipherment)"
    );
    assert!(
        t.contains("prime256v1"),
        "leaf key must follow key_type ecdsa-p256:\n{t}"
    );
}

/// `-c 192.168.1.100` (an address given as a host) lands in an IP SAN, with a warning.
#[test]
fn server_address_given_as_host_becomes_ip_san() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let issued = svc
        .issue_server(&strs(&["192.168.1.100"]), &[], Some(397))
        .expect("issue -c 192.168.1.100");
    assert_eq!(
        issued.warnings,
        vec![Warning::AddressAsHost {
            values: strs(&["192.168.1.100"])
        }],
        "an address given with -c must be reported"
    );
    let b = lab.bundle(&issued);
    check_server(&lab.state("ca.crt"), &b.crt(), &[], &["192.168.1.100"]);
}

// ───────────────────────── 3. client certificates ─────────────────────────

#[test]
fn client_cert_is_for_clients_only() {
    let (lab, mut svc) = Lab::new(KeyType::Rsa2048);
    let issued = svc.issue_client("user1", None).expect("issue client user1");
    assert!(
        issued.warnings.is_empty(),
        "a 10-year client cert gets no Apple warning: {:?}",
        issued.warnings
    );
    let b = lab.bundle(&issued);
    let ca = lab.state("ca.crt");
    ok(
        verify(&ca, &b.crt(), &["-purpose", "sslclient"]),
        "client cert must verify with -purpose sslclient -x509_strict",
    );
    fails(
        verify(&ca, &b.crt(), &["-purpose", "sslserver"]),
        "a client cert must not be usable as a server cert",
    );
    assert_eq!(subject(&b.crt()), "/C=JP/O=orca/CN=user1", "client subject");
    let t = x509_text(&b.crt());
    assert_eq!(
        ext_value(&t, "X509v3 Extended Key Usage"),
        "TLS Web Client Authentication",
        "client EKU must be exactly clientAuth"
    );
    assert_eq!(
        ext_value(&t, "X509v3 Key Usage"),
        "Digital Signature",
        "client keyUsage must be digitalSignature only"
    );
    assert!(
        ext(&t, "X509v3 Subject Alternative Name").is_none(),
        "client cert has no SAN:\n{t}"
    );
    let ca_ski = key_id(&ext_value(&x509_text(&ca), "X509v3 Subject Key Identifier"));
    assert_eq!(
        key_id(&ext_value(&t, "X509v3 Authority Key Identifier")),
        ca_ski,
        "client AKI must equal the CA's SKI"
    );
}

// ───────────────────────── 4. the zip ─────────────────────────

/// Every check a bundle must pass, whatever its profile.
fn check_bundle(lab: &Lab, svc: &CaService, issued: &Issued, profile: P12Profile) {
    let zip = lab.deliver(&issued.delivery);
    let base = issued.record.base_name();
    assert_eq!(
        issued.delivery.file_name,
        format!("{base}.zip"),
        "the zip must be named <base>.zip"
    );
    assert_eq!(
        zip_names(&zip),
        full_names(&base),
        "the zip must hold exactly one folder and the six files"
    );
    let b = unpack(&zip);
    let cn = &issued.record.common_name;

    // .pass: 16 letters and digits and a newline.
    let pass = fs::read_to_string(b.pass()).expect("read .pass");
    let word = pass.strip_suffix('\n').unwrap_or(&pass);
    assert!(
        word.len() == 16 && word.chars().all(|c| c.is_ascii_alphanumeric()),
        "the passphrase must be 16 letters/digits, got {pass:?}"
    );
    let passin = format!("file:{}", p(&b.pass()));
    let wrong = "pass:WrongPassphrase1";

    // .p12 opens with the passphrase, without -legacy; not with a wrong one.
    let p12 = b.file(".p12");
    let info = ok(
        openssl(&[
            "pkcs12",
            "-in",
            p(&p12),
            "-info",
            "-noout",
            "-passin",
            &passin,
        ]),
        "openssl pkcs12 -info must open the .p12 without -legacy",
    );
    fails(
        openssl(&[
            "pkcs12",
            "-in",
            p(&p12),
            "-info",
            "-noout",
            "-passin",
            wrong,
        ]),
        "a wrong passphrase must not open the .p12",
    );
    assert!(
        !info.contains("RC2"),
        "the .p12 must never use RC2:\n{info}"
    );
    match profile {
        P12Profile::Compat => {
            assert!(
                info.contains("MAC: sha1"),
                "compat .p12 must use a SHA-1 MAC:\n{info}"
            );
            assert_eq!(
                info.matches("pbeWithSHA1And3-KeyTripleDES-CBC").count(),
                2,
                "compat .p12 must use 3DES for both the cert and the key bag:\n{info}"
            );
            assert!(
                !info.contains("PBES2"),
                "compat .p12 must not use PBES2:\n{info}"
            );
        }
        P12Profile::Modern => {
            assert!(
                info.contains("MAC: sha256"),
                "modern .p12 must use a SHA-256 MAC:\n{info}"
            );
            assert_eq!(
                info.matches("PBES2, PBKDF2, AES-256-CBC").count(),
                2,
                "modern .p12 must use PBES2/PBKDF2/AES-256-CBC for both bags:\n{info}"
            );
            assert!(
                !info.contains("3DES") && !info.contains("TripleDES"),
                "modern .p12 has no 3DES:\n{info}"
            );
        }
    }
    let leaf = ok(
        openssl(&[
            "pkcs12",
            "-in",
            p(&p12),
            "-nokeys",
            "-clcerts",
            "-passin",
            &passin,
        ]),
        "the .p12 must yield its certificate",
    );
    assert!(
        leaf.contains(&format!("friendlyName: {cn}")),
        "the .p12 friendly name must be the CN {cn}:\n{leaf}"
    );
    let crt = fs::read_to_string(b.crt()).expect("read .crt");
    assert!(
        leaf.contains(crt.trim()),
        "the certificate in the .p12 must be the .crt"
    );
    let cas = ok(
        openssl(&[
            "pkcs12",
            "-in",
            p(&p12),
            "-nokeys",
            "-cacerts",
            "-passin",
            &passin,
        ]),
        "the .p12 must yield the CA",
    );
    let ca_pem = fs::read_to_string(lab.state("ca.crt")).expect("read ca.crt");
    assert!(
        cas.contains(ca_pem.trim()),
        "the .p12 must hold the CA certificate:\n{cas}"
    );
    let key = ok(
        openssl(&[
            "pkcs12",
            "-in",
            p(&p12),
            "-nocerts",
            "-nodes",
            "-passin",
            &passin,
        ]),
        "the .p12 must yield its key",
    );
    assert!(
        key.contains("PRIVATE KEY"),
        "the .p12 must hold a key:\n{key}"
    );

    // .enc.pem: PKCS#8 with PBES2/PBKDF2/AES-256-CBC, only with the passphrase.
    let enc = b.file(".enc.pem");
    let enc_text = fs::read_to_string(&enc).expect("read .enc.pem");
    assert!(
        enc_text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        ".enc.pem must be an ENCRYPTED PRIVATE KEY"
    );
    let asn1 = ok(
        openssl(&["asn1parse", "-in", p(&enc)]),
        "asn1parse .enc.pem",
    );
    for alg in ["PBES2", "PBKDF2", "aes-256-cbc"] {
        assert!(asn1.contains(alg), ".enc.pem must use {alg}:\n{asn1}");
    }
    let enc_pub = ok(
        openssl(&["pkey", "-in", p(&enc), "-passin", &passin, "-pubout"]),
        "openssl pkey must decrypt .enc.pem with the passphrase",
    );
    fails(
        openssl(&["pkey", "-in", p(&enc), "-passin", wrong, "-noout"]),
        "a wrong passphrase must not decrypt .enc.pem",
    );
    fails(
        openssl(&["pkey", "-in", p(&enc), "-passin", "pass:", "-noout"]),
        "an empty passphrase must not decrypt .enc.pem",
    );
    // No passphrase at all: no terminal to ask on (setsid), nothing on stdin.
    fails(
        run(
            "timeout",
            &[
                "30",
                "setsid",
                "-w",
                "openssl",
                "pkey",
                "-in",
                p(&enc),
                "-noout",
            ],
        ),
        "without a passphrase .enc.pem must not decrypt",
    );

    // .pem: the same key, unencrypted, matching the certificate.
    let pem = b.file(".pem");
    let pem_text = fs::read_to_string(&pem).expect("read .pem");
    assert!(
        pem_text.starts_with("-----BEGIN PRIVATE KEY-----"),
        ".pem must be an unencrypted PKCS#8 key (WebORCA-Server cannot read an encrypted one)"
    );
    let pem_pub = ok(
        openssl(&["pkey", "-in", p(&pem), "-pubout"]),
        "openssl pkey must read .pem without a passphrase",
    );
    let crt_pub = ok(
        openssl(&["x509", "-in", p(&b.crt()), "-noout", "-pubkey"]),
        "openssl x509 -pubkey",
    );
    assert_eq!(pem_pub, crt_pub, ".pem must be the key of .crt");
    assert_eq!(enc_pub, crt_pub, ".enc.pem must be the key of .crt");

    // Unpacked by `unzip`, the secrets are private and the certificates public.
    let listing = ok(run("unzip", &["-Z", p(&zip)]), "unzip -Z");
    for (suffix, perms) in [
        (".pem", "-rw-------"),
        (".enc.pem", "-rw-------"),
        (".p12", "-rw-------"),
        (".pass", "-rw-------"),
        (".crt", "-rw-r--r--"),
    ] {
        let name = format!("{base}/{base}{suffix}");
        let line = listing
            .lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap_or_else(|| panic!("unzip -Z does not list {name}:\n{listing}"));
        assert!(
            line.starts_with(perms),
            "{name} must be stored as {perms}: {line}"
        );
    }
    assert_eq!(
        mode(&b.file(".pem")),
        0o600,
        "the unencrypted key must be 0600 once unzipped"
    );

    // ca.crt and .crt are what the CA has.
    assert_eq!(
        fs::read(b.ca()).expect("read bundled ca.crt"),
        fs::read(lab.state("ca.crt")).expect("read state ca.crt"),
        "the bundled ca.crt must be the CA"
    );
    assert_eq!(
        crt,
        svc.certificate_pem(issued.record.number)
            .expect("pem from index"),
        "the bundled .crt must be the certificate in the index"
    );
}

/// The numbering and names of the ORCA page: server 000002, client 000003.
#[test]
fn zip_names_follow_the_orca_page() {
    let (lab, mut svc) = Lab::new(KeyType::Rsa2048);
    let server = svc
        .issue_server(&[], &strs(&["192.168.1.100"]), None)
        .expect("issue server");
    assert_eq!(
        server.delivery.file_name, "000002__JP_orca_192.168.1.100.zip",
        "the first server cert after init is 000002"
    );
    let client = svc.issue_client("user1", None).expect("issue client");
    assert_eq!(
        client.delivery.file_name, "000003__JP_orca_user1.zip",
        "the next client cert is 000003"
    );
    check_bundle(&lab, &svc, &server, P12Profile::Compat);
    check_bundle(&lab, &svc, &client, P12Profile::Compat);
}

#[test]
fn zip_modern_profile_uses_aes_and_sha256() {
    let (lab, mut svc) = Lab::with(
        KeyType::EcdsaP256,
        |c| c.p12_profile = P12Profile::Modern,
        None,
    );
    let client = svc.issue_client("user1", None).expect("issue client");
    check_bundle(&lab, &svc, &client, P12Profile::Modern);
}

/// Two bundles never share a passphrase or a key.
#[test]
fn zip_passphrases_and_keys_differ_between_bundles() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let a = lab.bundle(&svc.issue_client("user1", None).expect("issue"));
    let b = lab.bundle(
        &svc.issue_client("user1", None)
            .expect("issue same CN again"),
    );
    assert_ne!(a.base, b.base, "the same CN twice gets two issue numbers");
    assert_ne!(
        fs::read(a.pass()).expect("pass"),
        fs::read(b.pass()).expect("pass"),
        "passphrases must be fresh per bundle"
    );
    assert_ne!(
        fs::read(a.file(".pem")).expect("pem"),
        fs::read(b.file(".pem")).expect("pem"),
        "keys must be fresh per bundle"
    );
}

// ───────────────────────── 5. validity ─────────────────────────

/// `openssl x509 -checkend`: fails when the cert expires within `secs`.
fn expires_within(cert: &Path, secs: i64) -> bool {
    !openssl(&[
        "x509",
        "-in",
        p(cert),
        "-noout",
        "-checkend",
        &secs.to_string(),
    ])
    .status
    .success()
}

fn not_after(cert: &Path) -> String {
    ok(
        openssl(&[
            "x509",
            "-in",
            p(cert),
            "-noout",
            "-enddate",
            "-dateopt",
            "iso_8601",
        ]),
        "openssl x509 -enddate",
    )
    .trim()
    .trim_start_matches("notAfter=")
    .to_string()
}

#[test]
fn validity_default_warns_apple_for_servers_only() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let server = svc
        .issue_server(&strs(&["weborca-server"]), &[], None)
        .expect("issue server");
    assert_eq!(
        server.warnings,
        vec![Warning::LongerThanApple { days: 3650 }],
        "a default 3650-day server cert must warn about Apple's 825-day limit"
    );
    assert!(
        server.warnings[0].to_string().contains("825"),
        "the warning must name the 825-day limit: {}",
        server.warnings[0]
    );
    let crt = lab.bundle(&server).crt();
    assert!(
        !expires_within(&crt, 3649 * 86_400),
        "default validity must be ~3650 days"
    );
    assert!(
        expires_within(&crt, 3651 * 86_400),
        "default validity must be ~3650 days"
    );
    let client = svc.issue_client("user1", None).expect("issue client");
    assert!(
        client.warnings.is_empty(),
        "client certs are not bound by Apple's server limit: {:?}",
        client.warnings
    );
}

#[test]
fn validity_override_397_days() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let t0 = now();
    let issued = svc
        .issue_server(&strs(&["weborca-server"]), &[], Some(397))
        .expect("issue with --validity-days 397");
    assert!(
        issued.warnings.is_empty(),
        "397 days must not warn: {:?}",
        issued.warnings
    );
    let crt = lab.bundle(&issued).crt();
    assert!(
        !expires_within(&crt, 397 * 86_400 - 3600),
        "notAfter must be about now + 397 days, got {}",
        not_after(&crt)
    );
    assert!(
        expires_within(&crt, 397 * 86_400 + 3600),
        "notAfter must be about now + 397 days, got {}",
        not_after(&crt)
    );
    let d = issued.record.not_after - t0;
    assert!(
        (d - Duration::days(397)).abs() < Duration::minutes(5),
        "index notAfter must be now + 397 days, is now + {d}"
    );
    // Backdated an hour for clinic PCs whose clocks run behind, not more.
    let nb = t0 - issued.record.not_before;
    assert!(
        nb >= Duration::minutes(55) && nb <= Duration::minutes(65),
        "notBefore must be about an hour back, is {nb}"
    );
}

#[test]
fn validity_past_the_ca_refused_when_asked_cut_when_default() {
    let (lab, mut svc) = Lab::with(KeyType::EcdsaP256, |_| {}, Some(100));
    let ca_end = not_after(&lab.state("ca.crt"));
    let ca_date = &ca_end[..10];
    let err = svc
        .issue_client("user1", Some(200))
        .expect_err("200 days past a 100-day CA must be refused");
    assert!(
        matches!(
            err,
            Error::InvalidArgument(InvalidArgument::ValidityPastCa { days: 200, .. })
        ),
        "expected ValidityPastCa, got {err:?}"
    );
    assert!(
        err.to_string().contains(ca_date),
        "the error must name the CA's end date {ca_date}: {err}"
    );
    assert_eq!(all(&svc).len(), 1, "a refused request must not add a row");

    // The config default (3650) is cut to the CA's end, with a warning.
    let issued = svc
        .issue_server(&strs(&["weborca-server"]), &[], None)
        .expect("issue");
    assert_eq!(
        issued.record.number.to_string(),
        "000002",
        "the refused request must not have used a number"
    );
    assert!(
        matches!(
            issued.warnings.as_slice(),
            [Warning::ValidityCut { wanted_days: 3650, not_after }] if not_after == ca_date
        ),
        "expected exactly a ValidityCut warning naming {ca_date} (and no Apple warning at 100 days), got {:?}",
        issued.warnings
    );
    let crt = lab.bundle(&issued).crt();
    assert_eq!(
        not_after(&crt),
        ca_end,
        "a cut certificate must end exactly with the CA"
    );
    ok(
        verify(&lab.state("ca.crt"), &crt, &["-purpose", "sslserver"]),
        "a cut certificate must still verify",
    );
}

/// A CA past its end issues nothing, whatever is asked.
#[test]
fn expired_ca_refuses_to_issue() {
    let (lab, mut svc) = Lab::with(KeyType::EcdsaP256, |_| {}, Some(100));
    let later = now() + Duration::days(101);
    svc.set_clock(move || later);
    let ca_end = not_after(&lab.state("ca.crt"));
    for (what, r) in [
        ("client", svc.issue_client("user1", None).map(|_| ())),
        (
            "server",
            svc.issue_server(&strs(&["weborca-server"]), &[], Some(1))
                .map(|_| ()),
        ),
    ] {
        let err = r.expect_err("an expired CA must not issue");
        assert!(
            matches!(err, Error::CaExpired { .. }),
            "{what}: expected CaExpired, got {err:?}"
        );
        assert!(
            err.to_string().contains(&ca_end[..10]),
            "{what}: the message must name the CA's end {ca_end}: {err}"
        );
    }
    assert_eq!(all(&svc).len(), 1, "nothing issued by an expired CA");
}

// ───────────────────────── 6–7. revoke, CRL, renewal ─────────────────────────

fn crl_check(lab: &Lab, cert: &Path) -> Output {
    verify(
        &lab.state("ca.crt"),
        cert,
        &["-crl_check", "-CRLfile", p(&lab.state("crl.pem"))],
    )
}

/// The CRL entry of `serial` in `openssl crl -text`, up to the next entry.
fn crl_entry(text: &str, serial: &str) -> Option<String> {
    text.split("Serial Number:")
        .skip(1)
        .find(|e| serial_key(e.lines().next().unwrap_or("")) == serial)
        .map(|e| {
            e.split("Signature Algorithm")
                .next()
                .unwrap_or(e)
                .to_string()
        })
}

#[test]
fn revoked_cert_fails_crl_check_valid_one_passes() {
    let (lab, mut svc) = Lab::new(KeyType::Rsa2048);
    let server = svc
        .issue_server(&strs(&["weborca-server"]), &[], None)
        .expect("server");
    let client = svc.issue_client("user1", None).expect("client");
    let (server_crt, client_crt) = (lab.bundle(&server).crt(), lab.bundle(&client).crt());
    ok(
        crl_check(&lab, &client_crt),
        "before revocation the client passes -crl_check",
    );

    let revoked = svc
        .revoke(&num(&client.record), RevocationReason::KeyCompromise)
        .expect("revoke the client");
    assert!(
        revoked.record.revocation.is_some(),
        "the returned record must be revoked"
    );
    let out = fails(
        crl_check(&lab, &client_crt),
        "a revoked cert must fail -crl_check",
    );
    assert!(
        out.contains("certificate revoked"),
        "openssl must say 'certificate revoked': {out}"
    );
    ok(
        crl_check(&lab, &server_crt),
        "a valid cert must still pass -crl_check",
    );
    assert_eq!(
        svc.get(&num(&client.record))
            .expect("show")
            .revocation
            .map(|r| r.reason),
        Some(RevocationReason::KeyCompromise),
        "show must report the reason"
    );
}

#[test]
fn crl_reason_codes_and_numbers() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let a = svc.issue_client("alice", None).expect("alice");
    let b = svc.issue_client("bob", None).expect("bob");
    assert_eq!(crl_number(&lab), 1, "CRL 1 after init");
    let r = svc
        .revoke(&num(&a.record), RevocationReason::KeyCompromise)
        .expect("revoke alice");
    assert_eq!(r.crl.number, 2, "the first revoke publishes CRL 2");
    assert_eq!(
        crl_number(&lab),
        2,
        "crl.der must be CRL 2 after the first revoke"
    );
    let r = svc
        .revoke(&num(&b.record), RevocationReason::Unspecified)
        .expect("revoke bob");
    assert_eq!(r.crl.number, 3, "the second revoke publishes CRL 3");
    assert_eq!(
        crl_number(&lab),
        3,
        "crl.der must be CRL 3 after the second revoke"
    );
    let crl = svc.issue_crl().expect("issue_crl");
    assert_eq!(crl.number, 4, "issue_crl publishes the next number");
    assert_eq!(crl_number(&lab), 4, "crl.der must be CRL 4 after issue_crl");

    let t = crl_text(&lab);
    let ea = crl_entry(&t, &serial_key(&a.record.serial.hex()))
        .unwrap_or_else(|| panic!("alice must be on the CRL:\n{t}"));
    assert!(
        ea.contains("CRL Reason Code") && ea.contains("Key Compromise"),
        "keyCompromise must be written as a reason code:\n{ea}"
    );
    let eb = crl_entry(&t, &serial_key(&b.record.serial.hex()))
        .unwrap_or_else(|| panic!("bob must be on the CRL:\n{t}"));
    assert!(
        !eb.contains("Reason Code"),
        "unspecified must be written as no reasonCode at all:\n{eb}"
    );
    assert_eq!(
        mode(&lab.state("crl.pem")),
        0o644,
        "the CRL is public: 0644"
    );
}

#[test]
fn revoke_errors_are_distinct() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let c = svc.issue_client("user1", None).expect("client");
    svc.revoke(&num(&c.record), RevocationReason::Superseded)
        .expect("first revoke");
    let before = snapshot(&lab.config.state_dir);

    let err = svc
        .revoke(&num(&c.record), RevocationReason::KeyCompromise)
        .expect_err("revoking twice must be refused");
    assert!(
        matches!(err, Error::AlreadyRevoked { .. }),
        "twice → AlreadyRevoked, got {err:?}"
    );
    assert!(
        err.to_string().contains("000002"),
        "the message must name the certificate: {err}"
    );

    let err = svc
        .revoke(&id("1"), RevocationReason::Unspecified)
        .expect_err("revoking the CA must be refused");
    assert!(
        matches!(err, Error::CannotRevokeCa),
        "CA → CannotRevokeCa, got {err:?}"
    );
    let ca_serial = svc.summary().expect("summary").serial.hex();
    let err = svc
        .revoke(&id(&ca_serial), RevocationReason::CaCompromise)
        .expect_err("revoking the CA by serial must be refused");
    assert!(
        matches!(err, Error::CannotRevokeCa),
        "CA by serial → CannotRevokeCa, got {err:?}"
    );

    let err = svc
        .revoke(&id("999"), RevocationReason::Unspecified)
        .expect_err("revoking an unknown number must fail");
    assert!(
        matches!(err, Error::NotFound { .. }),
        "unknown number → NotFound, got {err:?}"
    );
    assert!(
        err.to_string().contains("000999"),
        "NotFound must name the ID: {err}"
    );
    let err = svc
        .revoke(
            &id("0123456789ABCDEF0123456789ABCDEF"),
            RevocationReason::Unspecified,
        )
        .expect_err("revoking an unknown serial must fail");
    assert!(
        matches!(err, Error::NotFound { .. }),
        "unknown serial → NotFound, got {err:?}"
    );

    assert_unchanged(
        &before,
        &snapshot(&lab.config.state_dir),
        "refused revocations must not publish a CRL or touch the index",
    );
    assert_eq!(
        crl_number(&lab),
        2,
        "refused revocations must not use CRL numbers"
    );
}

#[test]
fn revoke_by_serial_in_every_spelling() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let certs: Vec<Issued> = ["upper", "lower", "colons"]
        .iter()
        .map(|cn| svc.issue_client(cn, None).expect("issue"))
        .collect();
    let hex = certs[0].record.serial.hex();
    let lower = certs[1].record.serial.hex().to_lowercase();
    let colons = certs[2]
        .record
        .serial
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    for (issued, spelling) in certs.iter().zip([hex, lower, colons]) {
        let r = svc
            .revoke(&id(&spelling), RevocationReason::CessationOfOperation)
            .unwrap_or_else(|e| panic!("revoke by serial {spelling} must work: {e}"));
        assert_eq!(
            r.record.number, issued.record.number,
            "serial {spelling} names the wrong cert"
        );
        let crt = lab.bundle(issued).crt();
        assert_eq!(
            cert_serial(&crt),
            serial_key(&spelling),
            "the serial in the index must be the one in the certificate"
        );
        let out = fails(
            crl_check(&lab, &crt),
            "revoked by serial must fail -crl_check",
        );
        assert!(
            out.contains("certificate revoked"),
            "openssl must say revoked: {out}"
        );
    }
    assert_eq!(crl_number(&lab), 4, "three revokes after CRL 1");
}

/// Leaves start an hour early so a clinic PC whose clock runs behind does
/// not call them "not yet valid"; the CRL must be usable by the same PC, or
/// `-crl_check` rejects every certificate until the clock catches up.
#[test]
fn crl_is_valid_for_a_clock_running_behind() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let c = svc.issue_client("user1", None).expect("client");
    let crt = lab.bundle(&c).crt();
    let ten_minutes_ago = (now() - Duration::minutes(10)).unix_timestamp().to_string();
    ok(
        verify(&lab.state("ca.crt"), &crt, &["-attime", &ten_minutes_ago]),
        "the leaf must verify on a PC whose clock is 10 minutes behind",
    );
    ok(
        verify(
            &lab.state("ca.crt"),
            &crt,
            &[
                "-attime",
                &ten_minutes_ago,
                "-crl_check",
                "-CRLfile",
                p(&lab.state("crl.pem")),
            ],
        ),
        "the CRL must be valid on a PC whose clock is 10 minutes behind (thisUpdate backdated like the leaves)",
    );
}

/// The timer's "renew if due": after two thirds of 30 days, not before.
#[test]
fn crl_renew_if_due_after_two_thirds() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let t0 = now();
    let first = svc.current_crl().expect("crl").expect("a CRL after init");
    let (renewed, crl) = svc.renew_crl(true).expect("renew if due");
    assert!(!renewed, "a fresh CRL is not due");
    assert_eq!(crl.number, 1, "not due: same CRL number");
    assert_eq!(crl_number(&lab), 1, "not due: crl.der unchanged");

    let day19 = t0 + Duration::days(19);
    svc.set_clock(move || day19);
    let (renewed, _) = svc.renew_crl(true).expect("renew if due");
    assert!(!renewed, "19 of 30 days is before two thirds: not due");

    let day21 = t0 + Duration::days(21);
    svc.set_clock(move || day21);
    let (renewed, crl) = svc.renew_crl(true).expect("renew if due");
    assert!(renewed, "21 of 30 days is past two thirds: due");
    assert_eq!(crl.number, 2, "a renewal takes the next number");
    assert!(
        crl.schedule.next_update > first.schedule.next_update,
        "nextUpdate must move forward"
    );
    assert_eq!(
        crl.schedule.next_update,
        day21 + Duration::days(30),
        "nextUpdate = renewal time + crl_validity_days"
    );
    let next = ok(
        openssl(&[
            "crl",
            "-in",
            p(&lab.state("crl.pem")),
            "-noout",
            "-nextupdate",
            "-dateopt",
            "iso_8601",
        ]),
        "openssl crl -nextupdate",
    );
    let want = day21 + Duration::days(30);
    let want = format!(
        "{:04}-{:02}-{:02}",
        want.year(),
        u8::from(want.month()),
        want.day()
    );
    assert!(
        next.contains(&want),
        "published nextUpdate must be {want}: {next}"
    );
    assert_eq!(crl_number(&lab), 2, "crl.der must be CRL 2 after renewal");

    let (renewed, crl) = svc.renew_crl(true).expect("renew again");
    assert!(!renewed && crl.number == 2, "just renewed: not due again");
    let (renewed, crl) = svc.renew_crl(false).expect("forced renew");
    assert!(renewed, "renew_crl(false) always renews");
    assert_eq!(crl.number, 3, "forced renewal takes the next number");
    assert_eq!(crl_number(&lab), 3, "crl.der must be CRL 3");
}

// ───────────────────────── 8. list, show, export ─────────────────────────

/// A CA with one certificate of every status: valid (server, alice, soon),
/// revoked (bob), expired (old).
fn populated() -> (Lab, CaService, BTreeMap<&'static str, CertRecord>) {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let t0 = now();
    let mut r = BTreeMap::new();
    let past = t0 - Duration::days(400);
    svc.set_clock(move || past);
    r.insert(
        "old",
        svc.issue_client("old", Some(30)).expect("old").record,
    );
    svc.set_clock(now);
    r.insert(
        "server",
        svc.issue_server(&strs(&["weborca-server"]), &strs(&["192.168.1.100"]), None)
            .expect("server")
            .record,
    );
    r.insert(
        "alice",
        svc.issue_client("alice", None).expect("alice").record,
    );
    r.insert("bob", svc.issue_client("bob", None).expect("bob").record);
    r.insert(
        "soon",
        svc.issue_client("soon", Some(10)).expect("soon").record,
    );
    svc.revoke(&num(&r["bob"]), RevocationReason::Unspecified)
        .expect("revoke bob");
    (lab, svc, r)
}

fn list(svc: &CaService, filter: ListFilter) -> Vec<String> {
    svc.list(&filter)
        .expect("list")
        .iter()
        .map(|r| r.common_name.clone())
        .collect()
}

#[test]
fn list_filters_by_status() {
    let (_lab, svc, _) = populated();
    let rows = all(&svc);
    assert_eq!(
        numbers(&rows),
        vec![1, 2, 3, 4, 5, 6],
        "list shows everything in issue order"
    );
    assert_eq!(
        cns(&rows)[1..],
        ["old", "weborca-server", "alice", "bob", "soon"],
        "list shows every CN"
    );
    let status = |s| {
        list(
            &svc,
            ListFilter {
                status: Some(s),
                ..ListFilter::default()
            },
        )
    };
    assert_eq!(
        status(Status::Valid),
        [CA_NAME, "weborca-server", "alice", "soon"],
        "status=valid must exclude revoked and expired"
    );
    assert_eq!(status(Status::Revoked), ["bob"], "status=revoked");
    assert_eq!(status(Status::Expired), ["old"], "status=expired");
}

#[test]
fn list_filters_by_expiry_and_pattern() {
    let (_lab, svc, _) = populated();
    let f = |expiring: Option<i64>, pattern: Option<&str>| {
        list(
            &svc,
            ListFilter {
                expiring_within_days: expiring,
                pattern: pattern.map(str::to_string),
                ..ListFilter::default()
            },
        )
    };
    assert_eq!(
        f(Some(30), None),
        ["soon"],
        "expiring within 30 days: only valid certs ending in that window"
    );
    assert!(f(Some(5), None).is_empty(), "nothing ends within 5 days");
    assert_eq!(f(None, Some("ali")), ["alice"], "pattern matches the CN");
    assert_eq!(
        f(None, Some("ALICE")),
        ["alice"],
        "pattern is case-insensitive"
    );
    assert_eq!(
        f(None, Some("192.168")),
        ["weborca-server"],
        "pattern matches an IP in the SAN (the CN is the host name)"
    );
    assert!(
        f(None, Some("%")).is_empty(),
        "% is a literal, not a wildcard"
    );
    assert!(
        f(None, Some("_")).is_empty(),
        "_ is a literal, not a wildcard"
    );
}

#[test]
fn show_matches_what_openssl_sees() {
    let (lab, svc, r) = populated();
    let server = &r["server"];
    let by_number = svc.get(&id("000003")).expect("show 000003");
    assert_eq!(&by_number, server, "show by number");
    assert_eq!(
        svc.get(&id("3")).expect("show 3"),
        by_number,
        "show 3 = show 000003"
    );
    let by_serial = svc
        .get(&id(&server.serial.hex().to_lowercase()))
        .expect("show by serial");
    assert_eq!(by_serial, by_number, "show by serial = show by number");
    let crt = cert_file(&lab, &svc, server.number);
    assert_eq!(
        cert_serial(&crt),
        serial_key(&server.serial.hex()),
        "serial as openssl reads it"
    );
    let fp = ok(
        openssl(&["x509", "-in", p(&crt), "-noout", "-fingerprint", "-sha256"]),
        "openssl fingerprint",
    );
    assert_eq!(
        fp.trim().split('=').nth(1),
        Some(server.fingerprint_sha256.as_str()),
        "the fingerprint shown must be the one openssl computes"
    );
    assert_eq!(
        server
            .alt_names
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["DNS:weborca-server", "IP:192.168.1.100"],
        "show lists the SANs"
    );
    assert!(
        matches!(svc.get(&id("77")), Err(Error::NotFound { .. })),
        "show of an unknown number is NotFound"
    );
}

#[test]
fn export_of_escrowed_cert_is_byte_identical() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let issued = svc.issue_client("user1", None).expect("issue");
    let (record, again, warnings) = svc.export(&num(&issued.record)).expect("export");
    assert!(
        warnings.is_empty(),
        "escrowed export has no warning: {warnings:?}"
    );
    let pem = fs::read_to_string(lab.bundle(&issued).file(".pem")).expect("pem");
    assert!(
        index_holds(&lab, &pem),
        "with key_escrow=true the key must be kept in the index"
    );
    assert_eq!(record, issued.record, "export returns the same record");
    assert_eq!(again.file_name, issued.delivery.file_name, "same file name");
    assert!(
        again.zip == issued.delivery.zip,
        "export must rebuild the same zip byte for byte"
    );
    // And from another process, by serial.
    drop(svc);
    let svc = lab.open();
    let (_, later, _) = svc
        .export(&id(&issued.record.serial.hex()))
        .expect("export after reopen");
    assert!(
        later.zip == issued.delivery.zip,
        "export after reopen must be byte-identical"
    );
    let zip = lab.deliver_to(&later, "export");
    assert_eq!(
        zip_names(&zip),
        full_names(&issued.record.base_name()),
        "export has all six files"
    );
}

#[test]
fn export_without_escrow_has_only_certificates() {
    let (lab, mut svc) = Lab::with(KeyType::EcdsaP256, |c| c.key_escrow = false, None);
    let issued = svc.issue_client("user1", None).expect("issue");
    let base = issued.record.base_name();
    assert_eq!(
        zip_names(&lab.deliver(&issued.delivery)),
        full_names(&base),
        "without escrow the delivered zip still has all six files"
    );
    assert!(
        !issued.record.has_key_material,
        "without escrow the index keeps no key"
    );
    let (_, export, warnings) = svc.export(&num(&issued.record)).expect("export");
    assert_eq!(
        warnings,
        vec![Warning::NoKeyMaterial {
            number: issued.record.number
        }],
        "the export must say the key is missing"
    );
    let zip = lab.deliver_to(&export, "export");
    assert_eq!(
        zip_names(&zip),
        expected_names(&base, &[&format!("{base}.crt"), "ca.crt"]),
        "without escrow the export has only .crt and ca.crt"
    );
    let b = unpack(&zip);
    ok(
        verify(&b.ca(), &b.crt(), &["-purpose", "sslclient"]),
        "the exported certificate must verify against the exported ca.crt",
    );
    // Nothing secret in the index for this row.
    let pem = fs::read_to_string(unpack(&lab.deliver(&issued.delivery)).file(".pem")).expect("pem");
    assert!(
        !index_holds(&lab, &pem),
        "with key_escrow=false the key must not be in index.sqlite"
    );
}

/// Whether the first line of a PEM body is anywhere in the index files
/// (the database and its WAL, where fresh rows live until a checkpoint).
fn index_holds(lab: &Lab, pem: &str) -> bool {
    let body = pem.lines().nth(1).expect("PEM body line").as_bytes();
    ["index.sqlite", "index.sqlite-wal"].iter().any(|f| {
        fs::read(lab.state(f))
            .map(|db| db.windows(body.len()).any(|w| w == body))
            .unwrap_or(false)
    })
}

/// `export 1` hands out the CA certificate, never the CA key.
#[test]
fn export_of_the_ca_never_contains_its_key() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    let (record, d, _) = svc.export(&id("1")).expect("export the CA");
    assert_eq!(record.number.get(), 1, "export 1 is the CA");
    let key = fs::read_to_string(lab.state("ca.key")).expect("read ca.key");
    let body = key.lines().nth(1).expect("key body");
    let zip = lab.deliver_to(&d, "export");
    let b = unpack(&zip);
    for entry in fs::read_dir(&b.dir).expect("ls bundle") {
        let path = entry.expect("entry").path();
        let text = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains(body) && !text.contains("PRIVATE KEY"),
            "{} must not hold the CA key",
            path.display()
        );
    }
    assert_eq!(
        fs::read(b.crt()).expect("crt"),
        fs::read(lab.state("ca.crt")).expect("ca.crt"),
        "the exported CA certificate must be ca.crt"
    );
}

/// ca.crt and the CRL files are copies of the index: damaged or deleted,
/// they are written again on the next open.
#[test]
fn public_files_are_restored_from_the_index() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    let ca = fs::read(lab.state("ca.crt")).expect("ca.crt");
    let der = fs::read(lab.state("crl.der")).expect("crl.der");
    let pem = fs::read(lab.state("crl.pem")).expect("crl.pem");
    drop(svc);
    fs::write(lab.state("ca.crt"), b"garbage").expect("damage ca.crt");
    fs::remove_file(lab.state("crl.der")).expect("rm crl.der");
    fs::remove_file(lab.state("crl.pem")).expect("rm crl.pem");
    let _svc = lab.open();
    assert_eq!(
        fs::read(lab.state("ca.crt")).expect("ca.crt"),
        ca,
        "ca.crt must be restored"
    );
    assert_eq!(
        fs::read(lab.state("crl.der")).expect("crl.der"),
        der,
        "crl.der must be restored"
    );
    assert_eq!(
        fs::read(lab.state("crl.pem")).expect("crl.pem"),
        pem,
        "crl.pem must be restored"
    );
    assert_eq!(mode(&lab.state("ca.crt")), 0o644, "ca.crt is public: 0644");
}

// ───────────────────────── 9. scale ─────────────────────────

#[test]
fn thousand_issues_get_distinct_numbers_and_serials() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let start = Instant::now();
    let mut names = HashSet::new();
    for i in 0..1000 {
        let issued = svc
            .issue_client(&format!("u{i}"), Some(30))
            .unwrap_or_else(|e| panic!("issue #{i} failed: {e}"));
        assert!(
            names.insert(issued.delivery.file_name),
            "file name reused at #{i}"
        );
    }
    let elapsed = start.elapsed();
    eprintln!("1000 ecdsa-p256 issues took {elapsed:?}");
    let rows = all(&svc);
    let leaves = &rows[1..];
    assert_eq!(
        numbers(leaves),
        (2..=1001).collect::<Vec<u32>>(),
        "1000 issues must get the contiguous numbers 000002..001001"
    );
    let serials: HashSet<_> = rows.iter().map(|r| r.serial).collect();
    assert_eq!(
        serials.len(),
        1001,
        "every certificate must have its own serial"
    );
    // The serials as openssl reads them from the certificates themselves.
    let all_pem: String = leaves
        .iter()
        .map(|r| svc.certificate_pem(r.number).expect("pem"))
        .collect();
    let bundle = lab.path("all.pem");
    fs::write(&bundle, all_pem).expect("write all.pem");
    let out = ok(
        openssl(&["storeutl", "-noout", "-text", "-certs", p(&bundle)]),
        "openssl storeutl must read the 1000 certificates",
    );
    let mut lines = out.lines();
    let mut seen = HashSet::new();
    while let Some(l) = lines.next() {
        if l.trim() == "Serial Number:" {
            seen.insert(serial_key(lines.next().expect("serial line")));
        }
    }
    assert_eq!(seen.len(), 1000, "openssl must see 1000 distinct serials");
    let expected: HashSet<_> = leaves.iter().map(|r| serial_key(&r.serial.hex())).collect();
    assert_eq!(
        seen, expected,
        "the certificates' serials must be the index's"
    );
}

// ───────────────────────── 10. crash safety ─────────────────────────

/// Committed, never delivered: the row and its material survive, the bundle
/// is rebuilt by export, the number is not reused.
#[test]
fn crash_between_commit_and_delivery_keeps_the_row() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let lost = svc.issue_client("user1", None).expect("issue");
    drop(svc); // the "crash": the zip never reached the user.
    assert!(!lab.path("out").exists(), "nothing was delivered");

    let mut svc = lab.open();
    let row = svc
        .get(&id("000002"))
        .expect("the committed row must survive");
    assert_eq!(row, lost.record, "the row must be the issued certificate");
    assert!(
        row.has_key_material,
        "the key material must be committed with the row"
    );
    let (_, rebuilt, warnings) = svc.export(&num(&row)).expect("export rebuilds the bundle");
    assert!(
        warnings.is_empty(),
        "rebuilt bundle is complete: {warnings:?}"
    );
    assert!(
        rebuilt.zip == lost.delivery.zip,
        "the rebuilt bundle is the one that was lost"
    );
    let issued = Issued {
        record: row,
        delivery: rebuilt,
        warnings,
    };
    check_bundle(&lab, &svc, &issued, P12Profile::Compat);
    let next = svc.issue_client("user2", None).expect("next issue");
    assert_eq!(
        next.record.number.to_string(),
        "000003",
        "the number of the lost bundle must not be reused"
    );
}

const CRASH_ENV: &str = "ORCA_ENGINE_TEST_CRASH_STATE";

/// Not a test by itself: the body of the child process that
/// `crash_by_sigkill_mid_issue_leaves_index_consistent` kills. Without the
/// environment variable it does nothing.
#[test]
fn crash_child_worker() {
    let Some(state) = std::env::var_os(CRASH_ENV) else {
        return;
    };
    let config = Config {
        state_dir: PathBuf::from(state),
        key_type: KeyType::EcdsaP256,
        ..Config::default()
    };
    let mut svc = reopen(&config).expect("child opens the state dir");
    for i in 0.. {
        let issued = svc
            .issue_client(&format!("k{i}"), None)
            .expect("child issues");
        println!("ISSUED {}", issued.record.number.get());
    }
}

/// A real crash: a child process issuing in a loop is SIGKILLed at an
/// arbitrary instant, three times. Every number it reported is committed,
/// numbers stay contiguous, every row has its key, nothing is reused.
#[test]
fn crash_by_sigkill_mid_issue_leaves_index_consistent() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    let exe = std::env::current_exe().expect("test binary path");
    let mut reported = Vec::new();
    for (round, after) in [3usize, 8, 1].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([
                "crash_child_worker",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_ENV, &lab.config.state_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the child");
        let out = child.stdout.take().expect("child stdout");
        let mut seen = 0;
        for line in BufReader::new(out).lines() {
            let line = line.expect("read child output");
            if let Some(n) = line.strip_prefix("ISSUED ") {
                reported.push(n.parse::<u32>().expect("number"));
                seen += 1;
                if seen >= after {
                    break;
                }
            }
        }
        // Let it get into the next issue, then kill it mid-flight.
        std::thread::sleep(std::time::Duration::from_millis(3 + 7 * round as u64));
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
    }
    let mut svc = lab.open();
    let rows = all(&svc);
    let n = rows.len() as u32;
    assert_eq!(
        numbers(&rows),
        (1..=n).collect::<Vec<u32>>(),
        "after crashes the numbers must be contiguous"
    );
    assert!(
        reported.len() >= 12,
        "the child must have issued before each kill (3 + 8 + 1), reported {reported:?}"
    );
    for r in &reported {
        assert!(
            *r <= n,
            "number {r} was handed out but is missing from the index"
        );
    }
    assert!(
        rows[1..].iter().all(|r| r.has_key_material),
        "every committed row must have its key material"
    );
    let serials: HashSet<_> = rows.iter().map(|r| r.serial).collect();
    assert_eq!(serials.len(), rows.len(), "no serial reused across crashes");
    let last = rows.last().expect("rows");
    let (_, d, _) = svc.export(&num(last)).expect("the last row exports");
    check_bundle(
        &lab,
        &svc,
        &Issued {
            record: last.clone(),
            delivery: d,
            warnings: Vec::new(),
        },
        P12Profile::Compat,
    );
    let next = svc
        .issue_client("after", None)
        .expect("issue after the crashes");
    assert_eq!(
        next.record.number.get(),
        n + 1,
        "the next issue continues after the last row"
    );
}

/// A crash during init leaves `ca.key.new` without a CA in the index: the
/// next init keeps it aside (keys are evidence) and makes a fresh CA.
#[test]
fn crash_during_init_keeps_the_stale_key() {
    let lab = Lab::empty(KeyType::EcdsaP256, |_| {});
    let state = &lab.config.state_dir;
    fs::create_dir(state).expect("mkdir state");
    fs::set_permissions(state, fs::Permissions::from_mode(0o700)).expect("chmod 700");
    let stale = b"-----BEGIN PRIVATE KEY-----\nleft by a crashed init\n-----END PRIVATE KEY-----\n";
    fs::write(lab.state("ca.key.new"), stale).expect("write ca.key.new");
    fs::set_permissions(lab.state("ca.key.new"), fs::Permissions::from_mode(0o600)).expect("chmod");

    let mut svc = lab.open();
    assert!(
        !svc.is_initialized(),
        "a pending key without an index row is not a CA"
    );
    svc.initialize(&InitOptions::default())
        .expect("init after a crashed init");
    assert!(
        !lab.state("ca.key.new").exists(),
        "ca.key.new must be moved away"
    );
    let kept: Vec<PathBuf> = fs::read_dir(state)
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ca.key.abandoned-"))
        })
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the stale key must be kept as ca.key.abandoned-*"
    );
    assert_eq!(
        fs::read(&kept[0]).expect("read"),
        stale,
        "the stale key must be kept unchanged"
    );
    assert_eq!(mode(&kept[0]), 0o600, "the kept key stays private");
    let a = ok(
        openssl(&["pkey", "-in", p(&lab.state("ca.key")), "-pubout"]),
        "new ca.key",
    );
    let b = ok(
        openssl(&["x509", "-in", p(&lab.state("ca.crt")), "-noout", "-pubkey"]),
        "ca.crt pubkey",
    );
    assert_eq!(a, b, "the new ca.key must belong to the new ca.crt");
}

/// A crash after the CA's index commit but before the key's rename: the
/// pending key completes the CA on the next open.
#[test]
fn crash_after_init_commit_completes_the_key() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    let key = fs::read(lab.state("ca.key")).expect("read ca.key");
    fs::rename(lab.state("ca.key"), lab.state("ca.key.new")).expect("un-rename the key");
    let mut svc = lab.open();
    assert!(
        svc.is_initialized(),
        "the CA in the index must be completed"
    );
    assert_eq!(
        fs::read(lab.state("ca.key")).expect("ca.key"),
        key,
        "the pending key becomes ca.key"
    );
    assert!(!lab.state("ca.key.new").exists(), "no pending key left");
    let c = svc
        .issue_client("user1", None)
        .expect("issue after recovery");
    ok(
        verify(
            &lab.state("ca.crt"),
            &lab.bundle(&c).crt(),
            &["-purpose", "sslclient"],
        ),
        "certs signed after recovery must verify",
    );
}

#[test]
fn second_open_of_the_state_dir_is_busy() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    let err = CaService::open(lab.config.clone()).expect_err("a second open must be refused");
    assert!(
        matches!(err, Error::StateBusy { .. }),
        "expected StateBusy, got {err:?}"
    );
    assert!(
        err.to_string().contains("in use"),
        "the message must say the dir is in use: {err}"
    );
    drop(svc);
    lab.open();
}

// ───────────────────────── 11. bad input ─────────────────────────

/// Runs `op`, which must be refused with the InvalidArgument `want`
/// describes, with a message naming each of `mentions`; and checks that the
/// state dir and the index are exactly as before.
#[track_caller]
fn refused<T: std::fmt::Debug>(
    lab: &Lab,
    svc: &mut CaService,
    what: &str,
    op: impl FnOnce(&mut CaService) -> orca_cad::Result<T>,
    want: impl Fn(&InvalidArgument) -> bool,
    mentions: &[&str],
) {
    let before = snapshot(&lab.config.state_dir);
    let rows = all(svc).len();
    let err = match op(svc) {
        Ok(v) => panic!("{what} must be refused, got {v:?}"),
        Err(e) => e,
    };
    match &err {
        Error::InvalidArgument(a) if want(a) => {}
        other => panic!("{what}: wrong error {other:?}"),
    }
    let msg = err.to_string();
    for m in mentions {
        assert!(
            msg.contains(m),
            "{what}: the message must mention {m:?}: {msg}"
        );
    }
    assert!(
        msg.len() < 400,
        "{what}: the message must stay short, has {} bytes",
        msg.len()
    );
    assert!(
        !msg.contains('\0'),
        "{what}: the message must not carry a raw NUL"
    );
    assert_unchanged(&before, &snapshot(&lab.config.state_dir), what);
    assert_eq!(all(svc).len(), rows, "{what}: the index must not grow");
    let stray: Vec<String> = fs::read_dir(lab.tmp.path())
        .expect("ls the temp dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "state")
        .collect();
    assert!(stray.is_empty(), "{what}: no file may appear: {stray:?}");
}

const CN_RULE: &str = "1–64 characters from A–Z a–z 0–9 . - _ @";

type Want = fn(&InvalidArgument) -> bool;

#[test]
fn bad_client_names_are_refused_and_change_nothing() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    let long = "a".repeat(10_000);
    let cases: [(&str, &str, Want, &[&str]); 8] = [
        (
            "a/b",
            "CN with /",
            |a| {
                matches!(
                    a,
                    InvalidArgument::CommonNameCharacter {
                        ch: '/',
                        position: 2
                    }
                )
            },
            &["'/'", "position 2", CN_RULE],
        ),
        (
            "..",
            "CN ..",
            |a| matches!(a, InvalidArgument::CommonNameLeading { ch: '.' }),
            &["starts with '.'", CN_RULE],
        ),
        (
            "../etc/passwd",
            "CN ../etc/passwd",
            |a| {
                matches!(
                    a,
                    InvalidArgument::CommonNameCharacter { ch: '/', .. }
                        | InvalidArgument::CommonNameLeading { ch: '.' }
                )
            },
            &[CN_RULE],
        ),
        (
            "a\0b",
            "CN with NUL",
            |a| {
                matches!(
                    a,
                    InvalidArgument::CommonNameCharacter {
                        ch: '\0',
                        position: 2
                    }
                )
            },
            &["'\\0'", CN_RULE],
        ),
        (
            &long,
            "CN of 10 kB",
            |a| matches!(a, InvalidArgument::CommonNameTooLong { len: 10_000 }),
            &["10000 characters", CN_RULE],
        ),
        (
            "",
            "empty CN",
            |a| matches!(a, InvalidArgument::CommonNameEmpty),
            &["empty", CN_RULE],
        ),
        (
            "-rf",
            "CN with leading -",
            |a| matches!(a, InvalidArgument::CommonNameLeading { ch: '-' }),
            &["starts with '-'", CN_RULE],
        ),
        (
            "山田",
            "non-ASCII CN",
            |a| {
                matches!(
                    a,
                    InvalidArgument::CommonNameCharacter {
                        ch: '山',
                        position: 1
                    }
                )
            },
            &["'山'", CN_RULE],
        ),
    ];
    let start = snapshot(&lab.config.state_dir);
    for (cn, what, want, mentions) in cases {
        refused(
            &lab,
            &mut svc,
            what,
            |s| s.issue_client(cn, None),
            want,
            mentions,
        );
    }
    assert_unchanged(
        &start,
        &snapshot(&lab.config.state_dir),
        "no bad CN may change the state dir",
    );
    let next = svc
        .issue_client("user1", None)
        .expect("a good CN afterwards");
    assert_eq!(
        next.record.number.to_string(),
        "000002",
        "refused requests must not use issue numbers"
    );
}

#[test]
fn bad_server_names_are_refused_and_change_nothing() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    refused(
        &lab,
        &mut svc,
        "bad IP 192.168.1.300",
        |s| s.issue_server(&[], &strs(&["192.168.1.300"]), None),
        |a| matches!(a, InvalidArgument::IpAddressInvalid { ip } if ip == "192.168.1.300"),
        &["192.168.1.300", "not an IP address"],
    );
    refused(
        &lab,
        &mut svc,
        "empty host list",
        |s| s.issue_server(&[], &[], None),
        |a| matches!(a, InvalidArgument::NoHosts),
        &["at least one host name"],
    );
    refused(
        &lab,
        &mut svc,
        "host a_b",
        |s| s.issue_server(&strs(&["a_b"]), &[], None),
        |a| {
            matches!(
                a,
                InvalidArgument::HostNameInvalid { host, why: HostProblem::Character('_') } if host == "a_b"
            )
        },
        &["a_b", "'_'"],
    );
    refused(
        &lab,
        &mut svc,
        "one bad host among good ones",
        |s| {
            s.issue_server(
                &strs(&["weborca-server", "bad/host"]),
                &strs(&["192.168.1.100"]),
                None,
            )
        },
        |a| matches!(a, InvalidArgument::HostNameInvalid { .. }),
        &["bad/host"],
    );
    refused(
        &lab,
        &mut svc,
        "one bad IP among good ones",
        |s| {
            s.issue_server(
                &strs(&["weborca-server"]),
                &strs(&["192.168.1.100", "nonsense"]),
                None,
            )
        },
        |a| matches!(a, InvalidArgument::IpAddressInvalid { .. }),
        &["nonsense"],
    );
    let next = svc
        .issue_server(&strs(&["weborca-server"]), &[], Some(397))
        .expect("good server afterwards");
    assert_eq!(
        next.record.number.to_string(),
        "000002",
        "refused requests must not use issue numbers"
    );
}

#[test]
fn bad_validity_is_refused_and_changes_nothing() {
    let (lab, mut svc) = Lab::new(KeyType::EcdsaP256);
    for days in [0, -1, 40_000] {
        let mention = format!("{days} days");
        refused(
            &lab,
            &mut svc,
            &format!("client validity {days}"),
            |s| s.issue_client("user1", Some(days)),
            |a| matches!(a, InvalidArgument::ValidityDays { .. }),
            &[&mention, "1 to 36500"],
        );
        refused(
            &lab,
            &mut svc,
            &format!("server validity {days}"),
            |s| s.issue_server(&strs(&["weborca-server"]), &[], Some(days)),
            |a| matches!(a, InvalidArgument::ValidityDays { .. }),
            &[&mention, "1 to 36500"],
        );
    }
    let next = svc.issue_client("user1", Some(1)).expect("1 day is fine");
    assert_eq!(
        next.record.number.to_string(),
        "000002",
        "refused requests must not use issue numbers"
    );
}

#[test]
fn unknown_revocation_reason_is_named() {
    for bad in ["certificateHold", "removeFromCRL", "bogus", ""] {
        let err = bad
            .parse::<RevocationReason>()
            .expect_err("unknown reasons must be refused");
        assert!(
            matches!(&err, InvalidArgument::RevocationReasonUnknown { reason } if reason == bad),
            "{bad:?}: expected RevocationReasonUnknown, got {err:?}"
        );
        let msg = Error::from(err).to_string();
        assert!(
            msg.contains(&format!("\"{bad}\"")),
            "the message must name {bad:?}: {msg}"
        );
        assert!(
            msg.contains("keyCompromise"),
            "the message must list the valid reasons: {msg}"
        );
    }
    assert_eq!(
        "key-compromise".parse::<RevocationReason>().ok(),
        Some(RevocationReason::KeyCompromise),
        "the usual spellings are accepted"
    );
}

/// Parses `text` as the config file; it must fail with Error::Config naming
/// `key` and the file. Returns a description of what went wrong, if anything.
fn config_refusal(text: &str, key: &str) -> Option<String> {
    let path = Path::new("/etc/orca-ca/orca-cad.toml");
    match Config::parse(text, path) {
        Ok(_) => Some(format!("{text:?} was accepted")),
        Err(err @ Error::Config { .. }) => {
            let msg = err.to_string();
            if !msg.contains(key) {
                Some(format!("{text:?}: the message does not name {key}: {msg}"))
            } else if !msg.contains("orca-cad.toml") {
                Some(format!(
                    "{text:?}: the message does not name the file: {msg}"
                ))
            } else {
                None
            }
        }
        Err(other) => Some(format!("{text:?}: expected Error::Config, got {other:?}")),
    }
}

/// A typo in a key must not silently fall back to a default.
#[test]
fn unknown_config_key_is_named() {
    let problems: Vec<String> = [
        ("server_cert_validty = 10\n", "server_cert_validty"),
        ("key_escrow = true\nkeyescrow = false\n", "keyescrow"),
    ]
    .iter()
    .filter_map(|(text, key)| config_refusal(text, key))
    .collect();
    assert!(
        problems.is_empty(),
        "unknown keys must be named:\n{}",
        problems.join("\n")
    );
}

/// "An unknown key or a bad value is an error that names the key" (issue 2).
#[test]
fn bad_config_value_names_the_key() {
    let problems: Vec<String> = [
        ("server_cert_validity = 0\n", "server_cert_validity"),
        ("client_cert_validity = 40000\n", "client_cert_validity"),
        ("key_type = \"rsa1024\"\n", "key_type"),
        ("p12_profile = \"rc2\"\n", "p12_profile"),
        ("state_dir = \"relative\"\n", "state_dir"),
        // Values of the wrong TOML type.
        ("key_escrow = \"yes\"\n", "key_escrow"),
        ("server_cert_validity = \"ten\"\n", "server_cert_validity"),
        ("p12_profile = 1\n", "p12_profile"),
    ]
    .iter()
    .filter_map(|(text, key)| config_refusal(text, key))
    .collect();
    assert!(
        problems.is_empty(),
        "bad values must name their key:\n{}",
        problems.join("\n")
    );
}

// ───────────────────────── 12. state directory checks ─────────────────────────

#[test]
fn world_readable_state_dir_is_refused_and_left_alone() {
    // Fresh directory someone made 0755.
    let lab = Lab::empty(KeyType::EcdsaP256, |_| {});
    let state = &lab.config.state_dir;
    fs::create_dir(state).expect("mkdir");
    fs::set_permissions(state, fs::Permissions::from_mode(0o755)).expect("chmod 755");
    let err = reopen(&lab.config).expect_err("0755 must be refused");
    assert!(
        matches!(err, Error::StateInsecure { mode: 0o755, .. }),
        "expected StateInsecure 0755, got {err:?}"
    );
    assert!(
        err.to_string().contains("chmod 700"),
        "the message must say how to fix it: {err}"
    );
    assert_eq!(
        mode(state),
        0o755,
        "the mode must be left for an admin to look at"
    );
    assert_eq!(
        fs::read_dir(state).expect("ls").count(),
        0,
        "nothing may be created in it"
    );

    // A CA whose directory became 0755 later.
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    fs::set_permissions(&lab.config.state_dir, fs::Permissions::from_mode(0o755)).expect("chmod");
    let err = reopen(&lab.config).expect_err("0755 must be refused");
    assert!(
        matches!(err, Error::StateInsecure { .. }),
        "expected StateInsecure, got {err:?}"
    );
    assert_eq!(
        mode(&lab.config.state_dir),
        0o755,
        "the mode must be left as found"
    );
}

#[test]
fn world_readable_ca_key_is_refused() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    let key = lab.state("ca.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).expect("chmod 644");
    let err = reopen(&lab.config).expect_err("a 0644 ca.key must be refused");
    assert!(
        matches!(&err, Error::StateInsecure { path, mode: 0o644, .. } if path.ends_with("ca.key")),
        "expected StateInsecure naming ca.key, got {err:?}"
    );
    assert!(
        err.to_string().contains("ca.key"),
        "the message must name ca.key: {err}"
    );
    assert_eq!(
        mode(&key),
        0o644,
        "the key's mode must be left for an admin to look at"
    );
}

#[test]
fn missing_ca_key_is_corrupt_and_not_recreated() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    fs::remove_file(lab.state("ca.key")).expect("rm ca.key");
    let err = reopen(&lab.config).expect_err("a CA without its key must be refused");
    assert!(
        matches!(&err, Error::StateCorrupt { path, .. } if path.ends_with("ca.key")),
        "expected StateCorrupt naming ca.key, got {err:?}"
    );
    assert!(
        err.to_string().contains("ca.key"),
        "the message must name ca.key: {err}"
    );
    assert!(
        !lab.state("ca.key").exists(),
        "no new CA key may be made behind the admin's back"
    );
    assert!(
        !lab.state("ca.key.new").exists(),
        "no pending key may appear either"
    );
}

#[test]
fn garbage_index_is_corrupt_and_left_alone() {
    let (lab, svc) = Lab::new(KeyType::EcdsaP256);
    drop(svc);
    for side in ["index.sqlite-wal", "index.sqlite-shm"] {
        let _ = fs::remove_file(lab.state(side));
    }
    let garbage: Vec<u8> = b"this is not a database, it is a shopping list\n"
        .iter()
        .copied()
        .cycle()
        .take(8192)
        .collect();
    fs::write(lab.state("index.sqlite"), &garbage).expect("overwrite the index");
    let err = reopen(&lab.config).expect_err("a garbage index must be refused");
    assert!(
        matches!(&err, Error::StateCorrupt { path, .. } if path.ends_with("index.sqlite")),
        "expected StateCorrupt naming index.sqlite, got {err:?}"
    );
    assert!(
        err.to_string().contains("index.sqlite"),
        "the message must name the index: {err}"
    );
    assert_eq!(
        fs::read(lab.state("index.sqlite")).expect("read index"),
        garbage,
        "the damaged index must be left exactly as found"
    );
}
