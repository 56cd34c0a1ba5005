//! RFC 9457 problem details: every error Baton answers is one of these.

use crate::db::DbError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Box<str>>,
    /// The offending fields of a validation failure. (Boxed slices keep
    /// `Result<_, Problem>` small.)
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    pub errors: Box<[FieldError]>,
    /// Seconds, sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<i64>,
    /// Extension members (e.g. `missing` and `prompt` for an escalation).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

impl Problem {
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank",
            title: title(status),
            status,
            detail: detail.into(),
            instance: None,
            errors: Box::new([]),
            retry_after: None,
            extra: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(400, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(401, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(403, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Problem::new(409, detail)
    }

    pub fn not_found(path: &str) -> Self {
        let mut p = Problem::new(404, format!("No resource at {path}."));
        p.instance = Some(path.into());
        p
    }

    pub fn missing(what: &str) -> Self {
        Problem::new(404, format!("{what} does not exist."))
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Problem::new(405, format!("{method} is not supported on {path}."))
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let summary: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        let mut p = Problem::new(422, format!("Invalid request: {}.", summary.join("; ")));
        p.errors = errors.into_boxed_slice();
        p
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Problem::invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn too_many(retry_after: i64, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(429, detail);
        p.retry_after = Some(retry_after.max(1));
        p
    }
}

impl Problem {
    /// Adds an extension member to the problem document.
    pub fn with(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extra
            .get_or_insert_with(Default::default)
            .insert(key.into(), value);
        self
    }
}

impl From<DbError> for Problem {
    /// Write contention (SQLite's "database is locked/busy", or the host's
    /// write queue giving up) is an overload to retry, not a fault: 503
    /// with Retry-After and no database text.
    fn from(e: DbError) -> Self {
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("database is locked") || text.contains("database is busy") {
            return {
                let mut p = Problem::new(503, "Baton is busy writing; retry in a moment.");
                p.retry_after = Some(1);
                p
            };
        }
        Problem::new(500, format!("Database error: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_contention_is_a_503_to_retry() {
        let p = Problem::from(DbError("database is locked".into()));
        assert_eq!((p.status, p.retry_after), (503, Some(1)));
        assert!(!p.detail.contains("locked"));
        assert_eq!(
            Problem::from(DbError("no such table: x".into())).status,
            500
        );
    }

    #[test]
    fn serializes_as_problem_json() {
        let json = serde_json::to_value(Problem::not_found("/v1/nope")).unwrap();
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["status"], 404);
        assert_eq!(json["instance"], "/v1/nope");
        assert!(json["detail"].as_str().unwrap().contains("/v1/nope"));
        assert!(json.get("errors").is_none());
    }

    #[test]
    fn validation_problems_name_fields() {
        let p = Problem::field("email", "is not an email address");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["status"], 422);
        assert_eq!(json["errors"][0]["field"], "email");
        assert!(p.detail.contains("email: is not an email address"));
        assert!(json.get("retry_after").is_none());
    }
}
