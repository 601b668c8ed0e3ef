//! Checks a [`Post`] against each platform's rules before any request.

use chrono::Utc;

use crate::text::{utf16_length, x_weighted_length};
use crate::{
    Error, InstagramKind, MediaKind, Platform, Post, Result, TextCounting, Violation,
    YouTubePrivacy,
};

/// YouTube title limit (characters).
pub const YOUTUBE_TITLE_MAX: usize = 100;
/// YouTube tags limit (total characters, spaced tags counted with quotes).
pub const YOUTUBE_TAGS_MAX: usize = 500;
/// TikTok photo title limit (UTF-16 units).
pub const TIKTOK_PHOTO_TITLE_MAX: usize = 90;

/// The length of `text` as `counting` measures it.
pub fn text_length(text: &str, counting: TextCounting) -> usize {
    match counting {
        TextCounting::XWeighted => x_weighted_length(text),
        TextCounting::Chars => text.chars().count(),
        TextCounting::Utf16 => utf16_length(text),
    }
}

struct Out {
    platform: Platform,
    v: Vec<Violation>,
}

impl Out {
    fn push(&mut self, field: impl Into<String>, code: &str, message: String) {
        self.v.push(Violation {
            platform: Some(self.platform),
            field: field.into(),
            code: code.to_owned(),
            message,
        });
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

/// Every rule of `platform` that `post` breaks (empty: valid). No network.
///
/// ```
/// use creatorsync_core::{Platform, Post, validate};
/// let v = validate(&Post::text("x".repeat(300)), Platform::X);
/// assert_eq!(v[0].code, "text_too_long");
/// assert!(validate(&Post::text("hello"), Platform::LinkedIn).is_empty());
/// ```
pub fn validate(post: &Post, platform: Platform) -> Vec<Violation> {
    let caps = platform.capabilities();
    let mut out = Out {
        platform,
        v: Vec::new(),
    };
    let text = post.text.as_str();
    let media = &post.media;
    let count = |k: MediaKind| media.iter().filter(|m| m.kind() == k).count();
    let (images, gifs, videos) = (
        count(MediaKind::Image),
        count(MediaKind::Gif),
        count(MediaKind::Video),
    );

    // Text.
    let photo_post = platform == Platform::TikTok && videos == 0 && !media.is_empty();
    if platform == Platform::YouTube {
        if text.len() > 5000 {
            out.push(
                "text",
                "text_too_long",
                format!(
                    "the YouTube description is {} bytes (UTF-8); shorten it to 5000 bytes",
                    text.len()
                ),
            );
        }
        if text.contains(['<', '>']) {
            out.push(
                "text",
                "invalid_character",
                "YouTube descriptions cannot contain '<' or '>'; remove them".into(),
            );
        }
    } else {
        let max = if photo_post { 4000 } else { caps.max_text };
        let len = text_length(text, caps.text_counting);
        if len > max {
            out.push("text", "text_too_long", format!("the text is {len} long as {platform} counts it, the limit is {max}; shorten it by {}", len - max));
        }
    }
    if caps.text_only && media.is_empty() && text.trim().is_empty() {
        out.push(
            "text",
            "empty_post",
            "the post has no text and no media; add some".into(),
        );
    }
    if let Some(max) = caps.max_hashtags {
        let n = text
            .split_whitespace()
            .filter(|w| w.starts_with('#') && w.len() > 1)
            .count();
        if n > max {
            out.push(
                "text",
                "too_many_hashtags",
                format!("{n} hashtags, at most {max} allowed; remove {}", n - max),
            );
        }
    }
    if let Some(max) = caps.max_mentions {
        let n = text
            .split_whitespace()
            .filter(|w| w.starts_with('@') && w.len() > 1)
            .count();
        if n > max {
            out.push(
                "text",
                "too_many_mentions",
                format!("{n} @mentions, at most {max} allowed; remove {}", n - max),
            );
        }
    }

    // Media presence and counts.
    if platform == Platform::YouTube {
        if videos != 1 {
            out.push(
                "media",
                "video_required",
                format!("YouTube needs exactly one video, the post has {videos}; attach one video"),
            );
        }
    } else if !caps.text_only && media.is_empty() {
        out.push(
            "media",
            "media_required",
            format!("{platform} needs at least one image or video; attach media"),
        );
    }
    let gif_as_image = platform != Platform::X;
    let image_count = if gif_as_image { images + gifs } else { images };
    if image_count > 0 && caps.max_images == 0 {
        out.push(
            "media",
            "unsupported_media_kind",
            format!("{platform} does not accept images; remove them"),
        );
    } else if image_count > caps.max_images {
        out.push(
            "media",
            "too_many_images",
            format!(
                "{image_count} images, {platform} accepts at most {}; remove {}",
                caps.max_images,
                image_count - caps.max_images
            ),
        );
    }
    if gifs > caps.max_gifs {
        let code = if caps.max_gifs == 0 {
            "unsupported_media_kind"
        } else {
            "too_many_gifs"
        };
        out.push(
            "media",
            code,
            format!(
                "{gifs} animated GIFs, {platform} accepts at most {}",
                caps.max_gifs
            ),
        );
    }
    if videos > caps.max_videos && platform != Platform::YouTube {
        out.push(
            "media",
            "too_many_videos",
            format!(
                "{videos} videos, {platform} accepts at most {}; remove {}",
                caps.max_videos,
                videos - caps.max_videos
            ),
        );
    }
    let kinds = [images > 0, gifs > 0 && !gif_as_image, videos > 0]
        .iter()
        .filter(|b| **b)
        .count();
    if !caps.mixed_media && kinds > 1 {
        out.push(
            "media",
            "mixed_media",
            format!(
                "{platform} does not mix images, GIFs and videos in one post; post them separately"
            ),
        );
    }

    // Each item: type and size.
    for (i, m) in media.iter().enumerate() {
        let info = m.info();
        let (mimes, max) = match m.kind() {
            MediaKind::Image => (caps.image_mimes, caps.max_image_bytes),
            MediaKind::Gif => (caps.image_mimes, caps.max_gif_bytes),
            MediaKind::Video => (caps.video_mimes, caps.max_video_bytes),
        };
        if !mimes.is_empty() && !mimes.contains(&info.mime.as_str()) {
            out.push(
                format!("media[{i}]"),
                "unsupported_media_type",
                format!(
                    "{} is not accepted by {platform}; use one of {}",
                    info.mime,
                    mimes.join(", ")
                ),
            );
        } else if max > 0 && info.len > max {
            out.push(
                format!("media[{i}]"),
                "media_too_large",
                format!(
                    "{} bytes, {platform} accepts at most {max} bytes for a {}; compress it",
                    info.len,
                    m.kind()
                ),
            );
        }
    }

    match platform {
        Platform::Instagram => instagram(post, images + gifs, videos, &mut out),
        Platform::YouTube => youtube(post, &mut out),
        Platform::TikTok => {
            if post.options.tiktok.privacy_level.is_none() {
                out.push(
                    "tiktok.privacy_level",
                    "privacy_level_required",
                    "TikTok requires the user to choose a privacy level; set tiktok.privacy_level"
                        .into(),
                );
            }
            if photo_post {
                let title = post
                    .options
                    .tiktok
                    .photo_title
                    .as_deref()
                    .unwrap_or_else(|| first_line(text));
                let n = utf16_length(title);
                if n > TIKTOK_PHOTO_TITLE_MAX {
                    out.push("tiktok.photo_title", "title_too_long", format!("the photo title is {n} long, at most {TIKTOK_PHOTO_TITLE_MAX}; set a shorter tiktok.photo_title"));
                }
            }
        }
        _ => {}
    }
    out.v
}

fn instagram(post: &Post, images: usize, videos: usize, out: &mut Out) {
    let n = images + videos;
    let rule = match post.options.instagram.kind {
        InstagramKind::Reel if videos != 1 || images != 0 => Some((
            "reel_requires_one_video",
            "a Reel needs exactly one video and no images",
        )),
        InstagramKind::Carousel if !(2..=10).contains(&n) => {
            Some(("carousel_item_count", "a carousel needs 2 to 10 items"))
        }
        InstagramKind::Story if n != 1 => Some((
            "story_requires_one_item",
            "a Story needs exactly one image or video",
        )),
        InstagramKind::Feed if images != 1 || videos != 0 => Some((
            "feed_requires_one_image",
            "a feed post needs exactly one image",
        )),
        InstagramKind::Auto if n > 10 => {
            Some(("too_many_media", "at most 10 items (a carousel) per post"))
        }
        _ => None,
    };
    if let Some((code, msg)) = rule {
        out.push("instagram.kind", code, format!("{msg}; the post has {n}"));
    }
}

fn youtube(post: &Post, out: &mut Out) {
    let o = &post.options.youtube;
    let title = o.title.as_deref().unwrap_or_else(|| first_line(&post.text));
    let n = title.chars().count();
    if title.trim().is_empty() {
        out.push(
            "youtube.title",
            "title_required",
            "YouTube needs a title; set youtube.title or start the text with one".into(),
        );
    } else if n > YOUTUBE_TITLE_MAX {
        out.push(
            "youtube.title",
            "title_too_long",
            format!("the title is {n} characters, at most {YOUTUBE_TITLE_MAX}; shorten it"),
        );
    }
    if title.contains(['<', '>']) {
        out.push(
            "youtube.title",
            "invalid_character",
            "YouTube titles cannot contain '<' or '>'; remove them".into(),
        );
    }
    let tags: usize = o
        .tags
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum();
    if tags > YOUTUBE_TAGS_MAX {
        out.push(
            "youtube.tags",
            "tags_too_long",
            format!("tags total {tags} characters, at most {YOUTUBE_TAGS_MAX}; remove some"),
        );
    }
    if let Some(at) = o.publish_at {
        if o.privacy != YouTubePrivacy::Private {
            out.push(
                "youtube.publish_at",
                "publish_at_requires_private",
                "a scheduled video must be uploaded as private; set youtube.privacy to private"
                    .into(),
            );
        }
        if at <= Utc::now() {
            out.push(
                "youtube.publish_at",
                "publish_at_in_past",
                "publish_at is in the past; pick a future time or remove it".into(),
            );
        }
    }
}

/// Validates `post` for every platform in `platforms`; `Err(InvalidPost)`
/// lists every violation of every platform at once.
///
/// ```
/// use creatorsync_core::{Error, Platform, Post, validate_all};
/// let err = validate_all(&Post::text(""), &[Platform::X, Platform::Instagram]).unwrap_err();
/// let Error::InvalidPost { violations } = err else { unreachable!() };
/// assert!(violations.iter().any(|v| v.code == "media_required"));
/// assert!(violations.iter().any(|v| v.code == "empty_post"));
/// ```
pub fn validate_all(post: &Post, platforms: &[Platform]) -> Result<()> {
    let violations: Vec<Violation> = platforms.iter().flat_map(|p| validate(post, *p)).collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidPost { violations })
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::media::BytesSource;
    use crate::{Media, TikTokPrivacy};

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const GIF: &[u8] = b"GIF89a\x01\0\x01\0\0\0;";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";

    async fn media(b: &'static [u8]) -> Media {
        Media::new(BytesSource::new(Bytes::from_static(b), None))
            .await
            .unwrap()
    }

    fn codes(post: &Post, p: Platform) -> Vec<String> {
        validate(post, p).into_iter().map(|v| v.code).collect()
    }

    #[tokio::test]
    async fn x_reports_everything_at_once() {
        let mut post = Post::text("a".repeat(300));
        for _ in 0..5 {
            post.media.push(media(JPEG).await);
        }
        post.media.push(media(GIF).await);
        post.media.push(media(MP4).await);
        let c = codes(&post, Platform::X);
        for want in ["text_too_long", "too_many_images", "mixed_media"] {
            assert!(c.contains(&want.to_owned()), "{c:?}");
        }
        assert!(validate(&Post::text("short"), Platform::X).is_empty());
    }

    #[tokio::test]
    async fn instagram_youtube_tiktok() {
        let text = format!("{} {}", "#tag ".repeat(31), "@who ".repeat(21));
        let c = codes(&Post::text(text), Platform::Instagram);
        assert_eq!(
            c,
            ["too_many_hashtags", "too_many_mentions", "media_required"]
        );

        let mut post = Post::text("<b>".to_owned() + &"é".repeat(3000));
        post.media.push(media(PNG).await);
        post.options.youtube.publish_at = Some(Utc::now() - chrono::Duration::hours(1));
        post.options.youtube.privacy = YouTubePrivacy::Public;
        post.options.youtube.tags = vec!["x".repeat(501)];
        let c = codes(&post, Platform::YouTube);
        for want in [
            "text_too_long",
            "invalid_character",
            "video_required",
            "unsupported_media_kind",
            "title_too_long",
            "tags_too_long",
            "publish_at_requires_private",
            "publish_at_in_past",
        ] {
            assert!(c.contains(&want.to_owned()), "{want} missing from {c:?}");
        }

        let mut post = Post::text("t".repeat(2201));
        post.media.push(media(MP4).await);
        assert_eq!(
            codes(&post, Platform::TikTok),
            ["text_too_long", "privacy_level_required"]
        );
        post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
        post.text = "ok".into();
        assert!(codes(&post, Platform::TikTok).is_empty());
        let mut photo = Post::text("p".repeat(100));
        photo.media.push(media(PNG).await);
        let c = codes(&photo, Platform::TikTok);
        assert_eq!(
            c,
            [
                "unsupported_media_type",
                "privacy_level_required",
                "title_too_long"
            ]
        );
    }

    #[tokio::test]
    async fn instagram_kinds_and_validate_all() {
        let mut post = Post::text("hi");
        post.media.push(media(JPEG).await);
        post.options.instagram.kind = InstagramKind::Carousel;
        assert_eq!(codes(&post, Platform::Instagram), ["carousel_item_count"]);
        post.options.instagram.kind = InstagramKind::Reel;
        assert_eq!(
            codes(&post, Platform::Instagram),
            ["reel_requires_one_video"]
        );
        let err = validate_all(&post, &[Platform::Instagram, Platform::YouTube]).unwrap_err();
        let Error::InvalidPost { violations } = err else {
            panic!()
        };
        assert!(
            violations
                .iter()
                .any(|v| v.platform == Some(Platform::YouTube))
        );
        assert!(validate_all(&Post::text("hi"), &[Platform::LinkedIn, Platform::Facebook]).is_ok());
    }
}
