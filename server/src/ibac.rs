//! Intent-based access control on the proxy path. When the latest user turn
//! asks for protected data (engine::ibac), the request is held before any
//! upstream call until the application proves its end user: rampart issues a
//! challenge (403), the application authenticates the user its own way and
//! retries with the challenge id and token, rampart verifies (trust or a
//! signed webhook, failing closed), and the verified challenge then lets the
//! same end user and category through until it expires.

use axum::http::HeaderMap;
use engine::ibac::{IntentAction, IntentMatch};
use serde_json::{json, Value};
use store::challenges::{Challenge, ChallengeStatus, NewChallenge};
use store::Secret;

use crate::error::ProxyError;
use crate::outbound;
use crate::snapshot::{Caller, Ibac, IbacRuntime, Verification};
use crate::state::AppState;
use crate::upstream::Api;

/// The retry headers, under both spellings clients use.
const PREFIXES: [&str; 2] = ["x-rampart-", "x-bastio-"];

fn retry_header(headers: &HeaderMap, name: &str) -> Option<String> {
    PREFIXES
        .iter()
        .find_map(|p| headers.get(format!("{p}{name}")).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string()))
}

/// The text of the latest user turn, where a data-access request would be.
pub fn latest_user_text(api: Api, body: &Value) -> Option<String> {
    let text_of = |content: &Value| -> String {
        match content {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts
                .iter()
                .filter(|p| p.get("type").and_then(Value::as_str) != Some("tool_result"))
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    };
    let last_user = |items: &Vec<Value>| {
        items
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .and_then(|m| m.get("content"))
            .map(text_of)
    };
    match api {
        Api::OpenAiChat | Api::AnthropicMessages => body.get("messages").and_then(Value::as_array).and_then(last_user),
        Api::OpenAiResponses => match body.get("input") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(items)) => last_user(items),
            _ => None,
        },
        Api::Models => None,
    }
}

/// Decides whether the request may go on. `Ok(Some(category))` when it
/// passed because of a verified challenge or grant.
pub async fn check(
    state: &AppState,
    caller: &Caller,
    api: Api,
    body: &Value,
    headers: &HeaderMap,
) -> Result<Option<String>, ProxyError> {
    let runtime = match &caller.proxy.ibac {
        Ibac::Off => return Ok(None),
        Ibac::Broken(_) => return Err(ProxyError::Misconfigured),
        Ibac::On(runtime) => runtime,
    };
    let Some(text) = latest_user_text(api, body) else { return Ok(None) };
    let Some(intent) = runtime.detector.detect(&text) else { return Ok(None) };
    let category = intent.category.name().to_string();
    match intent.action {
        IntentAction::Allow => return Ok(None),
        IntentAction::Block => return Err(ProxyError::IntentBlocked(intent.message)),
        IntentAction::ChallengeRequired => {}
    }
    let end_user = headers.get("x-user-id").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("").to_string();
    let store_down = |e: store::StoreError| {
        tracing::error!(error = %e, "IBAC could not reach the challenge store; refusing");
        ProxyError::ChallengeFailed("the challenge store is unavailable".into())
    };

    if let Some(challenge_id) = retry_header(headers, "challenge-id") {
        let token = retry_header(headers, "verification-token").unwrap_or_default();
        let context = retry_header(headers, "auth-context").unwrap_or_default();
        if !context.eq_ignore_ascii_case("verified") {
            return Err(ProxyError::ChallengeFailed("the auth context header must say `verified`".into()));
        }
        let challenge = state.store.get_challenge(&caller.org_id, &challenge_id).await.map_err(store_down)?;
        let challenge = challenge.ok_or_else(|| ProxyError::ChallengeFailed("unknown challenge".into()))?;
        let why_not = refusal(&challenge, caller, &end_user, &category, &token);
        if let Some(reason) = why_not {
            return Err(ProxyError::ChallengeFailed(reason.into()));
        }
        if challenge.status == ChallengeStatus::Verified {
            return Ok(Some(category));
        }
        let session = headers.get("x-session-id").and_then(|v| v.to_str().ok()).unwrap_or("");
        let outcome = verify(state, runtime, &challenge, session, &context).await;
        let settled = state
            .store
            .settle_challenge(&caller.org_id, &challenge.id, outcome.clone().map_err(|e| e.to_string()))
            .await
            .map_err(store_down)?;
        return match outcome {
            Ok(()) if settled => Ok(Some(category)),
            Ok(()) => Err(ProxyError::ChallengeFailed("the challenge was settled by another request".into())),
            Err(reason) => Err(ProxyError::ChallengeFailed(reason.to_string())),
        };
    }

    // A user verified earlier for this category passes until the grant expires.
    if !end_user.is_empty()
        && state.store.has_grant(&caller.org_id, &caller.proxy.id, &end_user, &category).await.map_err(store_down)?
    {
        return Ok(Some(category));
    }
    issue(state, runtime, caller, &end_user, intent).await
}

/// Why a presented challenge cannot be used, if it cannot.
fn refusal(
    challenge: &Challenge,
    caller: &Caller,
    end_user: &str,
    category: &str,
    token: &str,
) -> Option<&'static str> {
    if challenge.proxy_id != caller.proxy.id {
        return Some("the challenge belongs to another proxy");
    }
    if challenge.end_user_id != end_user {
        return Some("the challenge was issued to another user");
    }
    if challenge.category != category {
        return Some("the challenge was issued for another kind of request");
    }
    if challenge.expires_at <= store::now_ms() {
        return Some("the challenge has expired");
    }
    if challenge.status == ChallengeStatus::Failed {
        return Some("the challenge already failed verification");
    }
    if !challenge.token_matches(token) {
        return Some("wrong verification token");
    }
    None
}

async fn issue(
    state: &AppState,
    runtime: &IbacRuntime,
    caller: &Caller,
    end_user: &str,
    intent: IntentMatch,
) -> Result<Option<String>, ProxyError> {
    let category = intent.category.name().to_string();
    let ttl_ms = i64::try_from(runtime.challenge_ttl.as_millis()).unwrap_or(i64::MAX);
    let new = NewChallenge {
        org_id: &caller.org_id,
        proxy_id: &caller.proxy.id,
        end_user_id: end_user,
        category: &category,
        ttl_ms,
    };
    let (challenge, token) = state.store.create_challenge(new).await.map_err(|e| {
        tracing::error!(error = %e, "could not store an IBAC challenge; refusing");
        ProxyError::ChallengeFailed("the challenge store is unavailable".into())
    })?;
    Err(ProxyError::ChallengeRequired {
        challenge_id: challenge.id,
        verification_token: token,
        category,
        message: intent.message,
    })
}

/// Why verification failed, in words a developer can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VerifyError {
    #[error("the verification webhook did not answer within {0} ms")]
    Timeout(u128),
    #[error("the verification webhook could not be reached")]
    Unreachable,
    /// The policy refused the webhook's address. The address itself goes to
    /// the log, not to the caller: API clients need not learn what names
    /// resolve to inside the network.
    #[error("the verification webhook's address is not allowed")]
    Refused,
    #[error("the verification webhook answered HTTP {0}")]
    Status(u16),
    #[error("the verification webhook's answer is not JSON with a boolean `verified`")]
    BadAnswer,
    #[error("the verification webhook answered verified: false")]
    Denied,
}

async fn verify(
    state: &AppState,
    runtime: &IbacRuntime,
    challenge: &Challenge,
    session: &str,
    context: &str,
) -> Result<(), VerifyError> {
    let (url, secret, timeout) = match &runtime.verification {
        Verification::Trust => return Ok(()),
        Verification::Webhook { url, secret, timeout } => (url, secret, *timeout),
    };
    let timestamp = store::now_ms() / 1000;
    let payload = json!({
        "challenge_id": challenge.id,
        "intent_category": challenge.category,
        "end_user_id": challenge.end_user_id,
        "session_id": session,
        "proxy_id": challenge.proxy_id,
        "auth_context": context,
        "timestamp": timestamp,
    })
    .to_string();
    let id = store::random_id("msg", 12);
    let headers = crate::signing::headers(secret, &id, "rampart.challenge.verify", timestamp, payload.as_bytes());
    let refused = |e: &outbound::Refused| {
        tracing::warn!(proxy_id = %challenge.proxy_id, reason = %e, "IBAC verification webhook refused by the outbound policy");
        VerifyError::Refused
    };
    let request = state.ibac_http.post(url).map_err(|e| refused(&e))?.headers(headers).body(payload).send();
    let call = async {
        let response = request.await.map_err(|e| match outbound::refusal(&e) {
            Some(r) => refused(r),
            None => VerifyError::Unreachable,
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(VerifyError::Status(status.as_u16()));
        }
        let bytes = response.bytes().await.map_err(|_| VerifyError::BadAnswer)?;
        let answer: Value = serde_json::from_slice(&bytes).map_err(|_| VerifyError::BadAnswer)?;
        match answer.get("verified").and_then(Value::as_bool) {
            Some(true) => Ok(()),
            Some(false) => Err(VerifyError::Denied),
            None => Err(VerifyError::BadAnswer),
        }
    };
    tokio::time::timeout(timeout, call).await.map_err(|_| VerifyError::Timeout(timeout.as_millis()))?
}

/// The HTTP client for verification webhooks, held to the outbound policy
/// (no redirects either). Each call's deadline is the proxy's webhook timeout.
pub fn client(policy: outbound::Policy) -> reqwest::Result<outbound::Client> {
    let builder = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .user_agent(concat!("rampart/", env!("CARGO_PKG_VERSION")));
    outbound::Client::new(policy, builder)
}

/// Encrypts a new webhook secret for storage and returns both forms.
pub fn new_webhook_secret(master: &store::crypto::MasterKey) -> Result<(Secret<String>, String), store::StoreError> {
    let secret = crate::signing::new_secret();
    let enc = master.encrypt(secret.expose())?;
    Ok((secret, enc))
}
