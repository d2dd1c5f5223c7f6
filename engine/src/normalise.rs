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
    fn with_capacity(n: usize) -> Self {
        View { text: String::with_capacity(n), starts: Vec::with_capacity(n) }
    }

    /// Original byte offset of the character that produced byte `i` of this view.
    pub fn origin(&self, i: usize) -> Option<usize> {
        self.starts.get(i).map(|&o| o as usize)
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

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}'
        | '\u{FE00}'..='\u{FE0F}')
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
    view: View,
    pending_space: Option<(usize, bool)>,
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
                self.view.starts.push(u32::try_from(at).unwrap_or(u32::MAX));
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
        let o = u32::try_from(orig).unwrap_or(u32::MAX);
        for _ in 0..enc.len() {
            self.view.starts.push(o);
        }
    }

    fn finish(self) -> View {
        let mut view = self.view;
        // Every push wrote whole UTF-8 sequences, so this cannot fail; stay total regardless.
        view.text = String::from_utf8(self.bytes).unwrap_or_default();
        if view.text.is_empty() {
            view.starts.clear();
        }
        view
    }
}

/// Normalises `text`. Never fails; every output byte maps back to an original character.
pub fn normalise(text: &str) -> Normalised {
    let mut b =
        Builder { bytes: Vec::with_capacity(text.len() + 8), view: View::with_capacity(0), pending_space: None };
    b.view.starts.reserve(text.len() + 8);
    let mut invisible: Vec<InvisibleRun> = Vec::new();
    let mut tag_payloads: Vec<TagPayload> = Vec::new();
    let mut prev_letter = false;
    let mut open_run: Option<InvisibleRun> = None;

    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte < 0x80 {
            let letter = byte.is_ascii_alphanumeric();
            if let Some(mut r) = open_run.take() {
                r.inside_word = r.inside_word && letter;
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
            // Tight loop over visible ASCII: lower-case it and record where each byte came from.
            let mut j = i;
            let text_bytes = &mut b.bytes;
            while j < bytes.len() {
                let c = bytes[j];
                if c >= 0x80 || c.is_ascii_whitespace() {
                    break;
                }
                text_bytes.push(c.to_ascii_lowercase());
                b.view.starts.push(u32::try_from(j).unwrap_or(u32::MAX));
                j += 1;
            }
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
}

impl Folded {
    pub fn text(&self) -> &str {
        &self.view.text
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

/// Builds the folded view from a normalised one in one pass over its bytes.
pub fn fold(n: &Normalised) -> Folded {
    let src = &n.view;
    let text = src.text.as_str();
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut starts: Vec<u32> = Vec::with_capacity(bytes.len());
    // Current token in `out`: where it starts, whether it has letters / leet / symbol chars.
    let mut tok_start: Option<usize> = None;
    let (mut has_letter, mut has_leet) = (false, false);
    let mut singles = 0usize;
    let mut single_run = false;
    let mut tokens = 0usize;

    let finish = |out: &mut Vec<u8>, starts: &mut Vec<u32>, ts: usize, has_letter: bool, has_leet: bool| {
        if has_leet && has_letter {
            for b in &mut out[ts..] {
                if let Some(l) = leet(*b) {
                    *b = l;
                }
            }
        } else if !has_letter && out[ts..].iter().any(|&b| b == b'@' || b == b'$' || b == b'|') {
            let mut k = ts;
            for r in ts..out.len() {
                if !matches!(out[r], b'@' | b'$' | b'|') {
                    out[k] = out[r];
                    starts[k] = starts[r];
                    k += 1;
                }
            }
            out.truncate(k);
            starts.truncate(k);
        }
    };

    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let origin = src.starts.get(i).copied().unwrap_or(0);
        let (word, len, letter) = if b < 0x80 {
            let w = b.is_ascii_alphanumeric() || b == b'@' || b == b'$' || (b == b'|' && tok_start.is_some());
            (w, 1, b.is_ascii_alphabetic())
        } else {
            let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8(), c.is_alphabetic())
        };
        if word {
            if tok_start.is_none() {
                if tokens > 0 {
                    out.push(b' ');
                    starts.push(origin);
                }
                tok_start = Some(out.len());
                has_letter = false;
                has_leet = false;
            }
            if b < 0x80 {
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'@' | b'$' | b'|')) {
                    has_letter |= bytes[j].is_ascii_alphabetic();
                    has_leet |= leet(bytes[j]).is_some();
                    j += 1;
                }
                out.extend_from_slice(&bytes[i..j]);
                starts.extend_from_slice(src.starts.get(i..j).unwrap_or(&[]));
                i = j;
                continue;
            }
            has_letter |= letter;
            out.extend_from_slice(&bytes[i..i + len]);
            for _ in 0..len {
                starts.push(origin);
            }
        } else if b == b'\'' && tok_start.is_some() && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            // "don't" folds to "dont": an apostrophe inside a word is not a break.
        } else if let Some(ts) = tok_start.take() {
            finish(&mut out, &mut starts, ts, has_letter, has_leet);
            if out.len() == ts {
                // The token vanished (only symbols); drop the separator pushed before it.
                if tokens > 0 {
                    out.pop();
                    starts.pop();
                }
            } else {
                tokens += 1;
                if out.len() - ts == 1 && has_letter {
                    singles += 1;
                    single_run |= singles >= 3;
                } else {
                    singles = 0;
                }
            }
        }
        i += len;
    }
    if let Some(ts) = tok_start.take() {
        finish(&mut out, &mut starts, ts, has_letter, has_leet);
        if out.len() == ts && tokens > 0 {
            out.pop();
            starts.pop();
        } else if out.len() - ts == 1 && has_letter {
            singles += 1;
            single_run |= singles >= 3;
        }
    }
    if single_run {
        join_single_letters(&mut out, &mut starts);
    }
    let text = String::from_utf8(out).unwrap_or_default();
    Folded { view: View { starts: if text.is_empty() { Vec::new() } else { starts }, text } }
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
