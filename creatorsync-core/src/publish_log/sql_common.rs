//! What the SQLite and PostgreSQL publish logs do alike: reading a row
//! into a [`PublishRecord`] (the state-string mapping), and deciding what a
//! statement that changed no row means once the record has been re-read.
//! The SQL, and how each database stores a column, stay in each backend.
//!
//! Both run every transition as one compare-and-set statement: `begin`
//! tries, in turn, an insert (`Fresh`), a retry of a failed record
//! (`Retry`), a takeover of a pending record with no live lease
//! (`Reconcile`), then reads the record; the holder-only calls update
//! `WHERE state = 'pending' AND lease_owner = <the caller>`.

use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::{BeginOutcome, PublishRecord, PublishState, already_published, not_begun, other_user};
use crate::{AccountKey, Error, Platform, Result};

/// How often `begin` re-reads after losing a race before giving up
/// (each lost round means another caller made progress).
pub(crate) const BEGIN_ROUNDS: usize = 8;

/// Reads the columns of one `publish_log` row, as its backend stores them.
/// Columns are read on demand, so only those the row's state uses are.
pub(crate) trait LogRow {
    /// "sqlite" or "postgres": the prefix of error messages.
    const BACKEND: &'static str;
    /// A text column.
    fn text(&self, name: &str) -> Result<Option<String>>;
    /// A timestamp column.
    fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>>;
    /// A boolean column.
    fn flag(&self, name: &str) -> Result<Option<bool>>;
    /// An integer column.
    fn int(&self, name: &str) -> Result<i64>;
    /// The `lease_until` column.
    fn lease_until(&self) -> Result<DateTime<Utc>>;
}

fn null<R: LogRow>(name: &str) -> Error {
    Error::store(format!("{}: publish_log.{name} is NULL", R::BACKEND))
}

/// Builds a [`PublishRecord`] from a row.
pub(crate) fn decode<R: LogRow>(row: &R) -> Result<PublishRecord> {
    let backend = R::BACKEND;
    let required =
        |name: &str| -> Result<String> { row.text(name)?.ok_or_else(|| null::<R>(name)) };
    let time =
        |name: &str| -> Result<DateTime<Utc>> { row.time(name)?.ok_or_else(|| null::<R>(name)) };
    let state = match required("state")?.as_str() {
        "pending" => PublishState::Pending {
            started_at: time("started_at")?,
            lease_owner: row.text("lease_owner")?,
            lease_until: row.lease_until()?,
            create_sent: row.flag("create_sent")?.unwrap_or(false),
            reference: row.text("reference")?,
            last_error: row.text("last_error")?,
        },
        "published" => PublishState::Published {
            post_id: required("post_id")?,
            url: row.text("url")?,
            published_at: time("published_at")?,
        },
        "failed" => PublishState::Failed {
            error_code: required("error_code")?,
            message: required("message")?,
            retryable: row.flag("retryable")?.unwrap_or(false),
        },
        other => {
            return Err(Error::store(format!(
                "{backend}: unknown publish state {other:?}"
            )));
        }
    };
    let attempts = row.int("attempts")?;
    Ok(PublishRecord {
        user_id: required("user_id")?,
        idempotency_key: required("idempotency_key")?,
        platform: Platform::from_str(&required("platform")?)
            .map_err(|_| Error::store(format!("{backend}: unknown platform in publish_log row")))?,
        account_id: required("account_id")?,
        state,
        attempts: u32::try_from(attempts)
            .map_err(|_| Error::store(format!("{backend}: publish_log.attempts out of range")))?,
        updated_at: time("updated_at")?,
    })
}

/// The outcome of a `begin` whose insert, retry and takeover all changed
/// nothing, from the record re-read after them and whether its lease was
/// live then; `None`: the record changed in between, go round again.
pub(crate) fn begin_outcome(
    record: PublishRecord,
    leased: bool,
    target: &AccountKey,
) -> Result<Option<BeginOutcome>> {
    if record.user_id != target.user_id {
        return Err(other_user(target));
    }
    Ok(match record.state {
        PublishState::Published { post_id, url, .. } => {
            Some(BeginOutcome::AlreadyPublished { post_id, url })
        }
        PublishState::Pending { lease_until, .. } if leased => {
            Some(BeginOutcome::InProgress { lease_until })
        }
        PublishState::Pending { .. } | PublishState::Failed { .. } => None,
    })
}

/// `Reconcile`, from the record a takeover statement returned.
pub(crate) fn reconcile_outcome(record: PublishRecord) -> Result<BeginOutcome> {
    match record.state {
        PublishState::Pending {
            started_at,
            create_sent,
            reference,
            ..
        } => Ok(BeginOutcome::Reconcile {
            since: started_at,
            attempt: record.attempts,
            create_sent,
            reference,
        }),
        other => Err(Error::store(format!(
            "publish log: a takeover returned a record in state {other:?}"
        ))),
    }
}

/// An attempt number read back from the database.
pub(crate) fn attempt(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A ttl in microseconds, for the SQL that computes `lease_until`.
pub(crate) fn ttl_micros(ttl: chrono::Duration) -> i64 {
    ttl.num_microseconds().unwrap_or(i64::MAX)
}

/// `begin` lost [`BEGIN_ROUNDS`] races in a row.
pub(crate) fn begin_kept_racing() -> Error {
    Error::store("publish log: begin kept racing with concurrent writers; try again")
}

/// Why `mark_published(…, post_id, …)` changed no row, from the record
/// re-read after it: fine if it is already published with that id.
pub(crate) fn published_unchanged(
    record: Option<PublishRecord>,
    target: &AccountKey,
    post_id: &str,
) -> Result<()> {
    match record {
        None => Err(not_begun(target)),
        Some(r) if r.user_id != target.user_id => Err(other_user(target)),
        Some(PublishRecord {
            state: PublishState::Published { post_id: done, .. },
            ..
        }) if done == post_id => Ok(()),
        Some(_) => Err(already_published()),
    }
}

/// `get`: the record, unless it belongs to another user.
pub(crate) fn own_record(
    record: Option<PublishRecord>,
    target: &AccountKey,
) -> Result<Option<PublishRecord>> {
    match record {
        Some(r) if r.user_id != target.user_id => Err(other_user(target)),
        other => Ok(other),
    }
}

/// `list`'s order: by target account.
pub(crate) fn sort_by_target(records: &mut [PublishRecord]) {
    records.sort_by(|a, b| (a.platform, &a.account_id).cmp(&(b.platform, &b.account_id)));
}
