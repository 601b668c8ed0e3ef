//! Reading request bodies as streams: hashed and counted as they arrive,
//! never held whole in memory.

use axum::body::Body;
use futures::StreamExt;
use sha2::{Digest, Sha256};

/// Result of draining a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drained {
    /// Bytes received.
    pub len: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Whether the stream ended normally (false: the client went away or
    /// the connection was cut).
    pub complete: bool,
}

/// How many leading bytes of a file a [`StreamHash`] keeps, for the checks
/// a platform makes on what it receives (format, pixel size, `moov` before
/// the media data): enough for every image header and for the `moov` box of
/// a faststart video of several minutes.
pub const HEAD_KEEP: usize = 1024 * 1024;

/// A running SHA-256 over several pieces (chunks of one file), keeping the
/// file's first [`HEAD_KEEP`] bytes.
#[derive(Clone, Debug, Default)]
pub struct StreamHash {
    hasher: Sha256,
    len: u64,
    head: Vec<u8>,
}

impl StreamHash {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        let room = HEAD_KEEP.saturating_sub(self.head.len()).min(bytes.len());
        self.head.extend_from_slice(&bytes[..room]);
    }

    /// The first bytes added (at most [`HEAD_KEEP`]).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Bytes so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Hex digest of everything added.
    pub fn hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

/// Drains `body`, feeding every piece to `hash` (if given) and calling
/// `on_piece(received_so_far)` after each piece; stops early (returning
/// `complete = false`) if `on_piece` returns false.
pub async fn drain(
    body: Body,
    mut hash: Option<&mut StreamHash>,
    mut on_piece: impl FnMut(u64) -> bool,
) -> Drained {
    let mut own = Sha256::new();
    let mut len = 0u64;
    let mut stream = body.into_data_stream();
    let mut complete = true;
    while let Some(piece) = stream.next().await {
        match piece {
            Ok(bytes) => {
                own.update(&bytes);
                if let Some(h) = hash.as_deref_mut() {
                    h.update(&bytes);
                }
                len += bytes.len() as u64;
                if !on_piece(len) {
                    complete = false;
                    break;
                }
            }
            Err(_) => {
                complete = false;
                break;
            }
        }
    }
    Drained {
        len,
        sha256: hex::encode(own.finalize()),
        complete,
    }
}
