//! Webhook endpoints, the delivery outbox and guard scan stats, run on
//! SQLite and on Postgres.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use serde_json::json;
use store::crypto::MasterKey;
use store::events::{EventBatch, RequestEvent};
use store::guard_scans::GuardScan;
use store::webhooks::{AttemptOutcome, DeliveryStatus, NewWebhookEvent, WebhookEndpointInput, THREAT_DETECTED};
use store::{now_ms, random_id, Secret, Store, StoreError};

fn master() -> MasterKey {
    MasterKey::derive(&Secret::new("test-master".to_string()))
}

fn endpoint(url: &str) -> WebhookEndpointInput {
    WebhookEndpointInput { url: url.into(), description: "alerts".into(), secret: None }
}

store::on_both_backends!(
    endpoints_are_validated_and_tenant_scoped,
    outbox_fans_out_in_the_event_transaction,
    claims_lease_retry_and_settle,
    test_events_and_paused_endpoints,
    guard_scan_stats_count_per_proxy,
);

fn request_event(org_id: &str, id: &str) -> RequestEvent {
    RequestEvent {
        id: id.into(),
        org_id: org_id.into(),
        proxy_id: "px_1".into(),
        api_key_id: "key_1".into(),
        api: "openai_chat".into(),
        model: "mock-echo".into(),
        stream: false,
        status: 400,
        latency_ms: 3,
        input_tokens: None,
        output_tokens: None,
        end_user_id: Some("u1".into()),
        session_id: None,
        app_context: None,
        error: Some("blocked".into()),
        created_at: now_ms(),
        scan_action: Some("block".into()),
        risk_score: Some(0.9),
        threats: Some("[]".into()),
    }
}

fn alert(org_id: &str, request_id: &str) -> NewWebhookEvent {
    NewWebhookEvent {
        org_id: org_id.into(),
        event_type: THREAT_DETECTED.into(),
        data: json!({"request_id": request_id, "threat_score": 0.9}),
    }
}

async fn endpoints_are_validated_and_tenant_scoped(store: Store) {
    let m = master();
    let org = store.create_org("Acme").await.unwrap();
    let other = store.create_org("Other").await.unwrap();
    for bad in ["ftp://example.com", "not a url", "https://"] {
        assert!(matches!(store.create_webhook_endpoint(&org.id, endpoint(bad), &m).await, Err(StoreError::Invalid(_))));
    }
    let short = WebhookEndpointInput { secret: Some(Secret::new("short".into())), ..endpoint("https://x.example") };
    assert!(matches!(store.create_webhook_endpoint(&org.id, short, &m).await, Err(StoreError::Invalid(_))));

    let (ep, secret) = store.create_webhook_endpoint(&org.id, endpoint(" https://hooks.example/a "), &m).await.unwrap();
    assert!(secret.expose().starts_with("whsec_"));
    assert_eq!(ep.url, "https://hooks.example/a");
    assert!(ep.enabled);
    assert_eq!(store.list_webhook_endpoints(&org.id).await.unwrap(), vec![ep.clone()]);
    assert!(store.list_webhook_endpoints(&other.id).await.unwrap().is_empty());
    assert!(matches!(store.get_webhook_endpoint(&other.id, &ep.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_webhook_endpoint_enabled(&other.id, &ep.id, false).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_webhook_endpoint(&other.id, &ep.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.rotate_webhook_secret(&other.id, &ep.id, &m).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.send_test_webhook(&other.id, &ep.id).await, Err(StoreError::NotFound(_))));

    assert!(matches!(
        store.update_webhook_endpoint(&other.id, &ep.id, "https://x.example", "").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.update_webhook_endpoint(&org.id, &ep.id, "gopher://x", "").await,
        Err(StoreError::Invalid(_))
    ));
    let moved = store.update_webhook_endpoint(&org.id, &ep.id, "https://hooks.example/b", " paging ").await.unwrap();
    assert_eq!((moved.url.as_str(), moved.description.as_str()), ("https://hooks.example/b", "paging"));

    store.set_webhook_endpoint_enabled(&org.id, &ep.id, false).await.unwrap();
    assert!(!store.get_webhook_endpoint(&org.id, &ep.id).await.unwrap().enabled);

    // A caller-chosen secret is kept as given; the stored form is encrypted.
    let mine = WebhookEndpointInput {
        secret: Some(Secret::new("my-own-secret-0123456789".into())),
        ..endpoint("http://127.0.0.1:9/hook")
    };
    let (ep2, s2) = store.create_webhook_endpoint(&org.id, mine, &m).await.unwrap();
    assert_eq!(s2.expose(), "my-own-secret-0123456789");
    store.enqueue_webhook_event(&alert(&org.id, "req_1")).await.unwrap();
    let claimed = store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].endpoint_id, ep2.id);
    assert_eq!(claimed[0].secret.as_ref().unwrap().expose(), "my-own-secret-0123456789");
    // Another master key cannot read the secret: the worker gets None.
    store.release_webhook_delivery(&claimed[0].id, &claimed[0].lease).await.unwrap();
    let other_master = MasterKey::derive(&Secret::new("another".to_string()));
    let claimed = store.claim_webhook_deliveries(&other_master, 10, 60_000).await.unwrap();
    assert!(claimed[0].secret.is_none());

    let rotated = store.rotate_webhook_secret(&org.id, &ep2.id, &m).await.unwrap();
    assert_ne!(rotated.expose(), s2.expose());
    assert_eq!(store.list_webhook_deliveries(&org.id, &ep2.id, 10).await.unwrap().len(), 1);
    store.delete_webhook_endpoint(&org.id, &ep2.id).await.unwrap();
    assert!(matches!(store.get_webhook_endpoint(&org.id, &ep2.id).await, Err(StoreError::NotFound(_))));
    assert!(store.list_webhook_deliveries(&org.id, &ep2.id, 10).await.unwrap().is_empty());
}

async fn outbox_fans_out_in_the_event_transaction(store: Store) {
    let m = master();
    let org = store.create_org("Acme").await.unwrap();
    let quiet = store.create_org("Quiet").await.unwrap();
    let (a, _) = store.create_webhook_endpoint(&org.id, endpoint("https://a.example/h"), &m).await.unwrap();
    let (b, _) = store.create_webhook_endpoint(&org.id, endpoint("https://b.example/h"), &m).await.unwrap();
    let (off, _) = store.create_webhook_endpoint(&org.id, endpoint("https://c.example/h"), &m).await.unwrap();
    store.set_webhook_endpoint_enabled(&org.id, &off.id, false).await.unwrap();

    let events = [request_event(&org.id, "req_a"), request_event(&quiet.id, "req_q")];
    let alerts = [alert(&org.id, "req_a"), alert(&quiet.id, "req_q")];
    let n =
        store.record_batch(EventBatch { requests: &events, alerts: &alerts, ..EventBatch::default() }).await.unwrap();
    // Two enabled endpoints of Acme; Quiet has none.
    assert_eq!(n, 2);
    assert_eq!(store.list_events(&org.id, 10).await.unwrap().len(), 1);
    for ep in [&a, &b] {
        let d = store.list_webhook_deliveries(&org.id, &ep.id, 10).await.unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].status, DeliveryStatus::Pending);
        assert_eq!(d[0].attempts, 0);
        assert_eq!(d[0].event_type, "threat.detected");
        let body: serde_json::Value = serde_json::from_str(&d[0].payload).unwrap();
        assert_eq!(body, json!({"event": "threat.detected", "data": {"request_id": "req_a", "threat_score": 0.9}}));
        assert!(d[0].id.starts_with("msg_"));
    }
    assert!(store.list_webhook_deliveries(&org.id, &off.id, 10).await.unwrap().is_empty());
    // Scoped by org: Quiet cannot read Acme's deliveries.
    assert!(store.list_webhook_deliveries(&quiet.id, &a.id, 10).await.unwrap().is_empty());

    // A batch that fails (a duplicate event id) enqueues nothing either.
    let again = [request_event(&org.id, "req_a")];
    let failed = store
        .record_batch(EventBatch { requests: &again, alerts: &[alert(&org.id, "req_a")], ..EventBatch::default() })
        .await;
    assert!(failed.is_err());
    assert_eq!(store.list_webhook_deliveries(&org.id, &a.id, 10).await.unwrap().len(), 1);
}

async fn claims_lease_retry_and_settle(store: Store) {
    let m = master();
    let org = store.create_org("Acme").await.unwrap();
    let (ep, secret) = store.create_webhook_endpoint(&org.id, endpoint("https://a.example/h"), &m).await.unwrap();
    assert_eq!(store.next_webhook_due_at().await.unwrap(), None);
    store.enqueue_webhook_event(&alert(&org.id, "req_1")).await.unwrap();
    assert!(store.next_webhook_due_at().await.unwrap().unwrap() <= now_ms());

    let first = store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap();
    assert_eq!(first.len(), 1);
    let c = &first[0];
    assert_eq!(
        (c.org_id.as_str(), c.endpoint_id.as_str(), c.url.as_str()),
        (org.id.as_str(), ep.id.as_str(), ep.url.as_str())
    );
    assert_eq!(c.secret.as_ref().unwrap().expose(), secret.expose());
    assert_eq!(c.attempts, 0);
    // Leased: nobody else gets it, and it is not due until the lease ends.
    assert!(store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap().is_empty());
    assert!(store.next_webhook_due_at().await.unwrap().unwrap() > now_ms() + 50_000);

    let retry =
        AttemptOutcome::Retry { next_attempt_at: now_ms() - 1, status_code: Some(500), error: "HTTP 500".into() };
    assert!(!store.record_webhook_attempt(&c.id, "lease_wrong", &retry).await.unwrap());
    assert!(store.record_webhook_attempt(&c.id, &c.lease, &retry).await.unwrap());
    // The lease is released with the outcome: recording twice does nothing.
    assert!(!store.record_webhook_attempt(&c.id, &c.lease, &retry).await.unwrap());
    let d = store.get_webhook_delivery(&org.id, &c.id).await.unwrap();
    assert_eq!(
        (d.status, d.attempts, d.last_status_code, d.last_error.as_deref()),
        (DeliveryStatus::Pending, 1, Some(500), Some("HTTP 500"))
    );

    // A lease that runs out makes the row due again, and the old holder can
    // no longer record an outcome.
    let second = store.claim_webhook_deliveries(&m, 10, 1).await.unwrap();
    assert_eq!((second.len(), second[0].attempts), (1, 1));
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let third = store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap();
    assert_eq!(third.len(), 1);
    let ok = AttemptOutcome::Delivered { status_code: 204 };
    assert!(!store.record_webhook_attempt(&c.id, &second[0].lease, &ok).await.unwrap());
    assert!(store.record_webhook_attempt(&c.id, &third[0].lease, &ok).await.unwrap());
    let d = store.get_webhook_delivery(&org.id, &c.id).await.unwrap();
    assert_eq!(
        (d.status, d.attempts, d.last_status_code, d.last_error),
        (DeliveryStatus::Delivered, 2, Some(204), None)
    );
    assert!(d.delivered_at.is_some());
    assert!(store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap().is_empty());

    // Giving up.
    store.enqueue_webhook_event(&alert(&org.id, "req_2")).await.unwrap();
    let c = store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap().remove(0);
    let gave_up = AttemptOutcome::Failed { status_code: None, error: "connection refused".into() };
    assert!(store.record_webhook_attempt(&c.id, &c.lease, &gave_up).await.unwrap());
    let d = store.get_webhook_delivery(&org.id, &c.id).await.unwrap();
    assert_eq!((d.status, d.attempts, d.last_status_code), (DeliveryStatus::Failed, 1, None));
    assert_eq!(store.next_webhook_due_at().await.unwrap(), None);

    // Newest first; settled rows can be purged, pending ones stay.
    store.enqueue_webhook_event(&alert(&org.id, "req_3")).await.unwrap();
    let list = store.list_webhook_deliveries(&org.id, &ep.id, 10).await.unwrap();
    assert_eq!(list.len(), 3);
    assert!(list[0].payload.contains("req_3"));
    assert_eq!(store.purge_webhook_deliveries(now_ms() + 1).await.unwrap(), 2);
    assert_eq!(store.list_webhook_deliveries(&org.id, &ep.id, 10).await.unwrap().len(), 1);
}

async fn test_events_and_paused_endpoints(store: Store) {
    let m = master();
    let org = store.create_org("Acme").await.unwrap();
    let (ep, _) = store.create_webhook_endpoint(&org.id, endpoint("https://a.example/h"), &m).await.unwrap();
    store.set_webhook_endpoint_enabled(&org.id, &ep.id, false).await.unwrap();
    // Paused: no fan-out, and a test event waits until it is turned on.
    assert_eq!(store.enqueue_webhook_event(&alert(&org.id, "req_1")).await.unwrap(), 0);
    let test = store.send_test_webhook(&org.id, &ep.id).await.unwrap();
    assert_eq!((test.event_type.as_str(), test.status), ("webhook.test", DeliveryStatus::Pending));
    let body: serde_json::Value = serde_json::from_str(&test.payload).unwrap();
    assert_eq!(body["event"], "webhook.test");
    assert_eq!(body["data"]["endpoint_id"], ep.id.as_str());
    assert!(body["data"]["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap().is_empty());
    assert_eq!(store.next_webhook_due_at().await.unwrap(), None);
    store.set_webhook_endpoint_enabled(&org.id, &ep.id, true).await.unwrap();
    let claimed = store.claim_webhook_deliveries(&m, 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, test.id);
    assert_eq!(claimed[0].event_type, "webhook.test");
}

fn scan(org_id: &str, proxy_id: &str, action: &str, types: &[&str], duration_us: i64, created_at: i64) -> GuardScan {
    GuardScan {
        id: random_id("gs", 12),
        org_id: org_id.into(),
        proxy_id: proxy_id.into(),
        kind: "content".into(),
        source: "document".into(),
        action: action.into(),
        risk_score: if types.is_empty() { 0.0 } else { 0.8 },
        threat_types: types.iter().map(|t| t.to_string()).collect(),
        threats: None,
        end_user_id: None,
        duration_us,
        created_at,
    }
}

async fn guard_scan_stats_count_per_proxy(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    let other = store.create_org("Other").await.unwrap();
    let now = now_ms();
    let empty = store.guard_scan_stats(&org.id, "px_a", 0).await.unwrap();
    assert_eq!((empty.total_scanned, empty.avg_scan_duration_ms), (0, 0.0));
    let scans = [
        scan(&org.id, "px_a", "allow", &[], 1000, now),
        scan(&org.id, "px_a", "block", &["prompt_injection", "jailbreak"], 2000, now),
        scan(&org.id, "px_a", "sanitize", &["pii"], 3000, now),
        scan(&org.id, "px_a", "block", &["prompt_injection"], 6000, now),
        // Too old, another proxy, another org: not counted.
        scan(&org.id, "px_a", "block", &["prompt_injection"], 1000, now - 100_000),
        scan(&org.id, "px_b", "block", &["prompt_injection"], 1000, now),
        scan(&other.id, "px_a", "block", &["prompt_injection"], 1000, now),
    ];
    store.record_batch(EventBatch { guard_scans: &scans, ..EventBatch::default() }).await.unwrap();
    let s = store.guard_scan_stats(&org.id, "px_a", now - 1000).await.unwrap();
    assert_eq!(s.total_scanned, 4);
    assert_eq!(s.threats_detected, 3);
    assert_eq!(
        s.actions,
        [("allow".to_string(), 1), ("block".into(), 2), ("sanitize".into(), 1)].into_iter().collect()
    );
    assert_eq!(
        s.threat_types,
        [("jailbreak".to_string(), 1), ("pii".into(), 1), ("prompt_injection".into(), 2)].into_iter().collect()
    );
    assert_eq!(s.avg_scan_duration_ms, 3.0);
    assert_eq!(store.guard_scan_stats(&org.id, "px_a", 0).await.unwrap().total_scanned, 5);
}
