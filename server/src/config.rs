//! Configuration: a raw, serde-parsed shape from an optional TOML file and the
//! environment, validated once into [`Config`]. Every error names the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use store::Secret;

/// What the TOML file may contain. Unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub addr: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret<String>>,
    pub secret_key: Option<Secret<String>>,
    pub max_body_bytes: Option<u64>,
    pub guard_max_content_bytes: Option<u64>,
    pub upstream_timeout_ms: Option<u64>,
    pub session_ttl_hours: Option<u64>,
    pub cookie_secure: Option<bool>,
    pub site_root: Option<PathBuf>,
    pub webhook_retry_base_ms: Option<u64>,
    pub webhook_max_attempts: Option<u32>,
    pub webhook_allow_private_networks: Option<bool>,
    pub retention_days: Option<u32>,
}

/// The environment variables that override the file, with their keys.
const ENV_KEYS: [(&str, &str); 14] = [
    ("RAMPART_ADDR", "addr"),
    ("RAMPART_DATA_DIR", "data_dir"),
    ("DATABASE_URL", "database_url"),
    ("RAMPART_SECRET_KEY", "secret_key"),
    ("RAMPART_MAX_BODY_BYTES", "max_body_bytes"),
    ("RAMPART_GUARD_MAX_CONTENT_BYTES", "guard_max_content_bytes"),
    ("RAMPART_UPSTREAM_TIMEOUT_MS", "upstream_timeout_ms"),
    ("RAMPART_SESSION_TTL_HOURS", "session_ttl_hours"),
    ("RAMPART_COOKIE_SECURE", "cookie_secure"),
    ("RAMPART_SITE_ROOT", "site_root"),
    ("RAMPART_WEBHOOK_RETRY_BASE_MS", "webhook_retry_base_ms"),
    ("RAMPART_WEBHOOK_MAX_ATTEMPTS", "webhook_max_attempts"),
    ("RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "webhook_allow_private_networks"),
    ("RAMPART_RETENTION_DAYS", "retention_days"),
];

/// The validated configuration the program runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Secret<String>,
    /// `None` until resolved by [`Config::resolve_secret_key`].
    pub secret_key: Option<Secret<String>>,
    pub max_body_bytes: usize,
    /// Largest `content`/`output` the guard API scans.
    pub guard_max_content_bytes: usize,
    pub upstream_timeout: Duration,
    pub session_ttl: Duration,
    pub cookie_secure: bool,
    pub site_root: PathBuf,
    /// The delay before the first retry of a webhook delivery; each later
    /// retry waits four times longer (see `webhooks::backoff`).
    pub webhook_retry_base: Duration,
    /// Attempts per webhook delivery before it is marked failed.
    pub webhook_max_attempts: u32,
    /// Whether webhooks (org endpoints and IBAC verification) may reach
    /// loopback and private networks; see `outbound`. Off by default, so a
    /// webhook URL cannot be aimed at services only the server can see.
    pub webhook_allow_private_networks: bool,
    /// How long request events and guard scans are kept; `None` keeps them
    /// for ever.
    pub retention: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key, reason: reason.into() }
}

impl RawConfig {
    /// Reads the TOML file (if any), then applies the environment on top.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut raw = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::File { path: path.display().to_string(), reason: e.to_string() })?;
                toml::from_str::<RawConfig>(&text).map_err(|e| {
                    // The message alone names no key for a value of the wrong
                    // type, and the full report would quote the whole line.
                    let key = e.span().and_then(|span| key_at(&text, span.start));
                    let reason = match key {
                        Some(key) if !e.message().contains(key) => format!("{key}: {}", e.message()),
                        _ => e.message().to_string(),
                    };
                    ConfigError::File { path: path.display().to_string(), reason }
                })?
            }
            None => RawConfig::default(),
        };
        for (var, key) in ENV_KEYS {
            let Some(value) = env(var).filter(|v| !v.is_empty()) else { continue };
            let bad = |reason: String| ConfigError::Invalid { key: var_key(var, key), reason };
            match key {
                "addr" => raw.addr = Some(value),
                "data_dir" => raw.data_dir = Some(PathBuf::from(value)),
                "database_url" => raw.database_url = Some(Secret::new(value)),
                "secret_key" => raw.secret_key = Some(Secret::new(value)),
                "max_body_bytes" => raw.max_body_bytes = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
                "guard_max_content_bytes" => {
                    raw.guard_max_content_bytes = Some(value.parse().map_err(|e| bad(format!("{e}")))?)
                }
                "upstream_timeout_ms" => {
                    raw.upstream_timeout_ms = Some(value.parse().map_err(|e| bad(format!("{e}")))?)
                }
                "session_ttl_hours" => raw.session_ttl_hours = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
                "cookie_secure" => {
                    raw.cookie_secure = Some(parse_bool(&value).ok_or_else(|| bad("expected true or false".into()))?)
                }
                "site_root" => raw.site_root = Some(PathBuf::from(value)),
                "webhook_retry_base_ms" => {
                    raw.webhook_retry_base_ms = Some(value.parse().map_err(|e| bad(format!("{e}")))?)
                }
                "webhook_max_attempts" => {
                    raw.webhook_max_attempts = Some(value.parse().map_err(|e| bad(format!("{e}")))?)
                }
                "webhook_allow_private_networks" => {
                    raw.webhook_allow_private_networks =
                        Some(parse_bool(&value).ok_or_else(|| bad("expected true or false".into()))?)
                }
                "retention_days" => raw.retention_days = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
                _ => {}
            }
        }
        Ok(raw)
    }

    /// Checks every value and fills in defaults.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let addr_text = self.addr.unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_text
            .parse()
            .map_err(|_| invalid("addr (RAMPART_ADDR)", format!("`{addr_text}` is not HOST:PORT with an IP host")))?;
        let data_dir = self.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match self.database_url {
            Some(url) => {
                let u = url.expose();
                if !(u.starts_with("sqlite:") || u.starts_with("postgres:") || u.starts_with("postgresql:")) {
                    return Err(invalid(
                        "database_url (DATABASE_URL)",
                        "must start with sqlite:, postgres: or postgresql:",
                    ));
                }
                url
            }
            None => Secret::new(format!("sqlite://{}/rampart.db?mode=rwc", data_dir.display())),
        };
        if let Some(key) = &self.secret_key {
            if key.expose().len() < 32 {
                return Err(invalid("secret_key (RAMPART_SECRET_KEY)", "must be at least 32 characters"));
            }
        }
        let max_body_bytes = self.max_body_bytes.unwrap_or(10 * 1024 * 1024);
        if max_body_bytes == 0 || max_body_bytes > 1024 * 1024 * 1024 {
            return Err(invalid("max_body_bytes (RAMPART_MAX_BODY_BYTES)", "must be between 1 and 1073741824"));
        }
        let guard_max = self.guard_max_content_bytes.unwrap_or(1024 * 1024);
        if guard_max == 0 || guard_max > 64 * 1024 * 1024 {
            return Err(invalid(
                "guard_max_content_bytes (RAMPART_GUARD_MAX_CONTENT_BYTES)",
                "must be between 1 and 67108864",
            ));
        }
        let upstream_timeout_ms = self.upstream_timeout_ms.unwrap_or(120_000);
        if upstream_timeout_ms == 0 {
            return Err(invalid("upstream_timeout_ms (RAMPART_UPSTREAM_TIMEOUT_MS)", "must be positive"));
        }
        let ttl_hours = self.session_ttl_hours.unwrap_or(12);
        if ttl_hours == 0 || ttl_hours > 24 * 30 {
            return Err(invalid("session_ttl_hours (RAMPART_SESSION_TTL_HOURS)", "must be between 1 and 720"));
        }
        let retry_base_ms = self.webhook_retry_base_ms.unwrap_or(5_000);
        if !(10..=3_600_000).contains(&retry_base_ms) {
            return Err(invalid(
                "webhook_retry_base_ms (RAMPART_WEBHOOK_RETRY_BASE_MS)",
                "must be between 10 and 3600000",
            ));
        }
        let max_attempts = self.webhook_max_attempts.unwrap_or(8);
        if !(1..=20).contains(&max_attempts) {
            return Err(invalid("webhook_max_attempts (RAMPART_WEBHOOK_MAX_ATTEMPTS)", "must be between 1 and 20"));
        }
        let retention_days = self.retention_days.unwrap_or(90);
        if retention_days > 36_500 {
            return Err(invalid(
                "retention_days (RAMPART_RETENTION_DAYS)",
                "must be between 0 (keep for ever) and 36500",
            ));
        }
        Ok(Config {
            addr,
            data_dir,
            database_url,
            secret_key: self.secret_key,
            max_body_bytes: usize::try_from(max_body_bytes).unwrap_or(usize::MAX),
            guard_max_content_bytes: usize::try_from(guard_max).unwrap_or(usize::MAX),
            upstream_timeout: Duration::from_millis(upstream_timeout_ms),
            session_ttl: Duration::from_secs(ttl_hours * 3600),
            cookie_secure: self.cookie_secure.unwrap_or(true),
            site_root: self.site_root.unwrap_or_else(|| PathBuf::from("target/site")),
            webhook_retry_base: Duration::from_millis(retry_base_ms),
            webhook_max_attempts: max_attempts,
            webhook_allow_private_networks: self.webhook_allow_private_networks.unwrap_or(false),
            retention: (retention_days > 0).then(|| Duration::from_secs(u64::from(retention_days) * 24 * 3600)),
        })
    }
}

fn var_key(var: &'static str, key: &'static str) -> &'static str {
    // Static strings so errors can name both spellings without allocation.
    match (var, key) {
        ("RAMPART_MAX_BODY_BYTES", _) => "max_body_bytes (RAMPART_MAX_BODY_BYTES)",
        ("RAMPART_GUARD_MAX_CONTENT_BYTES", _) => "guard_max_content_bytes (RAMPART_GUARD_MAX_CONTENT_BYTES)",
        ("RAMPART_UPSTREAM_TIMEOUT_MS", _) => "upstream_timeout_ms (RAMPART_UPSTREAM_TIMEOUT_MS)",
        ("RAMPART_SESSION_TTL_HOURS", _) => "session_ttl_hours (RAMPART_SESSION_TTL_HOURS)",
        ("RAMPART_COOKIE_SECURE", _) => "cookie_secure (RAMPART_COOKIE_SECURE)",
        ("RAMPART_WEBHOOK_RETRY_BASE_MS", _) => "webhook_retry_base_ms (RAMPART_WEBHOOK_RETRY_BASE_MS)",
        ("RAMPART_WEBHOOK_MAX_ATTEMPTS", _) => "webhook_max_attempts (RAMPART_WEBHOOK_MAX_ATTEMPTS)",
        ("RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS", _) => {
            "webhook_allow_private_networks (RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS)"
        }
        ("RAMPART_RETENTION_DAYS", _) => "retention_days (RAMPART_RETENTION_DAYS)",
        _ => key,
    }
}

/// The key of the `key = value` line holding byte `at` of a TOML text.
fn key_at(text: &str, at: usize) -> Option<&str> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let key = line.split_once('=')?.0.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Creates the data directory if needed.
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| ConfigError::DataDir { path: self.data_dir.display().to_string(), reason: e.to_string() })
    }

    /// The master secret: the configured one, or the one in
    /// `<data_dir>/secret_key`, generated there (mode 0600) on first run.
    pub fn resolve_secret_key(&mut self) -> Result<Secret<String>, ConfigError> {
        if let Some(key) = &self.secret_key {
            return Ok(key.clone());
        }
        self.ensure_data_dir()?;
        let path = self.data_dir.join("secret_key");
        let err = |e: std::io::Error| ConfigError::DataDir { path: path.display().to_string(), reason: e.to_string() };
        let key = match std::fs::read_to_string(&path) {
            Ok(existing) => Secret::new(existing.trim().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Secret::new(store::random_id("rms", 32));
                write_private(&path, key.expose()).map_err(err)?;
                tracing::info!(path = %path.display(), "generated a new master secret (RAMPART_SECRET_KEY was not set)");
                key
            }
            Err(e) => return Err(err(e)),
        };
        if key.expose().len() < 32 {
            return Err(invalid("secret_key", format!("{} holds fewer than 32 characters", path.display())));
        }
        self.secret_key = Some(key.clone());
        Ok(key)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_are_safe_and_local() {
        let c = RawConfig::load(None, env(&[])).unwrap().validate().unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.max_body_bytes, 10 * 1024 * 1024);
        assert!(c.cookie_secure);
        assert!(c.database_url.expose().starts_with("sqlite://data/"));
        assert!(!c.webhook_allow_private_networks);
    }

    #[test]
    fn private_networks_for_webhooks_are_opt_in() {
        for (value, allowed) in [("true", true), ("1", true), ("yes", true), ("false", false), ("off", false)] {
            let var = [("RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS", value)];
            let c = RawConfig::load(None, env(&var)).unwrap().validate().unwrap();
            assert_eq!(c.webhook_allow_private_networks, allowed, "{value}");
        }
        let e = RawConfig::load(None, env(&[("RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "sometimes")])).unwrap_err();
        assert!(
            e.to_string().contains("webhook_allow_private_networks (RAMPART_WEBHOOK_ALLOW_PRIVATE_NETWORKS)"),
            "{e}"
        );
        let dir = store::testing::TempDir::new();
        let path = dir.path.join("rampart.toml");
        std::fs::write(&path, "webhook_allow_private_networks = true\n").unwrap();
        assert!(RawConfig::load(Some(&path), env(&[])).unwrap().validate().unwrap().webhook_allow_private_networks);
        std::fs::write(&path, "webhook_allow_private_networks = \"yes\"\n").unwrap();
        let e = RawConfig::load(Some(&path), env(&[])).unwrap_err();
        assert!(e.to_string().contains("webhook_allow_private_networks: invalid type"), "{e}");
    }

    #[test]
    fn env_errors_name_the_key() {
        let e = RawConfig::load(None, env(&[("RAMPART_MAX_BODY_BYTES", "ten")])).unwrap_err();
        assert!(e.to_string().contains("RAMPART_MAX_BODY_BYTES"), "{e}");
        let e = RawConfig::load(None, env(&[("RAMPART_ADDR", "nowhere")])).unwrap().validate().unwrap_err();
        assert!(e.to_string().contains("RAMPART_ADDR"), "{e}");
        let e = RawConfig::load(None, env(&[("DATABASE_URL", "mysql://x")])).unwrap().validate().unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"), "{e}");
        assert!(!e.to_string().contains("mysql://x"));
        let e = RawConfig::load(None, env(&[("RAMPART_SECRET_KEY", "short")])).unwrap().validate().unwrap_err();
        assert!(e.to_string().contains("RAMPART_SECRET_KEY") && !e.to_string().contains("short"), "{e}");
        let e = RawConfig::load(None, env(&[("RAMPART_WEBHOOK_RETRY_BASE_MS", "soon")])).unwrap_err();
        assert!(e.to_string().contains("RAMPART_WEBHOOK_RETRY_BASE_MS"), "{e}");
        for (var, value) in [("RAMPART_WEBHOOK_RETRY_BASE_MS", "0"), ("RAMPART_WEBHOOK_MAX_ATTEMPTS", "0")] {
            let e = RawConfig::load(None, env(&[(var, value)])).unwrap().validate().unwrap_err();
            assert!(e.to_string().contains(var), "{e}");
        }
        let c = RawConfig::load(None, env(&[("RAMPART_WEBHOOK_RETRY_BASE_MS", "250")])).unwrap().validate().unwrap();
        assert_eq!((c.webhook_retry_base, c.webhook_max_attempts), (Duration::from_millis(250), 8));
    }

    #[test]
    fn retention_defaults_to_ninety_days_and_zero_keeps_for_ever() {
        let days = |n: u64| Some(Duration::from_secs(n * 24 * 3600));
        assert_eq!(RawConfig::load(None, env(&[])).unwrap().validate().unwrap().retention, days(90));
        let c = RawConfig::load(None, env(&[("RAMPART_RETENTION_DAYS", "7")])).unwrap().validate().unwrap();
        assert_eq!(c.retention, days(7));
        let c = RawConfig::load(None, env(&[("RAMPART_RETENTION_DAYS", "0")])).unwrap().validate().unwrap();
        assert_eq!(c.retention, None);
        let e = RawConfig::load(None, env(&[("RAMPART_RETENTION_DAYS", "36501")])).unwrap().validate().unwrap_err();
        assert!(e.to_string().contains("RAMPART_RETENTION_DAYS"), "{e}");
        let e = RawConfig::load(None, env(&[("RAMPART_RETENTION_DAYS", "a week")])).unwrap_err();
        assert!(e.to_string().contains("RAMPART_RETENTION_DAYS"), "{e}");
    }

    #[test]
    fn file_rejects_unknown_keys_and_env_wins() {
        let dir = store::testing::TempDir::new();
        let path = dir.path.join("rampart.toml");
        std::fs::write(&path, "addr = \"127.0.0.1:4000\"\nmax_body_bytes = 2048\n").unwrap();
        let c = RawConfig::load(Some(&path), env(&[("RAMPART_ADDR", "127.0.0.1:5000")])).unwrap().validate().unwrap();
        assert_eq!(c.addr.port(), 5000);
        assert_eq!(c.max_body_bytes, 2048);
        std::fs::write(&path, "adr = \"x\"\n").unwrap();
        let e = RawConfig::load(Some(&path), env(&[])).unwrap_err();
        assert!(e.to_string().contains("adr"), "{e}");
    }

    #[test]
    fn secret_key_is_generated_once_with_private_permissions() {
        let dir = store::testing::TempDir::new();
        let mut c = RawConfig::load(None, env(&[])).unwrap().validate().unwrap();
        c.data_dir = dir.path.join("data");
        let k1 = c.resolve_secret_key().unwrap();
        c.secret_key = None;
        let k2 = c.resolve_secret_key().unwrap();
        assert_eq!(k1.expose(), k2.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(c.data_dir.join("secret_key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
