//! The proxy's error type. Each variant has one status code, and every error
//! is answered in the shape of the API the client called, so the official
//! SDKs raise their own exception types with our message inside.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Which provider's error shape to answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `{"error": {"message", "type", "param", "code"}}`
    OpenAi,
    /// `{"type": "error", "error": {"type", "message"}}`
    Anthropic,
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("could not reach the upstream provider")]
    UpstreamUnreachable,
    #[error("the upstream provider did not answer within {0} ms")]
    UpstreamTimeout(u128),
    #[error("the upstream provider returned an invalid response: {0}")]
    UpstreamInvalid(String),
    /// An error answer from the upstream, relayed with its own status.
    #[error("upstream answered {status}")]
    Upstream { status: StatusCode, body: Value },
    /// Content scanning decided to block the request.
    #[error("the request was blocked by content scanning ({summary})")]
    Blocked { summary: String, threats: Value },
    /// IBAC: the request shows data-access intent; the end user must be verified first.
    #[error("{message}")]
    ChallengeRequired {
        challenge_id: String,
        verification_token: store::Secret<String>,
        category: String,
        message: String,
    },
    /// IBAC: a retry carried a challenge that does not verify.
    #[error("challenge verification failed: {0}")]
    ChallengeFailed(String),
    /// IBAC: the intent category's action is `block`.
    #[error("{0}")]
    IntentBlocked(String),
    /// The proxy's stored scanning configuration does not compile.
    #[error("this proxy's content scanning configuration is invalid; fix it in the dashboard")]
    Misconfigured,
    #[error("internal error")]
    Internal,
}

impl ProxyError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ProxyError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ProxyError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ProxyError::NotFound(_) => StatusCode::NOT_FOUND,
            ProxyError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::UpstreamUnreachable => StatusCode::BAD_GATEWAY,
            ProxyError::UpstreamTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ProxyError::UpstreamInvalid(_) => StatusCode::BAD_GATEWAY,
            ProxyError::Upstream { status, .. } => *status,
            ProxyError::Blocked { .. } => StatusCode::BAD_REQUEST,
            ProxyError::ChallengeRequired { .. } | ProxyError::ChallengeFailed(_) | ProxyError::IntentBlocked(_) => {
                StatusCode::FORBIDDEN
            }
            ProxyError::Misconfigured => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The OpenAI `type` and Anthropic `error.type` of this error.
    fn kind(&self, flavor: Flavor) -> &'static str {
        match (self, flavor) {
            (ProxyError::BadRequest(_), _) => "invalid_request_error",
            (ProxyError::Unauthorized(_), _) => "authentication_error",
            (ProxyError::NotFound(_), Flavor::OpenAi) => "invalid_request_error",
            (ProxyError::NotFound(_), Flavor::Anthropic) => "not_found_error",
            (ProxyError::PayloadTooLarge { .. }, Flavor::OpenAi) => "invalid_request_error",
            (ProxyError::PayloadTooLarge { .. }, Flavor::Anthropic) => "request_too_large",
            (ProxyError::UpstreamTimeout(_), Flavor::Anthropic) => "timeout_error",
            (ProxyError::UpstreamUnreachable | ProxyError::UpstreamTimeout(_) | ProxyError::UpstreamInvalid(_), _) => {
                "api_error"
            }
            (ProxyError::Upstream { .. }, _) => "api_error",
            (ProxyError::Blocked { .. }, _) => "invalid_request_error",
            (ProxyError::ChallengeRequired { .. }, _) => "challenge_required",
            (ProxyError::ChallengeFailed(_), _) => "challenge_failed",
            (ProxyError::IntentBlocked(_), _) => "permission_error",
            (ProxyError::Misconfigured, _) => "api_error",
            (ProxyError::Internal, _) => "api_error",
        }
    }

    /// A machine-readable code for the OpenAI shape's `code` field.
    fn code(&self) -> &'static str {
        match self {
            ProxyError::BadRequest(_) => "invalid_request",
            ProxyError::Unauthorized(_) => "invalid_api_key",
            ProxyError::NotFound(_) => "not_found",
            ProxyError::PayloadTooLarge { .. } => "request_too_large",
            ProxyError::UpstreamUnreachable => "upstream_unreachable",
            ProxyError::UpstreamTimeout(_) => "upstream_timeout",
            ProxyError::UpstreamInvalid(_) => "upstream_invalid_response",
            ProxyError::Upstream { .. } => "upstream_error",
            ProxyError::Blocked { .. } => "content_blocked",
            ProxyError::ChallengeRequired { .. } => "challenge_required",
            ProxyError::ChallengeFailed(_) => "challenge_failed",
            ProxyError::IntentBlocked(_) => "intent_blocked",
            ProxyError::Misconfigured => "proxy_misconfigured",
            ProxyError::Internal => "internal_error",
        }
    }

    /// The JSON body in the given shape.
    pub fn body(&self, flavor: Flavor) -> Value {
        if let ProxyError::Upstream { body, .. } = self {
            if well_shaped(body, flavor) {
                return body.clone();
            }
        }
        let message = self.to_string();
        let mut body = match flavor {
            Flavor::OpenAi => {
                json!({"error": {"message": message, "type": self.kind(flavor), "param": null, "code": self.code()}})
            }
            Flavor::Anthropic => {
                json!({"type": "error", "error": {"type": self.kind(flavor), "message": message, "code": self.code()}})
            }
        };
        if let (ProxyError::Blocked { threats, .. }, Some(error)) = (self, body.get_mut("error")) {
            error["threats"] = threats.clone();
        }
        // The challenge travels beside the error object, so clients read it
        // from the body and SDK exceptions still carry the error.
        if let (
            ProxyError::ChallengeRequired { challenge_id, verification_token, category, message },
            Value::Object(map),
        ) = (self, &mut body)
        {
            map.insert("challenge_required".into(), Value::Bool(true));
            map.insert("challenge_id".into(), Value::String(challenge_id.clone()));
            map.insert("verification_token".into(), Value::String(verification_token.expose().clone()));
            map.insert("intent_category".into(), Value::String(category.clone()));
            map.insert("message".into(), Value::String(message.clone()));
        }
        body
    }

    /// The error as an SSE event, for failures after a stream has started.
    pub fn sse_event(&self, flavor: Flavor) -> String {
        match flavor {
            Flavor::OpenAi => format!("data: {}\n\n", self.body(flavor)),
            Flavor::Anthropic => format!("event: error\ndata: {}\n\n", self.body(flavor)),
        }
    }

    pub fn into_response(self, flavor: Flavor) -> Response {
        let mut response = (self.status_code(), Json(self.body(flavor))).into_response();
        if let ProxyError::Upstream { status, .. } = &self {
            if let Ok(v) = HeaderValue::from_str(status.as_str()) {
                response.headers_mut().insert("x-rampart-upstream-status", v);
            }
        }
        response
    }
}

/// Whether an upstream's error body already has the shape the client expects.
fn well_shaped(body: &Value, flavor: Flavor) -> bool {
    match flavor {
        Flavor::OpenAi => body.pointer("/error/message").is_some_and(Value::is_string),
        Flavor::Anthropic => {
            body.get("type").and_then(Value::as_str) == Some("error")
                && body.pointer("/error/message").is_some_and(Value::is_string)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_each_provider() {
        let e = ProxyError::BadRequest("messages must be an array".into());
        assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
        let o = e.body(Flavor::OpenAi);
        assert_eq!(o["error"]["type"], "invalid_request_error");
        assert_eq!(o["error"]["message"], "messages must be an array");
        assert!(o["error"].get("param").is_some());
        let a = e.body(Flavor::Anthropic);
        assert_eq!(a["type"], "error");
        assert_eq!(a["error"]["type"], "invalid_request_error");
    }

    #[test]
    fn upstream_bodies_pass_through_only_when_well_shaped() {
        let good = json!({"error": {"message": "boom", "type": "server_error"}});
        let e = ProxyError::Upstream { status: StatusCode::INTERNAL_SERVER_ERROR, body: good.clone() };
        assert_eq!(e.body(Flavor::OpenAi), good);
        let e = ProxyError::Upstream { status: StatusCode::BAD_GATEWAY, body: json!("html page") };
        assert_eq!(e.body(Flavor::Anthropic)["type"], "error");
        assert_eq!(e.status_code(), StatusCode::BAD_GATEWAY);
    }

    #[test]
    fn status_codes_are_exhaustive() {
        let cases = [
            (ProxyError::Unauthorized("missing API key"), 401),
            (ProxyError::NotFound("x".into()), 404),
            (ProxyError::PayloadTooLarge { limit: 1 }, 413),
            (ProxyError::UpstreamUnreachable, 502),
            (ProxyError::UpstreamTimeout(10), 504),
            (ProxyError::UpstreamInvalid("x".into()), 502),
            (ProxyError::Internal, 500),
        ];
        for (e, code) in cases {
            assert_eq!(e.status_code().as_u16(), code, "{e:?}");
        }
    }
}
