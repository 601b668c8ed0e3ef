//! Shared helpers of the platform integration tests: connect accounts on the
//! emulator through its OAuth endpoints (`connect`), build a client config,
//! an in-memory media source, and the publish scenarios the platforms share
//! (`scenarios`).
#![allow(dead_code, unreachable_pub, unused_imports)]

mod connect;
mod scenarios;

pub use connect::{USER, accounts, connect, meta_proof};
pub use scenarios::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync::http::HttpClient;
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig};
use creatorsync::{
    ClientConfig, HttpConfig, Media, MediaInfo, MediaKind, MediaSource, Platform, Progress,
    PublishRequest, RetryConfig, Secret, StoredToken,
};
use creatorsync_emulator::RunningEmulator;

/// A client config pointing at the emulator, with quick polls and retries.
pub fn config(emu: &RunningEmulator, platform: Platform) -> ClientConfig {
    let app = emu.app(platform);
    let retry = RetryConfig {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryConfig::default()
    };
    ClientConfig {
        http: HttpClient::new(HttpConfig {
            retry,
            ..HttpConfig::default()
        })
        .unwrap(),
        endpoints: emu.endpoints().get(platform).clone(),
        client_id: app.client_id.clone(),
        client_secret: Secret::new(app.client_secret.clone()),
        consumer: app
            .consumer_key
            .clone()
            .zip(app.consumer_secret.clone().map(Secret::new)),
        api_version: None,
        upload: UploadConfig {
            chunk_size: 1024 * 1024,
            retry_backoff: Duration::from_millis(10),
            piece_size: 256 * 1024,
            ..UploadConfig::default()
        },
        poll: PollConfig {
            initial: Duration::from_millis(10),
            max_interval: Duration::from_millis(30),
            deadline: Duration::from_secs(20),
        },
    }
}

/// A publish request with in-memory sessions and no progress sink.
pub fn request<'a>(
    account: &'a StoredToken,
    post: &'a creatorsync::Post,
    sessions: Arc<MemoryUploadSessions>,
) -> PublishRequest<'a> {
    PublishRequest {
        account,
        post,
        progress: Progress::none(),
        sessions,
        session_key: format!("test:{}:{}", account.key.platform, account.key.account_id),
        commit: Default::default(),
        tokens: Default::default(),
    }
}

/// In-memory media (test-only; the SDK's sources live in `media`).
#[derive(Debug)]
pub struct Mem {
    bytes: Bytes,
    mime: &'static str,
    kind: MediaKind,
    url: Option<url::Url>,
    /// Reads reaching past this offset fail (simulates a crash mid-upload).
    readable: Arc<AtomicU64>,
}

#[async_trait]
impl MediaSource for Mem {
    async fn describe(&self) -> creatorsync::Result<MediaInfo> {
        Ok(MediaInfo {
            len: self.bytes.len() as u64,
            mime: self.mime.to_owned(),
            name: Some("test".into()),
            kind: self.kind,
        })
    }
    async fn read_range(&self, offset: u64, len: u64) -> creatorsync::Result<Bytes> {
        if offset.saturating_add(len) > self.readable.load(Ordering::SeqCst) {
            return Err(creatorsync::Error::invalid_media(
                "test",
                "simulated read failure",
            ));
        }
        let start = (offset as usize).min(self.bytes.len());
        let end = (offset.saturating_add(len) as usize).min(self.bytes.len());
        Ok(self.bytes.slice(start..end))
    }
    fn public_url(&self) -> Option<&url::Url> {
        self.url.as_ref()
    }
}

/// `len` bytes of a deterministic pattern.
pub fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect::<Vec<u8>>()
        .into()
}

async fn media(bytes: Bytes, mime: &'static str, kind: MediaKind, url: Option<url::Url>) -> Media {
    Media::new(Mem {
        bytes,
        mime,
        kind,
        url,
        readable: Arc::new(AtomicU64::new(u64::MAX)),
    })
    .await
    .unwrap()
}

/// A video whose reads past the returned limit fail until it is raised.
pub async fn video_with_limit(len: usize, limit: u64) -> (Media, Arc<AtomicU64>) {
    let readable = Arc::new(AtomicU64::new(limit));
    let m = Media::new(Mem {
        bytes: pattern(len, 9),
        mime: "video/mp4",
        kind: MediaKind::Video,
        url: None,
        readable: readable.clone(),
    })
    .await
    .unwrap();
    (m, readable)
}

/// A PNG-typed image of `len` bytes.
pub async fn image(len: usize, seed: u8) -> Media {
    media(pattern(len, seed), "image/png", MediaKind::Image, None).await
}

/// An image the platform can fetch from `url`.
pub async fn image_at(len: usize, url: url::Url) -> Media {
    media(pattern(len, 7), "image/jpeg", MediaKind::Image, Some(url)).await
}

/// An animated GIF of `len` bytes.
pub async fn gif(len: usize) -> Media {
    media(pattern(len, 3), "image/gif", MediaKind::Gif, None).await
}

/// An MP4-typed video of `len` bytes.
pub async fn video(len: usize) -> Media {
    media(pattern(len, 9), "video/mp4", MediaKind::Video, None).await
}

/// Fresh in-memory upload sessions.
pub fn sessions() -> Arc<MemoryUploadSessions> {
    Arc::new(MemoryUploadSessions::new())
}
