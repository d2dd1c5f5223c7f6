//! Person names, by heuristics: honorifics, cue phrases ("my name is"), and a compact list of
//! common first names from many languages followed by a capitalised surname.

use super::{with_lowercase, FnvBuild, Hit};
use crate::types::{Severity, ThreatType};
use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, Span};
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

/// The honorifics of the honorific pattern, each an upper-case ASCII letter and lower-case ones.
const HONORIFICS: &str = "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau|Sr|Sra|Sig|Mister";

/// The literal part of each name cue, as the cue pattern spells it but for the case of its first
/// letter. Each needs whitespace and a capitalised word after it.
const CUE_WORDS: &[&[u8]] = &[
    b"my name is",
    b"my name's",
    b"named",
    b"call me",
    b"dear",
    b"sincerely",
    b"regards",
    b"thanks",
    b"cheers",
    b"signed",
    b"spoke to",
    b"spoke with",
    b"ask for",
    b"patient",
    b"written by",
];

/// The cue words the cue pattern also allows with a comma after them (`best` only with one).
const CUE_WORDS_COMMA: &[&[u8]] = &[b"sincerely", b"regards", b"thanks", b"cheers", b"signed", b"best"];

struct Res {
    /// `\b` + an honorific + a name of up to three capitalised words or initials (group 1).
    honorific: Regex,
    /// A name cue and whitespace + up to three capitalised words (group 1).
    cue: Regex,
    first: HashSet<&'static str, FnvBuild>,
    /// The same names and the honorifics, packed into integers (see [`pack`]) in an
    /// open-addressing table: every capitalised word of a text is looked up, and nearly all
    /// are neither.
    packed: Vec<u128>,
    /// What each key of `packed` is: [`FIRST_NAME`], [`HONORIFIC`] or both.
    kinds: Vec<u8>,
    /// [`NOT_NAMES`] packed as they are (not lower-cased, see [`pack_exact`]), sorted.
    not_names: Vec<u128>,
}

const FIRST_NAME: u8 = 1;
const HONORIFIC: u8 = 2;

/// Each byte of a `u128` set to 1.
const ONES: u128 = u128::MAX / 255;
const HIGHS: u128 = ONES << 7;

/// A word of up to 16 ASCII bytes as one integer, the bytes in order and zeros after them (0 for
/// any other word).
fn pack_exact(w: &[u8]) -> u128 {
    pack_exact_at(w, 0, w.len())
}

/// The word `b[s..e]` packed as by [`pack_exact`]. Reads 16 bytes at once where the text has
/// them, which spares a copy.
fn pack_exact_at(b: &[u8], s: usize, e: usize) -> u128 {
    let n = e.wrapping_sub(s);
    if n == 0 || n > 16 {
        return 0;
    }
    let x = match b.get(s..s + 16).and_then(|c| <[u8; 16]>::try_from(c).ok()) {
        Some(c) => u128::from_le_bytes(c) & (u128::MAX >> (8 * (16 - n))),
        None => {
            let mut a = [0u8; 16];
            for (d, &c) in a.iter_mut().zip(b.get(s..e).unwrap_or_default()) {
                *d = c;
            }
            u128::from_le_bytes(a)
        }
    };
    if x & HIGHS != 0 {
        return 0;
    }
    x
}

/// A word of up to 16 ASCII bytes, lower-cased, as one integer (0 for any other word; no name
/// packs to 0).
fn pack(w: &[u8]) -> u128 {
    lower(pack_exact(w))
}

/// `x` with every byte in `A..=Z` lower-cased; every byte of `x` is ASCII.
fn lower(x: u128) -> u128 {
    // An ASCII byte plus at most 0x3f carries into no other byte and sets its top bit exactly
    // when the byte is at least `A` (first sum) or above `Z` (second).
    let at_least_a = x + ONES * u128::from(0x80 - b'A');
    let above_z = x + ONES * u128::from(0x80 - b'Z' - 1);
    x | ((at_least_a & !above_z & HIGHS) >> 2)
}

const PACKED_BITS: u32 = 11;

fn slot(key: u128) -> usize {
    let h = ((key as u64) ^ ((key >> 64) as u64).rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - PACKED_BITS)) as usize
}

fn packed_table(words: impl Iterator<Item = (&'static str, u8)>) -> Option<(Vec<u128>, Vec<u8>)> {
    let mut t = vec![0u128; 1 << PACKED_BITS];
    let mut kinds = vec![0u8; 1 << PACKED_BITS];
    for (w, kind) in words {
        let key = pack(w.as_bytes());
        if key == 0 {
            return None;
        }
        let mut k = slot(key);
        while t.get(k).is_some_and(|&v| v != 0 && v != key) {
            k = (k + 1) & ((1 << PACKED_BITS) - 1);
        }
        *t.get_mut(k)? = key;
        *kinds.get_mut(k)? |= kind;
    }
    Some((t, kinds))
}

/// What the word with key `key` ([`pack`]) is: [`FIRST_NAME`], [`HONORIFIC`], both or neither
/// (0).
fn kind(r: &Res, key: u128) -> u8 {
    let mut k = slot(key);
    while let Some(&v) = r.packed.get(k) {
        if v == key {
            return r.kinds.get(k).copied().unwrap_or(0);
        }
        if v == 0 {
            return 0;
        }
        k = (k + 1) & ((1 << PACKED_BITS) - 1);
    }
    0
}

/// Whether `w`, lower-cased, is a known first name.
fn is_first_name(r: &Res, w: &str) -> bool {
    let key = pack(w.as_bytes());
    if key == 0 {
        // Long or non-ASCII: a few non-ASCII letters lower-case to ASCII ones (the Kelvin sign).
        return !w.is_ascii() && with_lowercase(w, |l| r.first.contains(l));
    }
    kind(r, key) & FIRST_NAME != 0
}

/// Whether `w` is one of [`NOT_NAMES`].
fn is_not_name(r: &Res, w: &str) -> bool {
    let key = pack_exact(w.as_bytes());
    key != 0 && r.not_names.binary_search(&key).is_ok()
}

/// Whether `b[s..e]`, an upper-case ASCII letter and lower-case ones, is one of [`HONORIFICS`].
fn is_honorific(r: &Res, b: &[u8], s: usize, e: usize) -> bool {
    let key = pack(b.get(s..e).unwrap_or_default());
    key != 0 && kind(r, key) & HONORIFIC != 0
}

fn res() -> Option<&'static Res> {
    static R: OnceLock<Option<Res>> = OnceLock::new();
    R.get_or_init(|| {
        let packed_sorted = |words: &mut dyn Iterator<Item = &str>| {
            let mut v: Vec<u128> = words.map(|w| pack_exact(w.as_bytes())).collect();
            v.sort_unstable();
            (!v.contains(&0)).then_some(v)
        };
        let not_names = packed_sorted(&mut NOT_NAMES.iter().copied())?;
        let first: HashSet<&'static str, FnvBuild> = FIRST_NAMES.split_whitespace().collect();
        let (packed, kinds) = packed_table(
            first.iter().map(|&w| (w, FIRST_NAME)).chain(HONORIFICS.split('|').map(|w| (w, HONORIFIC))),
        )?;
        Some(Res {
            honorific: Regex::new(&format!(r"\b(?:{HONORIFICS})\.?\s+((?:[A-Z][\p{{Ll}}'\-]+|[A-Z]\.)(?:\s+(?:[A-Z][\p{{Ll}}'\-]+|[A-Z]\.)){{0,2}})")).ok()?,
            cue: Regex::new(r"(?:\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame\s*:|[Nn]amed|[Cc]all me|[Dd]ear|[Ss]incerely,?|[Rr]egards,?|[Tt]hanks,?|[Cc]heers,?|[Ss]igned,?|[Bb]est,|[Ss]poke (?:to|with)|[Aa]sk for|[Pp]atient|[Ww]ritten by)\s+)((?:[A-Z][\p{Ll}'\-]+)(?:\s+[A-Z][\p{Ll}'\-]+){0,2})").ok()?,
            packed,
            kinds,
            first,
            not_names,
        })
    })
    .as_ref()
}

/// Cues that name a person outright; the others ("spoke to", "ask for") only point at one.
const STRONG_CUES: [&str; 13] = [
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
];

fn strong_cue(cue: &str) -> bool {
    let c = cue.trim().as_bytes();
    STRONG_CUES.iter().any(|s| c.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s.as_bytes())))
}

/// `cues`: whether the normalised view holds the literal part of a name cue (see
/// [`crate::matcher::Cue::Name`]); without one the cue pattern cannot match.
pub(crate) fn detect(text: &str, cues: bool, out: &mut Vec<Hit>) {
    let Some(r) = res() else { return };
    // One pass over the capital letters finds the first names and every position where one of
    // the two patterns can start; the patterns then run there only, anchored.
    let mut starts = Starts::default();
    let mut names = FirstNames { r, text, pending: None, found: Vec::new() };
    scan(r, text, cues, &mut starts, |s, e, key| names.word(s, e, key));
    names.finish();
    let mut taken: Vec<(usize, usize)> =
        out.iter().filter(|h| h.ty == ThreatType::Pii).map(|h| (h.start, h.end)).collect();
    let mut add = |out: &mut Vec<Hit>, sev, s: usize, e: usize, pat: &'static str| {
        if s >= e || taken.iter().any(|&t| super::overlaps(t, (s, e))) {
            return;
        }
        taken.push((s, e));
        out.push(Hit::new(ThreatType::Pii, sev, s, e, pat).entity("person"));
    };
    for (_, m) in matches_at(&r.honorific, text, &starts.honorifics, honorific_match) {
        let name = text.get(m.range()).unwrap_or("");
        if !is_not_name(r, name.split_whitespace().next().unwrap_or("")) {
            add(out, Severity::Medium, m.start, m.end, "person_honorific");
        }
    }
    for (all, m) in matches_at(&r.cue, text, &starts.cues, |_, _| None) {
        let cue = text.get(all.start..m.start).unwrap_or("");
        let first = text.get(m.range()).unwrap_or("").split_whitespace().next().unwrap_or("");
        if is_not_name(r, first) {
            continue;
        }
        if strong_cue(cue) || is_first_name(r, first) {
            add(out, Severity::Medium, m.start, m.end, "person_cue");
        }
    }
    // Known first name, optionally followed by a capitalised surname.
    for (sev, s, e, pat) in names.found {
        add(out, sev, s, e, pat);
    }
}

/// The matches of `re` (whole match and group 1) that a search for all of them in `text` finds,
/// given every position where one can start (`starts`, ascending): each is tried anchored, with
/// the text before it as context for `\b`. `quick` answers for `re` at a start where it can
/// (`Some(None)`: no match), without the regex engine.
fn matches_at(
    re: &Regex,
    text: &str,
    starts: &[usize],
    quick: impl Fn(&[u8], usize) -> Option<Option<(Span, Span)>>,
) -> Vec<(Span, Span)> {
    let mut out = Vec::new();
    let mut caps = None;
    let mut end = 0;
    for &s in starts {
        if s < end {
            continue;
        }
        let m = quick(text.as_bytes(), s).unwrap_or_else(|| {
            let caps = caps.get_or_insert_with(|| re.create_captures());
            re.search_captures(&Input::new(text).span(s..text.len()).anchored(Anchored::Yes), caps);
            caps.get_match().zip(caps.get_group(1)).map(|(all, m)| (all.span(), m))
        });
        if let Some((all, m)) = m {
            end = all.end;
            out.push((all, m));
        }
    }
    out
}

/// The honorific pattern's match (whole match and group 1) at `s`, where an honorific word
/// starts (see [`honorific_at`]), read by hand; `None` where a non-ASCII byte would have to be
/// looked at (the pattern's `\b`, `\s` and `\p{Ll}` know more than ASCII).
fn honorific_match(b: &[u8], s: usize) -> Option<Option<(Span, Span)>> {
    /// `\s+` from `p`: where it ends, `Some(None)` without a space at `p`.
    fn spaces(b: &[u8], mut p: usize) -> Option<Option<usize>> {
        let from = p;
        while let Some(&d) = b.get(p) {
            if d >= 0x80 {
                return None;
            }
            if !is_space(d) {
                break;
            }
            p += 1;
        }
        Some((p > from).then_some(p))
    }
    /// `[A-Z][\p{Ll}'\-]+|[A-Z]\.` from `p`: where it ends.
    fn word(b: &[u8], p: usize) -> Option<Option<usize>> {
        match b.get(p) {
            Some(&d) if d >= 0x80 => return None,
            Some(d) if d.is_ascii_uppercase() => {}
            _ => return Some(None),
        }
        let mut q = p + 1;
        while let Some(&d) = b.get(q) {
            if d >= 0x80 {
                return None;
            }
            if !(d.is_ascii_lowercase() || d == b'\'' || d == b'-') {
                break;
            }
            q += 1;
        }
        if q > p + 1 {
            return Some(Some(q));
        }
        Some((b.get(p + 1) == Some(&b'.')).then_some(p + 2))
    }
    match s.checked_sub(1).map(|p| b[p]) {
        Some(d) if d >= 0x80 => return None,
        Some(d) if d.is_ascii_alphanumeric() || d == b'_' => return Some(None),
        _ => {}
    }
    // The honorific: the lower-case letters after the capital (only the alternative that is
    // the whole word can be followed by `\.?\s+`).
    let mut p = s + 1;
    while b.get(p).is_some_and(u8::is_ascii_lowercase) {
        p += 1;
    }
    if b.get(p) == Some(&b'.') {
        p += 1;
    }
    let Some(p) = spaces(b, p)? else { return Some(None) };
    let Some(mut q) = word(b, p)? else { return Some(None) };
    for _ in 0..2 {
        let Some(t) = spaces(b, q)? else { break };
        let Some(u) = word(b, t)? else { break };
        q = u;
    }
    Some(Some((Span::from(s..q), Span::from(p..q))))
}

/// Where the patterns can start: every position where one matches, and a few more.
#[derive(Default)]
struct Starts {
    /// For the honorific pattern, ascending.
    honorifics: Vec<usize>,
    /// For the cue pattern, ascending.
    cues: Vec<usize>,
}

/// Calls `word` with the span of each word of `text` that starts with an upper-case letter
/// followed by lower-case letters, in text order, and whether it is a known first name; notes
/// in `starts` where the patterns can start (the cue pattern only if `cues`).
fn scan(r: &Res, text: &str, cues: bool, starts: &mut Starts, mut word: impl FnMut(usize, usize, bool)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Skip to a word start: an upper-case ASCII letter or any non-ASCII byte.
        let Some(k) = next_capital_or_non_ascii(b, i) else { break };
        i = k;
        let c = b[i];
        let prev = if i > 0 { b[i - 1] } else { 0 };
        let prev_alpha = prev.is_ascii_alphanumeric() || prev >= 0x80;
        if c < 0x80 {
            // Where the patterns can start: an honorific at a word start is looked at below
            // with the word.
            if prev >= 0x80 {
                pattern_starts(r, b, i, cues, starts);
            } else if cues && is_space(prev) {
                cue_starts(b, i, starts);
            }
        }
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
            let mut j = lower_run_end(b, i + 1);
            while let Some(&d) = b.get(j) {
                if d.is_ascii_uppercase() {
                    ok = false;
                    // After `-` or `'` an upper-case letter is a word start for the patterns.
                    if !b[j - 1].is_ascii_alphabetic() {
                        pattern_starts(r, b, j, cues, starts);
                    }
                } else if !d.is_ascii_lowercase() && d != b'\'' && d != b'-' {
                    break;
                }
                j += 1;
            }
            if b.get(j).is_none_or(|&d| d < 0x80) {
                if ok && j - s >= 2 {
                    // An upper-case letter and lower-case ones: lower-casing the first is enough.
                    let key = pack_exact_at(b, s, j);
                    let kind = if key == 0 { 0 } else { kind(r, key | 0x20) };
                    if kind & HONORIFIC != 0 && b.get(j).is_some_and(|&d| d == b'.' || is_space(d)) {
                        starts.honorifics.push(s);
                    }
                    word(s, j, kind & FIRST_NAME != 0);
                }
                i = j.max(i + 1);
                continue;
            }
            if honorific_at(r, b, s) {
                starts.honorifics.push(s);
            }
        }
        let mut ok = true;
        let mut first = true;
        let mut after_mark = false;
        let mut j = i;
        for (k, ch) in text.get(i..).unwrap_or("").char_indices() {
            if ch.is_alphabetic() || (!first && (ch == '\'' || ch == '-')) {
                if first {
                    ok = ch.is_uppercase();
                } else if ch.is_uppercase() {
                    ok = false;
                    if after_mark && ch.is_ascii() {
                        pattern_starts(r, b, i + k, cues, starts);
                    }
                }
                after_mark = !ch.is_alphabetic();
                first = false;
                j = i + k + ch.len_utf8();
            } else {
                break;
            }
        }
        if ok && j - s >= 2 {
            word(s, j, is_first_name(r, text.get(s..j).unwrap_or("")));
        }
        i = j.max(i + 1);
        while i < b.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    // A word read as characters after part of it was read as bytes notes its starts twice.
    for v in [&mut starts.honorifics, &mut starts.cues] {
        v.sort_unstable();
        v.dedup();
    }
}

/// The known first names among the capitalised words, each with the capitalised surname right
/// after it (one space between) if there is one.
struct FirstNames<'a> {
    r: &'a Res,
    text: &'a str,
    /// A first name whose next word is still to come.
    pending: Option<(usize, usize)>,
    found: Vec<(Severity, usize, usize, &'static str)>,
}

impl FirstNames<'_> {
    /// The next capitalised word, `text[s..e]`, and whether it is a known first name. Most
    /// words are neither a first name nor right after one, and need nothing.
    #[inline(always)]
    fn word(&mut self, s: usize, e: usize, first_name: bool) {
        if first_name || self.pending.is_some() {
            self.name_word(s, e, first_name);
        }
    }

    fn name_word(&mut self, s: usize, e: usize, first_name: bool) {
        if let Some((s0, e0)) = self.pending.take() {
            if s == e0 + 1
                && self.text.as_bytes().get(e0) == Some(&b' ')
                && !is_not_name(self.r, self.text.get(s..e).unwrap_or(""))
            {
                self.found.push((Severity::Medium, s0, e, "person_first_last"));
                return;
            }
            self.found.push((Severity::Low, s0, e0, "person_first_name"));
        }
        if first_name {
            self.pending = Some((s, e));
        }
    }

    fn finish(&mut self) {
        if let Some((s, e)) = self.pending.take() {
            self.found.push((Severity::Low, s, e, "person_first_name"));
        }
    }
}

/// Notes where the patterns can start given the upper-case ASCII letter at `k`: the honorific
/// pattern at `k` itself, the cue pattern at the cue before it.
fn pattern_starts(r: &Res, b: &[u8], k: usize, cues: bool, starts: &mut Starts) {
    let prev = k.checked_sub(1).and_then(|p| b.get(p)).copied();
    if !prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'_') && honorific_at(r, b, k) {
        starts.honorifics.push(k);
    }
    if cues && prev.is_some_and(|p| is_space(p) || p >= 0x80) {
        cue_starts(b, k, starts);
    }
}

/// Notes the start of the cue before the word at `k`, if there is one.
fn cue_starts(b: &[u8], k: usize, starts: &mut Starts) {
    if let Some(s) = cue_before(b, k) {
        starts.cues.push(s);
    }
}

/// ASCII whitespace as `\s` has it.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Whether an honorific starts at `k` and is followed by a dot or what may be whitespace.
fn honorific_at(r: &Res, b: &[u8], k: usize) -> bool {
    let mut e = k + 1;
    while e < b.len() && b[e].is_ascii_lowercase() {
        e += 1;
    }
    b.get(e).is_some_and(|&d| d == b'.' || d >= 0x80 || is_space(d)) && is_honorific(r, b, k, e)
}

/// Where the cue before the word at `k` starts, if the text before `k` is a cue word and
/// whitespace (any non-ASCII character counts as whitespace here).
fn cue_before(b: &[u8], k: usize) -> Option<usize> {
    let back = |mut q: usize| {
        while q > 0 && (is_space(b[q - 1]) || b[q - 1] >= 0x80) {
            q -= 1;
        }
        q
    };
    let q = back(k);
    let (end, words) = match *b.get(q.checked_sub(1)?)? {
        b',' => (q - 1, CUE_WORDS_COMMA),
        b':' => (back(q - 1), &[&b"name"[..]][..]),
        _ => (q, CUE_WORDS),
    };
    // Most words before a capitalised one end in none of the cue words' last four bytes.
    let tail = u32::from_le_bytes(b.get(end.checked_sub(4)?..end)?.try_into().ok()?) | 0x2020_2020;
    if !CUE_TAILS.iter().fold(false, |any, &t| any | (t == tail)) {
        return None;
    }
    let ends = |w: &[u8]| end >= w.len() && b[end - w.len()..end].eq_ignore_ascii_case(w);
    words.iter().find(|w| ends(w)).map(|w| end - w.len())
}

/// The last four bytes of every cue word (and of `name`), lower-cased as by `| 0x20`.
const CUE_TAILS: [u32; CUE_WORDS.len() + CUE_WORDS_COMMA.len() + 1] = {
    const fn tail(w: &[u8]) -> u32 {
        let n = w.len();
        u32::from_le_bytes([w[n - 4], w[n - 3], w[n - 2], w[n - 1]]) | 0x2020_2020
    }
    let mut t = [tail(b"name"); CUE_WORDS.len() + CUE_WORDS_COMMA.len() + 1];
    let mut i = 0;
    while i < CUE_WORDS.len() {
        t[i] = tail(CUE_WORDS[i]);
        i += 1;
    }
    while i < CUE_WORDS.len() + CUE_WORDS_COMMA.len() {
        t[i] = tail(CUE_WORDS_COMMA[i - CUE_WORDS.len()]);
        i += 1;
    }
    t
};

/// Where the run of lower-case ASCII letters, `'` and `-` from `from` ends, looked for eight
/// bytes at a time while the text has eight bytes left: the first position that holds another
/// byte, or the first of the last (fewer than eight) bytes, for the caller to read one by one.
fn lower_run_end(b: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const LOW7: u64 = ONES * 0x7f;
    let mut j = from;
    while let Some(c) = b.get(j..j + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        let x = u64::from_le_bytes(c);
        let x7 = x & LOW7;
        // Per byte, without carries between bytes: the top bit of the first sum is set from
        // `a` up, of the second above `z`; a byte plus 0x7f sets it unless the byte is 0.
        let lower = (x7 + ONES * 0x1f) & !(x7 + ONES * 0x05);
        let apostrophe = !((x7 ^ (ONES * u64::from(b'\''))) + LOW7);
        let dash = !((x7 ^ (ONES * u64::from(b'-'))) + LOW7);
        let stop = (x | !(lower | apostrophe | dash)) & (ONES << 7);
        if stop != 0 {
            return j + stop.trailing_zeros() as usize / 8;
        }
        j += 8;
    }
    j
}

/// First position at or after `from` holding an upper-case ASCII letter or a non-ASCII byte.
fn next_capital_or_non_ascii(b: &[u8], from: usize) -> Option<usize> {
    super::bytes::find_capital_or_wide(b, from)
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

    /// The capitalised words that [`scan`] reports; checks each key on the way.
    fn capitalised_words(text: &str) -> Vec<(usize, usize)> {
        let r = res().unwrap();
        let mut v = Vec::new();
        scan(r, text, false, &mut Starts::default(), |s, e, first_name| {
            assert_eq!(first_name, is_first_name(r, &text[s..e]), "{text}");
            v.push((s, e));
        });
        v
    }

    /// The detector as it was written first: both patterns over the whole text, the words read
    /// as characters, the word lists searched one by one.
    fn reference(text: &str, cues: bool, out: &mut Vec<Hit>) {
        let r = res().unwrap();
        let honorific = regex::Regex::new(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau|Sr|Sra|Sig|Mister)\.?\s+((?:[A-Z][\p{Ll}'\-]+|[A-Z]\.)(?:\s+(?:[A-Z][\p{Ll}'\-]+|[A-Z]\.)){0,2})").unwrap();
        let cue_re = regex::Regex::new(r"(?:\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame\s*:|[Nn]amed|[Cc]all me|[Dd]ear|[Ss]incerely,?|[Rr]egards,?|[Tt]hanks,?|[Cc]heers,?|[Ss]igned,?|[Bb]est,|[Ss]poke (?:to|with)|[Aa]sk for|[Pp]atient|[Ww]ritten by)\s+)((?:[A-Z][\p{Ll}'\-]+)(?:\s+[A-Z][\p{Ll}'\-]+){0,2})").unwrap();
        let strong = |cue: &str| {
            let c = cue.trim().to_ascii_lowercase();
            STRONG_CUES.iter().any(|s| c.starts_with(s))
        };
        let known = |w: &str| with_lowercase(w, |l| r.first.contains(l));
        let mut taken: Vec<(usize, usize)> =
            out.iter().filter(|h| h.ty == ThreatType::Pii).map(|h| (h.start, h.end)).collect();
        let mut add = |out: &mut Vec<Hit>, sev, s: usize, e: usize, pat: &'static str| {
            if s >= e || taken.iter().any(|&t| super::super::overlaps(t, (s, e))) {
                return;
            }
            taken.push((s, e));
            out.push(Hit::new(ThreatType::Pii, sev, s, e, pat).entity("person"));
        };
        for c in honorific.captures_iter(text) {
            if let Some(m) = c.get(1) {
                if !NOT_NAMES.contains(&m.as_str().split_whitespace().next().unwrap_or("")) {
                    add(out, Severity::Medium, m.start(), m.end(), "person_honorific");
                }
            }
        }
        let cue_hits = if cues { Some(cue_re.captures_iter(text)) } else { None };
        for c in cue_hits.into_iter().flatten() {
            let (Some(all), Some(m)) = (c.get(0), c.get(1)) else { continue };
            let cue = text.get(all.start()..m.start()).unwrap_or("");
            let first = m.as_str().split_whitespace().next().unwrap_or("");
            if NOT_NAMES.contains(&first) {
                continue;
            }
            if strong(cue) || known(first) {
                add(out, Severity::Medium, m.start(), m.end(), "person_cue");
            }
        }
        let words = by_chars(text);
        let mut k = 0;
        while k < words.len() {
            let (s, e) = words[k];
            if known(&text[s..e]) {
                match words.get(k + 1) {
                    Some(&(s2, e2)) if &text[e..s2] == " " && !NOT_NAMES.contains(&&text[s2..e2]) => {
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

    fn same_as_reference(text: &str) {
        for cues in [false, true] {
            let pii = Hit::new(ThreatType::Pii, Severity::High, 3, 9, "pii");
            for start in [vec![], vec![pii]] {
                let (mut got, mut want) = (start.clone(), start);
                detect(text, cues, &mut got);
                reference(text, cues, &mut want);
                let spans =
                    |v: &[Hit]| v.iter().map(|h| (h.start, h.end, h.sev, h.pattern.clone())).collect::<Vec<_>>();
                assert_eq!(spans(&got), spans(&want), "{text:?} cues {cues}");
            }
        }
    }

    #[test]
    fn finds_what_the_whole_text_patterns_find() {
        for text in [
            "Our customer, Dr. Maria Lopez, asked whether Mr Smith or Mrs. J. K. Rowling called.",
            "Mr.  Tom\tJones-Smith O'Hara Mister X. Y. Z. Q. and Prof.Plum and Dr-Who and Drake Sir",
            "x-Mr Bond, _Dr No, 1Dr No, éDr No, «Dr No», Dr\u{a0}No, Dr.\u{2003}No, Dr Über, Dr Ñu Ös",
            "Anne-Dr. Jones, O'Mr Kent, É-Dr. Jones, Ø'Mrs. Peel, AB-Dr. Who, Mme Zoë Ça",
            "My name is John Smith. my name's Ana. Name : Jane Doe, name:\u{a0}Jo, named Peter Parker",
            "Call me Ishmael. Dear Maria, Sincerely,\nJohn Regards, Anna Thanks Bob Cheers,  Tom",
            "Signed, Ulla. Best, Ken. I spoke with Maria Lopez. Spoke to John. Ask for Maria. Patient Ravi Shah",
            "Written by Olga Ivanova. Dear The Team, Thanks All. best,\u{2028}Zoë dear\u{a0}John «Dear» John",
            "Regards\u{a0}, John; thanks ,John; Name\u{3000}:\u{3000}Kim; xdear John; dear_ John; dears John",
            "John Smith met Mary Street and James The Great, Emma  Watson, Zhang Wei, Li Na, Kevin",
            "\u{212A}evin Bacon, KEVIN Bacon, Maximilian Oluwaseun-Adebayo, Aaaaaaaaaaaaaaaaaaaaaaaa Bbb",
            "Dear Dr. Maria Lopez, my name is Dr. Watson and Mr. Doe; Dear Mr. John",
            "Thanks,Bob. Thanks, bob. Named John, NAMED John, Dear  John",
            "",
            "Dr",
            "Dr.",
            "Dr. J",
            "Dr. J.",
            "dear J",
        ] {
            same_as_reference(text);
        }
        same_as_reference(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/corpus.rs")).unwrap());
    }

    /// Texts made of pieces chosen by a fixed-seed generator: runs of lower-case letters of
    /// every length, marks, capitals, digits, spaces and non-ASCII letters.
    fn seeded_texts(seed: u64, n: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "a",
            "bc",
            "defg",
            "hijklmn",
            "opqrstuvw",
            "xyzabcdefghijklmnopq",
            "'",
            "-",
            "A",
            "Jo",
            "John",
            "Maria",
            "Mr",
            "Dr.",
            "Z",
            " ",
            "  ",
            "\n",
            ".",
            ",",
            "1",
            "_",
            "[",
            "`",
            "{",
            "@",
            "é",
            "É",
            "ß",
            "\u{212A}",
            "Zoë",
            "\u{300}",
            "\u{a0}",
            "dear ",
            "Name: ",
            "my name is ",
            "\u{7f}",
        ];
        let mut x = seed | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n)
            .map(|_| {
                let parts = (next() % 40) as usize;
                (0..parts).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect()
            })
            .collect()
    }

    /// [`lower_run_end`] as its contract says: the run from `from` read one byte at a time, but
    /// within whole eight-byte steps from `from` only.
    fn lower_run_end_by_bytes(b: &[u8], from: usize) -> usize {
        let whole = from + b.len().saturating_sub(from) / 8 * 8;
        let mut j = from;
        while j < whole && (b[j].is_ascii_lowercase() || b[j] == b'\'' || b[j] == b'-') {
            j += 1;
        }
        j
    }

    #[test]
    fn lower_runs_end_where_read_byte_by_byte() {
        let mut texts = seeded_texts(0x5eed_0001, 3000);
        texts.extend(
            ["", "a", "abcdefg", "abcdefgh", "abcdefghi", "ab'c-d'e-fgZhij", "abcdefgh\u{e9}"].map(String::from),
        );
        for t in &texts {
            let b = t.as_bytes();
            for from in 0..=b.len() {
                assert_eq!(lower_run_end(b, from), lower_run_end_by_bytes(b, from), "{t:?} {from}");
            }
        }
    }

    #[test]
    fn seeded_texts_give_what_the_whole_text_patterns_give() {
        for t in seeded_texts(0x5eed_0002, 3000) {
            assert_eq!(capitalised_words(&t), by_chars(&t), "{t:?}");
            same_as_reference(&t);
        }
    }

    #[test]
    fn cue_words_are_no_ends_of_one_another() {
        for list in [CUE_WORDS, CUE_WORDS_COMMA] {
            for a in list {
                for b in list {
                    assert!(a == b || !a.ends_with(b), "{a:?} {b:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn finds_what_the_whole_text_patterns_find_in_any_text(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Dr", "Mr", "Mrs", "Sir", "Mister", "Ms", ".", ". ", " ", "  ", "\t", "\n", "\u{a0}", "\u{2003}",
                ",", ":", "-", "'", "_", "1", "é", "É", "Ö", "ß", "«", "\u{300}", "\u{212A}", "J", "K.",
                "John", "Maria", "Smith", "smith", "Lopez", "The", "Street", "DOE", "McD", "ÉMILE", "Émile", "Zoë",
                "my name is", "My name's", "Name", "name", "named", "call me", "Dear", "dear", "sincerely",
                "Regards", "thanks", "Cheers", "signed", "Best", "best", "spoke to", "Spoke with", "ask for",
                "Patient", "written by", "x", "and", "Anne-Marie", "O'Neil",
            ]), 0..24)
        ) {
            same_as_reference(&parts.concat());
        }
    }
}
