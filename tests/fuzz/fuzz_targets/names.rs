//! CN, CA name, host name, IP address and id validation: never a panic, and
//! whatever is accepted is safe as a file name and a certificate field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orca_cad::ids::CertId;
use orca_cad::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if validate::common_name(s).is_ok() {
        // It becomes NNNNNN__JP_orca_<CN>.zip and a folder inside the zip.
        assert!(!s.is_empty() && s.len() <= validate::CN_MAX, "{s:?}");
        assert!(s.is_ascii() && !s.contains(['/', '\\', '\0', ' ']), "{s:?}");
        assert!(!s.starts_with(['.', '-']), "{s:?}");
    }
    if validate::ca_name(s).is_ok() {
        assert!(s.is_ascii() && !s.contains(['/', '\0', '\n']), "{s:?}");
    }
    if let Ok(h) = validate::host_name(s) {
        assert!(h.len() <= validate::CN_MAX && !h.is_empty(), "{s:?} -> {h:?}");
        assert!(h.is_ascii() && !h.contains(['/', '\\', '\0', ' ', '*']), "{s:?} -> {h:?}");
        assert!(!h.starts_with(['.', '-']), "{s:?} -> {h:?}");
        assert!(h.split('.').all(|l| !l.is_empty() && l.len() <= 63), "{s:?} -> {h:?}");
        // Folding is stable: the name in the certificate is the file name.
        assert_eq!(validate::host_name(&h).ok(), Some(h.clone()), "{s:?}");
    }
    if let Ok(ip) = validate::ip_address(s) {
        assert_eq!(validate::ip_address(&ip.to_string()).ok(), Some(ip));
    }
    // Echoed in messages and logs: one line, bounded.
    let p = validate::printable(s, 80);
    assert!(!p.chars().any(char::is_control), "{p:?}");
    assert!(p.chars().count() <= 80 * 10 + 3, "{}", p.len());
    let _ = s.parse::<CertId>();
});
