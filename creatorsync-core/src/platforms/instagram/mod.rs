//! Instagram professional accounts, in two connection modes: Instagram API
//! with Facebook Login ([`Instagram`], the default: the account's
//! credential is the linked Facebook page's token, `metadata["page_id"]`
//! names the page) and Instagram API with Instagram Login
//! ([`InstagramLogin`], `graph.instagram.com`: the account's own
//! long-lived token, `metadata["login"] = "instagram"`). Both publish
//! through the same flow below; Instagram Login has no resumable upload.
//! Every Graph call carries `access_token` and `appsecret_proof` (signed
//! with the secret of the mode's app).
//!
//! Flow of [`InstagramClient::publish`]:
//! 1. `GET /{ig}/content_publishing_limit` — when the rolling 24 h quota is
//!    used up: [`Error::QuotaExhausted`] before anything is created.
//! 2. One container per media item (`POST /{ig}/media`): a feed image
//!    (`image_url`), a reel (`media_type=REELS`, `video_url`,
//!    `share_to_feed`, `thumb_offset`), a story (`media_type=STORIES`) or
//!    carousel children (`is_carousel_item`, then a `CAROUSEL` parent with
//!    `children`). Media URLs are the sources' `public_url()`.
//!    When a source has no public URL, or Meta cannot fetch it (container
//!    `ERROR` 2207052 "media fetch failed"), videos go through the resumable
//!    upload (`upload_type=resumable`, bytes `POST`ed to the returned `uri`
//!    with `offset`/`file_size` headers, resumed from the server's offset;
//!    Facebook Login only) and images (and, with Instagram Login, videos)
//!    are re-hosted through the configured [`MediaHost`]. Images carry
//!    their `alt_text`; reels their `trial_params` when
//!    [`crate::InstagramOptions::trial_graduation`] is set.
//! 3. Each container is polled (`GET /{container}?fields=status_code,status`)
//!    until `FINISHED`; `ERROR`/`EXPIRED` → [`Error::MediaRejected`].
//! 4. `POST /{ig}/media_publish` with `creation_id` — the create, never
//!    retried blindly: after an ambiguous failure the account's recent media
//!    are checked first.
//! 5. `GET /{media}?fields=permalink` for the URL.
//!
//! Instagram's API cannot delete posts: [`PlatformClient::delete`] answers
//! an `unsupported` [`Error::Platform`].

mod analytics;
mod comment;
mod content;
mod graph;
mod limits;
mod login;
mod module;

pub(crate) use login::InstagramLogin;
pub(crate) use module::Instagram;

/// The connection mode name of Instagram Login (row `metadata["login"]`).
pub(crate) const LOGIN: &str = "instagram";

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::{Instrument, info, info_span, warn};

use self::graph::{Graph, Params, is_fetch_failure, str_field};
use super::common::{Listed, access_token, invalid_post, unsupported};
use super::content::text as content_text;
use super::{ClientConfig, PlatformClient, PublishRequest, Published};
use crate::http::Idempotency;
use crate::media_host::MediaHost;
use crate::{Error, InstagramKind, Media, MediaKind, Platform, Post, Result, StoredToken};

const P: Platform = Platform::Instagram;

/// Children of a carousel.
const CAROUSEL_RANGE: std::ops::RangeInclusive<usize> = 2..=10;

/// The Instagram client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct InstagramClient {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    cfg: ClientConfig,
    media_host: Option<Arc<dyn MediaHost>>,
    /// Whether videos without a fetchable URL may use the resumable upload
    /// (Facebook Login only).
    rupload: bool,
}

/// What a container is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Single feed image (with caption).
    Feed,
    /// Reel (with caption).
    Reel,
    /// Story (no caption).
    Story,
    /// Child of a carousel (caption goes on the parent).
    CarouselItem,
}

impl InstagramClient {
    /// A client over `config` (`config.client_secret` is the Meta app secret
    /// used for `appsecret_proof`).
    pub fn new(config: ClientConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                cfg: config,
                media_host: None,
                rupload: true,
            }),
        }
    }

    /// A client for Instagram Login accounts: no resumable upload, so
    /// videos Meta cannot fetch are re-hosted like images.
    #[must_use]
    pub(crate) fn without_rupload(self) -> Self {
        let mut inner = (*self.inner).clone();
        inner.rupload = false;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Re-hosts images Meta cannot fetch (no public URL, or an unreachable
    /// one). Without a media host such images fail with [`Error::Config`].
    #[must_use]
    pub fn with_media_host(self, host: Arc<dyn MediaHost>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.media_host = Some(host);
        Self {
            inner: Arc::new(inner),
        }
    }

    fn cfg(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    /// Fails with [`Error::QuotaExhausted`] when the account's publishing quota
    /// is used up; logs the usage.
    async fn check_publishing_limit(&self, g: &Graph<'_>, ig: &str) -> Result<()> {
        let v = g
            .get(
                "content_publishing_limit",
                &format!("/{ig}/content_publishing_limit"),
                vec![("fields", "quota_usage,config".to_owned())],
            )
            .await?;
        let Some(entry) = v.pointer("/data/0") else {
            return Ok(());
        };
        let used = entry
            .get("quota_usage")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let total = entry.pointer("/config/quota_total").and_then(Value::as_u64);
        let window = entry
            .pointer("/config/quota_duration")
            .and_then(Value::as_i64)
            .unwrap_or(86_400);
        info!(
            quota_usage = used,
            quota_total = total,
            "Instagram publishing quota"
        );
        match total {
            Some(total) if used >= total => Err(Error::QuotaExhausted {
                platform: P,
                bucket: "posts".into(),
                limit: u32::try_from(total).ok(),
                // The API does not say when the oldest post leaves the
                // rolling window; the window length is an upper bound.
                resets_at: Utc::now() + chrono::Duration::seconds(window),
                message: format!(
                    "the account published {used} of {total} posts allowed in a rolling {}-hour window",
                    window / 3600
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Container parameters of `media` in `role`, with `url` as its media
    /// URL (None for a resumable upload).
    fn params(post: &Post, media: &Media, role: Role, url: Option<&str>) -> Result<Params> {
        let video = media.kind() == MediaKind::Video;
        let mut p: Params = Vec::new();
        match (role, video) {
            (Role::Reel, _) => p.push(("media_type", "REELS".into())),
            (Role::Story, _) => p.push(("media_type", "STORIES".into())),
            (Role::CarouselItem, true) => p.push(("media_type", "VIDEO".into())),
            _ => {}
        }
        if let Some(url) = url {
            p.push((
                if video { "video_url" } else { "image_url" },
                url.to_owned(),
            ));
        }
        if role == Role::CarouselItem {
            p.push(("is_carousel_item", "true".into()));
        }
        if matches!(role, Role::Feed | Role::Reel) {
            let caption = content_text(Platform::Instagram, post)?;
            if !caption.is_empty() {
                p.push(("caption", caption));
            }
        }
        // Image containers only: Meta refuses alt text on stories and reels.
        let image_container = matches!(role, Role::Feed | Role::CarouselItem);
        if let (true, Some(alt)) = (
            image_container && content::ALT_TEXT.kinds.contains(&media.kind()),
            media.alt_text().filter(|a| !a.is_empty()),
        ) {
            p.push((content::ALT_TEXT.field, alt.to_owned()));
        }
        if role == Role::Reel {
            let o = &post.options.instagram;
            p.push(("share_to_feed", o.share_to_feed.to_string()));
            if let Some(ms) = o.thumb_offset_ms {
                p.push(("thumb_offset", ms.to_string()));
            }
            if let Some(g) = o.trial_graduation {
                p.push((
                    "trial_params",
                    serde_json::json!({ "graduation_strategy": g.as_graph() }).to_string(),
                ));
            }
        }
        Ok(p)
    }

    /// A FINISHED container for one media item, falling back to a direct
    /// upload (video) or a re-hosted URL (image) when Meta cannot fetch it.
    async fn ready_container(
        &self,
        g: &Graph<'_>,
        ig: &str,
        (index, media, role): (usize, &Media, Role),
        req: &PublishRequest<'_>,
    ) -> Result<String> {
        let post = req.post;
        if let Some(url) = media.source().public_url() {
            let attempt = async {
                let (id, _) = g
                    .create_container(ig, Self::params(post, media, role, Some(url.as_str()))?)
                    .await?;
                g.wait_container(&id, req).await?;
                Ok::<_, Error>(id)
            };
            match attempt.await {
                Ok(id) => return Ok(id),
                Err(e) if is_fetch_failure(&e) => {
                    warn!(media = index, error = %e, "Meta could not fetch the media URL; uploading it another way");
                }
                Err(e) => return Err(e),
            }
        }
        let video = media.kind() == MediaKind::Video;
        if video && self.inner.rupload {
            let id = g
                .rupload(
                    ig,
                    Self::params(post, media, role, None)?,
                    media,
                    index,
                    req,
                )
                .await?;
            g.wait_container(&id, req).await?;
            return Ok(id);
        }
        let Some(host) = &self.inner.media_host else {
            let what = if video {
                "video {index} has no URL Meta can fetch and Instagram Login has no resumable upload"
            } else {
                "image {index} has no URL Meta can fetch and Instagram cannot receive image bytes directly"
            };
            return Err(Error::Config(format!(
                "instagram: {}; configure a media host with CreatorSyncBuilder::media_host or \
                 InstagramClient::with_media_host (e.g. ObjectStoreMediaHost) or use a source \
                 with a public URL",
                what.replace("{index}", &index.to_string())
            )));
        };
        let url = host.host(media.source().as_ref(), media.info()).await?;
        let (id, _) = g
            .create_container(ig, Self::params(post, media, role, Some(url.as_str()))?)
            .await?;
        g.wait_container(&id, req).await?;
        Ok(id)
    }

    /// The container to publish (single item or carousel parent).
    async fn creation_container(
        &self,
        g: &Graph<'_>,
        ig: &str,
        req: &PublishRequest<'_>,
    ) -> Result<String> {
        let post = req.post;
        let media = post.media.as_slice();
        let kind = resolve_kind(post)?;
        match kind {
            InstagramKind::Carousel => {
                let mut children = Vec::with_capacity(media.len());
                for (i, m) in media.iter().enumerate() {
                    children.push(
                        self.ready_container(g, ig, (i, m, Role::CarouselItem), req)
                            .await?,
                    );
                }
                let mut params: Params = vec![
                    ("media_type", "CAROUSEL".into()),
                    ("children", children.join(",")),
                ];
                let caption = content_text(Platform::Instagram, post)?;
                if !caption.is_empty() {
                    params.push(("caption", caption));
                }
                let (id, _) = g.create_container(ig, params).await?;
                g.wait_container(&id, req).await?;
                Ok(id)
            }
            InstagramKind::Reel => {
                self.ready_container(g, ig, (0, &media[0], Role::Reel), req)
                    .await
            }
            InstagramKind::Story => {
                self.ready_container(g, ig, (0, &media[0], Role::Story), req)
                    .await
            }
            InstagramKind::Feed | InstagramKind::Auto => {
                self.ready_container(g, ig, (0, &media[0], Role::Feed), req)
                    .await
            }
        }
    }
}

/// The concrete kind of post, checked against the media.
fn resolve_kind(post: &Post) -> Result<InstagramKind> {
    let media = post.media.as_slice();
    let kind = post.options.instagram.kind;
    let bad = |message: &str| {
        Err(invalid_post(
            P,
            "media",
            "instagram_media",
            message.to_owned(),
        ))
    };
    let resolved = match kind {
        InstagramKind::Auto => match media {
            [m] if m.kind() == MediaKind::Video => InstagramKind::Reel,
            [_] => InstagramKind::Feed,
            _ => InstagramKind::Carousel,
        },
        k => k,
    };
    match resolved {
        _ if media.is_empty() => bad("an Instagram post needs at least one image or video"),
        InstagramKind::Feed if media.len() != 1 || media[0].kind() == MediaKind::Video => {
            bad("a feed post is one image (single videos are published as reels)")
        }
        InstagramKind::Reel if media.len() != 1 || media[0].kind() != MediaKind::Video => {
            bad("a reel is one video")
        }
        InstagramKind::Story if media.len() != 1 => bad("a story is one image or video"),
        InstagramKind::Carousel if !CAROUSEL_RANGE.contains(&media.len()) => {
            bad("a carousel has 2 to 10 images or videos")
        }
        k => Ok(k),
    }
}

/// Meta's timestamps: `2026-11-25T21:00:00+0000` (or RFC 3339).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[async_trait]
impl PlatformClient for InstagramClient {
    fn platform(&self) -> Platform {
        P
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
        let ig = req.account.key.account_id.clone();
        let span = info_span!("publish", platform = "instagram", account = %ig);
        async {
            resolve_kind(req.post)?;
            let token = access_token(P, req.account)?;
            let g = Graph::new(self, token);
            self.check_publishing_limit(&g, &ig).await?;
            let creation_id = self.creation_container(&g, &ig, req).await?;
            let path = format!("/{ig}/media_publish");
            let publish = g.post(
                "media_publish",
                Idempotency::NonIdempotent,
                &path,
                vec![("creation_id", creation_id)],
            );
            let v = req.commit.create(None, publish).await?;
            let media_id = str_field(&v, "id")?;
            req.commit.acknowledged(&media_id).await?;
            info!(media_id = %media_id, "published");
            let url = g.permalink(&media_id).await?;
            Ok(Published {
                post_id: media_id,
                url,
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
        let g = Graph::new(self, token);
        let v = g
            .get(
                "media list",
                &format!("/{}/media", account.key.account_id),
                vec![
                    ("fields", "id,caption,timestamp,permalink".to_owned()),
                    ("limit", "10".to_owned()),
                ],
            )
            .await?;
        let sent = content_text(Platform::Instagram, post)?;
        let found = v
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|m| {
                Listed {
                    author: None,
                    created: m
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .and_then(parse_time),
                    text: m.get("caption").and_then(Value::as_str).unwrap_or(""),
                }
                .made_by(None, since, &[&sent])
            });
        let Some(m) = found else { return Ok(None) };
        let post_id = str_field(m, "id")?;
        let url = match m.get("permalink").and_then(Value::as_str) {
            Some(u) => u.to_owned(),
            None => g.permalink(&post_id).await?,
        };
        Ok(Some(Published { post_id, url }))
    }

    async fn comment_flow(&self, req: &PublishRequest<'_>, parent: &str) -> Result<Published> {
        self.comment(req, parent).await
    }

    async fn find_comment(
        &self,
        account: &StoredToken,
        parent: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        self.find_own_comment(account, parent, post, since).await
    }

    async fn delete(&self, _account: &StoredToken, _post_id: &str) -> Result<()> {
        Err(unsupported(
            P,
            "Instagram's API cannot delete posts; delete it in the Instagram app",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_timestamps() {
        let t = parse_time("2026-11-25T21:00:00+0000").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T21:00:00+00:00");
        assert!(parse_time("2026-11-25T21:00:00Z").is_some());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn text_posts_are_refused() {
        let e = resolve_kind(&Post::text("hello")).unwrap_err();
        assert!(matches!(e, Error::InvalidPost { .. }));
    }
}
