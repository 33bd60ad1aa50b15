//! The SQLite index: one row per certificate, the escrowed key material, the
//! counters that only grow and the latest CRL.

pub mod migrations;
mod record;
mod store;

pub use record::{
    CertRecord, ListFilter, NewCertificate, Revocation, Status, StatusCounts, StoredCrl,
};
pub use store::Index;
