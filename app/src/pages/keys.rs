use leptos::prelude::*;

use crate::api::{list_api_keys, list_proxies, take_created_key, CreateApiKey, CreatedKey, RevokeApiKey};
use crate::components::{action_error, Console, ErrorNote, SecretBox, Time};

#[component]
pub fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let proxies = Resource::new(|| (), |_| list_proxies());
    let flashed = Resource::new(|| (), |_| take_created_key());
    view! {
            <Console title="API keys">
                <section class="card">
                    <h2>"Create an API key"</h2>
    {move || {
                        // Drawn anew after each created key, which empties the form.
                        create.version().track();
                        view! {
                                    <ActionForm action=create attr:class="inline-form">
                        <label for="key-name">"Name"</label>
                        <input id="key-name" name="name" required maxlength="100" placeholder="e.g. support-bot production"/>
                        <label for="key-proxy">"Proxy"</label>
                        <Suspense fallback=|| view! { <select id="key-proxy" name="proxy_id" disabled=true></select> }>
                            {move || Suspend::new(async move {
                                let list = proxies.await.unwrap_or_default();
                                view! {
                                    <select id="key-proxy" name="proxy_id" required>
                                        {list.into_iter().map(|p| view! { <option value=p.id>{p.name}" ("{p.provider}")"</option> }).collect_view()}
                                    </select>
                                }
                            })}
                        </Suspense>
                        <button type="submit" class="primary">"Create key"</button>
                    </ActionForm>
                        }
                    }}
                    {action_error(create.value())}
                    {move || create.value().get().and_then(Result::ok).map(secret_box)}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move { flashed.await.ok().flatten().map(secret_box) })}
                    </Suspense>
                </section>
                {action_error(revoke.value())}
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="empty">"No API keys yet — create one above."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <table class="data">
                                    <thead><tr><th>"Name"</th><th>"Key"</th><th>"Proxy"</th><th>"Created"</th><th>"Last used"</th><th>"Status"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|k| {
                                            let id = k.id.clone();
                                            let active = k.revoked.is_none();
                                            view! {
                                                <tr data-key-id=k.id.clone()>
                                                    <td>{k.name}</td>
                                                    <td class="mono">{k.prefix}</td>
                                                    <td>{k.proxy_name}</td>
                                                    <td><Time when=k.created/></td>
                                                    <td>{match k.last_used { Some(w) => view! { <Time when=w/> }.into_any(), None => view! { <span class="muted">"never"</span> }.into_any() }}</td>
                                                    <td>{match k.revoked {
                                                        Some(w) => view! { <span class="badge block">"revoked "<Time when=w/></span> }.into_any(),
                                                        None => view! { <span class="badge allow">"active"</span> }.into_any(),
                                                    }}</td>
                                                    <td>{active.then(|| view! {
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="key_id" value=id/>
                                                            <button type="submit" class="danger">"Revoke"</button>
                                                        </ActionForm>
                                                    })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
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

/// The new key, shown once.
fn secret_box(created: CreatedKey) -> impl IntoView {
    view! { <SecretBox label=format!("Key “{}”", created.name) value=created.key testid="new-api-key"/> }
}
