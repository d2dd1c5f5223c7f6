//! The dashboard's error type, shared by server functions and pages.

use serde::{Deserialize, Serialize};
use server_fn_error::ServerFnErrorErr;

// Re-exported under a local name so the derive below reads clearly.
mod server_fn_error {
    pub use leptos::server_fn::error::ServerFnErrorErr;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Please log in again.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("{0} not found.")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many failed attempts. Try again in {0} minutes.")]
    TooManyAttempts(u64),
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::Invalid(m)
            }
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => AppError::Transport(m),
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound(what) => AppError::NotFound(capitalise(what)),
            store::StoreError::Conflict(what) => AppError::Conflict(format!("That {what} already exists.")),
            // The store words these for users: pass them on, as a sentence.
            store::StoreError::Invalid(message) => {
                let mut message = capitalise(&message);
                if !message.ends_with('.') {
                    message.push('.');
                }
                AppError::Invalid(message)
            }
            other => {
                tracing::error!(error = %other, "store error in a dashboard request");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
