//! Every sentence the engine shows a person, in one place, so a Japanese
//! catalogue can sit beside this English one without touching the logic.
//! Each error says what is wrong and, where there is one, what to do.

use std::fmt;
use std::path::Path;

use time::OffsetDateTime;

use crate::error::{Error, HostProblem, InvalidArgument};
use crate::service::Warning;

pub fn error(e: &Error) -> String {
    match e {
        Error::NotInitialized => {
            "no CA exists yet: create one first with `orca-cactl init`".into()
        }
        Error::AlreadyInitialized { evidence } => format!(
            "a CA already exists ({}); it is never overwritten — to start over, move the state directory away first",
            evidence.display()
        ),
        Error::InvalidArgument(a) => invalid(a),
        Error::NotFound { id } => format!(
            "no certificate {id} in the index: see `orca-cactl list` for issue numbers and serials"
        ),
        Error::AlreadyRevoked { number, revoked_at } => {
            format!("certificate {number} was already revoked on {revoked_at}")
        }
        Error::CannotRevokeCa => {
            "the CA certificate (000001) cannot be revoked; revoke the certificates it issued instead".into()
        }
        Error::CaExpired { not_after } => format!(
            "the CA expired on {not_after}: it can no longer issue; create a new CA in a new state directory"
        ),
        Error::Config { path, detail } => {
            format!("configuration {}: {detail}", path.display())
        }
        Error::StateInsecure { path, mode, expected } => format!(
            "{} has mode {mode:04o}, but holds CA secrets and must be {expected:04o}; check nobody copied the key, then run: chmod {expected:o} {}",
            path.display(),
            path.display()
        ),
        // chmod cannot fix an owner: say whose it is and what would.
        Error::StateWrongOwner {
            path,
            owner,
            expected_owner,
        } => format!(
            "{} belongs to uid {owner}, but holds CA secrets and must belong to uid {expected_owner}, which orca-cad runs as; check nobody else used it, then run: chown {expected_owner} {}",
            path.display(),
            path.display()
        ),
        Error::StateCorrupt { path, detail } => format!(
            "{} is damaged or not what it should be ({detail}); it was left untouched — restore it from a backup",
            path.display()
        ),
        Error::StateBusy { path } => format!(
            "{} is in use by another orca-cad process; stop it first",
            path.display()
        ),
        Error::DiskFull { path } => format!(
            "no space left for {}: nothing was changed; free some disk space and try again",
            path.display()
        ),
        Error::Io { path, source } => format!("{}: {source}", path.display()),
        Error::Crypto { detail } => format!("cryptographic operation failed: {detail}"),
    }
}

pub fn invalid(a: &InvalidArgument) -> String {
    use InvalidArgument as A;
    const CN_RULE: &str =
        "a common name is 1–64 characters from A–Z a–z 0–9 . - _ @, not starting with . or -";
    match a {
        A::CommonNameEmpty => format!("the common name is empty: {CN_RULE}"),
        A::CommonNameTooLong { len } => {
            format!("the common name has {len} characters: {CN_RULE}")
        }
        A::CommonNameCharacter { ch, position } => format!(
            "the common name has {:?} at position {position}: {CN_RULE}",
            ch
        ),
        A::CommonNameLeading { ch } => {
            format!("the common name starts with {ch:?}: {CN_RULE}")
        }
        A::CaNameInvalid { name } => format!(
            "CA name \"{name}\" is not allowed: 1–64 characters from A–Z a–z 0–9 . - _ @ and inner spaces"
        ),
        A::HostNameInvalid { host, why } => {
            format!("host name \"{host}\" is not valid: {}", host_problem(*why))
        }
        A::IpAddressInvalid { ip } => {
            format!("\"{ip}\" is not an IP address (IPv4 like 192.168.1.100 or IPv6 like fd00::1)")
        }
        A::NoHosts => {
            "a server certificate needs at least one host name (-c) or IP address (-i)".into()
        }
        A::TooManyNames { count, max } => {
            format!("{count} host names and addresses given; at most {max} fit in one certificate")
        }
        A::ValidityDays { days } => {
            format!("validity of {days} days is out of range: give 1 to 36500 days")
        }
        A::ValidityPastCa { days, ca_not_after } => format!(
            "{days} days would outlive the CA, which ends on {ca_not_after}; give fewer days"
        ),
        A::IdInvalid { id } => {
            format!("\"{id}\" is neither an issue number (like 3 or 000003) nor a hex serial")
        }
        A::RevocationReasonUnknown { reason } => format!(
            "unknown revocation reason \"{reason}\"; use one of: {}",
            crate::ca::crl::RevocationReason::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        A::KeyTypeUnknown { value } => {
            format!("unknown key type \"{value}\"; use rsa2048, rsa3072, rsa4096 or ecdsa-p256")
        }
        A::P12ProfileUnknown { value } => {
            format!("unknown PKCS#12 profile \"{value}\"; use compat or modern")
        }
    }
}

fn host_problem(p: HostProblem) -> String {
    match p {
        HostProblem::Empty => "it is empty".into(),
        HostProblem::TooLong => "it is too long (at most 64 characters)".into(),
        HostProblem::LabelEmpty => "it has an empty part between dots".into(),
        HostProblem::LabelTooLong => "a part between dots is longer than 63 characters".into(),
        HostProblem::Character(c) => {
            format!("{c:?} is not allowed; use letters, digits, - and .")
        }
        HostProblem::HyphenAtEdge => "a part between dots starts or ends with -".into(),
        HostProblem::AllNumeric => {
            "it looks like an incomplete IP address; give addresses with -i".into()
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::LongerThanApple { days } => write!(
                f,
                "this server certificate is valid for {days} days; iPhone, iPad and Mac refuse server certificates valid for more than 825 days (use --validity-days 825 if Apple devices connect)"
            ),
            Warning::ValidityCut {
                wanted_days,
                not_after,
            } => write!(
                f,
                "{wanted_days} days would outlive the CA; the certificate ends with the CA on {not_after}"
            ),
            Warning::AddressAsHost { values } => write!(
                f,
                "{} given as host name; put in the certificate as IP address (use -i for addresses)",
                values.join(", ")
            ),
            Warning::NoKeyMaterial { number } => write!(
                f,
                "the index holds no private key for {number} (key escrow was off): the export has only the certificate and ca.crt"
            ),
        }
    }
}

pub fn config_range(key: &str, value: i64, min: i64, max: i64) -> String {
    format!("{key} = {value} is out of range: give {min} to {max}")
}

pub fn config_not_absolute(key: &str, value: &Path) -> String {
    format!("{key} = \"{}\" must be an absolute path", value.display())
}

pub fn config_bad_name(key: &str, value: &str) -> String {
    format!(
        "{key} = \"{}\" is not a valid name",
        crate::validate::printable(value, 80)
    )
}

pub fn not_a_directory() -> String {
    "not a directory".into()
}

pub fn not_a_regular_file() -> String {
    "not a regular file".into()
}

pub fn unsupported_key() -> String {
    "unsupported key: only RSA 2048/3072/4096 and ECDSA P-256 are used".into()
}

pub fn ca_key_mismatch() -> String {
    "the CA key does not belong to the CA certificate".into()
}

pub fn ca_without_name() -> String {
    "the CA certificate has no common name".into()
}

pub fn ca_key_missing() -> String {
    "the CA key is missing although the index records a CA; without it nothing can be signed".into()
}

pub fn journal_mode(mode: &str) -> String {
    format!("the index could not be switched to WAL (journal_mode is {mode})")
}

pub fn schema_too_new(found: u32, known: u32) -> String {
    format!(
        "the index has schema version {found}, newer than the {known} this orca-cad knows: it was written by a newer version; upgrade orca-catool-rs"
    )
}

pub fn issue_numbers_exhausted() -> String {
    "no issue numbers left".into()
}

/// `2036-11-25`, in UTC.
pub fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `2026-11-25 10:38:54 UTC`.
pub fn date_time(t: OffsetDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        date(t),
        t.hour(),
        t.minute(),
        t.second()
    )
}

// ---- the daemon on the bus -------------------------------------------------

pub fn shutting_down() -> String {
    "orca-cad is shutting down; try again in a moment".into()
}

pub fn engine_gone() -> String {
    "orca-cad's CA engine stopped unexpectedly; see the daemon's log (journalctl -u orca-cad)"
        .into()
}

pub fn no_sender() -> String {
    "the call carries no sender; it cannot be authorized".into()
}

pub fn polkit_unavailable(action: &str) -> String {
    format!(
        "not authorized for {action}: polkit (polkitd) is not available, so nothing is allowed; check `systemctl status polkit`"
    )
}

pub fn interactive_required(action: &str) -> String {
    format!(
        "{action} needs an administrator password: run the command in a terminal so the password can be asked"
    )
}

pub fn access_denied(action: &str, group: &str) -> String {
    format!(
        "not authorized for {action}: ask an administrator to add you to the {group} group (sudo adduser $USER {group}), then log in again"
    )
}

pub fn option_type(key: &str, expected: &str) -> String {
    format!("option \"{key}\" must be {expected}")
}

pub fn option_unknown(key: &str) -> String {
    format!("unknown option \"{key}\"")
}

pub fn fd_unusable(detail: &str) -> String {
    format!("the file descriptor for the bundle cannot be used: {detail}")
}

pub fn fd_not_regular() -> String {
    "the file descriptor for the bundle is not a regular file; pass a file opened for writing"
        .into()
}

pub fn fd_read_only() -> String {
    "the file descriptor for the bundle is read-only; pass a file opened for writing".into()
}

pub fn bundle_not_written(number: &str, detail: &str) -> String {
    format!(
        "certificate {number} was issued, but its bundle could not be written ({detail}); get it with: orca-cactl export {number}"
    )
}

pub fn bad_status_filter(value: &str) -> String {
    format!("unknown status \"{value}\"; use valid, revoked or expired")
}

pub fn bad_kind_filter(value: &str) -> String {
    format!("unknown kind \"{value}\"; use ca, server or client")
}

pub fn bad_pattern() -> String {
    "the search pattern must be at most 256 characters without NUL".into()
}

pub fn status_serving(initialized: bool) -> String {
    if initialized {
        "serving".into()
    } else {
        "serving; no CA yet (orca-cactl init)".into()
    }
}

pub fn status_broken(problem: &str) -> String {
    format!("serving errors only: {problem}")
}

pub fn name_taken(name: &str) -> String {
    format!("cannot own {name} on the bus (another orca-cad runs, or this user may not own it)")
}
