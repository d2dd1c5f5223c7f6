//! API keys: `rk_<public id>_<secret>`. The store keeps the public id and the
//! SHA-256 of the secret; the whole key exists only in the answer to its
//! creation.

use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::crypto::{ct_eq, sha256_hex};
use crate::{now_ms, Result, Secret, Store, StoreError};

const KEY_PREFIX: &str = "rk_";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiKey {
    /// The public id, also the start of the key (`rk_<id>_…`).
    pub id: String,
    pub org_id: String,
    pub proxy_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    /// What the dashboard may show of a key: enough to recognise it.
    pub fn display_prefix(&self) -> String {
        format!("{KEY_PREFIX}{}_…", self.id)
    }
}

/// An active key as the proxy's snapshot holds it.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    pub id: String,
    pub org_id: String,
    pub proxy_id: String,
    /// SHA-256 of the secret part.
    pub secret_hash: [u8; 32],
}

/// The parts of a presented key.
#[derive(Debug)]
pub struct PresentedKey<'a> {
    pub id: &'a str,
    secret: &'a str,
}

impl<'a> PresentedKey<'a> {
    /// Splits `rk_<id>_<secret>`; `None` if the shape is wrong.
    pub fn parse(key: &'a str) -> Option<Self> {
        let rest = key.strip_prefix(KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let valid = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid(id, 16) || !valid(secret, 64) {
            return None;
        }
        Some(Self { id, secret })
    }

    /// Constant-time check of the secret against a stored SHA-256.
    pub fn matches(&self, secret_hash: &[u8; 32]) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.secret.as_bytes());
        ct_eq(digest.as_slice(), secret_hash)
    }
}

type KeyRow = (String, String, String, String, i64, Option<i64>, Option<i64>);

fn key_from_row((id, org_id, proxy_id, name, created_at, last_used_at, revoked_at): KeyRow) -> ApiKey {
    ApiKey { id, org_id, proxy_id, name, created_at, last_used_at, revoked_at }
}

impl Store {
    /// Creates a key for `proxy_id` and returns it with the full key string,
    /// which is not stored and cannot be recovered later.
    pub async fn create_api_key(&self, org_id: &str, proxy_id: &str, name: &str) -> Result<(ApiKey, Secret<String>)> {
        // The proxy must belong to the same org.
        self.get_proxy(org_id, proxy_id).await?;
        let mut id = [0u8; 8];
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut id);
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let id = hex::encode(id);
        let secret = Secret::new(hex::encode(secret));
        let key = ApiKey {
            id: id.clone(),
            org_id: org_id.to_string(),
            proxy_id: proxy_id.to_string(),
            name: name.to_string(),
            created_at: now_ms(),
            last_used_at: None,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, proxy_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.id)
        .bind(org_id)
        .bind(proxy_id)
        .bind(name)
        .bind(sha256_hex(secret.expose().as_bytes()))
        .bind(key.created_at)
        .execute(self.pool())
        .await?;
        self.bump_config_version().await?;
        let full = Secret::new(format!("{KEY_PREFIX}{id}_{}", secret.expose()));
        Ok((key, full))
    }

    pub async fn list_api_keys(&self, org_id: &str) -> Result<Vec<ApiKey>> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, org_id, proxy_id, name, created_at, last_used_at, revoked_at FROM api_keys \
             WHERE org_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(key_from_row).collect())
    }

    pub async fn revoke_api_key(&self, org_id: &str, key_id: &str) -> Result<()> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(org_id)
                .bind(key_id)
                .execute(self.pool())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("api key"));
        }
        self.bump_config_version().await?;
        Ok(())
    }

    /// Every unrevoked key, for the proxy's in-memory snapshot.
    pub async fn load_active_keys(&self) -> Result<Vec<ActiveKey>> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, org_id, proxy_id, secret_hash FROM api_keys WHERE revoked_at IS NULL")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(id, org_id, proxy_id, hash)| {
                let mut secret_hash = [0u8; 32];
                hex::decode_to_slice(&hash, &mut secret_hash)
                    .map_err(|_| StoreError::Corrupt(format!("secret hash of key {id}")))?;
                Ok(ActiveKey { id, org_id, proxy_id, secret_hash })
            })
            .collect()
    }

    /// Records when keys were last used; called in batches off the hot path.
    pub async fn touch_api_keys(&self, uses: &[(String, i64)]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for (id, at) in uses {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            )
            .bind(*at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_the_documented_shape() {
        let id = "0123456789abcdef";
        let secret = "a".repeat(64);
        let key = format!("rk_{id}_{secret}");
        let parsed = PresentedKey::parse(&key).unwrap();
        assert_eq!(parsed.id, id);
        for bad in [
            String::new(),
            "rk_".into(),
            format!("sk_{id}_{secret}"),
            format!("rk_{id}_{}", "a".repeat(63)),
            format!("rk_{id}x_{secret}"),
            format!("rk_{id}_{}g", "a".repeat(63)),
        ] {
            assert!(PresentedKey::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn matches_compares_the_secret_hash() {
        use sha2::{Digest, Sha256};
        let secret = "b".repeat(64);
        let key = format!("rk_0123456789abcdef_{secret}");
        let parsed = PresentedKey::parse(&key).unwrap();
        let good: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let bad: [u8; 32] = Sha256::digest(b"other").into();
        assert!(parsed.matches(&good));
        assert!(!parsed.matches(&bad));
    }
}
