//! A rampart server in the test process, on a free port, with a bootstrapped
//! org, mock proxy and API key.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use server::config::RawConfig;
use server::state::AppState;
use store::testing::TempDir;
use store::Secret;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct Harness {
    pub base: String,
    pub state: AppState,
    pub key: String,
    pub org_id: String,
    pub proxy_id: String,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
    _dir: TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn start(db: Db) -> Harness {
    start_with(db, |_| {}).await
}

pub async fn start_with(db: Db, tweak: impl FnOnce(&mut RawConfig)) -> Harness {
    let dir = TempDir::new();
    let database_url = match db {
        Db::Sqlite => format!("sqlite://{}/rampart.db?mode=rwc", dir.path.display()),
        Db::Postgres => store::testing::postgres_url().await,
    };
    let mut raw = RawConfig {
        addr: Some("127.0.0.1:0".into()),
        data_dir: Some(dir.path.clone()),
        database_url: Some(Secret::new(database_url)),
        secret_key: Some(Secret::new("test-master-secret-0123456789abcdef".into())),
        // Test receivers listen on 127.0.0.1; a test of the default turns this off.
        webhook_allow_private_networks: Some(true),
        ..RawConfig::default()
    };
    tweak(&mut raw);
    let config = raw.validate().expect("valid config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let running = server::start(config).await.expect("start");
    let state = running.state.clone();
    let shutdown = running.shutdown.clone();
    let boot = server::bootstrap::run(
        &state.store,
        &state.master,
        "Acme",
        "owner@example.com",
        Secret::new("correct horse battery".into()),
    )
    .await
    .expect("bootstrap");
    state.snapshot.reload(&state.store, &state.master, state.config.upstream_timeout).await.expect("reload");
    tokio::spawn(async move {
        let _ = server::serve(&running, listener).await;
        running.stop().await;
    });
    Harness {
        base: format!("http://{addr}"),
        state,
        key: boot.api_key.expose().clone(),
        org_id: boot.org_id,
        proxy_id: boot.proxy_id,
        http: reqwest::Client::new(),
        shutdown,
        _dir: dir,
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.key)
    }

    /// Reloads the proxy's snapshot after changing the store directly.
    pub async fn reload(&self) {
        self.state
            .snapshot
            .reload(&self.state.store, &self.state.master, self.state.config.upstream_timeout)
            .await
            .expect("reload");
    }

    /// Waits until the event writer has stored at least `n` events.
    pub async fn events(&self, n: usize) -> Vec<store::events::RequestEvent> {
        for _ in 0..100 {
            let events = self.state.store.list_events(&self.org_id, 500).await.expect("events");
            if events.len() >= n {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} events were recorded");
    }

    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.http.get(self.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("metric {name} missing"))
    }
}

/// Serves the mock LLM on a free port, as an "external" upstream.
pub async fn external_mock() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, server::mock_llm::router()).await;
    });
    format!("http://{addr}")
}

/// A port on which nothing listens.
pub async fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// The concatenated text of an SSE answer, for each API.
pub fn sse_text(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let Some(data) = line.strip_prefix("data: ") else { continue };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else { continue };
        if let Some(t) = v.pointer("/choices/0/delta/content").and_then(|t| t.as_str()) {
            out.push_str(t);
        }
        if v["type"] == "content_block_delta" {
            out.push_str(v.pointer("/delta/text").and_then(|t| t.as_str()).unwrap_or(""));
        }
        if v["type"] == "response.output_text.delta" {
            out.push_str(v["delta"].as_str().unwrap_or(""));
        }
    }
    out
}
