//! Threats as the dashboard reads them: flagged traffic from both places
//! that scan (proxied requests and guard API scans), and the per-day
//! statistics drawn from it.
//!
//! Both tables keep their findings as a JSON list without the matched
//! personal data or secrets; this module reads that list back into
//! [`Finding`]s and never needs more than what was stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Result, Store, StoreError};

/// The actions content scanning can take, mildest first.
pub const ACTIONS: [&str; 4] = ["allow", "warn", "sanitize", "block"];

/// Where a flagged record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum ThreatSource {
    /// A proxied request, with its API (`openai_chat`, `anthropic_messages`, …).
    Request(String),
    /// A guard API scan: `content` (scan-content) or `output` (scan-output).
    Guard(String),
}

/// One finding as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `prompt_injection`, `pii`, `secrets`, … or `custom`.
    pub threat_type: String,
    /// The name of a custom pattern's type, if the finding came from one.
    pub custom_type: Option<String>,
    pub severity: String,
    /// The detector's pattern name.
    pub pattern: String,
    /// JSON pointer of the scanned field within the request, if known.
    pub pointer: Option<String>,
    pub start: Option<u64>,
    pub end: Option<u64>,
    /// The matched text, or only its length for personal data and secrets.
    pub original: String,
}

/// A request or guard scan that scanning flagged, with its findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatRecord {
    pub id: String,
    pub proxy_id: String,
    pub source: ThreatSource,
    /// `allow`, `warn`, `sanitize` or `block`.
    pub action: String,
    pub risk_score: Option<f64>,
    pub end_user_id: Option<String>,
    pub created_at: i64,
    pub findings: Vec<Finding>,
}

/// Narrows [`Store::list_threats`]; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreatFilter {
    pub action: Option<String>,
    pub threat_type: Option<String>,
}

/// Counts for one day bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Start of the bucket (ms since the epoch, a multiple of the bucket width).
    pub bucket_start: i64,
    /// Scanned requests and guard scans per action.
    pub actions: BTreeMap<String, i64>,
    /// Requests and scans in which each threat type was found (a request
    /// with three email addresses counts once for `pii`).
    pub threat_types: BTreeMap<String, i64>,
}

/// Threat statistics of an org over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreatStats {
    /// Non-empty buckets, oldest first.
    pub days: Vec<DayCounts>,
    /// Requests scanned by the proxy plus guard API scans.
    pub scanned: i64,
    /// Those warned, sanitised or blocked, or with findings.
    pub flagged: i64,
    pub blocked: i64,
    /// Threat types over the whole period, most frequent first.
    pub top_types: Vec<(String, i64)>,
    /// Mean guard API scan time in milliseconds; `None` without guard scans.
    pub mean_scan_ms: Option<f64>,
}

/// Rows of the period read back to count threat types in Rust (the types
/// are inside JSON, which the two dialects query differently). Beyond this
/// the type chart undercounts rather than reading without bound.
const MAX_TYPE_ROWS: i64 = 50_000;

/// `scan_action` values and findings that make a request worth listing.
const FLAGGED_REQUEST: &str =
    "(scan_action IN ('warn', 'sanitize', 'block') OR (threats IS NOT NULL AND threats <> '[]'))";
const FLAGGED_SCAN: &str = "(action <> 'allow' OR threat_types <> '[]')";

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The findings of a stored JSON list. An unreadable list gives none: the
/// record it belongs to is still worth showing.
pub fn parse_findings(json: Option<&str>) -> Vec<Finding> {
    let Some(list) = json.and_then(|t| serde_json::from_str::<Value>(t).ok()) else { return Vec::new() };
    let Some(items) = list.as_array() else { return Vec::new() };
    items
        .iter()
        .map(|f| {
            let location = f.get("location").cloned().unwrap_or(Value::Null);
            Finding {
                threat_type: string(f, "type").unwrap_or_else(|| "unknown".into()),
                custom_type: string(f, "custom_type"),
                severity: string(f, "severity").unwrap_or_default(),
                pattern: string(f, "pattern").unwrap_or_default(),
                pointer: string(&location, "pointer"),
                start: location.get("start").and_then(Value::as_u64),
                end: location.get("end").and_then(Value::as_u64),
                original: string(f, "original").unwrap_or_default(),
            }
        })
        .collect()
}

/// The distinct threat types of a findings list, sorted.
fn types_of(json: &str) -> Vec<String> {
    let mut types: Vec<String> = parse_findings(Some(json)).into_iter().map(|f| f.threat_type).collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// A LIKE pattern matching `needle` literally anywhere, with `\` as escape.
fn like_containing(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn check_filter(filter: &ThreatFilter) -> Result<()> {
    if let Some(a) = &filter.action {
        if !ACTIONS.contains(&a.as_str()) {
            return Err(StoreError::Invalid("the action must be allow, warn, sanitize or block".into()));
        }
    }
    if let Some(t) = &filter.threat_type {
        if t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(StoreError::Invalid(
                "a threat type is up to 64 lowercase letters, digits and underscores".into(),
            ));
        }
    }
    Ok(())
}

fn day(days: &mut BTreeMap<i64, DayCounts>, bucket: i64) -> &mut DayCounts {
    days.entry(bucket).or_insert_with(|| DayCounts { bucket_start: bucket, ..DayCounts::default() })
}

type RequestRow = (String, String, String, Option<String>, Option<f64>, Option<String>, i64, Option<String>);
type ScanRow = (String, String, String, String, f64, Option<String>, i64, Option<String>, String);

impl Store {
    /// The newest flagged requests and guard scans of an org, newest first:
    /// requests that scanning warned, sanitised or blocked or that carry
    /// findings, and guard scans that did not simply allow or that found
    /// something. At most `limit` (1 to 500).
    pub async fn list_threats(&self, org_id: &str, filter: &ThreatFilter, limit: i64) -> Result<Vec<ThreatRecord>> {
        check_filter(filter)?;
        let limit = limit.clamp(1, 500);
        let action = filter.action.clone().unwrap_or_default();
        // A prefilter on the JSON text; the exact match is made on the parsed findings below.
        let (request_like, scan_like) = match &filter.threat_type {
            Some(t) => (like_containing(&format!("\"type\":\"{t}\"")), like_containing(&format!("\"{t}\""))),
            None => ("%".to_string(), "%".to_string()),
        };
        let requests: Vec<RequestRow> = sqlx::query_as(&format!(
            "SELECT id, proxy_id, api, scan_action, risk_score, end_user_id, created_at, threats \
             FROM request_events WHERE org_id = $1 AND {FLAGGED_REQUEST} \
             AND ($2 = '' OR scan_action = $2) AND ($3 = '%' OR threats LIKE $3 ESCAPE '\\') \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        ))
        .bind(org_id)
        .bind(&action)
        .bind(&request_like)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let scans: Vec<ScanRow> = sqlx::query_as(&format!(
            "SELECT id, proxy_id, kind, action, risk_score, end_user_id, created_at, threats, threat_types \
             FROM guard_scans WHERE org_id = $1 AND {FLAGGED_SCAN} \
             AND ($2 = '' OR action = $2) AND ($3 = '%' OR threat_types LIKE $3 ESCAPE '\\') \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        ))
        .bind(org_id)
        .bind(&action)
        .bind(&scan_like)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;

        let mut records: Vec<ThreatRecord> = requests
            .into_iter()
            .map(|(id, proxy_id, api, scan_action, risk_score, end_user_id, created_at, threats)| ThreatRecord {
                id,
                proxy_id,
                source: ThreatSource::Request(api),
                // Findings recorded with an allowing verdict (the proxy only reports).
                action: scan_action.unwrap_or_else(|| "allow".into()),
                risk_score,
                end_user_id,
                created_at,
                findings: parse_findings(threats.as_deref()),
            })
            .chain(scans.into_iter().map(
                |(id, proxy_id, kind, action, risk_score, end_user_id, created_at, threats, _types)| ThreatRecord {
                    id,
                    proxy_id,
                    source: ThreatSource::Guard(kind),
                    action,
                    risk_score: Some(risk_score),
                    end_user_id,
                    created_at,
                    findings: parse_findings(threats.as_deref()),
                },
            ))
            .collect();
        if let Some(t) = &filter.threat_type {
            records.retain(|r| r.findings.iter().any(|f| &f.threat_type == t));
        }
        records.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        records.truncate(usize::try_from(limit).unwrap_or(500));
        Ok(records)
    }

    /// Threat statistics of an org since `since` (ms), in buckets
    /// `bucket_ms` wide aligned to the epoch.
    pub async fn threat_stats(&self, org_id: &str, since: i64, bucket_ms: i64) -> Result<ThreatStats> {
        let bucket_ms = bucket_ms.max(1);
        let mut days: BTreeMap<i64, DayCounts> = BTreeMap::new();

        // Requests the proxy did not scan carry no action and are not counted.
        let request_actions: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT (created_at / $3) * $3 AS bucket, scan_action, COUNT(*) \
             FROM request_events WHERE org_id = $1 AND created_at >= $2 AND scan_action IS NOT NULL \
             GROUP BY bucket, scan_action",
        )
        .bind(org_id)
        .bind(since)
        .bind(bucket_ms)
        .fetch_all(self.pool())
        .await?;
        let scan_actions: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT (created_at / $3) * $3 AS bucket, action, COUNT(*) \
             FROM guard_scans WHERE org_id = $1 AND created_at >= $2 GROUP BY bucket, action",
        )
        .bind(org_id)
        .bind(since)
        .bind(bucket_ms)
        .fetch_all(self.pool())
        .await?;
        let mut scanned = 0;
        let mut blocked = 0;
        for (bucket, action, n) in request_actions.into_iter().chain(scan_actions) {
            scanned += n;
            if action == "block" {
                blocked += n;
            }
            *day(&mut days, bucket).actions.entry(action).or_insert(0) += n;
        }

        let (flagged_requests,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM request_events WHERE org_id = $1 AND created_at >= $2 AND {FLAGGED_REQUEST}"
        ))
        .bind(org_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        // AVG over BIGINT is NUMERIC on Postgres: cast so both hand back a double.
        let (flagged_scans, mean_us): (i64, Option<f64>) = sqlx::query_as(&format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN {FLAGGED_SCAN} THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(AVG(duration_us) AS DOUBLE PRECISION) \
             FROM guard_scans WHERE org_id = $1 AND created_at >= $2"
        ))
        .bind(org_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?;

        let request_types: Vec<(i64, String)> = sqlx::query_as(
            "SELECT created_at, threats FROM request_events \
             WHERE org_id = $1 AND created_at >= $2 AND threats IS NOT NULL AND threats <> '[]' \
             ORDER BY created_at DESC LIMIT $3",
        )
        .bind(org_id)
        .bind(since)
        .bind(MAX_TYPE_ROWS)
        .fetch_all(self.pool())
        .await?;
        let scan_types: Vec<(i64, String)> = sqlx::query_as(
            "SELECT created_at, threat_types FROM guard_scans \
             WHERE org_id = $1 AND created_at >= $2 AND threat_types <> '[]' \
             ORDER BY created_at DESC LIMIT $3",
        )
        .bind(org_id)
        .bind(since)
        .bind(MAX_TYPE_ROWS)
        .fetch_all(self.pool())
        .await?;
        let mut totals: BTreeMap<String, i64> = BTreeMap::new();
        let rows = request_types
            .into_iter()
            .map(|(at, json)| (at, types_of(&json)))
            .chain(scan_types.into_iter().map(|(at, json)| (at, serde_json::from_str(&json).unwrap_or_default())));
        for (at, types) in rows {
            let counts = &mut day(&mut days, at / bucket_ms * bucket_ms).threat_types;
            for t in types {
                *counts.entry(t.clone()).or_insert(0) += 1;
                *totals.entry(t).or_insert(0) += 1;
            }
        }
        let mut top_types: Vec<(String, i64)> = totals.into_iter().collect();
        top_types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

        Ok(ThreatStats {
            days: days.into_values().collect(),
            scanned,
            flagged: flagged_requests + flagged_scans,
            blocked,
            top_types,
            mean_scan_ms: mean_us.map(|us| (us / 10.0).round() / 100.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_read_as_stored() {
        let json = r#"[{"type":"pii","custom_type":null,"severity":"high","location":{"pointer":"/messages/0/content","start":3,"end":19},"source":"user_input","pattern":"email","original":"[16 characters]"}]"#;
        let f = parse_findings(Some(json));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].threat_type, "pii");
        assert_eq!(f[0].pointer.as_deref(), Some("/messages/0/content"));
        assert_eq!((f[0].start, f[0].end), (Some(3), Some(19)));
        assert_eq!(f[0].original, "[16 characters]");
        assert!(parse_findings(Some("not json")).is_empty());
        assert!(parse_findings(None).is_empty());
    }

    #[test]
    fn like_patterns_match_literally() {
        assert_eq!(like_containing("\"a_b\""), "%\"a\\_b\"%");
        assert_eq!(like_containing("50%"), "%50\\%%");
    }

    #[test]
    fn filters_are_checked() {
        let bad = ThreatFilter { action: Some("explode".into()), threat_type: None };
        assert!(matches!(check_filter(&bad), Err(StoreError::Invalid(_))));
        let bad = ThreatFilter { action: None, threat_type: Some("a' OR 1=1".into()) };
        assert!(matches!(check_filter(&bad), Err(StoreError::Invalid(_))));
        assert!(check_filter(&ThreatFilter { action: Some("block".into()), threat_type: Some("pii".into()) }).is_ok());
    }
}
