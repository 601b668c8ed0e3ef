//! A LinkedIn post's link card: `content.article` with the source URL,
//! title, description and a thumbnail uploaded through the image upload.

use serde_json::{Value, json};

use super::LinkedInClient;
use super::api::Api;
use crate::media::UrlSource;
use crate::platforms::PublishRequest;
use crate::platforms::content::LinkPlacement;
use crate::{Media, Result};

impl LinkedInClient {
    /// `content.article` when the post's link makes a card on LinkedIn
    /// ([`super::content::link_placement`]); None otherwise.
    pub(super) async fn article(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
    ) -> Result<Option<Value>> {
        let Some(link) = &req.post.link else {
            return Ok(None);
        };
        if super::content::link_placement(req.post) != LinkPlacement::Card {
            return Ok(None);
        }
        let mut article = json!({
            "source": link.url,
            "title": link.title.as_deref().unwrap_or_default(),
        });
        if let Some(d) = link.description.as_deref().filter(|d| !d.is_empty()) {
            article["description"] = json!(d);
        }
        if let Some(url) = link.thumbnail.as_deref().filter(|u| !u.is_empty()) {
            let source = UrlSource::builder(url)
                .allow_loopback(link.allow_loopback)
                .max_bytes(super::limits::CAPS.max_image_bytes)
                .build()?;
            let thumbnail = Media::new(source).await?;
            // The slot after the post's media (a text post has none).
            let slot = req.post.media.len();
            let urn = self
                .upload_image_of(api, req, author, &thumbnail, slot)
                .await?;
            article["thumbnail"] = json!(urn);
        }
        Ok(Some(json!({ "article": article })))
    }
}
