//! Page videos through Meta's Resumable Upload API: a session opened
//! with the user token (`POST /{app-id}/uploads`), the bytes sent to
//! `upload:<id>` from the server's `file_offset` (the shared resumable
//! driver; the session persisted so a restarted publish resumes where the
//! server is), then the file handle published on the Page with the Page
//! token (`POST /{page}/videos` `fbuploader_video_file_chunk`) and the
//! processing status awaited.
//!
//! Sources (read 2026-12): developers.facebook.com/docs/graph-api/guides/upload,
//! developers.facebook.com/documentation/video-api/guides/publishing.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{debug, info};
use url::Url;

use super::api::{Api, offset, with_query};
use super::{Facebook, FacebookClient};
use crate::http::{Host, Idempotency, RetryConfig};
use crate::platforms::common::upload_session;
use crate::platforms::meta::Graph;
use crate::platforms::{PublishRequest, Published};
use crate::upload::{
    Poll, Resumable, ServerOffset, Stored, poll_until, range_body, upload_resumable,
};
use crate::{Credential, Error, Media, MediaSource, Platform, Result};

/// The persisted state of a video upload: the Resumable Upload API
/// session, and the file handle once the server holds every byte.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct FileSession {
    /// `upload:<id>`.
    upload: String,
    total: u64,
    #[serde(default)]
    handle: Option<String>,
}

/// The user token a Page row keeps for the Resumable Upload API.
pub(super) fn user_token(req: &PublishRequest<'_>) -> Result<String> {
    match &req.account.credential {
        Credential::OAuth2 {
            user_token: Some(t),
            ..
        } => Ok(t.expose().clone()),
        // Not ReauthRequired: that would flag the account and stop its text
        // and photo posts too, which still work.
        _ => Err(Error::Unsupported {
            platform: Platform::Facebook,
            message: format!(
                "Page {} was connected before Page videos moved to the Resumable Upload API and keeps no user token; reconnect it to publish videos (text and photos work as they are)",
                req.account.key.account_id
            ),
        }),
    }
}

impl FacebookClient {
    /// Uploads the video, publishes it on the Page, waits for processing.
    pub(super) async fn video(&self, api: &Api<'_>, req: &PublishRequest<'_>) -> Result<Published> {
        let media = &req.post.media[0];
        let user = user_token(req)?;
        let version = req
            .post
            .options
            .facebook
            .api_version
            .as_deref()
            .or(self.cfg.api_version.as_deref());
        let user = Graph::new(
            &self.cfg.http,
            &self.cfg.endpoints,
            &Facebook,
            self.cfg.client_secret.expose(),
            &user,
            version,
        );
        let handle = self.upload_file(&user, req, media).await?;
        let title = req
            .post
            .options
            .facebook
            .video_title
            .clone()
            .unwrap_or_default();
        let description = crate::platforms::content::text(Platform::Facebook, req.post)?;
        let form = [
            ("fbuploader_video_file_chunk", handle.as_str()),
            ("title", title.as_str()),
            ("description", description.as_str()),
            ("published", "true"),
        ];
        let url = api.url(Host::Api, &format!("/{}/videos", api.page));
        let publish = api.graph.json::<Value, _>(
            "videos.publish",
            Idempotency::NonIdempotent,
            Method::POST,
            url,
            |rb| rb.form(&form),
        );
        // This POST creates the Page video (and its post).
        let v = req.commit.create(None, publish).await?;
        let video_id = v
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::unexpected_response(
                    Platform::Facebook,
                    None,
                    "the published video has no id",
                    Some(&v.to_string()),
                )
            })?;
        req.commit.acknowledged(&video_id).await?;
        upload_session::<FileSession>(req, 0).remove().await?;
        self.wait_ready(api, req, &video_id).await?;
        self.video_permalink(api, &video_id).await
    }

    /// The page post made of the video when Graph names it, else the video.
    pub(super) async fn video_permalink(&self, api: &Api<'_>, video_id: &str) -> Result<Published> {
        let url = with_query(
            api.url(Host::Api, &format!("/{video_id}")),
            &[("fields", "post_id")],
        );
        let v: Value = api
            .graph
            .json(
                "videos.post",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let post_id = v["post_id"].as_str().filter(|p| !p.is_empty());
        api.permalink(post_id.unwrap_or(video_id)).await
    }

    /// The file handle of `media` on the Resumable Upload API: a saved
    /// session resumes from the server's offset (a refused one is replaced
    /// by a new session), a new one starts at byte 0.
    async fn upload_file(
        &self,
        user: &Graph<'_>,
        req: &PublishRequest<'_>,
        media: &Media,
    ) -> Result<String> {
        let stored = upload_session::<FileSession>(req, 0);
        let total = media.info().len;
        let saved = stored.load().await?.filter(|s| s.total == total);
        if let Some(handle) = saved.as_ref().and_then(|s| s.handle.clone()) {
            return Ok(handle);
        }
        let protocol = |s: &FileSession| FileOffset {
            user,
            url: user.url(Host::Api, &format!("/{}", s.upload)),
            source: media.source().clone(),
            chunk: self.cfg.upload.chunk_size.max(1),
            piece: self.cfg.upload.piece_size,
        };
        let resumed = match saved {
            Some(s) => match protocol(&s).query(total).await {
                Ok(at) => Some((s, at)),
                Err(Error::Platform {
                    status: 400..=499, ..
                }) => {
                    debug!("saved Facebook upload session refused; starting a new one");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let (mut session, offset) = match resumed {
            Some((s, ServerOffset::Done(h))) => (s, Err(h)),
            Some((s, ServerOffset::Incomplete(n))) => {
                info!(offset = n, "resuming the persisted Facebook upload");
                (s, Ok(n))
            }
            None => (self.open_session(user, &stored, media).await?, Ok(0)),
        };
        let handle = match offset {
            Err(h) => h,
            Ok(offset) => {
                let p = protocol(&session);
                upload_resumable(&p, &self.cfg.upload, &req.progress, offset, total).await?
            }
        };
        session.handle = Some(handle.clone());
        stored.save(&session).await?;
        Ok(handle)
    }

    /// `POST /{app-id}/uploads` with the user token.
    async fn open_session(
        &self,
        user: &Graph<'_>,
        stored: &Stored<'_, FileSession>,
        media: &Media,
    ) -> Result<FileSession> {
        let total = media.info().len;
        let v = user
            .post(
                "videos.upload_session",
                Idempotency::Idempotent,
                &format!("/{}/uploads", self.cfg.client_id),
                vec![
                    ("file_name", "video.mp4".to_owned()),
                    ("file_length", total.to_string()),
                    // The API takes video/mp4 only among video types.
                    ("file_type", "video/mp4".to_owned()),
                ],
            )
            .await?;
        let upload = v
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| id.starts_with("upload:"))
            .ok_or_else(|| {
                Error::unexpected_response(
                    Platform::Facebook,
                    None,
                    "the upload session has no upload:<id>",
                    Some(&v.to_string()),
                )
            })?;
        let s = FileSession {
            upload: upload.to_owned(),
            total,
            handle: None,
        };
        stored.save(&s).await?;
        Ok(s)
    }

    pub(super) async fn wait_ready(
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
                    .graph
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

/// The Resumable Upload API on one session: `POST upload:<id>` of a range
/// with `file_offset` (the user token in `Authorization: OAuth`), and
/// `GET upload:<id>` answering `file_offset`.
struct FileOffset<'g, 'a> {
    user: &'g Graph<'a>,
    url: Url,
    source: Arc<dyn MediaSource>,
    chunk: u64,
    piece: u64,
}

impl FileOffset<'_, '_> {
    /// The answer as a server offset: the handle `h` once complete.
    fn answer(v: &Value, total: u64) -> Result<ServerOffset<String>> {
        if let Some(h) = v.get("h").and_then(Value::as_str) {
            return Ok(ServerOffset::Done(h.to_owned()));
        }
        let at = offset(&v["file_offset"])?;
        if at > total {
            return Err(Error::unexpected_response(
                Platform::Facebook,
                None,
                &format!("the server holds {at} bytes of a {total}-byte file"),
                Some(&v.to_string()),
            ));
        }
        Ok(ServerOffset::Incomplete(at))
    }

    async fn post(&self, offset: u64, len: u64) -> Result<Value> {
        let (token, source, piece) = (self.user.token(), &self.source, self.piece);
        let url = self.proof_url();
        let resp = self
            .user
            .send_with(
                &RetryConfig::disabled(),
                "videos.upload",
                Idempotency::Idempotent,
                Method::POST,
                url,
                |rb| {
                    rb.header(AUTHORIZATION, format!("OAuth {token}"))
                        .header("file_offset", offset)
                        .header(CONTENT_TYPE, "application/octet-stream")
                        .header(CONTENT_LENGTH, len)
                        .body(range_body(source.clone(), offset, len, piece))
                },
            )
            .await?;
        self.user.decode(resp).await
    }

    /// The session URL with `appsecret_proof` (the token travels in the
    /// header).
    fn proof_url(&self) -> Url {
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("appsecret_proof", self.user.proof());
        url
    }
}

#[async_trait]
impl Resumable for FileOffset<'_, '_> {
    type Done = String;

    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn next_len(&self, offset: u64, total: u64) -> u64 {
        self.chunk.min(total - offset)
    }

    async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<String>> {
        let v = self.post(offset, len).await?;
        Self::answer(&v, total)
    }

    async fn query(&self, total: u64) -> Result<ServerOffset<String>> {
        let token = self.user.token();
        let resp = self
            .user
            .send(
                "videos.upload_offset",
                Idempotency::Idempotent,
                Method::GET,
                self.proof_url(),
                |rb| rb.header(AUTHORIZATION, format!("OAuth {token}")),
            )
            .await?;
        let v: Value = self.user.decode(resp).await?;
        match Self::answer(&v, total)? {
            // Every byte is there but the handle was lost with the last
            // answer: an empty send at the end asks for it again.
            ServerOffset::Incomplete(at) if at == total => {
                let v = self.post(total, 0).await?;
                Self::answer(&v, total)
            }
            other => Ok(other),
        }
    }
}
