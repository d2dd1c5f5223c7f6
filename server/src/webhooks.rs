//! Webhook delivery: alerts built from recorded events, and the worker that
//! sends the store's outbox.
//!
//! The event writer enqueues deliveries in the same transaction as the
//! events that caused them; this worker claims due rows under a lease, POSTs
//! them signed the Standard Webhooks way with CloudEvents headers
//! ([`crate::signing`]), and records each attempt: a 2xx is delivered,
//! anything else is retried with exponential backoff and jitter until
//! `webhook_max_attempts`, then failed. An address the outbound policy
//! refuses ([`crate::outbound`]) fails the delivery at once. Several instances may run the worker
//! against one database; the lease keeps them off each other's rows, and a
//! lease left by a crashed worker runs out so the row is sent again.
//! Delivery is therefore at least once: receivers deduplicate on
//! `webhook-id`, which stays the same across attempts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use rand::Rng;
use serde_json::{json, Value};
use store::crypto::MasterKey;
use store::events::RequestEvent;
use store::guard_scans::GuardScan;
use store::webhooks::{AttemptOutcome, ClaimedDelivery, NewWebhookEvent, THREAT_DETECTED};
use store::Store;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::outbound::{self, Policy};

/// Deliveries claimed per round.
const BATCH: i64 = 32;
/// Deliveries in flight at once.
const CONCURRENCY: usize = 8;
/// How long a receiver may take to answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A claimed row stays ours this long: well beyond one request's timeout, so
/// only a worker that died loses its rows to another.
const LEASE_MS: i64 = 60_000;
/// Look for work at least this often even without a wake-up: deliveries
/// enqueued by another instance, or a test event sent from the dashboard.
const POLL: Duration = Duration::from_secs(2);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);

/// Shared between the event writer (which wakes the worker) and `/metrics`.
#[derive(Debug, Default)]
pub struct Webhooks {
    /// Notified when deliveries were enqueued.
    pub wake: Arc<Notify>,
    pub delivered: AtomicU64,
    /// Attempts that did not get a 2xx (each retry counts).
    pub failed_attempts: AtomicU64,
    /// Deliveries given up after the last attempt.
    pub failed: AtomicU64,
}

/// How the worker retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_attempts: u32,
}

impl RetryPolicy {
    pub fn from_config(config: &Config) -> Self {
        Self { base: config.webhook_retry_base, max_attempts: config.webhook_max_attempts }
    }
}

/// The wait after failed attempt `attempt` (1-based): `base · 4^(attempt−1)`,
/// capped at six hours, then jittered down by up to half so that receivers
/// coming back from an outage are not hit by every retry at once.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 4u32.saturating_pow(attempt.saturating_sub(1));
    let full = base.saturating_mul(factor).min(MAX_DELAY);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

fn score(risk: f64) -> Value {
    // The engine's score is an f32; rounding drops the noise digits of its f64 form.
    json!((risk * 1e4).round() / 1e4)
}

fn findings(recorded: Option<&str>) -> Value {
    recorded.and_then(|t| serde_json::from_str::<Value>(t).ok()).filter(Value::is_array).unwrap_or(json!([]))
}

/// The `threat.detected` alert for a proxied request whose scan found
/// something (warned, sanitised or blocked it, or recorded findings).
pub fn request_alert(event: &RequestEvent) -> Option<NewWebhookEvent> {
    let flagged = matches!(event.scan_action.as_deref(), Some("warn" | "sanitize" | "block"));
    let threats = findings(event.threats.as_deref());
    if !flagged && threats.as_array().is_none_or(Vec::is_empty) {
        return None;
    }
    Some(NewWebhookEvent {
        org_id: event.org_id.clone(),
        event_type: THREAT_DETECTED.into(),
        data: json!({
            "request_id": event.id,
            "threat_score": score(event.risk_score.unwrap_or(0.0)),
            "detected_threats": threats,
            "user_id": event.end_user_id,
            "timestamp": store::rfc3339(event.created_at),
            "proxy_id": event.proxy_id,
            "action": event.scan_action,
            "source": "proxy",
        }),
    })
}

/// The `threat.detected` alert for a guard API scan that found something.
pub fn guard_scan_alert(scan: &GuardScan) -> Option<NewWebhookEvent> {
    if !scan.found_threats() {
        return None;
    }
    Some(NewWebhookEvent {
        org_id: scan.org_id.clone(),
        event_type: THREAT_DETECTED.into(),
        data: json!({
            "request_id": scan.id,
            "threat_score": score(scan.risk_score),
            "detected_threats": findings(scan.threats.as_deref()),
            "user_id": scan.end_user_id,
            "timestamp": store::rfc3339(scan.created_at),
            "proxy_id": scan.proxy_id,
            "action": scan.action,
            "source": format!("guard.scan_{}", scan.kind),
        }),
    })
}

/// The HTTP client for deliveries, held to the outbound policy (see
/// [`crate::outbound`]). Redirects are not followed: a receiver that moved
/// must be updated, not silently chased to wherever it points.
pub fn client(policy: Policy) -> reqwest::Result<outbound::Client> {
    let builder = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("rampart-webhooks/", env!("CARGO_PKG_VERSION")));
    outbound::Client::new(policy, builder)
}

/// Sends due deliveries until `shutdown` is cancelled.
pub async fn run_worker(
    store: Store,
    master: MasterKey,
    hooks: Arc<Webhooks>,
    client: outbound::Client,
    policy: RetryPolicy,
    shutdown: CancellationToken,
) {
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let claimed = match store.claim_webhook_deliveries(&master, BATCH, LEASE_MS).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim webhook deliveries");
                Vec::new()
            }
        };
        let full = claimed.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
        if !claimed.is_empty() {
            let leases: Vec<(String, String)> = claimed.iter().map(|d| (d.id.clone(), d.lease.clone())).collect();
            let round = futures::stream::iter(claimed)
                .map(|d| deliver(&store, &hooks, &client, policy, d))
                .buffer_unordered(CONCURRENCY)
                .collect::<Vec<()>>();
            tokio::select! {
                _ = round => {}
                _ = shutdown.cancelled() => {
                    // Hand unfinished rows back so the next worker need not
                    // wait out the lease; finished ones no longer match it.
                    for (id, lease) in leases {
                        if let Err(e) = store.release_webhook_delivery(&id, &lease).await {
                            tracing::warn!(error = %e, delivery_id = %id, "could not release a webhook delivery");
                        }
                    }
                    return;
                }
            }
            if full {
                continue;
            }
        }
        let wait = match store.next_webhook_due_at().await {
            Ok(Some(at)) => {
                Duration::from_millis(u64::try_from(at.saturating_sub(store::now_ms())).unwrap_or(0)).min(POLL)
            }
            Ok(None) => POLL,
            Err(e) => {
                tracing::warn!(error = %e, "could not read when the next webhook delivery is due");
                POLL
            }
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = hooks.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Makes one attempt and records its outcome.
async fn deliver(store: &Store, hooks: &Webhooks, client: &outbound::Client, policy: RetryPolicy, d: ClaimedDelivery) {
    let attempt = u32::try_from(d.attempts.saturating_add(1)).unwrap_or(u32::MAX);
    let result = match &d.secret {
        None => Err(Failure::for_good("the endpoint's signing secret does not decrypt with the current master secret")),
        Some(secret) => match client.post(&d.url) {
            Err(refused) => Err(Failure::for_good(refused.to_string())),
            Ok(request) => {
                let timestamp = store::now_ms() / 1000;
                let headers = crate::signing::headers(secret, &d.id, &d.event_type, timestamp, d.payload.as_bytes());
                match request.headers(headers).body(d.payload.clone()).send().await {
                    Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
                    Ok(response) => {
                        let status = response.status();
                        Err(Failure::retry(Some(status.as_u16()), format!("HTTP {}", status.as_u16())))
                    }
                    // The policy will refuse the same address next time:
                    // waiting hours to say so again helps nobody.
                    // Only the resolver refuses here (literal addresses were
                    // checked above): the record names the kind of address,
                    // the operator's log the address itself.
                    Err(e) => match outbound::refusal(&e) {
                        Some(refused) => {
                            tracing::warn!(endpoint_id = %d.endpoint_id, delivery_id = %d.id, reason = %refused, "webhook host name resolves to an address the outbound policy refuses");
                            Err(Failure::for_good(refused.of_resolved_name()))
                        }
                        None => Err(Failure::retry(None, describe(&e))),
                    },
                }
            }
        },
    };
    let outcome = match result {
        Ok(status_code) => {
            hooks.delivered.fetch_add(1, Ordering::Relaxed);
            tracing::info!(endpoint_id = %d.endpoint_id, delivery_id = %d.id, status = status_code, attempt, "webhook delivered");
            AttemptOutcome::Delivered { status_code }
        }
        Err(Failure { status_code, error, last }) => {
            hooks.failed_attempts.fetch_add(1, Ordering::Relaxed);
            if attempt >= policy.max_attempts || last {
                hooks.failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(endpoint_id = %d.endpoint_id, delivery_id = %d.id, status = ?status_code, %error, attempt, "webhook delivery failed for good");
                AttemptOutcome::Failed { status_code, error }
            } else {
                let delay = backoff(policy.base, attempt);
                tracing::warn!(endpoint_id = %d.endpoint_id, delivery_id = %d.id, status = ?status_code, %error, attempt, retry_in_ms = delay.as_millis(), "webhook delivery failed; will retry");
                let next_attempt_at =
                    store::now_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
                AttemptOutcome::Retry { next_attempt_at, status_code, error }
            }
        }
    };
    match store.record_webhook_attempt(&d.id, &d.lease, &outcome).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(delivery_id = %d.id, "webhook delivery lease ran out before its outcome was recorded")
        }
        Err(e) => tracing::error!(error = %e, delivery_id = %d.id, "could not record a webhook attempt"),
    }
}

/// A failed attempt: what to record, and whether trying again is pointless
/// (a secret that does not decrypt, an address the policy refuses).
struct Failure {
    status_code: Option<u16>,
    error: String,
    last: bool,
}

impl Failure {
    fn retry(status_code: Option<u16>, error: impl Into<String>) -> Self {
        Self { status_code, error: error.into(), last: false }
    }

    fn for_good(error: impl Into<String>) -> Self {
        Self { status_code: None, error: error.into(), last: true }
    }
}

/// Why a request failed, without the URL (it may carry a token) or anything
/// the receiver said.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", REQUEST_TIMEOUT.as_secs());
    }
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let cause = root.to_string();
    if e.is_connect() {
        format!("could not connect: {cause}")
    } else {
        format!("request failed: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_fourfold_with_jitter_and_a_cap() {
        let base = Duration::from_secs(5);
        for (attempt, full) in [(1, 5u64), (2, 20), (3, 80), (4, 320)] {
            for _ in 0..50 {
                let d = backoff(base, attempt);
                assert!(d <= Duration::from_secs(full) && d >= Duration::from_millis(full * 500), "{attempt}: {d:?}");
            }
        }
        assert!(backoff(base, 30) <= MAX_DELAY);
    }

    #[test]
    fn only_flagged_requests_alert_and_matched_data_stays_out() {
        let mut e = RequestEvent {
            id: "req_1".into(),
            org_id: "org_1".into(),
            proxy_id: "px_1".into(),
            api_key_id: "k".into(),
            api: "openai_chat".into(),
            model: "m".into(),
            stream: false,
            status: 200,
            latency_ms: 1,
            input_tokens: None,
            output_tokens: None,
            end_user_id: Some("user-7".into()),
            session_id: None,
            app_context: None,
            error: None,
            created_at: 1_700_000_000_000,
            scan_action: Some("allow".into()),
            risk_score: Some(0.0),
            threats: None,
        };
        assert!(request_alert(&e).is_none());
        e.scan_action = Some("sanitize".into());
        e.risk_score = Some(f64::from(0.61f32));
        e.threats = Some(r#"[{"type":"pii","original":"[16 characters]"}]"#.into());
        let alert = request_alert(&e).unwrap();
        assert_eq!(alert.event_type, "threat.detected");
        assert_eq!(alert.data["request_id"], "req_1");
        assert_eq!(alert.data["threat_score"], 0.61);
        assert_eq!(alert.data["user_id"], "user-7");
        assert_eq!(alert.data["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(alert.data["detected_threats"][0]["original"], "[16 characters]");
    }
}
