//! Secrets at rest (provider API keys, webhook secrets) sealed with
//! ChaCha20-Poly1305 under a key derived from the `encryption_key` Spin
//! variable, and HMAC-signed tokens (survey links) under a second key
//! derived from the same variable. The context string is bound into each
//! seal, so a sealed value copied to another row or column does not open.

use crate::problem::Problem;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const MIN_KEY_CHARS: usize = 32;
const VERSION: &str = "v1";

/// Keys derived from the `encryption_key` variable.
#[derive(Clone)]
pub struct Keyring {
    seal: [u8; 32],
    sign: [u8; 32],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

fn derive(label: &str, secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update([0]);
    h.update(secret.as_bytes());
    h.finalize().into()
}

impl Keyring {
    /// The keyring for the configured variable; a clear 503 when it is
    /// missing or too short to be a real key.
    pub fn from_setting(secret: Option<&str>) -> Result<Keyring, Problem> {
        match secret.map(str::trim) {
            Some(s) if s.chars().count() >= MIN_KEY_CHARS => Ok(Keyring {
                seal: derive("baton seal v1", s),
                sign: derive("baton sign v1", s),
            }),
            Some(s) if !s.is_empty() => Err(Problem::new(
                503,
                format!(
                    "The encryption_key variable is too short: use at least {MIN_KEY_CHARS} random characters (e.g. `openssl rand -hex 32`)."
                ),
            )),
            _ => Err(Problem::new(
                503,
                "Storing secrets needs the encryption_key variable: set it to at least 32 random characters (e.g. `openssl rand -hex 32`).",
            )),
        }
    }

    pub fn seal(&self, nonce: [u8; 12], context: &str, plaintext: &str) -> String {
        let cipher = ChaCha20Poly1305::new((&self.seal).into());
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// None when the value was sealed under another key or context, or is
    /// not a sealed value at all.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        let body = sealed.strip_prefix("v1.")?;
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new((&self.seal).into());
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// URL-safe HMAC-SHA256 of `message`.
    pub fn sign(&self, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(message))
    }

    pub fn verify(&self, message: &str, signature: &str) -> bool {
        use subtle::ConstantTimeEq;
        match URL_SAFE_NO_PAD.decode(signature) {
            Ok(sig) => self.mac(message).as_slice().ct_eq(&sig).into(),
            Err(_) => false,
        }
    }

    fn mac(&self, message: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.sign)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(message.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(s: &str) -> Keyring {
        Keyring::from_setting(Some(s)).unwrap()
    }

    #[test]
    fn seals_open_only_with_the_same_key_and_context() {
        let k = keyring("0123456789abcdef0123456789abcdef");
        let sealed = k.seal([7; 12], "bot_email:b1", "SG.secret-key");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("secret"));
        assert_eq!(
            k.open("bot_email:b1", &sealed).as_deref(),
            Some("SG.secret-key")
        );
        assert_eq!(k.open("bot_email:b2", &sealed), None);
        let other = keyring("another key of at least thirty-two chars");
        assert_eq!(other.open("bot_email:b1", &sealed), None);
        assert_eq!(k.open("bot_email:b1", "v1.AAAA"), None);
        assert_eq!(k.open("bot_email:b1", "plain"), None);
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(k.open("bot_email:b1", &tampered), None);
    }

    #[test]
    fn signatures_verify_only_their_message() {
        let k = keyring("0123456789abcdef0123456789abcdef");
        let sig = k.sign("csat:A1:5:n");
        assert!(k.verify("csat:A1:5:n", &sig));
        assert!(!k.verify("csat:A1:4:n", &sig));
        assert!(!k.verify("csat:A1:5:n", "not base64!"));
        assert!(!keyring("a different key, thirty-two chars+").verify("csat:A1:5:n", &sig));
    }

    #[test]
    fn missing_or_short_keys_are_clear_errors() {
        assert_eq!(Keyring::from_setting(None).unwrap_err().status, 503);
        assert_eq!(Keyring::from_setting(Some("  ")).unwrap_err().status, 503);
        let short = Keyring::from_setting(Some("short")).unwrap_err();
        assert!(short.detail.contains("too short"), "{}", short.detail);
    }
}
