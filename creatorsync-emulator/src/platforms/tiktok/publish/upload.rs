//! FILE_UPLOAD: the sequential chunk `PUT`s to the upload URL (token,
//! Content-Type and Content-Range checks, a re-sent last chunk accepted
//! again), then processing.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;

use super::super::{St, tt_err};
use super::start_processing;
use crate::{ChunkRecord, MediaRecord, StreamHash, form};

fn parse_range(h: &str) -> Option<(u64, u64, u64)> {
    let rest = h.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let (a, b) = span.split_once('-')?;
    let (a, b, t) = (a.parse().ok()?, b.parse().ok()?, total.parse().ok()?);
    (a <= b && b < t).then_some((a, b, t))
}

/// PUT <upload_url> — one chunk, sequential.
pub(crate) async fn upload(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let q = form(q.as_deref().unwrap_or(""));
    let id = q.get("upload_id").cloned().unwrap_or_default();
    let token = q.get("upload_token").cloned().unwrap_or_default();
    let mime = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let range = headers
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_range);
    // Check and snapshot the session (no lock across awaits).
    let checked: Result<(u64, u64, bool, StreamHash), Response> = (|| {
        let inner = st.lock();
        let p = inner
            .publishes
            .get(&id)
            .ok_or_else(|| tt_err(404, "invalid_params", "upload_id not found"))?;
        let (size, chunk, count, tok) = p
            .file
            .clone()
            .ok_or_else(|| tt_err(400, "invalid_params", "this publish has no upload"))?;
        if tok != token {
            return Err(tt_err(
                403,
                "invalid_file_upload",
                "upload_token is invalid",
            ));
        }
        if !["video/mp4", "video/quicktime", "video/webm"]
            .iter()
            .any(|m| mime.starts_with(m))
        {
            return Err(tt_err(
                400,
                "invalid_file_upload",
                "Content-Type must be video/mp4, video/quicktime or video/webm",
            ));
        }
        let (a, b, t) = range.ok_or_else(|| {
            tt_err(
                400,
                "invalid_file_upload",
                "Content-Range is missing or invalid",
            )
        })?;
        if t != size {
            return Err(tt_err(
                400,
                "invalid_file_upload",
                "Content-Range total does not match video_size",
            ));
        }
        if p.last_range == Some((a, b)) {
            return Ok((a, b, true, StreamHash::default()));
        }
        if a != p.received {
            return Err(tt_err(
                416,
                "invalid_file_upload",
                &format!(
                    "chunks must be uploaded sequentially; expected first byte {}",
                    p.received
                ),
            ));
        }
        let index = a / chunk;
        let end = if index + 1 >= count {
            size - 1
        } else {
            (index + 1) * chunk - 1
        };
        if a % chunk != 0 || b != end {
            return Err(tt_err(
                400,
                "invalid_file_upload",
                &format!("chunk must cover bytes {a}-{end}"),
            ));
        }
        Ok((a, b, false, p.hash.clone()))
    })();
    let (a, b, again, mut hash) = match checked {
        Ok(c) => c,
        Err(r) => {
            crate::drain(body, None, |_| true).await;
            return r;
        }
    };
    let expected = b - a + 1;
    let d = crate::drain(body, (!again).then_some(&mut hash), |n| n <= expected).await;
    let accepted = d.complete && d.len == expected;
    st.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::TikTok,
        upload_id: id.clone(),
        offset: a,
        len: d.len,
        complete: accepted,
    });
    if !accepted {
        return tt_err(
            400,
            "invalid_file_upload",
            "chunk body does not match Content-Range",
        );
    }
    let done = {
        let mut inner = st.lock();
        let Some(p) = inner.publishes.get_mut(&id) else {
            return tt_err(404, "invalid_params", "upload_id not found");
        };
        let size = p.file.as_ref().map_or(0, |f| f.0);
        if !again {
            if p.received != a {
                return tt_err(
                    416,
                    "invalid_file_upload",
                    "a concurrent upload moved the offset",
                );
            }
            p.received = b + 1;
            p.hash = hash;
            p.last_range = Some((a, b));
            p.mime = Some(mime.clone());
            if p.received == size {
                p.ready_at = Some(st.ctx.clock.now());
                p.media = vec![MediaRecord {
                    sha256: p.hash.hex(),
                    len: p.hash.len(),
                    mime: Some(mime),
                    media_id: id.clone(),
                    seen: None,
                }];
                Some(true)
            } else {
                Some(false)
            }
        } else {
            // Re-sent last accepted chunk: same answer, nothing new.
            if p.received == size && b + 1 == size {
                None
            } else {
                Some(false)
            }
        }
    };
    match done {
        Some(true) => {
            start_processing(&st, &id);
            StatusCode::CREATED.into_response()
        }
        None => StatusCode::CREATED.into_response(),
        Some(false) => StatusCode::PARTIAL_CONTENT.into_response(),
    }
}
