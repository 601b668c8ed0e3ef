//! The old backend's body shape, mapped in this one place:
//!
//! | old field       | becomes                                                        |
//! |-----------------|----------------------------------------------------------------|
//! | `caption`       | the post's `text`                                              |
//! | `hashtags`      | `#tag`s appended to the text (a blank line after the caption)  |
//! | `mediaUrl`      | one media item by URL (public addresses only)                  |
//! | `mediaType`     | the kind that media must be (`image` or `video`), checked      |
//! | `title`         | `options.youtube.title`                                        |
//! | `privacyStatus` | `options.youtube.privacy`; TikTok `privacy_level` for `public` (`PUBLIC_TO_EVERYONE`) and `private` (`SELF_ONLY`) |
//!
//! Any other field is an error (it used to be dropped silently and end in
//! `INVALID_POST`). A body is read this way when it has one of these keys
//! and none of the current shape's (`text`, `media`, `options`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::PostSpec;
use crate::{Error, MediaKind, PlatformOptions, Result, TikTokPrivacy, YouTubePrivacy};

/// Keys (snake_case) only the old body has.
const LEGACY_KEYS: &[&str] = &[
    "caption",
    "hashtags",
    "media_url",
    "media_type",
    "title",
    "privacy_status",
];

/// Whether `body` (keys already snake_case) is the old shape.
pub(crate) fn is_legacy(body: &Map<String, Value>) -> bool {
    body.keys().any(|k| LEGACY_KEYS.contains(&k.as_str()))
}

/// The old backend's body (`caption`, `hashtags`, `mediaUrl`, `mediaType`,
/// `title`, `privacyStatus`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyPostBody {
    /// The caption: the post's text.
    #[serde(default)]
    pub caption: Option<String>,
    /// Hashtags, with or without `#`, appended to the text.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// One media item by public URL.
    #[serde(default)]
    pub media_url: Option<String>,
    /// What `media_url` is.
    #[serde(default)]
    pub media_type: Option<LegacyMediaType>,
    /// The YouTube title.
    #[serde(default)]
    pub title: Option<String>,
    /// YouTube privacy (and TikTok's where it maps).
    #[serde(default)]
    pub privacy_status: Option<LegacyPrivacy>,
}

/// The old `mediaType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LegacyMediaType {
    /// A still image (a GIF passes too).
    #[serde(alias = "IMAGE", alias = "photo", alias = "PHOTO")]
    Image,
    /// A video.
    #[serde(alias = "VIDEO")]
    Video,
}

/// The old `privacyStatus` (YouTube's words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LegacyPrivacy {
    /// Everyone.
    Public,
    /// Anyone with the link (YouTube only; TikTok keeps its default).
    Unlisted,
    /// Only the owner.
    Private,
}

impl LegacyPostBody {
    /// The post this body meant.
    pub(crate) fn into_spec(self) -> Result<PostSpec> {
        if self.media_type.is_some() && self.media_url.is_none() {
            return Err(Error::invalid_input(
                "media_type",
                "given without media_url",
            ));
        }
        let mut text = self.caption.unwrap_or_default();
        let mut tags = Vec::with_capacity(self.hashtags.len());
        for (i, t) in self.hashtags.iter().enumerate() {
            let t = t.trim().trim_start_matches('#');
            if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c == '#') {
                return Err(Error::invalid_input(
                    format!("hashtags[{i}]"),
                    "a hashtag is one word, with or without a leading #",
                ));
            }
            tags.push(format!("#{t}"));
        }
        if !tags.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&tags.join(" "));
        }
        let mut options = PlatformOptions::default();
        if let Some(title) = self.title {
            options.youtube.title = Some(title);
        }
        if let Some(p) = self.privacy_status {
            options.youtube.privacy = match p {
                LegacyPrivacy::Public => YouTubePrivacy::Public,
                LegacyPrivacy::Unlisted => YouTubePrivacy::Unlisted,
                LegacyPrivacy::Private => YouTubePrivacy::Private,
            };
            options.tiktok.privacy_level = match p {
                LegacyPrivacy::Public => Some(TikTokPrivacy::PublicToEveryone),
                LegacyPrivacy::Private => Some(TikTokPrivacy::SelfOnly),
                LegacyPrivacy::Unlisted => None,
            };
        }
        let mut spec = PostSpec::new(text, self.media_url, options);
        spec.expect_kind = self.media_type.map(|k| match k {
            LegacyMediaType::Image => MediaKind::Image,
            LegacyMediaType::Video => MediaKind::Video,
        });
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_old_body_maps_field_by_field() {
        let spec = PostSpec::from_json(
            json!({"caption": "Launch day", "hashtags": ["rust", "#sdk"], "title": "Launch",
                   "privacyStatus": "public"}),
            BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(spec.text(), "Launch day\n\n#rust #sdk");
        assert_eq!(spec.options().youtube.title.as_deref(), Some("Launch"));
        assert_eq!(spec.options().youtube.privacy, YouTubePrivacy::Public);
        assert_eq!(
            spec.options().tiktok.privacy_level,
            Some(TikTokPrivacy::PublicToEveryone)
        );
        let spec = PostSpec::from_json(
            json!({"caption": "c", "mediaUrl": "https://cdn.example/v.mp4", "mediaType": "video",
                   "privacy_status": "unlisted"}),
            BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(spec.media.len(), 1);
        assert_eq!(spec.expect_kind, Some(MediaKind::Video));
        assert_eq!(spec.options().tiktok.privacy_level, None);
    }

    #[test]
    fn unknown_or_mixed_fields_are_errors_naming_them() {
        for (body, field) in [
            (json!({"caption": "c", "thumbnail": "x"}), "thumbnail"),
            (json!({"caption": "c", "text": "t"}), "text"),
            (
                json!({"caption": "c", "privacyStatus": "friends"}),
                "friends",
            ),
            (
                json!({"caption": "c", "hashtags": ["two words"]}),
                "hashtags[0]",
            ),
            (json!({"caption": "c", "mediaType": "video"}), "media_type"),
        ] {
            let e = PostSpec::from_json(body.clone(), BTreeMap::new()).unwrap_err();
            assert!(e.to_string().contains(field), "{body}: {e}");
        }
    }
}
