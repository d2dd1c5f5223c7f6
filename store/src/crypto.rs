//! Keys derived from the master secret: one for encrypting provider keys at
//! rest, one for signing session cookies. Separate derivations mean a leak of
//! one use does not hand over the other.

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Secret, StoreError};

const ENCRYPTION_INFO: &[u8] = b"rampart/provider-keys/v1";
const SIGNING_INFO: &[u8] = b"rampart/session-signing/v1";
const CIPHERTEXT_PREFIX: &str = "v1:";

/// The master key material. Construct it from the configured secret.
#[derive(Clone)]
pub struct MasterKey {
    encryption: Secret<[u8; 32]>,
    signing: Secret<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(*****)")
    }
}

impl MasterKey {
    /// Derives the working keys from the configured master secret.
    pub fn derive(master: &Secret<String>) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"rampart"), master.expose().as_bytes());
        let mut encryption = [0u8; 32];
        let mut signing = [0u8; 32];
        // HKDF-SHA256 can expand up to 8160 bytes; 32 never fails.
        let _ = hk.expand(ENCRYPTION_INFO, &mut encryption);
        let _ = hk.expand(SIGNING_INFO, &mut signing);
        Self { encryption: Secret::new(encryption), signing: Secret::new(signing) }
    }

    /// Encrypts `plaintext` with XChaCha20-Poly1305 under a fresh random nonce.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, StoreError> {
        let cipher = XChaCha20Poly1305::new(self.encryption.expose().into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher.encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes()).map_err(|_| StoreError::Crypto)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{CIPHERTEXT_PREFIX}{}", B64.encode(blob)))
    }

    /// Decrypts what [`MasterKey::encrypt`] produced. Fails if the master
    /// secret changed or the data was tampered with.
    pub fn decrypt(&self, stored: &str) -> Result<Secret<String>, StoreError> {
        let body = stored.strip_prefix(CIPHERTEXT_PREFIX).ok_or(StoreError::Crypto)?;
        let blob = B64.decode(body).map_err(|_| StoreError::Crypto)?;
        if blob.len() < 24 {
            return Err(StoreError::Crypto);
        }
        let (nonce, ct) = blob.split_at(24);
        let cipher = XChaCha20Poly1305::new(self.encryption.expose().into());
        let pt = cipher.decrypt(XNonce::from_slice(nonce), ct).map_err(|_| StoreError::Crypto)?;
        String::from_utf8(pt).map(Secret::new).map_err(|_| StoreError::Crypto)
    }

    /// HMAC-SHA256 of `data` under the signing key, base64 without padding.
    pub fn sign(&self, data: &str) -> String {
        B64.encode(self.mac(data))
    }

    /// Constant-time check of a signature made by [`MasterKey::sign`].
    pub fn verify(&self, data: &str, signature: &str) -> bool {
        match B64.decode(signature) {
            Ok(sig) => bool::from(self.mac(data).as_slice().ct_eq(&sig)),
            Err(_) => false,
        }
    }

    fn mac(&self, data: &str) -> Vec<u8> {
        // HMAC accepts keys of any length.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.signing.expose()) {
            Ok(mac) => mac,
            Err(_) => return Vec::new(),
        };
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// SHA-256 of `data` as lowercase hex.
/// A new webhook signing secret: `whsec_` and 32 random bytes in base64,
/// the Standard Webhooks form.
pub fn new_webhook_secret() -> Secret<String> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    Secret::new(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key)))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> MasterKey {
        MasterKey::derive(&Secret::new(s.to_string()))
    }

    #[test]
    fn encrypt_round_trips_and_rejects_other_keys() {
        let k = key("master-one");
        let stored = k.encrypt("sk-provider-123").unwrap();
        assert!(!stored.contains("sk-provider-123"));
        assert_eq!(k.decrypt(&stored).unwrap().expose(), "sk-provider-123");
        assert!(key("master-two").decrypt(&stored).is_err());
        // Two encryptions of the same value differ (fresh nonce).
        assert_ne!(stored, k.encrypt("sk-provider-123").unwrap());
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let k = key("m");
        let stored = k.encrypt("value").unwrap();
        let mut bytes = stored.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(k.decrypt(&String::from_utf8(bytes).unwrap()).is_err());
        assert!(k.decrypt("garbage").is_err());
    }

    #[test]
    fn signatures_verify_only_for_same_data_and_key() {
        let k = key("m");
        let sig = k.sign("session-id");
        assert!(k.verify("session-id", &sig));
        assert!(!k.verify("session-id2", &sig));
        assert!(!key("other").verify("session-id", &sig));
        assert!(!k.verify("session-id", "not base64 !!"));
    }
}
