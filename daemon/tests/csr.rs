//! `CaService::sign_request`: certificates for keys the CA never sees.
//! Requests are made with OpenSSL as a requester would; the certificates
//! are checked with `openssl verify` and by reading them back.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder, X509Req, X509ReqBuilder};
use orca_cad::Error;
use orca_cad::ca::profile::CertKind;
use orca_cad::config::{Config, KeyType};
use orca_cad::error::InvalidArgument;
use orca_cad::ids::CertId;
use orca_cad::index::ListFilter;
use orca_cad::service::{CaService, InitOptions, Warning};
use tempfile::TempDir;

fn lab() -> (TempDir, CaService) {
    let tmp = tempfile::tempdir().unwrap();
    let config = Config {
        state_dir: tmp.path().join("state"),
        key_type: KeyType::EcdsaP256,
        ..Config::default()
    };
    let mut svc = CaService::open(config).unwrap();
    svc.initialize(&InitOptions {
        ca_name: Some("CSR Test CA".into()),
        ..Default::default()
    })
    .unwrap();
    (tmp, svc)
}

fn rsa(bits: u32) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap()
}

fn ec(curve: Nid) -> PKey<Private> {
    PKey::from_ec_key(EcKey::generate(&EcGroup::from_curve_name(curve).unwrap()).unwrap()).unwrap()
}

/// What a requester puts in a request.
#[derive(Default)]
struct Ask<'a> {
    cn: Option<&'a str>,
    dns: &'a [&'a str],
    ips: &'a [&'a str],
    emails: &'a [&'a str],
    /// Asks for basicConstraints CA:TRUE and keyCertSign: must be ignored.
    ca: bool,
}

/// A request for `key`'s public half, signed by `signer` (normally `key`).
fn request(key: &PKey<Private>, signer: &PKey<Private>, ask: &Ask) -> X509Req {
    let mut b = X509ReqBuilder::new().unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("O", "Requester Inc").unwrap();
    if let Some(cn) = ask.cn {
        name.append_entry_by_text("CN", cn).unwrap();
    }
    b.set_subject_name(&name.build()).unwrap();
    b.set_pubkey(key).unwrap();
    let mut exts = Stack::new().unwrap();
    if !(ask.dns.is_empty() && ask.ips.is_empty() && ask.emails.is_empty()) {
        let mut san = SubjectAlternativeName::new();
        for d in ask.dns {
            san.dns(d);
        }
        for i in ask.ips {
            san.ip(i);
        }
        for e in ask.emails {
            san.email(e);
        }
        exts.push(san.build(&b.x509v3_context(None)).unwrap())
            .unwrap();
    }
    if ask.ca {
        exts.push(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        exts.push(KeyUsage::new().key_cert_sign().crl_sign().build().unwrap())
            .unwrap();
    }
    if !exts.is_empty() {
        b.add_extensions(&exts).unwrap();
    }
    b.sign(signer, MessageDigest::sha256()).unwrap();
    b.build()
}

fn pem(req: &X509Req) -> Vec<u8> {
    req.to_pem().unwrap()
}

fn text(cert: &X509) -> String {
    String::from_utf8(cert.to_text().unwrap()).unwrap()
}

/// Every file of the state directory, to prove a refusal wrote nothing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            !n.ends_with("-shm") && n != "lock"
        })
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn openssl_verify(tmp: &Path, svc: &CaService, cert_pem: &str, args: &[&str]) -> String {
    let ca = tmp.join("ca.crt");
    let crt = tmp.join("leaf.crt");
    fs::write(&ca, svc.ca_certificate_pem().unwrap()).unwrap();
    fs::write(&crt, cert_pem).unwrap();
    let out = Command::new("openssl")
        .args(["verify", "-x509_strict", "-CAfile"])
        .arg(&ca)
        .args(args)
        .arg(&crt)
        .output()
        .unwrap();
    let t = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl verify {args:?}: {t}");
    t
}

#[test]
fn server_request_gets_its_key_its_names_and_our_extensions_only() {
    let (tmp, mut svc) = lab();
    let key = rsa(2048);
    let req = request(
        &key,
        &key,
        &Ask {
            cn: Some("ignored-cn"),
            dns: &["WebORCA.clinic.example"],
            ips: &["192.168.1.100"],
            ca: true,
            ..Default::default()
        },
    );
    let signed = svc
        .sign_request(&pem(&req), CertKind::Server, Some(90))
        .expect("a good server request is signed");
    let r = &signed.record;
    assert_eq!(r.number.to_string(), "000002");
    assert_eq!(r.kind, CertKind::Server);
    assert_eq!(
        r.common_name, "weborca.clinic.example",
        "first DNS SAN, folded"
    );
    assert_eq!(
        r.alt_names
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["DNS:weborca.clinic.example", "IP:192.168.1.100"]
    );
    assert_eq!(r.key_type, KeyType::Rsa2048);
    assert!(!r.has_key_material, "we never saw the private key");
    assert!(signed.warnings.is_empty(), "{:?}", signed.warnings);

    let cert = X509::from_pem(signed.certificate_pem.as_bytes()).unwrap();
    assert!(
        cert.public_key().unwrap().public_eq(&key),
        "the request's key"
    );
    let t = text(&cert);
    assert!(t.contains("CA:FALSE"), "CA:TRUE request ignored:\n{t}");
    assert!(!t.contains("Certificate Sign"), "keyCertSign ignored:\n{t}");
    assert!(t.contains("TLS Web Server Authentication"), "{t}");
    assert!(t.contains("Key Encipherment"), "RSA server profile:\n{t}");
    assert!(t.contains("O=orca"), "our subject, not the request's:\n{t}");
    assert!(!t.contains("Requester Inc"), "{t}");
    let days = (r.not_after - r.issued_at).whole_days();
    assert_eq!(days, 90);

    let dir = tmp.path();
    openssl_verify(
        dir,
        &svc,
        &signed.certificate_pem,
        &["-purpose", "sslserver"],
    );
    openssl_verify(
        dir,
        &svc,
        &signed.certificate_pem,
        &["-verify_hostname", "weborca.clinic.example"],
    );
    openssl_verify(
        dir,
        &svc,
        &signed.certificate_pem,
        &["-verify_ip", "192.168.1.100"],
    );

    // The index has it as any other certificate; its export has no key.
    let listed = svc.list(&ListFilter::default()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        svc.certificate_pem(r.number).unwrap(),
        signed.certificate_pem
    );
    let (_, delivery, warnings) = svc.export(&CertId::Number(r.number)).unwrap();
    assert!(matches!(
        warnings.as_slice(),
        [Warning::NoKeyMaterial { .. }]
    ));
    assert!(delivery.zip.len() > 100);
}

#[test]
fn client_request_gets_its_cn_p256_and_der_is_accepted() {
    let (tmp, mut svc) = lab();
    let key = ec(Nid::X9_62_PRIME256V1);
    let req = request(
        &key,
        &key,
        &Ask {
            cn: Some("user-7@clinic"),
            ..Default::default()
        },
    );
    let signed = svc
        .sign_request(&req.to_der().unwrap(), CertKind::Client, None)
        .expect("a DER client request is signed");
    assert_eq!(signed.record.common_name, "user-7@clinic");
    assert_eq!(signed.record.kind, CertKind::Client);
    assert_eq!(signed.record.key_type, KeyType::EcdsaP256);
    assert_eq!(signed.record.base_name(), "000002__JP_orca_user-7@clinic");
    let cert = X509::from_pem(signed.certificate_pem.as_bytes()).unwrap();
    assert!(cert.public_key().unwrap().public_eq(&key));
    let t = text(&cert);
    assert!(t.contains("TLS Web Client Authentication"), "{t}");
    assert!(!t.contains("Key Encipherment"), "{t}");
    openssl_verify(
        tmp.path(),
        &svc,
        &signed.certificate_pem,
        &["-purpose", "sslclient"],
    );
}

#[test]
fn pem_after_text_is_read_as_openssl_req_text_writes_it() {
    let (_tmp, mut svc) = lab();
    let key = ec(Nid::X9_62_PRIME256V1);
    let req = request(
        &key,
        &key,
        &Ask {
            cn: Some("reception"),
            ..Default::default()
        },
    );
    let mut with_text = req.to_text().unwrap();
    with_text.extend_from_slice(&pem(&req));
    let s = svc
        .sign_request(&with_text, CertKind::Client, None)
        .expect("`openssl req -text` output is a request");
    assert_eq!(s.record.common_name, "reception");
}

#[test]
fn server_request_without_san_uses_its_cn_as_host_or_address() {
    let (_tmp, mut svc) = lab();
    let key = ec(Nid::X9_62_PRIME256V1);
    let req = request(
        &key,
        &key,
        &Ask {
            cn: Some("weborca-server"),
            ..Default::default()
        },
    );
    let s = svc
        .sign_request(&pem(&req), CertKind::Server, None)
        .unwrap();
    assert_eq!(s.record.alt_names.len(), 1);
    assert_eq!(s.record.alt_names[0].to_string(), "DNS:weborca-server");
    assert!(
        s.warnings
            .iter()
            .any(|w| matches!(w, Warning::LongerThanApple { .. })),
        "the default 3650 days still warn about Apple: {:?}",
        s.warnings
    );
    let req = request(
        &key,
        &key,
        &Ask {
            cn: Some("10.0.0.5"),
            ..Default::default()
        },
    );
    let s = svc
        .sign_request(&pem(&req), CertKind::Server, Some(30))
        .unwrap();
    assert_eq!(s.record.alt_names[0].to_string(), "IP:10.0.0.5");
}

/// Each refusal: its own InvalidArgument, and not one byte written.
#[test]
fn bad_requests_are_refused_by_name_and_change_nothing() {
    let (tmp, mut svc) = lab();
    let good = ec(Nid::X9_62_PRIME256V1);
    let other = ec(Nid::X9_62_PRIME256V1);
    let host = Ask {
        dns: &["weborca"],
        cn: Some("weborca"),
        ..Default::default()
    };
    let p1024 = rsa(1024);
    let p384 = ec(Nid::SECP384R1);
    let cases: Vec<(&str, Vec<u8>, CertKind, Option<i64>)> = vec![
        ("empty", Vec::new(), CertKind::Server, None),
        (
            "too large",
            vec![b'A'; 64 * 1024 + 1],
            CertKind::Server,
            None,
        ),
        (
            "garbage",
            b"-----BEGIN CERTIFICATE REQUEST-----\nxx\n".to_vec(),
            CertKind::Server,
            None,
        ),
        (
            "signed by another key",
            pem(&request(&good, &other, &host)),
            CertKind::Server,
            None,
        ),
        // Real, well-signed requests: refused for their key alone.
        (
            "RSA 1024",
            pem(&request(&p1024, &p1024, &host)),
            CertKind::Server,
            None,
        ),
        (
            "P-384",
            pem(&request(&p384, &p384, &host)),
            CertKind::Server,
            None,
        ),
        (
            "bad client CN",
            pem(&request(
                &good,
                &good,
                &Ask {
                    cn: Some("-rm"),
                    ..Default::default()
                },
            )),
            CertKind::Client,
            None,
        ),
        (
            "client CN with a space",
            pem(&request(
                &good,
                &good,
                &Ask {
                    cn: Some("a b"),
                    ..Default::default()
                },
            )),
            CertKind::Client,
            None,
        ),
        (
            "client without CN",
            pem(&request(&good, &good, &Ask::default())),
            CertKind::Client,
            None,
        ),
        (
            "server without names",
            pem(&request(&good, &good, &Ask::default())),
            CertKind::Server,
            None,
        ),
        (
            "bad host in SAN",
            pem(&request(
                &good,
                &good,
                &Ask {
                    dns: &["bad_host!"],
                    ..Default::default()
                },
            )),
            CertKind::Server,
            None,
        ),
        (
            "e-mail SAN",
            pem(&request(
                &good,
                &good,
                &Ask {
                    dns: &["weborca"],
                    emails: &["a@b.example"],
                    ..Default::default()
                },
            )),
            CertKind::Server,
            None,
        ),
        (
            "validity 0 days",
            pem(&request(&good, &good, &host)),
            CertKind::Server,
            Some(0),
        ),
        (
            "past the CA",
            pem(&request(&good, &good, &host)),
            CertKind::Server,
            Some(36500),
        ),
    ];
    let before = snapshot(&tmp.path().join("state"));
    for (what, csr, kind, days) in cases {
        let err = svc
            .sign_request(&csr, kind, days)
            .expect_err(&format!("{what} must be refused"));
        let Error::InvalidArgument(a) = &err else {
            panic!("{what}: not an InvalidArgument: {err:?}");
        };
        let expected = match what {
            "empty" => matches!(a, InvalidArgument::CsrEmpty),
            "too large" => matches!(a, InvalidArgument::CsrTooLarge { .. }),
            "garbage" => matches!(a, InvalidArgument::CsrUnreadable),
            "signed by another key" => matches!(a, InvalidArgument::CsrSignatureInvalid),
            "RSA 1024" => {
                matches!(a, InvalidArgument::CsrKeyUnsupported { found } if found == "RSA 1024")
            }
            "P-384" => {
                matches!(a, InvalidArgument::CsrKeyUnsupported { found } if found == "EC secp384r1")
            }
            "bad client CN" => matches!(a, InvalidArgument::CommonNameLeading { ch: '-' }),
            "client CN with a space" => {
                matches!(
                    a,
                    InvalidArgument::CommonNameCharacter {
                        ch: ' ',
                        position: 2
                    }
                )
            }
            "client without CN" => matches!(a, InvalidArgument::CsrCommonNames { count: 0 }),
            "server without names" => matches!(a, InvalidArgument::CsrNoNames),
            "bad host in SAN" => matches!(a, InvalidArgument::HostNameInvalid { .. }),
            "e-mail SAN" => {
                matches!(a, InvalidArgument::CsrNameUnsupported { name } if name.contains("a@b.example"))
            }
            "validity 0 days" => matches!(a, InvalidArgument::ValidityDays { days: 0 }),
            "past the CA" => matches!(a, InvalidArgument::ValidityPastCa { .. }),
            _ => false,
        };
        assert!(expected, "{what}: wrong refusal {a:?}");
        let msg = err.to_string();
        assert!(!msg.is_empty(), "{what}");
        if what == "RSA 1024" {
            assert!(
                msg.contains("RSA 1024") && msg.contains("ECDSA P-256"),
                "{msg}"
            );
        }
    }
    assert_eq!(
        before,
        snapshot(&tmp.path().join("state")),
        "a refused request must leave the state directory as it was"
    );
    assert_eq!(
        svc.list(&ListFilter::default()).unwrap().len(),
        1,
        "only the CA"
    );
}
