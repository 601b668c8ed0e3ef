//! [`KeyValueStore`] on the SQLite file (table `kv`): what the SDK keeps
//! beside tokens, the publish log and pending connects (the quota ledger),
//! shared by every process that opens the file.

use async_trait::async_trait;

use super::SqliteTokenStore;
use super::codec::{next_version, u64_to_sql};
use super::sql_common::{kv_put_outcome, kv_row};
use crate::sql::sqlite::store_err;
use crate::{KeyValueStore, Result, Versioned};

#[async_trait]
impl KeyValueStore for SqliteTokenStore {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT value, version FROM kv WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| store_err("kv get", e))?;
        row.map(|(value, v)| kv_row(value, v)).transpose()
    }

    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        let version = next_version(expected_version)?;
        let written = match expected_version {
            None => sqlx::query(
                "INSERT INTO kv (key, value, version) VALUES (?, ?, 1) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await,
            Some(expected) => {
                sqlx::query("UPDATE kv SET value = ?, version = ? WHERE key = ? AND version = ?")
                    .bind(value)
                    .bind(u64_to_sql(version)?)
                    .bind(key)
                    .bind(u64_to_sql(expected)?)
                    .execute(&self.pool)
                    .await
            }
        }
        .map_err(|e| store_err("kv put", e))?;
        kv_put_outcome(self, key, written.rows_affected() == 1, version).await
    }

    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        let done = match expected_version {
            None => {
                sqlx::query("DELETE FROM kv WHERE key = ?")
                    .bind(key)
                    .execute(&self.pool)
                    .await
            }
            Some(v) => {
                sqlx::query("DELETE FROM kv WHERE key = ? AND version = ?")
                    .bind(key)
                    .bind(u64_to_sql(v)?)
                    .execute(&self.pool)
                    .await
            }
        }
        .map_err(|e| store_err("kv delete", e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        // A range on the primary key, not LIKE: a prefix may hold `%` or `_`.
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT key, value, version FROM kv WHERE key >= ? AND substr(key, 1, length(?)) = ? ORDER BY key",
        )
        .bind(prefix)
        .bind(prefix)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_err("kv list", e))?;
        rows.into_iter()
            .map(|(k, value, v)| Ok((k, kv_row(value, v)?)))
            .collect()
    }
}
