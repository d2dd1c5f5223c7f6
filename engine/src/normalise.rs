//! Normalisation: turn adversarially formatted text into a canonical form for matching while
//! remembering, for every output byte, which byte of the original it came from.
//!
//! Two views are produced:
//! * [`Normalised`] — compatibility-decomposed (NFKD, diacritics dropped), lower-cased,
//!   look-alike letters folded to Latin, invisible characters removed, whitespace collapsed.
//!   Punctuation and digits are kept, so chat-template markers and numbers still match.
//! * [`Folded`] — words only: leetspeak folded, punctuation turned into single spaces, letters
//!   spelled out one at a time joined back into words. Phrase rules run here.

use unicode_normalization::UnicodeNormalization;

/// Text plus a map from each of its bytes to the original byte offset it came from.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub text: String,
    starts: Vec<u32>,
}

impl View {
    /// Original byte offset of the character that produced byte `i` of this view.
    pub fn origin(&self, i: usize) -> Option<usize> {
        self.starts.get(i).map(|&o| o as usize)
    }

    /// The first byte of this view that comes from original offset `orig` or later (the offsets
    /// only grow along a view). `None` when the whole view comes from before it.
    pub(crate) fn view_pos(&self, orig: usize) -> Option<usize> {
        let p = self.starts.partition_point(|&o| (o as usize) < orig);
        (p < self.starts.len()).then_some(p)
    }

    /// Maps a byte range of this view to the smallest range of `original` that covers it.
    /// Returns `None` when the range is empty or does not land on character boundaries.
    pub fn to_original(&self, original: &str, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end {
            return None;
        }
        let s = self.origin(start)?;
        let last = self.origin(end - 1)?;
        let tail = original.get(last..)?;
        let e = last + tail.chars().next().map_or(0, char::len_utf8);
        if s < e && original.is_char_boundary(s) && original.is_char_boundary(e) {
            Some((s, e))
        } else {
            None
        }
    }
}

/// What kind of invisible character was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvisibleKind {
    ZeroWidth,
    Bidi,
    Tag,
}

/// A run of removed invisible characters in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvisibleRun {
    pub kind: InvisibleKind,
    pub start: usize,
    pub end: usize,
    pub count: usize,
    /// The run sits between two letters, i.e. it splits a word (emoji joiners do not).
    pub inside_word: bool,
}

/// ASCII smuggled as Unicode tag characters (U+E0020..U+E007E), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPayload {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Normalised {
    pub view: View,
    pub invisible: Vec<InvisibleRun>,
    pub tag_payloads: Vec<TagPayload>,
}

impl Normalised {
    pub fn text(&self) -> &str {
        &self.view.text
    }
}

fn invisible_kind(c: char) -> Option<InvisibleKind> {
    match c {
        '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{034F}'
        | '\u{180E}'
        | '\u{115F}'
        | '\u{1160}'
        | '\u{3164}'
        | '\u{FFA0}' => Some(InvisibleKind::ZeroWidth),
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' => {
            Some(InvisibleKind::Bidi)
        }
        '\u{E0000}'..='\u{E007F}' => Some(InvisibleKind::Tag),
        _ => None,
    }
}

/// Marks that change no letter: accents and other combining diacritics, variation selectors,
/// Arabic vowel marks (harakat, which most Arabic text leaves out) and the tatweel that only
/// stretches a word ("تـجـاهـل" is "تجاهل"), and Hebrew vowel points. Marks that are letters of
/// their own script (Devanagari vowel signs, Thai vowels) stay.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'
        | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}' | '\u{06E8}' | '\u{06EA}'..='\u{06ED}'
        | '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}')
}

/// Letters from other scripts that render like Latin ones. Applied after lower-casing.
pub fn confusable(c: char) -> char {
    match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' | 'є' => 'e',
        'з' => '3',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'һ' => 'h',
        'ԁ' => 'd',
        'ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ɡ' => 'g',
        'ь' => 'b',
        'ո' => 'n',
        'п' => 'n',
        'г' => 'r',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'γ' => 'y',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'μ' => 'u',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        'ς' => 's',
        'ϲ' => 'c',
        'ϳ' => 'j',
        // Armenian and Latin look-alikes
        'օ' => 'o',
        'ս' => 'u',
        'հ' => 'h',
        'ı' => 'i',
        'ɩ' => 'i',
        'ɑ' => 'a',
        'ƚ' => 'l',
        'ȷ' => 'j',
        'ʏ' => 'y',
        'ᴀ' => 'a',
        'ʙ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ɪ' => 'i',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ʟ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ꜱ' => 's',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ᴢ' => 'z',
        // Typographic punctuation to ASCII so markers and quotes match
        '‘' | '’' | '‚' | '‛' | '′' => '\'',
        '“' | '”' | '„' | '‟' | '″' => '"',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
        _ => c,
    }
}

/// Accumulates the normalised bytes; whitespace is held back so runs collapse to one.
struct Builder {
    bytes: Vec<u8>,
    starts: Vec<u32>,
    pending_space: Option<(usize, bool)>,
}

/// Byte offsets are stored as `u32`; a text beyond 4 GiB saturates rather than wraps.
fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Appends the offsets `i..j` (each byte of an unchanged run maps to itself).
fn push_identity(starts: &mut Vec<u32>, i: usize, j: usize) {
    match (u32::try_from(i), u32::try_from(j)) {
        (Ok(a), Ok(b)) => starts.extend(a..b),
        _ => starts.extend((i..j).map(offset)),
    }
}

impl Builder {
    fn space(&mut self, orig: usize, newline: bool) {
        match &mut self.pending_space {
            Some((_, nl)) => *nl |= newline,
            None => self.pending_space = Some((orig, newline)),
        }
    }

    fn flush_space(&mut self) {
        if let Some((at, nl)) = self.pending_space.take() {
            if !self.bytes.is_empty() {
                self.bytes.push(if nl { b'\n' } else { b' ' });
                self.starts.push(offset(at));
            }
        }
    }

    fn push(&mut self, c: char, orig: usize) {
        if self.pending_space.is_some() {
            self.flush_space();
        }
        let mut buf = [0u8; 4];
        let enc = c.encode_utf8(&mut buf);
        self.bytes.extend_from_slice(enc.as_bytes());
        let o = offset(orig);
        for _ in 0..enc.len() {
            self.starts.push(o);
        }
    }

    fn finish(self) -> View {
        // Every push wrote whole UTF-8 sequences, so this cannot fail; stay total regardless.
        let text = String::from_utf8(self.bytes).unwrap_or_default();
        let starts = if text.is_empty() { Vec::new() } else { self.starts };
        View { text, starts }
    }
}

/// Byte classes for the ASCII fast path of [`normalise`].
const VISIBLE: u8 = 0;
const SPACE: u8 = 1;
const OTHER_WS: u8 = 2;
const NON_ASCII: u8 = 3;

static NORM_CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 0x80 {
        t[b] = match b as u8 {
            b' ' => SPACE,
            b'\t' | b'\n' | b'\x0C' | b'\r' => OTHER_WS,
            _ => VISIBLE,
        };
        b += 1;
    }
    t
};

/// End of the run starting at `i` (a visible ASCII byte) that normalises to itself lower-cased:
/// visible ASCII, plus single spaces between visible ASCII bytes (a lone space maps to itself).
/// Eight bytes at a time while none of them needs a closer look, then byte by byte.
fn ascii_run_end(bytes: &[u8], i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |c: &[u8]| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    let mut j = i + 1;
    loop {
        // Eight bytes and the one after them. A byte passes when it is ASCII, not below a space,
        // and, if it is a space, followed by an ASCII byte above space (so a visible one).
        while let Some(c) = bytes.get(j..j + 9) {
            let x = word(&c[..8]);
            let next = word(&c[1..]);
            let y = x & LOW7;
            // Per byte, without carries between bytes: the high bit of `y + (0x80 - v)` says
            // `y >= v`, and that of `((s & LOW7) + LOW7) | s` says `s` is not zero.
            let below_space = !(y + 0x60 * ONES) & HIGH;
            let s = x ^ (0x20 * ONES);
            let space = !(((s & LOW7) + LOW7) | s) & HIGH;
            let next_low = !((next & LOW7) + 0x5f * ONES) & HIGH | (next & HIGH);
            let stop = (x & HIGH) | below_space | (space & next_low);
            if stop != 0 {
                j += stop.trailing_zeros() as usize / 8;
                break;
            }
            j += 8;
        }
        // The byte that stopped the search (or one near the end), the slow way.
        let Some(&c) = bytes.get(j) else { return j };
        match NORM_CLASS[c as usize] {
            VISIBLE => j += 1,
            SPACE if bytes.get(j + 1).is_some_and(|&n| NORM_CLASS[n as usize] == VISIBLE) => j += 2,
            _ => return j,
        }
    }
}

/// Normalises `text`. Never fails; every output byte maps back to an original character.
pub fn normalise(text: &str) -> Normalised {
    let mut b = Builder {
        bytes: Vec::with_capacity(text.len() + 8),
        starts: Vec::with_capacity(text.len() + 8),
        pending_space: None,
    };
    let mut invisible: Vec<InvisibleRun> = Vec::new();
    let mut tag_payloads: Vec<TagPayload> = Vec::new();
    let mut prev_letter = false;
    let mut open_run: Option<InvisibleRun> = None;

    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte < 0x80 {
            if let Some(mut r) = open_run.take() {
                r.inside_word = r.inside_word && byte.is_ascii_alphanumeric();
                invisible.push(r);
            }
            if byte.is_ascii_whitespace() {
                b.space(i, byte == b'\n');
                prev_letter = false;
                i += 1;
                continue;
            }
            if b.pending_space.is_some() {
                b.flush_space();
            }
            // Plain ASCII is the common case: lower-case a whole run and map it in bulk.
            let j = ascii_run_end(bytes, i);
            b.bytes.extend(bytes[i..j].iter().map(u8::to_ascii_lowercase));
            push_identity(&mut b.starts, i, j);
            prev_letter = bytes[j - 1].is_ascii_alphanumeric();
            i = j;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        let next_i = i + c.len_utf8();
        if let Some(kind) = invisible_kind(c) {
            if kind == InvisibleKind::Tag {
                let cp = c as u32 - 0xE0000;
                if (0x20..0x7F).contains(&cp) {
                    let ch = char::from_u32(cp).unwrap_or(' ');
                    match tag_payloads.last_mut() {
                        Some(p) if p.end == i => {
                            p.text.push(ch);
                            p.end = i + c.len_utf8();
                        }
                        _ => tag_payloads.push(TagPayload { text: ch.to_string(), start: i, end: i + c.len_utf8() }),
                    }
                }
            }
            match &mut open_run {
                Some(r) if r.end == i && r.kind == kind => {
                    r.end = i + c.len_utf8();
                    r.count += 1;
                }
                _ => {
                    if let Some(r) = open_run.take() {
                        invisible.push(r);
                    }
                    open_run = Some(InvisibleRun {
                        kind,
                        start: i,
                        end: i + c.len_utf8(),
                        count: 1,
                        inside_word: prev_letter,
                    });
                }
            }
            i = next_i;
            continue;
        }
        let letter = c.is_alphanumeric();
        if let Some(mut r) = open_run.take() {
            r.inside_word = r.inside_word && letter;
            invisible.push(r);
        }
        prev_letter = letter;

        if c.is_whitespace() {
            b.space(i, c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}');
            i = next_i;
            continue;
        }
        // Hangul syllables decompose into jamo under NFKD, which helps no rule.
        if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
            b.push(c, i);
            i = next_i;
            continue;
        }
        for d in std::iter::once(c).nfkd() {
            if is_combining_mark(d) {
                continue;
            }
            if d.is_whitespace() {
                b.space(i, false);
                continue;
            }
            for l in d.to_lowercase() {
                b.push(confusable(l), i);
            }
        }
        i = next_i;
    }
    if let Some(mut r) = open_run.take() {
        r.inside_word = false;
        invisible.push(r);
    }
    Normalised { view: b.finish(), invisible, tag_payloads }
}

/// The word-only view. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub view: View,
    /// Byte offset of every word in `view.text` (words are separated by exactly one space).
    words: Vec<u32>,
}

impl Folded {
    pub fn text(&self) -> &str {
        &self.view.text
    }

    /// Byte offsets at which the words of the folded text start, in order.
    pub fn word_starts(&self) -> &[u32] {
        &self.words
    }
}

fn leet(b: u8) -> Option<u8> {
    Some(match b {
        b'0' => b'o',
        b'1' => b'i',
        b'3' => b'e',
        b'4' => b'a',
        b'5' => b's',
        b'7' => b't',
        b'8' => b'b',
        b'9' => b'g',
        b'@' => b'a',
        b'$' => b's',
        b'|' => b'l',
        _ => return None,
    })
}

/// Byte classes for [`fold`]: which ASCII bytes continue a word, start one, are letters, or are
/// leetspeak for a letter.
const W_CONT: u8 = 1;
const W_START: u8 = 2;
const W_ALPHA: u8 = 4;
const W_LEET: u8 = 8;

static FOLD_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x80 {
        let c = b as u8;
        let mut v = 0;
        if c.is_ascii_alphanumeric() || c == b'@' || c == b'$' {
            v |= W_CONT | W_START;
        }
        // A pipe continues a word ("|gn0r3" is no word, "h3|p" is) but never starts one.
        if c == b'|' {
            v |= W_CONT;
        }
        if c.is_ascii_alphabetic() {
            v |= W_ALPHA;
        }
        if matches!(c, b'0' | b'1' | b'3' | b'4' | b'5' | b'7' | b'8' | b'9' | b'@' | b'$' | b'|') {
            v |= W_LEET;
        }
        t[b] = v;
        b += 1;
    }
    t
};

/// Rewrites a finished token `out[ts..o]` (and its offsets) in place: leetspeak becomes letters
/// in words that have letters, and symbol characters vanish from tokens that have none (so
/// "$100" stays a number). Returns the token's new end.
fn finish_token(out: &mut [u8], starts: &mut [u32], ts: usize, o: usize, has_letter: bool, has_leet: bool) -> usize {
    let Some(tok) = out.get_mut(ts..o) else { return o };
    if has_leet && has_letter {
        for b in tok {
            if let Some(l) = leet(*b) {
                *b = l;
            }
        }
        o
    } else if !has_letter && tok.iter().any(|&b| b == b'@' || b == b'$' || b == b'|') {
        let mut k = ts;
        for r in ts..o {
            if !matches!(out[r], b'@' | b'$' | b'|') {
                out[k] = out[r];
                starts[k] = starts[r];
                k += 1;
            }
        }
        k
    } else {
        o
    }
}

/// The end of the lower-case ASCII letters from `e` in `src`, copying them and their offsets
/// `ssrc` to `dst` and `sdst` (all four the same length). Eight bytes at a time, written before
/// they are tested (a word is usually found in one step): bytes past the letters land beyond
/// them, where whatever comes next overwrites them.
#[inline(always)]
fn copy_lower(src: &[u8], ssrc: &[u32], dst: &mut [u8], sdst: &mut [u32], mut e: usize) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let (Some(c), Some(s), Some(d), Some(ds)) =
        (src.get(e..e + 8), ssrc.get(e..e + 8), dst.get_mut(e..e + 8), sdst.get_mut(e..e + 8))
    {
        d.copy_from_slice(c);
        ds.copy_from_slice(s);
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let y = x & LOW7;
        // Per byte, without carries between bytes: the high bit of `y + 0x1f` says `>= b'a'`,
        // that of `y + 0x05` says `>= b'{'`, and `x`'s own high bit marks non-ASCII.
        let lower = (y + 0x1f1f_1f1f_1f1f_1f1f) & !(y + 0x0505_0505_0505_0505) & !x & HIGH;
        let other = !lower & HIGH;
        if other != 0 {
            return e + other.trailing_zeros() as usize / 8;
        }
        e += 8;
    }
    while let Some(&b) = src.get(e).filter(|b| b.is_ascii_lowercase()) {
        if let (Some(d), Some(ds), Some(&s)) = (dst.get_mut(e), sdst.get_mut(e), ssrc.get(e)) {
            *d = b;
            *ds = s;
        }
        e += 1;
    }
    e
}

/// The next token start at or after `i` (`bytes.len()` when there is none): an ASCII letter,
/// digit, '@' or '$', or a non-ASCII alphanumeric character.
#[inline]
fn token_start(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if FOLD_CLASS[b as usize] & W_START != 0 {
                return i;
            }
            i += 1;
        } else {
            let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
            if c.is_alphanumeric() {
                return i;
            }
            i += c.len_utf8().max(1);
        }
    }
    bytes.len()
}

/// Whether a run of lower-case letters ending at `j` is a whole plain word: the byte there would
/// not continue or change the token (no digit, symbol, non-ASCII character or inner apostrophe).
#[inline]
fn ends_plain(bytes: &[u8], j: usize) -> bool {
    match bytes.get(j) {
        Some(&c) if c >= 0x80 || FOLD_CLASS[c as usize] & W_CONT != 0 => false,
        Some(b'\'') => !bytes.get(j + 1).is_some_and(u8::is_ascii_alphabetic),
        _ => true,
    }
}

/// Folds the token at `i` (not a plain word) to `out[o..]` and `starts[o..]`: letters and digits
/// kept, inner apostrophes dropped, then [`finish_token`]. Returns the input and output positions
/// after it.
#[inline(never)]
fn fold_token(
    text: &str,
    sst: &[u32],
    out: &mut [u8],
    starts: &mut [u32],
    mut i: usize,
    mut o: usize,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let ts = o;
    let mut flags = 0u8;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            let t = FOLD_CLASS[b as usize];
            if t & W_CONT != 0 {
                flags |= t;
                if let (Some(d), Some(ds), Some(&s)) = (out.get_mut(o), starts.get_mut(o), sst.get(i)) {
                    *d = b;
                    *ds = s;
                }
                o += 1;
                i += 1;
                continue;
            }
            // "don't" folds to "dont": an apostrophe inside a word is not a break.
            if b == b'\'' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
                continue;
            }
            break;
        }
        let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
        let w = c.len_utf8();
        if !c.is_alphanumeric() || i + w > len {
            break;
        }
        if c.is_alphabetic() {
            flags |= W_ALPHA;
        }
        if let (Some(d), Some(ds), Some(s)) = (out.get_mut(o..o + w), starts.get_mut(o..o + w), bytes.get(i..i + w)) {
            d.copy_from_slice(s);
            ds.fill(sst.get(i).copied().unwrap_or(0));
        }
        o += w;
        i += w;
    }
    let o = finish_token(out, starts, ts, o, flags & W_ALPHA != 0, flags & W_LEET != 0);
    (i, o)
}

/// Where [`fold`] is: the next input byte and the next output byte.
struct Cursor {
    i: usize,
    o: usize,
}

/// Copies the run of plain words at `cur.i` (lower-case ASCII words that end where the folded
/// view ends them too, separated by single spaces: such a run folds to itself), lists where its
/// words start, and maps each separator to the word after it. Returns whether it copied any:
/// `false` leaves `cur` as it was, and the token there goes through [`fold_token`]. A run ends
/// after its last plain word, or before the separator in front of a word that is not plain.
#[inline(never)]
fn plain_words(
    bytes: &[u8],
    sst: &[u32],
    out: &mut [u8],
    starts: &mut [u32],
    words: &mut Vec<u32>,
    cur: &mut Cursor,
) -> bool {
    let (i0, o0) = (cur.i, cur.o);
    // Inside a run every byte is copied to its own place, so one index `r` serves the input
    // from `i0` and the output from `o0` (which never runs ahead of the input: it has room).
    let (Some(src), Some(ssrc)) = (bytes.get(i0..), sst.get(i0..)) else { return false };
    let n = src.len().min(ssrc.len());
    // Word starts are `u32` offsets of the output: a run that would pass that is not taken.
    let (Some(src), Some(ssrc), Some(dst), Some(sdst), Ok(base)) = (
        src.get(..n),
        ssrc.get(..n),
        out.get_mut(o0..).and_then(|d| d.get_mut(..n)),
        starts.get_mut(o0..).and_then(|d| d.get_mut(..n)),
        u32::try_from(o0 + n),
    ) else {
        return false;
    };
    let base = base - n as u32;
    let mut r = 0;
    loop {
        let e = copy_lower(src, ssrc, dst, sdst, r);
        match (src.get(e), src.get(e + 1)) {
            // The usual case: a space and another lower-case word.
            (Some(b' '), Some(c)) if c.is_ascii_lowercase() => {}
            _ if e > r && ends_plain(src, e) => {
                // The last word of the run.
                words.push(base + r as u32);
                *cur = Cursor { i: i0 + e, o: o0 + e };
                return true;
            }
            _ => {
                // A word that is not plain: the run ends before the separator in front of it.
                if r == 0 {
                    return false;
                }
                *cur = Cursor { i: i0 + r - 1, o: o0 + r - 1 };
                return true;
            }
        }
        words.push(base + r as u32);
        // The separator maps to the word after it.
        if let (Some(d), Some(ds), Some(&s)) = (dst.get_mut(e), sdst.get_mut(e), ssrc.get(e + 1)) {
            *d = b' ';
            *ds = s;
        }
        r = e + 1;
    }
}

/// Whether three one-letter words follow each other in `words` (word starts in `out`, separated
/// by single spaces, `end` the text's end). Words at least one byte long and a space apart make
/// three in a row span exactly six bytes to the fourth start (or seven to the end) only when all
/// three are one byte long, which is tested for the whole list first; only then are the letters
/// looked at.
fn has_single_run(out: &[u8], words: &[u32], end: usize) -> bool {
    let Some(last3) = words.len().checked_sub(3).and_then(|k| words.get(k)) else { return false };
    let mut hits = u32::from(offset(end).wrapping_sub(*last3) == 5);
    for (&v, &w) in words.get(3..).unwrap_or(&[]).iter().zip(words) {
        hits |= u32::from(v.wrapping_sub(w) == 6);
    }
    if hits == 0 {
        return false;
    }
    let letter = |w: u32| {
        let w = w as usize;
        out.get(w).is_some_and(u8::is_ascii_alphabetic) && out.get(w + 1).is_none_or(|&b| b == b' ')
    };
    let mut run = 0;
    for &w in words {
        run = if letter(w) { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    false
}

/// Builds the folded view from a normalised one in one pass over its bytes: runs of plain words
/// are copied as they are found ([`plain_words`]), other tokens are rewritten byte by byte
/// ([`fold_token`]). Both write by index into buffers as long as the input: folding never
/// lengthens the text, since every separator stands for at least one byte it drops. Three
/// one-letter words in a row are looked for once at the end ([`has_single_run`]) instead of
/// word by word.
pub fn fold(n: &Normalised) -> Folded {
    let src = &n.view;
    let len = src.text.len().min(src.starts.len());
    let Some(text) = src.text.get(..len) else { return Folded::default() };
    let bytes = text.as_bytes();
    let sst = &src.starts[..len];
    let mut out = vec![0u8; len];
    let mut starts = vec![0u32; len];
    // Every word is at least one byte and all but the last have a separator after them.
    let mut words = Vec::with_capacity(len / 2 + 1);
    let mut cur = Cursor { i: 0, o: 0 };
    loop {
        let i = token_start(text, cur.i);
        if i >= len {
            break;
        }
        cur.i = i;
        // The separator maps to the token after it.
        let sep = cur.o;
        if !words.is_empty() {
            if let (Some(d), Some(ds), Some(&s)) = (out.get_mut(sep), starts.get_mut(sep), sst.get(i)) {
                *d = b' ';
                *ds = s;
            }
            cur.o += 1;
        }
        if plain_words(bytes, sst, &mut out, &mut starts, &mut words, &mut cur) {
            continue;
        }
        let ts = cur.o;
        (cur.i, cur.o) = fold_token(text, sst, &mut out, &mut starts, cur.i, cur.o);
        if cur.o == ts {
            // The token vanished (only symbols); drop the separator written before it.
            cur.o = sep;
        } else {
            words.push(offset(ts));
        }
    }
    out.truncate(cur.o);
    starts.truncate(cur.o);
    if has_single_run(&out, &words, cur.o) {
        join_single_letters(&mut out, &mut starts);
        words.clear();
        words.push(0);
        words.extend(out.iter().enumerate().filter(|(_, &b)| b == b' ').map(|(k, _)| offset(k + 1)));
    }
    let text = String::from_utf8(out).unwrap_or_default();
    if text.is_empty() {
        return Folded::default();
    }
    Folded { view: View { starts, text }, words }
}

/// "i g n o r e" → "ignore": three or more one-letter words in a row form one word.
fn join_single_letters(out: &mut Vec<u8>, starts: &mut Vec<u32>) {
    let spans: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut s = 0;
        for (i, &b) in out.iter().enumerate() {
            if b == b' ' {
                v.push((s, i));
                s = i + 1;
            }
        }
        v.push((s, out.len()));
        v
    };
    let single = |&(s, e): &(usize, usize)| e == s + 1 && out[s].is_ascii_alphabetic();
    let mut keep_space = vec![true; spans.len()];
    let mut i = 0;
    while i < spans.len() {
        if single(&spans[i]) {
            let mut k = i;
            while k < spans.len() && single(&spans[k]) {
                k += 1;
            }
            if k - i >= 3 {
                for flag in &mut keep_space[i + 1..k] {
                    *flag = false;
                }
            }
            i = k.max(i + 1);
        } else {
            i += 1;
        }
    }
    let mut nb = Vec::with_capacity(out.len());
    let mut ns = Vec::with_capacity(out.len());
    for (t, &(s, e)) in spans.iter().enumerate() {
        if t > 0 && keep_space[t] {
            nb.push(b' ');
            ns.push(starts[s.saturating_sub(1)]);
        }
        nb.extend_from_slice(&out[s..e]);
        ns.extend_from_slice(&starts[s..e]);
    }
    *out = nb;
    *starts = ns;
}

/// Both views at once.
pub fn views(text: &str) -> (Normalised, Folded) {
    let n = normalise(text);
    let f = fold(&n);
    (n, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalise(s).view.text
    }
    fn folded(s: &str) -> String {
        fold(&normalise(s)).view.text
    }

    #[test]
    fn case_width_and_space() {
        assert_eq!(norm("  Hello\t\tWORLD  "), "hello world");
        assert_eq!(norm("ＩＧＮＯＲＥ"), "ignore");
        assert_eq!(norm("a\n\n b"), "a\nb");
    }

    #[test]
    fn homoglyphs_and_marks() {
        assert_eq!(norm("іgnоrе"), "ignore");
        assert_eq!(norm("ïgnörè"), "ignore");
        assert_eq!(norm("𝐢𝐠𝐧𝐨𝐫𝐞"), "ignore");
        // Arabic vowel marks and the stretching tatweel change no letter; Devanagari vowel
        // signs are letters and stay.
        assert_eq!(norm("انسَ القواعدَ"), norm("انس القواعد"));
        assert_eq!(norm("تـجـاهـل"), norm("تجاهل"));
        assert_ne!(norm("भूल"), norm("भल"));
    }

    #[test]
    fn invisible_removed_and_recorded() {
        let n = normalise("ig\u{200B}no\u{200B}re");
        assert_eq!(n.view.text, "ignore");
        assert_eq!(n.invisible.len(), 2);
        assert!(n.invisible.iter().all(|r| r.inside_word));
    }

    #[test]
    fn tag_characters_decode() {
        let hidden: String = "hi there".chars().map(|c| char::from_u32(0xE0000 + c as u32).unwrap()).collect();
        let text = format!("ok{hidden}!");
        let n = normalise(&text);
        assert_eq!(n.view.text, "ok!");
        assert_eq!(n.tag_payloads.len(), 1);
        assert_eq!(n.tag_payloads[0].text, "hi there");
        assert_eq!(&text[n.tag_payloads[0].start..n.tag_payloads[0].end], hidden);
    }

    #[test]
    fn fold_leet_split_and_punct() {
        assert_eq!(folded("1gn0r3 4ll pr3v10us"), "ignore all previous");
        assert_eq!(folded("i g n o r e previous"), "ignore previous");
        assert_eq!(folded("i-g-n-o-r-e the rules"), "ignore the rules");
        assert_eq!(folded("i.g.n.o.r.e, don't!"), "ignore dont");
        assert_eq!(folded("call 555 1234"), "call 555 1234");
    }

    #[test]
    fn ascii_run_end_matches_the_byte_rule() {
        // The rule one byte at a time, as the eight-byte search must apply it.
        let reference = |bytes: &[u8], i: usize| {
            let mut j = i + 1;
            while let Some(&c) = bytes.get(j) {
                match NORM_CLASS[c as usize] {
                    VISIBLE => j += 1,
                    SPACE if bytes.get(j + 1).is_some_and(|&n| NORM_CLASS[n as usize] == VISIBLE) => j += 2,
                    _ => break,
                }
            }
            j
        };
        let alphabet: &[u8] = b"aZ. \t\n\r\x0b\x0c\x01\x7f\xc3\xa9  ";
        let mut next = crate::seeded::xorshift(0x2545_f491_4f6c_dd1du64);
        for len in 1..80 {
            for _ in 0..200 {
                let text: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
                for i in 0..len {
                    if NORM_CLASS[text[i] as usize] == VISIBLE {
                        assert_eq!(ascii_run_end(&text, i), reference(&text, i), "{text:?} from {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn lower_end_finds_the_first_other_byte() {
        // `copy_lower` returns where the letters end and copies at least them, with their
        // offsets, to the same places.
        let check = |b: &[u8], from: usize, want: usize| {
            let offsets: Vec<u32> = (0..b.len() as u32).map(|k| 1000 + k).collect();
            let mut dst = vec![0u8; b.len()];
            let mut sdst = vec![0u32; b.len()];
            let end = copy_lower(b, &offsets, &mut dst, &mut sdst, from);
            assert_eq!(end, want, "{b:?} {from}");
            assert_eq!(dst[from..end], b[from..end], "{b:?} {from}");
            assert_eq!(sdst[from..end], offsets[from..end], "{b:?} {from}");
        };
        for text in ["", "abc", "abcdefgh", "abcdefghijklmnopq", "abcdefgh{ij", "ab`cd", "abcdefgzA", "abcdefghé"] {
            let b = text.as_bytes();
            for from in 0..=b.len() {
                let slow = from + b[from..].iter().take_while(|c| c.is_ascii_lowercase()).count();
                check(b, from, slow);
            }
        }
        for b in 0..=255u8 {
            let mut v = vec![b'a'; 9];
            v[3] = b;
            let want = if b.is_ascii_lowercase() { 9 } else { 3 };
            check(&v, 0, want);
        }
    }

    /// A plainer fold (a run of plain words found first and copied after, one-letter words
    /// counted word by word): the output `normalise::fold` must reproduce byte for byte.
    mod reference {
        use super::super::*;

        fn lower_end(bytes: &[u8], mut j: usize) -> usize {
            while bytes.get(j).is_some_and(u8::is_ascii_lowercase) {
                j += 1;
            }
            j
        }

        fn plain_run(bytes: &[u8], i: usize, mut word: impl FnMut(usize, usize)) -> usize {
            let mut j = i;
            let mut ws = i;
            loop {
                j = lower_end(bytes, j);
                match bytes.get(j) {
                    Some(&c) if c >= 0x80 || FOLD_CLASS[c as usize] & W_CONT != 0 => break,
                    Some(b'\'') if bytes.get(j + 1).is_some_and(u8::is_ascii_alphabetic) => break,
                    _ => {}
                }
                word(ws, j);
                if bytes.get(j) == Some(&b' ') && bytes.get(j + 1).is_some_and(u8::is_ascii_lowercase) {
                    j += 1;
                    ws = j;
                } else {
                    return j;
                }
            }
            if ws > i {
                ws - 1
            } else {
                i
            }
        }

        pub fn fold(n: &Normalised) -> Folded {
            let src = &n.view;
            let text = src.text.as_str();
            let bytes = text.as_bytes();
            let sst = src.starts.as_slice();
            let len = bytes.len().min(sst.len());
            let mut out: Vec<u8> = Vec::with_capacity(len);
            let mut starts: Vec<u32> = Vec::with_capacity(len);
            let mut words: Vec<u32> = Vec::with_capacity(len / 4 + 1);
            let mut singles = 0usize;
            let mut single_run = false;
            let mut i = 0;
            'tokens: loop {
                loop {
                    let Some(&b) = bytes.get(i) else { break 'tokens };
                    if b < 0x80 {
                        if FOLD_CLASS[b as usize] & W_START != 0 {
                            break;
                        }
                        i += 1;
                    } else {
                        let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
                        if c.is_alphanumeric() {
                            break;
                        }
                        i += c.len_utf8().max(1);
                    }
                }
                if i >= len {
                    break;
                }
                if !words.is_empty() {
                    out.push(b' ');
                    starts.push(sst[i]);
                }
                let o0 = out.len();
                let first_word = words.len();
                let re = plain_run(&bytes[..len], i, |ws, we| {
                    words.push(offset(o0 + ws - i));
                    if we - ws == 1 {
                        singles += 1;
                        single_run |= singles >= 3;
                    } else {
                        singles = 0;
                    }
                });
                if re > i {
                    out.extend_from_slice(&bytes[i..re]);
                    starts.extend_from_slice(&sst[i..re]);
                    for &q in words.get(first_word + 1..).unwrap_or(&[]) {
                        let q = q as usize;
                        if let (Some(slot), Some(&next)) = (starts.get_mut(q - 1), sst.get(i + q - o0)) {
                            *slot = next;
                        }
                    }
                    i = re;
                    continue;
                }
                let ts = out.len();
                let mut flags = 0u8;
                while i < len {
                    let b = bytes[i];
                    if b < 0x80 {
                        let t = FOLD_CLASS[b as usize];
                        if t & W_CONT != 0 {
                            flags |= t;
                            out.push(b);
                            starts.push(sst[i]);
                            i += 1;
                            continue;
                        }
                        if b == b'\'' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
                    let w = c.len_utf8();
                    if !c.is_alphanumeric() || i + w > len {
                        break;
                    }
                    if c.is_alphabetic() {
                        flags |= W_ALPHA;
                    }
                    out.extend_from_slice(&bytes[i..i + w]);
                    starts.extend(std::iter::repeat_n(sst[i], w));
                    i += w;
                }
                let has_letter = flags & W_ALPHA != 0;
                let end = out.len();
                let o = finish_token(&mut out, &mut starts, ts, end, has_letter, flags & W_LEET != 0);
                out.truncate(o);
                starts.truncate(o);
                if o == ts {
                    if !words.is_empty() {
                        out.pop();
                        starts.pop();
                    }
                } else {
                    words.push(offset(ts));
                    if o - ts == 1 && has_letter {
                        singles += 1;
                        single_run |= singles >= 3;
                    } else {
                        singles = 0;
                    }
                }
            }
            if single_run {
                join_single_letters(&mut out, &mut starts);
                words.clear();
                words.push(0);
                words.extend(out.iter().enumerate().filter(|(_, &b)| b == b' ').map(|(k, _)| offset(k + 1)));
            }
            let text = String::from_utf8(out).unwrap_or_default();
            if text.is_empty() {
                return Folded::default();
            }
            Folded { view: View { starts, text }, words }
        }
    }

    fn assert_same_fold(text: &str) {
        let n = normalise(text);
        let (got, want) = (fold(&n), reference::fold(&n));
        assert_eq!(got.view.text, want.view.text, "{text:?}");
        assert_eq!(got.view.starts, want.view.starts, "{text:?}");
        assert_eq!(got.words, want.words, "{text:?}");
    }

    #[test]
    fn fold_matches_the_reference() {
        for text in [
            "",
            " ",
            "a",
            "i g n o r e",
            "a b",
            "x y z",
            "a b 5 c",
            "a, b; c",
            "don't stop",
            "rg don't ",
            "|gn!h3|p",
            "$100 and @ $",
            "the quarterly report, shows revenue grew by 12 percent",
            "café au lait",
            "ab cd ef gh ij kl mn op qr st",
            "abcdefghijklmnop qrstuvwxyzabcdefg h",
        ] {
            assert_same_fold(text);
        }
        // Seeded random texts from pieces that exercise every path: plain runs of every length,
        // punctuation, digits and leetspeak, apostrophes, one-letter words, symbols, non-ASCII
        // letters and marks, invisible characters and capitals.
        const PIECES: &[&str] = &[
            "the ",
            "ignore ",
            "all ",
            "previous",
            "instructions",
            " ",
            " ",
            " ",
            ", ",
            ". ",
            "!",
            "?",
            "i ",
            "g ",
            "n ",
            "o",
            "r",
            "e",
            "a",
            "x",
            "1",
            "3",
            "0",
            "4",
            "7",
            "@",
            "$",
            "|",
            "'",
            "don't ",
            "it's",
            "é",
            "ñ",
            "Ω",
            "日本",
            "€",
            "—",
            "-",
            ".",
            ";",
            "\n",
            "  ",
            "\t",
            "Abc",
            "WORD",
            "h3|p",
            "|gn",
            "$100",
            "\u{200B}",
            "’",
            "ﬁ",
            "²",
            "٣",
            "ab'",
            "'s",
            "abcdefgh",
            "abcdefghijklmnopqrstuvw",
        ];
        let mut next = crate::seeded::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for len in 0..200 {
            for _ in 0..60 {
                let mut text = String::new();
                while text.len() < len {
                    text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                }
                assert_same_fold(&text);
            }
        }
        // Long prose, with and without punctuation.
        let mut text = String::new();
        for k in 0..3000u64 {
            text.push_str(PIECES[(next() % 8) as usize]);
            if k % 37 == 0 {
                text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
        }
        assert_same_fold(&text);
    }

    #[test]
    fn single_runs_are_found_where_three_one_letter_words_follow() {
        // The straightforward rule, word by word.
        let slow = |s: &str| {
            let mut run = 0;
            s.split(' ').any(|w| {
                run = if w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic() { run + 1 } else { 0 };
                run >= 3
            })
        };
        for s in
            ["a b c", "a b", "ab c d e", "a b 5 c", "a b c d", "x ab c d", "a 1 b c d", "5 6 7", "ab cd", "a b cd e f"]
        {
            let out = s.as_bytes();
            let mut words = vec![0u32];
            words.extend(out.iter().enumerate().filter(|(_, &b)| b == b' ').map(|(k, _)| k as u32 + 1));
            assert_eq!(has_single_run(out, &words, out.len()), slow(s), "{s}");
        }
    }

    #[test]
    fn offsets_map_back() {
        let text = "Xx ＩＧＮＯＲＥ  all";
        let n = normalise(text);
        let i = n.view.text.find("ignore").unwrap();
        let (s, e) = n.view.to_original(text, i, i + 6).unwrap();
        assert_eq!(&text[s..e], "ＩＧＮＯＲＥ");
        let f = fold(&n);
        let j = f.view.text.find("all").unwrap();
        let (s, e) = f.view.to_original(text, j, j + 3).unwrap();
        assert_eq!(&text[s..e], "all");
    }
}
