//! Retention: request events and guard scans older than the configured age
//! are deleted by the server's periodic sweep, so the store does not grow
//! without bound. Webhook deliveries carry their own copy of an alert, so an
//! alert still waiting to be sent does not depend on the event it came from.

use crate::{Result, Store};

/// Rows deleted per statement: a sweep over a large backlog takes many short
/// write transactions rather than one long one that would hold up the event
/// writer (SQLite has a single writer).
const BATCH: i64 = 5_000;

/// How many rows one [`Store::purge_old_records`] call deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub request_events: u64,
    pub guard_scans: u64,
}

impl Store {
    /// Deletes request events and guard scans created before `before_ms`.
    pub async fn purge_old_records(&self, before_ms: i64) -> Result<Purged> {
        Ok(Purged {
            request_events: self.purge_table("request_events", before_ms, BATCH).await?,
            guard_scans: self.purge_table("guard_scans", before_ms, BATCH).await?,
        })
    }

    async fn purge_table(&self, table: &'static str, before_ms: i64, batch: i64) -> Result<u64> {
        let sql = format!(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE created_at < $1 ORDER BY created_at LIMIT $2)"
        );
        let mut total = 0;
        loop {
            let done = sqlx::query(&sql).bind(before_ms).bind(batch).execute(self.pool()).await?.rows_affected();
            total += done;
            if done < u64::try_from(batch).unwrap_or(0) {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code

    use crate::events::RequestEvent;
    use crate::Store;

    crate::on_both_backends!(a_backlog_is_deleted_in_batches);

    async fn a_backlog_is_deleted_in_batches(store: Store) {
        let org = store.create_org("Acme").await.unwrap();
        let event = |n: i64| RequestEvent {
            id: format!("evt_{n}"),
            org_id: org.id.clone(),
            proxy_id: "px_1".into(),
            api_key_id: "key_1".into(),
            api: "openai_chat".into(),
            model: "mock-echo".into(),
            stream: false,
            status: 200,
            latency_ms: 1,
            input_tokens: None,
            output_tokens: None,
            end_user_id: None,
            session_id: None,
            app_context: None,
            error: None,
            created_at: n,
            scan_action: None,
            risk_score: None,
            threats: None,
        };
        let events: Vec<RequestEvent> = (1..=9).map(event).collect();
        store.insert_events(&events).await.unwrap();
        // Seven rows older than 8, in batches of three: 3 + 3 + 1.
        assert_eq!(store.purge_table("request_events", 8, 3).await.unwrap(), 7);
        let left = store.list_events(&org.id, 100).await.unwrap();
        let ids: Vec<&str> = left.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["evt_9", "evt_8"]);
        // A batch that comes back exactly full is followed by one that finds nothing.
        assert_eq!(store.purge_table("request_events", 10, 2).await.unwrap(), 2);
        assert!(store.list_events(&org.id, 100).await.unwrap().is_empty());
    }
}
