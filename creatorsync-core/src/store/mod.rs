//! Token storage: the [`TokenStore`] trait and its implementations.
//!
//! Every write is a compare-and-swap on a per-record version, which is what
//! makes token refresh safe across processes: two workers that refresh a
//! rotating refresh token at once both try `put(new, Some(v))`; exactly one
//! wins, the other gets [`Error::Conflict`] and re-reads the winner's token.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{AccountKey, Error, Result, StoredToken};

mod memory;
pub use memory::MemoryTokenStore;

mod timeout;
pub use timeout::{DEFAULT_STORE_TIMEOUT, MAX_STORE_TIMEOUT, TimeoutStore};

pub(crate) mod crypto;
pub use crypto::{DEFAULT_KEY_ID, KEY_ENV, KEY_ID_ENV, KEY_LEN, KeyRing};

pub(crate) mod codec;
pub(crate) mod sql_common;

#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_kv;
#[cfg(feature = "sqlite")]
mod sqlite_pending;
#[cfg(feature = "sqlite")]
mod sqlite_sessions;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteTokenStore;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_kv;
#[cfg(feature = "postgres")]
mod postgres_pending;
#[cfg(feature = "postgres")]
mod postgres_sessions;
#[cfg(feature = "postgres")]
pub use crate::sql::postgres::PostgresOptions;
#[cfg(feature = "postgres")]
pub use postgres::PostgresTokenStore;

/// Persistent storage of tokens, keyed by [`AccountKey`].
///
/// Implementations must be safe to share between tasks and, for persistent
/// stores, between processes. Contract (checked by the conformance suite in
/// [`crate::testing`] with the `testing` feature):
///
/// * `get` returns the record with its current `version`.
/// * `put(token, None)` inserts; it fails with [`Error::Conflict`] carrying
///   the current version if the key exists.
/// * `put(token, Some(v))` replaces the record only if its version is `v`,
///   else fails with [`Error::Conflict`] (`current_version: None` when the
///   record is gone). The `version` field of `token` is ignored.
/// * A successful `put` returns the new version (1 for an insert, `v + 1`).
/// * `list(user_id)` returns only that user's records, ordered by key.
/// * `delete` returns whether a record was removed.
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// Reads one record.
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>>;
    /// Lists all records of a user.
    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>>;
    /// Compare-and-swap write; returns the new version.
    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64>;
    /// Removes a record.
    async fn delete(&self, key: &AccountKey) -> Result<bool>;
}

#[async_trait]
impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        (**self).get(key).await
    }
    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        (**self).list(user_id).await
    }
    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        (**self).put(token, expected_version).await
    }
    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        (**self).delete(key).await
    }
}

#[async_trait]
impl<T: TokenStore + ?Sized> TokenStore for Box<T> {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        (**self).get(key).await
    }
    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        (**self).list(user_id).await
    }
    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        (**self).put(token, expected_version).await
    }
    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        (**self).delete(key).await
    }
}

/// A store that seals secrets with a [`KeyRing`] and can move them to a new
/// key (the SQLite, PostgreSQL and key-value stores).
#[async_trait]
pub trait KeyRotation: Send + Sync + Debug {
    /// Re-seals every stored secret under the new active key `new_id`
    /// (the old keys stay readable meanwhile); returns how many records
    /// were re-sealed.
    async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64>;
}

/// Conveniences over any [`TokenStore`].
#[async_trait]
pub trait TokenStoreExt: TokenStore {
    /// Writes `token` whatever is stored now: inserts, or replaces the
    /// current version, retrying on a concurrent write. Used when a user
    /// (re)connects an account, where the new grant always wins.
    async fn upsert(&self, token: &StoredToken) -> Result<u64> {
        let mut expected = self.get(&token.key).await?.map(|t| t.version);
        for _ in 0..16 {
            match self.put(token, expected).await {
                Ok(v) => return Ok(v),
                Err(Error::Conflict { current_version }) => expected = current_version,
                Err(e) => return Err(e),
            }
        }
        Err(Error::store(format!(
            "upsert of {} kept conflicting with concurrent writers",
            token.key
        )))
    }
}

impl<T: TokenStore + ?Sized> TokenStoreExt for T {}
