//! Video posts: `video/init` with `PULL_FROM_URL` when the source has a
//! public URL (falling back to upload when TikTok refuses the domain), else
//! `FILE_UPLOAD` with a [`ChunkPlan`] and the chunks `PUT` in order, the
//! session persisted after every chunk so a restarted process resumes.

use super::TikTok;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::{ChunkPlan, P, TikTokClient, publish_id};
use crate::http::Idempotency;
use crate::http::RetryConfig;
use crate::platforms::PublishRequest;
use crate::platforms::common::{platform_upload_url, upload_session};
use crate::upload::{Stored, range_body, with_chunk_retry};
use crate::{Error, Media, Platform, Post, Result};

/// Persisted FILE_UPLOAD progress (the upload URL carries an upload token:
/// keep it like a credential).
#[derive(Debug, Serialize, Deserialize)]
struct Session {
    publish_id: String,
    upload_url: String,
    video_size: u64,
    chunk_size: u64,
    total_chunk_count: u64,
    next_chunk: u64,
}

impl TikTokClient {
    fn post_info(post: &Post) -> Result<Value> {
        let o = &post.options.tiktok;
        let mut info = json!({
            "title": crate::platforms::content::text(Platform::TikTok, post)?,
            "privacy_level": o.privacy_level.map(|p| p.as_str()),
            "disable_comment": o.disable_comment,
            "disable_duet": o.disable_duet,
            "disable_stitch": o.disable_stitch,
            "brand_content_toggle": o.brand_content_toggle,
            "brand_organic_toggle": o.brand_organic_toggle,
            "is_aigc": o.is_aigc,
        });
        if let Some(ms) = o.video_cover_timestamp_ms {
            info["video_cover_timestamp_ms"] = json!(ms);
        }
        Ok(info)
    }

    /// Starts (and for FILE_UPLOAD, uploads) a video post.
    pub(super) async fn post_video(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
        media: &Media,
    ) -> Result<String> {
        if let Some(url) = media.source().public_url() {
            let body = super::manage::video_body(
                req.post,
                Self::post_info(req.post)?,
                json!({"source": "PULL_FROM_URL", "video_url": url.as_str()}),
            );
            // TikTok starts publishing as soon as this is accepted.
            let init = self.call(
                token,
                "video/init",
                Idempotency::NonIdempotent,
                super::manage::video_init(req.post),
                &body,
            );
            match req.commit.create(None, init).await {
                Ok(data) => return publish_id(&data),
                Err(e) if e_code(&e) == Some("url_ownership_unverified") => {
                    warn!(
                        "the video URL's domain is not verified with TikTok; uploading the bytes instead"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        self.upload_video(token, req, media).await
    }

    /// FILE_UPLOAD: init (or resume), then every remaining chunk in order.
    async fn upload_video(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
        media: &Media,
    ) -> Result<String> {
        let size = media.info().len;
        let stored = upload_session::<Session>(req, 0);
        let mut restarted = false;
        loop {
            let saved = stored.load().await?.filter(|s| s.video_size == size);
            let resumed = saved.is_some();
            let mut session = match saved {
                Some(s) => {
                    info!(
                        next_chunk = s.next_chunk,
                        "resuming the persisted TikTok upload"
                    );
                    s
                }
                None => self.init_file_upload(token, req, size, &stored).await?,
            };
            match self.send_chunks(req, media, &mut session, &stored).await {
                Ok(()) => {
                    stored.remove().await?;
                    return Ok(session.publish_id);
                }
                Err(e)
                    if resumed
                        && !restarted
                        && !e.is_retryable()
                        && !matches!(e, Error::ReauthRequired { .. }) =>
                {
                    warn!(error = %e, "the persisted upload is no longer accepted; starting over");
                    stored.remove().await?;
                    restarted = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn init_file_upload(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
        size: u64,
        stored: &Stored<'_, Session>,
    ) -> Result<Session> {
        let plan = ChunkPlan::new(size, self.cfg().upload.chunk_size)?;
        let body = super::manage::video_body(
            req.post,
            Self::post_info(req.post)?,
            json!({
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count,
            }),
        );
        // Nothing is published until every chunk has arrived: safe to retry.
        let data = self
            .call(
                token,
                "video/init",
                Idempotency::Idempotent,
                super::manage::video_init(req.post),
                &body,
            )
            .await?;
        let upload_url = data
            .get("upload_url")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::unexpected_response(
                    P,
                    None,
                    "video/init answered without upload_url",
                    Some(&data.to_string()),
                )
            })?;
        let upload_url = platform_upload_url(P, &self.cfg().endpoints, upload_url)?;
        let session = Session {
            publish_id: publish_id(&data)?,
            upload_url: upload_url.to_string(),
            video_size: size,
            chunk_size: plan.chunk_size,
            total_chunk_count: plan.total_chunk_count,
            next_chunk: 0,
        };
        stored.save(&session).await?;
        Ok(session)
    }

    /// PUTs the remaining chunks (authorised by the upload URL itself: no
    /// bearer token is sent to the upload host).
    async fn send_chunks(
        &self,
        req: &PublishRequest<'_>,
        media: &Media,
        session: &mut Session,
        stored: &Stored<'_, Session>,
    ) -> Result<()> {
        let plan = ChunkPlan {
            video_size: session.video_size,
            chunk_size: session.chunk_size,
            total_chunk_count: session.total_chunk_count,
        };
        let mime = media.info().mime.clone();
        let piece = self.cfg().upload.piece_size;
        let url = session.upload_url.clone();
        let total = session.video_size;
        for index in session.next_chunk..plan.total_chunk_count {
            let chunk = plan.chunk(index);
            let last = index + 1 == plan.total_chunk_count;
            if last {
                // TikTok publishes once the last chunk has arrived.
                req.commit.sending(Some(&session.publish_id)).await?;
            }
            let sent = with_chunk_retry(&self.cfg().upload, chunk, |c| {
                let source = media.source().clone();
                let (url, mime) = (url.clone(), mime.clone());
                async move {
                    self.cfg()
                        .http
                        .send_with(
                            &RetryConfig::disabled(),
                            &TikTok,
                            "chunk upload",
                            Idempotency::Idempotent,
                            |cl| {
                                cl.put(url.as_str())
                                    .header(CONTENT_TYPE, mime.as_str())
                                    .header(CONTENT_LENGTH, c.len)
                                    .header(
                                        CONTENT_RANGE,
                                        format!("bytes {}-{}/{total}", c.offset, c.last_byte()),
                                    )
                                    .body(range_body(source.clone(), c.offset, c.len, piece))
                            },
                        )
                        .await
                }
            })
            .await;
            if last && sent.as_ref().is_err_and(|e| !e.maybe_committed()) {
                req.commit.refused();
            }
            sent?;
            session.next_chunk = index + 1;
            stored.save(session).await?;
            req.progress.uploading(chunk.offset + chunk.len, total);
        }
        Ok(())
    }
}

/// The platform's error code of a mapped error.
fn e_code(e: &Error) -> Option<&str> {
    match e {
        Error::Platform { code, .. } | Error::MediaRejected { code, .. } => code.as_deref(),
        _ => None,
    }
}
