//! Photo posts: `content/init` with `PULL_FROM_URL` only, re-hosting
//! sources without a public URL through the configured
//! [`MediaHost`](crate::media_host::MediaHost).

use serde_json::json;

use super::TIKTOK_PHOTO_TITLE_MAX;
use super::{TikTokClient, publish_id};
use crate::http::Idempotency;
use crate::platforms::PublishRequest;
use crate::platforms::common::first_line;
use crate::{Error, Platform, Result};

impl TikTokClient {
    /// A photo post from public URLs (re-hosting sources without one).
    pub(super) async fn post_photos(
        &self,
        token: &str,
        req: &PublishRequest<'_>,
    ) -> Result<String> {
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
        let title = o.photo_title.clone().unwrap_or_else(|| {
            first_line(req.post.text_for(Platform::TikTok), TIKTOK_PHOTO_TITLE_MAX)
        });
        let description = crate::platforms::content::text(Platform::TikTok, req.post)?;
        let body = json!({
            "media_type": "PHOTO",
            "post_mode": super::manage::photo_mode(req.post),
            "post_info": {
                "title": title,
                "description": description,
                "privacy_level": o.privacy_level.map(|p| p.as_str()),
                "disable_comment": o.disable_comment,
                "auto_add_music": true,
                "brand_content_toggle": o.brand_content_toggle,
                "brand_organic_toggle": o.brand_organic_toggle,
            },
            "source_info": {"source": "PULL_FROM_URL", "photo_images": urls, "photo_cover_index": 0},
        });
        // TikTok starts publishing as soon as this is accepted.
        let init = self.call(
            token,
            "content/init",
            Idempotency::NonIdempotent,
            "/v2/post/publish/content/init/",
            &body,
        );
        let data = req.commit.create(None, init).await?;
        publish_id(&data)
    }
}
