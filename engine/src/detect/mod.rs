//! Detectors. Each reports [`Hit`]s with byte spans in the text it was given; the scanner maps
//! them back to the original text.

pub(crate) mod hidden;
pub(crate) mod indirect;
pub(crate) mod names;
pub(crate) mod pii;
pub(crate) mod profanity;
pub(crate) mod urls;

use crate::types::{Severity, ThreatType};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub ty: ThreatType,
    pub sev: Severity,
    pub start: usize,
    pub end: usize,
    pub pattern: Cow<'static, str>,
    pub custom_type: Option<Cow<'static, str>>,
}

impl Hit {
    pub fn new(ty: ThreatType, sev: Severity, start: usize, end: usize, pattern: &'static str) -> Hit {
        Hit { ty, sev, start, end, pattern: Cow::Borrowed(pattern), custom_type: None }
    }

    pub fn entity(mut self, e: &'static str) -> Hit {
        self.custom_type = Some(Cow::Borrowed(e));
        self
    }
}

pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}
