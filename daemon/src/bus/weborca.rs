//! The WebORCA methods' translation: engine placements to wire
//! dictionaries, the restart outcome to a reply or a named error, and the
//! `hosts` of `Diagnose` checked before polkit is asked.

use std::time::Duration;

use orca_ca_proto::errors as names;
use orca_ca_proto::wire::{CheckInfo, Installed, MAX_DIAGNOSE_HOSTS};
use orca_cad::messages;
use orca_cad::service::{ClientPlacement, ServerPlacement};
use orca_cad::validate;
use orca_cad::weborca::doctor::Check;
use orca_cad::weborca::systemd1::{self, Restart};
use time::OffsetDateTime;

use super::convert;
use super::errors::BusError;

/// How long to wait for the restart job: past systemd's default start
/// timeout (90 s), yet below orca-cactl's 120 s call timeout, so the caller
/// always hears how it went (or that it is still running).
pub const RESTART_WAIT: Duration = Duration::from_secs(100);

fn paths(files: &[std::path::PathBuf]) -> Vec<String> {
    files.iter().map(|p| p.display().to_string()).collect()
}

pub fn server_installed(p: &ServerPlacement, now: OffsetDateTime) -> Installed {
    Installed {
        certificate: convert::cert_info(&p.record, now),
        files: paths(&p.files),
        owner: p.owner.clone(),
        conf_path: Some(p.conf.path.display().to_string()),
        conf_changed: Some(p.conf.changed),
        conf_created: Some(p.conf.created),
        backup_path: p.conf.backup.as_ref().map(|b| b.display().to_string()),
        unit: Some(p.unit.clone()),
        ..Default::default()
    }
}

pub fn client_installed(p: &ClientPlacement, now: OffsetDateTime) -> Installed {
    let s = |p: &std::path::Path| Some(p.display().to_string());
    Installed {
        certificate: convert::cert_info(&p.record, now),
        files: paths(&p.files),
        owner: p.owner.clone(),
        cert_path: s(&p.settings.cert),
        key_path: s(&p.settings.key),
        encrypted_key_path: s(&p.settings.encrypted_key),
        passphrase_path: s(&p.settings.passphrase_file),
        ca_path: s(&p.settings.ca),
        ..Default::default()
    }
}

/// Restarts WebORCA-Server, or says what to run when asked not to. A
/// failure is an error whose message says what is in place already and
/// what to do next; the files and the backup stay either way.
pub async fn restart(
    connection: &zbus::Connection,
    mut out: Installed,
    no_restart: bool,
) -> Result<Installed, BusError> {
    let unit = out.unit.clone().unwrap_or_default();
    if no_restart {
        out.restart = Some("skipped".into());
        out.next_step = Some(messages::restart_skipped(&unit));
        return Ok(out);
    }
    let outcome = systemd1::restart_unit(connection, &unit, RESTART_WAIT).await;
    let backup = out.backup_path.as_deref();
    let (name, message) = match outcome {
        Restart::Done => {
            tracing::info!(unit = %unit, "WebORCA-Server restarted");
            out.restart = Some("done".into());
            return Ok(out);
        }
        Restart::NoSuchUnit => (
            names::NO_SUCH_UNIT,
            messages::restart_no_such_unit(&unit, &out.files, backup),
        ),
        Restart::JobFailed { result } => (
            names::RESTART_FAILED,
            messages::restart_job_failed(&unit, &result, &out.files, backup),
        ),
        Restart::Refused { name, detail } => (
            names::RESTART_FAILED,
            messages::restart_refused(&unit, &format!("{name}: {detail}"), &out.files, backup),
        ),
        Restart::Unavailable { detail } => (
            names::RESTART_FAILED,
            messages::restart_unavailable(&unit, &detail, &out.files, backup),
        ),
        Restart::TimedOut { job } => {
            tracing::warn!(unit = %unit, job = %job, "restart still running");
            (
                names::RESTART_FAILED,
                messages::restart_timed_out(&unit, &out.files, backup),
            )
        }
    };
    tracing::warn!(unit = %unit, error = name, "WebORCA-Server not restarted");
    Err(BusError::new(name, message))
}

/// Names and addresses as `IssueServerCert` accepts them, so a typo is
/// an error and not a silent "not in the certificate".
pub fn hosts(hosts: Vec<String>) -> Result<Vec<String>, BusError> {
    if hosts.len() > MAX_DIAGNOSE_HOSTS {
        return Err(BusError::invalid(messages::too_many_hosts(
            hosts.len(),
            MAX_DIAGNOSE_HOSTS,
        )));
    }
    hosts
        .into_iter()
        .map(|h| {
            if let Ok(ip) = validate::ip_address(&h) {
                return Ok(ip.to_string());
            }
            Ok(validate::host_name(&h)?)
        })
        .collect()
}

pub fn check_info(c: &Check) -> CheckInfo {
    CheckInfo {
        id: c.id.into(),
        status: c.level.as_str().into(),
        found: c.found.clone(),
        fix: c.fix.clone(),
    }
}
