//! Schema versions of the index. A migration is only ever appended; a
//! database is brought up from whatever version it has, one step at a time,
//! each step in its own transaction.

use rusqlite::{Connection, OptionalExtension};

/// `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2];

pub const LATEST: u32 = MIGRATIONS.len() as u32;

const V1: &str = r#"
CREATE TABLE certificates (
    issue_number       INTEGER PRIMARY KEY,
    serial             TEXT    NOT NULL UNIQUE,
    kind               TEXT    NOT NULL CHECK (kind IN ('ca', 'server', 'client')),
    common_name        TEXT    NOT NULL,
    subject_alt_names  TEXT    NOT NULL,
    key_type           TEXT    NOT NULL,
    issued_at          INTEGER NOT NULL,
    not_before         INTEGER NOT NULL,
    not_after          INTEGER NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at         INTEGER,
    revocation_reason  TEXT,
    fingerprint_sha256 TEXT    NOT NULL,
    certificate_der    BLOB    NOT NULL,
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL))
);
CREATE INDEX certificates_by_status ON certificates (status, not_after);
CREATE INDEX certificates_by_name ON certificates (common_name);

-- Private parts of issued bundles (key escrow); apart from the listing
-- columns so a list never reads a key.
CREATE TABLE key_material (
    issue_number      INTEGER PRIMARY KEY REFERENCES certificates (issue_number),
    key_pem           TEXT NOT NULL,
    encrypted_key_pem TEXT NOT NULL,
    pkcs12            BLOB NOT NULL,
    passphrase        TEXT NOT NULL
);

-- Numbers that only grow: the next issue number and the last CRL number.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('next_issue_number', 1), ('crl_number', 0);

-- The latest CRL; the files in the state directory are copies of it.
CREATE TABLE crl (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    crl_number  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    der         BLOB    NOT NULL
);
"#;

/// The CRL needs serial, time and reason of every revoked certificate. A
/// covering partial index holds exactly those, in issue order, so building
/// a CRL reads a few pages per thousand entries instead of every row with
/// its certificate (a full scan of a million rows reads over a gigabyte).
/// `status` is in it too: SQLite (3.40) does not count a partial index's
/// WHERE column as covered.
const V2: &str = r#"
CREATE INDEX certificates_revoked
    ON certificates (issue_number, serial, revoked_at, revocation_reason, status)
    WHERE status = 'revoked';
"#;

#[derive(Debug)]
pub enum MigrationError {
    Sql(rusqlite::Error),
    TooNew { found: u32, known: u32 },
}

impl From<rusqlite::Error> for MigrationError {
    fn from(e: rusqlite::Error) -> Self {
        MigrationError::Sql(e)
    }
}

pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    Ok(conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Brings `conn` to [`LATEST`]; returns the version it started from.
pub fn migrate(conn: &mut Connection) -> Result<u32, MigrationError> {
    let start = version(conn)?;
    if start > LATEST {
        return Err(MigrationError::TooNew {
            found: start,
            known: LATEST,
        });
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(start as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [i as u32 + 1],
        )?;
        tx.commit()?;
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_latest_and_stays() {
        let mut c = Connection::open_in_memory().expect("db");
        assert_eq!(migrate(&mut c).expect("migrate"), 0);
        assert_eq!(version(&c).expect("v"), LATEST);
        assert_eq!(migrate(&mut c).expect("again"), LATEST);
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut c = Connection::open_in_memory().expect("db");
        migrate(&mut c).expect("migrate");
        c.execute("UPDATE schema_version SET version = 99", [])
            .expect("bump");
        assert!(matches!(
            migrate(&mut c),
            Err(MigrationError::TooNew { found: 99, .. })
        ));
    }

    /// A V1 index with a revoked row comes up to the latest version with
    /// its rows intact, and the CRL's query then reads the covering index.
    #[test]
    fn v1_index_migrates_and_crl_query_uses_the_revoked_index() {
        let mut c = Connection::open_in_memory().expect("db");
        version(&c).expect("schema_version table");
        c.execute_batch(V1).expect("v1");
        c.execute("INSERT INTO schema_version (version) VALUES (1)", [])
            .expect("v1 recorded");
        c.execute(
            "INSERT INTO certificates VALUES (2, 'AB', 'client', 'user1', '', 'rsa2048', 0, 0, 1, \
             'revoked', 5, 'keyCompromise', 'fp', x'00')",
            [],
        )
        .expect("row");
        assert_eq!(migrate(&mut c).expect("migrate"), 1);
        assert_eq!(version(&c).expect("v"), LATEST);
        let kept: String = c
            .query_row(
                "SELECT serial FROM certificates WHERE issue_number = 2",
                [],
                |r| r.get(0),
            )
            .expect("row kept");
        assert_eq!(kept, "AB");
        let plan: Vec<String> = c
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                crate::index::store::REVOKED_ENTRIES_SQL
            ))
            .expect("plan")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        assert!(
            plan.iter()
                .any(|p| p.contains("COVERING INDEX certificates_revoked")),
            "the CRL query must read only the covering index: {plan:?}"
        );
    }
}
