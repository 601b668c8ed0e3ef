//! The PostgreSQL database both the token store and the publish log live
//! in: pool settings, connecting, the embedded migrations (applied under an
//! advisory lock), error mapping and timestamps. Shared by
//! [`crate::store::PostgresTokenStore`] and
//! [`crate::publish_log::PostgresPublishLog`] so neither imports the other.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::http::redact_url_password;
use crate::{Error, Result};

/// Embedded migrations: (schema version, SQL), applied in order.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../migrations/postgres/0001_tokens_and_publish_log.sql"),
    ),
    (
        2,
        include_str!("../../migrations/postgres/0002_publish_log_leases.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_pending_connects.sql"),
    ),
    (
        4,
        include_str!("../../migrations/postgres/0004_upload_sessions.sql"),
    ),
    (5, include_str!("../../migrations/postgres/0005_kv.sql")),
];

/// Advisory lock key serializing schema changes between connecting
/// processes ("CrSy" in ASCII).
const SCHEMA_LOCK: i64 = 0x4372_5379;

/// Connection pool settings for [`crate::store::PostgresTokenStore::connect_with`] and
/// [`crate::publish_log::PostgresPublishLog::connect_with`].
///
/// ```
/// use std::time::Duration;
/// use creatorsync_core::store::PostgresOptions;
/// let options = PostgresOptions::default()
///     .max_connections(20)
///     .acquire_timeout(Duration::from_secs(5));
/// assert_eq!(options.max_connections, 20);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// Most connections the pool opens (default 10). Each worker process
    /// has its own pool: keep `workers × max_connections` under the
    /// server's `max_connections` (100 by default).
    pub max_connections: u32,
    /// How long a call waits for a free connection before failing with
    /// [`Error::Store`] (default 30 s).
    pub acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

impl PostgresOptions {
    /// Sets [`PostgresOptions::max_connections`] (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`PostgresOptions::acquire_timeout`].
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }
}

/// The URL with its password (and any secret parameter) redacted, for
/// errors and Debug; the publish log shows its URL the same way.
pub(crate) use crate::http::redact_url_str as redact_url;

/// Maps a database error. sqlx errors never include bound values; the
/// password is scrubbed in case a driver message quotes the URL.
pub(crate) fn pg_err(context: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::store_caused_by(format!("postgres: {context}: {e}"), e)
}

/// Connects a pool to `url` and brings the schema up to date.
pub(crate) async fn connect_pool(url: &str, options: &PostgresOptions) -> Result<PgPool> {
    let shown = redact_url(url);
    // The parse error may quote the URL: report it only in redacted form.
    let connect = PgConnectOptions::from_str(url).map_err(|_| {
        Error::Config(format!(
            "invalid PostgreSQL URL {shown}; expected postgres://user:password@host:port/database"
        ))
    })?;
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .connect_with(connect)
        .await
        .map_err(|e| {
            Error::store(format!(
                "postgres: cannot connect to {shown}: {}",
                redact_url_password(url, &e.to_string())
            ))
        })?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the embedded migrations this database lacks, in one transaction
/// under an advisory lock (processes connecting at once take turns).
async fn migrate(pool: &PgPool) -> Result<()> {
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    let mut tx = pool.begin().await.map_err(|e| pg_err("schema", e))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SCHEMA_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(|e| pg_err("schema lock", e))?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS creatorsync_schema (\
         version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| pg_err("schema table", e))?;
    let found: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM creatorsync_schema")
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| pg_err("schema version", e))?;
    if found > latest {
        return Err(Error::store(format!(
            "postgres: the database has CreatorSync schema version {found}, newer than this CreatorSync ({latest}); upgrade CreatorSync"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| pg_err(&format!("migration {version}"), e))?;
        sqlx::query("INSERT INTO creatorsync_schema (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(|e| pg_err("schema version", e))?;
        tracing::info!(version, "applied CreatorSync PostgreSQL migration");
    }
    tx.commit().await.map_err(|e| pg_err("schema", e))
}

/// `now`, rounded *up* to PostgreSQL's microsecond precision, so a stored
/// time is never earlier than a `Utc::now()` read before the write.
pub(crate) fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    let micro = TimeDelta::microseconds(1);
    match now.duration_trunc(micro) {
        Ok(t) if t == now => t,
        Ok(t) => t + micro,
        Err(_) => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        let shown = redact_url("postgres://app:hunter2@db:5432/app?sslmode=require");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("app:[redacted]@db:5432/app"), "{shown}");
        let shown = redact_url("postgres://app@db/app?password=hunter2&sslmode=disable");
        assert!(
            !shown.contains("hunter2") && shown.contains("sslmode=disable"),
            "{shown}"
        );
        assert_eq!(redact_url("not a url hunter2"), "[redacted]");
    }

    #[test]
    fn now_micros_never_goes_back() {
        let before = Utc::now();
        let t = now_micros();
        assert!(t >= before);
        assert_eq!(t.timestamp_subsec_nanos() % 1000, 0);
    }
}
