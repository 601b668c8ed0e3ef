//! The OAuth `state` parameter (HMAC-SHA256 signed, expiring, bound to
//! user, platform and PKCE verifier) and PKCE S256 pairs.
//!
//! A state looks like `v1.<payload>.<mac>` (base64url). The payload holds
//! a random nonce (the key of the server-side pending entry that makes the
//! state single-use and keeps the PKCE verifier off the URL), the
//! platform, a keyed tag of the user id, the expiry and a keyed tag of the
//! PKCE verifier. Everything is compared in constant time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Platform, Secret, StateProblem};

type HmacSha256 = Hmac<Sha256>;

/// A PKCE (RFC 7636) S256 verifier and its challenge.
#[derive(Debug)]
pub(crate) struct Pkce {
    /// 43 characters of base64url randomness (256 bits).
    pub(crate) verifier: Secret<String>,
    /// `BASE64URL(SHA256(verifier))`.
    pub(crate) challenge: String,
}

impl Pkce {
    pub(crate) fn new() -> Self {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let verifier = B64URL.encode(raw);
        let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier: Secret::new(verifier),
            challenge,
        }
    }
}

/// A fresh random nonce (128 bits, base64url).
pub(crate) fn new_nonce() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    B64URL.encode(raw)
}

/// What a verified state says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct VerifiedState {
    pub(crate) nonce: String,
    pub(crate) expires_at: DateTime<Utc>,
    verifier_tag: String,
}

/// Issues and verifies states with one app-level secret.
#[derive(Clone, Debug)]
pub(crate) struct StateCodec {
    key: Secret<Vec<u8>>,
}

impl StateCodec {
    pub(crate) fn new(key: Secret<Vec<u8>>) -> Self {
        Self { key }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length.
        HmacSha256::new_from_slice(self.key.expose())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// A keyed 128-bit tag of `label` + `value`, hex.
    fn tag(&self, label: &str, value: &str) -> String {
        let mut m = self.mac();
        m.update(label.as_bytes());
        m.update(&[0]);
        m.update(value.as_bytes());
        hex::encode(&m.finalize().into_bytes()[..16])
    }

    /// The tag binding a PKCE verifier (or its absence) to a state.
    pub(crate) fn verifier_tag(&self, verifier: Option<&str>) -> String {
        self.tag("pkce", verifier.unwrap_or(""))
    }

    /// Issues a state for `nonce`.
    pub(crate) fn issue(
        &self,
        nonce: &str,
        user_id: &str,
        platform: Platform,
        verifier: Option<&str>,
        expires_at: DateTime<Utc>,
    ) -> String {
        let payload = format!(
            "{nonce}|{platform}|{}|{}|{}",
            self.tag("user", user_id),
            expires_at.timestamp(),
            self.verifier_tag(verifier)
        );
        let mut m = self.mac();
        m.update(payload.as_bytes());
        let sig = m.finalize().into_bytes();
        format!("v1.{}.{}", B64URL.encode(payload), B64URL.encode(sig))
    }

    /// Checks signature, platform, user and expiry (in that order).
    /// Single use is enforced by the caller consuming the pending entry.
    pub(crate) fn verify(
        &self,
        state: &str,
        user_id: &str,
        platform: Platform,
        now: DateTime<Utc>,
    ) -> Result<VerifiedState, StateProblem> {
        let mut parts = state.split('.');
        let (Some("v1"), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(StateProblem::Tampered);
        };
        let payload = B64URL.decode(p).map_err(|_| StateProblem::Tampered)?;
        let sig = B64URL.decode(s).map_err(|_| StateProblem::Tampered)?;
        let mut m = self.mac();
        m.update(&payload);
        let expected = m.finalize().into_bytes();
        if sig.len() != expected.len() || !bool::from(expected.as_slice().ct_eq(&sig)) {
            return Err(StateProblem::Tampered);
        }
        let payload = String::from_utf8(payload).map_err(|_| StateProblem::Tampered)?;
        let f: Vec<&str> = payload.split('|').collect();
        let [nonce, plat, user_tag, exp, verifier_tag] = f.as_slice() else {
            return Err(StateProblem::Tampered);
        };
        if *plat != platform.as_str() {
            return Err(StateProblem::WrongPlatform);
        }
        let want = self.tag("user", user_id);
        if !bool::from(want.as_bytes().ct_eq(user_tag.as_bytes())) {
            return Err(StateProblem::WrongUser);
        }
        let exp: i64 = exp.parse().map_err(|_| StateProblem::Tampered)?;
        let expires_at = Utc
            .timestamp_opt(exp, 0)
            .single()
            .ok_or(StateProblem::Tampered)?;
        if now >= expires_at {
            return Err(StateProblem::Expired);
        }
        Ok(VerifiedState {
            nonce: (*nonce).to_owned(),
            expires_at,
            verifier_tag: (*verifier_tag).to_owned(),
        })
    }

    /// Whether `verifier` is the one the state was issued with.
    pub(crate) fn verifier_matches(&self, state: &VerifiedState, verifier: Option<&str>) -> bool {
        let want = self.verifier_tag(verifier);
        bool::from(want.as_bytes().ct_eq(state.verifier_tag.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec() -> StateCodec {
        StateCodec::new(Secret::new(b"app-level-state-secret".to_vec()))
    }

    #[test]
    fn round_trip_and_every_problem() {
        let c = codec();
        let now = Utc::now();
        let exp = now + chrono::Duration::minutes(10);
        let s = c.issue("n1", "alice", Platform::TikTok, Some("ver"), exp);
        let v = c.verify(&s, "alice", Platform::TikTok, now).unwrap();
        assert_eq!(v.nonce, "n1");
        assert!(c.verifier_matches(&v, Some("ver")));
        assert!(!c.verifier_matches(&v, Some("other")));
        assert_eq!(
            c.verify(&s, "bob", Platform::TikTok, now),
            Err(StateProblem::WrongUser)
        );
        assert_eq!(
            c.verify(&s, "alice", Platform::X, now),
            Err(StateProblem::WrongPlatform)
        );
        assert_eq!(
            c.verify(&s, "alice", Platform::TikTok, exp),
            Err(StateProblem::Expired)
        );
        // Flip one character of the payload.
        let mut t = s.clone().into_bytes();
        t[5] = if t[5] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert_eq!(
            c.verify(&t, "alice", Platform::TikTok, now),
            Err(StateProblem::Tampered)
        );
        assert_eq!(
            c.verify("garbage", "alice", Platform::TikTok, now),
            Err(StateProblem::Tampered)
        );
        let other = StateCodec::new(Secret::new(b"other".to_vec()));
        assert_eq!(
            other.verify(&s, "alice", Platform::TikTok, now),
            Err(StateProblem::Tampered)
        );
    }

    #[test]
    fn pkce_is_s256() {
        let p = Pkce::new();
        assert_eq!(p.verifier.expose().len(), 43);
        assert_eq!(
            p.challenge,
            B64URL.encode(Sha256::digest(p.verifier.expose().as_bytes()))
        );
    }
}
