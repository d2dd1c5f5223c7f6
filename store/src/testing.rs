//! Fresh, isolated databases for tests, on both backends.
//!
//! Postgres tests run against `RAMPART_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each call creates a new
//! database there so runs never see each other's rows. They never skip
//! silently: an unreachable server fails the test.

// Test support: failing loudly is the point.
#![allow(clippy::panic)]

use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Executor};

use crate::{random_id, Store};

pub fn postgres_admin_url() -> String {
    std::env::var("RAMPART_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A new SQLite database file in a fresh temporary directory. The directory
/// is returned so it lives as long as the caller needs the file.
pub fn sqlite_url() -> (String, TempDir) {
    let dir = TempDir::new();
    let url = format!("sqlite://{}/rampart.db?mode=rwc", dir.path.display());
    (url, dir)
}

/// Creates a new empty Postgres database and returns its URL.
pub async fn postgres_url() -> String {
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let name = random_id("rampart_test", 6);
    let opts = match AnyConnectOptions::from_str(&admin) {
        Ok(o) => o,
        Err(e) => panic!("bad RAMPART_TEST_POSTGRES_URL: {e}"),
    };
    let mut conn = match opts.connect().await {
        Ok(c) => c,
        Err(e) => panic!("Postgres tests need a server at {admin}: {e}"),
    };
    if let Err(e) = conn.execute(format!("CREATE DATABASE {name}").as_str()).await {
        panic!("could not create test database: {e}");
    }
    match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("RAMPART_TEST_POSTGRES_URL has no database part"),
    }
}

pub async fn sqlite_store() -> (Store, TempDir) {
    let (url, dir) = sqlite_url();
    match Store::connect(&url).await {
        Ok(s) => (s, dir),
        Err(e) => panic!("sqlite store: {e}"),
    }
}

pub async fn postgres_store() -> Store {
    let url = postgres_url().await;
    match Store::connect(&url).await {
        Ok(s) => s,
        Err(e) => panic!("postgres store: {e}"),
    }
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir {
    pub path: std::path::PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(random_id("rampart", 8));
        if let Err(e) = std::fs::create_dir_all(&path) {
            panic!("temp dir: {e}");
        }
        Self { path }
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Declares each listed `async fn name(store: Store)` test twice: as
/// `sqlite::name` on a fresh SQLite file and as `postgres::name` on a fresh
/// Postgres database, so every store test runs on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = $crate::testing::sqlite_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let store = $crate::testing::postgres_store().await;
                    super::$name(store).await;
                }
            )*
        }
    };
}
