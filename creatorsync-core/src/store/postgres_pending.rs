//! [`PendingStore`] on PostgreSQL: a connect begun by one worker completes
//! on any other sharing the database. Entries are encrypted like tokens,
//! bound to their state nonce, taken once (`DELETE … RETURNING`) and purged
//! once expired.

use async_trait::async_trait;

use super::PostgresTokenStore;
use super::codec::{open_pending, seal_pending};
use crate::Result;
use crate::auth::{PendingConnect, PendingStore};
use crate::sql::postgres::pg_err;

#[async_trait]
impl PendingStore for PostgresTokenStore {
    async fn insert(&self, nonce: &str, pending: PendingConnect) -> Result<()> {
        let ring = self.keys.current();
        let (sealed, ciphertext) = seal_pending(&ring, nonce, &pending)?;
        sqlx::query("DELETE FROM creatorsync_pending_connects WHERE expires_at <= now()")
            .execute(&self.pool)
            .await
            .map_err(|e| pg_err("purge pending connects", e))?;
        sqlx::query(
            "INSERT INTO creatorsync_pending_connects \
             (nonce, key_id, sealed_nonce, ciphertext, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(nonce)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(ciphertext.as_slice())
        .bind(pending.expires_at)
        .execute(&self.pool)
        .await
        .map_err(|e| pg_err("save pending connect", e))?;
        Ok(())
    }

    async fn take(&self, nonce: &str) -> Result<Option<PendingConnect>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "DELETE FROM creatorsync_pending_connects WHERE nonce = $1 \
             RETURNING key_id, sealed_nonce, ciphertext",
        )
        .bind(nonce)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| pg_err("take pending connect", e))?;
        match row {
            None => Ok(None),
            Some((key_id, sealed_nonce, ciphertext)) => Ok(Some(open_pending(
                &self.keys.current(),
                nonce,
                &key_id,
                &sealed_nonce,
                &ciphertext,
            )?)),
        }
    }
}
