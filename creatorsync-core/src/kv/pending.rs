//! [`PendingStore`] over a [`super::KeyValueStore`]: one key per state
//! nonce (`creatorsync/pending/{nonce}`), the pending connect sealed like
//! the SQL stores seal it (bound to its nonce). `take` is a read and a
//! delete at the version read, so of two workers at most one gets it;
//! expired entries are never returned, and are purged on every insert.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::layout::{self, SealedJson, decode, encode};
use super::store::KvStore;
use crate::auth::{PendingConnect, PendingStore};
use crate::store::codec::{open_pending, seal_pending};
use crate::{Error, Result};

/// A pending connect as stored; `expires_at` in clear so a purge need not
/// decrypt.
#[derive(Serialize, Deserialize)]
struct PendingValue {
    #[serde(flatten)]
    sealed: SealedJson,
    expires_at: DateTime<Utc>,
}

impl KvStore {
    /// Deletes the expired pending connects (each at the version read, so
    /// a concurrent `take` or purge is harmless).
    async fn purge_expired_pending(&self) -> Result<()> {
        let now = Utc::now();
        for (key, v) in self.kv.list(&layout::all_pending()).await? {
            let expired = decode::<PendingValue>("pending connect", &v.value)
                .map_or(true, |p| p.expires_at <= now);
            if expired {
                self.kv.delete(&key, Some(v.version)).await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl PendingStore for KvStore {
    async fn insert(&self, nonce: &str, pending: PendingConnect) -> Result<()> {
        self.purge_expired_pending().await?;
        let (sealed, ciphertext) = seal_pending(&self.keys.current(), nonce, &pending)?;
        let value = encode(
            "pending connect",
            &PendingValue {
                sealed: SealedJson::new(sealed, &ciphertext),
                expires_at: pending.expires_at,
            },
        )?;
        match self.kv.put(&layout::pending(nonce), &value, None).await {
            Ok(_) => Ok(()),
            Err(Error::Conflict { .. }) => Err(Error::store(
                "key-value store: a pending connect with this state nonce already exists",
            )),
            Err(e) => Err(e),
        }
    }

    async fn take(&self, nonce: &str) -> Result<Option<PendingConnect>> {
        let key = layout::pending(nonce);
        let Some(v) = self.kv.get(&key).await? else {
            return Ok(None);
        };
        if !self.kv.delete(&key, Some(v.version)).await? {
            return Ok(None); // another worker took it
        }
        let stored: PendingValue = decode("pending connect", &v.value)?;
        if stored.expires_at <= Utc::now() {
            return Ok(None);
        }
        let (stored_nonce, ciphertext) = stored.sealed.bytes()?;
        open_pending(
            &self.keys.current(),
            nonce,
            &stored.sealed.key_id,
            &stored_nonce,
            &ciphertext,
        )
        .map(Some)
    }
}
