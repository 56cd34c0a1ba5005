//! Spin variables: app declarations, component templates and the provider
//! chain (`--variable`, `SPIN_VARIABLE_*` / `.env`, manifest default), resolved
//! on every `get` as Spin does.

use crate::manifest::VariableDecl;
use std::collections::{BTreeMap, HashMap};

/// One piece of a component variable template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Literal(String),
    Var(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template(pub Vec<Part>);

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| format!("unmatched '{{{{' in template {text:?}"))?;
            let name = after[..end].trim();
            validate_name(name).map_err(|e| format!("template {text:?}: {e}"))?;
            parts.push(Part::Var(name.to_string()));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(Template(parts))
    }

    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            Part::Literal(_) => None,
        })
    }
}

/// Spin's name rule: lower snake case, starts with a letter, no `__`, does
/// not end with `_`.
pub fn validate_name(name: &str) -> Result<(), String> {
    let first = name.chars().next();
    if !first.is_some_and(|c| c.is_ascii_lowercase()) {
        return Err(format!("{name:?}: must start with a lowercase letter"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!(
            "{name:?}: may contain only lowercase letters, digits and '_'"
        ));
    }
    if name.contains("__") {
        return Err(format!("{name:?}: must not contain '__'"));
    }
    if name.ends_with('_') {
        return Err(format!("{name:?}: must end with a letter or digit"));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResolveError {
    Undefined(String),
}

/// Resolves app variables from the provider chain, first hit wins.
#[derive(Debug, Default)]
pub struct Resolver {
    declared: BTreeMap<String, Option<String>>,
    cli: HashMap<String, String>,
    env: HashMap<String, String>,
    dotenv: HashMap<String, String>,
}

impl Resolver {
    /// `cli` are `--variable` values; `env` is the process environment;
    /// `dotenv` the contents of a `.env` file in the working directory.
    pub fn new(
        decls: &BTreeMap<String, VariableDecl>,
        cli: HashMap<String, String>,
        env: HashMap<String, String>,
        dotenv: HashMap<String, String>,
    ) -> Result<Resolver, String> {
        let mut declared = BTreeMap::new();
        for (name, decl) in decls {
            validate_name(name).map_err(|e| format!("variable {e}"))?;
            match (&decl.default, decl.required) {
                (Some(_), true) | (None, false) => {
                    return Err(format!(
                        "variable {name:?} must have exactly one of `default` and `required = true`"
                    ));
                }
                _ => {}
            }
            declared.insert(name.clone(), decl.default.clone());
        }
        Ok(Resolver {
            declared,
            cli,
            env,
            dotenv,
        })
    }

    /// `--variable` names the manifest does not declare (Spin ignores them;
    /// the runner warns, since it is usually a typo).
    pub fn unknown_cli_variables(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .cli
            .keys()
            .filter(|n| !self.declared.contains_key(*n))
            .cloned()
            .collect();
        names.sort();
        names
    }

    pub fn is_declared(&self, name: &str) -> bool {
        self.declared.contains_key(name)
    }

    pub fn resolve_app(&self, name: &str) -> Result<String, ResolveError> {
        let default = self
            .declared
            .get(name)
            .ok_or_else(|| ResolveError::Undefined(format!("no app variable {name:?}")))?;
        if let Some(v) = self.cli.get(name) {
            return Ok(v.clone());
        }
        let env_name = format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase());
        if let Some(v) = self
            .env
            .get(&env_name)
            .or_else(|| self.dotenv.get(&env_name))
        {
            return Ok(v.clone());
        }
        default.clone().ok_or_else(|| {
            ResolveError::Undefined(format!("no provider resolved required variable {name:?}"))
        })
    }

    pub fn render(&self, template: &Template) -> Result<String, ResolveError> {
        let mut out = String::new();
        for part in &template.0 {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Var(v) => out.push_str(&self.resolve_app(v)?),
            }
        }
        Ok(out)
    }

    /// Spin refuses to start when a required variable has no value.
    pub fn unresolved_required(&self) -> Vec<String> {
        self.declared
            .keys()
            .filter(|name| self.resolve_app(name).is_err())
            .cloned()
            .collect()
    }
}

/// Parses `NAME=VALUE` lines of a `.env` file (blank lines and `#` comments
/// ignored, optional surrounding quotes removed).
pub fn parse_dotenv(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(default: Option<&str>, required: bool) -> VariableDecl {
        VariableDecl {
            default: default.map(String::from),
            required,
            secret: false,
            description: None,
        }
    }

    fn resolver(cli: &[(&str, &str)], env: &[(&str, &str)]) -> Resolver {
        let decls = BTreeMap::from([
            ("api_host".to_string(), decl(Some("example.com"), false)),
            ("api_key".to_string(), decl(None, true)),
        ]);
        let to_map = |kv: &[(&str, &str)]| {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Resolver::new(&decls, to_map(cli), to_map(env), HashMap::new()).unwrap()
    }

    #[test]
    fn template_parsing() {
        let t = Template::parse("https://{{ api_host }}:{{port}}/x").unwrap();
        assert_eq!(
            t.0,
            vec![
                Part::Literal("https://".into()),
                Part::Var("api_host".into()),
                Part::Literal(":".into()),
                Part::Var("port".into()),
                Part::Literal("/x".into()),
            ]
        );
        assert!(Template::parse("{{ open").is_err());
        assert!(Template::parse("{{ Bad }}").is_err());
        assert_eq!(Template::parse("plain").unwrap().0.len(), 1);
    }

    #[test]
    fn name_rules() {
        assert!(validate_name("api_key2").is_ok());
        for bad in ["", "2x", "Api", "a__b", "a_", "a-b"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn provider_order_cli_then_env_then_default() {
        let r = resolver(&[], &[]);
        assert_eq!(r.resolve_app("api_host").unwrap(), "example.com");
        assert!(matches!(
            r.resolve_app("api_key"),
            Err(ResolveError::Undefined(_))
        ));
        assert_eq!(r.unresolved_required(), vec!["api_key".to_string()]);

        let r = resolver(&[], &[("SPIN_VARIABLE_API_HOST", "env.test")]);
        assert_eq!(r.resolve_app("api_host").unwrap(), "env.test");

        let r = resolver(
            &[("api_host", "cli.test")],
            &[("SPIN_VARIABLE_API_HOST", "env.test")],
        );
        assert_eq!(r.resolve_app("api_host").unwrap(), "cli.test");
        let t = Template::parse("https://{{api_host}}").unwrap();
        assert_eq!(r.render(&t).unwrap(), "https://cli.test");
    }

    #[test]
    fn dotenv_is_a_fallback_for_env() {
        let decls = BTreeMap::from([("a".to_string(), decl(Some("d"), false))]);
        let dotenv = parse_dotenv("# c\nSPIN_VARIABLE_A=\"from-file\"\n\n");
        let r = Resolver::new(&decls, HashMap::new(), HashMap::new(), dotenv).unwrap();
        assert_eq!(r.resolve_app("a").unwrap(), "from-file");
    }

    #[test]
    fn declaration_errors() {
        let both = BTreeMap::from([("a".to_string(), decl(Some("x"), true))]);
        assert!(Resolver::new(&both, HashMap::new(), HashMap::new(), HashMap::new()).is_err());
        let neither = BTreeMap::from([("a".to_string(), decl(None, false))]);
        assert!(Resolver::new(&neither, HashMap::new(), HashMap::new(), HashMap::new()).is_err());
        let ok = BTreeMap::from([("a".to_string(), decl(Some("x"), false))]);
        let unknown_cli = HashMap::from([("b".to_string(), "1".to_string())]);
        let r = Resolver::new(&ok, unknown_cli, HashMap::new(), HashMap::new()).unwrap();
        assert_eq!(r.unknown_cli_variables(), vec!["b".to_string()]);
    }
}
