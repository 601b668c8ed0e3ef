//! [`PostgresPublishLog`]: the publish log in PostgreSQL (table
//! `creatorsync_publish_log`), usually beside the
//! [`crate::store::PostgresTokenStore`] and sharing its pool.

use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use super::{
    BeginOutcome, PublishLog, PublishRecord, PublishState, already_published,
    check_idempotency_key, not_begun, other_user,
};
use crate::store::PostgresOptions;
use crate::store::postgres::{connect_pool, now_micros, pg_err, redact_url};
use crate::{AccountKey, Error, Platform, Result};

/// How often `begin` re-reads after losing a race before giving up
/// (each lost round means another caller made progress).
const BEGIN_ROUNDS: usize = 8;

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
        row.as_ref().map(decode).transpose()
    }
}

fn decode(row: &PgRow) -> Result<PublishRecord> {
    let get = |e: sqlx::Error| pg_err("publish log row", &e);
    let text = |name: &str| -> Result<Option<String>> { row.try_get(name).map_err(get) };
    let required = |name: &str| -> Result<String> {
        text(name)?.ok_or_else(|| Error::store(format!("postgres: publish_log.{name} is NULL")))
    };
    let time = |name: &str| -> Result<DateTime<Utc>> {
        row.try_get::<Option<DateTime<Utc>>, _>(name)
            .map_err(get)?
            .ok_or_else(|| Error::store(format!("postgres: publish_log.{name} is NULL")))
    };
    let state = match required("state")?.as_str() {
        "pending" => PublishState::Pending {
            started_at: time("started_at")?,
        },
        "published" => PublishState::Published {
            post_id: required("post_id")?,
            url: text("url")?,
            published_at: time("published_at")?,
        },
        "failed" => PublishState::Failed {
            error_code: required("error_code")?,
            message: required("message")?,
            retryable: row
                .try_get::<Option<bool>, _>("retryable")
                .map_err(get)?
                .unwrap_or(false),
        },
        other => {
            return Err(Error::store(format!(
                "postgres: unknown publish state {other:?}"
            )));
        }
    };
    let attempts: i32 = row.try_get("attempts").map_err(get)?;
    Ok(PublishRecord {
        user_id: required("user_id")?,
        idempotency_key: required("idempotency_key")?,
        platform: Platform::from_str(&required("platform")?)
            .map_err(|_| Error::store("postgres: unknown platform in publish_log row"))?,
        account_id: required("account_id")?,
        state,
        attempts: u32::try_from(attempts)
            .map_err(|_| Error::store("postgres: publish_log.attempts out of range"))?,
        updated_at: time("updated_at")?,
    })
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
            if record.user_id != target.user_id {
                return Err(other_user(target));
            }
            match record.state {
                PublishState::Published { post_id, url, .. } => {
                    return Ok(BeginOutcome::AlreadyPublished { post_id, url });
                }
                PublishState::Pending { started_at } => {
                    return Ok(BeginOutcome::Pending { since: started_at });
                }
                // Marked failed between our statements: go round again.
                PublishState::Failed { .. } => {}
            }
        }
        Err(Error::store(
            "publish log: begin kept racing with concurrent writers; try again",
        ))
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
        match self.read(idempotency_key, target).await? {
            None => Err(not_begun(target)),
            Some(r) if r.user_id != target.user_id => Err(other_user(target)),
            Some(PublishRecord {
                state: PublishState::Published { post_id: done, .. },
                ..
            }) if done == post_id => Ok(()),
            Some(_) => Err(already_published()),
        }
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
        match self.read(idempotency_key, target).await? {
            None => Err(not_begun(target)),
            Some(r) if r.user_id != target.user_id => Err(other_user(target)),
            Some(_) => Err(already_published()),
        }
    }

    async fn get(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>> {
        match self.read(idempotency_key, target).await? {
            Some(r) if r.user_id != target.user_id => Err(other_user(target)),
            other => Ok(other),
        }
    }

    async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>> {
        let rows = sqlx::query("SELECT * FROM creatorsync_publish_log WHERE idempotency_key = $1")
            .bind(idempotency_key)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| pg_err("publish log list", &e))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        records.sort_by(|a, b| (a.platform, &a.account_id).cmp(&(b.platform, &b.account_id)));
        Ok(records)
    }
}
