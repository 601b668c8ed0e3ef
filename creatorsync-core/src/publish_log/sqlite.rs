//! [`SqlitePublishLog`]: the publish log in SQLite (table `publish_log`),
//! usually in the same file as the [`crate::store::SqliteTokenStore`].

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, begin_kept_racing, begin_outcome, decode, held_unchanged, own_record,
    published_unchanged, sort_by_target,
};
use super::{BeginOutcome, Lease, PublishLog, PublishRecord, check_idempotency_key};
use crate::store::sqlite::{open_pool, store_err, time_from_sql, time_to_sql};
use crate::{AccountKey, Result};

/// A [`PublishLog`] in SQLite. Each transition is a single atomic
/// statement (claims and lease checks included), so concurrent callers in
/// any number of processes sharing the file agree on who holds a target.
/// Lease times are the writers' clocks, in milliseconds. Nothing secret is stored, so the log
/// is not encrypted.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PublishLog, SqlitePublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = SqlitePublishLog::open_in_memory().await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// let lease = Lease::new(Duration::from_secs(30));
/// assert_eq!(log.begin("req-7", &target, &lease).await?, BeginOutcome::Fresh);
/// log.mark_failed("req-7", &target, &lease, "TRANSPORT_ERROR", "connection reset", true).await?;
/// assert_eq!(log.begin("req-7", &target, &lease).await?, BeginOutcome::Retry { attempt: 2 });
/// # Ok::<(), creatorsync_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct SqlitePublishLog {
    pool: SqlitePool,
}

impl SqlitePublishLog {
    /// Opens or creates the database file at `path` (WAL mode). May be the
    /// same file as a [`crate::store::SqliteTokenStore`].
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::from_pool(open_pool(Some(path.as_ref())).await?))
    }

    /// A private in-memory database (for tests).
    pub async fn open_in_memory() -> Result<Self> {
        Ok(Self::from_pool(open_pool(None).await?))
    }

    pub(crate) fn from_pool(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn read(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>> {
        let row = sqlx::query(
            "SELECT * FROM publish_log WHERE idempotency_key = ? AND platform = ? AND account_id = ?",
        )
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("publish log read", &e))?;
        row.as_ref().map(decode::<SqliteRow>).transpose()
    }
}

impl LogRow for SqliteRow {
    const BACKEND: &'static str = "sqlite";
    fn text(&self, name: &str) -> Result<Option<String>> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", &e))
    }
    fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        self.text(name)?
            .map(|t| time_from_sql(name, &t))
            .transpose()
    }
    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", &e))
    }
    fn int(&self, name: &str) -> Result<i64> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", &e))
    }
    fn lease_until(&self) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self
            .try_get("lease_until_ms")
            .map_err(|e| store_err("publish log row", &e))?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }
}

/// The row of one target, and the lease conditions of its holder.
const TARGET: &str = "idempotency_key = ? AND platform = ? AND account_id = ? AND user_id = ?";
const HELD: &str = "state = 'pending' AND lease_owner = ? AND lease_until_ms > ?";

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl SqlitePublishLog {
    /// Runs `UPDATE publish_log SET {set} WHERE {TARGET} AND {HELD}` with
    /// `binds` for the SET clause; a row that is not held by `lease` is
    /// refused (see [`held_unchanged`]).
    async fn update_held(
        &self,
        what: &str,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        set: &str,
        binds: Vec<Bind>,
    ) -> Result<()> {
        let sql = format!("UPDATE publish_log SET {set} WHERE {TARGET} AND {HELD}");
        // Built from this file's constants only; values are bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Text(t) => q.bind(t),
                Bind::Int(i) => q.bind(i),
                Bind::Flag(f) => q.bind(f),
            };
        }
        let done = q
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(&lease.owner)
            .bind(millis(Utc::now()))
            .execute(&self.pool)
            .await
            .map_err(|e| store_err(what, &e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        held_unchanged(self.read(idempotency_key, target).await?, target)
    }
}

/// A value bound to a SET clause.
enum Bind {
    Text(Option<String>),
    Int(i64),
    Flag(bool),
}

#[async_trait]
impl PublishLog for SqlitePublishLog {
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome> {
        check_idempotency_key(idempotency_key)?;
        for _ in 0..BEGIN_ROUNDS {
            let at = Utc::now();
            let (now, now_ms, until_ms) = (time_to_sql(at), millis(at), millis(lease.until(at)));
            let inserted = sqlx::query(
                "INSERT INTO publish_log (idempotency_key, platform, account_id, user_id, state, \
                 started_at, attempts, updated_at, lease_owner, lease_until_ms, create_sent) \
                 VALUES (?, ?, ?, ?, 'pending', ?, 1, ?, ?, ?, 0) \
                 ON CONFLICT (idempotency_key, platform, account_id) DO NOTHING",
            )
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(&now)
            .bind(&now)
            .bind(&lease.owner)
            .bind(until_ms)
            .execute(&self.pool)
            .await
            .map_err(|e| store_err("publish log begin", &e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "UPDATE publish_log SET state = 'pending', started_at = ?, attempts = attempts + 1, \
                 error_code = NULL, message = NULL, retryable = NULL, updated_at = ?, \
                 lease_owner = ?, lease_until_ms = ?, create_sent = 0, reference = NULL, \
                 last_error = NULL WHERE {TARGET} AND state = 'failed' RETURNING attempts"
            )))
            .bind(&now)
            .bind(&now)
            .bind(&lease.owner)
            .bind(until_ms)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_err("publish log retry", &e))?;
            if let Some(attempt) = retried {
                return Ok(BeginOutcome::Retry {
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                });
            }
            let taken = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE publish_log SET attempts = attempts + 1, updated_at = ?, lease_owner = ?, \
                 lease_until_ms = ? WHERE {TARGET} AND state = 'pending' \
                 AND (lease_owner IS NULL OR lease_until_ms IS NULL OR lease_until_ms <= ?) \
                 RETURNING attempts, started_at, create_sent, reference"
            )))
            .bind(&now)
            .bind(&lease.owner)
            .bind(until_ms)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_err("publish log take over", &e))?;
            if let Some(row) = taken {
                let attempt: i64 = row.int("attempts")?;
                return Ok(BeginOutcome::Reconcile {
                    since: row.time("started_at")?.unwrap_or(at),
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    create_sent: row.flag("create_sent")?.unwrap_or(true),
                    reference: row.text("reference")?,
                });
            }
            let Some(record) = self.read(idempotency_key, target).await? else {
                continue;
            };
            if let Some(outcome) = begin_outcome(record, target, at)? {
                return Ok(outcome);
            }
        }
        Err(begin_kept_racing())
    }

    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()> {
        let until = millis(lease.until(Utc::now()));
        self.update_held(
            "publish log renew",
            idempotency_key,
            target,
            lease,
            "lease_until_ms = ?",
            vec![Bind::Int(until)],
        )
        .await
    }

    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()> {
        let at = Utc::now();
        self.update_held(
            "publish log mark_sent",
            idempotency_key,
            target,
            lease,
            "create_sent = ?, reference = COALESCE(?, reference), lease_until_ms = ?, updated_at = ?",
            vec![
                Bind::Flag(true),
                Bind::Text(reference.map(str::to_owned)),
                Bind::Int(millis(lease.until(at))),
                Bind::Text(Some(time_to_sql(at))),
            ],
        )
        .await
    }

    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()> {
        let now = time_to_sql(Utc::now());
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE publish_log SET state = 'published', post_id = ?, url = ?, published_at = ?, \
             error_code = NULL, message = NULL, retryable = NULL, updated_at = ?, \
             lease_owner = NULL WHERE {TARGET} AND state <> 'published'"
        )))
        .bind(post_id)
        .bind(url)
        .bind(&now)
        .bind(&now)
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .bind(&target.user_id)
        .execute(&self.pool)
        .await
        .map_err(|e| store_err("publish log mark_published", &e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let record = self.read(idempotency_key, target).await?;
        published_unchanged(record, target, post_id)
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
        self.update_held(
            "publish log mark_failed",
            idempotency_key,
            target,
            lease,
            "state = 'failed', error_code = ?, message = ?, retryable = ?, updated_at = ?, \
             lease_owner = NULL",
            vec![
                Bind::Text(Some(error_code.to_owned())),
                Bind::Text(Some(message.to_owned())),
                Bind::Flag(retryable),
                Bind::Text(Some(time_to_sql(Utc::now()))),
            ],
        )
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
        let at = Utc::now();
        self.update_held(
            "publish log release",
            idempotency_key,
            target,
            lease,
            "lease_owner = NULL, lease_until_ms = ?, last_error = ?, updated_at = ?",
            vec![
                Bind::Int(millis(at)),
                Bind::Text(Some(format!("{error_code}: {message}"))),
                Bind::Text(Some(time_to_sql(at))),
            ],
        )
        .await
    }

    async fn get(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>> {
        own_record(self.read(idempotency_key, target).await?, target)
    }

    async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>> {
        let rows = sqlx::query("SELECT * FROM publish_log WHERE idempotency_key = ?")
            .bind(idempotency_key)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_err("publish log list", &e))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        sort_by_target(&mut records);
        Ok(records)
    }
}
