//! The HTTP trigger: route each request as Spin does, add Spin's request
//! headers, run it in a fresh instance of the matched component, and answer
//! 404 / 500 / `/.well-known/spin/*` the way Spin does.

use crate::body_limit::{self, LimitedBody};
use crate::listener::{self, BusyGuard, Limits};
use crate::outbound_http::OutboundHooks;
use crate::routes::{RouteMatch, param_header_name};
use crate::state::{App, ComponentRuntime, HostState, Target};
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, SizeHint};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;
use tokio::net::TcpListener;
use wasmtime::Store;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpView};

const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";
const CHAINED_CLIENT_ADDR: &str = "0.0.0.0:0";

/// Route facts for the Spin headers of one request.
struct Routed {
    full_url: String,
    path_info: String,
    matched_route: String,
    raw_route: String,
    component_route: String,
    client_addr: String,
    params: Vec<(String, String)>,
}

pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
    listener::run(listener, limits, shutdown, |accepted| {
        let app = app.clone();
        let peer = accepted.peer;
        let state = accepted.state;
        let service = hyper::service::service_fn(move |req| {
            // The request counts as in progress until its response body ends.
            let busy = state.start_request();
            let app = app.clone();
            async move {
                let response = handle(app, req, peer).await;
                Ok::<_, std::convert::Infallible>(response.map(|body| Guarded {
                    inner: body,
                    _busy: busy,
                }))
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(accepted.stream), service)
            .into_owned();
        let mut stop = accepted.stop;
        async move {
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|stopping| *stopping) => {}
            }
            // Shutdown: finish what is in progress, close when idle.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    })
    .await;
    Ok(())
}

/// A response body that keeps its connection marked busy until it ends.
struct Guarded {
    inner: HyperOutgoingBody,
    _busy: BusyGuard,
}

impl Body for Guarded {
    type Data = Bytes;
    type Error = <HyperOutgoingBody as Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

async fn handle<B>(app: Arc<App>, req: Request<B>, peer: SocketAddr) -> Response<HyperOutgoingBody>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    let started = Instant::now();
    let method = req.method().clone();
    let (label, log_path, response) = dispatch(&app, req, peer).await;
    // The route template, never the path itself or its query: paths carry
    // secrets (webhook secrets, invitation and survey tokens).
    println!(
        "{method} {log_path} -> {label} {} {:.2}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Routes and runs one request: (log label, loggable path, response).
async fn dispatch<B>(
    app: &Arc<App>,
    mut req: Request<B>,
    peer: SocketAddr,
) -> (String, String, Response<HyperOutgoingBody>)
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    let path = req.uri().path().to_string();
    if let Some(rest) = path.strip_prefix(WELL_KNOWN_PREFIX) {
        let shown = match rest {
            "health" | "info" => path.clone(),
            _ => format!("{WELL_KNOWN_PREFIX}..."),
        };
        return ("(spin)".into(), shown, well_known(app, rest));
    }
    let Some(RouteMatch {
        value,
        raw_route,
        matched_route,
        component_route,
        path_info,
        params,
    }) = app.router.route(&path)
    else {
        return (
            "(no route)".into(),
            "(unmatched)".into(),
            plain(StatusCode::NOT_FOUND, ""),
        );
    };
    let component_id = match value {
        Target::Static(s) => return ("(static)".into(), matched_route, static_response(s)),
        Target::Component(id) => id.clone(),
    };
    let log_path = log_template(app, &component_id, &path, &matched_route);
    // Requests from outside must not impersonate a chained internal host.
    if req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| {
            h.split(':')
                .next()
                .unwrap_or("")
                .ends_with(".spin.internal")
        })
    {
        req.headers_mut().remove(http::header::HOST);
    }
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let routed = Routed {
        full_url: format!("http://{host}{path_and_query}"),
        path_info,
        matched_route,
        raw_route: raw_route.to_string(),
        component_route,
        client_addr: peer.to_string(),
        params,
    };
    let response = run_component(app, &component_id, req, routed).await;
    (component_id, log_path, response)
}

/// What the request log shows for a path: the component's finest matching
/// `log_routes` template, else the trigger route (both normalized, so
/// parameters show as `:name` and wildcards as `...`).
fn log_template(app: &App, component_id: &str, path: &str, matched_route: &str) -> String {
    app.components
        .get(component_id)
        .and_then(|c| c.config.log_routes.as_ref())
        .and_then(|routes| routes.route(path))
        .map_or_else(|| matched_route.to_string(), |m| m.matched_route)
}

/// Service chaining: routed as if it matched `/...` of the target component.
pub async fn handle_chained<B>(
    app: &Arc<App>,
    component_id: &str,
    req: Request<B>,
) -> Result<Response<HyperOutgoingBody>>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    if !app.components.contains_key(component_id) {
        return Err(anyhow!(
            "service chaining: the app has no component {component_id:?}"
        ));
    }
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let routed = Routed {
        full_url: format!("http://localhost{path_and_query}"),
        path_info: req.uri().path().to_string(),
        matched_route: "/...".into(),
        raw_route: "/...".into(),
        component_route: String::new(),
        client_addr: CHAINED_CLIENT_ADDR.into(),
        params: Vec::new(),
    };
    Ok(run_component(app, component_id, req, routed).await)
}

async fn run_component<B>(
    app: &Arc<App>,
    component_id: &str,
    req: Request<B>,
    routed: Routed,
) -> Response<HyperOutgoingBody>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    let Some(runtime) = app.components.get(component_id) else {
        eprintln!("route leads to unknown component {component_id:?}");
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
    };
    // The body cap: a declared length over it is refused unread; a streamed
    // body is cut off where it crosses it, and then the answer is 413
    // whatever the component made of its failed read.
    let limit = runtime.config.max_request_body_bytes;
    if body_limit::declared_too_large(req.headers(), limit) {
        return body_limit::too_large(limit);
    }
    let (req, exceeded) = {
        let (parts, body) = req.into_parts();
        let (body, exceeded) = LimitedBody::new(body, limit);
        (Request::from_parts(parts, body), exceeded)
    };
    let result = instantiate_and_call(app, runtime, req, routed).await;
    if exceeded.load(std::sync::atomic::Ordering::Relaxed) {
        return body_limit::too_large(limit);
    }
    match result {
        Ok(response) => response,
        Err(e) => {
            eprintln!("[{component_id}] request failed: {e:#}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "")
        }
    }
}

async fn instantiate_and_call<B>(
    app: &Arc<App>,
    runtime: &ComponentRuntime,
    req: Request<B>,
    routed: Routed,
) -> Result<Response<HyperOutgoingBody>>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    let req = with_spin_headers(req, &routed)?;
    let mut store = Store::new(runtime.pre.engine(), new_host_state(app, runtime)?);
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let incoming = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, req)?;
    let outparam = store.data_mut().http().new_response_outparam(sender)?;
    let pre = runtime.pre.clone();
    let component_id = runtime.config.id.clone();
    // Drive the instance on this connection's task until the response head
    // is set (no cross-thread hand-off); only what runs after that (streaming
    // bodies, work after the response, as under Spin) moves to its own task.
    let mut call = Box::pin(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, incoming, outparam)
            .await
    });
    let mut receiver = receiver;
    let finished = tokio::select! {
        biased;
        response = &mut receiver => Err(response),
        result = &mut call => Ok(result),
    };
    match finished {
        Err(Ok(Ok(response))) => {
            tokio::spawn(async move {
                if let Err(e) = call.await {
                    eprintln!("[{component_id}] failed after sending its response: {e:#}");
                }
            });
            Ok(response)
        }
        Err(Ok(Err(code))) => Err(anyhow!("component set an error response: {code:?}")),
        Err(Err(_)) | Ok(_) => {
            let result = match finished {
                Ok(result) => result,
                Err(_) => call.await,
            };
            match (receiver.try_recv(), result) {
                (Ok(Ok(response)), _) => Ok(response),
                (Ok(Err(code)), _) => Err(anyhow!("component set an error response: {code:?}")),
                (Err(_), Ok(())) => Err(anyhow!("component returned without setting a response")),
                (Err(_), Err(e)) => Err(anyhow::Error::from(e).context("component trapped")),
            }
        }
    }
}

fn new_host_state(app: &Arc<App>, runtime: &ComponentRuntime) -> Result<HostState> {
    let config = runtime.config.clone();
    let mut wasi = WasiCtx::builder();
    wasi.inherit_stdout().inherit_stderr();
    for (k, v) in &config.environment {
        wasi.env(k, v);
    }
    for (host_dir, guest_dir) in &config.mounts {
        wasi.preopened_dir(host_dir, guest_dir, wasmtime_wasi::FsPerms::ReadOnly)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot mount {}", host_dir.display()))?;
    }
    Ok(HostState {
        app: app.clone(),
        component: config.clone(),
        table: ResourceTable::new(),
        wasi: wasi.build(),
        http: WasiHttpCtx::new(),
        hooks: OutboundHooks {
            app: app.clone(),
            component: config,
        },
        sqlite_connections: 0,
    })
}

/// The client's headers followed by Spin's (a client-sent `spin-*` header is
/// kept, the host's value comes after it, as in Spin).
fn with_spin_headers<B>(req: Request<B>, r: &Routed) -> Result<Request<B>> {
    let (mut parts, body) = req.into_parts();
    // The guest sees the authority from the Host header; make sure the URI has it.
    if parts.uri.authority().is_none()
        && let Some(host) = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
    {
        let pq = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        parts.uri = http::Uri::builder()
            .scheme("http")
            .authority(host)
            .path_and_query(pq)
            .build()
            .unwrap_or(parts.uri);
    } else if parts.uri.authority().is_none() {
        let pq = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        parts.uri = http::Uri::builder()
            .scheme("http")
            .authority("localhost")
            .path_and_query(pq)
            .build()
            .unwrap_or(parts.uri);
    }
    let h = &mut parts.headers;
    let mut add = |name: &str, value: &str| -> Result<()> {
        h.append(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value).with_context(|| format!("header {name} is not valid"))?,
        );
        Ok(())
    };
    add("spin-full-url", &r.full_url)?;
    add("spin-path-info", &r.path_info)?;
    add("spin-matched-route", &r.matched_route)?;
    add("spin-base-path", "/")?;
    add("spin-raw-component-route", &r.raw_route)?;
    add("spin-component-route", &r.component_route)?;
    add("spin-client-addr", &r.client_addr)?;
    for (name, value) in &r.params {
        add(&param_header_name(name), value)?;
    }
    Ok(Request::from_parts(parts, body))
}

fn well_known(app: &App, rest: &str) -> Response<HyperOutgoingBody> {
    match rest {
        "health" => plain(StatusCode::OK, "OK"),
        "info" => {
            let mut info = serde_json::json!({ "name": app.name });
            if let Some(v) = &app.version {
                info["version"] = serde_json::Value::String(v.clone());
            }
            let mut res = plain(StatusCode::OK, &info.to_string());
            res.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res
        }
        _ => plain(StatusCode::NOT_FOUND, ""),
    }
}

fn static_response(s: &crate::manifest::StaticResponse) -> Response<HyperOutgoingBody> {
    let status = StatusCode::from_u16(s.status_code.unwrap_or(200)).unwrap_or(StatusCode::OK);
    let mut res = plain(status, s.body.as_deref().unwrap_or(""));
    for (k, v) in &s.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            res.headers_mut().insert(name, value);
        }
    }
    res
}

pub fn plain(status: StatusCode, body: &str) -> Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::copy_from_slice(body.as_bytes()))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut res = Response::new(body);
    *res.status_mut() = status;
    res
}
