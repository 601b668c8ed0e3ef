//! TikTok (Content Posting API v2, Direct Post).
//!
//! Flow of [`TikTokClient::publish`]:
//! 1. `POST /v2/post/publish/creator_info/query/` — what the creator allows
//!    ([`ComposeConstraints`]); the post's [`crate::TikTokOptions`] are
//!    checked against it (privacy level chosen and offered, interactions the
//!    creator disabled kept disabled) → [`Error::InvalidPost`] before any
//!    upload. Host apps call [`TikTokClient::compose_constraints`] to build
//!    the posting screen TikTok's audit requires.
//! 2. Video: `POST /v2/post/publish/video/init/` with `PULL_FROM_URL` when the
//!    source has a public URL, else `FILE_UPLOAD` with a [`ChunkPlan`]; the
//!    chunks are `PUT` one after the other to `upload_url` with
//!    `Content-Range`, bodies streamed from the source. `publish_id`,
//!    `upload_url` and the next chunk are persisted after every chunk, so a
//!    restarted process continues where it stopped. A failed chunk is re-sent
//!    alone.
//!    Photos: `POST /v2/post/publish/content/init/` (`PULL_FROM_URL` only:
//!    sources without a public URL go through the configured
//!    [`MediaHost`]).
//! 3. `POST /v2/post/publish/status/fetch/` is polled until
//!    `PUBLISH_COMPLETE` (`FAILED` → [`Error::MediaRejected`] with
//!    `fail_reason`). The post id comes from `publicaly_available_post_id`
//!    (TikTok's spelling; numbers or strings), which may arrive after
//!    completion: the client polls a little longer, then looks the post up in
//!    `/v2/video/list/`. The URL is
//!    `https://www.tiktok.com/@{username}/video/{id}` (`/photo/{id}`).
//!
//! TikTok's access tokens live 2 hours and rotate the refresh token on
//! every refresh. The publisher's token manager refreshes before calling
//! the client (so a rotation never happens mid-upload); an upload plus
//! processing that outlives the access token takes a renewed one between
//! status queries ([`PublishRequest::tokens`]), never a second init.
//!
//! Files: this one holds the client, the shared API call and the publish
//! orchestration; `video.rs` the video init (PULL_FROM_URL or resumable
//! FILE_UPLOAD), `photo.rs` photo posts, `status.rs` status polling and the
//! post id / permalink lookup, `chunks.rs` the chunk rules and `creator.rs`
//! the creator's constraints.

mod analytics;
mod chunks;
mod creator;
mod errors;
mod limits;
mod manage;
mod module;
mod photo;
mod status;
mod video;

pub use limits::TIKTOK_PHOTO_TITLE_MAX;
pub(crate) use module::TikTok;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use tracing::{Instrument, info, info_span};

pub use chunks::{ChunkPlan, MAX_CHUNK, MAX_CHUNKS, MAX_FINAL_CHUNK, MIN_CHUNK};
pub use creator::ComposeConstraints;

use super::commit::RECONCILE_SKEW;
use super::common::{access_token, invalid_post, unsupported};
use super::{ClientConfig, Lookup, PlatformClient, PublishRequest, Published};
use crate::http::{Host, Idempotency, decode_json, platform_error};
use crate::media_host::MediaHost;
use crate::{Error, MediaKind, Platform, Post, Result, StoredToken};
use status::post_url;

const P: Platform = Platform::TikTok;

/// Most photos in one post.
const MAX_PHOTOS: usize = 35;
/// How long to keep polling for `publicaly_available_post_id` after
/// `PUBLISH_COMPLETE` before looking the post up in the video list.
pub const DEFAULT_ID_GRACE: Duration = Duration::from_secs(30);

/// The TikTok client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TikTokClient {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    cfg: ClientConfig,
    media_host: Option<Arc<dyn MediaHost>>,
    id_grace: Duration,
}

/// What was initialised.
struct Started {
    publish_id: String,
    photo: bool,
}

impl TikTokClient {
    /// A client over `config`. FILE_UPLOAD chunks are
    /// `config.upload.chunk_size` clamped to TikTok's 5–64 MiB.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                cfg: config,
                media_host: None,
                id_grace: DEFAULT_ID_GRACE,
            }),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = (*self.inner).clone();
        f(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Re-hosts photos that have no public URL (TikTok only pulls photos
    /// from URLs).
    #[must_use]
    pub fn with_media_host(self, host: Arc<dyn MediaHost>) -> Self {
        self.with(|i| i.media_host = Some(host))
    }

    /// How long to wait for the public post id after `PUBLISH_COMPLETE`
    /// (default [`DEFAULT_ID_GRACE`]).
    #[must_use]
    pub fn with_id_grace(self, grace: Duration) -> Self {
        self.with(|i| i.id_grace = grace)
    }

    fn cfg(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    /// What `account` may choose when posting (from `creator_info/query`),
    /// for the host app's posting screen.
    pub async fn compose_constraints(&self, account: &StoredToken) -> Result<ComposeConstraints> {
        let token = access_token(P, account)?;
        self.creator_info(token).await
    }

    async fn creator_info(&self, token: &str) -> Result<ComposeConstraints> {
        let data = self
            .call(
                token,
                "creator_info",
                Idempotency::Idempotent,
                "/v2/post/publish/creator_info/query/",
                &json!({}),
            )
            .await?;
        Ok(ComposeConstraints::from_data(&data))
    }

    /// `POST` a JSON body to the API; returns `data` (checking the envelope's
    /// `error.code`).
    async fn call(
        &self,
        token: &str,
        op: &'static str,
        idempotency: Idempotency,
        path: &str,
        body: &Value,
    ) -> Result<Value> {
        let url = self.cfg().endpoints.url(Host::Api, path);
        let resp = self
            .cfg()
            .http
            .send(&TikTok, op, idempotency, |c| {
                c.post(url.clone())
                    .bearer_auth(token)
                    .header(CONTENT_TYPE, "application/json; charset=UTF-8")
                    .body(body.to_string())
            })
            .await?;
        let status = resp.status().as_u16();
        let v: Value = decode_json(P, resp).await?;
        match v.pointer("/error/code").and_then(Value::as_str) {
            None | Some("ok") => Ok(v.get("data").cloned().unwrap_or(Value::Null)),
            Some(_) => Err(platform_error(
                &TikTok,
                status,
                &HeaderMap::new(),
                v.to_string().as_bytes(),
            )),
        }
    }
}

fn publish_id(data: &Value) -> Result<String> {
    data.get("publish_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::unexpected_response(
                P,
                None,
                "init answered without publish_id",
                Some(&data.to_string()),
            )
        })
}

fn username(account: &StoredToken, constraints: Option<&ComposeConstraints>) -> Result<String> {
    account
        .profile
        .handle
        .clone()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            constraints
                .map(|c| c.creator_username.clone())
                .filter(|u| !u.is_empty())
        })
        .ok_or_else(|| {
            Error::Config(format!(
                "tiktok: account {} has no username (profile.handle); reconnect it",
                account.key.account_id
            ))
        })
}

#[async_trait]
impl PlatformClient for TikTokClient {
    fn platform(&self) -> Platform {
        P
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

    async fn compose_constraints(
        &self,
        account: &StoredToken,
    ) -> Result<Option<ComposeConstraints>> {
        TikTokClient::compose_constraints(self, account)
            .await
            .map(Some)
    }

    async fn publish_flow(&self, req: &PublishRequest<'_>) -> Result<Published> {
        let span =
            info_span!("publish", platform = "tiktok", account = %req.account.key.account_id);
        async {
            let token = access_token(P, req.account)?;
            let post = req.post;
            let is_video = match post.media.as_slice() {
                [m] if m.kind() == MediaKind::Video => true,
                ms if !ms.is_empty()
                    && ms.len() <= MAX_PHOTOS
                    && ms.iter().all(|m| m.kind() == MediaKind::Image) =>
                {
                    false
                }
                _ => {
                    return Err(invalid_post(
                        P,
                        "media",
                        "tiktok_media",
                        format!("a TikTok post is one video or 1–{MAX_PHOTOS} photos"),
                    ));
                }
            };
            let constraints = self.creator_info(token).await?;
            // A draft's privacy and interactions are chosen in the app.
            let mut violations = if post.draft {
                Vec::new()
            } else {
                constraints.violations(&post.options.tiktok, is_video)
            };
            if is_video {
                violations.extend(constraints.duration_violation(0, &post.media[0]));
            }
            if !violations.is_empty() {
                return Err(Error::InvalidPost { violations });
            }
            let username = username(req.account, Some(&constraints))?;
            let since = Utc::now() - chrono::Duration::seconds(5);
            let started = if is_video {
                self.post_video(token, req, &post.media[0]).await?
            } else {
                self.post_photos(token, req).await?
            };
            req.commit.acknowledged(&started).await?;
            let started = Started {
                publish_id: started,
                photo: !is_video,
            };
            info!(publish_id = %started.publish_id, "publishing");
            if post.draft {
                self.wait_published(&started.publish_id, req).await?;
                return Ok(manage::inbox_upload(&username, &started.publish_id));
            }
            let id = match self.wait_published(&started.publish_id, req).await? {
                Some(id) => id,
                None => req
                    .tokens
                    .authorized(req.account, |token| async move {
                        self.find_id(&token, post, since).await
                    })
                    .await?
                    .ok_or_else(|| Error::Timeout {
                        platform: Some(P),
                        what: format!(
                            "TikTok published {} but has not made its post id public yet; \
                         it will appear on the profile once moderation finishes",
                            started.publish_id
                        ),
                    })?,
            };
            Ok(Published {
                url: post_url(&username, started.photo, &id),
                post_id: id,
            })
        }
        .instrument(span)
        .await
    }

    async fn reconcile(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
        reference: Option<&str>,
    ) -> Result<Lookup> {
        let Some(publish_id) = reference else {
            // Without a publish id only the post list can tell, and TikTok
            // lists a post once it is processed: not being listed proves
            // nothing until the processing deadline has passed since the
            // create was sent.
            if let Some(p) = self.find_recent(account, post, since).await? {
                return Ok(Lookup::Found(p));
            }
            let sent_at = since + RECONCILE_SKEW;
            let waited = (Utc::now() - sent_at).to_std().unwrap_or_default();
            if waited > self.cfg().poll.deadline {
                return Ok(Lookup::Absent);
            }
            return Err(Error::Timeout {
                platform: Some(P),
                what: format!(
                    "TikTok has not listed the post yet; it is absent for certain {} s after the create",
                    self.cfg().poll.deadline.as_secs()
                ),
            });
        };
        let token = access_token(P, account)?;
        let s = self.publish_status(token, publish_id).await?;
        let photo =
            post.media.iter().all(|m| m.kind() == MediaKind::Image) && !post.media.is_empty();
        let unfinished = |reason: &str| Lookup::Unfinished {
            post_id: publish_id.to_owned(),
            reason: reason.to_owned(),
        };
        let size = post.media.first().map(|m| m.info().len);
        Ok(match s.status.as_str() {
            // Nothing is published after a failure.
            "FAILED" => Lookup::Absent,
            // A FILE_UPLOAD publishes nothing until every byte has arrived
            // (the persisted session resumes this same upload).
            "PROCESSING_UPLOAD" if s.uploaded_bytes.zip(size).is_some_and(|(got, n)| got < n) => {
                Lookup::Absent
            }
            "PUBLISH_COMPLETE" | "SEND_TO_USER_INBOX" => {
                let id = match s.post_id {
                    Some(id) => Some(id),
                    None => self.find_id(token, post, since).await?,
                };
                match id {
                    Some(id) => Lookup::Found(Published {
                        url: post_url(&username(account, None)?, photo, &id),
                        post_id: id,
                    }),
                    None => unfinished(&s.status),
                }
            }
            other => unfinished(other),
        })
    }

    async fn find_recent(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let token = access_token(P, account)?;
        let Some(id) = self.find_id(token, post, since).await? else {
            return Ok(None);
        };
        let photo =
            post.media.iter().all(|m| m.kind() == MediaKind::Image) && !post.media.is_empty();
        Ok(Some(Published {
            url: post_url(&username(account, None)?, photo, &id),
            post_id: id,
        }))
    }

    async fn delete(&self, _account: &StoredToken, _post_id: &str) -> Result<()> {
        Err(unsupported(
            P,
            "TikTok's Content Posting API cannot delete posts; delete it in the TikTok app",
        ))
    }
}
