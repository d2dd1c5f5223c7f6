//! The proxy pipeline shared by the three provider APIs.
//!
//! For each request: authenticate the key against the in-memory snapshot,
//! read the body under the size limit, validate it in the shape of its API,
//! send it upstream under the proxy's deadline, then either relay the JSON
//! answer or relay the event stream event by event. Every authenticated
//! request becomes one event, handed to the event writer off the hot path.

pub mod anthropic_messages;
pub mod openai_chat;
pub mod openai_responses;
pub mod sse;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::stream::BoxStream;
use futures::StreamExt;
use serde_json::Value;
use store::events::RequestEvent;

use crate::error::{Flavor, ProxyError};
use crate::events::EventSink;
use crate::scan;
use crate::snapshot::{Caller, ProxyRuntime, Scanning};
use crate::state::AppState;
use crate::upstream::{Api, BodyError, UpstreamResponse};
use engine::Action;

/// What the pipeline needs from a validated request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub model: String,
    pub stream: bool,
}

pub(crate) fn require_model(body: &Value) -> Result<String, ProxyError> {
    match body.get("model") {
        Some(Value::String(m)) if !m.trim().is_empty() => Ok(m.clone()),
        Some(Value::String(_)) => Err(ProxyError::BadRequest("`model` must not be empty".into())),
        Some(_) => Err(ProxyError::BadRequest("`model` must be a string".into())),
        None => Err(ProxyError::BadRequest("missing required parameter: `model`".into())),
    }
}

pub(crate) fn require_stream_flag(body: &Value) -> Result<bool, ProxyError> {
    match body.get("stream") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ProxyError::BadRequest("`stream` must be a boolean".into())),
    }
}

pub async fn chat_completions(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(&state, Api::OpenAiChat, &headers, body).await
}

pub async fn responses(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(&state, Api::OpenAiResponses, &headers, body).await
}

pub async fn messages(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(&state, Api::AnthropicMessages, &headers, body).await
}

pub async fn models(State(state): State<AppState>, headers: HeaderMap) -> Response {
    handle(&state, Api::Models, &headers, Body::empty()).await
}

/// Unknown paths under `/v1/` answer in the OpenAI shape (the Anthropic SDK
/// reads `error.message` from it too).
pub async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    ProxyError::NotFound(format!("unknown route: {method} {}", uri.path())).into_response(Flavor::OpenAi)
}

/// The key from `Authorization: Bearer …` or `x-api-key` (the Anthropic SDK).
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
            return Some(v[7..].trim());
        }
    }
    headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim)
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ProxyError> {
    let key = presented_key(headers)
        .ok_or(ProxyError::Unauthorized("missing API key: send `Authorization: Bearer <key>` or `x-api-key: <key>`"))?;
    state.snapshot.load().authenticate(key).ok_or(ProxyError::Unauthorized("invalid or revoked API key"))
}

/// A context header, trimmed and bounded so a client cannot bloat the event table.
fn context_header(headers: &HeaderMap, name: &str) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    if v.is_empty() {
        return None;
    }
    Some(v.chars().take(256).collect())
}

async fn read_body(body: Body, limit: usize, headers: &HeaderMap) -> Result<Bytes, ProxyError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ProxyError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            ProxyError::PayloadTooLarge { limit }
        } else {
            ProxyError::BadRequest("could not read the request body".into())
        }
    })
}

/// Parses and checks a request body; `None` for bodiless requests.
fn validate(api: Api, body: &Bytes) -> Result<(RequestInfo, Option<Value>), ProxyError> {
    if api == Api::Models {
        return Ok((RequestInfo { model: String::new(), stream: false }, None));
    }
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| ProxyError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    if !json.is_object() {
        return Err(ProxyError::BadRequest("the request body must be a JSON object".into()));
    }
    let info = match api {
        Api::OpenAiChat => openai_chat::validate(&json)?,
        Api::OpenAiResponses => openai_responses::validate(&json)?,
        Api::AnthropicMessages => anthropic_messages::validate(&json)?,
        Api::Models => RequestInfo { model: String::new(), stream: false },
    };
    Ok((info, Some(json)))
}

/// Bodies above this size are scanned on the blocking pool so a large
/// request cannot stall the async workers.
const SCAN_INLINE_LIMIT: usize = 32 * 1024;

/// Scans the request with the proxy's scanner, records the verdict on the
/// event, and returns the body to forward (rewritten when sanitised) with its
/// parsed form.
async fn scan(
    proxy: &ProxyRuntime,
    api: Api,
    bytes: Bytes,
    json: Option<Value>,
    event: &mut RequestEvent,
) -> Result<(Bytes, Option<Value>), ProxyError> {
    let (scanner, mut json) = match (&proxy.scanning, json) {
        (Scanning::Disabled(_), json) => return Ok((bytes, json)),
        (_, None) => return Ok((bytes, None)),
        (Scanning::Broken(_), Some(_)) => return Err(ProxyError::Misconfigured),
        (Scanning::On(scanner), Some(json)) => (Arc::clone(scanner), json),
    };
    let mut verdict = if bytes.len() > SCAN_INLINE_LIMIT {
        let (verdict, scanned) = tokio::task::spawn_blocking(move || {
            let verdict = scan::scan_request(&scanner, api, &mut json);
            (verdict, json)
        })
        .await
        .map_err(|_| ProxyError::Internal)?;
        json = scanned;
        verdict
    } else {
        scan::scan_request(&scanner, api, &mut json)
    };
    verdict.action = proxy.block_behavior().apply(verdict.action);
    let threats = scan::recordable(&verdict.findings);
    event.scan_action = Some(action_name(verdict.action).to_string());
    event.risk_score = Some(f64::from(verdict.risk_score));
    if !verdict.findings.is_empty() {
        event.threats = Some(threats.to_string());
    }
    match verdict.action {
        Action::Block => {
            let mut types: Vec<&str> = verdict.findings.iter().map(|f| f.finding.threat_type.as_str()).collect();
            types.sort_unstable();
            types.dedup();
            Err(ProxyError::Blocked { summary: types.join(", "), threats })
        }
        Action::Sanitize => {
            let bytes = serde_json::to_vec(&json).map(Bytes::from).map_err(|_| ProxyError::Internal)?;
            Ok((bytes, Some(json)))
        }
        Action::Allow | Action::Warn => Ok((bytes, Some(json))),
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Allow => "allow",
        Action::Warn => "warn",
        Action::Sanitize => "sanitize",
        Action::Block => "block",
    }
}

/// Token counts seen in an answer (JSON body or stream events).
#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    input: Option<i64>,
    output: Option<i64>,
}

impl Usage {
    /// Reads `usage` wherever the three APIs put it; later values win, which
    /// is right for Anthropic's running output count.
    fn observe(&mut self, v: &Value) {
        for pointer in ["/usage", "/response/usage", "/message/usage"] {
            if let Some(u) = v.pointer(pointer).filter(|u| u.is_object()) {
                let field = |names: [&str; 2]| names.iter().find_map(|n| u.get(*n).and_then(Value::as_i64));
                if let Some(i) = field(["prompt_tokens", "input_tokens"]) {
                    self.input = Some(i);
                }
                if let Some(o) = field(["completion_tokens", "output_tokens"]) {
                    self.output = Some(o);
                }
            }
        }
    }
}

/// The event for one request, filled in as the request goes.
struct Draft {
    event: RequestEvent,
    started: Instant,
    sink: EventSink,
}

impl Draft {
    fn new(state: &AppState, caller: &Caller, api: Api, headers: &HeaderMap, started: Instant) -> Self {
        Self {
            event: RequestEvent {
                id: store::random_id("req", 12),
                org_id: caller.org_id.clone(),
                proxy_id: caller.proxy.id.clone(),
                api_key_id: caller.key_id.clone(),
                api: api.name().to_string(),
                model: String::new(),
                stream: false,
                status: 0,
                latency_ms: 0,
                input_tokens: None,
                output_tokens: None,
                end_user_id: context_header(headers, "x-user-id"),
                session_id: context_header(headers, "x-session-id"),
                app_context: context_header(headers, "x-app-context"),
                error: None,
                created_at: store::now_ms(),
                scan_action: None,
                risk_score: None,
                threats: None,
            },
            started,
            sink: state.events.clone(),
        }
    }

    fn finish(mut self, status: StatusCode, usage: Usage, error: Option<String>) {
        self.event.status = status.as_u16();
        self.event.latency_ms = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.event.input_tokens = usage.input;
        self.event.output_tokens = usage.output;
        self.event.error = error;
        self.sink.record(self.event);
    }
}

async fn handle(state: &AppState, api: Api, headers: &HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let flavor = api.flavor();
    let caller = match authenticate(state, headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(flavor),
    };
    let mut draft = Draft::new(state, &caller, api, headers, started);
    let outcome = forward(state, api, &caller, headers, body, &mut draft.event).await;
    match outcome {
        Ok(Forwarded::Complete { response, usage }) => {
            draft.finish(response.status(), usage, None);
            response
        }
        Ok(Forwarded::Streaming(relay)) => relay.into_response(draft, &state.active_streams),
        Err(e) => {
            draft.finish(e.status_code(), Usage::default(), Some(e.to_string()));
            e.into_response(flavor)
        }
    }
}

enum Forwarded {
    Complete { response: Response, usage: Usage },
    Streaming(Box<Relay>),
}

async fn forward(
    state: &AppState,
    api: Api,
    caller: &Caller,
    headers: &HeaderMap,
    body: Body,
    event: &mut RequestEvent,
) -> Result<Forwarded, ProxyError> {
    let bytes = read_body(body, state.config.max_body_bytes, headers).await?;
    let (info, json) = validate(api, &bytes)?;
    event.model = info.model.clone();
    event.stream = info.stream;

    let proxy = &caller.proxy;
    // Content scanning first: a request that is an attack gets no challenge.
    let (bytes, json) = scan(proxy, api, bytes, json, event).await?;
    if let Some(json) = &json {
        crate::ibac::check(state, caller, api, json, headers).await?;
    }
    let deadline = proxy.timeout;
    let timeout_err = || ProxyError::UpstreamTimeout(deadline.as_millis());
    let method = if api == Api::Models { Method::GET } else { Method::POST };
    let upstream = tokio::time::timeout(deadline, state.upstreams.send(proxy, api, method, bytes, headers))
        .await
        .map_err(|_| timeout_err())?
        .map_err(|e| match e {
            ProxyError::UpstreamTimeout(_) => timeout_err(),
            other => other,
        })?;

    let is_sse = upstream
        .content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/event-stream"));
    if info.stream && upstream.status.is_success() && is_sse {
        let mut relay = Relay::new(upstream.body, deadline, api.flavor());
        relay.prime().await?;
        return Ok(Forwarded::Streaming(Box::new(relay)));
    }
    complete(upstream, deadline, timeout_err).await
}

/// Reads a whole (non-streaming) answer and checks it is JSON.
async fn complete(
    upstream: UpstreamResponse,
    deadline: Duration,
    timeout_err: impl Fn() -> ProxyError,
) -> Result<Forwarded, ProxyError> {
    let UpstreamResponse { status, mut body, .. } = upstream;
    let collect = async {
        let mut buf = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|_| ProxyError::UpstreamInvalid("the connection broke mid-answer".into()))?;
            buf.extend_from_slice(&chunk);
        }
        Ok::<_, ProxyError>(buf)
    };
    let buf = tokio::time::timeout(deadline, collect).await.map_err(|_| timeout_err())??;
    let parsed: Result<Value, _> = serde_json::from_slice(&buf);
    if !status.is_success() {
        let body = parsed.unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&buf).chars().take(512).collect()));
        return Err(ProxyError::Upstream { status, body });
    }
    let json = parsed.map_err(|_| ProxyError::UpstreamInvalid("the answer is not valid JSON".into()))?;
    let mut usage = Usage::default();
    usage.observe(&json);
    let response =
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], buf).into_response();
    Ok(Forwarded::Complete { response, usage })
}

/// Relays an upstream event stream, whole events at a time.
struct Relay {
    upstream: BoxStream<'static, Result<Bytes, BodyError>>,
    parser: sse::SseParser,
    queue: VecDeque<Bytes>,
    deadline: Duration,
    flavor: Flavor,
    usage: Usage,
    error: Option<String>,
    completed: bool,
    ended: bool,
    /// Set once the response has started; dropping the relay then records it.
    recording: Option<(Draft, Arc<AtomicUsize>)>,
}

impl Relay {
    fn new(upstream: BoxStream<'static, Result<Bytes, BodyError>>, deadline: Duration, flavor: Flavor) -> Self {
        Self {
            upstream,
            parser: sse::SseParser::default(),
            queue: VecDeque::new(),
            deadline,
            flavor,
            usage: Usage::default(),
            error: None,
            completed: false,
            ended: false,
            recording: None,
        }
    }

    /// Waits for the upstream's first event, so a failure before it can still
    /// be answered with a proper status code.
    async fn prime(&mut self) -> Result<(), ProxyError> {
        while self.queue.is_empty() {
            match tokio::time::timeout(self.deadline, self.upstream.next()).await {
                Err(_) => return Err(ProxyError::UpstreamTimeout(self.deadline.as_millis())),
                Ok(None) => return Err(ProxyError::UpstreamInvalid("the stream ended before its first event".into())),
                Ok(Some(Err(_))) => {
                    return Err(ProxyError::UpstreamInvalid("the connection broke before the first event".into()))
                }
                Ok(Some(Ok(chunk))) => self.accept(&chunk)?,
            }
        }
        Ok(())
    }

    fn accept(&mut self, chunk: &[u8]) -> Result<(), ProxyError> {
        for event in self.parser.push(chunk) {
            if !event.is_well_formed() {
                return Err(ProxyError::UpstreamInvalid("malformed stream event".into()));
            }
            if let Some(json) = event.json() {
                self.usage.observe(&json);
            }
            self.queue.push_back(event.raw);
        }
        Ok(())
    }

    /// Ends the stream with an error event in the API's shape.
    fn fail(&mut self, error: ProxyError) {
        self.queue.push_back(Bytes::from(error.sse_event(self.flavor)));
        self.error = Some(error.to_string());
        self.ended = true;
    }

    async fn next_chunk(mut self) -> Option<(Result<Bytes, Infallible>, Self)> {
        loop {
            if let Some(bytes) = self.queue.pop_front() {
                return Some((Ok(bytes), self));
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout(self.deadline, self.upstream.next()).await {
                Ok(Some(Ok(chunk))) => {
                    if let Err(e) = self.accept(&chunk) {
                        self.fail(e);
                    }
                }
                Ok(Some(Err(_))) => self.fail(ProxyError::UpstreamInvalid("the connection broke mid-stream".into())),
                Ok(None) if self.parser.pending() > 0 => {
                    self.fail(ProxyError::UpstreamInvalid("the stream ended inside an event".into()))
                }
                Ok(None) => {
                    self.completed = true;
                    self.ended = true;
                }
                Err(_) => self.fail(ProxyError::UpstreamTimeout(self.deadline.as_millis())),
            }
        }
    }

    fn into_response(mut self: Box<Self>, draft: Draft, active: &Arc<AtomicUsize>) -> Response {
        active.fetch_add(1, Ordering::Relaxed);
        self.recording = Some((draft, Arc::clone(active)));
        let body = Body::from_stream(futures::stream::unfold(*self, Relay::next_chunk));
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            body,
        )
            .into_response()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some((draft, active)) = self.recording.take() {
            active.fetch_sub(1, Ordering::Relaxed);
            let error = match (&self.error, self.completed) {
                (Some(e), _) => Some(e.clone()),
                (None, true) => None,
                (None, false) => Some("the client closed the stream before it ended".into()),
            };
            draft.finish(StatusCode::OK, self.usage, error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usage_is_read_from_every_api_shape() {
        let mut u = Usage::default();
        u.observe(&json!({"usage": {"prompt_tokens": 3, "completion_tokens": 4}}));
        assert_eq!((u.input, u.output), (Some(3), Some(4)));
        let mut u = Usage::default();
        u.observe(&json!({"type": "message_start", "message": {"usage": {"input_tokens": 9, "output_tokens": 1}}}));
        u.observe(&json!({"type": "message_delta", "usage": {"output_tokens": 12}}));
        assert_eq!((u.input, u.output), (Some(9), Some(12)));
        let mut u = Usage::default();
        u.observe(
            &json!({"type": "response.completed", "response": {"usage": {"input_tokens": 5, "output_tokens": 6}}}),
        );
        assert_eq!((u.input, u.output), (Some(5), Some(6)));
    }

    #[test]
    fn keys_come_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer rk_abc"));
        assert_eq!(presented_key(&h), Some("rk_abc"));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", HeaderValue::from_static("rk_def"));
        assert_eq!(presented_key(&h), Some("rk_def"));
        assert_eq!(presented_key(&HeaderMap::new()), None);
    }

    #[test]
    fn validation_rejects_wrong_types() {
        let bad = [
            (Api::OpenAiChat, r#"{"messages": []}"#),
            (Api::OpenAiChat, r#"{"model": 5, "messages": [{"role": "user", "content": "x"}]}"#),
            (Api::OpenAiChat, r#"{"model": "m", "messages": [{"content": "x"}]}"#),
            (Api::OpenAiChat, r#"{"model": "m", "messages": [{"role": "user"}], "stream": "yes"}"#),
            (Api::OpenAiResponses, r#"{"model": "m", "input": 3}"#),
            (Api::AnthropicMessages, r#"{"model": "m", "messages": [{"role": "user", "content": "x"}]}"#),
            (
                Api::AnthropicMessages,
                r#"{"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}"#,
            ),
            (Api::OpenAiChat, "[1, 2]"),
            (Api::OpenAiChat, "{not json"),
        ];
        for (api, body) in bad {
            let err = validate(api, &Bytes::from(body)).map(|(info, _)| info).unwrap_err();
            assert_eq!(err.status_code(), StatusCode::BAD_REQUEST, "{body}");
        }
        let (ok, _) = validate(
            Api::OpenAiChat,
            &Bytes::from(r#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": true}"#),
        )
        .unwrap();
        assert_eq!(ok, RequestInfo { model: "m".into(), stream: true });
    }
}
