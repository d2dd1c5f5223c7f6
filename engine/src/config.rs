//! The per-proxy configuration a [`crate::Scanner`] is compiled from.

use crate::types::{Action, PiiMode, Severity, ThreatLevel, ThreatType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which detectors run. Custom patterns always run when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Detectors {
    pub prompt_injection: bool,
    pub jailbreak: bool,
    pub pii: bool,
    pub secrets: bool,
    pub profanity: bool,
    pub hidden_instructions: bool,
    pub malicious_url: bool,
    pub suspicious_code: bool,
}

impl Default for Detectors {
    fn default() -> Self {
        Detectors {
            prompt_injection: true,
            jailbreak: true,
            pii: true,
            secrets: true,
            profanity: true,
            hidden_instructions: true,
            malicious_url: true,
            suspicious_code: true,
        }
    }
}

impl Detectors {
    pub fn none() -> Self {
        Detectors {
            prompt_injection: false,
            jailbreak: false,
            pii: false,
            secrets: false,
            profanity: false,
            hidden_instructions: false,
            malicious_url: false,
            suspicious_code: false,
        }
    }

    pub fn enabled(&self, t: ThreatType) -> bool {
        match t {
            ThreatType::PromptInjection => self.prompt_injection,
            ThreatType::Jailbreak => self.jailbreak,
            ThreatType::Pii => self.pii,
            ThreatType::Secrets => self.secrets,
            ThreatType::Profanity => self.profanity,
            ThreatType::HiddenInstructions => self.hidden_instructions,
            ThreatType::MaliciousUrl => self.malicious_url,
            ThreatType::SuspiciousCode => self.suspicious_code,
            ThreatType::Custom => true,
        }
    }

    pub fn set(&mut self, t: ThreatType, on: bool) {
        match t {
            ThreatType::PromptInjection => self.prompt_injection = on,
            ThreatType::Jailbreak => self.jailbreak = on,
            ThreatType::Pii => self.pii = on,
            ThreatType::Secrets => self.secrets = on,
            ThreatType::Profanity => self.profanity = on,
            ThreatType::HiddenInstructions => self.hidden_instructions = on,
            ThreatType::MaliciousUrl => self.malicious_url = on,
            ThreatType::SuspiciousCode => self.suspicious_code = on,
            ThreatType::Custom => {}
        }
    }
}

/// A per-proxy literal or regular expression with its own name and severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomPattern {
    pub name: String,
    pub pattern: String,
    #[serde(default)]
    pub is_regex: bool,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScannerConfig {
    pub level: ThreatLevel,
    pub detectors: Detectors,
    pub pii_mode: PiiMode,
    pub custom_patterns: Vec<CustomPattern>,
    /// `Custom` level: the action per type (types missing here use the medium defaults).
    pub type_actions: BTreeMap<ThreatType, Action>,
    /// `Custom` level: the weakest severity that counts per type.
    pub type_thresholds: BTreeMap<ThreatType, Severity>,
    /// Whether the built-in classifier adds its opinion to the rules.
    pub use_model: bool,
    /// Decoded payloads are scanned again up to this depth.
    pub decode_depth: u8,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            level: ThreatLevel::Medium,
            detectors: Detectors::default(),
            pii_mode: PiiMode::Mask,
            custom_patterns: Vec::new(),
            type_actions: BTreeMap::new(),
            type_thresholds: BTreeMap::new(),
            use_model: true,
            decode_depth: 2,
        }
    }
}

impl ScannerConfig {
    pub fn with_level(level: ThreatLevel) -> Self {
        ScannerConfig { level, ..ScannerConfig::default() }
    }
}
