//! The values IBAC hands back: which kind of data a prompt asks for, how sure the detector is,
//! what to do about it, and which words made it think so.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The kind of protected data a request is after.
///
/// Serialised as a plain string: the built-ins by their snake_case names
/// (`"order_transaction"`, `"account_information"`, `"payment_data"`, `"customer_records"`) and a
/// custom category by the name the organisation gave it. The names cannot collide because a
/// custom category may not take a built-in name (see [`super::IbacBuildError::ReservedName`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntentCategory {
    OrderTransaction,
    AccountInformation,
    PaymentData,
    CustomerRecords,
    Custom(String),
}

impl IntentCategory {
    /// The four built-in categories, in the order ties are broken.
    pub const BUILT_IN: [IntentCategory; 4] = [
        IntentCategory::OrderTransaction,
        IntentCategory::AccountInformation,
        IntentCategory::PaymentData,
        IntentCategory::CustomerRecords,
    ];

    /// The built-in names, the keys of [`super::IbacConfig::categories`].
    pub const BUILT_IN_NAMES: [&'static str; 4] =
        ["order_transaction", "account_information", "payment_data", "customer_records"];

    pub fn name(&self) -> &str {
        match self {
            IntentCategory::OrderTransaction => "order_transaction",
            IntentCategory::AccountInformation => "account_information",
            IntentCategory::PaymentData => "payment_data",
            IntentCategory::CustomerRecords => "customer_records",
            IntentCategory::Custom(name) => name,
        }
    }

    /// The built-in category with this name, if there is one.
    pub fn built_in(name: &str) -> Option<IntentCategory> {
        match name {
            "order_transaction" => Some(IntentCategory::OrderTransaction),
            "account_information" => Some(IntentCategory::AccountInformation),
            "payment_data" => Some(IntentCategory::PaymentData),
            "customer_records" => Some(IntentCategory::CustomerRecords),
            _ => None,
        }
    }

    /// Any name: a built-in one maps to its variant, everything else is custom.
    pub fn from_name(name: &str) -> IntentCategory {
        IntentCategory::built_in(name).unwrap_or_else(|| IntentCategory::Custom(name.to_string()))
    }

    /// What the protected data is called in user-facing messages.
    pub(crate) fn topic(&self) -> &str {
        match self {
            IntentCategory::OrderTransaction => "order information",
            IntentCategory::AccountInformation => "account information",
            IntentCategory::PaymentData => "payment information",
            IntentCategory::CustomerRecords => "customer records",
            IntentCategory::Custom(name) => name,
        }
    }
}

impl fmt::Display for IntentCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for IntentCategory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for IntentCategory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(IntentCategory::from_name(&name))
    }
}

/// What the gateway does with a request whose intent was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentAction {
    /// Hold the request until the end user proves who they are.
    #[default]
    ChallengeRequired,
    /// Refuse the request outright.
    Block,
    /// Let it through; the match is still reported so it can be recorded.
    Allow,
}

impl IntentAction {
    /// `allow < challenge_required < block`: when several categories fire, the strictest wins.
    pub fn strictness(self) -> u8 {
        match self {
            IntentAction::Allow => 0,
            IntentAction::ChallengeRequired => 1,
            IntentAction::Block => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            IntentAction::ChallengeRequired => "challenge_required",
            IntentAction::Block => "block",
            IntentAction::Allow => "allow",
        }
    }
}

impl fmt::Display for IntentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One piece of evidence: a byte range of the original text and the cue it fired.
///
/// `start..end` are byte offsets into the text given to the detector, always on character
/// boundaries, and `original == text[start..end]`, so the dashboard can highlight it even when the
/// text was written in full-width letters, homoglyphs or with zero-width characters inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentSpan {
    pub start: usize,
    pub end: usize,
    /// Which kind of cue this is: `data_noun`, `first_person`, `request`, `action`, `identifier`,
    /// `custom_pattern`, or a cue that lowered the score: `fiction`, `educational`,
    /// `general_how_to`, `technical`, `writing_task`, `disclosure`.
    pub cue: String,
    pub original: String,
}

/// A category's verdict on one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentMatch {
    pub category: IntentCategory,
    /// 0..=1, from the strongest sentence; compared with the category's threshold.
    pub confidence: f32,
    pub action: IntentAction,
    /// The evidence behind `confidence`, ordered by position; includes the cues that lowered it.
    pub spans: Vec<IntentSpan>,
    /// What to tell the end user, e.g. "Authentication required to access payment information."
    pub message: String,
}
