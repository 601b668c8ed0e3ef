//! [`PostgresPublishLog`]: the publish log in PostgreSQL (table
//! `creatorsync_publish_log`), usually beside the
//! [`crate::store::PostgresTokenStore`] and sharing its pool.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, attempt, begin_kept_racing, begin_outcome, decode, own_record,
    published_unchanged, reconcile_outcome, sort_by_target, ttl_micros,
};
use super::{
    BeginOutcome, Lease, PublishLog, PublishRecord, check_idempotency_key, holder_refused,
    release_note,
};
use crate::sql::postgres::{PostgresOptions, connect_pool, now_micros, pg_err, redact_url};
use crate::{AccountKey, Result};

/// The key columns, and the caller's user, of every statement on one
/// record (`$1`..`$4`; a macro, so `concat!` builds each statement at
/// compile time).
macro_rules! row {
    () => {
        "idempotency_key = $1 AND platform = $2 AND account_id = $3 AND user_id = $4"
    };
}

/// A lease of `$5` microseconds from the server's now.
macro_rules! lease_end {
    () => {
        "now() + $5 * interval '1 microsecond'"
    };
}

/// A [`PublishLog`] in PostgreSQL. Every transition is one atomic
/// compare-and-set statement (`INSERT … ON CONFLICT DO NOTHING`, then
/// `UPDATE … WHERE state = … AND lease_owner = … RETURNING`), so concurrent
/// callers in any number of processes agree on who holds an attempt.
/// Leases are timed on the database server's clock (`now()`), so workers
/// whose clocks disagree still agree on when a lease runs out. Nothing
/// secret is stored, so the log is not encrypted. `Debug` shows the URL
/// with its password redacted.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use std::time::Duration;
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PostgresPublishLog, PublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = PostgresPublishLog::connect("postgres://app@127.0.0.1:5432/app").await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// let lease = Lease::new(Duration::from_secs(60));
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
        Ok(self
            .read_leased(idempotency_key, target)
            .await?
            .map(|(record, _)| record))
    }

    /// The record and whether its lease is live now (server time).
    async fn read_leased(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<(PublishRecord, bool)>> {
        let row = sqlx::query(
            "SELECT *, (lease_owner IS NOT NULL AND lease_until > now()) AS leased \
             FROM creatorsync_publish_log \
             WHERE idempotency_key = $1 AND platform = $2 AND account_id = $3",
        )
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| pg_err("publish log read", e))?;
        row.map(|row| Ok((decode(&row)?, row.flag("leased")?.unwrap_or(false))))
            .transpose()
    }

    /// Runs a holder-only update (bound in full); if it changed nothing,
    /// says why.
    async fn as_holder(
        &self,
        what: &str,
        idempotency_key: &str,
        target: &AccountKey,
        query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
        downgrade: bool,
    ) -> Result<()> {
        let done = query
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err(what, e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let record = self.read(idempotency_key, target).await?;
        Err(holder_refused(record.as_ref(), target, downgrade))
    }
}

impl LogRow for PgRow {
    const BACKEND: &'static str = "postgres";
    fn text(&self, name: &str) -> Result<Option<String>> {
        self.try_get(name).map_err(|e| pg_err("publish log row", e))
    }
    fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        self.try_get(name).map_err(|e| pg_err("publish log row", e))
    }
    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.try_get(name).map_err(|e| pg_err("publish log row", e))
    }
    fn int(&self, name: &str) -> Result<i64> {
        // `attempts` is INTEGER (32 bits) in PostgreSQL.
        self.try_get::<i32, _>(name)
            .map(i64::from)
            .map_err(|e| pg_err("publish log row", e))
    }
    fn lease_until(&self) -> Result<DateTime<Utc>> {
        self.try_get("lease_until")
            .map_err(|e| pg_err("publish log row", e))
    }
}

/// Binds the row of `row!()` (`$1`..`$4`).
fn bind_row<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    idempotency_key: &'q str,
    target: &'q AccountKey,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .bind(&target.user_id)
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
        let ttl = ttl_micros(lease.checked_ttl()?);
        for _ in 0..BEGIN_ROUNDS {
            let now = now_micros();
            let inserted = bind_row(
                sqlx::query(concat!(
                    "INSERT INTO creatorsync_publish_log (idempotency_key, platform, account_id, \
                     user_id, state, started_at, attempts, updated_at, lease_owner, lease_until, \
                     create_sent) VALUES ($1, $2, $3, $4, 'pending', $6, 1, $6, $7, ",
                    lease_end!(),
                    ", false) ON CONFLICT (idempotency_key, platform, account_id) DO NOTHING"
                )),
                idempotency_key,
                target,
            )
            .bind(ttl)
            .bind(now)
            .bind(&lease.owner)
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err("publish log begin", e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i32> = sqlx::query_scalar(concat!(
                "UPDATE creatorsync_publish_log SET state = 'pending', started_at = $6, \
                 attempts = attempts + 1, error_code = NULL, message = NULL, retryable = NULL, \
                 lease_owner = $7, lease_until = ",
                lease_end!(),
                ", create_sent = false, reference = NULL, last_error = NULL, updated_at = $6 \
                 WHERE ",
                row!(),
                " AND state = 'failed' RETURNING attempts"
            ))
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(ttl)
            .bind(now)
            .bind(&lease.owner)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| pg_err("publish log retry", e))?;
            if let Some(n) = retried {
                return Ok(BeginOutcome::Retry {
                    attempt: attempt(i64::from(n)),
                });
            }
            let taken = bind_row(
                sqlx::query(concat!(
                    "UPDATE creatorsync_publish_log SET lease_owner = $7, lease_until = ",
                    lease_end!(),
                    ", attempts = attempts + 1, updated_at = $6 WHERE ",
                    row!(),
                    " AND state = 'pending' AND (lease_owner IS NULL OR lease_until <= now()) \
                     RETURNING *"
                )),
                idempotency_key,
                target,
            )
            .bind(ttl)
            .bind(now)
            .bind(&lease.owner)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| pg_err("publish log takeover", e))?;
            if let Some(row) = taken {
                return reconcile_outcome(decode(&row)?);
            }
            let Some((record, leased)) = self.read_leased(idempotency_key, target).await? else {
                continue;
            };
            if let Some(outcome) = begin_outcome(record, leased, target)? {
                return Ok(outcome);
            }
        }
        Err(begin_kept_racing())
    }

    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()> {
        let ttl = ttl_micros(lease.checked_ttl()?);
        let query = bind_row(
            sqlx::query(concat!(
                "UPDATE creatorsync_publish_log SET lease_until = ",
                lease_end!(),
                ", updated_at = $6 WHERE ",
                row!(),
                " AND state = 'pending' AND lease_owner = $7"
            )),
            idempotency_key,
            target,
        )
        .bind(ttl)
        .bind(now_micros())
        .bind(&lease.owner);
        self.as_holder("publish log renew", idempotency_key, target, query, false)
            .await
    }

    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()> {
        let ttl = ttl_micros(lease.checked_ttl()?);
        let query = bind_row(
            sqlx::query(concat!(
                "UPDATE creatorsync_publish_log SET create_sent = true, \
                 reference = COALESCE($8, reference), lease_until = ",
                lease_end!(),
                ", updated_at = $6 WHERE ",
                row!(),
                " AND state = 'pending' AND lease_owner = $7"
            )),
            idempotency_key,
            target,
        )
        .bind(ttl)
        .bind(now_micros())
        .bind(&lease.owner)
        .bind(reference);
        self.as_holder(
            "publish log mark_sent",
            idempotency_key,
            target,
            query,
            false,
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
        let done = bind_row(
            sqlx::query(concat!(
                "UPDATE creatorsync_publish_log SET state = 'published', post_id = $5, url = $6, \
                 published_at = $7, error_code = NULL, message = NULL, retryable = NULL, \
                 lease_owner = NULL, updated_at = $7 WHERE ",
                row!(),
                " AND state <> 'published'"
            )),
            idempotency_key,
            target,
        )
        .bind(post_id)
        .bind(url)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| pg_err("publish log mark_published", e))?;
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
        let query = bind_row(
            sqlx::query(concat!(
                "UPDATE creatorsync_publish_log SET state = 'failed', error_code = $6, \
                 message = $7, retryable = $8, lease_owner = NULL, updated_at = $9 WHERE ",
                row!(),
                " AND state = 'pending' AND lease_owner = $5"
            )),
            idempotency_key,
            target,
        )
        .bind(&lease.owner)
        .bind(error_code)
        .bind(message)
        .bind(retryable)
        .bind(now_micros());
        self.as_holder(
            "publish log mark_failed",
            idempotency_key,
            target,
            query,
            true,
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
        let query = bind_row(
            sqlx::query(concat!(
                "UPDATE creatorsync_publish_log SET lease_owner = NULL, lease_until = now(), \
                 last_error = $6, updated_at = $7 WHERE ",
                row!(),
                " AND state = 'pending' AND lease_owner = $5"
            )),
            idempotency_key,
            target,
        )
        .bind(&lease.owner)
        .bind(release_note(error_code, message))
        .bind(now_micros());
        self.as_holder("publish log release", idempotency_key, target, query, false)
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
            .map_err(|e| pg_err("publish log list", e))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        sort_by_target(&mut records);
        Ok(records)
    }
}
