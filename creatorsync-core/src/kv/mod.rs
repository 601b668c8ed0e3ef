//! The host storage contract: one small key-value interface from which the
//! core builds everything it keeps (tokens, pending connects, the publish
//! log, upload sessions), so a store in the host's own database (MongoDB,
//! Redis, DynamoDB, a host ORM) is written once, as four methods.
//!
//! Keys are printable strings the core builds; values are opaque UTF-8
//! text (JSON, with secrets already sealed by the core's [`crate::KeyRing`]).
//! Every write is a compare-and-swap on a per-key version, which is all the
//! core needs for single-use connects, token refresh races and publish
//! leases across workers.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::Result;

mod memory;
pub use memory::MemoryKeyValueStore;

pub(crate) mod cas;
pub(crate) mod layout;
mod pending;
mod publish_log;
mod sessions;
mod store;
mod tokens;
pub use publish_log::KvPublishLog;
pub use store::KvStore;

/// A stored value and its version (1 after the insert, +1 per write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    /// The value as written.
    pub value: String,
    /// Its version.
    pub version: u64,
}

/// A key-value store with compare-and-swap and prefix listing: the contract
/// a host store implements (checked by the conformance suite in
/// `creatorsync_core::testing` with the `testing` feature).
///
/// * `get` returns the value with its current version, or `None`.
/// * `put(key, value, None)` inserts; when the key exists it fails with
///   [`crate::Error::Conflict`] carrying the current version.
/// * `put(key, value, Some(v))` replaces the value only if its version is
///   `v`, else fails with [`crate::Error::Conflict`] (`current_version:
///   None` when the key is gone).
/// * A successful `put` returns the new version (1 for an insert, `v + 1`).
/// * `delete(key, None)` removes the key whatever its version;
///   `delete(key, Some(v))` only at version `v`. It returns whether it
///   removed something; of two concurrent deletes at the same version, at
///   most one returns `true`.
/// * `list(prefix)` returns every entry whose key starts with `prefix`,
///   ordered by key.
#[async_trait]
pub trait KeyValueStore: Send + Sync + Debug {
    /// Reads one key.
    async fn get(&self, key: &str) -> Result<Option<Versioned>>;
    /// Compare-and-swap write; returns the new version.
    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64>;
    /// Removes a key (at `expected_version` when given); whether it did.
    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool>;
    /// The entries under `prefix`, ordered by key.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>>;
}

#[async_trait]
impl<T: KeyValueStore + ?Sized> KeyValueStore for Arc<T> {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        (**self).get(key).await
    }
    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        (**self).put(key, value, expected_version).await
    }
    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        (**self).delete(key, expected_version).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        (**self).list(prefix).await
    }
}
