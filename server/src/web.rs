//! The HTTP surface: one router, one tower stack.
//!
//! Layers, outermost first — what each adds to a request:
//!
//! 1. **Request id** — `x-request-id` (kept if the client sent a sane one,
//!    otherwise generated) and echoed on the response.
//! 2. **Tracing** — one span per request carrying method, path and request id.
//! 3. **Panic guard** — a bug answers 500 instead of dropping the connection.
//! 4. **Routes**:
//!    - `/v1/…` — the proxy ([`crate::proxy`]): body limit → API key →
//!      validate → upstream (stream) → record event (async).
//!    - `/v1/guard/{proxy_id}/…` — the guard API ([`crate::guard`]): scans
//!      on request (recorded through the event writer) and their stats.
//!    - `/healthz`, `/metrics` — liveness and a few gauges and counters.
//!    - everything else — the dashboard, behind the **session** layer
//!      (resolves the cookie into the signed-in user, sends anonymous page
//!      views to `/login`) and the **CSRF** check (state-changing requests
//!      must come from our own origin).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use app::auth::{Backend, CurrentSession, Flash, LoginLimiter};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use store::Store;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{guard, proxy};

const REQUEST_ID: &str = "x-request-id";

/// Dashboard paths open without a session: the sign-in pages, the static
/// bundle, and server functions (which check the session themselves and
/// answer 401). Every other page redirects to `/login`, so a new page is
/// protected without being listed anywhere.
fn is_public_path(path: &str) -> bool {
    matches!(path, "/login" | "/signup") || path.starts_with("/pkg/") || path.starts_with("/api/")
}

pub fn router(state: AppState) -> Router {
    let backend = backend(&state, Flash::default());
    let context = move || provide_context(backend.clone());
    let routes = generate_route_list(app::App);
    let dashboard: Router<AppState> = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, app::shell))
        .layer(middleware::from_fn_with_state(state.clone(), session_layer));

    let api: Router<AppState> = Router::new()
        .route("/v1/chat/completions", post(proxy::chat_completions))
        .route("/v1/responses", post(proxy::responses))
        .route("/v1/messages", post(proxy::messages))
        .route("/v1/models", get(proxy::models))
        .route("/v1/guard/{proxy_id}/agent/scan-content", post(guard::scan_content))
        .route("/v1/guard/{proxy_id}/agent/scan-output", post(guard::scan_output))
        .route("/v1/guard/{proxy_id}/settings/ibac", get(guard::get_ibac_settings).put(guard::put_ibac_settings))
        .route(
            "/v1/guard/{proxy_id}/settings/content-scanning",
            get(guard::get_content_scanning).put(guard::put_content_scanning),
        )
        .route("/v1/guard/{proxy_id}/content/stats", get(guard::content_stats))
        .route("/v1/guard/agent/scan-content", post(guard::missing_proxy_id))
        .route("/v1/guard/agent/scan-output", post(guard::missing_proxy_id))
        .route("/v1/{*rest}", any(proxy::not_found))
        .route("/v1", any(proxy::not_found))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics));

    api.merge(dashboard)
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .with_state(state)
}

fn backend(state: &AppState, flash: Flash) -> Backend {
    let snapshot = state.snapshot.clone();
    let policy = crate::outbound::Policy::from_config(&state.config);
    Backend {
        store: state.store.clone(),
        master: state.master.clone(),
        cookie_secure: state.config.cookie_secure,
        session_ttl: state.config.session_ttl,
        config_changed: Arc::new(move || snapshot.notify_changed()),
        flash,
        logins: LoginLimiter::default(),
        check_webhook_url: Arc::new(move |url| policy.check_saved_url(url)),
    }
}

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, request: &axum::http::Request<B>) -> Option<RequestId> {
        // Keep a client's id only if it is short and plain, so it is safe to log.
        if let Some(v) = request.headers().get(REQUEST_ID) {
            let ok =
                v.len() <= 64 && v.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
            if ok {
                return Some(RequestId::new(v.clone()));
            }
        }
        HeaderValue::from_str(&store::random_id("req", 12)).ok().map(RequestId::new)
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unavailable").into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = format!(
        "# TYPE rampart_active_streams gauge\nrampart_active_streams {}\n\
         # TYPE rampart_events_dropped_total counter\nrampart_events_dropped_total {}\n\
         # TYPE rampart_config_version gauge\nrampart_config_version {}\n\
         # TYPE rampart_webhook_delivered_total counter\nrampart_webhook_delivered_total {}\n\
         # TYPE rampart_webhook_failed_attempts_total counter\nrampart_webhook_failed_attempts_total {}\n\
         # TYPE rampart_webhook_failed_total counter\nrampart_webhook_failed_total {}\n",
        state.active_streams.load(Ordering::Relaxed),
        state.events.dropped(),
        state.snapshot.load().version,
        state.webhooks.delivered.load(Ordering::Relaxed),
        state.webhooks.failed_attempts.load(Ordering::Relaxed),
        state.webhooks.failed.load(Ordering::Relaxed),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Resolves the session cookie, guards protected pages and checks the
/// origin of state-changing requests.
async fn session_layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) && !same_origin(&request) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    let cookies =
        request.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("; ");
    // Static assets need no session.
    let session: Option<CurrentSession> = if cookies.is_empty() || request.uri().path().starts_with("/pkg/") {
        None
    } else {
        match app::auth::resolve(&state.store, &state.master, &cookies).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "could not resolve a session");
                return (StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable").into_response();
            }
        }
    };
    let path = request.uri().path().to_string();
    if session.is_none() && method == Method::GET && !is_public_path(&path) {
        return Redirect::to("/login").into_response();
    }
    if let Some(s) = session {
        request.extensions_mut().insert(s);
    }
    let mut response = next.run(request).await;
    // Dashboard pages carry per-user data: never cache them in shared caches.
    if !path.starts_with("/pkg/") {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

/// Whether a request's `Origin` (or, failing that, `Referer`) names this host.
/// Browsers send `Origin` on every cross-site POST, so a missing header on a
/// state-changing request is refused rather than trusted.
fn same_origin(request: &Request<Body>) -> bool {
    let Some(host) = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let source = request
        .headers()
        .get(header::ORIGIN)
        .or_else(|| request.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let Some(source) = source else { return false };
    let Ok(uri) = source.parse::<axum::http::Uri>() else { return false };
    uri.authority().is_some_and(|a| a.as_str().eq_ignore_ascii_case(host))
}

/// How long expired challenges and settled webhook deliveries are kept: the
/// dashboard charts challenges per category and lists deliveries over the
/// last 30 days. Expired challenges are refused either way.
const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// Every ten minutes: deletes expired sessions, challenges and settled
/// webhook deliveries once they are older than [`RETENTION_MS`], and request
/// events and guard scans once they are older than `retention` (`None` keeps
/// them).
pub async fn run_session_sweeper(store: Store, retention: Option<Duration>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(600)) => {
                if let Err(e) = store.purge_expired_sessions().await {
                    tracing::warn!(error = %e, "could not purge expired sessions");
                }
                if let Err(e) = store.purge_expired_challenges(RETENTION_MS).await {
                    tracing::warn!(error = %e, "could not purge expired challenges");
                }
                if let Err(e) = store.purge_webhook_deliveries(store::now_ms() - RETENTION_MS).await {
                    tracing::warn!(error = %e, "could not purge old webhook deliveries");
                }
                if let Some(keep) = retention {
                    let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
                    match store.purge_old_records(store::now_ms().saturating_sub(keep_ms)).await {
                        Ok(p) if p.request_events + p.guard_scans > 0 => tracing::info!(
                            request_events = p.request_events,
                            guard_scans = p.guard_scans,
                            "deleted records past the retention period"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not purge records past the retention period"),
                    }
                }
            }
        }
    }
}
