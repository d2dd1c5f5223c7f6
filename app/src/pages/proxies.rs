use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_proxy, list_proxies, CreateProxy, ProxyRow, UpdateProxy};
use crate::components::{action_error, Choice, Console, ErrorNote, Time};

/// The provider choices, shared by the create and edit forms.
#[component]
fn ProviderSelect(#[prop(optional)] selected: Option<String>) -> impl IntoView {
    let selected = selected.unwrap_or_else(|| "mock".into());
    let options = vec![("mock", "Built-in mock LLM"), ("openai", "OpenAI-compatible"), ("anthropic", "Anthropic")];
    view! { <Choice name="provider".into() id="provider".into() selected options/> }
}

#[component]
pub fn Proxies() -> impl IntoView {
    let create = ServerAction::<CreateProxy>::new();
    let proxies = Resource::new(move || create.version().get(), |_| list_proxies());
    view! {
        <Console title="Proxies">
            <section class="card">
                <h2>"Add a proxy"</h2>
                <ActionForm action=create attr:class="grid-form">
                    <label for="name">"Name"</label>
                    <input id="name" name="name" required maxlength="100"/>
                    <label for="provider">"Provider"</label>
                    <ProviderSelect/>
                    <label for="base_url">"Base URL"</label>
                    <input id="base_url" name="base_url" class="mono" placeholder="https://api.openai.com/v1 (leave empty for the default)"/>
                    <label for="provider_key">"Provider API key"</label>
                    <input id="provider_key" name="provider_key" type="password" autocomplete="off" placeholder="stored encrypted, never shown again"/>
                    <label for="upstream_timeout_ms">"Upstream timeout (ms)"</label>
                    <input id="upstream_timeout_ms" name="upstream_timeout_ms" inputmode="numeric" placeholder="default"/>
                    <button type="submit" class="primary">"Add proxy"</button>
                </ActionForm>
                {action_error(create.value())}
            </section>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match proxies.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No proxies yet — add one above."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="data">
                                <thead><tr><th>"Name"</th><th>"Id"</th><th>"Provider"</th><th>"Base URL"</th><th>"Provider key"</th><th>"Updated"</th><th>"Security"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|p| {
                                        let (scanning, ibac) = (format!("/proxies/{}/scanning", p.id), format!("/ibac/{}", p.id));
                                        view! {
                                        <tr>
                                            <td><a href=format!("/proxies/{}", p.id)>{p.name}</a></td>
                                            <td class="mono">{p.id}</td>
                                            <td>{p.provider}</td>
                                            <td class="mono">{p.base_url}</td>
                                            <td>{if p.has_provider_key { "set" } else { "none" }}</td>
                                            <td><Time when=p.updated/></td>
                                            <td>
                                                <a href=scanning>"Scanning"</a>" · "
                                                <a href=ibac>"IBAC"</a>
                                            </td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </Console>
    }
}

#[component]
pub fn ProxyEdit() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateProxy>::new();
    let id = move || params.read().get("id").unwrap_or_default();
    let proxy = Resource::new(move || (id(), update.version().get()), |(id, _)| get_proxy(id));
    view! {
        <Console title="Edit proxy">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match proxy.await {
                        Ok(p) => edit_form(p, update).into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {action_error(update.value())}
            {move || matches!(update.value().get(), Some(Ok(_))).then(|| view! { <p class="ok" role="status">"Saved."</p> })}
        </Console>
    }
}

fn edit_form(p: ProxyRow, update: ServerAction<UpdateProxy>) -> impl IntoView {
    let base_url = if p.provider == "mock" { String::new() } else { p.base_url.clone() };
    view! {
        <section class="card">
            <p class="mono muted">{p.id.clone()}</p>
            <p>
                <a href=format!("/proxies/{}/scanning", p.id)>"Content scanning settings"</a>" · "
                <a href=format!("/ibac/{}", p.id)>"IBAC settings"</a>
            </p>
            <ActionForm action=update attr:class="grid-form">
                <input type="hidden" name="proxy_id" value=p.id/>
                <label for="name">"Name"</label>
                <input id="name" name="name" required maxlength="100" value=p.name/>
                <label for="provider">"Provider"</label>
                <ProviderSelect selected=p.provider/>
                <label for="base_url">"Base URL"</label>
                <input id="base_url" name="base_url" class="mono" value=base_url placeholder="leave empty for the provider's default"/>
                <label for="provider_key">"Provider API key"</label>
                <input id="provider_key" name="provider_key" type="password" autocomplete="off"
                    placeholder=if p.has_provider_key { "a key is stored — type to replace it" } else { "none stored" }/>
                <label for="clear_provider_key">"Remove the stored key"</label>
                <input id="clear_provider_key" name="clear_provider_key" type="checkbox" value="yes"/>
                <label for="upstream_timeout_ms">"Upstream timeout (ms)"</label>
                <input id="upstream_timeout_ms" name="upstream_timeout_ms" inputmode="numeric"
                    value=p.upstream_timeout_ms.map(|t| t.to_string()).unwrap_or_default() placeholder="default"/>
                <button type="submit" class="primary">"Save"</button>
            </ActionForm>
        </section>
    }
}
