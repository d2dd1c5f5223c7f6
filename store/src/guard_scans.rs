//! Guard API scans (scan-content and scan-output): one row per scan, written
//! in batches by the server's event writer, and the per-proxy statistics
//! read back from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardScan {
    pub id: String,
    pub org_id: String,
    pub proxy_id: String,
    /// `content` (scan-content) or `output` (scan-output).
    pub kind: String,
    /// The engine's source: `user_input`, `tool_output` or `document`.
    pub source: String,
    /// `allow`, `warn`, `sanitize` or `block`, after the proxy's block behaviour.
    pub action: String,
    pub risk_score: f64,
    /// The distinct threat types found, sorted.
    pub threat_types: Vec<String>,
    /// The findings as a JSON list, without the matched personal data or
    /// secrets; `None` when there were none.
    pub threats: Option<String>,
    /// The caller's end user (`x-user-id`), if it named one.
    pub end_user_id: Option<String>,
    pub duration_us: i64,
    pub created_at: i64,
}

impl GuardScan {
    /// Whether the scan found anything worth an alert.
    pub fn found_threats(&self) -> bool {
        !self.threat_types.is_empty() || self.action != "allow"
    }
}

/// What the guard API's content stats report for one proxy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardScanStats {
    pub total_scanned: i64,
    /// Scans that found at least one threat.
    pub threats_detected: i64,
    /// Scans per action taken.
    pub actions: BTreeMap<String, i64>,
    /// Scans in which each threat type was found (a scan with three emails
    /// counts once for `pii`).
    pub threat_types: BTreeMap<String, i64>,
    /// Mean scan time in milliseconds; 0 when nothing was scanned.
    pub avg_scan_duration_ms: f64,
}

const COLUMNS: &str = "id, org_id, proxy_id, kind, source, action, risk_score, threat_types, threats, \
     end_user_id, duration_us, created_at";

pub(crate) async fn insert_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, scans: &[GuardScan]) -> Result<()> {
    for s in scans {
        let types = serde_json::to_string(&s.threat_types).unwrap_or_else(|_| "[]".into());
        sqlx::query(&format!(
            "INSERT INTO guard_scans ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&s.id)
        .bind(&s.org_id)
        .bind(&s.proxy_id)
        .bind(&s.kind)
        .bind(&s.source)
        .bind(&s.action)
        .bind(s.risk_score)
        .bind(types)
        .bind(&s.threats)
        .bind(&s.end_user_id)
        .bind(s.duration_us)
        .bind(s.created_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Statistics of one proxy's guard scans since `since_ms`.
    pub async fn guard_scan_stats(&self, org_id: &str, proxy_id: &str, since_ms: i64) -> Result<GuardScanStats> {
        // AVG over BIGINT is NUMERIC on Postgres: cast so both hand back a double.
        let (total, with_threats, avg_us): (i64, i64, Option<f64>) = sqlx::query_as(
            "SELECT COUNT(*), \
                    CAST(COALESCE(SUM(CASE WHEN threat_types <> '[]' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(AVG(duration_us) AS DOUBLE PRECISION) \
             FROM guard_scans WHERE org_id = $1 AND proxy_id = $2 AND created_at >= $3",
        )
        .bind(org_id)
        .bind(proxy_id)
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        let actions: Vec<(String, i64)> = sqlx::query_as(
            "SELECT action, COUNT(*) FROM guard_scans WHERE org_id = $1 AND proxy_id = $2 AND created_at >= $3 \
             GROUP BY action",
        )
        .bind(org_id)
        .bind(proxy_id)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        // The types are a JSON list per row; counting them in Rust keeps the
        // query portable, and only rows that found something are read.
        let lists: Vec<(String,)> = sqlx::query_as(
            "SELECT threat_types FROM guard_scans WHERE org_id = $1 AND proxy_id = $2 AND created_at >= $3 \
             AND threat_types <> '[]'",
        )
        .bind(org_id)
        .bind(proxy_id)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        let mut threat_types = BTreeMap::new();
        for (list,) in lists {
            let types: Vec<String> = serde_json::from_str(&list).unwrap_or_default();
            for t in types {
                *threat_types.entry(t).or_insert(0) += 1;
            }
        }
        Ok(GuardScanStats {
            total_scanned: total,
            threats_detected: with_threats,
            actions: actions.into_iter().collect(),
            threat_types,
            avg_scan_duration_ms: avg_us.map(|us| us.round() / 1000.0).unwrap_or(0.0),
        })
    }
}
