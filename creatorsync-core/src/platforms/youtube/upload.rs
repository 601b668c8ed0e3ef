//! The resumable upload protocol: opening a session (the video resource),
//! persisting and resuming it, sending the bytes in one `PUT` or in
//! [`YouTubeUploadMode::Chunked`] pieces, and continuing from the server's
//! offset after a failure.

use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{debug, info, warn};

use super::{P, YOUTUBE_TITLE_MAX, YouTube, YouTubeClient};
use crate::http::{Host, Idempotency, decode_json};
use crate::platforms::PublishRequest;
use crate::platforms::common::{first_line, invalid_post, platform_upload_url};
use crate::upload::range_body;
use crate::{Error, MediaKind, MediaSource, Post, Result, YouTubePrivacy};

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

/// Where a resumable upload stands.
enum UploadState {
    /// The server has bytes `[0, next)`.
    Incomplete(u64),
    /// Finished; the video resource.
    Done(Value),
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
            .unwrap_or_else(|| first_line(&post.text, YOUTUBE_TITLE_MAX));
        let title = if title.is_empty() {
            "Untitled".to_owned()
        } else {
            title
        };
        let privacy = match o.privacy {
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
        let mut snippet = json!({
            "title": title,
            "description": post.text,
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
            .ok_or_else(|| Error::Platform {
                platform: P,
                status: resp.status().as_u16(),
                code: Some("unexpected_response".into()),
                message: "the upload session answer has no Location header".into(),
                body: None,
            })?;
        Ok(platform_upload_url(P, &self.cfg().endpoints, location)?.to_string())
    }

    /// Reads a `308`/`200`/`201` answer of the session URI.
    async fn upload_state(resp: reqwest::Response) -> Result<UploadState> {
        if resp.status().as_u16() == 308 {
            return Ok(UploadState::Incomplete(next_offset(resp.headers())));
        }
        Ok(UploadState::Done(decode_json(P, resp).await?))
    }

    /// Asks the server how much it has (`Content-Range: bytes */{total}`).
    async fn query(&self, token: &str, uri: &str, total: u64) -> Result<UploadState> {
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
        Self::upload_state(resp).await
    }

    /// Sends `[offset, offset + len)` in one streaming `PUT`.
    async fn put_range(
        &self,
        token: &str,
        uri: &str,
        source: &Arc<dyn MediaSource>,
        mime: &str,
        (offset, len, total): (u64, u64, u64),
    ) -> Result<UploadState> {
        let piece = self.cfg().upload.piece_size;
        let resp = self
            .inner
            .upload_http
            .send(&YouTube, "upload bytes", Idempotency::Idempotent, |c| {
                c.put(uri)
                    .header(AUTHORIZATION, format!("Bearer {token}"))
                    .header(CONTENT_TYPE, mime)
                    .header(CONTENT_LENGTH, len)
                    .header(
                        CONTENT_RANGE,
                        format!("bytes {offset}-{}/{total}", offset + len - 1),
                    )
                    .body(range_body(source.clone(), offset, len, piece))
            })
            .await?;
        Self::upload_state(resp).await
    }

    /// Uploads from `offset` until the server has every byte; returns the
    /// video resource.
    async fn upload_from(
        &self,
        token: &str,
        uri: &str,
        source: &Arc<dyn MediaSource>,
        mime: &str,
        (mut offset, total): (u64, u64),
        req: &PublishRequest<'_>,
    ) -> Result<Value> {
        let ucfg = &self.cfg().upload;
        let mut failures = 0u32;
        loop {
            req.progress.uploading(offset, total);
            let result = if offset >= total {
                // Everything arrived but the final answer was lost.
                self.query(token, uri, total).await
            } else {
                let len = self.inner.mode.next_len(offset, total);
                let last = offset + len >= total;
                if last {
                    // The PUT that carries the last byte creates the video.
                    req.commit.sending(None).await?;
                }
                let sent = self
                    .put_range(token, uri, source, mime, (offset, len, total))
                    .await;
                if last && sent.as_ref().is_err_and(|e| !e.maybe_committed()) {
                    req.commit.refused();
                }
                sent
            };
            let stalled = match result {
                Ok(UploadState::Done(video)) => {
                    req.progress.uploading(total, total);
                    return Ok(video);
                }
                Ok(UploadState::Incomplete(next)) => {
                    let stalled = next <= offset;
                    offset = next;
                    if !stalled {
                        failures = 0;
                    }
                    stalled
                }
                Err(e) if resumable(&e) && failures < ucfg.chunk_retries => {
                    warn!(offset, error = %e, "upload interrupted; asking the server for its offset");
                    true
                }
                Err(e) => return Err(e),
            };
            if stalled {
                if failures >= ucfg.chunk_retries {
                    return Err(Error::Transport {
                        platform: Some(P),
                        message: format!("the upload made no progress at byte {offset} of {total}"),
                        maybe_sent: true,
                        timeout: false,
                    });
                }
                tokio::time::sleep(ucfg.retry_backoff * 2u32.saturating_pow(failures)).await;
                failures += 1;
                match self.query(token, uri, total).await? {
                    UploadState::Done(video) => return Ok(video),
                    UploadState::Incomplete(next) => {
                        debug!(offset = next, "server offset");
                        offset = next;
                    }
                }
            }
        }
    }

    /// Resumes the persisted session or opens a new one, then uploads.
    pub(super) async fn upload(&self, token: &str, req: &PublishRequest<'_>) -> Result<Value> {
        let media = single_video(req.post)?;
        let source = media.source().clone();
        let (total, mime) = (media.info().len, media.info().mime.clone());
        let key = format!("{}:0", req.session_key);
        let mut restarted = false;
        loop {
            let saved: Option<Session> = req
                .sessions
                .load(&key)
                .await?
                .and_then(|v| serde_json::from_value(v).ok())
                .filter(|s: &Session| s.total == total);
            let attempt = async {
                let (uri, offset) = match saved {
                    Some(s) => match self.query(token, &s.uri, total).await? {
                        UploadState::Done(video) => return Ok(video),
                        UploadState::Incomplete(n) => {
                            info!(offset = n, "resuming the persisted upload session");
                            (s.uri, n)
                        }
                    },
                    None => {
                        let uri = self.start_session(token, req.post, &mime, total).await?;
                        let session = serde_json::to_value(Session {
                            uri: uri.clone(),
                            total,
                        })
                        .map_err(|e| Error::store(format!("upload session: {e}")))?;
                        req.sessions.save(&key, &session).await?;
                        (uri, 0)
                    }
                };
                self.upload_from(token, &uri, &source, &mime, (offset, total), req)
                    .await
            };
            match attempt.await {
                Ok(video) => {
                    req.sessions.remove(&key).await?;
                    return Ok(video);
                }
                Err(e) if matches!(e.status(), Some(404 | 410)) && !restarted => {
                    warn!("upload session expired; starting a new one");
                    req.sessions.remove(&key).await?;
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

/// Errors after which the upload continues from the server's offset.
fn resumable(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. }
    ) || matches!(e, Error::Platform { status, .. } if *status >= 500)
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
