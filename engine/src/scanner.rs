//! The compiled scanner: built once per configuration, shared behind an `Arc`, used for every
//! request until the configuration changes.

use crate::config::{CustomPattern, ScannerConfig};
use crate::decode;
use crate::detect::{self, hidden, Hit};
use crate::error::BuildError;
use crate::matcher::{builtin, Arm, Builtin, Cue, Gates, Phrase, Trig};
use crate::model::Model;
use crate::normalise::{self, Folded, Normalised};
use crate::raw_rules::{self, Check, RAW_RULES};
use crate::rules::{PhraseRule, OWN_TEXT_WORDS};
use crate::sanitize;
use crate::types::{Action, Finding, PiiMode, Severity, Source, ThreatLevel, ThreatType, Verdict};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;

/// Above this many candidate positions one unanchored pass beats many anchored attempts.
const MANY_OCCURRENCES: usize = 12;

struct CustomSet {
    literal_ac: Option<AhoCorasick>,
    literal_idx: Vec<usize>,
    regexes: Vec<(usize, Regex)>,
}

fn build_custom(patterns: &[CustomPattern]) -> Result<CustomSet, BuildError> {
    let mut lits = Vec::new();
    let mut literal_idx = Vec::new();
    let mut regexes = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        if p.name.trim().is_empty() {
            return Err(BuildError::EmptyName { pattern: p.pattern.clone(), name: p.name.clone() });
        }
        if p.pattern.is_empty() {
            return Err(BuildError::EmptyPattern { name: p.name.clone() });
        }
        if p.is_regex {
            let re =
                RegexBuilder::new(&p.pattern).size_limit(1 << 22).dfa_size_limit(1 << 22).build().map_err(|e| {
                    BuildError::InvalidRegex { name: p.name.clone(), pattern: p.pattern.clone(), reason: e.to_string() }
                })?;
            if re.is_match("") {
                return Err(BuildError::MatchesEmpty { name: p.name.clone(), pattern: p.pattern.clone() });
            }
            regexes.push((i, re));
        } else {
            // Literals match the normalised view, so the literal is normalised the same way.
            let n = normalise::normalise(&p.pattern).view.text;
            if n.is_empty() {
                return Err(BuildError::EmptyPattern { name: p.name.clone() });
            }
            lits.push(n);
            literal_idx.push(i);
        }
    }
    let literal_ac = if lits.is_empty() {
        None
    } else {
        Some(
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .build(&lits)
                .map_err(|e| BuildError::InvalidRegex {
                    name: "custom literals".into(),
                    pattern: String::new(),
                    reason: e.to_string(),
                })?,
        )
    };
    Ok(CustomSet { literal_ac, literal_idx, regexes })
}

/// A compiled, immutable scanner. `Send + Sync`; share it in an `Arc`.
pub struct Scanner {
    config: ScannerConfig,
    builtin: &'static Builtin,
    custom: CustomSet,
    model: Option<&'static Model>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").field("config", &self.config).field("model", &self.model.is_some()).finish()
    }
}

/// Where a segment's findings land in the original text.
#[derive(Clone, Copy)]
enum Place {
    /// The segment is the original text: map spans through the views.
    Root,
    /// The segment was decoded or extracted from this original range: every finding covers it.
    Fixed(usize, usize),
}

struct Seg<'a> {
    raw: &'a str,
    norm: Normalised,
    fold: Folded,
    place: Place,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ViewKind {
    Raw,
    Norm,
    Fold,
}

/// A finding before its `original` text is attached.
#[derive(Debug, Clone)]
struct Raw {
    ty: ThreatType,
    sev: Severity,
    start: usize,
    end: usize,
    pattern: Cow<'static, str>,
    custom_type: Option<Cow<'static, str>>,
}

/// Model probability thresholds for Low/Medium/High severity of a classifier finding.
pub const MODEL_LOW: f32 = 0.6;
pub const MODEL_MEDIUM: f32 = 0.9;
pub const MODEL_HIGH: f32 = 0.98;
/// Below this many words a classifier finding is at most `Low`.
pub const MODEL_MIN_WORDS: usize = 5;

impl Scanner {
    pub fn new(config: &ScannerConfig) -> Result<Scanner, BuildError> {
        let builtin = builtin()?;
        let custom = build_custom(&config.custom_patterns)?;
        let model = if config.use_model { Model::builtin() } else { None };
        Ok(Scanner { config: config.clone(), builtin, custom, model })
    }

    pub fn config(&self) -> &ScannerConfig {
        &self.config
    }

    /// Whether the built-in classifier is loaded and in use.
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    pub fn scan(&self, text: &str, source: Source) -> Verdict {
        let mut raws: Vec<Raw> = Vec::with_capacity(64);
        let seg = self.segment(text, Place::Root);
        self.scan_segment(&seg, source, 0, &mut raws);
        if let Some(model) = self.model {
            if self.config.detectors.prompt_injection || self.config.detectors.jailbreak {
                self.classify(model, &seg, &mut raws);
            }
        }
        combine_signals(&mut raws);
        self.decide(text, source, raws)
    }

    /// Probability from the built-in classifier for `text` (0 when no model is loaded).
    pub fn model_score(&self, text: &str) -> f32 {
        match self.model {
            Some(m) => m.score(normalise::views(text).1.text()).0,
            None => 0.0,
        }
    }

    fn segment<'a>(&self, raw: &'a str, place: Place) -> Seg<'a> {
        let norm = normalise::normalise(raw);
        let fold = normalise::fold(&norm);
        Seg { raw, norm, fold, place }
    }

    fn emit(&self, seg: &Seg<'_>, view: ViewKind, h: Hit, out: &mut Vec<Raw>) {
        let span = match seg.place {
            Place::Fixed(s, e) => Some((s, e)),
            Place::Root => match view {
                ViewKind::Raw => Some((h.start, h.end)),
                ViewKind::Norm => seg.norm.view.to_original(seg.raw, h.start, h.end),
                ViewKind::Fold => seg.fold.view.to_original(seg.raw, h.start, h.end),
            },
        };
        if let Some((start, end)) = span {
            out.push(Raw { ty: h.ty, sev: h.sev, start, end, pattern: h.pattern, custom_type: h.custom_type });
        }
    }

    fn scan_segment(&self, seg: &Seg<'_>, source: Source, depth: u8, out: &mut Vec<Raw>) {
        let det = &self.config.detectors;
        let b = self.builtin;
        let untrusted = source.is_untrusted_content();

        let fold_c = b.fold_candidates(seg.fold.text(), seg.fold.word_starts());
        if det.prompt_injection || det.jailbreak {
            let norm_c = b.norm_candidates(seg.norm.text());
            self.phrases(seg, &b.fold, &fold_c.at, &fold_c.gates, ViewKind::Fold, untrusted, out);
            self.phrases(seg, &b.norm, &norm_c.at, &Gates::default(), ViewKind::Norm, untrusted, out);
            if det.prompt_injection && untrusted {
                let mut hits = Vec::new();
                detect::indirect::detect(seg.norm.text(), &mut hits);
                for h in hits {
                    self.emit(seg, ViewKind::Norm, h, out);
                }
            }
            if det.prompt_injection {
                let mut hits = Vec::new();
                detect::diversion::detect(seg.norm.text(), &mut hits);
                for h in hits {
                    self.emit(seg, ViewKind::Norm, h, out);
                }
            }
        }

        let found = b.cues.scan(seg.norm.text());
        if det.secrets || det.suspicious_code {
            let on = found.raw.iter().copied();
            let rules = RAW_RULES.iter().zip(&b.raw).zip(&b.raw_started);
            for (r, (((rule, re), started), _)) in rules.zip(on).enumerate().filter(|(_, (_, on))| *on) {
                if !det.enabled(rule.ty) {
                    continue;
                }
                let text = seg.raw;
                let mut one = |(s, e): (usize, usize), g: Option<(usize, usize)>| {
                    let whole = text.get(s..e).unwrap_or("");
                    let value = g.and_then(|(a, z)| text.get(a..z)).unwrap_or(whole);
                    let keep = match rule.check {
                        Check::None => true,
                        Check::RealPassword => !raw_rules::is_placeholder_password(value),
                        Check::Entropy => raw_rules::looks_random(value),
                        Check::OpenAiNotAnthropic => !whole.starts_with("sk-ant-"),
                    };
                    if keep {
                        let sev = if rule.raise_untrusted && untrusted { rule.sev.raise() } else { rule.sev };
                        self.emit(seg, ViewKind::Raw, Hit::new(rule.ty, sev, s, e, rule.name), out);
                    }
                };
                let done = started.as_ref().and_then(|st| {
                    let mut at: Vec<usize> = found.starts_of(r).filter_map(|q| seg.norm.view.origin(q)).collect();
                    at.sort_unstable();
                    at.dedup();
                    st.captures(text, at.into_iter(), &mut one)
                });
                if done.is_some() {
                    continue;
                }
                for c in re.captures_iter(text) {
                    let Some(m) = c.get(0) else { continue };
                    one((m.start(), m.end()), c.get(1).map(|v| (v.start(), v.end())));
                }
            }
        }

        let mut hits: Vec<Hit> = Vec::with_capacity(32);
        if det.pii && depth == 0 {
            detect::pii::detect(seg.raw, &found, &mut hits);
            detect::names::detect(seg.raw, found.has(Cue::Name), &mut hits);
        }
        if det.malicious_url {
            detect::urls::detect(seg.raw, &seg.norm.view, &found.urls, &mut hits);
        }
        if det.hidden_instructions {
            hidden::invisible(&seg.norm, &mut hits);
        }
        for h in hits {
            self.emit(seg, ViewKind::Raw, h, out);
        }
        if det.profanity {
            let mut ph = Vec::new();
            detect::profanity::detect(seg.fold.text(), fold_c.words.iter().copied(), &mut ph);
            for h in ph {
                self.emit(seg, ViewKind::Fold, h, out);
            }
        }

        self.custom_patterns(seg, out);

        if depth >= self.config.decode_depth {
            return;
        }
        // Hidden containers and decoded payloads: scan their contents; if instructions or code
        // turn up inside, the container itself is evidence of hiding them.
        let mut inner: Vec<(Hit, (usize, usize), Cow<'_, str>)> = Vec::new();
        if det.hidden_instructions {
            let mut cs = Vec::new();
            hidden::containers(seg.raw, &found, &mut cs);
            for c in cs {
                if let Some(t) = seg.raw.get(c.inner.0..c.inner.1) {
                    let span = (c.hit.start, c.hit.end);
                    inner.push((c.hit, span, Cow::Borrowed(t)));
                }
            }
            for p in &seg.norm.tag_payloads {
                let h = Hit::new(ThreatType::HiddenInstructions, Severity::High, p.start, p.end, "unicode_tag_payload");
                inner.push((h, (p.start, p.end), Cow::Owned(p.text.clone())));
            }
        }
        let hints = decode::Hints {
            hex_escapes: found.has(Cue::HexEscape),
            shifts: found.shifts,
            reversed: found.has(Cue::Reversed),
        };
        for d in decode::decode_with(seg.raw, hints) {
            let h = Hit::new(ThreatType::HiddenInstructions, Severity::Low, d.start, d.end, encoded_name(d.encoding));
            inner.push((h, (d.start, d.end), Cow::Owned(d.text)));
        }
        if det.prompt_injection || det.jailbreak {
            for (s, e, t) in detect::spelled::sentences(seg.raw) {
                let h = Hit::new(ThreatType::HiddenInstructions, Severity::Low, s, e, "spelled_out_letters");
                inner.push((h, (s, e), Cow::Owned(t)));
            }
        }
        for (mut h, (s, e), text) in inner {
            let place = match seg.place {
                Place::Fixed(a, b) => Place::Fixed(a, b),
                Place::Root => Place::Fixed(s, e),
            };
            let sub = self.segment(&text, place);
            let mut found = Vec::new();
            self.scan_segment(&sub, source, depth + 1, &mut found);
            let instructive = found.iter().any(|f| {
                matches!(f.ty, ThreatType::PromptInjection | ThreatType::Jailbreak | ThreatType::SuspiciousCode)
                    && f.sev >= Severity::Medium
            });
            let is_encoding = h.pattern.starts_with("encoded_") || h.pattern == "spelled_out_letters";
            if instructive {
                h.sev = h.sev.max(Severity::High);
            }
            if instructive || !is_encoding {
                self.emit(seg, ViewKind::Raw, h, out);
            }
            out.extend(found);
        }
    }

    /// Runs the phrase rules of one view at their candidate positions. `at` holds (rule,
    /// alternative, position) triples; `gates` says which gate literals the text holds (fold
    /// rules only).
    #[allow(clippy::too_many_arguments)]
    fn phrases(
        &self,
        seg: &Seg<'_>,
        phrases: &[Phrase],
        at: &[Trig],
        gates: &Gates,
        kind: ViewKind,
        untrusted: bool,
        out: &mut Vec<Raw>,
    ) {
        let det = &self.config.detectors;
        let view = match kind {
            ViewKind::Fold => seg.fold.text(),
            _ => seg.norm.text(),
        };
        let bytes = view.as_bytes();
        // The viable positions as `(rule, position)` in one small buffer, sorted so each rule's
        // positions form one ascending run (few survive the gates: a dozen in 1 100 triggers).
        let mut viable: Vec<(u16, u32)> = Vec::with_capacity(at.len());
        // Alternatives with a gate that occurs nowhere are already left out of `at`.
        for t in at {
            if phrases.get(usize::from(t.rule)).is_some_and(|p| p.viable(t.branch.into(), t.word as usize, gates)) {
                viable.push((t.rule, t.pos));
            }
        }
        viable.sort_unstable();
        viable.dedup();
        let mut rest = viable.as_slice();
        let mut line_starts: Option<Vec<usize>> = None;
        let mut positions: Vec<usize> = Vec::new();
        for (r, p) in phrases.iter().enumerate() {
            positions.clear();
            let run = rest.iter().take_while(|&&(k, _)| usize::from(k) == r).count();
            let (mine, later) = rest.split_at(run);
            rest = later;
            positions.extend(mine.iter().map(|&(_, pos)| pos as usize));
            if !det.enabled(p.rule.ty) || p.rule.untrusted_only && !untrusted {
                continue;
            }
            match p.arm {
                Arm::Triggers => {}
                Arm::LineStart => {
                    positions.clear();
                    positions.extend_from_slice(line_starts.get_or_insert_with(|| {
                        std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1)).collect()
                    }));
                }
                Arm::Always => {}
            }
            if positions.is_empty() && p.arm != Arm::Always {
                continue;
            }
            // Many candidates: one unanchored pass beats many anchored attempts.
            let whole = p.arm == Arm::Always
                || match p.arm {
                    Arm::LineStart => positions.len() > 32 && positions.len() * 64 > view.len(),
                    _ => positions.len() > MANY_OCCURRENCES.max(view.len() / 200),
                };
            if whole {
                for m in p.whole.find_iter(view) {
                    // Fold rules start at a word; a match inside a word is no start.
                    if kind == ViewKind::Fold && m.start() > 0 && bytes.get(m.start() - 1) != Some(&b' ') {
                        continue;
                    }
                    if !holds_cased(seg, kind, p.rule.cased, m.start(), m.end()) {
                        continue;
                    }
                    let h = Hit::new(
                        p.rule.ty,
                        rule_severity(seg, kind, p.rule, m.start()),
                        m.start(),
                        m.end(),
                        p.rule.name,
                    );
                    self.emit(seg, kind, h, out);
                }
                continue;
            }
            let mut last_end = 0;
            for &pos in &positions {
                if kind == ViewKind::Fold && pos > 0 && bytes.get(pos - 1) != Some(&b' ') {
                    continue;
                }
                if pos < last_end {
                    continue;
                }
                // A line starting with a byte no match starts with holds no match there.
                if p.first.as_ref().is_some_and(|set| !bytes.get(pos).is_some_and(|&b| set[usize::from(b)])) {
                    continue;
                }
                let Some(rest) = view.get(pos..) else { continue };
                if let Some(m) = p.re.find(rest) {
                    if !holds_cased(seg, kind, p.rule.cased, pos, pos + m.end()) {
                        continue;
                    }
                    last_end = pos + m.end();
                    let h = Hit::new(p.rule.ty, rule_severity(seg, kind, p.rule, pos), pos, pos + m.end(), p.rule.name);
                    self.emit(seg, kind, h, out);
                }
            }
        }
    }

    fn custom_patterns(&self, seg: &Seg<'_>, out: &mut Vec<Raw>) {
        let pats = &self.config.custom_patterns;
        let mk = |i: usize, s: usize, e: usize| -> Option<Hit> {
            let p = pats.get(i)?;
            Some(Hit {
                ty: ThreatType::Custom,
                sev: p.severity,
                start: s,
                end: e,
                pattern: Cow::Owned(p.pattern.clone()),
                custom_type: Some(Cow::Owned(p.name.clone())),
            })
        };
        if let Some(ac) = &self.custom.literal_ac {
            for m in ac.find_iter(seg.norm.text()) {
                if let Some(&i) = self.custom.literal_idx.get(m.pattern().as_usize()) {
                    if let Some(h) = mk(i, m.start(), m.end()) {
                        self.emit(seg, ViewKind::Norm, h, out);
                    }
                }
            }
        }
        for (i, re) in &self.custom.regexes {
            for m in re.find_iter(seg.raw) {
                if m.start() < m.end() {
                    if let Some(h) = mk(*i, m.start(), m.end()) {
                        self.emit(seg, ViewKind::Raw, h, out);
                    }
                }
            }
        }
    }

    fn classify(&self, model: &Model, seg: &Seg<'_>, out: &mut Vec<Raw>) {
        let words = seg.fold.word_starts();
        // Long texts: the model looks at the edges and wherever a rule saw instruction-like text.
        let flagged: Vec<usize> = if words.len() > crate::model::FULL_WORDS {
            out.iter()
                .filter(|r| matches!(r.ty, ThreatType::PromptInjection | ThreatType::Jailbreak))
                .filter_map(|r| seg.fold.view.view_pos(r.start))
                .map(|p| words.partition_point(|&w| (w as usize) <= p).saturating_sub(1))
                .collect()
        } else {
            Vec::new()
        };
        let ranges = crate::model::ranges_to_score(words.len(), &flagged);
        let (p, s, e) = model.score_ranges(seg.fold.text(), words, &ranges);
        let sev = if p >= MODEL_HIGH {
            Severity::High
        } else if p >= MODEL_MEDIUM {
            Severity::Medium
        } else if p >= MODEL_LOW {
            Severity::Low
        } else {
            return;
        };
        // A handful of words carries too few n-grams for the model to be sure
        // ("via responses" once scored 0.9): alone, it may only note them.
        // Short attacks are the rules' job, and they catch them.
        let sev = if seg.fold.word_starts().len() < MODEL_MIN_WORDS { sev.min(Severity::Low) } else { sev };
        let h = Hit::new(ThreatType::PromptInjection, sev, s, e, "classifier");
        self.emit(seg, ViewKind::Fold, h, out);
    }

    fn min_severity(&self, ty: ThreatType) -> Severity {
        match self.config.level {
            ThreatLevel::Low => Severity::High,
            ThreatLevel::Medium => Severity::Medium,
            ThreatLevel::High => Severity::Low,
            ThreatLevel::Custom => self.config.type_thresholds.get(&ty).copied().unwrap_or(Severity::Medium),
        }
    }

    fn action_for(&self, f: &Finding, source: Source) -> Action {
        if self.config.level == ThreatLevel::Custom {
            if let Some(a) = self.config.type_actions.get(&f.threat_type) {
                return *a;
            }
        }
        match f.threat_type {
            ThreatType::PromptInjection | ThreatType::Jailbreak => Action::Block,
            ThreatType::HiddenInstructions | ThreatType::MaliciousUrl => {
                if f.severity >= Severity::High {
                    Action::Block
                } else {
                    Action::Sanitize
                }
            }
            ThreatType::Pii => match self.config.pii_mode {
                PiiMode::Mask | PiiMode::PartialMask => Action::Sanitize,
                PiiMode::Block => Action::Block,
                PiiMode::Allow => Action::Allow,
            },
            ThreatType::Secrets | ThreatType::Profanity => Action::Sanitize,
            ThreatType::SuspiciousCode => {
                if source.is_untrusted_content() && f.severity >= Severity::High {
                    Action::Block
                } else {
                    Action::Warn
                }
            }
            ThreatType::Custom => {
                let name = f.custom_type.as_deref();
                let configured =
                    self.config.custom_patterns.iter().find(|p| Some(p.name.as_str()) == name).and_then(|p| p.action);
                configured.unwrap_or(if f.severity >= Severity::High { Action::Block } else { Action::Warn })
            }
        }
    }

    fn decide(&self, text: &str, source: Source, raws: Vec<Raw>) -> Verdict {
        // Ordering, merging and the risk score need only spans, types and names; the owned
        // strings of a finding are made for the counted ones alone.
        let mut raws: Vec<Raw> =
            raws.into_iter().filter(|r| r.start < r.end && text.get(r.start..r.end).is_some()).collect();
        // Detectors report in whatever order their passes run; a total order makes duplicates
        // adjacent (the strongest first) and the verdict independent of that order.
        raws.sort_by(|a, b| {
            (a.start, b.end, a.ty, &a.pattern, b.sev, &a.custom_type).cmp(&(
                b.start,
                a.end,
                b.ty,
                &b.pattern,
                a.sev,
                &b.custom_type,
            ))
        });
        raws.dedup_by(|b, a| a.ty == b.ty && a.start == b.start && a.end == b.end && a.pattern == b.pattern);
        raws.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then(b.sev.cmp(&a.sev)));

        let risk_score = risk(raws.iter().map(|r| (r.ty, r.sev)));
        let mut counted: Vec<Finding> = Vec::with_capacity(raws.len());
        counted.extend(raws.into_iter().filter(|r| r.sev >= self.min_severity(r.ty)).map(|r| Finding {
            threat_type: r.ty,
            custom_type: r.custom_type,
            severity: r.sev,
            start: r.start,
            end: r.end,
            pattern: r.pattern,
            original: text.get(r.start..r.end).unwrap_or_default().to_string(),
        }));
        let actions: Vec<Action> = counted.iter().map(|f| self.action_for(f, source)).collect();
        let action = actions.iter().copied().max().unwrap_or(Action::Allow);
        let sanitized = if action == Action::Sanitize {
            let targets: Vec<&Finding> =
                counted.iter().zip(&actions).filter(|(_, a)| **a == Action::Sanitize).map(|(f, _)| f).collect();
            Some(sanitize::apply(text, &targets, self.config.pii_mode))
        } else {
            None
        };
        Verdict { action, risk_score, findings: counted, sanitized }
    }
}

/// The severity of a phrase rule's match starting at `start` of the `kind` view: the rule's own,
/// except that a match pointing back at the text before it ("repeat the sentence above") is low
/// when the text holds [`OWN_TEXT_WORDS`] words of its own before it.
fn rule_severity(seg: &Seg<'_>, kind: ViewKind, rule: &PhraseRule, start: usize) -> Severity {
    if !rule.refers_back {
        return rule.sev;
    }
    let before = match kind {
        ViewKind::Fold => seg.fold.word_starts().partition_point(|&w| (w as usize) < start),
        ViewKind::Norm | ViewKind::Raw => {
            let text = if kind == ViewKind::Norm { seg.norm.text() } else { seg.raw };
            text.get(..start).map_or(0, |t| t.split_whitespace().count())
        }
    };
    if before >= OWN_TEXT_WORDS {
        Severity::Low
    } else {
        rule.sev
    }
}

/// Whether the original text of a match (view range `start..end`) holds `word`, when the rule
/// names one, spelled exactly so and standing alone (no ASCII letter or digit on either side).
fn holds_cased(seg: &Seg<'_>, kind: ViewKind, word: Option<&str>, start: usize, end: usize) -> bool {
    let Some(word) = word else { return true };
    let view = match kind {
        ViewKind::Fold => &seg.fold.view,
        ViewKind::Norm => &seg.norm.view,
        ViewKind::Raw => return seg.raw.get(start..end).is_some_and(|t| t.contains(word)),
    };
    let Some(text) = view.to_original(seg.raw, start, end).and_then(|(s, e)| seg.raw.get(s..e)) else {
        return false;
    };
    text.match_indices(word).any(|(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + word.len()..).and_then(|t| t.chars().next());
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn encoded_name(e: decode::Encoding) -> &'static str {
    match e {
        decode::Encoding::Base64 => "encoded_base64_instructions",
        decode::Encoding::Hex => "encoded_hex_instructions",
        decode::Encoding::Url => "encoded_url_instructions",
        decode::Encoding::HtmlEntities => "encoded_html_entity_instructions",
        decode::Encoding::Rot13 => "encoded_rot13_instructions",
        decode::Encoding::Caesar => "encoded_caesar_instructions",
        decode::Encoding::Reversed => "encoded_reversed_instructions",
    }
}

/// Several independent weak signals of the same intent are stronger than any one of them:
/// three distinct injection/jailbreak rules, or two of medium strength, make a high finding.
fn combine_signals(raws: &mut Vec<Raw>) {
    let cues: Vec<&Raw> = raws
        .iter()
        .filter(|r| matches!(r.ty, ThreatType::PromptInjection | ThreatType::Jailbreak) && r.pattern != "classifier")
        .collect();
    let mut names: Vec<&str> = cues.iter().map(|r| r.pattern.as_ref()).collect();
    names.sort_unstable();
    names.dedup();
    let mut medium: Vec<&str> = cues.iter().filter(|r| r.sev >= Severity::Medium).map(|r| r.pattern.as_ref()).collect();
    medium.sort_unstable();
    medium.dedup();
    let max = cues.iter().map(|r| r.sev).max();
    if max.is_none_or(|m| m >= Severity::High) || !(names.len() >= 3 || medium.len() >= 2) {
        return;
    }
    let jb = cues.iter().filter(|r| r.ty == ThreatType::Jailbreak).count();
    let ty = if jb * 2 >= cues.len() { ThreatType::Jailbreak } else { ThreatType::PromptInjection };
    let start = cues.iter().map(|r| r.start).min().unwrap_or(0);
    let end = cues.iter().map(|r| r.end).max().unwrap_or(0);
    raws.push(Raw {
        ty,
        sev: Severity::High,
        start,
        end,
        pattern: Cow::Borrowed("combined_signals"),
        custom_type: None,
    });
}

/// 1 − Π(1 − wᵢ) over the strongest finding of each type: many findings of one kind do not
/// add up, findings of different kinds do.
fn risk(findings: impl Iterator<Item = (ThreatType, Severity)>) -> f32 {
    let mut best: [f32; 9] = [0.0; 9];
    for (ty, sev) in findings {
        let i = ThreatType::ALL.iter().position(|t| *t == ty).unwrap_or(0);
        best[i] = best[i].max(sev.weight());
    }
    let keep: f32 = best.iter().map(|w| 1.0 - w).product();
    ((1.0 - keep) * 1000.0).round() / 1000.0
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod timing {
    use super::*;
    use std::time::Instant;

    mod corpus {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/corpus.rs"));
    }

    #[test]
    #[ignore]
    fn stage_timing() {
        let text = corpus::prompt(8 * 1024);
        let s = Scanner::new(&ScannerConfig::default()).unwrap();
        let n = 10;
        // The fastest of several batches: other processes only ever add time.
        let time = |name: &str, f: &dyn Fn()| {
            for _ in 0..20 {
                f();
            }
            let mut best = f64::MAX;
            for _ in 0..60 {
                let t = Instant::now();
                for _ in 0..n {
                    f();
                }
                best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
            println!("{name:>12}: {best:8.1} µs");
        };
        let seg = s.segment(&text, Place::Root);
        time("count_bytes", &|| {
            std::hint::black_box(std::hint::black_box(&text).bytes().filter(|&b| b == b'@').count());
        });
        time("copy_lower", &|| {
            std::hint::black_box(std::hint::black_box(&text).to_ascii_lowercase());
        });
        time("normalise", &|| drop(std::hint::black_box(normalise::normalise(&text))));
        time("fold", &|| drop(std::hint::black_box(normalise::fold(&seg.norm))));
        time("fold_walk", &|| {
            drop(std::hint::black_box(s.builtin.fold_candidates(seg.fold.text(), seg.fold.word_starts())))
        });
        time("walk_each", &|| {
            let mut v = Vec::with_capacity(3000);
            s.builtin.words.walk_all(seg.fold.text().as_bytes(), seg.fold.word_starts(), &mut v);
            std::hint::black_box(v);
        });
        time("norm_walk", &|| drop(std::hint::black_box(s.builtin.norm_candidates(seg.norm.text()))));
        time("cue_scan", &|| drop(std::hint::black_box(s.builtin.cues.scan(seg.norm.text()))));
        let found = s.builtin.cues.scan(seg.norm.text());
        time("pii", &|| {
            let mut v = Vec::new();
            detect::pii::detect(&text, &found, &mut v);
        });
        time("names", &|| {
            let mut v = Vec::new();
            detect::names::detect(&text, true, &mut v);
        });
        time("urls", &|| {
            let mut v = Vec::new();
            detect::urls::detect(&text, &seg.norm.view, &found.urls, &mut v);
        });
        time("hidden", &|| {
            let mut v = Vec::new();
            hidden::containers(&text, &found, &mut v);
        });
        time("decode", &|| drop(std::hint::black_box(decode::decode_all(&text))));
        time("indirect", &|| {
            let mut v = Vec::new();
            detect::indirect::detect(seg.norm.text(), &mut v);
        });
        time("diversion", &|| {
            let mut v = Vec::new();
            detect::diversion::detect(seg.norm.text(), &mut v);
        });
        let fold_c = s.builtin.fold_candidates(seg.fold.text(), seg.fold.word_starts());
        let norm_c = s.builtin.norm_candidates(seg.norm.text());
        time("phrases", &|| {
            let mut o = Vec::new();
            s.phrases(&seg, &s.builtin.fold, &fold_c.at, &fold_c.gates, ViewKind::Fold, false, &mut o);
            s.phrases(&seg, &s.builtin.norm, &norm_c.at, &Gates::default(), ViewKind::Norm, false, &mut o);
        });
        if let Some(m) = s.model {
            time("model", &|| {
                std::hint::black_box(m.score(seg.fold.text()));
            });
        }
        if let Some(m) = s.model {
            let mut o = Vec::new();
            s.scan_segment(&seg, Source::UserInput, 0, &mut o);
            time("classify", &|| {
                let mut o = o.clone();
                s.classify(m, &seg, &mut o);
            });
            time("clone_raws", &|| drop(std::hint::black_box(o.clone())));
            // The verdict from the findings (cloned, as above), with the combined signal.
            s.classify(m, &seg, &mut o);
            time("verdict", &|| {
                let mut o = o.clone();
                combine_signals(&mut o);
                drop(std::hint::black_box(s.decide(&text, Source::UserInput, o)));
            });
        }
        time("segment", &|| {
            let mut o = Vec::new();
            s.scan_segment(&seg, Source::UserInput, 0, &mut o);
        });
        time("scan", &|| drop(std::hint::black_box(s.scan(&text, Source::UserInput))));
        time("scan_tool", &|| drop(std::hint::black_box(s.scan(&text, Source::ToolOutput))));
        for t in ThreatType::ALL {
            let mut cfg = ScannerConfig::default();
            cfg.detectors = crate::Detectors::none();
            cfg.detectors.set(t, true);
            cfg.use_model = false;
            cfg.decode_depth = 0;
            let one = Scanner::new(&cfg).unwrap();
            time(t.as_str(), &|| {
                let mut o = Vec::new();
                one.scan_segment(&seg, Source::UserInput, 0, &mut o);
            });
        }
        let mut cfg = ScannerConfig::default();
        cfg.detectors = crate::Detectors::none();
        cfg.use_model = false;
        let none = Scanner::new(&cfg).unwrap();
        time("decode_only", &|| {
            let mut o = Vec::new();
            none.scan_segment(&seg, Source::UserInput, 0, &mut o);
        });
        time("decide", &|| {
            let mut o = Vec::new();
            s.scan_segment(&seg, Source::UserInput, 0, &mut o);
            drop(s.decide(&text, Source::UserInput, o));
        });
        let mut o = Vec::new();
        s.scan_segment(&seg, Source::UserInput, 0, &mut o);
        println!("raw findings {}", o.len());
    }
}
