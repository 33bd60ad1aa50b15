//! orca-cad on the system bus: the object first, then the name, then
//! READY=1; on SIGTERM or when idle, the name goes first and calls in
//! flight are answered before exit.

mod activity;
mod authz;
mod convert;
mod delivery;
mod engine;
mod errors;
mod interface;
mod weborca;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use orca_ca_proto::{BUS_NAME, OBJECT_PATH};
use orca_cad::config::Config;
use orca_cad::service::CaService;
use orca_cad::{Error, messages};
use tokio::signal::unix::{SignalKind, signal};

use activity::Activity;
use authz::Authorizer;
use engine::Engine;
use errors::BusError;
use interface::CaTool;

/// How long a new instance waits for an exiting one to release the state
/// directory (bus activation can start us while the old one drains).
const STATE_LOCK_WAIT: Duration = Duration::from_secs(30);
/// How long SIGTERM waits for calls in flight.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Settings {
    pub config: Result<Config, Error>,
    pub idle_timeout: Option<Duration>,
}

fn open_service(config: Config) -> Result<CaService, Error> {
    let deadline = std::time::Instant::now() + STATE_LOCK_WAIT;
    loop {
        match CaService::open(config.clone()) {
            Err(Error::StateBusy { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let (service, state_dir) = match settings.config {
        Ok(config) => {
            let dir = config.state_dir.clone();
            let opened = tokio::task::spawn_blocking(move || open_service(config)).await?;
            (opened, dir)
        }
        Err(e) => (Err(e), Default::default()),
    };
    let status = match &service {
        Ok(s) => messages::status_serving(s.is_initialized()),
        Err(e) => {
            tracing::error!(error = %e, "state unusable; every call will report it");
            messages::status_broken(&e.to_string())
        }
    };
    let (engine, engine_thread) = Engine::start(service.map_err(BusError::from));

    let connection = zbus::connection::Builder::system()?.build().await?;
    let activity = Arc::new(Activity::default());
    let tool = CaTool {
        engine: engine.clone(),
        authz: Authorizer::new(connection.clone()),
        activity: activity.clone(),
        snapshot: Arc::new(Mutex::new(Default::default())),
        state_dir,
    };
    tool.refresh(None).await;
    // Register the object before owning the name, so no call can arrive
    // for an object that is not there yet.
    connection.object_server().at(OBJECT_PATH, tool).await?;
    connection
        .request_name(BUS_NAME)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", messages::name_taken(BUS_NAME)))?;
    let _ = sd_notify::notify(&[
        sd_notify::NotifyState::Ready,
        sd_notify::NotifyState::Status(&status),
    ]);
    tracing::info!(status = %status, "orca-cad ready on {BUS_NAME}");

    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let reason = loop {
        tokio::select! {
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = tick.tick() => {
                if let (Some(limit), Some(idle)) = (settings.idle_timeout, activity.idle_for())
                    && idle >= limit {
                        break "idle";
                    }
            }
        }
    };
    let _ = sd_notify::notify(&[
        sd_notify::NotifyState::Stopping,
        sd_notify::NotifyState::Status("stopping"),
    ]);
    tracing::info!(reason, in_flight = activity.in_flight(), "stopping");
    // New callers now reach a fresh (activated) instance, which waits for
    // our state lock; the calls we accepted are answered first.
    let _ = connection.release_name(BUS_NAME).await;
    if !activity.drained(DRAIN_LIMIT).await {
        tracing::warn!(
            in_flight = activity.in_flight(),
            "calls still running at exit"
        );
    }
    let _ = connection
        .object_server()
        .remove::<CaTool, _>(OBJECT_PATH)
        .await;
    drop(engine);
    drop(connection);
    // The engine finishes the jobs it has, then its thread ends.
    tokio::task::spawn_blocking(move || engine_thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("{}", messages::engine_gone()))?;
    Ok(())
}
