//! WebORCA operations of the service: which certificate may be installed,
//! the files it becomes, and the facts `doctor` looks at. The restart is
//! not here: it waits on systemd, so the bus layer does it after this
//! returns, with the engine free for other callers.

use std::path::PathBuf;

use openssl::x509::X509;

use super::CaService;
use crate::ca::KeyPair;
use crate::ca::bundle::Material;
use crate::ca::profile::CertKind;
use crate::error::{Error, Result, WebOrcaProblem};
use crate::ids::CertId;
use crate::index::{CertRecord, ListFilter};
use crate::weborca::conf_file::{self, CA_CRT, ConfChange, SERVER_CRT, SERVER_PEM};
use crate::weborca::doctor::{self, Check};
use crate::weborca::install::{self, FileToPlace};
use crate::weborca::owner::Owner;

/// What `install_server` placed and changed.
#[derive(Debug, Clone)]
pub struct ServerPlacement {
    pub record: CertRecord,
    pub files: Vec<PathBuf>,
    pub conf: ConfChange,
    pub owner: String,
    pub unit: String,
}

/// Where a push-exchanger or API client finds its files.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub encrypted_key: PathBuf,
    pub passphrase_file: PathBuf,
    pub ca: PathBuf,
}

#[derive(Debug, Clone)]
pub struct ClientPlacement {
    pub record: CertRecord,
    pub files: Vec<PathBuf>,
    pub settings: ClientSettings,
    pub owner: String,
}

/// A certificate that passed every refusal, with what is placed from it.
struct Installable {
    record: CertRecord,
    cert_pem: String,
    material: Material,
    ca_pem: String,
}

impl CaService {
    fn installable(&self, id: &CertId, wanted: CertKind) -> Result<Installable> {
        let ca_pem = self.authority()?.cert_pem()?;
        let record = self.get(id)?;
        if record.kind != wanted {
            return Err(Error::WebOrca(WebOrcaProblem::WrongKind {
                number: record.number,
                kind: record.kind.as_str(),
                wanted: wanted.as_str(),
            }));
        }
        if let Some(r) = &record.revocation {
            return Err(Error::WebOrca(WebOrcaProblem::Revoked {
                number: record.number,
                revoked_at: crate::messages::date_time(r.at),
            }));
        }
        if record.not_after <= self.now() {
            return Err(Error::WebOrca(WebOrcaProblem::Expired {
                number: record.number,
                not_after: crate::messages::date_time(record.not_after),
            }));
        }
        let material = self.index.material(record.number)?.ok_or(Error::WebOrca(
            WebOrcaProblem::NoKeyMaterial {
                number: record.number,
            },
        ))?;
        let cert_pem = self.certificate_pem(record.number)?;
        let cert = X509::from_pem(cert_pem.as_bytes())?;
        let matches = KeyPair::from_pkcs8_pem(material.key_pem.as_bytes())
            .and_then(|k| k.matches(&cert))
            .unwrap_or(false);
        if !matches {
            return Err(Error::WebOrca(WebOrcaProblem::KeyMismatch {
                number: record.number,
            }));
        }
        Ok(Installable {
            record,
            cert_pem,
            material,
            ca_pem,
        })
    }

    fn weborca_owner(&self) -> Result<Owner> {
        Owner::lookup(&self.config.weborca_user, &self.config.weborca_group)
    }

    /// Places `<base>.crt`, `<base>.pem` and `ca.crt` and points
    /// jma-receipt.conf at them. Every refusal and a missing WebORCA are
    /// found before anything is written.
    pub fn install_server(&self, id: &CertId, create: bool) -> Result<ServerPlacement> {
        let it = self.installable(id, CertKind::Server)?;
        let owner = self.weborca_owner()?;
        let dir = &self.config.weborca_dir;
        install::check_dir(dir)?;
        let conf_path = dir.join(conf_file::FILE_NAME);
        if !create && !conf_path.exists() {
            return Err(Error::WebOrca(WebOrcaProblem::NotInstalled {
                path: conf_path,
            }));
        }
        let base = it.record.base_name();
        let files = install::place(
            dir,
            &[
                file(format!("{base}.crt"), it.cert_pem.as_bytes()),
                file(format!("{base}.pem"), it.material.key_pem.as_bytes()),
                file("ca.crt".into(), it.ca_pem.as_bytes()),
            ],
            &owner,
        )?;
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        let conf = conf_file::apply(
            &conf_path,
            &[
                (SERVER_CRT, &paths[0]),
                (SERVER_PEM, &paths[1]),
                (CA_CRT, &paths[2]),
            ],
            create,
            self.now(),
        )?;
        Ok(ServerPlacement {
            record: it.record,
            files,
            conf,
            owner: format!("{}:{}", owner.user, owner.group),
            unit: self.config.weborca_unit.clone(),
        })
    }

    /// Places a client's `.crt`, `.pem`, `.enc.pem`, `.pass` and `ca.crt`
    /// where the ORCA page says push-exchanger and API clients must read them.
    pub fn install_client(&self, id: &CertId) -> Result<ClientPlacement> {
        let it = self.installable(id, CertKind::Client)?;
        let owner = self.weborca_owner()?;
        let dir = &self.config.weborca_dir;
        let base = it.record.base_name();
        let files = install::place(
            dir,
            &[
                file(format!("{base}.crt"), it.cert_pem.as_bytes()),
                file(format!("{base}.pem"), it.material.key_pem.as_bytes()),
                file(
                    format!("{base}.enc.pem"),
                    it.material.encrypted_key_pem.as_bytes(),
                ),
                file(format!("{base}.pass"), it.material.passphrase.as_bytes()),
                file("ca.crt".into(), it.ca_pem.as_bytes()),
            ],
            &owner,
        )?;
        let settings = ClientSettings {
            cert: files[0].clone(),
            key: files[1].clone(),
            encrypted_key: files[2].clone(),
            passphrase_file: files[3].clone(),
            ca: files[4].clone(),
        };
        Ok(ClientPlacement {
            record: it.record,
            files,
            settings,
            owner: format!("{}:{}", owner.user, owner.group),
        })
    }

    /// Every check of `doctor` that can be made on this host's files and
    /// the index. `hosts`: the names clients use to reach WebORCA.
    pub fn diagnose(&self, hosts: Vec<String>) -> Result<Vec<Check>> {
        let now = self.now();
        let (our_ca, client_certs, crl) = match &self.authority {
            Some(a) => (
                Some(a.cert().clone()),
                self.index.list(
                    &ListFilter {
                        kind: Some(CertKind::Client),
                        ..Default::default()
                    },
                    now,
                )?,
                self.index.current_crl()?,
            ),
            None => (None, Vec::new(), None),
        };
        let inputs = doctor::Inputs {
            conf_path: self.config.weborca_dir.join(conf_file::FILE_NAME),
            owner: self.weborca_owner(),
            our_ca,
            client_certs,
            crl,
            crl_published: self.state.crl_der().exists() && self.state.crl_pem().exists(),
            hosts,
            unit: self.config.weborca_unit.clone(),
            now,
        };
        Ok(doctor::diagnose(&inputs))
    }
}

fn file(name: String, bytes: &[u8]) -> FileToPlace {
    FileToPlace {
        name,
        bytes: bytes.to_vec(),
    }
}
