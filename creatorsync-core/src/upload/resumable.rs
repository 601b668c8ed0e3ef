//! The one driver of server-offset ("resumable") uploads: the server keeps
//! the bytes it received and says how many it has, so after any
//! interruption the upload continues from the server's offset instead of
//! byte 0 or the client's guess.
//!
//! A protocol only says how to send a range and how to ask for the offset
//! ([`Resumable`]): YouTube's resumable upload (`Content-Range`, `308` with
//! `Range`), Instagram's `rupload` (`offset` header, `GET` for the offset),
//! Facebook's Resumable Upload API (`file_offset` header, `GET upload:<id>`
//! answering `file_offset`). The resume-from-offset logic, the loop, the
//! progress and the retry policy live here once.

use async_trait::async_trait;
use tracing::{debug, warn};

use super::UploadConfig;
use crate::http::{Attempts, Idempotency};
use crate::progress::Progress;
use crate::{Error, Platform, Result};

/// Where a server-offset upload stands, as the server says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ServerOffset<T> {
    /// The server has bytes `[0, n)` and wants more.
    Incomplete(u64),
    /// The server has the whole file; the protocol's final answer.
    Done(T),
}

/// One server-offset upload protocol, bound to one upload session.
#[async_trait]
pub(crate) trait Resumable: Send + Sync {
    /// What the finished upload answers (a video resource, a container id).
    type Done: Send;

    /// The platform, for errors.
    fn platform(&self) -> Platform;

    /// Bytes to send in the next request from `offset` (default: all the
    /// rest, in one streaming request).
    fn next_len(&self, offset: u64, total: u64) -> u64 {
        total - offset
    }

    /// Sends `[offset, offset + len)` of the `total`-byte file, with no
    /// retry of its own (the driver retries); answers where the server
    /// stands after it.
    async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<Self::Done>>;

    /// Asks the server where it stands (how many bytes it holds, or the
    /// final answer when it has them all).
    async fn query(&self, total: u64) -> Result<ServerOffset<Self::Done>>;
}

/// Uploads a `total`-byte file through `protocol`, starting at `offset`
/// (0, or the server's offset of a resumed session), until the server has
/// every byte. After a failure that may be retried (by the upload's retry
/// policy, [`UploadConfig::chunk_retries`]) or a request that moved the
/// server's offset nowhere, it waits the backoff, asks the server for its
/// offset and continues from there; the attempt count restarts whenever
/// the server's offset advances. Reports uploaded bytes to `progress`.
pub(crate) async fn upload_resumable<P: Resumable + ?Sized>(
    protocol: &P,
    cfg: &UploadConfig,
    progress: &Progress,
    mut offset: u64,
    total: u64,
) -> Result<P::Done> {
    let policy = cfg.retry_policy();
    let mut attempts = Attempts::new(&policy);
    loop {
        progress.uploading(offset.min(total), total);
        let result = if offset >= total {
            // Every byte arrived but the final answer was lost.
            protocol.query(total).await
        } else {
            let len = protocol.next_len(offset, total).clamp(1, total - offset);
            protocol.send(offset, len, total).await
        };
        let failure = match result {
            Ok(ServerOffset::Done(done)) => {
                progress.uploading(total, total);
                return Ok(done);
            }
            Ok(ServerOffset::Incomplete(next)) if next > offset && next <= total => {
                offset = next;
                attempts.reset();
                continue;
            }
            Ok(ServerOffset::Incomplete(next)) => Error::Transport {
                platform: Some(protocol.platform()),
                message: format!(
                    "the upload made no progress: the server holds {next} of {total} bytes after a send from byte {offset}"
                ),
                maybe_sent: true,
                timeout: false,
                source: None,
            },
            Err(e) => e,
        };
        warn!(offset, error = %failure, "upload interrupted; asking the server for its offset");
        attempts.retry(Idempotency::Idempotent, failure).await?;
        match protocol.query(total).await? {
            ServerOffset::Done(done) => {
                progress.uploading(total, total);
                return Ok(done);
            }
            ServerOffset::Incomplete(next) => {
                debug!(offset = next, "server offset");
                offset = next.min(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    /// A Facebook-Resumable-Upload-API-shaped protocol over an in-memory
    /// server: `send` is `POST upload:<id>` with a `file_offset` header,
    /// `query` is `GET upload:<id>` answering `file_offset`. The server may
    /// keep only part of a request (`keep`) or fail it outright (`fail`).
    struct FileOffset {
        server: Mutex<Server>,
    }

    #[derive(Default)]
    struct Server {
        held: u64,
        /// Per send, in order: bytes kept of the request (None: all) and
        /// whether the request then fails.
        script: Vec<(Option<u64>, bool)>,
        sends: Vec<(u64, u64)>,
        queries: u32,
    }

    #[async_trait]
    impl Resumable for FileOffset {
        type Done = &'static str;

        fn platform(&self) -> Platform {
            Platform::Facebook
        }

        fn next_len(&self, offset: u64, total: u64) -> u64 {
            4.min(total - offset)
        }

        async fn send(
            &self,
            offset: u64,
            len: u64,
            total: u64,
        ) -> Result<ServerOffset<&'static str>> {
            let mut s = self.server.lock().unwrap();
            s.sends.push((offset, len));
            assert_eq!(offset, s.held, "sends from the server's file_offset");
            let (keep, fail) = if s.script.is_empty() {
                (None, false)
            } else {
                s.script.remove(0)
            };
            s.held += keep.unwrap_or(len).min(len);
            if fail {
                return Err(Error::Transport {
                    platform: Some(Platform::Facebook),
                    message: "connection reset".into(),
                    maybe_sent: true,
                    timeout: false,
                    source: None,
                });
            }
            Ok(if s.held >= total {
                ServerOffset::Done("video-1")
            } else {
                ServerOffset::Incomplete(s.held)
            })
        }

        async fn query(&self, total: u64) -> Result<ServerOffset<&'static str>> {
            let mut s = self.server.lock().unwrap();
            s.queries += 1;
            Ok(if s.held >= total {
                ServerOffset::Done("video-1")
            } else {
                ServerOffset::Incomplete(s.held)
            })
        }
    }

    fn cfg(retries: u32) -> UploadConfig {
        UploadConfig {
            chunk_retries: retries,
            retry_backoff: Duration::from_millis(1),
            ..UploadConfig::default()
        }
    }

    fn protocol(script: Vec<(Option<u64>, bool)>) -> FileOffset {
        FileOffset {
            server: Mutex::new(Server {
                script,
                ..Server::default()
            }),
        }
    }

    #[tokio::test]
    async fn resumes_from_the_server_offset_after_a_failure() {
        // The second request breaks after the server kept 1 of its 4 bytes:
        // the next request starts at byte 5, not 4 (the client's guess) or 0.
        let p = protocol(vec![(None, false), (Some(1), true)]);
        let done = upload_resumable(&p, &cfg(3), &Progress::none(), 0, 10)
            .await
            .unwrap();
        assert_eq!(done, "video-1");
        let s = p.server.lock().unwrap();
        assert_eq!(s.sends, vec![(0, 4), (4, 4), (5, 4), (9, 1)]);
        assert_eq!(s.queries, 1);
    }

    #[tokio::test]
    async fn a_resumed_upload_starts_where_the_server_is() {
        let p = protocol(vec![]);
        p.server.lock().unwrap().held = 8;
        upload_resumable(&p, &cfg(0), &Progress::none(), 8, 10)
            .await
            .unwrap();
        assert_eq!(p.server.lock().unwrap().sends, vec![(8, 2)]);
    }

    #[tokio::test]
    async fn a_stalled_upload_gives_up_after_the_policy_retries() {
        // The server keeps nothing, ever: no progress is an error once the
        // retries are spent, never an endless loop.
        let p = protocol(vec![(Some(0), false); 10]);
        let err = upload_resumable(&p, &cfg(2), &Progress::none(), 0, 10)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no progress"), "{err}");
        assert_eq!(p.server.lock().unwrap().sends.len(), 3, "first + 2 retries");
    }

    #[tokio::test]
    async fn a_permanent_error_is_returned_at_once() {
        struct Refused;
        #[async_trait]
        impl Resumable for Refused {
            type Done = ();
            fn platform(&self) -> Platform {
                Platform::YouTube
            }
            async fn send(&self, _: u64, _: u64, _: u64) -> Result<ServerOffset<()>> {
                Err(Error::Platform {
                    platform: Platform::YouTube,
                    status: 404,
                    code: None,
                    message: "session expired".into(),
                    body: None,
                })
            }
            async fn query(&self, _: u64) -> Result<ServerOffset<()>> {
                panic!("no offset query after a permanent error")
            }
        }
        let err = upload_resumable(&Refused, &cfg(5), &Progress::none(), 0, 10)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(404));
    }

    #[tokio::test]
    async fn lost_final_answer_is_asked_for() {
        // Every byte arrived but the answer was lost: a query, no re-send.
        let p = protocol(vec![(None, true)]);
        p.server.lock().unwrap().held = 8;
        let done = upload_resumable(&p, &cfg(1), &Progress::none(), 8, 10)
            .await
            .unwrap();
        assert_eq!(done, "video-1");
        let s = p.server.lock().unwrap();
        assert_eq!(s.sends, vec![(8, 2)]);
    }
}
