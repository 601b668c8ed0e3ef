//! Meta's `rupload` byte transfer, shared by Instagram video containers and
//! Facebook Page Reels: one streaming `POST` of a range with
//! `Authorization: OAuth <token>`, `offset` and `file_size` headers. Each
//! caller implements [`crate::upload::Resumable`] with it and its own way of
//! asking the server's offset.

use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};

use crate::http::{ErrorShape, Idempotency, RetryConfig};
use crate::upload::{ServerOffset, range_body};
use crate::{HttpClient, MediaSource, Result};

/// Where a transfer goes and what it carries.
pub(crate) struct Rupload<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) shape: &'a dyn ErrorShape,
    pub(crate) op: &'static str,
    pub(crate) token: &'a str,
    pub(crate) url: &'a str,
    pub(crate) source: &'a Arc<dyn MediaSource>,
    /// Bytes read from the source at a time.
    pub(crate) piece: u64,
}

impl Rupload<'_> {
    /// Sends `[offset, offset + len)` of `total`, once (the resumable
    /// driver retries from the server's offset).
    pub(crate) async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<()>> {
        let (token, url, source, piece) = (self.token, self.url, self.source, self.piece);
        self.http
            .send_with(
                &RetryConfig::disabled(),
                self.shape,
                self.op,
                Idempotency::Idempotent,
                |c| {
                    c.post(url)
                        .header(AUTHORIZATION, format!("OAuth {token}"))
                        .header("offset", offset)
                        .header("file_size", total)
                        .header(CONTENT_TYPE, "application/octet-stream")
                        .header(CONTENT_LENGTH, len)
                        .body(range_body(source.clone(), offset, len, piece))
                },
            )
            .await?;
        Ok(held(offset + len, total))
    }
}

/// The server holding `n` of `total` bytes.
pub(crate) fn held(n: u64, total: u64) -> ServerOffset<()> {
    if n >= total {
        ServerOffset::Done(())
    } else {
        ServerOffset::Incomplete(n)
    }
}
