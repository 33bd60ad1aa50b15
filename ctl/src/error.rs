//! Why a command failed, and the exit status each kind of failure gets.
//! The sentences are in `messages.rs`; this file only classifies.

use std::io;
use std::path::PathBuf;

use orca_ca_proto::errors;
use zbus::DBusError;

use crate::client::Method;

/// Exit statuses. `messages::EXIT_STATUS_HELP` shows the same table in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    NotAuthorized = 3,
    NotFound = 4,
    CaState = 5,
    Unreachable = 6,
    InvalidArgument = 7,
    AlreadyRevoked = 8,
    Output = 9,
    Cancelled = 10,
    /// WebORCA is not installed here, its user is missing, or its restart failed.
    WebOrca = 11,
    /// `doctor` found at least one error.
    Problems = 12,
    /// 128 + SIGINT, as shells report it.
    Interrupted = 130,
}

impl Exit {
    pub const ALL: [Exit; 14] = [
        Exit::Success,
        Exit::Failure,
        Exit::Usage,
        Exit::NotAuthorized,
        Exit::NotFound,
        Exit::CaState,
        Exit::Unreachable,
        Exit::InvalidArgument,
        Exit::AlreadyRevoked,
        Exit::Output,
        Exit::Cancelled,
        Exit::WebOrca,
        Exit::Problems,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// What a D-Bus error name means to this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusClass {
    AccessDenied,
    /// AccessDenied while polkitd is neither running nor activatable: the
    /// daemon denies everything (set by the client after checking the bus).
    PolkitUnavailable,
    InteractiveAuthorizationRequired,
    NotInitialized,
    AlreadyInitialized,
    CaExpired,
    InvalidArgument,
    NotPermitted,
    NotFound,
    AlreadyRevoked,
    BadFileDescriptor,
    DiskFull,
    ShuttingDown,
    /// Nobody owns the name and it cannot be activated, or the bus went away.
    Unreachable,
    /// The daemon took the call but never answered.
    NoReply,
    /// The daemon does not know the method or property: versions differ.
    VersionSkew,
    /// A certificate that cannot be installed for WebORCA (wrong kind,
    /// revoked, expired, no or wrong key).
    CannotInstall,
    /// WebORCA's side: not installed, its user missing, the restart failed.
    WebOrca,
    /// Everything else the daemon reports (`Failed`, `Config`, `StateCorrupt`,
    /// `StateBusy`, names this client does not know): its message is shown.
    Daemon,
}

const FDO: &str = "org.freedesktop.DBus.Error.";

pub fn classify(name: &str) -> BusClass {
    match name {
        errors::ACCESS_DENIED => BusClass::AccessDenied,
        errors::INTERACTIVE_AUTHORIZATION_REQUIRED => BusClass::InteractiveAuthorizationRequired,
        errors::NOT_INITIALIZED => BusClass::NotInitialized,
        errors::ALREADY_INITIALIZED => BusClass::AlreadyInitialized,
        errors::CA_EXPIRED => BusClass::CaExpired,
        errors::INVALID_ARGUMENT => BusClass::InvalidArgument,
        errors::NOT_PERMITTED => BusClass::NotPermitted,
        errors::NOT_FOUND => BusClass::NotFound,
        errors::ALREADY_REVOKED => BusClass::AlreadyRevoked,
        errors::BAD_FILE_DESCRIPTOR => BusClass::BadFileDescriptor,
        errors::DISK_FULL => BusClass::DiskFull,
        errors::SHUTTING_DOWN => BusClass::ShuttingDown,
        errors::WRONG_KIND
        | errors::CERTIFICATE_REVOKED
        | errors::CERTIFICATE_EXPIRED
        | errors::KEY_MISMATCH
        | errors::NO_KEY_MATERIAL => BusClass::CannotInstall,
        errors::WEBORCA_NOT_INSTALLED
        | errors::WEBORCA_OWNER_UNKNOWN
        | errors::NO_SUCH_UNIT
        | errors::RESTART_FAILED => BusClass::WebOrca,
        _ => match name.strip_prefix(FDO) {
            Some(
                "ServiceUnknown" | "NameHasNoOwner" | "NoServer" | "Disconnected" | "NoNetwork"
                | "AddressInUse",
            ) => BusClass::Unreachable,
            Some(rest) if rest.starts_with("Spawn.") => BusClass::Unreachable,
            Some("NoReply" | "Timeout" | "TimedOut") => BusClass::NoReply,
            Some("UnknownMethod" | "UnknownInterface" | "UnknownObject" | "UnknownProperty") => {
                BusClass::VersionSkew
            }
            Some("InvalidArgs" | "InvalidSignature") => BusClass::InvalidArgument,
            // Sent by the bus itself when its policy refuses the call.
            Some("AccessDenied") => BusClass::AccessDenied,
            _ => BusClass::Daemon,
        },
    }
}

impl BusClass {
    pub fn exit(self) -> Exit {
        match self {
            BusClass::AccessDenied
            | BusClass::PolkitUnavailable
            | BusClass::InteractiveAuthorizationRequired => Exit::NotAuthorized,
            BusClass::NotFound => Exit::NotFound,
            BusClass::NotInitialized | BusClass::AlreadyInitialized | BusClass::CaExpired => {
                Exit::CaState
            }
            BusClass::Unreachable | BusClass::NoReply | BusClass::ShuttingDown => Exit::Unreachable,
            BusClass::InvalidArgument | BusClass::NotPermitted | BusClass::CannotInstall => {
                Exit::InvalidArgument
            }
            BusClass::WebOrca => Exit::WebOrca,
            BusClass::AlreadyRevoked => Exit::AlreadyRevoked,
            BusClass::BadFileDescriptor => Exit::Output,
            BusClass::DiskFull | BusClass::VersionSkew | BusClass::Daemon => Exit::Failure,
        }
    }
}

/// A D-Bus error reply, with the call it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonError {
    pub class: BusClass,
    pub name: String,
    pub detail: String,
    pub method: Method,
}

/// The bundle that could not be saved, so the message can say how to get
/// it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bundle {
    /// A new certificate: it exists although its bundle was not saved.
    Issued {
        number: u32,
        issue_number: String,
        out_dir: PathBuf,
    },
    /// An export: nothing changed in the CA.
    Exported { id: String },
}

#[derive(Debug)]
pub enum OutputProblem {
    HomeUnset,
    CreateDir { dir: PathBuf, source: io::Error },
    NotADirectory { dir: PathBuf },
    TempFile { dir: PathBuf, source: io::Error },
    Exists { path: PathBuf },
    Write { path: PathBuf, source: io::Error },
    UnsafeName { name: String },
    Incomplete { expected: u64, got: u64 },
}

#[derive(Debug)]
pub enum CtlError {
    /// A command line that cannot work; the detail is already a sentence.
    Usage(String),
    /// `init` without `--yes` where nobody can answer the question.
    NotATerminal,
    /// The system bus itself could not be reached.
    Bus {
        detail: String,
    },
    /// The connection broke during a call.
    BusLost {
        detail: String,
    },
    Daemon(DaemonError),
    /// `init` found a CA already there (told by the `Initialized` property).
    AlreadyInitialized {
        subject: String,
    },
    Output {
        problem: OutputProblem,
        bundle: Option<Bundle>,
    },
    /// The answer to `initialize ca?` was not yes.
    Cancelled,
    /// SIGINT, SIGTERM or SIGHUP arrived before the command finished.
    Interrupted,
    /// Anything zbus reports that is not a D-Bus error reply.
    Unexpected(String),
    /// `doctor` found this many errors (the table says which).
    Problems {
        errors: usize,
    },
    /// `doctor --bundle` could not be read.
    Bundle {
        path: PathBuf,
        detail: String,
    },
}

impl CtlError {
    pub fn exit(&self) -> Exit {
        match self {
            CtlError::Usage(_) | CtlError::NotATerminal => Exit::Usage,
            CtlError::Bus { .. } | CtlError::BusLost { .. } => Exit::Unreachable,
            CtlError::Daemon(d) => d.class.exit(),
            CtlError::AlreadyInitialized { .. } => Exit::CaState,
            CtlError::Output { .. } => Exit::Output,
            CtlError::Cancelled => Exit::Cancelled,
            CtlError::Interrupted => Exit::Interrupted,
            CtlError::Unexpected(_) => Exit::Failure,
            CtlError::Problems { .. } => Exit::Problems,
            CtlError::Bundle { .. } => Exit::InvalidArgument,
        }
    }

    /// From an error returned by a call of `method`.
    pub fn from_zbus(e: zbus::Error, method: Method) -> Self {
        match e {
            zbus::Error::MethodError(name, detail, _) => {
                Self::daemon(name.as_str(), detail, method)
            }
            zbus::Error::FDO(f) => match *f {
                zbus::fdo::Error::ZBus(inner) => Self::from_zbus(inner, method),
                other => Self::daemon(
                    other.name().as_str(),
                    other.description().map(str::to_owned),
                    method,
                ),
            },
            zbus::Error::InputOutput(io) if io.kind() == io::ErrorKind::TimedOut => Self::daemon(
                "org.freedesktop.DBus.Error.NoReply",
                Some(io.to_string()),
                method,
            ),
            zbus::Error::InputOutput(io) => CtlError::BusLost {
                detail: io.to_string(),
            },
            other => CtlError::Unexpected(other.to_string()),
        }
    }

    pub fn daemon(name: &str, detail: Option<String>, method: Method) -> Self {
        CtlError::Daemon(DaemonError {
            class: classify(name),
            name: name.to_owned(),
            detail: detail.unwrap_or_default(),
            method,
        })
    }

    pub fn output(problem: OutputProblem) -> Self {
        CtlError::Output {
            problem,
            bundle: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proto_error_name_has_its_exit_status() {
        let cases = [
            (errors::ACCESS_DENIED, Exit::NotAuthorized),
            (
                errors::INTERACTIVE_AUTHORIZATION_REQUIRED,
                Exit::NotAuthorized,
            ),
            (errors::NOT_FOUND, Exit::NotFound),
            (errors::NOT_INITIALIZED, Exit::CaState),
            (errors::ALREADY_INITIALIZED, Exit::CaState),
            (errors::CA_EXPIRED, Exit::CaState),
            (errors::INVALID_ARGUMENT, Exit::InvalidArgument),
            (errors::NOT_PERMITTED, Exit::InvalidArgument),
            (errors::ALREADY_REVOKED, Exit::AlreadyRevoked),
            (errors::BAD_FILE_DESCRIPTOR, Exit::Output),
            (errors::SHUTTING_DOWN, Exit::Unreachable),
            (errors::DISK_FULL, Exit::Failure),
            (errors::CONFIG, Exit::Failure),
            (errors::STATE_CORRUPT, Exit::Failure),
            (errors::STATE_BUSY, Exit::Failure),
            (errors::FAILED, Exit::Failure),
            (errors::WRONG_KIND, Exit::InvalidArgument),
            (errors::CERTIFICATE_REVOKED, Exit::InvalidArgument),
            (errors::CERTIFICATE_EXPIRED, Exit::InvalidArgument),
            (errors::KEY_MISMATCH, Exit::InvalidArgument),
            (errors::NO_KEY_MATERIAL, Exit::InvalidArgument),
            (errors::WEBORCA_NOT_INSTALLED, Exit::WebOrca),
            (errors::WEBORCA_OWNER_UNKNOWN, Exit::WebOrca),
            (errors::NO_SUCH_UNIT, Exit::WebOrca),
            (errors::RESTART_FAILED, Exit::WebOrca),
            (
                "org.freedesktop.DBus.Error.ServiceUnknown",
                Exit::Unreachable,
            ),
            (
                "org.freedesktop.DBus.Error.NameHasNoOwner",
                Exit::Unreachable,
            ),
            (
                "org.freedesktop.DBus.Error.Spawn.ChildExited",
                Exit::Unreachable,
            ),
            ("org.freedesktop.DBus.Error.NoReply", Exit::Unreachable),
            ("org.freedesktop.DBus.Error.UnknownMethod", Exit::Failure),
            (
                "org.freedesktop.DBus.Error.InvalidArgs",
                Exit::InvalidArgument,
            ),
            ("com.example.Something", Exit::Failure),
        ];
        for (name, exit) in cases {
            let e = CtlError::daemon(name, Some("x".into()), Method::Revoke);
            assert_eq!(e.exit(), exit, "{name}");
        }
    }

    #[test]
    fn exit_codes_are_distinct_and_listed_in_help() {
        let mut codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Exit::ALL.len());
        let help = crate::messages::EXIT_STATUS_HELP;
        for code in codes {
            assert!(
                help.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{code} "))),
                "exit status {code} missing from --help"
            );
        }
    }

    #[test]
    fn zbus_method_errors_keep_name_and_message() {
        let fdo = zbus::Error::FDO(Box::new(zbus::fdo::Error::ServiceUnknown(
            "The name is not activatable".into(),
        )));
        match CtlError::from_zbus(fdo, Method::GetStatus) {
            CtlError::Daemon(d) => {
                assert_eq!(d.class, BusClass::Unreachable);
                assert_eq!(d.name, "org.freedesktop.DBus.Error.ServiceUnknown");
                assert_eq!(d.detail, "The name is not activatable");
            }
            other => panic!("unexpected {other:?}"),
        }
        let io = zbus::Error::InputOutput(std::sync::Arc::new(io::Error::from(
            io::ErrorKind::ConnectionRefused,
        )));
        assert_eq!(
            CtlError::from_zbus(io, Method::GetStatus).exit(),
            Exit::Unreachable
        );
    }
}
