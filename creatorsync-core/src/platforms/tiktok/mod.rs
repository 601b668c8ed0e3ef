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
//! TikTok rotates refresh tokens on every refresh. This client never
//! refreshes: the publisher's token manager refreshes before calling it, and
//! an upload finishes well within the access token's lifetime, so a rotation
//! never happens mid-upload.

mod chunks;
mod creator;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{Instrument, info, info_span, warn};

pub use chunks::{ChunkPlan, MAX_CHUNK, MAX_CHUNKS, MAX_FINAL_CHUNK, MIN_CHUNK};
pub use creator::ComposeConstraints;

use super::common::{
    access_token, first_line, invalid_post, platform_upload_url, same_text, unsupported,
};
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::{Host, HttpClient, Idempotency, RetryConfig, decode_json, platform_error};
use crate::media_host::MediaHost;
use crate::upload::{Poll, poll_until, range_body, with_chunk_retry};
use crate::{Error, Media, MediaKind, Platform, Post, Result, StoredToken};

const P: Platform = Platform::TikTok;

/// Longest photo title (characters).
const MAX_PHOTO_TITLE: usize = 90;
/// Most photos in one post.
const MAX_PHOTOS: usize = 35;
/// How long to keep polling for `publicaly_available_post_id` after
/// `PUBLISH_COMPLETE` before looking the post up in the video list.
pub const DEFAULT_ID_GRACE: Duration = Duration::from_secs(30);
/// `/v2/video/list/`, called with POST and a JSON body as TikTok documents.
const VIDEO_LIST_PATH: &str =
    "/v2/video/list/?fields=id,title,video_description,create_time,share_url";

/// The TikTok client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TikTokClient {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    cfg: ClientConfig,
    /// Without automatic retries: chunks are retried by `with_chunk_retry`.
    chunk_http: HttpClient,
    media_host: Option<Arc<dyn MediaHost>>,
    id_grace: Duration,
}

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

/// What was initialised.
struct Started {
    publish_id: String,
    photo: bool,
}

impl TikTokClient {
    /// A client over `config`. FILE_UPLOAD chunks are
    /// `config.upload.chunk_size` clamped to TikTok's 5–64 MiB.
    pub fn new(config: ClientConfig) -> Self {
        let chunk_http = config.http.with_retry(RetryConfig::disabled());
        Self {
            inner: Arc::new(Inner {
                cfg: config,
                chunk_http,
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
            .send(P, op, idempotency, |c| {
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
                P,
                status,
                &HeaderMap::new(),
                v.to_string().as_bytes(),
            )),
        }
    }

    fn post_info(post: &Post) -> Value {
        let o = &post.options.tiktok;
        let mut info = json!({
            "title": post.text,
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
        info
    }

    /// Starts (and for FILE_UPLOAD, uploads) a video post.
    async fn post_video(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
        media: &Media,
    ) -> Result<String> {
        if let Some(url) = media.source().public_url() {
            let body = json!({
                "post_info": Self::post_info(req.post),
                "source_info": {"source": "PULL_FROM_URL", "video_url": url.as_str()},
            });
            // TikTok starts publishing as soon as this is accepted.
            match self
                .call(
                    token,
                    "video/init",
                    Idempotency::NonIdempotent,
                    "/v2/post/publish/video/init/",
                    &body,
                )
                .await
            {
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
        let key = format!("{}:0", req.session_key);
        let mut restarted = false;
        loop {
            let saved: Option<Session> = req
                .sessions
                .load(&key)
                .await?
                .and_then(|v| serde_json::from_value(v).ok())
                .filter(|s: &Session| s.video_size == size);
            let resumed = saved.is_some();
            let mut session = match saved {
                Some(s) => {
                    info!(
                        next_chunk = s.next_chunk,
                        "resuming the persisted TikTok upload"
                    );
                    s
                }
                None => self.init_file_upload(token, req, size, &key).await?,
            };
            match self
                .send_chunks(token, req, media, &mut session, &key)
                .await
            {
                Ok(()) => {
                    req.sessions.remove(&key).await?;
                    return Ok(session.publish_id);
                }
                Err(e)
                    if resumed
                        && !restarted
                        && !e.is_retryable()
                        && !matches!(e, Error::ReauthRequired { .. }) =>
                {
                    warn!(error = %e, "the persisted upload is no longer accepted; starting over");
                    req.sessions.remove(&key).await?;
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
        key: &str,
    ) -> Result<Session> {
        let plan = ChunkPlan::new(size, self.cfg().upload.chunk_size)?;
        let body = json!({
            "post_info": Self::post_info(req.post),
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count,
            },
        });
        // Nothing is published until every chunk has arrived: safe to retry.
        let data = self
            .call(
                token,
                "video/init",
                Idempotency::Idempotent,
                "/v2/post/publish/video/init/",
                &body,
            )
            .await?;
        let upload_url = data
            .get("upload_url")
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected("video/init answered without upload_url", &data))?;
        let upload_url = platform_upload_url(P, &self.cfg().endpoints, upload_url)?;
        let session = Session {
            publish_id: publish_id(&data)?,
            upload_url: upload_url.to_string(),
            video_size: size,
            chunk_size: plan.chunk_size,
            total_chunk_count: plan.total_chunk_count,
            next_chunk: 0,
        };
        save(req, key, &session).await?;
        Ok(session)
    }

    async fn send_chunks(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
        media: &Media,
        session: &mut Session,
        key: &str,
    ) -> Result<()> {
        let _ = token; // chunk PUTs are authorised by the upload URL itself
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
            with_chunk_retry(&self.cfg().upload, chunk, |c| {
                let source = media.source().clone();
                let (url, mime) = (url.clone(), mime.clone());
                async move {
                    self.inner
                        .chunk_http
                        .send(P, "chunk upload", Idempotency::Idempotent, |cl| {
                            cl.put(url.as_str())
                                .header(CONTENT_TYPE, mime.as_str())
                                .header(CONTENT_LENGTH, c.len)
                                .header(
                                    CONTENT_RANGE,
                                    format!("bytes {}-{}/{total}", c.offset, c.last_byte()),
                                )
                                .body(range_body(source.clone(), c.offset, c.len, piece))
                        })
                        .await
                }
            })
            .await?;
            session.next_chunk = index + 1;
            save(req, key, session).await?;
            req.progress.uploading(chunk.offset + chunk.len, total);
        }
        Ok(())
    }

    /// A photo post from public URLs (re-hosting sources without one).
    async fn post_photos(&self, token: &str, req: &PublishRequest<'_>) -> Result<String> {
        let mut urls = Vec::with_capacity(req.post.media.len());
        for (i, m) in req.post.media.iter().enumerate() {
            let url = match (m.source().public_url(), &self.inner.media_host) {
                (Some(u), _) => u.clone(),
                (None, Some(host)) => host.host(m.source().as_ref(), m.info()).await?,
                (None, None) => {
                    return Err(Error::Config(format!(
                        "tiktok: photo {i} has no public URL and TikTok only pulls photos from URLs; \
                         configure a media host with TikTokClient::with_media_host(Arc::new(ObjectStoreMediaHost::...)) \
                         or use a source with a public URL"
                    )));
                }
            };
            urls.push(url.to_string());
        }
        let o = &req.post.options.tiktok;
        let title = o
            .photo_title
            .clone()
            .unwrap_or_else(|| first_line(&req.post.text, MAX_PHOTO_TITLE));
        let body = json!({
            "media_type": "PHOTO",
            "post_mode": "DIRECT_POST",
            "post_info": {
                "title": title,
                "description": req.post.text,
                "privacy_level": o.privacy_level.map(|p| p.as_str()),
                "disable_comment": o.disable_comment,
                "auto_add_music": true,
                "brand_content_toggle": o.brand_content_toggle,
                "brand_organic_toggle": o.brand_organic_toggle,
            },
            "source_info": {"source": "PULL_FROM_URL", "photo_images": urls, "photo_cover_index": 0},
        });
        let data = self
            .call(
                token,
                "content/init",
                Idempotency::NonIdempotent,
                "/v2/post/publish/content/init/",
                &body,
            )
            .await?;
        publish_id(&data)
    }

    /// Polls the publish status; Some(post id) once public, None when TikTok
    /// finished but did not (yet) reveal the id.
    async fn wait_published(
        &self,
        token: &str,
        publish_id: &str,
        req: &PublishRequest<'_>,
    ) -> Result<Option<String>> {
        let completed_at: Mutex<Option<Instant>> = Mutex::new(None);
        let grace = self.inner.id_grace;
        let body = json!({ "publish_id": publish_id });
        poll_until(
            P,
            "TikTok publish",
            &self.cfg().poll,
            |s| req.progress.processing(s),
            || async {
                let data = self
                    .call(
                        token,
                        "status/fetch",
                        Idempotency::Idempotent,
                        "/v2/post/publish/status/fetch/",
                        &body,
                    )
                    .await?;
                let status = data.get("status").and_then(Value::as_str).unwrap_or("");
                match status {
                    "PUBLISH_COMPLETE" => {
                        if let Some(id) = public_id(&data) {
                            return Ok(Poll::Ready(Some(id)));
                        }
                        let mut at = completed_at
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let since = *at.get_or_insert_with(Instant::now);
                        if since.elapsed() >= grace {
                            return Ok(Poll::Ready(None));
                        }
                        Ok(Poll::Pending {
                            state: "PUBLISH_COMPLETE (waiting for the public post id)".into(),
                            check_after: None,
                        })
                    }
                    "SEND_TO_USER_INBOX" => Ok(Poll::Ready(public_id(&data))),
                    "FAILED" => {
                        let reason = data
                            .get("fail_reason")
                            .and_then(Value::as_str)
                            .filter(|r| !r.is_empty())
                            .unwrap_or("unknown")
                            .to_owned();
                        Err(Error::MediaRejected {
                            platform: P,
                            reason: format!("TikTok could not publish the post: {reason}"),
                            code: Some(reason),
                        })
                    }
                    other => Ok(Poll::Pending {
                        state: if other.is_empty() {
                            "PROCESSING".into()
                        } else {
                            other.to_owned()
                        },
                        check_after: None,
                    }),
                }
            },
        )
        .await
    }

    /// The creator's recent posts: (id, title, description, create_time).
    async fn list_videos(&self, token: &str) -> Result<Vec<(String, String, String, i64)>> {
        let data = self
            .call(
                token,
                "video/list",
                Idempotency::Idempotent,
                VIDEO_LIST_PATH,
                &json!({"max_count": 20}),
            )
            .await?;
        Ok(data
            .get("videos")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| {
                let id = id_string(v.get("id")?)?;
                let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                let t = v.get("create_time").and_then(Value::as_i64).unwrap_or(0);
                Some((id, s("title"), s("video_description"), t))
            })
            .collect())
    }

    async fn find_id(
        &self,
        token: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let photo_title = post.options.tiktok.photo_title.as_deref();
        Ok(self
            .list_videos(token)
            .await?
            .into_iter()
            .find(|(_, title, desc, t)| {
                *t >= since.timestamp()
                    && (same_text(title, &post.text)
                        || same_text(desc, &post.text)
                        || photo_title.is_some_and(|p| same_text(title, p)))
            })
            .map(|(id, ..)| id))
    }
}

async fn save(req: &PublishRequest<'_>, key: &str, session: &Session) -> Result<()> {
    let v =
        serde_json::to_value(session).map_err(|e| Error::store(format!("upload session: {e}")))?;
    req.sessions.save(key, &v).await
}

fn unexpected(message: &str, data: &Value) -> Error {
    Error::Platform {
        platform: P,
        status: 200,
        code: Some("unexpected_response".into()),
        message: message.to_owned(),
        body: Some(data.to_string()),
    }
}

fn publish_id(data: &Value) -> Result<String> {
    data.get("publish_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| unexpected("init answered without publish_id", data))
}

/// A TikTok id given as a number or a string.
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first `publicaly_available_post_id` (sic), if any.
fn public_id(data: &Value) -> Option<String> {
    let v = data.get("publicaly_available_post_id")?;
    match v {
        Value::Array(a) => a.iter().find_map(id_string),
        other => id_string(other),
    }
}

/// The platform's error code of a mapped error.
fn e_code(e: &Error) -> Option<&str> {
    match e {
        Error::Platform { code, .. } | Error::MediaRejected { code, .. } => code.as_deref(),
        _ => None,
    }
}

fn post_url(username: &str, photo: bool, id: &str) -> String {
    let kind = if photo { "photo" } else { "video" };
    format!("https://www.tiktok.com/@{username}/{kind}/{id}")
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

    async fn publish(&self, req: PublishRequest<'_>) -> Result<Published> {
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
            let violations = constraints.violations(&post.options.tiktok, is_video);
            if !violations.is_empty() {
                return Err(Error::InvalidPost { violations });
            }
            let username = username(req.account, Some(&constraints))?;
            let since = Utc::now() - chrono::Duration::seconds(5);
            let started = if is_video {
                self.post_video(token, &req, &post.media[0]).await
            } else {
                self.post_photos(token, &req).await
            };
            let started = match started {
                Ok(publish_id) => Started {
                    publish_id,
                    photo: !is_video,
                },
                Err(e) if e.maybe_committed() => {
                    if let Some(p) = self.find_recent(req.account, post, since).await? {
                        return Ok(p);
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            info!(publish_id = %started.publish_id, "publishing");
            let id = match self
                .wait_published(token, &started.publish_id, &req)
                .await?
            {
                Some(id) => id,
                None => self
                    .find_id(token, post, since)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_numbers_or_strings() {
        let d = json!({"publicaly_available_post_id": [7_123_456_789_012_345_678_u64]});
        assert_eq!(public_id(&d).as_deref(), Some("7123456789012345678"));
        let d = json!({"publicaly_available_post_id": ["7123"]});
        assert_eq!(public_id(&d).as_deref(), Some("7123"));
        assert_eq!(public_id(&json!({"publicaly_available_post_id": []})), None);
        assert_eq!(public_id(&json!({})), None);
        assert_eq!(
            post_url("a.b", true, "1"),
            "https://www.tiktok.com/@a.b/photo/1"
        );
    }
}
