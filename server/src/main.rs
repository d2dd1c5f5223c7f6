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
    /// Scan text from stdin and print the verdict as JSON (the guard API's
    /// scan-content answer). With --jsonl, each input line is a JSON object
    /// with `text` (and optional `source`) and each output line its verdict.
    Scan {
        #[arg(long, value_enum, default_value_t = Level::Medium)]
        level: Level,
        #[arg(long, value_enum, default_value_t = SourceArg::UserInput)]
        source: SourceArg,
        #[arg(long)]
        jsonl: bool,
    },
    /// Serve the built-in mock LLM on its own address.
    MockLlm {
        #[arg(long, default_value = "127.0.0.1:9100")]
        addr: std::net::SocketAddr,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Level {
    Low,
    Medium,
    High,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SourceArg {
    UserInput,
    ToolOutput,
    Document,
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
        Command::Scan { level, source, jsonl } => scan(level, source, jsonl),
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

/// `rampart scan`: offline verdicts, for evaluating rampart on your own data.
fn scan(level: Level, source: SourceArg, jsonl: bool) -> Result<(), String> {
    use std::io::{BufRead, Read, Write};
    let level = match level {
        Level::Low => engine::ThreatLevel::Low,
        Level::Medium => engine::ThreatLevel::Medium,
        Level::High => engine::ThreatLevel::High,
    };
    let default_source = match source {
        SourceArg::UserInput => engine::Source::UserInput,
        SourceArg::ToolOutput => engine::Source::ToolOutput,
        SourceArg::Document => engine::Source::Document,
    };
    let scanner = engine::Scanner::new(&engine::ScannerConfig::with_level(level)).map_err(|e| e.to_string())?;
    let verdict_of = |text: String, source: engine::Source| {
        let started = std::time::Instant::now();
        let verdict = scanner.scan(&text, source);
        server::guard::content_verdict(&verdict, text, started.elapsed().as_secs_f64() * 1000.0)
    };
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let write_err = |e: std::io::Error| format!("could not write to stdout: {e}");
    if !jsonl {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map_err(|e| format!("stdin is not UTF-8 text: {e}"))?;
        writeln!(out, "{}", verdict_of(text, default_source)).map_err(write_err)?;
        return out.flush().map_err(write_err);
    }
    #[derive(serde::Deserialize)]
    struct Line {
        text: String,
        #[serde(default)]
        source: Option<String>,
    }
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let source = match parsed.source.as_deref() {
            Some(s) => s.parse().map_err(|_| format!("line {}: unknown source `{s}`", n + 1))?,
            None => default_source,
        };
        writeln!(out, "{}", verdict_of(parsed.text, source)).map_err(write_err)?;
    }
    out.flush().map_err(write_err)
}
