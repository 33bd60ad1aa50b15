//! Scale targets of the engine, printed as a table (`cargo bench -p orca-cad`).
//!
//! - CRL building stays well under a second at 1 000 000 revoked entries
//!   (`openssl ca -gencrl` needs about 3.3 s for that on these machines);
//! - listing 100 000 certificates reads no key and parses no certificate.
//!
//! Rows are inserted straight into the index with SQL: issuing a million
//! real certificates would measure key generation, not the CRL.

use std::time::{Duration, Instant};

use orca_cad::ca::authority::Authority;
use orca_cad::config::{Config, KeyType};
use orca_cad::index::{Index, ListFilter};
use orca_cad::service::{CaService, InitOptions};

fn fill(db: &std::path::Path, first: u32, count: u32, revoked: bool) {
    let mut conn = rusqlite::Connection::open(db).expect("open index");
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO certificates (issue_number, serial, kind, common_name, subject_alt_names, \
                 key_type, issued_at, not_before, not_after, status, revoked_at, revocation_reason, \
                 fingerprint_sha256, certificate_der) \
                 VALUES (?1, ?2, 'client', ?3, '', 'ecdsa-p256', 1700000000, 1700000000, 2000000000, \
                 ?4, ?5, ?6, 'bench', zeroblob(1100))",
            )
            .expect("prepare");
        for n in first..first + count {
            let serial = format!("{:032X}", u128::from(n) * 0x9E37_79B9_7F4A_7C15 + 1);
            let (status, at, reason) = if revoked {
                (
                    "revoked",
                    Some(1_700_000_100i64 + i64::from(n)),
                    Some("keyCompromise"),
                )
            } else {
                ("valid", None, None)
            };
            stmt.execute(rusqlite::params![
                n,
                serial,
                format!("user{n}"),
                status,
                at,
                reason
            ])
            .expect("insert");
        }
    }
    tx.execute(
        "UPDATE counters SET value = ?1 WHERE name = 'next_issue_number'",
        [first + count],
    )
    .expect("counter");
    tx.commit().expect("commit");
}

fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("ORCA_BENCH_QUICK").is_some();
    let revoked: u32 = if quick { 10_000 } else { 1_000_000 };
    let listed: u32 = if quick { 1_000 } else { 100_000 };

    let tmp = std::env::temp_dir().join(format!("orca-bench-{}", std::process::id()));
    let config = Config {
        state_dir: tmp.join("state"),
        key_type: KeyType::EcdsaP256,
        ..Config::default()
    };
    let mut rows = Vec::new();
    for key_type in [KeyType::EcdsaP256, KeyType::Rsa2048] {
        let _ = std::fs::remove_dir_all(&tmp);
        let mut service = CaService::open(config.clone()).expect("open");
        service
            .initialize(&InitOptions {
                key_type: Some(key_type),
                ..InitOptions::default()
            })
            .expect("init");
        let db = config.state_dir.join("index.sqlite");
        fill(&db, 2, revoked, true);

        // Building a CRL is reading what it lists and signing it; the
        // target ("well under a second") is about those two. Making it
        // durable (SQLite commit with synchronous FULL, then the DER and
        // PEM copies with fsync) is timed apart: it is the disk's time.
        let index = Index::open(&db).expect("index");
        let (entries, t_read) = timed(|| index.revoked_entries().expect("entries"));
        drop(index);
        let authority = Authority::load(
            &std::fs::read(config.state_dir.join("ca.crt")).expect("ca.crt"),
            &std::fs::read(config.state_dir.join("ca.key")).expect("ca.key"),
        )
        .expect("authority");
        let now = time::OffsetDateTime::now_utc();
        let (der, t_sign) = timed(|| {
            authority
                .sign_crl(2, now, now + time::Duration::days(30), &entries)
                .expect("sign")
        });
        rows.push((
            format!("CRL build, {revoked} revoked, {key_type} CA"),
            t_read + t_sign,
            format!(
                "read {:.3} s + sign {:.3} s, {} MB DER",
                t_read.as_secs_f64(),
                t_sign.as_secs_f64(),
                der.len() / 1_000_000
            ),
        ));
        let (_, t) = timed(|| service.issue_crl().expect("crl"));
        rows.push((
            format!("CRL issue, {revoked} revoked, {key_type} CA"),
            t,
            "build + commit + publish DER and PEM, with fsync".to_owned(),
        ));
        drop(service);
    }

    let _ = std::fs::remove_dir_all(&tmp);
    let mut service = CaService::open(config.clone()).expect("open");
    service.initialize(&InitOptions::default()).expect("init");
    fill(&config.state_dir.join("index.sqlite"), 2, listed, false);
    let filter = ListFilter::default();
    let (list, t) = timed(|| service.list(&filter).expect("list"));
    rows.push((
        format!("list {listed} certificates"),
        t,
        format!("{} rows", list.len()),
    ));
    let filter = ListFilter {
        pattern: Some("user9999".into()),
        ..ListFilter::default()
    };
    let (list, t) = timed(|| service.list(&filter).expect("list"));
    rows.push((
        format!("search CN among {listed}"),
        t,
        format!("{} rows", list.len()),
    ));
    drop(service);
    let _ = std::fs::remove_dir_all(&tmp);

    println!("\n{:<44} {:>10}  note", "operation", "time");
    for (what, t, note) in rows {
        println!("{what:<44} {:>8.3} s  {note}", t.as_secs_f64());
    }
}
