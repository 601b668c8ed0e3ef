//! `CreatorSync` methods beside connect and publish: one account's profile
//! and TikTok compose rules, a user's quotas, and key rotation.
//!
//! ```js
//! const quotas = await sync.quota('user-1')      // [{ platform, bucket, used, limit, remaining, resetsAt, ... }]
//! const rules = await sync.composeConstraints('user-1', tiktokAccountId)
//! const resealed = await sync.rotateKey('k2', crypto.randomBytes(32))
//! ```

use base64::Engine as _;
use creatorsync_core::{Error, Platform, Result};
use napi::bindgen_prelude::{Buffer, PromiseRaw, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::client::{CreatorSync, key};
use crate::convert::to_js;
use crate::runtime::spawn;

/// The bytes of a new key: a `Buffer`/`Uint8Array`, or base64 text as in
/// the `keys` options. Errors never quote the key.
fn key_bytes(v: Unknown<'_>) -> Result<Vec<u8>> {
    let bad = || Error::invalid_input("newKey", "must be 32 bytes: a Buffer or base64 text");
    if v.get_type().ok() == Some(ValueType::String) {
        let text = unsafe { v.cast::<String>() }.map_err(|_| bad())?;
        return base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| bad());
    }
    if v.is_buffer().unwrap_or(false) || v.is_typedarray().unwrap_or(false) {
        return unsafe { v.cast::<Buffer>() }
            .map(|b| b.to_vec())
            .map_err(|_| bad());
    }
    Err(bad())
}

#[napi]
impl CreatorSync {
    /// The account's profile (handle, name, kind), cached for 24 h; read
    /// from the platform, or the profile stored at connect time when the
    /// platform cannot be reached. Rejects with `NOT_CONNECTED` for an
    /// unknown account and `REAUTH_REQUIRED` when the platform refuses it.
    #[napi(
        ts_args_type = "userId: string, platform: Platform, accountId: string",
        ts_return_type = "Promise<Profile>"
    )]
    pub fn profile<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        account_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                sync.tokens()
                    .profile(&key(user_id, &platform, account_id)?)
                    .await
            },
            |p| to_js(&p),
        )
    }

    /// What a TikTok account may choose when composing a post (TikTok's
    /// creator info: privacy levels, longest video, the interactions the
    /// creator turned off), for the host app's posting screen. Rejects
    /// with `NOT_CONNECTED` for an unknown account.
    #[napi(
        ts_args_type = "userId: string, accountId: string",
        ts_return_type = "Promise<ComposeConstraints>"
    )]
    pub fn compose_constraints<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        account_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let k = key(user_id, Platform::TikTok.as_str(), account_id)?;
                sync.compose_constraints(&k).await
            },
            |c| to_js(&c),
        )
    }

    /// Every quota of every account the user connected (and the app-wide
    /// quotas of their platforms): used, limit, remaining and when the
    /// next slot frees, from the ledger every worker on the store shares.
    #[napi(ts_return_type = "Promise<QuotaUsage[]>")]
    pub fn quota<'env>(
        &self,
        env: &'env Env,
        user_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(env, async move { sync.quota(&user_id).await }, |q| {
            to_js(&q)
        })
    }

    /// Re-seals every secret of the store under a new active key `newId`
    /// (32 bytes: a Buffer or base64 text); the old keys stay readable
    /// meanwhile. Resolves how many records were re-sealed. Rejects with
    /// `CONFIG_ERROR` for a store that seals nothing (`'memory'`),
    /// `INVALID_INPUT` for a bad key.
    #[napi(
        ts_args_type = "newId: string, newKey: Buffer | Uint8Array | string",
        ts_return_type = "Promise<number>"
    )]
    pub fn rotate_key<'env>(
        &self,
        env: &'env Env,
        new_id: String,
        new_key: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, f64>> {
        let bytes = key_bytes(new_key);
        let sync = self.inner.clone();
        spawn(
            env,
            async move { sync.rotate_key(&new_id, &bytes?).await },
            // Counts stay far below 2^53.
            |n| n as f64,
        )
    }
}
