//! The `rampart` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::{Config, RawConfig};
use store::Secret;

#[derive(Parser)]
#[command(name = "rampart", version, about = "A self-hosted security gateway for LLM traffic.")]
struct Cli {
    /// A TOML configuration file; environment variables override it.
    #[arg(long, global = true, env = "RAMPART_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway and its dashboard (default 127.0.0.1:3000).
    Serve,
    /// Create (or reuse) an org, its owner and a default mock proxy, mint a
    /// fresh API key, and print {"org_id","proxy_id","api_key"} as JSON.
    Bootstrap {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// The owner's password (at least 10 characters).
        #[arg(long, env = "RAMPART_BOOTSTRAP_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Serve the built-in mock LLM on its own address.
    MockLlm {
        #[arg(long, default_value = "127.0.0.1:9100")]
        addr: std::net::SocketAddr,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rampart: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rampart: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RAMPART_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn load_config(file: Option<&std::path::Path>) -> Result<Config, String> {
    RawConfig::load(file, |k| std::env::var(k).ok())
        .and_then(RawConfig::validate)
        .map_err(|e| format!("configuration error: {e}"))
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve => {
            let config = load_config(cli.config.as_deref())?;
            let listener = server::bind(&config).await.map_err(|e| e.to_string())?;
            let running = server::start(config).await.map_err(|e| e.to_string())?;
            tracing::info!(addr = %running.state.config.addr, "rampart is ready");
            let shutdown = running.shutdown.clone();
            tokio::spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutting down");
                shutdown.cancel();
            });
            let served = server::serve(&running, listener).await;
            running.stop().await;
            served.map_err(|e| e.to_string())
        }
        Command::Bootstrap { org, email, password } => {
            let mut config = load_config(cli.config.as_deref())?;
            if config.database_url.expose().starts_with("sqlite:") {
                config.ensure_data_dir().map_err(|e| e.to_string())?;
            }
            let secret = config.resolve_secret_key().map_err(|e| e.to_string())?;
            let master = store::crypto::MasterKey::derive(&secret);
            let store = store::Store::connect(config.database_url.expose()).await.map_err(|e| e.to_string())?;
            let done = server::bootstrap::run(&store, &master, &org, &email, Secret::new(password))
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            write_stdout(&server::bootstrap::to_json(&done))
        }
        Command::MockLlm { addr } => {
            let listener =
                tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("could not listen on {addr}: {e}"))?;
            tracing::info!(%addr, "mock LLM is ready");
            axum::serve(listener, server::mock_llm::router())
                .with_graceful_shutdown(wait_for_signal())
                .await
                .map_err(|e| e.to_string())
        }
    }
}

fn write_stdout(line: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|_| out.flush()).map_err(|e| format!("could not write to stdout: {e}"))
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
