//! Flagged traffic and threat statistics, run on SQLite and on Postgres.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use store::events::{EventBatch, RequestEvent};
use store::guard_scans::GuardScan;
use store::threats::{ThreatFilter, ThreatSource};
use store::{Store, StoreError};

store::on_both_backends!(
    threats_list_flagged_traffic_newest_first,
    threats_filter_by_action_and_type,
    threat_stats_count_per_day,
    old_traffic_is_purged
);

const DAY: i64 = 24 * 3600 * 1000;
/// A fixed day, so bucket arithmetic is checked against known numbers.
const T0: i64 = 1_700_000_000_000 / DAY * DAY;

fn finding(kind: &str, pattern: &str, start: u64, end: u64) -> String {
    format!(
        r#"{{"custom_type":null,"location":{{"end":{end},"pointer":"/messages/0/content","start":{start}}},"original":"[5 characters]","pattern":"{pattern}","severity":"high","source":"user_input","type":"{kind}"}}"#
    )
}

fn request(org_id: &str, id: &str, at: i64, action: Option<&str>, findings: &[String]) -> RequestEvent {
    RequestEvent {
        id: id.into(),
        org_id: org_id.into(),
        proxy_id: "px_1".into(),
        api_key_id: "key_1".into(),
        api: "openai_chat".into(),
        model: "mock-echo".into(),
        stream: false,
        status: if action == Some("block") { 400 } else { 200 },
        latency_ms: 3,
        input_tokens: None,
        output_tokens: None,
        end_user_id: Some("u1".into()),
        session_id: None,
        app_context: None,
        error: None,
        created_at: at,
        scan_action: action.map(str::to_string),
        risk_score: action.map(|_| 0.5),
        threats: (!findings.is_empty()).then(|| format!("[{}]", findings.join(","))),
    }
}

fn scan(org_id: &str, id: &str, at: i64, action: &str, findings: &[(&str, &str)]) -> GuardScan {
    let mut types: Vec<String> = findings.iter().map(|(t, _)| (*t).to_string()).collect();
    types.sort();
    types.dedup();
    let list: Vec<String> = findings.iter().map(|(t, p)| finding(t, p, 0, 5)).collect();
    GuardScan {
        id: id.into(),
        org_id: org_id.into(),
        proxy_id: "px_1".into(),
        kind: "content".into(),
        source: "tool_output".into(),
        action: action.into(),
        risk_score: 0.7,
        threat_types: types,
        threats: (!list.is_empty()).then(|| format!("[{}]", list.join(","))),
        end_user_id: None,
        duration_us: 1500,
        created_at: at,
    }
}

async fn record(store: &Store, requests: &[RequestEvent], scans: &[GuardScan]) {
    store.record_batch(EventBatch { requests, guard_scans: scans, ..EventBatch::default() }).await.unwrap();
}

async fn threats_list_flagged_traffic_newest_first(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    let other = store.create_org("Other").await.unwrap();
    let injection = finding("prompt_injection", "ignore_previous", 0, 31);
    record(
        &store,
        &[
            request(&org.id, "req_clean", T0 + 1, Some("allow"), &[]),
            request(&org.id, "req_unscanned", T0 + 2, None, &[]),
            request(&org.id, "req_block", T0 + 3, Some("block"), std::slice::from_ref(&injection)),
            request(&org.id, "req_warn_only", T0 + 5, Some("warn"), &[]),
            // Findings under an allowing verdict are still worth listing.
            request(&org.id, "req_allow_found", T0 + 6, Some("allow"), &[finding("pii", "email", 4, 9)]),
            request(&other.id, "req_theirs", T0 + 7, Some("block"), std::slice::from_ref(&injection)),
        ],
        &[
            scan(&org.id, "gs_clean", T0 + 8, "allow", &[]),
            scan(&org.id, "gs_sanitize", T0 + 4, "sanitize", &[("pii", "email"), ("pii", "phone")]),
        ],
    )
    .await;

    let list = store.list_threats(&org.id, &ThreatFilter::default(), 200).await.unwrap();
    let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["req_allow_found", "req_warn_only", "gs_sanitize", "req_block"]);

    let blocked = &list[3];
    assert_eq!(blocked.source, ThreatSource::Request("openai_chat".into()));
    assert_eq!(blocked.action, "block");
    assert_eq!(blocked.risk_score, Some(0.5));
    assert_eq!(blocked.end_user_id.as_deref(), Some("u1"));
    assert_eq!(blocked.findings.len(), 1);
    let f = &blocked.findings[0];
    assert_eq!(
        (f.threat_type.as_str(), f.pattern.as_str(), f.severity.as_str()),
        ("prompt_injection", "ignore_previous", "high")
    );
    assert_eq!((f.start, f.end), (Some(0), Some(31)));
    assert_eq!(f.pointer.as_deref(), Some("/messages/0/content"));

    let scanned = &list[2];
    assert_eq!(scanned.source, ThreatSource::Guard("content".into()));
    assert_eq!(scanned.findings.len(), 2);
    assert!(list[1].findings.is_empty());

    assert_eq!(store.list_threats(&org.id, &ThreatFilter::default(), 2).await.unwrap().len(), 2);
    let theirs = store.list_threats(&other.id, &ThreatFilter::default(), 200).await.unwrap();
    assert_eq!(theirs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["req_theirs"]);
}

async fn threats_filter_by_action_and_type(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    record(
        &store,
        &[
            request(&org.id, "req_block", T0 + 1, Some("block"), &[finding("prompt_injection", "p", 0, 3)]),
            request(&org.id, "req_pii", T0 + 2, Some("sanitize"), &[finding("pii", "email", 0, 3)]),
            // `custom_type` spelled like a type must not pass for one.
            request(
                &org.id,
                "req_custom",
                T0 + 3,
                Some("warn"),
                &[finding("custom", "x", 0, 3).replace(r#""custom_type":null"#, r#""custom_type":"pii""#)],
            ),
        ],
        &[scan(&org.id, "gs_pii", T0 + 4, "block", &[("pii", "email")])],
    )
    .await;
    let ids = |list: Vec<store::threats::ThreatRecord>| list.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let by = |action: Option<&str>, kind: Option<&str>| ThreatFilter {
        action: action.map(str::to_string),
        threat_type: kind.map(str::to_string),
    };
    assert_eq!(ids(store.list_threats(&org.id, &by(Some("block"), None), 50).await.unwrap()), ["gs_pii", "req_block"]);
    assert_eq!(ids(store.list_threats(&org.id, &by(None, Some("pii")), 50).await.unwrap()), ["gs_pii", "req_pii"]);
    assert_eq!(ids(store.list_threats(&org.id, &by(Some("block"), Some("pii")), 50).await.unwrap()), ["gs_pii"]);
    assert_eq!(ids(store.list_threats(&org.id, &by(None, Some("custom")), 50).await.unwrap()), ["req_custom"]);
    assert!(store.list_threats(&org.id, &by(Some("allow"), None), 50).await.unwrap().is_empty());
    // The LIKE wildcard `_` in a type is taken literally.
    assert!(store.list_threats(&org.id, &by(None, Some("prompt_injectio_")), 50).await.unwrap().is_empty());
    for bad in [by(Some("explode"), None), by(None, Some("pii' OR '1'='1")), by(None, Some(""))] {
        assert!(matches!(store.list_threats(&org.id, &bad, 50).await, Err(StoreError::Invalid(_))), "{bad:?}");
    }
}

async fn threat_stats_count_per_day(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    let other = store.create_org("Other").await.unwrap();
    let pii = finding("pii", "email", 0, 3);
    let inj = finding("prompt_injection", "p", 0, 3);
    record(
        &store,
        &[
            request(&org.id, "r1", T0 + 10, Some("allow"), &[]),
            request(&org.id, "r2", T0 + 20, Some("block"), &[inj.clone(), pii.clone()]),
            // Two findings of one type in one request count once.
            request(&org.id, "r3", T0 + DAY + 5, Some("sanitize"), &[pii.clone(), pii.clone()]),
            request(&org.id, "r_unscanned", T0 + DAY + 6, None, &[]),
            request(&org.id, "r_old", T0 - 1, Some("block"), std::slice::from_ref(&inj)),
            request(&other.id, "r_theirs", T0 + 30, Some("block"), std::slice::from_ref(&inj)),
        ],
        &[
            scan(&org.id, "g1", T0 + DAY + 7, "allow", &[]),
            scan(&org.id, "g2", T0 + DAY + 8, "warn", &[("secrets", "aws_key")]),
        ],
    )
    .await;
    let stats = store.threat_stats(&org.id, T0, DAY).await.unwrap();
    assert_eq!(stats.days.len(), 2);
    let (d0, d1) = (&stats.days[0], &stats.days[1]);
    assert_eq!((d0.bucket_start, d1.bucket_start), (T0, T0 + DAY));
    assert_eq!(d0.actions.get("allow"), Some(&1));
    assert_eq!(d0.actions.get("block"), Some(&1));
    assert_eq!(d0.threat_types.get("pii"), Some(&1));
    assert_eq!(d0.threat_types.get("prompt_injection"), Some(&1));
    assert_eq!(d1.actions.get("sanitize"), Some(&1));
    assert_eq!(d1.actions.get("allow"), Some(&1));
    assert_eq!(d1.actions.get("warn"), Some(&1));
    assert_eq!(d1.threat_types.get("pii"), Some(&1));
    assert_eq!(d1.threat_types.get("secrets"), Some(&1));
    assert_eq!(stats.scanned, 5);
    assert_eq!(stats.flagged, 3);
    assert_eq!(stats.blocked, 1);
    assert_eq!(
        stats.top_types,
        [("pii".to_string(), 2), ("prompt_injection".to_string(), 1), ("secrets".to_string(), 1)]
    );
    assert_eq!(stats.mean_scan_ms, Some(1.5));

    let empty = store.threat_stats(&org.id, T0 + 10 * DAY, DAY).await.unwrap();
    assert!(empty.days.is_empty() && empty.top_types.is_empty());
    assert_eq!((empty.scanned, empty.flagged, empty.blocked, empty.mean_scan_ms), (0, 0, 0, None));
}

async fn old_traffic_is_purged(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    let other = store.create_org("Other").await.unwrap();
    let injection = finding("prompt_injection", "ignore_previous", 0, 31);
    let flagged = std::slice::from_ref(&injection);
    record(
        &store,
        &[
            request(&org.id, "req_old", T0 - 2 * DAY, Some("block"), flagged),
            request(&other.id, "req_old_theirs", T0 - DAY, Some("block"), flagged),
            request(&org.id, "req_new", T0 + 1, Some("block"), flagged),
        ],
        &[
            scan(&org.id, "gs_old", T0 - 1, "block", &[("prompt_injection", "ignore_previous")]),
            scan(&org.id, "gs_new", T0, "block", &[("prompt_injection", "ignore_previous")]),
        ],
    )
    .await;
    let purged = store.purge_old_records(T0).await.unwrap();
    assert_eq!((purged.request_events, purged.guard_scans), (2, 1));
    let list = store.list_threats(&org.id, &ThreatFilter::default(), 200).await.unwrap();
    let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["req_new", "gs_new"]);
    assert!(store.list_threats(&other.id, &ThreatFilter::default(), 200).await.unwrap().is_empty());
    // Nothing older is left: a second sweep deletes nothing.
    let again = store.purge_old_records(T0).await.unwrap();
    assert_eq!((again.request_events, again.guard_scans), (0, 0));
}
