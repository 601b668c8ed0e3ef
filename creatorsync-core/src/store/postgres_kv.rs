//! [`KeyValueStore`] on PostgreSQL (table `creatorsync_kv`): what the SDK
//! keeps beside tokens, the publish log and pending connects (the quota
//! ledger), shared by every worker on the database.

use async_trait::async_trait;

use super::PostgresTokenStore;
use super::codec::{next_version, u64_to_sql};
use super::sql_common::{kv_put_outcome, kv_row};
use crate::sql::postgres::pg_err;
use crate::{KeyValueStore, Result, Versioned};

#[async_trait]
impl KeyValueStore for PostgresTokenStore {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT value, version FROM creatorsync_kv WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| pg_err("kv get", e))?;
        row.map(|(value, v)| kv_row(value, v)).transpose()
    }

    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        let version = next_version(expected_version)?;
        let written = match expected_version {
            None => sqlx::query(
                "INSERT INTO creatorsync_kv (key, value, version) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await,
            Some(expected) => sqlx::query(
                "UPDATE creatorsync_kv SET value = $1, version = $2 WHERE key = $3 AND version = $4",
            )
            .bind(value)
            .bind(u64_to_sql(version)?)
            .bind(key)
            .bind(u64_to_sql(expected)?)
            .execute(&self.pool)
            .await,
        }
        .map_err(|e| pg_err("kv put", e))?;
        kv_put_outcome(self, key, written.rows_affected() == 1, version).await
    }

    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        let done = match expected_version {
            None => {
                sqlx::query("DELETE FROM creatorsync_kv WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await
            }
            Some(v) => {
                sqlx::query("DELETE FROM creatorsync_kv WHERE key = $1 AND version = $2")
                    .bind(key)
                    .bind(u64_to_sql(v)?)
                    .execute(&self.pool)
                    .await
            }
        }
        .map_err(|e| pg_err("kv delete", e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        // `starts_with`, not LIKE: a prefix may hold `%` or `_`. COLLATE "C"
        // orders keys by bytes, as every store does.
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT key, value, version FROM creatorsync_kv WHERE starts_with(key, $1) \
             ORDER BY key COLLATE \"C\"",
        )
        .bind(prefix)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| pg_err("kv list", e))?;
        rows.into_iter()
            .map(|(k, value, v)| Ok((k, kv_row(value, v)?)))
            .collect()
    }
}
