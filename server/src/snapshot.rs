//! The proxy's view of configuration: API keys and proxies, compiled into an
//! immutable snapshot held behind an `ArcSwap`. The hot path reads it without
//! locks or SQL; a refresher task swaps in a new one when the dashboard
//! changes something here (notified at once) or another instance does
//! (seen by polling the store's config version).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use engine::ibac::IntentDetector;
use engine::Scanner;
use store::api_keys::{ActiveKey, PresentedKey};
use store::crypto::MasterKey;
use store::proxies::{BlockBehavior, IbacSettings, Provider, ScanSettings, VerificationMode};
use store::{Secret, Store};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How often to look for changes made by other instances.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// A proxy as the request path needs it.
#[derive(Debug)]
pub struct ProxyRuntime {
    pub id: String,
    pub org_id: String,
    pub provider: Provider,
    pub base_url: Option<String>,
    pub provider_key: Option<Secret<String>>,
    pub timeout: Duration,
    pub scanning: Scanning,
    /// The settings `scanning` was compiled from, to reuse it across reloads.
    scan_settings: ScanSettings,
    pub ibac: Ibac,
}

/// A proxy's compiled IBAC settings.
#[derive(Debug, Clone)]
pub enum Ibac {
    Off,
    On(Arc<IbacRuntime>),
    /// Stored settings that do not compile (or a webhook secret that does not
    /// decrypt): requests are refused rather than let through unchecked.
    Broken(String),
}

#[derive(Debug)]
pub struct IbacRuntime {
    pub detector: IntentDetector,
    pub verification: Verification,
    pub challenge_ttl: Duration,
}

#[derive(Debug)]
pub enum Verification {
    Trust,
    Webhook { url: String, secret: Secret<String>, timeout: Duration },
}

impl Ibac {
    fn compile(settings: &IbacSettings, master: &MasterKey, proxy_id: &str) -> Self {
        if !settings.enabled {
            return Ibac::Off;
        }
        let broken = |reason: String| {
            tracing::error!(proxy_id, reason = %reason, "the proxy's IBAC settings are unusable");
            Ibac::Broken(reason)
        };
        let detector = match IntentDetector::new(&settings.detector) {
            Ok(d) => d,
            Err(e) => return broken(e.to_string()),
        };
        let verification = match settings.verification {
            VerificationMode::Trust => Verification::Trust,
            VerificationMode::Webhook => {
                let (Some(url), Some(enc)) = (&settings.webhook_url, &settings.webhook_secret_enc) else {
                    return broken("webhook verification needs a webhook URL and secret".into());
                };
                match master.decrypt(enc) {
                    Ok(secret) => Verification::Webhook {
                        url: url.clone(),
                        secret,
                        timeout: Duration::from_millis(settings.webhook_timeout_ms),
                    },
                    Err(_) => return broken("the webhook secret does not decrypt with the current master key".into()),
                }
            }
        };
        Ibac::On(Arc::new(IbacRuntime {
            detector,
            verification,
            challenge_ttl: Duration::from_secs(settings.challenge_ttl_secs),
        }))
    }
}

impl ProxyRuntime {
    /// What a `block` verdict of this proxy's scanner does.
    pub fn block_behavior(&self) -> BlockBehavior {
        self.scan_settings.block_behavior
    }
}

/// A proxy's compiled content scanner.
#[derive(Debug, Clone)]
pub enum Scanning {
    /// Requests through the proxy are scanned.
    On(Arc<Scanner>),
    /// The proxy path does not scan; the guard API still scans on request.
    Disabled(Arc<Scanner>),
    /// The stored configuration does not compile. Requests are refused
    /// rather than forwarded unscanned.
    Broken(String),
}

impl Scanning {
    fn compile(settings: &ScanSettings, proxy_id: &str) -> Self {
        match Scanner::new(&settings.scanner) {
            Ok(s) if settings.enabled => Scanning::On(Arc::new(s)),
            Ok(s) => Scanning::Disabled(Arc::new(s)),
            Err(e) => {
                tracing::error!(proxy_id, error = %e, "the proxy's scanner configuration does not compile");
                Scanning::Broken(e.to_string())
            }
        }
    }
}

/// The caller a key resolved to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub org_id: String,
    pub proxy: Arc<ProxyRuntime>,
}

#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: i64,
    keys: HashMap<String, ActiveKey>,
    proxies: HashMap<String, Arc<ProxyRuntime>>,
}

impl Snapshot {
    /// Loads keys and proxies. Scanners whose settings did not change since
    /// `previous` are reused instead of compiled again.
    pub async fn load(
        store: &Store,
        master: &MasterKey,
        default_timeout: Duration,
        previous: Option<&Snapshot>,
    ) -> store::Result<Self> {
        // Read the version first: a change racing with the load bumps it
        // again, so the next poll reloads rather than missing it.
        let version = store.config_version().await?;
        let keys = store.load_active_keys().await?.into_iter().map(|k| (k.id.clone(), k)).collect();
        let proxies = store
            .load_all_proxies(master)
            .await?
            .into_iter()
            .map(|p| {
                let timeout =
                    p.proxy.settings.upstream_timeout_ms.map(Duration::from_millis).unwrap_or(default_timeout);
                let scan_settings = p.proxy.settings.scanning;
                let scanning = previous
                    .and_then(|prev| prev.proxies.get(&p.proxy.id))
                    .filter(|prev| prev.scan_settings == scan_settings)
                    .map(|prev| prev.scanning.clone())
                    .unwrap_or_else(|| Scanning::compile(&scan_settings, &p.proxy.id));
                let ibac = Ibac::compile(&p.proxy.settings.ibac, master, &p.proxy.id);
                let runtime = ProxyRuntime {
                    ibac,
                    scanning,
                    scan_settings,
                    id: p.proxy.id.clone(),
                    org_id: p.proxy.org_id,
                    provider: p.proxy.provider,
                    base_url: p.proxy.base_url,
                    provider_key: p.provider_key,
                    timeout,
                };
                (p.proxy.id, Arc::new(runtime))
            })
            .collect();
        Ok(Self { version, keys, proxies })
    }

    pub fn proxy(&self, id: &str) -> Option<&Arc<ProxyRuntime>> {
        self.proxies.get(id)
    }

    /// Resolves a presented API key. `None` for unknown, revoked or wrong keys;
    /// the caller answers all of them alike so nothing is learnt by probing.
    pub fn authenticate(&self, presented: &str) -> Option<Caller> {
        let parsed = PresentedKey::parse(presented)?;
        let key = self.keys.get(parsed.id)?;
        if !parsed.matches(&key.secret_hash) {
            return None;
        }
        let proxy = self.proxies.get(&key.proxy_id)?;
        if proxy.org_id != key.org_id {
            return None;
        }
        Some(Caller { key_id: key.id.clone(), org_id: key.org_id.clone(), proxy: Arc::clone(proxy) })
    }
}

/// Shared handle to the current snapshot.
#[derive(Clone)]
pub struct SnapshotHandle {
    current: Arc<ArcSwap<Snapshot>>,
    changed: Arc<Notify>,
}

impl SnapshotHandle {
    pub fn new(initial: Snapshot) -> Self {
        Self { current: Arc::new(ArcSwap::from_pointee(initial)), changed: Arc::new(Notify::new()) }
    }

    pub fn load(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.current.load()
    }

    /// Asks the refresher to reload now (after a local change).
    pub fn notify_changed(&self) {
        self.changed.notify_one();
    }

    pub fn changed_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.changed)
    }

    /// Reloads from the store and swaps the snapshot in.
    pub async fn reload(&self, store: &Store, master: &MasterKey, default_timeout: Duration) -> store::Result<()> {
        let next = Snapshot::load(store, master, default_timeout, Some(&self.load())).await?;
        self.current.store(Arc::new(next));
        Ok(())
    }

    /// Keeps the snapshot fresh until `shutdown` is cancelled.
    pub async fn run_refresher(
        self,
        store: Store,
        master: MasterKey,
        default_timeout: Duration,
        shutdown: CancellationToken,
    ) {
        loop {
            let notified = tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.changed.notified() => true,
                _ = tokio::time::sleep(POLL_INTERVAL) => false,
            };
            let stale = notified
                || match store.config_version().await {
                    Ok(v) => v != self.load().version,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the config version");
                        false
                    }
                };
            if stale {
                if let Err(e) = self.reload(&store, &master, default_timeout).await {
                    tracing::error!(error = %e, "could not reload the configuration snapshot; keeping the previous one");
                }
            }
        }
    }
}
