//! Server functions of the Threats and Statistics pages: flagged traffic
//! with its findings, and threat statistics over the last days.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::When;
use crate::error::AppError;

/// The actions content scanning takes, mildest first, as the filters and
/// charts list them.
pub const ACTIONS: [&str; 4] = ["allow", "warn", "sanitize", "block"];

/// One finding as the page shows it: what was stored, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub threat_type: String,
    pub severity: String,
    pub pattern: String,
    /// `/messages/1/content 12–48`, or empty when not recorded.
    pub location: String,
    /// The matched text, or only its length for personal data and secrets.
    pub original: String,
}

/// A flagged request or guard scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatRow {
    pub id: String,
    pub at: When,
    pub proxy_name: String,
    /// The API of a proxied request, or the guard endpoint that scanned.
    pub source: String,
    pub action: String,
    /// Formatted to two decimals; empty when not scored.
    pub risk: String,
    pub end_user: String,
    pub findings: Vec<FindingRow>,
}

/// The Threats page: the rows and what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatList {
    pub rows: Vec<ThreatRow>,
    /// Every threat type the engine reports, for the type filter.
    pub types: Vec<String>,
}

/// Threat statistics over the last days, shaped for the charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatStatistics {
    /// Day labels (`MM-DD`), oldest first.
    pub days: Vec<String>,
    /// Requests and scans per day in which each type was found.
    pub by_type: Vec<(String, Vec<i64>)>,
    /// Requests and scans per day by action, in [`ACTIONS`] order.
    pub actions: Vec<(String, Vec<i64>)>,
    /// Types over the whole period, most frequent first.
    pub top_types: Vec<(String, i64)>,
    pub scanned: i64,
    pub flagged: i64,
    pub blocked: i64,
    /// Mean guard API scan time (`1.25 ms`), or empty without guard scans.
    pub mean_scan: String,
}

#[cfg(feature = "ssr")]
mod server {
    use store::threats::{Finding, ThreatRecord, ThreatSource};

    use super::*;

    pub fn source_label(source: &ThreatSource) -> String {
        match source {
            ThreatSource::Request(api) => api.clone(),
            ThreatSource::Guard(kind) => format!("guard scan-{kind}"),
        }
    }

    pub fn finding_row(f: Finding) -> FindingRow {
        let span = match (f.start, f.end) {
            (Some(s), Some(e)) => format!("{s}–{e}"),
            _ => String::new(),
        };
        let location = [f.pointer.unwrap_or_default(), span].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>();
        FindingRow {
            threat_type: match f.custom_type {
                Some(custom) if !custom.is_empty() => format!("{}: {custom}", f.threat_type),
                _ => f.threat_type,
            },
            severity: f.severity,
            pattern: f.pattern,
            location: location.join(" "),
            original: f.original,
        }
    }

    pub fn row(r: ThreatRecord, proxy_name: String) -> ThreatRow {
        ThreatRow {
            at: crate::api::server::when(r.created_at),
            source: source_label(&r.source),
            risk: r.risk_score.map(|s| format!("{s:.2}")).unwrap_or_default(),
            end_user: r.end_user_id.unwrap_or_default(),
            findings: r.findings.into_iter().map(finding_row).collect(),
            id: r.id,
            proxy_name,
            action: r.action,
        }
    }

    /// An optional filter from the query string: empty means any.
    pub fn optional(v: String) -> Option<String> {
        let v = v.trim().to_string();
        (!v.is_empty()).then_some(v)
    }
}

/// The newest flagged traffic of the caller's org (up to 200), optionally
/// only one action and one threat type (empty for any).
#[server]
pub async fn list_threats(
    #[server(default)] action: String,
    #[server(default)] threat_type: String,
) -> Result<ThreatList, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            let filter = store::threats::ThreatFilter {
                action: server::optional(action),
                threat_type: server::optional(threat_type),
            };
            let names = crate::api::server::proxy_names(&backend, &s.org_id).await?;
            let rows = backend
                .store
                .list_threats(&s.org_id, &filter, 200)
                .await?
                .into_iter()
                .map(|r| {
                    let name = names.get(&r.proxy_id).cloned().unwrap_or_else(|| r.proxy_id.clone());
                    server::row(r, name)
                })
                .collect();
            let types = engine::ThreatType::ALL.iter().map(|t| t.as_str().to_string()).collect();
            Ok(ThreatList { rows, types })
        }
        .await,
    )
}

/// Threat statistics of the caller's org over the last `days` days (1 to 90).
#[server]
pub async fn get_threat_statistics(days: u32) -> Result<ThreatStatistics, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            const DAY: i64 = 24 * 3600 * 1000;
            let days = i64::from(days.clamp(1, 90));
            let n = usize::try_from(days).unwrap_or(1);
            let today = store::now_ms() / DAY * DAY;
            let first = today - (days - 1) * DAY;
            let stats = backend.store.threat_stats(&s.org_id, first, DAY).await?;
            let index = |bucket: i64| usize::try_from((bucket - first) / DAY).ok().filter(|i| *i < n);

            // Types keep the order of their totals so the legend reads like the top list.
            let mut by_type: Vec<(String, Vec<i64>)> =
                stats.top_types.iter().map(|(t, _)| (t.clone(), vec![0; n])).collect();
            let mut actions: Vec<(String, Vec<i64>)> = ACTIONS.iter().map(|a| ((*a).to_string(), vec![0; n])).collect();
            for d in &stats.days {
                let Some(i) = index(d.bucket_start) else { continue };
                for (t, count) in &d.threat_types {
                    if let Some((_, values)) = by_type.iter_mut().find(|(name, _)| name == t) {
                        values[i] += count;
                    }
                }
                for (a, count) in &d.actions {
                    if let Some((_, values)) = actions.iter_mut().find(|(name, _)| name == a) {
                        values[i] += count;
                    }
                }
            }
            let labels = (0..days)
                .map(|d| {
                    time::OffsetDateTime::from_unix_timestamp((first + d * DAY) / 1000)
                        .map(|t| format!("{:02}-{:02}", u8::from(t.month()), t.day()))
                        .unwrap_or_default()
                })
                .collect();
            Ok(ThreatStatistics {
                days: labels,
                by_type,
                actions,
                top_types: stats.top_types,
                scanned: stats.scanned,
                flagged: stats.flagged,
                blocked: stats.blocked,
                mean_scan: stats.mean_scan_ms.map(|ms| format!("{ms} ms")).unwrap_or_default(),
            })
        }
        .await,
    )
}
