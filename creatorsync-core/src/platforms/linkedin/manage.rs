//! Editing and deleting a post (Posts API): `POST /rest/posts/{urn}` with
//! `X-RestLi-Method: PARTIAL_UPDATE` and `{"patch":{"$set":{"commentary"}}}`
//! changes the text; `DELETE /rest/posts/{urn}` deletes it (a post LinkedIn
//! no longer knows, 404, is deleted). Source: learn.microsoft.com
//! linkedin/marketing/community-management/shares/posts-api ("Update
//! Posts", "Delete Posts"), read 2026-12-04. The same page says `PUBLISHED`
//! is the only `lifecycleState` accepted on create, so LinkedIn has no API
//! draft ([`super::LinkedIn`] offers none).

use reqwest::Method;
use serde_json::json;

use super::LinkedInClient;
use super::api::enc;
use super::text::escape_commentary;
use crate::http::Idempotency;
use crate::platforms::common::require_scope;
use crate::platforms::manage::deleted;
use crate::{Result, StoredToken};

/// Writing a member's or an organization's posts.
const WRITE: [&str; 2] = ["w_member_social", "w_organization_social"];

impl LinkedInClient {
    /// Replaces the post's commentary (escaped as on create).
    pub(super) async fn edit_post(
        &self,
        account: &StoredToken,
        post_id: &str,
        text: &str,
    ) -> Result<()> {
        require_scope(account, &WRITE)?;
        let api = self.api(account, None)?;
        let url = api.url(&format!("/rest/posts/{}", enc(post_id)));
        let body = json!({ "patch": { "$set": { "commentary": escape_commentary(text) } } });
        api.send(
            "posts.update",
            Idempotency::Idempotent,
            Method::POST,
            url,
            |rb| rb.header("X-RestLi-Method", "PARTIAL_UPDATE").json(&body),
        )
        .await?;
        Ok(())
    }

    /// Deletes the post; a 404 means it is already gone.
    pub(super) async fn delete_post(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        require_scope(account, &WRITE)?;
        let api = self.api(account, None)?;
        let url = api.url(&format!("/rest/posts/{}", enc(post_id)));
        let answer = api
            .send(
                "posts.delete",
                Idempotency::Idempotent,
                Method::DELETE,
                url,
                |rb| rb.header("X-RestLi-Method", "DELETE"),
            )
            .await;
        deleted(answer, |e| e.status() == Some(404))
    }
}
