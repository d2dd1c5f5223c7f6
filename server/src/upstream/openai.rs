//! Any OpenAI-compatible upstream. The base URL is what the OpenAI SDK calls
//! `base_url` (it includes `/v1`): `https://api.openai.com/v1`, a vLLM or
//! Ollama server's `/v1`, or an Azure-style gateway.

use axum::http::{HeaderMap, HeaderValue};
use store::proxies::Provider;

use super::{join, Api};
use crate::error::ProxyError;
use crate::snapshot::ProxyRuntime;

pub fn url(proxy: &ProxyRuntime, api: Api) -> Result<String, ProxyError> {
    let base = proxy.base_url.as_deref().or(Provider::Openai.default_base_url()).unwrap_or_default();
    let path = match api {
        Api::OpenAiChat => "chat/completions",
        Api::OpenAiResponses => "responses",
        Api::Models => "models",
        Api::AnthropicMessages => {
            return Err(ProxyError::BadRequest(
                "this proxy's provider is OpenAI-compatible and does not serve the Anthropic Messages API; \
                 use /v1/chat/completions or /v1/responses"
                    .into(),
            ))
        }
    };
    Ok(join(base, path))
}

pub fn headers(proxy: &ProxyRuntime) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(key) = &proxy.provider_key {
        if let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {}", key.expose())) {
            v.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, v);
        }
    }
    headers
}
