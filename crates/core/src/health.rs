//! The health report: what `GET /v1/health` answers after touching SQLite
//! and key-value.

use serde_json::{Value, json};

pub struct Checks {
    pub database: Result<(), String>,
    pub key_value: Result<(), String>,
}

/// (HTTP status, body). Healthy: 200 with `status: ok`; otherwise 503 as a
/// problem document naming what failed.
pub fn report(version: &str, checks: &Checks) -> (u16, Value) {
    let word = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("error: {e}"),
    };
    if checks.database.is_ok() && checks.key_value.is_ok() {
        return (
            200,
            json!({"status": "ok", "version": version, "database": "ok", "key_value": "ok"}),
        );
    }
    let failed: Vec<String> = [
        ("database", &checks.database),
        ("key-value", &checks.key_value),
    ]
    .into_iter()
    .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}")))
    .collect();
    (
        503,
        json!({
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": failed.join("; "),
            "version": version,
            "database": word(&checks.database),
            "key_value": word(&checks.key_value),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_and_unhealthy() {
        let ok = Checks {
            database: Ok(()),
            key_value: Ok(()),
        };
        let (status, body) = report("1.0", &ok);
        assert_eq!(status, 200);
        assert_eq!(body["database"], "ok");
        let bad = Checks {
            database: Err("disk I/O error".into()),
            key_value: Ok(()),
        };
        let (status, body) = report("1.0", &bad);
        assert_eq!(status, 503);
        assert_eq!(body["key_value"], "ok");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("database: disk I/O error")
        );
    }
}
