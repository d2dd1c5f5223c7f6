//! Structured personal data: e-mail, phone, payment card (Luhn), US SSN, IBAN (mod 97),
//! IPv4/IPv6, US driver licence (with a cue), street addresses. Names live in `names.rs`.

use super::bytes::{contains, number_runs};
use super::{overlaps, Hit};
use crate::matcher::{Cue, Found};
use crate::types::{Severity, ThreatType};
use regex::Regex;
use std::sync::OnceLock;

struct Res {
    email: Regex,
    iban: Regex,
    ipv6: Regex,
    licence: Regex,
    street_us: Regex,
    street_eu: Regex,
    po_box: Regex,
}

fn res() -> Option<&'static Res> {
    static R: OnceLock<Option<Res>> = OnceLock::new();
    R.get_or_init(|| {
        Some(Res {
            email: Regex::new(r"(?i)\b[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}\b").ok()?,
            iban: Regex::new(r"(?i)\b[a-z]{2}\d{2}(?: ?[a-z0-9]){11,30}\b").ok()?,
            ipv6: Regex::new(r"(?i)(?:[0-9a-f]{1,4}:|::)(?:[0-9a-f]{0,4}:){1,7}[0-9a-f]{0,4}").ok()?,
            licence: Regex::new(r"(?i)\b(?:driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|DL|licen[cs]e)\s*(?:no\.?|number|num|#|id)?\s*(?:is|:|-)?\s*([A-Z0-9][A-Z0-9\-]{4,18})\b").ok()?,
            street_us: Regex::new(r"^\b\d{1,6}[A-Za-z]?\s+(?:[A-Z0-9][\p{L}'.\-]*\s+){0,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Plaza|Alley|Crescent|Cres|Close|Gardens|Grove|Row|Walk|Mews|Hill|Park|Green|View|Point|Ridge|Loop|Path|Pike|Heights|Estates|Village|Meadows|Commons|Center|Centre|Squares|Streets|Roads|Avenues|Lanes|Drives|Ways|Parks|Fields|Hills|Views)\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.?\s*[A-Za-z0-9\-]+)?").ok()?,
            street_eu: Regex::new(r"(?i)\b(?:[\p{L}\-]{3,}(?:strasse|straße|str\.|weg|gasse|platz|allee|katu|gatan|vej|vegen|veien|laan|straat|gracht|utca|tie|vagen|väg|gade)|(?:rue|via|calle|avenida|av\.|avda\.|rua|piazza|plaza|camino|carrer|paseo|chemin|route|viale|ul\.|ulica|trg|aleja)\s+(?:[\p{L}'.\-]+\s+){0,4}?)\s*\d{1,5}[a-z]?\b(?:,?\s*(?:apt|suite|unit)\.?\s*\d+)?").ok()?,
            po_box: Regex::new(r"(?i)\b(?:p\.?\s?o\.?\s?box|postbox|post office box)\s*\d{1,6}\b").ok()?,
        })
    })
    .as_ref()
}

/// Luhn check over the digits of `s` (other bytes are skipped), and not all one digit.
fn luhn_varied(s: &[u8]) -> bool {
    let (mut sum, mut i, mut varied) = (0u32, 0usize, false);
    let first = s.iter().find(|b| b.is_ascii_digit());
    for &b in s.iter().rev().filter(|b| b.is_ascii_digit()) {
        let mut v = u32::from(b - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
        i += 1;
        varied |= Some(&b) != first;
    }
    varied && sum.is_multiple_of(10)
}

/// ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1.
pub fn iban_valid(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).map(|b| b.to_ascii_uppercase()).collect();
    if compact.len() < 15 || compact.len() > 34 || !compact.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    if let Some(expected) = iban_length(&compact[..2]) {
        if expected != compact.len() {
            return false;
        }
    }
    let mut rem: u32 = 0;
    for &b in compact[4..].iter().chain(compact[..4].iter()) {
        let v = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

fn iban_length(cc: &[u8]) -> Option<usize> {
    Some(match cc {
        b"GB" | b"IE" => 22,
        b"DE" => 22,
        b"FR" | b"IT" | b"MC" => 27,
        b"ES" | b"SE" | b"CZ" | b"SK" | b"RO" => 24,
        b"NL" => 18,
        b"BE" => 16,
        b"CH" | b"LI" => 21,
        b"AT" | b"EE" | b"LT" => 20,
        b"PL" | b"HU" => 28,
        b"PT" => 25,
        b"DK" | b"FI" => 18,
        b"NO" => 15,
        b"LU" => 20,
        _ => return None,
    })
}

/// `ddd-dd-dddd` with any separators: no part all zeros, the area not 666 nor 900 and above.
fn ssn_valid(s: &[u8]) -> bool {
    let num = |r: std::ops::Range<usize>| s[r].iter().fold(0u32, |a, &b| a * 10 + u32::from(b.wrapping_sub(b'0')));
    s.len() == 11 && {
        let area = num(0..3);
        area != 0 && area != 666 && area < 900 && num(4..6) != 0 && num(7..11) != 0
    }
}

fn boundary_ok(text: &str, s: usize, e: usize) -> bool {
    let before = text.get(..s).and_then(|t| t.chars().next_back());
    let after = text.get(e..).and_then(|t| t.chars().next());
    !before.is_some_and(|c| {
        c.is_alphanumeric() || c == '.' && s >= 2 && text.as_bytes().get(s - 2).is_some_and(u8::is_ascii_digit)
    }) && !after.is_some_and(|c| c.is_alphanumeric())
}

const PHONE_CUES: &[&str] = &[
    "phone",
    "tel",
    "call",
    "mobile",
    "cell",
    "fax",
    "whatsapp",
    "contact",
    "number",
    "reach",
    "text me",
    "sms",
    "dial",
    "ring",
    "telefon",
    "tél",
    "numero",
    "número",
    "desk",
    "office",
    "fax",
    "landline",
    "registered",
];

fn has_cue_before(text: &str, s: usize, cues: &[&str], window: usize) -> bool {
    let from = super::floor_boundary(text, s.saturating_sub(window));
    super::with_lowercase(text.get(from..s).unwrap_or(""), |before| cues.iter().any(|c| before.contains(c)))
}

const PHONE_CUES_AFTER: &[&str] = &["office", "fax", "mobile", "cell", "home", "work", "phone", "tel"];

fn has_cue_after(text: &str, e: usize, cues: &[&str], window: usize) -> bool {
    let to = super::floor_boundary(text, e + window);
    super::with_lowercase(text.get(e..to).unwrap_or(""), |after| cues.iter().any(|c| after.contains(c)))
}

/// `2000-04-16 11` is a timestamp cut at the colon, not a phone number.
fn starts_with_date(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    d(0) && d(1)
        && d(2)
        && d(3)
        && matches!(b.get(4), Some(b'-' | b'/' | b'.'))
        && d(5)
        && d(6)
        && matches!(b.get(7), Some(b'-' | b'/' | b'.'))
}

fn is_date_like(s: &str) -> bool {
    let mut parts = s.split(['-', '/', '.', ' ']).map(str::len);
    let l = [parts.next(), parts.next(), parts.next(), parts.next()];
    matches!(l, [Some(a), Some(b), Some(c), None]
        if matches!([a, b, c], [4, 2, 2] | [2, 2, 4] | [1, 2, 4] | [2, 1, 4] | [1, 1, 4] | [4, 1, 1]))
}

const STREET_SUFFIXES: &[&str] = &[
    "strasse", "straße", "str.", "weg", "gasse", "platz", "allee", "katu", "gatan", "vej", "vegen", "veien", "laan",
    "straat", "gracht", "utca", "tie", "vagen", "väg", "gade",
];
const STREET_PREFIXES: &[&str] = &[
    "rue", "via", "calle", "avenida", "av.", "avda.", "rua", "piazza", "plaza", "camino", "carrer", "paseo", "chemin",
    "route", "viale", "ul.", "ulica", "trg", "aleja",
];

/// A European-style address has a street word ending in a known suffix right before the house
/// number, or a street prefix a few words earlier (among the last five words of the 60 bytes
/// before `s`, ignoring case).
fn street_word_before(text: &str, s: usize) -> bool {
    let (ws, _) = window(text, s.saturating_sub(60), s);
    let before = text.get(ws..s).unwrap_or("");
    if !before.is_ascii() {
        return street_word_before_unicode(before);
    }
    // ASCII: the words are read back to front in place.
    let b = before.as_bytes();
    let mut end = b.len();
    for n in 0..5 {
        while end > 0 && is_ascii_space(b[end - 1]) {
            end -= 1;
        }
        let (start, tail) = last_word(b, end);
        let len = end - start;
        if n == 0 && street_suffix(len, tail) || street_prefix(len, tail) {
            return true;
        }
        if start == 0 {
            break;
        }
        end = start;
    }
    false
}

/// Where the ASCII word that ends at `end` starts (after the last whitespace byte before it),
/// and its last seven bytes (or fewer), lower-cased, as a number, the last byte lowest.
fn last_word(b: &[u8], end: usize) -> (usize, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES << 7;
    let start_before = |i: usize| b[..i].iter().rposition(|&c| is_ascii_space(c)).map_or(0, |i| i + 1);
    let (start, x) = match end.checked_sub(8).and_then(|s| b.get(s..end)) {
        Some(w) => {
            let x = u64::from_be_bytes(w.try_into().unwrap_or_default());
            // The high bit of each byte up to b' ' (ASCII: no borrow between bytes); the
            // nearest one is usually the space before a short word.
            let low = !((x | HIGHS) - ONES * u64::from(b' ' + 1)) & HIGHS;
            let d = (low.trailing_zeros() / 8) as usize;
            let start = if d < 8 && is_ascii_space(b[end - 1 - d]) { end - d } else { start_before(end - d) };
            (start, x)
        }
        None => {
            let start = start_before(end);
            (start, b[start..end].iter().fold(0u64, |k, &c| k << 8 | u64::from(c)))
        }
    };
    let x = x & ((1 << (8 * (end - start).min(7))) - 1);
    // Bytes below 0x80 in `A..=Z` get their 0x20 bit set; no sum carries into the next byte.
    let upper = (x + ONES * u64::from(0x80 - b'A')) & !(x + ONES * u64::from(0x80 - b'Z' - 1)) & HIGHS;
    (start, x | upper >> 2)
}

/// Each street word's length and its bytes as a number, the last byte lowest (see
/// [`street_word_before`]).
const fn street_keys<const N: usize>(words: &[&str]) -> [(usize, u64); N] {
    let mut out = [(0, 0); N];
    let mut i = 0;
    while i < N {
        let w = words[i].as_bytes();
        assert!(w.len() <= 7);
        let (mut k, mut j) = (0u64, 0);
        while j < w.len() {
            k = k << 8 | w[j] as u64;
            j += 1;
        }
        out[i] = (w.len(), k);
        i += 1;
    }
    out
}

const SUFFIX_KEYS: [(usize, u64); STREET_SUFFIXES.len()] = street_keys(STREET_SUFFIXES);
const PREFIX_KEYS: [(usize, u64); STREET_PREFIXES.len()] = street_keys(STREET_PREFIXES);

/// One bit of 128 for a key: most words that are not street words miss the few bits the street
/// words set, so one test rejects them (the keys are checked exactly only when it passes).
const fn bloom_bit(key: u64) -> u32 {
    // `as` keeps the product's top seven bits.
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57) as u32
}

/// A prefix is the whole word: its key, with the length above the seven key bytes.
const fn prefix_probe(len: usize, key: u64) -> u64 {
    key | (len as u64) << 56
}

/// A suffix is at least three bytes long: its last three bytes.
const fn suffix_probe(key: u64) -> u64 {
    key & 0xff_ffff
}

const PREFIX_BLOOM: u128 = {
    let (mut bits, mut i) = (0u128, 0);
    while i < PREFIX_KEYS.len() {
        let (len, key) = PREFIX_KEYS[i];
        bits |= 1 << bloom_bit(prefix_probe(len, key));
        i += 1;
    }
    bits
};

const SUFFIX_BLOOM: u128 = {
    let (mut bits, mut i) = (0u128, 0);
    while i < SUFFIX_KEYS.len() {
        let (len, key) = SUFFIX_KEYS[i];
        assert!(len >= 3);
        bits |= 1 << bloom_bit(suffix_probe(key));
        i += 1;
    }
    bits
};

/// Whether a word of `len` bytes with key `tail` ends in a street suffix.
fn street_suffix(len: usize, tail: u64) -> bool {
    len >= 3
        && SUFFIX_BLOOM >> bloom_bit(suffix_probe(tail)) & 1 != 0
        && SUFFIX_KEYS.iter().any(|&(l, k)| len >= l && tail & ((1 << (8 * l)) - 1) == k)
}

/// Whether a word of `len` bytes with key `tail` is a street prefix.
fn street_prefix(len: usize, tail: u64) -> bool {
    len <= 7
        && PREFIX_BLOOM >> bloom_bit(prefix_probe(len, tail)) & 1 != 0
        && PREFIX_KEYS.iter().any(|&(l, k)| len == l && tail == k)
}

/// Whitespace as `char::is_whitespace` sees it, for ASCII bytes.
fn is_ascii_space(b: u8) -> bool {
    b <= b' ' && matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// [`street_word_before`] on text that is not all ASCII: Unicode lower case and spaces.
fn street_word_before_unicode(before: &str) -> bool {
    super::with_lowercase(before, |before| {
        let mut words = before.split_whitespace().rev();
        let last = words.next().unwrap_or("");
        STREET_SUFFIXES.iter().any(|x| last.ends_with(x))
            || std::iter::once(last).chain(words.take(4)).any(|w| STREET_PREFIXES.contains(&w))
    })
}

fn window(text: &str, s: usize, e: usize) -> (usize, usize) {
    (super::floor_boundary(text, s), super::ceil_boundary(text, e))
}

// Card, SSN, IPv4 and phone numbers are looked for inside number runs (ASCII digits, spaces,
// `-`, `.`, `(`, `)`, `+`, and `x` before a digit). Each `next_*` function finds what its pattern
// (quoted in its doc comment) would find in a run — the leftmost match at or after `from`, with
// the pattern's preferences (greedy repeats, earlier alternatives first), where the run's edges
// count as word boundaries — without a regex search per run. `tests::run_patterns` checks them
// against the patterns themselves.

/// A word character for `\b` on ASCII text.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn digit_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

fn word_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(|&c| is_word(c))
}

/// How many digits (at most `max`) start at `i`.
fn digits_at(b: &[u8], i: usize, max: usize) -> usize {
    b.get(i..).map_or(0, |t| t.iter().take(max).take_while(|c| c.is_ascii_digit()).count())
}

/// A digit that starts a word: where a pattern opening with `\b\d` can match.
fn word_start_digit(b: &[u8], p: usize) -> bool {
    b[p].is_ascii_digit() && (p == 0 || !is_word(b[p - 1]))
}

/// `\b\d(?:[ \-]?\d){11,18}\b`: 12 to 19 digits, each after at most one space or dash; of the
/// lengths that end at a word boundary, the longest.
fn next_card(run: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..run.len()).filter(|&p| word_start_digit(run, p)).find_map(|p| {
        let (mut q, mut end) = (p + 1, None);
        for k in 1..=18 {
            q = match run.get(q) {
                Some(c) if c.is_ascii_digit() => q + 1,
                Some(b' ' | b'-') if digit_at(run, q + 1) => q + 2,
                _ => break,
            };
            if k >= 11 && !word_at(run, q) {
                end = Some(q);
            }
        }
        end.map(|e| (p, e))
    })
}

/// `\b\d{3}([\- ])\d{2}([\- ])\d{4}\b`; the separators are the match's bytes 3 and 6.
fn next_ssn(run: &[u8], from: usize) -> Option<(usize, usize)> {
    let sep = |c: u8| c == b'-' || c == b' ';
    (from..run.len().saturating_sub(10))
        .find(|&p| {
            let m = &run[p..p + 11];
            word_start_digit(run, p)
                && m[..3].iter().all(u8::is_ascii_digit)
                && sep(m[3])
                && m[4..6].iter().all(u8::is_ascii_digit)
                && sep(m[6])
                && m[7..].iter().all(u8::is_ascii_digit)
                && !word_at(run, p + 11)
        })
        .map(|p| (p, p + 11))
}

/// `\b(?:\d{1,3}\.){3}\d{1,3}\b`: four groups of one to three digits (the whole digit run each:
/// a fourth digit leaves neither a `.` nor a boundary), dot-separated.
fn next_ipv4(run: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..run.len()).filter(|&p| word_start_digit(run, p)).find_map(|p| {
        let mut q = p;
        for group in 0..4 {
            let n = digits_at(run, q, 4);
            if !(1..=3).contains(&n) {
                return None;
            }
            q += n;
            if group < 3 {
                if run.get(q) != Some(&b'.') {
                    return None;
                }
                q += 1;
            }
        }
        (!word_at(run, q)).then_some((p, q))
    })
}

/// `(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,12}(?:[ .\-]\d{1,10}){0,5}(?: ?(?:x|ext\.?) ?\d{1,5})?`
fn next_phone(run: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..run.len()).find_map(|p| phone_at(run, p).map(|e| (p, e)))
}

fn sep_at(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b' ' | b'.' | b'-'))
}

/// The end of the phone pattern's match starting at `p`. Only `\d{1,12}` is required and all
/// that follows it is optional, so the first way (in the pattern's order) to reach a digit where
/// `\d{1,12}` begins decides the match, and the rest is taken greedily.
fn phone_at(b: &[u8], p: usize) -> Option<usize> {
    let body = 'head: {
        if b[p] == b'+' {
            // Fewer country-code digits leave a digit for `\d{1,12}`.
            for k in (1..=digits_at(b, p + 1, 3)).rev() {
                let a = p + 1 + k;
                if sep_at(b, a) {
                    if let Some(i) = phone_body(b, a + 1) {
                        break 'head i;
                    }
                }
                if let Some(i) = phone_body(b, a) {
                    break 'head i;
                }
            }
        }
        phone_body(b, p)?
    };
    let mut q = body + digits_at(b, body, 12);
    for _ in 0..5 {
        if !(sep_at(b, q) && digit_at(b, q + 1)) {
            break;
        }
        q += 1 + digits_at(b, q + 1, 10);
    }
    // ` ?(?:x|ext\.?) ?\d{1,5}`, each optional space tried present first.
    let spaces = |i: usize| [(b.get(i) == Some(&b' ')).then_some(i + 1), Some(i)];
    for s in spaces(q).into_iter().flatten() {
        let rest = b.get(s..).unwrap_or_default();
        let x = rest.starts_with(b"x").then_some(s + 1);
        let ext_dot = rest.starts_with(b"ext.").then_some(s + 4);
        let ext = rest.starts_with(b"ext").then_some(s + 3);
        for a in [x, ext_dot, ext].into_iter().flatten() {
            for d in spaces(a).into_iter().flatten() {
                if digit_at(b, d) {
                    return Some(d + digits_at(b, d, 5));
                }
            }
        }
    }
    Some(q)
}

/// After `(?:\(\d{1,5}\)[ .\-]?)?` from `i`, where `\d{1,12}` can begin, if anywhere.
fn phone_body(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'(') {
        let n = digits_at(b, i + 1, 6);
        if (1..=5).contains(&n) && b.get(i + 1 + n) == Some(&b')') {
            let j = i + n + 2;
            if sep_at(b, j) && digit_at(b, j + 1) {
                return Some(j + 1);
            }
            if digit_at(b, j) {
                return Some(j);
            }
        }
    }
    digit_at(b, i).then_some(i)
}

/// The e-mail pattern (`Res::email`) on ASCII text, as the regex finds it: the leftmost match
/// at or after `from`. On ASCII, `(?i)[a-z]` is `[A-Za-z]` and `\b` sits between `[0-9A-Za-z_]`
/// and anything else (or an end). The local part runs from a word-starting letter or digit over
/// `[A-Za-z0-9._%+-]` to the `@` (at most 64 bytes); the domain is whole labels, each followed by
/// a dot, then a top-level name (see [`email_domain`]).
fn next_email(w: &[u8], from: usize) -> Option<(usize, usize)> {
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    for at in memchr::memchr_iter(b'@', w.get(from..)?).map(|i| from + i) {
        let mut l = at;
        while l > from && at - l < 64 && local(w[l - 1]) {
            l -= 1;
        }
        let start = (l..at).find(|&p| w[p].is_ascii_alphanumeric() && (p == 0 || !is_word(w[p - 1])));
        if let Some(start) = start {
            if let Some(end) = email_domain(w, at) {
                return Some((start, end));
            }
        }
    }
    None
}

/// Where the e-mail pattern's domain after the `@` at `at` ends, if it matches:
/// `[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.<label>)*\.[a-z]{2,24}\b`. A label cannot hold a
/// dot and must be followed by one, so each label is a whole dot-separated part; of the dots
/// after one or more labels, the pattern prefers the last one where two to 24 letters and a
/// boundary follow.
fn email_domain(w: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    let mut end = None;
    loop {
        let len = w.get(i..)?.iter().take(64).take_while(|c| c.is_ascii_alphanumeric() || **c == b'-').count();
        let label = &w[i..i + len];
        let whole = (1..=63).contains(&len)
            && label[0].is_ascii_alphanumeric()
            && label[len - 1].is_ascii_alphanumeric()
            && w.get(i + len) == Some(&b'.');
        if !whole {
            return end;
        }
        let dot = i + len;
        let letters = w[dot + 1..].iter().take(25).take_while(|c| c.is_ascii_alphabetic()).count();
        if (2..=24).contains(&letters) && !word_at(w, dot + 1 + letters) {
            end = Some(dot + 1 + letters);
        }
        i = dot + 1;
    }
}

/// Whether `bytes` holds `ICEN` or `DL`: one search for their first letters, which are rare in
/// prose, instead of a substring search for each.
fn has_upper_icen_or_dl(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(b'I', b'D', bytes)
        .any(|i| bytes[i + 1..].starts_with(if bytes[i] == b'I' { b"CEN" } else { b"L" }))
}

/// Whether the licence pattern is run at all: the text holds `icen`, `ICEN` or `DL`. `lits`
/// says which licence cues the normalised view holds (see [`Found::licence_lits`]): with only
/// `dl` there, the text can hold only `DL` of the three, found from its `D`s, which are rare in
/// prose.
fn licence_possible(bytes: &[u8], lits: u8) -> bool {
    match lits {
        0 => false,
        2 => memchr::memchr_iter(b'D', bytes).any(|i| bytes.get(i + 1) == Some(&b'L')),
        _ => contains(bytes, b"icen") || has_upper_icen_or_dl(bytes),
    }
}

/// `found` says which cues the normalised view holds (see [`crate::matcher::Cue`]).
pub(crate) fn detect(text: &str, found: &Found, out: &mut Vec<Hit>) {
    let Some(r) = res() else { return };
    let mut taken: Vec<(usize, usize)> = Vec::with_capacity(16);
    let add = |out: &mut Vec<Hit>, taken: &mut Vec<(usize, usize)>, sev, s, e, pat: &'static str, ent: &'static str| {
        if s >= e || taken.iter().any(|&t| overlaps(t, (s, e))) {
            return;
        }
        taken.push((s, e));
        out.push(Hit::new(ThreatType::Pii, sev, s, e, pat).entity(ent));
    };
    let bytes = text.as_bytes();

    // E-mail: only around each '@'.
    let mut scanned_to = 0;
    for at in memchr::memchr_iter(b'@', bytes) {
        if at < scanned_to {
            continue;
        }
        let (ws, we) = window(text, at.saturating_sub(72).max(scanned_to), at + 260);
        match text.get(ws..we) {
            Some(w) if w.is_ascii() => {
                let mut from = 0;
                while let Some((s, e)) = next_email(w.as_bytes(), from) {
                    add(out, &mut taken, Severity::Medium, ws + s, ws + e, "email", "email");
                    from = e;
                }
            }
            Some(w) => {
                for m in r.email.find_iter(w) {
                    add(out, &mut taken, Severity::Medium, ws + m.start(), ws + m.end(), "email", "email");
                }
            }
            None => {}
        }
        scanned_to = we;
    }
    let runs = number_runs(text);
    if runs.is_empty() {
        return;
    }

    // IBAN: two letters and two digits at the start of a word. Its first digit opens a number run.
    for i in runs.iter().filter_map(|r| r.start.checked_sub(2)) {
        if i < bytes.len().saturating_sub(15)
            && bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 3].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
        {
            let (ws, we) = window(text, i, i + 48);
            if let Some(m) = text.get(ws..we).and_then(|w| r.iban.find(w)) {
                // The pattern is greedy; give back trailing groups until the checksum holds.
                let mut cand = m.as_str();
                while m.start() == 0 && cand.len() >= 15 {
                    if iban_valid(cand) {
                        add(out, &mut taken, Severity::High, ws, ws + cand.len(), "iban_mod97", "iban");
                        break;
                    }
                    match cand.rfind(' ') {
                        Some(k) => cand = &cand[..k],
                        None => break,
                    }
                }
            }
        }
    }
    if licence_possible(bytes, found.licence_lits) {
        for c in r.licence.captures_iter(text) {
            let Some(v) = c.get(1) else { continue };
            let digits = v.as_str().bytes().filter(u8::is_ascii_digit).count();
            if digits >= 4 {
                add(out, &mut taken, Severity::Medium, v.start(), v.end(), "us_driver_licence", "us_driver_license");
            }
        }
    }
    for (rs, re_) in runs.iter().filter(|r| r.digits >= 7).map(|r| (r.start, r.end)) {
        let Some(run) = bytes.get(rs..re_) else {
            continue;
        };
        let mut from = 0;
        while let Some((ms, me)) = next_card(run, from) {
            let (s, e) = (rs + ms, rs + me);
            if luhn_varied(&run[ms..me]) && boundary_ok(text, s, e) {
                add(out, &mut taken, Severity::High, s, e, "credit_card_luhn", "credit_card");
            }
            from = me;
        }
        let mut from = 0;
        while let Some((ms, me)) = next_ssn(run, from) {
            let (s, e) = (rs + ms, rs + me);
            let m = &run[ms..me];
            if m[3] == m[6]
                && ssn_valid(m)
                && boundary_ok(text, s, e)
                && (m[3] != b' ' || has_cue_before(text, s, &["ssn", "social security", "social-security"], 40))
            {
                add(out, &mut taken, Severity::High, s, e, "us_ssn", "us_ssn");
            }
            from = me;
        }
        if run.contains(&b'.') {
            let mut from = 0;
            while let Some((ms, me)) = next_ipv4(run, from) {
                let (s, e) = (rs + ms, rs + me);
                let ok = run[ms..me].split(|&c| c == b'.').all(|o| {
                    let v = o.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
                    v <= 255 && (o.len() == 1 || o[0] != b'0')
                });
                let before = text.get(..s).and_then(|t| t.chars().next_back());
                let after = &bytes[e..];
                let dotted_more =
                    before == Some('.') || after.len() >= 2 && after[0] == b'.' && after[1].is_ascii_digit();
                if ok && !dotted_more {
                    add(out, &mut taken, Severity::Medium, s, e, "ipv4", "ip_address");
                }
                from = me;
            }
        }
        let mut from = 0;
        while let Some((ps, pe)) = next_phone(run, from) {
            from = pe;
            let p = &run[ps..pe];
            let (ms, me) = (rs + ps, rs + pe);
            let digits = p.iter().filter(|c| c.is_ascii_digit()).count();
            let Some(phone) = text.get(ms..me) else { continue };
            if !(7..=15).contains(&digits)
                || !boundary_ok(text, ms, me)
                || is_date_like(phone)
                || starts_with_date(phone)
            {
                continue;
            }
            let plus = p[0] == b'+';
            let parens = p.contains(&b'(');
            let seps = p.iter().filter(|c| matches!(c, b' ' | b'-' | b'.')).count();
            let dots = p.iter().filter(|&&c| c == b'.').count();
            if dots == 3 && !plus && !parens && p.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
                continue;
            }
            let first_zero = p.iter().find(|c| c.is_ascii_digit()) == Some(&b'0');
            let shaped = (plus || parens) && digits >= 9
                || seps >= 2 && digits >= 9 && p.len() <= 20
                || seps >= 1 && digits >= 10 && first_zero;
            if shaped || has_cue_before(text, ms, PHONE_CUES, 40) || has_cue_after(text, me, PHONE_CUES_AFTER, 12) {
                add(out, &mut taken, Severity::Medium, ms, me, "phone", "phone_number");
            }
        }
    }
    // IPv6: only where two colons sit close together.
    let mut last_end = 0;
    for ci in memchr::memchr_iter(b':', bytes) {
        if ci < last_end || !bytes.get(ci + 1..(ci + 6).min(bytes.len())).is_some_and(|w| w.contains(&b':')) {
            continue;
        }
        let mut s = ci;
        while s > 0 && (bytes[s - 1].is_ascii_hexdigit() || bytes[s - 1] == b':') && ci - s < 40 {
            s -= 1;
        }
        let (ws, we) = window(text, s, s + 48);
        if let Some(m) = text.get(ws..we).and_then(|w| r.ipv6.find(w)) {
            let (ms, me) = (ws + m.start(), ws + m.end());
            let v = m.as_str();
            let colons = v.bytes().filter(|&b| b == b':').count();
            if (colons >= 7 || v.contains("::") && colons >= 3 && v.len() >= 8)
                && v.parse::<std::net::Ipv6Addr>().is_ok()
                && boundary_ok(text, ms, me)
            {
                add(out, &mut taken, Severity::Medium, ms, me, "ipv6", "ip_address");
            }
            last_end = me.max(ci + 1);
        } else {
            last_end = ci + 1;
        }
    }
    // Street addresses hang off house numbers: "221 Baker Street", "Koskikatu 25".
    for (s, e) in runs.iter().map(|r| (r.start, r.end)) {
        if e - s > 8 {
            continue;
        }
        let followed_by_capital = bytes.get(e) == Some(&b' ') && bytes.get(e + 1).is_some_and(u8::is_ascii_uppercase);
        if followed_by_capital {
            // The pattern is anchored (`^`): only a match at the house number counts, and the
            // leftmost match is the same as an unanchored search's when that one starts here.
            let (ws, we) = window(text, s, s + 160);
            if let Some(m) = text.get(ws..we).and_then(|w| r.street_us.find(w)) {
                if m.start() == 0 {
                    add(out, &mut taken, Severity::Medium, ws, ws + m.end(), "street_address", "street_address");
                    continue;
                }
            }
        }
        if s > 0 && bytes[s - 1] == b' ' && street_word_before(text, s) {
            let (ws, we) = window(text, s.saturating_sub(90), e + 16);
            if let Some(w) = text.get(ws..we) {
                for m in r.street_eu.find_iter(w) {
                    if ws + m.start() < s && ws + m.end() >= e {
                        add(
                            out,
                            &mut taken,
                            Severity::Medium,
                            ws + m.start(),
                            ws + m.end(),
                            "street_address",
                            "street_address",
                        );
                    }
                }
            }
        }
    }
    if found.has(Cue::PoBox) && (contains(bytes, b"box") || contains(bytes, b"Box") || contains(bytes, b"BOX")) {
        for m in r.po_box.find_iter(text) {
            add(out, &mut taken, Severity::Medium, m.start(), m.end(), "street_address", "street_address");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn checksums() {
        assert!(luhn_varied(b"4242 4242 4242 4242"));
        assert!(!luhn_varied(b"4242 4242 4242 4243"));
        assert!(!luhn_varied(b"0000 0000 0000 0000"));
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(ssn_valid(b"123-45-6789"));
        assert!(!ssn_valid(b"000-45-6789"));
        let street = &res().unwrap().street_us;
        assert_eq!(street.find("221 Baker Street, London").map(|m| m.as_str()), Some("221 Baker Street"));
        assert_eq!(street.find("at 221 Baker Street").map(|m| m.as_str()), None);
    }

    /// The patterns the `next_*` functions stand for, as the regex crate runs them.
    type Next = fn(&[u8], usize) -> Option<(usize, usize)>;

    fn patterns() -> [(Regex, Next); 4] {
        [
            (Regex::new(r"\b\d(?:[ \-]?\d){11,18}\b").unwrap(), next_card),
            (Regex::new(r"\b\d{3}([\- ])\d{2}([\- ])\d{4}\b").unwrap(), next_ssn),
            (Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").unwrap(), next_ipv4),
            (
                Regex::new(r"(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,12}(?:[ .\-]\d{1,10}){0,5}(?: ?(?:x|ext\.?) ?\d{1,5})?")
                    .unwrap(),
                next_phone,
            ),
        ]
    }

    fn same_emails(text: &str) -> Result<(), TestCaseError> {
        let re = &res().unwrap().email;
        let want: Vec<(usize, usize)> = re.find_iter(text).map(|m| (m.start(), m.end())).collect();
        let mut got = Vec::new();
        let mut from = 0;
        while let Some((s, e)) = next_email(text.as_bytes(), from) {
            got.push((s, e));
            from = e;
        }
        prop_assert_eq!(got, want, "{:?}", text);
        Ok(())
    }

    #[test]
    fn email_table() {
        for t in [
            "maria.lopez@example.com",
            "a@b.co x@y.example.org.",
            "a@b.c a@b.com1 a@b.com_ a@b.com-x a@-b.com a@b-.com a@b..com a@.com",
            "a@b.com.x@y.org",
            "_a@b.com .a@b.com x_y@b.com x%y@b.com",
            "attacker@evil.example -->",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.com",
            "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
            "x@b.abcdefghijklmnopqrstuvwxyz y@b.abcdefghijklmnopqrstuvwx",
            "a@@b.com a@b@c.com",
            "a@b.com.org a@b.com.o a@b.com.1x a@b.c.d.ef.g",
        ] {
            same_emails(t).unwrap();
        }
        // Each limit of the pattern, just inside and just outside.
        for n in [62, 63, 64, 65] {
            same_emails(&format!(" {}@b.com", "a".repeat(n))).unwrap();
            same_emails(&format!(" -{}@b.com", "a".repeat(n))).unwrap();
            same_emails(&format!("x@{}.com", "b".repeat(n))).unwrap();
            same_emails(&format!("x@b.{}.com", "b".repeat(n))).unwrap();
        }
        for n in [1, 2, 23, 24, 25, 26] {
            same_emails(&format!("x@b.{} x@b.{}.c", "c".repeat(n), "c".repeat(n))).unwrap();
        }
    }

    fn same_matches(text: &str) -> Result<(), TestCaseError> {
        static P: OnceLock<[(Regex, Next); 4]> = OnceLock::new();
        for (re, next) in P.get_or_init(patterns) {
            let want: Vec<(usize, usize)> = re.find_iter(text).map(|m| (m.start(), m.end())).collect();
            let mut got = Vec::new();
            let mut from = 0;
            while let Some((s, e)) = next(text.as_bytes(), from) {
                got.push((s, e));
                from = e;
            }
            prop_assert_eq!(got, want, "{} on {:?}", re.as_str(), text);
        }
        Ok(())
    }

    #[test]
    fn run_patterns_table() {
        for t in [
            "",
            "4242 4242 4242 4242",
            "4242-4242-4242-4242-4242",
            "1234 5678 9012 3456 7890",
            "4242424242424242x1",
            "123-45-6789",
            "123 45 6789 123-45-6789",
            "1234-45-6789",
            "192.168.0.1",
            "1.2.3.4.5",
            "1234.1.1.1 1.1.1.1x2",
            "+1 (415) 555-0134",
            "+12",
            "+1234 (5) 6",
            "+1 (",
            "(123456) 7",
            "555 0134 x 12 ext. 3",
            "555 0134 ext.4 555 0134 ext 45678901",
            "1234567890123456789012345",
            "1 2 3 4 5 6 7 8 9",
            "00000000000 000000000000 ",
            "+00000000000000",
        ] {
            same_matches(t).unwrap();
        }
    }

    /// The licence gate as it was: the cue anywhere, then the three spellings in the whole text.
    fn licence_possible_plain(text: &str, found: &Found) -> bool {
        let b = text.as_bytes();
        found.has(Cue::Licence) && (contains(b, b"icen") || contains(b, b"ICEN") || contains(b, b"DL"))
    }

    fn same_licence_gate(text: &str) -> Result<(), TestCaseError> {
        let b = crate::matcher::builtin().unwrap();
        let found = b.cues.scan(crate::normalise::normalise(text).text());
        prop_assert_eq!(
            licence_possible(text.as_bytes(), found.licence_lits),
            licence_possible_plain(text, &found),
            "{:?}",
            text
        );
        Ok(())
    }

    #[test]
    fn licence_gate_table() {
        for t in [
            "",
            "gradually",
            "DL 12345",
            "Dl 12345",
            "dL DL",
            "D L",
            "D\u{200b}L",
            "licence",
            "LICENSE",
            "LiCeNsE",
            "icen gradually",
            "ICEN handle",
            "\u{130}CEN",
            "\u{ff24}\u{ff2c} 12345",
            "\u{ff24}L",
            "D\u{ff2c}",
            "\u{1e0a}L",
            "driver\u{2019}s licence: D1234567",
            "the DLL",
            "D",
            "xD",
        ] {
            same_licence_gate(t).unwrap();
        }
    }

    proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            /// Letters of the licence cues in both cases, look-alikes, invisible and other bytes.
            #[test]
            fn licence_gate(pieces in prop::collection::vec(prop::sample::select(vec![
                "d", "D", "l", "L", "i", "I", "c", "C", "e", "E", "n", "N", "icen", "ICEN", "DL", "dl", " ", "\t",
                "\u{200b}", "\u{ff24}", "\u{ff2c}", "\u{130}", "\u{131}", "\u{1e0a}", "\u{13de}", "é", "x", "1", "|",
                "\u{2113}", "\u{217c}", "\u{fb01}",
            ]), 0..16)) {
                same_licence_gate(&pieces.concat())?;
            }

            /// Number runs and everything near them: digits, separators, parentheses, `x`, `ext`.
            #[test]
            fn run_patterns(t in "([0-9]{1,5}|[ .()+x_-]|ext\\.?|[a ]){0,24}") {
                same_matches(&t)?;
            }

            /// Addresses and near misses: label-like parts, dots, dashes, `@`, word and other bytes.
            #[test]
            fn emails(pieces in prop::collection::vec(prop_oneof![
                "[a-zA-Z0-9_]{1,3}", "[a-z]{2,4}", Just("@".to_string()), Just(".".to_string()),
                "[-._%+ ,!]", "[a-z]{20,30}",
            ], 0..20)) {
                same_emails(&pieces.concat())?;
            }

            /// The anchored street pattern finds what the unanchored one finds at the start.
            #[test]
            fn street_us_anchored(pieces in prop::collection::vec(prop_oneof![
                "[0-9]{1,7}[a-zA-Z]?", "[A-Z][a-z]{0,6}\\.?", Just("Street".to_string()), Just("St".to_string()),
                Just("Apt 4".to_string()), "[ ,#\n]", Just("Ave.".to_string()),
            ], 0..10)) {
                static UNANCHORED: OnceLock<Regex> = OnceLock::new();
                let anchored = &res().unwrap().street_us;
                let unanchored = UNANCHORED.get_or_init(|| Regex::new(&anchored.as_str()[1..]).unwrap());
                let t = pieces.concat();
                let want = unanchored.find(&t).filter(|m| m.start() == 0).map(|m| m.range());
                prop_assert_eq!(anchored.find(&t).map(|m| m.range()), want, "{:?}", t);
            }

            #[test]
            fn run_patterns_bytes(t in "[0-9 .()+x-]{0,40}") {
                same_matches(&t)?;
            }

            /// The in-place ASCII reading agrees with lower-casing the window and splitting it.
            #[test]
            fn street_words(pieces in prop::collection::vec(prop_oneof![
                prop::sample::select(vec![
                    "Rue", "via", "Koskikatu", "KOSKIKATU", "Hauptstraße", "Str.", "allee", "Avda.", "ul.", "\u{212a}atu",
                    "é", "İ", "ПЛОЩАДЬ", " ", " ", "\t", "\u{b}", "\u{a0}", "\u{2003}", "x", "de", "la", "12", "-", ",",
                    "\u{1}", "\0", "Hauptstrasse", "Piazza",
                ]).prop_map(String::from),
                "[a-zA-Z]{1,12}",
    ], 0..24)) {
                let text = pieces.concat() + " 12";
                for s in (0..=text.len()).filter(|&s| text.is_char_boundary(s)) {
                    let (ws, _) = window(&text, s.saturating_sub(60), s);
                    prop_assert_eq!(street_word_before(&text, s), street_word_before_unicode(&text[ws..s]), "{:?} at {}", text, s);
                }
            }
        }
}
