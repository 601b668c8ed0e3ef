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

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{Instrument, debug, info, info_span, warn};

use super::common::{access_token, first_line, invalid_post, platform_upload_url, same_text};
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::{Host, HttpClient, Idempotency, RetryConfig, decode_json};
use crate::upload::{Poll, poll_until, range_body};
use crate::{Error, MediaKind, MediaSource, Platform, Post, Result, StoredToken, YouTubePrivacy};

const P: Platform = Platform::YouTube;

/// Chunk sizes of a chunked upload must be multiples of this (256 KiB).
pub const CHUNK_GRANULARITY: u64 = 262_144;

/// Longest default title (characters).
const MAX_TITLE: usize = 100;

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

/// The YouTube client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct YouTubeClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    cfg: ClientConfig,
    /// The shared client without automatic retries: a failed upload `PUT` is
    /// resumed from the server's offset, never repeated from its own.
    upload_http: HttpClient,
    mode: YouTubeUploadMode,
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
    /// A client over `config` (single-`PUT` uploads).
    pub fn new(config: ClientConfig) -> Self {
        let upload_http = config.http.with_retry(RetryConfig::disabled());
        Self {
            inner: Arc::new(Inner {
                cfg: config,
                upload_http,
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
                upload_http: inner.upload_http.clone(),
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
            .unwrap_or_else(|| first_line(&post.text, MAX_TITLE));
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
            .send(P, "videos.insert session", Idempotency::Idempotent, |c| {
                c.post(url.clone())
                    .bearer_auth(token)
                    .header("X-Upload-Content-Length", total)
                    .header("X-Upload-Content-Type", mime)
                    .json(&body)
            })
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
            .send(P, "upload status", Idempotency::Idempotent, |c| {
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
            .send(P, "upload bytes", Idempotency::Idempotent, |c| {
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
                self.put_range(token, uri, source, mime, (offset, len, total))
                    .await
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
    async fn upload(&self, token: &str, req: &PublishRequest<'_>) -> Result<Value> {
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

    /// Polls processing until the video is processed.
    async fn wait_processed(&self, token: &str, id: &str, req: &PublishRequest<'_>) -> Result<()> {
        let url = self.api(&format!(
            "/youtube/v3/videos?part=status,processingDetails&id={id}"
        ));
        poll_until(
            P,
            "video processing",
            &self.cfg().poll,
            |s| req.progress.processing(s),
            || async {
                let resp = self
                    .cfg()
                    .http
                    .send(P, "videos.list", Idempotency::Idempotent, |c| {
                        c.get(url.clone()).bearer_auth(token)
                    })
                    .await?;
                let v: Value = decode_json(P, resp).await?;
                processing_state(&v)
            },
        )
        .await
    }

    /// The channel's uploads playlist.
    async fn uploads_playlist(&self, token: &str) -> Result<Option<String>> {
        let url = self.api("/youtube/v3/channels?part=contentDetails&mine=true");
        let resp = self
            .cfg()
            .http
            .send(P, "channels.list", Idempotency::Idempotent, |c| {
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

/// Maps a `videos.list` answer to a poll step.
fn processing_state(v: &Value) -> Result<Poll<()>> {
    let Some(item) = v.pointer("/items/0") else {
        return Ok(Poll::Pending {
            state: "not_listed_yet".into(),
            check_after: None,
        });
    };
    let status = item.pointer("/status/uploadStatus").and_then(Value::as_str);
    let reason = |key: &str| {
        item.pointer(&format!("/status/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned()
    };
    match status {
        Some("processed") => Ok(Poll::Ready(())),
        Some("failed") => Err(Error::MediaRejected {
            platform: P,
            reason: format!("processing failed: {}", reason("failureReason")),
            code: Some(reason("failureReason")),
        }),
        Some("rejected") => Err(Error::MediaRejected {
            platform: P,
            reason: format!("video rejected: {}", reason("rejectionReason")),
            code: Some(reason("rejectionReason")),
        }),
        Some("deleted") => Err(Error::MediaRejected {
            platform: P,
            reason: "the video was deleted during processing".into(),
            code: Some("deleted".into()),
        }),
        other => {
            let state = item
                .pointer("/processingDetails/processingStatus")
                .and_then(Value::as_str)
                .or(other)
                .unwrap_or("processing");
            if state == "failed" || state == "terminated" {
                return Err(Error::MediaRejected {
                    platform: P,
                    reason: format!("processing {state}"),
                    code: Some(state.to_owned()),
                });
            }
            Ok(Poll::Pending {
                state: state.to_owned(),
                check_after: None,
            })
        }
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

    async fn publish(&self, req: PublishRequest<'_>) -> Result<Published> {
        let span =
            info_span!("publish", platform = "youtube", account = %req.account.key.account_id);
        async {
            let token = access_token(P, req.account)?;
            let started = Utc::now() - chrono::Duration::seconds(5);
            let video = match self.upload(token, &req).await {
                Ok(v) => v,
                Err(e) if e.maybe_committed() => {
                    // The final PUT may have created the video.
                    if let Some(p) = self.find_recent(req.account, req.post, started).await? {
                        return Ok(p);
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            let id = video
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Platform {
                    platform: P,
                    status: 200,
                    code: Some("unexpected_response".into()),
                    message: "the upload finished without a video id".into(),
                    body: Some(video.to_string()),
                })?
                .to_owned();
            info!(video_id = %id, "uploaded");
            self.wait_processed(token, &id, &req).await?;
            Ok(Published {
                url: watch_url(&id),
                post_id: id,
            })
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
            .send(P, "playlistItems.list", Idempotency::Idempotent, |c| {
                c.get(url.clone()).bearer_auth(token)
            })
            .await?;
        let v: Value = decode_json(P, resp).await?;
        let found = v
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| item.get("snippet"))
            .find(|s| {
                let recent = s
                    .get("publishedAt")
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .is_none_or(|t| t >= since);
                let text = s.get("description").and_then(Value::as_str).unwrap_or("");
                recent && same_text(text, &post.text)
            })
            .and_then(|s| s.pointer("/resourceId/videoId").and_then(Value::as_str));
        Ok(found.map(|id| Published {
            post_id: id.to_owned(),
            url: watch_url(id),
        }))
    }

    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut().append_pair("id", post_id);
        self.cfg()
            .http
            .send(P, "videos.delete", Idempotency::Idempotent, |c| {
                c.delete(url.clone()).bearer_auth(token)
            })
            .await?;
        Ok(())
    }
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

    #[test]
    fn processing_states() {
        let v = json!({"items":[{"status":{"uploadStatus":"processed"}}]});
        assert!(matches!(processing_state(&v), Ok(Poll::Ready(()))));
        let v = json!({"items":[{"status":{"uploadStatus":"uploaded"},"processingDetails":{"processingStatus":"processing"}}]});
        assert!(matches!(processing_state(&v), Ok(Poll::Pending { .. })));
        let v = json!({"items":[{"status":{"uploadStatus":"failed","failureReason":"codec"}}]});
        match processing_state(&v) {
            Err(Error::MediaRejected { reason, .. }) => assert!(reason.contains("codec")),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let v =
            json!({"items":[{"status":{"uploadStatus":"rejected","rejectionReason":"duplicate"}}]});
        assert!(matches!(
            processing_state(&v),
            Err(Error::MediaRejected { .. })
        ));
    }
}
