use leptos::prelude::*;

use crate::api::get_overview;
use crate::components::{Console, ErrorNote};

#[component]
pub fn Overview() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Console title="Overview">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <section class="stats" aria-label="Last 24 hours">
                                <div class="stat"><span class="value" data-testid="requests-24h">{o.requests_24h}</span><span class="label">"requests, last 24 h"</span></div>
                                <div class="stat"><span class="value">{o.errors_24h}</span><span class="label">"errors, last 24 h"</span></div>
                                <div class="stat"><span class="value">{o.input_tokens_24h}" / "{o.output_tokens_24h}</span><span class="label">"tokens in / out"</span></div>
                                <div class="stat"><span class="value">{o.proxies}</span><span class="label">"proxies"</span></div>
                                <div class="stat"><span class="value">{o.active_keys}</span><span class="label">"active API keys"</span></div>
                            </section>
                            <section class="card">
                                <h2>"Point an SDK at rampart"</h2>
                                <p>"Create an API key, then set the SDK's base URL to this server and use the key as its API key:"</p>
                                <pre class="mono">{format!(
                                    "client = OpenAI(base_url=\"{0}/v1\", api_key=\"rk_…\")\nclient = Anthropic(base_url=\"{0}\", api_key=\"rk_…\")",
                                    o.base_url
                                )}</pre>
                            </section>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </Console>
    }
}
