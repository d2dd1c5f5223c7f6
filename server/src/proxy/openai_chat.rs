//! `POST /v1/chat/completions`.

use serde_json::Value;

use super::{require_model, require_stream_flag, RequestInfo};
use crate::error::ProxyError;

pub fn validate(body: &Value) -> Result<RequestInfo, ProxyError> {
    let model = require_model(body)?;
    let messages = match body.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => return Err(ProxyError::BadRequest("`messages` must not be empty".into())),
        Some(_) => return Err(ProxyError::BadRequest("`messages` must be an array".into())),
        None => return Err(ProxyError::BadRequest("missing required parameter: `messages`".into())),
    };
    for (i, m) in messages.iter().enumerate() {
        if !m.get("role").is_some_and(Value::is_string) {
            return Err(ProxyError::BadRequest(format!("`messages[{i}].role` must be a string")));
        }
    }
    Ok(RequestInfo { model, stream: require_stream_flag(body)? })
}
