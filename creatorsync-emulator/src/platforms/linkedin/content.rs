//! The checks LinkedIn makes on a post's `content` besides its media:
//! image alt text length and the article (link card) fields.

use axum::response::Response;
use serde_json::Value;

use super::{Li, li_error};
use axum::http::StatusCode;

/// Longest `altText` of an image (UNCONFIRMED: LinkedIn's image schema as
/// widely cited).
const MAX_ALT_TEXT: usize = 4086;

fn bad(message: &str) -> Response {
    li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", message, 100)
}

/// Refuses an over-long alt text and an article without its source URL or
/// title, or with a thumbnail that is not an available image of `author`.
pub(super) fn check(li: &Li, content: &Value, author: &str) -> Result<(), Response> {
    let mut images: Vec<(&str, &Value)> = Vec::new();
    if content["media"].is_object() {
        images.push(("/content/media", &content["media"]));
    }
    if let Some(items) = content["multiImage"]["images"].as_array() {
        images.extend(items.iter().map(|i| ("/content/multiImage/images", i)));
    }
    for (path, img) in images {
        let len = img["altText"].as_str().map_or(0, |a| a.chars().count());
        if len > MAX_ALT_TEXT {
            return Err(bad(&format!(
                "{path}/altText: length {len} exceeds the maximum of {MAX_ALT_TEXT}"
            )));
        }
    }
    let article = &content["article"];
    if article.is_null() {
        return Ok(());
    }
    let source = article["source"].as_str().unwrap_or_default();
    if !(source.starts_with("https://") || source.starts_with("http://")) {
        return Err(bad("/content/article/source: a http(s) URL is required"));
    }
    if article["title"]
        .as_str()
        .is_none_or(|t| t.trim().is_empty())
    {
        return Err(bad("/content/article/title: required"));
    }
    if let Some(thumb) = article.get("thumbnail") {
        let urn = thumb.as_str().unwrap_or_default();
        if !urn.starts_with("urn:li:image:") {
            return Err(bad("/content/article/thumbnail: an image URN is required"));
        }
        super::assets::available(li, urn, author)?;
    }
    Ok(())
}
