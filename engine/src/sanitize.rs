//! Rewrites a text with threat spans removed or masked.

use crate::types::{Finding, PiiMode, ThreatType};

fn mask_digits_keep_last(s: &str, keep: usize) -> String {
    let total = s.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + keep > total {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// `j***@example.com`, `**** **** **** 4242`, `***-**-6789`, ...
pub fn partial_mask(entity: &str, value: &str) -> String {
    match entity {
        "email" => match value.split_once('@') {
            Some((local, domain)) => {
                let first = local.chars().next().map(String::from).unwrap_or_default();
                format!("{first}***@{domain}")
            }
            None => "[EMAIL]".to_string(),
        },
        "credit_card" => mask_digits_keep_last(value, 4),
        "us_ssn" => mask_digits_keep_last(value, 4),
        "phone_number" => mask_digits_keep_last(value, 2),
        "iban" => {
            let chars: Vec<char> = value.chars().collect();
            let n = chars.len();
            chars.iter().enumerate().map(|(i, &c)| if i < 4 || i + 4 >= n || c == ' ' { c } else { '*' }).collect()
        }
        "ip_address" => match value.split_once('.') {
            Some((first, _)) => format!("{first}.*.*.*"),
            None => "[IP_ADDRESS]".to_string(),
        },
        "person" => value
            .split_whitespace()
            .map(|w| format!("{}.", w.chars().next().unwrap_or('*')))
            .collect::<Vec<_>>()
            .join(" "),
        _ => placeholder(entity),
    }
}

pub fn placeholder(entity: &str) -> String {
    match entity {
        "email" => "[EMAIL]",
        "phone_number" => "[PHONE]",
        "credit_card" => "[CREDIT_CARD]",
        "us_ssn" => "[SSN]",
        "iban" => "[IBAN]",
        "ip_address" => "[IP_ADDRESS]",
        "person" => "[PERSON]",
        "street_address" => "[ADDRESS]",
        "us_driver_license" => "[DRIVER_LICENSE]",
        _ => "[PII]",
    }
    .to_string()
}

pub(crate) fn replacement(f: &Finding, pii_mode: PiiMode) -> String {
    match f.threat_type {
        ThreatType::Pii => {
            let entity = f.custom_type.as_deref().unwrap_or("pii");
            if pii_mode == PiiMode::PartialMask {
                partial_mask(entity, &f.original)
            } else {
                placeholder(entity)
            }
        }
        ThreatType::Secrets => "[REDACTED_SECRET]".to_string(),
        ThreatType::Profanity => "*".repeat(f.original.chars().count().max(1)),
        ThreatType::MaliciousUrl => "[URL REMOVED]".to_string(),
        ThreatType::HiddenInstructions => String::new(),
        ThreatType::SuspiciousCode => "[CODE REMOVED]".to_string(),
        ThreatType::PromptInjection | ThreatType::Jailbreak => "[REMOVED]".to_string(),
        ThreatType::Custom => "[REDACTED]".to_string(),
    }
}

/// Applies replacements for `findings` (any order, may overlap: the earliest, then longest, wins).
pub(crate) fn apply(text: &str, findings: &[&Finding], pii_mode: PiiMode) -> String {
    let mut order: Vec<&Finding> = findings.to_vec();
    order.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in order {
        if f.start < pos || f.end > text.len() || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(text.get(pos..f.start).unwrap_or(""));
        out.push_str(&replacement(f, pii_mode));
        pos = f.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_masks() {
        assert_eq!(partial_mask("email", "john@example.com"), "j***@example.com");
        assert_eq!(partial_mask("credit_card", "4242 4242 4242 4242"), "**** **** **** 4242");
        assert_eq!(partial_mask("us_ssn", "123-45-6789"), "***-**-6789");
        assert_eq!(partial_mask("ip_address", "10.1.2.3"), "10.*.*.*");
    }
}
