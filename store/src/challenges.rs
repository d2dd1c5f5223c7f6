//! IBAC challenges: issued when a request shows data-access intent, verified
//! when the application proves its end user, and then a grant for that user
//! and category until they expire. They live here, not in memory, so every
//! instance sees the same ones.

use serde::{Deserialize, Serialize};

use crate::crypto::{ct_eq, sha256_hex};
use crate::{now_ms, random_id, Result, Secret, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    Pending,
    Verified,
    Failed,
}

impl ChallengeStatus {
    fn as_str(self) -> &'static str {
        match self {
            ChallengeStatus::Pending => "pending",
            ChallengeStatus::Verified => "verified",
            ChallengeStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ChallengeStatus::Pending),
            "verified" => Some(ChallengeStatus::Verified),
            "failed" => Some(ChallengeStatus::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: String,
    pub org_id: String,
    pub proxy_id: String,
    pub end_user_id: String,
    pub category: String,
    pub status: ChallengeStatus,
    pub failure: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    token_hash: String,
}

impl Challenge {
    /// Constant-time check of a presented verification token.
    pub fn token_matches(&self, token: &str) -> bool {
        !token.is_empty() && ct_eq(sha256_hex(token.as_bytes()).as_bytes(), self.token_hash.as_bytes())
    }
}

/// What a new challenge is bound to.
#[derive(Debug, Clone)]
pub struct NewChallenge<'a> {
    pub org_id: &'a str,
    pub proxy_id: &'a str,
    pub end_user_id: &'a str,
    pub category: &'a str,
    pub ttl_ms: i64,
}

type ChallengeRow = (String, String, String, String, String, String, String, Option<String>, i64, i64);

const COLUMNS: &str =
    "id, org_id, proxy_id, end_user_id, category, token_hash, status, failure, created_at, expires_at";

fn from_row(r: ChallengeRow) -> Option<Challenge> {
    Some(Challenge {
        id: r.0,
        org_id: r.1,
        proxy_id: r.2,
        end_user_id: r.3,
        category: r.4,
        token_hash: r.5,
        status: ChallengeStatus::parse(&r.6)?,
        failure: r.7,
        created_at: r.8,
        expires_at: r.9,
    })
}

/// How the challenges of one category fared in one time bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeCounts {
    /// Start of the bucket, ms since the epoch.
    pub bucket_start: i64,
    pub category: String,
    pub issued: i64,
    pub verified: i64,
    pub failed: i64,
    /// Still pending when they expired.
    pub expired: i64,
}

impl Store {
    /// Issues a challenge; returns it with its verification token, which is
    /// not stored. Ids and tokens carry 128 and 256 random bits.
    pub async fn create_challenge(&self, new: NewChallenge<'_>) -> Result<(Challenge, Secret<String>)> {
        let token = Secret::new(random_id("vt", 32));
        let now = now_ms();
        let challenge = Challenge {
            id: random_id("ch", 16),
            org_id: new.org_id.to_string(),
            proxy_id: new.proxy_id.to_string(),
            end_user_id: new.end_user_id.to_string(),
            category: new.category.to_string(),
            status: ChallengeStatus::Pending,
            failure: None,
            created_at: now,
            expires_at: now.saturating_add(new.ttl_ms),
            token_hash: sha256_hex(token.expose().as_bytes()),
        };
        sqlx::query(&format!("INSERT INTO challenges ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
            .bind(&challenge.id)
            .bind(&challenge.org_id)
            .bind(&challenge.proxy_id)
            .bind(&challenge.end_user_id)
            .bind(&challenge.category)
            .bind(&challenge.token_hash)
            .bind(challenge.status.as_str())
            .bind(&challenge.failure)
            .bind(challenge.created_at)
            .bind(challenge.expires_at)
            .execute(self.pool())
            .await?;
        Ok((challenge, token))
    }

    /// A challenge of this org, whatever its state.
    pub async fn get_challenge(&self, org_id: &str, id: &str) -> Result<Option<Challenge>> {
        let row: Option<ChallengeRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM challenges WHERE org_id = $1 AND id = $2"))
                .bind(org_id)
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.and_then(from_row))
    }

    /// Marks a pending challenge verified or failed. Returns false if it was
    /// no longer pending (a concurrent retry got there first).
    pub async fn settle_challenge(
        &self,
        org_id: &str,
        id: &str,
        outcome: std::result::Result<(), String>,
    ) -> Result<bool> {
        let (status, failure, verified_at) = match outcome {
            Ok(()) => (ChallengeStatus::Verified, None, Some(now_ms())),
            Err(reason) => (ChallengeStatus::Failed, Some(reason), None),
        };
        let done = sqlx::query(
            "UPDATE challenges SET status = $1, failure = $2, verified_at = $3 \
             WHERE org_id = $4 AND id = $5 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(failure)
        .bind(verified_at)
        .bind(org_id)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether this end user holds an unexpired verified challenge for the category.
    pub async fn has_grant(&self, org_id: &str, proxy_id: &str, end_user_id: &str, category: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM challenges WHERE org_id = $1 AND proxy_id = $2 AND end_user_id = $3 \
             AND category = $4 AND status = 'verified' AND expires_at > $5",
        )
        .bind(org_id)
        .bind(proxy_id)
        .bind(end_user_id)
        .bind(category)
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Challenges per category and time bucket since `since` (ms), for the
    /// analytics chart: issued, verified, failed, and expired unanswered.
    /// `proxy_id` narrows it to one proxy. Buckets are `bucket_ms` wide and
    /// aligned to the epoch; empty buckets are not returned.
    pub async fn challenge_stats(
        &self,
        org_id: &str,
        proxy_id: Option<&str>,
        since: i64,
        bucket_ms: i64,
    ) -> Result<Vec<ChallengeCounts>> {
        let bucket_ms = bucket_ms.max(1);
        let rows: Vec<(i64, String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT (created_at / $3) * $3 AS bucket, category, COUNT(*) AS issued, \
                    SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END) AS verified, \
                    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, \
                    SUM(CASE WHEN status = 'pending' AND expires_at <= $4 THEN 1 ELSE 0 END) AS expired \
             FROM challenges \
             WHERE org_id = $1 AND created_at >= $2 AND ($5 = '' OR proxy_id = $5) \
             GROUP BY bucket, category ORDER BY bucket, category",
        )
        .bind(org_id)
        .bind(since)
        .bind(bucket_ms)
        .bind(now_ms())
        .bind(proxy_id.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(bucket_start, category, issued, verified, failed, expired)| ChallengeCounts {
                bucket_start,
                category,
                issued,
                verified,
                failed,
                expired,
            })
            .collect())
    }

    /// Deletes challenges that expired more than `keep_ms` ago (kept a while
    /// for analytics); returns how many.
    pub async fn purge_expired_challenges(&self, keep_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM challenges WHERE expires_at < $1")
            .bind(now_ms().saturating_sub(keep_ms))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
