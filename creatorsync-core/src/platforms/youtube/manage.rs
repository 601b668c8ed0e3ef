//! Editing and deleting a video (Data API v3). The SDK's text on YouTube
//! is the description, so an edit reads the video's `snippet`
//! (`videos.list`, 1 unit) and writes it back with the new description
//! (`videos.update`, `PUT /youtube/v3/videos?part=snippet`, 50 units:
//! `snippet.title` and `snippet.categoryId` are required, so they are sent
//! as they are). `videos.delete` (50 units) deletes; its `videoNotFound`
//! (404) means the video is already gone. Both need `youtube.force-ssl`
//! or `youtube`, asked for with [`crate::auth::ScopeUse::Manage`]
//! (developers.google.com/youtube/v3/docs/videos/update and /delete, read
//! 2026-12-04).

use serde_json::{Value, json};

use super::{P, YouTube, YouTubeClient};
use crate::http::{Idempotency, decode_json};
use crate::platforms::common::access_token;
use crate::platforms::common::require_scope;
use crate::platforms::manage::deleted;
use crate::{Error, Result, StoredToken};

/// The scopes either of which lets an app change or delete videos.
pub(super) const MANAGE: [&str; 2] = [
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube",
];

impl YouTubeClient {
    /// Replaces the video's description, keeping the rest of its snippet.
    pub(super) async fn edit_post(
        &self,
        account: &StoredToken,
        post_id: &str,
        text: &str,
    ) -> Result<()> {
        require_scope(account, &MANAGE)?;
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut()
            .append_pair("part", "snippet")
            .append_pair("id", post_id);
        let resp = self
            .cfg()
            .http
            .send(&YouTube, "videos.list", Idempotency::Idempotent, |c| {
                c.get(url.clone()).bearer_auth(token)
            })
            .await?;
        let v: Value = decode_json(P, resp).await?;
        let Some(mut snippet) = v.pointer("/items/0/snippet").cloned() else {
            return Err(Error::invalid_input(
                "post_id",
                format!("YouTube has no video {post_id} on this channel"),
            ));
        };
        snippet["description"] = json!(text);
        // Read-only parts of a snippet are refused by `videos.update`.
        if let Some(s) = snippet.as_object_mut() {
            s.retain(|k, _| {
                matches!(
                    k.as_str(),
                    "title" | "description" | "categoryId" | "tags" | "defaultLanguage"
                )
            });
        }
        let body = json!({ "id": post_id, "snippet": snippet });
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut().append_pair("part", "snippet");
        self.cfg()
            .http
            .send(&YouTube, "videos.update", Idempotency::Idempotent, |c| {
                c.put(url.clone()).bearer_auth(token).json(&body)
            })
            .await?;
        Ok(())
    }

    /// `videos.delete`; `videoNotFound` (404) means already gone.
    pub(super) async fn delete_post(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        require_scope(account, &MANAGE)?;
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut().append_pair("id", post_id);
        let answer = self
            .cfg()
            .http
            .send(&YouTube, "videos.delete", Idempotency::Idempotent, |c| {
                c.delete(url.clone()).bearer_auth(token)
            })
            .await;
        deleted(answer, |e| e.status() == Some(404))
    }
}

/// A draft is a private video (`status.privacyStatus=private`, whatever
/// `youtube.privacy` says); one YouTube makes public at `publish_at` is
/// not a draft.
pub(super) fn check_draft(post: &crate::Post, check: &mut crate::platforms::Check) {
    if post.draft && post.options.youtube.publish_at.is_some() {
        check.push(
            "draft",
            "draft_scheduled",
            "a draft stays private, so it cannot have youtube.publish_at".into(),
        );
    }
}
