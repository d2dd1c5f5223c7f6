//! Server functions and the data they carry. Names are `verb_noun`; every
//! function checks the session and scopes its queries to the caller's org.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod ibac;
pub mod scanning;
pub mod threats;
pub mod webhooks;

/// A time shown as both relative and absolute text, formatted on the server
/// so the hydrated page renders exactly what the server sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    pub relative: String,
    pub absolute: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub org_name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub requests_24h: i64,
    pub errors_24h: i64,
    pub input_tokens_24h: i64,
    pub output_tokens_24h: i64,
    pub proxies: usize,
    pub active_keys: usize,
    /// The address the browser reached this server at, for the SDK examples.
    pub base_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub proxy_name: String,
    pub created: When,
    pub last_used: Option<When>,
    pub revoked: Option<When>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub name: String,
    /// The whole key. Shown once; it is not stored.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyRow {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub base_url: String,
    pub has_provider_key: bool,
    pub upstream_timeout_ms: Option<u64>,
    pub updated: When,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: String,
    pub api: String,
    pub model: String,
    pub stream: bool,
    pub status: u16,
    pub latency_ms: i64,
    pub tokens: String,
    pub end_user_id: String,
    pub session_id: String,
    pub app_context: String,
    pub error: String,
    pub proxy_name: String,
    pub at: When,
}

#[cfg(feature = "ssr")]
mod server {
    use std::collections::HashMap;

    use http::header::SET_COOKIE;
    use http::HeaderValue;
    use leptos_axum::ResponseOptions;
    use store::proxies::{Provider, ProxyInput, ProxySettings};
    use store::Secret;

    use super::When;
    use crate::auth::{self, Backend};
    use crate::error::AppError;

    pub fn when(ms: i64) -> When {
        let now = store::now_ms();
        let secs = (now - ms).max(0) / 1000;
        let relative = match secs {
            0..=9 => "just now".to_string(),
            10..=59 => format!("{secs} s ago"),
            60..=3599 => format!("{} min ago", secs / 60),
            3600..=86_399 => format!("{} h ago", secs / 3600),
            _ => format!("{} d ago", secs / 86_400),
        };
        let absolute = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC")).ok()
            })
            .unwrap_or_default();
        When { relative, absolute }
    }

    pub fn set_cookie(value: &str) {
        if let (Some(opts), Ok(v)) = (leptos::prelude::use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
            opts.append_header(SET_COOKIE, v);
        }
    }

    /// `scheme://host` as the browser sees this server.
    pub fn public_base() -> String {
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        let header = |name: &str| {
            parts.as_ref().and_then(|p| p.headers.get(name)).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let host = header("host").unwrap_or_else(|| "127.0.0.1:3000".into());
        let scheme = match header("x-forwarded-proto").as_deref() {
            Some("https") => "https",
            _ => "http",
        };
        format!("{scheme}://{host}")
    }

    /// Gives a failed server function the HTTP status its error deserves
    /// (the framework's default is 500 for every error).
    /// A plain form post (no JavaScript) keeps the framework's redirect back
    /// to the form instead: a bare error status would leave the browser on a
    /// blank page.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let (Err(e), Some(opts)) = (&result, leptos::prelude::use_context::<ResponseOptions>()) {
            if !is_plain_form_post() {
                opts.set_status(e.status());
            }
        }
        result
    }

    /// Whether the current server function was called by a plain HTML form
    /// (no JavaScript): such a browser asks for HTML and gets redirected.
    pub fn is_plain_form_post() -> bool {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }

    pub fn notify(backend: &Backend) {
        (backend.config_changed)();
    }

    /// Loads a proxy's settings, lets `edit` change them (refusing with its
    /// error leaves them as they were), stores them and reloads the proxy path.
    pub async fn edit_proxy_settings(
        org_id: &str,
        proxy_id: &str,
        edit: impl FnOnce(&mut ProxySettings, &store::crypto::MasterKey) -> Result<(), AppError>,
    ) -> Result<store::proxies::Proxy, AppError> {
        let backend = backend()?;
        let mut settings = backend.store.get_proxy(org_id, proxy_id).await?.settings;
        edit(&mut settings, &backend.master)?;
        let updated = backend.store.update_proxy_settings(org_id, proxy_id, &settings).await?;
        notify(&backend);
        Ok(updated)
    }

    pub fn validate_email(email: &str) -> Result<String, AppError> {
        let e = email.trim();
        let ok = e.len() <= 254
            && e.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
            && !e.contains(char::is_whitespace);
        if ok {
            Ok(e.to_string())
        } else {
            Err(AppError::Invalid("Enter a valid email address.".into()))
        }
    }

    pub fn validate_password(password: &str) -> Result<(), AppError> {
        if password.chars().count() < 10 {
            return Err(AppError::Invalid("Use a password of at least 10 characters.".into()));
        }
        if password.len() > 1024 {
            return Err(AppError::Invalid("That password is too long.".into()));
        }
        Ok(())
    }

    pub fn validate_name(what: &str, name: &str) -> Result<String, AppError> {
        let n = name.trim();
        if n.is_empty() || n.chars().count() > 100 {
            return Err(AppError::Invalid(format!("{what} must be between 1 and 100 characters.")));
        }
        Ok(n.to_string())
    }

    /// The proxy form's fields as submitted.
    pub struct ProxyForm<'a> {
        pub name: &'a str,
        pub provider: &'a str,
        pub base_url: &'a str,
        pub provider_key: &'a str,
        pub clear_provider_key: bool,
        pub upstream_timeout_ms: &'a str,
    }

    /// Validates the form. `settings` are the stored settings the form does
    /// not show, kept as they are.
    pub fn proxy_input(
        form: ProxyForm<'_>,
        creating: bool,
        mut settings: ProxySettings,
    ) -> Result<ProxyInput, AppError> {
        let ProxyForm { name, provider, base_url, provider_key, clear_provider_key, upstream_timeout_ms } = form;
        let name = validate_name("The proxy name", name)?;
        let provider = Provider::parse(provider)
            .ok_or_else(|| AppError::Invalid("Choose a provider: mock, openai or anthropic.".into()))?;
        let base_url = base_url.trim();
        let base_url = if base_url.is_empty() {
            None
        } else {
            let uri: http::Uri =
                base_url.parse().map_err(|_| AppError::Invalid("The base URL is not a valid URL.".into()))?;
            let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
            if !scheme_ok || uri.host().is_none() {
                return Err(AppError::Invalid(
                    "The base URL must start with http:// or https:// and name a host.".into(),
                ));
            }
            if uri.query().is_some() {
                return Err(AppError::Invalid("The base URL must not carry a query string.".into()));
            }
            Some(base_url.trim_end_matches('/').to_string())
        };
        let timeout = upstream_timeout_ms.trim();
        let upstream_timeout_ms = if timeout.is_empty() {
            None
        } else {
            match timeout.parse::<u64>() {
                Ok(ms) if (100..=600_000).contains(&ms) => Some(ms),
                _ => return Err(AppError::Invalid("The upstream timeout must be between 100 and 600000 ms.".into())),
            }
        };
        let key = provider_key.trim();
        let provider_key = if clear_provider_key {
            Some(Secret::new(String::new()))
        } else if key.is_empty() {
            if creating {
                Some(Secret::new(String::new()))
            } else {
                None
            }
        } else {
            Some(Secret::new(key.to_string()))
        };
        settings.upstream_timeout_ms = upstream_timeout_ms;
        Ok(ProxyInput { name, provider, base_url, provider_key, settings })
    }

    pub async fn proxy_names(backend: &Backend, org_id: &str) -> Result<HashMap<String, String>, AppError> {
        Ok(backend.store.list_proxies(org_id).await?.into_iter().map(|p| (p.id, p.name)).collect())
    }

    /// A hash to verify against when the email is unknown, so log-in takes
    /// the same time whether or not the account exists.
    pub async fn dummy_hash() -> String {
        static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        DUMMY
            .get_or_init(|| async {
                store::users::hash_password(Secret::new("rampart-dummy-password".into())).await.unwrap_or_default()
            })
            .await
            .clone()
    }

    pub use auth::{backend, current, current_admin};
}

#[server]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    server::respond(
        async move {
            use crate::auth::current;
            Ok(current().ok().map(|s| Me { email: s.email, org_name: s.org_name, role: s.role.as_str().to_string() }))
        }
        .await,
    )
}

/// Whether sign-up is open: only until the first organisation exists.
#[server]
pub async fn get_signup_open() -> Result<bool, AppError> {
    server::respond(
        async move {
            let backend = server::backend()?;
            Ok(backend.store.count_orgs().await? == 0)
        }
        .await,
    )
}

#[server]
pub async fn sign_up(org_name: String, email: String, password: String) -> Result<(), AppError> {
    server::respond(
        async move {
            use store::users::{hash_password, Role};
            use store::Secret;
            let backend = server::backend()?;
            if backend.store.count_orgs().await? > 0 {
                return Err(AppError::Forbidden);
            }
            let org_name = server::validate_name("The organization name", &org_name)?;
            let email = server::validate_email(&email)?;
            server::validate_password(&password)?;
            let hash = hash_password(Secret::new(password)).await?;
            let org = backend.store.create_org(&org_name).await?;
            let user = backend.store.create_user(&email, &hash).await?;
            backend.store.add_member(&org.id, &user.id, Role::Owner).await?;
            let master = backend.master.clone();
            backend
                .store
                .create_proxy(
                    &org.id,
                    store::proxies::ProxyInput {
                        name: "default".into(),
                        provider: store::proxies::Provider::Mock,
                        base_url: None,
                        provider_key: None,
                        settings: Default::default(),
                    },
                    &master,
                )
                .await?;
            server::notify(&backend);
            let ttl = i64::try_from(backend.session_ttl.as_millis()).unwrap_or(i64::MAX);
            let (raw, _) = backend.store.create_session(&user.id, &org.id, ttl).await?;
            server::set_cookie(&crate::auth::session_cookie(&backend, raw.expose()));
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn log_in(email: String, password: String) -> Result<(), AppError> {
    server::respond(
        async move {
            use store::users::verify_password;
            use store::Secret;
            let backend = server::backend()?;
            let invalid = || AppError::Invalid("Wrong email or password.".into());
            backend.logins.check(&email).map_err(AppError::TooManyAttempts)?;
            let found = backend.store.find_user_credentials(&email).await?;
            let (user, hash) = match found {
                Some(found) => found,
                None => {
                    let _ = verify_password(Secret::new(password), server::dummy_hash().await).await;
                    backend.logins.failed(&email);
                    return Err(invalid());
                }
            };
            if !verify_password(Secret::new(password), hash).await {
                backend.logins.failed(&email);
                return Err(invalid());
            }
            backend.logins.succeeded(&email);
            let membership = backend.store.memberships_of(&user.id).await?.into_iter().next().ok_or_else(invalid)?;
            // A fresh session id at every log-in; any session the browser already had is ended.
            if let Ok(previous) = server::current() {
                backend.store.delete_session(previous.raw_id.expose()).await?;
            }
            let ttl = i64::try_from(backend.session_ttl.as_millis()).unwrap_or(i64::MAX);
            let (raw, _) = backend.store.create_session(&user.id, &membership.org_id, ttl).await?;
            server::set_cookie(&crate::auth::session_cookie(&backend, raw.expose()));
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn log_out() -> Result<(), AppError> {
    server::respond(
        async move {
            let backend = server::backend()?;
            if let Ok(session) = server::current() {
                backend.store.delete_session(session.raw_id.expose()).await?;
            }
            server::set_cookie(&crate::auth::clear_cookie(&backend));
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn get_overview() -> Result<Overview, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            let since = store::now_ms() - 24 * 3600 * 1000;
            let totals = backend.store.event_totals(&s.org_id, since).await?;
            let proxies = backend.store.list_proxies(&s.org_id).await?.len();
            let active_keys =
                backend.store.list_api_keys(&s.org_id).await?.iter().filter(|k| k.revoked_at.is_none()).count();
            Ok(Overview {
                requests_24h: totals.requests,
                errors_24h: totals.errors,
                input_tokens_24h: totals.input_tokens,
                output_tokens_24h: totals.output_tokens,
                proxies,
                active_keys,
                base_url: server::public_base(),
            })
        }
        .await,
    )
}

#[server]
pub async fn list_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            let names = server::proxy_names(&backend, &s.org_id).await?;
            Ok(backend
                .store
                .list_api_keys(&s.org_id)
                .await?
                .into_iter()
                .map(|k| ApiKeyRow {
                    prefix: k.display_prefix(),
                    proxy_name: names.get(&k.proxy_id).cloned().unwrap_or_default(),
                    id: k.id,
                    name: k.name,
                    created: server::when(k.created_at),
                    last_used: k.last_used_at.map(server::when),
                    revoked: k.revoked_at.map(server::when),
                })
                .collect())
        }
        .await,
    )
}

#[server]
pub async fn create_api_key(name: String, proxy_id: String) -> Result<CreatedKey, AppError> {
    server::respond(
        async move {
            let s = server::current_admin()?;
            let backend = server::backend()?;
            let name = server::validate_name("The key name", &name)?;
            let (_, key) = backend.store.create_api_key(&s.org_id, &proxy_id, &name).await?;
            server::notify(&backend);
            if server::is_plain_form_post() {
                // Without JavaScript the browser follows a redirect and this answer is
                // never shown; hand the key to the next page view instead.
                backend.flash.put(&s, name.clone(), key.clone());
            }
            Ok(CreatedKey { name, key: key.expose().clone() })
        }
        .await,
    )
}

/// The key created by a form posted without JavaScript, once.
#[server]
pub async fn take_created_key() -> Result<Option<CreatedKey>, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            Ok(backend.flash.take(&s).map(|(name, key)| CreatedKey { name, key: key.expose().clone() }))
        }
        .await,
    )
}

#[server]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    server::respond(
        async move {
            let s = server::current_admin()?;
            let backend = server::backend()?;
            backend.store.revoke_api_key(&s.org_id, &key_id).await?;
            server::notify(&backend);
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn proxy_row(p: store::proxies::Proxy) -> ProxyRow {
    ProxyRow {
        base_url: p.base_url.unwrap_or_else(|| p.provider.default_base_url().unwrap_or("built-in").to_string()),
        provider: p.provider.as_str().to_string(),
        id: p.id,
        name: p.name,
        has_provider_key: p.has_provider_key,
        upstream_timeout_ms: p.settings.upstream_timeout_ms,
        updated: server::when(p.updated_at),
    }
}

#[server]
pub async fn list_proxies() -> Result<Vec<ProxyRow>, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            Ok(backend.store.list_proxies(&s.org_id).await?.into_iter().map(proxy_row).collect())
        }
        .await,
    )
}

#[server]
pub async fn get_proxy(proxy_id: String) -> Result<ProxyRow, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            Ok(proxy_row(backend.store.get_proxy(&s.org_id, &proxy_id).await?))
        }
        .await,
    )
}

#[server]
pub async fn create_proxy(
    name: String,
    provider: String,
    base_url: String,
    provider_key: String,
    upstream_timeout_ms: String,
) -> Result<ProxyRow, AppError> {
    server::respond(
        async move {
            let s = server::current_admin()?;
            let backend = server::backend()?;
            let form = server::ProxyForm {
                name: &name,
                provider: &provider,
                base_url: &base_url,
                provider_key: &provider_key,
                clear_provider_key: false,
                upstream_timeout_ms: &upstream_timeout_ms,
            };
            let input = server::proxy_input(form, true, Default::default())?;
            let p = backend.store.create_proxy(&s.org_id, input, &backend.master).await?;
            server::notify(&backend);
            Ok(proxy_row(p))
        }
        .await,
    )
}

#[server]
pub async fn update_proxy(
    proxy_id: String,
    name: String,
    provider: String,
    base_url: String,
    provider_key: String,
    #[server(default)] clear_provider_key: Option<String>,
    upstream_timeout_ms: String,
) -> Result<ProxyRow, AppError> {
    server::respond(
        async move {
            let s = server::current_admin()?;
            let backend = server::backend()?;
            let clear = clear_provider_key.is_some_and(|v| !v.is_empty());
            // The form edits only some settings; keep the rest as stored.
            let current = backend.store.get_proxy(&s.org_id, &proxy_id).await?.settings;
            let form = server::ProxyForm {
                name: &name,
                provider: &provider,
                base_url: &base_url,
                provider_key: &provider_key,
                clear_provider_key: clear,
                upstream_timeout_ms: &upstream_timeout_ms,
            };
            let input = server::proxy_input(form, false, current)?;
            let p = backend.store.update_proxy(&s.org_id, &proxy_id, input, &backend.master).await?;
            server::notify(&backend);
            Ok(proxy_row(p))
        }
        .await,
    )
}

#[server]
pub async fn list_requests() -> Result<Vec<RequestRow>, AppError> {
    server::respond(
        async move {
            let s = server::current()?;
            let backend = server::backend()?;
            let names = server::proxy_names(&backend, &s.org_id).await?;
            let text = |v: Option<String>| v.unwrap_or_default();
            Ok(backend
                .store
                .list_events(&s.org_id, 200)
                .await?
                .into_iter()
                .map(|e| RequestRow {
                    tokens: match (e.input_tokens, e.output_tokens) {
                        (None, None) => String::new(),
                        (i, o) => format!(
                            "{} / {}",
                            i.map(|v| v.to_string()).unwrap_or("–".into()),
                            o.map(|v| v.to_string()).unwrap_or("–".into())
                        ),
                    },
                    proxy_name: names.get(&e.proxy_id).cloned().unwrap_or_default(),
                    id: e.id,
                    api: e.api,
                    model: e.model,
                    stream: e.stream,
                    status: e.status,
                    latency_ms: e.latency_ms,
                    end_user_id: text(e.end_user_id),
                    session_id: text(e.session_id),
                    app_context: text(e.app_context),
                    error: text(e.error),
                    at: server::when(e.created_at),
                })
                .collect())
        }
        .await,
    )
}
