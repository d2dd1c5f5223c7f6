//! Webhooks: an org's endpoints and the outbox of deliveries to them.
//!
//! Events are enqueued as `pending` rows, in the same transaction as whatever
//! caused them (see [`Store::record_batch`]), so a crash between "it
//! happened" and "tell the receiver" loses nothing. The server's delivery
//! worker claims due rows under a lease, sends them, and records each attempt.
//! Every function the dashboard calls takes the org id and filters on it.
//!
//! Signing secrets are `whsec_<base64 of 32 random bytes>`, stored encrypted
//! with the master key, returned once on creation and never again through
//! this API (only the worker reads them, to sign).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto::MasterKey;
use crate::{now_ms, random_id, rfc3339, Result, Secret, Store, StoreError};

/// The event type of alerts about detected threats.
pub const THREAT_DETECTED: &str = "threat.detected";
/// The event type of the dashboard's "send a test event".
pub const WEBHOOK_TEST: &str = "webhook.test";

const MAX_URL_LEN: usize = 2048;
const MAX_DESCRIPTION_LEN: usize = 500;

/// A receiver of an org's webhook events. The secret is not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub description: String,
    pub enabled: bool,
    pub created_at: i64,
}

/// What the dashboard sends to create an endpoint.
#[derive(Debug, Clone)]
pub struct WebhookEndpointInput {
    /// An `http://` or `https://` URL; see [`validate_endpoint_url`].
    pub url: String,
    pub description: String,
    /// A secret of the caller's choosing (at least 16 characters); `None`
    /// draws a fresh `whsec_` secret.
    pub secret: Option<Secret<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// One event for one endpoint, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The `webhook-id` (and `ce-id`) the receiver sees on every attempt.
    pub id: String,
    pub org_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    /// The JSON body sent: `{"event": <type>, "data": {…}}`.
    pub payload: String,
    pub status: DeliveryStatus,
    /// HTTP attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (meaningful while pending).
    pub next_attempt_at: i64,
    /// The HTTP status of the last attempt, if the receiver answered.
    pub last_status_code: Option<u16>,
    /// Why the last attempt failed (`HTTP 500`, `connection refused`, …).
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// An event to fan out to every enabled endpoint of an org.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWebhookEvent {
    pub org_id: String,
    pub event_type: String,
    /// Sent as `data`; must not contain secrets or matched personal data.
    pub data: Value,
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: String,
    pub org_id: String,
    pub endpoint_id: String,
    pub url: String,
    /// `None` when the stored secret no longer decrypts (the master secret
    /// changed): such a delivery cannot be signed and should be failed.
    pub secret: Option<Secret<String>>,
    pub event_type: String,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_at: i64,
    /// Proves this worker still holds the row when it records the outcome.
    pub lease: String,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status_code: u16,
    },
    /// Failed; try again at `next_attempt_at`.
    Retry {
        next_attempt_at: i64,
        status_code: Option<u16>,
        error: String,
    },
    /// Failed for the last time.
    Failed {
        status_code: Option<u16>,
        error: String,
    },
}

/// Checks that `url` is an absolute `http://` or `https://` URL with a host,
/// without spaces or control characters. The reason is fit to show a user.
pub fn validate_endpoint_url(url: &str) -> std::result::Result<(), String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("the URL is longer than {MAX_URL_LEN} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL must not contain spaces or control characters".into());
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url["https://".len()..]
    } else if lower.starts_with("http://") {
        &url["http://".len()..]
    } else {
        return Err("the URL must start with http:// or https://".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    Ok(())
}

/// The trimmed URL and description, or why they are refused.
fn clean(url: &str, description: &str) -> Result<(String, String)> {
    let url = url.trim().to_string();
    validate_endpoint_url(&url).map_err(StoreError::Invalid)?;
    let description = description.trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(StoreError::Invalid(format!("the description is longer than {MAX_DESCRIPTION_LEN} characters")));
    }
    Ok((url, description))
}

type EndpointRow = (String, String, String, String, i64, i64);

const ENDPOINT_COLUMNS: &str = "id, org_id, url, description, enabled, created_at";

fn endpoint_from_row(r: EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint { id: r.0, org_id: r.1, url: r.2, description: r.3, enabled: r.4 != 0, created_at: r.5 }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    org_id: String,
    endpoint_id: String,
    event_type: String,
    payload: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "id, org_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, \
     last_status_code, last_error, created_at, delivered_at";

fn delivery_from_row(r: DeliveryRow) -> Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        status: DeliveryStatus::parse(&r.status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown delivery status {}", r.status)))?,
        id: r.id,
        org_id: r.org_id,
        endpoint_id: r.endpoint_id,
        event_type: r.event_type,
        payload: r.payload,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_status_code: r.last_status_code.and_then(|c| u16::try_from(c).ok()),
        last_error: r.last_error,
        created_at: r.created_at,
        delivered_at: r.delivered_at,
    })
}

/// The body every receiver gets: `{"event": <type>, "data": <data>}`.
pub fn payload(event_type: &str, data: &Value) -> String {
    serde_json::json!({"event": event_type, "data": data}).to_string()
}

/// Inserts one pending delivery. Runs on a pool or inside a transaction.
async fn insert_delivery<'c, E>(
    exec: E,
    org_id: &str,
    endpoint_id: &str,
    event_type: &str,
    body: &str,
) -> Result<String>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let id = random_id("msg", 16);
    let now = now_ms();
    sqlx::query(&format!(
        "INSERT INTO webhook_deliveries ({DELIVERY_COLUMNS}, locked_until, lease_token) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, NULL, $7, NULL, 0, NULL)"
    ))
    .bind(&id)
    .bind(org_id)
    .bind(endpoint_id)
    .bind(event_type)
    .bind(body)
    .bind(now)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(id)
}

/// Fans `events` out to the enabled endpoints of their orgs inside `tx`;
/// returns how many deliveries were enqueued.
pub(crate) async fn enqueue_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, events: &[NewWebhookEvent]) -> Result<usize> {
    let mut endpoints: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    let mut enqueued = 0;
    for event in events {
        if !endpoints.contains_key(event.org_id.as_str()) {
            let ids: Vec<(String,)> =
                sqlx::query_as("SELECT id FROM webhook_endpoints WHERE org_id = $1 AND enabled = 1 ORDER BY id")
                    .bind(&event.org_id)
                    .fetch_all(&mut **tx)
                    .await?;
            endpoints.insert(event.org_id.as_str(), ids.into_iter().map(|(id,)| id).collect());
        }
        let Some(ids) = endpoints.get(event.org_id.as_str()) else { continue };
        if ids.is_empty() {
            continue;
        }
        let body = payload(&event.event_type, &event.data);
        for endpoint_id in ids {
            insert_delivery(&mut **tx, &event.org_id, endpoint_id, &event.event_type, &body).await?;
            enqueued += 1;
        }
    }
    Ok(enqueued)
}

impl Store {
    /// Creates an endpoint and returns it with its signing secret — the only
    /// time the secret is handed out. Refuses a bad URL or a short secret
    /// with [`StoreError::Invalid`].
    pub async fn create_webhook_endpoint(
        &self,
        org_id: &str,
        input: WebhookEndpointInput,
        master: &MasterKey,
    ) -> Result<(WebhookEndpoint, Secret<String>)> {
        let (url, description) = clean(&input.url, &input.description)?;
        let secret = match input.secret {
            Some(s) if s.expose().len() >= 16 => s,
            Some(_) => return Err(StoreError::Invalid("the signing secret must be at least 16 characters".into())),
            None => crate::crypto::new_webhook_secret(),
        };
        let endpoint = WebhookEndpoint {
            id: random_id("we", 8),
            org_id: org_id.to_string(),
            url,
            description,
            enabled: true,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, org_id, url, secret_enc, description, enabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(&endpoint.id)
        .bind(org_id)
        .bind(&endpoint.url)
        .bind(master.encrypt(secret.expose())?)
        .bind(&endpoint.description)
        .bind(endpoint.created_at)
        .execute(self.pool())
        .await?;
        Ok((endpoint, secret))
    }

    /// The org's endpoints, oldest first.
    pub async fn list_webhook_endpoints(&self, org_id: &str) -> Result<Vec<WebhookEndpoint>> {
        let rows: Vec<EndpointRow> = sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at, id"
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(endpoint_from_row).collect())
    }

    /// One endpoint of the org, or [`StoreError::NotFound`].
    pub async fn get_webhook_endpoint(&self, org_id: &str, id: &str) -> Result<WebhookEndpoint> {
        let row: Option<EndpointRow> =
            sqlx::query_as(&format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND id = $2"))
                .bind(org_id)
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(endpoint_from_row).ok_or(StoreError::NotFound("webhook endpoint"))
    }

    /// Changes an endpoint's URL and description (validated as on creation).
    /// Pending deliveries go to the new URL.
    pub async fn update_webhook_endpoint(
        &self,
        org_id: &str,
        id: &str,
        url: &str,
        description: &str,
    ) -> Result<WebhookEndpoint> {
        let (url, description) = clean(url, description)?;
        let done = sqlx::query("UPDATE webhook_endpoints SET url = $1, description = $2 WHERE org_id = $3 AND id = $4")
            .bind(&url)
            .bind(&description)
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("webhook endpoint"));
        }
        self.get_webhook_endpoint(org_id, id).await
    }

    /// Turns delivery to an endpoint on or off. While it is off, no new
    /// events are enqueued for it and its pending deliveries wait (they are
    /// sent when it is turned back on).
    pub async fn set_webhook_endpoint_enabled(&self, org_id: &str, id: &str, enabled: bool) -> Result<()> {
        let done = sqlx::query("UPDATE webhook_endpoints SET enabled = $1 WHERE org_id = $2 AND id = $3")
            .bind(i64::from(enabled))
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("webhook endpoint"));
        }
        Ok(())
    }

    /// Replaces an endpoint's signing secret with a fresh one and returns it
    /// (once). Deliveries not yet sent are signed with the new secret.
    pub async fn rotate_webhook_secret(&self, org_id: &str, id: &str, master: &MasterKey) -> Result<Secret<String>> {
        let secret = crate::crypto::new_webhook_secret();
        let done = sqlx::query("UPDATE webhook_endpoints SET secret_enc = $1 WHERE org_id = $2 AND id = $3")
            .bind(master.encrypt(secret.expose())?)
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("webhook endpoint"));
        }
        Ok(secret)
    }

    /// Deletes an endpoint and its deliveries.
    pub async fn delete_webhook_endpoint(&self, org_id: &str, id: &str) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        // Explicit rather than trusting ON DELETE CASCADE, which SQLite
        // applies only on connections with foreign keys switched on.
        sqlx::query("DELETE FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("webhook endpoint"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Enqueues an event for every enabled endpoint of its org; returns how
    /// many deliveries that made. Events caused by request events are
    /// enqueued by [`Store::record_batch`] instead, in the same transaction.
    pub async fn enqueue_webhook_event(&self, event: &NewWebhookEvent) -> Result<usize> {
        let mut tx = self.pool().begin().await?;
        let n = enqueue_in(&mut tx, std::slice::from_ref(event)).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Enqueues a `webhook.test` event for one endpoint of the org (enabled
    /// or not: testing a paused endpoint before turning it on is the point),
    /// and returns the delivery so the dashboard can follow it.
    pub async fn send_test_webhook(&self, org_id: &str, endpoint_id: &str) -> Result<WebhookDelivery> {
        let endpoint = self.get_webhook_endpoint(org_id, endpoint_id).await?;
        let data = serde_json::json!({
            "endpoint_id": endpoint.id,
            "message": "This is a test event from rampart.",
            "timestamp": rfc3339(now_ms()),
        });
        let body = payload(WEBHOOK_TEST, &data);
        let id = insert_delivery(self.pool(), org_id, endpoint_id, WEBHOOK_TEST, &body).await?;
        self.get_webhook_delivery(org_id, &id).await
    }

    /// One delivery of the org, or [`StoreError::NotFound`].
    pub async fn get_webhook_delivery(&self, org_id: &str, id: &str) -> Result<WebhookDelivery> {
        let row: Option<DeliveryRow> =
            sqlx::query_as(&format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE org_id = $1 AND id = $2"))
                .bind(org_id)
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(delivery_from_row).transpose()?.ok_or(StoreError::NotFound("webhook delivery"))
    }

    /// The newest deliveries of one endpoint, newest first (at most 500).
    pub async fn list_webhook_deliveries(
        &self,
        org_id: &str,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        ))
        .bind(org_id)
        .bind(endpoint_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(delivery_from_row).collect()
    }

    /// Claims up to `limit` due deliveries of enabled endpoints, across all
    /// orgs, for `lease_ms`. Each row is taken with a conditional UPDATE, so
    /// two workers (in one or several instances) never hold the same row;
    /// a row whose lease ran out without an outcome is due again.
    pub async fn claim_webhook_deliveries(
        &self,
        master: &MasterKey,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        let now = now_ms();
        type DueRow = (String, String, String, String, String, String, String, i64, i64);
        let due: Vec<DueRow> = sqlx::query_as(
            "SELECT d.id, d.org_id, d.endpoint_id, e.url, e.secret_enc, d.event_type, d.payload, d.attempts, d.created_at \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.org_id = d.org_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.locked_until <= $1 AND e.enabled = 1 \
             ORDER BY d.next_attempt_at, d.id LIMIT $2",
        )
        .bind(now)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for (id, org_id, endpoint_id, url, secret_enc, event_type, payload, attempts, created_at) in due {
            let lease = random_id("lease", 12);
            let taken = sqlx::query(
                "UPDATE webhook_deliveries SET locked_until = $1, lease_token = $2 \
                 WHERE id = $3 AND status = 'pending' AND locked_until <= $4",
            )
            .bind(now.saturating_add(lease_ms))
            .bind(&lease)
            .bind(&id)
            .bind(now)
            .execute(self.pool())
            .await?;
            if taken.rows_affected() != 1 {
                continue;
            }
            let secret = master.decrypt(&secret_enc).ok();
            claimed.push(ClaimedDelivery {
                id,
                org_id,
                endpoint_id,
                url,
                secret,
                event_type,
                payload,
                attempts,
                created_at,
                lease,
            });
        }
        Ok(claimed)
    }

    /// Records the outcome of an attempt on a claimed delivery and releases
    /// the lease. Returns false if the lease was lost (it expired and another
    /// worker took the row), in which case nothing is changed.
    pub async fn record_webhook_attempt(&self, id: &str, lease: &str, outcome: &AttemptOutcome) -> Result<bool> {
        let now = now_ms();
        let (status, next_attempt_at, code, error, delivered_at) = match outcome {
            AttemptOutcome::Delivered { status_code } => {
                (DeliveryStatus::Delivered, now, Some(*status_code), None, Some(now))
            }
            AttemptOutcome::Retry { next_attempt_at, status_code, error } => {
                (DeliveryStatus::Pending, *next_attempt_at, *status_code, Some(error.as_str()), None)
            }
            AttemptOutcome::Failed { status_code, error } => {
                (DeliveryStatus::Failed, now, *status_code, Some(error.as_str()), None)
            }
        };
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
             last_status_code = $3, last_error = $4, delivered_at = $5, locked_until = 0, lease_token = NULL \
             WHERE id = $6 AND lease_token = $7 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(next_attempt_at)
        .bind(code.map(i64::from))
        .bind(error)
        .bind(delivered_at)
        .bind(id)
        .bind(lease)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a claimed delivery back untried (the worker is shutting down),
    /// so the next worker need not wait for the lease to run out.
    pub async fn release_webhook_delivery(&self, id: &str, lease: &str) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET locked_until = 0, lease_token = NULL \
             WHERE id = $1 AND lease_token = $2 AND status = 'pending'",
        )
        .bind(id)
        .bind(lease)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// When the earliest pending delivery of an enabled endpoint is due
    /// (counting leases), so the worker can sleep until then.
    pub async fn next_webhook_due_at(&self) -> Result<Option<i64>> {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(CASE WHEN d.locked_until > d.next_attempt_at THEN d.locked_until ELSE d.next_attempt_at END) \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.org_id = d.org_id \
             WHERE d.status = 'pending' AND e.enabled = 1",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(at)
    }

    /// Deletes delivered and failed deliveries created before `before_ms`;
    /// returns how many.
    pub async fn purge_webhook_deliveries(&self, before_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        for ok in ["https://hooks.example.com/rampart", "http://127.0.0.1:8080/x?y=1", "HTTPS://[::1]:9/"] {
            assert!(validate_endpoint_url(ok).is_ok(), "{ok}");
        }
        for bad in ["ftp://x", "https://", "https:///path", "hooks.example.com", "https://a b", "javascript:alert(1)"] {
            assert!(validate_endpoint_url(bad).is_err(), "{bad}");
        }
        assert!(validate_endpoint_url(&format!("https://x/{}", "a".repeat(3000))).is_err());
    }

    #[test]
    fn secrets_are_whsec_and_hidden() {
        let s = crate::crypto::new_webhook_secret();
        assert!(s.expose().starts_with("whsec_"));
        assert_eq!(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &s.expose()["whsec_".len()..])
                .unwrap()
                .len(),
            32
        );
        assert_eq!(format!("{s:?}"), "*****");
    }
}
