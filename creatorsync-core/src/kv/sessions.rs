//! [`UploadSessions`] over a [`super::KeyValueStore`]: one key per session
//! (`creatorsync/upload/{session key}`), the session's JSON sealed by the
//! key ring (its upload URLs may carry upload tokens), bound to its key.

use async_trait::async_trait;
use serde_json::Value;

use super::layout::{self, SealedJson, decode, encode};
use super::store::KvStore;
use crate::store::codec::{open_session, seal_session};
use crate::upload::UploadSessions;
use crate::{Error, Result};

/// How often a save re-reads a session another writer keeps replacing.
const SAVE_ATTEMPTS: usize = 16;

#[async_trait]
impl UploadSessions for KvStore {
    async fn load(&self, key: &str) -> Result<Option<Value>> {
        let Some(v) = self.kv.get(&layout::upload(key)).await? else {
            return Ok(None);
        };
        let sealed: SealedJson = decode("upload session", &v.value)?;
        let (nonce, ciphertext) = sealed.bytes()?;
        open_session(
            &self.keys.current(),
            key,
            &sealed.key_id,
            &nonce,
            &ciphertext,
        )
        .map(Some)
    }

    async fn save(&self, key: &str, session: &Value) -> Result<()> {
        let (sealed, ciphertext) = seal_session(&self.keys.current(), key, session)?;
        let value = encode("upload session", &SealedJson::new(sealed, &ciphertext))?;
        let kv_key = layout::upload(key);
        let mut expected = self.kv.get(&kv_key).await?.map(|v| v.version);
        for _ in 0..SAVE_ATTEMPTS {
            match self.kv.put(&kv_key, &value, expected).await {
                Ok(_) => return Ok(()),
                Err(Error::Conflict { current_version }) => expected = current_version,
                Err(e) => return Err(e),
            }
        }
        Err(Error::store(
            "key-value store: saving an upload session kept conflicting with other writers",
        ))
    }

    async fn remove(&self, key: &str) -> Result<()> {
        self.kv.delete(&layout::upload(key), None).await.map(|_| ())
    }
}
