//! PULL_FROM_URL: fetching the video or photos (loopback hosts only),
//! streamed and hashed, then processing.

use futures::StreamExt;

use super::super::St;
use super::start_processing;
use crate::{MediaRecord, StreamHash};

fn is_loopback_url(u: &str) -> Option<url::Url> {
    let url = url::Url::parse(u).ok()?;
    let host = url.host_str()?;
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1").then_some(url)
}

/// Fetches PULL_FROM_URL media (loopback hosts only), streaming + hashing.
pub(super) async fn pull(st: St, publish_id: String, urls: Vec<String>, photo: bool) {
    let http = reqwest::Client::new();
    let mut media = Vec::new();
    let mut failure = None;
    for (i, u) in urls.iter().enumerate() {
        let Some(url) = is_loopback_url(u).filter(|_| st.ctx.config.allow_fetch_loopback) else {
            failure = Some("video_pull_failed");
            break;
        };
        let resp = match http.get(url).send().await {
            Ok(r) if r.status().is_success() => r,
            _ => {
                failure = Some("video_pull_failed");
                break;
            }
        };
        let mime = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if photo
            && !mime
                .as_deref()
                .is_some_and(|m| m.starts_with("image/jpeg") || m.starts_with("image/webp"))
        {
            failure = Some("file_format_check_failed");
            break;
        }
        let mut hash = StreamHash::default();
        let mut stream = resp.bytes_stream();
        let mut complete = true;
        while let Some(piece) = stream.next().await {
            let Ok(piece) = piece else {
                complete = false;
                break;
            };
            hash.update(&piece);
            if let Some(p) = st.lock().publishes.get_mut(&publish_id) {
                p.downloaded += piece.len() as u64;
            }
        }
        if !complete {
            failure = Some("video_pull_failed");
            break;
        }
        media.push(MediaRecord {
            sha256: hash.hex(),
            len: hash.len(),
            mime,
            media_id: format!("{publish_id}-{i}"),
            seen: None,
        });
    }
    let now = st.ctx.clock.now();
    let mut inner = st.lock();
    if let Some(p) = inner.publishes.get_mut(&publish_id) {
        p.pulling = false;
        p.media = media;
        match failure {
            Some(f) => p.fail_reason = Some(f.to_owned()),
            None => p.ready_at = Some(now),
        }
    }
    drop(inner);
    if failure.is_none() {
        start_processing(&st, &publish_id);
    }
}
