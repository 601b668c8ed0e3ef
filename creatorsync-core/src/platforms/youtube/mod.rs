//! YouTube (Data API v3): `videos.insert` through the resumable upload
//! protocol.
//!
//! Flow of [`YouTubeClient::publish`]:
//! 1. A persisted session URI for this publish is loaded first (a restarted
//!    process resumes): `PUT <session>` with `Content-Range: bytes */{total}`
//!    answers `308` + `Range` (continue at last + 1), `200/201` (already
//!    done) or `404` (expired: start a new session).
//! 2. Otherwise `POST /upload/youtube/v3/videos?uploadType=resumable` with the
//!    video resource (snippet + status) opens a session; its URI (`Location`)
//!    is persisted immediately in [`PublishRequest::sessions`].
//! 3. Upload: by default ONE streaming `PUT` of the whole remaining range
//!    (`Content-Range: bytes {offset}-{total-1}/{total}`), which the protocol
//!    allows and which runs at the loopback ceiling; [`YouTubeUploadMode::Chunked`]
//!    sends 256 KiB-multiple chunks instead. After a broken connection or a
//!    5xx the server is asked for its offset and the upload continues from
//!    there: bytes before the server's offset are never sent again.
//! 4. The final `PUT` answers with the video resource (the "create"); a lost
//!    answer is recovered by the status query of step 1, so a video is never
//!    uploaded twice.
//! 5. `GET /youtube/v3/videos?part=status,processingDetails` is polled until
//!    `uploadStatus = processed` (`failed`/`rejected` → [`Error::MediaRejected`]).
//!
//! The URL is `https://www.youtube.com/watch?v={id}`. Quota errors arrive as
//! [`Error::RateLimited`] with the Pacific-midnight reset. Custom thumbnails
//! (`thumbnails.set`) are not sent: [`crate::YouTubeOptions`] has no
//! thumbnail field yet.
//!
//! Files: this one holds the client and the publish orchestration (with
//! `find_recent` and `delete`); `upload.rs` the resumable session and the
//! byte transfer (steps 1–4), `processing.rs` the processing poll (step 5).

mod analytics;
mod comment;
mod errors;
mod limits;
mod manage;
mod module;
mod processing;
mod upload;

#[cfg(test)]
pub(crate) use errors::next_pacific_midnight;
pub use limits::{YOUTUBE_TAGS_MAX, YOUTUBE_TITLE_MAX};
pub(crate) use module::YouTube;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::{Instrument, info, info_span};

pub use upload::{CHUNK_GRANULARITY, YouTubeUploadMode};

use super::common::{Listed, access_token};
use super::{ClientConfig, Lookup, PlatformClient, PublishRequest, Published};
use crate::http::{Host, Idempotency, decode_json};
use crate::{Error, Platform, Post, Result, StoredToken};

const P: Platform = Platform::YouTube;

/// The YouTube client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct YouTubeClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    cfg: ClientConfig,
    mode: YouTubeUploadMode,
}

impl YouTubeClient {
    /// A client over `config` (single-`PUT` uploads).
    pub fn new(config: ClientConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                cfg: config,
                mode: YouTubeUploadMode::default(),
            }),
        }
    }

    /// Chooses how bytes are sent (default [`YouTubeUploadMode::SinglePut`]).
    #[must_use]
    pub fn with_upload_mode(self, mode: YouTubeUploadMode) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                cfg: inner.cfg.clone(),
                mode,
            }),
        }
    }

    fn cfg(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    fn api(&self, path: &str) -> url::Url {
        self.cfg().endpoints.url(Host::Api, path)
    }

    /// The channel's uploads playlist.
    async fn uploads_playlist(&self, token: &str) -> Result<Option<String>> {
        let url = self.api("/youtube/v3/channels?part=contentDetails&mine=true");
        let resp = self
            .cfg()
            .http
            .send(&YouTube, "channels.list", Idempotency::Idempotent, |c| {
                c.get(url.clone()).bearer_auth(token)
            })
            .await?;
        let v: Value = decode_json(P, resp).await?;
        Ok(
            v.pointer("/items/0/contentDetails/relatedPlaylists/uploads")
                .and_then(Value::as_str)
                .map(str::to_owned),
        )
    }
}

fn watch_url(id: &str) -> String {
    format!("https://www.youtube.com/watch?v={id}")
}

#[async_trait]
impl PlatformClient for YouTubeClient {
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

    async fn publish_flow(&self, req: &PublishRequest<'_>) -> Result<Published> {
        let span =
            info_span!("publish", platform = "youtube", account = %req.account.key.account_id);
        async {
            let token = access_token(P, req.account)?;
            let video = self.upload(token, req).await?;
            let id = video
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Error::unexpected_response(
                        P,
                        None,
                        "the upload finished without a video id",
                        Some(&video.to_string()),
                    )
                })?
                .to_owned();
            info!(video_id = %id, "uploaded");
            req.commit.acknowledged(&id).await?;
            self.wait_processed(token, &id, req).await?;
            Ok(Published {
                url: watch_url(&id),
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
        match reference {
            // The video id the upload answered with.
            Some(id) => self.lookup_video(access_token(P, account)?, id).await,
            None => Ok(match self.find_recent(account, post, since).await? {
                Some(p) => Lookup::Found(p),
                None => Lookup::Absent,
            }),
        }
    }

    async fn find_recent(
        &self,
        account: &StoredToken,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let token = access_token(P, account)?;
        let Some(playlist) = self.uploads_playlist(token).await? else {
            return Ok(None);
        };
        let url = self.api(&format!(
            "/youtube/v3/playlistItems?part=snippet&maxResults=10&playlistId={playlist}"
        ));
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "playlistItems.list",
                Idempotency::Idempotent,
                |c| c.get(url.clone()).bearer_auth(token),
            )
            .await?;
        let v: Value = decode_json(P, resp).await?;
        let sent = crate::platforms::content::text(Platform::YouTube, post)?;
        let found = v
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| item.get("snippet"))
            .find(|s| {
                Listed {
                    author: None,
                    created: s
                        .get("publishedAt")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc)),
                    text: s.get("description").and_then(Value::as_str).unwrap_or(""),
                }
                .made_by(None, since, &[&sent])
            })
            .and_then(|s| s.pointer("/resourceId/videoId").and_then(Value::as_str));
        Ok(found.map(|id| Published {
            post_id: id.to_owned(),
            url: watch_url(id),
        }))
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
