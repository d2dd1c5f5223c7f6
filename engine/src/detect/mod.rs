//! Detectors. Each reports [`Hit`]s with byte spans in the text it was given; the scanner maps
//! them back to the original text.

pub(crate) mod bytes;
pub(crate) mod diversion;
pub(crate) mod hidden;
pub(crate) mod indirect;
pub(crate) mod names;
pub(crate) mod pii;
pub(crate) mod profanity;
pub(crate) mod spelled;
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

/// The nearest character boundary of `text` at or before `i` (`i` past the end gives the end).
pub(crate) fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest character boundary of `text` at or after `i` (`i` past the end gives the end).
pub(crate) fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// FNV-1a: the word lists are fixed and not attacker-chosen keys, so a fast hash beats SipHash.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// Calls `f` with `w` lower-cased, without allocating for short ASCII text.
pub(crate) fn with_lowercase<R>(w: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if w.len() <= buf.len() && w.is_ascii() {
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        if let Ok(s) = std::str::from_utf8(b) {
            return f(s);
        }
    }
    f(&w.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::{ceil_boundary, floor_boundary};

    #[test]
    fn boundaries_snap_to_characters() {
        // "aé€b": a at 0, é at 1..3, € at 3..6, b at 6.
        let t = "aé€b";
        let floors: Vec<usize> = (0..=9).map(|i| floor_boundary(t, i)).collect();
        let ceils: Vec<usize> = (0..=9).map(|i| ceil_boundary(t, i)).collect();
        assert_eq!(floors, [0, 1, 1, 3, 3, 3, 6, 7, 7, 7]);
        assert_eq!(ceils, [0, 1, 3, 3, 6, 6, 6, 7, 7, 7]);
        for i in 0..=9 {
            assert!(t.is_char_boundary(floor_boundary(t, i)) && t.is_char_boundary(ceil_boundary(t, i)));
        }
        assert_eq!((floor_boundary("", 3), ceil_boundary("", 3)), (0, 0));
    }
}
