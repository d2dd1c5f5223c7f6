//! `POST /v1/messages`.

use serde_json::Value;

use super::{require_model, require_stream_flag, RequestInfo};
use crate::error::ProxyError;

pub fn validate(body: &Value) -> Result<RequestInfo, ProxyError> {
    let model = require_model(body)?;
    match body.get("max_tokens") {
        Some(v) if v.as_u64().is_some_and(|n| n > 0) => {}
        Some(_) => return Err(ProxyError::BadRequest("max_tokens: must be a positive integer".into())),
        None => return Err(ProxyError::BadRequest("max_tokens: Field required".into())),
    }
    let messages = match body.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => return Err(ProxyError::BadRequest("messages: must not be empty".into())),
        Some(_) => return Err(ProxyError::BadRequest("messages: must be an array".into())),
        None => return Err(ProxyError::BadRequest("messages: Field required".into())),
    };
    for (i, m) in messages.iter().enumerate() {
        match m.get("role").and_then(Value::as_str) {
            Some("user" | "assistant") => {}
            _ => return Err(ProxyError::BadRequest(format!("messages.{i}.role: must be \"user\" or \"assistant\""))),
        }
        if !m.get("content").is_some_and(|c| c.is_string() || c.is_array()) {
            return Err(ProxyError::BadRequest(format!("messages.{i}.content: must be a string or an array")));
        }
    }
    Ok(RequestInfo { model, stream: require_stream_flag(body)? })
}
