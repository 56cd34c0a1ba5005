//! What the runner holds: the app (loaded once at start) and the per-request
//! store data of one component instance.

use crate::allowed_hosts::AllowedHosts;
use crate::bindings::variables2;
use crate::key_value::KeyValueStores;
use crate::manifest::StaticResponse;
use crate::routes::Router;
use crate::sqlite::Databases;
use crate::variables::{ResolveError, Resolver, Template};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Where a route leads.
pub enum Target {
    Component(String),
    Static(StaticResponse),
}

/// A component's manifest grants and configuration, resolved at start.
pub struct ComponentConfig {
    pub id: String,
    pub key_value_stores: HashSet<String>,
    pub sqlite_databases: HashSet<String>,
    /// Raw `allowed_outbound_hosts` entries; templates resolve per instance.
    pub allowed_outbound_hosts: Vec<Template>,
    pub variables: BTreeMap<String, Template>,
    pub environment: Vec<(String, String)>,
    /// (host dir, guest dir) read-only mounts.
    pub mounts: Vec<(PathBuf, String)>,
    /// Requests with a larger body get 413 (never buffered beyond this).
    pub max_request_body_bytes: u64,
    /// Finer route templates for the request log (`tool.baton-runner.log_routes`).
    pub log_routes: Option<Router<()>>,
}

pub struct ComponentRuntime {
    pub config: Arc<ComponentConfig>,
    pub pre: ProxyPre<HostState>,
}

pub struct App {
    pub name: String,
    pub version: Option<String>,
    pub components: HashMap<String, ComponentRuntime>,
    pub router: Router<Target>,
    pub key_value: KeyValueStores,
    pub sqlite: Databases,
    pub variables: Resolver,
    /// The bound address, known once the listener is up (self requests go there).
    pub listen_addr: OnceLock<SocketAddr>,
}

/// Store data for one instance, created fresh for every request.
pub struct HostState {
    pub app: Arc<App>,
    pub component: Arc<ComponentConfig>,
    pub table: ResourceTable,
    pub wasi: WasiCtx,
    pub http: WasiHttpCtx,
    pub hooks: crate::outbound_http::OutboundHooks,
    pub sqlite_connections: usize,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl ComponentConfig {
    /// Renders the allow-list for one instance; like Spin, a template that
    /// cannot be resolved denies every outbound request of that instance.
    pub fn allowed_hosts(&self, variables: &Resolver) -> Result<AllowedHosts, String> {
        let entries = self
            .allowed_outbound_hosts
            .iter()
            .map(|t| variables.render(t).map_err(|e| format!("{e:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        AllowedHosts::parse(&entries)
    }
}

impl variables2::Host for HostState {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables2::Error>> {
        use variables2::Error;
        if let Err(reason) = crate::variables::validate_name(&name) {
            return Ok(Err(Error::InvalidName(reason)));
        }
        let Some(template) = self.component.variables.get(&name) else {
            return Ok(Err(Error::Undefined(format!(
                "no variable for {:?}.{:?}",
                self.component.id, name
            ))));
        };
        Ok(self
            .app
            .variables
            .render(template)
            .map_err(|ResolveError::Undefined(m)| Error::Undefined(m)))
    }
}
