//! The emulator fetching `url` / `image_url` / `video_url` itself: loopback
//! only, streamed and hashed.

use futures::StreamExt;

use super::M;
use crate::body::StreamHash;

/// What a fetch produced.
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    /// Bytes.
    pub len: u64,
    /// Hex SHA-256.
    pub sha256: String,
    /// First bytes ([`crate::body::HEAD_KEEP`]: format, pixel size, `moov`
    /// position).
    pub head: Vec<u8>,
    /// Content-Type of the answer.
    pub mime: Option<String>,
}

/// Why a fetch failed (message for the container `status`).
#[derive(Clone, Debug)]
pub(crate) struct FetchError(pub String);

fn loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

/// Fetches `url` (loopback hosts only), hashing the body as it streams.
pub(crate) async fn fetch(m: &M, url: &str) -> Result<Fetched, FetchError> {
    let Ok(u) = url::Url::parse(url) else {
        return Err(FetchError("Invalid media URL".into()));
    };
    let host = u.host_str().unwrap_or("").to_owned();
    if !matches!(u.scheme(), "http" | "https")
        || !loopback(&host)
        || !m.ctx.config.allow_fetch_loopback
    {
        return Err(FetchError(format!(
            "Media download has failed: host {host} is not reachable from the emulator"
        )));
    }
    let hostport = format!("{host}:{}", u.port_or_known_default().unwrap_or(80));
    if m.ctx.faults.is_host_unreachable(&hostport) {
        return Err(FetchError("Media download has failed".into()));
    }
    let resp = match m.http.get(u).send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            return Err(FetchError(format!(
                "Media download has failed: HTTP {}",
                r.status().as_u16()
            )));
        }
        Err(_) => return Err(FetchError("Media download has failed".into())),
    };
    let mime = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut hash = StreamHash::default();
    let mut stream = resp.bytes_stream();
    while let Some(piece) = stream.next().await {
        let Ok(b) = piece else {
            return Err(FetchError(
                "Media download has failed: connection closed".into(),
            ));
        };
        hash.update(&b);
    }
    Ok(Fetched {
        len: hash.len(),
        sha256: hash.hex(),
        head: hash.head().to_vec(),
        mime,
    })
}

/// Whether `head` starts like a JPEG.
pub(crate) fn is_jpeg(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xD8, 0xFF])
}
