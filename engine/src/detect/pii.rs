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
    card: Regex,
    ssn: Regex,
    iban: Regex,
    ipv4: Regex,
    ipv6: Regex,
    phone: Regex,
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
            card: Regex::new(r"\b\d(?:[ \-]?\d){11,18}\b").ok()?,
            ssn: Regex::new(r"\b\d{3}([\- ])\d{2}([\- ])\d{4}\b").ok()?,
            iban: Regex::new(r"(?i)\b[a-z]{2}\d{2}(?: ?[a-z0-9]){11,30}\b").ok()?,
            ipv4: Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").ok()?,
            ipv6: Regex::new(r"(?i)(?:[0-9a-f]{1,4}:|::)(?:[0-9a-f]{0,4}:){1,7}[0-9a-f]{0,4}").ok()?,
            phone: Regex::new(r"(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,12}(?:[ .\-]\d{1,10}){0,5}(?: ?(?:x|ext\.?) ?\d{1,5})?").ok()?,
            licence: Regex::new(r"(?i)\b(?:driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|DL|licen[cs]e)\s*(?:no\.?|number|num|#|id)?\s*(?:is|:|-)?\s*([A-Z0-9][A-Z0-9\-]{4,18})\b").ok()?,
            street_us: Regex::new(r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Z0-9][\p{L}'.\-]*\s+){0,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Plaza|Alley|Crescent|Cres|Close|Gardens|Grove|Row|Walk|Mews|Hill|Park|Green|View|Point|Ridge|Loop|Path|Pike|Heights|Estates|Village|Meadows|Commons|Center|Centre|Squares|Streets|Roads|Avenues|Lanes|Drives|Ways|Parks|Fields|Hills|Views)\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.?\s*[A-Za-z0-9\-]+)?").ok()?,
            street_eu: Regex::new(r"(?i)\b(?:[\p{L}\-]{3,}(?:strasse|straße|str\.|weg|gasse|platz|allee|katu|gatan|vej|vegen|veien|laan|straat|gracht|utca|tie|vagen|väg|gade)|(?:rue|via|calle|avenida|av\.|avda\.|rua|piazza|plaza|camino|carrer|paseo|chemin|route|viale|ul\.|ulica|trg|aleja)\s+(?:[\p{L}'.\-]+\s+){0,4}?)\s*\d{1,5}[a-z]?\b(?:,?\s*(?:apt|suite|unit)\.?\s*\d+)?").ok()?,
            po_box: Regex::new(r"(?i)\b(?:p\.?\s?o\.?\s?box|postbox|post office box)\s*\d{1,6}\b").ok()?,
        })
    })
    .as_ref()
}

pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
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

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

fn ssn_valid(s: &str) -> bool {
    let d = digits_of(s);
    if d.len() != 9 {
        return false;
    }
    let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    let group = u32::from(d[3]) * 10 + u32::from(d[4]);
    let serial = d[5..].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
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
    let mut from = s.saturating_sub(window);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = text.get(from..s).unwrap_or("").to_lowercase();
    cues.iter().any(|c| before.contains(c))
}

const PHONE_CUES_AFTER: &[&str] = &["office", "fax", "mobile", "cell", "home", "work", "phone", "tel"];

fn has_cue_after(text: &str, e: usize, cues: &[&str], window: usize) -> bool {
    let mut to = (e + window).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let after = text.get(e..to).unwrap_or("").to_lowercase();
    cues.iter().any(|c| after.contains(c))
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
    let parts: Vec<&str> = s.split(['-', '/', '.', ' ']).collect();
    if parts.len() == 3 {
        let l: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        if l == [4, 2, 2] || l == [2, 2, 4] || l == [1, 2, 4] || l == [2, 1, 4] || l == [1, 1, 4] || l == [4, 1, 1] {
            return true;
        }
    }
    false
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
/// number, or a street prefix a few words earlier.
fn street_word_before(text: &str, s: usize) -> bool {
    let (ws, _) = window(text, s.saturating_sub(60), s);
    super::with_lowercase(text.get(ws..s).unwrap_or(""), |before| {
        let mut words = before.split_whitespace().rev();
        let last = words.next().unwrap_or("");
        STREET_SUFFIXES.iter().any(|x| last.ends_with(x))
            || std::iter::once(last).chain(words.take(4)).any(|w| STREET_PREFIXES.contains(&w))
    })
}

fn window(text: &str, s: usize, e: usize) -> (usize, usize) {
    let mut s = s.min(text.len());
    let mut e = e.min(text.len());
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    (s, e)
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
        if let Some(w) = text.get(ws..we) {
            for m in r.email.find_iter(w) {
                add(out, &mut taken, Severity::Medium, ws + m.start(), ws + m.end(), "email", "email");
            }
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
    if found.has(Cue::Licence) && (contains(bytes, b"icen") || contains(bytes, b"ICEN") || contains(bytes, b"DL")) {
        for c in r.licence.captures_iter(text) {
            let Some(v) = c.get(1) else { continue };
            let digits = v.as_str().bytes().filter(u8::is_ascii_digit).count();
            if digits >= 4 {
                add(out, &mut taken, Severity::Medium, v.start(), v.end(), "us_driver_licence", "us_driver_license");
            }
        }
    }
    for (rs, re_) in runs.iter().filter(|r| r.digits >= 7).map(|r| (r.start, r.end)) {
        let Some(run) = text.get(rs..re_) else {
            continue;
        };
        for m in r.card.find_iter(run) {
            let (s, e) = (rs + m.start(), rs + m.end());
            let d = digits_of(m.as_str());
            if (12..=19).contains(&d.len()) && luhn(&d) && d.iter().any(|&x| x != d[0]) && boundary_ok(text, s, e) {
                add(out, &mut taken, Severity::High, s, e, "credit_card_luhn", "credit_card");
            }
        }
        for c in r.ssn.captures_iter(run) {
            let (Some(m), Some(a), Some(b)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let (s, e) = (rs + m.start(), rs + m.end());
            let spaced = a.as_str() == " ";
            if a.as_str() == b.as_str()
                && ssn_valid(m.as_str())
                && boundary_ok(text, s, e)
                && (!spaced || has_cue_before(text, s, &["ssn", "social security", "social-security"], 40))
            {
                add(out, &mut taken, Severity::High, s, e, "us_ssn", "us_ssn");
            }
        }
        if run.contains('.') {
            for m in r.ipv4.find_iter(run) {
                let (s, e) = (rs + m.start(), rs + m.end());
                let ok = m
                    .as_str()
                    .split('.')
                    .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255) && (o.len() == 1 || !o.starts_with('0')));
                let before = text.get(..s).and_then(|t| t.chars().next_back());
                let after = text.get(e..).map(str::as_bytes);
                let dotted_more =
                    before == Some('.') || after.is_some_and(|a| a.len() >= 2 && a[0] == b'.' && a[1].is_ascii_digit());
                if ok && !dotted_more {
                    add(out, &mut taken, Severity::Medium, s, e, "ipv4", "ip_address");
                }
            }
        }
        for m in r.phone.find_iter(run) {
            let p = m.as_str().trim_end_matches([' ', '.', '-']);
            let (ms, me) = (rs + m.start(), rs + m.start() + p.len());
            let d = digits_of(p);
            if d.len() < 7 || d.len() > 15 || !boundary_ok(text, ms, me) || is_date_like(p) || starts_with_date(p) {
                continue;
            }
            let plus = p.starts_with('+');
            let parens = p.contains('(');
            let seps = p.bytes().filter(|b| matches!(b, b' ' | b'-' | b'.')).count();
            let dots = p.bytes().filter(|&b| b == b'.').count();
            if dots == 3 && !plus && !parens && p.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                continue;
            }
            let cue = has_cue_before(text, ms, PHONE_CUES, 40) || has_cue_after(text, me, PHONE_CUES_AFTER, 12);
            let shaped = plus && d.len() >= 9
                || parens && d.len() >= 9
                || seps >= 2 && d.len() >= 9 && p.len() <= 20
                || seps >= 1 && d.len() >= 10 && d[0] == 0;
            if shaped || cue {
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

    #[test]
    fn checksums() {
        assert!(luhn(&digits_of("4242 4242 4242 4242")));
        assert!(!luhn(&digits_of("4242 4242 4242 4243")));
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(ssn_valid("123-45-6789"));
        assert!(!ssn_valid("000-45-6789"));
    }
}
