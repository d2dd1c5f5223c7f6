//! The event writer: request events and guard scans go into a bounded
//! channel on the hot path and are written to the store in batches by one
//! task. A full channel drops the record (counted and logged) rather than
//! slowing requests down.
//!
//! The writer also turns records that found threats into `threat.detected`
//! webhook deliveries, enqueued in the same transaction as the records
//! themselves, and wakes the delivery worker when it enqueued any.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use store::events::{EventBatch, RequestEvent};
use store::guard_scans::GuardScan;
use store::Store;
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

const CHANNEL_CAPACITY: usize = 65_536;
const BATCH: usize = 512;
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// What travels from the request path to the writer.
#[derive(Debug)]
pub enum Record {
    Request(RequestEvent),
    GuardScan(GuardScan),
}

#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::Sender<Record>,
    dropped: Arc<AtomicU64>,
}

impl EventSink {
    /// Queues a request event without waiting.
    pub fn record(&self, event: RequestEvent) {
        self.send(Record::Request(event));
    }

    /// Queues a guard API scan without waiting.
    pub fn record_guard_scan(&self, scan: GuardScan) {
        self.send(Record::GuardScan(scan));
    }

    fn send(&self, record: Record) {
        if self.tx.try_send(record).is_err() {
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

pub fn channel() -> (EventSink, mpsc::Receiver<Record>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    (EventSink { tx, dropped: Arc::new(AtomicU64::new(0)) }, rx)
}

/// Writes records until `shutdown` is cancelled, then drains what is queued.
/// `deliveries` is notified whenever a batch enqueued webhook deliveries.
pub async fn run_writer(
    store: Store,
    mut rx: mpsc::Receiver<Record>,
    deliveries: Arc<Notify>,
    shutdown: CancellationToken,
) {
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
                    flush(&store, &mut batch, &deliveries).await;
                }
            }
            flush(&store, &mut batch, &deliveries).await;
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
        flush(&store, &mut batch, &deliveries).await;
    }
}

async fn flush(store: &Store, batch: &mut Vec<Record>, deliveries: &Notify) {
    if batch.is_empty() {
        return;
    }
    let mut requests = Vec::new();
    let mut guard_scans = Vec::new();
    for record in batch.drain(..) {
        match record {
            Record::Request(e) => requests.push(e),
            Record::GuardScan(s) => guard_scans.push(s),
        }
    }
    let alerts: Vec<_> = requests
        .iter()
        .filter_map(crate::webhooks::request_alert)
        .chain(guard_scans.iter().filter_map(crate::webhooks::guard_scan_alert))
        .collect();
    let records = EventBatch { requests: &requests, guard_scans: &guard_scans, alerts: &alerts };
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=5 {
        match store.record_batch(records).await {
            Ok(enqueued) => {
                if enqueued > 0 {
                    deliveries.notify_one();
                }
                break;
            }
            Err(e) if attempt == 5 => {
                let lost = requests.len() + guard_scans.len();
                tracing::error!(error = %e, lost, "could not write request events and guard scans");
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt, "writing request events failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
        }
    }
    let mut uses: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for e in &requests {
        let at = uses.entry(e.api_key_id.as_str()).or_insert(e.created_at);
        *at = (*at).max(e.created_at);
    }
    let uses: Vec<(String, i64)> = uses.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if !uses.is_empty() {
        if let Err(e) = store.touch_api_keys(&uses).await {
            tracing::warn!(error = %e, "could not update API key last-use times");
        }
    }
}
