use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{get_signup_open, LogIn};
use crate::components::action_error;

#[component]
pub fn Login() -> impl IntoView {
    let log_in = ServerAction::<LogIn>::new();
    let signup_open = Resource::new(|| (), |_| get_signup_open());
    view! {
        <Title text="Log in"/>
        <main class="centered">
            <div class="card auth">
                <div class="brand">"rampart"</div>
                <h1>"Log in"</h1>
                <ActionForm action=log_in>
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <button type="submit" class="primary">"Log in"</button>
                </ActionForm>
                {action_error(log_in.value())}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        matches!(signup_open.await, Ok(true)).then(|| view! {
                            <p class="muted">"No organization yet? " <a href="/signup">"Create one"</a></p>
                        })
                    })}
                </Suspense>
            </div>
        </main>
    }
}
