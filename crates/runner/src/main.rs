//! baton-runner: serves a Spin app (spin.toml) on wasmtime the way `spin up`
//! does, so Baton runs and is tested without the Spin CLI.

mod allowed_hosts;
mod app;
mod bindings;
mod body_limit;
mod engine;
mod key_value;
mod listener;
mod manifest;
mod outbound_http;
mod routes;
mod server;
mod spin_build;
mod sqlite;
mod state;
mod variables;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "baton-runner",
    version,
    about = "Serve a Spin app on wasmtime, like `spin up`"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run each component's build command, like `spin build`.
    Build {
        /// The application manifest.
        #[arg(short = 'f', long = "from", default_value = "spin.toml")]
        file: PathBuf,
        /// Build only these components (repeatable).
        #[arg(short = 'c', long = "component-id")]
        components: Vec<String>,
        /// Run the app once the build succeeds.
        #[arg(short = 'u', long = "up")]
        up: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Serve the app, like `spin up`.
    Up {
        /// The application manifest.
        #[arg(short = 'f', long = "from", default_value = "spin.toml")]
        file: PathBuf,
        /// Build the components first.
        #[arg(long)]
        build: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SPIN_HTTP_LISTEN_ADDR", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Where SQLite and key-value data live (default: .spin beside spin.toml;
    /// an empty value keeps everything in memory).
    #[arg(long = "state-dir")]
    state_dir: Option<String>,
    /// Set an application variable: NAME=VALUE or NAME=@file (repeatable).
    #[arg(long = "variable")]
    variables: Vec<String>,
    /// Directory for compiled-component cache (default: ~/.cache/baton-runner;
    /// empty disables it).
    #[arg(long = "cache-dir", env = "BATON_RUNNER_CACHE")]
    cache_dir: Option<String>,
    /// Most connections open at once; at the cap the longest-idle one is
    /// closed, or accepting waits if all are busy (default: 1024, lowered
    /// to fit the open-files limit).
    #[arg(long = "max-connections", env = "BATON_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a client has to send a request's head.
    #[arg(long = "header-read-timeout", default_value = "10", value_parser = seconds)]
    header_read_timeout: std::time::Duration,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(long = "idle-timeout", default_value = "5", value_parser = seconds)]
    idle_timeout: std::time::Duration,
    /// Largest request body, in bytes, for components whose
    /// `[component.<id>.tool.baton-runner]` sets no `max_request_body_bytes`.
    #[arg(long = "max-request-body-bytes", default_value_t = body_limit::DEFAULT_MAX_REQUEST_BODY_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    max_request_body_bytes: u64,
}

fn seconds(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("{s}: expected seconds between 0 and 86400"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Build {
            file,
            components,
            up,
            serve,
        } => {
            let loaded = manifest::load(&file)?;
            spin_build::build(&loaded, &components)?;
            if up {
                return up_blocking(&loaded, serve);
            }
            Ok(())
        }
        Cmd::Up { file, build, serve } => {
            let loaded = manifest::load(&file)?;
            if build {
                spin_build::build(&loaded, &[])?;
            }
            up_blocking(&loaded, serve)
        }
    }
}

fn up_blocking(loaded: &manifest::LoadedManifest, args: ServeArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(up(loaded, args))
}

async fn up(loaded: &manifest::LoadedManifest, args: ServeArgs) -> Result<()> {
    let state_dir = match args.state_dir.as_deref() {
        Some("") => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(loaded.dir.join(".spin")),
    };
    let cache_dir = match args.cache_dir.as_deref() {
        Some("") => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => engine::cache_dir(),
    };
    let opts = app::Options {
        state_dir: state_dir.clone(),
        cli_variables: parse_variables(&args.variables)?,
        cache_dir,
        max_request_body_bytes: args.max_request_body_bytes,
    };
    let limits = connection_limits(&args);
    let engine = engine::new_engine()?;
    let started = std::time::Instant::now();
    let (app, warnings) = app::load(loaded, &engine, &opts)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let _ = app.listen_addr.set(addr);
    let app = Arc::new(app);
    match &state_dir {
        Some(dir) => println!(
            "Storing default SQLite and key-value data in {}",
            dir.display()
        ),
        None => println!("Storing SQLite and key-value data in memory (no state dir)"),
    }
    println!(
        "Loaded {} component(s) in {} ms",
        app.components.len(),
        started.elapsed().as_millis()
    );
    println!("Serving http://{addr}");
    println!("Available Routes:");
    for (id, route) in loaded.manifest.trigger.http.iter().filter_map(|t| {
        let manifest::RouteConfig::Route(r) = &t.route else {
            return None;
        };
        Some((
            t.component.clone().unwrap_or_else(|| "(static)".into()),
            r.clone(),
        ))
    }) {
        println!("  {id}: http://{addr}{route}");
    }
    server::serve(app, listener, limits, shutdown_signal()).await?;
    println!("Stopped.");
    Ok(())
}

/// The listener's limits: the flags, with the default connection cap
/// lowered to what the open-files limit (raised to its hard limit) allows.
fn connection_limits(args: &ServeArgs) -> listener::Limits {
    let file_limit = listener::raise_file_limit();
    let fitting = file_limit.map(listener::connections_for_file_limit);
    let max_connections = match (args.max_connections, fitting) {
        (Some(n), Some(fit)) if n > fit => {
            eprintln!(
                "warning: --max-connections {n} exceeds what the open-files limit ({}) leaves room for ({fit}); accepts may fail with EMFILE",
                file_limit.unwrap_or(0)
            );
            n
        }
        (Some(n), _) => n,
        (None, Some(fit)) => listener::DEFAULT_MAX_CONNECTIONS.min(fit),
        (None, None) => listener::DEFAULT_MAX_CONNECTIONS,
    };
    listener::Limits {
        max_connections: max_connections.max(1),
        header_read_timeout: args.header_read_timeout,
        idle_timeout: args.idle_timeout,
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn parse_variables(items: &[String]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for item in items {
        let Some((name, value)) = item.split_once('=') else {
            bail!("--variable {item:?}: expected NAME=VALUE");
        };
        let value = match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("--variable {name}: cannot read {path}"))?,
            None => value.to_string(),
        };
        out.insert(name.to_string(), value);
    }
    Ok(out)
}
