//! The built-in rules, compiled once per process, and the passes that decide which of them can
//! match a text at all.
//!
//! Phrase rules on the can view always start at a word, so instead of searching the whole
//! view for their trigger literals, one anchored automaton is walked at each word start. It also
//! finds the profanity words and the *gate* literals: for each rule, the literal sets every match
//! must contain at a word start besides its first word (`be ignored` for "… should be ignored",
//! the object of an override). A rule whose gates are not all present cannot match, so its
//! regex never runs; this keeps rules that start with common words ("the", "you", "what") from
//! costing a regex pass over every prompt.
//!
//! Rules on the normalised view start with markup (`<|`, `[inst]`, `{system}`) or at a line start
//! (`System:`), so they are armed only at those bytes. Raw-text rules (secrets, code) are armed
//! by their literal triggers in one Aho-Corasick pass over the normalised view.

use crate::dense::Dense;
use crate::detect;
use crate::error::BuildError;
use crate::raw_rules::RAW_RULES;
use crate::rules::{On, PhraseRule, RULES};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How a phrase rule finds its candidate start positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arm {
    /// At occurrences of its trigger literals.
    Triggers,
    /// At the start of every line (`(?m)^…` rules).
    LineStart,
    /// Nothing narrows it down: one pass over the whole view.
    Always,
}

pub(crate) struct Phrase {
    pub rule: &'static PhraseRule,
    /// Anchored at the start of the haystack; run at each candidate position.
    pub re: Regex,
    /// Unanchored, for when candidates are so many that one pass is cheaper.
    pub whole: Regex,
    pub arm: Arm,
    /// Per top-level alternative of the rule: what a match of it needs besides its trigger.
    pub branches: Vec<Branch>,
    /// For line-start rules: the bytes a match of `re` can start with, when every match is
    /// non-empty, so a line starting with any other byte needs no regex attempt.
    pub first: Option<Box<[bool; 256]>>,
}

/// One top-level alternative of a phrase rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct Branch {
    /// Gate ids that must all occur in a match of this alternative.
    pub gates: Vec<usize>,
    /// The most words a match can span, when bounded: every gate must then occur within that
    /// many words of the trigger.
    pub words: Option<usize>,
}

impl Phrase {
    /// Whether alternative `branch`, triggered at word `word`, can match, given where the gate
    /// literals occur (word indices per gate, ascending).
    pub(crate) fn viable(&self, branch: usize, word: usize, gates: &Gates) -> bool {
        let Some(b) = self.branches.get(branch) else { return true };
        match b.words {
            // The first occurrence at or after the trigger word must be within the span.
            Some(span) => b.gates.iter().all(|&id| {
                let at = gates.of(id);
                // Most lists end before the trigger word: no search for those.
                if at.last().is_none_or(|&w| (w as usize) < word) {
                    return false;
                }
                let k = at.partition_point(|&w| (w as usize) < word);
                at.get(k).is_some_and(|&w| (w as usize) < word + span)
            }),
            None => b.gates.iter().all(|&id| !gates.of(id).is_empty()),
        }
    }
}

/// What a literal found by a [`LitDfa`] walk means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    /// A trigger of alternative `.1` of phrase rule `.0` (index into the view's rule list).
    Trigger(u16, u16),
    /// Gate `n` is present.
    Gate(usize),
    /// Profanity word `n`.
    Word(usize),
}

/// A [`LitDfa`] has at most 64 times this many trigger alternatives: a scan notes which of
/// them can match in that many 64-bit words on the stack.
const MAX_ALT_WORDS: usize = 8;

/// What one literal-reporting state of a [`LitDfa`] means: `entries[from..]` holds the gate ids
/// it adds (`gates` of them: those no literal-reporting state before it on the walk to it
/// holds, so one walk lists each gate once without checking), then its `trigs` triggers (as
/// places in [`LitDfa`]'s `alts`), then its `words` profanity words, each without repeats.
#[derive(Debug, Clone, Copy, Default)]
struct Special {
    from: u32,
    gates: u8,
    trigs: u8,
    words: u8,
}

/// An anchored automaton over literals, walked from chosen start positions: every literal that
/// is a prefix of the text at the position is reported.
pub(crate) struct LitDfa {
    dfa: Dense,
    /// Pattern id → range of `acts`: what it means (a literal may mean several things).
    spans: Vec<(u32, u32)>,
    acts: Vec<Act>,
    /// Per literal-reporting state, in the order of [`Dense::reporting`]: what all its literals
    /// mean.
    specials: Vec<Special>,
    entries: Vec<u32>,
    /// The (rule, alternative) pairs of all triggers, ascending.
    alts: Vec<(u16, u16)>,
    /// Per literal-reporting state: bit `a` for each alternative `a` its triggers stand for
    /// (bit 127 for all from 127 on), so a state none of whose alternatives can match is
    /// passed over at once.
    trig_bits: Vec<u128>,
    /// Per alternative: the range of `alt_gate_ids` holding its gates.
    alt_gates: Vec<(u32, u32)>,
    alt_gate_ids: Vec<u32>,
    /// The literals, by pattern id.
    #[cfg(test)]
    pats: Vec<Vec<u8>>,
}

impl LitDfa {
    fn build(lits: Vec<(Vec<u8>, Act)>) -> Result<LitDfa, String> {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut pats: Vec<Vec<u8>> = Vec::new();
        let mut acts: Vec<Vec<Act>> = Vec::new();
        for (lit, act) in lits {
            if lit.is_empty() {
                continue;
            }
            let id = *index.entry(lit.clone()).or_insert_with(|| {
                pats.push(lit);
                acts.push(Vec::new());
                acts.len() - 1
            });
            if let Some(a) = acts.get_mut(id) {
                if !a.contains(&act) {
                    a.push(act);
                }
            }
        }
        if pats.is_empty() {
            // An automaton that never matches keeps the walk code free of special cases.
            pats.push(vec![0, 0, 0, 0]);
            acts.push(Vec::new());
        }
        let dfa = Dense::build(&pats, true)?;
        #[cfg(test)]
        let kept = pats.clone();
        let mut spans = Vec::with_capacity(acts.len());
        let mut flat = Vec::new();
        for a in acts {
            let from = u32::try_from(flat.len()).map_err(|e| e.to_string())?;
            flat.extend(a);
            spans.push((from, u32::try_from(flat.len()).map_err(|e| e.to_string())?));
        }
        let mut alts: Vec<(u16, u16)> =
            flat.iter().filter_map(|a| if let Act::Trigger(r, k) = *a { Some((r, k)) } else { None }).collect();
        alts.sort_unstable();
        alts.dedup();
        if alts.len() > MAX_ALT_WORDS * 64 {
            return Err("too many trigger alternatives".to_string());
        }
        let num = |n: usize| u32::try_from(n).map_err(|e| e.to_string());
        let count = |n: usize| u8::try_from(n).map_err(|e| e.to_string());
        // Per literal-reporting state: its gates, triggers (as bit numbers) and words, each
        // without repeats, in the order its literals list them.
        let mut held: Vec<(Vec<u32>, Vec<usize>, Vec<u32>)> = Vec::new();
        for ids in dfa.reporting() {
            let (mut gates, mut trigs, mut words) = (Vec::new(), Vec::new(), Vec::new());
            for &pid in ids {
                let (a, e) = spans.get(pid as usize).copied().unwrap_or((0, 0));
                for &act in flat.get(a as usize..e as usize).unwrap_or(&[]) {
                    match act {
                        Act::Gate(g) => gates.push(num(g)?),
                        Act::Trigger(r, k) => trigs.push(alts.binary_search(&(r, k)).unwrap_or(0)),
                        Act::Word(w) => words.push(num(w)?),
                    }
                }
            }
            for list in [&mut gates, &mut words] {
                let mut seen = Vec::new();
                list.retain(|v| {
                    !seen.contains(v) && {
                        seen.push(*v);
                        true
                    }
                });
            }
            let mut seen = Vec::new();
            trigs.retain(|v| {
                !seen.contains(v) && {
                    seen.push(*v);
                    true
                }
            });
            held.push((gates, trigs, words));
        }
        // The gates every walk to a state has listed before it, from the states on the way.
        let mut before: Vec<Vec<u32>> = vec![Vec::new(); held.len()];
        for (i, up) in dfa.reporting_tree()? {
            let mut mine = up.and_then(|u| before.get(u)).cloned().unwrap_or_default();
            if let Some(u) = up.and_then(|u| held.get(u)) {
                mine.extend(u.0.iter().filter(|g| !mine.contains(g)).copied().collect::<Vec<_>>());
            }
            if let Some(slot) = before.get_mut(i) {
                *slot = mine;
            }
        }
        let mut specials = Vec::new();
        let mut entries: Vec<u32> = Vec::new();
        let mut trig_bits = Vec::new();
        for ((gates, trigs, words), before) in held.into_iter().zip(&before) {
            let gates: Vec<u32> = gates.into_iter().filter(|g| !before.contains(g)).collect();
            trig_bits.push(trigs.iter().fold(0u128, |m, &t| m | 1 << t.min(127)));
            specials.push(Special {
                from: num(entries.len())?,
                gates: count(gates.len())?,
                trigs: count(trigs.len())?,
                words: count(words.len())?,
            });
            let trigs = trigs.into_iter().map(num).collect::<Result<Vec<u32>, String>>()?;
            entries.extend(gates.into_iter().chain(trigs).chain(words));
        }
        Ok(LitDfa {
            dfa,
            spans,
            acts: flat,
            specials,
            entries,
            alts,
            trig_bits,
            alt_gates: Vec::new(),
            alt_gate_ids: Vec::new(),
            #[cfg(test)]
            pats: kept,
        })
    }

    /// Records the gates of each trigger alternative, from the rules' branches.
    fn set_alt_gates(&mut self, fold: &[Phrase]) -> Result<(), String> {
        let num = |n: usize| u32::try_from(n).map_err(|e| e.to_string());
        for &(r, k) in &self.alts {
            let from = num(self.alt_gate_ids.len())?;
            if let Some(b) = fold.get(usize::from(r)).and_then(|p| p.branches.get(usize::from(k))) {
                for &g in &b.gates {
                    self.alt_gate_ids.push(num(g)?);
                }
            }
            self.alt_gates.push((from, num(self.alt_gate_ids.len())?));
        }
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn walk_all(&self, hay: &[u8], starts: &[u32], out: &mut Vec<(u32, u32)>) {
        self.dfa.walk_each(hay, starts, out);
    }

    /// Reports every literal that starts at `at` in `hay`.
    #[inline]
    pub(crate) fn walk(&self, hay: &[u8], at: usize, mut f: impl FnMut(Act)) {
        let Some(rest) = hay.get(at..) else { return };
        self.dfa.run_short(rest, |_, ids| {
            for &pid in ids {
                let (a, e) = self.spans.get(pid as usize).copied().unwrap_or((0, 0));
                for &act in self.acts.get(a as usize..e as usize).unwrap_or(&[]) {
                    f(act);
                }
            }
        });
    }
}

/// Literal cues of the raw-text detectors. They are searched in the normalised view, which is
/// lower-cased and folds look-alikes, so a cue is found wherever the exact (case-sensitive)
/// check on the original text could succeed; detectors confirm on the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    Url,
    HtmlComment,
    MarkdownComment,
    Style,
    Hidden,
    HexEscape,
    /// "eht ": "the" written backwards.
    Reversed,
    Licence,
    PoBox,
    /// A phrase that introduces a name ("my name is", "dear", "regards", …).
    Name,
}

const CUE_LITS: &[(&str, Cue)] = &[
    ("<!--", Cue::HtmlComment),
    ("]:", Cue::MarkdownComment),
    ("style", Cue::Style),
    ("hidden", Cue::Hidden),
    ("\\x", Cue::HexEscape),
    ("0x", Cue::HexEscape),
    ("eht ", Cue::Reversed),
    ("%u00", Cue::HexEscape),
    ("icen", Cue::Licence),
    ("dl", Cue::Licence),
    ("box", Cue::PoBox),
    // The literal part of each name cue, as the normalised view spells it: lower case, a
    // whitespace run as one space or line break, except for the vertical tab, which the
    // pattern's `\s` matches and the normalised view keeps; "name" is followed by `\s*:`.
    ("my name", Cue::Name),
    ("name:", Cue::Name),
    ("name ", Cue::Name),
    ("name\n", Cue::Name),
    ("name\x0b", Cue::Name),
    ("named", Cue::Name),
    ("call me", Cue::Name),
    ("dear", Cue::Name),
    ("sincerely", Cue::Name),
    ("regards", Cue::Name),
    ("thanks", Cue::Name),
    ("cheers", Cue::Name),
    ("signed", Cue::Name),
    ("best,", Cue::Name),
    ("spoke to", Cue::Name),
    ("spoke with", Cue::Name),
    ("ask for", Cue::Name),
    ("patient", Cue::Name),
    ("written by", Cue::Name),
];

#[derive(Debug, Clone, Copy)]
enum Lit {
    Raw(usize),
    /// A match-start literal of a raw-text rule.
    Start(usize),
    Cue(Cue),
    /// "the " under the Caesar shift this many places on ("gur " is ROT13).
    Shift(u8),
}

/// An unanchored automaton over the raw-rule triggers and the cues, walked once over the
/// normalised view. Walking it byte by byte reports every occurrence, overlapping ones too.
pub(crate) struct CueScan {
    dfa: Dense,
    lits: Vec<Vec<Lit>>,
    lens: Vec<usize>,
    raw_rules: usize,
}

/// What one [`CueScan`] pass found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Per raw-text rule: whether one of its triggers occurs.
    pub raw: Vec<bool>,
    cues: u32,
    /// Normalised-view positions where a URL cue starts.
    pub urls: Vec<usize>,
    /// (raw-text rule, normalised-view position) for every match-start literal found.
    starts: Vec<(usize, usize)>,
    /// Which licence cues occur: `icen` (bit 0) and `dl` (bit 1). The normalised view lower-cases
    /// each run of ASCII bytes in place, so `icen` or `ICEN` in the original gives `icen` here
    /// and `DL` gives `dl`.
    pub licence_lits: u8,
    /// Which Caesar shifts of "the " occur (bit `n` for shift `n`): the shifts worth trying
    /// to decode.
    pub shifts: u32,
}

impl Found {
    pub(crate) fn has(&self, c: Cue) -> bool {
        self.cues & (1 << c as u32) != 0
    }

    /// Normalised-view positions where a match-start literal of raw-text rule `r` starts.
    pub(crate) fn starts_of(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        self.starts.iter().filter(move |(k, _)| *k == r).map(|&(_, p)| p)
    }
}

impl CueScan {
    fn build(raw_triggers: &[Vec<Vec<u8>>]) -> Result<CueScan, String> {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut pats: Vec<Vec<u8>> = Vec::new();
        let mut lits: Vec<Vec<Lit>> = Vec::new();
        let mut add = |p: Vec<u8>, l: Lit| {
            let id = *index.entry(p.clone()).or_insert_with(|| {
                pats.push(p);
                lits.push(Vec::new());
                lits.len() - 1
            });
            if let Some(v) = lits.get_mut(id) {
                v.push(l);
            }
        };
        for (r, ts) in raw_triggers.iter().enumerate() {
            for t in ts {
                add(t.clone(), Lit::Raw(r));
            }
        }
        for (r, rule) in RAW_RULES.iter().enumerate() {
            for t in crate::raw_rules::match_starts(rule) {
                add(t.to_ascii_lowercase().into_bytes(), Lit::Start(r));
            }
        }
        for c in detect::urls::CUES {
            add(c.as_bytes().to_vec(), Lit::Cue(Cue::Url));
        }
        for (c, cue) in CUE_LITS {
            add(c.as_bytes().to_vec(), Lit::Cue(*cue));
        }
        for by in 1..26 {
            add(crate::decode::shifted_the(by).to_vec(), Lit::Shift(by));
        }
        let lens = pats.iter().map(Vec::len).collect();
        let dfa = Dense::build(&pats, false)?;
        Ok(CueScan { dfa, lits, lens, raw_rules: raw_triggers.len() })
    }

    pub(crate) fn scan(&self, hay: &str) -> Found {
        let mut f = Found { raw: vec![false; self.raw_rules], ..Found::default() };
        self.dfa.run_unanchored(hay.as_bytes(), |end, ids| {
            for &pid in ids {
                let pid = pid as usize;
                for lit in self.lits.get(pid).map_or(&[][..], Vec::as_slice) {
                    match *lit {
                        Lit::Raw(r) => {
                            if let Some(on) = f.raw.get_mut(r) {
                                *on = true;
                            }
                        }
                        Lit::Start(r) => f.starts.push((r, end - self.lens.get(pid).copied().unwrap_or(0))),
                        Lit::Shift(by) => f.shifts |= 1 << by,
                        Lit::Cue(c) => {
                            f.cues |= 1 << c as u32;
                            if c == Cue::Url {
                                f.urls.push(end - self.lens.get(pid).copied().unwrap_or(0));
                            } else if c == Cue::Licence {
                                f.licence_lits |= if self.lens.get(pid) == Some(&4) { 1 } else { 2 };
                            }
                        }
                    }
                }
            }
        });
        f
    }
}

pub(crate) struct Builtin {
    pub fold: Vec<Phrase>,
    pub norm: Vec<Phrase>,
    /// Fold-rule triggers, gates and profanity words, walked at each word start of the can view.
    pub words: LitDfa,
    /// The same for literals with bytes beyond ASCII (rules in other scripts), apart so the
    /// automaton walked over every text keeps its small byte alphabet.
    pub wide: LitDfa,
    /// Norm-rule triggers, walked where the normalised view holds one of `mark_bytes`.
    pub marks: LitDfa,
    pub mark_bytes: Vec<u8>,
    pub gate_count: usize,
    pub cues: CueScan,
    pub raw: Vec<Regex>,
    /// Per raw-text rule: the anchored form, for rules with match-start literals.
    pub raw_started: Vec<Option<crate::raw_rules::Started>>,
}

/// Expands the rule notation: `~N` is a gap of up to N words, `\b` an ASCII word boundary.
#[cfg(test)]
pub(crate) fn expand(re: &str) -> String {
    expand_on(re, On::Norm)
}

/// The text a run of non-ASCII rule characters stands for on view `on`: normalised like any
/// text (look-alike letters folded to Latin, marks dropped, lower-cased), and on the folded view
/// also split into words where the folded view splits them. So a rule may be written in its own
/// script ("игнорируй") and still match the view, where Cyrillic look-alikes have become Latin.
fn script_run(run: &str, on: On) -> String {
    let n = crate::normalise::normalise(run);
    match on {
        On::Norm => n.view.text,
        On::Fold => crate::normalise::fold(&n).view.text,
    }
}

/// [`expand`] for a rule on view `on`: runs of non-ASCII characters are rewritten as the view
/// spells them ([`script_run`]).
pub(crate) fn expand_on(re: &str, on: On) -> String {
    let mut out = String::with_capacity(re.len() * 2);
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii() {
            let mut run = String::from(c);
            while let Some(&n) = chars.peek().filter(|n| !n.is_ascii()) {
                run.push(n);
                chars.next();
            }
            out.push_str(&script_run(&run, on));
            continue;
        }
        match c {
            '~' if chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push_str("(?: [^ ]+){0,");
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
                out.push('}');
            }
            '\\' if chars.peek() == Some(&'b') => {
                chars.next();
                out.push_str("(?-u:\\b)");
            }
            '\\' => {
                out.push('\\');
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn parse(re: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new().utf8(false).build().parse(re).ok()
}

/// Literal prefixes every match of `hir` starts with, if they are known and none is shorter
/// than `min`.
fn literal_prefixes(hir: &regex_syntax::hir::Hir, min: usize) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix).limit_total(400);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < min) {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// Literal prefixes every match of `hir` starts with, or nothing when they are unknown or
/// short. Only the first word matters for arming; the anchored regex checks the rest.
fn triggers_of(hir: &regex_syntax::hir::Hir) -> Vec<Vec<u8>> {
    let Some(lits) = literal_prefixes(hir, 2) else {
        return Vec::new();
    };
    let mut v: Vec<Vec<u8>> = lits
        .iter()
        .map(|b| {
            let cut = b.iter().skip(2).position(|&c| c == b' ').map_or(b.len(), |p| p + 2);
            b[..cut].to_vec()
        })
        .collect();
    v.sort();
    v.dedup();
    // A literal that extends another adds nothing: the shorter one already arms the rule.
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for l in v {
        if !kept.iter().any(|k| l.starts_with(k)) {
            kept.push(l);
        }
    }
    kept
}

/// Trigger literals of the whole rule `re` (see [`triggers_of`]).
pub(crate) fn prefixes(re: &str) -> Vec<Vec<u8>> {
    parse(re).map(|h| triggers_of(&h)).unwrap_or_default()
}

/// The top-level alternatives of a rule (the rule itself when it has none). Zero-width
/// assertions shared by all alternatives (`\b(?:a|b)\b`) are dropped: they do not change which
/// literals a match holds.
fn alternatives(hir: &regex_syntax::hir::Hir) -> Vec<&regex_syntax::hir::Hir> {
    use regex_syntax::hir::HirKind;
    let mut top = hir;
    while let HirKind::Capture(c) = top.kind() {
        top = &c.sub;
    }
    match top.kind() {
        HirKind::Alternation(alts) => alts.iter().collect(),
        HirKind::Concat(parts) => {
            let mut consuming = parts.iter().filter(|p| !matches!(p.kind(), HirKind::Look(_)));
            match (consuming.next(), consuming.next()) {
                (Some(only), None) => match only.kind() {
                    HirKind::Alternation(alts) => alts.iter().collect(),
                    _ => vec![top],
                },
                _ => vec![top],
            }
        }
        _ => vec![top],
    }
}

/// Whether every non-empty match of `hir` ends with a space.
fn ends_with_space(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Suffix).limit_total(400);
    let seq = ex.extract(hir);
    seq.literals().is_some_and(|l| {
        let nonempty: Vec<_> = l.iter().filter(|x| !x.as_bytes().is_empty()).collect();
        !nonempty.is_empty() && nonempty.iter().all(|x| x.as_bytes().last() == Some(&b' '))
    })
}

/// Literal sets that every match of `hir` (a rule or one of its alternatives on the can
/// view) contains at a word start, besides the first word (which the triggers already cover).
/// Read off its top-level sequence: a part that follows a space starts a word, and so does the
/// text after a space inside a literal.
fn gates_of(hir: &regex_syntax::hir::Hir) -> Vec<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let mut top = hir;
    while let HirKind::Capture(c) = top.kind() {
        top = &c.sub;
    }
    let parts: &[regex_syntax::hir::Hir] = match top.kind() {
        HirKind::Concat(parts) => parts,
        HirKind::Literal(_) => std::slice::from_ref(top),
        _ => return Vec::new(),
    };
    let mut out: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut after_space = false;
    let mut first = true;
    for part in parts {
        match part.kind() {
            HirKind::Look(_) => {}
            HirKind::Literal(lit) => {
                let b = &lit.0;
                if after_space && !first && b.len() >= 3 && b.first() != Some(&b' ') {
                    out.push(vec![b.to_vec()]);
                } else if let Some(k) = b.iter().position(|&c| c == b' ') {
                    let rest = &b[k + 1..];
                    if rest.len() >= 3 {
                        out.push(vec![rest.to_vec()]);
                    }
                }
                after_space = b.last() == Some(&b' ');
                first = false;
            }
            _ => {
                let min = part.properties().minimum_len().unwrap_or(0);
                if after_space && min > 0 && !first {
                    if let Some(lits) = literal_prefixes(part, 3) {
                        out.push(lits);
                    }
                }
                let ends = ends_with_space(part);
                after_space = if min == 0 { after_space && ends } else { ends };
                if min > 0 {
                    first = false;
                }
            }
        }
    }
    out
}

/// The most spaces a match of `hir` can contain, when bounded. On the can view words are
/// separated by single spaces, so a match spans at most that many words plus one.
fn max_spaces(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(l) => Some(l.0.iter().filter(|&&b| b == b' ').count()),
        HirKind::Class(Class::Bytes(c)) => {
            Some(usize::from(c.ranges().iter().any(|r| (r.start()..=r.end()).contains(&b' '))))
        }
        HirKind::Class(Class::Unicode(c)) => {
            Some(usize::from(c.ranges().iter().any(|r| (r.start()..=r.end()).contains(&' '))))
        }
        HirKind::Capture(c) => max_spaces(&c.sub),
        HirKind::Repetition(r) => {
            let inner = max_spaces(&r.sub)?;
            match r.max {
                Some(m) => inner.checked_mul(m as usize),
                None if inner == 0 => Some(0),
                None => None,
            }
        }
        HirKind::Concat(parts) => parts.iter().try_fold(0usize, |acc, p| acc.checked_add(max_spaces(p)?)),
        HirKind::Alternation(alts) => alts.iter().try_fold(0usize, |acc, p| Some(acc.max(max_spaces(p)?))),
    }
}

/// The bytes a match of `hir` can start with, and whether it can be empty. Look-arounds count
/// as empty, so the set may hold bytes no match starts with, never the other way round.
fn first_bytes(hir: &regex_syntax::hir::Hir, set: &mut [bool; 256]) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    let mut mark = |b: u8| {
        if let Some(on) = set.get_mut(usize::from(b)) {
            *on = true;
        }
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match l.0.first() {
            Some(&b) => {
                mark(b);
                false
            }
            None => true,
        },
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(&mut mark);
            }
            false
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                for seq in regex_syntax::utf8::Utf8Sequences::new(r.start(), r.end()) {
                    if let Some(lead) = seq.as_slice().first() {
                        (lead.start..=lead.end).for_each(&mut mark);
                    }
                }
            }
            false
        }
        HirKind::Capture(c) => first_bytes(&c.sub, set),
        HirKind::Repetition(r) => first_bytes(&r.sub, set) || r.min == 0,
        // A part adds its bytes only while all parts before it can be empty.
        HirKind::Concat(parts) => parts.iter().all(|p| first_bytes(p, set)),
        // Every alternative adds its bytes, so no short cut once one can be empty.
        HirKind::Alternation(alts) => {
            let mut empty = false;
            for a in alts {
                empty |= first_bytes(a, set);
            }
            empty
        }
    }
}

/// The first-byte set of a line-start rule's anchored regex `re`, when every match of it is
/// non-empty; nothing for other rules or when it cannot be determined.
fn first_bytes_of(arm: Arm, re: &str) -> Option<Box<[bool; 256]>> {
    if arm != Arm::LineStart {
        return None;
    }
    let hir = regex_syntax::ParserBuilder::new().build().parse(re).ok()?;
    let mut set = Box::new([false; 256]);
    if first_bytes(&hir, &mut set) {
        return None;
    }
    Some(set)
}

/// Gate literal sets of the rule `re` (tests and diagnostics).
#[cfg(test)]
pub(crate) fn gates(re: &str) -> Vec<Vec<Vec<u8>>> {
    parse(re).map(|h| gates_of(&h)).unwrap_or_default()
}

fn compile(name: &str, re: &str) -> Result<Regex, BuildError> {
    RegexBuilder::new(re)
        .size_limit(1 << 23)
        .dfa_size_limit(1 << 23)
        .build()
        .map_err(|e| BuildError::BuiltinRule { name: name.to_string(), reason: e.to_string() })
}

fn narrow(i: usize) -> Result<u16, BuildError> {
    u16::try_from(i).map_err(|e| BuildError::BuiltinRule { name: "phrase rules".into(), reason: e.to_string() })
}

fn build() -> Result<Builtin, BuildError> {
    let err = |name: &str| {
        let name = name.to_string();
        move |reason: String| BuildError::BuiltinRule { name: name.clone(), reason }
    };
    let mut fold = Vec::new();
    let mut norm = Vec::new();
    let mut word_lits: Vec<(Vec<u8>, Act)> = Vec::new();
    let mut mark_lits: Vec<(Vec<u8>, Act)> = Vec::new();
    let mut gate_count = 0;
    for rule in RULES {
        let expanded = expand_on(rule.re, rule.on);
        let whole = compile(rule.name, &expanded)?;
        let line_body = expanded.strip_prefix("(?m)^");
        let triggers = if line_body.is_some() { Vec::new() } else { prefixes(&expanded) };
        let (arm, re) = match line_body {
            Some(body) => (Arm::LineStart, compile(rule.name, &format!("^(?m:{body})"))?),
            None if triggers.is_empty() => (Arm::Always, whole.clone()),
            None => (Arm::Triggers, compile(rule.name, &format!("^(?:{expanded})"))?),
        };
        match rule.on {
            On::Fold => {
                let idx = fold.len();
                // Each alternative arms and gates itself, so a rule like "in a story | for research
                // purposes" does not run at every "in" and "for" of a text.
                let hir = parse(&expanded);
                let alts: Vec<_> = hir.as_ref().map(alternatives).unwrap_or_default();
                let per_alt: Vec<Vec<Vec<u8>>> = alts.iter().map(|h| triggers_of(h)).collect();
                let split = arm == Arm::Triggers && !per_alt.is_empty() && per_alt.iter().all(|t| !t.is_empty());
                let mut branches = Vec::new();
                if split {
                    for (k, (h, trig)) in alts.iter().zip(per_alt).enumerate() {
                        let act = Act::Trigger(narrow(idx)?, narrow(k)?);
                        word_lits.extend(trig.into_iter().map(|t| (t, act)));
                        let mut ids = Vec::new();
                        for set in gates_of(h) {
                            word_lits.extend(set.into_iter().map(|l| (l, Act::Gate(gate_count))));
                            ids.push(gate_count);
                            gate_count += 1;
                        }
                        branches.push(Branch { gates: ids, words: max_spaces(h).map(|n| n + 1) });
                    }
                } else {
                    let act = Act::Trigger(narrow(idx)?, 0);
                    word_lits.extend(triggers.into_iter().map(|t| (t, act)));
                    branches.push(Branch::default());
                }
                let first = first_bytes_of(arm, re.as_str());
                fold.push(Phrase { rule, re, whole, arm, branches, first });
            }
            On::Norm => {
                let idx = norm.len();
                let act = Act::Trigger(narrow(idx)?, 0);
                mark_lits.extend(triggers.into_iter().map(|t| (t, act)));
                let first = first_bytes_of(arm, re.as_str());
                norm.push(Phrase { rule, re, whole, arm, branches: vec![Branch::default()], first });
            }
        }
    }
    word_lits.extend(detect::profanity::words().enumerate().map(|(k, w)| (w.as_bytes().to_vec(), Act::Word(k))));
    let mut mark_bytes: Vec<u8> = mark_lits.iter().filter_map(|(l, _)| l.first().copied()).collect();
    mark_bytes.sort_unstable();
    mark_bytes.dedup();
    let (wide_lits, word_lits): (Vec<_>, Vec<_>) = word_lits.into_iter().partition(|(l, _)| !l.is_ascii());
    let mut words = LitDfa::build(word_lits).map_err(err("phrase triggers"))?;
    words.set_alt_gates(&fold).map_err(err("phrase triggers"))?;
    let mut wide = LitDfa::build(wide_lits).map_err(err("phrase triggers"))?;
    wide.set_alt_gates(&fold).map_err(err("phrase triggers"))?;
    let marks = LitDfa::build(mark_lits).map_err(err("markup triggers"))?;
    // The raw-text rules' triggers, lower-cased, survive normalising.
    let raw_triggers =
        RAW_RULES.iter().map(|r| r.triggers.iter().map(|t| t.to_ascii_lowercase().into_bytes()).collect()).collect();
    let raw_triggers: Vec<Vec<Vec<u8>>> = raw_triggers;
    let cues = CueScan::build(&raw_triggers).map_err(err("raw triggers"))?;
    let raw = RAW_RULES.iter().map(|r| compile(r.name, r.re)).collect::<Result<Vec<_>, _>>()?;
    let raw_started = RAW_RULES
        .iter()
        .map(|r| {
            crate::raw_rules::Started::build(r)
                .map_err(|reason| BuildError::BuiltinRule { name: r.name.to_string(), reason })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Builtin { fold, norm, words, wide, marks, mark_bytes, gate_count, cues, raw, raw_started })
}

pub(crate) fn builtin() -> Result<&'static Builtin, BuildError> {
    static B: OnceLock<Result<Builtin, BuildError>> = OnceLock::new();
    B.get_or_init(build).as_ref().map_err(Clone::clone)
}

/// A trigger of alternative `branch` of rule `rule` at byte `pos` (word `word` on the can
/// view, 0 on the normalised view).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trig {
    pub rule: u16,
    pub branch: u16,
    pub pos: u32,
    pub word: u32,
}

/// Per gate: the word indices at which one of its literals starts, ascending; all lists in one
/// buffer (a scan sees a few hundred gate words spread over a hundred gates).
#[derive(Default)]
pub(crate) struct Gates {
    /// Gate `g`'s words are `words[ends[g - 1]..ends[g]]`.
    ends: Vec<u32>,
    words: Vec<u32>,
}

impl Gates {
    /// Builds the lists from `(gate, word)` pairs in word order, without repeats.
    fn collect(count: usize, pairs: &[(u32, u32)]) -> Gates {
        // Count each gate's words into the slot after its own, so the running sums below turn
        // the slots into where each list starts; filling in word order then moves every
        // gate's cursor to where its list ends, which is what `ends` holds.
        let mut ends = vec![0u32; count + 1];
        for &(g, _) in pairs {
            if let Some(n) = ends.get_mut(g as usize + 1) {
                *n += 1;
            }
        }
        let mut total = 0;
        for e in &mut ends {
            total += *e;
            *e = total;
        }
        let mut words = vec![0u32; pairs.len()];
        for &(g, w) in pairs {
            if let Some(n) = ends.get_mut(g as usize) {
                if let Some(slot) = words.get_mut(*n as usize) {
                    *slot = w;
                }
                *n += 1;
            }
        }
        ends.pop();
        Gates { ends, words }
    }

    /// Whether gate `g` occurs at any word.
    #[inline]
    pub(crate) fn has(&self, g: usize) -> bool {
        let from = g.checked_sub(1).and_then(|p| self.ends.get(p)).map_or(0, |&e| e);
        self.ends.get(g).is_some_and(|&e| e > from)
    }

    pub(crate) fn of(&self, g: usize) -> &[u32] {
        let from = g.checked_sub(1).and_then(|p| self.ends.get(p)).map_or(0, |&e| e as usize);
        let to = self.ends.get(g).map_or(from, |&e| e as usize);
        self.words.get(from..to).unwrap_or(&[])
    }
}

/// Candidate positions of the rules of one view, found by one of the walks below.
#[derive(Default)]
pub(crate) struct Candidates {
    /// Trigger occurrences: in text order on the can view, only of alternatives whose gates
    /// all occur somewhere; in no particular order on the normalised view.
    pub at: Vec<Trig>,
    /// Per gate: the word indices at which one of its literals starts, ascending.
    pub gates: Gates,
    /// (profanity word, position) on the can view.
    pub words: Vec<(usize, usize)>,
}

impl Builtin {
    /// Walks the word automata at every word start of the can view: the one for literals in
    /// ASCII always, the one for literals in other scripts only over a text that is not ASCII.
    pub(crate) fn fold_candidates(&self, text: &str, word_starts: &[u32]) -> Candidates {
        let mut reached = Vec::with_capacity(word_starts.len() * 2);
        self.words.dfa.walk_each(text.as_bytes(), word_starts, &mut reached);
        let mut wide = Vec::new();
        if !text.is_ascii() {
            self.wide.dfa.walk_each(text.as_bytes(), word_starts, &mut wide);
        }
        // About one literal state in five holds a trigger that survives the gates (149 of the
        // 716 the 8 KB benchmark prompt reaches): sized so the list is allocated once.
        let mut c = Candidates { at: Vec::with_capacity(reached.len() / 4 + 16), ..Candidates::default() };
        let mut gate_words: Vec<(u32, u32)> = Vec::with_capacity(reached.len() + wide.len() + 64);
        for (lits, reached) in [(&self.words, &reached), (&self.wide, &wide)] {
            let (specials, entries) = (&lits.specials, &lits.entries);
            for &(wi, special) in reached {
                let Some(&sp) = specials.get(special as usize) else { continue };
                let from = sp.from as usize;
                let gates_end = from + usize::from(sp.gates);
                for &g in entries.get(from..gates_end).unwrap_or(&[]) {
                    gate_words.push((g, wi));
                }
                if sp.words > 0 {
                    let from = gates_end + usize::from(sp.trigs);
                    for &w in entries.get(from..from + usize::from(sp.words)).unwrap_or(&[]) {
                        c.words.push((w as usize, word_starts.get(wi as usize).copied().unwrap_or(0) as usize));
                    }
                }
            }
        }
        if !wide.is_empty() {
            // Both walks listed their gates in word order: merge them into one word order.
            gate_words.sort_unstable_by_key(|&(g, w)| (w, g));
            gate_words.dedup();
            c.words.sort_by_key(|&(_, p)| p);
        }
        c.gates = Gates::collect(self.gate_count, &gate_words);
        for (lits, reached) in [(&self.words, &reached), (&self.wide, &wide)] {
            if reached.is_empty() {
                continue;
            }
            let (specials, entries) = (&lits.specials, &lits.entries);
            // Per alternative: whether all its gates occur. Triggers of alternatives with a gate
            // that occurs nowhere are never recorded.
            let mut present = [0u64; MAX_ALT_WORDS];
            let mut can = 0u128;
            for (a, &(from, to)) in lits.alt_gates.iter().enumerate() {
                let ids = lits.alt_gate_ids.get(from as usize..to as usize).unwrap_or(&[]);
                if ids.iter().all(|&g| c.gates.has(g as usize)) {
                    if let Some(m) = present.get_mut(a / 64) {
                        *m |= 1 << (a % 64);
                    }
                    can |= 1 << a.min(127);
                }
            }
            for &(wi, special) in reached {
                if lits.trig_bits.get(special as usize).is_none_or(|&b| b & can == 0) {
                    continue;
                }
                let Some(&sp) = specials.get(special as usize) else { continue };
                let from = sp.from as usize + usize::from(sp.gates);
                let pos = word_starts.get(wi as usize).copied().unwrap_or(0);
                for &a in entries.get(from..from + usize::from(sp.trigs)).unwrap_or(&[]) {
                    let a = a as usize;
                    if present.get(a / 64).is_some_and(|&m| m & (1 << (a % 64)) != 0) {
                        if let Some(&(rule, branch)) = lits.alts.get(a) {
                            c.at.push(Trig { rule, branch, pos, word: wi });
                        }
                    }
                }
            }
        }
        if !wide.is_empty() {
            c.at.sort_by_key(|t| t.word);
        }
        c
    }

    /// Walks the markup automaton wherever the normalised view holds a byte a trigger starts with.
    pub(crate) fn norm_candidates(&self, text: &str) -> Candidates {
        let mut c = Candidates::default();
        let hay = text.as_bytes();
        let mut walk = |p: usize| {
            self.marks.walk(hay, p, |a| {
                if let Act::Trigger(rule, branch) = a {
                    c.at.push(Trig { rule, branch, pos: u32::try_from(p).unwrap_or(u32::MAX), word: 0 });
                }
            });
        };
        let (ascii, high) = self.mark_bytes.split_at(self.mark_bytes.partition_point(u8::is_ascii));
        // Triggers in scripts without spaces (Chinese, Japanese, Korean) start with the lead
        // byte of a three-byte character: one pass over the text finds them all, and a text
        // without any such byte (most) needs none.
        if let Some(&lo) = high.first() {
            if !hay.is_ascii() && hay.iter().any(|&b| b >= lo) {
                let mut on = [false; 256];
                for &b in high {
                    on[usize::from(b)] = true;
                }
                for (p, &b) in hay.iter().enumerate() {
                    if on[usize::from(b)] {
                        walk(p);
                    }
                }
            }
        }
        for chunk in ascii.chunks(3) {
            match *chunk {
                [a] => memchr::memchr_iter(a, hay).for_each(&mut walk),
                [a, b] => memchr::memchr2_iter(a, b, hay).for_each(&mut walk),
                [a, b, d, ..] => memchr::memchr3_iter(a, b, d, hay).for_each(&mut walk),
                [] => {}
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_are_required_parts() {
        let g = gates(&expand(r"\b(?:the|all)~2 (?:rules|orders)~4 (?:should|must) be (?:ignored|dropped)\b"));
        assert!(g.iter().any(|s| s.contains(&b"rules".to_vec()) && s.contains(&b"orders".to_vec())));
        assert!(g.iter().any(|s| s.contains(&b"should".to_vec())));
        assert!(g.iter().any(|s| s.contains(&b"ignored".to_vec()) || s.contains(&b"be ignored".to_vec())));
        // The first word is the trigger, not a gate.
        assert!(!g.iter().any(|s| s.contains(&b"the".to_vec())));
        // Optional parts are no gates.
        assert!(gates(&expand(r"\bfoo(?: bar)? baz\b")).iter().all(|s| !s.contains(&b"bar".to_vec())));
    }

    #[test]
    fn word_gaps_take_every_digit() {
        assert_eq!(expand("a~2 b"), "a(?: [^ ]+){0,2} b");
        assert_eq!(expand("a~12 b"), "a(?: [^ ]+){0,12} b");
        let re = regex::Regex::new(&expand(r"^two responses~12 normal$")).unwrap();
        assert!(re.is_match("two responses one in the voice of the normal"));
        assert!(!re.is_match("two responses 2 normal x"));
    }

    #[test]
    fn raw_arming_is_exact() {
        let b = builtin().unwrap();
        let text = "x <!-- hi --> sk-abc ' or 1=1 rm -rf key";
        let (n, _) = crate::normalise::views(text);
        let on = b.cues.scan(n.text()).raw;
        for (r, o) in RAW_RULES.iter().zip(on) {
            let direct = r.triggers.iter().any(|t| n.text().contains(&t.to_ascii_lowercase()));
            assert_eq!(o, direct, "{}", r.name);
        }
    }

    #[test]
    fn line_rules_know_their_first_bytes() {
        let b = builtin().unwrap();
        let lines: Vec<&Phrase> = b.norm.iter().chain(&b.fold).filter(|p| p.arm == Arm::LineStart).collect();
        assert!(!lines.is_empty());
        for p in lines {
            let set = p.first.as_ref().expect(p.rule.name);
            // Every byte a line can start with: a match there needs that byte in the set.
            for c in 0..=255u8 {
                for tail in ["system: x", "## instructions", "user: hi", "ai:"] {
                    let mut hay = vec![c];
                    hay.extend_from_slice(tail.as_bytes());
                    let Ok(hay) = std::str::from_utf8(&hay) else { continue };
                    if p.re.is_match(hay) {
                        assert!(set[usize::from(c)], "{} {c}", p.rule.name);
                    }
                }
            }
            for (i, tail) in ["system: x", "## instructions", "user: hi", "ai:", "\u{a0}user:"].iter().enumerate() {
                if p.re.is_match(tail) {
                    assert!(set[usize::from(tail.as_bytes()[0])], "{} {i}", p.rule.name);
                }
            }
            // Most lines start with a letter that no line-start rule starts with.
            assert!(!set[usize::from(b't')], "{}", p.rule.name);
        }
        let mut set = [false; 256];
        assert!(first_bytes(&parse("(?m)^\\s*").unwrap(), &mut set));
        assert!(!first_bytes(&parse("\\s*é").unwrap(), &mut set));
        assert!(set[0xc3] && set[usize::from(b' ')] && set[0xc2] && !set[usize::from(b'a')]);
    }

    #[test]
    fn every_rule_compiles() {
        let b = builtin().unwrap();
        assert!(b.fold.iter().all(|p| p.arm == Arm::Triggers));
        // Markup, or the lead byte of a Chinese, Japanese or Korean character.
        assert!(b.mark_bytes.iter().all(|c| b"<[{(".contains(c) || (0xe3..=0xed).contains(c)));
    }

    /// Triggers as (rule, alternative, position, word), the words of each gate, profanity words.
    type Plain = (Vec<(u16, u16, u32, u32)>, Vec<Vec<u32>>, Vec<(usize, usize)>);

    /// The candidates of [`Builtin::fold_candidates`], found the plain way: one walk per word
    /// start, every gate of a word listed once, triggers kept when all their gates occur.
    fn plain_candidates(b: &Builtin, hay: &[u8], starts: &[u32]) -> Plain {
        let mut gates: Vec<Vec<u32>> = vec![Vec::new(); b.gate_count];
        let mut trigs = Vec::new();
        let mut words = Vec::new();
        for (wi, &p) in starts.iter().enumerate() {
            let wi = wi as u32;
            for lits in [&b.words, &b.wide] {
                lits.dfa.run_short(&hay[p as usize..], |_, ids| {
                    // What one state means, each thing once.
                    let mut acts: Vec<Act> = Vec::new();
                    for &pid in ids {
                        let (a, e) = lits.spans[pid as usize];
                        for &act in &lits.acts[a as usize..e as usize] {
                            if !acts.contains(&act) {
                                acts.push(act);
                            }
                        }
                    }
                    for act in acts {
                        match act {
                            Act::Gate(g) => {
                                if gates[g].last() != Some(&wi) {
                                    gates[g].push(wi);
                                }
                            }
                            Act::Trigger(r, k) => trigs.push((r, k, p, wi)),
                            Act::Word(w) => words.push((w, p as usize)),
                        }
                    }
                });
            }
        }
        trigs.retain(|&(r, k, _, _)| {
            b.fold[usize::from(r)].branches[usize::from(k)].gates.iter().all(|&g| !gates[g].is_empty())
        });
        (trigs, gates, words)
    }

    #[test]
    fn fold_candidates_equal_plain_walks() {
        let b = builtin().unwrap();
        let mut vocab: Vec<Vec<u8>> = b.words.pats.clone();
        vocab.extend(b.wide.pats.iter().cloned());
        let filler: Vec<Vec<u8>> = ["x", "the", "of", "a", "zebra", "ignore", "previous", "ok", "1", "you", "-", "s"]
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        vocab.extend(filler.iter().cloned());
        assert!(vocab.len() > 500);
        let mut next = crate::seeded::xorshift(0x51f1_5eed_1234_abcdu64);
        let mut hits = 0;
        for round in 0..400 {
            let n = 1 + (next() % 300) as usize;
            let mut text: Vec<u8> = Vec::new();
            for _ in 0..n {
                if !text.is_empty() {
                    text.push(b' ');
                }
                let w = &vocab[(next() % vocab.len() as u64) as usize];
                match next() % 8 {
                    // A literal cut short, or run on into another word.
                    0 => {
                        // Cut on a character boundary: literals in other scripts are multi-byte.
                        let mut k = w.len() / 2 + 1;
                        while w.get(k).is_some_and(|&c| c & 0xc0 == 0x80) {
                            k += 1;
                        }
                        text.extend_from_slice(&w[..k.min(w.len())]);
                    }
                    1 => {
                        text.extend_from_slice(w);
                        text.extend_from_slice(&filler[(next() % filler.len() as u64) as usize]);
                    }
                    _ => text.extend_from_slice(w),
                }
            }
            let starts: Vec<u32> = std::iter::once(0)
                .chain(text.iter().enumerate().filter(|(_, &c)| c == b' ').map(|(i, _)| i as u32 + 1))
                .filter(|_| round % 5 != 0 || !next().is_multiple_of(4))
                .collect();
            let text = String::from_utf8(text).unwrap();
            let c = b.fold_candidates(&text, &starts);
            let (trigs, gates, words) = plain_candidates(b, text.as_bytes(), &starts);
            let at: Vec<(u16, u16, u32, u32)> = c.at.iter().map(|t| (t.rule, t.branch, t.pos, t.word)).collect();
            assert_eq!(at, trigs, "round {round}");
            for (g, list) in gates.iter().enumerate() {
                assert_eq!(c.gates.of(g), list.as_slice(), "round {round} gate {g}");
                assert_eq!(c.gates.has(g), !list.is_empty(), "round {round} gate {g}");
            }
            assert_eq!(c.words, words, "round {round}");
            hits += at.len();
        }
        assert!(hits > 1000, "{hits}");
    }
}

#[cfg(test)]
mod stats {
    use super::*;
    mod corpus {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/corpus.rs"));
    }

    #[test]
    #[ignore]
    fn candidate_stats() {
        let b = builtin().unwrap();
        let text = corpus::prompt(8 * 1024);
        let (n, f) = crate::normalise::views(&text);
        let c = b.fold_candidates(f.text(), f.word_starts());
        println!("words {} hits {}", f.word_starts().len(), c.at.len());
        let mut reached = Vec::new();
        b.words.walk_all(f.text().as_bytes(), f.word_starts(), &mut reached);
        let sum = |k: fn(&Special) -> u8| {
            reached
                .iter()
                .filter_map(|&(_, s)| b.words.specials.get(s as usize))
                .map(|s| usize::from(k(s)))
                .sum::<usize>()
        };
        println!(
            "gate_count {} alts {} rules {}",
            b.gate_count,
            b.fold.iter().map(|p| p.branches.len()).sum::<usize>(),
            b.fold.len()
        );
        println!(
            "states {} gates {} trigs {} words {}",
            reached.len(),
            sum(|s| s.gates),
            sum(|s| s.trigs),
            sum(|s| s.words)
        );
        for (ri, p) in b.fold.iter().enumerate() {
            let k = c.at.iter().filter(|t| t.rule as usize == ri).count();
            let ok =
                c.at.iter()
                    .filter(|t| t.rule as usize == ri && p.viable(t.branch.into(), t.word as usize, &c.gates))
                    .count();
            if k > 0 {
                println!("{:32} cand {:4} alts {} viable {}", p.rule.name, k, p.branches.len(), ok);
            }
        }
        let starts: Vec<u8> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', n.text().as_bytes()).map(|i| i + 1))
            .filter_map(|i| n.text().as_bytes().get(i).copied())
            .collect();
        println!("line starts {} {:?}", starts.len(), String::from_utf8_lossy(&starts));
        for p in b.norm.iter().filter(|p| p.arm == Arm::LineStart) {
            let set = p.first.as_ref().unwrap();
            println!("{} passes {}", p.rule.name, starts.iter().filter(|&&c| set[usize::from(c)]).count());
        }
        let nc = b.norm_candidates(n.text());
        println!("norm cands {}", nc.at.len());
        let on = b.cues.scan(n.text()).raw;
        for (r, o) in crate::raw_rules::RAW_RULES.iter().zip(on) {
            let direct = r.triggers.iter().any(|t| n.text().contains(&t.to_ascii_lowercase()));
            if o || direct {
                println!("raw armed {} direct {direct}", r.name);
            }
        }
    }
}
