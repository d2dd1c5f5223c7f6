//! Flagged and blocked traffic, newest first, with what was found.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::threats::{list_threats, FindingRow, ThreatRow, ACTIONS};
use crate::components::{Console, ErrorNote, Time};

/// The badge class of an action; anything unexpected reads as neutral.
pub fn action_class(action: &str) -> &'static str {
    match action {
        "allow" => "badge allow",
        "warn" => "badge warn",
        "sanitize" => "badge sanitize",
        "block" => "badge block",
        _ => "badge off",
    }
}

#[component]
pub fn Threats() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("action").unwrap_or_default(), q.get("type").unwrap_or_default())
    };
    let threats = Resource::new(filter, |(action, kind)| list_threats(action, kind));
    view! {
        <Console title="Threats">
            <p class="lead">
                "Requests and guard API scans that content scanning warned about, sanitised or blocked, "
                "with each finding. Matched personal data and secrets are never stored: only their length is."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let (action, kind) = filter();
                    Suspend::new(async move {
                        match threats.await {
                            Ok(list) => {
                                let filtered = !action.is_empty() || !kind.is_empty();
                                view! {
                                    <FilterForm action=action kind=kind types=list.types/>
                                    {if list.rows.is_empty() {
                                        let text = if filtered {
                                            "No threats match these filters."
                                        } else {
                                            "No threats recorded yet — flagged requests and guard scans appear here as soon as scanning catches something."
                                        };
                                        view! { <p class="empty">{text}</p> }.into_any()
                                    } else {
                                        view! { <ThreatTable rows=list.rows/> }.into_any()
                                    }}
                                }
                                .into_any()
                            }
                            Err(e) => view! { <ErrorNote error=e/> <p><a href="/threats">"Clear the filters"</a></p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Console>
    }
}

/// A plain GET form, so filtering works without JavaScript and the filtered
/// view has an address of its own.
#[component]
fn FilterForm(action: String, kind: String, types: Vec<String>) -> impl IntoView {
    view! {
        <form method="get" action="/threats" class="filters" role="search">
            <label for="filter-action">"Action"</label>
            <select id="filter-action" name="action">
                <option value="" selected=action.is_empty()>"any"</option>
                {ACTIONS.into_iter().map(|a| view! { <option value=a selected=action == a>{a}</option> }).collect_view()}
            </select>
            <label for="filter-type">"Type"</label>
            <select id="filter-type" name="type">
                <option value="" selected=kind.is_empty()>"any"</option>
                {types.into_iter().map(|t| {
                    let selected = kind == t;
                    let value = t.clone();
                    view! { <option value=value selected=selected>{t}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"Filter"</button>
            <a href="/threats">"Clear"</a>
        </form>
    }
}

#[component]
fn ThreatTable(rows: Vec<ThreatRow>) -> impl IntoView {
    view! {
        <table class="data threats" data-testid="threats">
            <thead><tr>
                <th>"When"</th><th>"Proxy"</th><th>"Source"</th><th>"Action"</th><th>"Risk"</th><th>"End user"</th><th>"Findings"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let class = action_class(&r.action);
                    view! {
                        <tr data-threat-id=r.id.clone()>
                            <td><Time when=r.at/></td>
                            <td>{r.proxy_name}</td>
                            <td class="mono">{r.source}</td>
                            <td><span class=class>{r.action}</span></td>
                            <td class="num">{r.risk}</td>
                            <td class="mono">{r.end_user}</td>
                            <td>{findings(r.findings)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn findings(list: Vec<FindingRow>) -> impl IntoView {
    if list.is_empty() {
        return view! { <span class="muted">"no findings recorded"</span> }.into_any();
    }
    view! {
        <ul class="findings">
            {list.into_iter().map(|f| {
                let severity = format!("severity {}", f.severity);
                view! {
                    <li>
                        <strong class="mono">{f.threat_type}</strong>" "
                        <span class=severity>{f.severity.clone()}</span>" "
                        <span class="mono muted" title="pattern">{f.pattern}</span>
                        {(!f.location.is_empty()).then(|| view! { " " <span class="mono muted" title="location (start–end)">{f.location}</span> })}
                        {(!f.original.is_empty()).then(|| view! { " " <q class="mono">{f.original}</q> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
