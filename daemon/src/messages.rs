//! Every sentence the engine shows a person, in one place, so a Japanese
//! catalogue can sit beside this English one without touching the logic.
//! Each error says what is wrong and, where there is one, what to do.

use std::fmt;
use std::path::Path;

use time::OffsetDateTime;

use crate::error::{Error, HostProblem, InvalidArgument, WebOrcaProblem};
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
        Error::WebOrca(_) => weborca(e),
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
        A::ProfileUnknown { value } => {
            format!("unknown profile \"{value}\"; use server or client")
        }
        A::CsrEmpty => "the certificate signing request is empty".into(),
        A::CsrTooLarge { size, max } => format!(
            "the certificate signing request has {size} bytes; a request has at most {max}"
        ),
        A::CsrUnreadable => "this is not a certificate signing request (PKCS#10, PEM or DER); create one with: openssl req -new -key KEY -out REQ.csr".into(),
        A::CsrSignatureInvalid => "the certificate signing request's signature does not verify with its own key: it was altered or damaged; create it again".into(),
        A::CsrKeyUnsupported { found } => format!(
            "the certificate signing request's key is {found}; orca-cad signs only RSA 2048, RSA 3072, RSA 4096 and ECDSA P-256 keys"
        ),
        A::CsrCommonNames { count } => format!(
            "the certificate signing request's subject has {count} common names (CN); it needs exactly one"
        ),
        A::CsrNoNames => "the certificate signing request names no host: put DNS or IP entries in its subjectAltName, or the host name as its common name (CN)".into(),
        A::CsrNameUnsupported { name } => format!(
            "the certificate signing request asks for the name {name}; only DNS host names and IP addresses are signed"
        ),
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
                "the index holds no private key for {number} (it was signed for a request whose key stays with its owner, or issued with key escrow off): the export has only the certificate and ca.crt"
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

// ---- WebORCA ----------------------------------------------------------------

pub fn weborca(e: &Error) -> String {
    let Error::WebOrca(p) = e else {
        return error(e);
    };
    match p {
        WebOrcaProblem::WrongKind {
            number,
            kind,
            wanted,
        } => format!(
            "certificate {number} is a {kind} certificate, not a {wanted} certificate: see `orca-cactl list --kind {wanted}`"
        ),
        WebOrcaProblem::Revoked { number, revoked_at } => format!(
            "certificate {number} was revoked on {revoked_at} and is not installed: issue a new one with orca-cactl"
        ),
        WebOrcaProblem::Expired { number, not_after } => format!(
            "certificate {number} expired on {not_after} and is not installed: issue a new one with orca-cactl"
        ),
        WebOrcaProblem::KeyMismatch { number } => format!(
            "the private key kept for certificate {number} does not belong to it; nothing was installed: issue a new certificate"
        ),
        WebOrcaProblem::NoKeyMaterial { number } => format!(
            "orca-cad holds no private key for certificate {number} (it was signed for a request whose key stays with its owner, or issued with key_escrow off), so it cannot be installed; place it with its own key by hand, or issue a new one"
        ),
        WebOrcaProblem::NotInstalled { path } => format!(
            "{} does not exist: WebORCA does not look installed on this host (install WebORCA first; with --create, orca-cad writes a new jma-receipt.conf into an existing directory)",
            path.display()
        ),
        WebOrcaProblem::UnknownUser { user } => format!(
            "the WebORCA user \"{}\" does not exist on this host: install WebORCA, or set weborca_user in /etc/orca-ca/orca-cad.toml",
            crate::validate::printable(user, 64)
        ),
        WebOrcaProblem::UnknownGroup { group } => format!(
            "the WebORCA group \"{}\" does not exist on this host: install WebORCA, or set weborca_group in /etc/orca-ca/orca-cad.toml",
            crate::validate::printable(group, 64)
        ),
    }
}

pub fn conf_is_symlink() -> String {
    "it is a symbolic link, and orca-cad edits only a regular file (a link in a directory WebORCA's user can write could point anywhere): replace the link by the file itself".into()
}

/// Appended to a later duplicate assignment that we commented out.
pub fn conf_superseded_comment() -> &'static str {
    "  # disabled by orca-cad: set above"
}

/// The comment above settings appended to jma-receipt.conf.
pub fn conf_appended_comment() -> &'static str {
    "# SSL client authentication (set by orca-cad: orca-cactl install-server-cert)"
}

pub fn systemd_signal_stream_ended() -> String {
    "the connection to systemd ended before the restart finished".into()
}

/// What the administrator runs by hand when we did not restart.
pub fn restart_command(unit: &str) -> String {
    format!("sudo systemctl restart {unit}")
}

pub fn too_many_hosts(count: usize, max: usize) -> String {
    format!("{count} host names and addresses given; at most {max} are compared")
}

pub fn restart_skipped(unit: &str) -> String {
    format!(
        "WebORCA-Server was not restarted; the new files take effect after: {}",
        restart_command(unit)
    )
}

/// The tail of every restart problem: what is already done, and the next step.
fn placed_note(placed: &[String], backup: Option<&str>) -> String {
    let mut s = format!("the files are in place ({})", placed.join(", "));
    if let Some(b) = backup {
        s.push_str(&format!(
            " and the previous jma-receipt.conf is kept as {b}"
        ));
    }
    s
}

pub fn restart_no_such_unit(unit: &str, placed: &[String], backup: Option<&str>) -> String {
    format!(
        "systemd has no unit {unit}, so WebORCA-Server was not restarted; {}. Check that WebORCA is installed on this host (systemctl list-units 'jma-receipt*') or set weborca_unit in /etc/orca-ca/orca-cad.toml, then restart it by hand",
        placed_note(placed, backup)
    )
}

pub fn restart_job_failed(
    unit: &str,
    result: &str,
    placed: &[String],
    backup: Option<&str>,
) -> String {
    format!(
        "restarting {unit} ended with \"{result}\"; {}. Look at `systemctl status {unit}` and /opt/jma/weborca/log/jma-receipt-weborca.log, run `orca-cactl doctor`, fix what they name, then: {}",
        placed_note(placed, backup),
        restart_command(unit)
    )
}

pub fn restart_refused(
    unit: &str,
    detail: &str,
    placed: &[String],
    backup: Option<&str>,
) -> String {
    format!(
        "systemd refused to restart {unit} ({detail}); {}. Fix that, then: {}",
        placed_note(placed, backup),
        restart_command(unit)
    )
}

pub fn restart_unavailable(
    unit: &str,
    detail: &str,
    placed: &[String],
    backup: Option<&str>,
) -> String {
    format!(
        "systemd could not be asked to restart {unit} ({detail}); {}. Restart it by hand: {}",
        placed_note(placed, backup),
        restart_command(unit)
    )
}

pub fn restart_timed_out(unit: &str, placed: &[String], backup: Option<&str>) -> String {
    format!(
        "the restart of {unit} has not finished yet; {}. Watch it with `systemctl status {unit}`",
        placed_note(placed, backup)
    )
}

/// Texts of `orca-cactl doctor`: each returns (what was found, the fix).
pub mod doctor {
    use std::path::Path;

    type Text = (String, String);

    fn ok(found: String) -> Text {
        (found, String::new())
    }

    pub fn user_ok(user: &str) -> Text {
        ok(format!("WebORCA user {user} exists"))
    }

    pub fn user_unknown(detail: &str) -> Text {
        (
            detail.to_owned(),
            "install WebORCA, or name the user it runs as in weborca_user of /etc/orca-ca/orca-cad.toml".into(),
        )
    }

    pub fn conf_ok(path: &Path) -> Text {
        ok(format!("{} is there", path.display()))
    }

    pub fn conf_missing(path: &Path, detail: &str) -> Text {
        (
            format!(
                "{} cannot be read ({detail}): WebORCA does not look installed",
                path.display()
            ),
            "install WebORCA, or run orca-cactl install-server-cert ID --create".into(),
        )
    }

    pub fn var_unset(key: &str, conf: &Path) -> Text {
        (
            format!(
                "{key} is not set in {}: WebORCA-Server runs without SSL client authentication",
                conf.display()
            ),
            "run orca-cactl install-server-cert ID (ID of the server certificate)".into(),
        )
    }

    pub fn file_missing(key: &str, path: &Path) -> Text {
        (
            format!(
                "{key}={}: the file does not exist (the log says \"{key} ...file does not exist\")",
                path.display()
            ),
            "run orca-cactl install-server-cert ID to place the files again".into(),
        )
    }

    pub fn file_unreadable(
        key: &str,
        path: &Path,
        user: &str,
        group: &str,
        file_owner: &str,
        mode: u32,
    ) -> Text {
        (
            format!(
                "{key}={}: owned by {file_owner} with mode {mode:04o}, so WebORCA's user {user} cannot read it",
                path.display()
            ),
            format!(
                "run: sudo chown {user}:{group} {p} && sudo chmod 400 {p}",
                p = path.display()
            ),
        )
    }

    pub fn key_too_open(key: &str, path: &Path, mode: u32) -> Text {
        (
            format!(
                "{key}={}: the private key has mode {mode:04o}, readable by others",
                path.display()
            ),
            format!("run: sudo chmod 400 {}", path.display()),
        )
    }

    pub fn file_ok(key: &str, path: &Path, owner: &str, mode: u32) -> Text {
        ok(format!("{key}={} ({owner}, {mode:04o})", path.display()))
    }

    pub fn key_encrypted() -> Text {
        (
            "the server key is encrypted with a passphrase: WebORCA-Server stops with \"PASSWORD input was canceled\"".into(),
            "place the unencrypted key (.pem, not .enc.pem): orca-cactl install-server-cert ID".into(),
        )
    }

    pub fn key_unreadable() -> Text {
        (
            "SERVER_PEM is not a private key in PEM form".into(),
            "run orca-cactl install-server-cert ID to place the key again".into(),
        )
    }

    pub fn key_plain() -> Text {
        ok("the server key is not encrypted, as WebORCA-Server needs".into())
    }

    pub fn key_matches() -> Text {
        ok("SERVER_PEM is the key of SERVER_CRT".into())
    }

    pub fn key_mismatch() -> Text {
        (
            "SERVER_PEM is not the key of SERVER_CRT: the TLS handshake fails".into(),
            "place the certificate and key of one bundle: orca-cactl install-server-cert ID".into(),
        )
    }

    pub fn issued_by_ok() -> Text {
        ok("SERVER_CRT is signed by CA_CRT".into())
    }

    pub fn issued_by_other(issuer: &str, ca: &str) -> Text {
        (
            format!("SERVER_CRT was issued by {issuer}, but CA_CRT is {ca}"),
            "place a server certificate of this CA with its ca.crt: orca-cactl install-server-cert ID".into(),
        )
    }

    pub fn no_hosts_given(listed: &[String]) -> Text {
        (
            format!(
                "no host names to compare; the certificate is for {}",
                listed.join(", ")
            ),
            "give the names clients type with --host NAME".into(),
        )
    }

    pub fn hosts_ok(hosts: &[String]) -> Text {
        ok(format!("the server certificate names {}", hosts.join(", ")))
    }

    pub fn hosts_missing(missing: &[String], listed: &[String]) -> Text {
        (
            format!(
                "the server certificate is for {} but not for {}: browsers that connect by that name refuse it",
                if listed.is_empty() { "no name".to_owned() } else { listed.join(", ") },
                missing.join(", ")
            ),
            "issue a server certificate with every name and address clients use (-c NAME -i ADDRESS), then install it; or connect by a listed name".into(),
        )
    }

    pub fn what_server() -> String {
        "the server certificate".into()
    }

    pub fn what_ca() -> String {
        "the CA certificate".into()
    }

    pub fn expired(what: &str, date: &str) -> Text {
        (
            format!("{what} expired on {date}: browsers refuse the connection"),
            if what == what_ca() {
                "create a new CA in a new state directory and issue every certificate again".into()
            } else {
                "issue a new server certificate and install it: orca-cactl install-server-cert ID"
                    .into()
            },
        )
    }

    pub fn expiring(what: &str, date: &str, days: i64) -> Text {
        (
            format!("{what} expires on {date}, in {days} days (WebORCA-Server warns from 31 days)"),
            if what == what_ca() {
                "plan a new CA now: every certificate must be issued and imported again".into()
            } else {
                "issue a new server certificate and install it before then".into()
            },
        )
    }

    pub fn valid_until(what: &str, date: &str, days: i64) -> Text {
        ok(format!("{what} is valid until {date} ({days} days)"))
    }

    pub fn lifetime_long(days: i64) -> Text {
        (
            format!(
                "the server certificate is valid for {days} days; iPhone, iPad and Mac refuse more than 825"
            ),
            "if Apple devices connect, issue one with --validity-days 825 and install it".into(),
        )
    }

    pub fn lifetime_ok(days: i64) -> Text {
        ok(format!(
            "the server certificate is valid for {days} days (at most 825)"
        ))
    }

    pub fn no_ca_yet() -> Text {
        (
            "orca-cad holds no CA yet".into(),
            "create one with: sudo orca-cactl init".into(),
        )
    }

    pub fn ca_is_ours(subject: &str) -> Text {
        ok(format!("CA_CRT is this CA ({subject})"))
    }

    pub fn ca_not_ours(found: &str, ours: &str) -> Text {
        (
            format!("CA_CRT is {found}, not this CA ({ours}): clients of this CA are refused"),
            "install a server certificate of this CA: orca-cactl install-server-cert ID".into(),
        )
    }

    pub fn clients_ok(count: usize) -> Text {
        ok(format!(
            "{count} client certificates in use, none expired or ending within 31 days"
        ))
    }

    pub fn clients_expiring(expired: &[String], soon: &[String]) -> Text {
        let mut parts = Vec::new();
        if !expired.is_empty() {
            parts.push(format!("expired: {}", expired.join(", ")));
        }
        if !soon.is_empty() {
            parts.push(format!("ending within 31 days: {}", soon.join(", ")));
        }
        (
            format!("client certificates {}", parts.join("; ")),
            "issue new client certificates (orca-cactl issue-client-cert -c NAME) and import them in those browsers".into(),
        )
    }

    pub fn crl_missing() -> Text {
        (
            "no CRL is published in the state directory".into(),
            "run: orca-cactl issue-crl".into(),
        )
    }

    pub fn crl_stale(number: u64, next: &str) -> Text {
        (
            format!("CRL {number} was due for renewal by {next} and is out of date"),
            "run: orca-cactl crl renew (and check that orca-cad-crl.timer is enabled)".into(),
        )
    }

    pub fn crl_due(number: u64, next: &str) -> Text {
        (
            format!("CRL {number} is due for renewal (valid until {next})"),
            "run: orca-cactl crl renew --if-due (the orca-cad-crl timer does this)".into(),
        )
    }

    pub fn crl_ok(number: u64, next: &str) -> Text {
        ok(format!("CRL {number} is valid until {next}"))
    }

    pub fn unit_unknown_state(unit: &str, detail: &str) -> Text {
        (
            format!("systemd could not be asked about {unit} ({detail})"),
            format!("check it by hand: systemctl status {unit}"),
        )
    }

    pub fn unit_not_loaded(unit: &str, load: &str) -> Text {
        (
            format!("systemd has no usable unit {unit} (load state: {load})"),
            "install WebORCA on this host, or set weborca_unit in /etc/orca-ca/orca-cad.toml to its unit".into(),
        )
    }

    pub fn unit_active(unit: &str, sub: &str) -> Text {
        ok(format!("{unit} is active ({sub})"))
    }

    pub fn unit_failed(unit: &str) -> Text {
        (
            format!("{unit} has failed: WebORCA-Server is not running"),
            format!(
                "look at /opt/jma/weborca/log/jma-receipt-weborca.log and systemctl status {unit}, fix what they name, then: sudo systemctl restart {unit}"
            ),
        )
    }

    pub fn unit_not_running(unit: &str, active: &str, sub: &str) -> Text {
        (
            format!("{unit} is {active} ({sub}): WebORCA-Server is not running"),
            format!("start it: sudo systemctl start {unit}"),
        )
    }

    pub fn crl_not_enforced_none() -> Text {
        ok("WebORCA-Server is not known to check CRLs; no revoked client certificate is still within its validity".into())
    }

    pub fn crl_not_enforced(certs: &[String], unit: &str) -> Text {
        (
            format!(
                "revoked but still within validity: {}; WebORCA-Server ({unit}) is not known to check CRLs, so revocation alone does not lock these clients out",
                certs.join(", ")
            ),
            "to lock them out for certain, create a new CA and issue and install the server and the other client certificates again".into(),
        )
    }
}
