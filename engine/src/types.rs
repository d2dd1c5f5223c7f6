//! The vocabulary the rest of rampart speaks: what was found, how bad it is, what to do.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// How strict a scanner is. Higher levels act on weaker evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThreatLevel {
    Low,
    #[default]
    Medium,
    High,
    /// Per-type thresholds and actions from [`crate::ScannerConfig`].
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatType {
    PromptInjection,
    Jailbreak,
    Pii,
    Secrets,
    Profanity,
    HiddenInstructions,
    MaliciousUrl,
    SuspiciousCode,
    Custom,
}

impl ThreatType {
    pub const ALL: [ThreatType; 9] = [
        ThreatType::PromptInjection,
        ThreatType::Jailbreak,
        ThreatType::Pii,
        ThreatType::Secrets,
        ThreatType::Profanity,
        ThreatType::HiddenInstructions,
        ThreatType::MaliciousUrl,
        ThreatType::SuspiciousCode,
        ThreatType::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreatType::PromptInjection => "prompt_injection",
            ThreatType::Jailbreak => "jailbreak",
            ThreatType::Pii => "pii",
            ThreatType::Secrets => "secrets",
            ThreatType::Profanity => "profanity",
            ThreatType::HiddenInstructions => "hidden_instructions",
            ThreatType::MaliciousUrl => "malicious_url",
            ThreatType::SuspiciousCode => "suspicious_code",
            ThreatType::Custom => "custom",
        }
    }
}

impl fmt::Display for ThreatType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Contribution of one finding to the risk score.
    pub fn weight(self) -> f32 {
        match self {
            Severity::Low => 0.2,
            Severity::Medium => 0.5,
            Severity::High => 0.8,
            Severity::Critical => 0.95,
        }
    }

    pub(crate) fn raise(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

/// Ordered by strictness so the verdict can take the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    #[default]
    Allow,
    Warn,
    Sanitize,
    Block,
}

/// Where the text came from. Tool outputs and documents are data, not instructions, so
/// instructions addressed to the assistant inside them are suspicious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    #[default]
    UserInput,
    ToolOutput,
    Document,
}

impl Source {
    pub fn is_untrusted_content(self) -> bool {
        matches!(self, Source::ToolOutput | Source::Document)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown source {0:?} (expected user_input, tool_output or document)")]
pub struct ParseSourceError(pub String);

impl FromStr for Source {
    type Err = ParseSourceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "user_input" | "user" | "input" | "prompt" => Ok(Source::UserInput),
            "tool_output" | "tool" | "tool_result" => Ok(Source::ToolOutput),
            "document" | "doc" | "retrieval" => Ok(Source::Document),
            _ => Err(ParseSourceError(s.to_string())),
        }
    }
}

/// What to do with personal data that was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PiiMode {
    /// Replace with a placeholder such as `[EMAIL]`.
    #[default]
    Mask,
    /// Keep a hint of the value: `j***@example.com`, `**** **** **** 4242`.
    PartialMask,
    Block,
    /// Report but never act.
    Allow,
}

/// One thing a detector found, with its span in the ORIGINAL text (byte offsets). Rule and
/// entity names are mostly built in, so they are borrowed rather than copied into every finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(rename = "type")]
    pub threat_type: ThreatType,
    /// The name of a custom pattern, or the PII entity (`email`, `credit_card`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_type: Option<Cow<'static, str>>,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    /// Which rule fired.
    pub pattern: Cow<'static, str>,
    /// `text[start..end]`.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub action: Action,
    pub risk_score: f32,
    pub findings: Vec<Finding>,
    /// Present when `action == Sanitize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sanitized: Option<String>,
}
