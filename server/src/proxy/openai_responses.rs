//! `POST /v1/responses`.

use serde_json::Value;

use super::{require_model, require_stream_flag, RequestInfo};
use crate::error::ProxyError;

pub fn validate(body: &Value) -> Result<RequestInfo, ProxyError> {
    let model = require_model(body)?;
    match body.get("input") {
        Some(Value::String(_) | Value::Array(_)) => {}
        Some(_) => return Err(ProxyError::BadRequest("`input` must be a string or an array".into())),
        // A response may continue a previous one without new input.
        None if body.get("previous_response_id").is_some() => {}
        None => return Err(ProxyError::BadRequest("missing required parameter: `input`".into())),
    }
    Ok(RequestInfo { model, stream: require_stream_flag(body)? })
}
