//! X media upload sessions: the model behind both the v2 and the v1.1
//! endpoints (see `upload.rs`), with the `processing_info` state machine.
//! APPEND segments are streamed and hashed, never buffered.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::request::Parts;
use axum::response::Response;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{X, invalid};
use crate::body::StreamHash;
use crate::record::{ChunkRecord, MediaRecord};

/// Seconds an uploaded media id stays usable (`expires_after_secs`).
pub(super) const MEDIA_TTL_SECS: i64 = 86_400;
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
            (
                "in_progress",
                (elapsed.saturating_mul(100) / delay_ms).clamp(1, 99),
            )
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

/// A refused media request: the parameter at fault and why.
#[derive(Debug)]
pub(super) struct Bad(pub(super) &'static str, pub(super) String);

impl Bad {
    fn new(param: &'static str, msg: impl Into<String>) -> Self {
        Self(param, msg.into())
    }

    /// X v2's 400 for it.
    pub(super) fn v2(&self) -> Response {
        invalid(self.0, &self.1)
    }
}

fn lock(x: &X) -> std::sync::MutexGuard<'_, HashMap<String, Media>> {
    x.media
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Opens an upload session; returns (media id, media key).
pub(super) fn init_session(
    x: &X,
    user: &str,
    media_type: Option<&str>,
    total: Option<u64>,
    category: Option<&str>,
) -> Result<(String, String), Bad> {
    let media_type = media_type.ok_or_else(|| Bad::new("media_type", "media_type is required"))?;
    let total = total
        .filter(|n| *n > 0)
        .ok_or_else(|| Bad::new("total_bytes", "total_bytes must be a positive integer"))?;
    let id = x.id();
    let key = format!("{}{id}", key_prefix(media_type, category));
    lock(x).insert(
        id.clone(),
        Media {
            key: key.clone(),
            owner: user.to_owned(),
            media_type: media_type.to_owned(),
            category: category.map(str::to_owned),
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
    Ok((id, key))
}

/// The received `media` field of an APPEND.
struct Received {
    len: u64,
    complete: bool,
    too_big: bool,
    hash: StreamHash,
    base_len: Option<u64>,
}

/// The session hash to extend if `id` is an open session of `user`.
fn session_hash(x: &X, user: &str, id: &str) -> Result<StreamHash, Bad> {
    lock(x)
        .get(id)
        .filter(|m| m.owner == user && m.finalized_at.is_none())
        .map(|m| m.hash.clone())
        .ok_or_else(|| Bad::new("media_id", "Unknown or already finalized media id"))
}

/// Streams one multipart APPEND (`media` + `segment_index`, and
/// `media_id` when `path_id` is None) into the session of `user`;
/// returns the media id. The segment is recorded as a chunk either way.
pub(super) async fn append_multipart(
    x: &X,
    user: &str,
    mut id: Option<String>,
    parts: Parts,
    body: Body,
) -> Result<String, Bad> {
    let mut session = match &id {
        Some(i) => Some(session_hash(x, user, i)?),
        None => None,
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
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| Bad::new("media", "Expected a multipart/form-data body"))?;
    let max = x.ctx.config.x_max_append_bytes;
    let mut index: Option<u32> = None;
    let mut got: Option<Received> = None;
    let bad_index = || Bad::new("segment_index", "segment_index must be an integer 0-999");
    while let Ok(Some(mut field)) = mp.next_field().await {
        match field.name() {
            Some("segment_index") => {
                index = field.text().await.ok().and_then(|t| t.trim().parse().ok());
                if index.is_none() {
                    return Err(bad_index());
                }
            }
            Some("media_id") if id.is_none() => {
                let i = field.text().await.unwrap_or_default().trim().to_owned();
                session = Some(session_hash(x, user, &i)?);
                id = Some(i);
            }
            Some("media") => {
                // Without a known session yet, hash on the side (the
                // segment then cannot extend the whole-file hash).
                let base = session.clone().unwrap_or_default();
                let mut r = Received {
                    len: 0,
                    complete: true,
                    too_big: false,
                    base_len: session.as_ref().map(StreamHash::len),
                    hash: base,
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
    let id = id.ok_or_else(|| Bad::new("media_id", "media_id is required"))?;
    let got = got.ok_or_else(|| Bad::new("media", "The media field is required"))?;
    if got.too_big {
        return Err(Bad::new(
            "media",
            format!("Segment exceeds the maximum of {max} bytes"),
        ));
    }
    let index = index
        .filter(|i| *i <= MAX_SEGMENT_INDEX)
        .ok_or_else(bad_index)?;
    let mut all = lock(x);
    let m = all
        .get_mut(&id)
        .ok_or_else(|| Bad::new("media_id", "Unknown media id"))?;
    let offset: u64 = m.segments.range(..index).map(|(_, l)| l).sum();
    x.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::X,
        upload_id: id.clone(),
        offset,
        len: got.len,
        complete: got.complete,
    });
    if !got.complete {
        return Err(Bad::new("media", "The segment arrived incomplete"));
    }
    if index == m.hashed && got.base_len == Some(m.hash.len()) {
        m.hash = got.hash;
        m.hashed += 1;
    } else if index >= m.hashed {
        m.in_order = false;
    }
    // A re-sent segment_index replaces the earlier one.
    m.segments.insert(index, got.len);
    Ok(id)
}

/// Finalizes a session: (media key, size, processing_info if any).
pub(super) fn finalize_session(
    x: &X,
    user: &str,
    id: &str,
) -> Result<(String, u64, Option<Value>), Bad> {
    let now = x.ctx.clock.now();
    let mut all = lock(x);
    let m = all
        .get_mut(id)
        .filter(|m| m.owner == user)
        .ok_or_else(|| Bad::new("media_id", "Unknown media id"))?;
    let size: u64 = m.segments.values().sum();
    if size != m.total {
        return Err(Bad::new(
            "total_bytes",
            format!(
                "Segments do not add up to provided total file size: received {size} bytes, total_bytes was {}",
                m.total
            ),
        ));
    }
    if m.finalized_at.is_none() {
        m.finalized_at = Some(now);
        m.fails = m.needs_processing() && x.ctx.faults.take_processing_failure(Platform::X);
    }
    let info = m
        .needs_processing()
        .then(|| m.processing_info(now, x.ctx.config.processing_delay));
    Ok((m.key.clone(), size, info))
}

/// A finalized session's (media key, processing_info).
pub(super) fn status_session(x: &X, user: &str, id: &str) -> Result<(String, Value), Bad> {
    let all = lock(x);
    let m = all
        .get(id)
        .filter(|m| m.owner == user && m.finalized_at.is_some())
        .ok_or_else(|| Bad::new("media_id", "Unknown or not finalized media id"))?;
    Ok((
        m.key.clone(),
        m.processing_info(x.ctx.clock.now(), x.ctx.config.processing_delay),
    ))
}

/// The media key of a media id.
pub(super) fn key_of(x: &X, id: &str) -> Option<String> {
    lock(x).get(id).map(|m| m.key.clone())
}

/// Sets a media id's alt text.
pub(super) fn set_alt_text(x: &X, user: &str, id: &str, text: &str) -> Result<(), Bad> {
    if text.chars().count() > 1000 {
        return Err(Bad::new(
            "metadata.alt_text.text",
            "alt_text.text exceeds 1000 characters",
        ));
    }
    let mut all = lock(x);
    let m = all
        .get_mut(id)
        .filter(|m| m.owner == user)
        .ok_or_else(|| Bad::new("id", "Unknown media id"))?;
    m.alt_text = Some(text.to_owned());
    Ok(())
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
