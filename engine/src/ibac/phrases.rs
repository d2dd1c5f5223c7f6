//! The phrase automaton: an Aho-Corasick DFA over whole-word phrases of the folded view,
//! reporting every (overlapping) match.
//!
//! A DFA walk is bound by memory latency — each byte's state is loaded from the state before —
//! so the haystack is cut in two at a sentence start and both halves are walked in the same loop:
//! the two chains of loads overlap, and a 2 KB prompt is read in a little over half the time.
//! No phrase is lost at the cut, because phrases never span sentences.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// A phrase as the automaton sees it: a space on each side, matched against the folded view
/// with a space on each side. Folded words are separated by single spaces, so a padded phrase
/// only matches whole words and never reports the "is" in "this".
pub(super) fn pad(phrase: &str) -> String {
    format!(" {phrase} ")
}

fn word_count(padded: &str) -> u8 {
    u8::try_from(padded.split(' ').filter(|w| !w.is_empty()).count()).unwrap_or(u8::MAX)
}

pub(super) struct PhraseAutomaton {
    dfa: DFA,
    /// How many words each pattern has.
    words: Vec<u8>,
}

/// A match: the pattern and the haystack offset one past its last byte.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawMatch {
    pub pattern: u32,
    pub end: usize,
}

impl PhraseAutomaton {
    /// Builds the automaton from [`pad`]ded phrases.
    pub fn new(padded: &[String]) -> Result<Self, String> {
        // No prefilter: every phrase starts with a space, so it would stop at every word.
        let dfa =
            DFA::builder().match_kind(MatchKind::Standard).prefilter(false).build(padded).map_err(|e| e.to_string())?;
        Ok(PhraseAutomaton { dfa, words: padded.iter().map(|p| word_count(p)).collect() })
    }

    pub fn words(&self, pattern: u32) -> usize {
        self.words.get(pattern as usize).map_or(1, |&n| usize::from(n.max(1)))
    }

    /// Every match in `hay`, ordered by end. `cut` is a haystack offset holding the space before
    /// a sentence's first word, where the walk may be split in two; `None` walks in one piece.
    pub fn find(&self, hay: &[u8], cut: Option<usize>) -> Vec<RawMatch> {
        let Ok(start) = self.dfa.start_state(Anchored::No) else {
            return Vec::new();
        };
        let cut = cut.filter(|&c| c > 0 && c < hay.len()).unwrap_or(hay.len());
        // The first walk reads through the space at the cut, the second starts on it: a phrase
        // ending at the cut and one starting there both need that space.
        let (a_end, b_start) = ((cut + 1).min(hay.len()), cut);
        let mut first = Vec::new();
        let mut second = Vec::new();
        let (mut sa, mut sb) = (start, start);
        let (mut ia, mut ib) = (0usize, b_start);
        while ia < a_end && ib < hay.len() {
            sa = self.dfa.next_state(Anchored::No, sa, hay[ia]);
            sb = self.dfa.next_state(Anchored::No, sb, hay[ib]);
            ia += 1;
            ib += 1;
            self.report(sa, ia, &mut first);
            self.report(sb, ib, &mut second);
        }
        while ia < a_end {
            sa = self.dfa.next_state(Anchored::No, sa, hay[ia]);
            ia += 1;
            self.report(sa, ia, &mut first);
        }
        while ib < hay.len() && b_start < hay.len() {
            sb = self.dfa.next_state(Anchored::No, sb, hay[ib]);
            ib += 1;
            self.report(sb, ib, &mut second);
        }
        first.extend(second);
        first
    }

    // Called for every byte of every walk: the check must stay in the loop, the rare match
    // handling out of it.
    #[inline(always)]
    fn report(&self, sid: StateID, end: usize, out: &mut Vec<RawMatch>) {
        if self.dfa.is_special(sid) {
            self.report_matches(sid, end, out);
        }
    }

    #[inline(never)]
    fn report_matches(&self, sid: StateID, end: usize, out: &mut Vec<RawMatch>) {
        if self.dfa.is_match(sid) {
            for k in 0..self.dfa.match_len(sid) {
                out.push(RawMatch { pattern: self.dfa.match_pattern(sid, k).as_u32(), end });
            }
        }
    }
}
