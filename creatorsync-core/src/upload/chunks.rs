//! Chunked uploads: a plan of byte ranges, per-chunk retry from the chunk's
//! own offset, and a driver that keeps several chunks in flight.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::{StreamExt, TryStreamExt};
use tracing::{debug, warn};

use super::UploadConfig;
#[cfg(doc)]
use crate::http::RetryConfig;
use crate::http::{Attempts, Idempotency};
use crate::progress::Progress;
use crate::{Error, Result};

/// One chunk of an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// 0-based index.
    pub index: u64,
    /// First byte.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

impl Chunk {
    /// Last byte (inclusive), for `Content-Range`.
    pub fn last_byte(&self) -> u64 {
        self.offset + self.len - 1
    }
}

/// Splits `total` bytes into chunks of `chunk_size` (the last one shorter),
/// starting at chunk `from` (for resumed uploads).
pub(crate) fn plan(total: u64, chunk_size: u64) -> Vec<Chunk> {
    let chunk_size = chunk_size.max(1);
    (0..total.div_ceil(chunk_size))
        .map(|index| {
            let offset = index * chunk_size;
            Chunk {
                index,
                offset,
                len: chunk_size.min(total - offset),
            }
        })
        .collect()
}

/// Runs `send` for one chunk, retrying it alone (from its own offset) on a
/// retryable error under [`UploadConfig`]'s chunk policy (the one backoff
/// of [`crate::http::RetryConfig`]). `send` must rebuild its body from the
/// source each time (see [`super::range_body`]) and should send with
/// [`crate::HttpClient::send_with`] and [`RetryConfig::disabled`]: this
/// loop is the one that retries.
/// Nothing of earlier chunks is re-sent. A rate limit longer than the
/// policy's `max_rate_limit_wait` is returned, not slept.
pub(crate) async fn with_chunk_retry<T, F, Fut>(
    cfg: &UploadConfig,
    chunk: Chunk,
    mut send: F,
) -> Result<T>
where
    F: FnMut(Chunk) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let policy = cfg.retry_policy();
    let mut attempts = Attempts::new(&policy);
    loop {
        match send(chunk).await {
            Ok(v) => return Ok(v),
            Err(e) => {
                warn!(chunk = chunk.index, offset = chunk.offset, attempt = attempts.attempt(), error = %e, "chunk failed");
                attempts.retry(Idempotency::Idempotent, e).await?;
            }
        }
    }
}

/// Sends every chunk of `chunks` with up to `concurrency` in flight (each
/// with [`with_chunk_retry`]), reporting acknowledged bytes to `progress`.
/// Returns the per-chunk results in chunk order. Memory in flight is at most
/// `concurrency` bodies, each streamed from the source.
pub(crate) async fn upload_chunks<T, F, Fut>(
    cfg: &UploadConfig,
    chunks: Vec<Chunk>,
    total: u64,
    already_sent: u64,
    progress: &Progress,
    send: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(Chunk) -> Fut + Send + Sync,
    Fut: Future<Output = Result<T>> + Send,
{
    let sent = Arc::new(AtomicU64::new(already_sent));
    let send = &send;
    let results: Vec<(u64, T)> = futures::stream::iter(chunks)
        .map(|chunk| {
            let sent = sent.clone();
            async move {
                let v = with_chunk_retry(cfg, chunk, send).await?;
                let now = sent.fetch_add(chunk.len, Ordering::Relaxed) + chunk.len;
                progress.uploading(now, total);
                debug!(chunk = chunk.index, sent = now, total, "chunk acknowledged");
                Ok::<_, Error>((chunk.index, v))
            }
        })
        .buffer_unordered(cfg.concurrency.max(1))
        .try_collect()
        .await?;
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_covers_every_byte_once() {
        let p = plan(10, 4);
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[2],
            Chunk {
                index: 2,
                offset: 8,
                len: 2
            }
        );
        assert_eq!(p.iter().map(|c| c.len).sum::<u64>(), 10);
        assert_eq!(plan(8, 4).len(), 2);
        assert!(plan(0, 4).is_empty());
        assert_eq!(p[1].last_byte(), 7);
    }

    #[tokio::test]
    async fn only_the_failed_chunk_is_retried() {
        let cfg = UploadConfig {
            retry_backoff: std::time::Duration::from_millis(1),
            ..UploadConfig::default()
        };
        let calls = std::sync::Mutex::new(Vec::new());
        let failed_once = std::sync::atomic::AtomicBool::new(false);
        let out = upload_chunks(&cfg, plan(10, 4), 10, 0, &Progress::none(), |c| {
            calls.lock().unwrap().push(c.index);
            let fail = c.index == 1 && !failed_once.swap(true, Ordering::SeqCst);
            async move {
                if fail {
                    Err(Error::Transport {
                        platform: None,
                        message: "reset".into(),
                        maybe_sent: true,
                        timeout: false,
                        source: None,
                    })
                } else {
                    Ok(c.offset)
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(out, vec![0, 4, 8]);
        let mut calls = calls.into_inner().unwrap();
        calls.sort_unstable();
        assert_eq!(calls, vec![0, 1, 1, 2]);
    }

    #[tokio::test]
    async fn a_long_rate_limit_is_returned_not_slept() {
        let cfg = UploadConfig::default();
        let calls = std::sync::atomic::AtomicU32::new(0);
        let started = std::time::Instant::now();
        let err = with_chunk_retry(&cfg, plan(4, 4)[0], |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                Err::<(), _>(Error::RateLimited {
                    platform: crate::Platform::X,
                    retry_after: Some(std::time::Duration::from_secs(3600)),
                    reset_at: None,
                    message: "slow down".into(),
                })
            }
        })
        .await
        .unwrap_err();
        assert!(matches!(err, Error::RateLimited { .. }), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "sent once");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "no hour-long sleep"
        );
    }
}
