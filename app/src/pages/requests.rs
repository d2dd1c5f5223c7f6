use leptos::prelude::*;

use crate::api::list_requests;
use crate::components::{Console, ErrorNote, Time};

#[component]
pub fn Requests() -> impl IntoView {
    let requests = Resource::new(|| (), |_| list_requests());
    view! {
        <Console title="Requests">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"No requests yet — point an SDK at this server with one of your API keys."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="data" data-testid="request-log">
                                <thead><tr>
                                    <th>"When"</th><th>"API"</th><th>"Model"</th><th>"Status"</th><th>"Latency"</th>
                                    <th>"Tokens in / out"</th><th>"User"</th><th>"Session"</th><th>"Context"</th><th>"Proxy"</th><th>"Error"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| {
                                        let class = if r.status >= 400 || !r.error.is_empty() { "badge block" } else { "badge allow" };
                                        view! {
                                            <tr>
                                                <td><Time when=r.at/></td>
                                                <td>{r.api}{r.stream.then_some(" · stream")}</td>
                                                <td class="mono">{r.model}</td>
                                                <td><span class=class>{r.status}</span></td>
                                                <td>{r.latency_ms}" ms"</td>
                                                <td>{r.tokens}</td>
                                                <td class="mono">{r.end_user_id}</td>
                                                <td class="mono">{r.session_id}</td>
                                                <td>{r.app_context}</td>
                                                <td>{r.proxy_name}</td>
                                                <td>{r.error}</td>
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
