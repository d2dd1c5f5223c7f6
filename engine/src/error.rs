use serde::{Deserialize, Serialize};

/// Why a configuration could not be compiled into a scanner. Each variant names the pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BuildError {
    #[error("custom pattern {name:?}: invalid regex {pattern:?}: {reason}")]
    InvalidRegex { name: String, pattern: String, reason: String },
    #[error("custom pattern {name:?}: the pattern is empty")]
    EmptyPattern { name: String },
    #[error("custom pattern {name:?}: the name is empty")]
    EmptyName { pattern: String, name: String },
    #[error("custom pattern {name:?}: pattern {pattern:?} matches the empty string")]
    MatchesEmpty { name: String, pattern: String },
    #[error("built-in rule {name:?} failed to compile: {reason}")]
    BuiltinRule { name: String, reason: String },
}
