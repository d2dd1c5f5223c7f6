//! Users, their memberships in organisations, and password hashing.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::{is_unique_violation, now_ms, random_id, Result, Secret, Store, StoreError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Membership {
    pub org_id: String,
    pub user_id: String,
    pub role: Role,
}

/// Hashes a password with argon2id (the crate's defaults are OWASP's
/// recommendation: 19 MiB, 2 passes, 1 lane). Runs on the blocking pool: a
/// hash takes tens of milliseconds and must not stall the async workers.
pub async fn hash_password(password: Secret<String>) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| StoreError::PasswordHash)
    })
    .await
    .map_err(|_| StoreError::PasswordHash)?
}

/// Checks a password against a stored argon2 hash, off the async workers.
pub async fn verify_password(password: Secret<String>, stored_hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

impl Store {
    /// Creates a user with an already-hashed password.
    pub async fn create_user(&self, email: &str, password_hash: &str) -> Result<User> {
        let u = User { id: random_id("usr", 8), email: normalise_email(email), created_at: now_ms() };
        sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&u.id)
            .bind(&u.email)
            .bind(password_hash)
            .bind(u.created_at)
            .execute(self.pool())
            .await
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("user") } else { e.into() })?;
        Ok(u)
    }

    /// The user with this email and their password hash (for log-in).
    pub async fn find_user_credentials(&self, email: &str) -> Result<Option<(User, String)>> {
        let row: Option<(String, String, String, i64)> =
            sqlx::query_as("SELECT id, email, password_hash, created_at FROM users WHERE email = $1")
                .bind(normalise_email(email))
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id, email, hash, created_at)| (User { id, email, created_at }, hash)))
    }

    pub async fn get_user(&self, user_id: &str) -> Result<User> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT id, email, created_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|(id, email, created_at)| User { id, email, created_at }).ok_or(StoreError::NotFound("user"))
    }

    pub async fn add_member(&self, org_id: &str, user_id: &str, role: Role) -> Result<()> {
        sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(org_id)
            .bind(user_id)
            .bind(role.as_str())
            .bind(now_ms())
            .execute(self.pool())
            .await
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("membership") } else { e.into() })?;
        Ok(())
    }

    /// The memberships of a user, oldest first.
    pub async fn memberships_of(&self, user_id: &str) -> Result<Vec<Membership>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT org_id, user_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(org_id, user_id, role)| {
                let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?;
                Ok(Membership { org_id, user_id, role })
            })
            .collect()
    }

    /// Members of an organisation with their emails.
    pub async fn list_members(&self, org_id: &str) -> Result<Vec<(User, Role)>> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT u.id, u.email, u.created_at, m.role FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY m.created_at",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, email, created_at, role)| {
                (User { id, email, created_at }, Role::parse(&role).unwrap_or(Role::Member))
            })
            .collect())
    }
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
