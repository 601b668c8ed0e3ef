//! What to publish: [`Post`], its [`Media`] and per-platform options.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::media::{MediaInfo, MediaSource, Probe};
use crate::{MediaKind, Platform, Result};

pub(crate) mod content;
pub(crate) mod preview;

pub use content::{LinkPreview, Mention};

/// One media item of a post: a source, described once, plus alt text.
#[derive(Clone)]
pub struct Media {
    source: Arc<dyn MediaSource>,
    info: MediaInfo,
    probe: Option<Arc<Probe>>,
    alt_text: Option<String>,
}

impl fmt::Debug for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media")
            .field("info", &self.info)
            .field("probe", &self.probe)
            .field("alt_text", &self.alt_text)
            .finish_non_exhaustive()
    }
}

impl Media {
    /// Describes `source` (length, type) and wraps it. Fails with
    /// [`crate::Error::InvalidMedia`] for missing, empty or unknown media.
    pub async fn new(source: impl MediaSource + 'static) -> Result<Self> {
        Self::from_arc(Arc::new(source)).await
    }

    /// Like [`Media::new`] for a shared source. Also probes it
    /// ([`crate::media::probe`]: a few small range reads); media the probe
    /// cannot read is kept, without a probe, for the platform to judge.
    pub async fn from_arc(source: Arc<dyn MediaSource>) -> Result<Self> {
        let info = source.describe().await?;
        let probe = match crate::media::probe(&*source).await {
            Ok(p) => Some(Arc::new(p)),
            Err(e) => {
                tracing::debug!(error = %e, "media not probed");
                None
            }
        };
        Ok(Self {
            source,
            info,
            probe,
            alt_text: None,
        })
    }

    /// A fitted variant of media: its new source, described and probed.
    pub(crate) async fn variant(&self, source: Arc<dyn MediaSource>) -> Result<Self> {
        let mut out = Self::from_arc(source).await?;
        out.alt_text.clone_from(&self.alt_text);
        Ok(out)
    }

    /// What is inside the media (duration, size, codecs, ...), when it
    /// could be read.
    pub fn probe(&self) -> Option<&Probe> {
        self.probe.as_deref()
    }

    /// Sets the alt text (accessibility description).
    #[must_use]
    pub fn with_alt_text(mut self, alt: impl Into<String>) -> Self {
        self.alt_text = Some(alt.into());
        self
    }

    /// The source.
    pub fn source(&self) -> &Arc<dyn MediaSource> {
        &self.source
    }

    /// Length, type and name.
    pub fn info(&self) -> &MediaInfo {
        &self.info
    }

    /// Image, GIF or video.
    pub fn kind(&self) -> MediaKind {
        self.info.kind
    }

    /// The alt text, if any.
    pub fn alt_text(&self) -> Option<&str> {
        self.alt_text.as_deref()
    }
}

/// A post to publish: text, ordered media and per-platform options.
///
/// `texts` replaces `text` on the platforms it names, so one post can say
/// something long on LinkedIn and something short on X; every client and
/// the validation read [`Post::text_for`].
///
/// ```
/// use creatorsync_core::{Platform, Post};
/// let post = Post::text("A long story for LinkedIn").with_text_for(Platform::X, "Short");
/// assert_eq!(post.text_for(Platform::X), "Short");
/// assert_eq!(post.text_for(Platform::LinkedIn), "A long story for LinkedIn");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Post {
    /// The text (caption on media platforms, description on YouTube) on
    /// every platform without its own entry in `texts`.
    pub text: String,
    /// Per-platform text replacing `text` on that platform.
    pub texts: BTreeMap<Platform, String>,
    /// Media, in display order.
    pub media: Vec<Media>,
    /// Per-platform options.
    pub options: PlatformOptions,
    /// The parts of a thread after this post, in order (X: each a reply
    /// to the previous; see [`crate::thread`]).
    pub thread: Vec<crate::ThreadPart>,
    /// A comment created right after the post (X: a reply to it).
    pub first_comment: Option<String>,
    /// What a platform without threads does with `thread`.
    pub thread_mode: crate::ThreadMode,
    /// Publish as a draft: the platform's closest meaning of "not live
    /// yet" ([`crate::DraftKind`]: a Facebook unpublished Page post, a
    /// private YouTube video, a TikTok inbox upload the creator finishes in
    /// the app). Platforms without one (X, LinkedIn, Instagram) refuse the
    /// post in validation. See `docs/drafts-and-edits.md`.
    pub draft: bool,
    /// People the text mentions as `@{key}` placeholders, by key; each
    /// platform writes them its own way (`docs/post-content.md`). The
    /// text is read for placeholders only when this is not empty.
    pub mentions: BTreeMap<String, Mention>,
    /// Writes a mention as its plain name on a platform it has no id
    /// for, instead of refusing the post there.
    pub mention_fallback: bool,
    /// A link to share with its preview card (LinkedIn article, Facebook
    /// link; appended to the text on X and YouTube).
    pub link: Option<LinkPreview>,
}

impl Post {
    /// A text post.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Sets the text `platform` publishes instead of [`Post::text`].
    #[must_use]
    pub fn with_text_for(mut self, platform: Platform, text: impl Into<String>) -> Self {
        self.texts.insert(platform, text.into());
        self
    }

    /// The text `platform` publishes: its own entry in `texts`, else `text`.
    pub fn text_for(&self, platform: Platform) -> &str {
        self.texts.get(&platform).unwrap_or(&self.text)
    }

    /// Adds a media item.
    #[must_use]
    pub fn with_media(mut self, media: Media) -> Self {
        self.media.push(media);
        self
    }

    /// Publishes the post as a draft ([`Post::draft`]).
    #[must_use]
    pub fn as_draft(mut self) -> Self {
        self.draft = true;
        self
    }

    /// Adds a mention, written in the text as `@{key}`.
    #[must_use]
    pub fn with_mention(mut self, key: impl Into<String>, mention: Mention) -> Self {
        self.mentions.insert(key.into(), mention);
        self
    }

    /// Sets the link to share.
    #[must_use]
    pub fn with_link(mut self, link: LinkPreview) -> Self {
        self.link = Some(link);
        self
    }

    /// Sets the per-platform options.
    #[must_use]
    pub fn with_options(mut self, options: PlatformOptions) -> Self {
        self.options = options;
        self
    }
}

/// Options per platform; every field has a sensible default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformOptions {
    /// X options.
    pub x: XOptions,
    /// LinkedIn options.
    pub linkedin: LinkedInOptions,
    /// Facebook options.
    pub facebook: FacebookOptions,
    /// Instagram options.
    pub instagram: InstagramOptions,
    /// YouTube options.
    pub youtube: YouTubeOptions,
    /// TikTok options.
    pub tiktok: TikTokOptions,
}

impl PlatformOptions {
    /// Reads options from JSON (`{"youtube": {"title": ...}, ...}`, field
    /// names as serialized: snake_case), refusing what serde would silently
    /// drop: an unknown platform or an unknown option is an
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming it
    /// (`youtube.titel`), so a typo never publishes with defaults.
    ///
    /// ```
    /// use creatorsync_core::PlatformOptions;
    /// let o = PlatformOptions::from_json(serde_json::json!({"youtube": {"title": "Hi"}}))?;
    /// assert_eq!(o.youtube.title.as_deref(), Some("Hi"));
    /// let err = PlatformOptions::from_json(serde_json::json!({"youtube": {"titel": "Hi"}})).unwrap_err();
    /// assert!(err.to_string().contains("youtube.titel"));
    /// # Ok::<(), creatorsync_core::Error>(())
    /// ```
    pub fn from_json(given: serde_json::Value) -> Result<Self> {
        use crate::Error;
        let serde_json::Value::Object(platforms) = &given else {
            return Err(Error::invalid_input(
                "options",
                "must be an object keyed by platform",
            ));
        };
        let options: PlatformOptions = serde_json::from_value(given.clone())
            .map_err(|e| Error::invalid_input("options", e.to_string()))?;
        let known = serde_json::to_value(&options)
            .map_err(|e| Error::invalid_input("options", e.to_string()))?;
        for (platform, fields) in platforms {
            let Some(known) = known.get(platform).and_then(|v| v.as_object()) else {
                return Err(Error::invalid_input(platform.clone(), "unknown platform"));
            };
            let Some(fields) = fields.as_object() else {
                return Err(Error::invalid_input(
                    platform.clone(),
                    "must be an object of options",
                ));
            };
            if let Some(field) = fields.keys().find(|f| !known.contains_key(*f)) {
                return Err(Error::invalid_input(
                    format!("{platform}.{field}"),
                    "unknown option",
                ));
            }
        }
        Ok(options)
    }
}

/// X options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XOptions {
    /// Post as a reply to this post id.
    pub reply_to: Option<String>,
    /// Quote this post id.
    pub quote: Option<String>,
}

/// Who can see a LinkedIn post.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkedInVisibility {
    /// Anyone.
    #[default]
    Public,
    /// First-degree connections (members only).
    Connections,
    /// Signed-in LinkedIn members.
    LoggedIn,
}

/// LinkedIn options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkedInOptions {
    /// Visibility.
    pub visibility: LinkedInVisibility,
    /// Video title (defaults to the first line of the text).
    pub video_title: Option<String>,
    /// Override of the `LinkedIn-Version` header for this post.
    pub api_version: Option<String>,
}

/// Facebook options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FacebookOptions {
    /// A link to attach to a text post.
    pub link: Option<String>,
    /// Video title.
    pub video_title: Option<String>,
    /// Override of the Graph API version (e.g. `v25.0`) for this post.
    pub api_version: Option<String>,
    /// Publish the post's one video as a Page Reel instead of a Page video
    /// (Meta: 3–90 s, 30 API reels per Page per rolling 24 h; the SDK does
    /// not probe the duration).
    pub reel: bool,
    /// Let Facebook publish the post at this time (`published=false` +
    /// `scheduled_publish_time`): 10 minutes to 30 days ahead, text, link
    /// and photo posts only. The report's `scheduled_for` says so.
    pub scheduled_publish_time: Option<DateTime<Utc>>,
}

/// What kind of Instagram media to create.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstagramKind {
    /// Chosen from the media: one image → feed image, one video → reel,
    /// several → carousel.
    #[default]
    Auto,
    /// A feed image (single image).
    Feed,
    /// A reel (single video).
    Reel,
    /// A carousel (2–10 images/videos).
    Carousel,
    /// A story (single image or video).
    Story,
}

/// Instagram options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstagramOptions {
    /// Media kind.
    pub kind: InstagramKind,
    /// Reels: also show in the feed.
    pub share_to_feed: bool,
    /// Reels: cover frame offset in milliseconds.
    pub thumb_offset_ms: Option<u64>,
    /// Reels: publish as a trial reel (shown to non-followers first) that
    /// graduates to followers this way. Only for a reel (one video, kind
    /// `Reel` or `Auto`); anything else is an invalid post.
    pub trial_graduation: Option<TrialGraduation>,
}

impl Default for InstagramOptions {
    fn default() -> Self {
        Self {
            kind: InstagramKind::Auto,
            share_to_feed: true,
            thumb_offset_ms: None,
            trial_graduation: None,
        }
    }
}

/// How an Instagram trial reel graduates to the account's followers
/// (`trial_params.graduation_strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrialGraduation {
    /// The creator shares it with followers from the Instagram app.
    Manual,
    /// Instagram shares it with followers when it performs well with
    /// non-followers.
    SsPerformance,
}

impl TrialGraduation {
    /// The value Instagram's API takes (`MANUAL`, `SS_PERFORMANCE`).
    pub(crate) fn as_graph(self) -> &'static str {
        match self {
            Self::Manual => "MANUAL",
            Self::SsPerformance => "SS_PERFORMANCE",
        }
    }
}

/// YouTube privacy status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YouTubePrivacy {
    /// Only the owner.
    #[default]
    Private,
    /// Anyone with the link.
    Unlisted,
    /// Everyone.
    Public,
}

/// YouTube options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct YouTubeOptions {
    /// Title (≤ 100 chars, no `<` or `>`); defaults to the first line of the text.
    pub title: Option<String>,
    /// Privacy status.
    pub privacy: YouTubePrivacy,
    /// Tags (total ≤ 500 chars).
    pub tags: Vec<String>,
    /// Category id (default `22`, People & Blogs).
    pub category_id: String,
    /// Self-declared made for kids.
    pub made_for_kids: bool,
    /// Scheduled publish time (requires `privacy = private`).
    pub publish_at: Option<DateTime<Utc>>,
    /// Notify subscribers.
    pub notify_subscribers: bool,
}

impl Default for YouTubeOptions {
    fn default() -> Self {
        Self {
            title: None,
            privacy: YouTubePrivacy::Private,
            tags: Vec::new(),
            category_id: "22".to_owned(),
            made_for_kids: false,
            publish_at: None,
            notify_subscribers: true,
        }
    }
}

/// TikTok privacy levels (must be one the creator allows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TikTokPrivacy {
    /// Everyone.
    PublicToEveryone,
    /// Mutual followers.
    MutualFollowFriends,
    /// Followers.
    FollowerOfCreator,
    /// Only the creator.
    SelfOnly,
}

impl TikTokPrivacy {
    /// The API's string.
    pub fn as_str(self) -> &'static str {
        match self {
            TikTokPrivacy::PublicToEveryone => "PUBLIC_TO_EVERYONE",
            TikTokPrivacy::MutualFollowFriends => "MUTUAL_FOLLOW_FRIENDS",
            TikTokPrivacy::FollowerOfCreator => "FOLLOWER_OF_CREATOR",
            TikTokPrivacy::SelfOnly => "SELF_ONLY",
        }
    }
}

/// TikTok options. TikTok's guidelines require the user to pick the privacy
/// level explicitly (no preselected value), so `privacy_level` has no default
/// and publishing without one is a validation error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokOptions {
    /// Privacy level chosen by the user.
    pub privacy_level: Option<TikTokPrivacy>,
    /// Disable comments.
    pub disable_comment: bool,
    /// Disable duets.
    pub disable_duet: bool,
    /// Disable stitches.
    pub disable_stitch: bool,
    /// Paid partnership disclosure.
    pub brand_content_toggle: bool,
    /// Promoting the creator's own business.
    pub brand_organic_toggle: bool,
    /// AI-generated content label.
    pub is_aigc: bool,
    /// Frame used as the cover, in milliseconds.
    pub video_cover_timestamp_ms: Option<u64>,
    /// Photo posts: title (≤ 90 chars; defaults to the first line of the text).
    pub photo_title: Option<String>,
}
