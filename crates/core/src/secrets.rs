//! Passwords (argon2id) and bearer secrets (256 random bits, stored only as
//! SHA-256 hashes).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

pub const PASSWORD_RULE: &str = "a password needs 10 to 128 characters, must not be one repeated character, must not contain the email address, and must not be a well-known password";

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "1234567890",
    "12345678910",
    "0123456789",
    "qwertyuiop",
    "qwerty1234",
    "qwerty123456",
    "1q2w3e4r5t",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "administrator",
    "changeme123",
    "abcdefghij",
    "abc1234567",
    "trustno1234",
    "football123",
    "baseball123",
    "princess123",
    "sunshine123",
];

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the password rule; Err says what is wrong.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("too short ({chars} characters): {PASSWORD_RULE}"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("too long ({chars} characters): {PASSWORD_RULE}"));
    }
    let mut it = password.chars();
    if let Some(first) = it.next()
        && it.all(|c| c == first)
    {
        return Err(format!("one repeated character: {PASSWORD_RULE}"));
    }
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if !email.is_empty() && (lower.contains(&email) || (local.len() >= 4 && lower.contains(local)))
    {
        return Err(format!("contains the email address: {PASSWORD_RULE}"));
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(format!("a well-known password: {PASSWORD_RULE}"));
    }
    Ok(())
}

pub fn hash_password(password: &str, salt: [u8; 16]) -> Result<String, String> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash to verify against when the account does not exist, so a wrong
/// email costs as much time as a wrong password.
///
/// A constant: hashing one per request would make a wrong email cost two
/// argon2 runs to a wrong password's one, which tells them apart.
pub fn dummy_hash() -> String {
    DUMMY_HASH.to_string()
}

/// A well-formed argon2id hash (the same parameters as real ones) that no
/// password verifies against.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$BwcHBwcHBwcHBwcHBwcHBw$qJ3iGQv8m0dW9lWQ0T3b7p2u8yYx1vN5kH4sR6tE0aI";

/// `<prefix>_<43 base64url chars>` from 32 random bytes.
pub fn new_secret(prefix: &str, random: [u8; 32]) -> String {
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(random))
}

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What may be shown of a secret after creation: its prefix and first chars.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(10).collect::<String>() + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rule() {
        assert!(check_password("correct horse battery", "ada@example.com").is_ok());
        assert!(
            check_password("short", "a@b.co")
                .unwrap_err()
                .contains("too short")
        );
        assert!(
            check_password(&"x".repeat(129), "a@b.co")
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            check_password("aaaaaaaaaaaa", "a@b.co")
                .unwrap_err()
                .contains("repeated")
        );
        assert!(
            check_password("Password123", "a@b.co")
                .unwrap_err()
                .contains("well-known")
        );
        assert!(
            check_password("xx-ada.lovelace-xx", "ada.lovelace@example.com")
                .unwrap_err()
                .contains("email")
        );
        assert!(check_password("ada@example.com!", "ada@example.com").is_err());
        // Every error states the whole rule.
        assert!(
            check_password("short", "a@b.co")
                .unwrap_err()
                .contains(PASSWORD_RULE)
        );
    }

    #[test]
    fn dummy_hash_costs_one_verification_like_a_real_one() {
        // Same algorithm and parameters as a real hash, so verifying against
        // it is the same work; a constant, so no hashing happens per request.
        let real = hash_password("correct horse battery", [1; 16]).unwrap();
        let params = |h: &str| h.rsplitn(3, '$').nth(2).unwrap().to_string();
        assert_eq!(params(&dummy_hash()), params(&real));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("not-a-real-password", &dummy_hash()));
        assert_eq!(dummy_hash(), DUMMY_HASH);
    }

    #[test]
    fn argon2id_hash_and_verify() {
        let h = hash_password("correct horse battery", [1; 16]).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterz", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(
            h,
            hash_password("correct horse battery", [2; 16]).unwrap(),
            "salted"
        );
    }

    #[test]
    fn secrets_are_256_bit_and_hashed() {
        let s = new_secret("bts", [0xAB; 32]);
        assert!(s.starts_with("bts_"));
        assert_eq!(s.len(), 4 + 43);
        let h = hash_secret(&s);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&s[4..]));
        assert_ne!(hash_secret(&new_secret("bts", [0xAC; 32])), h);
        assert_eq!(display_prefix(&s).chars().count(), 11);
    }
}
