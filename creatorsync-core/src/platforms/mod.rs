//! The platforms: one folder each holding everything about it (OAuth,
//! account discovery, error bodies, limits, API versions and the publish
//! client), each behind the crate's platform-module trait and registered
//! in one registry; and [`PlatformClient`], the publish side.
//!
//! Adding a platform: see `docs/adding-a-platform.md`.
//!
//! A client receives an account whose credential is already fresh (the
//! token manager refreshed it just before), publishes a [`Post`] through the
//! platform's full protocol and returns the post id and canonical URL.
//! Shared mechanics live in [`crate::upload`] and [`crate::http`]; nothing
//! protocol-independent is written twice here.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::analytics::PostMetrics;
use crate::http::{Endpoints, HttpClient};
use crate::progress::Progress;
use crate::upload::{PollConfig, UploadConfig, UploadSessions};
use crate::{Platform, Post, Result, Secret, StoredToken};

pub use commit::{Commit, CommitHook, CommitStatus, Lookup};
pub use endpoint_set::EndpointSet;
pub use fresh::{FreshToken, TokenSource};
pub(crate) use module::{
    Check, ClientExtras, LOGIN_KEY, OAuth1Flow, OAuthApp, PlatformModule, account_row,
    single_account,
};
pub(crate) use registry::Registry;

pub(crate) mod commit;
pub(crate) mod common;
pub(crate) mod content;
mod endpoint_set;
pub mod facebook;
mod fresh;
pub mod instagram;
pub mod linkedin;
pub(crate) mod manage;
pub(crate) mod meta;
pub(crate) mod module;
mod registry;
pub mod tiktok;
pub mod x;
pub mod youtube;

/// A published post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The platform's post id.
    pub post_id: String,
    /// The canonical public URL.
    pub url: String,
}

/// Everything a client needs besides the account and the post.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The shared HTTP client.
    pub http: HttpClient,
    /// The platform's endpoints.
    pub endpoints: Endpoints,
    /// OAuth client id of the app (TikTok: client key).
    pub client_id: String,
    /// OAuth client secret (Meta: app secret for `appsecret_proof`).
    pub client_secret: Secret<String>,
    /// X OAuth 1.0a consumer key and secret, for OAuth 1.0a user tokens.
    pub consumer: Option<(String, Secret<String>)>,
    /// API version: `LinkedIn-Version` (e.g. `202510`) or Graph (`v21.0`);
    /// None: the client's tested default.
    pub api_version: Option<String>,
    /// Upload tuning.
    pub upload: UploadConfig,
    /// Processing-status polling.
    pub poll: PollConfig,
}

/// One publish of one post to one account.
#[derive(Debug)]
pub struct PublishRequest<'a> {
    /// The account, with a fresh credential.
    pub account: &'a StoredToken,
    /// The post (already validated for this platform).
    pub post: &'a Post,
    /// Progress of this target.
    pub progress: Progress,
    /// Where resumable upload sessions are persisted.
    pub sessions: Arc<dyn UploadSessions>,
    /// Prefix for session keys of this target (unique per publish attempt
    /// family: idempotency key + platform + account).
    pub session_key: String,
    /// The create's marks ([`Commit::new`] for a client used on its own;
    /// the publisher's records them in the publish log).
    pub commit: Commit,
    /// The access token for each step ([`FreshToken::default`] for a
    /// client used on its own: the account's token as is; the publisher's
    /// renews it through the token manager when a publish outlives it).
    pub tokens: FreshToken,
}

/// A platform client.
#[async_trait]
pub trait PlatformClient: Send + Sync + Debug {
    /// The platform.
    fn platform(&self) -> Platform;

    /// The platform's publish flow: uploads media (resuming a persisted
    /// session when there is one), waits for processing, creates the post
    /// and looks up its canonical URL. Marks [`PublishRequest::commit`]
    /// before the request that may create the post, never retries that
    /// request blindly and never reconciles by itself: call
    /// [`PlatformClient::publish`], which does.
    async fn publish_flow(&self, req: &PublishRequest<'_>) -> Result<Published>;

    /// What `account` may choose when composing a post, when the platform
    /// says (TikTok's `creator_info`, which its guidelines require the
    /// posting screen to follow); `None` elsewhere.
    async fn compose_constraints(
        &self,
        account: &StoredToken,
    ) -> Result<Option<tiktok::ComposeConstraints>> {
        let _ = account;
        Ok(None)
    }

    /// Publishes exactly once: runs [`PlatformClient::publish_flow`] and,
    /// when it fails after the create may have reached the platform, looks
    /// the post up ([`PlatformClient::reconcile`]) instead of creating it
    /// again. The answer is the post, a failure that created nothing,
    /// [`crate::Error::CreatedUnfinished`] or [`crate::Error::OutcomeUnknown`].
    /// Not meant to be overridden.
    async fn publish(&self, req: PublishRequest<'_>) -> Result<Published> {
        commit::publish_once(self, req, None).await
    }

    /// What became of an attempt whose create may have reached the
    /// platform, created at or after `since`; `reference` is what the
    /// client recorded through [`Commit`] (a post, video or publish id).
    /// [`Lookup::Absent`] only when nothing was created for certain.
    ///
    /// The default looks for the post with [`PlatformClient::find_recent`];
    /// a post the platform acknowledged (`reference`, set by
    /// [`Commit::acknowledged`]) that the lookup does not show is
    /// [`Lookup::Unfinished`], never absent.
    async fn reconcile(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
        reference: Option<&str>,
    ) -> Result<Lookup> {
        Ok(Lookup::of_search(
            self.find_recent(account, post, since).await?,
            reference,
        ))
    }

    /// Looks for a post made by an earlier attempt whose response was lost:
    /// the account's posts created at or after `since` with this post's
    /// text (the platform's own lookup). `Ok(None)` when there is none.
    async fn find_recent(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>>;

    /// Deletes a post, where the platform allows it. A post that is
    /// already gone is deleted: `Ok` (safe to retry after a lost answer).
    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()>;

    /// The most post ids one [`PlatformClient::metrics`] call reads (the
    /// platform's own maximum per request).
    fn metrics_batch(&self) -> usize {
        1
    }

    /// The metrics of `post_ids` (at most [`PlatformClient::metrics_batch`]),
    /// all published by `account`, read with as few requests as the
    /// platform allows: one result per id, in order. `Err`: the whole
    /// batch failed. The identity fields and `fetched_at` of each
    /// [`PostMetrics`] are filled by the caller
    /// ([`crate::CreatorSync::metrics`]).
    async fn metrics(
        &self,
        account: &StoredToken,
        post_ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        let _ = post_ids;
        Err(crate::Error::Unsupported {
            platform: account.key.platform,
            message: "reading post metrics".into(),
        })
    }

    /// Creates `req.post`'s text as a comment on the post `parent` (a first
    /// comment, or a thread part where the platform has no threads). Like
    /// [`PlatformClient::publish_flow`]: marks [`PublishRequest::commit`]
    /// before the create and never reconciles by itself (the publisher
    /// does, with [`PlatformClient::find_comment`]).
    async fn comment_flow(&self, req: &PublishRequest<'_>, parent: &str) -> Result<Published> {
        let _ = parent;
        Err(crate::Error::Unsupported {
            platform: req.account.key.platform,
            message: "commenting on a post".into(),
        })
    }

    /// Looks for a comment made by an earlier attempt whose response was
    /// lost: the account's comment on `parent` with `post`'s text, created
    /// at or after `since`. `Ok(None)` when there is none.
    async fn find_comment(
        &self,
        account: &StoredToken,
        parent: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let _ = (parent, post, since);
        Err(crate::Error::Unsupported {
            platform: account.key.platform,
            message: "looking up a comment".into(),
        })
    }

    /// Replaces the text of the published post `post_id` of `account`,
    /// where the platform allows it. Safe to retry (the same text twice is
    /// one edit). The default: [`crate::Error::Unsupported`], nothing sent.
    async fn edit(&self, account: &StoredToken, post_id: &str, text: &str) -> Result<()> {
        let _ = (post_id, text);
        Err(crate::Error::Unsupported {
            platform: account.key.platform,
            message: "editing a published post's text".into(),
        })
    }
}

#[cfg(test)]
mod error_shapes_tests;
#[cfg(test)]
mod registry_tests;
