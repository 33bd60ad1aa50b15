//! One function per command: call orca-cad, then print for people or JSON.
//! The legacy `orca-catool` syntax calls the same functions.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{
    Cli, Command, CrlCommand, DoctorArgs, InstallServerArgs, IssueServerArgs, ListArgs,
    SignRequestArgs,
};
use crate::client::{Client, DaemonVersion, InitOptions, ListFilter, Saved, files};
use crate::error::{Bundle, CtlError};
use crate::output::{self, emit};
use crate::{bundle_zip, hosts, messages, probe};

/// Mutating calls may ask for a password only where someone can type it.
pub fn may_ask_password(no_ask_password: bool) -> bool {
    !no_ask_password && std::io::stdin().is_terminal()
}

/// Connects and warns (stderr) when orca-cad is another version.
pub async fn connect(ask_password: bool) -> Result<Client, CtlError> {
    let client = Client::connect(ask_password).await?;
    match client.daemon_version().await? {
        DaemonVersion::Same => {}
        DaemonVersion::Differs(v) => output::warn(&messages::version_differs(&v)),
        DaemonVersion::Unreadable(detail) => {
            output::warn(&messages::version_unreadable(&detail));
        }
    }
    Ok(client)
}

pub async fn run(cli: Cli) -> Result<(), CtlError> {
    let json = cli.json;
    let ask_password = may_ask_password(cli.no_ask_password);
    if let Command::Legacy { args } = &cli.command {
        return crate::legacy::run(args, ask_password).await;
    }
    // Refuse before touching the bus: nothing could answer the question.
    if let Command::Init(a) = &cli.command
        && !a.yes
        && !std::io::stdin().is_terminal()
    {
        return Err(CtlError::NotATerminal);
    }
    let mut client = connect(ask_password).await?;
    match cli.command {
        Command::Init(a) => {
            let options = InitOptions {
                key_type: a.key_type.map(|k| k.wire().to_owned()),
                ca_name: a.ca_name,
                validity_days: a.validity_days,
            };
            init(&mut client, &options, a.yes, json).await
        }
        Command::IssueServerCert(IssueServerArgs {
            hosts,
            ips,
            validity_days,
            out,
        }) => issue_server_cert(&mut client, &hosts, &ips, validity_days, out, json).await,
        Command::IssueClientCert(a) => {
            issue_client_cert(&mut client, &a.common_name, a.validity_days, a.out, json).await
        }
        Command::SignRequest(a) => sign_request(&mut client, a, json).await,
        Command::List(ListArgs {
            status,
            expiring,
            kind,
            pattern,
        }) => {
            let filter = ListFilter {
                status: status.map(|s| s.wire().to_owned()),
                expiring_within_days: expiring,
                kind: kind.map(|k| k.wire().to_owned()),
                pattern,
            };
            list(&client, &filter, json).await
        }
        Command::Show { id } => show(&client, &id, json).await,
        Command::Export { id, out } => export(&mut client, &id, out, json).await,
        Command::Revoke { id, reason } => revoke(&mut client, &id, &reason, json).await,
        Command::IssueCrl { out } => issue_crl(&mut client, out.as_deref(), json).await,
        Command::Crl {
            command: CrlCommand::Renew { if_due },
        } => renew_crl(&mut client, if_due, json).await,
        Command::CaCert { out } => ca_cert(&client, out.as_deref(), json).await,
        Command::Status => status(&client, json).await,
        Command::InstallServerCert(a) => install_server_cert(&mut client, &a, json).await,
        Command::InstallClientCert { id } => install_client_cert(&mut client, &id, json).await,
        Command::Doctor(a) => doctor(&mut client, a, json).await,
        // Handled above, before connecting; kept correct should that change.
        Command::Legacy { args } => crate::legacy::run(&args, ask_password).await,
    }
}

/// Where the question goes: the legacy tool printed it on stdout, as the
/// ORCA page shows; orca-cactl keeps stdout for results (and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptTo {
    Stdout,
    Stderr,
}

/// Prints `initialize ca?` / `y or n> ` and reads the answer.
pub async fn ask_initialize(to: PromptTo) -> Result<bool, CtlError> {
    let question = format!("{}\n{}", messages::INIT_QUESTION, messages::INIT_PROMPT);
    match to {
        PromptTo::Stdout => emit(&question)?,
        PromptTo::Stderr => {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(question.as_bytes());
            let _ = err.flush();
        }
    }
    // Off the runtime thread, so that Ctrl-C still ends the program.
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await;
    let line = match answer {
        Ok(Ok(line)) => line,
        _ => String::new(),
    };
    // A terminal echoed the answer and the Enter key; piped input was not
    // echoed, so show it as a terminal would have.
    if !std::io::stdin().is_terminal() || !line.ends_with('\n') {
        let echo = format!("{}\n", line.trim_end());
        match to {
            PromptTo::Stdout => emit(&echo)?,
            PromptTo::Stderr => eprint!("{echo}"),
        }
    }
    Ok(messages::is_yes(&line))
}

pub async fn init(
    client: &mut Client,
    options: &InitOptions,
    yes: bool,
    json: bool,
) -> Result<(), CtlError> {
    if client.initialized().await? {
        let subject = client.ca_subject().await.unwrap_or_default();
        return Err(CtlError::AlreadyInitialized { subject });
    }
    if !yes && !ask_initialize(PromptTo::Stderr).await? {
        return Err(CtlError::Cancelled);
    }
    let ca = client.initialize(options).await?;
    if json {
        emit(&output::json(&output::CertOut::from(&ca)))
    } else {
        emit(&format!(
            "{}\n",
            messages::ca_created(&ca.common_name, ca.not_after)
        ))
    }
}

fn out_dir(out: Option<PathBuf>) -> Result<PathBuf, CtlError> {
    match out {
        Some(dir) => Ok(dir),
        None => files::default_out_dir().map_err(CtlError::output),
    }
}

fn report_bundle(saved: &Saved, json: bool) -> Result<(), CtlError> {
    if json {
        emit(&output::json(&output::BundleOut::new(
            &saved.path,
            &saved.delivered,
        )))
    } else {
        for w in &saved.delivered.warnings {
            output::warn(w);
        }
        emit(&format!("{}\n", saved.path.display()))
    }
}

pub async fn issue_server_cert(
    client: &mut Client,
    hosts: &[String],
    ips: &[String],
    validity_days: Option<u32>,
    out: Option<PathBuf>,
    json: bool,
) -> Result<(), CtlError> {
    let dir = out_dir(out)?;
    let saved = client
        .issue_server_cert(hosts, ips, validity_days, &dir)
        .await?;
    report_bundle(&saved, json)
}

pub async fn issue_client_cert(
    client: &mut Client,
    common_name: &str,
    validity_days: Option<u32>,
    out: Option<PathBuf>,
    json: bool,
) -> Result<(), CtlError> {
    let dir = out_dir(out)?;
    let saved = client
        .issue_client_cert(common_name, validity_days, &dir)
        .await?;
    report_bundle(&saved, json)
}

/// Reads the request; more than the daemon accepts is read only to let the
/// daemon say how large a request may be.
fn read_request(path: &Path) -> Result<Vec<u8>, CtlError> {
    use std::io::Read;
    let limit = orca_ca_proto::wire::MAX_CSR_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| CtlError::Usage(messages::csr_unreadable(path, &e)))?;
    Ok(bytes)
}

pub async fn sign_request(
    client: &mut Client,
    a: SignRequestArgs,
    json: bool,
) -> Result<(), CtlError> {
    let csr = read_request(&a.csr)?;
    // Everything that can be refused locally is refused before the CA
    // signs: afterwards a failure leaves an issued certificate behind.
    let target = match &a.out {
        Some(path) => {
            files::refuse_existing(path).map_err(CtlError::output)?;
            Target::File(path.clone())
        }
        None => {
            let dir = files::default_out_dir().map_err(CtlError::output)?;
            files::ensure_dir(&dir).map_err(CtlError::output)?;
            Target::Dir(dir)
        }
    };
    let cert = client
        .sign_request(&csr, a.profile.wire(), a.validity_days)
        .await?;
    let pem = cert
        .certificate_pem
        .clone()
        .ok_or_else(|| CtlError::Unexpected(messages::no_certificate_in_reply()))?;
    let path = match target {
        Target::File(path) => path,
        Target::Dir(dir) => {
            let name = format!("{}.crt", cert.base_name);
            // The daemon chose the name: one plain file in the directory.
            if !files::is_safe_bundle_name(&format!("{}.zip", cert.base_name)) {
                return Err(CtlError::Unexpected(messages::unsafe_certificate_name(
                    &name,
                )));
            }
            dir.join(name)
        }
    };
    // The certificate exists now: a failure says how to get it again.
    files::write_new_public_file(&path, pem.as_bytes()).map_err(|problem| CtlError::Output {
        problem,
        bundle: Some(Bundle::Issued {
            number: cert.number,
            issue_number: cert.issue_number.clone(),
            out_dir: path.parent().unwrap_or(Path::new(".")).to_owned(),
        }),
    })?;
    let warnings = cert.warnings.clone().unwrap_or_default();
    if json {
        emit(&output::json(&output::SignedOut {
            path: path.display().to_string(),
            certificate: output::CertOut::from(&cert),
            warnings,
        }))
    } else {
        for w in &warnings {
            output::warn(w);
        }
        emit(&format!("{}\n", path.display()))
    }
}

/// Where `sign-request` writes: the file given, or the default directory
/// with the name the daemon gives the certificate.
enum Target {
    File(PathBuf),
    Dir(PathBuf),
}

pub async fn export(
    client: &mut Client,
    id: &str,
    out: Option<PathBuf>,
    json: bool,
) -> Result<(), CtlError> {
    let dir = out_dir(out)?;
    let saved = client.export(id, &dir).await?;
    report_bundle(&saved, json)
}

pub async fn list(client: &Client, filter: &ListFilter, json: bool) -> Result<(), CtlError> {
    let certs = client.list(filter).await?;
    if json {
        let out: Vec<output::CertOut> = certs.iter().map(output::CertOut::from).collect();
        emit(&output::json(&out))
    } else {
        emit(&output::list_human(&certs))
    }
}

pub async fn show(client: &Client, id: &str, json: bool) -> Result<(), CtlError> {
    let cert = client.get_certificate(id).await?;
    if json {
        emit(&output::json(&output::CertOut::from(&cert)))
    } else {
        emit(&output::show_human(&cert))
    }
}

pub async fn revoke(
    client: &mut Client,
    id: &str,
    reason: &str,
    json: bool,
) -> Result<(), CtlError> {
    let r = client.revoke(id, reason).await?;
    if json {
        return emit(&output::json(&output::RevokedOut {
            certificate: output::CertOut::from(&r.certificate),
            crl: output::CrlOut::new(&r.crl, None),
        }));
    }
    let c = &r.certificate;
    let reason = c.revocation_reason.as_deref().unwrap_or(reason);
    emit(&format!(
        "{}\n{}\n",
        messages::revoked(&c.issue_number, &c.common_name, reason),
        messages::crl_lists(r.crl.crl_number, r.crl.revoked_count, &r.crl.pem_path)
    ))?;
    eprintln!("{}", messages::revocation_note(&c.kind));
    Ok(())
}

/// `out`: where to write the PEM; `None` prints it.
pub async fn issue_crl(
    client: &mut Client,
    out: Option<&Path>,
    json: bool,
) -> Result<(), CtlError> {
    let crl = client.issue_crl().await?;
    if let Some(path) = out {
        files::write_public_file(path, crl.pem.as_bytes()).map_err(CtlError::output)?;
    }
    if json {
        emit(&output::json(&output::CrlOut::new(&crl, out)))
    } else if let Some(path) = out {
        emit(&format!("{}\n", path.display()))
    } else {
        emit(&crl.pem)
    }
}

pub async fn renew_crl(client: &mut Client, if_due: bool, json: bool) -> Result<(), CtlError> {
    let (renewed, crl) = client.renew_crl(if_due).await?;
    if json {
        emit(&output::json(&output::RenewOut {
            renewed,
            crl: output::CrlOut::new(&crl, None),
        }))
    } else if renewed {
        emit(&format!(
            "{}\n",
            messages::crl_renewed(crl.crl_number, crl.next_update)
        ))
    } else {
        emit(&format!(
            "{}\n",
            messages::crl_not_due(crl.crl_number, crl.renew_after)
        ))
    }
}

pub async fn ca_cert(client: &Client, out: Option<&Path>, json: bool) -> Result<(), CtlError> {
    let pem = client.ca_certificate().await?;
    if let Some(path) = out {
        files::write_public_file(path, pem.as_bytes()).map_err(CtlError::output)?;
    }
    if json {
        emit(&output::json(&output::CaCertOut {
            pem,
            path: out.map(|p| p.display().to_string()),
        }))
    } else if let Some(path) = out {
        emit(&format!("{}\n", path.display()))
    } else {
        emit(&pem)
    }
}

pub async fn status(client: &Client, json: bool) -> Result<(), CtlError> {
    let s = client.status().await?;
    if json {
        emit(&output::json(&output::StatusOut::from(&s)))
    } else {
        emit(&output::status_human(&s))
    }
}

fn report_installed(i: &orca_ca_proto::wire::Installed, json: bool) -> Result<(), CtlError> {
    let out = output::InstalledOut::from(i);
    if json {
        return emit(&output::json(&out));
    }
    emit(&output::installed_human(&out))?;
    match &out.next_step {
        Some(next) => emit(&format!("{next}\n")),
        None => Ok(()),
    }
}

pub async fn install_server_cert(
    client: &mut Client,
    a: &InstallServerArgs,
    json: bool,
) -> Result<(), CtlError> {
    let i = client
        .install_server_cert(&a.id, a.no_restart, a.create)
        .await?;
    report_installed(&i, json)
}

pub async fn install_client_cert(
    client: &mut Client,
    id: &str,
    json: bool,
) -> Result<(), CtlError> {
    let i = client.install_client_cert(id).await?;
    report_installed(&i, json)
}

/// The client certificate for `--probe`: a bundle file, or an issue
/// number exported through orca-cad into a private temporary directory.
async fn probe_identity(client: &mut Client, bundle: &str) -> Result<probe::Identity, CtlError> {
    let path = Path::new(bundle);
    let bad = |detail: String| CtlError::Bundle {
        path: path.to_owned(),
        detail,
    };
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        return bundle_zip::identity(&bytes).map_err(bad);
    }
    let dir = tempfile::tempdir().map_err(|e| bad(e.to_string()))?;
    let saved = client.export(bundle, dir.path()).await?;
    let bytes = std::fs::read(&saved.path).map_err(|e| bad(e.to_string()))?;
    bundle_zip::identity(&bytes).map_err(bad)
}

pub async fn doctor(client: &mut Client, a: DoctorArgs, json: bool) -> Result<(), CtlError> {
    let hosts = if a.hosts.is_empty() {
        hosts::this_machine()
    } else {
        a.hosts
    };
    let mut findings: Vec<output::Finding> = client
        .diagnose(&hosts)
        .await?
        .iter()
        .map(output::Finding::from)
        .collect();
    if let Some(url) = a.probe {
        let url = if url.is_empty() {
            let host = hosts.first().map_or("localhost", String::as_str);
            if host.contains(':') {
                format!("https://[{host}]:{}", probe::DEFAULT_PORT)
            } else {
                format!("https://{host}:{}", probe::DEFAULT_PORT)
            }
        } else {
            url
        };
        let target = probe::Target::parse(&url).map_err(CtlError::Usage)?;
        let identity = match &a.bundle {
            Some(b) => Some(probe_identity(client, b).await?),
            None => None,
        };
        // Without a CA there is nothing to check the server against.
        let ca = client
            .ca_certificate()
            .await
            .ok()
            .and_then(|pem| openssl::x509::X509::from_pem(pem.as_bytes()).ok());
        let found = tokio::task::spawn_blocking(move || {
            probe::probe(&target, ca.as_ref(), identity.as_ref())
        })
        .await
        .map_err(|e| CtlError::Unexpected(e.to_string()))?;
        findings.extend(found);
    }
    let out = output::DoctorOut::new(hosts, findings);
    if json {
        emit(&output::json(&out))?;
    } else {
        emit(&output::doctor_human(&out))?;
    }
    if out.errors > 0 {
        return Err(CtlError::Problems { errors: out.errors });
    }
    Ok(())
}
