//! What the emulator saw: published posts, received upload chunks and
//! counters, so tests assert exactly what was published, and that nothing
//! was published twice.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde::{Deserialize, Serialize};

/// One media item attached to a published post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// Hex SHA-256 of the bytes as received.
    pub sha256: String,
    /// Byte length.
    pub len: u64,
    /// MIME type as declared by the client.
    pub mime: Option<String>,
    /// Platform media id.
    pub media_id: String,
}

/// A post as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedPost {
    /// Platform.
    pub platform: Platform,
    /// Account it was published on (X user id, person/org id, page id, ig id, channel, open_id).
    pub account_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Text / caption / description.
    pub text: String,
    /// Title, where the platform has one (YouTube).
    pub title: Option<String>,
    /// Media.
    pub media: Vec<MediaRecord>,
    /// Canonical URL.
    pub url: String,
    /// Creation time on the emulator clock.
    pub created_at: DateTime<Utc>,
    /// Whether it was deleted since.
    pub deleted: bool,
    /// Free-form platform details (privacy, visibility, reply ids...).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// One received upload chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// Platform.
    pub platform: Platform,
    /// Upload/session id.
    pub upload_id: String,
    /// First byte offset in the file.
    pub offset: u64,
    /// Bytes in the chunk as received (may be fewer than sent if cut).
    pub len: u64,
    /// Whether the chunk arrived whole and was accepted.
    pub complete: bool,
}

#[derive(Debug, Default)]
struct Inner {
    posts: Vec<RecordedPost>,
    chunks: Vec<ChunkRecord>,
    counters: BTreeMap<String, u64>,
}

/// The record.
#[derive(Debug, Default)]
pub struct Record {
    inner: Mutex<Inner>,
}

impl Record {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a published post.
    pub fn add_post(&self, post: RecordedPost) {
        tracing::info!(platform = %post.platform, account = %post.account_id, post_id = %post.post_id, "post published");
        self.lock().posts.push(post);
    }

    /// Marks a post deleted; returns whether it existed and was live.
    pub fn delete_post(&self, platform: Platform, post_id: &str) -> bool {
        let mut inner = self.lock();
        match inner
            .posts
            .iter_mut()
            .find(|p| p.platform == platform && p.post_id == post_id && !p.deleted)
        {
            Some(p) => {
                p.deleted = true;
                true
            }
            None => false,
        }
    }

    /// A post by id.
    pub fn post(&self, platform: Platform, post_id: &str) -> Option<RecordedPost> {
        self.lock()
            .posts
            .iter()
            .find(|p| p.platform == platform && p.post_id == post_id)
            .cloned()
    }

    /// All posts (including deleted ones), in publish order.
    pub fn posts(&self) -> Vec<RecordedPost> {
        self.lock().posts.clone()
    }

    /// Live posts of one platform.
    pub fn posts_for(&self, platform: Platform) -> Vec<RecordedPost> {
        self.lock()
            .posts
            .iter()
            .filter(|p| p.platform == platform && !p.deleted)
            .cloned()
            .collect()
    }

    /// Adds an upload chunk record.
    pub fn add_chunk(&self, chunk: ChunkRecord) {
        self.lock().chunks.push(chunk);
    }

    /// Chunks received for one upload, in arrival order.
    pub fn chunks(&self, upload_id: &str) -> Vec<ChunkRecord> {
        self.lock()
            .chunks
            .iter()
            .filter(|c| c.upload_id == upload_id)
            .cloned()
            .collect()
    }

    /// All chunks of a platform, in arrival order.
    pub fn chunks_for(&self, platform: Platform) -> Vec<ChunkRecord> {
        self.lock()
            .chunks
            .iter()
            .filter(|c| c.platform == platform)
            .cloned()
            .collect()
    }

    /// Increments a named counter (e.g. `tiktok.creator_info`).
    pub fn bump(&self, name: &str) -> u64 {
        let mut inner = self.lock();
        let c = inner.counters.entry(name.to_owned()).or_default();
        *c += 1;
        *c
    }

    /// A counter's value.
    pub fn counter(&self, name: &str) -> u64 {
        self.lock().counters.get(name).copied().unwrap_or(0)
    }

    /// All counters.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        self.lock().counters.clone()
    }
}
