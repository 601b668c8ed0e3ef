//! X (Twitter) client: text posts with up to 4 images, one GIF or one video.
//!
//! Flow of [`XClient::publish`]:
//! 1. every media item goes through the v2 chunked upload:
//!    `POST /2/media/upload/initialize` (JSON `media_type`, `total_bytes`,
//!    `media_category`) → `POST /2/media/upload/{id}/append` (multipart
//!    `segment_index` + `media`, streamed from the source, several segments
//!    in flight: X accepts APPENDs in any order) → `POST
//!    /2/media/upload/{id}/finalize` → `GET /2/media/upload?command=STATUS`
//!    until `succeeded`, honouring `check_after_secs`;
//! 2. alt text via `POST /2/media/metadata`;
//! 3. `POST /2/tweets` (never retried blindly: a lost answer is reconciled
//!    with [`XClient::find_recent`]);
//! 4. URL `https://x.com/{handle}/status/{id}`.
//!
//! The upload session (media id, segment size, acknowledged segments) is
//! persisted in [`PublishRequest::sessions`] after every acknowledged
//! segment, so a restarted process re-sends only the missing segments.
//!
//! Auth: OAuth 2.0 bearer, or OAuth 1.0a user tokens signed with the app's
//! consumer ([`ClientConfig::consumer`]); JSON and multipart bodies are not
//! part of the signature, query parameters are.

mod accounts;
mod analytics;
mod content;
mod errors;
mod limits;
mod manage;
mod media;
mod module;
mod oauth1;

pub use analytics::CACHE_TTL as X_METRICS_CACHE_TTL;
pub(crate) use module::X;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::{Instrument, info_span};
use url::Url;

use super::common::Listed;
use super::content::text as content_text;
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::auth::OAuth1Signer;
use crate::http::{Host, Idempotency, decode_json};
use crate::{Credential, Error, Platform, Post, Result, StoredToken};

/// X's documented limit for one APPEND segment: 5 MB. Segments are
/// `min(config.upload.chunk_size, X_MAX_APPEND)` (4 MiB with the default
/// [`crate::upload::UploadConfig`]); [`XClient::with_max_append`] raises
/// the cap for servers known to accept more (the emulator in benchmarks).
pub const X_MAX_APPEND: u64 = 5 * 1000 * 1000;

/// The X client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct XClient {
    cfg: Arc<ClientConfig>,
    max_append: u64,
    /// Recent metrics reads (X bills reads per post).
    metrics_cache: Arc<analytics::Cache>,
}

/// How requests of one account are authorized.
enum Auth {
    Bearer(String),
    /// Consumer + user token, HMAC key state computed once per publish.
    OAuth1(OAuth1Signer),
}

impl Auth {
    fn of(cfg: &ClientConfig, account: &StoredToken) -> Result<Self> {
        match &account.credential {
            Credential::OAuth2 { access, .. } => Ok(Auth::Bearer(access.expose().clone())),
            Credential::OAuth1 { token, secret } => {
                let (key, consumer_secret) = cfg.consumer.as_ref().ok_or_else(|| {
                    Error::Config(
                        "x: the account holds an OAuth 1.0a token but ClientConfig.consumer \
                         (consumer key and secret) is not set"
                            .into(),
                    )
                })?;
                Ok(Auth::OAuth1(
                    OAuth1Signer::new(key.clone(), consumer_secret.expose())
                        .with_token(token.expose(), secret.expose()),
                ))
            }
        }
    }

    /// The `Authorization` header for `method url` (query included in the
    /// OAuth 1.0a signature; bodies never are: JSON and multipart only).
    fn header(&self, method: &Method, url: &Url) -> String {
        match self {
            Auth::Bearer(t) => format!("Bearer {t}"),
            Auth::OAuth1(signer) => signer.authorization(method.as_str(), url, &[]),
        }
    }
}

/// One account's view of the API.
struct Api<'a> {
    cfg: &'a ClientConfig,
    auth: Auth,
}

impl Api<'_> {
    /// Sends `method path` with `body` added by `with`, authorized.
    async fn send<F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        path: &str,
        with: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        let url = self.cfg.endpoints.url(Host::Api, path);
        self.cfg
            .http
            .send(&X, op, idem, |c| {
                let rb = c
                    .request(method.clone(), url.clone())
                    .header("authorization", self.auth.header(&method, &url));
                with(rb)
            })
            .await
    }

    async fn json<T: serde::de::DeserializeOwned, F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        path: &str,
        with: F,
    ) -> Result<T>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        decode_json(Platform::X, self.send(op, idem, method, path, with).await?).await
    }
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
}

impl XClient {
    /// A client over `cfg` (endpoints of X, consumer for OAuth 1.0a tokens).
    pub fn new(cfg: ClientConfig) -> Self {
        Self {
            cfg: Arc::new(cfg),
            max_append: X_MAX_APPEND,
            metrics_cache: Arc::default(),
        }
    }

    /// Raises (or lowers) the APPEND segment cap above [`X_MAX_APPEND`],
    /// for servers known to accept larger segments. Real X refuses
    /// segments over 5 MB.
    #[must_use]
    pub fn with_max_append(mut self, bytes: u64) -> Self {
        self.max_append = bytes.max(1);
        self
    }

    fn api(&self, account: &StoredToken) -> Result<Api<'_>> {
        Ok(Api {
            cfg: &self.cfg,
            auth: Auth::of(&self.cfg, account)?,
        })
    }

    fn segment_size(&self) -> u64 {
        self.cfg.upload.chunk_size.clamp(1, self.max_append)
    }

    async fn create(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        media_ids: &[String],
    ) -> Result<Published> {
        let post = req.post;
        let mut body = json!({});
        let text = content_text(Platform::X, post)?;
        if !text.is_empty() {
            body["text"] = json!(text);
        }
        if !media_ids.is_empty() {
            body["media"] = json!({ "media_ids": media_ids });
        }
        if let Some(reply) = &post.options.x.reply_to {
            body["reply"] = json!({ "in_reply_to_tweet_id": reply });
        }
        if let Some(quote) = &post.options.x.quote {
            body["quote_tweet_id"] = json!(quote);
        }
        let d: Data<Tweet> = api
            .json(
                "tweets.create",
                Idempotency::NonIdempotent,
                Method::POST,
                "/2/tweets",
                |rb| rb.json(&body),
            )
            .await?;
        Ok(self.published(req.account, d.data.id))
    }

    fn published(&self, account: &StoredToken, id: String) -> Published {
        let url = match account.profile.handle.as_deref().filter(|h| !h.is_empty()) {
            Some(handle) => format!("https://x.com/{handle}/status/{id}"),
            None => format!("https://x.com/i/web/status/{id}"),
        };
        Published { post_id: id, url }
    }
}

#[async_trait]
impl PlatformClient for XClient {
    fn platform(&self) -> Platform {
        Platform::X
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
        let span = info_span!("publish", platform = "x", account = %req.account.key.account_id, media = req.post.media.len());
        async {
            let api = self.api(req.account)?;
            let mut ids = Vec::with_capacity(req.post.media.len());
            for (i, media) in req.post.media.iter().enumerate() {
                let id = self
                    .upload(&api, req, i)
                    .instrument(info_span!("upload", index = i, kind = %media.kind(), len = media.info().len))
                    .await?;
                if let Some(alt) = media.alt_text().filter(|a| !a.is_empty()) {
                    let body = json!({ "id": id, "metadata": { "alt_text": { "text": alt } } });
                    api.send(
                        "media.metadata",
                        Idempotency::Idempotent,
                        Method::POST,
                        "/2/media/metadata",
                        |rb| rb.json(&body),
                    )
                    .await?;
                }
                ids.push(id);
            }
            req.commit.create(None, self.create(&api, req, &ids)).await
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
        let api = self.api(account)?;
        let path = format!(
            "/2/users/{}/tweets?max_results=10&tweet.fields=created_at",
            account.key.account_id
        );
        let v: Value = api
            .json(
                "tweets.recent",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                |rb| rb,
            )
            .await?;
        let tweets: Vec<Tweet> = v
            .get("data")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| {
                Error::unexpected_response(
                    Platform::X,
                    None,
                    &format!("could not read the timeline: {e}"),
                    None,
                )
            })?
            .unwrap_or_default();
        let sent = content_text(Platform::X, post)?;
        Ok(tweets
            .into_iter()
            .find(|t| {
                Listed {
                    author: None,
                    created: t.created_at,
                    text: &t.text,
                }
                .made_by(None, since, &[&sent])
            })
            .map(|t| self.published(account, t.id)))
    }

    async fn delete(&self, account: &StoredToken, post_id: &str) -> Result<()> {
        self.delete_post(account, post_id).await
    }
}
