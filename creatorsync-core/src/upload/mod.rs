//! Upload mechanics shared by every platform client: bodies streamed from
//! [`crate::MediaSource`] ranges, chunk plans with per-chunk retry and
//! several chunks in flight, processing-status polling, and persisted upload
//! sessions for resume after a restart.

mod chunks;
mod poll;
mod resumable;
mod sessions;
mod stream;

use std::time::Duration;

use crate::http::RetryConfig;

pub use chunks::Chunk;
pub(crate) use chunks::{plan, upload_chunks, with_chunk_retry};
pub use poll::PollConfig;
pub(crate) use poll::{Poll, poll_until};
pub(crate) use resumable::{Resumable, ServerOffset, upload_resumable};
pub(crate) use sessions::Stored;
pub use sessions::{MemoryUploadSessions, UploadSessions};
pub use stream::DEFAULT_PIECE;
pub(crate) use stream::range_body;

/// Upload tuning shared by all clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadConfig {
    /// Preferred chunk size where the client may choose (platform rules
    /// still apply: X ≤ 5 MB per APPEND, YouTube multiples of 256 KiB,
    /// TikTok 5–64 MB).
    pub chunk_size: u64,
    /// Chunks in flight where the protocol allows parallel parts (X, LinkedIn).
    pub concurrency: usize,
    /// Extra attempts for one failed chunk.
    pub chunk_retries: u32,
    /// First backoff ceiling before re-sending a failed chunk (doubles each
    /// attempt, full jitter below it: the [`RetryConfig`] formula).
    pub retry_backoff: Duration,
    /// Piece size of streamed bodies (memory per body in flight).
    pub piece_size: u64,
}

impl UploadConfig {
    /// The retry policy of one chunk (or of one resumable upload's
    /// interruptions): `chunk_retries` attempts after the first, backoff
    /// from `retry_backoff`. No overall deadline: a long upload that keeps
    /// making progress is never cut off by elapsed time.
    pub(crate) fn retry_policy(&self) -> RetryConfig {
        RetryConfig {
            max_retries: self.chunk_retries,
            initial_backoff: self.retry_backoff,
            max_backoff: MAX_CHUNK_BACKOFF,
            max_elapsed: Duration::MAX,
            ..RetryConfig::default()
        }
    }
}

/// Longest backoff ceiling between two attempts of one chunk.
const MAX_CHUNK_BACKOFF: Duration = Duration::from_secs(30);

impl Default for UploadConfig {
    fn default() -> Self {
        Self {
            chunk_size: 4 * 1024 * 1024,
            concurrency: 4,
            chunk_retries: 5,
            retry_backoff: Duration::from_millis(200),
            piece_size: DEFAULT_PIECE,
        }
    }
}
