//! Emulator configuration: bind address, app credentials, seeded identities,
//! token lifetimes and limits. Defaults follow /work/contract.md
//! (docs/emulator.md in the repository).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use creatorsync_core::Platform;
use serde::{Deserialize, Serialize};

/// The OAuth app registered at a platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentials {
    /// `client_id` (TikTok: `client_key`).
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// OAuth 1.0a consumer key (X only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_key: Option<String>,
    /// OAuth 1.0a consumer secret (X only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<String>,
}

impl AppCredentials {
    /// The default test app of `platform` (Facebook and Instagram share Meta's).
    pub fn default_for(platform: Platform) -> Self {
        let name = match platform {
            Platform::Instagram => "facebook",
            p => p.as_str(),
        };
        let (consumer_key, consumer_secret) = if platform == Platform::X {
            (
                Some("cs-test-x-consumer".to_owned()),
                Some("cs-test-x-consumer-secret".to_owned()),
            )
        } else {
            (None, None)
        };
        Self {
            client_id: format!("cs-test-{name}"),
            client_secret: format!("cs-test-{name}-secret"),
            consumer_key,
            consumer_secret,
        }
    }
}

/// One account an emulated user can act as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Platform user id (X id, LinkedIn person id, Meta user id, channel id, open_id).
    pub id: String,
    /// Username / handle.
    pub username: String,
    /// Display name.
    pub name: String,
    /// LinkedIn organizations administered: (id, name).
    #[serde(default)]
    pub organizations: Vec<(u64, String)>,
    /// Meta pages managed: (page id, name, linked Instagram account).
    #[serde(default)]
    pub pages: Vec<PageIdentity>,
}

/// A Facebook page (and its Instagram professional account, if linked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageIdentity {
    /// Page id.
    pub id: String,
    /// Page name.
    pub name: String,
    /// Linked Instagram business account: (ig user id, username).
    pub instagram: Option<(String, String)>,
}

/// Token lifetimes of one platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLifetimes {
    /// Access token lifetime (None: does not expire).
    pub access: Option<Duration>,
    /// Refresh token lifetime (None: no refresh token issued).
    pub refresh: Option<Duration>,
}

/// Emulator settings. `Default` gives the documented test apps and users.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmulatorConfig {
    /// Address to bind every listener on (default 127.0.0.1).
    pub bind: IpAddr,
    /// App credentials per platform.
    pub apps: Vec<(Platform, AppCredentials)>,
    /// Seeded user per platform (the auto-approving "login user").
    pub identities: Vec<(Platform, Identity)>,
    /// Token lifetimes per platform.
    pub lifetimes: Vec<(Platform, TokenLifetimes)>,
    /// LinkedIn versions accepted in `LinkedIn-Version`. `None` (the
    /// default) follows LinkedIn's calendar on the emulator clock: a
    /// `YYYYMM` version is active from its month until its sunset (the
    /// published date, else the 15th of the same month a year later).
    /// `Some(set)` pins an explicit set instead.
    #[serde(default)]
    pub linkedin_versions: Option<BTreeSet<String>>,
    /// Graph API versions refused as retired (e.g. "v2.0"), whatever the
    /// calendar says.
    pub retired_graph_versions: BTreeSet<String>,
    /// What an expired Graph version gets. `false` (default, like Meta):
    /// the call is served by the oldest live version, visibly: response
    /// header `x-emulator-graph-version-served` and
    /// [`RequestRecord::version_served`](crate::RequestRecord). `true`: a
    /// Graph error `(#2635)` instead, so clients can be tested either way.
    #[serde(default)]
    pub graph_expired_refuse: bool,
    /// Delay before async media processing finishes (X, LinkedIn video,
    /// Instagram containers, YouTube, TikTok). Tests keep it small.
    pub processing_delay: Duration,
    /// YouTube daily quota units per project.
    pub youtube_quota_units: u64,
    /// YouTube `videos.insert` calls per project per Pacific day, a bucket
    /// of their own since 2026-06-01 (YouTube: 100).
    #[serde(default = "default_youtube_uploads_per_day")]
    pub youtube_uploads_per_day: u64,
    /// Instagram publishing limit per account per rolling 24 h.
    pub instagram_publish_limit: u64,
    /// Reels published through the API per Facebook Page per rolling 24 h
    /// (Meta: 30). **Test knob**, like `x_tweets_per_window`.
    #[serde(default = "default_facebook_reels_per_day")]
    pub facebook_reels_per_day: u64,
    /// Hosts (host:port) the emulator may fetch `image_url`/`video_url`
    /// from. Only loopback is ever fetched.
    pub allow_fetch_loopback: bool,
    /// Largest X media APPEND segment accepted, in bytes. The real API
    /// limit is 5 MB ([`X_MAX_APPEND_BYTES`]); tests may raise it.
    #[serde(default = "default_x_max_append")]
    pub x_max_append_bytes: u64,
    /// `POST /2/tweets` allowed per user per 15-minute window (X: 100).
    /// **Test knob**: a test that posts hundreds of times on one account
    /// (the fault matrix) raises it.
    #[serde(default = "default_x_tweets_per_window")]
    pub x_tweets_per_window: u64,
    /// `POST /2/tweets` allowed per app per 24 hours, all users together
    /// (X: 10,000; `x-app-limit-24hour-*` headers).
    #[serde(default = "default_x_tweets_per_day_app")]
    pub x_tweets_per_day_app: u64,
    /// Calls per user per 15-minute window to each media upload endpoint
    /// (initialize, append, finalize; X: 1,875).
    #[serde(default = "default_x_media_per_window")]
    pub x_media_per_window: u64,
    /// LinkedIn posts allowed per member per day (LinkedIn: 150). **Test
    /// knob**, like `x_tweets_per_window`.
    #[serde(default = "default_linkedin_member_daily_posts")]
    pub linkedin_member_daily_posts: u64,
    /// TikTok's per-token, per-minute request limits. **Test knob**: the
    /// default is TikTok's documented limits ([`TikTokRateLimits::default`],
    /// e.g. 6 video inits per minute per token), which the rate-limit tests
    /// exercise. A test that needs many publishes on one token within a
    /// minute for another reason (the multi-process refresh race) raises
    /// them instead of waiting out the window.
    #[serde(default)]
    pub tiktok_rate_limits: TikTokRateLimits,
    /// Direct posts a TikTok creator may make per rolling 24 hours (TikTok:
    /// about 15, shared across apps); beyond it the init answers
    /// `spam_risk_too_many_posts`. **Test knob**.
    #[serde(default = "default_tiktok_direct_posts_per_day")]
    pub tiktok_direct_posts_per_day: u64,
    /// The longest video the seeded TikTok creator may post, as
    /// `creator_info` reports it (`max_video_post_duration_sec`; TikTok:
    /// 60 s to 60 min depending on the creator). **Test knob**.
    #[serde(default = "default_tiktok_max_video_secs")]
    pub tiktok_max_video_post_duration_sec: u64,
    /// The Instagram app of "Instagram API with Instagram Login" (its own
    /// app id and secret, distinct from the Meta app's).
    #[serde(default = "default_instagram_login_app")]
    pub instagram_login_app: AppCredentials,
    /// How old an Instagram Login long-lived token must be before
    /// `refresh_access_token` accepts it (Instagram: 24 hours). **Test
    /// knob**: tests that refresh a fresh token set it to zero.
    #[serde(default = "default_instagram_refresh_min_age")]
    pub instagram_refresh_min_age: Duration,
}

/// Requests allowed per access token per rolling minute on TikTok's
/// Content Posting endpoints (platforms.md §6.3). A call beyond the limit
/// answers 429 `rate_limit_exceeded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokRateLimits {
    /// `creator_info/query` (TikTok: 20).
    pub creator_info: usize,
    /// Each init endpoint: video, inbox video, photo content (TikTok: 6).
    pub init: usize,
    /// `status/fetch` (TikTok: 30).
    pub status: usize,
    /// `video/list` (600; UNCONFIRMED: not in platforms.md, the Display API
    /// default).
    pub video_list: usize,
}

impl Default for TikTokRateLimits {
    /// TikTok's documented limits.
    fn default() -> Self {
        Self {
            creator_info: 20,
            init: 6,
            status: 30,
            video_list: 600,
        }
    }
}

/// The default Instagram Login test app.
fn default_instagram_login_app() -> AppCredentials {
    AppCredentials {
        client_id: "cs-test-instagram-login".to_owned(),
        client_secret: "cs-test-instagram-login-secret".to_owned(),
        consumer_key: None,
        consumer_secret: None,
    }
}

/// Instagram: a long-lived token is refreshable once it is 24 hours old.
const INSTAGRAM_REFRESH_MIN_AGE: Duration = Duration::from_secs(86_400);

fn default_instagram_refresh_min_age() -> Duration {
    INSTAGRAM_REFRESH_MIN_AGE
}

/// YouTube's `videos.insert` bucket per project per Pacific day.
pub const YOUTUBE_UPLOADS_PER_DAY: u64 = 100;

fn default_youtube_uploads_per_day() -> u64 {
    YOUTUBE_UPLOADS_PER_DAY
}

/// TikTok access token lifetime (2 h).
pub const TIKTOK_ACCESS_SECS: u64 = 2 * 3600;

/// TikTok direct posts per creator per rolling 24 hours.
pub(crate) const TIKTOK_DIRECT_POSTS_PER_DAY: u64 = 15;

fn default_tiktok_direct_posts_per_day() -> u64 {
    TIKTOK_DIRECT_POSTS_PER_DAY
}

/// The seeded TikTok creator's longest video, seconds.
pub const TIKTOK_MAX_VIDEO_POST_DURATION_SEC: u64 = 300;

fn default_tiktok_max_video_secs() -> u64 {
    TIKTOK_MAX_VIDEO_POST_DURATION_SEC
}

/// TikTok refresh token lifetime (180 days), renewed by each rotation.
pub const TIKTOK_REFRESH_SECS: u64 = 180 * 86400;

/// X's documented `POST /2/tweets` limit per user per 15 minutes.
pub const X_TWEETS_PER_WINDOW: u64 = 100;

fn default_x_tweets_per_window() -> u64 {
    X_TWEETS_PER_WINDOW
}

/// X's documented `POST /2/tweets` limit per app per 24 hours.
pub const X_TWEETS_PER_DAY_APP: u64 = 10_000;

fn default_x_tweets_per_day_app() -> u64 {
    X_TWEETS_PER_DAY_APP
}

/// X's documented media upload limit per user per 15 minutes, per endpoint.
pub const X_MEDIA_PER_WINDOW: u64 = 1_875;

fn default_x_media_per_window() -> u64 {
    X_MEDIA_PER_WINDOW
}

/// LinkedIn's per-member daily post limit.
pub const LINKEDIN_MEMBER_DAILY_POSTS: u64 = 150;

fn default_linkedin_member_daily_posts() -> u64 {
    LINKEDIN_MEMBER_DAILY_POSTS
}

/// Meta's Page Reels limit: API-published reels per Page per rolling 24 h
/// (developers.facebook.com/documentation/video-api/guides/reels-publishing,
/// read 2026-12).
pub const FACEBOOK_REELS_PER_DAY: u64 = 30;

fn default_facebook_reels_per_day() -> u64 {
    FACEBOOK_REELS_PER_DAY
}

/// X's documented APPEND segment limit (5 MB; taken as 5 MiB).
pub const X_MAX_APPEND_BYTES: u64 = 5 * 1024 * 1024;

fn default_x_max_append() -> u64 {
    X_MAX_APPEND_BYTES
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        let h = |s: u64| Some(Duration::from_secs(s));
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            apps: Platform::ALL
                .iter()
                .map(|p| (*p, AppCredentials::default_for(*p)))
                .collect(),
            identities: default_identities(),
            lifetimes: vec![
                (
                    Platform::X,
                    TokenLifetimes {
                        access: h(7200),
                        refresh: h(180 * 86400),
                    },
                ),
                (
                    Platform::LinkedIn,
                    TokenLifetimes {
                        access: h(60 * 86400),
                        refresh: h(365 * 86400),
                    },
                ),
                // Meta: long-lived user token 60 d; page tokens never expire; no refresh.
                (
                    Platform::Facebook,
                    TokenLifetimes {
                        access: h(60 * 86400),
                        refresh: None,
                    },
                ),
                (
                    Platform::Instagram,
                    TokenLifetimes {
                        access: h(60 * 86400),
                        refresh: None,
                    },
                ),
                (
                    Platform::YouTube,
                    TokenLifetimes {
                        access: h(3599),
                        refresh: None,
                    },
                ),
                // TikTok (docs, 2026-11): access 2 h, refresh 180 d, rotated
                // on every refresh.
                (
                    Platform::TikTok,
                    TokenLifetimes {
                        access: h(TIKTOK_ACCESS_SECS),
                        refresh: h(TIKTOK_REFRESH_SECS),
                    },
                ),
            ],
            linkedin_versions: None,
            retired_graph_versions: BTreeSet::new(),
            graph_expired_refuse: false,
            processing_delay: Duration::from_millis(50),
            youtube_quota_units: 10_000,
            youtube_uploads_per_day: YOUTUBE_UPLOADS_PER_DAY,
            instagram_publish_limit: 100,
            facebook_reels_per_day: FACEBOOK_REELS_PER_DAY,
            allow_fetch_loopback: true,
            x_max_append_bytes: X_MAX_APPEND_BYTES,
            x_tweets_per_window: X_TWEETS_PER_WINDOW,
            x_tweets_per_day_app: X_TWEETS_PER_DAY_APP,
            x_media_per_window: X_MEDIA_PER_WINDOW,
            linkedin_member_daily_posts: LINKEDIN_MEMBER_DAILY_POSTS,
            tiktok_rate_limits: TikTokRateLimits::default(),
            tiktok_direct_posts_per_day: TIKTOK_DIRECT_POSTS_PER_DAY,
            tiktok_max_video_post_duration_sec: TIKTOK_MAX_VIDEO_POST_DURATION_SEC,
            instagram_login_app: default_instagram_login_app(),
            instagram_refresh_min_age: INSTAGRAM_REFRESH_MIN_AGE,
        }
    }
}

impl EmulatorConfig {
    /// The app of `platform`.
    pub fn app(&self, platform: Platform) -> AppCredentials {
        self.apps
            .iter()
            .find(|(p, _)| *p == platform)
            .map_or_else(|| AppCredentials::default_for(platform), |(_, a)| a.clone())
    }

    /// The seeded identity of `platform`.
    pub fn identity(&self, platform: Platform) -> Option<&Identity> {
        let p = if platform == Platform::Instagram {
            Platform::Facebook
        } else {
            platform
        };
        self.identities
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, i)| i)
    }

    /// Token lifetimes of `platform`.
    pub fn lifetimes(&self, platform: Platform) -> TokenLifetimes {
        self.lifetimes.iter().find(|(p, _)| *p == platform).map_or(
            TokenLifetimes {
                access: None,
                refresh: None,
            },
            |(_, l)| l.clone(),
        )
    }
}

fn default_identities() -> Vec<(Platform, Identity)> {
    let id = |id: &str, username: &str, name: &str| Identity {
        id: id.to_owned(),
        username: username.to_owned(),
        name: name.to_owned(),
        organizations: Vec::new(),
        pages: Vec::new(),
    };
    let mut linkedin = id("li-demo-person", "li-demo-person", "Demo Creator");
    linkedin.organizations = vec![
        (10001, "Acme Studio".to_owned()),
        (10002, "Side Project".to_owned()),
    ];
    let mut meta = id("fb-demo-user", "fb-demo-user", "Demo Creator");
    meta.pages = vec![
        PageIdentity {
            id: "1001".to_owned(),
            name: "Demo Page".to_owned(),
            instagram: Some(("17841400000000001".to_owned(), "demo.creator".to_owned())),
        },
        PageIdentity {
            id: "1002".to_owned(),
            name: "Second Page".to_owned(),
            instagram: None,
        },
    ];
    vec![
        (
            Platform::X,
            id("2244994945", "creatorsync_demo", "CreatorSync Demo"),
        ),
        (Platform::LinkedIn, linkedin),
        (Platform::Facebook, meta),
        (
            Platform::YouTube,
            id(
                "UCdemo0000000000000000001",
                "creatorsync-demo",
                "CreatorSync Demo",
            ),
        ),
        (
            Platform::TikTok,
            id("tt-demo-open-id", "creatorsync.demo", "CreatorSync Demo"),
        ),
    ]
}
