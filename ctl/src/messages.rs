//! Every sentence orca-cactl shows a person, in one place, so a Japanese
//! catalogue can sit beside this English one without touching the logic.
//! Errors are one line: what is wrong, then what to do about it.

use std::path::Path;

use time::OffsetDateTime;

use crate::error::{Bundle, BusClass, CtlError, DaemonError, OutputProblem};

/// Shown after `--help`; the numbers are `error::Exit`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0   success
  1   failure (orca-cad reported an error not listed below)
  2   usage: wrong command line, or init without --yes and no terminal
  3   not authorized (polkit said no; join the group orca-ca)
  4   no such certificate
  5   CA state: no CA yet, a CA already exists, or the CA has expired
  6   orca-cad or the system bus cannot be reached
  7   invalid argument (name, address, days, reason...), or a certificate
      that cannot be installed (not a server certificate, revoked, expired)
  8   certificate already revoked
  9   output file or directory problem (nothing half-written is left)
  10  cancelled at the \"initialize ca?\" question
  11  WebORCA: not installed here, its user missing, or its restart failed
      (the files placed stay in place; the message says what to do next)
  12  doctor found at least one error
  130 interrupted (Ctrl-C, SIGTERM)

ID is an issue number (3 or 000003) or a hex serial.
Bundles go to $HOME/certs unless --out DIR is given.";

/// The first-run question of the ORCA page, word for word.
pub const INIT_QUESTION: &str = "initialize ca?";
pub const INIT_PROMPT: &str = "y or n> ";
const YES: [&str; 2] = ["y", "yes"];

pub fn is_yes(answer: &str) -> bool {
    let a = answer.trim();
    YES.iter().any(|y| a.eq_ignore_ascii_case(y))
}

/// What `orca-catool` prints without a subcommand, as on the ORCA page.
pub const LEGACY_MENU: &str = "  specify subcommand

  issue_server_cert
  issue_client_cert
  export_cert
  revoke_cert
  issue_crl
  list_cert
";

pub fn warning(text: &str) -> String {
    format!("warning: {}", one_line(text))
}

pub fn version_differs(daemon: &str) -> String {
    format!(
        "orca-cad is version {daemon} but orca-cactl is {}: install the same version of both (orca-catool-rs) and restart orca-cad (sudo systemctl restart orca-cad)",
        orca_ca_proto::VERSION
    )
}

pub fn version_unreadable(detail: &str) -> String {
    format!(
        "could not read the version of orca-cad ({detail}); it may be older than orca-cactl {}",
        orca_ca_proto::VERSION
    )
}

// ---- errors -----------------------------------------------------------

/// The whole stderr line for a failure, prefixed with the program name.
pub fn error_line(program: &str, err: &CtlError, user: &str) -> String {
    format!("{program}: {}", one_line(&error(err, user)))
}

fn interrupted() -> String {
    "interrupted; if a certificate was being issued it may exist without its bundle: check with `orca-cactl list` and get it with `orca-cactl export ID`".into()
}

/// A clap error folded into one line, with the usage clap suggests.
pub fn usage(detail: &str, usage: Option<&str>) -> String {
    match usage {
        Some(u) => format!("{detail}; usage: {u} (more: --help)"),
        None => format!("{detail} (see --help)"),
    }
}

fn error(err: &CtlError, user: &str) -> String {
    match err {
        CtlError::Usage(detail) => detail.clone(),
        CtlError::NotATerminal => {
            "init asks before creating the CA, but standard input is not a terminal: add --yes to create it without asking (orca-cactl init --yes)".into()
        }
        CtlError::Bus { detail } => format!(
            "cannot connect to the D-Bus system bus ({detail}): check that it runs with `systemctl status dbus`"
        ),
        CtlError::BusLost { detail } => format!(
            "the connection to the D-Bus system bus broke ({detail}); check the bus and orca-cad with: systemctl status dbus orca-cad"
        ),
        CtlError::Daemon(d) => daemon(d, user),
        CtlError::AlreadyInitialized { subject } => format!(
            "a CA already exists ({subject}) and is never overwritten; see it with `orca-cactl status`"
        ),
        CtlError::Output { problem, bundle } => output(problem, bundle.as_ref()),
        CtlError::Interrupted => interrupted(),
        CtlError::Cancelled => {
            "no CA was created; to create it later run: sudo orca-cactl init".into()
        }
        CtlError::Unexpected(detail) => format!(
            "unexpected answer on the D-Bus system bus ({detail}); check orca-cad with `systemctl status orca-cad`"
        ),
        CtlError::Problems { errors } => doctor_problems(*errors),
        CtlError::Bundle { path, detail } => format!(
            "cannot use {} as a client bundle ({detail}): give an issue number or a .zip made by orca-cactl",
            shell_word(path)
        ),
    }
}

/// What each polkit action allows, for "not allowed to …".
fn action_description(action: &str) -> &'static str {
    use orca_ca_proto::actions as a;
    match action {
        a::READ => "read the certificate index",
        a::ISSUE => "issue certificates",
        a::REVOKE => "revoke certificates",
        a::CRL => "publish the CRL",
        a::EXPORT => "export certificates with their private keys",
        a::INSTALL => "install certificates for WebORCA",
        a::INITIALIZE => "create the CA",
        _ => "do this",
    }
}

fn with_detail(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

fn join_group(user: &str) -> String {
    format!(
        "ask an administrator to run: sudo adduser {user} {} (then log in again)",
        orca_ca_proto::ADMIN_GROUP
    )
}

fn daemon(d: &DaemonError, user: &str) -> String {
    let action = d.method.action();
    let what = action_description(action);
    let detail = with_detail(&d.detail);
    let creating_ca = action == orca_ca_proto::actions::INITIALIZE;
    // "(polkit action …)" unless the daemon's message names it already.
    let refused = if d.detail.is_empty() {
        format!(" (polkit action {action})")
    } else if d.detail.contains(action) {
        detail.clone()
    } else {
        format!(" (polkit action {action}: {})", d.detail)
    };
    match d.class {
        // dbus-daemon itself refused: its policy file is missing or wrong.
        BusClass::AccessDenied if d.detail.contains("Rejected send message") => format!(
            "the D-Bus system bus refuses calls to orca-cad{detail}: its policy file /usr/share/dbus-1/system.d/{}.conf is missing or damaged; reinstall orca-catool-rs",
            orca_ca_proto::BUS_NAME
        ),
        // The daemon's detail repeats what follows; the action is enough.
        BusClass::PolkitUnavailable => format!(
            "not allowed to {what} (polkit action {action}): polkit is not running, and without it orca-cad allows nothing to anyone but root; start it with: sudo systemctl start polkit (package polkitd; policykit-1 on Ubuntu 22.04)"
        ),
        BusClass::AccessDenied if creating_ca => format!(
            "not allowed to {what}{refused}: creating the CA needs an administrator; run: sudo orca-cactl init"
        ),
        // The daemon's own advice names no user; ours does, so say it once.
        BusClass::AccessDenied => format!(
            "not allowed to {what} (polkit action {action}): {}",
            join_group(user)
        ),
        BusClass::InteractiveAuthorizationRequired if creating_ca => format!(
            "an administrator password is needed to {what}{refused}, but none can be asked here: run in a terminal: sudo orca-cactl init"
        ),
        // As for AccessDenied: the daemon's sentence repeats our advice.
        BusClass::InteractiveAuthorizationRequired => format!(
            "a password is needed to {what} (polkit action {action}), but none can be asked here: run the command in a terminal, or {}",
            join_group(user)
        ),
        BusClass::NotInitialized => {
            "no CA exists yet: create it first with: sudo orca-cactl init".into()
        }
        BusClass::Unreachable => format!(
            "orca-cad is not running and could not be started{detail}; check it with: systemctl status orca-cad"
        ),
        BusClass::NoReply => format!(
            "orca-cad did not answer{detail}; check it with: systemctl status orca-cad (its log: journalctl -u orca-cad)"
        ),
        BusClass::ShuttingDown => {
            format!("orca-cad is stopping{detail}; run the command again in a moment")
        }
        BusClass::VersionSkew => format!(
            "orca-cad does not know the call {}{detail}: it is a different version from orca-cactl {}; install the same version of both (orca-catool-rs) and run: sudo systemctl restart orca-cad",
            d.method.member(),
            orca_ca_proto::VERSION
        ),
        BusClass::BadFileDescriptor => format!(
            "orca-cad could not write into the file orca-cactl opened for it{detail}; nothing was saved: try again, or give a directory on a local disk with --out DIR"
        ),
        // The daemon's own sentence already names the problem and the fix.
        BusClass::AlreadyInitialized
        | BusClass::CaExpired
        | BusClass::InvalidArgument
        | BusClass::NotPermitted
        | BusClass::NotFound
        | BusClass::AlreadyRevoked
        | BusClass::DiskFull
        | BusClass::CannotInstall
        | BusClass::WebOrca
        | BusClass::Daemon => {
            if d.detail.is_empty() {
                format!(
                    "orca-cad reported {} without details; its log may say more: journalctl -u orca-cad",
                    d.name
                )
            } else {
                d.detail.clone()
            }
        }
    }
}

fn output(p: &OutputProblem, bundle: Option<&Bundle>) -> String {
    let problem = match p {
        OutputProblem::HomeUnset => {
            "HOME is not set, so the default output directory $HOME/certs is unknown: give one with --out DIR".into()
        }
        OutputProblem::CreateDir { dir, source } => format!(
            "cannot create the output directory {} ({source}): give another one with --out DIR",
            shell_word(dir)
        ),
        OutputProblem::NotADirectory { dir } => format!(
            "{} is not a directory: give an output directory with --out DIR",
            shell_word(dir)
        ),
        OutputProblem::TempFile { dir, source } => format!(
            "cannot create a file in {} ({source}): check that you may write there, or give another directory with --out DIR",
            shell_word(dir)
        ),
        OutputProblem::Exists { path } => format!(
            "{} already exists and was not overwritten",
            shell_word(path)
        ),
        OutputProblem::Write { path, source } => {
            format!("cannot write {} ({source})", shell_word(path))
        }
        OutputProblem::UnsafeName { name } => format!(
            "orca-cad proposed the file name {name:?}, which is not a plain .zip file name; nothing was saved"
        ),
        OutputProblem::Incomplete { expected, got } => format!(
            "the bundle orca-cad wrote is incomplete ({got} of {expected} bytes); nothing was saved"
        ),
    };
    let exists = matches!(p, OutputProblem::Exists { .. });
    match bundle {
        None => problem,
        Some(Bundle::Issued {
            number,
            issue_number,
            out_dir,
        }) => {
            let export = format!("orca-cactl export {number} --out {}", shell_word(out_dir));
            if exists {
                format!(
                    "{problem}; certificate {issue_number} WAS issued: move the old file away, then get the new bundle with: {export}"
                )
            } else {
                format!(
                    "{problem}; certificate {issue_number} WAS issued: get its bundle with: {export}"
                )
            }
        }
        Some(Bundle::Exported { id }) if exists => format!(
            "{problem}: move it away first, or write the bundle to another directory with: orca-cactl export {id} --out DIR"
        ),
        Some(Bundle::Exported { .. }) => problem,
    }
}

// ---- sign-request ------------------------------------------------------

pub fn csr_unreadable(path: &Path, e: &std::io::Error) -> String {
    format!(
        "cannot read the certificate signing request {} ({e})",
        shell_word(path)
    )
}

pub fn no_certificate_in_reply() -> String {
    "orca-cad signed the request but sent no certificate back: it is a different version from orca-cactl; get the certificate with: orca-cactl export ID".into()
}

pub fn unsafe_certificate_name(name: &str) -> String {
    format!(
        "orca-cad proposed the file name {name:?}, which is not a plain file name; nothing was saved: give a file with --out FILE"
    )
}

// ---- the legacy orca-catool syntax ------------------------------------

pub fn legacy_unknown(sub: &str) -> String {
    format!("unknown subcommand {sub:?}: use one of the subcommands listed above")
}

pub fn legacy_missing_value(sub: &str, opt: &str) -> String {
    format!("{opt} needs a value, for example: {}", legacy_example(sub))
}

pub fn legacy_unexpected(sub: &str, arg: &str) -> String {
    format!(
        "{sub} does not take {arg:?}; for example: {}",
        legacy_example(sub)
    )
}

pub fn legacy_needs_names() -> String {
    format!(
        "issue_server_cert needs the server's host name (-c) or IP address (-i), as the browser's address bar shows it; for example: {}",
        legacy_example("issue_server_cert")
    )
}

pub fn legacy_needs_cn() -> String {
    format!(
        "issue_client_cert needs a name for the person or terminal with -c; for example: {}",
        legacy_example("issue_client_cert")
    )
}

pub fn legacy_one_cn() -> String {
    "issue_client_cert takes one -c name: issue one certificate per person or terminal".into()
}

pub fn legacy_needs_id(sub: &str) -> String {
    format!(
        "{sub} needs the certificate's number (see orca-catool list_cert); for example: {}",
        legacy_example(sub)
    )
}

fn legacy_example(sub: &str) -> String {
    let args = match sub {
        "issue_server_cert" => " -i 192.168.1.100 -c weborca-server",
        "issue_client_cert" => " -c user1",
        "export_cert" | "revoke_cert" => " 3",
        _ => "",
    };
    format!("orca-catool {sub}{args}")
}

// ---- results for people -----------------------------------------------

pub fn ca_created(common_name: &str, not_after: i64) -> String {
    format!(
        "CA \"{common_name}\" created, valid until {}.\nNext: orca-cactl issue-server-cert -c HOST (or -i IP), then orca-cactl issue-client-cert -c NAME",
        date_time(not_after)
    )
}

pub fn revoked(issue_number: &str, common_name: &str, reason: &str) -> String {
    format!("certificate {issue_number} ({common_name}) revoked, reason: {reason}")
}

pub fn crl_lists(crl_number: u64, revoked_count: u32, pem_path: &str) -> String {
    format!("CRL number {crl_number} lists {revoked_count} revoked certificate(s): {pem_path}")
}

/// DESIGN.md: say where it matters that nothing in WebORCA is known to
/// read a CRL, with what to do instead.
pub fn revocation_note(kind: &str) -> &'static str {
    if kind == "server" {
        "note: browsers are not known to check this CRL; if WebORCA-Server still uses this certificate, issue a new one, place it in /opt/jma/weborca/conf and restart jma-receipt-weborca.service"
    } else {
        "note: WebORCA-Server is not known to read a CRL, so it may still accept this certificate: also delete it (the .p12) from every browser and device that imported it"
    }
}

pub fn crl_renewed(crl_number: u64, next_update: i64) -> String {
    format!(
        "CRL number {crl_number} issued; valid until {}",
        date_time(next_update)
    )
}

pub fn crl_not_due(crl_number: u64, renew_after: i64) -> String {
    format!(
        "CRL number {crl_number} is not due for renewal before {}: nothing done",
        date_time(renew_after)
    )
}

/// Named where a file name would be, when writing results fails.
pub const STANDARD_OUTPUT: &str = "standard output";

pub const NO_CERTIFICATES: &str = "no certificates match";

/// Column headings of `list`.
pub const LIST_HEADINGS: [&str; 7] = [
    "No.",
    "KIND",
    "STATUS",
    "COMMON NAME",
    "ALT NAMES",
    "NOT AFTER",
    "SERIAL",
];

/// Shown for an empty cell.
pub const NONE: &str = "-";
pub const YES_WORD: &str = "yes";
pub const NO_WORD: &str = "no";

pub fn kind(k: &str) -> &str {
    match k {
        "ca" => "ca",
        "server" => "server",
        "client" => "client",
        other => other,
    }
}

pub fn status(s: &str) -> &str {
    match s {
        "valid" => "valid",
        "revoked" => "revoked",
        "expired" => "expired",
        other => other,
    }
}

/// Keys of the `show` and `status` lines.
pub mod label {
    pub const ISSUE_NUMBER: &str = "issue number";
    pub const SERIAL: &str = "serial";
    pub const KIND: &str = "kind";
    pub const COMMON_NAME: &str = "common name";
    pub const ALT_NAMES: &str = "alt names";
    pub const KEY_TYPE: &str = "key type";
    pub const ISSUED_AT: &str = "issued at";
    pub const NOT_BEFORE: &str = "not before";
    pub const NOT_AFTER: &str = "not after";
    pub const STATUS: &str = "status";
    pub const REVOKED_AT: &str = "revoked at";
    pub const REVOCATION_REASON: &str = "revocation reason";
    pub const FINGERPRINT: &str = "sha256 fingerprint";
    pub const KEY_KEPT: &str = "private key kept";
    pub const BUNDLE: &str = "bundle";

    pub const DAEMON_VERSION: &str = "orca-cad version";
    pub const CLIENT_VERSION: &str = "orca-cactl version";
    pub const CA: &str = "CA";
    pub const CA_SUBJECT: &str = "CA subject";
    pub const CERTIFICATES: &str = "certificates";
    pub const EXPIRING_SOON: &str = "expiring within 31 days";
    pub const CRL_NUMBER: &str = "CRL number";
    pub const CRL_NEXT_UPDATE: &str = "CRL next update";
    pub const CRL_RENEW_AFTER: &str = "CRL renewal after";
    pub const STATE_DIR: &str = "state directory";
}

pub const CA_PRESENT: &str = "initialized";
pub const CA_ABSENT: &str = "not created yet (create it with: sudo orca-cactl init)";

pub fn certificate_counts(total: u64, valid: u64, revoked: u64, expired: u64) -> String {
    format!("{total} issued (valid {valid}, revoked {revoked}, expired {expired})")
}

// ---- formats ----------------------------------------------------------

/// `2036-11-25`, in UTC.
pub fn date(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => unix.to_string(),
    }
}

/// `2026-11-25 10:38:54 UTC`.
pub fn date_time(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            date(unix),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

/// A path as a person can paste it into a shell.
pub fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Daemon text and paths may carry newlines; an error stays on one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Method;
    use crate::error::Exit;
    use orca_ca_proto::errors;
    use std::path::PathBuf;

    fn line(name: &str, detail: &str, method: Method) -> (String, Exit) {
        let e = CtlError::daemon(name, Some(detail.into()), method);
        (error_line("orca-cactl", &e, "tanaka"), e.exit())
    }

    #[test]
    fn access_denied_names_the_action_and_the_group() {
        let (l, exit) = line(
            errors::ACCESS_DENIED,
            "jp.or.med.orca.catool.issue not authorized for :1.42",
            Method::IssueClientCert,
        );
        assert_eq!(exit, Exit::NotAuthorized);
        assert!(
            l.starts_with("orca-cactl: not allowed to issue certificates"),
            "{l}"
        );
        assert!(l.contains("jp.or.med.orca.catool.issue"), "{l}");
        assert!(
            l.contains("sudo adduser tanaka orca-ca (then log in again)"),
            "{l}"
        );
    }

    #[test]
    fn creating_the_ca_points_to_sudo_not_to_the_group() {
        let (l, _) = line(errors::ACCESS_DENIED, "", Method::Initialize);
        assert!(l.contains("sudo orca-cactl init"), "{l}");
        assert!(!l.contains("adduser"), "{l}");
        let (l, _) = line(
            errors::INTERACTIVE_AUTHORIZATION_REQUIRED,
            "",
            Method::Initialize,
        );
        assert!(l.contains("sudo orca-cactl init"), "{l}");
    }

    #[test]
    fn without_polkitd_the_fix_is_to_start_it() {
        let mut e = CtlError::daemon(errors::ACCESS_DENIED, None, Method::IssueClientCert);
        if let CtlError::Daemon(d) = &mut e {
            d.class = BusClass::PolkitUnavailable;
        }
        assert_eq!(e.exit(), Exit::NotAuthorized);
        let l = error_line("orca-cactl", &e, "tanaka");
        assert!(l.contains("systemctl start polkit"), "{l}");
        assert!(!l.contains("adduser"), "{l}");
    }

    #[test]
    fn interactive_authorization_says_use_a_terminal() {
        let (l, exit) = line(
            errors::INTERACTIVE_AUTHORIZATION_REQUIRED,
            "interactive authorization required",
            Method::Revoke,
        );
        assert_eq!(exit, Exit::NotAuthorized);
        assert!(l.contains("revoke certificates"), "{l}");
        assert!(l.contains("in a terminal"), "{l}");
        assert!(l.contains("sudo adduser tanaka orca-ca"), "{l}");
    }

    #[test]
    fn unreachable_daemon_says_how_to_check() {
        for name in [
            "org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner",
        ] {
            let (l, exit) = line(name, "The name is not activatable", Method::GetStatus);
            assert_eq!(exit, Exit::Unreachable);
            assert!(l.contains("orca-cad is not running"), "{l}");
            assert!(l.contains("systemctl status orca-cad"), "{l}");
        }
        let e = CtlError::Bus {
            detail: "No such file or directory".into(),
        };
        assert_eq!(e.exit(), Exit::Unreachable);
        assert!(error_line("orca-cactl", &e, "u").contains("systemctl status dbus"));
    }

    #[test]
    fn not_initialized_says_run_init() {
        let (l, exit) = line(errors::NOT_INITIALIZED, "no CA", Method::IssueClientCert);
        assert_eq!(exit, Exit::CaState);
        assert!(l.contains("orca-cactl init"), "{l}");
    }

    #[test]
    fn domain_errors_show_the_daemons_sentence_on_one_line() {
        let (l, exit) = line(
            errors::NOT_FOUND,
            "no certificate 000009 in the index:\nsee `orca-cactl list`",
            Method::Revoke,
        );
        assert_eq!(exit, Exit::NotFound);
        assert_eq!(
            l,
            "orca-cactl: no certificate 000009 in the index: see `orca-cactl list`"
        );
        let (l, exit) = line(errors::FAILED, "", Method::IssueCrl);
        assert_eq!(exit, Exit::Failure);
        assert!(
            l.contains(errors::FAILED) && l.contains("journalctl"),
            "{l}"
        );
    }

    #[test]
    fn an_issued_certificate_is_never_lost_silently() {
        let issued = Bundle::Issued {
            number: 3,
            issue_number: "000003".into(),
            out_dir: PathBuf::from("/home/tanaka/certs"),
        };
        let e = CtlError::Output {
            problem: OutputProblem::Exists {
                path: PathBuf::from("/home/tanaka/certs/000003__JP_orca_user1.zip"),
            },
            bundle: Some(issued),
        };
        assert_eq!(e.exit(), Exit::Output);
        let l = error_line("orca-cactl", &e, "tanaka");
        assert!(
            l.contains("/home/tanaka/certs/000003__JP_orca_user1.zip already exists"),
            "{l}"
        );
        assert!(l.contains("000003 WAS issued"), "{l}");
        assert!(
            l.contains("orca-cactl export 3 --out /home/tanaka/certs"),
            "{l}"
        );
        assert!(!l.contains('\n'));

        let e = CtlError::Output {
            problem: OutputProblem::Exists {
                path: PathBuf::from("/home/tanaka/certs/000003__JP_orca_user1.zip"),
            },
            bundle: Some(Bundle::Exported { id: "3".into() }),
        };
        let l = error_line("orca-catool", &e, "tanaka");
        assert!(l.contains("not overwritten: move it away first"), "{l}");
        assert!(l.contains("orca-cactl export 3 --out DIR"), "{l}");
        assert!(!l.contains("WAS issued"), "{l}");
    }

    #[test]
    fn paths_are_quoted_for_the_shell_when_needed() {
        assert_eq!(shell_word(Path::new("/home/a/certs")), "/home/a/certs");
        assert_eq!(shell_word(Path::new("/tmp/my certs")), "'/tmp/my certs'");
        assert_eq!(shell_word(Path::new("/tmp/it's")), r"'/tmp/it'\''s'");
    }

    #[test]
    fn answers_and_dates() {
        for y in ["y", "Y", "yes", " yes\n"] {
            assert!(is_yes(y), "{y:?}");
        }
        for n in ["", "n", "no", "ye", "y y"] {
            assert!(!is_yes(n), "{n:?}");
        }
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date_time(2_111_111_111), "2036-11-24 03:45:11 UTC");
    }
}

// ---- WebORCA ----------------------------------------------------------

pub const DOCTOR_HEADINGS: [&str; 3] = ["STATUS", "CHECK", "FOUND"];

pub fn check_status(s: &str) -> &str {
    match s {
        "ok" => "ok",
        "warning" => "warning",
        "error" => "ERROR",
        other => other,
    }
}

pub fn fix_line(fix: &str) -> String {
    format!("fix: {fix}")
}

pub fn doctor_summary(errors: usize, warnings: usize, hosts: &[String]) -> String {
    let names = if hosts.is_empty() {
        NONE.to_owned()
    } else {
        hosts.join(", ")
    };
    format!("{errors} error(s), {warnings} warning(s); host names checked: {names}")
}

pub fn doctor_problems(errors: usize) -> String {
    format!("doctor found {errors} error(s); each has its fix in the table above")
}

pub fn placed_heading(issue_number: &str, common_name: &str, owner: &str) -> String {
    format!("certificate {issue_number} ({common_name}) placed, owner {owner}, mode 0400:")
}

pub fn conf_result(conf: &str, changed: bool, created: bool, backup: Option<&str>) -> String {
    match (created, changed, backup) {
        (true, _, _) => format!("{conf} created with SERVER_CRT, SERVER_PEM and CA_CRT"),
        (_, false, _) => {
            format!("{conf} already sets SERVER_CRT, SERVER_PEM and CA_CRT to these files")
        }
        (_, true, Some(b)) => {
            format!("{conf}: SERVER_CRT, SERVER_PEM and CA_CRT set (previous file kept as {b})")
        }
        (_, true, None) => format!("{conf}: SERVER_CRT, SERVER_PEM and CA_CRT set"),
    }
}

pub fn restarted(unit: &str) -> String {
    format!(
        "{unit} restarted. Check with: orca-cactl doctor --probe (WebORCA's log /opt/jma/weborca/log/jma-receipt-weborca.log should say \"Server Mode: HTTPS\")"
    )
}

pub fn client_settings(s: &crate::output::ClientSettingsOut) -> String {
    format!(
        "settings for push-exchanger or API clients:\n  client certificate: {}\n  private key:        {}\n  encrypted key:      {} (passphrase in {})\n  CA certificate:     {}\n",
        s.cert, s.key, s.encrypted_key, s.passphrase_file, s.ca
    )
}

/// Texts of `doctor --probe`: each returns (what was found, the fix).
pub mod probe {
    type Text = (String, String);

    pub fn bad_scheme(url: &str) -> String {
        format!("--probe {url:?}: give an https:// URL, such as https://weborca-server:8000")
    }

    pub fn bad_url(url: &str) -> String {
        format!("--probe {url:?} is not a URL like https://HOST:PORT")
    }

    pub fn no_address() -> String {
        "the name has no address".into()
    }

    pub fn closed_without_answer() -> String {
        "connection closed without an answer".into()
    }

    pub fn bundle_no_cert() -> String {
        "it holds no certificate (.crt)".into()
    }

    pub fn bundle_no_key() -> String {
        "it holds no unencrypted key (.pem)".into()
    }

    pub fn http_url(place: &str) -> Text {
        (
            format!(
                "the URL says http://; WebORCA with SSL client authentication speaks only https on {place}"
            ),
            format!("connect with https://{place}"),
        )
    }

    pub fn unreachable(place: &str, detail: &str) -> Text {
        (
            format!("cannot connect to {place} ({detail})"),
            "check that WebORCA-Server runs (systemctl status jma-receipt-weborca.service) and that the name and port are right".into(),
        )
    }

    pub fn speaks_http(place: &str) -> Text {
        (
            format!("{place} speaks HTTP, not HTTPS"),
            "connect with https to WebORCA's HTTPS port; if this is WebORCA's port, it runs without SSL: install the server certificate (orca-cactl install-server-cert ID), which restarts it".into(),
        )
    }

    pub fn not_tls(place: &str, detail: &str) -> Text {
        (
            format!("no TLS handshake with {place} ({detail})"),
            "check that this is WebORCA's port and look at /opt/jma/weborca/log/jma-receipt-weborca.log".into(),
        )
    }

    pub fn no_client_cert_asked(place: &str) -> Text {
        (
            format!("{place}: the server did not ask for a client certificate (it answered without one), so anyone who reaches it gets in"),
            "set SERVER_CRT, SERVER_PEM and CA_CRT and restart WebORCA-Server: orca-cactl install-server-cert ID".into(),
        )
    }

    pub fn client_cert_required(place: &str, alert: &str) -> (String, String) {
        (
            format!(
                "{place} refuses connections without a client certificate ({alert}), as it should"
            ),
            String::new(),
        )
    }

    pub fn server_cert_ok(host: &str) -> Text {
        (
            format!("the server's certificate is valid for {host} and issued by this CA"),
            String::new(),
        )
    }

    pub fn server_cert_bad(host: &str, problem: &str) -> Text {
        (
            format!("the server's certificate does not verify for {host}: {problem}; browsers refuse it"),
            "connect by a name the certificate lists, or install a server certificate of this CA for that name (orca-cactl doctor shows both)".into(),
        )
    }

    pub fn accepted(name: &str) -> Text {
        (
            format!("with client certificate {name} the handshake succeeded and WebORCA answered"),
            String::new(),
        )
    }

    pub fn refused(name: &str, alert: &str) -> Text {
        let fix = if alert.contains("unknown ca") {
            "the server's CA_CRT is not the CA that issued this certificate: orca-cactl install-server-cert ID, with a server certificate of this CA"
        } else if alert.contains("expired") {
            "the client certificate has expired: issue a new one (orca-cactl issue-client-cert -c NAME)"
        } else {
            "look at /opt/jma/weborca/log/jma-receipt-weborca.log and run orca-cactl doctor"
        };
        (
            format!("the server refused client certificate {name} ({alert})"),
            fix.into(),
        )
    }

    pub fn failed(name: &str, detail: &str) -> Text {
        (
            format!("the connection with client certificate {name} failed ({detail})"),
            "run the probe again; if it persists, look at /opt/jma/weborca/log/jma-receipt-weborca.log".into(),
        )
    }
}
