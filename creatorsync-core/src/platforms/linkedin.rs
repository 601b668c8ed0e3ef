//! LinkedIn client: member and organization posts through the versioned
//! REST API (`/rest/*`).
//!
//! Flow of [`LinkedInClient::publish`]:
//! 1. author: `metadata["author_urn"]`, else `urn:li:person:{id}` /
//!    `urn:li:organization:{id}` from the account kind;
//! 2. images: `POST /rest/images?action=initializeUpload` → `PUT uploadUrl`
//!    (streamed) → `GET /rest/images/{urn}` until `AVAILABLE`; 2–20 images
//!    make a `multiImage` post;
//! 3. video: `POST /rest/videos?action=initializeUpload` (`fileSizeBytes`)
//!    → `PUT` every `uploadInstructions[i]` byte range (streamed, several in
//!    flight, ETags kept in instruction order) → `POST
//!    /rest/videos?action=finalizeUpload` → `GET /rest/videos/{urn}` until
//!    `AVAILABLE` (`PROCESSING_FAILED` → [`Error::MediaRejected`]);
//!    instructions and ETags are persisted after every part, so a restarted
//!    process sends only the missing parts;
//! 4. `POST /rest/posts` (never retried blindly), id from `x-restli-id`,
//!    URL `https://www.linkedin.com/feed/update/{urn}/`.
//!
//! Every `/rest/*` call carries `LinkedIn-Version` ([`DEFAULT_VERSION`],
//! overridable by [`ClientConfig::api_version`] and per post) and
//! `X-Restli-Protocol-Version: 2.0.0`. A `426 NONEXISTENT_VERSION` answer
//! falls back once to the newest of [`KNOWN_GOOD_VERSIONS`] that differs
//! from the refused one, with a warning.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::{Instrument, info_span, warn};
use url::Url;

use super::common::{access_token, create_or_reconcile, same_text, session_key};
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::{Host, Idempotency, decode_json};
use crate::upload::{Chunk, Poll, poll_until, range_body, upload_chunks, with_chunk_retry};
use crate::{
    Error, LinkedInVisibility, Media, MediaKind, Platform, Post, Result, StoredToken, Violation,
};

/// The `LinkedIn-Version` sent unless configured otherwise.
pub const DEFAULT_VERSION: &str = "202510";

/// Versions known to work, newest first: the fallback after a
/// `426 NONEXISTENT_VERSION` (LinkedIn sunsets versions after about a year).
pub const KNOWN_GOOD_VERSIONS: &[&str] = &["202510", "202507", "202505"];

/// How far before `since` a post's `createdAt` may be and still count as
/// ours in [`LinkedInClient::find_recent`] (clock skew).
const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The LinkedIn client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LinkedInClient {
    cfg: Arc<ClientConfig>,
}

/// One account's view of the API, with the version in use.
struct Api<'a> {
    cfg: &'a ClientConfig,
    token: &'a str,
    version: Mutex<(String, bool)>,
}

impl Api<'_> {
    fn version(&self) -> (String, bool) {
        self.version
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether `url` belongs to LinkedIn (so the token may go there).
    fn trusted(&self, url: &Url) -> bool {
        let e = &self.cfg.endpoints;
        [&e.api, &e.upload, &e.auth, &e.token]
            .iter()
            .any(|b| b.origin() == url.origin())
    }

    /// Sends a request with LinkedIn's headers; falls back once to an
    /// older version when LinkedIn says the version is not active.
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
        loop {
            let (version, fell_back) = self.version();
            let result = self
                .cfg
                .http
                .send(Platform::LinkedIn, op, idem, |c| {
                    let mut rb = c
                        .request(method.clone(), url.clone())
                        .header("LinkedIn-Version", &version)
                        .header("X-Restli-Protocol-Version", "2.0.0");
                    if self.trusted(&url) {
                        rb = rb.bearer_auth(self.token);
                    }
                    with(rb)
                })
                .await;
            match result {
                Err(Error::Platform {
                    status: 426,
                    ref code,
                    ..
                }) if !fell_back && code.as_deref() == Some("NONEXISTENT_VERSION") => {
                    let Some(next) = KNOWN_GOOD_VERSIONS.iter().find(|v| **v != version) else {
                        return result;
                    };
                    warn!(refused = %version, using = %next, "LinkedIn-Version not active; falling back");
                    *self
                        .version
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) =
                        ((*next).to_owned(), true);
                }
                other => return other,
            }
        }
    }

    fn url(&self, path: &str) -> Url {
        self.cfg.endpoints.url(Host::Api, path)
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T> {
        let resp = self
            .send(op, idem, method, self.url(path), |rb| match body {
                Some(b) => rb.json(b),
                None => rb,
            })
            .await?;
        decode_json(Platform::LinkedIn, resp).await
    }
}

/// A URN for a URL path segment (`urn%3Ali%3Avideo%3A...`).
fn enc(urn: &str) -> String {
    utf8_percent_encode(urn, NON_ALPHANUMERIC).to_string()
}

/// Escapes `text` for LinkedIn's "little text format": the reserved
/// characters `| { } @ [ ] ( ) < > # \ * _ ~` get a backslash, except in
/// hashtags. A hashtag is `#` at the start or after a character that is
/// not a letter, digit or `_`, followed by one or more letters, digits or
/// `_`; it is kept as written (LinkedIn links `#word` written raw). So
/// `#rust_lang` stays, while `C#`, `# ` and `a_b` are escaped.
pub fn escape_commentary(text: &str) -> String {
    const RESERVED: &str = "|{}@[]()<>#\\*_~";
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_tag = c == '#'
            && (i == 0 || !word(chars[i - 1]))
            && chars.get(i + 1).is_some_and(|n| word(*n));
        if starts_tag {
            out.push('#');
            i += 1;
            while i < chars.len() && word(chars[i]) {
                out.push(chars[i]);
                i += 1;
            }
            continue;
        }
        if RESERVED.contains(c) {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

#[derive(Deserialize)]
struct Wrapped<T> {
    value: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageInit {
    upload_url: String,
    image: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoInit {
    video: String,
    #[serde(default)]
    upload_token: String,
    upload_instructions: Vec<Instruction>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instruction {
    upload_url: String,
    first_byte: u64,
    last_byte: u64,
}

/// The persisted state of a video upload.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct VideoSession {
    video: String,
    total: u64,
    upload_token: String,
    instructions: Vec<Instruction>,
    etags: Vec<Option<String>>,
}

/// The persisted state of an image upload (after its PUT succeeded).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ImageSession {
    image: String,
    total: u64,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

fn visibility(v: LinkedInVisibility) -> &'static str {
    match v {
        LinkedInVisibility::Public => "PUBLIC",
        LinkedInVisibility::Connections => "CONNECTIONS",
        LinkedInVisibility::LoggedIn => "LOGGED_IN",
    }
}

fn unexpected(message: String) -> Error {
    Error::Platform {
        platform: Platform::LinkedIn,
        status: 200,
        code: Some("unexpected_response".into()),
        message,
        body: None,
    }
}

impl LinkedInClient {
    /// A client over `cfg` (LinkedIn endpoints; `api_version` overrides
    /// [`DEFAULT_VERSION`]).
    pub fn new(cfg: ClientConfig) -> Self {
        Self { cfg: Arc::new(cfg) }
    }

    fn api<'a>(&'a self, account: &'a StoredToken, post: Option<&Post>) -> Result<Api<'a>> {
        let version = post
            .and_then(|p| p.options.linkedin.api_version.clone())
            .or_else(|| self.cfg.api_version.clone())
            .unwrap_or_else(|| DEFAULT_VERSION.to_owned());
        Ok(Api {
            cfg: &self.cfg,
            token: access_token(Platform::LinkedIn, account)?,
            version: Mutex::new((version, false)),
        })
    }

    /// The author URN of `account`.
    pub fn author(account: &StoredToken) -> String {
        if let Some(urn) = account.metadata.get("author_urn").filter(|u| !u.is_empty()) {
            return urn.clone();
        }
        match account.profile.kind.as_deref() {
            Some("organization") => format!("urn:li:organization:{}", account.key.account_id),
            _ => format!("urn:li:person:{}", account.key.account_id),
        }
    }

    /// Polls `GET /rest/{kind}/{urn}` until `AVAILABLE`.
    async fn wait_available(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        kind: &str,
        urn: &str,
    ) -> Result<()> {
        let path = format!("/rest/{kind}/{}", enc(urn));
        poll_until(
            Platform::LinkedIn,
            kind,
            &self.cfg.poll,
            |s| req.progress.processing(s),
            || async {
                let s: Status = api
                    .json(
                        "media.status",
                        Idempotency::Idempotent,
                        Method::GET,
                        &path,
                        None,
                    )
                    .await?;
                match s.status.as_str() {
                    "AVAILABLE" => Ok(Poll::Ready(())),
                    "PROCESSING_FAILED" => Err(Error::MediaRejected {
                        platform: Platform::LinkedIn,
                        reason: format!("LinkedIn could not process {urn}"),
                        code: Some("PROCESSING_FAILED".into()),
                    }),
                    other => Ok(Poll::Pending {
                        state: other.to_owned(),
                        check_after: None,
                    }),
                }
            },
        )
        .await
    }

    /// PUTs `[offset, offset + len)` of `media` to an upload URL; returns
    /// the part's ETag.
    async fn put_part(
        &self,
        api: &Api<'_>,
        url: &str,
        media: &Media,
        c: Chunk,
    ) -> Result<Option<String>> {
        let url =
            Url::parse(url).map_err(|e| unexpected(format!("upload URL is not a URL: {e}")))?;
        let source = media.source();
        let piece = self.cfg.upload.piece_size;
        let resp = api
            .send(
                "media.put",
                Idempotency::Idempotent,
                Method::PUT,
                url,
                |rb| {
                    rb.header("content-type", "application/octet-stream")
                        .header("content-length", c.len)
                        .body(range_body(source.clone(), c.offset, c.len, piece))
                },
            )
            .await?;
        Ok(resp
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }

    async fn upload_image(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        index: usize,
    ) -> Result<String> {
        let media = &req.post.media[index];
        let key = session_key(req, index);
        let total = media.info().len;
        let saved = req
            .sessions
            .load(&key)
            .await?
            .and_then(|v| serde_json::from_value::<ImageSession>(v).ok())
            .filter(|s| s.total == total);
        let image = match saved {
            Some(s) => s.image,
            None => {
                let body = json!({ "initializeUploadRequest": { "owner": author } });
                let init: Wrapped<ImageInit> = api
                    .json(
                        "images.initialize",
                        Idempotency::Idempotent,
                        Method::POST,
                        "/rest/images?action=initializeUpload",
                        Some(&body),
                    )
                    .await?;
                let whole = Chunk {
                    index: 0,
                    offset: 0,
                    len: total,
                };
                with_chunk_retry(&self.cfg.upload, whole, |c| {
                    self.put_part(api, &init.value.upload_url, media, c)
                })
                .await?;
                req.progress.uploading(total, total);
                let s = ImageSession {
                    image: init.value.image,
                    total,
                };
                req.sessions
                    .save(&key, &serde_json::to_value(&s).unwrap_or(Value::Null))
                    .await?;
                s.image
            }
        };
        self.wait_available(api, req, "images", &image).await?;
        req.sessions.remove(&key).await?;
        Ok(image)
    }

    async fn upload_video(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        index: usize,
    ) -> Result<String> {
        let media = &req.post.media[index];
        let key = session_key(req, index);
        let total = media.info().len;
        let saved = req
            .sessions
            .load(&key)
            .await?
            .and_then(|v| serde_json::from_value::<VideoSession>(v).ok())
            .filter(|s| s.total == total && s.etags.len() == s.instructions.len());
        let session = match saved {
            Some(s) => s,
            None => {
                let body = json!({ "initializeUploadRequest": {
                    "owner": author,
                    "fileSizeBytes": total,
                    "uploadCaptions": false,
                    "uploadThumbnail": false,
                }});
                let init: Wrapped<VideoInit> = api
                    .json(
                        "videos.initialize",
                        Idempotency::Idempotent,
                        Method::POST,
                        "/rest/videos?action=initializeUpload",
                        Some(&body),
                    )
                    .await?;
                let v = init.value;
                let s = VideoSession {
                    video: v.video,
                    total,
                    upload_token: v.upload_token,
                    etags: vec![None; v.upload_instructions.len()],
                    instructions: v.upload_instructions,
                };
                req.sessions
                    .save(&key, &serde_json::to_value(&s).unwrap_or(Value::Null))
                    .await?;
                s
            }
        };
        let mut chunks = Vec::new();
        let mut done = 0;
        for (i, ins) in session.instructions.iter().enumerate() {
            if ins.last_byte < ins.first_byte || ins.last_byte >= total {
                return Err(unexpected(format!(
                    "upload instruction {i} covers bytes {}-{} of a {total}-byte file",
                    ins.first_byte, ins.last_byte
                )));
            }
            let c = Chunk {
                index: i as u64,
                offset: ins.first_byte,
                len: ins.last_byte - ins.first_byte + 1,
            };
            if session.etags[i].is_some() {
                done += c.len;
            } else {
                chunks.push(c);
            }
        }
        let state = tokio::sync::Mutex::new(session);
        let urls: Vec<String> = state
            .lock()
            .await
            .instructions
            .iter()
            .map(|i| i.upload_url.clone())
            .collect();
        upload_chunks(
            &self.cfg.upload,
            chunks,
            total,
            done,
            &req.progress,
            |c: Chunk| {
                let (state, urls, key) = (&state, &urls, &key);
                async move {
                    let i = usize::try_from(c.index).unwrap_or(usize::MAX);
                    let url = urls
                        .get(i)
                        .ok_or_else(|| unexpected("missing upload instruction".into()))?;
                    let etag = self.put_part(api, url, media, c).await?.ok_or_else(|| {
                        unexpected(format!("LinkedIn answered part {i} without an ETag"))
                    })?;
                    let mut s = state.lock().await;
                    s.etags[i] = Some(etag);
                    req.sessions
                        .save(key, &serde_json::to_value(&*s).unwrap_or(Value::Null))
                        .await
                }
            },
        )
        .await?;
        let session = state.into_inner();
        let etags: Vec<String> = session.etags.iter().flatten().cloned().collect();
        let body = json!({ "finalizeUploadRequest": {
            "video": session.video,
            "uploadToken": session.upload_token,
            "uploadedPartIds": etags,
        }});
        api.send(
            "videos.finalize",
            Idempotency::Idempotent,
            Method::POST,
            api.url("/rest/videos?action=finalizeUpload"),
            |rb| rb.json(&body),
        )
        .await?;
        self.wait_available(api, req, "videos", &session.video)
            .await?;
        req.sessions.remove(&key).await?;
        Ok(session.video)
    }

    /// The `content` of the post, uploading its media.
    async fn content(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
    ) -> Result<Option<Value>> {
        let media = &req.post.media;
        let alt = |m: &Media| m.alt_text().unwrap_or_default().to_owned();
        match media.as_slice() {
            [] => Ok(None),
            [v] if v.kind() == MediaKind::Video => {
                let urn = self
                    .upload_video(api, req, author, 0)
                    .instrument(info_span!("upload", kind = "video", len = v.info().len))
                    .await?;
                let title = req
                    .post
                    .options
                    .linkedin
                    .video_title
                    .clone()
                    .unwrap_or_else(|| {
                        req.post
                            .text
                            .lines()
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .take(200)
                            .collect()
                    });
                Ok(Some(json!({ "media": { "id": urn, "title": title } })))
            }
            items if items.iter().any(|m| m.kind() == MediaKind::Video) => {
                Err(Error::InvalidPost {
                    violations: vec![Violation {
                        platform: Some(Platform::LinkedIn),
                        field: "media".into(),
                        code: "video_with_other_media".into(),
                        message: "a LinkedIn post holds one video alone, or 1-20 images".into(),
                    }],
                })
            }
            items => {
                let mut images = Vec::with_capacity(items.len());
                for (i, m) in items.iter().enumerate() {
                    let urn = self
                        .upload_image(api, req, author, i)
                        .instrument(info_span!(
                            "upload",
                            index = i,
                            kind = "image",
                            len = m.info().len
                        ))
                        .await?;
                    images.push(json!({ "id": urn, "altText": alt(m) }));
                }
                Ok(Some(if images.len() == 1 {
                    json!({ "media": images[0] })
                } else {
                    json!({ "multiImage": { "images": images } })
                }))
            }
        }
    }

    async fn create(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        content: Option<Value>,
    ) -> Result<Published> {
        let mut body = json!({
            "author": author,
            "commentary": escape_commentary(&req.post.text),
            "visibility": visibility(req.post.options.linkedin.visibility),
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        if let Some(c) = content {
            body["content"] = c;
        }
        let resp = api
            .send(
                "posts.create",
                Idempotency::NonIdempotent,
                Method::POST,
                api.url("/rest/posts"),
                |rb| rb.json(&body),
            )
            .await?;
        let urn = resp
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                unexpected("LinkedIn created the post but sent no x-restli-id".into())
            })?;
        Ok(published(urn))
    }
}

fn published(urn: String) -> Published {
    Published {
        url: format!("https://www.linkedin.com/feed/update/{urn}/"),
        post_id: urn,
    }
}

#[async_trait]
impl PlatformClient for LinkedInClient {
    fn platform(&self) -> Platform {
        Platform::LinkedIn
    }

    async fn publish(&self, req: PublishRequest<'_>) -> Result<Published> {
        let span = info_span!("publish", platform = "linkedin", account = %req.account.key.account_id, media = req.post.media.len());
        async {
            let since = Utc::now();
            let api = self.api(req.account, Some(req.post))?;
            let author = Self::author(req.account);
            let content = self.content(&api, &req, &author).await?;
            create_or_reconcile(
                self,
                req.account,
                req.post,
                since,
                self.create(&api, &req, &author, content),
            )
            .await
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
        let path = format!(
            "/rest/posts?q=author&author={}&count=10",
            enc(&Self::author(account))
        );
        let v: Value = api
            .json(
                "posts.recent",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                None,
            )
            .await?;
        let escaped = escape_commentary(&post.text);
        let earliest = since - chrono::Duration::from_std(CLOCK_SKEW).unwrap_or_default();
        let found = v
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| {
                let text = e
                    .get("commentary")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let recent = e
                    .get("createdAt")
                    .and_then(Value::as_i64)
                    .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                    .is_none_or(|at| at >= earliest);
                recent && (same_text(text, &escaped) || same_text(text, &post.text))
            })
            .and_then(|e| e.get("id").and_then(Value::as_str))
            .map(|id| published(id.to_owned()));
        Ok(found)
    }

    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        let api = self.api(account, None)?;
        let url = api.url(&format!("/rest/posts/{}", enc(post_id)));
        api.send(
            "posts.delete",
            Idempotency::Idempotent,
            Method::DELETE,
            url,
            |rb| rb.header("X-RestLi-Method", "DELETE"),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commentary_escapes_reserved_but_keeps_hashtags() {
        assert_eq!(
            escape_commentary("Hello (world) #rust_lang!"),
            "Hello \\(world\\) #rust_lang!"
        );
        assert_eq!(escape_commentary("C# and a_b @x"), "C\\# and a\\_b \\@x");
        assert_eq!(escape_commentary("#"), "\\#");
        assert_eq!(escape_commentary("#tag1 #tag2"), "#tag1 #tag2");
        assert_eq!(
            escape_commentary("a\\b*c~d|e{f}g[h]i<j>"),
            "a\\\\b\\*c\\~d\\|e\\{f\\}g\\[h\\]i\\<j\\>"
        );
    }
}
