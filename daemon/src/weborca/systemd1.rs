//! Restarting WebORCA-Server through systemd's own D-Bus API, as
//! `systemctl restart` does: subscribe to `JobRemoved` first (the job may
//! finish before the reply to `RestartUnit` arrives), ask for the restart
//! in mode `replace`, then wait for the signal that names our job.

use std::time::Duration;

use futures_lite::StreamExt;
use zbus::Connection;
use zbus::proxy::CacheProperties;
use zbus::zvariant::OwnedObjectPath;

/// The subset of `org.freedesktop.systemd1.Manager` we use.
#[zbus::proxy(
    interface = "org.freedesktop.systemd1.Manager",
    default_service = "org.freedesktop.systemd1",
    default_path = "/org/freedesktop/systemd1",
    gen_blocking = false
)]
trait Manager {
    /// Asks systemd to send its signals to us (needed on systems that only
    /// emit them to subscribers).
    fn subscribe(&self) -> zbus::Result<()>;

    fn restart_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;

    /// The unit's object, loading it if needed (GetUnit only knows loaded
    /// units, and a stopped unit may have been unloaded).
    fn load_unit(&self, name: &str) -> zbus::Result<OwnedObjectPath>;

    #[zbus(signal)]
    fn job_removed(
        &self,
        id: u32,
        job: OwnedObjectPath,
        unit: String,
        result: String,
    ) -> zbus::Result<()>;
}

/// The subset of `org.freedesktop.systemd1.Unit` `doctor` reads.
#[zbus::proxy(
    interface = "org.freedesktop.systemd1.Unit",
    default_service = "org.freedesktop.systemd1",
    gen_blocking = false
)]
trait Unit {
    #[zbus(property)]
    fn load_state(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn active_state(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn sub_state(&self) -> zbus::Result<String>;
}

pub const NO_SUCH_UNIT: &str = "org.freedesktop.systemd1.NoSuchUnit";

/// What systemd says about a unit, as `systemctl status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitState {
    /// `load`: loaded, not-found, masked…; `active`: active, failed,
    /// inactive…; `sub`: running, dead…
    Known {
        load: String,
        active: String,
        sub: String,
    },
    Unavailable {
        detail: String,
    },
}

/// Asks systemd how `unit` is doing.
pub async fn unit_state(connection: &Connection, unit: &str) -> UnitState {
    let result = async {
        let manager = ManagerProxy::builder(connection)
            .cache_properties(CacheProperties::No)
            .build()
            .await?;
        let path = match manager.load_unit(unit).await {
            Ok(p) => p,
            Err(zbus::Error::MethodError(name, _, _)) if name.as_str() == NO_SUCH_UNIT => {
                return Ok(UnitState::Known {
                    load: "not-found".into(),
                    active: "inactive".into(),
                    sub: "dead".into(),
                });
            }
            Err(e) => return Err(e),
        };
        let proxy = UnitProxy::builder(connection)
            .path(path)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?;
        Ok(UnitState::Known {
            load: proxy.load_state().await?,
            active: proxy.active_state().await?,
            sub: proxy.sub_state().await?,
        })
    };
    result
        .await
        .unwrap_or_else(|e: zbus::Error| UnitState::Unavailable {
            detail: e.to_string(),
        })
}

/// How a restart ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restart {
    /// The job finished with result `done`.
    Done,
    /// The job finished with another result (`failed`, `timeout`, `dependency`, …).
    JobFailed { result: String },
    /// systemd does not know the unit.
    NoSuchUnit,
    /// systemd refused the request (masked unit, …): its error, as given.
    Refused { name: String, detail: String },
    /// systemd could not be asked (not running, bus trouble).
    Unavailable { detail: String },
    /// No `JobRemoved` for our job within the time allowed.
    TimedOut { job: String },
}

/// Restarts `unit` and waits at most `wait` for the job to finish.
pub async fn restart_unit(connection: &Connection, unit: &str, wait: Duration) -> Restart {
    let unavailable = |e: zbus::Error| Restart::Unavailable {
        detail: e.to_string(),
    };
    let manager = match ManagerProxy::builder(connection)
        .cache_properties(CacheProperties::No)
        .build()
        .await
    {
        Ok(m) => m,
        Err(e) => return unavailable(e),
    };
    // The match rule is in place once this returns: no JobRemoved is lost.
    let mut removed = match manager.receive_job_removed().await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    if let Err(e) = manager.subscribe().await {
        // systemd answers a second Subscribe from one connection with
        // AlreadySubscribed; signals still come, so only a missing systemd
        // matters here.
        if is_unreachable(&e) {
            return unavailable(e);
        }
    }
    let job = match manager.restart_unit(unit, "replace").await {
        Ok(job) => job,
        Err(zbus::Error::MethodError(name, _, _)) if name.as_str() == NO_SUCH_UNIT => {
            return Restart::NoSuchUnit;
        }
        Err(zbus::Error::MethodError(name, detail, _)) if !is_bus_error(name.as_str()) => {
            return Restart::Refused {
                name: name.to_string(),
                detail: detail.unwrap_or_default(),
            };
        }
        Err(e) => return unavailable(e),
    };
    tracing::info!(unit, job = %job.as_str(), "restart job queued");
    let waiting = async {
        while let Some(signal) = removed.next().await {
            let Ok(args) = signal.args() else { continue };
            if args.job().as_str() == job.as_str() {
                return Some(args.result().clone());
            }
        }
        None
    };
    match tokio::time::timeout(wait, waiting).await {
        Ok(Some(result)) if result == "done" => Restart::Done,
        Ok(Some(result)) => Restart::JobFailed { result },
        Ok(None) => Restart::Unavailable {
            detail: crate::messages::systemd_signal_stream_ended(),
        },
        Err(_) => Restart::TimedOut {
            job: job.to_string(),
        },
    }
}

/// Errors of the bus itself (nobody owns the name, …), as opposed to
/// errors systemd sends.
fn is_bus_error(name: &str) -> bool {
    name.starts_with("org.freedesktop.DBus.Error.")
}

fn is_unreachable(e: &zbus::Error) -> bool {
    match e {
        zbus::Error::MethodError(name, _, _) => matches!(
            name.as_str(),
            "org.freedesktop.DBus.Error.ServiceUnknown"
                | "org.freedesktop.DBus.Error.NameHasNoOwner"
                | "org.freedesktop.DBus.Error.NoReply"
                | "org.freedesktop.DBus.Error.Disconnected"
        ),
        zbus::Error::InputOutput(_) => true,
        _ => false,
    }
}
