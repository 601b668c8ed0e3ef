//! In-memory [`PublishLog`], for tests and single-process tools.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Mutex;

use super::{
    BeginOutcome, PublishLog, PublishRecord, PublishState, already_published,
    check_idempotency_key, not_begun, other_user,
};
use crate::{AccountKey, Platform, Result};

type Key = (String, Platform, String);

fn key_of(idempotency_key: &str, target: &AccountKey) -> Key {
    (
        idempotency_key.to_owned(),
        target.platform,
        target.account_id.clone(),
    )
}

/// A [`PublishLog`] in a map behind a lock. Nothing survives the process.
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
}

#[async_trait]
impl PublishLog for MemoryPublishLog {
    async fn begin(&self, idempotency_key: &str, target: &AccountKey) -> Result<BeginOutcome> {
        check_idempotency_key(idempotency_key)?;
        let now = Utc::now();
        let mut rows = self.rows.lock().await;
        let Some(record) = rows.get_mut(&key_of(idempotency_key, target)) else {
            rows.insert(
                key_of(idempotency_key, target),
                PublishRecord {
                    user_id: target.user_id.clone(),
                    idempotency_key: idempotency_key.to_owned(),
                    platform: target.platform,
                    account_id: target.account_id.clone(),
                    state: PublishState::Pending { started_at: now },
                    attempts: 1,
                    updated_at: now,
                },
            );
            return Ok(BeginOutcome::Fresh);
        };
        if record.user_id != target.user_id {
            return Err(other_user(target));
        }
        Ok(match &record.state {
            PublishState::Published { post_id, url, .. } => BeginOutcome::AlreadyPublished {
                post_id: post_id.clone(),
                url: url.clone(),
            },
            PublishState::Pending { started_at } => BeginOutcome::Pending { since: *started_at },
            PublishState::Failed { .. } => {
                record.state = PublishState::Pending { started_at: now };
                record.attempts += 1;
                record.updated_at = now;
                BeginOutcome::Retry {
                    attempt: record.attempts,
                }
            }
        })
    }

    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()> {
        let now = Utc::now();
        let mut rows = self.rows.lock().await;
        let record = rows
            .get_mut(&key_of(idempotency_key, target))
            .ok_or_else(|| not_begun(target))?;
        if record.user_id != target.user_id {
            return Err(other_user(target));
        }
        if let PublishState::Published { post_id: done, .. } = &record.state {
            return if done == post_id {
                Ok(())
            } else {
                Err(already_published())
            };
        }
        record.state = PublishState::Published {
            post_id: post_id.to_owned(),
            url: url.map(str::to_owned),
            published_at: now,
        };
        record.updated_at = now;
        Ok(())
    }

    async fn mark_failed(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()> {
        let mut rows = self.rows.lock().await;
        let record = rows
            .get_mut(&key_of(idempotency_key, target))
            .ok_or_else(|| not_begun(target))?;
        if record.user_id != target.user_id {
            return Err(other_user(target));
        }
        if matches!(record.state, PublishState::Published { .. }) {
            return Err(already_published());
        }
        record.state = PublishState::Failed {
            error_code: error_code.to_owned(),
            message: message.to_owned(),
            retryable,
        };
        record.updated_at = Utc::now();
        Ok(())
    }

    async fn get(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>> {
        let rows = self.rows.lock().await;
        match rows.get(&key_of(idempotency_key, target)) {
            Some(r) if r.user_id != target.user_id => Err(other_user(target)),
            other => Ok(other.cloned()),
        }
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
