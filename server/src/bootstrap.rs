//! `rampart bootstrap`: creates (or reuses) an org, its owner and a default
//! mock proxy, then mints a fresh API key. Scripts and tests use it.

use serde::Serialize;
use store::crypto::MasterKey;
use store::proxies::{Provider, ProxyInput, ProxySettings};
use store::users::{hash_password, verify_password, Role};
use store::{Secret, Store, StoreError};

#[derive(Debug, Serialize)]
pub struct Bootstrapped {
    pub org_id: String,
    pub proxy_id: String,
    pub api_key: Secret<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the user {0} exists with a different password")]
    WrongPassword(String),
    #[error("{0}")]
    Invalid(&'static str),
}

pub async fn run(
    store: &Store,
    master: &MasterKey,
    org_name: &str,
    email: &str,
    password: Secret<String>,
) -> Result<Bootstrapped, BootstrapError> {
    if org_name.trim().is_empty() {
        return Err(BootstrapError::Invalid("--org must not be empty"));
    }
    if !email.contains('@') {
        return Err(BootstrapError::Invalid("--email must be an email address"));
    }
    if password.expose().chars().count() < 10 {
        return Err(BootstrapError::Invalid("--password must be at least 10 characters"));
    }
    let org = match store.find_org_by_name(org_name.trim()).await? {
        Some(org) => org,
        None => store.create_org(org_name.trim()).await?,
    };
    let user = match store.find_user_credentials(email).await? {
        Some((user, hash)) => {
            if !verify_password(password, hash).await {
                return Err(BootstrapError::WrongPassword(user.email));
            }
            user
        }
        None => store.create_user(email, &hash_password(password).await?).await?,
    };
    if !store.memberships_of(&user.id).await?.iter().any(|m| m.org_id == org.id) {
        store.add_member(&org.id, &user.id, Role::Owner).await?;
    }
    let proxies = store.list_proxies(&org.id).await?;
    let proxy = match proxies.into_iter().find(|p| p.provider == Provider::Mock) {
        Some(p) => p,
        None => {
            let input = ProxyInput {
                name: "default".into(),
                provider: Provider::Mock,
                base_url: None,
                provider_key: None,
                settings: ProxySettings::default(),
            };
            store.create_proxy(&org.id, input, master).await?
        }
    };
    let (_, api_key) = store.create_api_key(&org.id, &proxy.id, "bootstrap").await?;
    Ok(Bootstrapped { org_id: org.id, proxy_id: proxy.id, api_key })
}

/// The JSON line printed on stdout. The key is the one thing meant to be shown.
pub fn to_json(b: &Bootstrapped) -> String {
    serde_json::json!({"org_id": b.org_id, "proxy_id": b.proxy_id, "api_key": b.api_key.expose()}).to_string()
}
