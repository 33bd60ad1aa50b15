//! The names clients would use to reach WebORCA on this machine, for
//! `doctor` without `--host`: the host name and every address that is not
//! loopback or link-local.

use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub fn this_machine() -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = host_name() {
        out.push(h);
    }
    for ip in addresses() {
        let s = ip.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The kernel's host name, if it is one a certificate could name.
fn host_name() -> Option<String> {
    let mut buf = [0 as libc::c_char; 256];
    // SAFETY: buf is writable for its whole length, which is passed.
    if unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len()) } != 0 {
        return None;
    }
    // SAFETY: gethostname NUL-terminates within the buffer on success.
    let name = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .trim()
        .to_ascii_lowercase();
    let plausible = !name.is_empty()
        && name != "localhost"
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    plausible.then_some(name)
}

fn addresses() -> Vec<IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, freed below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getifaddrs returned.
        let ifa = unsafe { &*cur };
        if !ifa.ifa_addr.is_null() {
            // SAFETY: ifa_addr points to a sockaddr of the family it names.
            let ip = unsafe { sockaddr_ip(ifa.ifa_addr) };
            if let Some(ip) = ip.filter(usable)
                && !out.contains(&ip)
            {
                out.push(ip);
            }
        }
        cur = ifa.ifa_next;
    }
    // SAFETY: list came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    out
}

/// # Safety
/// `sa` must point to a valid sockaddr whose size fits its family.
unsafe fn sockaddr_ip(sa: *const libc::sockaddr) -> Option<IpAddr> {
    // SAFETY: the caller promises a valid sockaddr.
    let family = i32::from(unsafe { (*sa).sa_family });
    match family {
        libc::AF_INET => {
            // SAFETY: AF_INET means it is a sockaddr_in.
            let sin = unsafe { &*sa.cast::<libc::sockaddr_in>() };
            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))))
        }
        libc::AF_INET6 => {
            // SAFETY: AF_INET6 means it is a sockaddr_in6.
            let sin6 = unsafe { &*sa.cast::<libc::sockaddr_in6>() };
            Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

fn usable(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local() && !v4.is_unspecified(),
        // fe80::/10 needs a zone, which no certificate can name.
        IpAddr::V6(v6) => {
            !v6.is_loopback() && !v6.is_unspecified() && (v6.segments()[0] & 0xffc0) != 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_loopback_and_no_duplicates() {
        let hosts = this_machine();
        assert!(
            !hosts.iter().any(|h| h == "127.0.0.1" || h == "::1"),
            "{hosts:?}"
        );
        let mut sorted = hosts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), hosts.len());
    }
}
