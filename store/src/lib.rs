//! rampart's store: the only crate that speaks SQL.
//!
//! One [`Store`] wraps a pool over SQLite or Postgres, chosen by the scheme of
//! the database URL. Every query is written once with `$n` placeholders and
//! portable types (TEXT ids, BIGINT unix-millisecond times), so the same text
//! runs on both databases. Every tenant-owned row carries `org_id` and every
//! query on such a row filters on it.

pub mod api_keys;
pub mod challenges;
pub mod crypto;
pub mod events;
pub mod guard_scans;
pub mod orgs;
pub mod proxies;
pub mod retention;
pub mod secret;
pub mod sessions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod threats;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use secret::Secret;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors from the store. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme (expected sqlite:, postgres: or postgresql:)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// Input the store refuses; the message is fit to show the user.
    #[error("{0}")]
    Invalid(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("password hashing failed")]
    PasswordHash,
    #[error("encryption failed")]
    Crypto,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool over SQLite or Postgres.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password; never print it.
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the
    /// migrations of that dialect before returning.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let options = AnyConnectOptions::from_str(url)?;
        let mut pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        pool_options = match backend {
            Backend::Sqlite => pool_options.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets the dashboard read while the event writer writes;
                    // the busy timeout absorbs the short write locks in between.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options.max_connections(16),
        };
        let pool = pool_options.connect_with(options).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The configuration version: bumped by every change that the proxy's
    /// in-memory snapshot depends on (keys, proxies).
    pub async fn config_version(&self) -> Result<i64> {
        let (v,): (i64,) =
            sqlx::query_as("SELECT version FROM config_version WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(v)
    }

    pub(crate) async fn bump_config_version(&self) -> Result<()> {
        sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// A unix time in milliseconds as RFC 3339 in UTC (`2023-11-14T22:13:20Z`),
/// the form webhook payloads and API answers carry; `None` if out of range.
pub fn rfc3339(ms: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
}

/// A random identifier `prefix_<hex>` with `bytes` bytes from the OS CSPRNG.
pub fn random_id(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    format!("{prefix}_{}", hex::encode(buf))
}

pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE constraint failed")
                || db.message().contains("duplicate key")
        }
        _ => false,
    }
}
