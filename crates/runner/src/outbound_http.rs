//! Outbound HTTP as Spin allows it: every request is checked against the
//! component's `allowed_outbound_hosts`; relative ("self") requests go back
//! through this runner's own listener; `http://<id>.spin.internal` is served
//! in-process by that component (service chaining).

use crate::state::{App, ComponentConfig};
use http::uri::{Authority, Scheme};
use std::future::Future;
use std::sync::Arc;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

pub struct OutboundHooks {
    pub app: Arc<App>,
    pub component: Arc<ComponentConfig>,
}

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;
type SendFuture =
    Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send>;

enum Destination {
    /// Back to this app through the listener, so it is routed again.
    SelfApp,
    Chained(String),
    External,
}

fn classify(host: &str) -> Destination {
    if host.is_empty() || host == "self.alt" {
        Destination::SelfApp
    } else if let Some(id) = host.strip_suffix(".spin.internal") {
        Destination::Chained(id.to_string())
    } else {
        Destination::External
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let app = self.app.clone();
        let component = self.component.clone();
        Box::new(async move {
            let uri = request.uri().clone();
            let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
            let host = uri
                .host()
                .unwrap_or("")
                .trim_matches(['[', ']'])
                .to_string();
            let port = uri.port_u16();
            let allowed = match component.allowed_hosts(&app.variables) {
                Ok(allowed) => allowed,
                Err(e) => {
                    eprintln!(
                        "[{}] outbound request denied: allowed_outbound_hosts is invalid: {e}",
                        component.id
                    );
                    return Err(Error::HttpRequestDenied);
                }
            };
            match classify(&host) {
                Destination::SelfApp => {
                    if !allowed.allows_self() {
                        deny(&component.id, "http://self");
                        return Err(Error::HttpRequestDenied);
                    }
                    let Some(addr) = app.listen_addr.get().copied() else {
                        return Err(Error::ConnectionRefused);
                    };
                    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                    let rewritten = http::Uri::builder()
                        .scheme(Scheme::HTTP)
                        .authority(addr.to_string())
                        .path_and_query(path)
                        .build()
                        .map_err(|e| Error::InternalError(Some(e.to_string())))?;
                    if let Ok(value) = http::HeaderValue::from_str(&addr.to_string()) {
                        request.headers_mut().insert(http::header::HOST, value);
                    }
                    *request.uri_mut() = rewritten;
                    send_external(request, options).await
                }
                Destination::Chained(target) => {
                    if !allowed.allows(&scheme, &host, port) {
                        deny(&component.id, &format!("http://{host}"));
                        return Err(Error::HttpRequestDenied);
                    }
                    request.headers_mut().remove(http::header::HOST);
                    let response = crate::server::handle_chained(&app, &target, request)
                        .await
                        .map_err(|e| Error::InternalError(Some(format!("{e:#}"))))?;
                    Ok((response, Box::new(async { Ok(()) }) as IoFuture))
                }
                Destination::External => {
                    if !allowed.allows(&scheme, &host, port) {
                        let suggestion =
                            crate::allowed_hosts::AllowedHosts::suggestion(&scheme, &host, port);
                        deny(&component.id, &suggestion);
                        return Err(Error::HttpRequestDenied);
                    }
                    if let Some(authority) = uri.authority().map(Authority::as_str)
                        && let Ok(value) = http::HeaderValue::from_str(authority)
                    {
                        request.headers_mut().insert(http::header::HOST, value);
                    }
                    send_external(request, options).await
                }
            }
        })
    }
}

fn deny(component: &str, entry: &str) {
    eprintln!(
        "[{component}] outbound request denied; to allow it add {entry:?} to the component's allowed_outbound_hosts"
    );
}

async fn send_external(
    request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> Result<(http::Response<WasiBody>, IoFuture), Error> {
    use http_body_util::BodyExt;
    let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
    Ok((
        response.map(BodyExt::boxed_unsync),
        Box::new(io) as IoFuture,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_destinations() {
        assert!(matches!(classify(""), Destination::SelfApp));
        assert!(matches!(classify("self.alt"), Destination::SelfApp));
        assert!(matches!(classify("api.spin.internal"), Destination::Chained(id) if id == "api"));
        assert!(matches!(classify("example.com"), Destination::External));
    }
}
