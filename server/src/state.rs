//! Shared state of the running server.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use store::crypto::MasterKey;
use store::Store;

use crate::config::Config;
use crate::events::EventSink;
use crate::snapshot::SnapshotHandle;
use crate::upstream::Upstreams;
use crate::webhooks::Webhooks;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub master: MasterKey,
    pub snapshot: SnapshotHandle,
    pub events: EventSink,
    /// Wakes the webhook worker; delivery counters for `/metrics`.
    pub webhooks: Arc<Webhooks>,
    pub upstreams: Upstreams,
    /// Calls IBAC verification webhooks, held to the same outbound policy as
    /// webhook deliveries.
    pub ibac_http: crate::outbound::Client,
    /// Streams being relayed right now (exposed on `/metrics`): a client that
    /// goes away must bring this back down.
    pub active_streams: Arc<AtomicUsize>,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
