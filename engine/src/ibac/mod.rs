//! Intent-based access control (IBAC): notice when a prompt asks for protected data — an order,
//! the account, payment details, another customer's record — so the gateway can hold it until
//! the end user proves who they are.
//!
//! ```
//! use engine::ibac::{IbacConfig, IntentAction, IntentCategory, IntentDetector};
//! let detector = IntentDetector::new(&IbacConfig::default()).unwrap();
//! let m = detector.detect("What's my credit card on file?").unwrap();
//! assert_eq!(m.category, IntentCategory::PaymentData);
//! assert_eq!(m.action, IntentAction::ChallengeRequired);
//! assert!(detector.detect("What is a credit card?").is_none());
//! ```
//!
//! How a prompt is read: the shared normalisation ([`crate::normalise::views`]) undoes case,
//! width, homoglyphs, zero-width characters, leetspeak and spelled-out letters; one Aho-Corasick
//! automaton finds every cue phrase in the folded view; the text is cut into sentences and each
//! sentence is scored per category from its cues — a data noun, an owner ("my", "on file"), a
//! question or command, a verb acting on the data, an identifier — minus framing that says no
//! real record is wanted (fiction, teaching, general how-to, code, writing tasks). A category's
//! confidence is its best sentence's. See `engine/DESIGN.md` ("IBAC") for the weights' reasoning.

mod config;
mod cues;
mod custom;
mod phrases;
mod score;
mod text;
mod types;

pub use config::{
    CategorySettings, CustomCategory, IbacBuildError, IbacConfig, DEFAULT_CUSTOM_THRESHOLD, DEFAULT_THRESHOLD,
};
pub use types::{IntentAction, IntentCategory, IntentMatch, IntentSpan};

use cues::{Cues, CATS};
use custom::CustomSet;
use score::{Ev, Score};
use text::{Analysis, Hit};

/// Compiled IBAC settings. Build once per configuration and share (`Send + Sync`); detection
/// never panics, whatever the input.
pub struct IntentDetector {
    cues: &'static Cues,
    /// Settings of the built-ins in [`IntentCategory::BUILT_IN`] order.
    builtin: [CategorySettings; 4],
    custom: CustomSet,
}

impl std::fmt::Debug for IntentDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntentDetector")
            .field("builtin", &self.builtin)
            .field("custom", &self.custom.categories.iter().map(|c| c.category.name()).collect::<Vec<_>>())
            .finish()
    }
}

/// One category's outcome before it is turned into an [`IntentMatch`].
struct Candidate<'d> {
    category: &'d IntentCategory,
    threshold: f32,
    action: IntentAction,
    message: Option<&'d str>,
    score: Option<Score>,
    order: usize,
}

impl Candidate<'_> {
    fn confidence(&self) -> f32 {
        self.score.map_or(0.0, |s| s.clamped() as f32 / 100.0)
    }

    fn fires(&self) -> bool {
        self.score.is_some_and(|s| s.clamped() > 0) && self.confidence() >= self.threshold
    }
}

fn valid_threshold(t: f32) -> bool {
    t.is_finite() && (0.0..=1.0).contains(&t)
}

impl IntentDetector {
    pub fn new(config: &IbacConfig) -> Result<Self, IbacBuildError> {
        if let Some(name) = config.categories.keys().find(|k| IntentCategory::built_in(k).is_none()) {
            return Err(IbacBuildError::UnknownCategory { name: name.clone() });
        }
        let mut builtin = [CategorySettings::default(); 4];
        for (slot, cat) in builtin.iter_mut().zip(IntentCategory::BUILT_IN.iter()) {
            let s = config.settings(cat);
            if !valid_threshold(s.threshold) {
                return Err(IbacBuildError::InvalidThreshold {
                    category: cat.name().to_string(),
                    threshold: s.threshold,
                });
            }
            *slot = s;
        }
        let cues = cues::cues().map_err(|reason| IbacBuildError::BuiltinCues { reason })?;
        let custom = CustomSet::new(&config.custom, cues)?;
        Ok(IntentDetector { cues, builtin, custom })
    }

    /// The category the text asks for, if any reaches its threshold. When several do, the one
    /// with the strictest action wins (`block` over `challenge_required` over `allow`), then the
    /// most confident, then the first configured (built-ins before custom categories).
    pub fn detect(&self, text: &str) -> Option<IntentMatch> {
        let (a, candidates) = self.evaluate(text)?;
        let best = candidates.iter().filter(|c| c.fires()).min_by(|x, y| {
            y.action
                .strictness()
                .cmp(&x.action.strictness())
                .then(y.confidence().total_cmp(&x.confidence()))
                .then(x.order.cmp(&y.order))
        })?;
        Some(self.to_match(&a, best))
    }

    /// Every enabled category with its confidence and evidence, most confident first — what the
    /// dashboard's test box shows. Categories with no evidence are listed at 0.
    pub fn explain(&self, text: &str) -> Vec<IntentMatch> {
        let Some((a, mut candidates)) = self.evaluate(text) else {
            let empty = Analysis::new("");
            return self.all_candidates(None).iter().map(|c| self.to_match(&empty, c)).collect();
        };
        candidates.sort_by(|x, y| y.confidence().total_cmp(&x.confidence()).then(x.order.cmp(&y.order)));
        candidates.iter().map(|c| self.to_match(&a, c)).collect()
    }

    fn all_candidates(&self, scores: Option<score::Scores>) -> Vec<Candidate<'_>> {
        let mut out = Vec::with_capacity(4 + self.custom.categories.len());
        for (i, cat) in CATS.iter().enumerate() {
            let s = &self.builtin[i];
            if s.enabled {
                out.push(Candidate {
                    category: &IntentCategory::BUILT_IN[i],
                    threshold: s.threshold,
                    action: s.action,
                    message: None,
                    score: scores.as_ref().and_then(|sc| sc.builtin[*cat as usize]),
                    order: i,
                });
            }
        }
        for (k, c) in self.custom.categories.iter().enumerate() {
            out.push(Candidate {
                category: &c.category,
                threshold: c.threshold,
                action: c.action,
                message: c.message.as_deref(),
                score: scores.as_ref().and_then(|sc| sc.custom.get(k).copied().flatten()),
                order: 4 + k,
            });
        }
        out
    }

    fn evaluate<'t>(&self, text: &'t str) -> Option<(Analysis<'t>, Vec<Candidate<'_>>)> {
        if text.trim().is_empty() {
            return None;
        }
        let mut a = Analysis::new(text);
        let mut hits = a.hits(self.custom.automaton().unwrap_or(&self.cues.automaton));
        let builtin = u32::try_from(self.cues.cues.len()).unwrap_or(u32::MAX);
        let literal_hits: Vec<Hit> =
            hits.iter().filter(|h| h.pat >= builtin).map(|h| Hit { pat: h.pat - builtin, ..*h }).collect();
        hits.retain(|h| h.pat < builtin);
        a.drop_spelled_words(&hits);
        let custom_hits = self.custom.hits(&a, &literal_hits);
        let enabled = [0, 1, 2, 3].map(|i| self.builtin[i].enabled);
        let scores = score::score(&a, self.cues, &hits, &custom_hits, enabled, self.custom.categories.len());
        let candidates = self.all_candidates(Some(scores));
        Some((a, candidates))
    }

    fn to_match(&self, a: &Analysis<'_>, c: &Candidate<'_>) -> IntentMatch {
        let mut spans: Vec<IntentSpan> = Vec::new();
        if let Some(score) = &c.score {
            for part in score.parts.iter().flatten() {
                let Some((start, end)) = original_range(a, part.ev) else {
                    continue;
                };
                if spans.iter().any(|s| s.start == start && s.end == end && s.cue == part.cue) {
                    continue;
                }
                if let Some(original) = a.text.get(start..end) {
                    spans.push(IntentSpan { start, end, cue: part.cue.to_string(), original: original.to_string() });
                }
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));
        IntentMatch {
            category: c.category.clone(),
            confidence: c.confidence(),
            action: c.action,
            spans,
            message: c.message.map_or_else(|| default_message(c.category, c.action), str::to_string),
        }
    }
}

fn original_range(a: &Analysis<'_>, ev: Ev) -> Option<(usize, usize)> {
    let (s, e) = match ev {
        Ev::Words(f, l) => a.words_original(f, l)?,
        Ev::Orig(s, e) => (s, e),
        Ev::Char(at) => (at, at + a.text.get(at..)?.chars().next()?.len_utf8()),
    };
    (s < e && a.text.is_char_boundary(s) && a.text.is_char_boundary(e) && e <= a.text.len()).then_some((s, e))
}

fn default_message(category: &IntentCategory, action: IntentAction) -> String {
    let topic = category.topic();
    match action {
        IntentAction::ChallengeRequired => format!("Authentication required to access {topic}."),
        IntentAction::Block => format!("Requests for {topic} are not allowed."),
        IntentAction::Allow => format!("Request for {topic} allowed."),
    }
}
