//! The SQLite database both the token store and the publish log live in:
//! opening the pooled file (WAL, busy timeout), the schema and its
//! migrations, error and timestamp mapping. Shared by
//! [`crate::store::SqliteTokenStore`] and
//! [`crate::publish_log::SqlitePublishLog`] so neither imports the other.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Error, Result};

/// How long a connection waits for another writer before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per pool for a file database (WAL: readers run in parallel,
/// writers take turns).
const MAX_CONNECTIONS: u32 = 8;
/// Schema version kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    user_id      TEXT    NOT NULL,
    platform     TEXT    NOT NULL,
    account_id   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    key_id       TEXT    NOT NULL,
    nonce        BLOB    NOT NULL,
    ciphertext   BLOB    NOT NULL,
    profile      TEXT    NOT NULL,
    metadata     TEXT    NOT NULL,
    needs_reauth INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (user_id, platform, account_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS publish_log (
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
    lease_owner     TEXT,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    create_sent     INTEGER NOT NULL DEFAULT 0,
    reference       TEXT,
    last_error      TEXT,
    PRIMARY KEY (idempotency_key, platform, account_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_connects (
    nonce        TEXT    NOT NULL PRIMARY KEY,
    key_id       TEXT    NOT NULL,
    sealed_nonce BLOB    NOT NULL,
    ciphertext   BLOB    NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS upload_sessions (
    session_key  TEXT    NOT NULL PRIMARY KEY,
    key_id       TEXT    NOT NULL,
    sealed_nonce BLOB    NOT NULL,
    ciphertext   BLOB    NOT NULL,
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (
    key     TEXT    NOT NULL PRIMARY KEY,
    value   TEXT    NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Version 2 to 3 adds the `upload_sessions` table (persisted resumable
/// uploads, sealed like tokens): created by [`SCHEMA`], nothing to move.
///
/// Version 1 to 2: leases in the publish log. `lease_until` is Unix time in
/// microseconds (an integer compares correctly, RFC 3339 text of varying
/// precision does not). Old rows get no owner and a lease that ran out in
/// 1970: an old `Pending` row is treated as released and reconciled, and
/// as possibly sent (it is looked up before anything is created).
const LEASES: &str = "
ALTER TABLE publish_log ADD COLUMN lease_owner TEXT;
ALTER TABLE publish_log ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE publish_log ADD COLUMN create_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE publish_log ADD COLUMN reference TEXT;
ALTER TABLE publish_log ADD COLUMN last_error TEXT;
UPDATE publish_log SET create_sent = 1 WHERE state = 'pending';
";

/// Opens (creating if needed) a pooled SQLite database with the schema of
/// both the token store and the publish log. `None` = private in-memory db.
pub(crate) async fn open_pool(path: Option<&Path>) -> Result<SqlitePool> {
    let pool = match path {
        Some(path) => {
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(BUSY_TIMEOUT);
            SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .connect_with(options)
                .await
                .map_err(|e| store_err(&format!("cannot open {}", path.display()), e))?
        }
        None => {
            // Every in-memory connection is its own database: keep exactly one.
            let options = SqliteConnectOptions::from_str("sqlite::memory:")
                .map_err(|e| store_err("in-memory options", e))?
                .busy_timeout(BUSY_TIMEOUT);
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(|e| store_err("cannot open in-memory database", e))?
        }
    };
    migrate(&pool).await?;
    Ok(pool)
}

async fn migrate(pool: &SqlitePool) -> Result<()> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| store_err("schema", e))?;
    let found: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| store_err("schema version", e))?;
    if found > SCHEMA_VERSION {
        return Err(Error::store(format!(
            "the database has schema version {found}, newer than this CreatorSync ({SCHEMA_VERSION}); upgrade CreatorSync"
        )));
    }
    if found == 1 {
        sqlx::raw_sql(LEASES)
            .execute(&mut *tx)
            .await
            .map_err(|e| store_err("migration 2", e))?;
    }
    sqlx::raw_sql(SCHEMA)
        .execute(&mut *tx)
        .await
        .map_err(|e| store_err("create schema", e))?;
    // PRAGMA values cannot be bound; the constant is ours.
    sqlx::query("PRAGMA user_version = 3")
        .execute(&mut *tx)
        .await
        .map_err(|e| store_err("schema version", e))?;
    tx.commit().await.map_err(|e| store_err("schema", e))
}

/// Maps a database error; sqlx errors never include bound values.
pub(crate) fn store_err(context: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::store_caused_by(format!("sqlite: {context}: {e}"), e)
}

/// Timestamps are stored as RFC 3339 text with full precision, in UTC.
pub(crate) fn time_to_sql(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn time_from_sql(column: &str, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::store(format!("sqlite: bad timestamp in column {column}: {e}")))
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[tokio::test]
    async fn driver_errors_stay_reachable_as_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("db.sqlite");
        let err = open_pool(Some(&missing)).await.unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err}");
        let source = err.source().expect("the sqlx error is kept");
        assert!(source.downcast_ref::<sqlx::Error>().is_some(), "{source:?}");
    }
}
