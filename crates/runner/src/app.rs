//! Turns a loaded manifest into a runnable [`App`]: validates grants and
//! variables the way `spin up` does at start, builds the route table and
//! pre-instantiates every component once.

use crate::bindings::SpinImports;
use crate::key_value::KeyValueStores;
use crate::manifest::{FileMount, LoadedManifest, RouteConfig};
use crate::routes::Router;
use crate::sqlite::Databases;
use crate::state::{App, ComponentConfig, ComponentRuntime, HostState, Target};
use crate::variables::{Resolver, Template};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

pub struct Options {
    pub state_dir: Option<PathBuf>,
    pub cli_variables: HashMap<String, String>,
    pub cache_dir: Option<PathBuf>,
    /// Body cap for components that declare none in their tool table.
    pub max_request_body_bytes: u64,
}

pub fn load(
    loaded: &LoadedManifest,
    engine: &Engine,
    opts: &Options,
) -> Result<(App, Vec<String>)> {
    let m = &loaded.manifest;
    let mut warnings = Vec::new();

    let env: HashMap<String, String> = std::env::vars().collect();
    let dotenv = std::fs::read_to_string(".env")
        .map(|t| crate::variables::parse_dotenv(&t))
        .unwrap_or_default();
    let variables = Resolver::new(&m.variables, opts.cli_variables.clone(), env, dotenv)
        .map_err(anyhow::Error::msg)?;
    for name in variables.unknown_cli_variables() {
        warnings.push(format!(
            "--variable {name}: the manifest declares no such variable"
        ));
    }
    let missing = variables.unresolved_required();
    if !missing.is_empty() {
        bail!(
            "no provider resolved required variable(s): {}",
            missing.join(", ")
        );
    }

    let mut configs = BTreeMap::new();
    for (id, c) in &m.component {
        for label in &c.key_value_stores {
            if !KeyValueStores::is_defined(label) {
                bail!("unknown key_value_stores label {label:?} for component {id:?}");
            }
        }
        for label in &c.sqlite_databases {
            if !Databases::is_defined(label) {
                bail!(
                    "component {id:?} uses SQLite database {label:?}, which is not defined (only \"default\" exists without a runtime config)"
                );
            }
        }
        let mut component_vars = BTreeMap::new();
        for (key, text) in &c.variables {
            crate::variables::validate_name(key).with_context_msg(id)?;
            let template = Template::parse(text).map_err(anyhow::Error::msg)?;
            check_declared(&template, &variables, id)?;
            component_vars.insert(key.clone(), template);
        }
        let mut hosts = Vec::new();
        for entry in &c.allowed_outbound_hosts {
            if entry == "insecure:allow-all" {
                bail!("component {id:?}: `insecure:allow-all` is not allowed; use \"*://*:*\"");
            }
            let template = Template::parse(entry).map_err(anyhow::Error::msg)?;
            check_declared(&template, &variables, id)?;
            hosts.push(template);
        }
        let tool = c
            .runner_tool()
            .with_context(|| format!("component {id:?}"))?;
        let log_routes = if tool.log_routes.is_empty() {
            None
        } else {
            let (router, _) =
                Router::build(tool.log_routes.iter().map(|r| (r.clone(), ())).collect())
                    .map_err(|e| anyhow::anyhow!("component {id:?}: log_routes: {e}"))?;
            Some(router)
        };
        let config = ComponentConfig {
            id: id.clone(),
            key_value_stores: c.key_value_stores.iter().cloned().collect(),
            sqlite_databases: c.sqlite_databases.iter().cloned().collect(),
            allowed_outbound_hosts: hosts,
            variables: component_vars,
            environment: c
                .environment
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            mounts: mounts(&loaded.dir, id, &c.files)?,
            max_request_body_bytes: tool
                .max_request_body_bytes
                .unwrap_or(opts.max_request_body_bytes),
            log_routes,
        };
        // Catch a malformed entry now rather than on the first request.
        config
            .allowed_hosts(&variables)
            .map_err(|e| anyhow::anyhow!("component {id:?}: allowed_outbound_hosts: {e}"))?;
        if !c.ai_models.is_empty() {
            warnings.push(format!(
                "component {id:?}: ai_models are not served by baton-runner yet"
            ));
        }
        configs.insert(id.clone(), Arc::new(config));
    }

    let mut routes = Vec::new();
    let mut used = Vec::new();
    for trigger in &m.trigger.http {
        let target = match (&trigger.component, &trigger.static_response) {
            (Some(id), _) => {
                used.push(id.clone());
                Target::Component(id.clone())
            }
            (None, Some(s)) => Target::Static(s.clone()),
            (None, None) => continue,
        };
        if let RouteConfig::Route(route) = &trigger.route {
            if route
                .trim_start_matches('/')
                .starts_with(".well-known/spin")
            {
                warnings.push(format!(
                    "route {route:?} is under the reserved /.well-known/spin/ prefix and will never be reached"
                ));
            }
            routes.push((route.clone(), target));
        }
    }
    let (router, route_warnings) = Router::build(routes).map_err(anyhow::Error::msg)?;
    warnings.extend(route_warnings);

    let mut linker: Linker<HostState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    SpinImports::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;

    let mut components = HashMap::new();
    for id in used {
        if components.contains_key(&id) {
            continue;
        }
        let Some(config) = configs.get(&id) else {
            continue;
        };
        let source = loaded.dir.join(&m.component[&id].source);
        let component = crate::engine::load_component(engine, &source, opts.cache_dir.as_deref())
            .with_context(|| format!("component {id:?}"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!("component {id:?} imports something baton-runner does not provide")
            })?;
        let pre = ProxyPre::new(pre).map_err(anyhow::Error::from).with_context(|| {
            format!("component {id:?} must export wasi:http/incoming-handler@0.2 (build it with spin-sdk 5.2 for wasm32-wasip2)")
        })?;
        components.insert(
            id.clone(),
            ComponentRuntime {
                config: config.clone(),
                pre,
            },
        );
    }

    let app = App {
        name: m.application.name.clone(),
        version: m.application.version.clone(),
        components,
        router,
        key_value: KeyValueStores::open(opts.state_dir.as_deref())?,
        sqlite: Databases::new(opts.state_dir.as_deref()),
        variables,
        listen_addr: OnceLock::new(),
    };
    Ok((app, warnings))
}

fn check_declared(template: &Template, variables: &Resolver, component: &str) -> Result<()> {
    for name in template.variables() {
        if !variables.is_declared(name) {
            bail!("component {component:?} refers to unknown variable {name:?}");
        }
    }
    Ok(())
}

trait WithContextMsg<T> {
    fn with_context_msg(self, component: &str) -> Result<T>;
}

impl<T> WithContextMsg<T> for Result<T, String> {
    fn with_context_msg(self, component: &str) -> Result<T> {
        self.map_err(|e| anyhow::anyhow!("component {component:?}: variable {e}"))
    }
}

/// `files` placements become read-only preopens. Spin copies globbed files;
/// mounting a `{ source, destination }` directory serves the same bytes.
fn mounts(dir: &Path, id: &str, files: &[FileMount]) -> Result<Vec<(PathBuf, String)>> {
    files
        .iter()
        .map(|f| match f {
            FileMount::Placement { source, destination } => {
                if !destination.starts_with('/') {
                    bail!("component {id:?}: file destination {destination:?} must be absolute");
                }
                Ok((dir.join(source), destination.clone()))
            }
            FileMount::Pattern(p) => bail!(
                "component {id:?}: files pattern {p:?} is not supported by baton-runner; use {{ source = \"dir\", destination = \"/\" }}"
            ),
        })
        .collect()
}
