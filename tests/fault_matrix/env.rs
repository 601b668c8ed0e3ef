//! The matrix's world: one emulator with no processing delay and roomy
//! quotas, one client tuned for speed (tiny backoffs, short timeouts), a
//! creator connected to all six platforms, and the publish paths.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::media_host::ObjectStoreMediaHost;
use creatorsync::publish_log::MemoryPublishLog;
use creatorsync::upload::{PollConfig, UploadConfig};
use creatorsync::{
    CreatorSync, FileSource, HttpConfig, Media, MemoryTokenStore, Platform, Post, PublishLog,
    PublishReport, Result, RetryConfig, Target, TikTokPrivacy, UrlSource,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, MediaServer, RunningEmulator};

pub const USER: &str = "matrix-creator";

/// The client's processing deadline: how long a retry may keep finding a
/// post still processing or not listed yet before the outcome is final.
pub const SETTLE: Duration = Duration::from_secs(3);

/// A publish path: what the post carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// Text only.
    Text,
    /// One image from a file.
    Image,
    /// Two images from files.
    Images,
    /// One video from a file.
    Video,
    /// One image the platform pulls from a URL.
    UrlImage,
    /// One video the platform pulls from a URL.
    UrlVideo,
    /// A thread of three parts (the post and two replies, each replying
    /// to the previous).
    Thread,
    /// A text post with a first comment.
    FirstComment,
}

impl PathKind {
    /// Whether the platform processes what this path uploads (where a
    /// processing failure can be injected).
    pub fn processes(self) -> bool {
        matches!(self, PathKind::Video | PathKind::UrlVideo)
    }
}

/// What tells the posts of one publish of `path` apart, in report order
/// (the post, its first comment, its thread parts): `marker` itself for a
/// single post.
pub fn markers(path: PathKind, marker: &str) -> Vec<String> {
    match path {
        PathKind::Thread => (0..3).map(|i| format!("{marker}-{i}")).collect(),
        PathKind::FirstComment => vec![format!("{marker}-0"), format!("{marker}-c")],
        _ => vec![marker.to_owned()],
    }
}

/// The paths each platform offers.
pub fn paths(platform: Platform) -> Vec<PathKind> {
    use PathKind::*;
    match platform {
        Platform::X => vec![Text, Image, Images, Video, Thread, FirstComment],
        Platform::LinkedIn => vec![Text, Image, Images, Video, FirstComment],
        Platform::Facebook => vec![Text, Image, Images, Video, UrlImage, FirstComment],
        Platform::Instagram => vec![Image, Images, Video, UrlImage, FirstComment],
        Platform::YouTube => vec![Video, FirstComment],
        Platform::TikTok => vec![Video, Images, UrlVideo],
    }
}

pub struct Env {
    pub emu: RunningEmulator,
    pub sync: CreatorSync,
    /// The one account per platform the matrix publishes to.
    accounts: std::collections::BTreeMap<Platform, String>,
    dir: tempfile::TempDir,
    media: MediaServer,
}

/// A JPEG-looking file.
fn jpeg(len: usize) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    v.resize(len - 2, 0x55);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// An MP4-looking file.
fn mp4(len: usize) -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(len, 0x42);
    v
}

impl Env {
    pub async fn new() -> Env {
        Self::with_config(|_| {}).await
    }

    /// An environment whose emulator configuration `tweak` changes first.
    pub async fn with_config(tweak: impl FnOnce(&mut EmulatorConfig)) -> Env {
        let mut config = EmulatorConfig {
            processing_delay: Duration::ZERO,
            youtube_quota_units: u64::MAX / 4,
            instagram_publish_limit: 1_000_000,
            allow_fetch_loopback: true,
            x_tweets_per_window: u64::MAX,
            linkedin_member_daily_posts: u64::MAX,
            tiktok_direct_posts_per_day: u64::MAX,
            youtube_uploads_per_day: u64::MAX,
            facebook_reels_per_day: u64::MAX,
            tiktok_rate_limits: creatorsync_emulator::TikTokRateLimits {
                creator_info: usize::MAX,
                init: usize::MAX,
                status: usize::MAX,
                video_list: usize::MAX,
            },
            ..EmulatorConfig::default()
        };
        tweak(&mut config);
        let emu = Emulator::start(config).await.expect("emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let public = dir.path().join("public");
        std::fs::create_dir_all(&public).unwrap();
        std::fs::write(public.join("pulled.jpg"), jpeg(3_000)).unwrap();
        std::fs::write(public.join("pulled.mp4"), mp4(48_000)).unwrap();
        let media = MediaServer::start(&public).await.expect("media server");
        let host = ObjectStoreMediaHost::local(&public, media.url().clone()).expect("media host");
        let fast = RetryConfig {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..RetryConfig::default()
        };
        // The caps are the emulator's business here (raised above to let
        // hundreds of cases run); the SDK counts the same raised caps.
        let mut builder = CreatorSync::builder();
        for (platform, bucket) in [
            (Platform::X, "posts"),
            (Platform::YouTube, "uploads"),
            (Platform::Instagram, "posts"),
            (Platform::Facebook, "reels"),
            (Platform::TikTok, "video_init"),
            (Platform::TikTok, "posts"),
        ] {
            builder = builder.quota_limit(platform, bucket, u32::MAX);
        }
        let sync = builder
            .apps(Apps::emulator_defaults())
            .endpoints(emu.endpoints().clone())
            .state_secret(*b"matrix-state-secret-0123456789abcdef")
            .store(Arc::new(MemoryTokenStore::new()))
            .publish_log(Arc::new(MemoryPublishLog::new()) as Arc<dyn PublishLog>)
            .media_host(Arc::new(host))
            .http(HttpConfig {
                // A hung request (the server acted, no answer) costs this.
                timeout: Duration::from_millis(400),
                retry: fast,
                ..HttpConfig::default()
            })
            .upload(UploadConfig {
                chunk_size: 16 * 1024,
                concurrency: 1,
                retry_backoff: Duration::from_millis(1),
                ..UploadConfig::default()
            })
            .poll(PollConfig {
                initial: Duration::from_millis(1),
                max_interval: Duration::from_millis(10),
                deadline: SETTLE - Duration::from_millis(500),
            })
            .lease_ttl(Duration::from_secs(20))
            .build()
            .await
            .expect("client");
        let mut env = Env {
            emu,
            sync,
            accounts: Default::default(),
            dir,
            media,
        };
        for p in Platform::ALL {
            let account = env.connect(p).await;
            env.accounts.insert(p, account);
        }
        env
    }

    async fn connect(&self, platform: Platform) -> String {
        let req = self
            .sync
            .connector()
            .begin(USER, platform, "http://127.0.0.1:9/callback")
            .await
            .expect("begin");
        let callback = self.emu.approve(req.url.as_str()).await.expect("authorize");
        let accounts = self
            .sync
            .connector()
            .complete_from_url(USER, platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: connect failed: {e}"));
        accounts
            .first()
            .unwrap_or_else(|| panic!("{platform}: no account"))
            .key
            .account_id
            .clone()
    }

    async fn file(&self, name: &str, bytes: &[u8]) -> Media {
        let path: PathBuf = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        Media::new(FileSource::new(path)).await.expect("media")
    }

    async fn pulled(&self, name: &str) -> Media {
        let url = self.media.url().join(name).expect("url");
        let source = UrlSource::builder(url.as_str())
            .allow_loopback(true)
            .build()
            .expect("url source");
        Media::new(source).await.expect("url media")
    }

    /// The post of `path` for `platform`, its text carrying `marker`
    /// (a sequence: each of its posts carrying one of [`markers`]).
    pub async fn post(&self, platform: Platform, path: PathKind, marker: &str) -> Post {
        let mut post = Post::text(format!("{marker} exactly once"));
        post = match path {
            PathKind::Text => post,
            PathKind::Thread => {
                let mut post = Post::text(format!("{marker}-0 exactly once"));
                post.thread = (1..=2)
                    .map(|i| creatorsync::ThreadPart::text(format!("{marker}-{i} exactly once")))
                    .collect();
                post
            }
            PathKind::FirstComment => {
                let mut post = Post::text(format!("{marker}-0 exactly once"));
                post.first_comment = Some(format!("{marker}-c exactly once"));
                // Where a post needs media, the first comment's post has one.
                match platform {
                    Platform::Instagram => {
                        post.with_media(self.file(&format!("{marker}.jpg"), &jpeg(2_000)).await)
                    }
                    Platform::YouTube => {
                        post.with_media(self.file(&format!("{marker}.mp4"), &mp4(40_000)).await)
                    }
                    _ => post,
                }
            }
            PathKind::Image => {
                post.with_media(self.file(&format!("{marker}.jpg"), &jpeg(2_000)).await)
            }
            PathKind::Images => post
                .with_media(self.file(&format!("{marker}-1.jpg"), &jpeg(2_000)).await)
                .with_media(self.file(&format!("{marker}-2.jpg"), &jpeg(2_100)).await),
            PathKind::Video => {
                post.with_media(self.file(&format!("{marker}.mp4"), &mp4(40_000)).await)
            }
            PathKind::UrlImage => post.with_media(self.pulled("pulled.jpg").await),
            PathKind::UrlVideo => post.with_media(self.pulled("pulled.mp4").await),
        };
        if platform == Platform::TikTok {
            post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
            post.options.tiktok.disable_stitch = true;
            post.options.tiktok.photo_title = Some(marker.to_owned());
        }
        if platform == Platform::YouTube {
            post.options.youtube.title = Some(marker.to_owned());
        }
        post
    }

    /// Publishes `post` to the creator's `platform` account with `key`.
    pub async fn publish(
        &self,
        platform: Platform,
        post: &Post,
        key: &str,
    ) -> Result<PublishReport> {
        let target = Target::Account {
            platform,
            account_id: self.accounts[&platform].clone(),
        };
        self.sync
            .publish(USER, post)
            .targets([target])
            .idempotency_key(key)
            .await
    }

    /// The creator's `platform` account is connected and not flagged.
    pub async fn account_usable(&self, platform: Platform) -> std::result::Result<(), String> {
        let status = self
            .sync
            .tokens()
            .status(USER)
            .await
            .map_err(|e| e.to_string())?;
        let bad: Vec<_> = status
            .iter()
            .filter(|s| {
                s.account.key.platform == platform
                    && s.account.key.account_id == self.accounts[&platform]
                    && (s.needs_reauth || !s.connected)
            })
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(format!("{bad:?}"))
        }
    }
}
