//! orca-cad: the privileged daemon that alone holds the CA key.

mod bus;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use orca_cad::cli::Args;
use orca_cad::config::{self, Config};

fn init_logging() {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let journald = std::path::Path::new("/run/systemd/journal/socket")
        .exists()
        .then(tracing_journald::layer)
        .and_then(Result::ok);
    let registry = tracing_subscriber::registry().with(filter);
    match journald {
        Some(layer) => registry.with(layer).init(),
        // The journal adds its own timestamps; so does anything capturing stderr.
        None => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .without_time()
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .with_writer(std::io::stderr),
            )
            .init(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    let explicit = args.config.as_os_str() != config::DEFAULT_PATH;
    let config = Config::load(&args.config, explicit).map(|mut c| {
        if let Some(d) = &args.state_dir {
            c.state_dir = d.clone();
        }
        if let Some(d) = &args.weborca_dir {
            c.weborca_dir = d.clone();
        }
        if let Some(t) = args.idle_timeout {
            c.idle_timeout_secs = t;
        }
        c
    });
    let idle = match &config {
        Ok(c) => c.idle_timeout_secs,
        Err(_) => args
            .idle_timeout
            .unwrap_or(Config::default().idle_timeout_secs),
    };
    let settings = bus::Settings {
        config,
        idle_timeout: (idle > 0).then(|| Duration::from_secs(idle)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("orca-cad: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bus::run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("orca-cad: {e:#}");
            ExitCode::FAILURE
        }
    }
}
