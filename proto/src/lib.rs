//! What orca-cad and orca-cactl agree on: bus names, error names, polkit
//! action ids, the dictionaries that travel over D-Bus, and the proxy.

pub mod errors;
pub mod proxy;
pub mod wire;

pub const BUS_NAME: &str = "jp.or.med.orca.CaTool1";
pub const OBJECT_PATH: &str = "/jp/or/med/orca/CaTool1";
pub const INTERFACE: &str = "jp.or.med.orca.CaTool1";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Unix group whose members the shipped polkit rules let do everyday work.
pub const ADMIN_GROUP: &str = "orca-ca";

/// polkit actions, one per class of verb.
pub mod actions {
    pub const READ: &str = "jp.or.med.orca.catool.read";
    pub const ISSUE: &str = "jp.or.med.orca.catool.issue";
    pub const REVOKE: &str = "jp.or.med.orca.catool.revoke";
    pub const CRL: &str = "jp.or.med.orca.catool.crl";
    pub const EXPORT: &str = "jp.or.med.orca.catool.export";
    pub const INSTALL: &str = "jp.or.med.orca.catool.install";
    pub const INITIALIZE: &str = "jp.or.med.orca.catool.initialize";
}
