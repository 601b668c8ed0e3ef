//! [`TokenStore`] over a [`super::KeyValueStore`]: one key per account
//! (`creatorsync/token/{user}/{platform}/{account}`), the value the token's
//! JSON with its credential sealed by the key ring exactly as the SQL
//! stores seal it (bound to the account and the version the write gives
//! it). Versions are the key-value store's versions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::layout::{self, SealedJson, decode, encode};
use super::store::KvStore;
use crate::store::KeyRing;
use crate::store::codec::next_version;
use crate::store::sql_common::{PlainColumns, SealedRow, decode_token, encode_token, sort_by_key};
use crate::{AccountKey, Error, Result, StoredToken, TokenStore};

/// How often a rotation re-reads a token that keeps changing under it.
const ROTATE_ATTEMPTS: usize = 8;

/// A token as stored.
#[derive(Serialize, Deserialize)]
struct TokenValue {
    user_id: String,
    platform: String,
    account_id: String,
    #[serde(flatten)]
    sealed: SealedJson,
    profile: Value,
    metadata: Value,
    needs_reauth: bool,
    updated_at: DateTime<Utc>,
}

impl KvStore {
    fn encode_token(&self, ring: &KeyRing, token: &StoredToken, version: u64) -> Result<String> {
        let row = encode_token(ring, token, version)?;
        let json = |text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|e| Error::store(format!("cannot encode a token: {e}")))
        };
        encode(
            "token",
            &TokenValue {
                user_id: token.key.user_id.clone(),
                platform: token.key.platform.as_str().to_owned(),
                account_id: token.key.account_id.clone(),
                sealed: SealedJson::new(row.sealed, &row.ciphertext),
                profile: json(&row.profile)?,
                metadata: json(&row.metadata)?,
                needs_reauth: token.needs_reauth,
                updated_at: Utc::now(),
            },
        )
    }

    /// The token stored under `kv_key`: a value whose account is not the
    /// one its key names (copied from another key) is refused.
    fn decode_token(
        &self,
        ring: &KeyRing,
        kv_key: &str,
        value: &str,
        version: u64,
    ) -> Result<StoredToken> {
        let v: TokenValue = decode("token", value)?;
        let (nonce, ciphertext) = v.sealed.bytes()?;
        let token = decode_token(
            "key-value store",
            ring,
            SealedRow {
                user_id: v.user_id,
                platform: v.platform,
                account_id: v.account_id,
                version,
                key_id: v.sealed.key_id,
                nonce,
                ciphertext,
            },
            PlainColumns {
                profile: v.profile.to_string(),
                metadata: v.metadata.to_string(),
                updated_at: v.updated_at,
                needs_reauth: v.needs_reauth,
            },
        )?;
        if layout::token(&token.key) != kv_key {
            return Err(Error::store(
                "key-value store: a token is stored under another account's key",
            ));
        }
        Ok(token)
    }

    /// Re-seals every token under `ring`'s active key (key rotation).
    pub(super) async fn reseal_tokens(&self, ring: &KeyRing) -> Result<u64> {
        let mut count = 0;
        for (key, _) in self.kv.list(&layout::all_tokens()).await? {
            for attempt in 1..=ROTATE_ATTEMPTS {
                let Some(current) = self.kv.get(&key).await? else {
                    break; // deleted meanwhile
                };
                let token = self.decode_token(ring, &key, &current.value, current.version)?;
                let value =
                    self.encode_token(ring, &token, next_version(Some(current.version))?)?;
                match self.kv.put(&key, &value, Some(current.version)).await {
                    Ok(_) => {
                        count += 1;
                        break;
                    }
                    Err(Error::Conflict { .. }) if attempt < ROTATE_ATTEMPTS => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(count)
    }
}

#[async_trait]
impl TokenStore for KvStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        let kv_key = layout::token(key);
        match self.kv.get(&kv_key).await? {
            None => Ok(None),
            Some(v) => Ok(Some(self.decode_token(
                &self.keys.current(),
                &kv_key,
                &v.value,
                v.version,
            )?)),
        }
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        let ring = self.keys.current();
        let mut tokens = self
            .kv
            .list(&layout::tokens_of(user_id))
            .await?
            .into_iter()
            .map(|(k, v)| self.decode_token(&ring, &k, &v.value, v.version))
            .collect::<Result<Vec<_>>>()?;
        sort_by_key(&mut tokens);
        Ok(tokens)
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let version = next_version(expected_version)?;
        let value = self.encode_token(&self.keys.current(), token, version)?;
        let written = self
            .kv
            .put(&layout::token(&token.key), &value, expected_version)
            .await?;
        if written != version {
            // The credential is bound to the version the contract promised.
            return Err(Error::store(format!(
                "key-value store: a write at version {expected_version:?} returned version \
                 {written}, not {version}: the store breaks the KeyValueStore contract"
            )));
        }
        Ok(written)
    }

    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        self.kv.delete(&layout::token(key), None).await
    }
}
