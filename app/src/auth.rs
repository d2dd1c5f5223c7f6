//! Sessions on the server side: the signed cookie, resolving it into the
//! signed-in user, and the context the server hands to every server function.

use std::sync::Arc;
use std::time::Duration;

use store::crypto::MasterKey;
use store::users::Role;
use store::{Secret, Store};

use crate::error::AppError;

pub const SESSION_COOKIE: &str = "rampart_session";

/// What the server provides to every server function and page render.
#[derive(Clone)]
pub struct Backend {
    pub store: Store,
    pub master: MasterKey,
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    /// Tells the proxy to reload its configuration snapshot.
    pub config_changed: Arc<dyn Fn() + Send + Sync>,
    /// Secrets created by a form posted without JavaScript, held for the one
    /// page view that shows them (see [`Flash`]).
    pub flash: Flash,
    /// Failed log-ins per account, to slow down password guessing.
    pub logins: LoginLimiter,
    /// Refuses a webhook URL (an org endpoint's or an IBAC verification
    /// webhook's) that the server's outbound policy would never call: not
    /// http(s), or an IP address it does not let webhooks reach. Host names
    /// are checked each time they are called. The reason is fit to show.
    pub check_webhook_url: WebhookUrlCheck,
}

/// See [`Backend::check_webhook_url`].
pub type WebhookUrlCheck = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

impl Backend {
    /// [`Backend::check_webhook_url`], as the dashboard's error (400).
    pub fn webhook_url_allowed(&self, url: &str) -> Result<(), AppError> {
        (self.check_webhook_url)(url).map_err(|reason| AppError::from(store::StoreError::Invalid(reason)))
    }
}

/// Counts failed log-ins per email address in a fixed window. Once an
/// address has [`LoginLimiter::MAX_FAILURES`] failures, every attempt on it
/// is refused until the window ends, right password or not, so guessing
/// gets at most that many tries per window. Kept in memory: each instance
/// counts on its own, and a restart forgets.
#[derive(Clone, Default)]
pub struct LoginLimiter(Arc<std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>>);

impl LoginLimiter {
    pub const MAX_FAILURES: u32 = 10;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Addresses tracked at most; beyond it, finished windows are dropped.
    const MAX_TRACKED: usize = 100_000;

    fn key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    /// `Err(minutes)` while the address is locked out.
    pub fn check(&self, email: &str) -> Result<(), u64> {
        let Ok(map) = self.0.lock() else { return Ok(()) };
        match map.get(&Self::key(email)) {
            Some((n, since)) if *n >= Self::MAX_FAILURES && since.elapsed() < Self::WINDOW => {
                Err((Self::WINDOW - since.elapsed()).as_secs().div_ceil(60).max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&self, email: &str) {
        let Ok(mut map) = self.0.lock() else { return };
        if map.len() >= Self::MAX_TRACKED {
            map.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        }
        let entry = map.entry(Self::key(email)).or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed() >= Self::WINDOW {
            *entry = (0, std::time::Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
    }

    pub fn succeeded(&self, email: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&Self::key(email));
        }
    }
}

/// One-shot, in-memory hand-over of a just-created secret from a plain form
/// post to the page the browser is redirected to. Entries are keyed by the
/// session, taken on first read and expire after a minute; nothing is stored
/// on disk.
#[derive(Clone, Default)]
pub struct Flash(Arc<std::sync::Mutex<std::collections::HashMap<String, FlashEntry>>>);

struct FlashEntry {
    secret: Secret<String>,
    name: String,
    at: std::time::Instant,
}

impl Flash {
    const TTL: Duration = Duration::from_secs(60);

    pub fn put(&self, session: &CurrentSession, name: String, secret: Secret<String>) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, e| e.at.elapsed() < Self::TTL);
            let entry = FlashEntry { secret, name, at: std::time::Instant::now() };
            map.insert(session.user_id.clone() + session.raw_id.expose(), entry);
        }
    }

    pub fn take(&self, session: &CurrentSession) -> Option<(String, Secret<String>)> {
        let mut map = self.0.lock().ok()?;
        let e = map.remove(&(session.user_id.clone() + session.raw_id.expose()))?;
        (e.at.elapsed() < Self::TTL).then_some((e.name, e.secret))
    }
}

/// The signed-in user, resolved by the server's session middleware and put
/// in the request's extensions.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub user_id: String,
    pub email: String,
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
    /// The raw session id, to delete it at log-out.
    pub raw_id: Secret<String>,
}

/// `<raw id>.<signature>`: the signature stops forged ids before any lookup.
pub fn cookie_value(master: &MasterKey, raw_id: &str) -> String {
    format!("{raw_id}.{}", master.sign(raw_id))
}

/// The `Set-Cookie` header for a new session.
pub fn session_cookie(backend: &Backend, raw_id: &str) -> String {
    let secure = if backend.cookie_secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        cookie_value(&backend.master, raw_id),
        backend.session_ttl.as_secs()
    )
}

/// The `Set-Cookie` header that removes the session cookie.
pub fn clear_cookie(backend: &Backend) -> String {
    let secure = if backend.cookie_secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The verified raw session id from a `Cookie` header, if any.
pub fn raw_session_id(master: &MasterKey, cookie_header: &str) -> Option<String> {
    cookie_header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(name, _)| *name == SESSION_COOKIE)
        .find_map(|(_, value)| {
            let (raw, sig) = value.rsplit_once('.')?;
            master.verify(raw, sig).then(|| raw.to_string())
        })
}

/// Resolves a `Cookie` header into the signed-in user.
pub async fn resolve(
    store: &Store,
    master: &MasterKey,
    cookie_header: &str,
) -> Result<Option<CurrentSession>, store::StoreError> {
    let Some(raw) = raw_session_id(master, cookie_header) else { return Ok(None) };
    let Some(v) = store.get_session_view(&raw).await? else { return Ok(None) };
    Ok(Some(CurrentSession {
        user_id: v.user_id,
        email: v.email,
        org_id: v.org_id,
        org_name: v.org_name,
        role: v.role,
        raw_id: Secret::new(raw),
    }))
}

/// The backend context inside a server function.
pub fn backend() -> Result<Backend, AppError> {
    leptos::prelude::use_context::<Backend>().ok_or(AppError::Internal)
}

/// The signed-in user inside a server function or page render.
pub fn current() -> Result<CurrentSession, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentSession>().cloned())
        .ok_or(AppError::Unauthorized)
}

/// Like [`current`], for actions that change the org's configuration.
pub fn current_admin() -> Result<CurrentSession, AppError> {
    let s = current()?;
    match s.role {
        Role::Owner | Role::Admin => Ok(s),
        Role::Member => Err(AppError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_locked_after_repeated_failures_and_others_are_not() {
        let limiter = LoginLimiter::default();
        for _ in 0..LoginLimiter::MAX_FAILURES - 1 {
            limiter.failed("Owner@Example.com");
        }
        assert_eq!(limiter.check("owner@example.com"), Ok(()), "one try is left");
        limiter.failed(" owner@example.com ");
        let minutes = limiter.check("OWNER@example.com").unwrap_err();
        assert!((1..=15).contains(&minutes), "{minutes}");
        assert_eq!(limiter.check("someone@example.com"), Ok(()));
        limiter.succeeded("owner@example.com");
        assert_eq!(limiter.check("owner@example.com"), Ok(()));
    }

    #[test]
    fn only_correctly_signed_cookies_resolve() {
        let master = MasterKey::derive(&Secret::new("k".repeat(40)));
        let value = cookie_value(&master, "ses_abc");
        let header = format!("theme=dark; {SESSION_COOKIE}={value}");
        assert_eq!(raw_session_id(&master, &header).as_deref(), Some("ses_abc"));
        let forged = format!("{SESSION_COOKIE}=ses_other.{}", value.rsplit_once('.').unwrap().1);
        assert_eq!(raw_session_id(&master, &forged), None);
        let other = MasterKey::derive(&Secret::new("x".repeat(40)));
        assert_eq!(raw_session_id(&other, &header), None);
        assert_eq!(raw_session_id(&master, "rampart_session=nodot"), None);
    }
}
