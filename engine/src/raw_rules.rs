//! Built-in rules that run on the original text: credentials, code and markup. Each rule has
//! literal triggers (matched ASCII-case-insensitively in one Aho-Corasick pass); a rule's regex
//! runs only when one of its triggers occurs.

use crate::types::{Severity, ThreatType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    /// A connection string whose password is a placeholder is documentation, not a leak.
    RealPassword,
    /// Random-looking: enough distinct characters, digits and letters mixed.
    Entropy,
    OpenAiNotAnthropic,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRule {
    pub name: &'static str,
    pub ty: ThreatType,
    pub sev: Severity,
    pub triggers: &'static [&'static str],
    pub re: &'static str,
    pub check: Check,
    /// Raise severity one step when the text is a tool output or a document.
    pub raise_untrusted: bool,
}

const fn s(
    name: &'static str,
    sev: Severity,
    triggers: &'static [&'static str],
    re: &'static str,
    check: Check,
) -> RawRule {
    RawRule { name, ty: ThreatType::Secrets, sev, triggers, re, check, raise_untrusted: false }
}

const fn c(name: &'static str, sev: Severity, triggers: &'static [&'static str], re: &'static str) -> RawRule {
    RawRule { name, ty: ThreatType::SuspiciousCode, sev, triggers, re, check: Check::None, raise_untrusted: true }
}

use Check::{Entropy, OpenAiNotAnthropic, RealPassword};
use Severity::{Critical, High, Low, Medium};

pub(crate) const RAW_RULES: &[RawRule] = &[
    // ---- credentials ----
    s(
        "aws_access_key",
        Critical,
        &["akia", "asia", "abia", "acca"],
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        Check::None,
    ),
    s(
        "aws_secret_key",
        High,
        &["aws"],
        r#"(?i)aws.{0,24}(?:secret|private).{0,24}?['"=:\s]{1,5}([A-Za-z0-9/+]{40})\b"#,
        Entropy,
    ),
    s(
        "github_token",
        Critical,
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b",
        Check::None,
    ),
    s("github_fine_grained_token", Critical, &["github_pat_"], r"\bgithub_pat_[A-Za-z0-9_]{22,}\b", Check::None),
    s(
        "anthropic_api_key",
        Critical,
        &["sk-ant-"],
        r"\bsk-ant-(?:api|admin|sid)\d{0,3}-?[A-Za-z0-9_\-]{20,}",
        Check::None,
    ),
    s(
        "openai_api_key",
        Critical,
        &["sk-"],
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}",
        OpenAiNotAnthropic,
    ),
    s("slack_token", Critical, &["xox"], r"\bxox[baprse]-[A-Za-z0-9-]{10,}", Check::None),
    s("slack_webhook", High, &["hooks.slack.com"], r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]+", Check::None),
    s(
        "stripe_key",
        Critical,
        &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        Check::None,
    ),
    s("google_api_key", Critical, &["aiza"], r"\bAIza[0-9A-Za-z_\-]{35}", Check::None),
    s(
        "private_key_block",
        Critical,
        &["private key"],
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
        Check::None,
    ),
    s("jwt", High, &["eyj"], r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", Check::None),
    s(
        "credentials_in_url",
        High,
        &["://"],
        r#"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@'"]{1,64}:([^\s@/'"]+)@[^\s/'"]+"#,
        RealPassword,
    ),
    s(
        "generic_secret_assignment",
        Medium,
        &["key", "token", "secret", "passw", "pwd"],
        r#"(?i)\b(?:api[_-]?key|apikey|secret[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd|pwd|bearer)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-/+=.!@#$%^&*]{10,})"#,
        Entropy,
    ),
    s("bearer_token", High, &["bearer "], r"(?i)\bauthorization:\s*bearer\s+[A-Za-z0-9._\-]{20,}", Check::None),
    // ---- code in places that should hold data ----
    c("script_tag", High, &["<script"], r"(?i)<script\b[^>]*>"),
    c(
        "event_handler",
        Medium,
        &[
            " onerror",
            " onload",
            " onclick",
            " onmouseover",
            " onfocus",
            " onblur",
            " onchange",
            " onsubmit",
            " onkey",
            " onmouseenter",
            " onpointer",
            " onanimation",
        ],
        r#"(?i)<[a-z][^>]*\son(?:error|load|click|mouseover|focus|blur|change|submit|keydown|keyup|mouseenter|pointerover|animationstart)\s*=\s*['"]?[^'">\s]+"#,
    ),
    c("embedded_frame", Medium, &["<iframe", "<object", "<embed"], r"(?i)<(?:iframe|object|embed)\b[^>]*>"),
    c(
        "cookie_theft",
        High,
        &["document.cookie", "localstorage"],
        r"(?i)\b(?:document\.cookie|localStorage\.getItem)\b",
    ),
    c(
        "js_eval",
        Medium,
        &["eval(", "eval ("],
        r"(?i)\beval\s*\(\s*(?:atob|unescape|decodeURI|String\.fromCharCode|base64|[a-z_]+\()",
    ),
    c(
        "python_exec",
        High,
        &["exec(", "eval(", "compile("],
        r#"(?i)\b(?:exec|eval)\s*\(\s*(?:["'](?:import|__import__|os\.|subprocess)|base64|compile|__import__|open\(|requests\.|urllib)"#,
    ),
    c("python_os_system", High, &["os.system", "os.popen", "os.exec"], r"\bos\.(?:system|popen|exec[lv]p?e?)\s*\("),
    c(
        "python_subprocess",
        High,
        &["subprocess"],
        r"\bsubprocess\.(?:run|call|Popen|check_output|check_call|getoutput)\s*\(",
    ),
    c(
        "python_dunder_import",
        High,
        &["__import__"],
        r"__import__\s*\(\s*['\x22](?:os|subprocess|socket|pty|sys|shutil)",
    ),
    c(
        "python_dangerous_import",
        Medium,
        &["import "],
        r"(?m)^\s*(?:import\s+(?:os|subprocess|socket|pty|ctypes|shutil)\b|from\s+(?:os|subprocess|socket|pty)\s+import\b)",
    ),
    c("python_pickle", Medium, &["pickle.load", "marshal.load"], r"\b(?:pickle|marshal)\.loads?\s*\("),
    c(
        "shell_rm_rf",
        High,
        &["rm "],
        r"(?i)\brm\s+(?:-[a-z]*r[a-z]*f[a-z]*|-[a-z]*f[a-z]*r[a-z]*|--recursive\s+--force|-r\s+-f|-f\s+-r)\s+(?:--no-preserve-root\s+)?(?:/|~|\*|\$HOME|\.\.?(?:/|\s|$)|[A-Za-z0-9_./-]+)",
    ),
    c(
        "shell_pipe_to_shell",
        Critical,
        &["curl", "wget", "fetch"],
        r"(?i)\b(?:curl|wget|fetch)\b[^\n|;]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b",
    ),
    c(
        "shell_download",
        Medium,
        &["wget", "curl"],
        r"(?i)\b(?:wget|curl)\s+(?:-[A-Za-z-]+\s+(?:\S+\s+)?)*['\x22]?https?://\S+",
    ),
    c(
        "shell_reverse_shell",
        Critical,
        &["nc ", "ncat", "netcat", "/dev/tcp", "bash -i", "mkfifo", "socat"],
        r"(?i)\b(?:nc|ncat|netcat)\s+(?:-\S+\s+)*-[a-z]*e\s|/dev/tcp/|\bbash\s+-i\b|\bmkfifo\b|\bsocat\b[^\n]{0,80}exec",
    ),
    c("shell_chmod_exec", Medium, &["chmod"], r"\bchmod\s+(?:-R\s+)?(?:[ugoa]*\+x|[0-7]?7[0-7]{2})\b"),
    c("shell_binsh", Medium, &["/bin/"], r"/bin/(?:ba|z|k|da)?sh\b"),
    c("shell_fork_bomb", High, &[":(){"], r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:"),
    c("shell_base64_exec", High, &["base64"], r"(?i)base64\s+(?:-d|--decode)[^\n|]*\|\s*(?:ba|z)?sh\b"),
    c(
        "powershell_exec",
        High,
        &["powershell", "iex", "invoke-expression"],
        r"(?i)\bpowershell(?:\.exe)?\s+(?:-\S+\s+)*-(?:enc|e|encodedcommand)\b|\b(?:iex|invoke-expression)\s*[\(\$]|downloadstring\s*\(",
    ),
    c("sql_drop", High, &["drop "], r"(?i)\bdrop\s+(?:table|database|schema|user)\b"),
    c("sql_union_select", High, &["union"], r"(?i)\bunion\s+(?:all\s+)?select\b"),
    c(
        "sql_tautology",
        High,
        &["' or", "' and", "\" or", "\" and", "'or", "\"or", "or 1=1", "or 1 = 1"],
        r#"(?i)['"]\s*(?:or|and)\s+(?:['"]?(\w+)['"]?\s*=\s*['"]?\w+|true\b)|\bor\s+1\s*=\s*1\b"#,
    ),
    c(
        "sql_stacked",
        Medium,
        &[
            "; drop",
            ";drop",
            "; delete",
            ";delete",
            "; truncate",
            "; alter",
            "; insert",
            "; update",
            "; exec",
            ";exec",
            "; shutdown",
            "; grant",
        ],
        r"(?i);\s*(?:drop|delete\s+from|truncate|alter\s+table|insert\s+into|update\s+\w+\s+set|exec\b|shutdown|grant\s+all)",
    ),
    c("sql_comment_injection", Low, &["--", "/*"], r#"(?i)['"]\s*(?:--|#|/\*)"#),
    c("sql_xp_cmdshell", Critical, &["xp_cmdshell"], r"(?i)\bxp_cmdshell\b"),
];

/// How a connection string's password must not look for it to count as a leak.
pub(crate) fn is_placeholder_password(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    p.chars().all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || p.starts_with('<')
        || p.starts_with('{')
        || p.starts_with('$')
        || p.starts_with('[')
        || p.starts_with('%')
        || matches!(
            l.as_str(),
            "password"
                | "pass"
                | "passwd"
                | "secret"
                | "changeme"
                | "pwd"
                | "user"
                | "username"
                | "mypassword"
                | "yourpassword"
        )
}

/// Rough randomness test for values next to a `password=`-like key.
pub(crate) fn looks_random(v: &str) -> bool {
    let mut seen = [false; 128];
    let mut distinct = 0;
    let (mut digits, mut letters) = (0, 0);
    for b in v.bytes() {
        if b < 128 && !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
        }
        if b.is_ascii_digit() {
            digits += 1;
        } else if b.is_ascii_alphabetic() {
            letters += 1;
        }
    }
    distinct >= 8 && digits > 0 && letters > 0
}

/// Literals that every match of a rule begins with (ASCII-case-insensitively), for rules whose
/// triggers are common words: "key" arms `generic_secret_assignment` in much ordinary prose, and
/// its case-insensitive alternation is too large for the regex engine's own prefilter, so it would
/// otherwise run its automaton over every byte. The cue scan reports where these literals occur
/// (lower-cased, in the normalised view, which holds every ASCII run of the original unchanged
/// but for case), and the rule is tried anchored there instead.
const MATCH_STARTS: &[(&str, &[&str])] =
    &[("generic_secret_assignment", &["api", "secret", "access", "auth", "client", "passw", "pwd", "bearer"])];

/// The match-start literals of a rule, if it has any.
pub(crate) fn match_starts(rule: &RawRule) -> &'static [&'static str] {
    MATCH_STARTS.iter().find(|(n, _)| *n == rule.name).map_or(&[], |(_, l)| l)
}

/// A raw rule that runs anchored at the places its match-start literals occur.
pub(crate) struct Started {
    re: regex_automata::meta::Regex,
}

impl Started {
    pub(crate) fn build(rule: &RawRule) -> Result<Option<Started>, String> {
        if match_starts(rule).is_empty() {
            return Ok(None);
        }
        let re = regex_automata::meta::Regex::new(rule.re).map_err(|e| e.to_string())?;
        Ok(Some(Started { re }))
    }

    /// Calls `f(whole match, group 1)` for the same matches, in the same order, as
    /// `captures_iter` over `text` with the rule's regex, given every original offset where a
    /// match-start literal occurs (ascending). `None` when the text holds a character that
    /// case-insensitive matching treats as an ASCII letter (`ſ`, the Kelvin sign): the caller then
    /// runs the regex over the whole text.
    pub(crate) fn captures(
        &self,
        text: &str,
        at: impl Iterator<Item = usize>,
        mut f: impl FnMut((usize, usize), Option<(usize, usize)>),
    ) -> Option<()> {
        let b = text.as_bytes();
        if memchr::memmem::find(b, "\u{17f}".as_bytes()).is_some()
            || memchr::memmem::find(b, "\u{212a}".as_bytes()).is_some()
        {
            return None;
        }
        let mut caps = self.re.create_captures();
        let mut last_end = 0;
        for p in at {
            // Matches do not overlap: the leftmost one wins, as in an unanchored pass.
            if p < last_end || p >= b.len() {
                continue;
            }
            let input = regex_automata::Input::new(b).span(p..b.len()).anchored(regex_automata::Anchored::Yes);
            self.re.search_captures(&input, &mut caps);
            if let Some(m) = caps.get_match() {
                let g = caps.get_group(1).map(|s| (s.start, s.end));
                f((m.start(), m.end()), g);
                last_end = m.end().max(p + 1);
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only two non-ASCII characters match an ASCII letter case-insensitively.
    #[test]
    fn ascii_letter_folds() {
        let re = regex::Regex::new("(?i)^[a-z]$").unwrap();
        let odd: Vec<char> =
            (0x80..=0x10ffffu32).filter_map(char::from_u32).filter(|c| re.is_match(&c.to_string())).collect();
        assert_eq!(odd, vec!['\u{17f}', '\u{212a}']);
    }

    #[test]
    fn started_rules_equal_a_full_pass() {
        let b = crate::matcher::builtin().unwrap();
        for (r, rule) in RAW_RULES.iter().enumerate() {
            let Some(s) = Started::build(rule).unwrap() else { continue };
            let re = regex::Regex::new(rule.re).unwrap();
            for text in [
                "api_key = abcdefghijk1234 and PASSWORD: 'hunter2hunter2' then password=secretsecret99",
                "myapi_key=abcdefghijklmnop apikey=\"abcdefghijklmnop\" x_password: 1234567890ab",
                "client_secret_key: aaaaaaaaaaaaa, secret_key:bbbbbbbbbbbbbbbb pwdpwd: cccccccccccc",
                "Bearer: abc.def.ghi.jkl.mno Auth-Token = zzzzzzzzzzzzzzzz éapi_key=abcdefghijkl",
                "accessecret_key=abcdefghijklmn Access_Token=aaaaaaaaaaaaaaaaaaaa\u{200b} passwd =    'qqqqqqqqqqqqqq' ",
                "ＡＰＩ_key=abcdefghijklmnop api\u{301}_key=abcdefghijklmnop Аpi_key=abcdefghijklmnop",
                "api_key=short auth_token=abcdefghijklmnop the password is = 0123456789",
                "xxx",
                "",
            ] {
                let want: Vec<_> = re
                    .captures_iter(text)
                    .filter_map(|c| {
                        let m = c.get(0)?;
                        Some(((m.start(), m.end()), c.get(1).map(|g| (g.start(), g.end()))))
                    })
                    .collect();
                let (n, _) = crate::normalise::views(text);
                let found = b.cues.scan(n.text());
                let mut at: Vec<usize> = found.starts_of(r).filter_map(|q| n.view.origin(q)).collect();
                at.sort_unstable();
                at.dedup();
                let mut got = Vec::new();
                assert!(s.captures(text, at.into_iter(), |m, g| got.push((m, g))).is_some());
                assert_eq!(got, want, "{} on {text:?}", rule.name);
            }
            assert!(s.captures("paſsword=abcdefghijklmn", [0].into_iter(), |_, _| {}).is_none());
        }
    }
}
