//! The publish log's state transitions as pure functions: a record in (or
//! none), the record to write (or none: nothing changes) and the outcome
//! out. The in-memory log applies them under its lock, the key-value log in
//! a read → apply → compare-and-swap loop, so both keep one set of rules.
//! The SQL logs express the same rules in SQL and run the same conformance
//! suite.

use chrono::{DateTime, Utc};

use super::{
    BeginOutcome, Lease, PublishRecord, PublishState, already_published, check_idempotency_key,
    holder_refused, not_begun, other_user, release_note,
};
use crate::{AccountKey, Result};

/// What a transition decided: the record to write (`None`: leave the
/// stored one as it is) and what the call returns.
pub(crate) type Step<T> = Result<(Option<PublishRecord>, T)>;

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

/// The record, if `lease` holds it (else why not).
fn held(
    current: Option<PublishRecord>,
    target: &AccountKey,
    lease: &Lease,
    downgrade: bool,
) -> Result<PublishRecord> {
    match current {
        Some(r)
            if r.user_id == target.user_id
                && matches!(
                    &r.state,
                    PublishState::Pending { lease_owner: Some(owner), .. } if *owner == lease.owner
                ) =>
        {
            Ok(r)
        }
        other => Err(holder_refused(other.as_ref(), target, downgrade)),
    }
}

/// [`super::PublishLog::begin`].
pub(crate) fn begin(
    current: Option<PublishRecord>,
    idempotency_key: &str,
    target: &AccountKey,
    lease: &Lease,
    now: DateTime<Utc>,
) -> Step<BeginOutcome> {
    check_idempotency_key(idempotency_key)?;
    let ttl = lease.checked_ttl()?;
    let Some(mut record) = current else {
        let record = PublishRecord {
            user_id: target.user_id.clone(),
            idempotency_key: idempotency_key.to_owned(),
            platform: target.platform,
            account_id: target.account_id.clone(),
            state: leased(now, lease, now + ttl),
            attempts: 1,
            updated_at: now,
        };
        return Ok((Some(record), BeginOutcome::Fresh));
    };
    if record.user_id != target.user_id {
        return Err(other_user(target));
    }
    let outcome = match &mut record.state {
        PublishState::Published { post_id, url, .. } => {
            let outcome = BeginOutcome::AlreadyPublished {
                post_id: post_id.clone(),
                url: url.clone(),
            };
            return Ok((None, outcome));
        }
        PublishState::Pending {
            lease_owner: Some(_),
            lease_until,
            ..
        } if *lease_until > now => {
            let outcome = BeginOutcome::InProgress {
                lease_until: *lease_until,
            };
            return Ok((None, outcome));
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
    Ok((Some(record), outcome))
}

/// [`super::PublishLog::renew`].
pub(crate) fn renew(
    current: Option<PublishRecord>,
    target: &AccountKey,
    lease: &Lease,
    now: DateTime<Utc>,
) -> Step<()> {
    let ttl = lease.checked_ttl()?;
    let mut record = held(current, target, lease, false)?;
    if let PublishState::Pending { lease_until, .. } = &mut record.state {
        *lease_until = now + ttl;
    }
    record.updated_at = now;
    Ok((Some(record), ()))
}

/// [`super::PublishLog::mark_sent`].
pub(crate) fn mark_sent(
    current: Option<PublishRecord>,
    target: &AccountKey,
    lease: &Lease,
    reference: Option<&str>,
    now: DateTime<Utc>,
) -> Step<()> {
    let ttl = lease.checked_ttl()?;
    let mut record = held(current, target, lease, false)?;
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
    Ok((Some(record), ()))
}

/// [`super::PublishLog::mark_published`].
pub(crate) fn mark_published(
    current: Option<PublishRecord>,
    target: &AccountKey,
    post_id: &str,
    url: Option<&str>,
    now: DateTime<Utc>,
) -> Step<()> {
    let mut record = current.ok_or_else(|| not_begun(target))?;
    if record.user_id != target.user_id {
        return Err(other_user(target));
    }
    if let PublishState::Published { post_id: done, .. } = &record.state {
        return if done == post_id {
            Ok((None, ()))
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
    Ok((Some(record), ()))
}

/// [`super::PublishLog::mark_failed`].
pub(crate) fn mark_failed(
    current: Option<PublishRecord>,
    target: &AccountKey,
    lease: &Lease,
    failure: (&str, &str, bool),
    now: DateTime<Utc>,
) -> Step<()> {
    let (error_code, message, retryable) = failure;
    let mut record = held(current, target, lease, true)?;
    record.state = PublishState::Failed {
        error_code: error_code.to_owned(),
        message: message.to_owned(),
        retryable,
    };
    record.updated_at = now;
    Ok((Some(record), ()))
}

/// [`super::PublishLog::release`].
pub(crate) fn release(
    current: Option<PublishRecord>,
    target: &AccountKey,
    lease: &Lease,
    error: (&str, &str),
    now: DateTime<Utc>,
) -> Step<()> {
    let mut record = held(current, target, lease, false)?;
    if let PublishState::Pending {
        lease_owner,
        lease_until,
        last_error,
        ..
    } = &mut record.state
    {
        *lease_owner = None;
        *lease_until = now;
        *last_error = Some(release_note(error.0, error.1));
    }
    record.updated_at = now;
    Ok((Some(record), ()))
}

/// [`super::PublishLog::get`]: the record, unless it is another user's.
pub(crate) fn visible(
    current: Option<PublishRecord>,
    target: &AccountKey,
) -> Result<Option<PublishRecord>> {
    match current {
        Some(r) if r.user_id != target.user_id => Err(other_user(target)),
        other => Ok(other),
    }
}
