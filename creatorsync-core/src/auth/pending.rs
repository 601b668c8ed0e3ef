//! Pending connects, kept server-side between `begin` and `complete`.
//!
//! The PKCE verifier (and X's OAuth 1.0a request-token secret) never
//! travel in a URL: they wait here, keyed by the state's nonce, and are
//! taken out atomically exactly once.

use std::collections::HashMap;
use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{Platform, Result, Secret};

/// A connect started by `begin` and not yet completed.
#[derive(Clone, Debug)]
pub struct PendingConnect {
    /// Your user id.
    pub user_id: String,
    /// The platform.
    pub platform: Platform,
    /// The redirect URI given to `begin` (must be repeated at exchange).
    pub redirect_uri: String,
    /// The PKCE verifier, when the flow uses PKCE.
    pub pkce_verifier: Option<Secret<String>>,
    /// X OAuth 1.0a: the request token secret.
    pub request_token_secret: Option<Secret<String>>,
    /// When the pending entry (and its state) expires.
    pub expires_at: DateTime<Utc>,
}

/// Where pending connects wait. Implement it over a shared cache (Redis,
/// your database) when callbacks may reach another process than `begin`.
#[async_trait]
pub trait PendingStore: Send + Sync + Debug {
    /// Saves `pending` under `nonce`.
    async fn insert(&self, nonce: &str, pending: PendingConnect) -> Result<()>;
    /// Removes and returns the entry under `nonce`, atomically: of two
    /// concurrent calls at most one gets it.
    async fn take(&self, nonce: &str) -> Result<Option<PendingConnect>>;
}

/// An in-process [`PendingStore`]. Expired entries are purged on insert.
#[derive(Debug, Default)]
pub struct MemoryPendingStore {
    entries: Mutex<HashMap<String, PendingConnect>>,
}

impl MemoryPendingStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl PendingStore for MemoryPendingStore {
    async fn insert(&self, nonce: &str, pending: PendingConnect) -> Result<()> {
        let mut map = self.entries.lock().await;
        let now = Utc::now();
        map.retain(|_, p| p.expires_at > now);
        map.insert(nonce.to_owned(), pending);
        Ok(())
    }

    async fn take(&self, nonce: &str) -> Result<Option<PendingConnect>> {
        Ok(self.entries.lock().await.remove(nonce))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn taken_once() {
        let s = MemoryPendingStore::new();
        let p = PendingConnect {
            user_id: "u".into(),
            platform: Platform::X,
            redirect_uri: "http://127.0.0.1/cb".into(),
            pkce_verifier: Some(Secret::from("v")),
            request_token_secret: None,
            expires_at: Utc::now() + chrono::Duration::minutes(1),
        };
        s.insert("n", p).await.unwrap();
        assert!(s.take("n").await.unwrap().is_some());
        assert!(s.take("n").await.unwrap().is_none());
    }
}
