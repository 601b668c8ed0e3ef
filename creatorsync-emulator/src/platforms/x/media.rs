//! X chunked media upload (v2 `initialize` / `append` / `finalize` /
//! `STATUS`, alt text) with the `processing_info` state machine.
//! APPEND segments are streamed and hashed, never buffered.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{St, X, caller, invalid, json_body};
use crate::body::StreamHash;
use crate::record::{ChunkRecord, MediaRecord};

/// Seconds an uploaded media id stays usable (`expires_after_secs`).
const MEDIA_TTL_SECS: i64 = 86_400;
/// Highest `segment_index` X accepts.
const MAX_SEGMENT_INDEX: u32 = 999;

/// One upload session.
#[derive(Debug)]
pub(super) struct Media {
    key: String,
    owner: String,
    media_type: String,
    category: Option<String>,
    total: u64,
    /// segment_index -> length, complete segments only.
    segments: BTreeMap<u32, u64>,
    /// Running hash of segments 0..hashed (the file, when sent in order).
    hash: StreamHash,
    hashed: u32,
    in_order: bool,
    created: DateTime<Utc>,
    finalized_at: Option<DateTime<Utc>>,
    fails: bool,
    alt_text: Option<String>,
}

impl Media {
    fn needs_processing(&self) -> bool {
        self.category
            .as_deref()
            .is_some_and(|c| c.contains("video") || c.contains("gif"))
    }

    /// (state, progress percent) on the emulator clock.
    fn state(&self, now: DateTime<Utc>, delay: std::time::Duration) -> (&'static str, u64) {
        let Some(at) = self.finalized_at else {
            return ("pending", 0);
        };
        if !self.needs_processing() {
            return ("succeeded", 100);
        }
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX).max(1);
        let elapsed = u64::try_from((now - at).num_milliseconds()).unwrap_or(0);
        if elapsed < delay_ms / 2 {
            ("pending", 0)
        } else if elapsed < delay_ms {
            ("in_progress", (elapsed * 100 / delay_ms).clamp(1, 99))
        } else if self.fails {
            ("failed", 100)
        } else {
            ("succeeded", 100)
        }
    }

    fn processing_info(&self, now: DateTime<Utc>, delay: std::time::Duration) -> Value {
        let (state, pct) = self.state(now, delay);
        match state {
            "pending" => json!({"state": state, "check_after_secs": 1}),
            "in_progress" => {
                json!({"state": state, "check_after_secs": 1, "progress_percent": pct})
            }
            "failed" => json!({"state": state, "progress_percent": 100, "error": {
                "code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}}),
            _ => json!({"state": state, "progress_percent": 100}),
        }
    }
}

fn key_prefix(media_type: &str, category: Option<&str>) -> &'static str {
    match (category, media_type) {
        (Some("amplify_video"), _) => "13_",
        (Some(c), _) if c.contains("gif") => "16_",
        (_, t) if t == "image/gif" && category.is_some() => "16_",
        (_, t) if t.starts_with("video/") => "7_",
        _ => "3_",
    }
}

/// `POST /2/media/upload/initialize`.
pub(super) async fn initialize(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(media_type) = v["media_type"].as_str().map(str::to_owned) else {
        return invalid("media_type", "media_type is required");
    };
    let Some(total) = v["total_bytes"].as_u64().filter(|n| *n > 0) else {
        return invalid("total_bytes", "total_bytes must be a positive integer");
    };
    let category = v["media_category"].as_str().map(str::to_owned);
    let id = x.id();
    let key = format!("{}{id}", key_prefix(&media_type, category.as_deref()));
    x.media
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            id.clone(),
            Media {
                key: key.clone(),
                owner: user,
                media_type,
                category,
                total,
                segments: BTreeMap::new(),
                hash: StreamHash::default(),
                hashed: 0,
                in_order: true,
                created: x.ctx.clock.now(),
                finalized_at: None,
                fails: false,
                alt_text: None,
            },
        );
    Json(json!({"data": {"id": id, "media_key": key, "expires_after_secs": MEDIA_TTL_SECS}}))
        .into_response()
}

fn lock(x: &X) -> std::sync::MutexGuard<'_, HashMap<String, Media>> {
    x.media
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The received `media` field of an APPEND.
struct Received {
    len: u64,
    complete: bool,
    too_big: bool,
    hash: StreamHash,
    base_len: u64,
}

/// `POST /2/media/upload/{id}/append` (multipart `media` + `segment_index`).
pub(super) async fn append(State(x): St, Path(id): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let user = match caller(&x, &parts.method, &parts.uri, &parts.headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let session = lock(&x)
        .get(&id)
        .filter(|m| m.owner == user && m.finalized_at.is_none())
        .map(|m| m.hash.clone());
    let Some(session_hash) = session else {
        return invalid("media_id", "Unknown or already finalized media id");
    };
    // A cut connection ends the stream (instead of failing it) so the
    // multipart parser still hands out what arrived; `cut` remembers it.
    let cut = Arc::new(AtomicBool::new(false));
    let flag = cut.clone();
    let stream = body.into_data_stream().take_while(move |piece| {
        if piece.is_err() {
            flag.store(true, Ordering::SeqCst);
        }
        futures::future::ready(piece.is_ok())
    });
    let req = Request::from_parts(parts, Body::from_stream(stream));
    let mut mp = match Multipart::from_request(req, &()).await {
        Ok(mp) => mp,
        Err(_) => return invalid("media", "Expected a multipart/form-data body"),
    };
    let max = x.ctx.config.x_max_append_bytes;
    let mut index: Option<u32> = None;
    let mut got: Option<Received> = None;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                if let Some(g) = got.as_mut() {
                    g.complete = g.complete && index.is_some();
                }
                break;
            }
        };
        match field.name() {
            Some("segment_index") => {
                index = field.text().await.ok().and_then(|t| t.trim().parse().ok());
                if index.is_none() {
                    return invalid("segment_index", "segment_index must be an integer 0-999");
                }
            }
            Some("media") => {
                let mut r = Received {
                    len: 0,
                    complete: true,
                    too_big: false,
                    base_len: session_hash.len(),
                    hash: session_hash.clone(),
                };
                loop {
                    match field.chunk().await {
                        Ok(Some(b)) => {
                            r.len += b.len() as u64;
                            if r.len > max {
                                r.too_big = true;
                                break;
                            }
                            r.hash.update(&b);
                        }
                        Ok(None) => break,
                        Err(_) => {
                            r.complete = false;
                            break;
                        }
                    }
                }
                r.complete = r.complete && !cut.load(Ordering::SeqCst);
                let stop = !r.complete || r.too_big;
                got = Some(r);
                if stop {
                    break;
                }
            }
            _ => while let Ok(Some(_)) = field.chunk().await {},
        }
    }
    let Some(got) = got else {
        return invalid("media", "The media field is required");
    };
    if got.too_big {
        return invalid(
            "media",
            &format!("Segment exceeds the maximum of {max} bytes"),
        );
    }
    let Some(index) = index.filter(|i| *i <= MAX_SEGMENT_INDEX) else {
        return invalid("segment_index", "segment_index must be an integer 0-999");
    };
    let mut all = lock(&x);
    let Some(m) = all.get_mut(&id) else {
        return invalid("media_id", "Unknown media id");
    };
    let offset: u64 = m.segments.range(..index).map(|(_, l)| l).sum();
    x.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::X,
        upload_id: id.clone(),
        offset,
        len: got.len,
        complete: got.complete,
    });
    if !got.complete {
        return invalid("media", "The segment arrived incomplete");
    }
    if index == m.hashed && m.hash.len() == got.base_len {
        m.hash = got.hash;
        m.hashed += 1;
    } else if index > m.hashed {
        m.in_order = false;
    }
    // A re-sent segment_index replaces the earlier one.
    m.segments.insert(index, got.len);
    StatusCode::OK.into_response()
}

/// `POST /2/media/upload/{id}/finalize`.
pub(super) async fn finalize(
    State(x): St,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let now = x.ctx.clock.now();
    let mut all = lock(&x);
    let Some(m) = all.get_mut(&id).filter(|m| m.owner == user) else {
        return invalid("media_id", "Unknown media id");
    };
    let size: u64 = m.segments.values().sum();
    if size != m.total {
        return invalid(
            "total_bytes",
            &format!(
                "File size mismatch: received {size} bytes, total_bytes was {}",
                m.total
            ),
        );
    }
    if m.finalized_at.is_none() {
        m.finalized_at = Some(now);
        m.fails = m.needs_processing() && x.ctx.faults.take_processing_failure(Platform::X);
    }
    let mut data =
        json!({"id": id, "media_key": m.key, "size": size, "expires_after_secs": MEDIA_TTL_SECS});
    if m.needs_processing() {
        data["processing_info"] = m.processing_info(now, x.ctx.config.processing_delay);
    }
    Json(json!({"data": data})).into_response()
}

/// `GET /2/media/upload?command=STATUS&media_id=..`.
pub(super) async fn status(
    State(x): St,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if q.get("command").map(String::as_str) != Some("STATUS") {
        return invalid("command", "command must be STATUS");
    }
    let id = q.get("media_id").cloned().unwrap_or_default();
    let all = lock(&x);
    let Some(m) = all
        .get(&id)
        .filter(|m| m.owner == user && m.finalized_at.is_some())
    else {
        return invalid("media_id", "Unknown or not finalized media id");
    };
    let info = m.processing_info(x.ctx.clock.now(), x.ctx.config.processing_delay);
    Json(json!({"data": {"id": id, "media_key": m.key, "processing_info": info}})).into_response()
}

/// `POST /2/media/metadata` (alt text).
pub(super) async fn metadata(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let Some(text) = v["metadata"]["alt_text"]["text"].as_str() else {
        return invalid("metadata.alt_text.text", "alt_text.text is required");
    };
    if text.chars().count() > 1000 {
        return invalid(
            "metadata.alt_text.text",
            "alt_text.text exceeds 1000 characters",
        );
    }
    let mut all = lock(&x);
    let Some(m) = all.get_mut(&id).filter(|m| m.owner == user) else {
        return invalid("id", "Unknown media id");
    };
    m.alt_text = Some(text.to_owned());
    Json(json!({"data": {"id": id, "associated_metadata": {"alt_text": {"text": text}}}}))
        .into_response()
}

/// The media record of a media id `user` may attach now (processing
/// succeeded, not expired), or X's 400.
pub(super) fn ready(x: &X, user: &str, id: &str) -> Result<MediaRecord, Response> {
    let now = x.ctx.clock.now();
    let all = lock(x);
    let m = all
        .get(id)
        .filter(|m| m.owner == user && now - m.created < chrono::Duration::seconds(MEDIA_TTL_SECS))
        .ok_or_else(|| invalid("media.media_ids", &format!("Media id {id} is invalid")))?;
    if m.state(now, x.ctx.config.processing_delay).0 != "succeeded" {
        return Err(invalid(
            "media.media_ids",
            &format!("Media id {id} is not ready: processing has not succeeded"),
        ));
    }
    Ok(MediaRecord {
        // Approximation: segments sent out of order leave
        // no whole-file hash; the record then carries an empty sha256.
        sha256: if m.in_order {
            m.hash.hex()
        } else {
            String::new()
        },
        len: m.segments.values().sum(),
        mime: Some(m.media_type.clone()),
        media_id: id.to_owned(),
    })
}
