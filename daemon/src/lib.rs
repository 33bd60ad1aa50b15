//! The engine of orca-cad: a private certificate authority for WebORCA clinics.
//!
//! Nothing here knows about D-Bus or polkit. The daemon's bus layer calls
//! [`service::CaService`], which is the one place an operation is sequenced
//! (validate, reserve a number, build, commit, deliver).

pub mod ca;
pub mod config;
pub mod error;
pub mod ids;
pub mod index;
pub mod messages;
pub mod service;
pub mod state;
pub mod validate;
pub mod weborca;

pub use error::{Error, ErrorKind, Result};
