//! spin.toml (manifest version 2): the subset of fields this runner serves,
//! parsed strictly so a manifest it cannot honour fails loudly at start.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub spin_manifest_version: u32,
    pub application: Application,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    pub trigger: Triggers,
    #[serde(default)]
    pub component: BTreeMap<String, Component>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// Some fields are accepted only so valid Spin manifests load.
#[allow(dead_code)]
pub struct Application {
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub trigger: AppTriggerSettings,
    #[serde(default)]
    pub tool: Option<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppTriggerSettings {
    pub http: Option<AppHttpSettings>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppHttpSettings {
    pub base: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// Some fields are accepted only so valid Spin manifests load.
#[allow(dead_code)]
pub struct VariableDecl {
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// Some fields are accepted only so valid Spin manifests load.
#[allow(dead_code)]
pub struct HttpTrigger {
    pub id: Option<String>,
    pub route: RouteConfig,
    pub component: Option<String>,
    pub static_response: Option<StaticResponse>,
    pub executor: Option<Executor>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RouteConfig {
    Route(String),
    Private { private: bool },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticResponse {
    pub status_code: Option<u16>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Executor {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// Some fields are accepted only so valid Spin manifests load.
#[allow(dead_code)]
pub struct Component {
    pub description: Option<String>,
    pub source: String,
    #[serde(default)]
    pub files: Vec<FileMount>,
    #[serde(default)]
    pub exclude_files: Vec<String>,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    #[serde(default)]
    pub sqlite_databases: Vec<String>,
    #[serde(default)]
    pub ai_models: Vec<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    pub build: Option<BuildConfig>,
    /// Settings for tools and plugins, which Spin ignores
    /// (`[component.<id>.tool.<name>]`); this runner reads `baton-runner`.
    #[serde(default)]
    pub tool: BTreeMap<String, toml::Table>,
}

/// The name of this runner's own tool table.
pub const TOOL_NAME: &str = "baton-runner";

/// `[component.<id>.tool.baton-runner]`: what this runner adds to `spin up`
/// for one component. Spin ignores tool tables, so a manifest carrying one
/// still runs unchanged under `spin up`, SpinKube and hosted Spin.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerTool {
    /// The largest request body this component accepts, in bytes; larger
    /// requests get 413 before or while the body is read. Default: the
    /// runner's `--max-request-body-bytes`.
    pub max_request_body_bytes: Option<u64>,
    /// Route templates (Spin route syntax) to show in the request log for
    /// paths inside this component's trigger routes, e.g.
    /// `/v1/invitations/:token/accept`. A path matching none of them is
    /// logged as its trigger route. Values never reach the log either way.
    #[serde(default)]
    pub log_routes: Vec<String>,
}

impl Component {
    /// This runner's tool table for the component (defaults when absent).
    pub fn runner_tool(&self) -> Result<RunnerTool> {
        match self.tool.get(TOOL_NAME) {
            Some(table) => Ok(table.clone().try_into()?),
            None => Ok(RunnerTool::default()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileMount {
    Pattern(String),
    Placement { source: String, destination: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// Some fields are accepted only so valid Spin manifests load.
#[allow(dead_code)]
pub struct BuildConfig {
    pub command: Commands,
    pub workdir: Option<String>,
    #[serde(default)]
    pub watch: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Commands {
    One(String),
    Many(Vec<String>),
}

impl Commands {
    pub fn list(&self) -> Vec<&str> {
        match self {
            Commands::One(c) => vec![c.as_str()],
            Commands::Many(cs) => cs.iter().map(String::as_str).collect(),
        }
    }
}

/// A manifest together with the directory relative paths resolve against.
pub struct LoadedManifest {
    pub manifest: Manifest,
    pub dir: PathBuf,
}

pub fn load(path: &Path) -> Result<LoadedManifest> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read manifest {}", path.display()))?;
    let manifest = parse(&text).with_context(|| format!("invalid manifest {}", path.display()))?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    Ok(LoadedManifest { manifest, dir })
}

pub fn parse(text: &str) -> Result<Manifest> {
    let manifest: Manifest = toml::from_str(text)?;
    validate(&manifest)?;
    Ok(manifest)
}

fn validate(m: &Manifest) -> Result<()> {
    if m.spin_manifest_version != 2 {
        bail!(
            "spin_manifest_version {} is not supported (only 2)",
            m.spin_manifest_version
        );
    }
    if let Some(base) = m
        .application
        .trigger
        .http
        .as_ref()
        .and_then(|h| h.base.as_deref())
        && base != "/"
    {
        bail!("[application.trigger.http] base = {base:?}: base paths were removed in Spin 3");
    }
    for (id, component) in &m.component {
        if !is_kebab_id(id) {
            bail!("component id {id:?} must be kebab-case");
        }
        for label in component
            .key_value_stores
            .iter()
            .chain(&component.sqlite_databases)
        {
            if !is_label(label) {
                bail!("component {id:?}: store label {label:?} must be kebab-case or snake_case");
            }
        }
        let tool = component
            .runner_tool()
            .with_context(|| format!("component {id:?}: [tool.{TOOL_NAME}]"))?;
        if tool.max_request_body_bytes == Some(0) {
            bail!("component {id:?}: [tool.{TOOL_NAME}] max_request_body_bytes must be positive");
        }
        if let Some(build) = &component.build
            && let Some(workdir) = &build.workdir
            && Path::new(workdir).is_absolute()
        {
            bail!("component {id:?}: build workdir must be relative, got {workdir:?}");
        }
    }
    for (i, trigger) in m.trigger.http.iter().enumerate() {
        match (&trigger.component, &trigger.static_response) {
            (Some(c), None) => {
                if !m.component.contains_key(c) {
                    bail!("trigger {} refers to unknown component {c:?}", i + 1);
                }
            }
            (None, Some(_)) => {}
            _ => bail!(
                "trigger {} must have exactly one of `component` and `static_response`",
                i + 1
            ),
        }
        if let RouteConfig::Private { private: false } = trigger.route {
            bail!(
                "trigger {}: `route = {{ private = false }}` is not valid; give a route string",
                i + 1
            );
        }
        if let Some(executor) = &trigger.executor
            && executor.kind != "http"
            && executor.kind != "spin"
        {
            bail!(
                "trigger {}: executor type {:?} is not supported",
                i + 1,
                executor.kind
            );
        }
    }
    Ok(())
}

fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn is_label(s: &str) -> bool {
    let sep = if s.contains('_') { '_' } else { '-' };
    !s.is_empty()
        && s.split(sep).all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
spin_manifest_version = 2
[application]
name = "x"
[[trigger.http]]
route = "/..."
component = "api"
[component.api]
source = "a.wasm"
"#;

    #[test]
    fn parses_minimal_manifest() {
        let m = parse(MINIMAL).unwrap();
        assert_eq!(m.application.name, "x");
        assert_eq!(m.trigger.http.len(), 1);
        assert!(m.component.contains_key("api"));
    }

    #[test]
    fn rejects_unknown_fields_and_components() {
        let bad = MINIMAL.replace("source = \"a.wasm\"", "source = \"a.wasm\"\nbogus = 1");
        assert!(parse(&bad).is_err());
        let bad = MINIMAL.replace("component = \"api\"", "component = \"nope\"");
        assert!(parse(&bad).is_err());
    }

    #[test]
    fn rejects_base_path_and_public_private_route() {
        let bad = MINIMAL.replace("name = \"x\"", "name = \"x\"\ntrigger.http.base = \"/api\"");
        assert!(parse(&bad).is_err());
        let ok = MINIMAL.replace("name = \"x\"", "name = \"x\"\ntrigger.http.base = \"/\"");
        assert!(parse(&ok).is_ok());
        let bad = MINIMAL.replace("route = \"/...\"", "route = { private = false }");
        assert!(parse(&bad).is_err());
        let ok = MINIMAL.replace("route = \"/...\"", "route = { private = true }");
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn tool_tables_are_accepted_and_ours_is_read_strictly() {
        let with_tools = format!(
            "{MINIMAL}[component.api.tool.other]\nanything = [1, 2]\n\
             [component.api.tool.baton-runner]\nmax_request_body_bytes = 41943040\n\
             log_routes = [\"/v1/invitations/:token/accept\"]\n"
        );
        let m = parse(&with_tools).unwrap();
        let tool = m.component["api"].runner_tool().unwrap();
        assert_eq!(tool.max_request_body_bytes, Some(41_943_040));
        assert_eq!(tool.log_routes, ["/v1/invitations/:token/accept"]);
        assert_eq!(
            parse(MINIMAL).unwrap().component["api"]
                .runner_tool()
                .unwrap()
                .max_request_body_bytes,
            None
        );
        let typo = format!("{MINIMAL}[component.api.tool.baton-runner]\nmax_body = 1\n");
        assert!(
            parse(&typo).is_err(),
            "unknown keys in our table fail loudly"
        );
        let zero =
            format!("{MINIMAL}[component.api.tool.baton-runner]\nmax_request_body_bytes = 0\n");
        assert!(parse(&zero).is_err());
        let negative =
            format!("{MINIMAL}[component.api.tool.baton-runner]\nmax_request_body_bytes = -1\n");
        assert!(parse(&negative).is_err());
    }

    #[test]
    fn labels_and_ids() {
        assert!(is_kebab_id("inbox-api"));
        assert!(!is_kebab_id("Inbox"));
        assert!(!is_kebab_id("a--b"));
        assert!(is_label("default"));
        assert!(is_label("my_store"));
        assert!(is_label("my-store"));
        assert!(!is_label("My"));
    }
}
