//! The client side of `jp.or.med.orca.CaTool1`.

use std::collections::HashMap;

use zbus::proxy;
use zbus::zvariant::{Fd, Value};

use crate::wire::{CaStatus, CertInfo, CheckInfo, CrlInfo, Delivered, Installed, Revoked};

pub type Options<'a> = HashMap<&'a str, Value<'a>>;

#[proxy(
    interface = "jp.or.med.orca.CaTool1",
    default_service = "jp.or.med.orca.CaTool1",
    default_path = "/jp/or/med/orca/CaTool1"
)]
pub trait CaTool1 {
    fn initialize(&self, options: Options<'_>) -> zbus::Result<CertInfo>;

    fn issue_server_cert(
        &self,
        hosts: &[&str],
        ips: &[&str],
        options: Options<'_>,
        fd: Fd<'_>,
    ) -> zbus::Result<Delivered>;

    fn issue_client_cert(
        &self,
        common_name: &str,
        options: Options<'_>,
        fd: Fd<'_>,
    ) -> zbus::Result<Delivered>;

    /// `profile`: `server` or `client`; returns the certificate with
    /// `certificate_pem` and `warnings` set.
    fn sign_request(
        &self,
        csr: &[u8],
        profile: &str,
        options: Options<'_>,
    ) -> zbus::Result<CertInfo>;

    fn export(&self, id: &str, fd: Fd<'_>) -> zbus::Result<Delivered>;

    fn revoke(&self, id: &str, reason: &str) -> zbus::Result<Revoked>;

    fn issue_crl(&self) -> zbus::Result<CrlInfo>;

    fn renew_crl(&self, if_due: bool) -> zbus::Result<(bool, CrlInfo)>;

    fn list_certificates(&self, filter: Options<'_>) -> zbus::Result<Vec<CertInfo>>;

    fn get_certificate(&self, id: &str) -> zbus::Result<CertInfo>;

    fn get_ca_certificate(&self) -> zbus::Result<String>;

    fn get_status(&self) -> zbus::Result<CaStatus>;

    fn install_server_cert(&self, id: &str, options: Options<'_>) -> zbus::Result<Installed>;

    fn install_client_cert(&self, id: &str, options: Options<'_>) -> zbus::Result<Installed>;

    fn diagnose(&self, options: Options<'_>) -> zbus::Result<Vec<CheckInfo>>;

    #[zbus(property)]
    fn version(&self) -> zbus::Result<String>;

    #[zbus(property)]
    fn initialized(&self) -> zbus::Result<bool>;

    #[zbus(property)]
    fn ca_subject(&self) -> zbus::Result<String>;

    #[zbus(property)]
    fn ca_not_after(&self) -> zbus::Result<i64>;

    #[zbus(property)]
    fn crl_next_update(&self) -> zbus::Result<i64>;

    #[zbus(signal)]
    fn certificate_issued(&self, certificate: CertInfo) -> zbus::Result<()>;

    #[zbus(signal)]
    fn certificate_revoked(&self, certificate: CertInfo) -> zbus::Result<()>;

    #[zbus(signal)]
    fn crl_updated(&self, crl: CrlInfo) -> zbus::Result<()>;
}
