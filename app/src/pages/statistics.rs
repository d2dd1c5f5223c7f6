//! Threat statistics: what scanning found and did, per day, drawn on the
//! server as SVG.

use leptos::prelude::*;

use crate::api::threats::{get_threat_statistics, ThreatStatistics};
use crate::chart::{Series, StackedBars};
use crate::components::{Console, ErrorNote};

/// Days the charts cover.
const DAYS: u32 = 14;

/// Per-type colours, in the order of the types' totals.
const TYPE_CLASSES: [&str; 6] = ["s-c0", "s-c1", "s-c2", "s-c3", "s-c4", "s-c5"];

#[component]
pub fn Statistics() -> impl IntoView {
    let stats = Resource::new(|| (), |_| get_threat_statistics(DAYS));
    view! {
        <Console title="Statistics">
            <p class="lead">
                {format!("Content scanning over the last {DAYS} days: requests through the proxies and guard API scans, all proxies.")}
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(s) => statistics_view(s).into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </Console>
    }
}

fn statistics_view(s: ThreatStatistics) -> impl IntoView {
    let by_type: Vec<Series> = s
        .by_type
        .into_iter()
        .enumerate()
        .map(|(i, (name, values))| Series { name, class: TYPE_CLASSES[i % TYPE_CLASSES.len()].into(), values })
        .collect();
    let actions: Vec<Series> =
        s.actions.into_iter().map(|(name, values)| Series { class: format!("s-{name}"), name, values }).collect();
    let mean_scan = if s.mean_scan.is_empty() { "–".to_string() } else { s.mean_scan };
    let top = s.top_types;
    view! {
        <div class="stats" data-testid="threat-totals">
            <div class="stat"><span class="value">{s.scanned}</span><span class="label">"Scanned"</span></div>
            <div class="stat"><span class="value">{s.flagged}</span><span class="label">"Flagged"</span></div>
            <div class="stat"><span class="value">{s.blocked}</span><span class="label">"Blocked"</span></div>
            <div class="stat"><span class="value">{mean_scan}</span><span class="label">"Mean guard scan time"</span></div>
        </div>
        <div class="charts" data-testid="threat-charts">
            <section class="card">
                <h2>"Threats per day, by type"</h2>
                <StackedBars title="Requests and scans with findings per day, by threat type".into() labels=s.days.clone()
                    series=by_type empty="No threats found in this period."/>
            </section>
            <section class="card">
                <h2>"Actions per day"</h2>
                <StackedBars title="Scanned requests and scans per day, by action".into() labels=s.days
                    series=actions empty="Nothing scanned in this period."/>
            </section>
        </div>
        <section class="card">
            <h2>"Top threat types"</h2>
            {if top.is_empty() {
                view! { <p class="empty">"No threats found in this period — the list fills in as scanning catches something."</p> }.into_any()
            } else {
                view! {
                    <table class="data compact" data-testid="top-threat-types">
                        <thead><tr><th>"Type"</th><th>"Requests and scans"</th></tr></thead>
                        <tbody>
                            {top.into_iter().map(|(t, n)| view! { <tr><td class="mono">{t}</td><td class="num">{n}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
