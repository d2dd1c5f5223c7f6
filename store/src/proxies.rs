//! Proxies: an upstream provider, its address and key, and per-proxy settings.

use serde::{Deserialize, Serialize};

use crate::crypto::MasterKey;
use crate::{now_ms, random_id, Result, Secret, Store, StoreError};

/// The upstream a proxy forwards to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Any OpenAI-compatible API (OpenAI, Azure-style gateways, vLLM, Ollama).
    Openai,
    Anthropic,
    /// The built-in mock LLM, served in-process.
    Mock,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Mock, Provider::Openai, Provider::Anthropic];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Mock => "mock",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "openai" => Some(Provider::Openai),
            "anthropic" => Some(Provider::Anthropic),
            "mock" => Some(Provider::Mock),
            _ => None,
        }
    }

    /// The base URL used when a proxy names none.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Provider::Openai => Some("https://api.openai.com/v1"),
            Provider::Anthropic => Some("https://api.anthropic.com"),
            Provider::Mock => None,
        }
    }
}

/// Settings stored as JSON next to a proxy. Unknown fields are kept out by
/// `deny_unknown_fields` so a typo in an API call is an error, not a no-op.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    /// How long to wait for the upstream's first byte (and between stream
    /// chunks) before answering 504. `None` uses the server default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_timeout_ms: Option<u64>,
    /// How requests through this proxy are scanned before they go upstream.
    #[serde(default)]
    pub scanning: ScanSettings,
    /// Intent-based access control: challenge data-access requests.
    #[serde(default)]
    pub ibac: IbacSettings,
}

/// How a challenge is verified.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMode {
    /// rampart checks the challenge and token and trusts the application's
    /// word that it authenticated the user.
    #[default]
    Trust,
    /// rampart asks the org's endpoint, with a signed request, and only a
    /// 2xx `{"verified": true}` passes.
    Webhook,
}

/// IBAC for one proxy. Off by default: it changes what clients must handle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IbacSettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub detector: engine::ibac::IbacConfig,
    #[serde(default)]
    pub verification: VerificationMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The webhook signing secret, encrypted with the master key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret_enc: Option<String>,
    #[serde(default = "default_webhook_timeout_ms")]
    pub webhook_timeout_ms: u64,
    #[serde(default = "default_challenge_ttl_secs")]
    pub challenge_ttl_secs: u64,
}

fn default_webhook_timeout_ms() -> u64 {
    3000
}

fn default_challenge_ttl_secs() -> u64 {
    600
}

impl Default for IbacSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            detector: engine::ibac::IbacConfig::default(),
            verification: VerificationMode::Trust,
            webhook_url: None,
            webhook_secret_enc: None,
            webhook_timeout_ms: default_webhook_timeout_ms(),
            challenge_ttl_secs: default_challenge_ttl_secs(),
        }
    }
}

/// A change to a proxy's IBAC settings, as the guard API and the dashboard
/// take it. A field left `None` keeps its stored value.
#[derive(Debug, Default)]
pub struct IbacChange {
    pub enabled: Option<bool>,
    pub detector: Option<engine::ibac::IbacConfig>,
    pub verification: Option<VerificationMode>,
    /// An empty URL removes the stored one.
    pub webhook_url: Option<String>,
    /// A new signing secret; an empty one is ignored (the secret is write-only).
    pub webhook_secret: Option<Secret<String>>,
    pub challenge_ttl_secs: Option<u64>,
    pub webhook_timeout_ms: Option<u64>,
}

/// Why a settings change was refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSettings(pub String);

impl IbacSettings {
    /// Applies `change` after validating all of it: on error nothing changes.
    /// Custom categories are compiled here so a bad pattern is refused on
    /// save, with the engine's message naming the category and pattern.
    pub fn apply(&mut self, change: IbacChange, master: &MasterKey) -> Result<(), InvalidSettings> {
        let invalid = |m: &str| InvalidSettings(m.to_string());
        let mut next = self.clone();
        if let Some(enabled) = change.enabled {
            next.enabled = enabled;
        }
        if let Some(mut detector) = change.detector {
            if detector.categories.is_empty() {
                detector.categories = engine::ibac::IbacConfig::default().categories;
            }
            engine::ibac::IntentDetector::new(&detector).map_err(|e| InvalidSettings(e.to_string()))?;
            next.detector = detector;
        }
        if let Some(mode) = change.verification {
            next.verification = mode;
        }
        if let Some(url) = change.webhook_url {
            let url = url.trim();
            if url.is_empty() {
                next.webhook_url = None;
            } else {
                crate::webhooks::validate_endpoint_url(url)
                    .map_err(|e| InvalidSettings(format!("webhook_url: {e}")))?;
                next.webhook_url = Some(url.to_string());
            }
        }
        if let Some(secret) = change.webhook_secret.filter(|s| !s.expose().is_empty()) {
            if secret.expose().len() < 16 {
                return Err(invalid("webhook_secret must be at least 16 characters"));
            }
            next.webhook_secret_enc =
                Some(master.encrypt(secret.expose()).map_err(|_| invalid("webhook_secret could not be stored"))?);
        }
        if let Some(ttl) = change.challenge_ttl_secs {
            if !(10..=86_400).contains(&ttl) {
                return Err(invalid("challenge_ttl_seconds must be between 10 and 86400"));
            }
            next.challenge_ttl_secs = ttl;
        }
        if let Some(ms) = change.webhook_timeout_ms {
            if !(100..=30_000).contains(&ms) {
                return Err(invalid("webhook_timeout_ms must be between 100 and 30000"));
            }
            next.webhook_timeout_ms = ms;
        }
        if next.verification == VerificationMode::Webhook
            && (next.webhook_url.is_none() || next.webhook_secret_enc.is_none())
        {
            return Err(invalid("webhook verification needs webhook_url and webhook_secret"));
        }
        *self = next;
        Ok(())
    }
}

/// A change to a proxy's content-scanning settings, as the guard API and the
/// dashboard take it. A field left `None` keeps its stored value.
#[derive(Debug, Default)]
pub struct ScanChange {
    pub enabled: Option<bool>,
    pub level: Option<engine::ThreatLevel>,
    pub block_behavior: Option<BlockBehavior>,
    /// Actions per threat type. Empty clears them (the level decides);
    /// otherwise the scanner moves to the `custom` level and keeps what
    /// counts as a finding where the chosen level had it.
    pub threat_actions: Option<std::collections::BTreeMap<engine::ThreatType, engine::Action>>,
    pub detectors: Option<engine::Detectors>,
    pub pii_mode: Option<engine::PiiMode>,
    pub custom_patterns: Option<Vec<engine::CustomPattern>>,
    pub use_model: Option<bool>,
}

impl ScanSettings {
    /// Applies `change` after compiling the resulting scanner: a bad pattern
    /// is refused with the engine's message naming it, and nothing changes.
    pub fn apply(&mut self, change: ScanChange) -> Result<(), InvalidSettings> {
        let mut next = self.clone();
        if let Some(enabled) = change.enabled {
            next.enabled = enabled;
        }
        if let Some(b) = change.block_behavior {
            next.block_behavior = b;
        }
        let scanner = &mut next.scanner;
        if let Some(d) = change.detectors {
            scanner.detectors = d;
        }
        if let Some(m) = change.pii_mode {
            scanner.pii_mode = m;
        }
        if let Some(p) = change.custom_patterns {
            scanner.custom_patterns = p;
        }
        if let Some(m) = change.use_model {
            scanner.use_model = m;
        }
        let level = change.level.unwrap_or(scanner.level);
        match change.threat_actions {
            None => scanner.level = level,
            Some(actions) if actions.is_empty() => {
                scanner.level = level;
                scanner.type_actions.clear();
            }
            Some(actions) => {
                let floor = match level {
                    engine::ThreatLevel::Low => Some(engine::Severity::High),
                    engine::ThreatLevel::Medium => Some(engine::Severity::Medium),
                    engine::ThreatLevel::High => Some(engine::Severity::Low),
                    engine::ThreatLevel::Custom => None,
                };
                if let Some(floor) = floor {
                    scanner.type_thresholds = engine::ThreatType::ALL.iter().map(|t| (*t, floor)).collect();
                }
                scanner.level = engine::ThreatLevel::Custom;
                scanner.type_actions = actions;
            }
        }
        engine::Scanner::new(scanner).map_err(|e| InvalidSettings(e.to_string()))?;
        *self = next;
        Ok(())
    }
}

/// Content scanning for one proxy. On by default, at the `medium` level:
/// a gateway that forgets to protect is worse than one that asks to be told less.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScanSettings {
    #[serde(default = "enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub scanner: engine::ScannerConfig,
    #[serde(default)]
    pub block_behavior: BlockBehavior,
}

/// What a `block` verdict does.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BlockBehavior {
    /// Refuse the request (or withhold the content).
    #[default]
    Block,
    /// Monitor only: let it through as a warning and record what would have
    /// been blocked. For rolling scanning out without breaking traffic.
    Warn,
}

impl BlockBehavior {
    /// The action actually taken for an engine verdict.
    pub fn apply(self, action: engine::Action) -> engine::Action {
        match (self, action) {
            (BlockBehavior::Warn, engine::Action::Block) => engine::Action::Warn,
            (_, a) => a,
        }
    }
}

fn enabled() -> bool {
    true
}

impl Default for ScanSettings {
    fn default() -> Self {
        Self { enabled: true, scanner: engine::ScannerConfig::default(), block_behavior: BlockBehavior::Block }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Proxy {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub provider: Provider,
    pub base_url: Option<String>,
    /// Whether a provider key is stored. The key itself is write-only.
    pub has_provider_key: bool,
    pub settings: ProxySettings,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What the dashboard or API sends to create or change a proxy.
#[derive(Debug, Clone)]
pub struct ProxyInput {
    pub name: String,
    pub provider: Provider,
    pub base_url: Option<String>,
    /// `None` keeps the stored key, `Some("")` clears it, anything else replaces it.
    pub provider_key: Option<Secret<String>>,
    pub settings: ProxySettings,
}

type ProxyRow = (String, String, String, String, Option<String>, Option<String>, String, i64, i64);

const PROXY_COLUMNS: &str = "id, org_id, name, provider, base_url, provider_key_enc, settings, created_at, updated_at";

fn proxy_from_row(row: ProxyRow) -> Result<(Proxy, Option<String>)> {
    let (id, org_id, name, provider, base_url, key_enc, settings, created_at, updated_at) = row;
    let provider =
        Provider::parse(&provider).ok_or_else(|| StoreError::Corrupt(format!("unknown provider {provider}")))?;
    let settings: ProxySettings =
        serde_json::from_str(&settings).map_err(|e| StoreError::Corrupt(format!("proxy settings: {e}")))?;
    let proxy = Proxy {
        id,
        org_id,
        name,
        provider,
        base_url,
        has_provider_key: key_enc.is_some(),
        settings,
        created_at,
        updated_at,
    };
    Ok((proxy, key_enc))
}

/// A proxy with its decrypted provider key, for the proxy's in-memory snapshot.
#[derive(Debug, Clone)]
pub struct ProxyWithKey {
    pub proxy: Proxy,
    pub provider_key: Option<Secret<String>>,
}

impl Store {
    pub async fn create_proxy(&self, org_id: &str, input: ProxyInput, master: &MasterKey) -> Result<Proxy> {
        let now = now_ms();
        let id = random_id("px", 8);
        let key_enc = match input.provider_key.as_ref().map(|k| k.expose().as_str()) {
            Some(k) if !k.is_empty() => Some(master.encrypt(k)?),
            _ => None,
        };
        let settings = serde_json::to_string(&input.settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO proxies (id, org_id, name, provider, base_url, provider_key_enc, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&input.name)
        .bind(input.provider.as_str())
        .bind(&input.base_url)
        .bind(&key_enc)
        .bind(&settings)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?;
        self.bump_config_version().await?;
        self.get_proxy(org_id, &id).await
    }

    pub async fn update_proxy(
        &self,
        org_id: &str,
        proxy_id: &str,
        input: ProxyInput,
        master: &MasterKey,
    ) -> Result<Proxy> {
        let settings = serde_json::to_string(&input.settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = now_ms();
        let result = match input.provider_key.as_ref().map(|k| k.expose().as_str()) {
            None => {
                sqlx::query(
                    "UPDATE proxies SET name = $1, provider = $2, base_url = $3, settings = $4, updated_at = $5 \
                     WHERE org_id = $6 AND id = $7",
                )
                .bind(&input.name)
                .bind(input.provider.as_str())
                .bind(&input.base_url)
                .bind(&settings)
                .bind(now)
                .bind(org_id)
                .bind(proxy_id)
                .execute(self.pool())
                .await?
            }
            Some(key) => {
                let key_enc = if key.is_empty() { None } else { Some(master.encrypt(key)?) };
                sqlx::query(
                    "UPDATE proxies SET name = $1, provider = $2, base_url = $3, settings = $4, updated_at = $5, \
                     provider_key_enc = $6 WHERE org_id = $7 AND id = $8",
                )
                .bind(&input.name)
                .bind(input.provider.as_str())
                .bind(&input.base_url)
                .bind(&settings)
                .bind(now)
                .bind(&key_enc)
                .bind(org_id)
                .bind(proxy_id)
                .execute(self.pool())
                .await?
            }
        };
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound("proxy"));
        }
        self.bump_config_version().await?;
        self.get_proxy(org_id, proxy_id).await
    }

    /// Replaces only a proxy's settings (name, upstream and key stay as they
    /// are), for the settings pages and the guard API's settings routes.
    pub async fn update_proxy_settings(&self, org_id: &str, proxy_id: &str, settings: &ProxySettings) -> Result<Proxy> {
        let settings = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let result = sqlx::query("UPDATE proxies SET settings = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
            .bind(&settings)
            .bind(now_ms())
            .bind(org_id)
            .bind(proxy_id)
            .execute(self.pool())
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound("proxy"));
        }
        self.bump_config_version().await?;
        self.get_proxy(org_id, proxy_id).await
    }

    pub async fn get_proxy(&self, org_id: &str, proxy_id: &str) -> Result<Proxy> {
        let row: Option<ProxyRow> =
            sqlx::query_as(&format!("SELECT {PROXY_COLUMNS} FROM proxies WHERE org_id = $1 AND id = $2"))
                .bind(org_id)
                .bind(proxy_id)
                .fetch_optional(self.pool())
                .await?;
        let row = row.ok_or(StoreError::NotFound("proxy"))?;
        Ok(proxy_from_row(row)?.0)
    }

    pub async fn list_proxies(&self, org_id: &str) -> Result<Vec<Proxy>> {
        let rows: Vec<ProxyRow> =
            sqlx::query_as(&format!("SELECT {PROXY_COLUMNS} FROM proxies WHERE org_id = $1 ORDER BY created_at, id"))
                .bind(org_id)
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(|r| proxy_from_row(r).map(|(p, _)| p)).collect()
    }

    /// Every proxy of every org with decrypted provider keys. Used only to
    /// build the proxy's in-memory snapshot. A key that no longer decrypts
    /// (the master secret changed) is dropped with a warning rather than
    /// taking the whole gateway down.
    pub async fn load_all_proxies(&self, master: &MasterKey) -> Result<Vec<ProxyWithKey>> {
        let rows: Vec<ProxyRow> =
            sqlx::query_as(&format!("SELECT {PROXY_COLUMNS} FROM proxies")).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (proxy, key_enc) = proxy_from_row(row)?;
            let provider_key = match key_enc {
                None => None,
                Some(enc) => match master.decrypt(&enc) {
                    Ok(k) => Some(k),
                    Err(_) => {
                        tracing::warn!(proxy_id = %proxy.id, "provider key does not decrypt with the current master secret");
                        None
                    }
                },
            };
            out.push(ProxyWithKey { proxy, provider_key });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterKey {
        MasterKey::derive(&Secret::new("test master secret, long enough".into()))
    }

    #[test]
    fn a_valid_change_applies_every_field() {
        let mut s = IbacSettings::default();
        let change = IbacChange {
            enabled: Some(true),
            verification: Some(VerificationMode::Webhook),
            webhook_url: Some(" https://auth.example.com/verify ".into()),
            webhook_secret: Some(Secret::new("0123456789abcdef".into())),
            challenge_ttl_secs: Some(120),
            webhook_timeout_ms: Some(1500),
            ..IbacChange::default()
        };
        s.apply(change, &master()).unwrap();
        assert!(s.enabled);
        assert_eq!(s.webhook_url.as_deref(), Some("https://auth.example.com/verify"));
        let stored = s.webhook_secret_enc.clone().unwrap();
        assert_ne!(stored, "0123456789abcdef", "the secret is stored encrypted");
        assert_eq!(master().decrypt(&stored).unwrap().expose(), "0123456789abcdef");
        assert_eq!((s.challenge_ttl_secs, s.webhook_timeout_ms), (120, 1500));
    }

    #[test]
    fn an_invalid_change_leaves_everything_as_it_was() {
        let before = IbacSettings::default();
        let cases: Vec<(IbacChange, &str)> = vec![
            (IbacChange { webhook_url: Some("ftp://x".into()), ..Default::default() }, "webhook_url"),
            (IbacChange { webhook_url: Some("https://".into()), ..Default::default() }, "webhook_url"),
            (IbacChange { webhook_secret: Some(Secret::new("short".into())), ..Default::default() }, "webhook_secret"),
            (IbacChange { challenge_ttl_secs: Some(5), ..Default::default() }, "challenge_ttl_seconds"),
            (IbacChange { webhook_timeout_ms: Some(60_000), ..Default::default() }, "webhook_timeout_ms"),
            (
                IbacChange { verification: Some(VerificationMode::Webhook), ..Default::default() },
                "needs webhook_url and webhook_secret",
            ),
            (
                IbacChange {
                    enabled: Some(true),
                    detector: Some(engine::ibac::IbacConfig {
                        custom: vec![engine::ibac::CustomCategory::regex("tickets", &["TCK-(\\d+"])],
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                "tickets",
            ),
        ];
        for (change, expected) in cases {
            let mut s = before.clone();
            let err = s.apply(change, &master()).unwrap_err();
            assert!(err.0.contains(expected), "{:?} should mention {expected}", err.0);
            assert_eq!(s, before);
        }
    }

    #[test]
    fn scan_changes_compile_before_they_apply() {
        use engine::{Action, CustomPattern, Severity, ThreatLevel, ThreatType};
        let mut s = ScanSettings::default();
        let bad = CustomPattern {
            name: "ticket".into(),
            pattern: "TCK-(\\d+".into(),
            is_regex: true,
            severity: Severity::High,
            action: None,
        };
        let before = s.clone();
        let err = s
            .apply(ScanChange { custom_patterns: Some(vec![bad.clone()]), enabled: Some(false), ..Default::default() })
            .unwrap_err();
        assert!(err.0.contains("ticket"), "{}", err.0);
        assert_eq!(s, before, "nothing changes on error");

        let good = CustomPattern { pattern: "TCK-\\d+".into(), ..bad };
        let actions = [(ThreatType::Pii, Action::Block)].into_iter().collect();
        let change = ScanChange {
            level: Some(ThreatLevel::High),
            threat_actions: Some(actions),
            custom_patterns: Some(vec![good]),
            ..Default::default()
        };
        s.apply(change).unwrap();
        assert_eq!(s.scanner.level, ThreatLevel::Custom);
        assert_eq!(s.scanner.type_thresholds.get(&ThreatType::Jailbreak), Some(&Severity::Low));
        assert_eq!(s.scanner.custom_patterns.len(), 1);
        s.apply(ScanChange {
            level: Some(ThreatLevel::Low),
            threat_actions: Some(Default::default()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((s.scanner.level, s.scanner.type_actions.len()), (ThreatLevel::Low, 0));
    }

    #[test]
    fn an_empty_url_clears_and_an_empty_secret_keeps() {
        let mut s = IbacSettings::default();
        let set = IbacChange {
            webhook_url: Some("http://127.0.0.1:9000/hook".into()),
            webhook_secret: Some(Secret::new("a-long-enough-secret".into())),
            ..Default::default()
        };
        s.apply(set, &master()).unwrap();
        let secret = s.webhook_secret_enc.clone();
        let clear = IbacChange {
            webhook_url: Some(String::new()),
            webhook_secret: Some(Secret::new(String::new())),
            ..Default::default()
        };
        s.apply(clear, &master()).unwrap();
        assert_eq!(s.webhook_url, None);
        assert_eq!(s.webhook_secret_enc, secret);
    }
}
