//! Confidence scoring: each sentence is scored for each category from the cues inside it, and a
//! category's confidence is that of its strongest sentence.
//!
//! Scores are kept in hundredths (points) so that sums are exact and a threshold of 0.7 means
//! exactly 70 points. The weights below were set by hand on the reasoning written next to each,
//! then checked against the benign sets in `EVAL.md`; they are not fitted to any data set.

use super::cues::{Cat, Cue, Cues, Neg, NounKind, CATS, NEGS};
use super::text::{Analysis, Hit};

/// A data noun with "my"/"our" right next to it: the request is about the speaker's own record.
const OWNER_ADJACENT: i32 = 30;
/// A first-person purchase ("i ordered") already names its owner.
const OWNER_IMPLIED: i32 = 25;
/// "my" elsewhere in the sentence: weak, since it may belong to anything ("… for my flight").
const OWNER_ELSEWHERE: i32 = 5;
/// A question or a command: someone wants something now rather than talking about it.
const REQUEST: i32 = 20;
/// A support message often asks in one sentence and names the record in the next ("Where's my
/// stuff? The order number is 55120."): a neighbouring first-person request counts for less.
const REQUEST_NEARBY: i32 = 15;
/// A verb that reads or changes this kind of data ("cancel", "update", "track").
const ACTION: i32 = 10;
/// An e-mail, order or account number: one particular record is meant.
const IDENT: i32 = 15;
/// A second, different data noun of the same category in the sentence.
const EXTRA_NOUN: i32 = 5;
/// "a credit card", "any account": a kind of thing, not the speaker's thing.
const GENERIC: i32 = 10;

/// Customer records are about other people, so ownership does not help; what matters is a
/// look-up verb and something that singles out the person (a name, an e-mail, an account id).
const CUSTOMER_REQUEST: i32 = 15;
const CUSTOMER_LOOKUP: i32 = 15;
const CUSTOMER_IDENT: i32 = 30;
/// "the phone number of customer …": the data wanted about the person is named.
const CUSTOMER_DATA: i32 = 10;
/// A look-up of an e-mail or id with no "customer"/"user" noun ("look up jane@example.com").
const CUSTOMER_BARE_LOOKUP: i32 = 15;

/// A custom pattern is the organisation's own, specific vocabulary: one hit is strong evidence.
const CUSTOM_HIT: i32 = 60;
const CUSTOM_SECOND_PATTERN: i32 = 10;
const CUSTOM_OWNER: i32 = 15;
const CUSTOM_REQUEST: i32 = 15;
const CUSTOM_IDENT: i32 = 10;

/// How much each framing lowers a score: (in the same sentence, elsewhere in the text). Framing
/// elsewhere counts less, because a long prompt may set a scene and then ask a real question.
fn negative_weight(neg: Neg) -> (i32, i32) {
    match neg {
        Neg::Fiction => (45, 30),
        Neg::Educational => (35, 10),
        // "how do i reset my password" concerns the speaker's own account, but asks for
        // instructions rather than for the record itself.
        Neg::HowTo => (30, 0),
        Neg::Technical => (30, 15),
        Neg::Writing => (25, 10),
        Neg::Disclosure => (25, 0),
    }
}

/// Words that link a noun to a possessive after it: "digits of my card", "email on my account".
const LINKS: &[&str] =
    &["of", "on", "for", "in", "from", "with", "under", "as", "linked", "attached", "associated", "tied", "connected"];
/// Determiners that make a noun generic: "a credit card", "any account".
const GENERIC_WORDS: &[&str] = &["a", "an", "any", "some", "every", "each", "all"];
const COPULAS: &[&str] = &["is", "was", "are", "were"];

/// Where a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ev {
    /// Folded words `first..=last`.
    Words(u32, u32),
    /// An original byte range.
    Orig(usize, usize),
    /// The character at an original byte offset (a question mark).
    Char(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    pub cue: &'static str,
    pub ev: Ev,
}

const MAX_PARTS: usize = 14;

/// A category's score in one sentence, with the evidence behind it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Score {
    pub pts: i32,
    pub parts: [Option<Part>; MAX_PARTS],
}

impl Default for Score {
    fn default() -> Self {
        Score { pts: 0, parts: [None; MAX_PARTS] }
    }
}

impl Score {
    fn add(&mut self, pts: i32, cue: &'static str, ev: Ev) {
        self.pts += pts;
        if let Some(slot) = self.parts.iter_mut().find(|p| p.is_none()) {
            *slot = Some(Part { cue, ev });
        }
    }

    pub fn clamped(&self) -> i32 {
        self.pts.clamp(0, 100)
    }
}

/// A custom pattern hit located in a sentence.
#[derive(Debug, Clone, Copy)]
pub(super) struct CustomHit {
    pub category: u32,
    pub pattern: u32,
    pub sentence: u32,
    pub ev: Ev,
}

/// One cue on words `first..=last` of one sentence.
#[derive(Debug, Clone, Copy)]
struct CueHit {
    cue: Cue,
    first: u32,
    last: u32,
}

impl CueHit {
    fn ev(&self) -> Ev {
        Ev::Words(self.first, self.last)
    }
}

/// The automaton's hits spread into their cues, in the hits' order (by position).
fn cue_hits(cues: &Cues, hits: &[Hit]) -> Vec<CueHit> {
    let mut out = Vec::with_capacity(hits.len() * 2);
    for h in hits {
        for &cue in cues.cues.get(h.pat as usize).map_or(&[][..], Vec::as_slice) {
            out.push(CueHit { cue, first: h.first, last: h.last });
        }
    }
    out
}

/// What one sentence holds, shared by all categories.
#[derive(Default)]
struct Ctx {
    /// A question mark, an opening question word or command.
    request: Option<Ev>,
    /// A request phrase anywhere ("can you", "please").
    softer_request: Option<(i32, Ev)>,
    /// A request in the sentence before or after, and whether it speaks in the first person.
    nearby: Option<(Ev, bool)>,
    /// The first question word or command of the sentence, wherever it stands.
    first_opener: Option<u32>,
    possessives: Vec<(u32, u32)>,
    owner_phrase: Option<(i32, Ev)>,
    actions: [Option<Ev>; 4],
    lookup: Option<Ev>,
    /// The last look-up verb, which may be the one applied to an identifier further on.
    last_lookup: Option<Ev>,
    negs: [Option<Ev>; 6],
    ident: Option<Ev>,
    /// Some data noun of a category other than customer records.
    other_noun: bool,
    blockers: Vec<(u32, u32)>,
}

/// Best score per built-in category (in `Cat` order) and per custom category.
pub(super) struct Scores {
    pub builtin: [Option<Score>; 4],
    pub custom: Vec<Option<Score>>,
}

/// Whether a cue makes its sentence a request, given its word position in the sentence.
fn opens_request(c: Cue, pos: u32) -> bool {
    match c {
        Cue::Opener => pos <= 3,
        Cue::Aux => pos == 0,
        Cue::Action { .. } | Cue::Lookup => pos <= 2,
        _ => false,
    }
}

/// Per sentence: its request cue if it is a request, and whether it speaks in the first person.
fn requests(a: &Analysis<'_>, hits: &[CueHit]) -> Vec<Option<(Ev, bool)>> {
    let mut request: Vec<Option<Ev>> = a.sentences.iter().map(|s| s.question.map(|q| Ev::Char(q as usize))).collect();
    let mut owner = vec![false; a.sentences.len()];
    for h in hits {
        let Some(w) = a.words.get(h.first as usize) else {
            continue;
        };
        let si = w.sentence as usize;
        let pos = a.sentences.get(si).map_or(0, |s| h.first.saturating_sub(s.first));
        if opens_request(h.cue, pos) || h.cue == Cue::Request {
            if let Some(r) = request.get_mut(si) {
                r.get_or_insert(h.ev());
            }
        }
        if matches!(h.cue, Cue::Possessive | Cue::Owner { .. }) {
            if let Some(o) = owner.get_mut(si) {
                *o = true;
            }
        }
    }
    request.iter().zip(owner).map(|(r, o)| r.map(|ev| (ev, o))).collect()
}

/// Framing words that are part of a data noun ("history of" in "payment history of account
/// 7781") describe the data, not the prompt, so they are dropped.
fn drop_framing_inside_nouns(hits: &mut Vec<CueHit>) {
    let nouns: Vec<(u32, u32)> =
        hits.iter().filter(|h| matches!(h.cue, Cue::Noun { .. })).map(|h| (h.first, h.last)).collect();
    if nouns.is_empty() {
        return;
    }
    hits.retain(|h| {
        if !matches!(h.cue, Cue::Negative(_)) {
            return true;
        }
        // Nouns are ordered by their first word and span at most a few words.
        let upto = nouns.partition_point(|&(f, _)| f <= h.last);
        !nouns[..upto].iter().rev().take(8).any(|&(f, l)| f <= h.last && h.first <= l)
    });
}

pub(super) fn score(
    a: &Analysis<'_>,
    cues: &Cues,
    hits: &[Hit],
    custom_hits: &[CustomHit],
    enabled: [bool; 4],
    n_custom: usize,
) -> Scores {
    let mut out = Scores { builtin: [None; 4], custom: vec![None; n_custom] };
    let mut hits = cue_hits(cues, hits);
    if !hits.iter().any(|h| matches!(h.cue, Cue::Noun { .. } | Cue::Lookup)) && custom_hits.is_empty() {
        return out;
    }

    drop_framing_inside_nouns(&mut hits);

    // The first occurrence of each framing anywhere in the text.
    let mut global: [Option<(u32, Ev)>; 6] = [None; 6];
    for h in &hits {
        if let Cue::Negative(n) = h.cue {
            let slot = &mut global[n as usize];
            if slot.is_none() {
                let s = a.words.get(h.first as usize).map_or(0, |w| w.sentence);
                *slot = Some((s, h.ev()));
            }
        }
    }
    let neighbours = requests(a, &hits);

    let mut ctx = Ctx::default();
    let (mut hi, mut ii, mut ci) = (0usize, 0usize, 0usize);
    for (si, sent) in a.sentences.iter().enumerate() {
        let s = u32::try_from(si).unwrap_or(u32::MAX);
        let h0 = hi;
        while hi < hits.len() && hits[hi].first < sent.end {
            hi += 1;
        }
        let sh = &hits[h0..hi];
        let c0 = ci;
        while ci < custom_hits.len() && custom_hits[ci].sentence <= s {
            ci += 1;
        }
        let ch = &custom_hits[c0..ci];
        while ii < a.idents.len() && a.idents[ii].sentence < s {
            ii += 1;
        }
        let has_noun = sh.iter().any(|h| matches!(h.cue, Cue::Noun { .. } | Cue::Lookup));
        if !has_noun && ch.is_empty() {
            continue;
        }
        let first_ident = a.idents.get(ii).filter(|i| i.sentence == s).map(|i| Ev::Orig(i.start, i.end));
        fill_ctx(&mut ctx, a, sh, sent.first, s, sent.question, first_ident);
        ctx.nearby = si
            .checked_sub(1)
            .and_then(|p| neighbours.get(p).copied().flatten())
            .or_else(|| neighbours.get(si + 1).copied().flatten());

        for cat in CATS {
            if !enabled[cat as usize] {
                continue;
            }
            if let Some(sc) = score_builtin(a, sh, &ctx, &global, cat, s, sent.question.is_some()) {
                let slot = &mut out.builtin[cat as usize];
                if slot.is_none_or(|b| sc.clamped() > b.clamped()) {
                    *slot = Some(sc);
                }
            }
        }
        if !ch.is_empty() {
            for (k, slot) in out.custom.iter_mut().enumerate() {
                if let Some(sc) = score_custom(ch, k, &ctx, &global, s) {
                    if slot.is_none_or(|b| sc.clamped() > b.clamped()) {
                        *slot = Some(sc);
                    }
                }
            }
        }
    }
    out
}

fn fill_ctx(
    ctx: &mut Ctx,
    a: &Analysis<'_>,
    sh: &[CueHit],
    first_word: u32,
    s: u32,
    question: Option<u32>,
    first_ident: Option<Ev>,
) {
    ctx.request = question.map(|q| Ev::Char(q as usize));
    ctx.softer_request = None;
    ctx.nearby = None;
    ctx.first_opener = None;
    ctx.possessives.clear();
    ctx.owner_phrase = None;
    ctx.actions = [None; 4];
    ctx.lookup = None;
    ctx.last_lookup = None;
    ctx.negs = [None; 6];
    ctx.ident = first_ident;
    ctx.other_noun = false;
    ctx.blockers.clear();
    for h in sh {
        let ev = h.ev();
        if opens_request(h.cue, h.first.saturating_sub(first_word)) {
            ctx.request.get_or_insert(ev);
        }
        match h.cue {
            Cue::Possessive => ctx.possessives.push((h.first, h.last)),
            Cue::Owner { pts } => {
                if ctx.owner_phrase.is_none_or(|(p, _)| i32::from(pts) > p) {
                    ctx.owner_phrase = Some((i32::from(pts), ev));
                }
            }
            Cue::Request => {
                ctx.softer_request.get_or_insert((REQUEST, ev));
            }
            Cue::Action { cats } => {
                for cat in CATS {
                    if cats & cat.bit() != 0 {
                        ctx.actions[cat as usize].get_or_insert(ev);
                    }
                }
            }
            Cue::Lookup => {
                ctx.lookup.get_or_insert(ev);
                ctx.last_lookup = Some(ev);
            }
            Cue::IdNoun => {
                if ctx.ident.is_none() {
                    ctx.ident = a.number_after(h.last, s).map(|(st, en)| Ev::Orig(st, en));
                }
            }
            Cue::Title => {
                if ctx.ident.is_none() {
                    ctx.ident = a.name_after(h.first, h.last, s, true).map(|(st, en)| Ev::Orig(st, en));
                }
            }
            Cue::Negative(n) => {
                ctx.negs[n as usize].get_or_insert(ev);
            }
            Cue::Blocker => ctx.blockers.push((h.first, h.last)),
            Cue::Noun { cat, .. } => ctx.other_noun |= cat != Cat::Customer,
            Cue::Opener => {
                ctx.first_opener.get_or_insert(h.first);
            }
            Cue::Aux => {}
        }
    }
}

/// "my"/"our" within two words before the noun ("my last order"), or after it behind a linking
/// word ("the last four digits of my card"). The flag says whether it comes before.
fn adjacent_possessive(a: &Analysis<'_>, ctx: &Ctx, h: &CueHit) -> Option<(Ev, bool)> {
    for &(pf, pl) in &ctx.possessives {
        if pl < h.first && h.first - pl <= 3 {
            return Some((Ev::Words(pf, pl), true));
        }
        if pf > h.last && pf - h.last <= 4 && pf > 0 && LINKS.contains(&a.word(pf - 1)) {
            return Some((Ev::Words(pf, pl), false));
        }
    }
    None
}

/// Whether the identifier is what the look-up verb is applied to: within four words after it
/// ("list all orders from jane@example.com", not "find the most recent e-mail from
/// jane@example.com").
fn looks_up(a: &Analysis<'_>, lookup: Ev, ident: Option<Ev>) -> bool {
    let (Ev::Words(_, last), Some(Ev::Orig(start, _))) = (lookup, ident) else {
        return false;
    };
    let after = a.words.get(last as usize).map_or(usize::MAX, |w| w.orig as usize);
    let limit = a.words.get(last as usize + 5).map_or(usize::MAX, |w| w.orig as usize);
    after < start && start < limit
}

struct NounPick {
    hit: CueHit,
    pts: i32,
    kind: NounKind,
    adjacent: Option<(Ev, bool)>,
    value: i32,
}

/// Whether two noun hits name the same thing ("order" twice is one noun, not two).
fn same_words(a: &Analysis<'_>, x: &CueHit, y: &CueHit) -> bool {
    x.last - x.first == y.last - y.first && (0..=x.last - x.first).all(|k| a.word(x.first + k) == a.word(y.first + k))
}

fn score_builtin(
    a: &Analysis<'_>,
    sh: &[CueHit],
    ctx: &Ctx,
    global: &[Option<(u32, Ev)>; 6],
    cat: Cat,
    s: u32,
    question: bool,
) -> Option<Score> {
    let customer = cat == Cat::Customer;
    let mut best: Option<NounPick> = None;
    let mut second: Option<Ev> = None;
    let mut name: Option<Ev> = None;
    for h in sh {
        let Cue::Noun { cat: nc, pts, kind } = h.cue else {
            continue;
        };
        if nc != cat || ctx.blockers.iter().any(|&(bf, bl)| bf <= h.first && h.last <= bl) {
            continue;
        }
        let adjacent = if customer { None } else { adjacent_possessive(a, ctx, h) };
        let counted = match kind {
            NounKind::Owned => adjacent.is_some() || ctx.owner_phrase.is_some() || ctx.ident.is_some(),
            NounKind::Free | NounKind::Party | NounKind::Implied => true,
        };
        if !counted {
            continue;
        }
        if kind == NounKind::Party && name.is_none() {
            name = a.name_after(h.first, h.last, s, false).map(|(st, en)| Ev::Orig(st, en));
        }
        let generic = adjacent.is_none() && h.first > 0 && GENERIC_WORDS.contains(&a.word(h.first - 1));
        let pts = i32::from(pts) - if generic { GENERIC } else { 0 };
        let value = pts + if adjacent.is_some() { OWNER_ADJACENT } else { 0 };
        let pick = NounPick { hit: *h, pts, kind, adjacent, value };
        match &best {
            Some(b) if same_words(a, &b.hit, h) => {}
            Some(b) => {
                if value > b.value {
                    second = Some(b.hit.ev());
                    best = Some(pick);
                } else {
                    second.get_or_insert(h.ev());
                }
            }
            None => best = Some(pick),
        }
    }

    let mut sc = Score::default();
    let ident = ctx.ident.or(name);
    match &best {
        Some(b) => sc.add(b.pts, "data_noun", b.hit.ev()),
        None if customer && [ctx.lookup, ctx.last_lookup].into_iter().flatten().any(|l| looks_up(a, l, ident)) => {}
        None => return None,
    }
    if let Some(ev) = second {
        sc.add(EXTRA_NOUN, "data_noun", ev);
    }
    if customer {
        if best.is_none() {
            sc.pts += CUSTOMER_BARE_LOOKUP;
        }
        if let Some(ev) = ctx.lookup {
            sc.add(CUSTOMER_LOOKUP, "action", ev);
        }
        // Only a question or a command asks about the person; "please e-mail the customer at …"
        // asks to do something for them.
        if let Some(ev) = ctx.request {
            sc.add(CUSTOMER_REQUEST, "request", ev);
        }
        if let Some(ev) = ident {
            sc.add(CUSTOMER_IDENT, "identifier", ev);
        }
        if ctx.other_noun && best.is_some() {
            sc.pts += CUSTOMER_DATA;
        }
    } else if let Some(b) = &best {
        if let Some((ev, _)) = b.adjacent {
            sc.add(OWNER_ADJACENT, "first_person", ev);
        } else if b.kind == NounKind::Implied {
            sc.add(OWNER_IMPLIED, "first_person", b.hit.ev());
        } else if let Some((pts, ev)) = ctx.owner_phrase {
            sc.add(pts, "first_person", ev);
        } else if let Some(&(pf, pl)) = ctx.possessives.first() {
            sc.add(OWNER_ELSEWHERE, "first_person", Ev::Words(pf, pl));
        }
        let owned = b.adjacent.is_some() || b.kind == NounKind::Implied || ctx.owner_phrase.is_some();
        if let Some(ev) = ctx.request {
            sc.add(REQUEST, "request", ev);
        } else if let Some((pts, ev)) = ctx.softer_request {
            sc.add(pts, "request", ev);
        } else if let Some((ev, first_person)) = ctx.nearby {
            if first_person || owned {
                sc.add(REQUEST_NEARBY, "request", ev);
            }
        }
        if let Some(ev) = ctx.actions[cat as usize] {
            sc.add(ACTION, "action", ev);
        }
        if let Some(ev) = ident {
            sc.add(IDENT, "identifier", ev);
        }
        // "my address is 12 Elm Street": the speaker hands data over rather than asking for it
        // ("remind me what my address is" still asks).
        let k = b.hit.last.saturating_add(1);
        let asked = match (b.adjacent, ctx.first_opener) {
            (Some((Ev::Words(pf, _), _)), Some(o)) => o < pf,
            _ => false,
        };
        if !question && !asked && b.adjacent.is_some_and(|(_, before)| before) && COPULAS.contains(&a.word(k)) {
            let (w, _) = negative_weight(Neg::Disclosure);
            sc.add(-w, Neg::Disclosure.name(), Ev::Words(k, k));
        }
    }
    apply_negatives(&mut sc, ctx, global, s);
    Some(sc)
}

fn score_custom(ch: &[CustomHit], k: usize, ctx: &Ctx, global: &[Option<(u32, Ev)>; 6], s: u32) -> Option<Score> {
    let mut mine = ch.iter().filter(|h| h.sentence == s && h.category as usize == k);
    let first = mine.next()?;
    let mut sc = Score::default();
    sc.add(CUSTOM_HIT, "custom_pattern", first.ev);
    if let Some(other) = mine.find(|h| h.pattern != first.pattern) {
        sc.add(CUSTOM_SECOND_PATTERN, "custom_pattern", other.ev);
    }
    let owner = ctx.possessives.first().map(|&(f, l)| Ev::Words(f, l)).or(ctx.owner_phrase.map(|(_, ev)| ev));
    if let Some(ev) = owner {
        sc.add(CUSTOM_OWNER, "first_person", ev);
    }
    if let Some(ev) = ctx.request.or(ctx.softer_request.map(|(_, ev)| ev)) {
        sc.add(CUSTOM_REQUEST, "request", ev);
    } else if let Some((ev, first_person)) = ctx.nearby {
        if first_person || owner.is_some() {
            sc.add(REQUEST_NEARBY, "request", ev);
        }
    }
    if let Some(ev) = ctx.ident {
        sc.add(CUSTOM_IDENT, "identifier", ev);
    }
    apply_negatives(&mut sc, ctx, global, s);
    Some(sc)
}

fn apply_negatives(sc: &mut Score, ctx: &Ctx, global: &[Option<(u32, Ev)>; 6], s: u32) {
    for neg in NEGS {
        let (here, elsewhere) = negative_weight(neg);
        if neg == Neg::Disclosure && sc.parts.iter().flatten().any(|p| p.cue == Neg::Disclosure.name()) {
            continue;
        }
        if let Some(ev) = ctx.negs[neg as usize] {
            sc.add(-here, neg.name(), ev);
        } else if let Some((gs, ev)) = global[neg as usize] {
            if gs != s && elsewhere > 0 {
                sc.add(-elsewhere, neg.name(), ev);
            }
        }
    }
}
