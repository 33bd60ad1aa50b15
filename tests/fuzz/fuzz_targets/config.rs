//! The configuration parser: never a panic; what it accepts is in range,
//! and what it refuses is explained with the file's name.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use orca_cad::config::{Config, MAX_VALIDITY_DAYS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/etc/orca-ca/orca-cad.toml");
    match Config::parse(text, path) {
        Ok(c) => {
            for d in [c.ca_validity_days, c.server_cert_validity, c.client_cert_validity] {
                assert!((1..=MAX_VALIDITY_DAYS).contains(&d), "{d}");
            }
            assert!(c.crl_validity_days >= 1, "{}", c.crl_validity_days);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("orca-cad.toml"), "{msg}");
        }
    }
});
