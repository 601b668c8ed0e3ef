//! Checks a [`Post`] against each platform's rules before any request:
//! the limits every platform module states as data, then its own rules.

use crate::platforms::{Check, PlatformModule, Registry};
use crate::text::{utf16_length, x_weighted_length};
use crate::{Capabilities, Error, MediaKind, Platform, Post, Result, TextCounting, Violation};

/// The length of `text` as `counting` measures it.
pub fn text_length(text: &str, counting: TextCounting) -> usize {
    match counting {
        TextCounting::XWeighted => x_weighted_length(text),
        TextCounting::Chars => text.chars().count(),
        TextCounting::Utf16 => utf16_length(text),
        TextCounting::Utf8Bytes => text.len(),
    }
}

/// What `platform` accepts (its module's limits).
///
/// ```
/// use creatorsync_core::{Platform, capabilities};
/// assert_eq!(capabilities(Platform::X).max_text, 280);
/// ```
pub fn capabilities(platform: Platform) -> &'static Capabilities {
    Registry::standard()
        .get(platform)
        .map(|m| m.capabilities())
        .unwrap_or_else(|_| unreachable!("the standard registry holds every platform"))
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
    match Registry::standard().get(platform) {
        Ok(module) => validate_with(module, module.capabilities(), post, chrono::Utc::now()),
        Err(e) => vec![Violation {
            platform: Some(platform),
            field: "platform".into(),
            code: "unknown_platform".into(),
            message: e.to_string(),
        }],
    }
}

fn count_words(text: &str, sigil: char) -> usize {
    text.split_whitespace()
        .filter(|w| w.starts_with(sigil) && w.len() > 1)
        .count()
}

/// Every rule of `module`'s platform that `post` breaks: the limits in
/// `caps` (the module's own, or the app's override), then its own rules;
/// scheduled times are checked against `now`.
pub(crate) fn validate_with(
    module: &dyn PlatformModule,
    caps: &Capabilities,
    post: &Post,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Violation> {
    let platform = module.platform();
    let name = module.display_name();
    // Measured as sent: mentions written, the link appended where it goes.
    let (rendered, render_violations) = match crate::platforms::content::render(module, post) {
        Ok(t) => (Some(t), Vec::new()),
        Err(v) => (None, v),
    };
    let text = rendered.as_deref().unwrap_or(post.text_for(platform));
    let media = &post.media;
    let count = |k: MediaKind| media.iter().filter(|m| m.kind() == k).count();
    let mut out = Check {
        platform,
        images: count(MediaKind::Image),
        gifs: count(MediaKind::Gif),
        videos: count(MediaKind::Video),
        now,
        violations: Vec::new(),
    };
    let (images, gifs, videos) = (out.images, out.gifs, out.videos);

    // Text.
    let max = module.max_text(post, caps);
    let len = text_length(text, caps.text_counting);
    if len > max {
        out.push(
            "text",
            "text_too_long",
            format!(
                "the text is {len} long as {name} counts it, the limit is {max}; shorten it by {}",
                len - max
            ),
        );
    }
    if !caps.forbidden_text_chars.is_empty() && text.contains(caps.forbidden_text_chars) {
        let shown: Vec<String> = caps
            .forbidden_text_chars
            .iter()
            .map(|c| format!("{c:?}"))
            .collect();
        out.push(
            "text",
            "invalid_character",
            format!(
                "{name} text cannot contain {}; remove them",
                shown.join(" or ")
            ),
        );
    }
    if caps.text_only && media.is_empty() && text.trim().is_empty() && post.link.is_none() {
        out.push(
            "text",
            "empty_post",
            "the post has no text and no media; add some".into(),
        );
    }
    if let Some(max) = caps.max_hashtags {
        let n = count_words(text, '#');
        if n > max {
            out.push(
                "text",
                "too_many_hashtags",
                format!("{n} hashtags, at most {max} allowed; remove {}", n - max),
            );
        }
    }
    if let Some(max) = caps.max_mentions {
        let n = count_words(text, '@');
        if n > max {
            out.push(
                "text",
                "too_many_mentions",
                format!("{n} @mentions, at most {max} allowed; remove {}", n - max),
            );
        }
    }

    // Media presence and counts.
    if caps.requires_video {
        if videos == 0 || videos > caps.max_videos {
            out.push(
                "media",
                "video_required",
                format!(
                    "{name} needs one video (at most {}), the post has {videos}; attach one video",
                    caps.max_videos
                ),
            );
        }
    } else if !caps.text_only && media.is_empty() {
        out.push(
            "media",
            "media_required",
            format!("{name} needs at least one image or video; attach media"),
        );
    }
    let image_count = if caps.gifs_count_as_images {
        images + gifs
    } else {
        images
    };
    if image_count > 0 && caps.max_images == 0 {
        out.push(
            "media",
            "unsupported_media_kind",
            format!("{name} does not accept images; remove them"),
        );
    } else if image_count > caps.max_images {
        out.push(
            "media",
            "too_many_images",
            format!(
                "{image_count} images, {name} accepts at most {}; remove {}",
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
                "{gifs} animated GIFs, {name} accepts at most {}",
                caps.max_gifs
            ),
        );
    }
    if videos > caps.max_videos && !caps.requires_video {
        out.push(
            "media",
            "too_many_videos",
            format!(
                "{videos} videos, {name} accepts at most {}; remove {}",
                caps.max_videos,
                videos - caps.max_videos
            ),
        );
    }
    let kinds = [
        images > 0,
        gifs > 0 && !caps.gifs_count_as_images,
        videos > 0,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !caps.mixed_media && kinds > 1 {
        out.push(
            "media",
            "mixed_media",
            format!(
                "{name} does not mix images, GIFs and videos in one post; post them separately"
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
                    "{} is not accepted by {name}; use one of {}",
                    info.mime,
                    mimes.join(", ")
                ),
            );
        } else if max > 0 && info.len > max {
            out.push(
                format!("media[{i}]"),
                "media_too_large",
                format!(
                    "{} bytes, {name} accepts at most {max} bytes for a {}; compress it",
                    info.len,
                    m.kind()
                ),
            );
        }
    }

    // What is inside each item (probed when the media was made).
    for (i, m) in media.iter().enumerate() {
        if let (Some(rule), Some(probe)) = (module.media_rule(post, m), m.probe()) {
            rule.check(i, probe, &mut out);
        }
    }

    module.check(post, &mut out);
    crate::thread::check(module, caps, post, &mut out);
    if post.draft && module.draft().is_none() {
        out.push(
            "draft",
            "draft_unsupported",
            format!("{name}'s API cannot make a draft; publish it, or leave {name} out of a draft"),
        );
    }
    crate::platforms::content::check(module, post, &mut out);
    out.violations.extend(render_violations);
    out.violations
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

    use chrono::Utc;

    use super::*;
    use crate::media::BytesSource;
    use crate::{InstagramKind, Media, TikTokPrivacy, YouTubePrivacy};

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

    #[tokio::test]
    async fn facebook_native_schedule_window_and_media() {
        let now = chrono::Utc::now();
        let mut post = Post::text("later");
        for (minutes, ok) in [
            (5, false),
            (11, true),
            (60 * 24 * 29, true),
            (60 * 24 * 31, false),
            (-60, false),
        ] {
            post.options.facebook.scheduled_publish_time =
                Some(now + chrono::Duration::minutes(minutes));
            let c = codes(&post, Platform::Facebook);
            assert_eq!(c.is_empty(), ok, "{minutes} min: {c:?}");
            if !ok {
                assert_eq!(c, ["scheduled_time_out_of_range"]);
            }
        }
        post.options.facebook.scheduled_publish_time = Some(now + chrono::Duration::hours(1));
        post.media.push(media(MP4).await);
        assert_eq!(
            codes(&post, Platform::Facebook),
            ["scheduled_video_unsupported"]
        );
        post.media = vec![media(JPEG).await];
        assert!(codes(&post, Platform::Facebook).is_empty());
    }

    #[test]
    fn each_platform_is_validated_against_its_own_text() {
        let long = "l".repeat(400);
        let post = Post::text(&long).with_text_for(Platform::X, "s".repeat(200));
        assert!(codes(&post, Platform::X).is_empty());
        assert!(codes(&post, Platform::LinkedIn).is_empty());
        // An override too long for its platform is caught, the shared text
        // is not blamed on another platform.
        let post = Post::text("short").with_text_for(Platform::X, long);
        assert_eq!(codes(&post, Platform::X), ["text_too_long"]);
        assert!(validate_all(&post, &[Platform::LinkedIn, Platform::Facebook]).is_ok());
        let Error::InvalidPost { violations } =
            validate_all(&post, &[Platform::X, Platform::LinkedIn]).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].platform, Some(Platform::X));
    }

    #[tokio::test]
    async fn trial_reels_are_reels_only() {
        let mut post = Post::text("hi");
        post.media.push(media(MP4).await);
        post.options.instagram.trial_graduation = Some(crate::TrialGraduation::Manual);
        // One video, kind Auto or Reel: a reel.
        assert!(codes(&post, Platform::Instagram).is_empty());
        post.options.instagram.kind = InstagramKind::Reel;
        assert!(codes(&post, Platform::Instagram).is_empty());
        // A story, a feed image or a carousel cannot be a trial reel.
        post.options.instagram.kind = InstagramKind::Story;
        assert_eq!(codes(&post, Platform::Instagram), ["trial_requires_reel"]);
        post.options.instagram.kind = InstagramKind::Auto;
        post.media = vec![media(JPEG).await];
        assert_eq!(codes(&post, Platform::Instagram), ["trial_requires_reel"]);
        post.media.push(media(MP4).await);
        assert_eq!(codes(&post, Platform::Instagram), ["trial_requires_reel"]);
        // Serialized as the bindings send it.
        let o: crate::InstagramOptions =
            serde_json::from_value(serde_json::json!({"trial_graduation": "ss_performance"}))
                .unwrap();
        assert_eq!(
            o.trial_graduation.map(crate::TrialGraduation::as_graph),
            Some("SS_PERFORMANCE")
        );
    }

    #[tokio::test]
    async fn probed_media_rules_are_reported_with_figures() {
        use crate::media::sample::SampleMp4;
        let clip = |b: Vec<u8>| async move {
            Media::new(BytesSource::new(Bytes::from(b), Some("c.mp4".into())))
                .await
                .unwrap()
        };
        // A 2-second video to Instagram Reels, moov at the end.
        let mut reel = Post::text("hi");
        reel.media
            .push(clip(SampleMp4::new(2, 1080, 1920).moov_at_end().to_bytes()).await);
        reel.options.instagram.kind = InstagramKind::Reel;
        let v = validate(&reel, Platform::Instagram);
        let short = v
            .iter()
            .find(|v| v.code == "video_too_short")
            .expect("too short");
        assert!(
            short.message.contains("2.0 s") && short.message.contains("at least 3 s"),
            "{}",
            short.message
        );
        assert_eq!(short.field, "media[0]");
        assert!(v.iter().any(|v| v.code == "moov_not_first"), "{v:?}");
        // A 12-minute video to TikTok: the creator's maximum decides.
        let mut long = Post::text("t");
        long.media
            .push(clip(SampleMp4::new(720, 720, 1280).to_bytes()).await);
        let creator = crate::platforms::tiktok::ComposeConstraints {
            creator_username: "u".into(),
            creator_nickname: "n".into(),
            creator_avatar_url: None,
            privacy_level_options: vec![TikTokPrivacy::SelfOnly],
            max_video_post_duration_sec: Some(600),
            comment_disabled: false,
            duet_disabled: false,
            stitch_disabled: false,
        };
        let v = creator
            .duration_violation(0, &long.media[0])
            .expect("too long");
        assert_eq!(v.code, "video_too_long");
        assert!(
            v.message.contains("720.0 s") && v.message.contains("at most 600 s"),
            "{}",
            v.message
        );
        let mut ok = Post::text("t");
        ok.media
            .push(clip(SampleMp4::new(300, 720, 1280).to_bytes()).await);
        assert!(creator.duration_violation(0, &ok.media[0]).is_none());
    }
}
