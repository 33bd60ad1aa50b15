//! Certificate signing requests, which anyone allowed to issue may send:
//! never a panic, and whatever names come out of an accepted request pass
//! the same rules as names typed on the command line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orca_cad::ca::request::SigningRequest;
use orca_cad::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(req) = SigningRequest::parse(data) else {
        return;
    };
    if let Ok(cn) = req.client_name() {
        // It becomes part of a file name.
        assert!(validate::common_name(cn).is_ok(), "{cn:?}");
        assert!(!cn.contains('/') && !cn.contains('\0'), "{cn:?}");
    }
    if let Ok((hosts, ips)) = req.server_names() {
        assert!(!hosts.is_empty() || !ips.is_empty());
    }
});
