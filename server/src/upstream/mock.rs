//! The built-in mock, called in-process through its router: no socket, but
//! the same request and streaming path as a real provider.

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request};
use futures::StreamExt;
use tower::ServiceExt;

use super::{Api, BodyError, UpstreamResponse};
use crate::error::ProxyError;

pub async fn send(
    router: &axum::Router,
    api: Api,
    method: Method,
    body: Bytes,
) -> Result<UpstreamResponse, ProxyError> {
    let path = match api {
        Api::OpenAiChat => "/v1/chat/completions",
        Api::OpenAiResponses => "/v1/responses",
        Api::AnthropicMessages => "/v1/messages",
        Api::Models => "/v1/models",
    };
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .map_err(|_| ProxyError::Internal)?;
    let response = match router.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let body = response.into_body().into_data_stream().map(|r| r.map_err(|_| BodyError)).boxed();
    Ok(UpstreamResponse { status, content_type, body })
}
