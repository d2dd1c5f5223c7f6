//! The built-in mock LLM. It speaks the three provider APIs, streaming and
//! not, and is deterministic: it answers `Echo: <last user message>` with
//! usage numbers derived from the text. The model name picks a behaviour:
//!
//! | model contains   | behaviour                                                    |
//! |------------------|--------------------------------------------------------------|
//! | `mock-slow`      | waits 1.5 s before answering, 100 ms between stream chunks    |
//! | `mock-error-500` | answers 500 in the API's error shape                           |
//! | `mock-garbage`   | answers 200 with a body (or SSE data) that is not JSON         |
//! | `mock-tool-call` | calls a tool: the name follows "call" in the prompt, the       |
//! |                  | arguments are the first JSON object in it                      |
//! | `mock-long`      | answers with 200 chunks (20 ms apart when streaming)           |
//!
//! Proxies of provider `mock` call this router in-process; `rampart mock-llm`
//! serves it on its own address for benchmarks and "external" upstream tests.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};

/// The models the mock lists on `GET /v1/models`.
pub const MODELS: [&str; 6] =
    ["mock-echo", "mock-slow", "mock-error-500", "mock-garbage", "mock-tool-call", "mock-long"];

const SLOW_FIRST_BYTE: Duration = Duration::from_millis(1500);
const SLOW_CHUNK_GAP: Duration = Duration::from_millis(100);
const LONG_CHUNK_GAP: Duration = Duration::from_millis(20);
const LONG_CHUNKS: usize = 200;

pub fn router() -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/responses", post(responses))
        .route("/v1/messages", post(messages))
        .route("/v1/models", get(models))
        .route("/healthz", get(|| async { "ok" }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Echo,
    Slow,
    Error500,
    Garbage,
    ToolCall,
    Long,
}

impl Behaviour {
    fn of(model: &str) -> Self {
        if model.contains("mock-slow") {
            Self::Slow
        } else if model.contains("mock-error-500") {
            Self::Error500
        } else if model.contains("mock-garbage") {
            Self::Garbage
        } else if model.contains("mock-tool-call") {
            Self::ToolCall
        } else if model.contains("mock-long") {
            Self::Long
        } else {
            Self::Echo
        }
    }

    fn chunk_gap(self) -> Option<Duration> {
        match self {
            Self::Slow => Some(SLOW_CHUNK_GAP),
            Self::Long => Some(LONG_CHUNK_GAP),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Api {
    Chat,
    Responses,
    Messages,
}

/// What every API's handler needs, read from its request body.
struct Prompt {
    model: String,
    stream: bool,
    include_usage: bool,
    last_user_text: String,
    all_text_chars: usize,
}

/// The mock's answer before it is put in an API's shape.
enum Answer {
    Text(Vec<String>),
    Tool { name: String, arguments: String },
}

impl Answer {
    fn build(behaviour: Behaviour, prompt: &Prompt) -> Self {
        match behaviour {
            Behaviour::ToolCall => {
                let (name, arguments) = tool_call_from(&prompt.last_user_text);
                Answer::Tool { name, arguments }
            }
            Behaviour::Long => Answer::Text(
                (0..LONG_CHUNKS).map(|i| if i == 0 { "Echo: ".to_string() } else { format!("chunk{i} ") }).collect(),
            ),
            _ => Answer::Text(split_words(&format!("Echo: {}", prompt.last_user_text))),
        }
    }

    fn text(&self) -> String {
        match self {
            Answer::Text(parts) => parts.concat(),
            Answer::Tool { .. } => String::new(),
        }
    }

    fn output_tokens(&self) -> u64 {
        match self {
            Answer::Text(parts) => tokens(parts.iter().map(String::len).sum()),
            Answer::Tool { name, arguments } => tokens(name.len() + arguments.len()),
        }
    }
}

fn tokens(chars: usize) -> u64 {
    (chars as u64).div_ceil(4).max(1)
}

/// Splits text into word-sized chunks that concatenate back to the text.
fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        current.push(ch);
        if ch == ' ' {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// The tool name follows the word "call"; the arguments are the first JSON
/// object in the text (`{}` if there is none).
fn tool_call_from(text: &str) -> (String, String) {
    let is_ident = |w: &str| {
        let mut chars = w.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let name = words
        .windows(2)
        .find(|w| w[0].eq_ignore_ascii_case("call") && is_ident(w[1]))
        .map(|w| w[1].to_string())
        .unwrap_or_else(|| "mock_tool".to_string());
    let arguments = text
        .char_indices()
        .filter(|(_, c)| *c == '{')
        .find_map(|(i, _)| {
            let mut de = serde_json::Deserializer::from_str(&text[i..]).into_iter::<Value>();
            match de.next() {
                Some(Ok(v @ Value::Object(_))) => Some(v.to_string()),
                _ => None,
            }
        })
        .unwrap_or_else(|| "{}".to_string());
    (name, arguments)
}

fn text_of_content(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => {
            parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("")
        }
        _ => String::new(),
    }
}

fn parse_prompt(api: Api, body: &Value) -> Prompt {
    let model = body.get("model").and_then(Value::as_str).unwrap_or("mock-echo").to_string();
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
    let mut texts: Vec<(String, String)> = Vec::new();
    match api {
        Api::Chat | Api::Messages => {
            if let Some(system) = body.get("system") {
                texts.push(("system".into(), text_of_content(system)));
            }
            for m in body.get("messages").and_then(Value::as_array).into_iter().flatten() {
                let role = m.get("role").and_then(Value::as_str).unwrap_or("").to_string();
                texts.push((role, m.get("content").map(text_of_content).unwrap_or_default()));
            }
        }
        Api::Responses => match body.get("input") {
            Some(Value::String(s)) => texts.push(("user".into(), s.clone())),
            Some(Value::Array(items)) => {
                for item in items {
                    let role = item.get("role").and_then(Value::as_str).unwrap_or("user").to_string();
                    let text = item.get("content").map(text_of_content).unwrap_or_default();
                    texts.push((role, text));
                }
            }
            _ => {}
        },
    }
    let last_user_text = texts.iter().rev().find(|(r, _)| r == "user").map(|(_, t)| t.clone()).unwrap_or_default();
    let all_text_chars = texts.iter().map(|(_, t)| t.len()).sum();
    Prompt { model, stream, include_usage, last_user_text, all_text_chars }
}

async fn chat_completions(body: Bytes) -> Response {
    serve(Api::Chat, body).await
}

async fn responses(body: Bytes) -> Response {
    serve(Api::Responses, body).await
}

async fn messages(body: Bytes) -> Response {
    serve(Api::Messages, body).await
}

async fn models() -> Json<Value> {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|m| json!({"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "rampart-mock"}))
        .collect();
    Json(json!({"object": "list", "data": data}))
}

fn error_body(api: Api, status: StatusCode, message: &str) -> Value {
    match api {
        Api::Messages => json!({"type": "error", "error": {"type": "api_error", "message": message}}),
        _ => {
            json!({"error": {"message": message, "type": "server_error", "param": null, "code": status.as_u16().to_string()}})
        }
    }
}

async fn serve(api: Api, raw: Bytes) -> Response {
    let body: Value = match serde_json::from_slice(&raw) {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(error_body(api, StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}"))),
            )
                .into_response()
        }
    };
    let prompt = parse_prompt(api, &body);
    let behaviour = Behaviour::of(&prompt.model);
    if behaviour == Behaviour::Slow {
        tokio::time::sleep(SLOW_FIRST_BYTE).await;
    }
    match behaviour {
        Behaviour::Error500 => {
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            return (status, Json(error_body(api, status, "mock upstream failure"))).into_response();
        }
        Behaviour::Garbage if prompt.stream => {
            return sse_response(
                stream::iter(["data: {this is not json\n\n".to_string(), "data: [DONE]\n\n".to_string()]).boxed(),
            );
        }
        Behaviour::Garbage => {
            return ([(header::CONTENT_TYPE, "application/json")], "{\"choices\": [ not json").into_response();
        }
        _ => {}
    }
    let answer = Answer::build(behaviour, &prompt);
    let ids = Ids::new(&prompt);
    if prompt.stream {
        let events = match api {
            Api::Chat => chat_stream(&prompt, &answer, &ids),
            Api::Responses => responses_stream(&prompt, &answer, &ids),
            Api::Messages => messages_stream(&prompt, &answer, &ids),
        };
        let gap = behaviour.chunk_gap();
        let paced = stream::iter(events).then(move |event| async move {
            if let Some(gap) = gap {
                tokio::time::sleep(gap).await;
            }
            event
        });
        sse_response(paced.boxed())
    } else {
        let body = match api {
            Api::Chat => chat_body(&prompt, &answer, &ids),
            Api::Responses => responses_object(&prompt, &answer, &ids, "completed"),
            Api::Messages => messages_body(&prompt, &answer, &ids),
        };
        Json(body).into_response()
    }
}

fn sse_response(events: futures::stream::BoxStream<'static, String>) -> Response {
    let body = Body::from_stream(events.map(|e| Ok::<_, Infallible>(Bytes::from(e))));
    ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

/// Deterministic ids derived from the prompt, so equal requests give equal answers.
struct Ids {
    suffix: String,
    created: u64,
}

impl Ids {
    fn new(prompt: &Prompt) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}\u{0}{}", prompt.model, prompt.last_user_text).as_bytes());
        Self { suffix: hex::encode(&digest[..12]), created: 1_700_000_000 }
    }
}

fn usage_openai(prompt: &Prompt, answer: &Answer) -> Value {
    let (i, o) = (tokens(prompt.all_text_chars), answer.output_tokens());
    json!({"prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o})
}

fn usage_in_out(prompt: &Prompt, answer: &Answer) -> (u64, u64) {
    (tokens(prompt.all_text_chars), answer.output_tokens())
}

fn data(v: &Value) -> String {
    format!("data: {v}\n\n")
}

fn named(event: &str, v: &Value) -> String {
    format!("event: {event}\ndata: {v}\n\n")
}

// --- OpenAI chat completions -------------------------------------------------

fn chat_body(prompt: &Prompt, answer: &Answer, ids: &Ids) -> Value {
    let (message, finish) = match answer {
        Answer::Text(_) => (json!({"role": "assistant", "content": answer.text(), "refusal": null}), "stop"),
        Answer::Tool { name, arguments } => (
            json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [{
                "id": format!("call_{}", ids.suffix), "type": "function",
                "function": {"name": name, "arguments": arguments}
            }]}),
            "tool_calls",
        ),
    };
    json!({
        "id": format!("chatcmpl-{}", ids.suffix),
        "object": "chat.completion",
        "created": ids.created,
        "model": prompt.model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": usage_openai(prompt, answer),
    })
}

fn chat_stream(prompt: &Prompt, answer: &Answer, ids: &Ids) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        data(&json!({
            "id": format!("chatcmpl-{}", ids.suffix),
            "object": "chat.completion.chunk",
            "created": ids.created,
            "model": prompt.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        }))
    };
    let mut out = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
    let finish = match answer {
        Answer::Text(parts) => {
            out.extend(parts.iter().map(|p| chunk(json!({"content": p}), Value::Null)));
            "stop"
        }
        Answer::Tool { name, arguments } => {
            out.push(chunk(
                json!({"tool_calls": [{"index": 0, "id": format!("call_{}", ids.suffix), "type": "function",
                    "function": {"name": name, "arguments": ""}}]}),
                Value::Null,
            ));
            out.push(chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]}), Value::Null));
            "tool_calls"
        }
    };
    out.push(chunk(json!({}), json!(finish)));
    if prompt.include_usage {
        out.push(data(&json!({
            "id": format!("chatcmpl-{}", ids.suffix),
            "object": "chat.completion.chunk",
            "created": ids.created,
            "model": prompt.model,
            "choices": [],
            "usage": usage_openai(prompt, answer),
        })));
    }
    out.push("data: [DONE]\n\n".to_string());
    out
}

// --- OpenAI responses ----------------------------------------------------------

fn responses_output_item(answer: &Answer, ids: &Ids, status: &str) -> Value {
    match answer {
        Answer::Text(_) => json!({
            "type": "message", "id": format!("msg_{}", ids.suffix), "status": status, "role": "assistant",
            "content": [{"type": "output_text", "text": answer.text(), "annotations": []}]
        }),
        Answer::Tool { name, arguments } => json!({
            "type": "function_call", "id": format!("fc_{}", ids.suffix), "call_id": format!("call_{}", ids.suffix),
            "name": name, "arguments": arguments, "status": status
        }),
    }
}

fn responses_object(prompt: &Prompt, answer: &Answer, ids: &Ids, status: &str) -> Value {
    let (i, o) = usage_in_out(prompt, answer);
    let (output, usage) = if status == "completed" {
        (
            json!([responses_output_item(answer, ids, "completed")]),
            json!({"input_tokens": i, "input_tokens_details": {"cached_tokens": 0},
                   "output_tokens": o, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": i + o}),
        )
    } else {
        (json!([]), Value::Null)
    };
    json!({
        "id": format!("resp_{}", ids.suffix),
        "object": "response",
        "created_at": ids.created,
        "status": status,
        "error": null,
        "incomplete_details": null,
        "model": prompt.model,
        "output": output,
        "parallel_tool_calls": true,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage,
    })
}

fn responses_stream(prompt: &Prompt, answer: &Answer, ids: &Ids) -> Vec<String> {
    let mut seq = 0u64;
    let mut ev = |kind: &str, mut v: Value| {
        if let Value::Object(map) = &mut v {
            map.insert("type".into(), json!(kind));
            map.insert("sequence_number".into(), json!(seq));
        }
        seq += 1;
        named(kind, &v)
    };
    let mut out = vec![
        ev("response.created", json!({"response": responses_object(prompt, answer, ids, "in_progress")})),
        ev("response.in_progress", json!({"response": responses_object(prompt, answer, ids, "in_progress")})),
    ];
    let item_in_progress = match responses_output_item(answer, ids, "in_progress") {
        Value::Object(mut m) => {
            m.insert("content".into(), json!([]));
            if m.get("type") == Some(&json!("function_call")) {
                m.remove("content");
                m.insert("arguments".into(), json!(""));
            }
            Value::Object(m)
        }
        v => v,
    };
    out.push(ev("response.output_item.added", json!({"output_index": 0, "item": item_in_progress})));
    match answer {
        Answer::Text(parts) => {
            let item_id = format!("msg_{}", ids.suffix);
            out.push(ev(
                "response.content_part.added",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0,
                       "part": {"type": "output_text", "text": "", "annotations": []}}),
            ));
            for p in parts {
                out.push(ev(
                    "response.output_text.delta",
                    json!({"item_id": item_id, "output_index": 0, "content_index": 0, "delta": p, "logprobs": []}),
                ));
            }
            let text = answer.text();
            out.push(ev(
                "response.output_text.done",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0, "text": text, "logprobs": []}),
            ));
            out.push(ev(
                "response.content_part.done",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0,
                       "part": {"type": "output_text", "text": text, "annotations": []}}),
            ));
        }
        Answer::Tool { arguments, .. } => {
            let item_id = format!("fc_{}", ids.suffix);
            out.push(ev(
                "response.function_call_arguments.delta",
                json!({"item_id": item_id, "output_index": 0, "delta": arguments}),
            ));
            out.push(ev(
                "response.function_call_arguments.done",
                json!({"item_id": item_id, "output_index": 0, "arguments": arguments}),
            ));
        }
    }
    out.push(ev(
        "response.output_item.done",
        json!({"output_index": 0, "item": responses_output_item(answer, ids, "completed")}),
    ));
    out.push(ev("response.completed", json!({"response": responses_object(prompt, answer, ids, "completed")})));
    out
}

// --- Anthropic messages ----------------------------------------------------------

fn messages_body(prompt: &Prompt, answer: &Answer, ids: &Ids) -> Value {
    let (i, o) = usage_in_out(prompt, answer);
    let (content, stop) = match answer {
        Answer::Text(_) => (json!([{"type": "text", "text": answer.text()}]), "end_turn"),
        Answer::Tool { name, arguments } => (
            json!([{"type": "tool_use", "id": format!("toolu_{}", ids.suffix), "name": name,
                    "input": serde_json::from_str::<Value>(arguments).unwrap_or_else(|_| json!({}))}]),
            "tool_use",
        ),
    };
    json!({
        "id": format!("msg_{}", ids.suffix),
        "type": "message",
        "role": "assistant",
        "model": prompt.model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": null,
        "usage": {"input_tokens": i, "output_tokens": o},
    })
}

fn messages_stream(prompt: &Prompt, answer: &Answer, ids: &Ids) -> Vec<String> {
    let (i, o) = usage_in_out(prompt, answer);
    let mut out = vec![named(
        "message_start",
        &json!({"type": "message_start", "message": {
            "id": format!("msg_{}", ids.suffix), "type": "message", "role": "assistant", "model": prompt.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": i, "output_tokens": 1}
        }}),
    )];
    let stop = match answer {
        Answer::Text(parts) => {
            out.push(named(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ));
            out.push(named("ping", &json!({"type": "ping"})));
            for p in parts {
                out.push(named(
                    "content_block_delta",
                    &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}),
                ));
            }
            "end_turn"
        }
        Answer::Tool { name, arguments } => {
            out.push(named(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block":
                    {"type": "tool_use", "id": format!("toolu_{}", ids.suffix), "name": name, "input": {}}}),
            ));
            out.push(named(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": arguments}}),
            ));
            "tool_use"
        }
    };
    out.push(named("content_block_stop", &json!({"type": "content_block_stop", "index": 0})));
    out.push(named(
        "message_delta",
        &json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": o}}),
    ));
    out.push(named("message_stop", &json!({"type": "message_stop"})));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_call_takes_name_and_arguments_from_the_prompt() {
        let (n, a) = tool_call_from(r#"Please call get_weather with {"city": "Paris", "days": 2} now"#);
        assert_eq!(n, "get_weather");
        assert_eq!(serde_json::from_str::<Value>(&a).unwrap(), json!({"city": "Paris", "days": 2}));
        let (n, a) = tool_call_from("no tool here {broken");
        assert_eq!((n.as_str(), a.as_str()), ("mock_tool", "{}"));
    }

    #[test]
    fn split_words_round_trips() {
        for s in ["", "one", "Echo: hello there  world ", "ünïcödé text"] {
            assert_eq!(split_words(s).concat(), s);
        }
    }

    #[test]
    fn prompt_reads_each_api_shape() {
        let chat = json!({"model": "m", "messages": [{"role": "system", "content": "sys"},
            {"role": "user", "content": [{"type": "text", "text": "hi "}, {"type": "text", "text": "there"}]}]});
        assert_eq!(parse_prompt(Api::Chat, &chat).last_user_text, "hi there");
        let resp = json!({"model": "m", "input": "plain input"});
        assert_eq!(parse_prompt(Api::Responses, &resp).last_user_text, "plain input");
        let msgs =
            json!({"model": "m", "system": "s", "max_tokens": 5, "messages": [{"role": "user", "content": "q"}]});
        let p = parse_prompt(Api::Messages, &msgs);
        assert_eq!((p.last_user_text.as_str(), p.all_text_chars), ("q", 2));
    }
}
