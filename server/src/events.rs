//! The event writer: request events go into a bounded channel on the hot
//! path and are written to the store in batches by one task. A full channel
//! drops the event (counted and logged) rather than slowing requests down.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use store::events::RequestEvent;
use store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const CHANNEL_CAPACITY: usize = 65_536;
const BATCH: usize = 512;
const FLUSH_EVERY: Duration = Duration::from_millis(200);

#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::Sender<RequestEvent>,
    dropped: Arc<AtomicU64>,
}

impl EventSink {
    /// Queues an event without waiting.
    pub fn record(&self, event: RequestEvent) {
        if self.tx.try_send(event).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "event channel full or closed; request events dropped");
            }
        }
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

pub fn channel() -> (EventSink, mpsc::Receiver<RequestEvent>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    (EventSink { tx, dropped: Arc::new(AtomicU64::new(0)) }, rx)
}

/// Writes events until `shutdown` is cancelled, then drains what is queued.
pub async fn run_writer(store: Store, mut rx: mpsc::Receiver<RequestEvent>, shutdown: CancellationToken) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let closing = tokio::select! {
            biased;
            n = rx.recv_many(&mut batch, BATCH) => n == 0,
            _ = shutdown.cancelled() => true,
        };
        if closing {
            rx.close();
            while let Ok(e) = rx.try_recv() {
                batch.push(e);
                if batch.len() >= BATCH {
                    flush(&store, &mut batch).await;
                }
            }
            flush(&store, &mut batch).await;
            return;
        }
        // Let a burst gather into one transaction.
        if batch.len() < BATCH {
            let _ = tokio::time::timeout(FLUSH_EVERY, async {
                while batch.len() < BATCH {
                    let room = BATCH - batch.len();
                    if rx.recv_many(&mut batch, room).await == 0 {
                        break;
                    }
                }
            })
            .await;
        }
        flush(&store, &mut batch).await;
    }
}

async fn flush(store: &Store, batch: &mut Vec<RequestEvent>) {
    if batch.is_empty() {
        return;
    }
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=5 {
        match store.insert_events(batch).await {
            Ok(()) => break,
            Err(e) if attempt == 5 => {
                tracing::error!(error = %e, lost = batch.len(), "could not write request events");
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt, "writing request events failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
        }
    }
    let mut uses: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for e in batch.iter() {
        let at = uses.entry(e.api_key_id.as_str()).or_insert(e.created_at);
        *at = (*at).max(e.created_at);
    }
    let uses: Vec<(String, i64)> = uses.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if let Err(e) = store.touch_api_keys(&uses).await {
        tracing::warn!(error = %e, "could not update API key last-use times");
    }
    batch.clear();
}
