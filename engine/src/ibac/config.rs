//! IBAC settings as an organisation stores them, and the errors compiling them can raise.

use super::types::{IntentAction, IntentCategory};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Threshold of the built-in categories unless configured otherwise. A data noun with "my" next
/// to it and a question or command around it clears it comfortably; a data noun in a question
/// without an owner ("which credit card is best?") or a statement about "my order" does not.
pub const DEFAULT_THRESHOLD: f32 = 0.7;

/// Threshold of a custom category unless configured otherwise: one pattern hit on its own
/// (confidence 0.6) is enough, unless the sentence is framed as fiction, teaching or a how-to.
pub const DEFAULT_CUSTOM_THRESHOLD: f32 = 0.6;

/// Settings of one built-in category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategorySettings {
    pub enabled: bool,
    pub action: IntentAction,
    /// Confidence (0..=1) at or above which the category fires.
    pub threshold: f32,
}

impl Default for CategorySettings {
    fn default() -> Self {
        CategorySettings { enabled: true, action: IntentAction::ChallengeRequired, threshold: DEFAULT_THRESHOLD }
    }
}

/// A category an organisation defines for its own data ("loyalty points", "prescription",
/// ticket ids shaped like `TCK-12345`).
///
/// Literal patterns are matched like the built-in cues: on the folded view of the prompt, whole
/// words only, so case, full-width letters, homoglyphs, leetspeak, zero-width characters and
/// spelled-out letters do not hide them. Regular expressions run on the original text (their
/// author decides about case and punctuation) and, when the prompt contains non-ASCII characters,
/// also on the normalised view, which undoes width, homoglyph and invisible-character tricks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCategory {
    pub name: String,
    pub patterns: Vec<String>,
    /// Every pattern of this category is a regular expression (Rust `regex` syntax) rather than
    /// a literal phrase. A category that needs both defines two categories.
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "default_custom_threshold")]
    pub threshold: f32,
    #[serde(default)]
    pub action: IntentAction,
    /// Shown to the end user instead of the generated "Authentication required to access …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn default_custom_threshold() -> f32 {
    DEFAULT_CUSTOM_THRESHOLD
}

impl CustomCategory {
    /// A literal category with the default threshold and action.
    pub fn literal(name: &str, patterns: &[&str]) -> Self {
        CustomCategory {
            name: name.to_string(),
            patterns: patterns.iter().map(|p| (*p).to_string()).collect(),
            is_regex: false,
            threshold: DEFAULT_CUSTOM_THRESHOLD,
            action: IntentAction::ChallengeRequired,
            message: None,
        }
    }

    /// A regex category with the default threshold and action.
    pub fn regex(name: &str, patterns: &[&str]) -> Self {
        CustomCategory { is_regex: true, ..CustomCategory::literal(name, patterns) }
    }
}

/// One organisation's (or proxy's) IBAC settings.
///
/// `categories` is keyed by the built-in names (`order_transaction`, `account_information`,
/// `payment_data`, `customer_records`); a built-in missing from the map runs with
/// [`CategorySettings::default`], so older stored settings pick up categories added later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IbacConfig {
    pub categories: BTreeMap<String, CategorySettings>,
    pub custom: Vec<CustomCategory>,
}

impl Default for IbacConfig {
    fn default() -> Self {
        IbacConfig {
            categories: IntentCategory::BUILT_IN_NAMES
                .iter()
                .map(|n| ((*n).to_string(), CategorySettings::default()))
                .collect(),
            custom: Vec::new(),
        }
    }
}

impl IbacConfig {
    /// The settings a built-in category runs with.
    pub fn settings(&self, category: &IntentCategory) -> CategorySettings {
        self.categories.get(category.name()).copied().unwrap_or_default()
    }
}

/// Why an [`IbacConfig`] could not be compiled. Every variant names the category, and the
/// pattern where one is at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum IbacBuildError {
    #[error("ibac category {name:?} is not a built-in category (order_transaction, account_information, payment_data, customer_records)")]
    UnknownCategory { name: String },
    #[error("ibac category {category:?}: threshold {threshold} is not between 0 and 1")]
    InvalidThreshold { category: String, threshold: f32 },
    #[error("custom ibac category: the name is empty")]
    EmptyName,
    #[error("custom ibac category {name:?}: the name belongs to a built-in category")]
    ReservedName { name: String },
    #[error("custom ibac category {name:?} is defined more than once")]
    DuplicateName { name: String },
    #[error("custom ibac category {category:?}: no patterns")]
    NoPatterns { category: String },
    #[error("custom ibac category {category:?}: pattern {pattern:?} has no letters or digits to match")]
    EmptyPattern { category: String, pattern: String },
    #[error("custom ibac category {category:?}: invalid regex {pattern:?}: {reason}")]
    InvalidRegex { category: String, pattern: String, reason: String },
    #[error("custom ibac category {category:?}: regex {pattern:?} matches the empty string")]
    MatchesEmpty { category: String, pattern: String },
    #[error("custom ibac categories: the literal patterns could not be compiled together: {reason}")]
    LiteralPatterns { reason: String },
    #[error("built-in ibac cues failed to compile: {reason}")]
    BuiltinCues { reason: String },
}
