//! URLs that exfiltrate data or hide where they lead: data-carrying query strings and paths,
//! markdown images that leak on render, shorteners, raw-IP hosts, odd ports, script URIs.

use super::Hit;
use crate::normalise::View;
use crate::types::{Severity, ThreatType};
use regex::Regex;
use std::sync::OnceLock;

/// Where a URL can be: every URL [`url_end`] accepts contains one of these (lower-cased, as
/// they appear in the normalised view), a few bytes from its start.
pub(crate) const CUES: &[&str] = &[
    "://",
    "script",
    "data:",
    "bit.ly/",
    "tinyurl.com/",
    "t.co/",
    "goo.gl/",
    "ow.ly/",
    "is.gd/",
    "buff.ly/",
    "rebrand.ly/",
    "cutt.ly/",
    "shorturl.at/",
    "tiny.cc/",
    "rb.gy/",
    "t.ly/",
    "v.gd/",
    "bl.ink/",
    "lnkd.in/",
    "adf.ly/",
    "clck.ru/",
    "s.id/",
];

fn md_image() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"!\[[^\]\n]*\]\(\s*<?((?i:https?)://[^\s)>]+)").ok()).as_ref()
}

const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "t.ly",
    "v.gd",
    "bl.ink",
    "lnkd.in",
    "adf.ly",
    "clck.ru",
    "s.id",
    "shorte.st",
    "tr.im",
];

/// Services built to receive and log arbitrary requests.
const COLLECTORS: &[&str] = &[
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "requestbin",
    "pipedream.net",
    "webhook.site",
    "burpcollaborator.net",
    "oastify.com",
    "interact.sh",
    "hookbin.com",
    "beeceptor.com",
    "canarytokens",
    "requestcatcher.com",
    "trycloudflare.com",
    "oast.fun",
    "oast.pro",
    "dnslog.cn",
];

const DATA_PARAMS: &[&str] = &[
    "data",
    "d",
    "q",
    "query",
    "payload",
    "p",
    "c",
    "content",
    "info",
    "text",
    "msg",
    "message",
    "secret",
    "token",
    "key",
    "cookie",
    "session",
    "pw",
    "pass",
    "password",
    "user",
    "email",
    "chat",
    "history",
    "conversation",
    "prompt",
    "exfil",
    "leak",
    "log",
    "x",
    "s",
    "u",
    "m",
    "b64",
    "dump",
    "output",
    "creds",
    "memo",
    "summary",
];

const EXFIL_PATH: &[&str] = &[
    "collect",
    "exfil",
    "exfiltrate",
    "steal",
    "leak",
    "logger",
    "track",
    "beacon",
    "c2",
    "keylog",
    "grab",
    "harvest",
    "capture",
    "log",
];

fn is_ip_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    // Addresses are written with hex digits, `.` and `:` only; most hosts fail at a letter.
    h.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':') && h.parse::<std::net::IpAddr>().is_ok()
}

/// The bytes that one of [`COLLECTORS`] begins with.
const COLLECTOR_FIRST: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < COLLECTORS.len() {
        t[COLLECTORS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    t
};

/// Whether `host` contains one of [`COLLECTORS`]. Hosts are short, so each position whose byte
/// begins some name is tried against the names.
fn collector_host(host: &str) -> bool {
    let h = host.as_bytes();
    (0..h.len())
        .filter(|&i| COLLECTOR_FIRST[usize::from(h[i])])
        .any(|i| COLLECTORS.iter().any(|c| h[i..].starts_with(c.as_bytes())))
}

fn looks_encoded(v: &str) -> bool {
    v.len() >= 24
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'%'))
}

fn placeholder(v: &str) -> bool {
    v.contains('{') || v.contains('[') || v.contains('$') || v.contains("%7B") || v.contains("%7b") || v.contains('<')
}

fn analyse(url: &str, image: bool, s: usize, e: usize, out: &mut Vec<Hit>) {
    let lower: std::borrow::Cow<str> =
        if url.bytes().any(|b| b.is_ascii_uppercase()) { url.to_ascii_lowercase().into() } else { url.into() };
    let push = |out: &mut Vec<Hit>, sev, name| out.push(Hit::new(ThreatType::MaliciousUrl, sev, s, e, name));
    if lower.starts_with("javascript") || lower.starts_with("vbscript") {
        push(out, Severity::High, "script_uri");
        return;
    }
    if let Some(rest) = lower.strip_prefix("data:") {
        if rest.starts_with("image/") && !rest.starts_with("image/svg") {
            push(out, Severity::Low, "data_uri_image");
        } else {
            push(out, Severity::Medium, "data_uri");
        }
        return;
    }
    let after_scheme = lower.split_once("://").map_or(&*lower, |(_, r)| r);
    let (authority, rest) = match after_scheme.find(['/', '?', '#']) {
        Some(i) => after_scheme.split_at(i),
        None => (after_scheme, ""),
    };
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(i) => (&host_port[..=i], host_port[i + 1..].strip_prefix(':')),
            None => (host_port, None),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    if authority.contains('@') && !lower.starts_with("ftp") {
        push(out, Severity::Medium, "url_userinfo");
    }
    if collector_host(host) {
        push(out, Severity::High, "request_collector_host");
    }
    let subdomain_of = |sh: &str| host.strip_suffix(sh).is_some_and(|rest| rest.ends_with('.'));
    if SHORTENERS.iter().any(|sh| host == *sh || subdomain_of(sh)) {
        push(out, Severity::Medium, "url_shortener");
    }
    if is_ip_host(host) {
        let local = host.starts_with("127.") || host == "[::1]" || host.starts_with("localhost");
        push(out, if local { Severity::Low } else { Severity::Medium }, "raw_ip_host");
    }
    if host.starts_with("xn--") || host.contains(".xn--") {
        push(out, Severity::Low, "punycode_host");
    }
    if let Some(p) = port.and_then(|p| p.parse::<u32>().ok()) {
        if ![80, 443, 8080, 8443].contains(&p) {
            push(out, Severity::Low, "unusual_port");
        }
    }
    if path.split(['/', '.']).any(|seg| EXFIL_PATH.contains(&seg)) {
        push(out, Severity::Medium, "exfil_path");
    }
    let mut data_param = false;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if DATA_PARAMS.contains(&k) && (v.len() >= 48 || looks_encoded(v) || placeholder(v)) {
            data_param = true;
        }
    }
    if image && !query.is_empty() {
        let sev = if data_param || query.len() >= 32 { Severity::High } else { Severity::Medium };
        push(out, sev, "markdown_image_exfil");
    } else if data_param {
        push(out, Severity::Medium, "data_in_query");
    }
}

/// How far before a cue (`://`, `script`) a URL the pattern accepts can start: the longest
/// scheme or script prefix, with room for case-folded letters that take two bytes.
const CUE_LOOKBACK: usize = 6;

/// Whether `text` continues at `i` with `word` (lower-case ASCII), case-insensitively as the
/// pattern's `(?i)` compares: a letter also matches its upper case, and `s` and `k` also match
/// `ſ` (U+017F) and the Kelvin sign (U+212A), the only other characters whose simple case
/// folding gives an ASCII letter. Returns where the match ends.
fn folded(text: &[u8], mut i: usize, word: &[u8]) -> Option<usize> {
    for &w in word {
        let b = *text.get(i)?;
        if b.to_ascii_lowercase() == w {
            i += 1;
        } else if w == b's' && text.get(i..i + 2) == Some("ſ".as_bytes()) {
            i += 2;
        } else if w == b'k' && text.get(i..i + 3) == Some("\u{212A}".as_bytes()) {
            i += 3;
        } else {
            return None;
        }
    }
    Some(i)
}

/// Where the run of characters at `i` that `stop` does not reject ends.
fn run_end(text: &str, i: usize, stop: impl Fn(char) -> bool) -> usize {
    let tail = &text[i..];
    tail.char_indices().find(|&(_, c)| stop(c)).map_or(text.len(), |(k, _)| i + k)
}

/// The shortener cues of [`CUES`] (hosts with their `/`) that begin with the letter `first`, in
/// their order there.
fn shortener_cues(first: u8) -> &'static [&'static str] {
    match first {
        b'a' => &["adf.ly/"],
        b'b' => &["bit.ly/", "buff.ly/", "bl.ink/"],
        b'c' => &["cutt.ly/", "clck.ru/"],
        b'g' => &["goo.gl/"],
        b'i' => &["is.gd/"],
        b'l' => &["lnkd.in/"],
        b'o' => &["ow.ly/"],
        b'r' => &["rebrand.ly/", "rb.gy/"],
        b's' => &["shorturl.at/", "s.id/"],
        b't' => &["tinyurl.com/", "t.co/", "tiny.cc/", "t.ly/"],
        b'v' => &["v.gd/"],
        _ => &[],
    }
}

/// Where the URL pattern's match anchored at `p` ends, if there is one: what
/// `(?i)\b(?:https?|ftp|wss?)://[^\s<>"'\)\]\}`]+|\b(?:javascript|vbscript)\s*:[^\s"'<>]{2,}|\bdata:[a-z]+/[a-z0-9.+\-]+[^\s"'<>)]*|\b(?:bit\.ly|…|s\.id)/[^\s<>"'\)\]]+`
/// finds when searched anchored at `p` (the alternatives begin with different literals, so at
/// most one matches, and each ends where its last, greedy class stops). `p` is a character
/// boundary of `text`.
fn url_end(text: &str, p: usize) -> Option<usize> {
    let t = text.as_bytes();
    let end = match t.get(p)?.to_ascii_lowercase() {
        b'h' | b'f' | b'w' => {
            let scheme = folded(t, p, b"http")
                .map(|i| folded(t, i, b"s").unwrap_or(i))
                .or_else(|| folded(t, p, b"ftp"))
                .or_else(|| folded(t, p, b"ws").map(|i| folded(t, i, b"s").unwrap_or(i)))?;
            let i = folded(t, scheme, b"://")?;
            let e =
                run_end(text, i, |c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']' | '}' | '`'));
            (e > i).then_some(e)?
        }
        b'j' | b'v' if t.get(p + 1).is_some_and(|b| b.eq_ignore_ascii_case(&b'a') || b.eq_ignore_ascii_case(&b'b')) => {
            let i = folded(t, p, b"javascript").or_else(|| folded(t, p, b"vbscript"))?;
            let i = run_end(text, i, |c| !c.is_whitespace());
            let i = folded(t, i, b":")?;
            let e = run_end(text, i, |c| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'));
            text[i..e].chars().nth(1)?;
            e
        }
        b'd' if folded(t, p, b"data:").is_some() => {
            let i = p + 5;
            let letter = |c: char| c.is_ascii_alphabetic() || c == 'ſ' || c == '\u{212A}';
            let j = run_end(text, i, |c| !letter(c));
            if j == i || t.get(j) != Some(&b'/') {
                return None;
            }
            let first = text[j + 1..].chars().next()?;
            if !(letter(first) || first.is_ascii_digit() || matches!(first, '.' | '+' | '-')) {
                return None;
            }
            run_end(text, j + 1, |c| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
        }
        _ => {
            // `ſ` folds to `s`.
            let first = if t[p] == 0xC5 { b's' } else { t[p].to_ascii_lowercase() };
            let i = shortener_cues(first).iter().find_map(|h| folded(t, p, h.as_bytes()))?;
            let e = run_end(text, i, |c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']'));
            (e > i).then_some(e)?
        }
    };
    // `\b` before a word character: the character before `p` must not be one.
    let word_before = text[..p].chars().next_back().is_some_and(regex_syntax::is_word_character);
    (!word_before).then_some(end)
}

/// `cues` are the positions in `norm` (the text's normalised view) where one of [`CUES`]
/// starts. The normalised view is lower-cased and folds look-alikes, so it holds a cue
/// wherever the case-insensitive pattern could match in `text`.
pub(crate) fn detect(text: &str, norm: &View, cues: &[usize], out: &mut Vec<Hit>) {
    if cues.is_empty() {
        return;
    }
    let mut starts: Vec<usize> = cues.iter().filter_map(|&q| norm.origin(q)).collect();
    let mut images: Vec<(usize, usize)> = Vec::new();
    if let Some(md_image) = md_image().filter(|_| super::bytes::contains(text.as_bytes(), b"![")) {
        for c in md_image.captures_iter(text) {
            if let Some(u) = c.get(1) {
                images.push((u.start(), u.end()));
            }
        }
    }
    // Every URL holds a cue a few bytes from its start, so searching from each cue finds the
    // same matches as one pass over the whole text.
    starts.sort_unstable();
    starts.dedup();
    let mut last_end = 0;
    for q in starts {
        if q < last_end {
            continue;
        }
        let mut from = q.saturating_sub(CUE_LOOKBACK).max(last_end);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        // The URL this cue belongs to starts at most `CUE_LOOKBACK` bytes before it; one that
        // starts later holds a later cue and is found from there. Trying each start anchored
        // keeps a cue inside an ordinary word ("description") from scanning the rest of the text.
        let m =
            (from..=q.min(text.len())).filter(|&p| text.is_char_boundary(p)).find_map(|p| Some((p, url_end(text, p)?)));
        let Some((start, end)) = m else { continue };
        last_end = end.max(from + 1);
        let u = text.get(start..end).unwrap_or("").trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let image = images.iter().any(|&(s, _)| s == start);
        analyse(u, image, start, start + u.len(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`shortener_cues`] splits the shortener cues of [`CUES`] by first letter.
    #[test]
    fn shortener_cues_are_the_cues() {
        let mut split: Vec<&str> = (0..=255).flat_map(|b| shortener_cues(b).iter().copied()).collect();
        let mut cues = CUES[3..].to_vec();
        split.sort_unstable();
        cues.sort_unstable();
        assert_eq!(split, cues);
        for b in 0..=255u8 {
            let want: Vec<&str> = CUES[3..].iter().copied().filter(|c| c.as_bytes()[0] == b).collect();
            assert_eq!(shortener_cues(b), want);
        }
    }

    /// [`url_end`] agrees with the pattern it stands for at every start of generated texts made
    /// of the pieces where the two could differ: scheme and host literals in all cases, `ſ` and
    /// the Kelvin sign (which `(?i)` folds to `s` and `k`), look-alikes that it does not fold,
    /// Unicode spaces and word characters, and each class's stop characters.
    #[test]
    fn url_end_equals_the_pattern() {
        const PIECES: &[&str] = &[
            "http",
            "HTTPS",
            "hTtPſ",
            "ftp",
            "FTP",
            "ws",
            "wss",
            "WSſ",
            "://",
            ":",
            ":/",
            "/",
            "//",
            "javascript",
            "JavaScript",
            "javaſcript",
            "vbscript",
            "VBSCRIPT",
            "vbſcript",
            "script",
            "data",
            "data:",
            "DATA:",
            "image",
            "svg",
            "png",
            "text",
            "html",
            ";base64,",
            "ſ",
            "\u{212A}",
            "k",
            "K",
            "İ",
            "ı",
            "s",
            "S",
            " ",
            "  ",
            "\t",
            "\n",
            "\u{0B}",
            "\u{0C}",
            "\r",
            "\u{85}",
            "\u{A0}",
            "\u{2003}",
            "\u{3000}",
            "\u{200B}",
            "a",
            "Z",
            "0",
            "9",
            ".",
            "+",
            "-",
            "_",
            "<",
            ">",
            "\"",
            "'",
            ")",
            "]",
            "}",
            "`",
            "(",
            "[",
            "{",
            "?",
            "=",
            "&",
            "@",
            "é",
            "\u{300}",
            "٣",
            "中",
            "ǅ",
            "x",
            "bit.ly",
            "BIT.LY",
            "tinyurl.com",
            "t.co",
            "T.CO",
            "goo.gl",
            "ow.ly",
            "is.gd",
            "iſ.gd",
            "buff.ly",
            "rebrand.ly",
            "cutt.ly",
            "shorturl.at",
            "ſhorturl.at",
            "tiny.cc",
            "rb.gy",
            "t.ly",
            "v.gd",
            "bl.ink",
            "lnkd.in",
            "ln\u{212A}d.in",
            "adf.ly",
            "clck.ru",
            "clc\u{212A}.ru",
            "s.id",
            "ſ.id",
        ];
        // Whole heads, so that many starts match.
        const HEADS: &[&str] = &[
            "https://",
            "HTTP://",
            "httpſ://",
            "ftp://",
            "wss://",
            "wſ://",
            "javascript:",
            "JavaScript :",
            "vbscript\u{2003}:",
            "vbſcript:",
            "data:text/",
            "DATA:image/",
            "data:ſ/",
            "data:\u{212A}/",
            "data:a/",
            "bit.ly/",
            "T.CO/",
            "ſ.id/",
            "ln\u{212A}d.in/",
            "v.gd/",
            "tiny.cc/",
            "rb.gy/",
        ];
        let r = url_regex();
        let mut rng = crate::seeded::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let mut next = |n: usize| (rng() % n as u64) as usize;
        let mut starts = 0;
        for _ in 0..40_000 {
            let len = 1 + next(12);
            let text: String = (0..len)
                .map(|_| if next(4) == 0 { HEADS[next(HEADS.len())] } else { PIECES[next(PIECES.len())] })
                .collect();
            for p in (0..=text.len()).filter(|&p| text.is_char_boundary(p)) {
                let input =
                    regex_automata::Input::new(&text).span(p..text.len()).anchored(regex_automata::Anchored::Yes);
                let want = r.find(input).map(|m| m.end());
                assert_eq!(url_end(&text, p), want, "{text:?} at {p}");
                starts += usize::from(want.is_some());
            }
        }
        assert!(starts > 10_000, "too few matches to compare: {starts}");
    }

    /// The URL pattern [`url_end`] stands for.
    fn url_regex() -> regex_automata::meta::Regex {
        regex_automata::meta::Regex::new(r#"(?i)\b(?:https?|ftp|wss?)://[^\s<>"'\)\]\}`]+|\b(?:javascript|vbscript)\s*:[^\s"'<>]{2,}|\bdata:[a-z]+/[a-z0-9.+\-]+[^\s"'<>)]*|\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|buff\.ly|rebrand\.ly|cutt\.ly|shorturl\.at|tiny\.cc|rb\.gy|t\.ly|v\.gd|bl\.ink|lnkd\.in|adf\.ly|clck\.ru|s\.id)/[^\s<>"'\)\]]+"#).unwrap()
    }

    /// Searching only around the cues finds what one pass over the whole text finds.
    #[test]
    fn cue_search_equals_a_full_pass() {
        let r = url_regex();
        let b = crate::matcher::builtin().unwrap();
        for text in [
            "a description of https://x.example/a?b=c then javascript:alert(1) and HTTPS://Y.example",
            "subscriptions, transcripts, scripture; see bit.ly/abc and data:text/html;base64,AAAA",
            "httpſ://odd.example/ JavaScript :void(0) ftp://h/p, wss://s/x. t.co/xyz s.id/q",
            "![img](https://e.example/p?q=1) <a href='vbscript:msgbox(1)'>x</a> https://a.b/descript",
            "no urls here at all, just a description",
            "",
        ] {
            let mut want = Vec::new();
            for m in r.find_iter(text) {
                let u = text[m.start()..m.end()].trim_end_matches(['.', ',', ';', ':', '!', '?']);
                analyse(u, false, m.start(), m.start() + u.len(), &mut want);
            }
            let (n, _) = crate::normalise::views(text);
            let found = b.cues.scan(n.text());
            let mut got = Vec::new();
            detect(text, &n.view, &found.urls, &mut got);
            let key = |h: &Hit| (h.start, h.end, h.pattern.to_string(), h.sev);
            let (mut want, mut got): (Vec<_>, Vec<_>) = (want.iter().map(key).collect(), got.iter().map(key).collect());
            // Markdown images raise their URL's finding; compare the spans that are not images.
            got.retain(|g| !text.get(..g.0).unwrap_or("").ends_with("]("));
            want.retain(|w| !text.get(..w.0).unwrap_or("").ends_with("]("));
            assert_eq!(got, want, "{text:?}");
        }
    }
}
