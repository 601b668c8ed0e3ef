//! [`SqliteTokenStore`]: the embedded default store, one SQLite file with
//! every credential encrypted (AES-256-GCM, see [`KeyRing`]).
//!
//! Layout (one row per account, primary key `(user_id, platform,
//! account_id)`): `key_id`, `nonce` and `ciphertext` hold the sealed
//! credential; `profile`, `metadata`, `needs_reauth`, `version` and
//! `updated_at` are plain columns (they hold no secrets). The file runs in
//! WAL mode with a busy timeout, so several processes can share it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, SqliteConnection};

use super::codec::{next_version, u64_from_sql, u64_to_sql};
use super::crypto::KeyRing;
use super::sql_common::{
    KeyHolder, PlainColumns, SealedRow, decode_token, encode_token, sort_by_key, warn_unknown_keys,
};
use crate::sql::sqlite::{open_pool, store_err, time_from_sql, time_to_sql};
use crate::{AccountKey, Error, Result, StoredToken, TokenStore};

/// An encrypted [`TokenStore`] in one SQLite file: the embedded default.
///
/// * WAL mode and a busy timeout: several processes may share the file;
///   compare-and-swap writes stay correct across them.
/// * Credentials are sealed with AES-256-GCM under the [`KeyRing`]'s
///   active key and a random nonce per write; the row identity, key id and
///   row version are the associated data, so a ciphertext moved to another
///   row, or an older ciphertext put back into its row, does not decrypt. Rows written with a key that is not in the ring fail
///   with [`Error::Key`] naming that key id.
/// * [`SqliteTokenStore::rotate_key`] re-encrypts every row in one
///   transaction.
/// * `get` and `list` fail with [`Error::Key`] if a row they must return
///   cannot be decrypted (never a panic, never a silently skipped row).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use creatorsync_core::store::{KeyRing, SqliteTokenStore};
/// use creatorsync_core::{AccountKey, Credential, Platform, Profile, StoredToken, TokenStore};
///
/// let dir = std::env::temp_dir().join(format!("cs-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let keys = KeyRing::new("k1", &[42u8; 32])?; // in production: KeyRing::from_env()
/// let store = SqliteTokenStore::open(dir.join("tokens.db"), keys).await?;
///
/// let key = AccountKey::new("user-1", Platform::X, "12345")?;
/// let cred = Credential::OAuth1 { token: "tok".into(), secret: "sec".into() };
/// let token = StoredToken::new(key.clone(), cred, Profile::default());
/// let v1 = store.put(&token, None).await?;          // insert
/// let v2 = store.put(&token, Some(v1)).await?;      // compare-and-swap
/// assert_eq!(store.get(&key).await?.unwrap().version, v2);
/// # store.close().await;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct SqliteTokenStore {
    pub(super) pool: SqlitePool,
    pub(super) keys: KeyHolder,
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteTokenStore")
            .field("path", &self.path)
            .field("keys", &self.key_ring())
            .finish_non_exhaustive()
    }
}

impl SqliteTokenStore {
    /// Opens or creates the database file at `path`.
    pub async fn open(path: impl AsRef<Path>, keys: KeyRing) -> Result<Self> {
        let path = path.as_ref();
        let pool = open_pool(Some(path)).await?;
        tracing::debug!(path = %path.display(), key_id = keys.active_key_id(), "opened sqlite token store");
        let store = Self::from_parts(pool, keys, Some(path.to_owned()));
        // Once, at open: rows sealed with a key the ring lacks.
        warn_unknown_keys(&store.key_ring(), &store.key_ids_in_use().await?);
        Ok(store)
    }

    /// A private in-memory database (for tests; nothing is persisted).
    pub async fn open_in_memory(keys: KeyRing) -> Result<Self> {
        let pool = open_pool(None).await?;
        Ok(Self::from_parts(pool, keys, None))
    }

    fn from_parts(pool: SqlitePool, keys: KeyRing, path: Option<PathBuf>) -> Self {
        Self {
            pool,
            keys: KeyHolder::new(keys),
            path,
        }
    }

    /// A publish log in the same database (table `publish_log`).
    pub fn publish_log(&self) -> crate::publish_log::SqlitePublishLog {
        crate::publish_log::SqlitePublishLog::from_pool(self.pool.clone())
    }

    /// The database file, `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The id of the key new writes are encrypted with.
    pub fn active_key_id(&self) -> String {
        self.key_ring().active_key_id().to_owned()
    }

    fn key_ring(&self) -> Arc<KeyRing> {
        self.keys.current()
    }

    /// Makes `(new_id, new_key)` the active key and re-encrypts every row
    /// under it in one transaction: either all rows move or none do.
    /// Returns how many rows were re-encrypted. A row whose key is not in
    /// the ring aborts the rotation with [`Error::Key`] naming that key.
    ///
    /// The previous keys stay in this handle's ring, for rows sealed by
    /// writers that still use them. Other processes sharing the file keep
    /// writing with *their* active key until restarted, so the safe order
    /// is: deploy the new key as active with the old one as an old key
    /// ([`KeyRing::with_old_key`]) everywhere, call `rotate_key` (or run
    /// it again), check [`SqliteTokenStore::key_ids_in_use`], and only then
    /// remove the old key.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use creatorsync_core::store::{KeyRing, SqliteTokenStore};
    /// let store = SqliteTokenStore::open_in_memory(KeyRing::new("k1", &[1; 32])?).await?;
    /// assert_eq!(store.rotate_key("k2", &[2; 32]).await?, 0);
    /// assert_eq!(store.active_key_id(), "k2");
    /// # Ok::<(), creatorsync_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        let old = self.key_ring();
        let new = Arc::new(old.rotated(new_id, new_key)?);
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| store_err("rotate: begin", e))?;
        let count = reencrypt_all(&mut tx, &new).await?;
        tx.commit()
            .await
            .map_err(|e| store_err("rotate: commit", e))?;
        self.keys.replace(new);
        tracing::info!(key_id = new_id, rows = count, "token store key rotated");
        Ok(count)
    }

    /// The distinct key ids the stored rows are encrypted with (a full
    /// scan). After a rotation this shows when an old key may be retired.
    pub async fn key_ids_in_use(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT DISTINCT key_id FROM tokens ORDER BY key_id")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_err("key ids", e))
    }

    /// Closes the pool, waiting for connections to finish (checkpoints WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn decode(&self, row: &SqliteRow) -> Result<StoredToken> {
        let get = |e: sqlx::Error| store_err("read row", e);
        let sealed = sealed_row(row, "read row")?;
        let updated_at: String = row.try_get("updated_at").map_err(get)?;
        let plain = PlainColumns {
            profile: row.try_get("profile").map_err(get)?,
            metadata: row.try_get("metadata").map_err(get)?,
            updated_at: time_from_sql("updated_at", &updated_at)?,
            needs_reauth: row.try_get("needs_reauth").map_err(get)?,
        };
        decode_token("sqlite", &self.key_ring(), sealed, plain)
    }

    async fn current_version(&self, key: &AccountKey) -> Result<Option<u64>> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM tokens WHERE user_id = ? AND platform = ? AND account_id = ?",
        )
        .bind(&key.user_id)
        .bind(key.platform.as_str())
        .bind(&key.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("read version", e))?;
        v.map(u64_from_sql).transpose()
    }
}

/// The identity and sealed credential columns of a `tokens` row.
fn sealed_row(row: &SqliteRow, context: &str) -> Result<SealedRow> {
    let get = |e: sqlx::Error| store_err(context, e);
    SealedRow::read(
        |c| row.try_get(c).map_err(get),
        |c| row.try_get(c).map_err(get),
        |c| row.try_get(c).map_err(get),
    )
}

async fn reencrypt_all(conn: &mut SqliteConnection, ring: &KeyRing) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT user_id, platform, account_id, version, key_id, nonce, ciphertext FROM tokens",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| store_err("rotate: read", e))?;
    let mut count = 0;
    for row in rows {
        let row = sealed_row(&row, "rotate: read row")?;
        let (sealed, buffer) = row.reseal(ring)?;
        sqlx::query(
            "UPDATE tokens SET key_id = ?, nonce = ?, ciphertext = ? \
             WHERE user_id = ? AND platform = ? AND account_id = ?",
        )
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&buffer[..])
        .bind(&row.user_id)
        .bind(&row.platform)
        .bind(&row.account_id)
        .execute(&mut *conn)
        .await
        .map_err(|e| store_err("rotate: write", e))?;
        count += 1;
    }
    Ok(count)
}

#[async_trait]
impl TokenStore for SqliteTokenStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        let row = sqlx::query(
            "SELECT * FROM tokens WHERE user_id = ? AND platform = ? AND account_id = ?",
        )
        .bind(&key.user_id)
        .bind(key.platform.as_str())
        .bind(&key.account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("get", e))?;
        row.map(|r| self.decode(&r)).transpose()
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        let rows = sqlx::query("SELECT * FROM tokens WHERE user_id = ?")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_err("list", e))?;
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
        let now = time_to_sql(Utc::now());
        let affected = match expected_version {
            None => {
                let done = sqlx::query(
                    "INSERT INTO tokens (user_id, platform, account_id, version, key_id, nonce, \
                     ciphertext, profile, metadata, needs_reauth, updated_at) \
                     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) \
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
                .bind(&now)
                .execute(&self.pool)
                .await
                .map_err(|e| store_err("insert", e))?;
                done.rows_affected()
            }
            Some(v) => {
                let done = sqlx::query(
                    "UPDATE tokens SET version = version + 1, key_id = ?, nonce = ?, \
                     ciphertext = ?, profile = ?, metadata = ?, needs_reauth = ?, updated_at = ? \
                     WHERE user_id = ? AND platform = ? AND account_id = ? AND version = ?",
                )
                .bind(&row.sealed.key_id)
                .bind(&row.sealed.nonce)
                .bind(&row.ciphertext[..])
                .bind(&row.profile)
                .bind(&row.metadata)
                .bind(token.needs_reauth)
                .bind(&now)
                .bind(&key.user_id)
                .bind(key.platform.as_str())
                .bind(&key.account_id)
                .bind(u64_to_sql(v)?)
                .execute(&self.pool)
                .await
                .map_err(|e| store_err("update", e))?;
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
        let done =
            sqlx::query("DELETE FROM tokens WHERE user_id = ? AND platform = ? AND account_id = ?")
                .bind(&key.user_id)
                .bind(key.platform.as_str())
                .bind(&key.account_id)
                .execute(&self.pool)
                .await
                .map_err(|e| store_err("delete", e))?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait::async_trait]
impl crate::store::KeyRotation for SqliteTokenStore {
    async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        SqliteTokenStore::rotate_key(self, new_id, new_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credential, Platform, Profile, Secret};

    const ACCESS: &str = "PLAINTEXT-ACCESS-7f3a9c";
    const REFRESH: &str = "PLAINTEXT-REFRESH-51be02";
    const OAUTH1_TOKEN: &str = "PLAINTEXT-OAUTH1-TOKEN-c0ffee";
    const OAUTH1_SECRET: &str = "PLAINTEXT-OAUTH1-SECRET-d00d";

    fn ring(id: &str, byte: u8) -> KeyRing {
        KeyRing::new(id, &[byte; 32]).unwrap()
    }

    fn key(account: &str) -> AccountKey {
        AccountKey::new("user-1", Platform::TikTok, account).unwrap()
    }

    fn token(account: &str, access: &str) -> StoredToken {
        let credential = Credential::OAuth2 {
            access: Secret::from(access),
            refresh: Some(Secret::from(REFRESH)),
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec!["video.publish".into()],
            user_token: None,
        };
        let profile = Profile {
            platform_user_id: account.into(),
            handle: Some("VISIBLE-HANDLE-123".into()),
            ..Profile::default()
        };
        StoredToken::new(key(account), credential, profile)
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    fn db_bytes(path: &Path) -> Vec<u8> {
        let mut all = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            if let Ok(bytes) = std::fs::read(&p) {
                all.extend_from_slice(&bytes);
            }
        }
        all
    }

    #[tokio::test]
    async fn plaintext_secrets_never_reach_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let store = SqliteTokenStore::open(&path, ring("k1", 1)).await.unwrap();
        let v = store.put(&token("a", ACCESS), None).await.unwrap();
        store.put(&token("a", ACCESS), Some(v)).await.unwrap();
        let mut t1 = token("b", "unused");
        t1.credential = Credential::OAuth1 {
            token: Secret::from(OAUTH1_TOKEN),
            secret: Secret::from(OAUTH1_SECRET),
        };
        store.put(&t1, None).await.unwrap();
        assert_eq!(
            access(&store.get(&key("a")).await.unwrap().unwrap()),
            ACCESS
        );

        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 0,
            "writes are in the WAL"
        );

        // While open (data in the WAL) and after close (checkpointed).
        for stage in ["open", "closed"] {
            let bytes = db_bytes(&path);
            assert!(
                contains(&bytes, "VISIBLE-HANDLE-123"),
                "{stage}: the scan must see plain columns"
            );
            for secret in [ACCESS, REFRESH, OAUTH1_TOKEN, OAUTH1_SECRET] {
                assert!(
                    !contains(&bytes, secret),
                    "{stage}: {secret} found in the database files"
                );
            }
            store.close().await;
        }
    }

    fn access(t: &StoredToken) -> &str {
        match &t.credential {
            Credential::OAuth2 { access, .. } => access.expose(),
            Credential::OAuth1 { token, .. } => token.expose(),
        }
    }

    #[tokio::test]
    async fn missing_or_wrong_key_is_a_key_error_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let store = SqliteTokenStore::open(&path, ring("k1", 1)).await.unwrap();
        store.put(&token("a", ACCESS), None).await.unwrap();
        store.close().await;

        let other_id = SqliteTokenStore::open(&path, ring("k2", 1)).await.unwrap();
        let err = other_id.get(&key("a")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Key { key_id, .. } if key_id == "k1"),
            "{err:?}"
        );
        assert!(matches!(
            other_id.list("user-1").await,
            Err(Error::Key { .. })
        ));
        other_id.close().await;

        let wrong_bytes = SqliteTokenStore::open(&path, ring("k1", 2)).await.unwrap();
        let err = wrong_bytes.get(&key("a")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Key { key_id, .. } if key_id == "k1"),
            "{err:?}"
        );
        assert!(!err.to_string().contains(ACCESS));
        // Debug of the store shows key ids, never key bytes.
        let shown = format!("{wrong_bytes:?}");
        assert!(
            shown.contains("k1") && !shown.contains("2, 2, 2"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn ciphertext_is_bound_to_its_row_and_key_id() {
        let store =
            SqliteTokenStore::open_in_memory(ring("k1", 1).with_old_key("k2", &[1; 32]).unwrap())
                .await
                .unwrap();
        store.put(&token("a", "access-a"), None).await.unwrap();
        store.put(&token("b", "access-b"), None).await.unwrap();

        // Copy a's sealed credential into b's row.
        sqlx::query(
            "UPDATE tokens SET (key_id, nonce, ciphertext) = \
             (SELECT key_id, nonce, ciphertext FROM tokens WHERE account_id = 'a') \
             WHERE account_id = 'b'",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        assert!(matches!(store.get(&key("b")).await, Err(Error::Key { .. })));
        assert_eq!(
            access(&store.get(&key("a")).await.unwrap().unwrap()),
            "access-a"
        );

        // Relabel a's row with another key id holding the same bytes.
        sqlx::query("UPDATE tokens SET key_id = 'k2' WHERE account_id = 'a'")
            .execute(&store.pool)
            .await
            .unwrap();
        let err = store.get(&key("a")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Key { key_id, .. } if key_id == "k2"),
            "{err:?}"
        );
    }

    async fn sealed_columns(store: &SqliteTokenStore, account: &str) -> (Vec<u8>, Vec<u8>) {
        sqlx::query_as("SELECT nonce, ciphertext FROM tokens WHERE account_id = ?")
            .bind(account)
            .fetch_one(&store.pool)
            .await
            .unwrap()
    }

    async fn put_back(store: &SqliteTokenStore, account: &str, (nonce, ct): (Vec<u8>, Vec<u8>)) {
        sqlx::query("UPDATE tokens SET nonce = ?, ciphertext = ? WHERE account_id = ?")
            .bind(nonce)
            .bind(ct)
            .bind(account)
            .execute(&store.pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_older_ciphertext_put_back_into_its_row_does_not_decrypt() {
        let store = SqliteTokenStore::open_in_memory(ring("k1", 1))
            .await
            .unwrap();
        let v1 = store.put(&token("a", "access-v1"), None).await.unwrap();
        let old = sealed_columns(&store, "a").await;
        let v2 = store.put(&token("a", "access-v2"), Some(v1)).await.unwrap();
        assert_eq!(v2, 2);

        // v1's ciphertext with v2's version number: a rollback to the old
        // (possibly revoked) token. Refused, never the old token.
        put_back(&store, "a", old).await;
        let err = store.get(&key("a")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Key { key_id, message } if key_id == "k1" && message.contains("rolled back")),
            "{err:?}"
        );
        assert!(matches!(store.list("user-1").await, Err(Error::Key { .. })));
    }

    #[tokio::test]
    async fn rows_sealed_before_the_version_was_bound_stay_readable_and_are_resealed() {
        let keys = ring("k1", 1);
        let store = SqliteTokenStore::open_in_memory(keys.clone())
            .await
            .unwrap();
        for account in ["a", "b"] {
            store
                .put(&token(account, "placeholder"), None)
                .await
                .unwrap();
            // Rewrite the row as a store of the previous format wrote it.
            let t = token(account, &format!("legacy-{account}"));
            let mut buffer = super::super::codec::credential_plaintext(&t.credential).unwrap();
            let sealed = super::super::crypto::seal_v1(
                &keys,
                &super::super::codec::row_id(&t.key),
                &mut buffer,
            );
            put_back(&store, account, (sealed.nonce, buffer.to_vec())).await;
            assert_eq!(sealed_columns(&store, account).await.0.len(), 12);
            assert_eq!(
                access(&store.get(&key(account)).await.unwrap().unwrap()),
                format!("legacy-{account}")
            );
        }
        // The next write re-seals in the current format.
        let v = store.put(&token("a", "new-a"), Some(1)).await.unwrap();
        assert_eq!(sealed_columns(&store, "a").await.0.len(), 13);
        assert_eq!(store.get(&key("a")).await.unwrap().unwrap().version, v);
        // So does a key rotation, keeping the version.
        store.rotate_key("k2", &[2; 32]).await.unwrap();
        assert_eq!(sealed_columns(&store, "b").await.0.len(), 13);
        let b = store.get(&key("b")).await.unwrap().unwrap();
        assert_eq!((access(&b), b.version), ("legacy-b", 1));
    }

    #[tokio::test]
    async fn every_write_uses_a_fresh_nonce() {
        let store = SqliteTokenStore::open_in_memory(ring("k1", 1))
            .await
            .unwrap();
        let mut nonces = std::collections::HashSet::new();
        let mut version = None;
        for _ in 0..20 {
            version = Some(store.put(&token("a", ACCESS), version).await.unwrap());
            let nonce: Vec<u8> = sqlx::query_scalar("SELECT nonce FROM tokens")
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(nonce.len(), 13, "format byte + 12-byte nonce");
            assert!(nonces.insert(nonce), "nonce reused");
        }
    }

    async fn key_ids(store: &SqliteTokenStore) -> Vec<String> {
        sqlx::query_scalar("SELECT key_id FROM tokens ORDER BY account_id")
            .fetch_all(&store.pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn rotation_reencrypts_every_row_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let store = SqliteTokenStore::open(&path, ring("k1", 1)).await.unwrap();
        for account in ["a", "b", "c"] {
            store
                .put(&token(account, &format!("access-{account}")), None)
                .await
                .unwrap();
        }
        assert_eq!(store.rotate_key("k2", &[2; 32]).await.unwrap(), 3);
        assert_eq!(store.active_key_id(), "k2");
        assert_eq!(key_ids(&store).await, ["k2", "k2", "k2"]);
        assert_eq!(store.key_ids_in_use().await.unwrap(), ["k2"]);
        // Versions are untouched: rotation is not a logical change.
        assert_eq!(store.get(&key("b")).await.unwrap().unwrap().version, 1);
        store.close().await;

        // Only the new key is needed now.
        let reopened = SqliteTokenStore::open(&path, ring("k2", 2)).await.unwrap();
        for account in ["a", "b", "c"] {
            let t = reopened.get(&key(account)).await.unwrap().unwrap();
            assert_eq!(access(&t), format!("access-{account}"));
        }
        // The old key alone no longer reads anything.
        let old_only = SqliteTokenStore::open(&path, ring("k1", 1)).await.unwrap();
        assert!(
            matches!(old_only.get(&key("a")).await, Err(Error::Key { key_id, .. }) if key_id == "k2")
        );

        // A row the ring cannot read aborts the rotation; nothing changes.
        let foreign = SqliteTokenStore::open(&path, ring("k0", 7)).await.unwrap();
        foreign.put(&token("z", "access-z"), None).await.unwrap();
        let err = reopened.rotate_key("k3", &[3; 32]).await.unwrap_err();
        assert!(
            matches!(&err, Error::Key { key_id, .. } if key_id == "k0"),
            "{err:?}"
        );
        assert_eq!(reopened.active_key_id(), "k2");
        assert_eq!(key_ids(&reopened).await, ["k2", "k2", "k2", "k0"]);
        assert!(reopened.get(&key("a")).await.is_ok());
    }

    #[tokio::test]
    async fn rejects_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let store = SqliteTokenStore::open(&path, ring("k1", 1)).await.unwrap();
        sqlx::query("PRAGMA user_version = 99")
            .execute(&store.pool)
            .await
            .unwrap();
        store.close().await;
        let err = SqliteTokenStore::open(&path, ring("k1", 1))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err:?}");
    }
}
