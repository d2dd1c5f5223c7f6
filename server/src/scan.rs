//! Content scanning on the proxy path: find the text in a request that the
//! model will read, scan each piece with the proxy's compiled scanner, and
//! combine the verdicts. User and system turns are scanned as user input;
//! tool results inside the conversation are untrusted content (indirect
//! prompt injection arrives there).

use engine::{Action, Finding, Scanner, Source};
use serde::Serialize;
use serde_json::Value;

use crate::upstream::Api;

/// One string in the request body that the model will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// JSON pointer to the string, so a sanitised text can be put back.
    pub pointer: String,
    pub source: Source,
}

/// A finding with the place it was found.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    #[serde(flatten)]
    pub finding: Finding,
    /// JSON pointer of the string the span refers to.
    pub location: String,
    pub source: Source,
}

/// The combined verdict over every segment of a request.
#[derive(Debug, Clone)]
pub struct RequestVerdict {
    pub action: Action,
    pub risk_score: f32,
    pub findings: Vec<Located>,
}

/// Lists the strings of a request body that reach the model, per API.
pub fn segments(api: Api, body: &Value) -> Vec<Segment> {
    let mut out = Vec::new();
    match api {
        Api::OpenAiChat => {
            for (i, m) in array(body, "messages") {
                let source = match m.get("role").and_then(Value::as_str) {
                    Some("user" | "system" | "developer") => Source::UserInput,
                    Some("tool" | "function") => Source::ToolOutput,
                    _ => continue,
                };
                content(&mut out, m.get("content"), &format!("/messages/{i}/content"), source);
            }
        }
        Api::OpenAiResponses => {
            text_at(&mut out, body, "/instructions", Source::UserInput);
            match body.get("input") {
                Some(Value::String(_)) => out.push(Segment { pointer: "/input".into(), source: Source::UserInput }),
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let base = format!("/input/{i}");
                        match item.get("type").and_then(Value::as_str) {
                            Some("function_call_output") => {
                                content(&mut out, item.get("output"), &format!("{base}/output"), Source::ToolOutput)
                            }
                            Some("message") | None => {
                                let source = match item.get("role").and_then(Value::as_str) {
                                    Some("assistant") => continue,
                                    _ => Source::UserInput,
                                };
                                content(&mut out, item.get("content"), &format!("{base}/content"), source);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Api::AnthropicMessages => {
            content(&mut out, body.get("system"), "/system", Source::UserInput);
            for (i, m) in array(body, "messages") {
                if m.get("role").and_then(Value::as_str) != Some("user") {
                    continue;
                }
                let base = format!("/messages/{i}/content");
                match m.get("content") {
                    Some(Value::String(_)) => out.push(Segment { pointer: base, source: Source::UserInput }),
                    Some(Value::Array(blocks)) => {
                        for (j, block) in blocks.iter().enumerate() {
                            match block.get("type").and_then(Value::as_str) {
                                Some("text") => {
                                    out.push(Segment { pointer: format!("{base}/{j}/text"), source: Source::UserInput })
                                }
                                Some("tool_result") => content(
                                    &mut out,
                                    block.get("content"),
                                    &format!("{base}/{j}/content"),
                                    Source::ToolOutput,
                                ),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Api::Models => {}
    }
    out
}

fn array<'a>(body: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    body.get(key).and_then(Value::as_array).into_iter().flatten().enumerate()
}

fn text_at(out: &mut Vec<Segment>, body: &Value, pointer: &str, source: Source) {
    if body.pointer(pointer).is_some_and(Value::is_string) {
        out.push(Segment { pointer: pointer.into(), source });
    }
}

/// A content field: a string, or an array of parts whose `text` is read.
fn content(out: &mut Vec<Segment>, value: Option<&Value>, pointer: &str, source: Source) {
    match value {
        Some(Value::String(_)) => out.push(Segment { pointer: pointer.into(), source }),
        Some(Value::Array(parts)) => {
            for (j, part) in parts.iter().enumerate() {
                if part.get("text").is_some_and(Value::is_string) {
                    out.push(Segment { pointer: format!("{pointer}/{j}/text"), source });
                }
            }
        }
        _ => {}
    }
}

/// Scans every segment; when the combined action is `sanitize`, the body is
/// rewritten in place with the cleaned texts.
pub fn scan_request(scanner: &Scanner, api: Api, body: &mut Value) -> RequestVerdict {
    let mut action = Action::Allow;
    let mut risk_score: f32 = 0.0;
    let mut findings = Vec::new();
    let mut rewrites = Vec::new();
    for segment in segments(api, body) {
        let Some(text) = body.pointer(&segment.pointer).and_then(Value::as_str) else { continue };
        let verdict = scanner.scan(text, segment.source);
        action = action.max(verdict.action);
        risk_score = risk_score.max(verdict.risk_score);
        if let Some(clean) = verdict.sanitized {
            rewrites.push((segment.pointer.clone(), clean));
        }
        findings.extend(verdict.findings.into_iter().map(|finding| Located {
            finding,
            location: segment.pointer.clone(),
            source: segment.source,
        }));
    }
    if action == Action::Sanitize {
        for (pointer, clean) in rewrites {
            if let Some(slot) = body.pointer_mut(&pointer) {
                *slot = Value::String(clean);
            }
        }
    }
    RequestVerdict { action, risk_score, findings }
}

/// Findings as they are recorded with the request's event: the matched text
/// of personal data and secrets is replaced by its length, so the event table
/// never becomes a store of what it was meant to keep out.
pub fn recordable(findings: &[Located]) -> Value {
    let list: Vec<Value> = findings
        .iter()
        .map(|l| {
            let f = &l.finding;
            let sensitive = matches!(f.threat_type, engine::ThreatType::Pii | engine::ThreatType::Secrets);
            let original =
                if sensitive { format!("[{} characters]", f.original.chars().count()) } else { f.original.clone() };
            serde_json::json!({
                "type": f.threat_type,
                "custom_type": f.custom_type,
                "severity": f.severity,
                "location": {"pointer": l.location, "start": f.start, "end": f.end},
                "source": l.source,
                "pattern": f.pattern,
                "original": original,
            })
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(api: Api, body: Value) -> Vec<(String, Source)> {
        segments(api, &body).into_iter().map(|s| (s.pointer, s.source)).collect()
    }

    #[test]
    fn chat_reads_user_system_and_tool_turns() {
        let body = json!({"messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {}}]},
            {"role": "assistant", "content": "skip me"},
            {"role": "tool", "tool_call_id": "c", "content": "tool says"}
        ]});
        assert_eq!(
            pointers(Api::OpenAiChat, body),
            vec![
                ("/messages/0/content".into(), Source::UserInput),
                ("/messages/1/content/0/text".into(), Source::UserInput),
                ("/messages/3/content".into(), Source::ToolOutput),
            ]
        );
    }

    #[test]
    fn responses_reads_input_instructions_and_function_outputs() {
        let body = json!({"instructions": "be nice", "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
            {"type": "function_call_output", "call_id": "c", "output": "{\"x\":1}"},
            {"type": "message", "role": "assistant", "content": "skip"}
        ]});
        assert_eq!(
            pointers(Api::OpenAiResponses, body),
            vec![
                ("/instructions".into(), Source::UserInput),
                ("/input/0/content/0/text".into(), Source::UserInput),
                ("/input/1/output".into(), Source::ToolOutput),
            ]
        );
        assert_eq!(
            pointers(Api::OpenAiResponses, json!({"input": "plain"})),
            vec![("/input".into(), Source::UserInput)]
        );
    }

    #[test]
    fn messages_reads_system_text_blocks_and_tool_results() {
        let body = json!({"system": "sys", "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "skip"},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "result"}]},
                {"type": "text", "text": "and more"}
            ]}
        ]});
        assert_eq!(
            pointers(Api::AnthropicMessages, body),
            vec![
                ("/system".into(), Source::UserInput),
                ("/messages/0/content".into(), Source::UserInput),
                ("/messages/2/content/0/content/0/text".into(), Source::ToolOutput),
                ("/messages/2/content/1/text".into(), Source::UserInput),
            ]
        );
    }

    #[test]
    fn sanitize_rewrites_only_the_flagged_strings() {
        let scanner = Scanner::new(&engine::ScannerConfig::default()).unwrap();
        let mut body = json!({"model": "m", "messages": [
            {"role": "user", "content": "my email is jane.doe@example.com, please reply there"},
            {"role": "user", "content": "what is the weather like"}
        ]});
        let verdict = scan_request(&scanner, Api::OpenAiChat, &mut body);
        assert_eq!(verdict.action, Action::Sanitize);
        let first = body["messages"][0]["content"].as_str().unwrap();
        assert!(!first.contains("jane.doe@example.com"), "{first}");
        assert_eq!(body["messages"][1]["content"], "what is the weather like");
        let recorded = recordable(&verdict.findings).to_string();
        assert!(!recorded.contains("jane.doe"), "{recorded}");
    }
}
