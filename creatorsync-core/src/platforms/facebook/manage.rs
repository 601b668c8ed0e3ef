//! Editing and deleting a Page post (Graph API): `POST /{post-id}` with
//! `message` changes the text, `DELETE /{post-id}` deletes it; both need
//! `pages_manage_posts` (developers.facebook.com/docs/graph-api/reference/post,
//! "Updating", "Deleting", read 2026-12-04). Meta answers a post that no
//! longer exists with code 100, subcode 33 ("Object ... does not exist,
//! cannot be loaded due to missing permissions, or does not support this
//! operation"): a delete takes that as done.

use reqwest::Method;
use serde_json::json;

use super::FacebookClient;
use crate::http::{Host, Idempotency};
use crate::platforms::common::require_scope;
use crate::platforms::manage::deleted;
use crate::{Error, Result, StoredToken};

/// Writing the Page's posts.
const WRITE: &str = "pages_manage_posts";

fn node(post_id: &str) -> String {
    percent_encoding::utf8_percent_encode(post_id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Meta's "does not exist" answer.
fn gone(e: &Error) -> bool {
    matches!(e, Error::Platform { code: Some(c), .. } if c == "100/33")
}

impl FacebookClient {
    /// Replaces the post's `message`.
    pub(super) async fn edit_post(
        &self,
        account: &StoredToken,
        post_id: &str,
        text: &str,
    ) -> Result<()> {
        require_scope(account, &[WRITE])?;
        let api = self.api(account, None)?;
        let url = api.url(Host::Api, &format!("/{}", node(post_id)));
        let body = json!({ "message": text });
        api.graph
            .send(
                "post.update",
                Idempotency::Idempotent,
                Method::POST,
                url,
                |rb| rb.json(&body),
            )
            .await?;
        Ok(())
    }

    /// Deletes the post; Meta's "does not exist" means already gone.
    pub(super) async fn delete_post(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        require_scope(account, &[WRITE])?;
        let api = self.api(account, None)?;
        let url = api.url(Host::Api, &format!("/{}", node(post_id)));
        let answer = api
            .graph
            .send(
                "post.delete",
                Idempotency::Idempotent,
                Method::DELETE,
                url,
                |rb| rb,
            )
            .await;
        deleted(answer, gone)
    }
}

/// A draft is an unpublished Page post made through `/{page}/feed`
/// (`published=false`, developers.facebook.com/docs/pages-api/posts, read
/// 2026-12-04): text and photos. A video or Reel, or a post Facebook is
/// asked to publish later, cannot be one.
pub(super) fn check_draft(post: &crate::Post, check: &mut crate::platforms::Check) {
    if !post.draft {
        return;
    }
    if check.videos > 0 || post.options.facebook.reel {
        check.push(
            "draft",
            "draft_unsupported",
            "a Facebook draft (unpublished Page post) holds text and photos, not a video or Reel"
                .into(),
        );
    }
    if post.options.facebook.scheduled_publish_time.is_some() {
        check.push(
            "draft",
            "draft_scheduled",
            "a draft is not published, so it cannot have facebook.scheduled_publish_time".into(),
        );
    }
}
