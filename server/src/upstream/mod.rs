//! Upstream providers. Each provider module knows its URLs and headers; this
//! module sends the request and hands back the answer as a byte stream, so
//! the proxy treats the in-process mock and a real provider alike.

pub mod anthropic;
pub mod mock;
pub mod openai;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use futures::stream::BoxStream;
use futures::StreamExt;
use store::proxies::Provider;

use crate::error::ProxyError;
use crate::snapshot::ProxyRuntime;

/// The client-facing APIs rampart serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    OpenAiChat,
    OpenAiResponses,
    AnthropicMessages,
    Models,
}

impl Api {
    /// The name recorded with each event.
    pub fn name(self) -> &'static str {
        match self {
            Api::OpenAiChat => "openai_chat",
            Api::OpenAiResponses => "openai_responses",
            Api::AnthropicMessages => "anthropic_messages",
            Api::Models => "models",
        }
    }

    pub fn flavor(self) -> crate::error::Flavor {
        match self {
            Api::AnthropicMessages => crate::error::Flavor::Anthropic,
            _ => crate::error::Flavor::OpenAi,
        }
    }
}

/// A failure while reading the upstream's body.
#[derive(Debug, Clone, Copy)]
pub struct BodyError;

pub struct UpstreamResponse {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: BoxStream<'static, Result<Bytes, BodyError>>,
}

impl std::fmt::Debug for UpstreamResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamResponse").field("status", &self.status).finish_non_exhaustive()
    }
}

/// Everything needed to reach upstreams: the HTTP client and the mock.
#[derive(Clone)]
pub struct Upstreams {
    http: reqwest::Client,
    mock: axum::Router,
}

impl Upstreams {
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .pool_idle_timeout(std::time::Duration::from_secs(90))
            .user_agent(concat!("rampart/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, mock: crate::mock_llm::router() })
    }

    /// Sends one request upstream. Timeouts are the caller's business so the
    /// same deadline covers the mock and real providers.
    pub async fn send(
        &self,
        proxy: &ProxyRuntime,
        api: Api,
        method: Method,
        body: Bytes,
        client_headers: &HeaderMap,
    ) -> Result<UpstreamResponse, ProxyError> {
        match proxy.provider {
            Provider::Mock => mock::send(&self.mock, api, method, body).await,
            Provider::Openai => {
                let url = openai::url(proxy, api)?;
                let headers = openai::headers(proxy);
                self.send_http(method, url, headers, body).await
            }
            Provider::Anthropic => {
                let url = anthropic::url(proxy, api)?;
                let headers = anthropic::headers(proxy, client_headers);
                self.send_http(method, url, headers, body).await
            }
        }
    }

    async fn send_http(
        &self,
        method: Method,
        url: String,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<UpstreamResponse, ProxyError> {
        let mut request = self.http.request(method.clone(), url).headers(headers);
        if method == Method::POST {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        let response = request.send().await.map_err(|e| {
            tracing::warn!(error = %redact(&e), "upstream request failed");
            if e.is_timeout() {
                ProxyError::UpstreamTimeout(0)
            } else {
                ProxyError::UpstreamUnreachable
            }
        })?;
        let status = response.status();
        let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).cloned();
        let body = response.bytes_stream().map(|r| r.map_err(|_| BodyError)).boxed();
        Ok(UpstreamResponse { status, content_type, body })
    }
}

/// reqwest errors print the URL; ours carry no credentials in URLs, but strip
/// it anyway so a user who put a key in a query string does not see it logged.
fn redact(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connect"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_request() {
        "request"
    } else {
        "other"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    format!("{kind}: {detail}")
}

/// Joins a base URL and a path without doubling or dropping the slash.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn join_handles_slashes() {
        assert_eq!(super::join("http://h/v1/", "/models"), "http://h/v1/models");
        assert_eq!(super::join("http://h/v1", "models"), "http://h/v1/models");
    }
}
