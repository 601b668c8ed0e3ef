//! [`PendingStore`] on the SQLite file: a connect begun by one process
//! completes in any other that opens the same file (several workers behind
//! a load balancer). Entries are encrypted like tokens, bound to their
//! state nonce, taken once (`DELETE … RETURNING`) and purged once expired.

use async_trait::async_trait;
use chrono::Utc;

use super::SqliteTokenStore;
use super::codec::{open_pending, seal_pending};
use crate::Result;
use crate::auth::{PendingConnect, PendingStore};
use crate::sql::sqlite::store_err;

#[async_trait]
impl PendingStore for SqliteTokenStore {
    async fn insert(&self, nonce: &str, pending: PendingConnect) -> Result<()> {
        let ring = self.keys.current();
        let (sealed, ciphertext) = seal_pending(&ring, nonce, &pending)?;
        sqlx::query("DELETE FROM pending_connects WHERE expires_at <= ?")
            .bind(Utc::now().timestamp())
            .execute(&self.pool)
            .await
            .map_err(|e| store_err("purge pending connects", e))?;
        sqlx::query(
            "INSERT INTO pending_connects (nonce, key_id, sealed_nonce, ciphertext, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(nonce)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(ciphertext.as_slice())
        .bind(pending.expires_at.timestamp())
        .execute(&self.pool)
        .await
        .map_err(|e| store_err("save pending connect", e))?;
        Ok(())
    }

    async fn take(&self, nonce: &str) -> Result<Option<PendingConnect>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "DELETE FROM pending_connects WHERE nonce = ? \
             RETURNING key_id, sealed_nonce, ciphertext",
        )
        .bind(nonce)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_err("take pending connect", e))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyRing, Platform, Secret};

    fn pending(user: &str) -> PendingConnect {
        PendingConnect {
            user_id: user.into(),
            platform: Platform::TikTok,
            redirect_uri: "http://127.0.0.1/cb".into(),
            pkce_verifier: Some(Secret::new("VERIFIER-s3cr3t".into())),
            request_token_secret: None,
            expires_at: Utc::now() + chrono::Duration::minutes(10),
        }
    }

    #[tokio::test]
    async fn taken_once_across_handles_and_never_stored_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cs.db");
        let keys = KeyRing::new("k1", &[7u8; 32]).unwrap();
        let a = SqliteTokenStore::open(&path, keys.clone()).await.unwrap();
        let b = SqliteTokenStore::open(&path, keys).await.unwrap();
        a.insert("n1", pending("alice")).await.unwrap();
        // Another handle (another worker) takes it, exactly once.
        let got = b
            .take("n1")
            .await
            .unwrap()
            .expect("taken by the other handle");
        assert_eq!(got.user_id, "alice");
        assert_eq!(got.pkce_verifier.unwrap().expose(), "VERIFIER-s3cr3t");
        assert!(a.take("n1").await.unwrap().is_none());
        assert!(b.take("n1").await.unwrap().is_none());
        // Expired entries are purged on the next insert.
        let mut old = pending("bob");
        old.expires_at = Utc::now() - chrono::Duration::seconds(1);
        a.insert("old", old).await.unwrap();
        a.insert("n2", pending("carol")).await.unwrap();
        assert!(b.take("old").await.unwrap().is_none());
        a.close().await;
        b.close().await;
        let bytes = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
        for file in [bytes, wal] {
            assert!(
                !file.windows(15).any(|w| w == b"VERIFIER-s3cr3t"),
                "the verifier is on disk in clear"
            );
        }
    }
}
