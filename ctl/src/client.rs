//! The connection to orca-cad: the proxy, the polkit agent for password
//! prompts, and the files that bundles and PEM output end up in.

pub mod agent;
pub mod files;

use std::path::{Path, PathBuf};
use std::time::Duration;

use orca_ca_proto::proxy::{CaTool1Proxy, Options};
use orca_ca_proto::wire::{CaStatus, CertInfo, CheckInfo, CrlInfo, Delivered, Installed, Revoked};
use orca_ca_proto::{actions, wire::keys};
use zbus::proxy::{CacheProperties, MethodFlags};
use zbus::zvariant::{DynamicDeserialize, DynamicType, Value};

use crate::error::{Bundle, BusClass, CtlError};

/// How long a call may take before orca-cad counts as hung: long enough
/// for an RSA 4096 key, and, where polkit may ask, for typing a password.
const TIMEOUT: Duration = Duration::from_secs(120);
const TIMEOUT_INTERACTIVE: Duration = Duration::from_secs(600);

const POLKIT_NAME: &str = "org.freedesktop.PolicyKit1";

/// The calls this client makes, with the polkit action each needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Initialize,
    IssueServerCert,
    IssueClientCert,
    SignRequest,
    Export,
    Revoke,
    IssueCrl,
    RenewCrl,
    ListCertificates,
    GetCertificate,
    GetCaCertificate,
    GetStatus,
    InstallServerCert,
    InstallClientCert,
    Diagnose,
    /// `org.freedesktop.DBus.Properties.Get` of one of our properties.
    Property,
}

impl Method {
    pub fn member(self) -> &'static str {
        match self {
            Method::Initialize => "Initialize",
            Method::IssueServerCert => "IssueServerCert",
            Method::IssueClientCert => "IssueClientCert",
            Method::SignRequest => "SignRequest",
            Method::Export => "Export",
            Method::Revoke => "Revoke",
            Method::IssueCrl => "IssueCrl",
            Method::RenewCrl => "RenewCrl",
            Method::ListCertificates => "ListCertificates",
            Method::GetCertificate => "GetCertificate",
            Method::GetCaCertificate => "GetCaCertificate",
            Method::GetStatus => "GetStatus",
            Method::InstallServerCert => "InstallServerCert",
            Method::InstallClientCert => "InstallClientCert",
            Method::Diagnose => "Diagnose",
            Method::Property => "Get",
        }
    }

    pub fn action(self) -> &'static str {
        match self {
            Method::Initialize => actions::INITIALIZE,
            Method::IssueServerCert | Method::IssueClientCert | Method::SignRequest => {
                actions::ISSUE
            }
            Method::Export => actions::EXPORT,
            Method::Revoke => actions::REVOKE,
            Method::IssueCrl | Method::RenewCrl => actions::CRL,
            Method::InstallServerCert | Method::InstallClientCert => actions::INSTALL,
            Method::ListCertificates
            | Method::Diagnose
            | Method::GetCertificate
            | Method::GetCaCertificate
            | Method::GetStatus
            | Method::Property => actions::READ,
        }
    }
}

/// What `init` sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitOptions {
    pub key_type: Option<String>,
    pub ca_name: Option<String>,
    pub validity_days: Option<u32>,
}

impl InitOptions {
    pub fn to_options(&self) -> Options<'_> {
        let mut o = Options::new();
        if let Some(k) = &self.key_type {
            o.insert(keys::KEY_TYPE, Value::from(k.as_str()));
        }
        if let Some(n) = &self.ca_name {
            o.insert(keys::CA_NAME, Value::from(n.as_str()));
        }
        if let Some(d) = self.validity_days {
            o.insert(keys::VALIDITY_DAYS, Value::from(d));
        }
        o
    }
}

/// What `list` sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<String>,
    pub expiring_within_days: Option<u32>,
    pub kind: Option<String>,
    pub pattern: Option<String>,
}

impl ListFilter {
    pub fn to_options(&self) -> Options<'_> {
        let mut o = Options::new();
        if let Some(s) = &self.status {
            o.insert(keys::STATUS, Value::from(s.as_str()));
        }
        if let Some(d) = self.expiring_within_days {
            o.insert(keys::EXPIRING_WITHIN_DAYS, Value::from(d));
        }
        if let Some(k) = &self.kind {
            o.insert(keys::KIND, Value::from(k.as_str()));
        }
        if let Some(p) = &self.pattern {
            o.insert(keys::PATTERN, Value::from(p.as_str()));
        }
        o
    }
}

pub fn validity_options(days: Option<u32>) -> Options<'static> {
    let mut o = Options::new();
    if let Some(d) = days {
        o.insert(keys::VALIDITY_DAYS, Value::from(d));
    }
    o
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonVersion {
    Same,
    Differs(String),
    /// The property could not be read (an older daemon?): the detail.
    Unreadable(String),
}

/// A bundle written and renamed to its final name.
#[derive(Debug)]
pub struct Saved {
    pub path: PathBuf,
    pub delivered: Delivered,
}

#[derive(Debug)]
pub struct Client {
    proxy: CaTool1Proxy<'static>,
    /// Mutating calls may wait for a password (stdin is a terminal and the
    /// user did not say `--no-ask-password`).
    interactive: bool,
    agent: Option<agent::Agent>,
    agent_tried: bool,
}

impl Client {
    pub async fn connect(interactive: bool) -> Result<Self, CtlError> {
        let timeout = if interactive {
            TIMEOUT_INTERACTIVE
        } else {
            TIMEOUT
        };
        let bus_error = |e: zbus::Error| CtlError::Bus {
            detail: e.to_string(),
        };
        let conn = zbus::connection::Builder::system()
            .map_err(bus_error)?
            .method_timeout(timeout)
            .build()
            .await
            .map_err(bus_error)?;
        let proxy = CaTool1Proxy::builder(&conn)
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(|e| CtlError::from_zbus(e, Method::Property))?;
        Ok(Client {
            proxy,
            interactive,
            agent: None,
            agent_tried: false,
        })
    }

    /// Compares the daemon's version with ours. Reading it also proves the
    /// daemon answers (or starts it by bus activation).
    pub async fn daemon_version(&self) -> Result<DaemonVersion, CtlError> {
        match self.proxy.version().await {
            Ok(v) if v == orca_ca_proto::VERSION => Ok(DaemonVersion::Same),
            Ok(v) => Ok(DaemonVersion::Differs(v)),
            Err(e) => match CtlError::from_zbus(e, Method::Property) {
                CtlError::Daemon(d)
                    if !matches!(
                        d.class,
                        BusClass::Unreachable | BusClass::NoReply | BusClass::ShuttingDown
                    ) =>
                {
                    Ok(DaemonVersion::Unreadable(d.detail))
                }
                other => Err(other),
            },
        }
    }

    pub async fn initialized(&self) -> Result<bool, CtlError> {
        let r = self.proxy.initialized().await;
        self.check(r, Method::Property).await
    }

    pub async fn ca_subject(&self) -> Result<String, CtlError> {
        let r = self.proxy.ca_subject().await;
        self.check(r, Method::Property).await
    }

    pub async fn initialize(&mut self, options: &InitOptions) -> Result<CertInfo, CtlError> {
        self.call_mutating(Method::Initialize, &(options.to_options(),))
            .await
    }

    pub async fn issue_server_cert(
        &mut self,
        hosts: &[String],
        ips: &[String],
        validity_days: Option<u32>,
        out_dir: &Path,
    ) -> Result<Saved, CtlError> {
        let target = files::BundleTarget::create(out_dir).map_err(CtlError::output)?;
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        let ips: Vec<&str> = ips.iter().map(String::as_str).collect();
        let delivered: Delivered = self
            .call_mutating(
                Method::IssueServerCert,
                &(hosts, ips, validity_options(validity_days), target.fd()),
            )
            .await?;
        finish_issued(target, delivered, out_dir)
    }

    pub async fn issue_client_cert(
        &mut self,
        common_name: &str,
        validity_days: Option<u32>,
        out_dir: &Path,
    ) -> Result<Saved, CtlError> {
        let target = files::BundleTarget::create(out_dir).map_err(CtlError::output)?;
        let delivered: Delivered = self
            .call_mutating(
                Method::IssueClientCert,
                &(common_name, validity_options(validity_days), target.fd()),
            )
            .await?;
        finish_issued(target, delivered, out_dir)
    }

    /// `profile`: `server` or `client`. The certificate comes back in the
    /// reply (`certificate_pem`); nothing is written here.
    pub async fn sign_request(
        &mut self,
        csr: &[u8],
        profile: &str,
        validity_days: Option<u32>,
    ) -> Result<CertInfo, CtlError> {
        self.call_mutating(
            Method::SignRequest,
            &(csr, profile, validity_options(validity_days)),
        )
        .await
    }

    pub async fn export(&mut self, id: &str, out_dir: &Path) -> Result<Saved, CtlError> {
        let target = files::BundleTarget::create(out_dir).map_err(CtlError::output)?;
        let delivered: Delivered = self
            .call_mutating(Method::Export, &(id, target.fd()))
            .await?;
        let path = target
            .finish(&delivered)
            .map_err(|problem| CtlError::Output {
                problem,
                bundle: Some(Bundle::Exported { id: id.to_owned() }),
            })?;
        Ok(Saved { path, delivered })
    }

    pub async fn revoke(&mut self, id: &str, reason: &str) -> Result<Revoked, CtlError> {
        self.call_mutating(Method::Revoke, &(id, reason)).await
    }

    pub async fn issue_crl(&mut self) -> Result<CrlInfo, CtlError> {
        self.call_mutating(Method::IssueCrl, &()).await
    }

    pub async fn renew_crl(&mut self, if_due: bool) -> Result<(bool, CrlInfo), CtlError> {
        self.call_mutating(Method::RenewCrl, &(if_due,)).await
    }

    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<CertInfo>, CtlError> {
        let r = self.proxy.list_certificates(filter.to_options()).await;
        self.check(r, Method::ListCertificates).await
    }

    pub async fn get_certificate(&self, id: &str) -> Result<CertInfo, CtlError> {
        let r = self.proxy.get_certificate(id).await;
        self.check(r, Method::GetCertificate).await
    }

    pub async fn ca_certificate(&self) -> Result<String, CtlError> {
        let r = self.proxy.get_ca_certificate().await;
        self.check(r, Method::GetCaCertificate).await
    }

    pub async fn status(&self) -> Result<CaStatus, CtlError> {
        let r = self.proxy.get_status().await;
        self.check(r, Method::GetStatus).await
    }

    pub async fn install_server_cert(
        &mut self,
        id: &str,
        no_restart: bool,
        create: bool,
    ) -> Result<Installed, CtlError> {
        let mut o = Options::new();
        if no_restart {
            o.insert(keys::NO_RESTART, Value::from(true));
        }
        if create {
            o.insert(keys::CREATE, Value::from(true));
        }
        self.call_mutating(Method::InstallServerCert, &(id, o))
            .await
    }

    pub async fn install_client_cert(&mut self, id: &str) -> Result<Installed, CtlError> {
        self.call_mutating(Method::InstallClientCert, &(id, Options::new()))
            .await
    }

    pub async fn diagnose(&self, hosts: &[String]) -> Result<Vec<CheckInfo>, CtlError> {
        let mut o = Options::new();
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        o.insert(keys::HOSTS, Value::from(hosts));
        let r = self.proxy.diagnose(o).await;
        self.check(r, Method::Diagnose).await
    }

    /// A call that changes something: on a terminal, with a polkit agent
    /// running and ALLOW_INTERACTIVE_AUTHORIZATION set, so polkit can ask for
    /// a password. The generated proxy methods cannot set message flags.
    async fn call_mutating<B, R>(&mut self, method: Method, body: &B) -> Result<R, CtlError>
    where
        B: serde::Serialize + DynamicType,
        R: for<'d> DynamicDeserialize<'d>,
    {
        if self.interactive && !self.agent_tried {
            self.agent_tried = true;
            self.agent = agent::Agent::start();
        }
        let flags = if self.interactive {
            MethodFlags::AllowInteractiveAuth.into()
        } else {
            Default::default()
        };
        let r = self
            .proxy
            .inner()
            .call_with_flags(method.member(), flags, body)
            .await
            .and_then(|reply| reply.ok_or(zbus::Error::InvalidReply));
        self.check(r, method).await
    }

    /// Turns a failed call into the error shown, finding out why polkit said
    /// no when it may not be running at all (then joining a group is no fix).
    async fn check<T>(&self, r: zbus::Result<T>, method: Method) -> Result<T, CtlError> {
        let e = match r {
            Ok(v) => return Ok(v),
            Err(e) => CtlError::from_zbus(e, method),
        };
        match e {
            CtlError::Daemon(mut d)
                if d.class == BusClass::AccessDenied && !self.polkit_available().await =>
            {
                d.class = BusClass::PolkitUnavailable;
                Err(CtlError::Daemon(d))
            }
            other => Err(other),
        }
    }

    /// Whether polkitd owns its name or the bus can start it. When this
    /// cannot be found out, assume it is there.
    async fn polkit_available(&self) -> bool {
        let Ok(dbus) = zbus::fdo::DBusProxy::new(self.proxy.inner().connection()).await else {
            return true;
        };
        let Ok(name) = zbus::names::BusName::try_from(POLKIT_NAME) else {
            return true;
        };
        if dbus.name_has_owner(name).await.unwrap_or(true) {
            return true;
        }
        dbus.list_activatable_names().await.map_or(true, |names| {
            names.iter().any(|n| n.as_str() == POLKIT_NAME)
        })
    }
}

fn finish_issued(
    target: files::BundleTarget,
    delivered: Delivered,
    out_dir: &Path,
) -> Result<Saved, CtlError> {
    match target.finish(&delivered) {
        Ok(path) => Ok(Saved { path, delivered }),
        Err(problem) => Err(CtlError::Output {
            problem,
            bundle: Some(Bundle::Issued {
                number: delivered.certificate.number,
                issue_number: delivered.certificate.issue_number.clone(),
                out_dir: out_dir.to_owned(),
            }),
        }),
    }
}
