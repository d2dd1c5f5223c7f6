//! rampart's dashboard. Pages render on the server and hydrate in the
//! browser; every form is a server function, so each one works without
//! JavaScript too.

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod chart;
pub mod components;
pub mod error;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{
    ibac::{Ibac, IbacProxy},
    keys::ApiKeys,
    login::Login,
    overview::Overview,
    proxies::{Proxies, ProxyEdit},
    requests::Requests,
    scanning::{Playground, ScanSettings},
    signup::SignUp,
    statistics::Statistics,
    threats::Threats,
    webhooks::{WebhookEndpoint, Webhooks},
};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M8 1 2 3v5c0 3.5 2.6 6 6 7 3.4-1 6-3.5 6-7V3z' fill='%232f4b8f'/%3E%3C/svg%3E"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="rampart" href="/pkg/rampart.css"/>
        <Title formatter=|page: String| if page.is_empty() { "rampart".to_string() } else { format!("{page} · rampart") }/>
        <Router>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/login") view=Login/>
                <Route path=path!("/signup") view=SignUp/>
                <Route path=path!("/") view=Overview/>
                <Route path=path!("/keys") view=ApiKeys/>
                <Route path=path!("/proxies") view=Proxies/>
                <Route path=path!("/proxies/:id") view=ProxyEdit/>
                <Route path=path!("/proxies/:id/scanning") view=ScanSettings/>
                <Route path=path!("/playground") view=Playground/>
                <Route path=path!("/requests") view=Requests/>
                <Route path=path!("/ibac") view=Ibac/>
                <Route path=path!("/ibac/:id") view=IbacProxy/>
                <Route path=path!("/threats") view=Threats/>
                <Route path=path!("/statistics") view=Statistics/>
                <Route path=path!("/webhooks") view=Webhooks/>
                <Route path=path!("/webhooks/:id") view=WebhookEndpoint/>
            </Routes>
        </Router>
    }
}
