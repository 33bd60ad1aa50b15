//! Rules for names a user types. They end up in certificates *and* in file
//! names (`000003__JP_orca_<CN>.zip`), so they are checked before anything else.

use std::net::IpAddr;

use crate::error::{HostProblem, InvalidArgument};

pub const CN_MAX: usize = 64;
pub const SAN_MAX: usize = 100;

/// A client certificate's CN: 1–64 of `A–Z a–z 0–9 . - _ @`, not starting
/// with `.` (hidden file) or `-` (read as an option by the tools people use).
pub fn common_name(cn: &str) -> Result<(), InvalidArgument> {
    if cn.is_empty() {
        return Err(InvalidArgument::CommonNameEmpty);
    }
    let len = cn.chars().count();
    if len > CN_MAX {
        return Err(InvalidArgument::CommonNameTooLong { len });
    }
    if let Some((position, ch)) = cn
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@')))
    {
        return Err(InvalidArgument::CommonNameCharacter {
            ch,
            position: position + 1,
        });
    }
    match cn.chars().next() {
        Some(ch @ ('.' | '-')) => Err(InvalidArgument::CommonNameLeading { ch }),
        _ => Ok(()),
    }
}

/// The CA's name goes only into its subject: the CN rule plus inner spaces.
pub fn ca_name(name: &str) -> Result<(), InvalidArgument> {
    let ok = !name.is_empty()
        && name.len() <= CN_MAX
        && !name.starts_with([' ', '.', '-'])
        && !name.ends_with(' ')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | ' '));
    if ok {
        Ok(())
    } else {
        Err(InvalidArgument::CaNameInvalid {
            name: printable(name, 80),
        })
    }
}

/// A DNS host name (RFC 1123 labels). Upper case is folded: DNS is
/// case-insensitive and one spelling keeps file names predictable.
pub fn host_name(host: &str) -> Result<String, InvalidArgument> {
    let fail = |why| InvalidArgument::HostNameInvalid {
        host: printable(host, 80),
        why,
    };
    let h = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if h.is_empty() {
        return Err(fail(HostProblem::Empty));
    }
    if h.len() > 253 {
        return Err(fail(HostProblem::TooLong));
    }
    if let Some(ch) = h
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(fail(HostProblem::Character(ch)));
    }
    for label in h.split('.') {
        if label.is_empty() {
            return Err(fail(HostProblem::LabelEmpty));
        }
        if label.len() > 63 {
            return Err(fail(HostProblem::LabelTooLong));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(fail(HostProblem::HyphenAtEdge));
        }
    }
    // "192.168.1" or "10" would be read as an address by some resolvers.
    if h.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(fail(HostProblem::AllNumeric));
    }
    if h.len() > CN_MAX {
        // Fits in a SAN, but the CN (and so the file name) is capped at 64.
        return Err(fail(HostProblem::TooLong));
    }
    Ok(h)
}

/// An IPv4 or IPv6 address, in the canonical form used for file names.
pub fn ip_address(ip: &str) -> Result<IpAddr, InvalidArgument> {
    ip.trim()
        .parse::<IpAddr>()
        .map_err(|_| InvalidArgument::IpAddressInvalid {
            ip: printable(ip, 80),
        })
}

/// A value safe to echo in a one-line message: control characters escaped,
/// long input cut, so a 1 MB argument cannot flood a terminal or a log.
pub fn printable(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).flat_map(char::escape_debug).collect();
    if s.chars().count() > max {
        out.push_str(&format!("… ({} characters)", s.chars().count()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_from_the_orca_page_pass() {
        for ok in ["user1", "weborca-server", "a.b_c@d", "X", &"a".repeat(64)] {
            assert_eq!(common_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unsafe_common_names_name_their_rule() {
        assert_eq!(common_name(""), Err(InvalidArgument::CommonNameEmpty));
        assert_eq!(
            common_name(&"a".repeat(10_000)),
            Err(InvalidArgument::CommonNameTooLong { len: 10_000 })
        );
        assert_eq!(
            common_name("a/b"),
            Err(InvalidArgument::CommonNameCharacter {
                ch: '/',
                position: 2
            })
        );
        assert_eq!(
            common_name("a\0b"),
            Err(InvalidArgument::CommonNameCharacter {
                ch: '\0',
                position: 2
            })
        );
        assert_eq!(
            common_name(".."),
            Err(InvalidArgument::CommonNameLeading { ch: '.' })
        );
        assert_eq!(
            common_name("-rf"),
            Err(InvalidArgument::CommonNameLeading { ch: '-' })
        );
        assert!(common_name("山田").is_err());
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("WebORCA-Server").as_deref(), Ok("weborca-server"));
        assert_eq!(host_name("a.example.").as_deref(), Ok("a.example"));
        for bad in ["", "a..b", "-a", "a-", "a_b", "a/b", "192.168.1", "a b"] {
            assert!(host_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ip_addresses() {
        assert!(ip_address("192.168.1.100").is_ok());
        assert!(ip_address("::1").is_ok());
        for bad in ["300.1.1.1", "1.2.3", "abc", ""] {
            assert!(ip_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn printable_escapes_and_cuts() {
        assert_eq!(printable("a\0b", 10), "a\\0b");
        assert!(printable(&"x".repeat(1000), 5).starts_with("xxxxx… (1000"));
    }
}
