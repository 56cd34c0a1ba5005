//! RFC 9457 problem details: every error Baton answers is one of these.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Problem {
    pub fn new(status: u16, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status,
            detail: detail.into(),
            instance: None,
        }
    }

    pub fn not_found(path: &str) -> Self {
        let mut p = Problem::new(404, "Not Found", format!("No resource at {path}."));
        p.instance = Some(path.to_string());
        p
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Problem::new(
            405,
            "Method Not Allowed",
            format!("{method} is not supported on {path}."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_problem_json() {
        let json = serde_json::to_value(Problem::not_found("/v1/nope")).unwrap();
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["status"], 404);
        assert_eq!(json["instance"], "/v1/nope");
        assert!(json["detail"].as_str().unwrap().contains("/v1/nope"));
    }
}
