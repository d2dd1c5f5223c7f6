//! One prompt taken apart for intent scoring: its folded words, its sentences, the identifiers in
//! it (e-mails, order and account numbers) and the cue phrases the automaton finds.
//!
//! Everything is located by byte offsets of the original text, which both normalised views map
//! back to, so words found in the folded view, sentence ends found in the normalised view and
//! regex hits found in the original line up without converting between views.

use super::phrases::PhraseAutomaton;
use crate::normalise::{views, Folded, Normalised};

/// A word of the folded view.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word {
    /// Byte range in the folded view.
    pub start: u32,
    pub end: u32,
    /// Original byte offset of its first character.
    pub orig: u32,
    pub sentence: u32,
}

/// A run of words between sentence ends (`.`, `!`, `?`, a line break).
#[derive(Debug, Clone, Copy)]
pub(super) struct Sentence {
    pub first: u32,
    /// One past its last word.
    pub end: u32,
    /// Original offset of the question mark that ends it, when one does.
    pub question: Option<u32>,
    /// Original offset of its first word.
    pub orig_start: u32,
}

/// A cue phrase found in the folded view, covering words `first..=last` of one sentence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub pat: u32,
    pub first: u32,
    pub last: u32,
}

/// Something that names a particular record: an e-mail address, an order or account number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ident {
    pub start: usize,
    pub end: usize,
    pub sentence: u32,
}

pub(super) struct Analysis<'t> {
    /// The text given to the detector.
    pub text: &'t str,
    pub norm: Normalised,
    pub fold: Folded,
    /// The folded view with a space before and after, the automaton's haystack (see
    /// [`super::phrases::pad`]).
    padded: String,
    pub words: Vec<Word>,
    pub sentences: Vec<Sentence>,
    /// E-mail addresses and id-shaped tokens (`#12345`, `A-1234`, `cus_8f3k2l9x`), in order.
    /// Bare numbers count only after an id noun; those are found while scoring.
    pub idents: Vec<Ident>,
}

/// A sentence end seen in the normalised view, at an original offset.
#[derive(Clone, Copy)]
struct Boundary {
    orig: u32,
    question: bool,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'t> Analysis<'t> {
    pub fn new(text: &'t str) -> Self {
        let (norm, fold) = views(text);
        let scan = scan_normalised(&norm);
        let (words, sentences) = words_and_sentences(&fold, &scan.boundaries);
        let mut padded = String::with_capacity(fold.view.text.len() + 2);
        padded.push(' ');
        padded.push_str(&fold.view.text);
        padded.push(' ');
        let mut a = Analysis { text, norm, fold, padded, words, sentences, idents: Vec::new() };
        a.idents = a.idents_from(&scan);
        a
    }

    pub fn word(&self, i: u32) -> &str {
        self.words.get(i as usize).and_then(|w| self.fold.view.text.get(w.start as usize..w.end as usize)).unwrap_or("")
    }

    /// Original byte range of words `first..=last`.
    pub fn words_original(&self, first: u32, last: u32) -> Option<(usize, usize)> {
        let a = self.words.get(first as usize)?;
        let b = self.words.get(last as usize)?;
        self.fold.view.to_original(self.text, a.start as usize, b.end as usize)
    }

    /// Every phrase of the automaton that lies inside one sentence, ordered by position.
    /// Overlapping phrases are all reported: "card on file" and "on file" both count.
    pub fn hits(&self, automaton: &PhraseAutomaton) -> Vec<Hit> {
        // Cut the walk at the sentence start nearest the middle; the space before a word at
        // folded offset `s` is at haystack offset `s`.
        let half = self.padded.len() / 2;
        let cut = self
            .sentences
            .iter()
            .filter_map(|s| self.words.get(s.first as usize))
            .map(|w| w.start as usize)
            .min_by_key(|&s| s.abs_diff(half));
        let mut hits = Vec::new();
        // Matches arrive ordered by where they end, so the last word is found by walking forward.
        let mut last = 0usize;
        for m in automaton.find(self.padded.as_bytes(), cut) {
            // " credit card " ending at haystack offset e is [e - len, e - 2) of the folded view.
            let end = m.end.saturating_sub(2);
            while self.words.get(last).is_some_and(|w| (w.end as usize) < end) {
                last += 1;
            }
            let Some(first) = (last + 1).checked_sub(automaton.words(m.pattern)) else {
                continue;
            };
            let (Some(fw), Some(lw)) = (self.words.get(first), self.words.get(last)) else {
                continue;
            };
            if lw.end as usize != end || fw.sentence != lw.sentence {
                continue;
            }
            hits.push(Hit { pat: m.pattern, first: to_u32(first), last: to_u32(last) });
        }
        hits.sort_unstable_by_key(|h| (h.first, h.last, h.pat));
        hits
    }

    /// Drops identifiers that are really words the automaton knows, spelled in leetspeak
    /// ("Pl3453" is "please", not an id).
    pub fn drop_spelled_words(&mut self, hits: &[Hit]) {
        if self.idents.is_empty() {
            return;
        }
        let words = &self.words;
        self.idents.retain(|id| {
            let k = words.partition_point(|w| (w.orig as usize) < id.start);
            let is_word = words.get(k).is_some_and(|w| w.orig as usize == id.start);
            !(is_word && hits.iter().any(|h| (h.first as usize) <= k && k <= (h.last as usize)))
        });
    }

    /// The sentence an original byte offset falls in.
    pub fn sentence_at(&self, orig: usize) -> u32 {
        let i = self.sentences.partition_point(|s| s.orig_start as usize <= orig);
        to_u32(i.saturating_sub(1))
    }

    /// A record number right after an id noun ("order 12345", "account no. 4411",
    /// "order # 88-1245"): the first number of three or more digits within the next three words,
    /// skipping filler. Years count only directly after the noun ("order 2024", not "in 2024").
    pub fn number_after(&self, last: u32, sentence: u32) -> Option<(usize, usize)> {
        for k in last.saturating_add(1)..=last.saturating_add(3) {
            let w = self.words.get(k as usize)?;
            if w.sentence != sentence {
                return None;
            }
            let t = self.word(k);
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                let year = t.len() == 4 && (t.starts_with("19") || t.starts_with("20"));
                if t.len() >= 3 && (!year || k == last.saturating_add(1)) {
                    return self.words_original(k, k);
                }
                continue;
            }
            if !matches!(
                t,
                "number" | "no" | "num" | "nr" | "id" | "is" | "was" | "ending" | "with" | "of" | "for" | "in"
            ) {
                return None;
            }
        }
        None
    }

    /// A capitalised name right after a person noun ("customer Jane Doe") or a title ("Mr.
    /// Alvarez"). When a noun is itself capitalised (title case) two capitalised words are
    /// required, so headings do not count.
    pub fn name_after(&self, first: u32, last: u32, sentence: u32, title: bool) -> Option<(usize, usize)> {
        let capital = |k: u32| -> bool {
            let Some(w) = self.words.get(k as usize) else {
                return false;
            };
            w.sentence == sentence
                && self.word(k).len() > 1
                && self.text.get(w.orig as usize..).and_then(|t| t.chars().next()).is_some_and(char::is_uppercase)
        };
        let k = last.saturating_add(1);
        if !capital(k) || NOT_NAMES.contains(&self.word(k)) {
            return None;
        }
        let noun_lower = self
            .words
            .get(first as usize)
            .and_then(|w| self.text.get(w.orig as usize..))
            .and_then(|t| t.chars().next())
            .is_some_and(char::is_lowercase);
        let two = capital(k.saturating_add(1)) && !NOT_NAMES.contains(&self.word(k.saturating_add(1)));
        if two {
            self.words_original(k, k.saturating_add(1))
        } else if noun_lower || title {
            self.words_original(k, k)
        } else {
            None
        }
    }

    /// E-mail addresses and id-shaped tokens, mapped back to the original and to sentences.
    fn idents_from(&self, scan: &Scan) -> Vec<Ident> {
        let nb = self.norm.view.text.as_bytes();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for &at in &scan.ats {
            if let Some(r) = email_at(nb, at) {
                if ranges.last().is_none_or(|l| l.1 <= r.0) {
                    ranges.push(r);
                }
            }
        }
        let emails = ranges.len();
        for &(s, e) in &scan.tokens {
            let in_email = ranges[..emails].iter().any(|r| r.0 < e && s < r.1);
            if !in_email && nb.get(s..e).is_some_and(id_token) {
                ranges.push((s, e));
            }
        }
        ranges.sort_unstable();
        ranges
            .into_iter()
            .filter_map(|(s, e)| {
                let (os, oe) = self.norm.view.to_original(self.text, s, e)?;
                Some(Ident { start: os, end: oe, sentence: self.sentence_at(oe.saturating_sub(1)) })
            })
            .collect()
    }
}

/// Capitalised words that follow "customer"/"user" without being names.
const NOT_NAMES: &[&str] =
    &["i", "id", "ids", "the", "a", "an", "and", "or", "service", "support", "record", "records", "data", "info"];

/// `#12345`, `#A1234`, `a-1234`, `ord5566`, `cus_8f3k2l9x`: a hash and three digits, or a token
/// that starts with a letter and has at least three digits. Tokens that start with digits
/// ("1920s", "500ml") are quantities, not ids.
fn id_token(tok: &[u8]) -> bool {
    let (hash, body) = match tok.split_first() {
        Some((b'#', rest)) => (true, rest),
        _ => (false, tok),
    };
    let body = trim_bytes(body, |b| b == b'-' || b == b'_');
    if body.contains(&b'#') {
        return false;
    }
    let digits = body.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = body.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if hash {
        return digits >= 3 && body.first().is_some_and(u8::is_ascii_alphanumeric);
    }
    // Letters and digits interleaved without a separator read as leetspeak ("r3m0v3"), not as
    // an id; ids put a prefix before the number ("ord5566") or use separators ("cus_8f3k").
    let separated = body.iter().any(|&b| b == b'-' || b == b'_');
    let prefix_then_number = body.iter().skip_while(|b| b.is_ascii_alphabetic()).all(u8::is_ascii_digit);
    digits >= 3
        && letters >= 1
        && body.len() >= 4
        && body.first().is_some_and(u8::is_ascii_alphabetic)
        && (separated || prefix_then_number)
}

fn trim_bytes(mut s: &[u8], f: impl Fn(u8) -> bool) -> &[u8] {
    while let Some((&b, rest)) = s.split_first() {
        if !f(b) {
            break;
        }
        s = rest;
    }
    while let Some((&b, rest)) = s.split_last() {
        if !f(b) {
            break;
        }
        s = rest;
    }
    s
}

/// The e-mail address around the `@` at `at`, as a byte range of the normalised view.
fn email_at(nb: &[u8], at: usize) -> Option<(usize, usize)> {
    let local = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    let mut s = at;
    while s > 0 && local(nb[s - 1]) && at - s < 64 {
        s -= 1;
    }
    while s < at && nb[s] == b'.' {
        s += 1;
    }
    let mut e = at + 1;
    while e < nb.len() && domain(nb[e]) && e - at < 255 {
        e += 1;
    }
    while e > at + 1 && matches!(nb[e - 1], b'.' | b'-') {
        e -= 1;
    }
    let dom = nb.get(at + 1..e)?;
    let dot = dom.iter().rposition(|&b| b == b'.')?;
    let tld = dom.get(dot + 1..)?;
    (s < at && dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some((s, e))
}

/// What one pass over the normalised view finds.
#[derive(Default)]
struct Scan {
    boundaries: Vec<Boundary>,
    /// Positions of `@`, where e-mail addresses may be.
    ats: Vec<usize>,
    /// Tokens of letters, digits, `#`, `_` and `-` with at least three digits: id candidates.
    tokens: Vec<(usize, usize)>,
}

/// Bytes the scan stops at: digits, sentence ends and `@`. Everything else — nearly all of a
/// prompt — is skipped with one table look-up.
const RARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_digit() || matches!(c, b'?' | b'!' | b'\n' | b'.' | b'@');
        b += 1;
    }
    t
};

/// Whether the `.` at `dot` ends an abbreviation ("Mr.", "No.", an initial) rather than a
/// sentence.
fn abbreviation(nb: &[u8], dot: usize) -> bool {
    let mut s = dot;
    while s > 0 && nb[s - 1].is_ascii_alphabetic() && dot - s < 4 {
        s -= 1;
    }
    if s > 0 && nb[s - 1].is_ascii_alphanumeric() {
        return false;
    }
    matches!(
        &nb[s..dot],
        [_] | b"mr"
            | b"mrs"
            | b"ms"
            | b"dr"
            | b"st"
            | b"jr"
            | b"sr"
            | b"no"
            | b"nr"
            | b"vs"
            | b"etc"
            | b"acct"
            | b"ref"
    )
}

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'#' | b'_' | b'-')
}

/// One pass over the normalised view: sentence ends (`?`, `!`, a line break, or `.` before a
/// space, a line break or the end, so "example.com" and "4.5" do not split a sentence, and not
/// after an abbreviation), `@` signs, and tokens with three or more digits.
fn scan_normalised(n: &Normalised) -> Scan {
    let nb = n.view.text.as_bytes();
    let mut scan = Scan::default();
    let boundary = |i: usize, question: bool, scan: &mut Scan| {
        if let Some(o) = n.view.origin(i) {
            scan.boundaries.push(Boundary { orig: to_u32(o), question });
        }
    };
    let mut i = 0;
    while i < nb.len() {
        let b = nb[i];
        if !RARE[b as usize] {
            i += 1;
            continue;
        }
        match b {
            b'0'..=b'9' => {
                let mut s = i;
                while s > 0 && token_byte(nb[s - 1]) {
                    s -= 1;
                }
                let mut e = i;
                let mut digits = 0usize;
                while e < nb.len() && token_byte(nb[e]) {
                    digits += usize::from(nb[e].is_ascii_digit());
                    e += 1;
                }
                if digits >= 3 {
                    scan.tokens.push((s, e));
                }
                i = e;
                continue;
            }
            b'@' => scan.ats.push(i),
            b'.' => {
                if matches!(nb.get(i + 1), None | Some(b' ' | b'\n' | b'"' | b')' | b'\'')) && !abbreviation(nb, i) {
                    boundary(i, false, &mut scan);
                }
            }
            _ => boundary(i, b == b'?', &mut scan),
        }
        i += 1;
    }
    scan
}

fn words_and_sentences(fold: &Folded, boundaries: &[Boundary]) -> (Vec<Word>, Vec<Sentence>) {
    let text = fold.view.text.as_bytes();
    let mut words: Vec<Word> = Vec::with_capacity(text.len() / 5 + 1);
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut b = 0usize;
    let mut start = 0usize;
    while start < text.len() {
        let end = text[start..].iter().position(|&c| c == b' ').map_or(text.len(), |p| start + p);
        if end > start {
            let orig = to_u32(fold.view.origin(start).unwrap_or(0));
            // Sentence ends between the previous word and this one close the current sentence.
            let mut split = false;
            while b < boundaries.len() && boundaries[b].orig < orig {
                split = true;
                if boundaries[b].question {
                    if let Some(s) = sentences.last_mut() {
                        s.question.get_or_insert(boundaries[b].orig);
                    }
                }
                b += 1;
            }
            let idx = to_u32(words.len());
            if split || sentences.is_empty() {
                sentences.push(Sentence { first: idx, end: idx, question: None, orig_start: orig });
            }
            let sentence = to_u32(sentences.len() - 1);
            if let Some(s) = sentences.last_mut() {
                s.end = idx.saturating_add(1);
            }
            words.push(Word { start: to_u32(start), end: to_u32(end), orig, sentence });
        }
        start = end + 1;
    }
    if let Some(s) = sentences.last_mut() {
        if let Some(q) = boundaries[b..].iter().find(|x| x.question) {
            s.question.get_or_insert(q.orig);
        }
    }
    (words, sentences)
}
