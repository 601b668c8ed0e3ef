//! Upload mechanics shared by every platform client: bodies streamed from
//! [`crate::MediaSource`] ranges, chunk plans with per-chunk retry and
//! several chunks in flight, processing-status polling, and persisted upload
//! sessions for resume after a restart.

mod chunks;
mod poll;
mod sessions;
mod stream;

use std::time::Duration;

pub use chunks::{Chunk, plan, upload_chunks, with_chunk_retry};
pub use poll::{Poll, PollConfig, poll_until};
pub(crate) use sessions::forget_rejected;
pub use sessions::{MemoryUploadSessions, UploadSessions};
pub use stream::{DEFAULT_PIECE, range_body, read_all};

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
    /// Base wait before re-sending a failed chunk (doubles each attempt).
    pub retry_backoff: Duration,
    /// Piece size of streamed bodies (memory per body in flight).
    pub piece_size: u64,
}

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
