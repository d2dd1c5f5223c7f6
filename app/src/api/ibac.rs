//! Server functions of the IBAC pages: a proxy's intent-based access control
//! settings, the test box, and challenge analytics.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The built-in categories with their labels, in the order the page lists them.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("order_transaction", "Orders and transactions"),
    ("account_information", "Account information"),
    ("payment_data", "Payment data"),
    ("customer_records", "Customer records"),
];

/// The actions a category can take, with their labels.
pub const ACTIONS: [(&str, &str); 3] =
    [("challenge_required", "Challenge"), ("block", "Block"), ("allow", "Allow (record only)")];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub name: String,
    pub label: String,
    pub enabled: bool,
    pub action: String,
    pub threshold: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomCategoryRow {
    pub name: String,
    pub patterns: Vec<String>,
    pub is_regex: bool,
    pub threshold: f32,
    pub action: String,
    pub message: Option<String>,
}

/// A proxy's IBAC settings as the page shows them. The webhook secret is
/// write-only: the page learns only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IbacView {
    pub proxy_id: String,
    pub proxy_name: String,
    pub enabled: bool,
    pub categories: Vec<CategoryRow>,
    pub custom: Vec<CustomCategoryRow>,
    pub verification: String,
    pub webhook_url: String,
    pub webhook_secret_set: bool,
    pub webhook_timeout_ms: u64,
    pub challenge_ttl_secs: u64,
}

/// One proxy in the IBAC overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IbacProxyRow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub verification: String,
    pub custom_categories: usize,
    pub challenge_ttl_secs: u64,
}

/// A piece of the tested text, highlighted when a cue matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub text: String,
    /// The cue that matched (`data_noun`, `first_person`, `fiction`, …).
    pub cue: Option<String>,
    /// Whether the cue lowered the confidence.
    pub negative: bool,
}

/// What one category made of the tested text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainRow {
    pub category: String,
    pub confidence: f32,
    pub threshold: f32,
    pub action: String,
    pub fires: bool,
    pub segments: Vec<Segment>,
    pub cues: Vec<String>,
}

/// The test box's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IbacTest {
    /// The category that would act on the request, with its action and the
    /// message the end user would see; `None` when the request goes through.
    pub decision: Option<(String, String, String)>,
    pub ibac_enabled: bool,
    pub rows: Vec<ExplainRow>,
}

/// Challenge outcomes of one category over the chosen period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTotals {
    pub category: String,
    pub issued: i64,
    pub verified: i64,
    pub failed: i64,
    pub expired: i64,
    pub pending: i64,
}

/// Challenge analytics: per-day series for the charts and per-category totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeAnalytics {
    /// Day labels (`MM-DD`), oldest first.
    pub days: Vec<String>,
    /// Challenges issued per day, one series per category.
    pub issued_by_category: Vec<(String, Vec<i64>)>,
    /// Outcomes per day: verified, failed, expired, pending.
    pub outcomes: Vec<(String, Vec<i64>)>,
    pub totals: Vec<CategoryTotals>,
}

/// Cues that lower the confidence rather than raise it.
pub fn is_negative_cue(cue: &str) -> bool {
    matches!(cue, "fiction" | "educational" | "general_how_to" | "technical" | "writing_task" | "disclosure")
}

#[cfg(feature = "ssr")]
mod server {
    use engine::ibac::{IbacConfig, IntentAction, IntentCategory, IntentDetector, IntentSpan};
    use store::proxies::{IbacSettings, Proxy, VerificationMode};

    use super::*;

    pub fn action_name(a: IntentAction) -> String {
        a.name().to_string()
    }

    pub fn parse_action(field: &str, value: &str) -> Result<IntentAction, AppError> {
        match value {
            "challenge_required" => Ok(IntentAction::ChallengeRequired),
            "block" => Ok(IntentAction::Block),
            "allow" => Ok(IntentAction::Allow),
            _ => Err(AppError::Invalid(format!("{field}: choose challenge, block or allow."))),
        }
    }

    pub fn parse_threshold(field: &str, value: &str) -> Result<f32, AppError> {
        match value.trim().parse::<f32>() {
            Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
            _ => Err(AppError::Invalid(format!("{field}: the threshold must be a number between 0 and 1."))),
        }
    }

    pub fn parse_number(field: &str, value: &str) -> Result<Option<u64>, AppError> {
        let v = value.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| AppError::Invalid(format!("{field} must be a whole number.")))
    }

    pub fn view_of(p: &Proxy) -> IbacView {
        let s = &p.settings.ibac;
        IbacView {
            proxy_id: p.id.clone(),
            proxy_name: p.name.clone(),
            enabled: s.enabled,
            categories: BUILT_IN
                .iter()
                .map(|(name, label)| {
                    let c = s.detector.settings(&IntentCategory::from_name(name));
                    CategoryRow {
                        name: (*name).to_string(),
                        label: (*label).to_string(),
                        enabled: c.enabled,
                        action: action_name(c.action),
                        threshold: c.threshold,
                    }
                })
                .collect(),
            custom: s
                .detector
                .custom
                .iter()
                .map(|c| CustomCategoryRow {
                    name: c.name.clone(),
                    patterns: c.patterns.clone(),
                    is_regex: c.is_regex,
                    threshold: c.threshold,
                    action: action_name(c.action),
                    message: c.message.clone(),
                })
                .collect(),
            verification: match s.verification {
                VerificationMode::Trust => "trust".into(),
                VerificationMode::Webhook => "webhook".into(),
            },
            webhook_url: s.webhook_url.clone().unwrap_or_default(),
            webhook_secret_set: s.webhook_secret_enc.is_some(),
            webhook_timeout_ms: s.webhook_timeout_ms,
            challenge_ttl_secs: s.challenge_ttl_secs,
        }
    }

    /// Validates and stores a change to a proxy's IBAC settings, then tells
    /// the proxy path to reload.
    pub async fn save(
        org_id: &str,
        proxy_id: &str,
        change: impl FnOnce(&IbacSettings) -> Result<store::proxies::IbacChange, AppError>,
    ) -> Result<IbacView, AppError> {
        let updated = crate::api::server::edit_proxy_settings(org_id, proxy_id, |settings, master| {
            let change = change(&settings.ibac)?;
            settings.ibac.apply(change, master).map_err(|e| AppError::Invalid(e.0))
        })
        .await?;
        Ok(view_of(&updated))
    }

    /// Splits `text` at the spans' edges. Overlapping spans keep the first.
    pub fn segments(text: &str, spans: &[IntentSpan]) -> Vec<Segment> {
        let mut spans: Vec<&IntentSpan> = spans.iter().filter(|s| s.start < s.end && s.end <= text.len()).collect();
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut out = Vec::new();
        let mut at = 0;
        for s in spans {
            if s.start < at || !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
                continue;
            }
            if s.start > at {
                out.push(Segment { text: text[at..s.start].to_string(), cue: None, negative: false });
            }
            out.push(Segment {
                text: text[s.start..s.end].to_string(),
                cue: Some(s.cue.clone()),
                negative: is_negative_cue(&s.cue),
            });
            at = s.end;
        }
        if at < text.len() {
            out.push(Segment { text: text[at..].to_string(), cue: None, negative: false });
        }
        out
    }

    pub fn explain(config: &IbacConfig, enabled: bool, text: &str) -> Result<IbacTest, AppError> {
        let detector = IntentDetector::new(config).map_err(|e| AppError::Invalid(e.to_string()))?;
        let threshold = |c: &IntentCategory| match c {
            IntentCategory::Custom(name) => {
                config.custom.iter().find(|x| &x.name == name).map(|x| x.threshold).unwrap_or(1.0)
            }
            built_in => config.settings(built_in).threshold,
        };
        let rows = detector
            .explain(text)
            .into_iter()
            .map(|m| {
                let t = threshold(&m.category);
                let mut cues: Vec<String> = m.spans.iter().map(|s| s.cue.clone()).collect();
                cues.dedup();
                ExplainRow {
                    category: m.category.name().to_string(),
                    confidence: m.confidence,
                    threshold: t,
                    action: action_name(m.action),
                    fires: m.confidence >= t,
                    segments: segments(text, &m.spans),
                    cues,
                }
            })
            .collect();
        let decision = detector.detect(text).map(|m| (m.category.name().to_string(), action_name(m.action), m.message));
        Ok(IbacTest { decision, ibac_enabled: enabled, rows })
    }
}

#[server]
pub async fn list_ibac_proxies() -> Result<Vec<IbacProxyRow>, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            Ok(backend
                .store
                .list_proxies(&s.org_id)
                .await?
                .into_iter()
                .map(|p| {
                    let v = server::view_of(&p);
                    IbacProxyRow {
                        id: p.id,
                        name: p.name,
                        enabled: v.enabled,
                        verification: v.verification,
                        custom_categories: v.custom.len(),
                        challenge_ttl_secs: v.challenge_ttl_secs,
                    }
                })
                .collect())
        }
        .await,
    )
}

#[server]
pub async fn get_ibac_settings(proxy_id: String) -> Result<IbacView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            Ok(server::view_of(&backend.store.get_proxy(&s.org_id, &proxy_id).await?))
        }
        .await,
    )
}

/// Saves the main settings form. A checkbox that is not ticked is not sent,
/// hence the `Option`s.
#[allow(clippy::too_many_arguments)]
#[server]
pub async fn update_ibac_settings(
    proxy_id: String,
    #[server(default)] enabled: Option<String>,
    #[server(default)] order_transaction_enabled: Option<String>,
    order_transaction_action: String,
    order_transaction_threshold: String,
    #[server(default)] account_information_enabled: Option<String>,
    account_information_action: String,
    account_information_threshold: String,
    #[server(default)] payment_data_enabled: Option<String>,
    payment_data_action: String,
    payment_data_threshold: String,
    #[server(default)] customer_records_enabled: Option<String>,
    customer_records_action: String,
    customer_records_threshold: String,
    verification: String,
    webhook_url: String,
    #[server(default)] webhook_secret: String,
    webhook_timeout_ms: String,
    challenge_ttl_secs: String,
) -> Result<IbacView, AppError> {
    crate::api::server::respond(
        async move {
            use engine::ibac::CategorySettings;
            use store::proxies::{IbacChange, VerificationMode};
            let s = crate::api::server::current_admin()?;
            let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
            let fields = [
                (
                    "Orders and transactions",
                    &order_transaction_enabled,
                    &order_transaction_action,
                    &order_transaction_threshold,
                ),
                (
                    "Account information",
                    &account_information_enabled,
                    &account_information_action,
                    &account_information_threshold,
                ),
                ("Payment data", &payment_data_enabled, &payment_data_action, &payment_data_threshold),
                ("Customer records", &customer_records_enabled, &customer_records_action, &customer_records_threshold),
            ];
            let mut categories = std::collections::BTreeMap::new();
            for ((name, _), (label, on, action, threshold)) in BUILT_IN.iter().zip(fields) {
                let settings = CategorySettings {
                    enabled: ticked(on),
                    action: server::parse_action(label, action)?,
                    threshold: server::parse_threshold(label, threshold)?,
                };
                categories.insert((*name).to_string(), settings);
            }
            let verification = match verification.as_str() {
                "trust" => VerificationMode::Trust,
                "webhook" => VerificationMode::Webhook,
                _ => return Err(AppError::Invalid("Choose a verification mode: trust or webhook.".into())),
            };
            let ttl = server::parse_number("The challenge lifetime", &challenge_ttl_secs)?;
            let timeout = server::parse_number("The webhook timeout", &webhook_timeout_ms)?;
            let backend = crate::api::server::backend()?;
            server::save(&s.org_id, &proxy_id, move |current| {
                // A URL saved earlier is not held against an unrelated edit
                // (the policy still applies to every call it makes).
                let url = webhook_url.trim();
                if !url.is_empty() && current.webhook_url.as_deref() != Some(url) {
                    backend.webhook_url_allowed(url)?;
                }
                Ok(IbacChange {
                    enabled: Some(ticked(&enabled)),
                    detector: Some(engine::ibac::IbacConfig { categories, custom: current.detector.custom.clone() }),
                    verification: Some(verification),
                    webhook_url: Some(webhook_url),
                    webhook_secret: Some(store::Secret::new(webhook_secret)),
                    challenge_ttl_secs: ttl,
                    webhook_timeout_ms: timeout,
                })
            })
            .await
        }
        .await,
    )
}

/// Adds (or replaces, by name) a custom category. Patterns come one per line.
#[server]
pub async fn save_ibac_category(
    proxy_id: String,
    name: String,
    patterns: String,
    #[server(default)] is_regex: Option<String>,
    threshold: String,
    action: String,
    #[server(default)] message: String,
) -> Result<IbacView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 64 {
                return Err(AppError::Invalid("The category name must be between 1 and 64 characters.".into()));
            }
            let patterns: Vec<String> =
                patterns.lines().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
            if patterns.is_empty() {
                return Err(AppError::Invalid("Give at least one pattern, one per line.".into()));
            }
            if patterns.len() > 200 || patterns.iter().any(|p| p.len() > 500) {
                return Err(AppError::Invalid("Up to 200 patterns of up to 500 characters each.".into()));
            }
            let message = message.trim();
            let category = engine::ibac::CustomCategory {
                name: name.clone(),
                patterns,
                is_regex: is_regex.is_some_and(|v| !v.is_empty()),
                threshold: server::parse_threshold(&name, &threshold)?,
                action: server::parse_action(&name, &action)?,
                message: (!message.is_empty()).then(|| message.to_string()),
            };
            server::save(&s.org_id, &proxy_id, move |current| {
                let mut detector = current.detector.clone();
                match detector.custom.iter_mut().find(|c| c.name == category.name) {
                    Some(existing) => *existing = category,
                    None => detector.custom.push(category),
                }
                Ok(store::proxies::IbacChange { detector: Some(detector), ..Default::default() })
            })
            .await
        }
        .await,
    )
}

#[server]
pub async fn delete_ibac_category(proxy_id: String, name: String) -> Result<IbacView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            server::save(&s.org_id, &proxy_id, move |current| {
                let mut detector = current.detector.clone();
                let before = detector.custom.len();
                detector.custom.retain(|c| c.name != name);
                if detector.custom.len() == before {
                    return Err(AppError::NotFound(format!("The custom category “{name}”")));
                }
                Ok(store::proxies::IbacChange { detector: Some(detector), ..Default::default() })
            })
            .await
        }
        .await,
    )
}

/// Generates a new webhook signing secret for the proxy, stores it encrypted
/// and returns it this once.
#[server]
pub async fn rotate_ibac_webhook_secret(proxy_id: String) -> Result<crate::api::CreatedKey, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            let secret = store::crypto::new_webhook_secret();
            let stored = store::Secret::new(secret.expose().clone());
            server::save(&s.org_id, &proxy_id, move |_| {
                Ok(store::proxies::IbacChange { webhook_secret: Some(stored), ..Default::default() })
            })
            .await?;
            let name = "IBAC webhook signing secret".to_string();
            if crate::api::server::is_plain_form_post() {
                backend.flash.put(&s, name.clone(), store::Secret::new(secret.expose().clone()));
            }
            Ok(crate::api::CreatedKey { name, key: secret.expose().clone() })
        }
        .await,
    )
}

#[server]
pub async fn test_ibac_prompt(proxy_id: String, text: String) -> Result<IbacTest, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            if text.len() > 64 * 1024 {
                return Err(AppError::Invalid("Test with up to 64 KB of text.".into()));
            }
            let proxy = backend.store.get_proxy(&s.org_id, &proxy_id).await?;
            server::explain(&proxy.settings.ibac.detector, proxy.settings.ibac.enabled, &text)
        }
        .await,
    )
}

/// Challenge analytics over the last `days` days (1 to 90), for one proxy or,
/// with an empty `proxy_id`, for the whole organization.
#[server]
pub async fn get_challenge_analytics(proxy_id: String, days: u32) -> Result<ChallengeAnalytics, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            const DAY: i64 = 24 * 3600 * 1000;
            let days = i64::from(days.clamp(1, 90));
            let today = store::now_ms() / DAY * DAY;
            let first = today - (days - 1) * DAY;
            let proxy = (!proxy_id.is_empty()).then_some(proxy_id.as_str());
            if let Some(id) = proxy {
                backend.store.get_proxy(&s.org_id, id).await?;
            }
            let rows = backend.store.challenge_stats(&s.org_id, proxy, first, DAY).await?;
            let n = usize::try_from(days).unwrap_or(1);
            let index = |bucket: i64| usize::try_from((bucket - first) / DAY).ok().filter(|i| *i < n);
            let mut by_category: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
            let mut outcomes = [vec![0; n], vec![0; n], vec![0; n], vec![0; n]];
            let mut totals: std::collections::BTreeMap<String, CategoryTotals> = Default::default();
            for r in &rows {
                let Some(i) = index(r.bucket_start) else { continue };
                by_category.entry(r.category.clone()).or_insert_with(|| vec![0; n])[i] += r.issued;
                let pending = r.issued - r.verified - r.failed - r.expired;
                for (series, value) in outcomes.iter_mut().zip([r.verified, r.failed, r.expired, pending]) {
                    series[i] += value;
                }
                let t = totals.entry(r.category.clone()).or_insert_with(|| CategoryTotals {
                    category: r.category.clone(),
                    issued: 0,
                    verified: 0,
                    failed: 0,
                    expired: 0,
                    pending: 0,
                });
                t.issued += r.issued;
                t.verified += r.verified;
                t.failed += r.failed;
                t.expired += r.expired;
                t.pending += pending;
            }
            let labels = (0..days)
                .map(|d| {
                    time::OffsetDateTime::from_unix_timestamp((first + d * DAY) / 1000)
                        .map(|t| format!("{:02}-{:02}", u8::from(t.month()), t.day()))
                        .unwrap_or_default()
                })
                .collect();
            let [verified, failed, expired, pending] = outcomes;
            Ok(ChallengeAnalytics {
                days: labels,
                issued_by_category: by_category.into_iter().collect(),
                outcomes: vec![
                    ("verified".into(), verified),
                    ("failed".into(), failed),
                    ("expired".into(), expired),
                    ("pending".into(), pending),
                ],
                totals: totals.into_values().collect(),
            })
        }
        .await,
    )
}
