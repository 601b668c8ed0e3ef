//! The six platforms and what each accepts, as data.
//!
//! Limits come from `shared/platforms.md`; values marked UNCONFIRMED there are
//! kept as named constants here so they change in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// A social platform CreatorSync publishes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// X (formerly Twitter).
    X,
    /// LinkedIn (members and organization pages).
    #[serde(rename = "linkedin")]
    LinkedIn,
    /// Facebook Pages.
    Facebook,
    /// Instagram professional (business / creator) accounts.
    Instagram,
    /// YouTube channels.
    #[serde(rename = "youtube")]
    YouTube,
    /// TikTok creators.
    #[serde(rename = "tiktok")]
    TikTok,
}

impl Platform {
    /// All platforms, in display order.
    pub const ALL: [Platform; 6] = [
        Platform::X,
        Platform::LinkedIn,
        Platform::Facebook,
        Platform::Instagram,
        Platform::YouTube,
        Platform::TikTok,
    ];

    /// The canonical lowercase name (`x`, `linkedin`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::LinkedIn => "linkedin",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::YouTube => "youtube",
            Platform::TikTok => "tiktok",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = Error;

    /// Parses a platform name, case-insensitively; `twitter` is accepted as
    /// an alias of `x`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "x" | "twitter" => Platform::X,
            "linkedin" => Platform::LinkedIn,
            "facebook" => Platform::Facebook,
            "instagram" => Platform::Instagram,
            "youtube" => Platform::YouTube,
            "tiktok" => Platform::TikTok,
            _ => {
                let shown: String = s.chars().take(32).collect();
                return Err(Error::invalid_input(
                    "platform",
                    format!(
                        "unknown platform {shown:?}; expected one of x, linkedin, facebook, instagram, youtube, tiktok"
                    ),
                ));
            }
        })
    }
}

/// How a platform counts the length of post text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextCounting {
    /// X's weighted length (URLs 23, CJK and emoji 2, Latin 1), NFC first.
    XWeighted,
    /// Unicode scalar values.
    Chars,
    /// UTF-16 code units (TikTok "runes").
    Utf16,
    /// UTF-8 bytes (YouTube descriptions).
    Utf8Bytes,
}

/// The kind of a media item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A still image.
    Image,
    /// An animated GIF.
    Gif,
    /// A video.
    Video,
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Image => "image",
            MediaKind::Gif => "gif",
            MediaKind::Video => "video",
        })
    }
}

/// Per-platform limits used by validation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Maximum text length, counted per [`Capabilities::text_counting`].
    pub max_text: usize,
    /// How text is counted.
    pub text_counting: TextCounting,
    /// Whether a post without media is possible.
    pub text_only: bool,
    /// Whether at least one video is required (YouTube).
    pub requires_video: bool,
    /// Maximum images in one post (0: images not supported).
    pub max_images: usize,
    /// Maximum videos in one post.
    pub max_videos: usize,
    /// Maximum animated GIFs in one post.
    pub max_gifs: usize,
    /// Whether images and videos may be mixed in one post.
    pub mixed_media: bool,
    /// Accepted image MIME types.
    pub image_mimes: &'static [&'static str],
    /// Accepted video MIME types.
    pub video_mimes: &'static [&'static str],
    /// Maximum bytes of one image.
    pub max_image_bytes: u64,
    /// Maximum bytes of one animated GIF.
    pub max_gif_bytes: u64,
    /// Maximum bytes of one video.
    pub max_video_bytes: u64,
    /// Maximum hashtags in the text (None: no limit).
    pub max_hashtags: Option<usize>,
    /// Maximum @mentions in the text (None: no limit).
    pub max_mentions: Option<usize>,
    /// Whether animated GIFs count as images (everywhere but X, where a
    /// GIF is its own kind).
    pub gifs_count_as_images: bool,
    /// Characters the text may not contain (YouTube: `<` and `>`).
    pub forbidden_text_chars: &'static [char],
}

/// One mebibyte.
pub(crate) const MIB: u64 = 1024 * 1024;
/// One gibibyte.
pub(crate) const GIB: u64 = 1024 * MIB;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
            assert_eq!(p.to_string(), p.as_str());
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
        assert_eq!("Twitter".parse::<Platform>().unwrap(), Platform::X);
        assert_eq!(" TikTok ".parse::<Platform>().unwrap(), Platform::TikTok);
        let err = "myspace".parse::<Platform>().unwrap_err();
        assert!(err.to_string().contains("platform"), "{err}");
    }
}
