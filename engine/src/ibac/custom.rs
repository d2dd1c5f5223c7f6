//! Custom categories compiled once: literal phrases join the built-in cue phrases in one
//! automaton over the folded view (one pass finds both), regular expressions become
//! `regex::Regex`es run on the original (and normalised) text.

use super::config::{CustomCategory, IbacBuildError};
use super::cues::Cues;
use super::phrases::{pad, PhraseAutomaton};
use super::score::{CustomHit, Ev};
use super::text::{Analysis, Hit};
use super::types::{IntentAction, IntentCategory};
use crate::normalise::views;
use regex::{Regex, RegexBuilder};
use std::collections::{BTreeMap, HashSet};

/// Compiled regexes stay small: an organisation's pattern must not make every request slow.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Hits beyond this many per regex add nothing to a score.
const MAX_REGEX_HITS: usize = 64;

pub(super) struct CompiledCategory {
    pub category: IntentCategory,
    pub threshold: f32,
    pub action: IntentAction,
    pub message: Option<String>,
    regexes: Vec<Regex>,
}

#[derive(Default)]
pub(super) struct CustomSet {
    pub categories: Vec<CompiledCategory>,
    /// The built-in phrases followed by the literals; `None` when there are no literals and the
    /// shared built-in automaton does.
    combined: Option<PhraseAutomaton>,
    /// For each literal (automaton pattern minus the built-in count), the (category, pattern
    /// index) pairs that wrote it.
    literal_owners: Vec<Vec<(u32, u32)>>,
}

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl CustomSet {
    pub fn new(custom: &[CustomCategory], cues: &Cues) -> Result<Self, IbacBuildError> {
        let mut seen = HashSet::new();
        let mut categories = Vec::with_capacity(custom.len());
        let mut literals: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        for (ci, c) in custom.iter().enumerate() {
            let name = c.name.trim();
            if name.is_empty() {
                return Err(IbacBuildError::EmptyName);
            }
            if IntentCategory::built_in(name).is_some() {
                return Err(IbacBuildError::ReservedName { name: c.name.clone() });
            }
            if !seen.insert(name.to_string()) {
                return Err(IbacBuildError::DuplicateName { name: c.name.clone() });
            }
            if !(c.threshold.is_finite() && (0.0..=1.0).contains(&c.threshold)) {
                return Err(IbacBuildError::InvalidThreshold { category: c.name.clone(), threshold: c.threshold });
            }
            if c.patterns.is_empty() {
                return Err(IbacBuildError::NoPatterns { category: c.name.clone() });
            }
            let mut regexes = Vec::new();
            for (pi, p) in c.patterns.iter().enumerate() {
                if c.is_regex {
                    regexes.push(compile_regex(&c.name, p)?);
                } else {
                    // The literal goes through the same normalisation as the prompt, so it matches
                    // whatever case, width or spelling the prompt uses.
                    let folded = views(p).1.view.text;
                    if folded.is_empty() {
                        return Err(IbacBuildError::EmptyPattern { category: c.name.clone(), pattern: p.clone() });
                    }
                    literals.entry(folded).or_default().push((idx(ci), idx(pi)));
                }
            }
            categories.push(CompiledCategory {
                category: IntentCategory::Custom(name.to_string()),
                threshold: c.threshold,
                action: c.action,
                message: c.message.clone(),
                regexes,
            });
        }
        if literals.is_empty() {
            return Ok(CustomSet { categories, combined: None, literal_owners: Vec::new() });
        }
        // A second automaton would cost a second pass over every prompt; rebuilding the
        // built-in one with the literals added costs a few milliseconds once per configuration.
        let mut patterns = cues.patterns.clone();
        let mut literal_owners = Vec::with_capacity(literals.len());
        for (p, owners) in literals {
            patterns.push(pad(&p));
            literal_owners.push(owners);
        }
        let automaton = PhraseAutomaton::new(&patterns).map_err(|reason| IbacBuildError::LiteralPatterns { reason })?;
        Ok(CustomSet { categories, combined: Some(automaton), literal_owners })
    }

    /// The automaton to search with, when literals were added to the built-in phrases.
    pub fn automaton(&self) -> Option<&PhraseAutomaton> {
        self.combined.as_ref()
    }

    /// Every custom hit in the text, ordered by sentence. `literal_hits` are the automaton's
    /// hits on literals, numbered from 0 (the built-in count already subtracted).
    pub fn hits(&self, a: &Analysis<'_>, literal_hits: &[Hit]) -> Vec<CustomHit> {
        let mut out = Vec::new();
        for h in literal_hits {
            let sentence = a.words.get(h.first as usize).map_or(0, |w| w.sentence);
            for &(category, pattern) in self.literal_owners.get(h.pat as usize).map_or(&[][..], Vec::as_slice) {
                out.push(CustomHit { category, pattern, sentence, ev: Ev::Words(h.first, h.last) });
            }
        }
        let non_ascii = !a.text.is_ascii();
        for (ci, c) in self.categories.iter().enumerate() {
            for (pi, re) in c.regexes.iter().enumerate() {
                let mut push = |s: usize, e: usize| {
                    let sentence = a.sentence_at(s);
                    out.push(CustomHit { category: idx(ci), pattern: idx(pi), sentence, ev: Ev::Orig(s, e) });
                };
                for m in re.find_iter(a.text).filter(|m| !m.is_empty()).take(MAX_REGEX_HITS) {
                    push(m.start(), m.end());
                }
                // Width, homoglyph and zero-width tricks all need non-ASCII characters; only then
                // can the normalised view match where the original did not.
                if non_ascii {
                    let norm = &a.norm.view;
                    for m in re.find_iter(&norm.text).filter(|m| !m.is_empty()).take(MAX_REGEX_HITS) {
                        if let Some((s, e)) = norm.to_original(a.text, m.start(), m.end()) {
                            push(s, e);
                        }
                    }
                }
            }
        }
        out.sort_by_key(|h| h.sentence);
        out
    }
}

fn compile_regex(category: &str, pattern: &str) -> Result<Regex, IbacBuildError> {
    let re = RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT).build().map_err(
        |e| IbacBuildError::InvalidRegex {
            category: category.to_string(),
            pattern: pattern.to_string(),
            reason: e.to_string(),
        },
    )?;
    if pattern.trim().is_empty() {
        return Err(IbacBuildError::EmptyPattern { category: category.to_string(), pattern: pattern.to_string() });
    }
    if re.is_match("") {
        return Err(IbacBuildError::MatchesEmpty { category: category.to_string(), pattern: pattern.to_string() });
    }
    Ok(re)
}
