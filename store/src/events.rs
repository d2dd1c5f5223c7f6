//! Request events: one row per proxied request, written in batches by the
//! server's event writer, never on the request's own path.

use serde::{Deserialize, Serialize};

use crate::guard_scans::GuardScan;
use crate::webhooks::NewWebhookEvent;
use crate::{Result, Store};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequestEvent {
    pub id: String,
    pub org_id: String,
    pub proxy_id: String,
    pub api_key_id: String,
    /// `openai_chat`, `openai_responses`, `anthropic_messages` or `models`.
    pub api: String,
    pub model: String,
    pub stream: bool,
    pub status: u16,
    pub latency_ms: i64,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub end_user_id: Option<String>,
    pub session_id: Option<String>,
    pub app_context: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    /// What content scanning decided (`allow`, `warn`, `sanitize`, `block`);
    /// `None` when the proxy does not scan.
    pub scan_action: Option<String>,
    pub risk_score: Option<f64>,
    /// The findings as a JSON list, without the matched personal data or secrets.
    pub threats: Option<String>,
}

/// Totals for the overview page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventTotals {
    pub requests: i64,
    pub errors: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    org_id: String,
    proxy_id: String,
    api_key_id: String,
    api: String,
    model: String,
    stream: i64,
    status: i64,
    latency_ms: i64,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    end_user_id: Option<String>,
    session_id: Option<String>,
    app_context: Option<String>,
    error: Option<String>,
    created_at: i64,
    scan_action: Option<String>,
    risk_score: Option<f64>,
    threats: Option<String>,
}

const EVENT_COLUMNS: &str = "id, org_id, proxy_id, api_key_id, api, model, stream, status, latency_ms, \
     input_tokens, output_tokens, end_user_id, session_id, app_context, error, created_at, scan_action, risk_score, threats";

fn event_from_row(r: EventRow) -> RequestEvent {
    RequestEvent {
        id: r.id,
        org_id: r.org_id,
        proxy_id: r.proxy_id,
        api_key_id: r.api_key_id,
        api: r.api,
        model: r.model,
        stream: r.stream != 0,
        status: u16::try_from(r.status).unwrap_or(0),
        latency_ms: r.latency_ms,
        input_tokens: r.input_tokens,
        output_tokens: r.output_tokens,
        end_user_id: r.end_user_id,
        session_id: r.session_id,
        app_context: r.app_context,
        error: r.error,
        created_at: r.created_at,
        scan_action: r.scan_action,
        risk_score: r.risk_score,
        threats: r.threats,
    }
}

/// What the server's event writer stores together, in one transaction, so
/// that an alert is enqueued if and only if the event that caused it is kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventBatch<'a> {
    pub requests: &'a [RequestEvent],
    pub guard_scans: &'a [GuardScan],
    /// Fanned out to the enabled webhook endpoints of each event's org.
    pub alerts: &'a [NewWebhookEvent],
}

impl Store {
    /// Inserts a batch of request events in one transaction.
    pub async fn insert_events(&self, events: &[RequestEvent]) -> Result<()> {
        self.record_batch(EventBatch { requests: events, ..EventBatch::default() }).await.map(|_| ())
    }

    /// Inserts request events and guard scans and enqueues webhook
    /// deliveries for the alerts, all in one transaction. Returns how many
    /// deliveries were enqueued (so the caller knows whether to wake the
    /// delivery worker).
    pub async fn record_batch(&self, batch: EventBatch<'_>) -> Result<usize> {
        if batch.requests.is_empty() && batch.guard_scans.is_empty() && batch.alerts.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool().begin().await?;
        for e in batch.requests {
            sqlx::query(&format!(
                "INSERT INTO request_events ({EVENT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
            ))
            .bind(&e.id)
            .bind(&e.org_id)
            .bind(&e.proxy_id)
            .bind(&e.api_key_id)
            .bind(&e.api)
            .bind(&e.model)
            .bind(i64::from(e.stream))
            .bind(i64::from(e.status))
            .bind(e.latency_ms)
            .bind(e.input_tokens)
            .bind(e.output_tokens)
            .bind(&e.end_user_id)
            .bind(&e.session_id)
            .bind(&e.app_context)
            .bind(&e.error)
            .bind(e.created_at)
            .bind(&e.scan_action)
            .bind(e.risk_score)
            .bind(&e.threats)
            .execute(&mut *tx)
            .await?;
        }
        crate::guard_scans::insert_in(&mut tx, batch.guard_scans).await?;
        let enqueued = crate::webhooks::enqueue_in(&mut tx, batch.alerts).await?;
        tx.commit().await?;
        Ok(enqueued)
    }

    /// The newest events of an org, newest first.
    pub async fn list_events(&self, org_id: &str, limit: i64) -> Result<Vec<RequestEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM request_events WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(event_from_row).collect())
    }

    /// Totals since `since_ms` for one org.
    pub async fn event_totals(&self, org_id: &str, since_ms: i64) -> Result<EventTotals> {
        // SUM over BIGINT is NUMERIC on Postgres: cast so both dialects hand back a BIGINT.
        let (requests, errors, input_tokens, output_tokens): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), \
                    CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) \
             FROM request_events WHERE org_id = $1 AND created_at >= $2",
        )
        .bind(org_id)
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        Ok(EventTotals { requests, errors, input_tokens, output_tokens })
    }
}
