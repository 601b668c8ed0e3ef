//! `CreatorSync` edit and delete of published posts, by the reference a
//! publish report's result gives (`{ platform, postId, accountId? }`).
//!
//! ```js
//! const [r] = (await sync.publish('user-1', { text: 'typo' })).results
//! await sync.edit('user-1', r, 'fixed')   // LinkedIn, Facebook, YouTube
//! await sync.delete('user-1', r)          // again: still resolves
//! ```

use creatorsync_core::contract::metrics;
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;
use serde_json::Value;

use crate::client::CreatorSync;
use crate::runtime::spawn;

#[napi]
impl CreatorSync {
    /// Replaces a published post's text where the platform allows it
    /// (LinkedIn, Facebook, YouTube's description); rejects with
    /// `UNSUPPORTED` elsewhere, before any request.
    #[napi(
        ts_args_type = "userId: string, post: PostRef, text: string",
        ts_return_type = "Promise<void>"
    )]
    pub fn edit<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: Value,
        text: String,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let post = metrics::parse_post_ref(post)?;
                sync.edit(&user_id, &post, &text).await
            },
            |()| (),
        )
    }

    /// Deletes a published post where the platform's API can (X,
    /// LinkedIn, Facebook, YouTube; `UNSUPPORTED` elsewhere); a post
    /// already gone counts as deleted.
    #[napi(
        ts_args_type = "userId: string, post: PostRef",
        ts_return_type = "Promise<void>"
    )]
    pub fn delete<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: Value,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let post = metrics::parse_post_ref(post)?;
                sync.delete(&user_id, &post).await
            },
            |()| (),
        )
    }
}
