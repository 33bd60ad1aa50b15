//! The one connection to `index.sqlite`. WAL with synchronous=FULL: a
//! committed row survives a power cut. Every write that must be all or
//! nothing is one IMMEDIATE transaction.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params};
use time::{Duration, OffsetDateTime};

use super::migrations::{self, MigrationError};
use super::record::{
    CertRecord, ListFilter, NewCertificate, Revocation, Status, StatusCounts, StoredCrl,
};
use crate::ca::bundle::Material;
use crate::ca::crl::{CrlSchedule, RevocationReason, RevokedEntry};
use crate::ca::profile::{AltName, CertKind};
use crate::error::{Error, Result};
use crate::ids::{CertId, IssueNumber, Serial};

#[derive(Debug)]
pub struct Index {
    conn: Connection,
    path: PathBuf,
}

const RECORD_COLUMNS: &str = "c.issue_number, c.serial, c.kind, c.common_name, c.subject_alt_names, \
     c.key_type, c.issued_at, c.not_before, c.not_after, c.revoked_at, c.revocation_reason, \
     c.fingerprint_sha256, (k.issue_number IS NOT NULL)";
const RECORD_FROM: &str =
    "certificates c LEFT JOIN key_material k ON k.issue_number = c.issue_number";

impl Index {
    /// Opens (creating it 0600) and migrates the index. A file that is not
    /// a database is reported, never replaced.
    pub fn open(path: &Path) -> Result<Index> {
        // Create the file ourselves so it is 0600 from the first byte;
        // SQLite gives -wal and -shm the same mode.
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(crate::state::SECRET_MODE)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let err = sql_error(path);
        let mut conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        // journal_mode answers with a row, so it is queried, not executed.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::StateCorrupt {
                path: path.to_owned(),
                detail: crate::messages::journal_mode(&mode),
            });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(&err)?;
        migrations::migrate(&mut conn).map_err(|e| match e {
            MigrationError::Sql(e) => err(e),
            MigrationError::TooNew { found, known } => Error::StateCorrupt {
                path: path.to_owned(),
                detail: crate::messages::schema_too_new(found, known),
            },
        })?;
        Ok(Index {
            conn,
            path: path.to_owned(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        sql_error(&self.path)
    }

    pub fn ca_record(&self) -> Result<Option<CertRecord>> {
        self.record_where("c.issue_number = 1", params![])
    }

    pub fn ca_certificate_der(&self) -> Result<Option<Vec<u8>>> {
        self.certificate_der(IssueNumber::CA)
    }

    /// Records the CA as issue 000001 together with its first, empty CRL.
    pub fn insert_ca(&mut self, ca: &NewCertificate<'_>, crl: &StoredCrl) -> Result<CertRecord> {
        let path = self.path.clone();
        let err = sql_error(&path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let next: u32 = counter(&tx, "next_issue_number").map_err(&err)?;
        if next != 1 {
            return Err(Error::AlreadyInitialized {
                evidence: self.path.clone(),
            });
        }
        insert_row(&tx, IssueNumber::CA, ca).map_err(&err)?;
        set_counter(&tx, "next_issue_number", 2).map_err(&err)?;
        store_crl(&tx, crl).map_err(&err)?;
        tx.commit().map_err(&err)?;
        self.ca_record()?.ok_or(Error::NotInitialized)
    }

    /// Takes the next issue number and records the certificate (with its
    /// key material) in one transaction: a number is never handed out twice,
    /// and no row exists without its material.
    pub fn insert_issued(&mut self, cert: &NewCertificate<'_>) -> Result<CertRecord> {
        let err = sql_error(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let next: u32 = counter(&tx, "next_issue_number").map_err(&err)?;
        if next < 2 {
            return Err(Error::NotInitialized);
        }
        let number = IssueNumber::new(next).ok_or_else(|| Error::StateCorrupt {
            path: self.path.clone(),
            detail: crate::messages::issue_numbers_exhausted(),
        })?;
        insert_row(&tx, number, cert).map_err(&err)?;
        set_counter(&tx, "next_issue_number", i64::from(next) + 1).map_err(&err)?;
        tx.commit().map_err(&err)?;
        self.find(&CertId::Number(number))?
            .ok_or_else(|| Error::NotFound {
                id: number.to_string(),
            })
    }

    pub fn serial_exists(&self, serial: &Serial) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT 1 FROM certificates WHERE serial = ?1",
                [serial.hex()],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(self.err())
    }

    pub fn find(&self, id: &CertId) -> Result<Option<CertRecord>> {
        match id {
            CertId::Number(n) => self.record_where("c.issue_number = ?1", params![n.get()]),
            CertId::Serial(s) => self.record_where("c.serial = ?1", params![s.hex()]),
        }
    }

    fn record_where(
        &self,
        cond: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Option<CertRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE {cond}");
        self.conn
            .query_row(&sql, args, read_record)
            .optional()
            .map_err(self.err())
    }

    pub fn certificate_der(&self, number: IssueNumber) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT certificate_der FROM certificates WHERE issue_number = ?1",
                [number.get()],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    pub fn material(&self, number: IssueNumber) -> Result<Option<Material>> {
        self.conn
            .query_row(
                "SELECT key_pem, encrypted_key_pem, pkcs12, passphrase FROM key_material WHERE issue_number = ?1",
                [number.get()],
                |r| {
                    Ok(Material {
                        key_pem: r.get(0)?,
                        encrypted_key_pem: r.get(1)?,
                        pkcs12: r.get(2)?,
                        passphrase: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// Reads only the listing columns, so 100 000 rows cost no key or
    /// certificate parsing.
    pub fn list(&self, filter: &ListFilter, now: OffsetDateTime) -> Result<Vec<CertRecord>> {
        let mut conds = vec!["1 = 1".to_string()];
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let now_s = now.unix_timestamp();
        match filter.status {
            Some(Status::Revoked) => conds.push("c.status = 'revoked'".into()),
            Some(Status::Valid) => {
                args.push(now_s.into());
                conds.push(format!(
                    "c.status = 'valid' AND c.not_after >= ?{}",
                    args.len()
                ));
            }
            Some(Status::Expired) => {
                args.push(now_s.into());
                conds.push(format!(
                    "c.status = 'valid' AND c.not_after < ?{}",
                    args.len()
                ));
            }
            None => {}
        }
        if let Some(days) = filter.expiring_within_days {
            args.push(now_s.into());
            let a = args.len();
            args.push((now + Duration::days(days)).unix_timestamp().into());
            let b = args.len();
            conds.push(format!(
                "c.status = 'valid' AND c.not_after >= ?{a} AND c.not_after <= ?{b}"
            ));
        }
        if let Some(kind) = filter.kind {
            args.push(kind.as_str().to_string().into());
            conds.push(format!("c.kind = ?{}", args.len()));
        }
        if let Some(p) = &filter.pattern {
            let escaped = p
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(format!("%{escaped}%").into());
            let n = args.len();
            conds.push(format!(
                "(c.common_name LIKE ?{n} ESCAPE '\\' OR c.subject_alt_names LIKE ?{n} ESCAPE '\\')"
            ));
        }
        let limit = filter
            .limit
            .map(|l| i64::try_from(l).unwrap_or(i64::MAX))
            .unwrap_or(-1);
        let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE {} ORDER BY c.issue_number \
             LIMIT {limit} OFFSET {offset}",
            conds.join(" AND ")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), read_record)
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    pub fn current_crl(&self) -> Result<Option<StoredCrl>> {
        self.conn
            .query_row(
                "SELECT crl_number, revoked, this_update, next_update, der FROM crl WHERE id = 1",
                [],
                |r| {
                    Ok(StoredCrl {
                        number: r.get::<_, i64>(0)? as u64,
                        revoked_count: r.get(1)?,
                        schedule: CrlSchedule {
                            this_update: time_col(r, 2)?,
                            next_update: time_col(r, 3)?,
                        },
                        der: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// The newest revocation, to tell whether the stored CRL lags behind.
    pub fn last_revocation(&self) -> Result<Option<OffsetDateTime>> {
        let t: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(revoked_at) FROM certificates WHERE status = 'revoked'",
                [],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        Ok(t.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()))
    }

    /// Marks `number` revoked (if given) and stores a CRL made by `sign`
    /// from the next CRL number and the full revoked list, all in one
    /// transaction: the CRL number only grows, and a committed revocation
    /// is always in the CRL committed with it.
    pub fn update_crl(
        &mut self,
        revoke: Option<(IssueNumber, &Revocation)>,
        schedule: CrlSchedule,
        sign: impl FnOnce(u64, &[RevokedEntry]) -> Result<Vec<u8>>,
    ) -> Result<StoredCrl> {
        let err = sql_error(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        if let Some((number, rev)) = revoke {
            let changed = tx
                .execute(
                    "UPDATE certificates SET status = 'revoked', revoked_at = ?2, revocation_reason = ?3 \
                     WHERE issue_number = ?1 AND status = 'valid'",
                    params![number.get(), rev.at.unix_timestamp(), rev.reason.as_str()],
                )
                .map_err(&err)?;
            if changed != 1 {
                return Err(Error::NotFound {
                    id: number.to_string(),
                });
            }
        }
        let number = counter::<i64>(&tx, "crl_number").map_err(&err)? as u64 + 1;
        let entries = revoked_entries(&tx).map_err(&err)?;
        let der = sign(number, &entries)?;
        let crl = StoredCrl {
            number,
            revoked_count: u32::try_from(entries.len()).unwrap_or(u32::MAX),
            schedule,
            der,
        };
        store_crl(&tx, &crl).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(crl)
    }

    /// What the next CRL would list, read outside any write transaction
    /// (the benchmark times it apart from signing and committing).
    pub fn revoked_entries(&self) -> Result<Vec<RevokedEntry>> {
        revoked_entries(&self.conn).map_err(sql_error(&self.path))
    }

    /// Certificates per state; `soon_days` is the "expiring soon" window.
    pub fn status_counts(&self, now: OffsetDateTime, soon_days: i64) -> Result<StatusCounts> {
        let now_s = now.unix_timestamp();
        let soon = (now + Duration::days(soon_days)).unix_timestamp();
        self.conn
            .query_row(
                "SELECT \
                   COALESCE(SUM(status = 'valid' AND not_after >= ?1), 0), \
                   COALESCE(SUM(status = 'revoked'), 0), \
                   COALESCE(SUM(status = 'valid' AND not_after < ?1), 0), \
                   COALESCE(SUM(status = 'valid' AND not_after >= ?1 AND not_after <= ?2), 0) \
                 FROM certificates WHERE kind != 'ca'",
                params![now_s, soon],
                |r| {
                    Ok(StatusCounts {
                        valid: r.get::<_, i64>(0)? as u64,
                        revoked: r.get::<_, i64>(1)? as u64,
                        expired: r.get::<_, i64>(2)? as u64,
                        expiring_soon: r.get::<_, i64>(3)? as u64,
                    })
                },
            )
            .map_err(self.err())
    }

    /// Certificates issued by the CA (the CA's own row not counted), for
    /// status output: the counts by status then add up to it.
    pub fn count(&self) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM certificates WHERE kind != 'ca'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(self.err())
    }
}

fn counter<T: rusqlite::types::FromSql>(tx: &Connection, name: &str) -> rusqlite::Result<T> {
    tx.query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
        r.get(0)
    })
}

fn set_counter(tx: &Connection, name: &str, value: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE counters SET value = ?2 WHERE name = ?1",
        params![name, value],
    )
    .map(|_| ())
}

fn store_crl(tx: &Connection, crl: &StoredCrl) -> rusqlite::Result<()> {
    set_counter(tx, "crl_number", crl.number as i64)?;
    tx.execute(
        "INSERT INTO crl (id, crl_number, revoked, this_update, next_update, der) \
         VALUES (1, ?1, ?5, ?2, ?3, ?4) \
         ON CONFLICT (id) DO UPDATE SET crl_number = excluded.crl_number, revoked = excluded.revoked, \
         this_update = excluded.this_update, next_update = excluded.next_update, der = excluded.der",
        params![
            crl.number as i64,
            crl.schedule.this_update.unix_timestamp(),
            crl.schedule.next_update.unix_timestamp(),
            crl.der,
            crl.revoked_count
        ],
    )
    .map(|_| ())
}

/// What a CRL lists, in issue order; answered from the covering index
/// `certificates_revoked` (migration V2), never from the full rows. Named
/// with INDEXED BY: without statistics SQLite prefers the status index and
/// then reads every revoked row in full and sorts them.
pub(crate) const REVOKED_ENTRIES_SQL: &str = "SELECT serial, revoked_at, revocation_reason \
     FROM certificates INDEXED BY certificates_revoked \
     WHERE status = 'revoked' ORDER BY issue_number";

fn revoked_entries(tx: &Connection) -> rusqlite::Result<Vec<RevokedEntry>> {
    let mut stmt = tx.prepare(REVOKED_ENTRIES_SQL)?;
    // Sized once (the count comes from the same index): growing a vector of
    // a million entries by doubling costs more than reading them.
    let count: i64 = tx.query_row(
        "SELECT COUNT(*) FROM certificates INDEXED BY certificates_revoked WHERE status = 'revoked'",
        [],
        |r| r.get(0),
    )?;
    let mut entries = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    // Borrowed text, no allocation per row: a CRL may list a million.
    let rows = stmt.query_map([], |r| {
        let serial = r.get_ref(0)?.as_str()?;
        let reason = r.get_ref(2)?.as_str()?;
        Ok(RevokedEntry {
            serial: parse_serial(serial).map_err(|e| conv_err(0, e))?,
            revoked_at: time_col(r, 1)?,
            reason: RevocationReason::from_stored(reason)
                .ok_or_else(|| conv_err(2, "revocation reason"))?,
        })
    })?;
    for row in rows {
        entries.push(row?);
    }
    Ok(entries)
}

fn insert_row(
    tx: &Connection,
    number: IssueNumber,
    c: &NewCertificate<'_>,
) -> rusqlite::Result<()> {
    let sans: Vec<String> = c.alt_names.iter().map(AltName::to_string).collect();
    tx.execute(
        "INSERT INTO certificates (issue_number, serial, kind, common_name, subject_alt_names, key_type, \
         issued_at, not_before, not_after, status, fingerprint_sha256, certificate_der) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'valid', ?10, ?11)",
        params![
            number.get(),
            c.serial.hex(),
            c.kind.as_str(),
            c.common_name,
            sans.join(","),
            c.key_type.as_str(),
            c.issued_at.unix_timestamp(),
            c.not_before.unix_timestamp(),
            c.not_after.unix_timestamp(),
            c.fingerprint_sha256,
            c.certificate_der,
        ],
    )?;
    if let Some(m) = c.material {
        tx.execute(
            "INSERT INTO key_material (issue_number, key_pem, encrypted_key_pem, pkcs12, passphrase) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![number.get(), m.key_pem, m.encrypted_key_pem, m.pkcs12, m.passphrase],
        )?;
    }
    Ok(())
}

fn read_record(r: &Row<'_>) -> rusqlite::Result<CertRecord> {
    let number: u32 = r.get(0)?;
    let serial: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let sans: String = r.get(4)?;
    let key_type: String = r.get(5)?;
    let revoked_at: Option<i64> = r.get(9)?;
    let reason: Option<String> = r.get(10)?;
    let revocation = match (revoked_at, reason) {
        (Some(at), Some(reason)) => Some(Revocation {
            at: OffsetDateTime::from_unix_timestamp(at).map_err(|e| conv_err(9, e))?,
            reason: RevocationReason::from_stored(&reason)
                .ok_or_else(|| conv_err(10, "revocation reason"))?,
        }),
        _ => None,
    };
    Ok(CertRecord {
        number: IssueNumber::new(number).ok_or_else(|| conv_err(0, "issue number"))?,
        serial: parse_serial(&serial).map_err(|e| conv_err(1, e))?,
        kind: kind.parse::<CertKind>().map_err(|_| conv_err(2, "kind"))?,
        common_name: r.get(3)?,
        alt_names: sans
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<AltName>()
                    .map_err(|_| conv_err(4, "subjectAltName"))
            })
            .collect::<rusqlite::Result<_>>()?,
        key_type: key_type.parse().map_err(|_| conv_err(5, "key type"))?,
        issued_at: time_col(r, 6)?,
        not_before: time_col(r, 7)?,
        not_after: time_col(r, 8)?,
        revocation,
        fingerprint_sha256: r.get(11)?,
        has_key_material: r.get(12)?,
    })
}

/// The index stores serials as exactly 32 upper-case hex digits.
fn parse_serial(s: &str) -> Result<Serial, String> {
    let bad = || format!("serial {s:?}");
    let b = s.as_bytes();
    if b.len() != 32 {
        return Err(bad());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (nibble(b[2 * i]).ok_or_else(bad)? << 4) | nibble(b[2 * i + 1]).ok_or_else(bad)?;
    }
    Ok(Serial::from_bytes(out))
}

fn time_col(r: &Row<'_>, i: usize) -> rusqlite::Result<OffsetDateTime> {
    let t: i64 = r.get(i)?;
    OffsetDateTime::from_unix_timestamp(t).map_err(|e| conv_err(i, e))
}

fn conv_err(i: usize, e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        format!("unreadable value in the index: {e}").into(),
    )
}

/// SQLite's codes mapped to what the admin must do about them.
fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        let path = path.to_owned();
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Error::DiskFull { path },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::StateCorrupt {
                path,
                detail: e.to_string(),
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::StateBusy { path },
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..) => Error::StateCorrupt {
                    path,
                    detail: e.to_string(),
                },
                e => Error::Io {
                    path,
                    source: std::io::Error::other(e.to_string()),
                },
            },
        }
    }
}
