use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{get_signup_open, SignUp as SignUpAction};
use crate::components::action_error;

#[component]
pub fn SignUp() -> impl IntoView {
    let sign_up = ServerAction::<SignUpAction>::new();
    let open = Resource::new(|| (), |_| get_signup_open());
    view! {
        <Title text="Create your organization"/>
        <main class="centered">
            <div class="card auth">
                <div class="brand">"rampart"</div>
                <h1>"Create your organization"</h1>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match open.await {
                            Ok(true) => view! {
                                <ActionForm action=sign_up>
                                    <label for="org_name">"Organization name"</label>
                                    <input id="org_name" name="org_name" required maxlength="100"/>
                                    <label for="email">"Email"</label>
                                    <input id="email" name="email" type="email" autocomplete="username" required/>
                                    <label for="password">"Password (at least 10 characters)"</label>
                                    <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required/>
                                    <button type="submit" class="primary">"Create organization"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <p>"This rampart already has an organization. Ask its owner for an account, or "
                                   <a href="/login">"log in"</a>"."</p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
                {action_error(sign_up.value())}
            </div>
        </main>
    }
}
