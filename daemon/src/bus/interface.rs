//! `jp.or.med.orca.CaTool1`. Every method: validate the arguments, then
//! authorize, then act — nothing changes before polkit said yes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use orca_ca_proto::wire::{
    self, CaStatus, CertInfo, CheckInfo, CrlInfo, Delivered, Installed, Revoked, keys,
};
use orca_ca_proto::{actions, errors as names};
use orca_cad::ca::crl::RevocationReason;
use orca_cad::ca::profile::{CertKind, ServerNames};
use orca_cad::config::{KeyType, MAX_VALIDITY_DAYS};
use orca_cad::error::InvalidArgument;
use orca_cad::ids::CertId;
use orca_cad::index::{ListFilter, Status};
use orca_cad::service::{InitOptions, Issued, Warning};
use orca_cad::{messages, validate};
use zbus::interface;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedFd, OwnedValue};

use super::activity::Activity;
use super::authz::{Authorizer, Caller};
use super::convert::{self, Options};
use super::delivery;
use super::engine::Engine;
use super::errors::BusError;
use super::weborca;

/// What the read-only properties show, refreshed after every change.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub initialized: bool,
    pub ca_subject: String,
    pub ca_not_after: i64,
    pub crl_next_update: i64,
}

#[derive(Debug)]
pub struct CaTool {
    pub engine: Engine,
    pub authz: Authorizer,
    pub activity: Arc<Activity>,
    pub snapshot: Arc<Mutex<Snapshot>>,
    pub state_dir: PathBuf,
}

type Dict = HashMap<String, OwnedValue>;
type Result<T> = std::result::Result<T, BusError>;

fn days(v: Option<i64>) -> Result<Option<i64>> {
    match v {
        Some(d) if !(1..=MAX_VALIDITY_DAYS).contains(&d) => {
            Err(InvalidArgument::ValidityDays { days: d }.into())
        }
        other => Ok(other),
    }
}

fn cert_id(id: &str) -> Result<CertId> {
    Ok(id.parse::<CertId>()?)
}

impl CaTool {
    /// Re-reads what the properties show; emits PropertiesChanged when it moved.
    pub async fn refresh(&self, emitter: Option<&SignalEmitter<'_>>) {
        let next = self
            .engine
            .run(|s| {
                if !s.is_initialized() {
                    return Ok(Snapshot::default());
                }
                let sum = s.summary()?;
                Ok(Snapshot {
                    initialized: true,
                    ca_subject: sum.subject,
                    ca_not_after: sum.not_after.unix_timestamp(),
                    crl_next_update: sum
                        .crl
                        .map(|c| c.schedule.next_update.unix_timestamp())
                        .unwrap_or(0),
                })
            })
            .await
            .unwrap_or_default();
        let changed = match self.snapshot.lock() {
            Ok(mut snap) => {
                let old = std::mem::replace(&mut *snap, next.clone());
                (
                    old.initialized != next.initialized,
                    old.ca_subject != next.ca_subject,
                    old.ca_not_after != next.ca_not_after,
                    old.crl_next_update != next.crl_next_update,
                )
            }
            Err(_) => return,
        };
        if let Some(e) = emitter {
            if changed.0 {
                let _ = self.initialized_changed(e).await;
            }
            if changed.1 {
                let _ = self.ca_subject_changed(e).await;
            }
            if changed.2 {
                let _ = self.ca_not_after_changed(e).await;
            }
            if changed.3 {
                let _ = self.crl_next_update_changed(e).await;
            }
        }
    }

    fn snap(&self) -> Snapshot {
        self.snapshot.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Writes the zip into the caller's file. The certificate is already in
    /// the index, so a failure here loses nothing: the message says how to
    /// get the bundle again.
    async fn deliver(
        &self,
        caller: &Caller,
        action: &'static str,
        issued: Issued,
        file: std::fs::File,
    ) -> Result<Delivered> {
        let Issued {
            record,
            delivery,
            warnings,
        } = issued;
        let size = delivery.zip.len() as u64;
        let zip = delivery.zip;
        let written = tokio::task::spawn_blocking(move || delivery::write(file, &zip))
            .await
            .map_err(|e| BusError::new(names::FAILED, e.to_string()))?;
        let now = time::OffsetDateTime::now_utc();
        if let Err(e) = written {
            tracing::warn!(action, uid = caller.uid, issue_number = %record.number, error = %e, "bundle not delivered");
            return Err(BusError::new(
                names::BAD_FILE_DESCRIPTOR,
                messages::bundle_not_written(&record.number.to_string(), &e.to_string()),
            ));
        }
        tracing::info!(
            action,
            uid = caller.uid,
            issue_number = %record.number,
            serial = %record.serial,
            cn = %record.common_name,
            kind = %record.kind,
            "bundle delivered"
        );
        Ok(Delivered {
            certificate: convert::cert_info(&record, now),
            file_name: delivery.file_name,
            size,
            warnings: warnings.iter().map(Warning::to_string).collect(),
        })
    }

    fn crl_info(&self, crl: &orca_cad::index::StoredCrl) -> Result<CrlInfo> {
        convert::crl_info(crl, &self.state_dir)
    }
}

#[interface(name = "jp.or.med.orca.CaTool1")]
impl CaTool {
    async fn initialize(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        options: Dict,
    ) -> Result<CertInfo> {
        let _call = self.activity.enter();
        let mut opts = Options::new(options);
        let ca_name = opts.string(keys::CA_NAME)?;
        if let Some(n) = &ca_name {
            validate::ca_name(n)?;
        }
        let key_type = opts
            .string(keys::KEY_TYPE)?
            .map(|k| k.parse::<KeyType>())
            .transpose()?;
        let validity_days = days(opts.integer(keys::VALIDITY_DAYS)?)?;
        opts.finish()?;
        let caller = self.authz.check(&header, actions::INITIALIZE).await?;
        let record = self
            .engine
            .run_for(&caller, actions::INITIALIZE, move |s| {
                Ok(s.initialize(&InitOptions {
                    ca_name,
                    key_type,
                    validity_days,
                })?)
            })
            .await?;
        tracing::info!(action = "initialize", uid = caller.uid, serial = %record.serial, cn = %record.common_name, "CA created");
        self.refresh(Some(&emitter)).await;
        let info = convert::cert_info(&record, time::OffsetDateTime::now_utc());
        let _ = Self::certificate_issued(&emitter, info.clone()).await;
        Ok(info)
    }

    async fn issue_server_cert(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        hosts: Vec<String>,
        ips: Vec<String>,
        options: Dict,
        fd: OwnedFd,
    ) -> Result<Delivered> {
        let _call = self.activity.enter();
        ServerNames::new(&hosts, &ips)?;
        let mut opts = Options::new(options);
        let validity = days(opts.integer(keys::VALIDITY_DAYS)?)?;
        opts.finish()?;
        let file = delivery::open(fd)?;
        let caller = self.authz.check(&header, actions::ISSUE).await?;
        let issued = self
            .engine
            .run_for(&caller, actions::ISSUE, move |s| {
                Ok(s.issue_server(&hosts, &ips, validity)?)
            })
            .await?;
        let out = self.deliver(&caller, "issue-server", issued, file).await?;
        let _ = Self::certificate_issued(&emitter, out.certificate.clone()).await;
        Ok(out)
    }

    async fn issue_client_cert(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        common_name: String,
        options: Dict,
        fd: OwnedFd,
    ) -> Result<Delivered> {
        let _call = self.activity.enter();
        validate::common_name(&common_name)?;
        let mut opts = Options::new(options);
        let validity = days(opts.integer(keys::VALIDITY_DAYS)?)?;
        opts.finish()?;
        let file = delivery::open(fd)?;
        let caller = self.authz.check(&header, actions::ISSUE).await?;
        let issued = self
            .engine
            .run_for(&caller, actions::ISSUE, move |s| {
                Ok(s.issue_client(&common_name, validity)?)
            })
            .await?;
        let out = self.deliver(&caller, "issue-client", issued, file).await?;
        let _ = Self::certificate_issued(&emitter, out.certificate.clone()).await;
        Ok(out)
    }

    /// Signs a PKCS#10 request. Cheap checks (size, profile, options) come
    /// before polkit; the request itself is parsed only for an authorized
    /// caller, so nobody else gets ASN.1 parsed in this process.
    async fn sign_request(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        csr: Vec<u8>,
        profile: String,
        options: Dict,
    ) -> Result<CertInfo> {
        let _call = self.activity.enter();
        if csr.is_empty() {
            return Err(InvalidArgument::CsrEmpty.into());
        }
        if csr.len() > wire::MAX_CSR_BYTES {
            return Err(InvalidArgument::CsrTooLarge {
                size: csr.len(),
                max: wire::MAX_CSR_BYTES,
            }
            .into());
        }
        let kind = match profile.as_str() {
            wire::profiles::SERVER => CertKind::Server,
            wire::profiles::CLIENT => CertKind::Client,
            other => {
                return Err(InvalidArgument::ProfileUnknown {
                    value: validate::printable(other, 40),
                }
                .into());
            }
        };
        let mut opts = Options::new(options);
        let validity = days(opts.integer(keys::VALIDITY_DAYS)?)?;
        opts.finish()?;
        let caller = self.authz.check(&header, actions::ISSUE).await?;
        let (mut info, signed) = self
            .engine
            .run_for(&caller, actions::ISSUE, move |s| {
                let signed = s.sign_request(&csr, kind, validity)?;
                Ok((convert::cert_info(&signed.record, s.now()), signed))
            })
            .await?;
        tracing::info!(
            action = "sign-request",
            uid = caller.uid,
            issue_number = %signed.record.number,
            serial = %signed.record.serial,
            cn = %signed.record.common_name,
            kind = %signed.record.kind,
            key_type = signed.record.key_type.as_str(),
            "certificate signed for a request"
        );
        let _ = Self::certificate_issued(&emitter, info.clone()).await;
        info.certificate_pem = Some(signed.certificate_pem);
        info.warnings = Some(signed.warnings.iter().map(Warning::to_string).collect());
        Ok(info)
    }

    async fn export(
        &self,
        #[zbus(header)] header: Header<'_>,
        id: String,
        fd: OwnedFd,
    ) -> Result<Delivered> {
        let _call = self.activity.enter();
        let id = cert_id(&id)?;
        let file = delivery::open(fd)?;
        let caller = self.authz.check(&header, actions::EXPORT).await?;
        let issued = self
            .engine
            .run_for(&caller, actions::EXPORT, move |s| {
                let (record, delivery, warnings) = s.export(&id)?;
                Ok(Issued {
                    record,
                    delivery,
                    warnings,
                })
            })
            .await?;
        self.deliver(&caller, "export", issued, file).await
    }

    async fn revoke(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        id: String,
        reason: String,
    ) -> Result<Revoked> {
        let _call = self.activity.enter();
        let id = cert_id(&id)?;
        let reason = if reason.is_empty() {
            RevocationReason::Unspecified
        } else {
            reason.parse::<RevocationReason>()?
        };
        let caller = self.authz.check(&header, actions::REVOKE).await?;
        let revoked = self
            .engine
            .run_for(
                &caller,
                actions::REVOKE,
                move |s| Ok(s.revoke(&id, reason)?),
            )
            .await?;
        tracing::info!(
            action = "revoke",
            uid = caller.uid,
            issue_number = %revoked.record.number,
            serial = %revoked.record.serial,
            cn = %revoked.record.common_name,
            reason = %reason,
            crl_number = revoked.crl.number,
            "certificate revoked"
        );
        let out = Revoked {
            certificate: convert::cert_info(&revoked.record, time::OffsetDateTime::now_utc()),
            crl: self.crl_info(&revoked.crl)?,
        };
        self.refresh(Some(&emitter)).await;
        let _ = Self::certificate_revoked(&emitter, out.certificate.clone()).await;
        let _ = Self::crl_updated(&emitter, out.crl.clone()).await;
        Ok(out)
    }

    async fn issue_crl(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<CrlInfo> {
        let _call = self.activity.enter();
        let caller = self.authz.check(&header, actions::CRL).await?;
        let crl = self
            .engine
            .run_for(&caller, actions::CRL, |s| Ok(s.issue_crl()?))
            .await?;
        tracing::info!(
            action = "issue-crl",
            uid = caller.uid,
            crl_number = crl.number,
            "CRL issued"
        );
        let info = self.crl_info(&crl)?;
        self.refresh(Some(&emitter)).await;
        let _ = Self::crl_updated(&emitter, info.clone()).await;
        Ok(info)
    }

    async fn renew_crl(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        if_due: bool,
    ) -> Result<(bool, CrlInfo)> {
        let _call = self.activity.enter();
        let caller = self.authz.check(&header, actions::CRL).await?;
        let (renewed, crl) = self
            .engine
            .run_for(&caller, actions::CRL, move |s| Ok(s.renew_crl(if_due)?))
            .await?;
        tracing::info!(
            action = "renew-crl",
            uid = caller.uid,
            renewed,
            crl_number = crl.number,
            "CRL renewal checked"
        );
        let info = self.crl_info(&crl)?;
        if renewed {
            self.refresh(Some(&emitter)).await;
            let _ = Self::crl_updated(&emitter, info.clone()).await;
        }
        Ok((renewed, info))
    }

    async fn list_certificates(
        &self,
        #[zbus(header)] header: Header<'_>,
        filter: Dict,
    ) -> Result<Vec<CertInfo>> {
        let _call = self.activity.enter();
        let mut opts = Options::new(filter);
        let status = opts
            .string(keys::STATUS)?
            .map(|s| {
                s.parse::<Status>().map_err(|_| {
                    BusError::invalid(messages::bad_status_filter(&validate::printable(&s, 40)))
                })
            })
            .transpose()?;
        let kind = opts
            .string(keys::KIND)?
            .map(|s| {
                s.parse::<CertKind>().map_err(|_| {
                    BusError::invalid(messages::bad_kind_filter(&validate::printable(&s, 40)))
                })
            })
            .transpose()?;
        let expiring = opts.integer(keys::EXPIRING_WITHIN_DAYS)?;
        if let Some(d) = expiring {
            days(Some(d))?;
        }
        let pattern = opts.string(keys::PATTERN)?;
        if let Some(p) = &pattern
            && (p.chars().count() > 256 || p.contains('\0'))
        {
            return Err(BusError::invalid(messages::bad_pattern()));
        }
        let offset = opts.integer(keys::OFFSET)?.unwrap_or(0).max(0) as u64;
        let limit = opts
            .integer(keys::LIMIT)?
            .unwrap_or(i64::from(wire::MAX_PAGE))
            .clamp(0, i64::from(wire::MAX_PAGE)) as u64;
        opts.finish()?;
        self.authz.check(&header, actions::READ).await?;
        let filter = ListFilter {
            status,
            expiring_within_days: expiring,
            pattern,
            kind,
            offset,
            limit: Some(limit),
        };
        self.engine
            .run(move |s| {
                let now = s.now();
                Ok(s.list(&filter)?
                    .iter()
                    .map(|r| convert::cert_info(r, now))
                    .collect())
            })
            .await
    }

    async fn get_certificate(
        &self,
        #[zbus(header)] header: Header<'_>,
        id: String,
    ) -> Result<CertInfo> {
        let _call = self.activity.enter();
        let id = cert_id(&id)?;
        self.authz.check(&header, actions::READ).await?;
        self.engine
            .run(move |s| {
                let record = s.get(&id)?;
                let mut info = convert::cert_info(&record, s.now());
                info.certificate_pem = Some(s.certificate_pem(record.number)?);
                Ok(info)
            })
            .await
    }

    async fn get_ca_certificate(&self, #[zbus(header)] header: Header<'_>) -> Result<String> {
        let _call = self.activity.enter();
        self.authz.check(&header, actions::READ).await?;
        self.engine.run(|s| Ok(s.ca_certificate_pem()?)).await
    }

    async fn get_status(&self, #[zbus(header)] header: Header<'_>) -> Result<CaStatus> {
        let _call = self.activity.enter();
        self.authz.check(&header, actions::READ).await?;
        let state_dir = self.state_dir.display().to_string();
        self.engine
            .run(move |s| {
                if !s.is_initialized() {
                    return Ok(CaStatus {
                        version: orca_ca_proto::VERSION.into(),
                        initialized: false,
                        state_dir,
                        ..Default::default()
                    });
                }
                let sum = s.summary()?;
                Ok(CaStatus {
                    version: orca_ca_proto::VERSION.into(),
                    initialized: true,
                    subject: Some(sum.subject),
                    not_before: Some(sum.not_before.unix_timestamp()),
                    not_after: Some(sum.not_after.unix_timestamp()),
                    key_type: Some(sum.key_type.as_str().into()),
                    serial: Some(sum.serial.hex()),
                    fingerprint_sha256: Some(sum.fingerprint_sha256),
                    certificates: Some(sum.certificates),
                    valid: Some(sum.counts.valid),
                    revoked: Some(sum.counts.revoked),
                    expired: Some(sum.counts.expired),
                    expiring_soon: Some(sum.counts.expiring_soon),
                    crl_number: sum.crl.as_ref().map(|c| c.number),
                    crl_next_update: sum
                        .crl
                        .as_ref()
                        .map(|c| c.schedule.next_update.unix_timestamp()),
                    crl_renew_after: sum
                        .crl
                        .as_ref()
                        .map(|c| c.schedule.renew_after().unix_timestamp()),
                    state_dir,
                })
            })
            .await
    }

    async fn install_server_cert(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &zbus::Connection,
        id: String,
        options: Dict,
    ) -> Result<Installed> {
        let _call = self.activity.enter();
        let id = cert_id(&id)?;
        let mut opts = Options::new(options);
        let no_restart = opts.boolean(keys::NO_RESTART)?.unwrap_or(false);
        let create = opts.boolean(keys::CREATE)?.unwrap_or(false);
        opts.finish()?;
        let caller = self.authz.check(&header, actions::INSTALL).await?;
        let out = self
            .engine
            .run_for(&caller, actions::INSTALL, move |s| {
                let placed = s.install_server(&id, create)?;
                Ok(weborca::server_installed(&placed, s.now()))
            })
            .await?;
        tracing::info!(
            action = "install-server",
            uid = caller.uid,
            issue_number = %out.certificate.issue_number,
            serial = %out.certificate.serial,
            conf_changed = ?out.conf_changed,
            backup = ?out.backup_path,
            no_restart,
            "server certificate placed for WebORCA"
        );
        weborca::restart(connection, out, no_restart).await
    }

    async fn install_client_cert(
        &self,
        #[zbus(header)] header: Header<'_>,
        id: String,
        options: Dict,
    ) -> Result<Installed> {
        let _call = self.activity.enter();
        let id = cert_id(&id)?;
        Options::new(options).finish()?;
        let caller = self.authz.check(&header, actions::INSTALL).await?;
        let out = self
            .engine
            .run_for(&caller, actions::INSTALL, move |s| {
                let placed = s.install_client(&id)?;
                Ok(weborca::client_installed(&placed, s.now()))
            })
            .await?;
        tracing::info!(
            action = "install-client",
            uid = caller.uid,
            issue_number = %out.certificate.issue_number,
            serial = %out.certificate.serial,
            cn = %out.certificate.common_name,
            "client certificate placed for WebORCA"
        );
        Ok(out)
    }

    async fn diagnose(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &zbus::Connection,
        options: Dict,
    ) -> Result<Vec<CheckInfo>> {
        let _call = self.activity.enter();
        let mut opts = Options::new(options);
        let hosts = weborca::hosts(opts.strings(keys::HOSTS)?.unwrap_or_default())?;
        opts.finish()?;
        self.authz.check(&header, actions::READ).await?;
        let (mut checks, unit) = self
            .engine
            .run(move |s| Ok((s.diagnose(hosts)?, s.config().weborca_unit.clone())))
            .await?;
        // systemd is asked here, not on the engine thread, which would wait.
        let state = orca_cad::weborca::systemd1::unit_state(connection, &unit).await;
        checks.push(orca_cad::weborca::doctor::unit_check(&unit, &state));
        Ok(checks.iter().map(weborca::check_info).collect())
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn version(&self) -> String {
        orca_ca_proto::VERSION.into()
    }

    #[zbus(property)]
    fn initialized(&self) -> bool {
        self.snap().initialized
    }

    #[zbus(property)]
    fn ca_subject(&self) -> String {
        self.snap().ca_subject
    }

    #[zbus(property)]
    fn ca_not_after(&self) -> i64 {
        self.snap().ca_not_after
    }

    #[zbus(property)]
    fn crl_next_update(&self) -> i64 {
        self.snap().crl_next_update
    }

    #[zbus(signal)]
    async fn certificate_issued(
        emitter: &SignalEmitter<'_>,
        certificate: CertInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn certificate_revoked(
        emitter: &SignalEmitter<'_>,
        certificate: CertInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn crl_updated(emitter: &SignalEmitter<'_>, crl: CrlInfo) -> zbus::Result<()>;
}
