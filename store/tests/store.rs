//! The store's behaviour, run on SQLite and on Postgres.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use store::crypto::MasterKey;
use store::events::RequestEvent;
use store::proxies::{Provider, ProxyInput, ProxySettings};
use store::users::{hash_password, verify_password, Role};
use store::{now_ms, random_id, Secret, Store, StoreError};

fn master() -> MasterKey {
    MasterKey::derive(&Secret::new("test-master".to_string()))
}

fn mock_proxy(name: &str) -> ProxyInput {
    ProxyInput {
        name: name.into(),
        provider: Provider::Mock,
        base_url: None,
        provider_key: None,
        settings: ProxySettings::default(),
    }
}

store::on_both_backends!(
    orgs_users_and_memberships,
    api_keys_lifecycle,
    api_keys_are_tenant_scoped,
    proxies_encrypt_provider_keys,
    sessions_expire_and_delete,
    events_round_trip_and_totals,
    config_version_moves_on_change,
);

async fn orgs_users_and_memberships(store: Store) {
    let org = store.create_org("Acme").await.unwrap();
    assert!(matches!(store.create_org("Acme").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.find_org_by_name("Acme").await.unwrap().unwrap().id, org.id);
    let hash = hash_password(Secret::new("correct horse".into())).await.unwrap();
    assert!(hash.starts_with("$argon2id$"));
    let user = store.create_user(" Alice@Example.com ", &hash).await.unwrap();
    assert_eq!(user.email, "alice@example.com");
    assert!(matches!(store.create_user("alice@example.com", &hash).await, Err(StoreError::Conflict(_))));
    store.add_member(&org.id, &user.id, Role::Owner).await.unwrap();
    let (found, stored_hash) = store.find_user_credentials("ALICE@example.com").await.unwrap().unwrap();
    assert_eq!(found.id, user.id);
    assert!(verify_password(Secret::new("correct horse".into()), stored_hash.clone()).await);
    assert!(!verify_password(Secret::new("wrong".into()), stored_hash).await);
    let ms = store.memberships_of(&user.id).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].role, Role::Owner);
    let members = store.list_members(&org.id).await.unwrap();
    assert_eq!(members[0].0.email, "alice@example.com");
}

async fn api_keys_lifecycle(store: Store) {
    let org = store.create_org("Keys").await.unwrap();
    let proxy = store.create_proxy(&org.id, mock_proxy("default"), &master()).await.unwrap();
    let (key, full) = store.create_api_key(&org.id, &proxy.id, "ci").await.unwrap();
    let presented = store::api_keys::PresentedKey::parse(full.expose()).unwrap();
    assert_eq!(presented.id, key.id);
    let active = store.load_active_keys().await.unwrap();
    let entry = active.iter().find(|k| k.id == key.id).unwrap();
    assert!(presented.matches(&entry.secret_hash));
    assert_eq!(entry.proxy_id, proxy.id);

    let used_at = now_ms();
    store.touch_api_keys(&[(key.id.clone(), used_at)]).await.unwrap();
    let listed = store.list_api_keys(&org.id).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(used_at));

    store.revoke_api_key(&org.id, &key.id).await.unwrap();
    assert!(store.load_active_keys().await.unwrap().iter().all(|k| k.id != key.id));
    assert!(matches!(store.revoke_api_key(&org.id, &key.id).await, Err(StoreError::NotFound(_))));
    assert!(store.list_api_keys(&org.id).await.unwrap()[0].revoked_at.is_some());
}

async fn api_keys_are_tenant_scoped(store: Store) {
    let a = store.create_org("A").await.unwrap();
    let b = store.create_org("B").await.unwrap();
    let pa = store.create_proxy(&a.id, mock_proxy("a"), &master()).await.unwrap();
    let (ka, _) = store.create_api_key(&a.id, &pa.id, "a").await.unwrap();
    // B can neither see, revoke, nor mint keys on A's proxy.
    assert!(store.list_api_keys(&b.id).await.unwrap().is_empty());
    assert!(matches!(store.revoke_api_key(&b.id, &ka.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.create_api_key(&b.id, &pa.id, "x").await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.get_proxy(&b.id, &pa.id).await, Err(StoreError::NotFound(_))));
    assert!(store.list_proxies(&b.id).await.unwrap().is_empty());
    let mut edit = mock_proxy("stolen");
    edit.provider = Provider::Openai;
    assert!(matches!(store.update_proxy(&b.id, &pa.id, edit, &master()).await, Err(StoreError::NotFound(_))));
}

async fn proxies_encrypt_provider_keys(store: Store) {
    let org = store.create_org("Crypt").await.unwrap();
    let mut input = mock_proxy("openai");
    input.provider = Provider::Openai;
    input.base_url = Some("http://127.0.0.1:9/v1".into());
    input.provider_key = Some(Secret::new("sk-upstream-secret".into()));
    input.settings.upstream_timeout_ms = Some(1500);
    let p = store.create_proxy(&org.id, input, &master()).await.unwrap();
    assert!(p.has_provider_key);
    assert_eq!(p.settings.upstream_timeout_ms, Some(1500));
    let all = store.load_all_proxies(&master()).await.unwrap();
    let loaded = all.iter().find(|x| x.proxy.id == p.id).unwrap();
    assert_eq!(loaded.provider_key.as_ref().unwrap().expose(), "sk-upstream-secret");

    // A different master key cannot read it, and does not fail the load.
    let other = MasterKey::derive(&Secret::new("other".into()));
    let all = store.load_all_proxies(&other).await.unwrap();
    assert!(all.iter().find(|x| x.proxy.id == p.id).unwrap().provider_key.is_none());

    // None keeps the key, Some("") clears it.
    let mut keep = mock_proxy("renamed");
    keep.provider = Provider::Openai;
    let p2 = store.update_proxy(&org.id, &p.id, keep, &master()).await.unwrap();
    assert_eq!(p2.name, "renamed");
    assert!(p2.has_provider_key);
    let mut clear = mock_proxy("renamed");
    clear.provider_key = Some(Secret::new(String::new()));
    let p3 = store.update_proxy(&org.id, &p.id, clear, &master()).await.unwrap();
    assert!(!p3.has_provider_key);
    assert_eq!(p3.provider, Provider::Mock);
}

async fn sessions_expire_and_delete(store: Store) {
    let org = store.create_org("S").await.unwrap();
    let user = store.create_user("s@example.com", "x").await.unwrap();
    let (raw, s) = store.create_session(&user.id, &org.id, 60_000).await.unwrap();
    let got = store.get_session(raw.expose()).await.unwrap().unwrap();
    assert_eq!(got, s);
    // No membership yet: the session does not resolve into a dashboard view.
    assert!(store.get_session_view(raw.expose()).await.unwrap().is_none());
    store.add_member(&org.id, &user.id, Role::Admin).await.unwrap();
    let view = store.get_session_view(raw.expose()).await.unwrap().unwrap();
    assert_eq!((view.email.as_str(), view.org_name.as_str(), view.role), ("s@example.com", "S", Role::Admin));
    assert!(store.get_session("ses_unknown").await.unwrap().is_none());
    store.delete_session(raw.expose()).await.unwrap();
    assert!(store.get_session(raw.expose()).await.unwrap().is_none());

    let (expired, _) = store.create_session(&user.id, &org.id, -1).await.unwrap();
    assert!(store.get_session(expired.expose()).await.unwrap().is_none());
    assert!(store.purge_expired_sessions().await.unwrap() >= 1);
}

async fn events_round_trip_and_totals(store: Store) {
    let org = store.create_org("E").await.unwrap();
    let other = store.create_org("F").await.unwrap();
    let now = now_ms();
    let event = |org_id: &str, status: u16, at: i64| RequestEvent {
        id: random_id("evt", 8),
        org_id: org_id.into(),
        proxy_id: "px_1".into(),
        api_key_id: "k".into(),
        api: "openai_chat".into(),
        model: "mock-echo".into(),
        stream: true,
        status,
        latency_ms: 12,
        input_tokens: Some(10),
        output_tokens: Some(5),
        end_user_id: Some("user-7".into()),
        session_id: None,
        app_context: Some("support".into()),
        error: None,
        created_at: at,
        scan_action: Some("warn".into()),
        risk_score: Some(0.25),
        threats: Some(r#"[{"type":"profanity"}]"#.into()),
    };
    let batch = vec![event(&org.id, 200, now - 10), event(&org.id, 502, now), event(&other.id, 200, now)];
    store.insert_events(&batch).await.unwrap();
    let listed = store.list_events(&org.id, 50).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], batch[1]);
    assert_eq!(listed[1], batch[0]);
    let totals = store.event_totals(&org.id, now - 1000).await.unwrap();
    assert_eq!((totals.requests, totals.errors, totals.input_tokens, totals.output_tokens), (2, 1, 20, 10));
    let later = store.event_totals(&org.id, now + 1).await.unwrap();
    assert_eq!(later.requests, 0);
}

async fn config_version_moves_on_change(store: Store) {
    let v0 = store.config_version().await.unwrap();
    let org = store.create_org("V").await.unwrap();
    let p = store.create_proxy(&org.id, mock_proxy("p"), &master()).await.unwrap();
    let v1 = store.config_version().await.unwrap();
    assert!(v1 > v0);
    let (k, _) = store.create_api_key(&org.id, &p.id, "k").await.unwrap();
    let v2 = store.config_version().await.unwrap();
    assert!(v2 > v1);
    store.revoke_api_key(&org.id, &k.id).await.unwrap();
    assert!(store.config_version().await.unwrap() > v2);
}

mod challenge_tests {
    use super::*;
    use store::challenges::{ChallengeStatus, NewChallenge};

    store::on_both_backends!(challenges_verify_once_and_grant_until_expiry, challenge_stats_count_each_outcome);

    async fn challenges_verify_once_and_grant_until_expiry(store: Store) {
        let org = store.create_org("C").await.unwrap();
        let other = store.create_org("D").await.unwrap();
        let new = |ttl_ms| NewChallenge {
            org_id: &org.id,
            proxy_id: "px_1",
            end_user_id: "u1",
            category: "payment_data",
            ttl_ms,
        };
        let (ch, token) = store.create_challenge(new(60_000)).await.unwrap();
        assert!(ch.id.starts_with("ch_") && ch.id.len() >= 3 + 32);
        assert!(token.expose().starts_with("vt_"));
        let got = store.get_challenge(&org.id, &ch.id).await.unwrap().unwrap();
        assert!(got.token_matches(token.expose()));
        assert!(!got.token_matches("vt_wrong") && !got.token_matches(""));
        assert!(store.get_challenge(&other.id, &ch.id).await.unwrap().is_none(), "another org cannot see it");
        assert!(!store.has_grant(&org.id, "px_1", "u1", "payment_data").await.unwrap());
        assert!(store.settle_challenge(&org.id, &ch.id, Ok(())).await.unwrap());
        assert!(!store.settle_challenge(&org.id, &ch.id, Ok(())).await.unwrap(), "settles once");
        assert_eq!(store.get_challenge(&org.id, &ch.id).await.unwrap().unwrap().status, ChallengeStatus::Verified);
        assert!(store.has_grant(&org.id, "px_1", "u1", "payment_data").await.unwrap());
        assert!(!store.has_grant(&org.id, "px_1", "u2", "payment_data").await.unwrap());
        assert!(!store.has_grant(&org.id, "px_1", "u1", "order_transaction").await.unwrap());
        // An expired verified challenge grants nothing and is purged.
        let (old, _) = store.create_challenge(new(-1)).await.unwrap();
        store.settle_challenge(&org.id, &old.id, Ok(())).await.unwrap();
        assert!(store.purge_expired_challenges(0).await.unwrap() >= 1);
        assert!(store.get_challenge(&org.id, &old.id).await.unwrap().is_none());
        let (failed, _) = store.create_challenge(new(60_000)).await.unwrap();
        store.settle_challenge(&org.id, &failed.id, Err("webhook said no".into())).await.unwrap();
        let f = store.get_challenge(&org.id, &failed.id).await.unwrap().unwrap();
        assert_eq!((f.status, f.failure.as_deref()), (ChallengeStatus::Failed, Some("webhook said no")));
    }

    async fn challenge_stats_count_each_outcome(store: Store) {
        let org = store.create_org("S").await.unwrap();
        let other = store.create_org("T").await.unwrap();
        let make = |org_id: String, proxy_id: &'static str, category: &'static str, ttl_ms: i64| {
            let store = store.clone();
            async move {
                let c = NewChallenge { org_id: &org_id, proxy_id, end_user_id: "u", category, ttl_ms };
                store.create_challenge(c).await.unwrap().0
            }
        };
        let verified = make(org.id.clone(), "px_a", "payment_data", 60_000).await;
        store.settle_challenge(&org.id, &verified.id, Ok(())).await.unwrap();
        let failed = make(org.id.clone(), "px_a", "payment_data", 60_000).await;
        store.settle_challenge(&org.id, &failed.id, Err("wrong token".into())).await.unwrap();
        make(org.id.clone(), "px_a", "payment_data", -1).await; // expired unanswered
        make(org.id.clone(), "px_a", "payment_data", 60_000).await; // still pending
        make(org.id.clone(), "px_b", "order_transaction", 60_000).await;
        make(other.id.clone(), "px_a", "payment_data", 60_000).await;

        let since = store::now_ms() - 60_000;
        let all = store.challenge_stats(&org.id, None, since, 24 * 3600 * 1000).await.unwrap();
        let payment: Vec<_> = all.iter().filter(|c| c.category == "payment_data").collect();
        let total = |f: fn(&store::challenges::ChallengeCounts) -> i64| payment.iter().map(|c| f(c)).sum::<i64>();
        assert_eq!(
            (total(|c| c.issued), total(|c| c.verified), total(|c| c.failed), total(|c| c.expired)),
            (4, 1, 1, 1),
            "{all:?}"
        );
        assert_eq!(all.iter().filter(|c| c.category == "order_transaction").map(|c| c.issued).sum::<i64>(), 1);
        let b = store.challenge_stats(&org.id, Some("px_b"), since, 3_600_000).await.unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].category.as_str(), b[0].issued), ("order_transaction", 1));
        assert_eq!(b[0].bucket_start % 3_600_000, 0);
        let later = store.challenge_stats(&org.id, None, store::now_ms() + 1000, 3_600_000).await.unwrap();
        assert!(later.is_empty());
    }
}
