//! Resumable Page video upload on the video host: start → transfer of
//! the server-dictated ranges (each retried from its own offset, the
//! session persisted after each) → finish → processing status.

use reqwest::Method;
use reqwest::multipart::Form;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::debug;

use super::FacebookClient;
use super::api::{Api, offset, with_query};
use crate::http::{Host, Idempotency};
use crate::platforms::common::{streamed_part, upload_session};
use crate::platforms::{PublishRequest, Published};
use crate::upload::{Chunk, Poll, Stored, poll_until, with_chunk_retry};
use crate::{Error, Media, Platform, Result};

/// The persisted state of a resumable video upload.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct VideoSession {
    video_id: String,
    upload_session_id: String,
    total: u64,
    start: u64,
    end: u64,
}

impl FacebookClient {
    /// Resumable upload of a video, then `finish` (which publishes it).
    pub(super) async fn video(&self, api: &Api<'_>, req: &PublishRequest<'_>) -> Result<Published> {
        let media = &req.post.media[0];
        let stored = upload_session::<VideoSession>(req, 0);
        let total = media.info().len;
        let saved = stored.load().await?.filter(|s| s.total == total);
        let resumed = saved.is_some();
        let session = match saved {
            Some(s) => s,
            None => self.video_start(api, &stored, total).await?,
        };
        let session = match self.transfer(api, req, &stored, media, session).await {
            Err(Error::Platform {
                status: 400..=499, ..
            }) if resumed => {
                debug!("saved Facebook upload session refused; starting a new one");
                let s = self.video_start(api, &stored, total).await?;
                self.transfer(api, req, &stored, media, s).await?
            }
            other => other?,
        };
        let video_id = session.video_id.clone();
        let title = req
            .post
            .options
            .facebook
            .video_title
            .clone()
            .unwrap_or_default();
        let form = [
            ("upload_session_id", session.upload_session_id.as_str()),
            ("title", title.as_str()),
            ("description", req.post.text.as_str()),
            ("published", "true"),
        ];
        let finish = api.send(
            "videos.finish",
            Idempotency::NonIdempotent,
            Method::POST,
            api.video_phase("finish"),
            |rb| rb.form(&form),
        );
        // The finish publishes the video.
        req.commit.create(None, finish).await?;
        req.commit.acknowledged(&video_id).await?;
        stored.remove().await?;
        self.wait_ready(api, req, &video_id).await?;
        // The page post made of the video, when Graph names it.
        let url = with_query(
            api.url(Host::Api, &format!("/{video_id}")),
            &[("fields", "post_id")],
        );
        let v: Value = api
            .json(
                "videos.post",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let post_id = v["post_id"].as_str().filter(|p| !p.is_empty());
        api.permalink(post_id.unwrap_or(&video_id)).await
    }

    async fn video_start(
        &self,
        api: &Api<'_>,
        stored: &Stored<'_, VideoSession>,
        total: u64,
    ) -> Result<VideoSession> {
        let url = api.video_phase("start");
        let size = total.to_string();
        let form = [("file_size", size.as_str())];
        let v: Value = api
            .json(
                "videos.start",
                Idempotency::Idempotent,
                Method::POST,
                url,
                |rb| rb.form(&form),
            )
            .await?;
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::unexpected_response(
                        Platform::Facebook,
                        None,
                        &format!("start answer lacks {k}"),
                        None,
                    )
                })
        };
        let s = VideoSession {
            video_id: text("video_id")?,
            upload_session_id: text("upload_session_id")?,
            total,
            start: offset(&v["start_offset"])?,
            end: offset(&v["end_offset"])?,
        };
        stored.save(&s).await?;
        Ok(s)
    }

    /// Sends the ranges the server asks for until it says the file is whole.
    async fn transfer(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        stored: &Stored<'_, VideoSession>,
        media: &Media,
        mut s: VideoSession,
    ) -> Result<VideoSession> {
        let url = api.video_phase("transfer");
        let (source, piece) = (media.source(), self.cfg.upload.piece_size);
        let mut index = 0;
        while s.start < s.end {
            if s.end > s.total {
                return Err(Error::unexpected_response(
                    Platform::Facebook,
                    None,
                    &format!(
                        "asked for bytes {}..{} of a {}-byte file",
                        s.start, s.end, s.total
                    ),
                    None,
                ));
            }
            let chunk = Chunk {
                index,
                offset: s.start,
                len: s.end - s.start,
            };
            let session_id = s.upload_session_id.clone();
            let v: Value = with_chunk_retry(&self.cfg.upload, chunk, |c| {
                let (url, session_id) = (url.clone(), session_id.clone());
                async move {
                    api.json(
                        "videos.transfer",
                        Idempotency::Idempotent,
                        Method::POST,
                        url,
                        |rb| {
                            let form = Form::new()
                                .text("upload_session_id", session_id.clone())
                                .text("start_offset", c.offset.to_string())
                                .part(
                                    "video_file_chunk",
                                    streamed_part(source, c.offset, c.len, piece),
                                );
                            rb.multipart(form)
                        },
                    )
                    .await
                }
            })
            .await?;
            let (start, end) = (offset(&v["start_offset"])?, offset(&v["end_offset"])?);
            if start <= s.start && start < end {
                return Err(Error::unexpected_response(
                    Platform::Facebook,
                    None,
                    &format!(
                        "the server asked for offset {start} again after {}",
                        s.start
                    ),
                    None,
                ));
            }
            s.start = start;
            s.end = end;
            index += 1;
            req.progress.uploading(start.min(s.total), s.total);
            stored.save(&s).await?;
        }
        Ok(s)
    }

    async fn wait_ready(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        video_id: &str,
    ) -> Result<()> {
        let url = with_query(
            api.url(Host::Api, &format!("/{video_id}")),
            &[("fields", "status")],
        );
        poll_until(
            Platform::Facebook,
            "video processing",
            &self.cfg.poll,
            |s| req.progress.processing(s),
            || async {
                let v: Value = api
                    .json(
                        "videos.status",
                        Idempotency::Idempotent,
                        Method::GET,
                        url.clone(),
                        |rb| rb,
                    )
                    .await?;
                let status = &v["status"];
                match status["video_status"].as_str().unwrap_or("processing") {
                    "ready" => Ok(Poll::Ready(())),
                    "error" | "expired" => {
                        let reason = status
                            .pointer("/processing_phase/errors/0/message")
                            .and_then(Value::as_str)
                            .unwrap_or("Facebook could not process the video")
                            .to_owned();
                        Err(Error::MediaRejected {
                            platform: Platform::Facebook,
                            reason,
                            code: status
                                .pointer("/processing_phase/errors/0/code")
                                .map(Value::to_string),
                        })
                    }
                    other => Ok(Poll::Pending {
                        state: other.to_owned(),
                        check_after: None,
                    }),
                }
            },
        )
        .await
    }
}
