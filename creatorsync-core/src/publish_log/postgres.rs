//! [`PostgresPublishLog`]: the publish log in PostgreSQL (table
//! `creatorsync_publish_log`), usually beside the
//! [`crate::store::PostgresTokenStore`] and sharing its pool.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, begin_kept_racing, begin_outcome, decode, failed_unchanged, own_record,
    published_unchanged, sort_by_target,
};
use super::{BeginOutcome, PublishLog, PublishRecord, check_idempotency_key};
use crate::store::PostgresOptions;
use crate::store::postgres::{connect_pool, now_micros, pg_err, redact_url};
use crate::{AccountKey, Result};

/// A [`PublishLog`] in PostgreSQL. Each `begin` step is one atomic
/// statement (`INSERT … ON CONFLICT DO NOTHING`, then `UPDATE … WHERE
/// state = 'failed' RETURNING`), so concurrent callers in any number of
/// processes agree on who owns an attempt. Nothing secret is stored, so the
/// log is not encrypted. `Debug` shows the URL with its password redacted.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use creatorsync_core::publish_log::{BeginOutcome, PostgresPublishLog, PublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = PostgresPublishLog::connect("postgres://app@127.0.0.1:5432/app").await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// assert_eq!(log.begin("req-7", &target).await?, BeginOutcome::Fresh);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresPublishLog {
    pool: PgPool,
    url: Arc<str>,
}

impl std::fmt::Debug for PostgresPublishLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresPublishLog")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PostgresPublishLog {
    /// Connects with [`PostgresOptions::default`] and applies the embedded
    /// migrations (the same schema as [`crate::store::PostgresTokenStore`]).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, PostgresOptions::default()).await
    }

    /// Connects with explicit pool settings.
    pub async fn connect_with(url: &str, options: PostgresOptions) -> Result<Self> {
        let pool = connect_pool(url, &options).await?;
        Ok(Self::from_parts(pool, redact_url(url).into()))
    }

    pub(crate) fn from_parts(pool: PgPool, url: Arc<str>) -> Self {
        Self { pool, url }
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
            "SELECT * FROM creatorsync_publish_log WHERE idempotency_key = $1 AND platform = $2 AND account_id = $3",
        )
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| pg_err("publish log read", &e))?;
        row.as_ref().map(decode::<PgRow>).transpose()
    }
}

impl LogRow for PgRow {
    const BACKEND: &'static str = "postgres";
    fn text(&self, name: &str) -> Result<Option<String>> {
        self.try_get(name)
            .map_err(|e| pg_err("publish log row", &e))
    }
    fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        self.try_get(name)
            .map_err(|e| pg_err("publish log row", &e))
    }
    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.try_get(name)
            .map_err(|e| pg_err("publish log row", &e))
    }
    fn int(&self, name: &str) -> Result<i64> {
        // `attempts` is INTEGER (32 bits) in PostgreSQL.
        self.try_get::<i32, _>(name)
            .map(i64::from)
            .map_err(|e| pg_err("publish log row", &e))
    }
}

#[async_trait]
impl PublishLog for PostgresPublishLog {
    async fn begin(&self, idempotency_key: &str, target: &AccountKey) -> Result<BeginOutcome> {
        check_idempotency_key(idempotency_key)?;
        for _ in 0..BEGIN_ROUNDS {
            let now = now_micros();
            let inserted = sqlx::query(
                "INSERT INTO creatorsync_publish_log (idempotency_key, platform, account_id, user_id, state, \
                 started_at, attempts, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, 1, $6) \
                 ON CONFLICT (idempotency_key, platform, account_id) DO NOTHING",
            )
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(now)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err("publish log begin", &e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i32> = sqlx::query_scalar(
                "UPDATE creatorsync_publish_log SET state = 'pending', started_at = $1, attempts = attempts + 1, \
                 error_code = NULL, message = NULL, retryable = NULL, updated_at = $2 \
                 WHERE idempotency_key = $3 AND platform = $4 AND account_id = $5 AND user_id = $6 \
                 AND state = 'failed' RETURNING attempts",
            )
            .bind(now)
            .bind(now)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| pg_err("publish log retry", &e))?;
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
        let now = now_micros();
        let done = sqlx::query(
            "UPDATE creatorsync_publish_log SET state = 'published', post_id = $1, url = $2, published_at = $3, \
             error_code = NULL, message = NULL, retryable = NULL, updated_at = $4 \
             WHERE idempotency_key = $5 AND platform = $6 AND account_id = $7 AND user_id = $8 \
             AND state <> 'published'",
        )
        .bind(post_id)
        .bind(url)
        .bind(now)
        .bind(now)
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .bind(&target.user_id)
        .execute(&self.pool)
        .await
        .map_err(|e| pg_err("publish log mark_published", &e))?;
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
        let now = now_micros();
        let done = sqlx::query(
            "UPDATE creatorsync_publish_log SET state = 'failed', error_code = $1, message = $2, retryable = $3, \
             updated_at = $4 \
             WHERE idempotency_key = $5 AND platform = $6 AND account_id = $7 AND user_id = $8 \
             AND state <> 'published'",
        )
        .bind(error_code)
        .bind(message)
        .bind(retryable)
        .bind(now)
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .bind(&target.user_id)
        .execute(&self.pool)
        .await
        .map_err(|e| pg_err("publish log mark_failed", &e))?;
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
        let rows = sqlx::query("SELECT * FROM creatorsync_publish_log WHERE idempotency_key = $1")
            .bind(idempotency_key)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| pg_err("publish log list", &e))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        sort_by_target(&mut records);
        Ok(records)
    }
}
