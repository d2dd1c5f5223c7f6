//! Person names, by heuristics: honorifics, cue phrases ("my name is"), and a compact list of
//! common first names from many languages followed by a capitalised surname.

use super::{with_lowercase, FnvBuild, Hit};
use crate::types::{Severity, ThreatType};
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Common given names. Names that are also everyday English words (Will, May, Mark, Rose,
/// Bill, Grace, Hope, ...) are left out on purpose.
const FIRST_NAMES: &str = "james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam henry nathan douglas zachary peter kyle walter ethan jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene vincent russell louis philip bobby johnny bradley mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra rachel catherine carolyn janet maria heather diane julie joyce victoria kelly christina lauren joan evelyn olivia judith megan cheryl martha andrea frances hannah jacqueline ann gloria jean kathryn alice teresa sara janice doris madison julia judy abigail marie denise beverly amber theresa marilyn danielle diana brittany natalie sophia isabella charlotte alexis kayla lori tiffany mia amelia harper ella chloe zoe lily aria riley nora hazel aurora ellie lucy audrey claire violet stella sophie leah mohammed muhammad mohamed ahmed ali omar hassan hussein fatima aisha mariam yusuf ibrahim khalid mustafa layla zainab priya rahul amit anil sunil rajesh suresh ramesh vijay sanjay deepak anita sunita pooja neha ananya arjun rohan vikram aarav wei li zhang wang liu chen yang huang zhao xin jing hiroshi takashi yuki haruto sakura kenji akira yumi min jun seo ji hyun hans jurgen klaus wolfgang helmut dieter uwe stefan andreas markus matthias sebastian tobias lukas leon felix jonas maximilian paul niklas finn lena lea anna laura julia sarah katharina sabine petra monika ursula ingrid gabriele birgit heike andrea claudia pierre jean jacques michel philippe alain nicolas francois christophe sebastien julien antoine camille manon chloe ines juliette marcel luc rene andre giuseppe giovanni marco luca matteo alessandro francesco lorenzo andrea paolo roberto stefano giulia francesca chiara sofia alessia martina federica valentina carlos miguel javier alejandro pablo sergio diego jorge luis manuel antonio rafael fernando ricardo eduardo pedro alberto lucia sofia paula carmen isabel elena pilar rosa marta cristina beatriz joao tiago rui goncalo ana ines mariana beatriz lars erik anders johan nils olof per sven magnus henrik mikael bjorn astrid ingrid karin sigrid freya elin maja ida linnea emil oskar hugo axel mette hanne kirsten jens soren morten pia pirjo juha jukka matti mikko timo aino eino tuomas ville kari jan piotr krzysztof tomasz pawel marcin michal katarzyna agnieszka malgorzata joanna magdalena ivan dmitri sergei alexei vladimir nikolai olga tatiana natalia svetlana irina ekaterina anastasia yelena boris igor oleg milan petr jiri tomas eva jana hana lucie zeljko goran dragan marko ivana ana mehmet mustafa ahmet emre burak elif zeynep ayse fatma kwame kofi amara chidi ngozi oluwaseun adebayo thabo sipho nomvula aantje mohsin gabriel dale mette justin amy watson doe";

/// Capitalised words that often start a sentence and follow a name cue but are not names.
const NOT_NAMES: &[&str] = &[
    "The",
    "This",
    "That",
    "There",
    "Here",
    "What",
    "When",
    "Where",
    "Why",
    "How",
    "Yes",
    "No",
    "Not",
    "Sorry",
    "Thanks",
    "Hello",
    "Please",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "I",
    "A",
    "An",
    "And",
    "But",
    "Or",
    "So",
    "It",
    "We",
    "You",
    "They",
    "He",
    "She",
    "My",
    "Your",
    "Our",
    "Their",
    "All",
    "Street",
    "Road",
    "Avenue",
    "Inc",
    "Ltd",
    "Company",
    "University",
    "Bank",
    "Hospital",
    "Team",
    "Customer",
    "Support",
    "Sir",
    "Madam",
    "Doctor",
    "Going",
    "Looking",
    "Writing",
    "Calling",
    "Interested",
    "Happy",
    "Glad",
    "Fine",
    "Good",
    "Just",
];

struct Res {
    honorific: Regex,
    cue: Regex,
    first: HashSet<&'static str, FnvBuild>,
    /// The same names as `first`, packed into integers (see [`pack`]) in an open-addressing
    /// table: most capitalised words of a text are looked up, and nearly all are no names.
    packed: Vec<u128>,
}

/// A word of up to 16 ASCII bytes, lower-cased, as one integer (0 for any other word; no name
/// packs to 0).
fn pack(w: &[u8]) -> u128 {
    if w.is_empty() || w.len() > 16 || !w.is_ascii() {
        return 0;
    }
    let mut a = [0u8; 16];
    for (d, s) in a.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    u128::from_le_bytes(a)
}

const PACKED_BITS: u32 = 11;

fn slot(key: u128) -> usize {
    let h = ((key as u64) ^ ((key >> 64) as u64).rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - PACKED_BITS)) as usize
}

fn packed_table(names: &HashSet<&'static str, FnvBuild>) -> Option<Vec<u128>> {
    let mut t = vec![0u128; 1 << PACKED_BITS];
    for n in names {
        let key = pack(n.as_bytes());
        if key == 0 {
            return None;
        }
        let mut k = slot(key);
        while t.get(k).is_some_and(|&v| v != 0 && v != key) {
            k = (k + 1) & ((1 << PACKED_BITS) - 1);
        }
        *t.get_mut(k)? = key;
    }
    Some(t)
}

/// Whether `w`, lower-cased, is a known first name.
fn is_first_name(r: &Res, w: &str) -> bool {
    let key = pack(w.as_bytes());
    if key == 0 {
        // Long or non-ASCII: a few non-ASCII letters lower-case to ASCII ones (the Kelvin sign).
        return !w.is_ascii() && with_lowercase(w, |l| r.first.contains(l));
    }
    let mut k = slot(key);
    while let Some(&v) = r.packed.get(k) {
        if v == key {
            return true;
        }
        if v == 0 {
            return false;
        }
        k = (k + 1) & ((1 << PACKED_BITS) - 1);
    }
    false
}

fn res() -> Option<&'static Res> {
    static R: OnceLock<Option<Res>> = OnceLock::new();
    R.get_or_init(|| {
        Some(Res {
            honorific: Regex::new(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau|Sr|Sra|Sig|Mister)\.?\s+((?:[A-Z][\p{Ll}'\-]+|[A-Z]\.)(?:\s+(?:[A-Z][\p{Ll}'\-]+|[A-Z]\.)){0,2})").ok()?,
            cue: Regex::new(r"(?:\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame\s*:|[Nn]amed|[Cc]all me|[Dd]ear|[Ss]incerely,?|[Rr]egards,?|[Tt]hanks,?|[Cc]heers,?|[Ss]igned,?|[Bb]est,|[Ss]poke (?:to|with)|[Aa]sk for|[Pp]atient|[Ww]ritten by)\s+)((?:[A-Z][\p{Ll}'\-]+)(?:\s+[A-Z][\p{Ll}'\-]+){0,2})").ok()?,
            first: FIRST_NAMES.split_whitespace().collect(),
            packed: Vec::new(),
        })
        .and_then(|mut r| {
            r.packed = packed_table(&r.first)?;
            Some(r)
        })
    })
    .as_ref()
}

fn strong_cue(cue: &str) -> bool {
    let c = cue.trim().to_ascii_lowercase();
    [
        "my name",
        "name",
        "named",
        "call me",
        "dear",
        "sincerely",
        "regards",
        "thanks",
        "cheers",
        "signed",
        "best",
        "patient",
        "written by",
    ]
    .iter()
    .any(|s| c.starts_with(s))
}

/// `cues`: whether the normalised view holds the literal part of a name cue (see
/// [`crate::matcher::Cue::Name`]); without one the cue pattern cannot match.
pub(crate) fn detect(text: &str, cues: bool, out: &mut Vec<Hit>) {
    let Some(r) = res() else { return };
    let mut taken: Vec<(usize, usize)> =
        out.iter().filter(|h| h.ty == ThreatType::Pii).map(|h| (h.start, h.end)).collect();
    let mut add = |out: &mut Vec<Hit>, sev, s: usize, e: usize, pat: &'static str| {
        if s >= e || taken.iter().any(|&t| super::overlaps(t, (s, e))) {
            return;
        }
        taken.push((s, e));
        out.push(Hit::new(ThreatType::Pii, sev, s, e, pat).entity("person"));
    };
    for c in r.honorific.captures_iter(text) {
        if let Some(m) = c.get(1) {
            if !NOT_NAMES.contains(&m.as_str().split_whitespace().next().unwrap_or("")) {
                add(out, Severity::Medium, m.start(), m.end(), "person_honorific");
            }
        }
    }
    let cue_hits = if cues { Some(r.cue.captures_iter(text)) } else { None };
    for c in cue_hits.into_iter().flatten() {
        let (Some(all), Some(m)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let cue = text.get(all.start()..m.start()).unwrap_or("");
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        if NOT_NAMES.contains(&first) {
            continue;
        }
        let known = is_first_name(r, first);
        if strong_cue(cue) || known {
            add(out, Severity::Medium, m.start(), m.end(), "person_cue");
        }
    }
    // Known first name, optionally followed by a capitalised surname.
    let words = capitalised_words(text);
    let mut k = 0;
    while k < words.len() {
        let (s, e) = words[k];
        let w = text.get(s..e).unwrap_or("");
        if is_first_name(r, w) {
            match words.get(k + 1) {
                Some(&(s2, e2))
                    if text.get(e..s2).is_some_and(|gap| gap == " ")
                        && !NOT_NAMES.contains(&text.get(s2..e2).unwrap_or("")) =>
                {
                    add(out, Severity::Medium, s, e2, "person_first_last");
                    k += 2;
                    continue;
                }
                _ => add(out, Severity::Low, s, e, "person_first_name"),
            }
        }
        k += 1;
    }
}

/// Byte spans of words that start with an upper-case letter followed by lower-case letters.
fn capitalised_words(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 32);
    let mut i = 0;
    while i < b.len() {
        // Skip to a word start: an upper-case ASCII letter or any non-ASCII byte.
        let Some(k) = next_capital_or_non_ascii(b, i) else { break };
        i = k;
        let c = b[i];
        let prev_alpha = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] >= 0x80);
        if prev_alpha {
            i += 1;
            while i < b.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        }
        debug_assert!(c.is_ascii_uppercase() || c >= 0x80);
        let s = i;
        // ASCII words, the usual case, are read byte by byte; a word that reaches a non-ASCII
        // byte is read again as characters.
        if c.is_ascii_uppercase() {
            let mut ok = true;
            let mut j = i + 1;
            while let Some(&d) = b.get(j) {
                if d.is_ascii_alphabetic() {
                    ok &= d.is_ascii_lowercase();
                } else if d != b'\'' && d != b'-' {
                    break;
                }
                j += 1;
            }
            if b.get(j).is_none_or(|&d| d < 0x80) {
                if ok && j - s >= 2 {
                    out.push((s, j));
                }
                i = j.max(i + 1);
                continue;
            }
        }
        let mut ok = true;
        let mut first = true;
        let mut j = i;
        for (k, ch) in text.get(i..).unwrap_or("").char_indices() {
            if ch.is_alphabetic() || (!first && (ch == '\'' || ch == '-')) {
                ok &= if first { ch.is_uppercase() } else { !ch.is_uppercase() };
                first = false;
                j = i + k + ch.len_utf8();
            } else {
                break;
            }
        }
        if ok && j - s >= 2 {
            out.push((s, j));
        }
        i = j.max(i + 1);
        while i < b.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

/// First position at or after `from` holding an upper-case ASCII letter or a non-ASCII byte.
fn next_capital_or_non_ascii(b: &[u8], from: usize) -> Option<usize> {
    super::bytes::find_range_or_wide(b, from, b'A', b'Z')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_cues_are_seen_by_the_cue_scan() {
        let b = crate::matcher::builtin().unwrap();
        for text in [
            "My name is Jane Doe",
            "Name : Jane",
            "name\u{b}: Jane",
            "Name\u{2028}\u{b} :\tJane",
            "named Peter Parker",
            "Call me Ishmael",
            "Dear Maria,",
            "Sincerely,\nJohn",
            "Regards, Anna",
            "Thanks Bob",
            "Cheers,  Tom",
            "Signed, Ulla",
            "Best, Ken",
            "I spoke with Maria Lopez",
            "Spoke to John",
            "Ask for Maria",
            "Patient Ravi Shah",
            "Written by Olga Ivanova",
        ] {
            let mut with = Vec::new();
            detect(text, true, &mut with);
            assert!(!with.is_empty(), "{text}");
            let n = crate::normalise::normalise(text);
            assert!(b.cues.scan(n.text()).has(crate::matcher::Cue::Name), "{text}");
        }
    }

    #[test]
    fn first_name_table_agrees_with_the_set() {
        let r = res().unwrap();
        for w in FIRST_NAMES.split_whitespace().chain([
            "",
            "The",
            "JOHN",
            "John",
            "Jo",
            "johnny",
            "Maximilian",
            "Oluwaseun",
            "aaaaaaaaaaaaaaaaaa",
            "Zoë",
            "Jürgen",
            "\u{212A}evin",
            "O'Brien",
            "Anne-Marie",
            "X",
        ]) {
            let cap: String = w.chars().take(1).flat_map(char::to_uppercase).chain(w.chars().skip(1)).collect();
            for v in [w.to_string(), cap] {
                assert_eq!(is_first_name(r, &v), with_lowercase(&v, |l| r.first.contains(l)), "{v}");
            }
        }
    }

    /// Capitalised words read character by character only.
    fn by_chars(text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            // Skip to a word start: an upper-case ASCII letter or any non-ASCII byte.
            let Some(k) = next_capital_or_non_ascii(b, i) else { break };
            i = k;
            let c = b[i];
            let prev_alpha = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] >= 0x80);
            if prev_alpha {
                i += 1;
                while i < b.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                continue;
            }
            debug_assert!(c.is_ascii_uppercase() || c >= 0x80);
            let s = i;
            let mut ok = true;
            let mut first = true;
            let mut j = i;
            for (k, ch) in text.get(i..).unwrap_or("").char_indices() {
                if ch.is_alphabetic() || (!first && (ch == '\'' || ch == '-')) {
                    ok &= if first { ch.is_uppercase() } else { !ch.is_uppercase() };
                    first = false;
                    j = i + k + ch.len_utf8();
                } else {
                    break;
                }
            }
            if ok && j - s >= 2 {
                out.push((s, j));
            }
            i = j.max(i + 1);
            while i < b.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn capitalised_words_read_ascii_and_wide_alike() {
        let text = "Hello World, McDonald O'Neil Anne-Marie Xy-z X Zoë Émile ÉMILE dIT Ab1 Cd_ef Gh Ñu";
        let got: Vec<&str> = capitalised_words(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(got, ["Hello", "World", "Xy-z", "Zoë", "Émile", "Ab", "Cd", "Gh", "Ñu"]);
        for t in ["Aé", "ÀB", "A", "Ab", "AbÉ", "x Ab's Cd-", "Ab\u{300}c"] {
            assert_eq!(capitalised_words(t), by_chars(t), "{t}");
        }
        assert_eq!(capitalised_words(text), by_chars(text));
    }
}
