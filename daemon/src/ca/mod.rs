//! Certificates, keys, bundles and CRLs. Pure computation on bytes: storage
//! and sequencing belong to `index` and `service`.

pub mod authority;
pub mod bundle;
pub mod crl;
mod crl_der;
pub mod keys;
pub mod profile;
pub mod request;

pub use authority::Authority;
pub use keys::{KeyPair, PublicKey};
