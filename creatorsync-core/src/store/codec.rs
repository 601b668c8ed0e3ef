//! What the SQL stores share: the plaintext encoding of a [`Credential`]
//! (sealed with [`KeyRing`] before it reaches a database), the row identity
//! and row version used as associated data, and version conversions. The SQLite and
//! PostgreSQL stores both use this module, so a row's ciphertext means the
//! same thing in either database.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::{KeyRing, Sealed};
use crate::{AccountKey, Credential, Error, Result, Secret};

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// A version as the database's signed 64-bit integer.
pub(crate) fn u64_to_sql(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::invalid_input("version", "too large"))
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// A stored version back as `u64`.
pub(crate) fn u64_from_sql(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::store("negative version in the database"))
}

/// The serialized plaintext of a credential. `Secret` serializes as
/// `"[redacted]"`, so this mirror exposes the values explicitly; it only
/// ever lives in a zeroized buffer that is encrypted in place.
#[derive(Serialize)]
struct CredentialOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    user_token: Option<&'a str>,
}

/// The decrypted credential; strings go straight into [`Secret`]s.
#[derive(Deserialize)]
struct CredentialIn {
    #[serde(rename = "type")]
    kind: String,
    token: Option<Secret<String>>,
    secret: Option<Secret<String>>,
    access: Option<Secret<String>>,
    refresh: Option<Secret<String>>,
    expires_at: Option<DateTime<Utc>>,
    refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Absent in rows written before it existed.
    user_token: Option<Secret<String>>,
}

pub(crate) fn credential_plaintext(credential: &Credential) -> Result<Zeroizing<Vec<u8>>> {
    let out = match credential {
        Credential::OAuth1 { token, secret } => CredentialOut {
            kind: "oauth1",
            token: Some(token.expose()),
            secret: Some(secret.expose()),
            access: None,
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: &[],
            user_token: None,
        },
        Credential::OAuth2 {
            access,
            refresh,
            expires_at,
            refresh_expires_at,
            scopes,
            user_token,
        } => CredentialOut {
            kind: "oauth2",
            token: None,
            secret: None,
            access: Some(access.expose()),
            refresh: refresh.as_ref().map(|r| r.expose().as_str()),
            expires_at: *expires_at,
            refresh_expires_at: *refresh_expires_at,
            scopes,
            user_token: user_token.as_ref().map(|t| t.expose().as_str()),
        },
    };
    // Size the buffer up front so it never reallocates (a reallocation
    // would leave an unzeroized copy behind).
    let secrets_len: usize = [
        out.token,
        out.secret,
        out.access,
        out.refresh,
        out.user_token,
    ]
    .iter()
    .flatten()
    .map(|s| s.len() * 6)
    .sum();
    let scopes_len: usize = out.scopes.iter().map(|s| s.len() * 6 + 3).sum();
    let mut buffer = Zeroizing::new(Vec::with_capacity(256 + secrets_len + scopes_len));
    serde_json::to_writer(&mut *buffer, &out)
        .map_err(|e| Error::store(format!("cannot serialize credential: {e}")))?;
    Ok(buffer)
}

pub(crate) fn credential_from_plaintext(key_id: &str, plaintext: &[u8]) -> Result<Credential> {
    let bad = |what: &str| Error::Key {
        key_id: key_id.to_owned(),
        message: format!("decrypted credential is malformed ({what})"),
    };
    // serde_json's error text may quote input; never surface it.
    let c: CredentialIn = serde_json::from_slice(plaintext).map_err(|_| bad("not JSON"))?;
    match c.kind.as_str() {
        "oauth1" => Ok(Credential::OAuth1 {
            token: c.token.ok_or_else(|| bad("no token"))?,
            secret: c.secret.ok_or_else(|| bad("no secret"))?,
        }),
        "oauth2" => Ok(Credential::OAuth2 {
            access: c.access.ok_or_else(|| bad("no access token"))?,
            refresh: c.refresh,
            expires_at: c.expires_at,
            refresh_expires_at: c.refresh_expires_at,
            scopes: c.scopes,
            user_token: c.user_token,
        }),
        _ => Err(bad("unknown credential type")),
    }
}

/// The row identity bound into the ciphertext as associated data.
pub(crate) fn row_id(key: &AccountKey) -> [&str; 3] {
    [&key.user_id, key.platform.as_str(), &key.account_id]
}

/// Serializes and seals `credential` for the row `key` at row version
/// `version` (the version the write will give the row) under the ring's
/// active key: returns where the key id and nonce go, and the ciphertext.
pub(crate) fn seal_credential(
    ring: &KeyRing,
    key: &AccountKey,
    version: u64,
    credential: &Credential,
) -> Result<(Sealed, Zeroizing<Vec<u8>>)> {
    let mut buffer = credential_plaintext(credential)?;
    let sealed = ring.seal(&row_id(key), version, &mut buffer)?;
    Ok((sealed, buffer))
}

/// Opens a stored row's ciphertext (row version `version`) and decodes the
/// credential.
pub(crate) fn open_credential(
    ring: &KeyRing,
    key: &AccountKey,
    version: u64,
    key_id: &str,
    nonce: &[u8],
    ciphertext: &[u8],
) -> Result<Credential> {
    let plaintext = ring.open(&row_id(key), version, key_id, nonce, ciphertext)?;
    credential_from_plaintext(key_id, &plaintext)
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// Re-encrypts one row's ciphertext under the ring's active key, in the
/// current format, for the same row version (key rotation; this also
/// moves rows written before the version was bound to the current
/// format). The plaintext only exists in a zeroized buffer.
pub(crate) fn reseal(
    ring: &KeyRing,
    row_id: &[&str],
    version: u64,
    key_id: &str,
    nonce: &[u8],
    ciphertext: &[u8],
) -> Result<(Sealed, Zeroizing<Vec<u8>>)> {
    let mut buffer = ring.open(row_id, version, key_id, nonce, ciphertext)?;
    let sealed = ring.seal(row_id, version, &mut buffer)?;
    Ok((sealed, buffer))
}

/// The version a write gives the row: 1 for an insert, `expected + 1` for
/// a compare-and-swap update.
pub(crate) fn next_version(expected: Option<u64>) -> Result<u64> {
    match expected {
        None => Ok(1),
        Some(v) => v
            .checked_add(1)
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| Error::invalid_input("version", "too large")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_token_round_trips_and_old_rows_still_read() {
        let c = Credential::OAuth2 {
            access: Secret::from("page-token"),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec!["pages_manage_posts".into()],
            user_token: Some(Secret::from("user-token")),
        };
        let plain = credential_plaintext(&c).unwrap();
        assert_eq!(credential_from_plaintext("k", &plain).unwrap(), c);
        // A row written before the field existed.
        let old = br#"{"type":"oauth2","access":"page-token","scopes":["pages_manage_posts"]}"#;
        let Credential::OAuth2 { user_token, .. } = credential_from_plaintext("k", old).unwrap()
        else {
            panic!("oauth2 expected")
        };
        assert!(user_token.is_none());
    }
}

/// A pending connect as stored: its secrets (PKCE verifier, OAuth 1.0a
/// request-token secret) inside the ciphertext with everything else.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingPlain {
    user_id: String,
    platform: crate::Platform,
    redirect_uri: String,
    pkce_verifier: Option<String>,
    request_token_secret: Option<String>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// Encrypts a pending connect, bound to its `nonce` (another row's
/// ciphertext does not open under it).
pub(crate) fn seal_pending(
    ring: &KeyRing,
    nonce: &str,
    pending: &crate::auth::PendingConnect,
) -> Result<(Sealed, Zeroizing<Vec<u8>>)> {
    let plain = PendingPlain {
        user_id: pending.user_id.clone(),
        platform: pending.platform,
        redirect_uri: pending.redirect_uri.clone(),
        pkce_verifier: pending.pkce_verifier.as_ref().map(|s| s.expose().clone()),
        request_token_secret: pending
            .request_token_secret
            .as_ref()
            .map(|s| s.expose().clone()),
        expires_at: pending.expires_at,
    };
    let mut buffer = Zeroizing::new(
        serde_json::to_vec(&plain)
            .map_err(|e| Error::store(format!("cannot encode a pending connect: {e}")))?,
    );
    let sealed = ring.seal(&["pending", nonce], 0, &mut buffer)?;
    Ok((sealed, buffer))
}

/// Decrypts a pending connect sealed by [`seal_pending`] under `nonce`.
pub(crate) fn open_pending(
    ring: &KeyRing,
    nonce: &str,
    key_id: &str,
    stored_nonce: &[u8],
    ciphertext: &[u8],
) -> Result<crate::auth::PendingConnect> {
    let plaintext = ring.open(&["pending", nonce], 0, key_id, stored_nonce, ciphertext)?;
    let p: PendingPlain = serde_json::from_slice(&plaintext)
        .map_err(|_| Error::store("a stored pending connect does not decode"))?;
    Ok(crate::auth::PendingConnect {
        user_id: p.user_id,
        platform: p.platform,
        redirect_uri: p.redirect_uri,
        pkce_verifier: p.pkce_verifier.map(crate::Secret::new),
        request_token_secret: p.request_token_secret.map(crate::Secret::new),
        expires_at: p.expires_at,
    })
}

/// Encrypts an upload session (its upload URLs may carry upload tokens),
/// bound to its session key: another key's ciphertext does not open under
/// it.
pub(crate) fn seal_session(
    ring: &KeyRing,
    key: &str,
    session: &serde_json::Value,
) -> Result<(Sealed, Zeroizing<Vec<u8>>)> {
    let mut buffer = Zeroizing::new(
        serde_json::to_vec(session)
            .map_err(|e| Error::store(format!("cannot encode an upload session: {e}")))?,
    );
    let sealed = ring.seal(&["upload", key], 0, &mut buffer)?;
    Ok((sealed, buffer))
}

/// Decrypts an upload session sealed by [`seal_session`] under `key`.
pub(crate) fn open_session(
    ring: &KeyRing,
    key: &str,
    key_id: &str,
    stored_nonce: &[u8],
    ciphertext: &[u8],
) -> Result<serde_json::Value> {
    let plaintext = ring.open(&["upload", key], 0, key_id, stored_nonce, ciphertext)?;
    serde_json::from_slice(&plaintext)
        .map_err(|_| Error::store("a stored upload session does not decode"))
}
