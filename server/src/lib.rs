//! The `rampart` server: proxy, dashboard wiring and background workers.
//! See `DESIGN.md` beside this crate for how a request flows.

pub mod bootstrap;
pub mod config;
pub mod error;
pub mod events;
pub mod guard;
pub mod ibac;
pub mod mock_llm;
pub mod outbound;
pub mod proxy;
pub mod scan;
pub mod signing;
pub mod snapshot;
pub mod state;
pub mod upstream;
pub mod web;
pub mod webhooks;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use leptos::prelude::LeptosOptions;
use store::crypto::MasterKey;
use store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::snapshot::{Snapshot, SnapshotHandle};
use crate::state::{AppState, Inner};
use crate::upstream::Upstreams;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("could not listen on {addr}: {source}")]
    Listen { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// A running server: its state, its background tasks and how to stop them.
pub struct Running {
    pub state: AppState,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
}

impl Running {
    /// Stops the background tasks, letting the event writer flush.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
        self.state.store.close().await;
    }
}

/// Connects the store (running migrations), loads the snapshot and starts
/// the background tasks. Does not listen yet.
pub async fn start(mut config: Config) -> Result<Running, StartError> {
    if config.database_url.expose().starts_with("sqlite:") {
        config.ensure_data_dir()?;
    }
    let secret = config.resolve_secret_key()?;
    let master = MasterKey::derive(&secret);
    let store = Store::connect(config.database_url.expose()).await?;
    let snapshot = SnapshotHandle::new(Snapshot::load(&store, &master, config.upstream_timeout, None).await?);
    let (events, events_rx) = events::channel();
    let hooks = Arc::new(webhooks::Webhooks::default());
    let outbound_policy = outbound::Policy::from_config(&config);
    let webhook_client = webhooks::client(outbound_policy)?;
    let ibac_http = ibac::client(outbound_policy)?;
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    tasks.spawn(events::run_writer(store.clone(), events_rx, Arc::clone(&hooks.wake), shutdown.clone()));
    tasks.spawn(webhooks::run_worker(
        store.clone(),
        master.clone(),
        Arc::clone(&hooks),
        webhook_client,
        webhooks::RetryPolicy::from_config(&config),
        shutdown.clone(),
    ));
    tasks.spawn(snapshot.clone().run_refresher(
        store.clone(),
        master.clone(),
        config.upstream_timeout,
        shutdown.clone(),
    ));
    tasks.spawn(web::run_session_sweeper(store.clone(), config.retention, shutdown.clone()));
    let leptos_options = LeptosOptions::builder()
        .output_name("rampart")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build();
    let state = AppState::new(Inner {
        upstreams: Upstreams::new()?,
        ibac_http,
        config,
        store,
        master,
        snapshot,
        events,
        webhooks: hooks,
        active_streams: Arc::new(AtomicUsize::new(0)),
        leptos_options,
    });
    Ok(Running { state, shutdown, tasks })
}

/// Serves on an already-bound listener until `shutdown` is cancelled.
pub async fn serve(running: &Running, listener: TcpListener) -> Result<(), StartError> {
    let router = web::router(running.state.clone());
    let shutdown = running.shutdown.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(StartError::Serve)
}

/// Binds the configured address.
pub async fn bind(config: &Config) -> Result<TcpListener, StartError> {
    TcpListener::bind(config.addr).await.map_err(|source| StartError::Listen { addr: config.addr, source })
}
