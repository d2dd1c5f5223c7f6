//! Intent-based access control through the proxy: challenge, verify, retry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::{closed_port, sse_text, start, start_with, Db, Harness};
use serde_json::{json, Value};
use store::proxies::{IbacSettings, ProxyInput, VerificationMode};
use store::Secret;

const ASK: &str = "What's my credit card on file?";

async fn enable_ibac(h: &Harness, tweak: impl FnOnce(&mut IbacSettings)) {
    let p = h.state.store.get_proxy(&h.org_id, &h.proxy_id).await.unwrap();
    let mut settings = p.settings.clone();
    settings.ibac.enabled = true;
    tweak(&mut settings.ibac);
    let input = ProxyInput { name: p.name, provider: p.provider, base_url: p.base_url, provider_key: None, settings };
    h.state.store.update_proxy(&h.org_id, &h.proxy_id, input, &h.state.master).await.unwrap();
    h.reload().await;
}

fn chat(text: &str) -> Value {
    json!({"model": "mock-echo", "messages": [{"role": "user", "content": text}]})
}

async fn ask(h: &Harness, user: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = h.post("/v1/chat/completions").header("X-User-ID", user).json(&chat(ASK));
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn challenge(h: &Harness, user: &str) -> (String, String) {
    let r = ask(h, user, &[]).await;
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["challenge_required"], true);
    assert_eq!(v["intent_category"], "payment_data");
    assert_eq!(v["error"]["type"], "challenge_required");
    assert!(v["message"].as_str().unwrap().contains("payment"), "{v}");
    (v["challenge_id"].as_str().unwrap().to_string(), v["verification_token"].as_str().unwrap().to_string())
}

fn retry_headers<'a>(id: &'a str, token: &'a str) -> [(&'static str, &'a str); 3] {
    [("X-Rampart-Challenge-ID", id), ("X-Rampart-Verification-Token", token), ("X-Rampart-Auth-Context", "verified")]
}

#[tokio::test]
async fn trust_mode_loop_on_every_api() {
    let h = start(Db::Sqlite).await;
    enable_ibac(&h, |_| {}).await;
    // Ordinary prompts pass untouched.
    let r = h
        .post("/v1/chat/completions")
        .header("X-User-ID", "u1")
        .json(&chat("What is a credit card?"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (id, token) = challenge(&h, "u1").await;
    assert!(id.starts_with("ch_") && token.starts_with("vt_"));
    let r = ask(&h, "u1", &retry_headers(&id, &token)).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], format!("Echo: {ASK}"));
    // Later requests of the same user and category pass while the grant lasts; others do not.
    assert_eq!(ask(&h, "u1", &[]).await.status(), 200);
    assert_eq!(ask(&h, "u2", &[]).await.status(), 403);

    // Anthropic, streaming, with the X-Bastio spelling of the headers.
    let body =
        json!({"model": "mock-echo", "max_tokens": 50, "stream": true, "messages": [{"role": "user", "content": ASK}]});
    let r = h.post("/v1/messages").header("X-User-ID", "u3").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["type"].as_str(), v["error"]["type"].as_str()), (Some("error"), Some("challenge_required")));
    let r = h
        .post("/v1/messages")
        .header("X-User-ID", "u3")
        .header("X-Bastio-Challenge-ID", v["challenge_id"].as_str().unwrap())
        .header("X-Bastio-Verification-Token", v["verification_token"].as_str().unwrap())
        .header("X-Bastio-Auth-Context", "verified")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sse_text(&r.text().await.unwrap()), format!("Echo: {ASK}"));

    // Responses.
    let body = json!({"model": "mock-echo", "input": ASK});
    let r = h.post("/v1/responses").header("X-User-ID", "u4").json(&body).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    let (id, token) = (v["challenge_id"].as_str().unwrap(), v["verification_token"].as_str().unwrap());
    let mut req = h.post("/v1/responses").header("X-User-ID", "u4").json(&body);
    for (k, val) in retry_headers(id, token) {
        req = req.header(k, val);
    }
    assert_eq!(req.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_bad_retry_is_refused() {
    let h = start(Db::Sqlite).await;
    enable_ibac(&h, |_| {}).await;
    let (id, token) = challenge(&h, "alice").await;
    let refused = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 403);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["type"], "challenge_failed", "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    };
    // The same token with its last character changed (to a different one: a
    // fixed replacement would equal the token whenever it already ended so).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    assert_ne!(wrong, token);
    assert!(refused(ask(&h, "alice", &retry_headers(&id, &wrong)).await).await.contains("wrong verification token"));
    assert!(refused(ask(&h, "alice", &retry_headers(&id, "")).await).await.contains("token"));
    assert!(refused(ask(&h, "mallory", &retry_headers(&id, &token)).await).await.contains("another user"));
    let no_context = [("X-Rampart-Challenge-ID", id.as_str()), ("X-Rampart-Verification-Token", token.as_str())];
    assert!(refused(ask(&h, "alice", &no_context).await).await.contains("verified"));
    assert!(refused(ask(&h, "alice", &retry_headers("ch_unknown", &token)).await).await.contains("unknown"));

    // Another org's challenge does not exist for this org.
    let other = h.state.store.create_org("Other").await.unwrap();
    let (theirs, their_token) = h
        .state
        .store
        .create_challenge(store::challenges::NewChallenge {
            org_id: &other.id,
            proxy_id: &h.proxy_id,
            end_user_id: "alice",
            category: "payment_data",
            ttl_ms: 60_000,
        })
        .await
        .unwrap();
    assert!(refused(ask(&h, "alice", &retry_headers(&theirs.id, their_token.expose())).await)
        .await
        .contains("unknown"));

    // After expiry a challenge is refused, and so is a replay of a verified
    // one; its grant ends with it. Short-lived challenges are made directly
    // in the store so the test does not race the clock.
    let short = |user: &'static str| store::challenges::NewChallenge {
        org_id: &h.org_id,
        proxy_id: &h.proxy_id,
        end_user_id: user,
        category: "payment_data",
        ttl_ms: 1500,
    };
    let (pending, pending_token) = h.state.store.create_challenge(short("carol")).await.unwrap();
    let (verified, verified_token) = h.state.store.create_challenge(short("bob")).await.unwrap();
    h.state.store.settle_challenge(&h.org_id, &verified.id, Ok(())).await.unwrap();
    assert_eq!(ask(&h, "bob", &[]).await.status(), 200, "the grant holds before expiry");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(refused(ask(&h, "carol", &retry_headers(&pending.id, pending_token.expose())).await)
        .await
        .contains("expired"));
    assert!(refused(ask(&h, "bob", &retry_headers(&verified.id, verified_token.expose())).await)
        .await
        .contains("expired"));
    assert_eq!(ask(&h, "bob", &[]).await.status(), 403, "the grant expired with the challenge");
    // The long-lived challenge from the start still verifies.
    assert_eq!(ask(&h, "alice", &retry_headers(&id, &token)).await.status(), 200);
}

/// How the test receiver answers.
const OK: u8 = 0;
const DENY: u8 = 1;
const SLOW: u8 = 2;
const GARBAGE: u8 = 3;

async fn receiver(secret: Secret<String>, mode: Arc<AtomicU8>) -> String {
    let handler = move |headers: HeaderMap, body: Bytes| {
        let secret = secret.clone();
        let mode = Arc::clone(&mode);
        async move {
            let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let ts: i64 = header("webhook-timestamp").parse().unwrap_or(0);
            let expected = server::signing::signature(&secret, &header("webhook-id"), ts, &body);
            if header("webhook-signature") != expected {
                return (StatusCode::UNAUTHORIZED, "bad signature".to_string());
            }
            let payload: Value = serde_json::from_slice(&body).unwrap();
            assert!(payload["challenge_id"].as_str().unwrap().starts_with("ch_"));
            assert_eq!(payload["intent_category"], "payment_data");
            assert_eq!(payload["auth_context"], "verified");
            match mode.load(Ordering::SeqCst) {
                OK => (StatusCode::OK, json!({"verified": true}).to_string()),
                DENY => (StatusCode::OK, json!({"verified": false}).to_string()),
                SLOW => {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    (StatusCode::OK, json!({"verified": true}).to_string())
                }
                GARBAGE => (StatusCode::OK, "<html>".to_string()),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
            }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().route("/verify", axum::routing::post(handler))).await;
    });
    format!("http://{addr}/verify")
}

#[tokio::test]
async fn webhook_mode_passes_only_a_signed_yes_in_time() {
    let h = start(Db::Sqlite).await;
    let mode = Arc::new(AtomicU8::new(OK));
    let secret = server::signing::new_secret();
    let url = receiver(secret.clone(), Arc::clone(&mode)).await;
    let configure = |url: String, secret: &Secret<String>| {
        let enc = h.state.master.encrypt(secret.expose()).unwrap();
        move |i: &mut IbacSettings| {
            i.verification = VerificationMode::Webhook;
            i.webhook_url = Some(url);
            i.webhook_secret_enc = Some(enc);
            i.webhook_timeout_ms = 500;
        }
    };
    enable_ibac(&h, configure(url.clone(), &secret)).await;

    let attempt = |user: &'static str| {
        let h = &h;
        async move {
            let (id, token) = challenge(h, user).await;
            let r = ask(h, user, &retry_headers(&id, &token)).await;
            let status = r.status();
            let v: Value = r.json().await.unwrap();
            (status, v["error"]["message"].as_str().unwrap_or("").to_string())
        }
    };
    assert_eq!(attempt("ok-user").await.0, 200);
    mode.store(DENY, Ordering::SeqCst);
    let (s, m) = attempt("denied-user").await;
    assert_eq!((s.as_u16(), m.contains("verified: false")), (403, true), "{m}");
    mode.store(SLOW, Ordering::SeqCst);
    let (s, m) = attempt("slow-user").await;
    assert_eq!((s.as_u16(), m.contains("500 ms")), (403, true), "{m}");
    mode.store(GARBAGE, Ordering::SeqCst);
    let (s, m) = attempt("garbage-user").await;
    assert_eq!((s.as_u16(), m.contains("not JSON")), (403, true), "{m}");
    mode.store(9, Ordering::SeqCst);
    let (s, m) = attempt("error-user").await;
    assert_eq!((s.as_u16(), m.contains("HTTP 500")), (403, true), "{m}");

    // Signed with a secret the receiver does not know: it answers 401, and we refuse.
    mode.store(OK, Ordering::SeqCst);
    enable_ibac(&h, configure(url, &server::signing::new_secret())).await;
    let (s, m) = attempt("forged-user").await;
    assert_eq!((s.as_u16(), m.contains("HTTP 401")), (403, true), "{m}");

    // The endpoint is down.
    let down = format!("http://127.0.0.1:{}/verify", closed_port().await);
    enable_ibac(&h, configure(down, &secret)).await;
    let (s, m) = attempt("down-user").await;
    assert_eq!((s.as_u16(), m.contains("could not be reached")), (403, true), "{m}");

    // A failed challenge stays failed.
    let failed: Vec<_> = h.events(10).await.into_iter().filter(|e| e.status == 403).collect();
    assert!(failed.len() >= 10);
}

#[tokio::test]
async fn settings_api_validates_and_keeps_the_secret_write_only() {
    let h = start(Db::Sqlite).await;
    let url = h.url(&format!("/v1/guard/{}/settings/ibac", h.proxy_id));
    let v: Value = h.http.get(&url).bearer_auth(&h.key).send().await.unwrap().json().await.unwrap();
    assert_eq!((v["enabled"].as_bool(), v["verification_mode"].as_str()), (Some(false), Some("trust")));
    assert!(v["categories"]["payment_data"]["threshold"].is_number());

    let bad_regex = json!({"enabled": true, "custom_categories": [
        {"name": "loyalty", "patterns": ["points (balance"], "is_regex": true}]});
    let r = h.http.put(&url).bearer_auth(&h.key).json(&bad_regex).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let msg = r.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("points (balance"), "{msg}");

    let no_secret = json!({"enabled": true, "verification_mode": "webhook", "webhook_url": "http://127.0.0.1:9/v"});
    assert_eq!(h.http.put(&url).bearer_auth(&h.key).json(&no_secret).send().await.unwrap().status(), 400);
    let typo = json!({"enabled": true, "verification": "trust"});
    assert_eq!(h.http.put(&url).bearer_auth(&h.key).json(&typo).send().await.unwrap().status(), 400);

    let good = json!({"enabled": true, "verification_mode": "webhook", "webhook_url": "http://127.0.0.1:9/v",
        "webhook_secret": "a-very-long-webhook-secret", "challenge_ttl_seconds": 120,
        "custom_categories": [{"name": "loyalty_points", "patterns": ["loyalty tier"], "is_regex": false}]});
    let r = h.http.put(&url).bearer_auth(&h.key).json(&good).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains("a-very-long-webhook-secret"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((v["webhook_secret_set"].as_bool(), v["challenge_ttl_seconds"].as_u64()), (Some(true), Some(120)));
    // The custom category is live at once.
    let r = h
        .post("/v1/chat/completions")
        .header("X-User-ID", "u")
        .json(&chat("Which loyalty tier is this?"))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["intent_category"], "loyalty_points", "{v}");

    // Another org's proxy is not there.
    let other = h.state.store.create_org("Other").await.unwrap();
    let input = ProxyInput {
        name: "theirs".into(),
        provider: store::proxies::Provider::Mock,
        base_url: None,
        provider_key: None,
        settings: Default::default(),
    };
    let theirs = h.state.store.create_proxy(&other.id, input, &h.state.master).await.unwrap();
    let r =
        h.http.get(h.url(&format!("/v1/guard/{}/settings/ibac", theirs.id))).bearer_auth(&h.key).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn verification_webhooks_are_held_to_the_outbound_policy() {
    let h = start_with(Db::Sqlite, |c| c.webhook_allow_private_networks = None).await;
    let url = h.url(&format!("/v1/guard/{}/settings/ibac", h.proxy_id));
    let put = |webhook_url: &str| {
        let body = json!({"enabled": true, "verification_mode": "webhook", "webhook_url": webhook_url,
            "webhook_secret": "a-very-long-webhook-secret"});
        h.http.put(&url).bearer_auth(&h.key).json(&body).send()
    };
    for (bad, says) in [
        ("http://169.254.169.254/latest/meta-data/", "webhook_url: address not allowed: 169.254.169.254 (link-local)"),
        (
            "http://127.0.0.1:9/v",
            "webhook_url: address not allowed: 127.0.0.1 (loopback; webhook_allow_private_networks is off)",
        ),
        ("file:///etc/passwd", "webhook_url: the URL must start with http:// or https://"),
    ] {
        let r = put(bad).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "Bad Request");
        assert_eq!(v["message"], says, "{bad}");
    }
    assert_eq!(put("https://auth.example.com/verify").await.unwrap().status(), 200);

    // A name that resolves to loopback is refused when the call is made, and
    // the caller is not told the address.
    let mode = Arc::new(AtomicU8::new(OK));
    let secret = server::signing::new_secret();
    let by_name = receiver(secret.clone(), mode).await.replace("127.0.0.1", "localhost");
    let enc = h.state.master.encrypt(secret.expose()).unwrap();
    enable_ibac(&h, |i| {
        i.verification = VerificationMode::Webhook;
        i.webhook_url = Some(by_name);
        i.webhook_secret_enc = Some(enc);
    })
    .await;
    let (id, token) = challenge(&h, "alice").await;
    let r = ask(&h, "alice", &retry_headers(&id, &token)).await;
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("address is not allowed") && !m.contains("127.0.0.1") && !m.contains("::1"), "{m}");
}
