//! [`PostgresTokenStore`]: the encrypted token store in PostgreSQL, for
//! several worker processes or machines sharing one database.
//!
//! Rows and encryption match the SQLite store (shared code in `codec.rs`):
//! `key_id`, `nonce` and `ciphertext` hold the AES-256-GCM sealed
//! credential, bound to the row identity and key id; `profile` and
//! `metadata` are JSONB; `version` drives compare-and-swap. Tables are
//! prefixed `creatorsync_` so they can live in an application's database.
//!
//! Schema: the SQL files in `migrations/postgres/` are embedded and applied
//! at connect, in one transaction under an advisory lock, recorded in
//! `creatorsync_schema`. Not `sqlx::migrate!`: its `_sqlx_migrations`
//! table is shared with any sqlx-migrated application in the same database,
//! whose own migrations would then collide with ours.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Row};

use super::codec::{u64_from_sql, u64_to_sql};
use super::crypto::KeyRing;
use super::sql_common::{
    KeyHolder, PlainColumns, SealedRow, decode_token, encode_token, sort_by_key, warn_unknown_keys,
};
use crate::{AccountKey, Error, Result, StoredToken, TokenStore};

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
];

/// Advisory lock key serializing schema changes between connecting
/// processes ("CrSy" in ASCII).
const SCHEMA_LOCK: i64 = 0x4372_5379;

/// Connection pool settings for [`PostgresTokenStore::connect_with`] and
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

/// The URL with its password replaced by `***` (for errors and Debug).
pub(crate) fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Cannot fail for URLs with a host, which have a password.
                let _ = parsed.set_password(Some("***"));
            }
            // `password=` may also appear as a query parameter.
            if parsed.query_pairs().any(|(k, _)| k == "password") {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k == "password" {
                            "***".to_owned()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
            }
            parsed.to_string()
        }
        Err(_) => "[unparseable URL]".to_owned(),
    }
}

/// Maps a database error. sqlx errors never include bound values; the
/// password is scrubbed in case a driver message quotes the URL.
pub(crate) fn pg_err(context: &str, e: &dyn fmt::Display) -> Error {
    Error::store(format!("postgres: {context}: {e}"))
}

/// `e`'s message with the password of `url` (if any) replaced by `***`,
/// in case a driver message quotes the URL.
pub(crate) fn scrub_password(url: &str, e: &dyn fmt::Display) -> String {
    let text = e.to_string();
    match url::Url::parse(url) {
        Ok(u) => match u.password().filter(|p| !p.is_empty()) {
            Some(p) => text.replace(p, "***"),
            None => text,
        },
        Err(_) => text,
    }
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
                scrub_password(url, &e)
            ))
        })?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the embedded migrations this database lacks, in one transaction
/// under an advisory lock (processes connecting at once take turns).
async fn migrate(pool: &PgPool) -> Result<()> {
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    let mut tx = pool.begin().await.map_err(|e| pg_err("schema", &e))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SCHEMA_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(|e| pg_err("schema lock", &e))?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS creatorsync_schema (\
         version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| pg_err("schema table", &e))?;
    let found: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM creatorsync_schema")
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| pg_err("schema version", &e))?;
    if found > latest {
        return Err(Error::store(format!(
            "postgres: the database has CreatorSync schema version {found}, newer than this CreatorSync ({latest}); upgrade CreatorSync"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| pg_err(&format!("migration {version}"), &e))?;
        sqlx::query("INSERT INTO creatorsync_schema (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(|e| pg_err("schema version", &e))?;
        tracing::info!(version, "applied CreatorSync PostgreSQL migration");
    }
    tx.commit().await.map_err(|e| pg_err("schema", &e))
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

/// An encrypted [`TokenStore`] in PostgreSQL: for several worker processes
/// or machines refreshing the same accounts.
///
/// * Compare-and-swap is `UPDATE … WHERE version = $expected` (insert is
///   `INSERT … ON CONFLICT DO NOTHING`): exactly one of any number of
///   concurrent writers wins, in any process.
/// * Credentials are sealed with AES-256-GCM exactly as in
///   [`crate::store::SqliteTokenStore`] (row identity + key id as
///   associated data; [`Error::Key`] naming the key when a row cannot be
///   read).
/// * [`PostgresTokenStore::rotate_key`] re-encrypts every row in one
///   transaction.
/// * `Debug` and errors show the URL with its password replaced by `***`.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use creatorsync_core::store::{KeyRing, PostgresTokenStore};
/// let store = PostgresTokenStore::connect(
///     "postgres://app:secret@db.internal:5432/app?sslmode=require",
///     KeyRing::from_env()?,
/// )
/// .await?;
/// let log = store.publish_log(); // same pool
/// # let _ = log; Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresTokenStore {
    pool: PgPool,
    keys: KeyHolder,
    url: Arc<str>,
}

impl fmt::Debug for PostgresTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresTokenStore")
            .field("url", &self.url)
            .field("keys", &self.key_ring())
            .finish_non_exhaustive()
    }
}

impl PostgresTokenStore {
    /// Connects with [`PostgresOptions::default`] and applies the embedded
    /// migrations. `url`: `postgres://user:password@host:port/database`,
    /// with `?sslmode=require` for TLS.
    pub async fn connect(url: &str, keys: KeyRing) -> Result<Self> {
        Self::connect_with(url, keys, PostgresOptions::default()).await
    }

    /// Connects with explicit pool settings.
    pub async fn connect_with(url: &str, keys: KeyRing, options: PostgresOptions) -> Result<Self> {
        let pool = connect_pool(url, &options).await?;
        let store = Self {
            pool,
            keys: KeyHolder::new(keys),
            url: redact_url(url).into(),
        };
        tracing::debug!(url = %store.url, key_id = store.key_ring().active_key_id(), "connected postgres token store");
        warn_unknown_keys(&store.key_ring(), &store.key_ids_in_use().await?);
        Ok(store)
    }

    /// A publish log in the same database, sharing this store's pool.
    pub fn publish_log(&self) -> crate::publish_log::PostgresPublishLog {
        crate::publish_log::PostgresPublishLog::from_parts(self.pool.clone(), Arc::clone(&self.url))
    }

    /// The connection URL with its password replaced by `***`: safe to
    /// show in logs and `repr`s.
    pub fn redacted_url(&self) -> &str {
        &self.url
    }

    /// The id of the key new writes are encrypted with.
    pub fn active_key_id(&self) -> String {
        self.key_ring().active_key_id().to_owned()
    }

    fn key_ring(&self) -> Arc<KeyRing> {
        self.keys.current()
    }

    /// Makes `(new_id, new_key)` the active key and re-encrypts every row
    /// under it in one transaction (rows locked with `FOR UPDATE`): either
    /// all rows move or none do. Returns how many rows were re-encrypted.
    /// A row whose key is not in the ring aborts with [`Error::Key`] naming
    /// that key. Versions do not change.
    ///
    /// Other processes keep writing with *their* active key until they are
    /// restarted with the new ring, so: deploy the new key as active with
    /// the old one as an old key ([`KeyRing::with_old_key`]) everywhere,
    /// call `rotate_key` once (or again), check
    /// [`PostgresTokenStore::key_ids_in_use`], then retire the old key.
    pub async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        let new = Arc::new(self.key_ring().rotated(new_id, new_key)?);
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| pg_err("rotate: begin", &e))?;
        let count = reencrypt_all(&mut tx, &new).await?;
        tx.commit()
            .await
            .map_err(|e| pg_err("rotate: commit", &e))?;
        self.keys.replace(new);
        tracing::info!(key_id = new_id, rows = count, "token store key rotated");
        Ok(count)
    }

    /// The distinct key ids the stored rows are encrypted with. After a
    /// rotation this shows when an old key may be retired.
    pub async fn key_ids_in_use(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT DISTINCT key_id FROM creatorsync_tokens ORDER BY key_id")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| pg_err("key ids", &e))
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn decode(&self, row: &PgRow) -> Result<StoredToken> {
        let get = |e: sqlx::Error| pg_err("read row", &e);
        let sealed = sealed_row(row, "read row")?;
        let plain = PlainColumns {
            profile: row.try_get("profile").map_err(get)?,
            metadata: row.try_get("metadata").map_err(get)?,
            version: row.try_get("version").map_err(get)?,
            updated_at: row.try_get("updated_at").map_err(get)?,
            needs_reauth: row.try_get("needs_reauth").map_err(get)?,
        };
        decode_token("postgres", &self.key_ring(), sealed, plain)
    }

    async fn current_version(&self, key: &AccountKey) -> Result<Option<u64>> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM creatorsync_tokens \
             WHERE user_id = $1 AND platform = $2 AND account_id = $3",
        )
        .bind(&key.user_id)
        .bind(key.platform.as_str())
        .bind(&key.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| pg_err("read version", &e))?;
        v.map(u64_from_sql).transpose()
    }
}

/// Columns of a token row as `decode` reads them (JSONB as text); a macro
/// so queries stay `&'static str` literals (sqlx audits dynamic SQL).
macro_rules! token_columns {
    () => {
        "user_id, platform, account_id, version, key_id, nonce, ciphertext, \
         profile::text AS profile, metadata::text AS metadata, needs_reauth, updated_at"
    };
}

/// The identity and sealed credential columns of a token row.
fn sealed_row(row: &PgRow, context: &str) -> Result<SealedRow> {
    let get = |e: sqlx::Error| pg_err(context, &e);
    SealedRow::read(
        |c| row.try_get(c).map_err(get),
        |c| row.try_get(c).map_err(get),
    )
}

async fn reencrypt_all(conn: &mut PgConnection, ring: &KeyRing) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT user_id, platform, account_id, key_id, nonce, ciphertext \
         FROM creatorsync_tokens ORDER BY user_id, platform, account_id FOR UPDATE",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| pg_err("rotate: read", &e))?;
    let mut count = 0;
    for row in rows {
        let row = sealed_row(&row, "rotate: read row")?;
        let (sealed, buffer) = row.reseal(ring)?;
        sqlx::query(
            "UPDATE creatorsync_tokens SET key_id = $1, nonce = $2, ciphertext = $3 \
             WHERE user_id = $4 AND platform = $5 AND account_id = $6",
        )
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&buffer[..])
        .bind(&row.user_id)
        .bind(&row.platform)
        .bind(&row.account_id)
        .execute(&mut *conn)
        .await
        .map_err(|e| pg_err("rotate: write", &e))?;
        count += 1;
    }
    Ok(count)
}

#[async_trait]
impl TokenStore for PostgresTokenStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM creatorsync_tokens WHERE user_id = $1 AND platform = $2 AND account_id = $3"
        ))
        .bind(&key.user_id)
        .bind(key.platform.as_str())
        .bind(&key.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| pg_err("get", &e))?;
        row.map(|r| self.decode(&r)).transpose()
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM creatorsync_tokens WHERE user_id = $1"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| pg_err("list", &e))?;
        let mut tokens = rows
            .iter()
            .map(|r| self.decode(r))
            .collect::<Result<Vec<_>>>()?;
        sort_by_key(&mut tokens);
        Ok(tokens)
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let key = &token.key;
        let row = encode_token(&self.key_ring(), token)?;
        let now = now_micros();
        let (affected, new_version) = match expected_version {
            None => {
                let done = sqlx::query(
                    "INSERT INTO creatorsync_tokens (user_id, platform, account_id, version, \
                     key_id, nonce, ciphertext, profile, metadata, needs_reauth, updated_at) \
                     VALUES ($1, $2, $3, 1, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10) \
                     ON CONFLICT (user_id, platform, account_id) DO NOTHING",
                )
                .bind(&key.user_id)
                .bind(key.platform.as_str())
                .bind(&key.account_id)
                .bind(&row.sealed.key_id)
                .bind(&row.sealed.nonce)
                .bind(&row.ciphertext[..])
                .bind(&row.profile)
                .bind(&row.metadata)
                .bind(token.needs_reauth)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(|e| pg_err("insert", &e))?;
                (done.rows_affected(), 1)
            }
            Some(v) => {
                let done = sqlx::query(
                    "UPDATE creatorsync_tokens SET version = version + 1, key_id = $1, \
                     nonce = $2, ciphertext = $3, profile = $4::jsonb, metadata = $5::jsonb, \
                     needs_reauth = $6, updated_at = $7 \
                     WHERE user_id = $8 AND platform = $9 AND account_id = $10 AND version = $11",
                )
                .bind(&row.sealed.key_id)
                .bind(&row.sealed.nonce)
                .bind(&row.ciphertext[..])
                .bind(&row.profile)
                .bind(&row.metadata)
                .bind(token.needs_reauth)
                .bind(now)
                .bind(&key.user_id)
                .bind(key.platform.as_str())
                .bind(&key.account_id)
                .bind(u64_to_sql(v)?)
                .execute(&self.pool)
                .await
                .map_err(|e| pg_err("update", &e))?;
                (done.rows_affected(), v + 1)
            }
        };
        if affected == 1 {
            return Ok(new_version);
        }
        Err(Error::Conflict {
            current_version: self.current_version(key).await?,
        })
    }

    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM creatorsync_tokens \
             WHERE user_id = $1 AND platform = $2 AND account_id = $3",
        )
        .bind(&key.user_id)
        .bind(key.platform.as_str())
        .bind(&key.account_id)
        .execute(&self.pool)
        .await
        .map_err(|e| pg_err("delete", &e))?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        let shown = redact_url("postgres://app:hunter2@db:5432/app?sslmode=require");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("app:***@db:5432/app"), "{shown}");
        let shown = redact_url("postgres://app@db/app?password=hunter2&sslmode=disable");
        assert!(
            !shown.contains("hunter2") && shown.contains("sslmode=disable"),
            "{shown}"
        );
        assert_eq!(redact_url("not a url hunter2"), "[unparseable URL]");
    }

    #[test]
    fn now_micros_never_goes_back() {
        let before = Utc::now();
        let t = now_micros();
        assert!(t >= before);
        assert_eq!(t.timestamp_subsec_nanos() % 1000, 0);
    }

    #[tokio::test]
    async fn a_bad_url_is_a_config_error_without_the_password() {
        let err = PostgresTokenStore::connect(
            "postgres://u:hunter2@127.0.0.1:1/db?sslmode=bogus",
            KeyRing::new("k1", &[1; 32]).unwrap(),
        )
        .await
        .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = PostgresTokenStore::connect_with(
            "postgres://u:hunter2@127.0.0.1:1/db",
            KeyRing::new("k1", &[1; 32]).unwrap(),
            PostgresOptions::default().acquire_timeout(Duration::from_secs(2)),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err:?}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    }
}
