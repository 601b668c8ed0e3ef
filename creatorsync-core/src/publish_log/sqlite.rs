//! [`SqlitePublishLog`]: the publish log in SQLite (table `publish_log`),
//! usually in the same file as the [`crate::store::SqliteTokenStore`].

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, begin_kept_racing, begin_outcome, decode, failed_unchanged, own_record,
    published_unchanged, sort_by_target,
};
use super::{BeginOutcome, PublishLog, PublishRecord, check_idempotency_key};
use crate::store::sqlite::{open_pool, store_err, time_from_sql, time_to_sql};
use crate::{AccountKey, Result};

/// A [`PublishLog`] in SQLite. Each `begin` step is a single atomic
/// statement, so concurrent callers in any number of processes sharing the
/// file agree on who owns an attempt. Nothing secret is stored, so the log
/// is not encrypted.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use creatorsync_core::publish_log::{BeginOutcome, PublishLog, SqlitePublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = SqlitePublishLog::open_in_memory().await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// assert_eq!(log.begin("req-7", &target).await?, BeginOutcome::Fresh);
/// log.mark_failed("req-7", &target, "TRANSPORT_ERROR", "connection reset", true).await?;
/// assert_eq!(log.begin("req-7", &target).await?, BeginOutcome::Retry { attempt: 2 });
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
}

#[async_trait]
impl PublishLog for SqlitePublishLog {
    async fn begin(&self, idempotency_key: &str, target: &AccountKey) -> Result<BeginOutcome> {
        check_idempotency_key(idempotency_key)?;
        for _ in 0..BEGIN_ROUNDS {
            let now = time_to_sql(Utc::now());
            let inserted = sqlx::query(
                "INSERT INTO publish_log (idempotency_key, platform, account_id, user_id, state, \
                 started_at, attempts, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, 1, ?) \
                 ON CONFLICT (idempotency_key, platform, account_id) DO NOTHING",
            )
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(&now)
            .bind(&now)
            .execute(&self.pool)
            .await
            .map_err(|e| store_err("publish log begin", &e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i64> = sqlx::query_scalar(
                "UPDATE publish_log SET state = 'pending', started_at = ?, attempts = attempts + 1, \
                 error_code = NULL, message = NULL, retryable = NULL, updated_at = ? \
                 WHERE idempotency_key = ? AND platform = ? AND account_id = ? AND user_id = ? \
                 AND state = 'failed' RETURNING attempts",
            )
            .bind(&now)
            .bind(&now)
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
            let Some(record) = self.read(idempotency_key, target).await? else {
                continue;
            };
            if let Some(outcome) = begin_outcome(record, target)? {
                return Ok(outcome);
            }
        }
        Err(begin_kept_racing())
    }

    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()> {
        let now = time_to_sql(Utc::now());
        let done = sqlx::query(
            "UPDATE publish_log SET state = 'published', post_id = ?, url = ?, published_at = ?, \
             error_code = NULL, message = NULL, retryable = NULL, updated_at = ? \
             WHERE idempotency_key = ? AND platform = ? AND account_id = ? AND user_id = ? \
             AND state <> 'published'",
        )
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
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()> {
        let now = time_to_sql(Utc::now());
        let done = sqlx::query(
            "UPDATE publish_log SET state = 'failed', error_code = ?, message = ?, retryable = ?, \
             updated_at = ? \
             WHERE idempotency_key = ? AND platform = ? AND account_id = ? AND user_id = ? \
             AND state <> 'published'",
        )
        .bind(error_code)
        .bind(message)
        .bind(retryable)
        .bind(&now)
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .bind(&target.user_id)
        .execute(&self.pool)
        .await
        .map_err(|e| store_err("publish log mark_failed", &e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let record = self.read(idempotency_key, target).await?;
        failed_unchanged(record, target)
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
