//! In-memory [`PublishLog`], for tests and single-process tools.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use super::{
    BeginOutcome, Lease, PublishLog, PublishRecord, PublishState, already_published,
    check_idempotency_key, holder_refused, not_begun, other_user, release_note,
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
}

/// A fresh `Pending` state leased to `lease` until `until`.
fn leased(started_at: DateTime<Utc>, lease: &Lease, until: DateTime<Utc>) -> PublishState {
    PublishState::Pending {
        started_at,
        lease_owner: Some(lease.owner.clone()),
        lease_until: until,
        create_sent: false,
        reference: None,
        last_error: None,
    }
}

/// The record of `target`, if `lease` holds it (else why not), with the
/// fields of its `Pending` state.
fn held<'a>(
    rows: &'a mut BTreeMap<Key, PublishRecord>,
    idempotency_key: &str,
    target: &AccountKey,
    lease: &Lease,
    downgrade: bool,
) -> Result<&'a mut PublishRecord> {
    let record = rows.get_mut(&key_of(idempotency_key, target));
    let holds = matches!(
        &record,
        Some(PublishRecord {
            user_id,
            state: PublishState::Pending { lease_owner: Some(owner), .. },
            ..
        }) if *user_id == target.user_id && *owner == lease.owner
    );
    match record {
        Some(r) if holds => Ok(r),
        other => Err(holder_refused(other.as_deref(), target, downgrade)),
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
        check_idempotency_key(idempotency_key)?;
        let ttl = lease.checked_ttl()?;
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
                    state: leased(now, lease, now + ttl),
                    attempts: 1,
                    updated_at: now,
                },
            );
            return Ok(BeginOutcome::Fresh);
        };
        if record.user_id != target.user_id {
            return Err(other_user(target));
        }
        let outcome = match &mut record.state {
            PublishState::Published { post_id, url, .. } => {
                return Ok(BeginOutcome::AlreadyPublished {
                    post_id: post_id.clone(),
                    url: url.clone(),
                });
            }
            PublishState::Pending {
                lease_owner: Some(_),
                lease_until,
                ..
            } if *lease_until > now => {
                return Ok(BeginOutcome::InProgress {
                    lease_until: *lease_until,
                });
            }
            PublishState::Pending {
                started_at,
                lease_owner,
                lease_until,
                create_sent,
                reference,
                ..
            } => {
                *lease_owner = Some(lease.owner.clone());
                *lease_until = now + ttl;
                BeginOutcome::Reconcile {
                    since: *started_at,
                    attempt: record.attempts.saturating_add(1),
                    create_sent: *create_sent,
                    reference: reference.clone(),
                }
            }
            PublishState::Failed { .. } => {
                record.state = leased(now, lease, now + ttl);
                BeginOutcome::Retry {
                    attempt: record.attempts.saturating_add(1),
                }
            }
        };
        record.attempts = record.attempts.saturating_add(1);
        record.updated_at = now;
        Ok(outcome)
    }

    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()> {
        let ttl = lease.checked_ttl()?;
        let now = Utc::now();
        let mut rows = self.rows.lock().await;
        let record = held(&mut rows, idempotency_key, target, lease, false)?;
        if let PublishState::Pending { lease_until, .. } = &mut record.state {
            *lease_until = now + ttl;
        }
        record.updated_at = now;
        Ok(())
    }

    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()> {
        let ttl = lease.checked_ttl()?;
        let now = Utc::now();
        let mut rows = self.rows.lock().await;
        let record = held(&mut rows, idempotency_key, target, lease, false)?;
        if let PublishState::Pending {
            lease_until,
            create_sent,
            reference: known,
            ..
        } = &mut record.state
        {
            *lease_until = now + ttl;
            *create_sent = true;
            if let Some(r) = reference {
                *known = Some(r.to_owned());
            }
        }
        record.updated_at = now;
        Ok(())
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
        lease: &Lease,
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()> {
        let mut rows = self.rows.lock().await;
        let record = held(&mut rows, idempotency_key, target, lease, true)?;
        record.state = PublishState::Failed {
            error_code: error_code.to_owned(),
            message: message.to_owned(),
            retryable,
        };
        record.updated_at = Utc::now();
        Ok(())
    }

    async fn release(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
    ) -> Result<()> {
        let now = Utc::now();
        let mut rows = self.rows.lock().await;
        let record = held(&mut rows, idempotency_key, target, lease, false)?;
        if let PublishState::Pending {
            lease_owner,
            lease_until,
            last_error,
            ..
        } = &mut record.state
        {
            *lease_owner = None;
            *lease_until = now;
            *last_error = Some(release_note(error_code, message));
        }
        record.updated_at = now;
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
