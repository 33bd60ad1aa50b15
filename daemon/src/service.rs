//! The one place an operation is sequenced: validate, check state, build,
//! commit to the index, then deliver. Callers (the D-Bus layer, tests) see
//! whole operations; nothing here knows who is asking.

use std::fs;
use std::path::Path;

use openssl::hash::MessageDigest;
use openssl::x509::X509;
use time::{Duration, OffsetDateTime};

use crate::ca::bundle::{self, Material};
use crate::ca::crl::{CrlSchedule, RevocationReason};
use crate::ca::profile::{self, AltName, CertKind, ServerNames, Stamp};
use crate::ca::request::SigningRequest;
use crate::ca::{Authority, KeyPair, PublicKey};
use crate::config::{Config, KeyType, MAX_VALIDITY_DAYS};
use crate::error::{Error, InvalidArgument, Result};
use crate::ids::{CertId, IssueNumber, Serial};
use crate::index::{
    CertRecord, Index, ListFilter, NewCertificate, Revocation, StatusCounts, StoredCrl,
};
use crate::state::{self, StateDir};
use crate::validate;

mod weborca;
pub use weborca::{ClientPlacement, ClientSettings, ServerPlacement};

/// Apple platforms refuse TLS server certificates valid for longer.
pub const APPLE_MAX_SERVER_DAYS: i64 = 825;
/// Leaves start an hour early: a clinic PC whose clock runs behind must not
/// see a certificate that is "not yet valid".
const BACKDATE: Duration = Duration::hours(1);

/// Something the caller should know although the operation succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A server certificate valid longer than Apple platforms accept.
    LongerThanApple { days: i64 },
    /// The configured validity would outlive the CA; cut to the CA's end.
    ValidityCut { wanted_days: i64, not_after: String },
    /// Addresses given as host names were put in IP SANs.
    AddressAsHost { values: Vec<String> },
    /// The index holds no key for this certificate; the export lacks it.
    NoKeyMaterial { number: IssueNumber },
}

#[derive(Debug, Default, Clone)]
pub struct InitOptions {
    pub ca_name: Option<String>,
    pub key_type: Option<KeyType>,
    pub validity_days: Option<i64>,
}

/// A zip ready to hand out, with the name it should get.
#[derive(Debug)]
pub struct Delivery {
    pub file_name: String,
    pub zip: Vec<u8>,
}

#[derive(Debug)]
pub struct Issued {
    pub record: CertRecord,
    pub delivery: Delivery,
    pub warnings: Vec<Warning>,
}

/// A certificate signed for a request: only the certificate goes back (the
/// requester has the key).
#[derive(Debug)]
pub struct Signed {
    pub record: CertRecord,
    pub certificate_pem: String,
    pub warnings: Vec<Warning>,
}

/// Whose key a certificate gets.
#[derive(Debug)]
enum SubjectKey {
    /// A fresh key of this type, delivered (and escrowed) with the bundle.
    Generate(KeyType),
    /// The key of a signing request; we never see its private half.
    Request(PublicKey),
}

/// A certificate committed to the index, before anything is delivered.
struct Made {
    record: CertRecord,
    cert_pem: String,
    /// Only for keys we generated.
    material: Option<Material>,
    warnings: Vec<Warning>,
}

#[derive(Debug)]
pub struct Revoked {
    pub record: CertRecord,
    pub crl: StoredCrl,
}

#[derive(Debug, Clone)]
pub struct CaSummary {
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub key_type: KeyType,
    pub serial: Serial,
    pub fingerprint_sha256: String,
    pub certificates: u64,
    pub counts: StatusCounts,
    pub crl: Option<StoredCrl>,
}

/// WebORCA-Server starts warning 31 days before its certificate ends.
pub const EXPIRING_SOON_DAYS: i64 = 31;

type Clock = Box<dyn Fn() -> OffsetDateTime + Send>;

pub struct CaService {
    config: Config,
    state: StateDir,
    index: Index,
    authority: Option<Authority>,
    clock: Clock,
}

impl std::fmt::Debug for CaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaService")
            .field("state", &self.state.path())
            .field("initialized", &self.authority.is_some())
            .finish_non_exhaustive()
    }
}

fn system_now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

impl CaService {
    /// Opens the state directory named by the config. A CA recorded in the
    /// index must have its key on disk, private, and matching; anything else
    /// is refused with what is wrong, and nothing is repaired over it.
    pub fn open(config: Config) -> Result<CaService> {
        let state = StateDir::open(&config.state_dir)?;
        let index = Index::open(&state.index())?;
        let mut service = CaService {
            config,
            state,
            index,
            authority: None,
            clock: Box::new(system_now),
        };
        service.authority = service.load_authority()?;
        if service.authority.is_some() {
            service.publish_public_files()?;
        }
        Ok(service)
    }

    /// Replaces the clock (tests of expiry and CRL schedules).
    pub fn set_clock(&mut self, clock: impl Fn() -> OffsetDateTime + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    pub fn is_initialized(&self) -> bool {
        self.authority.is_some()
    }

    fn load_authority(&self) -> Result<Option<Authority>> {
        let Some(ca_der) = self.index.ca_certificate_der()? else {
            return Ok(None);
        };
        let key_path = self.state.ca_key();
        let pending = pending_key_path(&key_path);
        if !key_path.exists() && pending.exists() {
            // A crash between committing the CA and renaming its key: the
            // index is the decision, so the pending key completes it.
            fs::rename(&pending, &key_path).map_err(|e| Error::io(&key_path, e))?;
            state::sync_dir(self.state.path())?;
        }
        if !key_path.exists() {
            return Err(Error::StateCorrupt {
                path: key_path,
                detail: crate::messages::ca_key_missing(),
            });
        }
        let key_pem = self.state.read_secret(&key_path)?;
        let cert = X509::from_der(&ca_der)?;
        Authority::load(&cert.to_pem()?, &key_pem)
            .map(Some)
            .map_err(|e| Error::StateCorrupt {
                path: key_path,
                detail: e.to_string(),
            })
    }

    fn authority(&self) -> Result<&Authority> {
        self.authority.as_ref().ok_or(Error::NotInitialized)
    }

    /// Creates the CA (issue 000001) and publishes its first, empty CRL.
    pub fn initialize(&mut self, opts: &InitOptions) -> Result<CertRecord> {
        let name = match &opts.ca_name {
            Some(n) => {
                validate::ca_name(n)?;
                n.clone()
            }
            None => match &self.config.ca_name {
                Some(n) => n.clone(),
                None => default_ca_name(self.now()),
            },
        };
        let days = opts.validity_days.unwrap_or(self.config.ca_validity_days);
        check_days(days)?;
        let key_type = opts.key_type.unwrap_or(self.config.key_type);
        let key_path = self.state.ca_key();
        if self.authority.is_some() || self.index.ca_record()?.is_some() {
            return Err(Error::AlreadyInitialized {
                evidence: self.state.index(),
            });
        }
        if key_path.exists() {
            // A key without a CA in the index: not ours to overwrite.
            return Err(Error::AlreadyInitialized { evidence: key_path });
        }
        let pending = pending_key_path(&key_path);
        if pending.exists() {
            // Left by an initialization that crashed before its commit; kept
            // under another name rather than deleted (keys are evidence).
            let kept = key_path
                .with_file_name(format!("ca.key.abandoned-{}", self.now().unix_timestamp()));
            fs::rename(&pending, &kept).map_err(|e| Error::io(&pending, e))?;
        }

        let now = self.now();
        let serial = Serial::random()?;
        let not_after = now + Duration::days(days);
        let authority = Authority::create(&name, key_type, serial, now - BACKDATE, not_after)?;
        let cert = authority.cert().clone();
        let fingerprint = fingerprint(&cert)?;
        let schedule = CrlSchedule::starting(now, self.config.crl_validity_days);
        let crl_der = authority.sign_crl(1, schedule.this_update, schedule.next_update, &[])?;
        let crl = StoredCrl {
            number: 1,
            revoked_count: 0,
            schedule,
            der: crl_der,
        };

        // Order that survives a crash anywhere: key to a pending file, then
        // the index commit (the decision), then the key's final name.
        state::write_atomic(
            &pending,
            authority.key().pkcs8_pem()?.as_bytes(),
            state::SECRET_MODE,
        )?;
        let record = self.index.insert_ca(
            &NewCertificate {
                serial,
                kind: CertKind::Ca,
                common_name: &name,
                alt_names: &[],
                key_type,
                issued_at: now,
                not_before: now - BACKDATE,
                not_after,
                fingerprint_sha256: &fingerprint,
                certificate_der: authority.cert_der(),
                material: None,
            },
            &crl,
        );
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let _ = fs::remove_file(&pending);
                return Err(e);
            }
        };
        fs::rename(&pending, &key_path).map_err(|e| Error::io(&key_path, e))?;
        state::sync_dir(self.state.path())?;
        self.authority = Some(authority);
        self.publish_public_files()?;
        Ok(record)
    }

    pub fn issue_server(
        &mut self,
        hosts: &[String],
        ips: &[String],
        validity_days: Option<i64>,
    ) -> Result<Issued> {
        let names = ServerNames::new(hosts, ips)?;
        if let Some(d) = validity_days {
            check_days(d)?;
        }
        let mut warnings = Vec::new();
        if !names.moved_to_ip.is_empty() {
            warnings.push(Warning::AddressAsHost {
                values: names.moved_to_ip.clone(),
            });
        }
        let made = self.issue(
            CertKind::Server,
            &names.common_name,
            &names.alt_names,
            validity_days,
            warnings,
            SubjectKey::Generate(self.config.key_type),
            |stamp, key_type| profile::server(&names, key_type, stamp),
        )?;
        self.bundle(made)
    }

    pub fn issue_client(&mut self, cn: &str, validity_days: Option<i64>) -> Result<Issued> {
        validate::common_name(cn)?;
        if let Some(d) = validity_days {
            check_days(d)?;
        }
        let made = self.issue(
            CertKind::Client,
            cn,
            &[],
            validity_days,
            Vec::new(),
            SubjectKey::Generate(self.config.key_type),
            |stamp, _| profile::client(cn, stamp),
        )?;
        self.bundle(made)
    }

    /// Signs a PKCS#10 request (PEM or DER) as a server or client
    /// certificate. From the request come only its key and its names, the
    /// names checked exactly as for `issue_server` / `issue_client`; the
    /// extensions are our profile's whatever the request asks for.
    pub fn sign_request(
        &mut self,
        csr: &[u8],
        kind: CertKind,
        validity_days: Option<i64>,
    ) -> Result<Signed> {
        let request = SigningRequest::parse(csr)?;
        if let Some(d) = validity_days {
            check_days(d)?;
        }
        let key = SubjectKey::Request(request.key.clone());
        let made = match kind {
            CertKind::Server => {
                let (hosts, ips) = request.server_names()?;
                let names = ServerNames::new(&hosts, &ips)?;
                let mut warnings = Vec::new();
                if !names.moved_to_ip.is_empty() {
                    warnings.push(Warning::AddressAsHost {
                        values: names.moved_to_ip.clone(),
                    });
                }
                self.issue(
                    kind,
                    &names.common_name,
                    &names.alt_names,
                    validity_days,
                    warnings,
                    key,
                    |stamp, key_type| profile::server(&names, key_type, stamp),
                )?
            }
            CertKind::Client => {
                let cn = request.client_name()?;
                self.issue(kind, cn, &[], validity_days, Vec::new(), key, |stamp, _| {
                    profile::client(cn, stamp)
                })?
            }
            CertKind::Ca => {
                return Err(InvalidArgument::ProfileUnknown {
                    value: kind.to_string(),
                }
                .into());
            }
        };
        Ok(Signed {
            record: made.record,
            certificate_pem: made.cert_pem,
            warnings: made.warnings,
        })
    }

    /// The one sequence every leaf goes through: validity, key, serial,
    /// signature, index row. Nothing is written before the index commit.
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &mut self,
        kind: CertKind,
        cn: &str,
        alt_names: &[AltName],
        validity_days: Option<i64>,
        mut warnings: Vec<Warning>,
        subject: SubjectKey,
        params: impl FnOnce(&Stamp, KeyType) -> Result<rcgen::CertificateParams>,
    ) -> Result<Made> {
        let authority = self.authority()?;
        let now = self.now();
        let (not_before, not_after) =
            self.leaf_validity(authority, kind, validity_days, now, &mut warnings)?;
        let (own_key, public) = match subject {
            SubjectKey::Generate(key_type) => {
                let key = KeyPair::generate(key_type)?;
                let public = key.public().clone();
                (Some(key), public)
            }
            SubjectKey::Request(public) => (None, public),
        };
        let serial = self.fresh_serial()?;
        let stamp = Stamp {
            serial,
            not_before,
            not_after,
            key_identifier: public.key_identifier()?,
        };
        let der = authority.sign(&params(&stamp, public.key_type())?, &public)?;
        let cert = X509::from_der(&der)?;
        let material = own_key
            .map(|key| Material::build(&key, &cert, authority.cert(), cn, self.config.p12_profile))
            .transpose()?;
        let cert_pem = pem(&cert)?;
        let record = self.index.insert_issued(&NewCertificate {
            serial,
            kind,
            common_name: cn,
            alt_names,
            key_type: public.key_type(),
            issued_at: now,
            not_before,
            not_after,
            fingerprint_sha256: &fingerprint(&cert)?,
            certificate_der: &der,
            material: material.as_ref().filter(|_| self.config.key_escrow),
        })?;
        Ok(Made {
            record,
            cert_pem,
            material,
            warnings,
        })
    }

    /// The zip for a certificate just committed. From here on the bundle
    /// can always be rebuilt by an export (with escrow), so handing it out
    /// is safe.
    fn bundle(&self, made: Made) -> Result<Issued> {
        let ca_pem = self.authority()?.cert_pem()?;
        let base = made.record.base_name();
        let zip = bundle::zip(
            &base,
            &made.cert_pem,
            made.material.as_ref(),
            &ca_pem,
            made.record.not_before,
        )?;
        Ok(Issued {
            record: made.record,
            delivery: Delivery {
                file_name: format!("{base}.zip"),
                zip,
            },
            warnings: made.warnings,
        })
    }

    fn leaf_validity(
        &self,
        authority: &Authority,
        kind: CertKind,
        requested: Option<i64>,
        now: OffsetDateTime,
        warnings: &mut Vec<Warning>,
    ) -> Result<(OffsetDateTime, OffsetDateTime)> {
        let ca_end = authority.not_after()?;
        if now >= ca_end {
            return Err(Error::CaExpired {
                not_after: crate::messages::date(ca_end),
            });
        }
        let days = requested.unwrap_or(match kind {
            CertKind::Server => self.config.server_cert_validity,
            _ => self.config.client_cert_validity,
        });
        let mut not_after = now + Duration::days(days);
        if not_after > ca_end {
            if requested.is_some() {
                return Err(InvalidArgument::ValidityPastCa {
                    days,
                    ca_not_after: crate::messages::date(ca_end),
                }
                .into());
            }
            not_after = ca_end;
            warnings.push(Warning::ValidityCut {
                wanted_days: days,
                not_after: crate::messages::date(ca_end),
            });
        }
        let effective = (not_after - now).whole_days();
        if kind == CertKind::Server && effective > APPLE_MAX_SERVER_DAYS {
            warnings.push(Warning::LongerThanApple { days: effective });
        }
        Ok((now - BACKDATE, not_after))
    }

    /// A serial no certificate in the index has; the UNIQUE constraint
    /// backs this check.
    fn fresh_serial(&self) -> Result<Serial> {
        loop {
            let s = Serial::random()?;
            if !self.index.serial_exists(&s)? {
                return Ok(s);
            }
        }
    }

    pub fn get(&self, id: &CertId) -> Result<CertRecord> {
        self.index
            .find(id)?
            .ok_or_else(|| Error::NotFound { id: id.to_string() })
    }

    pub fn certificate_pem(&self, number: IssueNumber) -> Result<String> {
        let der = self
            .index
            .certificate_der(number)?
            .ok_or_else(|| Error::NotFound {
                id: number.to_string(),
            })?;
        pem(&X509::from_der(&der)?)
    }

    pub fn list(&self, filter: &ListFilter) -> Result<Vec<CertRecord>> {
        self.index.list(filter, self.now())
    }

    /// Rebuilds the bundle from the index. With escrowed material it is the
    /// same zip, byte for byte, as the one delivered at issue.
    pub fn export(&self, id: &CertId) -> Result<(CertRecord, Delivery, Vec<Warning>)> {
        let authority = self.authority()?;
        let record = self.get(id)?;
        let cert_pem = self.certificate_pem(record.number)?;
        let material = self.index.material(record.number)?;
        let mut warnings = Vec::new();
        if material.is_none() {
            warnings.push(Warning::NoKeyMaterial {
                number: record.number,
            });
        }
        let base = record.base_name();
        let zip = bundle::zip(
            &base,
            &cert_pem,
            material.as_ref(),
            &authority.cert_pem()?,
            record.not_before,
        )?;
        Ok((
            record,
            Delivery {
                file_name: format!("{base}.zip"),
                zip,
            },
            warnings,
        ))
    }

    pub fn ca_certificate_pem(&self) -> Result<String> {
        self.authority()?.cert_pem()
    }

    /// Revokes and publishes a CRL listing it, in one index transaction.
    pub fn revoke(&mut self, id: &CertId, reason: RevocationReason) -> Result<Revoked> {
        self.authority()?;
        let record = self.get(id)?;
        if record.kind == CertKind::Ca {
            return Err(Error::CannotRevokeCa);
        }
        if let Some(r) = &record.revocation {
            return Err(Error::AlreadyRevoked {
                number: record.number,
                revoked_at: crate::messages::date_time(r.at),
            });
        }
        let revocation = Revocation {
            at: self.now(),
            reason,
        };
        let crl = self.write_crl(Some((record.number, &revocation)))?;
        let record = self.get(&CertId::Number(record.number))?;
        Ok(Revoked { record, crl })
    }

    /// A fresh CRL with the next number, whatever the schedule says.
    pub fn issue_crl(&mut self) -> Result<StoredCrl> {
        self.write_crl(None)
    }

    /// For the timer: renew when two thirds of the CRL's life are gone, or
    /// when it lags behind a revocation. Returns whether it renewed.
    pub fn renew_crl(&mut self, if_due: bool) -> Result<(bool, StoredCrl)> {
        self.authority()?;
        if if_due && let Some(current) = self.index.current_crl()? {
            let stale = self
                .index
                .last_revocation()?
                .is_some_and(|t| t > current.schedule.signed_at());
            if !stale && !current.schedule.is_due(self.now()) {
                self.publish_public_files()?;
                return Ok((false, current));
            }
        }
        Ok((true, self.write_crl(None)?))
    }

    pub fn current_crl(&self) -> Result<Option<StoredCrl>> {
        self.index.current_crl()
    }

    fn write_crl(&mut self, revoke: Option<(IssueNumber, &Revocation)>) -> Result<StoredCrl> {
        let authority = self.authority.as_ref().ok_or(Error::NotInitialized)?;
        let schedule = CrlSchedule::starting(self.now(), self.config.crl_validity_days);
        let crl = self.index.update_crl(revoke, schedule, |number, entries| {
            authority.sign_crl(number, schedule.this_update, schedule.next_update, entries)
        })?;
        self.publish_crl(&crl, false)?;
        Ok(crl)
    }

    /// The files in the state directory are copies of what the index holds;
    /// they are rewritten when they differ (a crash after a commit).
    fn publish_public_files(&self) -> Result<()> {
        let ca_pem = self.authority()?.cert_pem()?;
        publish_if_changed(&self.state.ca_cert(), ca_pem.as_bytes())?;
        if let Some(crl) = self.index.current_crl()? {
            self.publish_crl(&crl, true)?;
        }
        Ok(())
    }

    /// At start-up (`changed_only`) the files are compared first; a new
    /// CRL always differs, so it is written without reading the old one.
    fn publish_crl(&self, crl: &StoredCrl, changed_only: bool) -> Result<()> {
        let pem = crl_pem(&crl.der);
        for (path, bytes) in [
            (self.state.crl_der(), crl.der.as_slice()),
            (self.state.crl_pem(), pem.as_bytes()),
        ] {
            if changed_only {
                publish_if_changed(&path, bytes)?;
            } else {
                state::write_atomic(&path, bytes, state::PUBLIC_MODE)?;
            }
        }
        Ok(())
    }

    pub fn summary(&self) -> Result<CaSummary> {
        let authority = self.authority()?;
        let record = self.index.ca_record()?.ok_or(Error::NotInitialized)?;
        Ok(CaSummary {
            subject: authority.subject(),
            not_before: record.not_before,
            not_after: record.not_after,
            key_type: authority.key().key_type(),
            serial: record.serial,
            fingerprint_sha256: record.fingerprint_sha256,
            certificates: self.index.count()?,
            counts: self.index.status_counts(self.now(), EXPIRING_SOON_DAYS)?,
            crl: self.index.current_crl()?,
        })
    }
}

fn publish_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    state::write_atomic(path, bytes, state::PUBLIC_MODE)
}

fn pending_key_path(key: &Path) -> std::path::PathBuf {
    key.with_file_name("ca.key.new")
}

fn check_days(days: i64) -> Result<()> {
    if (1..=MAX_VALIDITY_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(InvalidArgument::ValidityDays { days }.into())
    }
}

/// `ORCA CA <host> <date>`: differs between installations and between two
/// CAs made on one host, so browsers never mix them up.
fn default_ca_name(now: OffsetDateTime) -> String {
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| validate::ca_name(h).is_ok() && h.len() <= 40)
        .unwrap_or_else(|| "localhost".into());
    format!(
        "ORCA CA {host} {:04}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

fn pem(cert: &X509) -> Result<String> {
    String::from_utf8(cert.to_pem()?).map_err(Error::crypto)
}

/// PEM armour around the DER. Not through OpenSSL's CRL parser: with a
/// million entries parsing alone takes seconds.
pub fn crl_pem(der: &[u8]) -> String {
    let b64 = openssl::base64::encode_block(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN X509 CRL-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END X509 CRL-----\n");
    out
}

/// SHA-256 fingerprint as `AB:CD:…`, the form browsers show.
pub fn fingerprint(cert: &X509) -> Result<String> {
    let d = cert.digest(MessageDigest::sha256())?;
    Ok(d.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}
