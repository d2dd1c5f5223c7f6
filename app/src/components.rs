//! Pieces shared by the pages: the console layout and small widgets.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::api::{get_me, LogOut, When};
use crate::error::AppError;

/// The console frame: sidebar with the org and user, then the page with its
/// title and main action.
#[component]
pub fn Console(
    title: &'static str,
    #[prop(optional, into)] action: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let log_out = ServerAction::<LogOut>::new();
    let path = use_location().pathname;
    let link = move |href: &'static str, label: &'static str| {
        let current = move || {
            let p = path.get();
            if href == "/" {
                p == "/"
            } else {
                p.starts_with(href)
            }
        };
        view! {
            <a href=href class="nav-link" aria-current=move || current().then_some("page")>{label}</a>
        }
    };
    view! {
        <Title text=title/>
        <div class="console">
            <nav class="sidebar" aria-label="Main">
                <div class="brand">"rampart"</div>
                <Suspense fallback=|| view! { <div class="who">"…"</div> }>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => view! {
                                <div class="who">
                                    <div class="org">{me.org_name}</div>
                                    <div class="user">{me.email}" · "{me.role}</div>
                                </div>
                            }.into_any(),
                            _ => view! { <div class="who"><a href="/login">"Log in"</a></div> }.into_any(),
                        }
                    })}
                </Suspense>
                {link("/", "Overview")}
                {link("/proxies", "Proxies")}
                {link("/playground", "Playground")}
                {link("/keys", "API keys")}
                {link("/requests", "Requests")}
                {link("/ibac", "IBAC")}
                {link("/threats", "Threats")}
                {link("/statistics", "Statistics")}
                {link("/webhooks", "Webhooks")}
                <ActionForm action=log_out attr:class="logout">
                    <button type="submit" class="link-button">"Log out"</button>
                </ActionForm>
            </nav>
            <main class="page">
                <header class="page-header">
                    <h1>{title}</h1>
                    {action.map(|a| a.run())}
                </header>
                {children()}
            </main>
        </div>
    }
}

/// A time as relative text with the absolute time on hover and for readers.
#[component]
pub fn Time(when: When) -> impl IntoView {
    view! { <time title=when.absolute.clone() datetime=when.absolute>{when.relative}</time> }
}

/// An error from a server function, with a way back in when the session ended.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let unauthorized = error == AppError::Unauthorized;
    view! {
        <p class="error" role="alert">
            {error.to_string()}
            {unauthorized.then(|| view! { " " <a href="/login">"Log in"</a> })}
        </p>
    }
}

/// The result of the last form submission, if it failed.
pub fn action_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(e)) => Some(view! { <ErrorNote error=e/> }),
        _ => None,
    }
}

/// A secret shown once, in a box that says so, ready to copy.
#[component]
pub fn SecretBox(label: String, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="secret-box" role="status">
            <p><strong>"Copy this now."</strong>" It will not be shown again."</p>
            <label for=testid>{label}</label>
            <input id=testid class="mono" readonly=true value=value data-testid=testid/>
        </div>
    }
}

/// A select over fixed `(value, label)` options with one selected.
#[component]
pub fn Choice(
    name: String,
    selected: String,
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional)] id: Option<String>,
    #[prop(optional)] label: Option<String>,
) -> impl IntoView {
    view! {
        <select name=name id=id aria-label=label>
            {options.into_iter().map(|(value, text)| view! { <option value=value selected=selected == value>{text}</option> }).collect_view()}
        </select>
    }
}
