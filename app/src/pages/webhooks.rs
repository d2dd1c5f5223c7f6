//! Webhooks: the endpoints that receive the org's `threat.detected` events,
//! their signing secrets (shown once), and what was delivered to each.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::take_created_key;
use crate::api::webhooks::{
    get_webhook_endpoint, list_webhook_deliveries, list_webhook_endpoints, CreateWebhookEndpoint,
    DeleteWebhookEndpoint, DeliveryRow, EndpointRow, RotateWebhookSecret, SendTestWebhook, SetWebhookEndpointEnabled,
};
use crate::api::CreatedKey;
use crate::components::{action_error, Console, ErrorNote, SecretBox, Time};

fn secret_box(created: CreatedKey) -> impl IntoView {
    view! { <SecretBox label=created.name value=created.key testid="new-webhook-secret"/> }
}

/// What receivers get and how they check it, in one place for both pages.
#[component]
fn HowToVerify() -> impl IntoView {
    view! {
        <p class="lead">
            "rampart POSTs a "<code>"threat.detected"</code>" event (JSON "<code>"{\"event\", \"data\"}"</code>
            ") each time scanning warns about, sanitises or blocks a request or a guard scan, retrying with back-off until "
            "your endpoint answers 2xx. Each is signed the Standard Webhooks way, with CloudEvents "<code>"ce-*"</code>" headers: "
            "check that "<code>"webhook-signature"</code>" is "<code>"v1,"</code>" + base64 HMAC-SHA256 of "
            <code>"{webhook-id}.{webhook-timestamp}.{body}"</code>", keyed with the base64-decoded part of your "
            <code>"whsec_"</code>" secret (any Standard Webhooks library does this), and that the timestamp is recent."
        </p>
    }
}

fn enabled_badge(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <span class="badge allow">"enabled"</span> }.into_any()
    } else {
        view! { <span class="badge off">"disabled"</span> }.into_any()
    }
}

#[component]
fn ToggleForm(action: ServerAction<SetWebhookEndpointEnabled>, endpoint_id: String, enabled: bool) -> impl IntoView {
    let next = if enabled { "false" } else { "true" };
    view! {
        <ActionForm action=action>
            <input type="hidden" name="endpoint_id" value=endpoint_id/>
            <input type="hidden" name="enabled" value=next/>
            <button type="submit">{if enabled { "Disable" } else { "Enable" }}</button>
        </ActionForm>
    }
}

#[component]
fn TestForm(action: ServerAction<SendTestWebhook>, endpoint_id: String) -> impl IntoView {
    view! {
        <ActionForm action=action>
            <input type="hidden" name="endpoint_id" value=endpoint_id/>
            <button type="submit">"Send test event"</button>
        </ActionForm>
    }
}

#[component]
fn DeleteForm(action: ServerAction<DeleteWebhookEndpoint>, endpoint_id: String) -> impl IntoView {
    view! {
        <ActionForm action=action>
            <input type="hidden" name="endpoint_id" value=endpoint_id/>
            <button type="submit" class="danger">"Delete"</button>
        </ActionForm>
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let create = ServerAction::<CreateWebhookEndpoint>::new();
    let toggle = ServerAction::<SetWebhookEndpointEnabled>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let endpoints = Resource::new(
        move || (create.version().get(), toggle.version().get(), delete.version().get()),
        |_| list_webhook_endpoints(),
    );
    let flashed = Resource::new(|| (), |_| take_created_key());
    view! {
        <Console title="Webhooks">
            <HowToVerify/>
            <section class="card">
                <h2>"Add an endpoint"</h2>
                {move || {
                    // Drawn anew after each added endpoint, which empties the form.
                    create.version().track();
                    view! {
                        <ActionForm action=create attr:class="grid-form">
                            <label for="webhook-url">"URL"</label>
                            <input id="webhook-url" name="url" type="url" class="mono" required maxlength="2048"
                                placeholder="https://hooks.example.com/rampart"/>
                            <label for="webhook-description">"Description"</label>
                            <input id="webhook-description" name="description" maxlength="500" placeholder="optional — e.g. SIEM alerts"/>
                            <button type="submit" class="primary">"Add endpoint"</button>
                        </ActionForm>
                    }
                }}
                {action_error(create.value())}
                {move || create.value().get().and_then(Result::ok).map(secret_box)}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move { flashed.await.ok().flatten().map(secret_box) })}
                </Suspense>
            </section>
            {action_error(toggle.value())}
            {action_error(delete.value())}
            {action_error(test.value())}
            {move || test.value().get().and_then(Result::ok).map(|d| view! {
                <p class="ok" role="status">"Test event queued ("<span class="mono">{d.id}</span>") — see the endpoint's deliveries."</p>
            })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"No webhook endpoints yet — add one above to be told about threats as they happen."</p>
                        }.into_any(),
                        Ok(list) => view! { <EndpointTable list toggle delete test/> }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </Console>
    }
}

#[component]
fn EndpointTable(
    list: Vec<EndpointRow>,
    toggle: ServerAction<SetWebhookEndpointEnabled>,
    delete: ServerAction<DeleteWebhookEndpoint>,
    test: ServerAction<SendTestWebhook>,
) -> impl IntoView {
    view! {
        <table class="data" data-testid="webhook-endpoints">
            <thead><tr><th>"URL"</th><th>"Description"</th><th>"Status"</th><th>"Created"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {list.into_iter().map(|e| {
                    let href = format!("/webhooks/{}", e.id);
                    let (id_toggle, id_test, id_delete) = (e.id.clone(), e.id.clone(), e.id.clone());
                    view! {
                        <tr data-endpoint-id=e.id.clone()>
                            <td class="mono url"><a href=href>{e.url}</a></td>
                            <td>{e.description}</td>
                            <td>{enabled_badge(e.enabled)}</td>
                            <td><Time when=e.created/></td>
                            <td class="row-actions">
                                <TestForm action=test endpoint_id=id_test/>
                                <ToggleForm action=toggle endpoint_id=id_toggle enabled=e.enabled/>
                                <DeleteForm action=delete endpoint_id=id_delete/>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn WebhookEndpoint() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let toggle = ServerAction::<SetWebhookEndpointEnabled>::new();
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let endpoint = Resource::new(move || (id(), toggle.version().get()), |(id, _)| get_webhook_endpoint(id));
    let deliveries = Resource::new(move || (id(), test.version().get()), |(id, _)| list_webhook_deliveries(id));
    let flashed = Resource::new(|| (), |_| take_created_key());
    view! {
        <Console title="Webhook endpoint">
            <p><a href="/webhooks">"← All endpoints"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match endpoint.await {
                        Ok(e) => {
                            let (id_toggle, id_test, id_rotate, id_delete) = (e.id.clone(), e.id.clone(), e.id.clone(), e.id.clone());
                            view! {
                                <section class="card">
                                    <h2 class="mono url">{e.url}</h2>
                                    <dl class="facts">
                                        <dt>"Status"</dt><dd>{enabled_badge(e.enabled)}</dd>
                                        <dt>"Description"</dt><dd>{if e.description.is_empty() { "–".to_string() } else { e.description }}</dd>
                                        <dt>"Created"</dt><dd><Time when=e.created/></dd>
                                        <dt>"Id"</dt><dd class="mono">{e.id.clone()}</dd>
                                    </dl>
                                    <div class="row-actions">
                                        <TestForm action=test endpoint_id=id_test/>
                                        <ToggleForm action=toggle endpoint_id=id_toggle enabled=e.enabled/>
                                        <ActionForm action=rotate>
                                            <input type="hidden" name="endpoint_id" value=id_rotate/>
                                            <button type="submit">"Rotate secret"</button>
                                        </ActionForm>
                                        <DeleteForm action=delete endpoint_id=id_delete/>
                                    </div>
                                </section>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {action_error(toggle.value())}
            {action_error(delete.value())}
            {action_error(test.value())}
            {action_error(rotate.value())}
            {move || rotate.value().get().and_then(Result::ok).map(secret_box)}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { flashed.await.ok().flatten().map(secret_box) })}
            </Suspense>
            <HowToVerify/>
            <h2 class="section">"Recent deliveries"</h2>
            <p class="muted">"Newest first; pending deliveries are tried within a few seconds. "<a href="" rel="external">"Refresh"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match deliveries.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"No deliveries yet — send a test event, or wait for the next threat."</p>
                        }.into_any(),
                        Ok(list) => view! { <DeliveryTable list/> }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </Console>
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "delivered" => "badge delivered",
        "pending" => "badge pending",
        "failed" => "badge failed",
        _ => "badge off",
    }
}

#[component]
fn DeliveryTable(list: Vec<DeliveryRow>) -> impl IntoView {
    view! {
        <table class="data" data-testid="webhook-deliveries">
            <thead><tr>
                <th>"Event"</th><th>"Status"</th><th>"Attempts"</th><th>"Last HTTP status"</th><th>"Last error"</th><th>"Created"</th><th>"Delivered"</th><th>"Id"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|d| {
                    let class = status_class(&d.status);
                    view! {
                        <tr>
                            <td class="mono">{d.event_type}</td>
                            <td><span class=class>{d.status}</span></td>
                            <td class="num">{d.attempts}</td>
                            <td class="num">{d.last_status_code.map(|c| c.to_string()).unwrap_or_else(|| "–".into())}</td>
                            <td class="error-text">{d.last_error}</td>
                            <td><Time when=d.created/></td>
                            <td>{match d.delivered { Some(w) => view! { <Time when=w/> }.into_any(), None => view! { <span class="muted">"–"</span> }.into_any() }}</td>
                            <td class="mono muted">{d.id}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
