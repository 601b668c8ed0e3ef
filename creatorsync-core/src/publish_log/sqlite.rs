//! [`SqlitePublishLog`]: the publish log in SQLite (table `publish_log`),
//! usually in the same file as the [`crate::store::SqliteTokenStore`].

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use super::sql_common::{
    BEGIN_ROUNDS, LogRow, attempt, begin_kept_racing, begin_outcome, decode, own_record,
    published_unchanged, reconcile_outcome, sort_by_target, ttl_micros,
};
use super::{
    BeginOutcome, Lease, PublishLog, PublishRecord, check_idempotency_key, holder_refused,
    release_note,
};
use crate::sql::sqlite::{open_pool, store_err, time_from_sql, time_to_sql};
use crate::{AccountKey, Error, Result};

/// The key columns, and the caller's user, of every statement on one
/// record (a macro, so `concat!` builds each statement at compile time).
macro_rules! row {
    () => {
        "idempotency_key = ? AND platform = ? AND account_id = ? AND user_id = ?"
    };
}

/// A [`PublishLog`] in SQLite. Every transition is a single atomic
/// compare-and-set statement on `state`, `lease_owner` and `lease_until`,
/// so concurrent callers in any number of processes sharing the file agree
/// on who holds an attempt. Leases are timed on the host's clock (stored
/// as Unix microseconds). Nothing secret is stored, so the log is not
/// encrypted.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PublishLog, SqlitePublishLog};
/// use creatorsync_core::{AccountKey, Platform};
///
/// let log = SqlitePublishLog::open_in_memory().await?;
/// let target = AccountKey::new("user-1", Platform::TikTok, "creator-9")?;
/// let lease = Lease::new(Duration::from_secs(60));
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
        Ok(self
            .read_leased(idempotency_key, target)
            .await?
            .map(|(record, _)| record))
    }

    /// The record and whether its lease is live now.
    async fn read_leased(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<(PublishRecord, bool)>> {
        let row = sqlx::query(
            "SELECT *, (lease_owner IS NOT NULL AND lease_until > ?) AS leased FROM publish_log \
             WHERE idempotency_key = ? AND platform = ? AND account_id = ?",
        )
        .bind(now_micros())
        .bind(idempotency_key)
        .bind(target.platform.as_str())
        .bind(&target.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("publish log read", e))?;
        row.map(|row| Ok((decode(&row)?, row.flag("leased")?.unwrap_or(false))))
            .transpose()
    }

    /// Runs a holder-only update (`set` with its binds, then the row and
    /// owner conditions); if it changed nothing, says why.
    async fn as_holder(
        &self,
        what: &str,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        query: sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
        downgrade: bool,
    ) -> Result<()> {
        let done = query
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(&lease.owner)
            .execute(&self.pool)
            .await
            .map_err(|e| store_err(what, e))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let record = self.read(idempotency_key, target).await?;
        Err(holder_refused(record.as_ref(), target, downgrade))
    }
}

impl LogRow for SqliteRow {
    const BACKEND: &'static str = "sqlite";
    fn text(&self, name: &str) -> Result<Option<String>> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", e))
    }
    fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        self.text(name)?
            .map(|t| time_from_sql(name, &t))
            .transpose()
    }
    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", e))
    }
    fn int(&self, name: &str) -> Result<i64> {
        self.try_get(name)
            .map_err(|e| store_err("publish log row", e))
    }
    fn lease_until(&self) -> Result<DateTime<Utc>> {
        let micros = self.int("lease_until")?;
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| Error::store("sqlite: publish_log.lease_until out of range"))
    }
}

/// Now, in the unit of `lease_until`.
fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// When a lease of `ttl` taken now runs out, in the unit of `lease_until`.
fn until(ttl: chrono::Duration) -> i64 {
    now_micros().saturating_add(ttl_micros(ttl))
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
        let ttl = lease.checked_ttl()?;
        for _ in 0..BEGIN_ROUNDS {
            let now = time_to_sql(Utc::now());
            let inserted = sqlx::query(
                "INSERT INTO publish_log (idempotency_key, platform, account_id, user_id, state, \
                 started_at, attempts, updated_at, lease_owner, lease_until, create_sent) \
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
            .bind(until(ttl))
            .execute(&self.pool)
            .await
            .map_err(|e| store_err("publish log begin", e))?;
            if inserted.rows_affected() == 1 {
                return Ok(BeginOutcome::Fresh);
            }
            let retried: Option<i64> = sqlx::query_scalar(concat!(
                "UPDATE publish_log SET state = 'pending', started_at = ?, attempts = attempts + 1, \
                 error_code = NULL, message = NULL, retryable = NULL, lease_owner = ?, \
                 lease_until = ?, create_sent = 0, reference = NULL, last_error = NULL, \
                 updated_at = ? WHERE ", row!(), " AND state = 'failed' RETURNING attempts"))
            .bind(&now)
            .bind(&lease.owner)
            .bind(until(ttl))
            .bind(&now)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_err("publish log retry", e))?;
            if let Some(n) = retried {
                return Ok(BeginOutcome::Retry {
                    attempt: attempt(n),
                });
            }
            let taken = sqlx::query(concat!(
                "UPDATE publish_log SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, \
                 updated_at = ? WHERE ",
                row!(),
                " AND state = 'pending' \
                 AND (lease_owner IS NULL OR lease_until <= ?) RETURNING *"
            ))
            .bind(&lease.owner)
            .bind(until(ttl))
            .bind(&now)
            .bind(idempotency_key)
            .bind(target.platform.as_str())
            .bind(&target.account_id)
            .bind(&target.user_id)
            .bind(now_micros())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_err("publish log takeover", e))?;
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
        let ttl = lease.checked_ttl()?;
        let sql = concat!(
            "UPDATE publish_log SET lease_until = ?, updated_at = ? \
             WHERE ",
            row!(),
            " AND state = 'pending' AND lease_owner = ?"
        );
        let query = sqlx::query(sql)
            .bind(until(ttl))
            .bind(time_to_sql(Utc::now()));
        self.as_holder(
            "publish log renew",
            idempotency_key,
            target,
            lease,
            query,
            false,
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
        let ttl = lease.checked_ttl()?;
        let sql = concat!(
            "UPDATE publish_log SET create_sent = 1, reference = COALESCE(?, reference), \
             lease_until = ?, updated_at = ? \
             WHERE ",
            row!(),
            " AND state = 'pending' AND lease_owner = ?"
        );
        let query = sqlx::query(sql)
            .bind(reference)
            .bind(until(ttl))
            .bind(time_to_sql(Utc::now()));
        self.as_holder(
            "publish log mark_sent",
            idempotency_key,
            target,
            lease,
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
        let now = time_to_sql(Utc::now());
        let done = sqlx::query(concat!(
            "UPDATE publish_log SET state = 'published', post_id = ?, url = ?, published_at = ?, \
             error_code = NULL, message = NULL, retryable = NULL, lease_owner = NULL, \
             updated_at = ? WHERE ",
            row!(),
            " AND state <> 'published'"
        ))
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
        .map_err(|e| store_err("publish log mark_published", e))?;
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
        let sql = concat!(
            "UPDATE publish_log SET state = 'failed', error_code = ?, message = ?, retryable = ?, \
             lease_owner = NULL, updated_at = ? \
             WHERE ",
            row!(),
            " AND state = 'pending' AND lease_owner = ?"
        );
        let query = sqlx::query(sql)
            .bind(error_code)
            .bind(message)
            .bind(retryable)
            .bind(time_to_sql(Utc::now()));
        self.as_holder(
            "publish log mark_failed",
            idempotency_key,
            target,
            lease,
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
        let sql = concat!(
            "UPDATE publish_log SET lease_owner = NULL, lease_until = ?, last_error = ?, \
             updated_at = ? WHERE ",
            row!(),
            " AND state = 'pending' AND lease_owner = ?"
        );
        let query = sqlx::query(sql)
            .bind(now_micros())
            .bind(release_note(error_code, message))
            .bind(time_to_sql(Utc::now()));
        self.as_holder(
            "publish log release",
            idempotency_key,
            target,
            lease,
            query,
            false,
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
            .map_err(|e| store_err("publish log list", e))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        sort_by_target(&mut records);
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};

    use super::*;
    use crate::Platform;
    use crate::publish_log::PublishState;

    /// The publish log table as schema version 1 created it (no leases).
    const V1: &str = "
CREATE TABLE publish_log (
    idempotency_key TEXT    NOT NULL,
    platform        TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'published', 'failed')),
    started_at      TEXT,
    post_id         TEXT,
    url             TEXT,
    published_at    TEXT,
    error_code      TEXT,
    message         TEXT,
    retryable       INTEGER,
    attempts        INTEGER NOT NULL,
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (idempotency_key, platform, account_id)
) WITHOUT ROWID;
INSERT INTO publish_log VALUES ('old-req', 'x', '42', 'u1', 'pending',
    '2026-11-01T10:00:00Z', NULL, NULL, NULL, NULL, NULL, NULL, 1, '2026-11-01T10:00:00Z');
INSERT INTO publish_log VALUES ('old-req', 'tiktok', '7', 'u1', 'published',
    '2026-11-01T10:00:00Z', 'p-1', NULL, '2026-11-01T10:00:05Z', NULL, NULL, NULL, 1,
    '2026-11-01T10:00:05Z');
PRAGMA user_version = 1;
";

    /// A file from before leases opens (the columns are added), keeps its
    /// records, and its Pending record reads as released: the next begin
    /// reconciles it, as before leases.
    #[tokio::test]
    async fn a_version_1_file_is_migrated_and_its_pending_rows_reconcile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let mut conn = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(V1).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();

        let log = SqlitePublishLog::open(&path).await.unwrap();
        let x = AccountKey::new("u1", Platform::X, "42").unwrap();
        let record = log.get("old-req", &x).await.unwrap().unwrap();
        let PublishState::Pending {
            lease_owner,
            lease_until,
            create_sent,
            reference,
            last_error,
            started_at,
        } = record.state
        else {
            panic!("the old pending row should read as Pending: {record:?}");
        };
        assert_eq!(lease_owner, None, "old rows have no lease owner");
        assert!(lease_until < Utc::now(), "old rows have no live lease");
        // Its create may have been sent before the upgrade: looked up first.
        assert!(create_sent && reference.is_none() && last_error.is_none());
        let lease = Lease::new(Duration::from_secs(60));
        assert_eq!(
            log.begin("old-req", &x, &lease).await.unwrap(),
            BeginOutcome::Reconcile {
                since: started_at,
                attempt: 2,
                create_sent: true,
                reference: None,
            }
        );
        let tiktok = AccountKey::new("u1", Platform::TikTok, "7").unwrap();
        assert!(matches!(
            log.begin("old-req", &tiktok, &lease).await.unwrap(),
            BeginOutcome::AlreadyPublished { post_id, .. } if post_id == "p-1"
        ));
        let version: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&log.pool)
            .await
            .unwrap();
        assert_eq!(version, 3, "migrated to the current schema");
        log.close().await;
        // Opening again applies nothing twice.
        let again = SqlitePublishLog::open(&path).await.unwrap();
        assert!(matches!(
            again
                .begin("old-req", &x, &Lease::new(Duration::from_secs(60)))
                .await
                .unwrap(),
            BeginOutcome::InProgress { .. }
        ));
    }
}
