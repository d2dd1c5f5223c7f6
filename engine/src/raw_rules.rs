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
