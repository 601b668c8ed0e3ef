//! Where the key-value adaptors keep things: the key of every record, and
//! the JSON envelope of a value sealed by the [`crate::KeyRing`].
//!
//! ```text
//! creatorsync/token/{user}/{platform}/{account}   a token (credential sealed)
//! creatorsync/pending/{state nonce}               a pending connect (sealed)
//! creatorsync/publish/{idempotency key}/{platform}/{account}   a publish record
//! creatorsync/upload/{session key}                an upload session (sealed)
//! creatorsync/quota/{platform}/{bucket}/{scope}   a quota ledger entry
//! creatorsync/template/{user}/{name}              a post template (JSON)
//! creatorsync/analytics/{user}/{platform}/{account}/{post}   a post's metrics history
//! creatorsync/analytics-refresh                   the scheduled metrics refresh (plain JSON)
//! creatorsync/schedule/{schedule id}              a scheduled post (plain JSON)
//! creatorsync/schedule-key/{user}/{key}           the schedule id of an idempotency key
//! ```
//!
//! Every id is escaped (`%` → `%25`, `/` → `%2F`, control and non-ASCII
//! characters percent-encoded), so a `/` only ever separates parts: the
//! listing of user `a` (prefix `creatorsync/token/a/`) never reaches user
//! `a/b` (`creatorsync/token/a%2Fb/…`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::store::crypto::Sealed;
use crate::{AccountKey, Error, Result};

/// The common prefix of every key the core writes.
pub(crate) const ROOT: &str = "creatorsync/";

/// What an id part keeps escaped: `%` (the escape itself), `/` (the
/// separator) and, through [`CONTROLS`] and the UTF-8 encoder, control
/// and non-ASCII characters.
const PART: &AsciiSet = &CONTROLS.add(b'%').add(b'/').add(b' ');

/// One id as a key part.
pub(crate) fn part(id: &str) -> String {
    utf8_percent_encode(id, PART).to_string()
}

/// The prefix of every token of `user_id`.
pub(crate) fn tokens_of(user_id: &str) -> String {
    format!("{ROOT}token/{}/", part(user_id))
}

/// The prefix of every token.
pub(crate) fn all_tokens() -> String {
    format!("{ROOT}token/")
}

/// The key of one token.
pub(crate) fn token(key: &AccountKey) -> String {
    format!(
        "{}{}/{}",
        tokens_of(&key.user_id),
        key.platform.as_str(),
        part(&key.account_id)
    )
}

/// The prefix of every pending connect.
pub(crate) fn all_pending() -> String {
    format!("{ROOT}pending/")
}

/// The key of a pending connect.
pub(crate) fn pending(nonce: &str) -> String {
    format!("{}{}", all_pending(), part(nonce))
}

/// The prefix of every record of one publish request.
pub(crate) fn publish_request(idempotency_key: &str) -> String {
    format!("{ROOT}publish/{}/", part(idempotency_key))
}

/// The key of one publish record.
pub(crate) fn publish(idempotency_key: &str, target: &AccountKey) -> String {
    format!(
        "{}{}/{}",
        publish_request(idempotency_key),
        target.platform.as_str(),
        part(&target.account_id)
    )
}

/// The key of one upload session.
pub(crate) fn upload(session_key: &str) -> String {
    format!("{ROOT}upload/{}", part(session_key))
}

/// The key of the scheduled metrics refresh's record.
pub(crate) fn analytics_refresh() -> String {
    format!("{ROOT}analytics-refresh")
}

/// The prefix of every scheduled post.
pub(crate) fn all_schedules() -> String {
    format!("{ROOT}schedule/")
}

/// The key of one scheduled post.
pub(crate) fn schedule(id: &str) -> String {
    format!("{}{}", all_schedules(), part(id))
}

/// The key naming the scheduled post an idempotency key created.
pub(crate) fn schedule_key(user_id: &str, key: &str) -> String {
    format!("{ROOT}schedule-key/{}/{}", part(user_id), part(key))
}

/// The key of one quota's ledger entry for one scope (an account id, a
/// user id, or the app).
pub(crate) fn quota(platform: crate::Platform, bucket: &str, scope_id: &str) -> String {
    format!(
        "{ROOT}quota/{}/{bucket}/{}",
        platform.as_str(),
        part(scope_id)
    )
}

/// The prefix of every template of `user_id`.
pub(crate) fn templates_of(user_id: &str) -> String {
    format!("{ROOT}template/{}/", part(user_id))
}

/// The key of one template.
pub(crate) fn template(user_id: &str, name: &str) -> String {
    format!("{}{}", templates_of(user_id), part(name))
}

/// The prefix of every post's metrics history.
pub(crate) fn all_analytics() -> String {
    format!("{ROOT}analytics/")
}

/// The prefix of the metrics histories of `user_id`'s posts.
pub(crate) fn analytics_of(user_id: &str) -> String {
    format!("{}{}/", all_analytics(), part(user_id))
}

/// The key of one post's metrics history.
pub(crate) fn analytics(account: &AccountKey, post_id: &str) -> String {
    format!(
        "{}{}/{}/{}",
        analytics_of(&account.user_id),
        account.platform.as_str(),
        part(&account.account_id),
        part(post_id)
    )
}

/// A value sealed by the ring, as JSON text fields.
#[derive(Serialize, Deserialize)]
pub(crate) struct SealedJson {
    /// The key that sealed it.
    pub(crate) key_id: String,
    /// The stored nonce (format byte + nonce), base64.
    pub(crate) nonce: String,
    /// The ciphertext with its tag, base64.
    pub(crate) ciphertext: String,
}

impl SealedJson {
    pub(crate) fn new(sealed: Sealed, ciphertext: &[u8]) -> Self {
        Self {
            key_id: sealed.key_id,
            nonce: BASE64.encode(sealed.nonce),
            ciphertext: BASE64.encode(ciphertext),
        }
    }

    /// The nonce and ciphertext as bytes.
    pub(crate) fn bytes(&self) -> Result<(Vec<u8>, Vec<u8>)> {
        let bad = || Error::Key {
            key_id: self.key_id.clone(),
            message: "a sealed value in the key-value store is not base64".into(),
        };
        Ok((
            BASE64.decode(&self.nonce).map_err(|_| bad())?,
            BASE64.decode(&self.ciphertext).map_err(|_| bad())?,
        ))
    }
}

/// Parses a stored value as `T` (a value that does not is a store error
/// naming `what`, never echoing the value: it may hold sealed secrets).
pub(crate) fn decode<T: serde::de::DeserializeOwned>(what: &str, value: &str) -> Result<T> {
    serde_json::from_str(value).map_err(|e| {
        Error::store(format!(
            "key-value store: a stored {what} does not decode ({})",
            e.classify_name()
        ))
    })
}

/// Serializes a value for the store.
pub(crate) fn encode<T: Serialize>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::store(format!("key-value store: cannot encode a {what}: {e}")))
}

/// `serde_json`'s error category, without the message (which may quote
/// input).
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Platform;

    #[test]
    fn ids_are_escaped_so_prefixes_never_cross_users() {
        let a = AccountKey::new("a", Platform::X, "1").unwrap();
        let ab = AccountKey::new("a/b", Platform::X, "1").unwrap();
        assert!(token(&a).starts_with(&tokens_of("a")));
        assert!(!token(&ab).starts_with(&tokens_of("a")), "{}", token(&ab));
        assert_eq!(part("a%2Fb"), "a%252Fb");
        assert_ne!(part("a/b"), part("a%2Fb"));
        assert_eq!(publish("req 1", &a), "creatorsync/publish/req%201/x/1");
        assert_eq!(
            analytics(&ab, "urn:li:share:1"),
            "creatorsync/analytics/a%2Fb/x/1/urn:li:share:1"
        );
        assert!(!analytics(&ab, "1").starts_with(&analytics_of("a")));
    }
}
