//! Server functions of the content-scanning pages: a proxy's scanner
//! settings, its custom patterns, and the playground.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The detectors, with their labels, in the order the page lists them.
pub const DETECTORS: [(&str, &str); 8] = [
    ("prompt_injection", "Prompt injection"),
    ("jailbreak", "Jailbreaks"),
    ("pii", "Personal data (PII)"),
    ("secrets", "Secrets and keys"),
    ("profanity", "Profanity"),
    ("hidden_instructions", "Hidden instructions"),
    ("malicious_url", "Malicious URLs"),
    ("suspicious_code", "Suspicious code"),
];

pub const LEVELS: [(&str, &str); 4] = [
    ("low", "Low — act on high-severity findings only"),
    ("medium", "Medium — the default"),
    ("high", "High — act on anything suspicious"),
    ("custom", "Custom — per-type thresholds and actions"),
];

pub const PII_MODES: [(&str, &str); 4] = [
    ("mask", "Mask — replace with [EMAIL], [CARD], …"),
    ("partial_mask", "Partially mask — keep a hint (j***@example.com)"),
    ("block", "Block the request"),
    ("allow", "Report only"),
];

pub const ACTIONS: [(&str, &str); 4] =
    [("allow", "Allow"), ("warn", "Warn"), ("sanitize", "Sanitize"), ("block", "Block")];

pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorRow {
    pub name: String,
    pub label: String,
    pub enabled: bool,
    /// The action set for this type, or empty when the level decides.
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternRow {
    pub name: String,
    pub pattern: String,
    pub is_regex: bool,
    pub severity: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanView {
    pub proxy_id: String,
    pub proxy_name: String,
    pub enabled: bool,
    pub level: String,
    /// `block`, or `warn` for monitor mode.
    pub block_behavior: String,
    pub pii_mode: String,
    pub use_model: bool,
    pub detectors: Vec<DetectorRow>,
    pub patterns: Vec<PatternRow>,
}

/// A piece of the scanned text, highlighted when a finding covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    /// The threat type of the finding that covers this piece.
    pub threat: Option<String>,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub threat: String,
    pub severity: String,
    pub pattern: String,
    pub start: usize,
    pub end: usize,
    pub original: String,
}

/// The playground's answer: the verdict as the proxy would reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundResult {
    pub action: String,
    pub risk_score: f32,
    pub findings: Vec<FindingRow>,
    pub spans: Vec<Span>,
    pub sanitized: Option<String>,
    pub duration_us: u64,
    pub scanning_enabled: bool,
    /// Set when monitor mode turned a block into a warning.
    pub monitor_mode: bool,
}

#[cfg(feature = "ssr")]
mod server {
    use engine::{Action, Detectors, Finding, PiiMode, Severity, ThreatLevel, ThreatType};
    use store::proxies::{BlockBehavior, Proxy, ScanChange, ScanSettings};

    use super::*;

    pub fn name_of<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Parses one of an enum's snake_case names, or explains the choices.
    pub fn parse_named<T: for<'de> Deserialize<'de>>(what: &str, value: &str, choices: &str) -> Result<T, AppError> {
        serde_json::from_value(serde_json::Value::String(value.to_string()))
            .map_err(|_| AppError::Invalid(format!("{what}: choose {choices}.")))
    }

    pub fn threat_type(name: &str) -> Option<ThreatType> {
        ThreatType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn view_of(p: &Proxy) -> ScanView {
        let s = &p.settings.scanning;
        let c = &s.scanner;
        ScanView {
            proxy_id: p.id.clone(),
            proxy_name: p.name.clone(),
            enabled: s.enabled,
            level: name_of(&c.level),
            block_behavior: name_of(&s.block_behavior),
            pii_mode: name_of(&c.pii_mode),
            use_model: c.use_model,
            detectors: DETECTORS
                .iter()
                .filter_map(|(name, label)| {
                    let t = threat_type(name)?;
                    Some(DetectorRow {
                        name: (*name).to_string(),
                        label: (*label).to_string(),
                        enabled: c.detectors.enabled(t),
                        action: c.type_actions.get(&t).map(name_of).unwrap_or_default(),
                    })
                })
                .collect(),
            patterns: c
                .custom_patterns
                .iter()
                .map(|p| PatternRow {
                    name: p.name.clone(),
                    pattern: p.pattern.clone(),
                    is_regex: p.is_regex,
                    severity: name_of(&p.severity),
                    action: p.action.as_ref().map(name_of).unwrap_or_default(),
                })
                .collect(),
        }
    }

    pub async fn save(
        org_id: &str,
        proxy_id: &str,
        change: impl FnOnce(&ScanSettings) -> Result<ScanChange, AppError>,
    ) -> Result<ScanView, AppError> {
        let updated = crate::api::server::edit_proxy_settings(org_id, proxy_id, |settings, _| {
            let change = change(&settings.scanning)?;
            settings.scanning.apply(change).map_err(|e| AppError::Invalid(e.0))
        })
        .await?;
        Ok(view_of(&updated))
    }

    /// Splits `text` at every finding's edges and marks each piece with the
    /// most specific finding covering it (the shortest), so a rule's span
    /// stays visible inside a classifier finding that covers the whole text.
    pub fn spans(text: &str, findings: &[Finding]) -> Vec<Span> {
        let valid: Vec<&Finding> = findings
            .iter()
            .filter(|f| {
                f.start < f.end && f.end <= text.len() && text.is_char_boundary(f.start) && text.is_char_boundary(f.end)
            })
            .collect();
        let mut cuts: Vec<usize> = valid.iter().flat_map(|f| [f.start, f.end]).chain([0, text.len()]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out: Vec<(Option<&Finding>, std::ops::Range<usize>)> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let best =
                valid.iter().filter(|f| f.start <= a && b <= f.end).min_by_key(|f| (f.end - f.start, f.start)).copied();
            match out.last_mut() {
                Some((prev, range)) if prev.map(std::ptr::from_ref) == best.map(std::ptr::from_ref) => range.end = b,
                _ => out.push((best, a..b)),
            }
        }
        out.into_iter()
            .map(|(f, range)| match f {
                Some(f) => {
                    let kind = f.custom_type.as_deref().unwrap_or(f.threat_type.as_str());
                    Span {
                        text: text[range].to_string(),
                        threat: Some(f.threat_type.as_str().to_string()),
                        title: format!("{kind} · {} · {}", name_of(&f.severity), f.pattern),
                    }
                }
                None => Span { text: text[range].to_string(), threat: None, title: String::new() },
            })
            .collect()
    }

    pub fn detectors_from(on: &[bool; 8]) -> Detectors {
        let mut d = Detectors::none();
        for ((name, _), enabled) in DETECTORS.iter().zip(on) {
            if let Some(t) = threat_type(name) {
                d.set(t, *enabled);
            }
        }
        d
    }

    pub fn parse_level(v: &str) -> Result<ThreatLevel, AppError> {
        parse_named("Threat level", v, "low, medium, high or custom")
    }

    pub fn parse_pii_mode(v: &str) -> Result<PiiMode, AppError> {
        parse_named("PII handling", v, "mask, partial_mask, block or allow")
    }

    pub fn parse_behavior(v: &str) -> Result<BlockBehavior, AppError> {
        parse_named("When a request is blocked", v, "block or warn")
    }

    pub fn parse_action(what: &str, v: &str) -> Result<Action, AppError> {
        parse_named(what, v, "allow, warn, sanitize or block")
    }

    pub fn parse_severity(v: &str) -> Result<Severity, AppError> {
        parse_named("Severity", v, "low, medium, high or critical")
    }
}

#[server]
pub async fn get_scan_settings(proxy_id: String) -> Result<ScanView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            Ok(server::view_of(&backend.store.get_proxy(&s.org_id, &proxy_id).await?))
        }
        .await,
    )
}

/// Saves the settings form. Unticked checkboxes are not sent, hence the
/// `Option`s; an empty action means "as the level decides".
#[allow(clippy::too_many_arguments)]
#[server]
pub async fn update_scan_settings(
    proxy_id: String,
    #[server(default)] enabled: Option<String>,
    level: String,
    block_behavior: String,
    pii_mode: String,
    #[server(default)] use_model: Option<String>,
    #[server(default)] on_prompt_injection: Option<String>,
    #[server(default)] on_jailbreak: Option<String>,
    #[server(default)] on_pii: Option<String>,
    #[server(default)] on_secrets: Option<String>,
    #[server(default)] on_profanity: Option<String>,
    #[server(default)] on_hidden_instructions: Option<String>,
    #[server(default)] on_malicious_url: Option<String>,
    #[server(default)] on_suspicious_code: Option<String>,
    #[server(default)] action_prompt_injection: String,
    #[server(default)] action_jailbreak: String,
    #[server(default)] action_pii: String,
    #[server(default)] action_secrets: String,
    #[server(default)] action_profanity: String,
    #[server(default)] action_hidden_instructions: String,
    #[server(default)] action_malicious_url: String,
    #[server(default)] action_suspicious_code: String,
) -> Result<ScanView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
            let on = [
                ticked(&on_prompt_injection),
                ticked(&on_jailbreak),
                ticked(&on_pii),
                ticked(&on_secrets),
                ticked(&on_profanity),
                ticked(&on_hidden_instructions),
                ticked(&on_malicious_url),
                ticked(&on_suspicious_code),
            ];
            let actions = [
                action_prompt_injection,
                action_jailbreak,
                action_pii,
                action_secrets,
                action_profanity,
                action_hidden_instructions,
                action_malicious_url,
                action_suspicious_code,
            ];
            let mut threat_actions = std::collections::BTreeMap::new();
            for ((name, label), action) in DETECTORS.iter().zip(actions) {
                if action.trim().is_empty() {
                    continue;
                }
                if let Some(t) = server::threat_type(name) {
                    threat_actions.insert(t, server::parse_action(label, action.trim())?);
                }
            }
            let change = store::proxies::ScanChange {
                enabled: Some(ticked(&enabled)),
                level: Some(server::parse_level(&level)?),
                block_behavior: Some(server::parse_behavior(&block_behavior)?),
                threat_actions: Some(threat_actions),
                detectors: Some(server::detectors_from(&on)),
                pii_mode: Some(server::parse_pii_mode(&pii_mode)?),
                custom_patterns: None,
                use_model: Some(ticked(&use_model)),
            };
            server::save(&s.org_id, &proxy_id, move |_| Ok(change)).await
        }
        .await,
    )
}

/// Adds (or replaces, by name) a custom pattern; it is compiled on save.
#[server]
pub async fn save_scan_pattern(
    proxy_id: String,
    name: String,
    pattern: String,
    #[server(default)] is_regex: Option<String>,
    severity: String,
    #[server(default)] action: String,
) -> Result<ScanView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let name = name.trim().to_string();
            let valid_name = !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                return Err(AppError::Invalid(
                    "The pattern name must be 1 to 64 letters, digits, '_' or '-' (it becomes the finding's type)."
                        .into(),
                ));
            }
            let pattern = pattern.trim().to_string();
            if pattern.is_empty() || pattern.len() > 1000 {
                return Err(AppError::Invalid("The pattern must be between 1 and 1000 characters.".into()));
            }
            let action = action.trim();
            let pattern = engine::CustomPattern {
                name,
                pattern,
                is_regex: is_regex.is_some_and(|v| !v.is_empty()),
                severity: server::parse_severity(severity.trim())?,
                action: if action.is_empty() { None } else { Some(server::parse_action("Action", action)?) },
            };
            server::save(&s.org_id, &proxy_id, move |current| {
                let mut patterns = current.scanner.custom_patterns.clone();
                match patterns.iter_mut().find(|p| p.name == pattern.name) {
                    Some(existing) => *existing = pattern,
                    None => patterns.push(pattern),
                }
                if patterns.len() > 200 {
                    return Err(AppError::Invalid("A proxy can have up to 200 custom patterns.".into()));
                }
                Ok(store::proxies::ScanChange { custom_patterns: Some(patterns), ..Default::default() })
            })
            .await
        }
        .await,
    )
}

#[server]
pub async fn delete_scan_pattern(proxy_id: String, name: String) -> Result<ScanView, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            server::save(&s.org_id, &proxy_id, move |current| {
                let mut patterns = current.scanner.custom_patterns.clone();
                let before = patterns.len();
                patterns.retain(|p| p.name != name);
                if patterns.len() == before {
                    return Err(AppError::NotFound(format!("The custom pattern “{name}”")));
                }
                Ok(store::proxies::ScanChange { custom_patterns: Some(patterns), ..Default::default() })
            })
            .await
        }
        .await,
    )
}

/// Scans `text` with the proxy's saved settings, as the proxy would, and
/// records nothing.
#[server]
pub async fn scan_playground(proxy_id: String, text: String, source: String) -> Result<PlaygroundResult, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            if text.len() > 256 * 1024 {
                return Err(AppError::Invalid("Paste up to 256 KB of text.".into()));
            }
            let source: engine::Source = server::parse_named("Source", &source, "user_input, tool_output or document")?;
            let proxy = backend.store.get_proxy(&s.org_id, &proxy_id).await?;
            let settings = proxy.settings.scanning;
            let scanner = engine::Scanner::new(&settings.scanner).map_err(|e| AppError::Invalid(e.to_string()))?;
            let started = std::time::Instant::now();
            let verdict = scanner.scan(&text, source);
            let duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let action = settings.block_behavior.apply(verdict.action);
            Ok(PlaygroundResult {
                action: server::name_of(&action),
                risk_score: verdict.risk_score,
                spans: server::spans(&text, &verdict.findings),
                findings: verdict
                    .findings
                    .iter()
                    .map(|f| FindingRow {
                        threat: f.custom_type.clone().map_or_else(
                            || f.threat_type.as_str().to_string(),
                            |c| format!("{} ({c})", f.threat_type.as_str()),
                        ),
                        severity: server::name_of(&f.severity),
                        pattern: f.pattern.to_string(),
                        start: f.start,
                        end: f.end,
                        original: f.original.clone(),
                    })
                    .collect(),
                sanitized: verdict.sanitized.clone(),
                duration_us,
                scanning_enabled: settings.enabled,
                monitor_mode: action != verdict.action,
            })
        }
        .await,
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use engine::{Finding, Severity, ThreatType};

    fn finding(t: ThreatType, start: usize, end: usize) -> Finding {
        Finding {
            threat_type: t,
            custom_type: None,
            severity: Severity::High,
            start,
            end,
            pattern: "p".into(),
            original: String::new(),
        }
    }

    #[test]
    fn the_most_specific_finding_marks_each_piece() {
        let text = "Ignore it. Ticket TCK-12345 now";
        let findings = [
            finding(ThreatType::PromptInjection, 0, text.len()),
            finding(ThreatType::PromptInjection, 0, 9),
            finding(ThreatType::Custom, 18, 27),
        ];
        let spans = super::server::spans(text, &findings);
        let pieces: Vec<(&str, Option<&str>)> = spans.iter().map(|s| (s.text.as_str(), s.threat.as_deref())).collect();
        assert_eq!(
            pieces,
            [
                ("Ignore it", Some("prompt_injection")),
                (". Ticket ", Some("prompt_injection")),
                ("TCK-12345", Some("custom")),
                (" now", Some("prompt_injection")),
            ]
        );
        assert_eq!(spans.iter().map(|s| s.text.as_str()).collect::<String>(), text);
    }

    #[test]
    fn bad_spans_are_ignored_and_text_is_kept() {
        let text = "héllo";
        // 2 is inside the two-byte "é"; 99 is past the end.
        let spans = super::server::spans(text, &[finding(ThreatType::Pii, 2, 4), finding(ThreatType::Pii, 0, 99)]);
        assert_eq!(spans.len(), 1);
        assert_eq!((spans[0].text.as_str(), spans[0].threat.as_deref()), ("héllo", None));
    }
}
