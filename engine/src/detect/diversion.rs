//! Task diversion: a prompt that sets something up (a question, a topic, praise for work "done")
//! and then, in a later sentence, hands the model a different instruction — typically one that
//! makes it assert an opinion, spread a falsehood or take on a role. No single one of these
//! sentences is suspicious (people ask questions, praise and continue with "now write …"), so
//! each is a weak cue and only their combination, or a cue that is strong on its own, counts.
//!
//! Also two template shapes: a few-shot block whose examples copy their input to their output
//! (it teaches the model to echo whatever the last input says), and a play script that sets up
//! actors who "stay in their roles" and ends on an open turn for the model to speak.
//!
//! Works on the normalised view (lower-case, accents dropped, punctuation kept).

use super::Hit;
use crate::types::{Severity, ThreatType};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cue {
    /// "Very good.", "Sehr gut gemacht." — closing a previous task.
    Praise,
    /// "That's enough.", "Das ist erledigt."
    Closure,
    /// "another task", "folgende Aufgabe", "now write …"
    Switch,
    /// "stop: write …", "ACHTUNG - STOPP -"
    Interrupt,
    /// "Imagine you are …", "Pretend you can …", "act as …"
    Role,
    /// "Who are you?" after a role set-up.
    IdentityQuestion,
    /// A question, then a later sentence that orders the model to do something else.
    QuestionThenOrder,
    /// An order to assert an opinion in writing ("write why X is the best", "say yes").
    Opinion,
}

/// Cues strong enough alone: an order to state an opinion as fact, or to invent a falsehood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strong {
    ForcedAssertion,
    Disinformation,
}

struct Sentence<'a> {
    start: usize,
    text: &'a str,
    question: bool,
}

fn sentences<'a>(norm: &'a str) -> Vec<Sentence<'a>> {
    let b = norm.as_bytes();
    let mut out = Vec::new();
    let mut s = 0;
    let mut i = 0;
    let push = |s: usize, e: usize, question: bool, out: &mut Vec<Sentence<'a>>| {
        let raw = &norm[s..e];
        let lead = raw.len() - raw.trim_start().len();
        let text = raw.trim();
        if !text.is_empty() {
            out.push(Sentence { start: s + lead, text, question });
        }
    };
    while i < b.len() {
        let c = b[i];
        // A literal backslash-n is how many copied prompts carry their line breaks.
        let escaped_newline = c == b'\\' && b.get(i + 1) == Some(&b'n');
        let end = match c {
            b'!' | b'?' | b'\n' | b';' => true,
            b'.' => b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace() || *n == b'"' || *n == b'\\'),
            _ => escaped_newline,
        };
        if end {
            push(s, i, c == b'?', &mut out);
            i += if escaped_newline { 2 } else { 1 };
            s = i;
        } else {
            i += 1;
        }
    }
    push(s, b.len(), false, &mut out);
    out
}

/// Drops the politeness and connectives an order is often wrapped in, and a leading label
/// ("Instruction:"), which is itself reported.
fn strip_lead(mut t: &str) -> (&str, bool) {
    let mut label = false;
    loop {
        let before = t;
        for p in [
            "please ", "pls ", "bitte ", "now ", "and ", "but ", "so ", "ok ", "okay ", "also ", "just ", "nun ",
            "jetzt ", "then ", "dann ", "und ", "aber ", "also, ", "ok, ", "okay, ", "so, ", "now, ", "- ", "\"", "'",
            "* ",
        ] {
            if let Some(r) = t.strip_prefix(p) {
                t = r.trim_start();
            }
        }
        for l in [
            "instruction:",
            "instructions:",
            "new instruction:",
            "task:",
            "anweisung:",
            "aufgabe:",
            "befehl:",
            "command:",
        ] {
            if let Some(r) = t.strip_prefix(l) {
                t = r.trim_start();
                label = true;
            }
        }
        if t == before {
            return (t, label);
        }
    }
}

struct Patterns {
    praise: Regex,
    closure: Regex,
    switch: Regex,
    order_now: Regex,
    interrupt: Regex,
    role: Regex,
    identity: Regex,
    order: Regex,
    assertion: Regex,
    opinion: Regex,
    answer: Regex,
    disinfo: Regex,
    script_words: Regex,
}

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(build).as_ref()
}

fn build() -> Option<Patterns> {
    let re = |s: &str| Regex::new(s).ok();
    Some(Patterns {
        praise: re(
            r"^(?:(?:very|really|so|simply|absolutely|truly|sehr|wirklich|einfach|echt|vraiment|muy|molto) )*(?:good|great|nice|perfect|excellent|wonderful|awesome|fantastic|brilliant|super|prima|toll|klasse|gut|hervorragend|ausgezeichnet|perfekt|genial|bravo|parfait|bien|perfecto|excelente|ottimo|bene|well done|good job|great job|nicely done|gut gemacht|you(?:'ve| have) outdone yourself|you did (?:great|well|a (?:great|good) job))\b",
        )?,
        closure: re(
            r"^(?:(?:that|this|it)(?:'s| is| was)? |das (?:ist |war )?|es (?:ist |reicht)|c'est |cela (?:est |suffit)|eso (?:es |fue )?|ya (?:es |esta )?)?(?:(?:now |nun |jetzt )?(?:enough|done|finished|complete|sufficient|erledigt|genug|genugt|fertig|reicht|assez|fini|suffit|suficiente|listo|basta))\b",
        )?,
        switch: re(
            r"\b(?:another|a new|a different|the next|one more|the following|folgende|folgender|folgenden|eine (?:andere|weitere|neue)|einer (?:anderen|weiteren|neuen)|une autre|une nouvelle|otra|una nueva|un'altra)\s+(?:task|question|job|assignment|challenge|request|aufgabe|frage|auftrag|tache|tarea|pregunta|compito|domanda)\b",
        )?,
        order_now: re(
            r"^(?:(?:write|say|tell|give|create|compose|generate|formulate|draft|make|produce|print|help|schreib|schreibe|sag|sage|gib|erstelle|verfasse|formuliere|beantworte|erzahl|erzahle|hilf|nenne|ecris|dis|donne|escribe|dime|scrivi|dimmi|escreva|diga)\b[^.]{0,40}\b(?:now|nun|jetzt|maintenant|ahora|adesso|agora)\b|(?:now|nun|jetzt) (?:come on|let's|lets|i need|i want|ich brauche|ich mochte))",
        )?,
        interrupt: re(
            r"\b(?:stop|stopp|halt|achtung|attention|alarm)\s*[:!\-]+\s*(?:(?:stop|stopp|halt|achtung|attention)\b|(?:write|say|print|tell|answer|output|schreib|schreibe|sag|sage|antworte|gib|ich|i)\b)",
        )?,
        role: re(
            r"^(?:(?:imagine|pretend|suppose)(?: that)? (?:you are|you're|youre|you can|you have|you were|to be)\b|(?:act|behave|roleplay|role-play) as\b|stell dir vor,? du|stellen sie sich vor,? sie|tu so,? als|tun sie so,? als|imagine que tu|imagina que eres)",
        )?,
        identity: re(
            r"^(?:who|what) are you(?: really| now)?$|^wer bist du(?: wirklich| jetzt)?$|^wer sind sie$|^qui es-tu$|^quien eres$",
        )?,
        order: re(
            r"^(?:say|state|claim|declare|admit|blame|imagine|pretend|act|formulate|write|ignore|forget|print|output|stop|sag|sage|schreib|schreibe|vergiss|ignoriere|stell|tu|formuliere|verfasse|behaupte|gib)\b",
        )?,
        assertion: re(
            r"^(?:state|say|claim|declare|admit|confess|proclaim|assert|announce|sag|sage|behaupte|erklare|dis|di|affirme|afirma)(?: (?:that|dass|das|que|publicly|offentlich|loud|out loud))* (?:you|i|du|ich|(?:\w+ ){1,3}(?:is|are|ist|sind|was|war|hates?|hasst|loves?|liebt))\b",
        )?,
        opinion: re(
            r"\b(?:hate|hates|hated|despise|despises|love|loves|the best|the worst|the greatest|the most powerful|crowning glory|sucks?|stupid|idiots?|doof|dumm|hasst|hasse|liebt|beste|besten|schlechteste|unwahlbar|manifesto|manifest|propaganda|wiederwahl|re-?election)\b",
        )?,
        answer: re(
            r"^(?:just |only |simply )?(?:say|answer|antworte|sag|sage|reply|respond)(?: with| mit)? (?:yes|no|ja|nein)\b",
        )?,
        disinfo: re(
            r"^(?:formulate|write|create|generate|make up|invent|compose|draft|give me|produce|formuliere|schreibe|schreib|erstelle|erfinde|verfasse)(?: (?:me|us|mir|uns))?(?: (?:a|an|some|one|two|three|\d+|eine|einen|ein|drei|zwei))? (?:\w+ )?(?:untrue|false|fake|misleading|made-up|fabricated|erfundene|erfundenen|falsche|falschen|unwahre|unwahren|irrefuhrende)\s+(?:headlines?|news|claims?|statements?|story|stories|articles?|facts?|reports?|schlagzeilen?|nachrichten|behauptungen?|meldungen?)\b",
        )?,
        script_words: re(
            r"\b(?:actors?|actress|plays?|playing|roles?|in character|character|film|movie|scene|script|schauspieler(?:in)?|spielt|rolle|rollen|figur|szene|drehbuch)\b",
        )?,
    })
}

pub(crate) fn detect(norm: &str, hits: &mut Vec<Hit>) {
    let Some(p) = patterns() else { return };
    let sents = sentences(norm);
    let mut cues: Vec<(Cue, usize, usize)> = Vec::new();
    let mut strong: Option<(Strong, usize, usize)> = None;
    let mut seen_question = false;

    for (k, s) in sents.iter().enumerate() {
        let end = s.start + s.text.len();
        let (t, label) = strip_lead(s.text);
        let words = t.split_whitespace().count();
        if k < 4 && words <= 8 && p.praise.is_match(t) {
            cues.push((Cue::Praise, s.start, end));
        }
        if words <= 6 && p.closure.is_match(t) {
            cues.push((Cue::Closure, s.start, end));
        }
        // A task announced by the prompt's first sentence is the task, not a switch.
        if k > 0 && (p.switch.is_match(t) || p.order_now.is_match(s.text) || p.order_now.is_match(t)) {
            cues.push((Cue::Switch, s.start, end));
        }
        if p.role.is_match(t) {
            cues.push((Cue::Role, s.start, end));
        }
        if s.question && p.identity.is_match(t) {
            cues.push((Cue::IdentityQuestion, s.start, end));
        }
        if seen_question && !s.question && words >= 2 && (label || p.order.is_match(t)) {
            cues.push((Cue::QuestionThenOrder, s.start, end));
        }
        let answer_only = p.answer.find(t).is_some_and(|m| {
            !t[m.end()..].trim_start().starts_with("or") && !t[m.end()..].trim_start().starts_with("oder")
        });
        // The order may follow its announcement after a colon: "another task: write …".
        let after_colon = t.rsplit_once(": ").map_or("", |x| x.1);
        let ordered = |x: &str| p.order.is_match(x) && p.opinion.is_match(x);
        if answer_only || ordered(t) || ordered(after_colon) || t.starts_with("blame ") {
            cues.push((Cue::Opinion, s.start, end));
        }
        if strong.is_none() {
            if p.assertion.is_match(t) && p.opinion.is_match(t) {
                strong = Some((Strong::ForcedAssertion, s.start, end));
            } else if p.disinfo.is_match(t) {
                strong = Some((Strong::Disinformation, s.start, end));
            }
        }
        seen_question |= s.question;
    }
    for m in p.interrupt.find_iter(norm) {
        cues.push((Cue::Interrupt, m.start(), m.end()));
    }

    if let Some((kind, s, e)) = strong {
        let name = match kind {
            Strong::ForcedAssertion => "forced_assertion",
            Strong::Disinformation => "disinformation_request",
        };
        hits.push(Hit::new(ThreatType::PromptInjection, Severity::Medium, s, e, name));
    }
    let mut kinds: Vec<Cue> = cues.iter().map(|c| c.0).collect();
    kinds.sort_unstable();
    kinds.dedup();
    // Praise, "that's done" and "now …" together are how people continue ordinary work; they
    // only count next to a cue about what the new task is.
    let content = kinds.iter().any(|k| !matches!(k, Cue::Praise | Cue::Closure | Cue::Switch));
    // One weak cue alone says no more than the phrase rules already do; reporting it would
    // only inflate their count in the combined score.
    if let (true, Some(s), Some(e)) = (kinds.len() >= 2, cues.iter().map(|c| c.1).min(), cues.iter().map(|c| c.2).max())
    {
        let sev = if content { Severity::Medium } else { Severity::Low };
        hits.push(Hit::new(ThreatType::PromptInjection, sev, s, e, "task_diversion"));
    }
    few_shot_echo(norm, hits);
    open_script_turn(norm, p, hits);
}

/// Few-shot examples whose output repeats their input: "Input: Foo Output: Foo …". Once two
/// examples have taught the model to copy, the last input is what it will say.
fn few_shot_echo(norm: &str, hits: &mut Vec<Hit>) {
    const INPUTS: &[&str] = &["input:", "eingabe:", "entrada:", "entree:"];
    const OUTPUTS: &[&str] = &["output:", "ausgabe:", "salida:", "sortie:", "saida:"];
    let mut labels: Vec<(usize, usize, bool)> = Vec::new();
    for (set, is_in) in [(INPUTS, true), (OUTPUTS, false)] {
        for l in set {
            labels.extend(norm.match_indices(l).map(|(i, m)| (i, i + m.len(), is_in)));
        }
    }
    if labels.len() < 4 {
        return;
    }
    labels.sort_unstable();
    let mut echoes = 0;
    for w in labels.windows(3) {
        let (i, o, next) = (w[0], w[1], w[2]);
        if !i.2 || o.2 || !next.2 {
            continue;
        }
        let clean = |s: &str| s.trim().trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace()).to_string();
        let x = clean(&norm[i.1..o.0]);
        let y = clean(&norm[o.1..next.0]);
        if !x.is_empty() && x == y {
            echoes += 1;
        }
    }
    if echoes >= 2 {
        let (s, e) = (labels[0].0, labels.last().map_or(norm.len(), |l| l.1));
        hits.push(Hit::new(ThreatType::PromptInjection, Severity::Medium, s, e.max(s + 1), "few_shot_echo"));
    }
}

/// Field labels of task templates ("Answer:", "Summary:"), which also end on a colon.
const LABELS: &[&str] = &[
    "answer",
    "a",
    "q",
    "question",
    "summary",
    "tl;dr",
    "tldr",
    "output",
    "response",
    "result",
    "title",
    "article",
    "text",
    "review",
    "context",
    "options",
    "solution",
    "explanation",
    "translation",
    "category",
    "label",
    "sentiment",
    "input",
    "topic",
    "headline",
    "antwort",
    "frage",
    "zusammenfassung",
    "ausgabe",
    "reponse",
    "respuesta",
    "assistant",
    "user",
    "ai",
    "bot",
    "system",
];

/// A script with named speakers that ends on an open turn ("…\nJohn:"), set up as a play whose
/// actors never leave their roles: the model is asked to speak the next line in character.
fn open_script_turn(norm: &str, p: &Patterns, hits: &mut Vec<Hit>) {
    let t = norm.trim_end();
    let Some(last) = t.strip_suffix(':') else { return };
    let line_start = last.rfind('\n').map_or(0, |i| i + 1);
    let speaker = last[line_start..].trim();
    let ok_name = !speaker.is_empty()
        && speaker.len() <= 24
        && speaker.split_whitespace().count() <= 2
        && speaker.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '.');
    if !ok_name || line_start == 0 || LABELS.contains(&speaker) {
        return;
    }
    let body = &t[..line_start];
    // Someone speaks before the open turn, the speaker was introduced, and the text sets up
    // actors or roles.
    let spoken = body.lines().any(|l| {
        l.split_once(':').is_some_and(|(n, v)| {
            let n = n.trim();
            n.split_whitespace().count() <= 2 && !LABELS.contains(&n) && !v.trim().is_empty()
        })
    });
    let introduced = body.split(|c: char| !c.is_alphanumeric()).any(|w| w == speaker);
    if spoken && introduced && p.script_words.is_match(body) {
        hits.push(Hit::new(ThreatType::PromptInjection, Severity::Medium, line_start, t.len(), "open_script_turn"));
    }
}
