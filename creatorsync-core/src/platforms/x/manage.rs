//! Deleting a post (`DELETE /2/tweets/:id`). X's API has no edit: an edit
//! in the app makes a new post id within 30 minutes, up to 5 times, and the
//! API only reports the edit history (docs.x.com/x-api/fundamentals/edit-posts,
//! read 2026-12-04), so [`XClient::edit`] stays the trait's refusal.

use reqwest::Method;

use super::XClient;
use crate::http::Idempotency;
use crate::platforms::common::require_scope;
use crate::platforms::manage::deleted;
use crate::{Result, StoredToken};

/// The scope deleting needs (OAuth 2.0 user tokens).
const WRITE: &str = "tweet.write";

impl XClient {
    /// `DELETE /2/tweets/:id`; a post X no longer knows (404) is deleted.
    pub(super) async fn delete_post(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        require_scope(account, &[WRITE])?;
        let api = self.api(account)?;
        let path = format!(
            "/2/tweets/{}",
            percent_encoding::utf8_percent_encode(post_id, percent_encoding::NON_ALPHANUMERIC)
        );
        let answer = api
            .send(
                "tweets.delete",
                Idempotency::Idempotent,
                Method::DELETE,
                &path,
                |rb| rb,
            )
            .await;
        deleted(answer, |e| e.status() == Some(404))
    }
}
