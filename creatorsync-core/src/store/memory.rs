//! In-memory [`TokenStore`], for tests and single-process tools.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::RwLock;

use crate::{AccountKey, Error, Result, StoredToken, TokenStore};

/// A [`TokenStore`] in a map behind a lock. Nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    rows: RwLock<BTreeMap<AccountKey, StoredToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        Ok(self.rows.read().await.get(key).cloned())
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        Ok(self
            .rows
            .read()
            .await
            .values()
            .filter(|t| t.key.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let mut rows = self.rows.write().await;
        let current = rows.get(&token.key).map(|t| t.version);
        if current != expected_version {
            return Err(Error::Conflict {
                current_version: current,
            });
        }
        let version = current.map_or(1, |v| v + 1);
        let mut row = token.clone();
        row.version = version;
        row.updated_at = Utc::now();
        rows.insert(row.key.clone(), row);
        Ok(version)
    }

    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        Ok(self.rows.write().await.remove(key).is_some())
    }
}
