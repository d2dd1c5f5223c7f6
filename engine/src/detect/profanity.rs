//! Profanity on the folded view (leetspeak, separators and split letters already undone),
//! matched on whole words so "Scunthorpe", "class" and "assess" stay clean.

use super::Hit;
use crate::types::{Severity, ThreatType};

/// (word, severity, stem): a stem also matches with any suffix ("fucking", "shitty").
const WORDS: &[(&str, Severity, bool)] = &[
    ("fuck", Severity::Medium, true),
    ("fck", Severity::Medium, false),
    ("fuk", Severity::Medium, true),
    ("fuq", Severity::Medium, false),
    ("motherfuck", Severity::Medium, true),
    ("shit", Severity::Medium, true),
    ("bullshit", Severity::Medium, true),
    ("horseshit", Severity::Medium, true),
    ("cunt", Severity::High, true),
    ("bitch", Severity::Medium, true),
    ("bastard", Severity::Medium, true),
    ("asshole", Severity::Medium, true),
    ("arsehole", Severity::Medium, true),
    ("ass", Severity::Low, false),
    ("asses", Severity::Low, false),
    ("arse", Severity::Low, false),
    ("jackass", Severity::Medium, false),
    ("dumbass", Severity::Medium, false),
    ("dickhead", Severity::Medium, true),
    ("dick", Severity::Low, false),
    ("dicks", Severity::Low, false),
    ("cock", Severity::Low, false),
    ("cocksucker", Severity::High, true),
    ("pussy", Severity::Medium, false),
    ("prick", Severity::Low, false),
    ("twat", Severity::Medium, true),
    ("wanker", Severity::Medium, true),
    ("wank", Severity::Medium, false),
    ("bollocks", Severity::Low, false),
    ("bugger", Severity::Low, false),
    ("damn", Severity::Low, false),
    ("goddamn", Severity::Low, true),
    ("crap", Severity::Low, false),
    ("crappy", Severity::Low, false),
    ("piss", Severity::Low, false),
    ("pissed", Severity::Low, false),
    ("slut", Severity::Medium, true),
    ("whore", Severity::Medium, true),
    ("skank", Severity::Medium, true),
    ("douche", Severity::Low, true),
    ("retard", Severity::High, true),
    ("faggot", Severity::High, true),
    ("fag", Severity::High, false),
    ("fags", Severity::High, false),
    ("nigger", Severity::Critical, true),
    ("nigga", Severity::High, true),
    ("chink", Severity::High, true),
    ("spic", Severity::High, false),
    ("kike", Severity::High, true),
    ("wetback", Severity::High, true),
    ("tranny", Severity::High, false),
    ("dyke", Severity::High, false),
    ("scheisse", Severity::Medium, false),
    ("scheiße", Severity::Medium, false),
    ("arschloch", Severity::Medium, true),
    ("hurensohn", Severity::High, true),
    ("fotze", Severity::High, false),
    ("wichser", Severity::Medium, false),
    ("puta", Severity::Medium, false),
    ("puto", Severity::Medium, false),
    ("mierda", Severity::Medium, false),
    ("cabron", Severity::Medium, false),
    ("pendejo", Severity::Medium, false),
    ("merde", Severity::Medium, false),
    ("putain", Severity::Medium, false),
    ("connard", Severity::Medium, false),
    ("salope", Severity::Medium, false),
    ("stfu", Severity::Low, false),
    ("wtf", Severity::Low, false),
    ("mf", Severity::Low, false),
];

/// The word list, in the order [`detect`] expects word indices.
pub(crate) fn words() -> impl Iterator<Item = &'static str> {
    WORDS.iter().map(|w| w.0)
}

/// `text` is the folded view (lower-case words separated by single spaces); `matches` are
/// (word index, byte position) pairs where a listed word occurs in it.
pub(crate) fn detect(text: &str, matches: impl Iterator<Item = (usize, usize)>, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    for (k, s) in matches {
        let Some(&(word, sev, stem)) = WORDS.get(k) else {
            continue;
        };
        let e = s + word.len();
        if e > b.len() || (s > 0 && b[s - 1] != b' ') {
            continue;
        }
        let word_end = b[e..].iter().position(|&c| c == b' ').map_or(b.len(), |p| e + p);
        if word_end != e && !stem {
            continue;
        }
        out.push(Hit::new(ThreatType::Profanity, sev, s, word_end, "profanity_word_list"));
    }
}
