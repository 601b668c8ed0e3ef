//! The resumable upload protocol: opening a session (the video resource),
//! persisting and resuming it, sending the bytes in one `PUT` or in
//! [`YouTubeUploadMode::Chunked`] pieces, and continuing from the server's
//! offset after a failure.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::{P, YOUTUBE_TITLE_MAX, YouTube, YouTubeClient};
use crate::http::{Host, Idempotency, RetryConfig, decode_json};
use crate::platforms::PublishRequest;
use crate::platforms::common::{first_line, invalid_post, platform_upload_url, upload_session};
use crate::upload::{Resumable, ServerOffset, range_body, upload_resumable};
use crate::{Error, MediaKind, MediaSource, Platform, Post, Result, YouTubePrivacy};

/// Chunk sizes of a chunked upload must be multiples of this (256 KiB).
pub const CHUNK_GRANULARITY: u64 = 262_144;

/// How the bytes of a video are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum YouTubeUploadMode {
    /// One streaming `PUT` of everything the server does not have yet
    /// (fastest; resumes from the server's offset after a failure).
    #[default]
    SinglePut,
    /// `PUT`s of `chunk_size` bytes (rounded down to a multiple of
    /// [`CHUNK_GRANULARITY`], at least one), each acknowledged with `308`.
    /// Useful behind proxies that cap request sizes.
    Chunked {
        /// Bytes per request.
        chunk_size: u64,
    },
}

impl YouTubeUploadMode {
    /// Bytes to send in the next request from `offset`.
    fn next_len(self, offset: u64, total: u64) -> u64 {
        let left = total - offset;
        match self {
            YouTubeUploadMode::SinglePut => left,
            YouTubeUploadMode::Chunked { chunk_size } => {
                let c = (chunk_size / CHUNK_GRANULARITY).max(1) * CHUNK_GRANULARITY;
                c.min(left)
            }
        }
    }
}

/// What is persisted per upload (the session URI grants upload rights: keep
/// it like a credential).
#[derive(Debug, Serialize, Deserialize)]
struct Session {
    uri: String,
    total: u64,
}

/// The resumable protocol on one session URI: `PUT` with `Content-Range`,
/// answered `308` with `Range: bytes=0-{last}` until the last byte, whose
/// answer is the video resource.
struct Upload<'a> {
    client: &'a YouTubeClient,
    token: &'a str,
    uri: &'a str,
    source: Arc<dyn MediaSource>,
    mime: &'a str,
    req: &'a PublishRequest<'a>,
}

#[async_trait]
impl Resumable for Upload<'_> {
    type Done = Value;

    fn platform(&self) -> Platform {
        P
    }

    fn next_len(&self, offset: u64, total: u64) -> u64 {
        self.client.inner.mode.next_len(offset, total)
    }

    /// Sends `[offset, offset + len)` in one streaming `PUT`, with no retry
    /// of its own: a failure resumes from the server's offset.
    async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<Value>> {
        let last = offset + len >= total;
        if last {
            // The PUT that carries the last byte creates the video.
            self.req.commit.sending(None).await?;
        }
        let piece = self.client.cfg().upload.piece_size;
        let (token, uri, mime, source) = (self.token, self.uri, self.mime, &self.source);
        let sent = self
            .client
            .cfg()
            .http
            .send_with(
                &RetryConfig::disabled(),
                &YouTube,
                "upload bytes",
                Idempotency::Idempotent,
                |c| {
                    c.put(uri)
                        .header(AUTHORIZATION, format!("Bearer {token}"))
                        .header(CONTENT_TYPE, mime)
                        .header(CONTENT_LENGTH, len)
                        .header(
                            CONTENT_RANGE,
                            format!("bytes {offset}-{}/{total}", offset + len - 1),
                        )
                        .body(range_body(source.clone(), offset, len, piece))
                },
            )
            .await;
        if last && sent.as_ref().is_err_and(|e| !e.maybe_committed()) {
            self.req.commit.refused();
        }
        upload_state(sent?).await
    }

    /// Asks the server how much it has (`Content-Range: bytes */{total}`).
    async fn query(&self, total: u64) -> Result<ServerOffset<Value>> {
        self.client.query(self.token, self.uri, total).await
    }
}

/// Reads a `308`/`200`/`201` answer of the session URI.
async fn upload_state(resp: reqwest::Response) -> Result<ServerOffset<Value>> {
    if resp.status().as_u16() == 308 {
        return Ok(ServerOffset::Incomplete(next_offset(resp.headers())));
    }
    Ok(ServerOffset::Done(decode_json(P, resp).await?))
}

impl YouTubeClient {
    /// Opens an upload session; returns its URI.
    async fn start_session(
        &self,
        token: &str,
        post: &Post,
        mime: &str,
        total: u64,
    ) -> Result<String> {
        let o = &post.options.youtube;
        let title = o
            .title
            .clone()
            .unwrap_or_else(|| first_line(post.text_for(Platform::YouTube), YOUTUBE_TITLE_MAX));
        let title = if title.is_empty() {
            "Untitled".to_owned()
        } else {
            title
        };
        let privacy = match o.privacy {
            // A draft is a private video (see `manage.rs`).
            _ if post.draft => "private",
            YouTubePrivacy::Private => "private",
            YouTubePrivacy::Unlisted => "unlisted",
            YouTubePrivacy::Public => "public",
        };
        let mut status = json!({
            "privacyStatus": privacy,
            "selfDeclaredMadeForKids": o.made_for_kids,
        });
        if let Some(at) = o.publish_at {
            status["publishAt"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        let description = crate::platforms::content::text(Platform::YouTube, post)?;
        let mut snippet = json!({
            "title": title,
            "description": description,
            "categoryId": o.category_id,
        });
        if !o.tags.is_empty() {
            snippet["tags"] = json!(o.tags);
        }
        let body = json!({ "snippet": snippet, "status": status });
        let url = self.cfg().endpoints.url(
            Host::Upload,
            &format!(
                "/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status,contentDetails&notifySubscribers={}",
                o.notify_subscribers
            ),
        );
        // Opening a session publishes nothing: safe to retry.
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "videos.insert session",
                Idempotency::Idempotent,
                |c| {
                    c.post(url.clone())
                        .bearer_auth(token)
                        .header("X-Upload-Content-Length", total)
                        .header("X-Upload-Content-Type", mime)
                        .json(&body)
                },
            )
            .await?;
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::unexpected_response(
                    P,
                    Some(resp.status().as_u16()),
                    "the upload session answer has no Location header",
                    None,
                )
            })?;
        Ok(platform_upload_url(P, &self.cfg().endpoints, location)?.to_string())
    }

    /// Asks the server how much it has (`Content-Range: bytes */{total}`).
    async fn query(&self, token: &str, uri: &str, total: u64) -> Result<ServerOffset<Value>> {
        let resp = self
            .cfg()
            .http
            .send(&YouTube, "upload status", Idempotency::Idempotent, |c| {
                c.put(uri)
                    .bearer_auth(token)
                    .header(CONTENT_LENGTH, 0)
                    .header(CONTENT_RANGE, format!("bytes */{total}"))
            })
            .await?;
        upload_state(resp).await
    }

    /// Resumes the persisted session or opens a new one, then uploads.
    pub(super) async fn upload(&self, token: &str, req: &PublishRequest<'_>) -> Result<Value> {
        let media = single_video(req.post)?;
        let source = media.source().clone();
        let (total, mime) = (media.info().len, media.info().mime.clone());
        let session = upload_session::<Session>(req, 0);
        let mut restarted = false;
        loop {
            let saved = session.load().await?.filter(|s| s.total == total);
            let attempt = async {
                let (uri, offset) = match saved {
                    Some(s) => match self.query(token, &s.uri, total).await? {
                        ServerOffset::Done(video) => return Ok(video),
                        ServerOffset::Incomplete(n) => {
                            info!(offset = n, "resuming the persisted upload session");
                            (s.uri, n)
                        }
                    },
                    None => {
                        let uri = self.start_session(token, req.post, &mime, total).await?;
                        session
                            .save(&Session {
                                uri: uri.clone(),
                                total,
                            })
                            .await?;
                        (uri, 0)
                    }
                };
                let upload = Upload {
                    client: self,
                    token,
                    uri: &uri,
                    source: source.clone(),
                    mime: &mime,
                    req,
                };
                upload_resumable(&upload, &self.cfg().upload, &req.progress, offset, total).await
            };
            match attempt.await {
                Ok(video) => {
                    session.remove().await?;
                    return Ok(video);
                }
                Err(e) if matches!(e.status(), Some(404 | 410)) && !restarted => {
                    warn!("upload session expired; starting a new one");
                    session.remove().await?;
                    restarted = true;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The one video of a YouTube post.
fn single_video(post: &Post) -> Result<&crate::Media> {
    match post.media.as_slice() {
        [m] if m.kind() == MediaKind::Video => Ok(m),
        _ => Err(invalid_post(
            P,
            "media",
            "youtube_one_video",
            "a YouTube post needs exactly one video".to_owned(),
        )),
    }
}

/// The next byte the server wants, from `Range: bytes=0-{last}` (none: 0).
fn next_offset(headers: &HeaderMap) -> u64 {
    headers
        .get("range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(_, last)| last.trim().parse::<u64>().ok())
        .map_or(0, |last| last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_header_gives_next_offset() {
        let mut h = HeaderMap::new();
        assert_eq!(next_offset(&h), 0);
        h.insert("range", "bytes=0-524287".parse().unwrap());
        assert_eq!(next_offset(&h), 524_288);
    }

    #[test]
    fn chunked_mode_rounds_to_256k() {
        let m = YouTubeUploadMode::Chunked {
            chunk_size: 1_000_000,
        };
        assert_eq!(m.next_len(0, 10_000_000), 786_432);
        assert_eq!(m.next_len(9_999_000, 10_000_000), 1000);
        let tiny = YouTubeUploadMode::Chunked { chunk_size: 1 };
        assert_eq!(tiny.next_len(0, 10_000_000), CHUNK_GRANULARITY);
        assert_eq!(YouTubeUploadMode::SinglePut.next_len(5, 10), 5);
    }
}
