//! LinkedIn client: member and organization posts through the versioned
//! REST API (`/rest/*`).
//!
//! Flow of [`LinkedInClient::publish`]:
//! 1. author: `metadata["author_urn"]`, else `urn:li:person:{id}` /
//!    `urn:li:organization:{id}` from the account kind;
//! 2. images: `POST /rest/images?action=initializeUpload` → `PUT uploadUrl`
//!    (streamed) → `GET /rest/images/{urn}` until `AVAILABLE`; 2–20 images
//!    make a `multiImage` post;
//! 3. video: `POST /rest/videos?action=initializeUpload` (`fileSizeBytes`)
//!    → `PUT` every `uploadInstructions[i]` byte range (streamed, several in
//!    flight, ETags kept in instruction order) → `POST
//!    /rest/videos?action=finalizeUpload` → `GET /rest/videos/{urn}` until
//!    `AVAILABLE` (`PROCESSING_FAILED` → [`Error::MediaRejected`]);
//!    instructions and ETags are persisted after every part, so a restarted
//!    process sends only the missing parts;
//! 4. a link on a post without media: `content.article` (source, title,
//!    description, thumbnail uploaded as in 2);
//! 5. `POST /rest/posts` (never retried blindly), id from `x-restli-id`,
//!    URL `https://www.linkedin.com/feed/update/{urn}/`.
//!
//! Every `/rest/*` call carries `LinkedIn-Version` (the pinned version of
//! [`version`], overridable by [`ClientConfig::api_version`] and per post)
//! and `X-Restli-Protocol-Version: 2.0.0`; a retired version is replaced
//! by the version policy in [`version`], for connect and discovery too.
//!
//! Also here: OAuth ([`oauth`]), member and organization discovery
//! ([`accounts`]), error bodies ([`errors`]) and limits ([`limits`]).

mod accounts;
mod analytics;
mod api;
mod article;
mod comment;
mod content;
mod errors;
mod limits;
mod manage;
mod media;
mod module;
mod oauth;
mod text;
pub(crate) mod version;

pub(crate) use module::LinkedIn;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tracing::{Instrument, info_span};

use self::api::{Api, enc};
pub use self::text::escape_commentary;
use super::common::{Listed, access_token};
use super::content::text as content_text;
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::Idempotency;
use crate::{
    Error, LinkedInVisibility, Media, MediaKind, Platform, Post, Result, StoredToken, Violation,
};

/// The LinkedIn client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LinkedInClient {
    cfg: Arc<ClientConfig>,
}

fn visibility(v: LinkedInVisibility) -> &'static str {
    match v {
        LinkedInVisibility::Public => "PUBLIC",
        LinkedInVisibility::Connections => "CONNECTIONS",
        LinkedInVisibility::LoggedIn => "LOGGED_IN",
    }
}

impl LinkedInClient {
    /// A client over `cfg` (LinkedIn endpoints; `api_version` overrides
    /// the pinned `LinkedIn-Version`).
    pub fn new(cfg: ClientConfig) -> Self {
        Self { cfg: Arc::new(cfg) }
    }

    fn api<'a>(&'a self, account: &'a StoredToken, post: Option<&Post>) -> Result<Api<'a>> {
        let version = post
            .and_then(|p| p.options.linkedin.api_version.clone())
            .or_else(|| self.cfg.api_version.clone())
            .unwrap_or_else(|| version::CALENDAR.pinned.to_owned());
        Ok(Api {
            cfg: &self.cfg,
            token: access_token(Platform::LinkedIn, account)?,
            version,
        })
    }

    /// The author URN of `account`.
    pub fn author(account: &StoredToken) -> String {
        if let Some(urn) = account.metadata.get("author_urn").filter(|u| !u.is_empty()) {
            return urn.clone();
        }
        match account.profile.kind.as_deref() {
            Some("organization") => format!("urn:li:organization:{}", account.key.account_id),
            _ => format!("urn:li:person:{}", account.key.account_id),
        }
    }

    /// The `content` of the post, uploading its media.
    async fn content(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
    ) -> Result<Option<Value>> {
        let media = &req.post.media;
        let alt = |m: &Media| m.alt_text().unwrap_or_default().to_owned();
        match media.as_slice() {
            [] => self.article(api, req, author).await,
            [v] if v.kind() == MediaKind::Video => {
                let urn = self
                    .upload_video(api, req, author, 0)
                    .instrument(info_span!("upload", kind = "video", len = v.info().len))
                    .await?;
                let title = req
                    .post
                    .options
                    .linkedin
                    .video_title
                    .clone()
                    .unwrap_or_else(|| {
                        req.post
                            .text
                            .lines()
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .take(200)
                            .collect()
                    });
                Ok(Some(json!({ "media": { "id": urn, "title": title } })))
            }
            items if items.iter().any(|m| m.kind() == MediaKind::Video) => {
                Err(Error::InvalidPost {
                    violations: vec![Violation {
                        platform: Some(Platform::LinkedIn),
                        field: "media".into(),
                        code: "video_with_other_media".into(),
                        message: "a LinkedIn post holds one video alone, or 1-20 images".into(),
                    }],
                })
            }
            items => {
                let mut images = Vec::with_capacity(items.len());
                for (i, m) in items.iter().enumerate() {
                    let urn = self
                        .upload_image(api, req, author, i)
                        .instrument(info_span!(
                            "upload",
                            index = i,
                            kind = "image",
                            len = m.info().len
                        ))
                        .await?;
                    images.push(json!({ "id": urn, "altText": alt(m) }));
                }
                Ok(Some(if images.len() == 1 {
                    json!({ "media": images[0] })
                } else {
                    json!({ "multiImage": { "images": images } })
                }))
            }
        }
    }

    async fn create(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        content: Option<Value>,
    ) -> Result<Published> {
        let mut body = json!({
            "author": author,
            "commentary": content_text(Platform::LinkedIn, req.post)?,
            "visibility": visibility(req.post.options.linkedin.visibility),
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        if let Some(c) = content {
            body["content"] = c;
        }
        let resp = api
            .send(
                "posts.create",
                Idempotency::NonIdempotent,
                Method::POST,
                api.url("/rest/posts"),
                |rb| rb.json(&body),
            )
            .await?;
        let urn = resp
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::unexpected_response(
                    Platform::LinkedIn,
                    None,
                    "LinkedIn created the post but sent no x-restli-id",
                    None,
                )
            })?;
        Ok(published(urn))
    }
}

fn published(urn: String) -> Published {
    Published {
        url: format!("https://www.linkedin.com/feed/update/{urn}/"),
        post_id: urn,
    }
}

#[async_trait]
impl PlatformClient for LinkedInClient {
    fn platform(&self) -> Platform {
        Platform::LinkedIn
    }

    fn metrics_batch(&self) -> usize {
        analytics::METRICS_BATCH
    }

    async fn metrics(
        &self,
        account: &StoredToken,
        post_ids: &[String],
    ) -> Result<Vec<Result<crate::analytics::PostMetrics>>> {
        self.read_metrics(account, post_ids).await
    }

    async fn publish_flow(&self, req: &PublishRequest<'_>) -> Result<Published> {
        let span = info_span!("publish", platform = "linkedin", account = %req.account.key.account_id, media = req.post.media.len());
        async {
            let api = self.api(req.account, Some(req.post))?;
            let author = Self::author(req.account);
            let content = self.content(&api, req, &author).await?;
            req.commit
                .create(None, self.create(&api, req, &author, content))
                .await
        }
        .instrument(span)
        .await
    }

    async fn find_recent(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let api = self.api(account, Some(post))?;
        let path = format!(
            "/rest/posts?q=author&author={}&count=10",
            enc(&Self::author(account))
        );
        let v: Value = api
            .json(
                "posts.recent",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                None,
            )
            .await?;
        let escaped = content_text(Platform::LinkedIn, post)?;
        let found = v
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| {
                Listed {
                    author: None,
                    created: e
                        .get("createdAt")
                        .and_then(Value::as_i64)
                        .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
                    text: e
                        .get("commentary")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                }
                .made_by(
                    None,
                    since,
                    &[&escaped, post.text_for(Platform::LinkedIn)],
                )
            })
            .and_then(|e| e.get("id").and_then(Value::as_str))
            .map(|id| published(id.to_owned()));
        Ok(found)
    }

    async fn comment_flow(&self, req: &PublishRequest<'_>, parent: &str) -> Result<Published> {
        self.comment(req, parent).await
    }

    async fn find_comment(
        &self,
        account: &StoredToken,
        parent: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        self.find_own_comment(account, parent, post, since).await
    }

    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        self.delete_post(account, post_id).await
    }

    async fn edit(&self, account: &StoredToken, post_id: &str, text: &str) -> Result<()> {
        self.edit_post(account, post_id, text).await
    }
}
