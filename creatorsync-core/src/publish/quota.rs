//! A target's quotas around its publish: every quota the post uses is
//! reserved before anything is uploaded, given back when the target fails
//! before its create could reach the platform, and blocked until its reset
//! when the platform says it is used up.

use tokio::time::sleep;
use tracing::{info, warn};

use super::context::Inner;
use crate::platforms::Published;
use crate::quota::{Bucket, Reserved};
use crate::{AccountKey, Error, Post, Result, StoredToken};

/// How often a short window is waited out before giving up.
const MAX_WAITS: usize = 3;

/// The quotas `post` uses on the account of `row`.
fn buckets(inner: &Inner, row: &StoredToken, post: &Post) -> Result<Vec<Bucket>> {
    Ok(inner
        .registry
        .for_row(row)?
        .quotas()
        .into_iter()
        .filter(|b| (b.counts)(post))
        .collect())
}

/// Reserves a slot of every quota the target uses, all or none. A quota
/// that frees within the configured wait is waited for.
pub(super) async fn reserve(
    inner: &Inner,
    row: &StoredToken,
    post: &Post,
    idempotency_key: &str,
) -> Result<Vec<Reserved>> {
    reserve_all(inner, row, buckets(inner, row, post)?, idempotency_key).await
}

/// Reserves what a comment uses (its platform's
/// [`crate::platforms::PlatformModule::comment_quotas`]), like
/// [`reserve`] does for a post.
pub(super) async fn reserve_comment(
    inner: &Inner,
    row: &StoredToken,
    idempotency_key: &str,
) -> Result<Vec<Reserved>> {
    let buckets = inner.registry.for_row(row)?.comment_quotas();
    reserve_all(inner, row, buckets, idempotency_key).await
}

/// Reserves a slot of each of `buckets`, all or none.
async fn reserve_all(
    inner: &Inner,
    row: &StoredToken,
    buckets: Vec<Bucket>,
    idempotency_key: &str,
) -> Result<Vec<Reserved>> {
    let key = &row.key;
    let use_id = format!("{idempotency_key}\u{1f}{}", key.account_id);
    let mut taken = Vec::new();
    for bucket in buckets {
        let mut waits = 0;
        let slot = loop {
            let slot = inner
                .ledger
                .reserve(key.platform, &bucket, key, &use_id)
                .await;
            let wait = match &slot {
                Err(Error::QuotaExhausted { resets_at, .. }) if waits < MAX_WAITS => {
                    short_wait(inner, *resets_at)
                }
                _ => None,
            };
            let Some(wait) = wait else { break slot };
            info!(
                bucket = bucket.name,
                ?wait,
                "quota used up for now; waiting"
            );
            waits += 1;
            sleep(wait).await;
        };
        match slot {
            Ok(Some(r)) => taken.push(r),
            Ok(None) => {}
            Err(e) => {
                release(inner, &taken).await;
                return Err(e);
            }
        }
    }
    Ok(taken)
}

/// How long until `resets_at`, when that is within the configured wait.
fn short_wait(
    inner: &Inner,
    resets_at: chrono::DateTime<chrono::Utc>,
) -> Option<std::time::Duration> {
    let wait = (resets_at - inner.clock.now()).to_std().unwrap_or_default();
    (!inner.quota_wait.is_zero() && wait <= inner.quota_wait).then_some(wait)
}

/// Gives slots back. A failure to do so only costs a slot until the window
/// moves on; it is logged, never raised over the target's own outcome.
async fn release(inner: &Inner, taken: &[Reserved]) {
    for r in taken {
        if let Err(e) = inner.ledger.release(r).await {
            warn!(error = %e, "could not give a quota slot back");
        }
    }
}

/// Settles the target's slots with its outcome: kept when the post exists
/// or may exist, given back when nothing could have been created, and the
/// quota blocked until its reset when the platform said it is used up.
pub(super) async fn settle(
    inner: &Inner,
    row: &StoredToken,
    taken: &[Reserved],
    outcome: &Result<Published>,
    create_sent: bool,
) {
    let Err(e) = outcome else { return };
    if let Error::QuotaExhausted {
        bucket, resets_at, ..
    } = e
    {
        block(inner, row, bucket, *resets_at).await;
    }
    let open = matches!(
        e,
        Error::OutcomeUnknown { .. } | Error::CreatedUnfinished { .. }
    );
    if !open && !create_sent {
        release(inner, taken).await;
    }
}

/// Records the platform's "used up until" for the named quota.
async fn block(inner: &Inner, row: &StoredToken, name: &str, until: chrono::DateTime<chrono::Utc>) {
    let key: &AccountKey = &row.key;
    let Ok(module) = inner.registry.for_row(row) else {
        return;
    };
    let Some(bucket) = module.quotas().into_iter().find(|b| b.name == name) else {
        warn!(
            bucket = name,
            "the platform named a quota the SDK does not know"
        );
        return;
    };
    if let Err(e) = inner.ledger.block(key.platform, &bucket, key, until).await {
        warn!(error = %e, "could not record a used-up quota");
    }
}
