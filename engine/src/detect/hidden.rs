//! Text a human reader would not see: HTML and markdown comments, CSS-hidden elements,
//! invisible Unicode (zero-width, bidi controls, tag characters).

use super::bytes::contains;
use super::Hit;
use crate::matcher::{Cue, Found};
use crate::normalise::{InvisibleKind, Normalised};
use crate::types::{Severity, ThreatType};
use regex::Regex;
use std::sync::OnceLock;

struct Res {
    md_comment: Regex,
    css_hidden: Regex,
    /// White text: hidden on a white page, legitimate on a dark one, so only weak evidence.
    css_white: Regex,
    hidden_attr: Regex,
}

fn res() -> Option<&'static Res> {
    static R: OnceLock<Option<Res>> = OnceLock::new();
    R.get_or_init(|| {
        Some(Res {
            md_comment: Regex::new(r"(?m)^\[[^\]\n]{0,40}\]:\s*(?:#|<>)\s*\((.*)\)\s*$").ok()?,
            css_hidden: Regex::new(r#"(?is)<[a-z][a-z0-9]*\b[^>]*\bstyle\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|["'!])|opacity\s*:\s*0(?:\.0+)?\s*(?:;|["'!])|(?:^|[;\s"'])color\s*:\s*transparent\b|(?:height|width|max-height)\s*:\s*0(?:px)?\s*(?:;|["'])|(?:left|top|text-indent)\s*:\s*-\d{3,})[^"']*["'][^>]*>([^<]*)"#).ok()?,
            css_white: Regex::new(r#"(?is)<[a-z][a-z0-9]*\b[^>]*\bstyle\s*=\s*["'][^"']*(?:^|[;\s"'])color\s*:\s*(?:#fff(?:fff)?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255)[^"']*["'][^>]*>([^<]*)"#).ok()?,
            hidden_attr: Regex::new(r#"(?is)<[a-z][a-z0-9]*\b[^>]*\s(?:hidden|aria-hidden\s*=\s*["']true["'])[\s>/][^>]*?>?([^<]+)"#).ok()?,
        })
    })
    .as_ref()
}

/// A hidden container: the finding for the container and the byte range of its inner text,
/// which the scanner scans for instructions.
pub(crate) struct Container {
    pub hit: Hit,
    pub inner: (usize, usize),
}

/// `found` says which cues the normalised view holds; each container pattern runs only when its
/// cue is there and the original text passes the exact check.
pub(crate) fn containers(text: &str, found: &Found, out: &mut Vec<Container>) {
    if found.has(Cue::HtmlComment) {
        html_comments(text, out);
    }
    let Some(r) = res() else { return };
    let mut push = |re: &Regex, name: &'static str, sev: Severity| {
        for c in re.captures_iter(text) {
            let (Some(all), Some(inner)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if inner.as_str().trim().is_empty() {
                continue;
            }
            out.push(Container {
                hit: Hit::new(ThreatType::HiddenInstructions, sev, all.start(), all.end(), name),
                inner: (inner.start(), inner.end()),
            });
        }
    };
    let b = text.as_bytes();
    if found.has(Cue::MarkdownComment) && contains(b, b"]:") {
        push(&r.md_comment, "markdown_comment", Severity::Low);
    }
    if found.has(Cue::Style) && (contains(b, b"style") || contains(b, b"STYLE") || contains(b, b"Style")) {
        push(&r.css_hidden, "css_hidden_text", Severity::Medium);
        push(&r.css_white, "css_white_text", Severity::Low);
    }
    if found.has(Cue::Hidden) && contains(b, b"hidden") {
        push(&r.hidden_attr, "hidden_element", Severity::Low);
    }
}

/// `<!--(.*?)-->` (dot matching newlines), found with two substring searches instead of a regex
/// pass over the whole text: each comment runs from an opener to the first closer after it, and
/// once an opener has no closer after it no later one has either.
fn html_comments(text: &str, out: &mut Vec<Container>) {
    let b = text.as_bytes();
    let mut at = 0;
    while let Some(s) = b.get(at..).and_then(|t| memchr::memmem::find(t, b"<!--")).map(|p| at + p) {
        let Some(e) = b.get(s + 4..).and_then(|t| memchr::memmem::find(t, b"-->")).map(|p| s + 4 + p) else {
            return;
        };
        // Both markers are ASCII, so these are character boundaries.
        if !text.get(s + 4..e).unwrap_or("").trim().is_empty() {
            out.push(Container {
                hit: Hit::new(ThreatType::HiddenInstructions, Severity::Low, s, e + 3, "html_comment"),
                inner: (s + 4, e),
            });
        }
        at = e + 3;
    }
}

/// Findings for invisible characters recorded during normalisation.
pub(crate) fn invisible(n: &Normalised, out: &mut Vec<Hit>) {
    let in_words: usize =
        n.invisible.iter().filter(|r| r.kind == InvisibleKind::ZeroWidth && r.inside_word).map(|r| r.count).sum();
    let zero_width: usize = n.invisible.iter().filter(|r| r.kind == InvisibleKind::ZeroWidth).map(|r| r.count).sum();
    if in_words >= 2 || zero_width >= 8 {
        let sev = if in_words >= 4 || zero_width >= 16 { Severity::High } else { Severity::Medium };
        for r in n.invisible.iter().filter(|r| r.kind == InvisibleKind::ZeroWidth && (r.inside_word || r.count >= 4)) {
            out.push(Hit::new(ThreatType::HiddenInstructions, sev, r.start, r.end, "zero_width_characters"));
        }
    }
    let bidi: Vec<_> = n.invisible.iter().filter(|r| r.kind == InvisibleKind::Bidi).collect();
    let overrides = bidi.len();
    for r in bidi {
        let sev = if overrides >= 3 { Severity::Medium } else { Severity::Low };
        out.push(Hit::new(ThreatType::HiddenInstructions, sev, r.start, r.end, "bidi_control"));
    }
    for p in &n.tag_payloads {
        out.push(Hit::new(ThreatType::HiddenInstructions, Severity::High, p.start, p.end, "unicode_tag_characters"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_comments_match_the_regex() {
        let re = Regex::new(r"(?s)<!--(.*?)-->").unwrap();
        for text in [
            "a <!-- x --> b <!--y-->",
            "<!-->",
            "<!--->",
            "<!---->",
            "<!-- \u{0b} --> <!--\u{a0}--> <!-- é -->",
            "<!-- <!-- nested --> -->",
            "<!-- open only",
            "x <!-- a\nb --> <!-- c",
            "<!--<!---->-->",
            "",
        ] {
            let want: Vec<_> = re
                .captures_iter(text)
                .filter_map(|c| {
                    let (a, i) = (c.get(0)?, c.get(1)?);
                    (!i.as_str().trim().is_empty()).then_some((a.start(), a.end(), i.start(), i.end()))
                })
                .collect();
            let mut got = Vec::new();
            html_comments(text, &mut got);
            let got: Vec<_> = got.iter().map(|c| (c.hit.start, c.hit.end, c.inner.0, c.inner.1)).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
