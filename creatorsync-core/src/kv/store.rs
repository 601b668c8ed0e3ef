//! [`KvStore`]: everything the SDK keeps, over one [`KeyValueStore`].

use std::fmt;
use std::sync::Arc;

use super::KeyValueStore;
use super::publish_log::KvPublishLog;
use crate::Result;
use crate::store::KeyRing;
use crate::store::sql_common::KeyHolder;

/// Tokens ([`crate::TokenStore`]), pending connects
/// ([`crate::auth::PendingStore`]), upload sessions
/// ([`crate::upload::UploadSessions`]) and, through
/// [`KvStore::publish_log`], the publish log, all kept in one
/// [`KeyValueStore`] (a host's MongoDB collection, Redis, DynamoDB…).
///
/// Credentials, pending connects and upload sessions are sealed with the
/// [`KeyRing`] exactly as the SQL stores seal them; publish records hold no
/// secrets and are plain JSON. The key layout and the trade-offs against
/// the SQL stores are in `docs/storage.md`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// use creatorsync_core::kv::KvStore;
/// use creatorsync_core::{KeyRing, MemoryKeyValueStore, TokenStore};
///
/// let store = KvStore::new(Arc::new(MemoryKeyValueStore::new()), KeyRing::new("k1", &[7; 32])?);
/// assert!(store.list("user-1").await?.is_empty());
/// let log = store.publish_log(); // the publish log in the same store
/// # let _ = log;
/// # Ok::<(), creatorsync_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct KvStore {
    pub(super) kv: Arc<dyn KeyValueStore>,
    pub(super) keys: KeyHolder,
}

impl fmt::Debug for KvStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvStore")
            .field("kv", &self.kv)
            .field("keys", &self.keys.current())
            .finish()
    }
}

impl KvStore {
    /// The stores over `kv`, sealing with `keys`.
    pub fn new(kv: Arc<dyn KeyValueStore>, keys: KeyRing) -> Self {
        Self {
            kv,
            keys: KeyHolder::new(keys),
        }
    }

    /// A publish log in the same key-value store.
    pub fn publish_log(&self) -> KvPublishLog {
        KvPublishLog::new(self.kv.clone())
    }

    /// The id of the key new writes are sealed with.
    pub fn active_key_id(&self) -> String {
        self.keys.current().active_key_id().to_owned()
    }

    /// Makes `(new_id, new_key)` the active key and re-seals every token
    /// under it, one compare-and-swap per token (a token written meanwhile
    /// by another worker is read again and re-sealed). Returns how many
    /// tokens were re-sealed. Unlike the SQL stores this is not one
    /// transaction: a rotation that fails half-way leaves some tokens
    /// under the old key, still readable (the old key stays in the ring),
    /// and running it again finishes it. Pending connects and upload
    /// sessions are short-lived and are not re-sealed: they stay readable
    /// while the old key is in the ring.
    pub async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        let new = Arc::new(self.keys.current().rotated(new_id, new_key)?);
        // New writes use the new key from now on; the walk moves the rest.
        self.keys.replace(new.clone());
        let count = self.reseal_tokens(&new).await?;
        tracing::info!(key_id = new_id, rows = count, "key-value store key rotated");
        Ok(count)
    }
}

#[async_trait::async_trait]
impl crate::store::KeyRotation for KvStore {
    async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        KvStore::rotate_key(self, new_id, new_key).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use std::time::Duration;

    use async_trait::async_trait;
    use serde_json::json;

    use super::*;
    use crate::auth::{PendingConnect, PendingStore};
    use crate::publish_log::{Lease, PublishLog};
    use crate::testing::{key, sample_oauth2};
    use crate::upload::UploadSessions;
    use crate::{
        Error, MemoryKeyValueStore, Platform, Secret, TimeoutStore, TokenStore, Versioned,
    };

    /// A key-value store whose every call fails, or never answers.
    #[derive(Debug)]
    struct Broken {
        hang: bool,
    }

    impl Broken {
        async fn answer<T>(&self) -> Result<T> {
            if self.hang {
                std::future::pending().await
            } else {
                Err(Error::store("host store down"))
            }
        }
    }

    #[async_trait]
    impl KeyValueStore for Broken {
        async fn get(&self, _: &str) -> Result<Option<Versioned>> {
            self.answer().await
        }
        async fn put(&self, _: &str, _: &str, _: Option<u64>) -> Result<u64> {
            self.answer().await
        }
        async fn delete(&self, _: &str, _: Option<u64>) -> Result<bool> {
            self.answer().await
        }
        async fn list(&self, _: &str) -> Result<Vec<(String, Versioned)>> {
            self.answer().await
        }
    }

    fn ring() -> KeyRing {
        KeyRing::new("k1", &[5u8; 32]).unwrap()
    }

    fn pending() -> PendingConnect {
        PendingConnect {
            user_id: "u".into(),
            platform: Platform::X,
            redirect_uri: "http://127.0.0.1/cb".into(),
            pkce_verifier: Some(Secret::from("PKCE-VERIFIER-CLEAR")),
            request_token_secret: None,
            expires_at: chrono::Utc::now() + chrono::Duration::minutes(5),
        }
    }

    /// Every call of every adaptor over `store`, as results without values.
    async fn every_call(store: &KvStore) -> Vec<Result<()>> {
        let k = key("u", Platform::X, "1");
        let log = store.publish_log();
        let lease = Lease::new(Duration::from_secs(30));
        vec![
            TokenStore::get(store, &k).await.map(|_| ()),
            TokenStore::list(store, "u").await.map(|_| ()),
            store
                .put(&sample_oauth2(k.clone(), "a"), None)
                .await
                .map(|_| ()),
            store.delete(&k).await.map(|_| ()),
            store.insert("n", pending()).await,
            store.take("n").await.map(|_| ()),
            store.load("s").await.map(|_| ()),
            store.save("s", &json!({"a": 1})).await,
            store.remove("s").await,
            log.begin("req", &k, &lease).await.map(|_| ()),
            log.mark_published("req", &k, "p", None).await,
            log.get("req", &k).await.map(|_| ()),
            log.list("req").await.map(|_| ()),
            store.rotate_key("k2", &[6u8; 32]).await.map(|_| ()),
        ]
    }

    #[tokio::test]
    async fn a_failing_or_hanging_host_store_is_a_store_error() {
        let failing = KvStore::new(Arc::new(Broken { hang: false }), ring());
        for (i, r) in every_call(&failing).await.into_iter().enumerate() {
            assert!(matches!(r, Err(Error::Store { .. })), "call {i}: {r:?}");
        }
        let hanging = TimeoutStore::new(Broken { hang: true }, Duration::from_millis(20)).unwrap();
        let hanging = KvStore::new(Arc::new(hanging), ring());
        for (i, r) in every_call(&hanging).await.into_iter().enumerate() {
            match r {
                Err(Error::Store { message, .. }) => {
                    assert!(message.contains("did not answer"), "call {i}: {message}")
                }
                other => panic!("call {i}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn secrets_are_sealed_and_users_are_isolated_by_escaped_ids() {
        let kv = Arc::new(MemoryKeyValueStore::new());
        let store = KvStore::new(kv.clone(), ring());
        let (a, ab) = (key("a", Platform::X, "1"), key("a/b", Platform::X, "1"));
        store
            .put(&sample_oauth2(a.clone(), "ACCESS-CLEAR"), None)
            .await
            .unwrap();
        store
            .put(&sample_oauth2(ab.clone(), "OTHER-CLEAR"), None)
            .await
            .unwrap();
        store.insert("n", pending()).await.unwrap();
        let session = json!({"uri": "https://up/?upload_token=UPLOAD-TOKEN-CLEAR"});
        store.save("job:x:0", &session).await.unwrap();
        for (k, v) in kv.list("").await.unwrap() {
            for secret in [
                "ACCESS-CLEAR",
                "OTHER-CLEAR",
                "PKCE-VERIFIER-CLEAR",
                "UPLOAD-TOKEN-CLEAR",
            ] {
                assert!(!v.value.contains(secret), "{secret} in clear under {k}");
            }
        }
        let listed = TokenStore::list(&store, "a").await.unwrap();
        assert_eq!(listed.len(), 1, "user a must not see user a/b");
        assert_eq!(listed[0].key, a);
        assert_eq!(store.load("job:x:0").await.unwrap(), Some(session));
        // A ciphertext moved under another account does not open.
        let moved = kv.get(&layout_token(&a)).await.unwrap().unwrap();
        kv.delete(&layout_token(&ab), None).await.unwrap();
        kv.put(&layout_token(&ab), &moved.value, None)
            .await
            .unwrap();
        let got = TokenStore::get(&store, &ab).await;
        assert!(
            matches!(got, Err(Error::Store { .. } | Error::Key { .. })),
            "{got:?}"
        );
    }

    fn layout_token(k: &crate::AccountKey) -> String {
        super::super::layout::token(k)
    }

    #[tokio::test]
    async fn key_rotation_reseals_every_token() {
        let kv = Arc::new(MemoryKeyValueStore::new());
        let store = KvStore::new(kv.clone(), ring());
        for i in 0..3 {
            let t = sample_oauth2(key("rot", Platform::TikTok, &format!("a{i}")), "tok");
            store.put(&t, None).await.unwrap();
        }
        assert_eq!(store.rotate_key("k2", &[6u8; 32]).await.unwrap(), 3);
        assert_eq!(store.active_key_id(), "k2");
        for (_, v) in kv.list("creatorsync/token/").await.unwrap() {
            assert!(v.value.contains("\"key_id\":\"k2\""), "{}", v.value);
        }
        // Readable with only the new key.
        let fresh = KvStore::new(kv.clone(), KeyRing::new("k2", &[6u8; 32]).unwrap());
        let tokens = TokenStore::list(&fresh, "rot").await.unwrap();
        assert_eq!(tokens.len(), 3);
        assert!(tokens.iter().all(|t| t.version == 2));
    }
}
