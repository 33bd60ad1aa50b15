//! The single owner of the CA service (and so of the SQLite connection): a
//! thread fed by a channel. Concurrent callers are served one at a time,
//! without any lock held across an await.

use std::sync::mpsc;
use std::thread::JoinHandle;

use orca_cad::service::CaService;
use tokio::sync::oneshot;

use super::authz::Caller;
use super::errors::BusError;

type Job = Box<dyn FnOnce(&mut Result<CaService, BusError>) + Send>;

#[derive(Clone, Debug)]
pub struct Engine {
    jobs: mpsc::Sender<Job>,
}

impl Engine {
    /// Starts the owner thread. A service that could not be opened is kept
    /// as its error, so every call explains what is wrong with the state
    /// instead of the daemon vanishing (bus activation would hide why).
    pub fn start(service: Result<CaService, BusError>) -> (Engine, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("ca-engine".into())
            .spawn(move || {
                let mut service = service;
                // Ends when every sender (every Engine clone) is gone.
                for job in rx {
                    job(&mut service);
                }
            })
            .unwrap_or_else(|e| panic!("cannot start the engine thread: {e}"));
        (Engine { jobs: tx }, handle)
    }

    /// As `run`, for a change `caller` asked for: a refusal or failure is
    /// logged with who and what, so the journal shows it, not only the
    /// caller's terminal.
    pub async fn run_for<R: Send + 'static>(
        &self,
        caller: &Caller,
        action: &'static str,
        f: impl FnOnce(&mut CaService) -> Result<R, BusError> + Send + 'static,
    ) -> Result<R, BusError> {
        let result = self.run(f).await;
        if let Err(e) = &result {
            tracing::warn!(
                action,
                uid = caller.uid,
                error = e.name(),
                detail = e.message(),
                "not done"
            );
        }
        result
    }

    /// Runs `f` on the owner thread and waits for its answer.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut CaService) -> Result<R, BusError> + Send + 'static,
    ) -> Result<R, BusError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |service| {
            let result = match service {
                Ok(s) => f(s),
                Err(e) => Err(e.clone()),
            };
            let _ = tx.send(result);
        });
        self.jobs.send(job).map_err(|_| {
            BusError::new(
                orca_ca_proto::errors::SHUTTING_DOWN,
                orca_cad::messages::shutting_down(),
            )
        })?;
        rx.await.map_err(|_| {
            BusError::new(
                orca_ca_proto::errors::FAILED,
                orca_cad::messages::engine_gone(),
            )
        })?
    }
}
