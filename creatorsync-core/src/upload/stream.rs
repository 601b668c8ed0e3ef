//! Request bodies streamed from a [`MediaSource`] range, piece by piece, so
//! memory stays bounded by the piece size whatever the chunk or file size.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};

use crate::MediaSource;

/// Default piece size for streamed bodies (256 KiB): with one piece read
/// ahead and four chunks in flight, about 2 MiB of file data in memory.
/// Larger pieces did not upload faster on loopback and cost peak memory
/// (`benches/node/x_upload.mjs`).
pub const DEFAULT_PIECE: u64 = 256 * 1024;

/// A body that reads `[offset, offset + len)` of `source` in pieces of
/// `piece` bytes, one piece read ahead. Cheap to rebuild for a retry.
pub(crate) fn range_body(
    source: Arc<dyn MediaSource>,
    offset: u64,
    len: u64,
    piece: u64,
) -> reqwest::Body {
    let piece = piece.max(1);
    let starts = (0..len.div_ceil(piece)).map(move |i| offset + i * piece);
    let end = offset + len;
    let stream = futures::stream::iter(starts)
        .map(move |start| {
            let source = source.clone();
            async move {
                let n = piece.min(end - start);
                source.read_range(start, n).await
            }
        })
        .buffered(2)
        .map_err(std::io::Error::other);
    reqwest::Body::wrap_stream(stream)
}
