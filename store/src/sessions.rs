//! Dashboard sessions. The cookie carries a random id; the table keeps only
//! its SHA-256, so a copy of the database does not hand out live sessions.

use crate::crypto::sha256_hex;
use crate::users::Role;
use crate::{now_ms, random_id, Result, Secret, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub org_id: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// A session with the names the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub user_id: String,
    pub email: String,
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
}

impl Store {
    /// Starts a session and returns its raw id (for the cookie). A new id is
    /// drawn at every log-in, so a session id planted before log-in is useless.
    pub async fn create_session(&self, user_id: &str, org_id: &str, ttl_ms: i64) -> Result<(Secret<String>, Session)> {
        let raw = Secret::new(random_id("ses", 32));
        let now = now_ms();
        let session = Session {
            user_id: user_id.to_string(),
            org_id: org_id.to_string(),
            csrf_token: random_id("csrf", 24),
            expires_at: now.saturating_add(ttl_ms),
        };
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, org_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sha256_hex(raw.expose().as_bytes()))
        .bind(&session.user_id)
        .bind(&session.org_id)
        .bind(&session.csrf_token)
        .bind(now)
        .bind(session.expires_at)
        .execute(self.pool())
        .await?;
        Ok((raw, session))
    }

    /// The live session with this raw id, if any.
    pub async fn get_session(&self, raw_id: &str) -> Result<Option<Session>> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT user_id, org_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(sha256_hex(raw_id.as_bytes()))
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(user_id, org_id, csrf_token, expires_at)| Session { user_id, org_id, csrf_token, expires_at }))
    }

    /// The live session with this raw id joined with what the dashboard shows
    /// of it: the user's email, the org's name and the user's role there.
    /// One query, since it runs on every dashboard request.
    pub async fn get_session_view(&self, raw_id: &str) -> Result<Option<SessionView>> {
        let row: Option<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT s.user_id, u.email, s.org_id, o.name, m.role FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             JOIN orgs o ON o.id = s.org_id \
             JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(sha256_hex(raw_id.as_bytes()))
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(user_id, email, org_id, org_name, role)| {
            Some(SessionView { user_id, email, org_id, org_name, role: Role::parse(&role)? })
        }))
    }

    pub async fn delete_session(&self, raw_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(sha256_hex(raw_id.as_bytes()))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_ms()).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }
}
