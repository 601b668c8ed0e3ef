//! Facebook Pages client. The account is the page: its credential is the
//! page access token and `account_id` the page id.
//!
//! Flow of [`FacebookClient::publish`] (Graph API, version in the path):
//! - text (+ `options.facebook.link`): `POST /{page}/feed`;
//! - one photo: `POST /{page}/photos` with `url` when the source has a
//!   public URL, else multipart `source` streamed from the media source;
//! - several photos: each `POST /{page}/photos` with `published=false`,
//!   then `POST /{page}/feed` with `attached_media`;
//! - video: resumable upload on the video host: `upload_phase=start`
//!   (`file_size`) → `transfer` of exactly the byte range the server asks
//!   for (`start_offset`..`end_offset`, multipart `video_file_chunk`
//!   streamed; each transfer retried from its own offset; session id and
//!   next range persisted after every transfer) → `finish` (title,
//!   description, published) → `GET /{video}?fields=status` until `ready`;
//! - the URL is always the post's `permalink_url`.
//!
//! Every call carries `access_token` and `appsecret_proof` (query
//! parameters). The create call is never retried blindly; a lost answer is
//! reconciled with [`FacebookClient::find_recent`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use reqwest::multipart::Form;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{Instrument, debug, info_span};
use url::Url;

use super::common::{
    access_token, appsecret_proof, create_or_reconcile, same_text, session_key, streamed_part,
};
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::{Host, Idempotency, decode_json};
use crate::upload::{Chunk, Poll, poll_until, with_chunk_retry};
use crate::{Error, Media, MediaKind, Platform, Post, Result, StoredToken, Violation};

/// The Graph API version used unless configured otherwise.
pub const DEFAULT_GRAPH_VERSION: &str = "v21.0";

/// Where relative permalinks (videos) are resolved.
const WEB_BASE: &str = "https://www.facebook.com";

/// How far before `since` a post's `created_time` may be and still count
/// as ours in [`FacebookClient::find_recent`] (clock skew).
const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The Facebook Pages client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FacebookClient {
    cfg: Arc<ClientConfig>,
}

/// One page's view of the Graph API.
struct Api<'a> {
    cfg: &'a ClientConfig,
    token: &'a str,
    proof: String,
    version: String,
    page: &'a str,
}

impl Api<'_> {
    /// `/{version}{path}` on `host`, with the token and its proof.
    fn url(&self, host: Host, path: &str) -> Url {
        let mut url = self
            .cfg
            .endpoints
            .url(host, &format!("/{}{path}", self.version));
        url.query_pairs_mut()
            .append_pair("access_token", self.token)
            .append_pair("appsecret_proof", &self.proof);
        url
    }

    async fn send<F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        self.cfg
            .http
            .send(Platform::Facebook, op, idem, |c| {
                with(c.request(method.clone(), url.clone()))
            })
            .await
    }

    async fn json<T: serde::de::DeserializeOwned, F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<T>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        decode_json(
            Platform::Facebook,
            self.send(op, idem, method, url, with).await?,
        )
        .await
    }

    /// `/{page}/videos?upload_phase={phase}` on the video host (the phase
    /// in the query keeps each phase's requests apart in logs).
    fn video_phase(&self, phase: &str) -> Url {
        let url = self.url(Host::Upload, &format!("/{}/videos", self.page));
        with_query(url, &[("upload_phase", phase)])
    }

    /// The post's `permalink_url`, made absolute.
    async fn permalink(&self, post_id: &str) -> Result<Published> {
        #[derive(Deserialize)]
        struct P {
            #[serde(default)]
            permalink_url: Option<String>,
        }
        let url = self.url(Host::Api, &format!("/{post_id}"));
        let url = with_query(url, &[("fields", "permalink_url")]);
        let p: P = self
            .json(
                "post.permalink",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let link = p.permalink_url.filter(|l| !l.is_empty()).ok_or_else(|| {
            unexpected(format!(
                "post {post_id} was created but Facebook returned no permalink_url"
            ))
        })?;
        let url = if link.starts_with('/') {
            format!("{WEB_BASE}{link}")
        } else {
            link
        };
        Ok(Published {
            post_id: post_id.to_owned(),
            url,
        })
    }
}

fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

fn unexpected(message: String) -> Error {
    Error::Platform {
        platform: Platform::Facebook,
        status: 200,
        code: Some("unexpected_response".into()),
        message,
        body: None,
    }
}

/// Graph sends offsets as strings (sometimes numbers).
fn offset(v: &Value) -> Result<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| unexpected(format!("offset {v} is not a number")))
}

#[derive(Deserialize)]
struct Created {
    id: String,
    #[serde(default)]
    post_id: Option<String>,
}

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
    /// A client over `cfg` (Facebook endpoints; `client_secret` is the app
    /// secret for `appsecret_proof`; `api_version` overrides
    /// [`DEFAULT_GRAPH_VERSION`]).
    pub fn new(cfg: ClientConfig) -> Self {
        Self { cfg: Arc::new(cfg) }
    }

    fn api<'a>(&'a self, account: &'a StoredToken, post: Option<&Post>) -> Result<Api<'a>> {
        let token = access_token(Platform::Facebook, account)?;
        let version = post
            .and_then(|p| p.options.facebook.api_version.clone())
            .or_else(|| self.cfg.api_version.clone())
            .unwrap_or_else(|| DEFAULT_GRAPH_VERSION.to_owned());
        Ok(Api {
            cfg: &self.cfg,
            token,
            proof: appsecret_proof(self.cfg.client_secret.expose(), token),
            version,
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
        if let Some(public) = media.source().public_url() {
            let mut form = vec![("url", public.as_str()), ("published", published)];
            if let Some(c) = caption {
                form.push(("message", c));
            }
            return api
                .json(op, idem, Method::POST, url, |rb| rb.form(&form))
                .await;
        }
        let (source, len, piece) = (media.source(), media.info().len, self.cfg.upload.piece_size);
        let mime = media.info().mime.clone();
        api.json(op, idem, Method::POST, url, |rb| {
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
            rb.multipart(form)
        })
        .await
    }

    /// `POST /{page}/feed` with `message`, `link` and attached photos.
    async fn feed(&self, api: &Api<'_>, post: &Post, attached: &[String]) -> Result<Published> {
        let url = api.url(Host::Api, &format!("/{}/feed", api.page));
        let mut body = json!({ "message": post.text, "published": true });
        if let Some(link) = &post.options.facebook.link {
            body["link"] = json!(link);
        }
        if !attached.is_empty() {
            body["attached_media"] = attached
                .iter()
                .map(|id| json!({ "media_fbid": id }))
                .collect();
        }
        let c: Created = api
            .json(
                "feed.create",
                Idempotency::NonIdempotent,
                Method::POST,
                url,
                |rb| rb.json(&body),
            )
            .await?;
        api.permalink(&c.id).await
    }

    /// Resumable upload of a video, then `finish` (which publishes it).
    async fn video(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        since: DateTime<Utc>,
    ) -> Result<Published> {
        let media = &req.post.media[0];
        let key = session_key(req, 0);
        let total = media.info().len;
        let saved = req
            .sessions
            .load(&key)
            .await?
            .and_then(|v| serde_json::from_value::<VideoSession>(v).ok())
            .filter(|s| s.total == total);
        let resumed = saved.is_some();
        let session = match saved {
            Some(s) => s,
            None => self.video_start(api, req, &key, total).await?,
        };
        let session = match self.transfer(api, req, &key, media, session).await {
            Err(Error::Platform {
                status: 400..=499, ..
            }) if resumed => {
                debug!("saved Facebook upload session refused; starting a new one");
                let s = self.video_start(api, req, &key, total).await?;
                self.transfer(api, req, &key, media, s).await?
            }
            other => other?,
        };
        let video_id = session.video_id.clone();
        let finish = async {
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
            let url = api.video_phase("finish");
            api.send(
                "videos.finish",
                Idempotency::NonIdempotent,
                Method::POST,
                url,
                |rb| rb.form(&form),
            )
            .await?;
            req.sessions.remove(&key).await?;
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
        };
        create_or_reconcile(self, req.account, req.post, since, finish).await
    }

    async fn video_start(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        key: &str,
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
                .ok_or_else(|| unexpected(format!("start answer lacks {k}")))
        };
        let s = VideoSession {
            video_id: text("video_id")?,
            upload_session_id: text("upload_session_id")?,
            total,
            start: offset(&v["start_offset"])?,
            end: offset(&v["end_offset"])?,
        };
        req.sessions
            .save(key, &serde_json::to_value(&s).unwrap_or(Value::Null))
            .await?;
        Ok(s)
    }

    /// Sends the ranges the server asks for until it says the file is whole.
    async fn transfer(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        key: &str,
        media: &Media,
        mut s: VideoSession,
    ) -> Result<VideoSession> {
        let url = api.video_phase("transfer");
        let (source, piece) = (media.source(), self.cfg.upload.piece_size);
        let mut index = 0;
        while s.start < s.end {
            if s.end > s.total {
                return Err(unexpected(format!(
                    "asked for bytes {}..{} of a {}-byte file",
                    s.start, s.end, s.total
                )));
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
                return Err(unexpected(format!(
                    "the server asked for offset {start} again after {}",
                    s.start
                )));
            }
            s.start = start;
            s.end = end;
            index += 1;
            req.progress.uploading(start.min(s.total), s.total);
            req.sessions
                .save(key, &serde_json::to_value(&s).unwrap_or(Value::Null))
                .await?;
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

    async fn publish_inner(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        since: DateTime<Utc>,
    ) -> Result<Published> {
        let post = req.post;
        let caption = Some(post.text.as_str()).filter(|t| !t.is_empty());
        match post.media.as_slice() {
            [] => {
                create_or_reconcile(self, req.account, post, since, self.feed(api, post, &[])).await
            }
            [v] if v.kind() == MediaKind::Video => self.video(api, req, since).await,
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
            [photo] => {
                let create = async {
                    let c = self.photo(api, photo, caption, true).await?;
                    req.progress.uploading(photo.info().len, photo.info().len);
                    api.permalink(c.post_id.as_deref().unwrap_or(&c.id)).await
                };
                create_or_reconcile(self, req.account, post, since, create).await
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
                create_or_reconcile(self, req.account, post, since, self.feed(api, post, &ids))
                    .await
            }
        }
    }
}

#[async_trait]
impl PlatformClient for FacebookClient {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    async fn publish(&self, req: PublishRequest<'_>) -> Result<Published> {
        let span = info_span!("publish", platform = "facebook", account = %req.account.key.account_id, media = req.post.media.len());
        async {
            let since = Utc::now();
            let api = self.api(req.account, Some(req.post))?;
            self.publish_inner(&api, &req, since).await
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
        let api = self.api(account, Some(post))?;
        let url = with_query(
            api.url(Host::Api, &format!("/{}/feed", api.page)),
            &[("fields", "id,message,created_time"), ("limit", "10")],
        );
        let v: Value = api
            .json(
                "feed.recent",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let earliest = since - chrono::Duration::from_std(CLOCK_SKEW).unwrap_or_default();
        let found = v
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| {
                let text = p.get("message").and_then(Value::as_str).unwrap_or_default();
                let recent = p
                    .get("created_time")
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z").ok())
                    .is_none_or(|at| at.with_timezone(&Utc) >= earliest);
                recent && same_text(text, &post.text)
            })
            .and_then(|p| p.get("id").and_then(Value::as_str).map(str::to_owned));
        match found {
            Some(id) => Ok(Some(api.permalink(&id).await?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        let api = self.api(account, None)?;
        let id = percent_encoding::utf8_percent_encode(post_id, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        let url = api.url(Host::Api, &format!("/{id}"));
        api.send(
            "post.delete",
            Idempotency::Idempotent,
            Method::DELETE,
            url,
            |rb| rb,
        )
        .await?;
        Ok(())
    }
}
