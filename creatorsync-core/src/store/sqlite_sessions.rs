//! [`UploadSessions`] on the SQLite file: a process restarted mid-upload
//! (or another worker sharing the file) resumes from the platform's
//! offset. Sessions are sealed like tokens (their upload URLs may carry
//! upload tokens), bound to their session key.

use async_trait::async_trait;
use chrono::Utc;
use serde_json::Value;

use super::SqliteTokenStore;
use super::codec::{open_session, seal_session};
use crate::Result;
use crate::sql::sqlite::store_err;
use crate::upload::UploadSessions;

#[async_trait]
impl UploadSessions for SqliteTokenStore {
    async fn load(&self, key: &str) -> Result<Option<Value>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT key_id, sealed_nonce, ciphertext FROM upload_sessions WHERE session_key = ?",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("load upload session", e))?;
        row.map(|(key_id, nonce, ciphertext)| {
            open_session(&self.keys.current(), key, &key_id, &nonce, &ciphertext)
        })
        .transpose()
    }

    async fn save(&self, key: &str, session: &Value) -> Result<()> {
        let (sealed, ciphertext) = seal_session(&self.keys.current(), key, session)?;
        sqlx::query(
            "INSERT INTO upload_sessions (session_key, key_id, sealed_nonce, ciphertext, updated_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_key) DO UPDATE SET \
             key_id = excluded.key_id, sealed_nonce = excluded.sealed_nonce, \
             ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(ciphertext.as_slice())
        .bind(Utc::now().timestamp())
        .execute(&self.pool)
        .await
        .map_err(|e| store_err("save upload session", e))?;
        Ok(())
    }

    async fn remove(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM upload_sessions WHERE session_key = ?")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(|e| store_err("remove upload session", e))?;
        Ok(())
    }
}
