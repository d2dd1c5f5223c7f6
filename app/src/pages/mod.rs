//! One module per dashboard page.

pub mod ibac;
pub mod keys;
pub mod login;
pub mod overview;
pub mod proxies;
pub mod requests;
pub mod scanning;
pub mod signup;
pub mod statistics;
pub mod threats;
pub mod webhooks;

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <main class="centered">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the overview"</a></p>
        </main>
    }
}
