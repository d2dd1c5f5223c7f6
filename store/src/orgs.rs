//! Organisations: the tenant boundary.

use serde::{Deserialize, Serialize};

use crate::{is_unique_violation, now_ms, random_id, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

type OrgRow = (String, String, i64);

fn org((id, name, created_at): OrgRow) -> Org {
    Org { id, name, created_at }
}

impl Store {
    pub async fn create_org(&self, name: &str) -> Result<Org> {
        let o = Org { id: random_id("org", 8), name: name.to_string(), created_at: now_ms() };
        sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&o.id)
            .bind(&o.name)
            .bind(o.created_at)
            .execute(self.pool())
            .await
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("organization") } else { e.into() })?;
        Ok(o)
    }

    pub async fn find_org_by_name(&self, name: &str) -> Result<Option<Org>> {
        let row: Option<OrgRow> = sqlx::query_as("SELECT id, name, created_at FROM orgs WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(org))
    }

    pub async fn get_org(&self, org_id: &str) -> Result<Org> {
        let row: Option<OrgRow> = sqlx::query_as("SELECT id, name, created_at FROM orgs WHERE id = $1")
            .bind(org_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(org).ok_or(StoreError::NotFound("organization"))
    }

    pub async fn count_orgs(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orgs").fetch_one(self.pool()).await?;
        Ok(n)
    }
}
