//! In-memory [`PublishLog`], for tests and single-process tools.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Mutex;

use super::transitions::{self, Step};
use super::{BeginOutcome, Lease, PublishLog, PublishRecord};
use crate::{AccountKey, Platform, Result};

type Key = (String, Platform, String);

fn key_of(idempotency_key: &str, target: &AccountKey) -> Key {
    (
        idempotency_key.to_owned(),
        target.platform,
        target.account_id.clone(),
    )
}

/// A [`PublishLog`] in a map behind a lock. Nothing survives the process;
/// leases are timed on this process's clock.
///
/// ```
/// use creatorsync_core::publish_log::MemoryPublishLog;
/// let log = MemoryPublishLog::new();
/// # let _ = log;
/// ```
#[derive(Debug, Default)]
pub struct MemoryPublishLog {
    rows: Mutex<BTreeMap<Key, PublishRecord>>,
}

impl MemoryPublishLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one transition to the record of `target` under the lock.
    async fn apply<T>(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        transition: impl FnOnce(Option<PublishRecord>) -> Step<T>,
    ) -> Result<T> {
        let key = key_of(idempotency_key, target);
        let mut rows = self.rows.lock().await;
        let (write, outcome) = transition(rows.get(&key).cloned())?;
        if let Some(record) = write {
            rows.insert(key, record);
        }
        Ok(outcome)
    }
}

#[async_trait]
impl PublishLog for MemoryPublishLog {
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome> {
        self.apply(idempotency_key, target, |r| {
            transitions::begin(r, idempotency_key, target, lease, Utc::now())
        })
        .await
    }

    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()> {
        self.apply(idempotency_key, target, |r| {
            transitions::renew(r, target, lease, Utc::now())
        })
        .await
    }

    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()> {
        self.apply(idempotency_key, target, |r| {
            transitions::mark_sent(r, target, lease, reference, Utc::now())
        })
        .await
    }

    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()> {
        self.apply(idempotency_key, target, |r| {
            transitions::mark_published(r, target, post_id, url, Utc::now())
        })
        .await
    }

    async fn mark_failed(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()> {
        self.apply(idempotency_key, target, |r| {
            transitions::mark_failed(
                r,
                target,
                lease,
                (error_code, message, retryable),
                Utc::now(),
            )
        })
        .await
    }

    async fn release(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
    ) -> Result<()> {
        self.apply(idempotency_key, target, |r| {
            transitions::release(r, target, lease, (error_code, message), Utc::now())
        })
        .await
    }

    async fn get(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>> {
        let rows = self.rows.lock().await;
        transitions::visible(rows.get(&key_of(idempotency_key, target)).cloned(), target)
    }

    async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>> {
        let rows = self.rows.lock().await;
        Ok(rows
            .values()
            .filter(|r| r.idempotency_key == idempotency_key)
            .cloned()
            .collect())
    }
}
