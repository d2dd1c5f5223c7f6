//! Server functions of the Webhooks pages: the org's endpoints, their
//! signing secrets (shown once) and the deliveries made to them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{CreatedKey, When};
use crate::error::AppError;

/// An endpoint as the pages list it. The signing secret is not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub description: String,
    pub enabled: bool,
    pub created: When,
}

/// One delivery of one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<u16>,
    pub last_error: String,
    pub created: When,
    pub delivered: Option<When>,
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;

    pub fn endpoint_row(e: store::webhooks::WebhookEndpoint) -> EndpointRow {
        EndpointRow {
            created: crate::api::server::when(e.created_at),
            id: e.id,
            url: e.url,
            description: e.description,
            enabled: e.enabled,
        }
    }

    pub fn delivery_row(d: store::webhooks::WebhookDelivery) -> DeliveryRow {
        DeliveryRow {
            status: d.status.as_str().to_string(),
            created: crate::api::server::when(d.created_at),
            delivered: d.delivered_at.map(crate::api::server::when),
            id: d.id,
            event_type: d.event_type,
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error.unwrap_or_default(),
        }
    }

    /// Hands a new signing secret to the caller: in the answer, and for a
    /// form posted without JavaScript (whose answer the browser never shows)
    /// to the next page view as well.
    pub fn hand_over(
        s: &crate::auth::CurrentSession,
        backend: &crate::auth::Backend,
        name: String,
        secret: store::Secret<String>,
    ) -> CreatedKey {
        let key = secret.expose().clone();
        if crate::api::server::is_plain_form_post() {
            backend.flash.put(s, name.clone(), secret);
        }
        CreatedKey { name, key }
    }
}

#[server]
pub async fn list_webhook_endpoints() -> Result<Vec<EndpointRow>, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            Ok(backend.store.list_webhook_endpoints(&s.org_id).await?.into_iter().map(server::endpoint_row).collect())
        }
        .await,
    )
}

#[server]
pub async fn get_webhook_endpoint(endpoint_id: String) -> Result<EndpointRow, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            Ok(server::endpoint_row(backend.store.get_webhook_endpoint(&s.org_id, &endpoint_id).await?))
        }
        .await,
    )
}

/// Adds an endpoint and returns its new `whsec_` signing secret, this once.
#[server]
pub async fn create_webhook_endpoint(
    url: String,
    #[server(default)] description: String,
) -> Result<CreatedKey, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            backend.webhook_url_allowed(&url)?;
            let input = store::webhooks::WebhookEndpointInput { url, description, secret: None };
            let (endpoint, secret) = backend.store.create_webhook_endpoint(&s.org_id, input, &backend.master).await?;
            Ok(server::hand_over(&s, &backend, format!("Signing secret for {}", endpoint.url), secret))
        }
        .await,
    )
}

/// Turns delivery on (`enabled` = `true`) or off (anything else).
#[server]
pub async fn set_webhook_endpoint_enabled(endpoint_id: String, enabled: String) -> Result<(), AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            backend.store.set_webhook_endpoint_enabled(&s.org_id, &endpoint_id, enabled == "true").await?;
            Ok(())
        }
        .await,
    )
}

/// Replaces an endpoint's signing secret and returns the new one, this once.
#[server]
pub async fn rotate_webhook_secret(endpoint_id: String) -> Result<CreatedKey, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            let endpoint = backend.store.get_webhook_endpoint(&s.org_id, &endpoint_id).await?;
            let secret = backend.store.rotate_webhook_secret(&s.org_id, &endpoint_id, &backend.master).await?;
            Ok(server::hand_over(&s, &backend, format!("New signing secret for {}", endpoint.url), secret))
        }
        .await,
    )
}

/// Deletes an endpoint with its deliveries, then goes back to the list
/// (the endpoint's own page no longer exists).
#[server]
pub async fn delete_webhook_endpoint(endpoint_id: String) -> Result<(), AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            backend.store.delete_webhook_endpoint(&s.org_id, &endpoint_id).await?;
            leptos_axum::redirect("/webhooks");
            Ok(())
        }
        .await,
    )
}

/// Queues a `webhook.test` event for one endpoint (even a disabled one, so
/// it can be tried before it is turned on).
#[server]
pub async fn send_test_webhook(endpoint_id: String) -> Result<DeliveryRow, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current_admin()?;
            let backend = crate::api::server::backend()?;
            Ok(server::delivery_row(backend.store.send_test_webhook(&s.org_id, &endpoint_id).await?))
        }
        .await,
    )
}

/// The newest deliveries to one endpoint of the caller's org (up to 100).
#[server]
pub async fn list_webhook_deliveries(endpoint_id: String) -> Result<Vec<DeliveryRow>, AppError> {
    crate::api::server::respond(
        async move {
            let s = crate::api::server::current()?;
            let backend = crate::api::server::backend()?;
            // Another org's endpoint is not found, rather than shown empty.
            backend.store.get_webhook_endpoint(&s.org_id, &endpoint_id).await?;
            Ok(backend
                .store
                .list_webhook_deliveries(&s.org_id, &endpoint_id, 100)
                .await?
                .into_iter()
                .map(server::delivery_row)
                .collect())
        }
        .await,
    )
}
