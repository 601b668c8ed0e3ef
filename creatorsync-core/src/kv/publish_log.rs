//! [`PublishLog`] over a [`KeyValueStore`]: one key per record
//! (`creatorsync/publish/{idempotency key}/{platform}/{account}`), its JSON
//! the [`PublishRecord`] (no secrets). Every call reads the record, applies
//! the transition the in-memory log applies (`publish_log::transitions`),
//! and writes it back with a compare-and-swap at the version read; on a
//! conflict it reads again. Leases are timed on this process's clock.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;

use super::KeyValueStore;
use super::cas::{self, Decision};
use super::layout::{self, decode, encode};
use crate::publish_log::transitions::{self, Step};
use crate::publish_log::{BeginOutcome, Lease, PublishLog, PublishRecord};
use crate::{AccountKey, Result};

/// The publish log of a [`super::KvStore`] (see
/// [`super::KvStore::publish_log`]), or of any [`KeyValueStore`].
#[derive(Debug, Clone)]
pub struct KvPublishLog {
    kv: Arc<dyn KeyValueStore>,
}

impl KvPublishLog {
    /// The log kept in `kv`.
    pub fn new(kv: Arc<dyn KeyValueStore>) -> Self {
        Self { kv }
    }

    /// Reads the record of `target`, applies `transition`, and writes the
    /// result back at the version read, again on a conflict.
    async fn apply<T>(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        transition: impl Fn(Option<PublishRecord>) -> Step<T> + Send,
    ) -> Result<T> {
        let key = layout::publish(idempotency_key, target);
        let what = format!(
            "publish record of {}/{}",
            target.platform, target.account_id
        );
        cas::update(self.kv.as_ref(), &key, &what, |text| {
            let current = text
                .map(|t| decode::<PublishRecord>("publish record", t))
                .transpose()?;
            Ok(match transition(current)? {
                (Some(record), outcome) => {
                    Decision::Write(encode("publish record", &record)?, outcome)
                }
                (None, outcome) => Decision::Keep(outcome),
            })
        })
        .await
    }
}

#[async_trait]
impl PublishLog for KvPublishLog {
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome> {
        // Checked before the key is built from it.
        crate::publish_log::check_idempotency_key(idempotency_key)?;
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
        let current = match self
            .kv
            .get(&layout::publish(idempotency_key, target))
            .await?
        {
            Some(v) => Some(decode::<PublishRecord>("publish record", &v.value)?),
            None => None,
        };
        transitions::visible(current, target)
    }

    async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>> {
        let mut records = self
            .kv
            .list(&layout::publish_request(idempotency_key))
            .await?
            .into_iter()
            .map(|(_, v)| decode::<PublishRecord>("publish record", &v.value))
            .collect::<Result<Vec<_>>>()?;
        // Keys order platforms by name; the contract orders them as the enum.
        records.sort_by(|a, b| (a.platform, &a.account_id).cmp(&(b.platform, &b.account_id)));
        Ok(records)
    }
}
