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

    /// What this platform accepts.
    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            Platform::X => &X_CAPS,
            Platform::LinkedIn => &LINKEDIN_CAPS,
            Platform::Facebook => &FACEBOOK_CAPS,
            Platform::Instagram => &INSTAGRAM_CAPS,
            Platform::YouTube => &YOUTUBE_CAPS,
            Platform::TikTok => &TIKTOK_CAPS,
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
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// X: 280 weighted characters; 4 images or 1 GIF or 1 video.
static X_CAPS: Capabilities = Capabilities {
    max_text: 280,
    text_counting: TextCounting::XWeighted,
    text_only: true,
    requires_video: false,
    max_images: 4,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 5 * MIB,
    max_gif_bytes: 15 * MIB,
    // Current docs: 8 GB for tweet_video on default accounts.
    max_video_bytes: 8 * GIB,
    max_hashtags: None,
    max_mentions: None,
};

/// LinkedIn: 3000 characters; up to 20 images or one video.
static LINKEDIN_CAPS: Capabilities = Capabilities {
    max_text: 3000,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    max_images: 20,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/png", "image/gif"],
    video_mimes: &["video/mp4"],
    // Practical limit (platforms.md, secondary source).
    max_image_bytes: 5 * MIB,
    max_gif_bytes: 5 * MIB,
    // 500 MB member videos (5 GB for organizations is UNCONFIRMED).
    max_video_bytes: 500 * 1000 * 1000,
    max_hashtags: None,
    max_mentions: None,
};

/// Facebook Pages: 63,206 characters; up to 10 photos or one video.
static FACEBOOK_CAPS: Capabilities = Capabilities {
    max_text: 63_206,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    // UNCONFIRMED: ~10 attached_media per post.
    max_images: 10,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &[
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/tiff",
    ],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 4 * MIB,
    max_gif_bytes: 4 * MIB,
    // Resumable upload: 10 GB.
    max_video_bytes: 10 * GIB,
    max_hashtags: None,
    max_mentions: None,
};

/// Instagram: 2200 characters, 30 hashtags, 20 mentions; media required.
static INSTAGRAM_CAPS: Capabilities = Capabilities {
    max_text: 2200,
    text_counting: TextCounting::Chars,
    text_only: false,
    requires_video: false,
    max_images: 10,
    max_videos: 10,
    max_gifs: 0,
    mixed_media: true,
    image_mimes: &["image/jpeg"],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 8 * MIB,
    max_gif_bytes: 0,
    // Reels: 300 MB (EN page) / 1 GB (newer translated pages); we take 1 GB.
    max_video_bytes: GIB,
    max_hashtags: Some(30),
    // UNCONFIRMED: 20 @mentions.
    max_mentions: Some(20),
};

/// YouTube: one video; the post text becomes the description (5000 bytes).
static YOUTUBE_CAPS: Capabilities = Capabilities {
    max_text: 5000,
    text_counting: TextCounting::Chars,
    text_only: false,
    requires_video: true,
    max_images: 0,
    max_videos: 1,
    max_gifs: 0,
    mixed_media: false,
    image_mimes: &[],
    video_mimes: &[
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/x-msvideo",
        "video/x-matroska",
        "video/mpeg",
        "application/octet-stream",
    ],
    max_image_bytes: 0,
    max_gif_bytes: 0,
    max_video_bytes: 256 * 1000 * GIB / 1024,
    max_hashtags: None,
    max_mentions: None,
};

/// TikTok: one video or up to 35 photos (JPEG/WEBP); caption 2200 UTF-16 units.
static TIKTOK_CAPS: Capabilities = Capabilities {
    max_text: 2200,
    text_counting: TextCounting::Utf16,
    text_only: false,
    requires_video: false,
    max_images: 35,
    max_videos: 1,
    max_gifs: 0,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/webp"],
    video_mimes: &["video/mp4", "video/quicktime", "video/webm"],
    max_image_bytes: 20 * MIB,
    max_gif_bytes: 0,
    // 4 GB per the reference (10 GB is UNCONFIRMED).
    max_video_bytes: 4 * GIB,
    max_hashtags: None,
    max_mentions: None,
};

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
