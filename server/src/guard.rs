//! The guard API: `/v1/guard/{proxy_id}/…`, for applications that scan
//! content themselves — tool outputs and retrieved documents before an agent
//! reads them. Authenticated with one of the org's API keys; a proxy of
//! another org does not exist as far as the caller can tell (404). Errors
//! use `{"error": <reason>, "message": …}`.
//!
//! Every scan is recorded through the event writer (off the request's path)
//! for `content/stats`, and one that finds threats raises a
//! `threat.detected` webhook.

use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use engine::{Action, Scanner, Source, Verdict};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::snapshot::Scanning;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or invalid API key")]
    Unauthorized,
    #[error("proxy not found")]
    NotFound,
    #[error("content is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("this proxy's content scanning configuration is invalid; fix it in the dashboard")]
    Misconfigured,
    #[error("internal error")]
    Internal,
}

impl GuardError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            GuardError::BadRequest(_) => StatusCode::BAD_REQUEST,
            GuardError::Unauthorized => StatusCode::UNAUTHORIZED,
            GuardError::NotFound => StatusCode::NOT_FOUND,
            GuardError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            GuardError::Misconfigured => StatusCode::SERVICE_UNAVAILABLE,
            GuardError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for GuardError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let reason = status.canonical_reason().unwrap_or("Error");
        (status, Json(json!({"error": reason, "message": self.to_string()}))).into_response()
    }
}

/// Answer for the guard routes that were called without a proxy id.
pub async fn missing_proxy_id() -> Response {
    GuardError::BadRequest("proxy_id is required".into()).into_response()
}

#[derive(Debug, Deserialize)]
struct ScanContentRequest {
    content: String,
    #[serde(default)]
    source: Option<String>,
    /// Where the content came from (a file, a URL); echoed back, not interpreted.
    #[serde(default)]
    source_path: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ScanOutputRequest {
    output: String,
    #[serde(default)]
    tool_name: Option<String>,
    #[serde(default)]
    tool_id: Option<String>,
}

/// The org of the presented key, if `proxy_id` is one of its proxies, with
/// that proxy's runtime from the snapshot.
fn proxy_of_caller(
    state: &AppState,
    headers: &HeaderMap,
    proxy_id: &str,
) -> Result<(String, std::sync::Arc<crate::snapshot::ProxyRuntime>), GuardError> {
    let key = crate::proxy::presented_key(headers).ok_or(GuardError::Unauthorized)?;
    let snapshot = state.snapshot.load();
    let caller = snapshot.authenticate(key).ok_or(GuardError::Unauthorized)?;
    let proxy = snapshot.proxy(proxy_id).filter(|p| p.org_id == caller.org_id).cloned().ok_or(GuardError::NotFound)?;
    Ok((caller.org_id, proxy))
}

/// The scanner of `proxy_id` and its block behaviour, if the presented key
/// belongs to its org, and that org.
fn scanner_for(
    state: &AppState,
    headers: &HeaderMap,
    proxy_id: &str,
) -> Result<((std::sync::Arc<Scanner>, store::proxies::BlockBehavior), String), GuardError> {
    let (org_id, proxy) = proxy_of_caller(state, headers, proxy_id)?;
    match &proxy.scanning {
        Scanning::On(s) | Scanning::Disabled(s) => Ok(((std::sync::Arc::clone(s), proxy.block_behavior()), org_id)),
        Scanning::Broken(_) => Err(GuardError::Misconfigured),
    }
}

/// What one guard scan was, for [`record`].
struct ScanRecord<'a> {
    org_id: String,
    proxy_id: String,
    kind: &'static str,
    source: Source,
    /// The JSON pointer of the scanned text in the request body.
    pointer: &'static str,
    headers: &'a HeaderMap,
}

/// Queues the scan for the event writer: stats, and an alert if it found
/// something. Matched personal data and secrets are replaced by their length,
/// as for proxied requests.
fn record(state: &AppState, scan: ScanRecord<'_>, verdict: &Verdict, duration_ms: f64) {
    let located: Vec<crate::scan::Located> = verdict
        .findings
        .iter()
        .map(|f| crate::scan::Located { finding: f.clone(), location: scan.pointer.to_string(), source: scan.source })
        .collect();
    let mut types: Vec<String> = verdict.findings.iter().map(|f| f.threat_type.as_str().to_string()).collect();
    types.sort_unstable();
    types.dedup();
    let source = serde_json::to_value(scan.source).ok().and_then(|v| v.as_str().map(str::to_string));
    state.events.record_guard_scan(store::guard_scans::GuardScan {
        id: store::random_id("gs", 12),
        org_id: scan.org_id,
        proxy_id: scan.proxy_id,
        kind: scan.kind.to_string(),
        source: source.unwrap_or_default(),
        action: action_name(verdict.action).to_string(),
        risk_score: (f64::from(verdict.risk_score) * 1e4).round() / 1e4,
        threat_types: types,
        threats: (!located.is_empty()).then(|| crate::scan::recordable(&located).to_string()),
        end_user_id: user_header(scan.headers),
        duration_us: (duration_ms * 1000.0).round() as i64,
        created_at: store::now_ms(),
    });
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Allow => "allow",
        Action::Warn => "warn",
        Action::Sanitize => "sanitize",
        Action::Block => "block",
    }
}

/// `x-user-id`, trimmed and bounded like the proxy's context headers.
fn user_header(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("x-user-id")?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| v.chars().take(256).collect())
}

fn parse<T: for<'de> Deserialize<'de>>(state: &AppState, body: &Bytes) -> Result<T, GuardError> {
    if body.len() > state.config.guard_max_content_bytes {
        return Err(GuardError::TooLarge(state.config.guard_max_content_bytes));
    }
    serde_json::from_slice(body).map_err(|e| GuardError::BadRequest(format!("invalid request body: {e}")))
}

async fn read(state: &AppState, body: Body) -> Result<Bytes, GuardError> {
    // Leave room for the JSON around the content; the content itself is checked in `parse`.
    let limit = state.config.guard_max_content_bytes.saturating_mul(2).saturating_add(64 * 1024);
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
            GuardError::TooLarge(state.config.guard_max_content_bytes)
        } else {
            GuardError::BadRequest("could not read the request body".into())
        }
    })
}

async fn run_scan(
    (scanner, behavior): (std::sync::Arc<Scanner>, store::proxies::BlockBehavior),
    text: String,
    source: Source,
) -> Result<(Verdict, String, f64), GuardError> {
    let started = Instant::now();
    let (mut verdict, text) = tokio::task::spawn_blocking(move || {
        let verdict = scanner.scan(&text, source);
        (verdict, text)
    })
    .await
    .map_err(|_| GuardError::Internal)?;
    verdict.action = behavior.apply(verdict.action);
    Ok((verdict, text, started.elapsed().as_secs_f64() * 1000.0))
}

fn threats(verdict: &Verdict) -> Value {
    Value::Array(
        verdict
            .findings
            .iter()
            .map(|f| {
                json!({
                    "type": f.custom_type.as_deref().filter(|_| f.threat_type == engine::ThreatType::Custom).unwrap_or(f.threat_type.as_str()),
                    "severity": f.severity,
                    "location": {"start": f.start, "end": f.end},
                    "pattern": f.pattern,
                    "original": f.original,
                })
            })
            .collect(),
    )
}

/// What the caller may pass on: the text itself, the cleaned text, or
/// nothing when it must not be used.
fn passable(verdict: &Verdict, text: String) -> Value {
    match verdict.action {
        Action::Allow | Action::Warn => Value::String(text),
        Action::Sanitize => verdict.sanitized.clone().map(Value::String).unwrap_or(Value::Null),
        Action::Block => Value::Null,
    }
}

/// The scan-content answer for `text`: also what `rampart scan` prints.
pub fn content_verdict(verdict: &Verdict, text: String, duration_ms: f64) -> Value {
    let mut body = verdict_body(verdict, duration_ms);
    body.insert("safe_content".into(), passable(verdict, text));
    Value::Object(body)
}

fn verdict_body(verdict: &Verdict, duration_ms: f64) -> serde_json::Map<String, Value> {
    let mut body = serde_json::Map::new();
    body.insert("action".into(), json!(verdict.action));
    body.insert("safe".into(), json!(matches!(verdict.action, Action::Allow)));
    body.insert("threats_detected".into(), threats(verdict));
    // Rounded: the score is an f32, and its f64 rendering carries noise digits.
    body.insert("risk_score".into(), json!((f64::from(verdict.risk_score) * 1e4).round() / 1e4));
    body.insert("scan_duration_ms".into(), json!((duration_ms * 1e3).round() / 1e3));
    body
}

pub async fn scan_content(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, GuardError> {
    let (scanner, org_id) = scanner_for(&state, &headers, &proxy_id)?;
    let request: ScanContentRequest = parse(&state, &read(&state, body).await?)?;
    let source = match request.source.as_deref() {
        None | Some("") => Source::Document,
        Some(s) => s.parse::<Source>().unwrap_or(Source::Document),
    };
    let (verdict, text, ms) = run_scan(scanner, request.content, source).await?;
    let scan = ScanRecord { org_id, proxy_id, kind: "content", source, pointer: "/content", headers: &headers };
    record(&state, scan, &verdict, ms);
    let mut body = verdict_body(&verdict, ms);
    body.insert("safe_content".into(), passable(&verdict, text));
    body.insert("source".into(), json!(source));
    if let Some(path) = request.source_path {
        body.insert("source_path".into(), json!(path));
    }
    Ok(Json(Value::Object(body)))
}

pub async fn scan_output(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, GuardError> {
    let (scanner, org_id) = scanner_for(&state, &headers, &proxy_id)?;
    let request: ScanOutputRequest = parse(&state, &read(&state, body).await?)?;
    let (verdict, text, ms) = run_scan(scanner, request.output, Source::ToolOutput).await?;
    let scan = ScanRecord {
        org_id,
        proxy_id,
        kind: "output",
        source: Source::ToolOutput,
        pointer: "/output",
        headers: &headers,
    };
    record(&state, scan, &verdict, ms);
    let mut body = verdict_body(&verdict, ms);
    body.insert("sanitized_output".into(), passable(&verdict, text));
    if let Some(name) = request.tool_name {
        body.insert("tool_name".into(), json!(name));
    }
    if let Some(id) = request.tool_id {
        body.insert("tool_id".into(), json!(id));
    }
    Ok(Json(Value::Object(body)))
}

/// IBAC settings as the guard API shows and takes them. The webhook secret
/// is write-only: it is accepted, stored encrypted, and reported only as set.
#[derive(Debug, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IbacSettingsBody {
    pub enabled: bool,
    #[serde(default)]
    pub categories: std::collections::BTreeMap<String, engine::ibac::CategorySettings>,
    #[serde(default)]
    pub custom_categories: Vec<engine::ibac::CustomCategory>,
    #[serde(default)]
    pub verification_mode: store::proxies::VerificationMode,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default, skip_serializing)]
    pub webhook_secret: Option<store::Secret<String>>,
    #[serde(default, skip_deserializing)]
    pub webhook_secret_set: bool,
    #[serde(default)]
    pub challenge_ttl_seconds: Option<u64>,
    #[serde(default)]
    pub webhook_timeout_ms: Option<u64>,
}

async fn owned_proxy(
    state: &AppState,
    headers: &HeaderMap,
    proxy_id: &str,
) -> Result<store::proxies::Proxy, GuardError> {
    let key = crate::proxy::presented_key(headers).ok_or(GuardError::Unauthorized)?;
    let caller = state.snapshot.load().authenticate(key).ok_or(GuardError::Unauthorized)?;
    match state.store.get_proxy(&caller.org_id, proxy_id).await {
        Ok(p) => Ok(p),
        Err(store::StoreError::NotFound(_)) => Err(GuardError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, "could not load a proxy for the guard API");
            Err(GuardError::Internal)
        }
    }
}

/// Stores a proxy's new settings and reloads the snapshot, so the change
/// takes effect for the next request rather than after the next poll.
async fn save_settings(
    state: &AppState,
    proxy: store::proxies::Proxy,
    settings: store::proxies::ProxySettings,
) -> Result<store::proxies::Proxy, GuardError> {
    let updated = state.store.update_proxy_settings(&proxy.org_id, &proxy.id, &settings).await.map_err(|e| {
        tracing::error!(error = %e, "could not save proxy settings");
        GuardError::Internal
    })?;
    if let Err(e) = state.snapshot.reload(&state.store, &state.master, state.config.upstream_timeout).await {
        tracing::error!(error = %e, "could not reload the configuration snapshot");
    }
    Ok(updated)
}

fn ibac_body(s: &store::proxies::IbacSettings) -> IbacSettingsBody {
    IbacSettingsBody {
        enabled: s.enabled,
        categories: s.detector.categories.clone(),
        custom_categories: s.detector.custom.clone(),
        verification_mode: s.verification,
        webhook_url: s.webhook_url.clone(),
        webhook_secret: None,
        webhook_secret_set: s.webhook_secret_enc.is_some(),
        challenge_ttl_seconds: Some(s.challenge_ttl_secs),
        webhook_timeout_ms: Some(s.webhook_timeout_ms),
    }
}

pub async fn get_ibac_settings(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<IbacSettingsBody>, GuardError> {
    let proxy = owned_proxy(&state, &headers, &proxy_id).await?;
    Ok(Json(ibac_body(&proxy.settings.ibac)))
}

pub async fn put_ibac_settings(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IbacSettingsBody>, GuardError> {
    let proxy = owned_proxy(&state, &headers, &proxy_id).await?;
    let bytes = read(&state, body).await?;
    let wanted: IbacSettingsBody =
        serde_json::from_slice(&bytes).map_err(|e| GuardError::BadRequest(format!("invalid settings: {e}")))?;
    // A URL saved earlier is not held against an unrelated edit (the policy
    // still applies to every call it makes).
    let new_url = wanted.webhook_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if let Some(url) = new_url.filter(|u| proxy.settings.ibac.webhook_url.as_deref() != Some(*u)) {
        crate::outbound::Policy::from_config(&state.config)
            .check_saved_url(url)
            .map_err(|e| GuardError::BadRequest(format!("webhook_url: {e}")))?;
    }
    let mut settings = proxy.settings.clone();
    let change = store::proxies::IbacChange {
        enabled: Some(wanted.enabled),
        detector: Some(engine::ibac::IbacConfig { categories: wanted.categories, custom: wanted.custom_categories }),
        verification: Some(wanted.verification_mode),
        webhook_url: wanted.webhook_url,
        webhook_secret: wanted.webhook_secret,
        challenge_ttl_secs: wanted.challenge_ttl_seconds,
        webhook_timeout_ms: wanted.webhook_timeout_ms,
    };
    settings.ibac.apply(change, &state.master).map_err(|e| GuardError::BadRequest(e.0))?;
    let updated = save_settings(&state, proxy, settings).await?;
    Ok(Json(ibac_body(&updated.settings.ibac)))
}

/// Content-scanning settings as the guard API shows and takes them.
/// `threat_actions` overrides the action per threat type; setting any puts
/// the scanner on the `custom` level with the thresholds of the level it was on.
#[derive(Debug, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentScanningBody {
    pub enabled: bool,
    #[serde(default)]
    pub level: Option<engine::ThreatLevel>,
    #[serde(default)]
    pub block_behavior: store::proxies::BlockBehavior,
    #[serde(default)]
    pub threat_actions: std::collections::BTreeMap<engine::ThreatType, Action>,
}

fn scanning_body(s: &store::proxies::ScanSettings) -> ContentScanningBody {
    ContentScanningBody {
        enabled: s.enabled,
        level: Some(s.scanner.level),
        block_behavior: s.block_behavior,
        threat_actions: s.scanner.type_actions.clone(),
    }
}

pub async fn get_content_scanning(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ContentScanningBody>, GuardError> {
    let proxy = owned_proxy(&state, &headers, &proxy_id).await?;
    Ok(Json(scanning_body(&proxy.settings.scanning)))
}

pub async fn put_content_scanning(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ContentScanningBody>, GuardError> {
    let proxy = owned_proxy(&state, &headers, &proxy_id).await?;
    let bytes = read(&state, body).await?;
    let wanted: ContentScanningBody =
        serde_json::from_slice(&bytes).map_err(|e| GuardError::BadRequest(format!("invalid settings: {e}")))?;
    let mut settings = proxy.settings.clone();
    let change = store::proxies::ScanChange {
        enabled: Some(wanted.enabled),
        level: wanted.level,
        block_behavior: Some(wanted.block_behavior),
        threat_actions: Some(wanted.threat_actions),
        ..Default::default()
    };
    settings.scanning.apply(change).map_err(|e| GuardError::BadRequest(e.0))?;
    let updated = save_settings(&state, proxy, settings).await?;
    Ok(Json(scanning_body(&updated.settings.scanning)))
}

#[derive(Debug, Deserialize)]
struct StatsQuery {
    #[serde(default)]
    start_time: Option<String>,
}

/// `start_time` as unix milliseconds: RFC 3339, or a unix time in seconds
/// or milliseconds (a number this large is milliseconds: as seconds it would
/// be after the year 5000).
fn parse_start_time(value: &str) -> Result<i64, GuardError> {
    let value = value.trim();
    let bad = || {
        GuardError::BadRequest(format!(
            "start_time `{}` is neither an RFC 3339 time nor a unix time in seconds or milliseconds",
            value.chars().take(64).collect::<String>()
        ))
    };
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = value.parse().map_err(|_| bad())?;
        return Ok(if n >= 100_000_000_000 { n } else { n.saturating_mul(1000) });
    }
    let t = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).map_err(|_| bad())?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad())
}

/// `GET /v1/guard/{proxy_id}/content/stats?start_time=…`: what this proxy's
/// guard scans found since `start_time` (default: the last 24 hours).
pub async fn content_stats(
    State(state): State<AppState>,
    Path(proxy_id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, GuardError> {
    let (org_id, _) = proxy_of_caller(&state, &headers, &proxy_id)?;
    let Query(query) = Query::<StatsQuery>::try_from_uri(&uri)
        .map_err(|e| GuardError::BadRequest(format!("invalid query string: {}", e.body_text())))?;
    let since = match query.start_time.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_start_time(s)?,
        None => store::now_ms() - 24 * 3600 * 1000,
    };
    let stats = state.store.guard_scan_stats(&org_id, &proxy_id, since).await.map_err(|e| {
        tracing::error!(error = %e, "could not read guard scan stats");
        GuardError::Internal
    })?;
    Ok(Json(json!({"stats": stats, "start_time": store::rfc3339(since)})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_takes_rfc3339_seconds_and_milliseconds() {
        assert_eq!(parse_start_time("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_start_time("2023-11-14T23:13:20+01:00").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_start_time("1700000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_start_time("1700000000123").unwrap(), 1_700_000_000_123);
        for bad in ["yesterday", "-5", "1.5", "2023-11-14", "99999999999999999999999"] {
            assert!(matches!(parse_start_time(bad), Err(GuardError::BadRequest(_))), "{bad}");
        }
    }
}
