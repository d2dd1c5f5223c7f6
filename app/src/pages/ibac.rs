//! Intent-based access control: which proxies challenge data-access
//! requests, each proxy's categories and verification, a test box, and how
//! challenges fared.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::ibac::{
    get_challenge_analytics, get_ibac_settings, list_ibac_proxies, ChallengeAnalytics, DeleteIbacCategory, IbacTest,
    IbacView, RotateIbacWebhookSecret, SaveIbacCategory, TestIbacPrompt, UpdateIbacSettings, ACTIONS,
};
use crate::api::{take_created_key, CreatedKey};
use crate::chart::{Series, StackedBars};
use crate::components::{action_error, Choice, Console, ErrorNote, SecretBox};

/// Days of challenge history the pages chart.
const DAYS: u32 = 14;

#[component]
pub fn Ibac() -> impl IntoView {
    let proxies = Resource::new(|| (), |_| list_ibac_proxies());
    let analytics = Resource::new(|| (), |_| get_challenge_analytics(String::new(), DAYS));
    view! {
        <Console title="IBAC">
            <p class="lead">
                "Intent-based access control stops requests that ask for an end user's own data — orders, "
                "account details, payment data, customer records — before the model sees them, and lets them "
                "through once the application has verified the user."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match proxies.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No proxies yet — "<a href="/proxies">"add one"</a>" first."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="data">
                                <thead><tr><th>"Proxy"</th><th>"IBAC"</th><th>"Verification"</th><th>"Custom categories"</th><th>"Challenge lifetime"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|p| view! {
                                        <tr>
                                            <td><a href=format!("/ibac/{}", p.id)>{p.name}</a></td>
                                            <td>{on_off(p.enabled)}</td>
                                            <td>{p.verification}</td>
                                            <td>{p.custom_categories}</td>
                                            <td>{format_ttl(p.challenge_ttl_secs)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <h2 class="section">{format!("Challenges in the last {DAYS} days, all proxies")}</h2>
            <Analytics analytics/>
        </Console>
    }
}

fn on_off(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <span class="badge challenge">"on"</span> }.into_any()
    } else {
        view! { <span class="badge off">"off"</span> }.into_any()
    }
}

fn format_ttl(secs: u64) -> String {
    if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[component]
pub fn IbacProxy() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateIbacSettings>::new();
    let save_category = ServerAction::<SaveIbacCategory>::new();
    let delete_category = ServerAction::<DeleteIbacCategory>::new();
    let rotate = ServerAction::<RotateIbacWebhookSecret>::new();
    let test = ServerAction::<TestIbacPrompt>::new();
    let settings = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                save_category.version().get(),
                delete_category.version().get(),
                rotate.version().get(),
            )
        },
        |(id, ..)| get_ibac_settings(id),
    );
    let analytics = Resource::new(id, |id| get_challenge_analytics(id, DAYS));
    let flashed = Resource::new(|| (), |_| take_created_key());
    view! {
        <Console title="IBAC settings">
            <p><a href="/ibac">"← All proxies"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(v) => {
                            let (proxy_id, secret_set) = (v.proxy_id.clone(), v.webhook_secret_set);
                            view! {
                            <SettingsForm v=v.clone() update/>
                            <section class="card">
                                <h2>"Webhook signing secret"</h2>
                                <p class="muted">
                                    {if secret_set { "A secret is stored (encrypted). " } else { "No secret is stored yet. " }}
                                    "rampart signs each verification request with it (the Standard Webhooks headers); your endpoint checks the signature."
                                </p>
                                <ActionForm action=rotate>
                                    <input type="hidden" name="proxy_id" value=proxy_id/>
                                    <button type="submit">{if secret_set { "Generate a new secret" } else { "Generate a secret" }}</button>
                                </ActionForm>
                            </section>
                            <CustomCategories v save_category delete_category/>
                        }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {action_error(update.value())}
            {move || matches!(update.value().get(), Some(Ok(_))).then(|| view! { <p class="ok" role="status">"Saved."</p> })}
            {action_error(rotate.value())}
            {move || rotate.value().get().and_then(Result::ok).map(secret_box)}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { flashed.await.ok().flatten().map(secret_box) })}
            </Suspense>
            <TestBox id=Signal::derive(id) test/>
            <h2 class="section">{format!("Challenges in the last {DAYS} days")}</h2>
            <Analytics analytics/>
        </Console>
    }
}

fn secret_box(created: CreatedKey) -> impl IntoView {
    view! { <SecretBox label=created.name value=created.key testid="new-webhook-secret"/> }
}

#[component]
fn SettingsForm(v: IbacView, update: ServerAction<UpdateIbacSettings>) -> impl IntoView {
    let secret_placeholder =
        if v.webhook_secret_set { "a secret is stored — type to replace it" } else { "at least 16 characters" };
    view! {
        <section class="card">
            <h2>{format!("Proxy “{}”", v.proxy_name)}</h2>
            <ActionForm action=update>
                <input type="hidden" name="proxy_id" value=v.proxy_id.clone()/>
                <label class="check">
                    <input type="checkbox" name="enabled" value="on" checked=v.enabled/>
                    " Challenge data-access requests through this proxy"
                </label>
                <table class="data compact">
                    <thead><tr><th>"Category"</th><th>"On"</th><th>"Action"</th><th>"Threshold (0–1)"</th></tr></thead>
                    <tbody>
                        {v.categories.into_iter().map(|c| {
                            let on = format!("{}_enabled", c.name);
                            let action = format!("{}_action", c.name);
                            let threshold = format!("{}_threshold", c.name);
                            view! {
                                <tr>
                                    <td><label for=on.clone()>{c.label}</label>" "<span class="mono muted">{c.name.clone()}</span></td>
                                    <td><input type="checkbox" id=on.clone() name=on value="on" checked=c.enabled/></td>
                                    <td><Choice name=action selected=c.action options=ACTIONS.to_vec() label=format!("Action for {}", c.name)/></td>
                                    <td><input type="number" name=threshold.clone() aria-label=format!("Threshold for {}", c.name)
                                        min="0" max="1" step="0.05" value=c.threshold.to_string() required/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="grid-form">
                    <label for="verification">"Verification"</label>
                    <select id="verification" name="verification">
                        <option value="trust" selected=v.verification == "trust">"Trust — the application's word that it verified the user"</option>
                        <option value="webhook" selected=v.verification == "webhook">"Webhook — ask your endpoint, signed; only {\"verified\": true} passes"</option>
                    </select>
                    <label for="webhook_url">"Webhook URL"</label>
                    <input id="webhook_url" name="webhook_url" class="mono" value=v.webhook_url placeholder="https://auth.example.com/rampart/verify"/>
                    <label for="webhook_secret">"Webhook secret"</label>
                    <input id="webhook_secret" name="webhook_secret" type="password" autocomplete="off" placeholder=secret_placeholder/>
                    <label for="webhook_timeout_ms">"Webhook timeout (ms)"</label>
                    <input id="webhook_timeout_ms" name="webhook_timeout_ms" inputmode="numeric" value=v.webhook_timeout_ms.to_string()/>
                    <label for="challenge_ttl_secs">"Challenge lifetime (s)"</label>
                    <input id="challenge_ttl_secs" name="challenge_ttl_secs" inputmode="numeric" value=v.challenge_ttl_secs.to_string()/>
                    <button type="submit" class="primary">"Save settings"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn CustomCategories(
    v: IbacView,
    save_category: ServerAction<SaveIbacCategory>,
    delete_category: ServerAction<DeleteIbacCategory>,
) -> impl IntoView {
    let proxy_id = v.proxy_id.clone();
    view! {
        <section class="card">
            <h2>"Custom categories"</h2>
            {if v.custom.is_empty() {
                view! { <p class="empty">"No custom categories — add your own data kinds below (loyalty points, prescriptions, ticket numbers)."</p> }.into_any()
            } else {
                view! {
                    <table class="data" data-testid="custom-categories">
                        <thead><tr><th>"Name"</th><th>"Patterns"</th><th>"Kind"</th><th>"Threshold"</th><th>"Action"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {v.custom.into_iter().map(|c| {
                                let proxy_id = proxy_id.clone();
                                let badge = format!("badge {}", badge_class(&c.action));
                                view! {
                                    <tr>
                                        <td class="mono">{c.name.clone()}</td>
                                        <td class="mono patterns">{c.patterns.join("\n")}</td>
                                        <td>{if c.is_regex { "regex" } else { "phrases" }}</td>
                                        <td>{c.threshold}</td>
                                        <td><span class=badge>{c.action}</span></td>
                                        <td>
                                            <ActionForm action=delete_category>
                                                <input type="hidden" name="proxy_id" value=proxy_id/>
                                                <input type="hidden" name="name" value=c.name/>
                                                <button type="submit" class="danger">"Delete"</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Add or replace a category"</h3>
            <ActionForm action=save_category attr:class="grid-form">
                <input type="hidden" name="proxy_id" value=v.proxy_id/>
                <label for="cat-name">"Name"</label>
                <input id="cat-name" name="name" class="mono" required maxlength="64" placeholder="loyalty_points"/>
                <label for="cat-patterns">"Patterns, one per line"</label>
                <textarea id="cat-patterns" name="patterns" class="mono" rows="4" required placeholder="loyalty points\nreward balance"></textarea>
                <label for="cat-regex">"Patterns are regular expressions"</label>
                <input id="cat-regex" name="is_regex" type="checkbox" value="on"/>
                <label for="cat-threshold">"Threshold (0–1)"</label>
                <input id="cat-threshold" name="threshold" type="number" min="0" max="1" step="0.05" value="0.6" required/>
                <label for="cat-action">"Action"</label>
                <Choice name="action".into() id="cat-action".into() selected="challenge_required".into() options=ACTIONS.to_vec()/>
                <label for="cat-message">"Message to the end user"</label>
                <input id="cat-message" name="message" maxlength="300" placeholder="optional — “Authentication required to access loyalty_points.” by default"/>
                <button type="submit" class="primary">"Save category"</button>
            </ActionForm>
            {action_error(save_category.value())}
            {action_error(delete_category.value())}
        </section>
    }
}

fn badge_class(action: &str) -> &'static str {
    match action {
        "block" => "block",
        "allow" => "allow",
        _ => "challenge",
    }
}

#[component]
fn TestBox(id: Signal<String>, test: ServerAction<TestIbacPrompt>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Test a prompt"</h2>
            <p class="muted">"Runs this proxy's saved categories on the text and shows what each one made of it. Nothing is sent upstream or recorded."</p>
            <ActionForm action=test>
                <input type="hidden" name="proxy_id" value=id/>
                <label for="test-text">"Prompt"</label>
                <textarea id="test-text" name="text" rows="3" required maxlength="65536" placeholder="What's the credit card on file for my account?"></textarea>
                <button type="submit" class="primary">"Test"</button>
            </ActionForm>
            {action_error(test.value())}
            {move || test.value().get().and_then(Result::ok).map(test_result)}
        </section>
    }
}

fn test_result(t: IbacTest) -> impl IntoView {
    let decision = match (&t.decision, t.ibac_enabled) {
        (Some((category, action, message)), enabled) => {
            let verb = match action.as_str() {
                "block" => "be blocked",
                "allow" => "go through (recorded)",
                _ => "be challenged",
            };
            let note = (!enabled).then_some(" — IBAC is off for this proxy, so today it goes through.");
            view! {
                <p class="decision" data-testid="ibac-decision">
                    <span class=format!("badge {}", badge_class(action))>{action.clone()}</span>
                    " Would "{verb}" as "<strong class="mono">{category.clone()}</strong>": “"{message.clone()}"”"{note}
                </p>
            }
            .into_any()
        }
        (None, _) => view! {
            <p class="decision" data-testid="ibac-decision"><span class="badge allow">"allow"</span>" No category reaches its threshold: the request goes through."</p>
        }
        .into_any(),
    };
    view! {
        <div class="test-result">
            {decision}
            <table class="data compact" data-testid="ibac-explain">
                <thead><tr><th>"Category"</th><th>"Confidence"</th><th>"Threshold"</th><th>"Evidence"</th></tr></thead>
                <tbody>
                    {t.rows.into_iter().map(|r| {
                        let pct = (r.confidence.clamp(0.0, 1.0) * 100.0).round();
                        view! {
                            <tr class:fires=r.fires>
                                <td class="mono">{r.category}{r.fires.then_some(" ✔")}</td>
                                <td class="nowrap">
                                    <meter min="0" max="1" value=r.confidence low=r.threshold high=r.threshold optimum="0"></meter>
                                    " "{format!("{pct:.0} %")}
                                </td>
                                <td>{r.threshold}</td>
                                <td class="evidence">
                                    {r.segments.into_iter().map(|s| match s.cue {
                                        Some(cue) => {
                                            let title = cue.clone();
                                            view! { <mark class:negative=s.negative title=title>{s.text}<sub>{cue}</sub></mark> }.into_any()
                                        }
                                        None => view! { <span>{s.text}</span> }.into_any(),
                                    }).collect_view()}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Per-category colours for the issued chart, in a fixed order.
const CATEGORY_CLASSES: [&str; 6] = ["s-c0", "s-c1", "s-c2", "s-c3", "s-c4", "s-c5"];

#[component]
fn Analytics(analytics: Resource<Result<ChallengeAnalytics, crate::error::AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match analytics.await {
                    Ok(a) => analytics_view(a).into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn analytics_view(a: ChallengeAnalytics) -> impl IntoView {
    let issued: Vec<Series> = a
        .issued_by_category
        .into_iter()
        .enumerate()
        .map(|(i, (name, values))| Series { name, class: CATEGORY_CLASSES[i % CATEGORY_CLASSES.len()].into(), values })
        .collect();
    let outcomes: Vec<Series> =
        a.outcomes.into_iter().map(|(name, values)| Series { class: format!("s-{name}"), name, values }).collect();
    let empty = "No challenges in this period.";
    view! {
        <div class="charts" data-testid="challenge-analytics">
            <section class="card">
                <h3>"Issued per day, by category"</h3>
                <StackedBars title="Challenges issued per day by category".into() labels=a.days.clone() series=issued empty=empty/>
            </section>
            <section class="card">
                <h3>"Outcomes per day"</h3>
                <StackedBars title="Challenge outcomes per day".into() labels=a.days series=outcomes empty=empty/>
            </section>
        </div>
        {(!a.totals.is_empty()).then(|| view! {
            <table class="data">
                <thead><tr><th>"Category"</th><th>"Issued"</th><th>"Verified"</th><th>"Failed"</th><th>"Expired"</th><th>"Pending"</th></tr></thead>
                <tbody>
                    {a.totals.into_iter().map(|t| view! {
                        <tr>
                            <td class="mono">{t.category}</td>
                            <td>{t.issued}</td>
                            <td>{t.verified}</td>
                            <td>{t.failed}</td>
                            <td>{t.expired}</td>
                            <td>{t.pending}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}
