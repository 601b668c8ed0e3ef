//! TikTok's FILE_UPLOAD chunk rules (Media Transfer Guide), as one pure
//! function.
//!
//! - a file under 5 MB is one chunk with `chunk_size = video_size`;
//! - otherwise every chunk is 5–64 MB, `total_chunk_count =
//!   floor(video_size / chunk_size)`, and the final chunk absorbs the
//!   remainder (so it may reach 128 MB);
//! - a file over 64 MB needs at least two chunks; at most 1,000 chunks.
//!
//! "MB" is taken as MiB (UNCONFIRMED: TikTok's guide says MB; every client
//! we read uses `5 * 1024 * 1024`, and 5 MiB ≥ 5,000,000 satisfies both
//! readings of the minimum).

use crate::upload::Chunk;
use crate::{Error, Platform, Result};

/// Smallest chunk (and the single-chunk threshold): 5 MiB.
pub const MIN_CHUNK: u64 = 5 * 1024 * 1024;
/// Largest chunk: 64 MiB.
pub const MAX_CHUNK: u64 = 64 * 1024 * 1024;
/// Largest final chunk (chunk size plus the remainder): 128 MiB.
pub const MAX_FINAL_CHUNK: u64 = 128 * 1024 * 1024;
/// Most chunks per upload.
pub const MAX_CHUNKS: u64 = 1000;

/// The `chunk_size` and `total_chunk_count` sent to `video/init`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Total bytes.
    pub video_size: u64,
    /// Bytes of every chunk but the last.
    pub chunk_size: u64,
    /// Number of chunks.
    pub total_chunk_count: u64,
}

impl ChunkPlan {
    /// Plans `video_size` bytes with chunks as close to `preferred` as the
    /// rules allow.
    pub fn new(video_size: u64, preferred: u64) -> Result<Self> {
        if video_size == 0 {
            return Err(Error::invalid_input("media", "the video is empty"));
        }
        if video_size < MIN_CHUNK {
            return Ok(Self {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        let mut chunk = preferred.clamp(MIN_CHUNK, MAX_CHUNK);
        if video_size <= chunk {
            return Ok(Self {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        if video_size > MAX_CHUNK {
            // Never one oversized chunk: at least two.
            chunk = chunk.min(video_size / 2);
        }
        if video_size / chunk > MAX_CHUNKS {
            chunk = video_size.div_ceil(MAX_CHUNKS);
        }
        let plan = Self {
            video_size,
            chunk_size: chunk,
            total_chunk_count: video_size / chunk,
        };
        if chunk > MAX_CHUNK || plan.chunk(plan.total_chunk_count - 1).len > MAX_FINAL_CHUNK {
            return Err(Error::MediaRejected {
                platform: Platform::TikTok,
                reason: format!(
                    "a {video_size}-byte video cannot be split into at most {MAX_CHUNKS} chunks of at most 64 MiB"
                ),
                code: Some("file_too_large".into()),
            });
        }
        Ok(plan)
    }

    /// Chunk `index` (0-based); the last one runs to the end of the file.
    pub fn chunk(&self, index: u64) -> Chunk {
        let offset = index * self.chunk_size;
        let len = if index + 1 >= self.total_chunk_count {
            self.video_size.saturating_sub(offset)
        } else {
            self.chunk_size
        };
        Chunk { index, offset, len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn check(p: &ChunkPlan) {
        let total: u64 = (0..p.total_chunk_count).map(|i| p.chunk(i).len).sum();
        assert_eq!(total, p.video_size);
        assert!((1..=MAX_CHUNKS).contains(&p.total_chunk_count));
        assert_eq!(p.total_chunk_count, p.video_size / p.chunk_size);
        if p.video_size >= MIN_CHUNK {
            assert!((MIN_CHUNK..=MAX_CHUNK).contains(&p.chunk_size));
        }
        assert!(p.chunk(p.total_chunk_count - 1).len <= MAX_FINAL_CHUNK);
        if p.video_size > MAX_CHUNK {
            assert!(p.total_chunk_count >= 2);
        }
    }

    #[test]
    fn three_mib_is_one_chunk() {
        let p = ChunkPlan::new(3 * MIB, 10 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (3 * MIB, 1));
        check(&p);
    }

    #[test]
    fn sixty_four_mib() {
        let p = ChunkPlan::new(64 * MIB, 5 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (5 * MIB, 12));
        assert_eq!(p.chunk(11).len, 9 * MIB);
        check(&p);
        let p = ChunkPlan::new(64 * MIB, 64 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (64 * MIB, 1));
        check(&p);
        // A preference below the minimum is raised to it.
        assert_eq!(ChunkPlan::new(64 * MIB, MIB).unwrap().chunk_size, 5 * MIB);
    }

    #[test]
    fn three_hundred_mib() {
        let p = ChunkPlan::new(300 * MIB, 5 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (5 * MIB, 60));
        check(&p);
        let p = ChunkPlan::new(300 * MIB, 64 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (64 * MIB, 4));
        assert_eq!(p.chunk(3).len, 108 * MIB);
        check(&p);
        let p = ChunkPlan::new(300 * MIB + 7, 10 * MIB).unwrap();
        assert_eq!(p.total_chunk_count, 30);
        assert_eq!(p.chunk(29).len, 10 * MIB + 7);
        check(&p);
    }

    #[test]
    fn four_gib() {
        let p = ChunkPlan::new(4096 * MIB, 5 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.total_chunk_count), (5 * MIB, 819));
        assert_eq!(p.chunk(818).len, 6 * MIB);
        check(&p);
        let p = ChunkPlan::new(4096 * MIB, 64 * MIB).unwrap();
        assert_eq!(p.total_chunk_count, 64);
        check(&p);
    }

    #[test]
    fn edge_sizes() {
        // Just over 64 MiB: never one oversized chunk.
        let p = ChunkPlan::new(70 * MIB, 64 * MIB).unwrap();
        assert_eq!(p.total_chunk_count, 2);
        check(&p);
        // Too many 5 MiB chunks: the chunk grows.
        let p = ChunkPlan::new(5 * 1024 * MIB, 5 * MIB).unwrap();
        assert!(p.total_chunk_count <= MAX_CHUNKS);
        check(&p);
        for size in [
            1,
            MIN_CHUNK - 1,
            MIN_CHUNK,
            MIN_CHUNK + 1,
            MAX_CHUNK,
            MAX_CHUNK + 1,
            129 * MIB,
        ] {
            check(&ChunkPlan::new(size, 8 * MIB).unwrap());
        }
        assert!(ChunkPlan::new(0, MIB).is_err());
        assert!(ChunkPlan::new(70 * 1024 * MIB, MIB).is_err());
    }
}
