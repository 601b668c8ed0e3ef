//! [`PostgresTokenStore`]: the encrypted token store in PostgreSQL, for
//! several worker processes or machines sharing one database.
//!
//! Rows and encryption match the SQLite store (shared code in `codec.rs`):
//! `key_id`, `nonce` and `ciphertext` hold the AES-256-GCM sealed
//! credential, bound to the row identity, key id and row version; `profile` and
//! `metadata` are JSONB; `version` drives compare-and-swap. Tables are
//! prefixed `creatorsync_` so they can live in an application's database.
//!
//! Schema: the SQL files in `migrations/postgres/` are embedded and applied
//! at connect, in one transaction under an advisory lock, recorded in
//! `creatorsync_schema`. Not `sqlx::migrate!`: its `_sqlx_migrations`
//! table is shared with any sqlx-migrated application in the same database,
//! whose own migrations would then collide with ours.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Row};

use super::codec::{next_version, u64_from_sql, u64_to_sql};
use super::crypto::KeyRing;
use super::sql_common::{
    KeyHolder, PlainColumns, SealedRow, decode_token, encode_token, sort_by_key, warn_unknown_keys,
};
use crate::sql::postgres::{PostgresOptions, connect_pool, now_micros, pg_err, redact_url};
use crate::{AccountKey, Error, Result, StoredToken, TokenStore};

/// An encrypted [`TokenStore`] in PostgreSQL: for several worker processes
/// or machines refreshing the same accounts.
///
/// * Compare-and-swap is `UPDATE … WHERE version = $expected` (insert is
///   `INSERT … ON CONFLICT DO NOTHING`): exactly one of any number of
///   concurrent writers wins, in any process.
/// * Credentials are sealed with AES-256-GCM exactly as in
///   [`crate::store::SqliteTokenStore`] (row identity + key id + row
///   version as associated data; [`Error::Key`] naming the key when a row cannot be
///   read).
/// * [`PostgresTokenStore::rotate_key`] re-encrypts every row in one
///   transaction.
/// * `Debug` and errors show the URL with its password replaced by `[redacted]`.
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
    pub(super) pool: PgPool,
    pub(super) keys: KeyHolder,
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

    /// The pool (the scheduler's job engine connects to the same database).
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A publish log in the same database, sharing this store's pool.
    pub fn publish_log(&self) -> crate::publish_log::PostgresPublishLog {
        crate::publish_log::PostgresPublishLog::from_parts(self.pool.clone(), Arc::clone(&self.url))
    }

    /// The connection URL with its password replaced by `[redacted]`: safe to
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
            .map_err(|e| pg_err("rotate: begin", e))?;
        let count = reencrypt_all(&mut tx, &new).await?;
        tx.commit().await.map_err(|e| pg_err("rotate: commit", e))?;
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
            .map_err(|e| pg_err("key ids", e))
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn decode(&self, row: &PgRow) -> Result<StoredToken> {
        let get = |e: sqlx::Error| pg_err("read row", e);
        let sealed = sealed_row(row, "read row")?;
        let plain = PlainColumns {
            profile: row.try_get("profile").map_err(get)?,
            metadata: row.try_get("metadata").map_err(get)?,
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
        .map_err(|e| pg_err("read version", e))?;
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
    let get = |e: sqlx::Error| pg_err(context, e);
    SealedRow::read(
        |c| row.try_get(c).map_err(get),
        |c| row.try_get(c).map_err(get),
        |c| row.try_get(c).map_err(get),
    )
}

async fn reencrypt_all(conn: &mut PgConnection, ring: &KeyRing) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT user_id, platform, account_id, version, key_id, nonce, ciphertext \
         FROM creatorsync_tokens ORDER BY user_id, platform, account_id FOR UPDATE",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| pg_err("rotate: read", e))?;
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
        .map_err(|e| pg_err("rotate: write", e))?;
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
        .map_err(|e| pg_err("get", e))?;
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
        .map_err(|e| pg_err("list", e))?;
        let mut tokens = rows
            .iter()
            .map(|r| self.decode(r))
            .collect::<Result<Vec<_>>>()?;
        sort_by_key(&mut tokens);
        Ok(tokens)
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let key = &token.key;
        let new_version = next_version(expected_version)?;
        let row = encode_token(&self.key_ring(), token, new_version)?;
        let now = now_micros();
        let affected = match expected_version {
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
                .map_err(|e| pg_err("insert", e))?;
                done.rows_affected()
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
                .map_err(|e| pg_err("update", e))?;
                done.rows_affected()
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
        .map_err(|e| pg_err("delete", e))?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait::async_trait]
impl crate::store::KeyRotation for PostgresTokenStore {
    async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        PostgresTokenStore::rotate_key(self, new_id, new_key).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

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
