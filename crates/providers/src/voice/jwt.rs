//! Compact JWS with HS256 (RFC 7515/7519), the part Vonage and Dialpad use
//! to sign webhooks: verify with the shared secret, check the time claims.
//! Only HS256 is accepted: a token that names another algorithm (`none`,
//! RS256 with the secret as a "public key") is refused before any MAC.

use serde_json::Value;

use super::VerifyError;
use super::common::{b64url, b64url_decode, ct_eq, hmac_sha256};

/// Verifies `token` (three dot-separated base64url parts) with `secret`
/// and returns its claims. Time claims are checked when present:
/// `exp` (not past), `nbf` (not before) and `iat` (not in the future),
/// each with `leeway_secs` of clock skew.
pub fn verify_hs256(
    token: &str,
    secret: &[u8],
    now_unix: i64,
    leeway_secs: i64,
) -> Result<Value, VerifyError> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(h64), Some(p64), Some(s64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed("JWT (needs three parts)"));
    };
    let header: Value = b64url_decode(h64)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(VerifyError::Malformed("JWT header"))?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(VerifyError::Malformed("JWT algorithm (only HS256)"));
    }
    let sig = b64url_decode(s64).ok_or(VerifyError::Malformed("JWT signature"))?;
    let signing_input = &token[..h64.len() + 1 + p64.len()];
    let expected = hmac_sha256(secret, signing_input.as_bytes());
    if !ct_eq(&sig, &expected) {
        return Err(VerifyError::Mismatch);
    }
    let claims: Value = b64url_decode(p64)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(Value::is_object)
        .ok_or(VerifyError::Malformed("JWT claims"))?;
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    if time("exp").is_some_and(|exp| now_unix > exp + leeway_secs)
        || time("nbf").is_some_and(|nbf| now_unix + leeway_secs < nbf)
        || time("iat").is_some_and(|iat| iat > now_unix + leeway_secs)
    {
        return Err(VerifyError::Stale);
    }
    Ok(claims)
}

/// Signs `claims` with HS256 (header `{"alg":"HS256","typ":"JWT"}`).
pub fn sign_hs256(claims: &Value, secret: &[u8]) -> String {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(claims.to_string().as_bytes());
    let input = format!("{header}.{payload}");
    let sig = b64url(&hmac_sha256(secret, input.as_bytes()));
    format!("{input}.{sig}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7515 appendix A.1: the HS256 example, with its published key
    /// (the JWK `k` below, base64url) and exact token.
    #[test]
    fn rfc7515_a1_known_answer() {
        let key = b64url_decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        )
        .unwrap();
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
                     .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
                     .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        // exp is 1300819380: verify just before it.
        let claims = verify_hs256(token, &key, 1_300_819_000, 0).unwrap();
        assert_eq!(claims["iss"], "joe");
        assert_eq!(
            verify_hs256(token, &key, 1_300_819_381, 0),
            Err(VerifyError::Stale)
        );
        assert!(verify_hs256(token, &key, 1_300_819_381, 60).is_ok());
        assert_eq!(
            verify_hs256(token, b"other", 1_300_819_000, 0),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn round_trip_and_refusals() {
        let t = sign_hs256(&json!({"iat": 100, "x": 1}), b"s");
        assert_eq!(verify_hs256(&t, b"s", 100, 0).unwrap()["x"], 1);
        // iat in the future beyond the leeway.
        assert_eq!(verify_hs256(&t, b"s", 40, 30), Err(VerifyError::Stale));
        let nbf = sign_hs256(&json!({"nbf": 200}), b"s");
        assert_eq!(verify_hs256(&nbf, b"s", 100, 0), Err(VerifyError::Stale));

        // alg none with an empty signature.
        let none = format!(
            "{}.{}.",
            b64url(br#"{"alg":"none"}"#),
            b64url(br#"{"x":1}"#)
        );
        assert!(matches!(
            verify_hs256(&none, b"s", 0, 0),
            Err(VerifyError::Malformed(_))
        ));
        // Tampered payload.
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = b64url(br#"{"iat":100,"x":2}"#);
        parts[1] = &forged;
        assert_eq!(
            verify_hs256(&parts.join("."), b"s", 100, 0),
            Err(VerifyError::Mismatch)
        );
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.e30"] {
            assert!(
                matches!(
                    verify_hs256(bad, b"s", 0, 0),
                    Err(VerifyError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }
}
