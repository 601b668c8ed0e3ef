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

/// The received media of an APPEND or a simple upload.
pub(super) struct Received {
    len: u64,
    complete: bool,
    too_big: bool,
    /// The session's hash extended by these bytes (or a fresh hash).
    hash: StreamHash,
    /// Length of the session hash this one extends (None: a fresh hash).
    base_len: Option<u64>,
    /// The first bytes (to sniff a simple upload's type).
    head: Vec<u8>,
}

/// Bytes kept for sniffing a simple upload's media type.
const HEAD_LEN: usize = 16;
/// Largest text field of an upload form other than `media_data`.
const MAX_TEXT_FIELD: usize = 64 * 1024;

impl Received {
    fn start(session: Option<StreamHash>) -> Self {
        Self {
            len: 0,
            complete: true,
            too_big: false,
            base_len: session.as_ref().map(StreamHash::len),
            hash: session.unwrap_or_default(),
            head: Vec::new(),
        }
    }

    /// Adds a piece; false once over `max` bytes.
    fn feed(&mut self, b: &[u8], max: u64) -> bool {
        self.len += b.len() as u64;
        if self.len > max {
            self.too_big = true;
            return false;
        }
        let room = HEAD_LEN.saturating_sub(self.head.len()).min(b.len());
        self.head.extend_from_slice(&b[..room]);
        self.hash.update(b);
        true
    }

    /// Media given as base64 (`media_data`, or JSON APPEND's `media`).
    pub(super) fn base64(session: Option<StreamHash>, text: &str, max: u64) -> Result<Self, Bad> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| Bad::new("media", "media is not valid base64"))?;
        let mut r = Self::start(session);
        r.feed(&bytes, max);
        Ok(r)
    }
}

/// The session hash to extend if `id` is an open session of `user`.
pub(super) fn session_hash(x: &X, user: &str, id: &str) -> Result<StreamHash, Bad> {
    lock(x)
        .get(id)
        .filter(|m| m.owner == user && m.finalized_at.is_none())
        .map(|m| m.hash.clone())
        .ok_or_else(|| Bad::new("media_id", "Unknown or already finalized media id"))
}

/// A multipart upload body as read: its text fields and the media
/// (`media` streamed, or `media_data` decoded from base64).
pub(super) struct UploadForm {
    /// Text fields (`command`, `media_id`, `segment_index`, `total_bytes`...).
    pub(super) fields: HashMap<String, String>,
    /// The media, if the form carried any.
    pub(super) media: Option<Received>,
}

impl UploadForm {
    /// A text field.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Reads a multipart upload form of `user`, streaming `media` into the
/// hash of the session it names (`path_id`, else a `media_id` field sent
/// before the media; otherwise a fresh hash). Memory stays bounded: only
/// text fields are held, each at most 64 KiB (`media_data` up to the
/// APPEND limit in base64).
pub(super) async fn read_multipart(
    x: &X,
    user: &str,
    path_id: Option<&str>,
    parts: Parts,
    body: Body,
) -> Result<UploadForm, Bad> {
    let mut session = match path_id {
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
    let mut form = UploadForm {
        fields: HashMap::new(),
        media: None,
    };
    while let Ok(Some(mut field)) = mp.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "media" {
            let mut r = Received::start(session.clone());
            loop {
                match field.chunk().await {
                    Ok(Some(b)) => {
                        if !r.feed(&b, max) {
                            break;
                        }
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
            form.media = Some(r);
            if stop {
                break;
            }
            continue;
        }
        let limit = if name == "media_data" {
            usize::try_from(max / 3 * 4 + 8).unwrap_or(usize::MAX)
        } else {
            MAX_TEXT_FIELD
        };
        let mut text = Vec::new();
        while let Ok(Some(b)) = field.chunk().await {
            if text.len() + b.len() > limit {
                return Err(Bad::new(
                    if name == "media_data" {
                        "media"
                    } else {
                        "form"
                    },
                    format!("Field {name} exceeds the maximum size"),
                ));
            }
            text.extend_from_slice(&b);
        }
        let text = String::from_utf8_lossy(&text).trim().to_owned();
        if name == "media_data" {
            form.media = Some(Received::base64(session.clone(), &text, max)?);
        } else {
            if name == "media_id" && session.is_none() {
                // Unknown ids are refused where the id is used.
                session = session_hash(x, user, &text).ok();
            }
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

/// Adds one received segment `index` to session `id` of `user`; returns
/// the session's expiry (unix seconds). The segment is recorded as a
/// chunk either way.
pub(super) fn append_segment(
    x: &X,
    user: &str,
    id: &str,
    index: Option<&str>,
    got: Option<Received>,
) -> Result<i64, Bad> {
    let got = got.ok_or_else(|| Bad::new("media", "The media field is required"))?;
    let max = x.ctx.config.x_max_append_bytes;
    if got.too_big {
        return Err(Bad::new(
            "media",
            format!("Segment exceeds the maximum of {max} bytes"),
        ));
    }
    let index = index
        .and_then(|i| i.trim().parse::<u32>().ok())
        .filter(|i| *i <= MAX_SEGMENT_INDEX)
        .ok_or_else(|| Bad::new("segment_index", "segment_index must be an integer 0-999"))?;
    let mut all = lock(x);
    let m = all
        .get_mut(id)
        .filter(|m| m.owner == user && m.finalized_at.is_none())
        .ok_or_else(|| Bad::new("media_id", "Unknown or already finalized media id"))?;
    let offset: u64 = m.segments.range(..index).map(|(_, l)| l).sum();
    x.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::X,
        upload_id: id.to_owned(),
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
    Ok(m.created.timestamp() + MEDIA_TTL_SECS)
}

/// The type of a simple upload, from its first bytes.
fn sniff(head: &[u8]) -> &'static str {
    match head {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ => "application/octet-stream",
    }
}

/// A v1.1 simple upload (the whole file in one `media`/`media_data`
/// field, no INIT): one segment, finalized at once. Returns the media id
/// and the detected media type.
pub(super) fn simple_upload(
    x: &X,
    user: &str,
    category: Option<&str>,
    got: Option<Received>,
) -> Result<(String, &'static str), Bad> {
    let mut got = got.ok_or_else(|| Bad::new("media", "The media field is required"))?;
    let mime = sniff(&got.head);
    if got.len == 0 {
        return Err(Bad::new("media", "The media field is empty"));
    }
    let (id, _) = init_session(x, user, Some(mime), Some(got.len), category)?;
    // Read before the session existed: its fresh hash is the session's.
    got.base_len = Some(0);
    append_segment(x, user, &id, Some("0"), Some(got))?;
    Ok((id, mime))
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
        seen: None,
    })
}
