//! [`PostgresPublishLog`]: the publish log in PostgreSQL (table
//! `creatorsync_publish_log`), usually beside the
//! [`crate::store::PostgresTokenStore`] and sharing its pool.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, begin_kept_racing, begin_outcome, decode, held_unchanged, own_record,
    published_unchanged, sort_by_target,
};
use super::{BeginOutcome, Lease, PublishLog, PublishRecord, check_idempotency_key};
use crate::store::PostgresOptions;
use crate::store::postgres::{connect_pool, now_micros, pg_err, redact_url};
use crate::{AccountKey, Result};

/// A [`PublishLog`] in PostgreSQL. Each transition is one atomic
/// statement (`INSERT … ON CONFLICT DO NOTHING`, then conditional
/// `UPDATE … RETURNING` for a retry or a take-over of an expired lease;
/// holder-only updates check the lease in their `WHERE`), so concurrent
/// callers in any number of processes agree on who holds a target. Lease
/// times are the writers' clocks. Nothing secret is stored, so the
/// log is not encrypted. `Debug` shows the URL with its password redacted.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use std::time::Duration;
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PostgresPublishLog, PublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = PostgresPublishLog::connect("postgres://app@127.0.0.1:5432/app").await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// let lease = Lease::new(Duration::from_secs(30));
/// assert_eq!(log.begin("req-7", &target, &lease).await?, BeginOutcome::Fresh);
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
    fn lease_until(&self) -> Result<Option<DateTime<Utc>>> {
        self.time("lease_until")
    }
}

/// `WHERE` of one target held by a lease, with placeholders from `$n`:
/// key, platform, account, user, lease owner, now.
fn held_from(n: usize) -> String {
    format!(
        "idempotency_key = ${} AND platform = ${} AND account_id = ${} AND user_id = ${} \
         AND state = 'pending' AND lease_owner = ${} AND lease_until > ${}",
        n,
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5
    )
}

/// A value bound to a SET clause.
enum Bind {
    Text(Option<String>),
    Time(DateTime<Utc>),
    Flag(bool),
}

impl PostgresPublishLog {
    /// Runs `UPDATE … SET {set} WHERE <held by lease>`; `set` uses `$1..$k`
    /// for `binds`. A row not held by `lease` is refused.
    async fn update_held(
        &self,
        what: &str,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        set: &str,
        binds: Vec<Bind>,
    ) -> Result<()> {
        let sql = format!(
            "UPDATE creatorsync_publish_log SET {set} WHERE {}",
            held_from(binds.len() + 1)
        );
        // Built from this file's constants only; values are bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Text(t) => q.bind(t),
                Bind::Time(t) => q.bind(t),
                Bind::Flag(f) => q.bind(f),
            };
        }
        let done = q
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(&lease.owner)
            .bind(now_micros())
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err(what, &e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        held_unchanged(self.read(idempotency_key, target).await?, target)
    }
}

#[async_trait]
impl PublishLog for PostgresPublishLog {
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome> {
        check_idempotency_key(idempotency_key)?;
        for _ in 0..BEGIN_ROUNDS {
            let now = now_micros();
            let until = lease.until(now);
            let inserted = sqlx::query(
                "INSERT INTO creatorsync_publish_log (idempotency_key, platform, account_id, user_id, state, \
                 started_at, attempts, updated_at, lease_owner, lease_until, create_sent) \
                 VALUES ($1, $2, $3, $4, 'pending', $5, 1, $5, $6, $7, FALSE) \
                 ON CONFLICT (idempotency_key, platform, account_id) DO NOTHING",
            )
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(now)
            .bind(&lease.owner)
            .bind(until)
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err("publish log begin", &e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i32> = sqlx::query_scalar(
                "UPDATE creatorsync_publish_log SET state = 'pending', started_at = $1, attempts = attempts + 1, \
                 error_code = NULL, message = NULL, retryable = NULL, updated_at = $1, \
                 lease_owner = $2, lease_until = $3, create_sent = FALSE, reference = NULL, last_error = NULL \
                 WHERE idempotency_key = $4 AND platform = $5 AND account_id = $6 AND user_id = $7 \
                 AND state = 'failed' RETURNING attempts",
            )
            .bind(now)
            .bind(&lease.owner)
            .bind(until)
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
            let taken = sqlx::query(
                "UPDATE creatorsync_publish_log SET attempts = attempts + 1, updated_at = $1, \
                 lease_owner = $2, lease_until = $3 \
                 WHERE idempotency_key = $4 AND platform = $5 AND account_id = $6 AND user_id = $7 \
                 AND state = 'pending' AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= $1) \
                 RETURNING attempts, started_at, create_sent, reference",
            )
            .bind(now)
            .bind(&lease.owner)
            .bind(until)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| pg_err("publish log take over", &e))?;
            if let Some(row) = taken {
                let attempt = row.int("attempts")?;
                return Ok(BeginOutcome::Reconcile {
                    since: row.time("started_at")?.unwrap_or(now),
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    create_sent: row.flag("create_sent")?.unwrap_or(true),
                    reference: row.text("reference")?,
                });
            }
            let Some(record) = self.read(idempotency_key, target).await? else {
                continue;
            };
            if let Some(outcome) = begin_outcome(record, target, now)? {
                return Ok(outcome);
            }
        }
        Err(begin_kept_racing())
    }

    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()> {
        let until = lease.until(now_micros());
        self.update_held(
            "publish log renew",
            idempotency_key,
            target,
            lease,
            "lease_until = $1",
            vec![Bind::Time(until)],
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
        let now = now_micros();
        self.update_held(
            "publish log mark_sent",
            idempotency_key,
            target,
            lease,
            "create_sent = $1, reference = COALESCE($2, reference), lease_until = $3, updated_at = $4",
            vec![
                Bind::Flag(true),
                Bind::Text(reference.map(str::to_owned)),
                Bind::Time(lease.until(now)),
                Bind::Time(now),
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
        let now = now_micros();
        let done = sqlx::query(
            "UPDATE creatorsync_publish_log SET state = 'published', post_id = $1, url = $2, published_at = $3, \
             error_code = NULL, message = NULL, retryable = NULL, updated_at = $3, lease_owner = NULL \
             WHERE idempotency_key = $4 AND platform = $5 AND account_id = $6 AND user_id = $7 \
             AND state <> 'published'",
        )
        .bind(post_id)
        .bind(url)
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
            "state = 'failed', error_code = $1, message = $2, retryable = $3, updated_at = $4, \
             lease_owner = NULL",
            vec![
                Bind::Text(Some(error_code.to_owned())),
                Bind::Text(Some(message.to_owned())),
                Bind::Flag(retryable),
                Bind::Time(now_micros()),
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
        let now = now_micros();
        self.update_held(
            "publish log release",
            idempotency_key,
            target,
            lease,
            "lease_owner = NULL, lease_until = $1, last_error = $2, updated_at = $3",
            vec![
                Bind::Time(now),
                Bind::Text(Some(format!("{error_code}: {message}"))),
                Bind::Time(now),
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
