//! The command line of orca-cad, in the library so that the man page
//! generator (ctl/examples/docgen.rs) documents the very same options.

use std::path::PathBuf;

use clap::Parser;

use crate::config;

/// Private certificate authority for WebORCA, on the D-Bus system bus.
///
/// Connects to DBUS_SYSTEM_BUS_ADDRESS when set, the system bus otherwise.
/// Normally started by D-Bus activation or systemd, not by hand; clients
/// use orca-cactl.
#[derive(Debug, Parser)]
#[command(name = "orca-cad", version)]
pub struct Args {
    /// Configuration file
    #[arg(long, value_name = "FILE", default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// State directory (CA key, index, CRL); overrides state_dir of the config
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// WebORCA configuration directory; overrides weborca_dir of the config
    #[arg(long, value_name = "DIR")]
    pub weborca_dir: Option<PathBuf>,
    /// Exit after this many idle seconds (0: never); overrides idle_timeout_secs
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<u64>,
}
