//! Facebook Pages client. The account is the page: its credential is the
//! page access token and `account_id` the page id.
//!
//! Flow of [`FacebookClient::publish`] (Graph API, version in the path):
//! - text (+ `options.facebook.link`): `POST /{page}/feed`
//!   (`options.facebook.scheduled_publish_time`: `published=false` +
//!   `scheduled_publish_time`, Facebook publishes it then; a scheduled photo
//!   goes through the feed as an unpublished photo + scheduled post);
//! - one photo: `POST /{page}/photos` with `url` when the source has a
//!   public URL, else multipart `source` streamed from the media source;
//! - several photos: each `POST /{page}/photos` with `published=false`,
//!   then `POST /{page}/feed` with `attached_media`;
//! - video: Meta's Resumable Upload API with the user token kept beside
//!   the Page token: `POST /{app-id}/uploads` → `POST upload:<id>` of
//!   chunks from the server's `file_offset` (the shared resumable driver;
//!   session and handle persisted, so a restarted publish resumes where the
//!   server is) → `POST /{page}/videos` `fbuploader_video_file_chunk`
//!   (the create) → `GET /{video}?fields=status` until `ready`;
//! - reel (`options.facebook.reel`, one video): Page Reels, see [`reel`]:
//!   `/video_reels` start → rupload from the server's offset → finish
//!   (the create) → status until `ready`;
//! - the URL is always the post's (or reel's) `permalink_url`.
//!
//! Every call carries `access_token` and `appsecret_proof` (query
//! parameters). The create call is never retried blindly; a lost answer is
//! reconciled with [`FacebookClient::find_recent`].

mod analytics;
mod api;
mod comment;
mod content;
mod limits;
mod manage;
mod module;
mod reel;
mod video;

pub(crate) use module::Facebook;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use reqwest::multipart::Form;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::{Instrument, info_span};

use self::api::{Api, with_query};
use super::common::{Listed, access_token, streamed_part};
use super::content::text as content_text;
use super::meta::Graph;
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::{Host, Idempotency};
use crate::{Error, Media, MediaKind, Platform, Post, Result, StoredToken, Violation};

/// The Facebook Pages client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FacebookClient {
    cfg: Arc<ClientConfig>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    #[serde(default)]
    post_id: Option<String>,
}

impl FacebookClient {
    /// A client over `cfg` (Facebook endpoints; `client_secret` is the app
    /// secret for `appsecret_proof`; `api_version` overrides the Graph
    /// version the SDK pins).
    pub fn new(cfg: ClientConfig) -> Self {
        Self { cfg: Arc::new(cfg) }
    }

    fn api<'a>(&'a self, account: &'a StoredToken, post: Option<&Post>) -> Result<Api<'a>> {
        let token = access_token(Platform::Facebook, account)?;
        let version = post
            .and_then(|p| p.options.facebook.api_version.as_deref())
            .or(self.cfg.api_version.as_deref());
        Ok(Api {
            graph: Graph::new(
                &self.cfg.http,
                &self.cfg.endpoints,
                &Facebook,
                self.cfg.client_secret.expose(),
                token,
                version,
            ),
            page: &account.key.account_id,
        })
    }

    /// `POST /{page}/photos`; returns `(photo id, post id)`.
    async fn photo(
        &self,
        api: &Api<'_>,
        media: &Media,
        caption: Option<&str>,
        published: bool,
    ) -> Result<Created> {
        let url = api.url(Host::Api, &format!("/{}/photos", api.page));
        let published = if published { "true" } else { "false" };
        let op = "photos.create";
        // A published photo is a post: never retried blindly.
        let idem = if published == "true" {
            Idempotency::NonIdempotent
        } else {
            Idempotency::Idempotent
        };
        let alt = media.alt_text().filter(|a| !a.is_empty());
        if let Some(public) = media.source().public_url() {
            let mut form = vec![("url", public.as_str()), ("published", published)];
            if let Some(c) = caption {
                form.push(("message", c));
            }
            if let Some(a) = alt {
                form.push((content::ALT_TEXT.field, a));
            }
            return api
                .graph
                .json(op, idem, Method::POST, url, |rb| rb.form(&form))
                .await;
        }
        let (source, len, piece) = (media.source(), media.info().len, self.cfg.upload.piece_size);
        let mime = media.info().mime.clone();
        api.graph
            .json(op, idem, Method::POST, url, |rb| {
                let part = streamed_part(source, 0, len, piece);
                let part = part
                    .mime_str(&mime)
                    .unwrap_or_else(|_| streamed_part(source, 0, len, piece));
                let mut form = Form::new()
                    .text("published", published)
                    .part("source", part);
                if let Some(c) = caption {
                    form = form.text("message", c.to_owned());
                }
                if let Some(a) = alt {
                    form = form.text(content::ALT_TEXT.field, a.to_owned());
                }
                rb.multipart(form)
            })
            .await
    }

    /// `POST /{page}/feed` with `message`, `link` and attached photos.
    async fn feed(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        attached: &[String],
    ) -> Result<Published> {
        let post = req.post;
        let url = api.url(Host::Api, &format!("/{}/feed", api.page));
        let message = content_text(Platform::Facebook, post)?;
        // A draft is an unpublished Page post (see `manage.rs`).
        let mut body = json!({ "message": message, "published": !post.draft });
        if let Some(at) = post.options.facebook.scheduled_publish_time {
            // Facebook keeps the post unpublished and publishes it at `at`.
            body["published"] = json!(false);
            body["scheduled_publish_time"] = json!(at.timestamp());
        }
        if let Some(link) = content::link(post) {
            body["link"] = json!(link);
        }
        if !attached.is_empty() {
            body["attached_media"] = attached
                .iter()
                .map(|id| json!({ "media_fbid": id }))
                .collect();
        }
        let create = api.graph.json(
            "feed.create",
            Idempotency::NonIdempotent,
            Method::POST,
            url,
            |rb| rb.json(&body),
        );
        let c: Created = req.commit.create(None, create).await?;
        req.commit.acknowledged(&c.id).await?;
        api.permalink(&c.id).await
    }

    async fn publish_inner(&self, api: &Api<'_>, req: &PublishRequest<'_>) -> Result<Published> {
        let post = req.post;
        let text = content_text(Platform::Facebook, post)?;
        let caption = Some(text.as_str()).filter(|t| !t.is_empty());
        match post.media.as_slice() {
            [] => self.feed(api, req, &[]).await,
            [v] if v.kind() == MediaKind::Video && post.options.facebook.reel => {
                self.reel(api, req)
                    .instrument(info_span!("upload", kind = "reel", len = v.info().len))
                    .await
            }
            _ if post.options.facebook.reel => Err(super::common::invalid_post(
                Platform::Facebook,
                "facebook.reel",
                "reel_requires_one_video",
                format!(
                    "a Reel needs exactly one video; the post has {} media",
                    post.media.len()
                ),
            )),
            [v] if v.kind() == MediaKind::Video => {
                self.video(api, req)
                    .instrument(info_span!("upload", kind = "video", len = v.info().len))
                    .await
            }
            items if items.iter().any(|m| m.kind() == MediaKind::Video) => {
                Err(Error::InvalidPost {
                    violations: vec![Violation {
                        platform: Some(Platform::Facebook),
                        field: "media".into(),
                        code: "video_with_other_media".into(),
                        message: "a Facebook post holds one video alone, or photos".into(),
                    }],
                })
            }
            // A scheduled or draft photo goes through the feed (unpublished
            // photo + scheduled or unpublished post), below.
            [photo] if post.options.facebook.scheduled_publish_time.is_none() && !post.draft => {
                let c = req
                    .commit
                    .create(None, self.photo(api, photo, caption, true))
                    .await?;
                let id = c.post_id.as_deref().unwrap_or(&c.id);
                req.commit.acknowledged(id).await?;
                req.progress.uploading(photo.info().len, photo.info().len);
                api.permalink(id).await
            }
            photos => {
                let mut ids = Vec::with_capacity(photos.len());
                for (i, p) in photos.iter().enumerate() {
                    let c = self
                        .photo(api, p, None, false)
                        .instrument(info_span!(
                            "upload",
                            index = i,
                            kind = "image",
                            len = p.info().len
                        ))
                        .await?;
                    ids.push(c.id);
                }
                self.feed(api, req, &ids).await
            }
        }
    }
}

#[async_trait]
impl PlatformClient for FacebookClient {
    fn platform(&self) -> Platform {
        Platform::Facebook
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
        let span = info_span!("publish", platform = "facebook", account = %req.account.key.account_id, media = req.post.media.len());
        async {
            let api = self.api(req.account, Some(req.post))?;
            self.publish_inner(&api, req).await
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
        if post.draft {
            // An unpublished Page post is in none of the edges read below,
            // so not finding it proves nothing: the outcome stays unknown
            // rather than a retry making a second draft.
            return Err(Error::Unsupported {
                platform: Platform::Facebook,
                message: "looking up an unpublished (draft) Page post whose create answer was lost"
                    .into(),
            });
        }
        let api = self.api(account, Some(post))?;
        // A natively scheduled post is listed under `scheduled_posts` until
        // it goes live, then in the feed.
        let edges: &[&str] = if post.options.facebook.scheduled_publish_time.is_some() {
            &["scheduled_posts", "feed"]
        } else {
            &["feed"]
        };
        let sent = content_text(Platform::Facebook, post)?;
        let mut found = None;
        for edge in edges {
            let url = with_query(
                api.url(Host::Api, &format!("/{}/{edge}", api.page)),
                &[("fields", "id,message,created_time"), ("limit", "10")],
            );
            let v: Value = api
                .graph
                .json(
                    "feed.recent",
                    Idempotency::Idempotent,
                    Method::GET,
                    url,
                    |rb| rb,
                )
                .await?;
            found = v
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|p| {
                    Listed {
                        author: None,
                        created: p
                            .get("created_time")
                            .and_then(Value::as_str)
                            .and_then(|t| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z").ok())
                            .map(|at| at.with_timezone(&Utc)),
                        text: p.get("message").and_then(Value::as_str).unwrap_or_default(),
                    }
                    .made_by(None, since, &[&sent])
                })
                .and_then(|p| p.get("id").and_then(Value::as_str).map(str::to_owned));
            if found.is_some() {
                break;
            }
        }
        match found {
            Some(id) => Ok(Some(api.permalink(&id).await?)),
            None => Ok(None),
        }
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
