//! Persisted upload sessions, so a restarted process resumes an upload
//! instead of starting again at byte 0.
//!
//! A session is whatever a platform needs to resume (X media id and next
//! segment, the Facebook upload session and offset, LinkedIn part URLs and
//! ETags, the YouTube session URI, the TikTok upload URL and chunk index),
//! stored as JSON under a key the publisher derives from the idempotency key,
//! target and media index. Session values hold upload URLs that may carry
//! upload tokens: store them like credentials.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::Result;

/// Passes `result` through, first dropping the persisted session `key` when
/// the platform rejected the media (processing failed): a later attempt
/// uploads anew instead of resuming an upload the platform refused.
pub(crate) async fn forget_rejected<T>(
    sessions: &dyn UploadSessions,
    key: &str,
    result: Result<T>,
) -> Result<T> {
    if matches!(result, Err(crate::Error::MediaRejected { .. })) {
        sessions.remove(key).await?;
    }
    result
}

/// Where upload sessions are kept between attempts and processes.
#[async_trait]
pub trait UploadSessions: Send + Sync + Debug {
    /// The saved session under `key`, if any.
    async fn load(&self, key: &str) -> Result<Option<Value>>;
    /// Saves (replaces) the session under `key`.
    async fn save(&self, key: &str, session: &Value) -> Result<()>;
    /// Forgets the session (after success, or when the platform says it expired).
    async fn remove(&self, key: &str) -> Result<()>;
}

#[async_trait]
impl<T: UploadSessions + ?Sized> UploadSessions for Arc<T> {
    async fn load(&self, key: &str) -> Result<Option<Value>> {
        (**self).load(key).await
    }
    async fn save(&self, key: &str, session: &Value) -> Result<()> {
        (**self).save(key, session).await
    }
    async fn remove(&self, key: &str) -> Result<()> {
        (**self).remove(key).await
    }
}

/// In-memory sessions: resume within one process (e.g. after a broken
/// connection), not across restarts.
#[derive(Debug, Default)]
pub struct MemoryUploadSessions {
    map: Mutex<HashMap<String, Value>>,
}

impl MemoryUploadSessions {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl UploadSessions for MemoryUploadSessions {
    async fn load(&self, key: &str) -> Result<Option<Value>> {
        Ok(self.map.lock().await.get(key).cloned())
    }
    async fn save(&self, key: &str, session: &Value) -> Result<()> {
        self.map
            .lock()
            .await
            .insert(key.to_owned(), session.clone());
        Ok(())
    }
    async fn remove(&self, key: &str) -> Result<()> {
        self.map.lock().await.remove(key);
        Ok(())
    }
}
