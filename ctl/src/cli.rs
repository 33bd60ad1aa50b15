//! The command line of `orca-cactl` (DESIGN.md, "Command line").

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "orca-cactl",
    version,
    about = "Private certificate authority for WebORCA: client of orca-cad",
    after_help = crate::messages::EXIT_STATUS_HELP,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Print JSON for programs instead of text for people
    #[arg(long, global = true)]
    pub json: bool,

    /// Never ask for a password (no polkit agent, no interactive authorization)
    #[arg(long, global = true)]
    pub no_ask_password: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the CA (asks "initialize ca?" on a terminal unless --yes)
    Init(InitArgs),
    /// Issue a server certificate for WebORCA-Server; prints the zip's path
    IssueServerCert(IssueServerArgs),
    /// Issue a client certificate for a person or terminal; prints the zip's path
    IssueClientCert(IssueClientArgs),
    /// Sign a certificate signing request (CSR) whose key stays with its owner
    ///
    /// Takes only the request's public key and names: for --profile server
    /// the DNS and IP entries of its subjectAltName (else its CN as host),
    /// for --profile client its CN. Every extension is the CA's own, whatever
    /// the request asks. Keys: RSA 2048/3072/4096 or ECDSA P-256. Writes the
    /// certificate (PEM, mode 0644), never over an existing file, and prints
    /// its path. `orca-cactl export ID` later gives the .crt and ca.crt only.
    #[command(verbatim_doc_comment)]
    SignRequest(SignRequestArgs),
    /// List issued certificates
    List(ListArgs),
    /// Show one certificate
    Show {
        /// Issue number (3 or 000003) or hex serial
        id: String,
    },
    /// Write a certificate's bundle (zip) again
    Export {
        /// Issue number (3 or 000003) or hex serial
        id: String,
        /// Directory for the zip [default: $HOME/certs]
        #[arg(long, short = 'o', value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Revoke a certificate and publish a new CRL
    Revoke {
        /// Issue number (3 or 000003) or hex serial
        id: String,
        /// unspecified, keyCompromise, affiliationChanged, superseded,
        /// cessationOfOperation, privilegeWithdrawn or cACompromise
        #[arg(long, default_value = "unspecified")]
        reason: String,
    },
    /// Issue a fresh CRL (PEM to FILE, else to standard output)
    IssueCrl {
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// CRL maintenance
    Crl {
        #[command(subcommand)]
        command: CrlCommand,
    },
    /// Print the CA certificate (PEM to FILE, else to standard output)
    CaCert {
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// CA, CRL and certificate health at a glance
    Status,
    /// Place a server certificate for WebORCA-Server, set jma-receipt.conf, restart it
    ///
    /// Writes <base>.crt, <base>.pem and ca.crt into the WebORCA conf
    /// directory (/opt/jma/weborca/conf), owner orca:orca, mode 0400; sets
    /// SERVER_CRT=, SERVER_PEM= and CA_CRT= in jma-receipt.conf, keeping
    /// every other line and a timestamped backup of the old file; then
    /// restarts WebORCA-Server through systemd and waits for the result.
    #[command(verbatim_doc_comment)]
    InstallServerCert(InstallServerArgs),
    /// Place a client certificate for push-exchanger and API clients
    ///
    /// Writes <base>.crt, <base>.pem, <base>.enc.pem, <base>.pass and ca.crt
    /// into the WebORCA conf directory (owner orca, mode 0400), where the
    /// ORCA page says such clients must read them, and prints the settings.
    #[command(verbatim_doc_comment)]
    InstallClientCert {
        /// Issue number (3 or 000003) or hex serial of a client certificate
        id: String,
    },
    /// Check WebORCA's client authentication for every trouble the ORCA page lists
    ///
    /// Checks jma-receipt.conf (SERVER_CRT, SERVER_PEM, CA_CRT), the files
    /// and who can read them, an encrypted server key, key/certificate
    /// mismatch, the issuing CA, host names in the certificate, expiry
    /// (31 days, as WebORCA-Server warns), validity over 825 days, the CRL,
    /// the state of jma-receipt-weborca.service; with --probe also connects
    /// to WebORCA. Exit status 12 when a check fails.
    #[command(verbatim_doc_comment)]
    Doctor(DoctorArgs),
    /// The ORCA page's orca-catool syntax (what the orca-catool link runs)
    #[command(hide = true)]
    Legacy {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CrlCommand {
    /// Renew the CRL (what the orca-cad-crl timer runs)
    Renew {
        /// Only when it is due
        #[arg(long)]
        if_due: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyType {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
}

impl KeyType {
    /// The value of the `key_type` option (proto::wire::keys).
    pub fn wire(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Create the CA without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Key of the CA [default: rsa2048]
    #[arg(long, value_enum)]
    pub key_type: Option<KeyType>,
    /// Common name of the CA certificate
    #[arg(long, value_name = "NAME")]
    pub ca_name: Option<String>,
    /// Validity of the CA certificate
    #[arg(long, value_name = "N")]
    pub validity_days: Option<u32>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("names").required(true).multiple(true).args(["hosts", "ips"])))]
pub struct IssueServerArgs {
    /// Host name the browser connects to (repeatable)
    #[arg(short = 'c', long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// IP address the browser connects to (repeatable)
    #[arg(short = 'i', long = "ip", value_name = "IP")]
    pub ips: Vec<String>,
    #[arg(long, value_name = "N")]
    pub validity_days: Option<u32>,
    /// Directory for the zip [default: $HOME/certs]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IssueClientArgs {
    /// Name of the person or terminal (common name)
    #[arg(short = 'c', long = "common-name", value_name = "CN")]
    pub common_name: String,
    #[arg(long, value_name = "N")]
    pub validity_days: Option<u32>,
    /// Directory for the zip [default: $HOME/certs]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    Server,
    Client,
}

impl Profile {
    /// The `profile` argument of `SignRequest`.
    pub fn wire(self) -> &'static str {
        match self {
            Profile::Server => orca_ca_proto::wire::profiles::SERVER,
            Profile::Client => orca_ca_proto::wire::profiles::CLIENT,
        }
    }
}

#[derive(Debug, Args)]
pub struct SignRequestArgs {
    /// The request, PEM or DER (openssl req -new -key KEY -out REQ.csr)
    #[arg(value_name = "CSR_FILE")]
    pub csr: PathBuf,
    /// server (EKU serverAuth) or client (EKU clientAuth)
    #[arg(long, value_enum)]
    pub profile: Profile,
    #[arg(long, value_name = "N")]
    pub validity_days: Option<u32>,
    /// Where to write the certificate [default: $HOME/certs/NNNNNN__JP_orca_<CN>.crt]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallServerArgs {
    /// Issue number (3 or 000003) or hex serial of a server certificate
    pub id: String,
    /// Place and configure, but do not restart WebORCA-Server (prints what to run)
    #[arg(long)]
    pub no_restart: bool,
    /// Write a new jma-receipt.conf when there is none (normally an error:
    /// WebORCA does not look installed)
    #[arg(long)]
    pub create: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Host name or IP address clients type to reach WebORCA (repeatable)
    /// [default: this machine's host name and addresses]
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Also connect to WebORCA with TLS [default URL: https://HOST:8000,
    /// HOST the first --host or this machine's name]
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub probe: Option<String>,
    /// Client certificate for --probe: an issue number (exported through
    /// orca-cad) or a bundle .zip
    #[arg(long, value_name = "ID-OR-ZIP", requires = "probe")]
    pub bundle: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Valid,
    Revoked,
    Expired,
}

impl StatusFilter {
    pub fn wire(self) -> &'static str {
        match self {
            StatusFilter::Valid => "valid",
            StatusFilter::Revoked => "revoked",
            StatusFilter::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindFilter {
    Ca,
    Server,
    Client,
}

impl KindFilter {
    pub fn wire(self) -> &'static str {
        match self {
            KindFilter::Ca => "ca",
            KindFilter::Server => "server",
            KindFilter::Client => "client",
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
    /// Only valid certificates that end within DAYS
    #[arg(long, value_name = "DAYS")]
    pub expiring: Option<u32>,
    #[arg(long, value_enum)]
    pub kind: Option<KindFilter>,
    /// Part of a common name or alt name
    pub pattern: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("orca-cactl").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn fails(args: &[&str]) -> clap::error::ErrorKind {
        match Cli::try_parse_from(std::iter::once("orca-cactl").chain(args.iter().copied())) {
            Ok(c) => panic!("{args:?} accepted: {c:?}"),
            Err(e) => e.kind(),
        }
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn init() {
        let c = parse(&["init"]);
        assert!(matches!(
            c.command,
            Command::Init(InitArgs {
                yes: false,
                key_type: None,
                ..
            })
        ));
        let c = parse(&[
            "init",
            "--yes",
            "--key-type",
            "ecdsa-p256",
            "--ca-name",
            "Clinic CA",
            "--validity-days",
            "7300",
        ]);
        match c.command {
            Command::Init(a) => {
                assert!(a.yes);
                assert_eq!(a.key_type.map(KeyType::wire), Some("ecdsa-p256"));
                assert_eq!(a.ca_name.as_deref(), Some("Clinic CA"));
                assert_eq!(a.validity_days, Some(7300));
            }
            other => panic!("{other:?}"),
        }
        for k in ["rsa2048", "rsa3072", "rsa4096", "ecdsa-p256"] {
            match parse(&["init", "-y", "--key-type", k]).command {
                Command::Init(a) => assert_eq!(a.key_type.map(KeyType::wire), Some(k)),
                other => panic!("{other:?}"),
            }
        }
        fails(&["init", "--key-type", "dsa"]);
        fails(&["init", "--validity-days", "-1"]);
    }

    #[test]
    fn issue_server_cert_takes_repeated_hosts_and_ips_in_any_order() {
        let c = parse(&[
            "issue-server-cert",
            "-i",
            "192.168.1.100",
            "-c",
            "weborca-server",
            "-c",
            "weborca.clinic.lan",
            "-i",
            "fd00::1",
            "--validity-days",
            "825",
            "--out",
            "/tmp/certs",
        ]);
        match c.command {
            Command::IssueServerCert(a) => {
                assert_eq!(a.hosts, ["weborca-server", "weborca.clinic.lan"]);
                assert_eq!(a.ips, ["192.168.1.100", "fd00::1"]);
                assert_eq!(a.validity_days, Some(825));
                assert_eq!(a.out, Some(PathBuf::from("/tmp/certs")));
            }
            other => panic!("{other:?}"),
        }
        match parse(&["issue-server-cert", "-i", "192.168.1.100"]).command {
            Command::IssueServerCert(a) => {
                assert!(a.hosts.is_empty());
                assert_eq!(a.ips, ["192.168.1.100"]);
                assert_eq!(a.out, None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            fails(&["issue-server-cert"]),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn issue_client_cert_takes_one_name() {
        match parse(&["issue-client-cert", "-c", "user1"]).command {
            Command::IssueClientCert(a) => {
                assert_eq!(a.common_name, "user1");
                assert_eq!(a.validity_days, None);
            }
            other => panic!("{other:?}"),
        }
        match parse(&[
            "--json",
            "issue-client-cert",
            "--common-name",
            "reception-pc",
            "-o",
            "d",
        ])
        .command
        {
            Command::IssueClientCert(a) => {
                assert_eq!(a.common_name, "reception-pc");
                assert_eq!(a.out, Some(PathBuf::from("d")));
            }
            other => panic!("{other:?}"),
        }
        fails(&["issue-client-cert"]);
        fails(&["issue-client-cert", "-c", "a", "-c", "b"]);
    }

    #[test]
    fn sign_request_takes_a_file_and_a_profile() {
        match parse(&["sign-request", "req.csr", "--profile", "server"]).command {
            Command::SignRequest(a) => {
                assert_eq!(a.csr, PathBuf::from("req.csr"));
                assert_eq!(a.profile.wire(), "server");
                assert_eq!((a.validity_days, a.out), (None, None));
            }
            other => panic!("unexpected {other:?}"),
        }
        match parse(&[
            "sign-request",
            "r.der",
            "--profile",
            "client",
            "--validity-days",
            "30",
            "--out",
            "u.crt",
        ])
        .command
        {
            Command::SignRequest(a) => {
                assert_eq!(a.profile, Profile::Client);
                assert_eq!(a.validity_days, Some(30));
                assert_eq!(a.out, Some(PathBuf::from("u.crt")));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            fails(&["sign-request", "req.csr"]),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            fails(&["sign-request", "req.csr", "--profile", "ca"]),
            clap::error::ErrorKind::InvalidValue
        );
    }

    #[test]
    fn list_filters() {
        let c = parse(&[
            "list",
            "--status",
            "revoked",
            "--expiring",
            "31",
            "--kind",
            "server",
            "weborca",
        ]);
        match c.command {
            Command::List(a) => {
                assert_eq!(a.status.map(StatusFilter::wire), Some("revoked"));
                assert_eq!(a.expiring, Some(31));
                assert_eq!(a.kind.map(KindFilter::wire), Some("server"));
                assert_eq!(a.pattern.as_deref(), Some("weborca"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&["list"]).command,
            Command::List(ListArgs {
                status: None,
                expiring: None,
                kind: None,
                pattern: None
            })
        ));
        fails(&["list", "--status", "active"]);
    }

    #[test]
    fn id_commands() {
        assert!(
            matches!(parse(&["show", "000003"]).command, Command::Show { id } if id == "000003")
        );
        match parse(&["export", "3", "--out", "/media/usb"]).command {
            Command::Export { id, out } => {
                assert_eq!(id, "3");
                assert_eq!(out, Some(PathBuf::from("/media/usb")));
            }
            other => panic!("{other:?}"),
        }
        match parse(&["revoke", "3"]).command {
            Command::Revoke { id, reason } => {
                assert_eq!(id, "3");
                assert_eq!(reason, "unspecified");
            }
            other => panic!("{other:?}"),
        }
        match parse(&["revoke", "7F3A0C11D2E4B5A6", "--reason", "keyCompromise"]).command {
            Command::Revoke { reason, .. } => assert_eq!(reason, "keyCompromise"),
            other => panic!("{other:?}"),
        }
        fails(&["show"]);
        fails(&["revoke"]);
    }

    #[test]
    fn crl_ca_cert_status_and_json_anywhere() {
        assert!(matches!(
            parse(&["issue-crl"]).command,
            Command::IssueCrl { out: None }
        ));
        assert!(matches!(
            parse(&["issue-crl", "--out", "crl.pem"]).command,
            Command::IssueCrl { out: Some(_) }
        ));
        assert!(matches!(
            parse(&["crl", "renew", "--if-due"]).command,
            Command::Crl {
                command: CrlCommand::Renew { if_due: true }
            }
        ));
        assert!(matches!(
            parse(&["crl", "renew"]).command,
            Command::Crl {
                command: CrlCommand::Renew { if_due: false }
            }
        ));
        assert!(matches!(
            parse(&["ca-cert"]).command,
            Command::CaCert { out: None }
        ));
        let c = parse(&["status", "--json"]);
        assert!(c.json && matches!(c.command, Command::Status));
        let c = parse(&["--json", "--no-ask-password", "list"]);
        assert!(c.json && c.no_ask_password);
        fails(&["crl"]);
        fails(&["frobnicate"]);
    }

    #[test]
    fn weborca_commands() {
        match parse(&["install-server-cert", "2"]).command {
            Command::InstallServerCert(a) => {
                assert_eq!(a.id, "2");
                assert!(!a.no_restart && !a.create);
            }
            other => panic!("{other:?}"),
        }
        match parse(&["install-server-cert", "000002", "--no-restart", "--create"]).command {
            Command::InstallServerCert(a) => assert!(a.no_restart && a.create),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&["install-client-cert", "3"]).command,
            Command::InstallClientCert { id } if id == "3"
        ));
        match parse(&["doctor"]).command {
            Command::Doctor(a) => {
                assert!(a.hosts.is_empty() && a.probe.is_none() && a.bundle.is_none());
            }
            other => panic!("{other:?}"),
        }
        match parse(&[
            "doctor",
            "--host",
            "weborca-server",
            "--host",
            "192.168.1.100",
            "--probe",
        ])
        .command
        {
            Command::Doctor(a) => {
                assert_eq!(a.hosts, ["weborca-server", "192.168.1.100"]);
                assert_eq!(a.probe.as_deref(), Some(""));
            }
            other => panic!("{other:?}"),
        }
        match parse(&[
            "doctor",
            "--probe",
            "https://127.0.0.1:8443",
            "--bundle",
            "3",
        ])
        .command
        {
            Command::Doctor(a) => {
                assert_eq!(a.probe.as_deref(), Some("https://127.0.0.1:8443"));
                assert_eq!(a.bundle.as_deref(), Some("3"));
            }
            other => panic!("{other:?}"),
        }
        fails(&["install-server-cert"]);
        fails(&["doctor", "--bundle", "3"]);
    }

    #[test]
    fn legacy_is_hidden_and_passes_everything_through() {
        match parse(&[
            "legacy",
            "issue_server_cert",
            "-i",
            "192.168.1.100",
            "-c",
            "weborca-server",
        ])
        .command
        {
            Command::Legacy { args } => {
                assert_eq!(
                    args,
                    [
                        "issue_server_cert",
                        "-i",
                        "192.168.1.100",
                        "-c",
                        "weborca-server"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(&["legacy"]).command, Command::Legacy { args } if args.is_empty()));
        let help = Cli::command().render_help().to_string();
        assert!(!help.contains("legacy"), "{help}");
        assert!(help.contains("Exit status:"), "{help}");
    }
}
