//! The running app against its own contract: every response of a scripted
//! walk through the whole inbox API (happy paths and errors) must have a
//! status that `docs/openapi.yaml` documents for that operation and a body
//! that matches the documented schema.

use baton_e2e::*;
use serde_json::{Value, json};

struct Spec {
    doc: Value,
}

impl Spec {
    fn load() -> Spec {
        let text = std::fs::read_to_string(workspace_root().join("docs/openapi.yaml"))
            .expect("docs/openapi.yaml");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        Spec {
            doc: serde_json::to_value(yaml).expect("JSON-compatible"),
        }
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let path = r.trim_start_matches("#/");
                let target = path.split('/').fold(&self.doc, |node, key| &node[key]);
                self.resolve(target)
            }
            None => v,
        }
    }

    /// The operation for a concrete path like `/v1/assists/01ABC/close`.
    fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        let mut best: Option<(&str, &Value, usize)> = None;
        for (template, item) in paths {
            let t: Vec<&str> = template.trim_matches('/').split('/').collect();
            if t.len() != segments.len() {
                continue;
            }
            let literal = t
                .iter()
                .zip(&segments)
                .all(|(a, b)| a.starts_with('{') || a == b);
            let literals = t.iter().filter(|s| !s.starts_with('{')).count();
            if literal
                && best.is_none_or(|(_, _, n)| literals > n)
                && let Some(op) = item.get(method.to_lowercase())
            {
                best = Some((template.as_str(), op, literals));
            }
        }
        best.map(|(t, op, _)| (t, op))
    }

    /// Validates `value` against `schema`; returns the first mismatch.
    fn check(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, value, at)?;
            }
        }
        if let Some(c) = schema.get("const")
            && c != value
        {
            return Err(format!("{at}: expected {c}, got {value}"));
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            return Err(format!("{at}: {value} is not one of {options:?}"));
        }
        if let Some(ty) = schema.get("type") {
            let types: Vec<&str> = match ty {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let actual = match value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
            if !ok {
                return Err(format!("{at}: expected {types:?}, got {actual} ({value})"));
            }
        }
        if let (Some(props), Some(obj)) = (
            schema.get("properties").and_then(Value::as_object),
            value.as_object(),
        ) {
            for (k, s) in props {
                if let Some(v) = obj.get(k) {
                    self.check(s, v, &format!("{at}.{k}"))?;
                }
            }
        }
        if let (Some(required), Some(obj)) = (
            schema.get("required").and_then(Value::as_array),
            value.as_object(),
        ) {
            for r in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    return Err(format!("{at}: missing required {r}"));
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
            for (i, v) in arr.iter().enumerate() {
                self.check(items, v, &format!("{at}[{i}]"))?;
            }
        }
        Ok(())
    }

    /// Checks one exchange; returns a description of what does not conform.
    fn conform(&self, method: &str, path: &str, reply: &Reply) -> Result<(), String> {
        let path = path.split('?').next().unwrap_or(path);
        let Some((template, op)) = self.operation(method, path) else {
            return Err(format!("{method} {path} is not in the spec"));
        };
        let status = reply.status.to_string();
        let Some(response) = op["responses"].get(&status) else {
            return Err(format!(
                "{method} {template}: status {status} is not documented ({})",
                reply.body
            ));
        };
        let response = self.resolve(response);
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return Ok(()); // documented without a body (204 and the like)
        };
        let media = if reply.content_type.is_empty() {
            "application/json"
        } else {
            reply.content_type.as_str()
        };
        let Some(schema) = content.get(media).and_then(|c| c.get("schema")) else {
            return Err(format!(
                "{method} {template} {status}: content type {media} is not documented"
            ));
        };
        let body: Value = serde_json::from_str(&reply.body)
            .map_err(|e| format!("{method} {template} {status}: not JSON: {e}"))?;
        self.check(schema, &body, "body")
            .map_err(|e| format!("{method} {template} {status}: {e}"))
    }
}

struct Walk<'a> {
    runner: &'a Runner,
    spec: &'a Spec,
    checked: usize,
    failures: Vec<String>,
}

impl Walk<'_> {
    fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Value {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();
        let body = body.map(|b| b.to_string());
        let reply = send_raw(method, &self.runner.url(path), body.as_deref(), &headers);
        self.checked += 1;
        if let Err(e) = self.spec.conform(method, path, &reply) {
            self.failures.push(e);
        }
        serde_json::from_str(&reply.body).unwrap_or(Value::Null)
    }
}

#[test]
fn every_response_matches_the_openapi_description() {
    let spec = Spec::load();
    let email_api = baton_e2e::fakes::email::FakeEmailApi::start("postmark", "pm-contract");
    let runner = RunnerOptions::new("spin.toml", "contract")
        .variable("escalation_rate_limit_per_minute", "100000")
        .variable(
            "encryption_key",
            "0123456789abcdef0123456789abcdef-contract",
        )
        .variable("postmark_api_url", &email_api.url())
        .start();
    let mut w = Walk {
        runner: &runner,
        spec: &spec,
        checked: 0,
        failures: Vec::new(),
    };

    w.call("GET", "/v1/health", None, None);
    w.call("GET", "/v1/me", None, None);
    w.call(
        "POST",
        "/v1/setup",
        Some(json!({"name": "", "email": "nope"})),
        None,
    );
    let owner = w.call("POST", "/v1/setup", Some(json!({"name": "Olive Owner", "email": "olive@example.com", "password": "violet-anchor-47-tundra"})), None);
    let t = owner["token"].as_str().unwrap_or_default().to_string();
    let t = t.as_str();
    w.call(
        "POST",
        "/v1/setup",
        Some(json!({"name": "X", "email": "x@example.com", "password": "violet-anchor-47-tundra"})),
        None,
    );
    w.call(
        "POST",
        "/v1/auth/login",
        Some(json!({"email": "olive@example.com", "password": "wrong-password-123"})),
        None,
    );
    w.call(
        "POST",
        "/v1/auth/login",
        Some(json!({"email": "olive@example.com", "password": "violet-anchor-47-tundra"})),
        None,
    );
    w.call("GET", "/v1/me", None, Some(t));
    let token = w.call(
        "POST",
        "/v1/tokens",
        Some(json!({"name": "ci", "role": "manager"})),
        Some(t),
    );
    w.call("GET", "/v1/tokens", None, Some(t));
    w.call("GET", "/v1/team", None, Some(t));
    let inv = w.call(
        "POST",
        "/v1/team/invitations",
        Some(json!({"email": "sam@example.com", "name": "Sam", "role": "support"})),
        Some(t),
    );
    w.call("GET", "/v1/team/invitations", None, Some(t));
    let accept = format!(
        "/v1/invitations/{}/accept",
        inv["token"].as_str().unwrap_or("x")
    );
    w.call("POST", &accept, Some(json!({"password": "short"})), None);
    let sam = w.call(
        "POST",
        &accept,
        Some(json!({"password": "maple-quartz-19-harbor"})),
        None,
    );
    let sam_id = sam["user"]["id"].as_str().unwrap_or("x").to_string();
    w.call(
        "PATCH",
        &format!("/v1/team/{sam_id}"),
        Some(json!({"availability": "offline"})),
        Some(t),
    );
    let bot = w.call(
        "POST",
        "/v1/bots",
        Some(json!({"name": "Shop", "allowed_origins": ["https://shop.example.com"]})),
        Some(t),
    );
    let bot_id = bot["id"].as_str().unwrap_or("x").to_string();
    w.call("GET", "/v1/bots", None, Some(t));
    w.call("GET", &format!("/v1/bots/{bot_id}"), None, Some(t));
    w.call(
        "PATCH",
        &format!("/v1/bots/{bot_id}"),
        Some(json!({"confidence_threshold": 1.5})),
        Some(t),
    );
    let rotated = w.call(
        "POST",
        &format!("/v1/bots/{bot_id}/rotate-key"),
        None,
        Some(t),
    );
    let key = rotated["public_key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    w.call("GET", "/v1/widget/config", None, Some(&key));
    let chat = json!([{"role": "customer", "text": "I was charged twice for order #48213, talk to a human"}]);
    w.call(
        "POST",
        "/v1/escalations/check",
        Some(json!({"messages": chat})),
        Some(&key),
    );
    w.call("POST", "/v1/escalations", Some(json!({"session_id": "c1", "messages": chat, "customer": {"name": "Ana"}, "confirmed": true})), Some(&key));
    let created = w.call("POST", "/v1/escalations", Some(json!({"session_id": "c1", "messages": chat, "customer": {"name": "Ana", "email": "ana@example.com"}, "confirmed": true})), Some(&key));
    w.call("POST", "/v1/escalations", Some(json!({"session_id": "c1", "messages": chat, "customer": {"name": "Ana", "email": "ana@example.com"}, "confirmed": true})), Some(&key));
    w.call(
        "GET",
        "/v1/customers/context?email=ana%40example.com",
        None,
        Some(&key),
    );
    let id = created["assist_id"].as_str().unwrap_or("x").to_string();
    w.call("GET", "/v1/assists?status=open&q=charged", None, Some(t));
    w.call("GET", "/v1/assists?status=bogus", None, Some(t));
    w.call("GET", "/v1/assists/counts", None, Some(t));
    w.call("GET", &format!("/v1/assists/{id}"), None, Some(t));
    w.call("GET", "/v1/setup", None, None);
    w.call(
        "PATCH",
        &format!("/v1/bots/{bot_id}"),
        Some(json!({"email": {"provider": "postmark", "api_key": "pm-contract", "from_email": "support@example.com", "inbound_domain": "in.example.com"}})),
        Some(t),
    );
    w.call(
        "PATCH",
        &format!("/v1/bots/{bot_id}"),
        Some(json!({"email": {"provider": "smtp"}})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/replies"),
        Some(json!({"text": "We are on it."})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/replies"),
        Some(json!({"text": ""})),
        Some(t),
    );
    w.call("POST", "/v1/outbox/drain", None, Some(t));
    w.call("POST", "/v1/outbox/drain", None, None);
    w.call("GET", "/v1/integrations/importers", None, Some(t));
    w.call(
        "POST",
        "/v1/integrations/importers",
        Some(json!({"provider": "nope", "credentials": {}})),
        Some(t),
    );
    w.call("GET", "/v1/integrations/voice/lines", None, Some(t));
    w.call(
        "POST",
        "/v1/integrations/voice/lines",
        Some(json!({"provider": "twilio", "credentials": {}, "phone_number": "x"})),
        Some(t),
    );
    w.call("POST", "/hooks/email/postmark", Some(json!({})), None);
    w.call(
        "PATCH",
        &format!("/v1/assists/{id}"),
        Some(json!({"priority": "urgent"})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/notes"),
        Some(json!({"text": "Checked the charges."})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/read"),
        Some(json!({})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/draft"),
        Some(json!({"mode": "regenerate"})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(json!({"resolution": "Refunded the duplicate."})),
        Some(t),
    );
    w.call(
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(json!({"resolution": "again"})),
        Some(t),
    );
    w.call("POST", &format!("/v1/assists/{id}/reopen"), None, Some(t));
    w.call("GET", "/v1/assists/nope", None, Some(t));
    w.call(
        "DELETE",
        &format!("/v1/tokens/{}", token["id"].as_str().unwrap_or("x")),
        None,
        Some(t),
    );
    w.call("DELETE", &format!("/v1/team/{sam_id}"), None, Some(t));
    w.call("DELETE", &format!("/v1/bots/{bot_id}"), None, Some(t));
    w.call("POST", "/v1/auth/logout", None, Some(t));

    assert!(w.checked >= 40, "walk too short: {}", w.checked);
    assert!(
        w.failures.is_empty(),
        "{} of {} responses do not match docs/openapi.yaml:\n{}",
        w.failures.len(),
        w.checked,
        w.failures.join("\n")
    );
}

/// The checker itself must catch what it is there to catch.
#[test]
fn the_checker_catches_mismatches() {
    let spec = Spec::load();
    let reply = |status: u16, content_type: &str, body: &str| Reply {
        status,
        content_type: content_type.into(),
        headers: Vec::new(),
        body: body.into(),
    };
    let good = reply(
        200,
        "application/json",
        r#"{"status":"ok","version":"1","database":"ok","key_value":"ok"}"#,
    );
    assert!(spec.conform("GET", "/v1/health", &good).is_ok());
    let wrong_enum = reply(
        200,
        "application/json",
        r#"{"status":"fine","version":"1","database":"ok","key_value":"ok"}"#,
    );
    assert!(spec.conform("GET", "/v1/health", &wrong_enum).is_err());
    let missing = reply(200, "application/json", r#"{"status":"ok"}"#);
    assert!(spec.conform("GET", "/v1/health", &missing).is_err());
    let undocumented = reply(418, "application/json", "{}");
    assert!(spec.conform("GET", "/v1/health", &undocumented).is_err());
    let wrong_type = reply(
        200,
        "application/json",
        r#"{"assists": "none", "next_cursor": null}"#,
    );
    assert!(spec.conform("GET", "/v1/assists", &wrong_type).is_err());
    assert!(spec.conform("GET", "/v1/nowhere", &good).is_err());
    let problem = reply(
        404,
        "application/problem+json",
        r#"{"type":"about:blank","title":"Not Found","status":404,"detail":"x"}"#,
    );
    assert!(spec.conform("GET", "/v1/assists/abc", &problem).is_ok());
    assert!(
        spec.conform(
            "GET",
            "/v1/assists/abc",
            &reply(404, "application/problem+json", r#"{"status":404}"#)
        )
        .is_err()
    );
}
