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
use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;
use tracing::debug;

use crate::{Error, Result};

/// One persisted upload session, typed: the single way platform code loads
/// and saves its resume state.
///
/// The error policy, the same at every site:
/// - `load`: a store failure is returned; a saved value that no longer
///   reads as `T` (written by another version) is treated as no session, so
///   the upload starts anew rather than failing forever;
/// - `save`: any failure (the value cannot be serialized, the store
///   refuses it) is returned as [`crate::Error::Store`] and ends the upload
///   attempt: continuing without the session would leave a later attempt
///   resuming from stale state (or nothing) without anyone knowing. Nothing
///   is ever saved as `null`.
pub(crate) struct Stored<'a, T> {
    store: &'a dyn UploadSessions,
    key: String,
    _value: PhantomData<fn() -> T>,
}

impl<T> Debug for Stored<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stored").field("key", &self.key).finish()
    }
}

impl<'a, T: Serialize + DeserializeOwned> Stored<'a, T> {
    /// The session under `key` in `store`.
    pub(crate) fn new(store: &'a dyn UploadSessions, key: String) -> Self {
        Self {
            store,
            key,
            _value: PhantomData,
        }
    }

    /// The saved session, if there is one that reads as `T`.
    pub(crate) async fn load(&self) -> Result<Option<T>> {
        let Some(v) = self.store.load(&self.key).await? else {
            return Ok(None);
        };
        match serde_json::from_value(v) {
            Ok(s) => Ok(Some(s)),
            Err(e) => {
                debug!(key = %self.key, error = %e, "ignoring an unreadable upload session");
                Ok(None)
            }
        }
    }

    /// Saves (replaces) the session.
    pub(crate) async fn save(&self, value: &T) -> Result<()> {
        let v = serde_json::to_value(value)
            .map_err(|e| Error::store(format!("cannot serialize the upload session: {e}")))?;
        self.store.save(&self.key, &v).await
    }

    /// Forgets the session.
    pub(crate) async fn remove(&self) -> Result<()> {
        self.store.remove(&self.key).await
    }

    /// Passes `result` through, first forgetting the session when the
    /// platform rejected the media (processing failed): a later attempt
    /// uploads anew instead of resuming an upload the platform refused.
    pub(crate) async fn forget_rejected<R>(&self, result: Result<R>) -> Result<R> {
        if matches!(result, Err(Error::MediaRejected { .. })) {
            self.remove().await?;
        }
        result
    }
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

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Resume {
        uri: String,
        total: u64,
    }

    /// A value that cannot be serialized to JSON (a map with non-string keys).
    #[derive(Serialize, Deserialize)]
    struct Unserializable(std::collections::BTreeMap<(u8, u8), u8>);

    /// A store whose saves fail.
    #[derive(Debug)]
    struct Full;

    #[async_trait]
    impl UploadSessions for Full {
        async fn load(&self, _: &str) -> Result<Option<Value>> {
            Ok(None)
        }
        async fn save(&self, _: &str, _: &Value) -> Result<()> {
            Err(Error::store("disk full"))
        }
        async fn remove(&self, _: &str) -> Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn typed_round_trip_and_unreadable_is_none() {
        let store = MemoryUploadSessions::new();
        let s = Stored::<Resume>::new(&store, "job:youtube:0".into());
        assert_eq!(s.load().await.unwrap(), None);
        let v = Resume {
            uri: "https://upload/1".into(),
            total: 10,
        };
        s.save(&v).await.unwrap();
        assert_eq!(s.load().await.unwrap(), Some(v));
        // A session written in another shape starts the upload anew.
        store
            .save("job:youtube:0", &serde_json::json!({"other": true}))
            .await
            .unwrap();
        assert_eq!(s.load().await.unwrap(), None);
        s.remove().await.unwrap();
        assert!(store.load("job:youtube:0").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_failed_save_is_an_error_and_never_saves_null() {
        let store = MemoryUploadSessions::new();
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), 3);
        let s = Stored::<Unserializable>::new(&store, "k".into());
        let err = s.save(&Unserializable(map)).await.unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err}");
        assert!(store.load("k").await.unwrap().is_none(), "no null saved");

        let s = Stored::<Resume>::new(&Full, "k".into());
        let err = s
            .save(&Resume {
                uri: String::new(),
                total: 1,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_rejected_media_forgets_the_session() {
        let store = MemoryUploadSessions::new();
        let s = Stored::<Resume>::new(&store, "k".into());
        let v = Resume {
            uri: "u".into(),
            total: 1,
        };
        s.save(&v).await.unwrap();
        s.forget_rejected(Err::<(), _>(Error::Timeout {
            platform: None,
            what: "x".into(),
        }))
        .await
        .unwrap_err();
        assert!(s.load().await.unwrap().is_some(), "kept on other errors");
        s.forget_rejected(Err::<(), _>(Error::MediaRejected {
            platform: crate::Platform::X,
            reason: "bad".into(),
            code: None,
        }))
        .await
        .unwrap_err();
        assert!(s.load().await.unwrap().is_none());
    }
}
