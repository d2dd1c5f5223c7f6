//! The Anthropic API. The base URL is what the Anthropic SDK calls
//! `base_url` (without `/v1`): `https://api.anthropic.com` by default.

use axum::http::{HeaderMap, HeaderValue};
use store::proxies::Provider;

use super::{join, Api};
use crate::error::ProxyError;
use crate::snapshot::ProxyRuntime;

const DEFAULT_VERSION: &str = "2023-06-01";

pub fn url(proxy: &ProxyRuntime, api: Api) -> Result<String, ProxyError> {
    let base = proxy.base_url.as_deref().or(Provider::Anthropic.default_base_url()).unwrap_or_default();
    let path = match api {
        Api::AnthropicMessages => "v1/messages",
        Api::Models => "v1/models",
        Api::OpenAiChat | Api::OpenAiResponses => {
            return Err(ProxyError::BadRequest(
                "this proxy's provider is Anthropic and does not serve OpenAI APIs; use /v1/messages".into(),
            ))
        }
    };
    Ok(join(base, path))
}

/// Provider key plus the version headers the client chose (the SDKs send them).
pub fn headers(proxy: &ProxyRuntime, client: &HeaderMap) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(key) = &proxy.provider_key {
        if let Ok(mut v) = HeaderValue::from_str(key.expose()) {
            v.set_sensitive(true);
            headers.insert("x-api-key", v);
        }
    }
    let version = client.get("anthropic-version").cloned().unwrap_or(HeaderValue::from_static(DEFAULT_VERSION));
    headers.insert("anthropic-version", version);
    if let Some(beta) = client.get("anthropic-beta") {
        headers.insert("anthropic-beta", beta.clone());
    }
    headers
}
