//! The resumable `videos.insert` protocol: session start with metadata
//! validation, chunked PUTs (multiples of 256 KiB except the last, 308 +
//! `Range`), status queries (`bytes */total`) and the video resource.
//!
//! A PUT cut mid-body keeps what Google keeps: the received bytes rounded
//! down to a multiple of [`QUANTUM`] (the client must query `bytes */total`
//! and resume from the server's offset). UNCONFIRMED: Google documents that
//! it may persist part of an interrupted chunk, not exactly how much.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use futures::StreamExt;
use serde_json::Value;

use super::{Session, St, Video, channel_of, cost, gerr};
use crate::{ChunkRecord, MediaRecord, RecordedPost, StreamHash, check_bearer, form, random_token};

/// Non-final chunks must be a multiple of this many bytes.
pub(crate) const QUANTUM: u64 = 262_144;

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Validates the video resource of an insert (platforms.md §5.3).
fn validate(meta: &Value, now: chrono::DateTime<chrono::Utc>) -> Result<(), Response> {
    let bad = |reason: &str, msg: &str| Err(gerr(400, reason, "youtube.video", msg));
    let snippet = &meta["snippet"];
    let title = snippet["title"].as_str().unwrap_or("");
    if title.trim().is_empty() || title.chars().count() > 100 || title.contains(['<', '>']) {
        return bad(
            "invalidTitle",
            "The request metadata specifies an invalid or empty video title.",
        );
    }
    if let Some(d) = snippet.get("description").filter(|d| !d.is_null()) {
        let d = d.as_str().unwrap_or("<");
        if d.len() > 5000 || d.contains(['<', '>']) {
            return bad(
                "invalidDescription",
                "The request metadata specifies an invalid video description.",
            );
        }
    }
    if let Some(tags) = snippet.get("tags").filter(|t| !t.is_null()) {
        let Some(tags) = tags.as_array() else {
            return bad(
                "invalidTags",
                "The request metadata specifies invalid video keywords.",
            );
        };
        // Each tag counts its characters, plus 2 quotes when it contains a
        // space, plus one comma between tags (UNCONFIRMED separator rule).
        let mut total = tags.len().saturating_sub(1);
        for t in tags {
            let Some(t) = t.as_str() else {
                return bad(
                    "invalidTags",
                    "The request metadata specifies invalid video keywords.",
                );
            };
            total += t.chars().count() + if t.contains(' ') { 2 } else { 0 };
        }
        if total > 500 {
            return bad(
                "invalidTags",
                "The request metadata specifies invalid video keywords.",
            );
        }
    }
    if let Some(c) = snippet.get("categoryId").filter(|c| !c.is_null())
        && !c
            .as_str()
            .is_some_and(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad(
            "invalidCategoryId",
            "The video snippet specifies an invalid category ID.",
        );
    }
    let status = &meta["status"];
    let privacy = status["privacyStatus"].as_str().unwrap_or("public");
    if !matches!(privacy, "private" | "public" | "unlisted") {
        return bad("invalidVideoMetadata", "The request metadata is invalid.");
    }
    if let Some(at) = status.get("publishAt").filter(|v| !v.is_null()) {
        // A scheduled time must parse and lie in the future.
        let ok = at
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .is_some_and(|t| t > now);
        if !ok || privacy != "private" {
            return bad(
                "invalidPublishAt",
                "The request metadata specifies an invalid scheduled publishing time.",
            );
        }
    }
    Ok(())
}

/// Largest metadata body (a video resource as JSON).
const MAX_METADATA: usize = 1 << 20;

/// The metadata `uploadType=media` uploads get (no resource is sent).
/// UNCONFIRMED: YouTube names such videos after the file; the emulator
/// uses a fixed title and YouTube's defaults otherwise.
fn default_metadata() -> Value {
    serde_json::json!({"snippet": {"title": "Untitled video", "categoryId": "22"}, "status": {"privacyStatus": "public"}})
}

fn parse_metadata(bytes: &[u8]) -> Result<Value, Response> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|e| gerr(400, "parseError", "global", &format!("Parse Error: {e}")))
}

fn check_mime(mime: Option<&str>) -> Result<(), Response> {
    match mime {
        Some(m) if !(m.starts_with("video/") || m == "application/octet-stream") => Err(gerr(
            400,
            "badContent",
            "youtube.video",
            "Media type is not supported. Valid media types: [video/*, application/octet-stream]",
        )),
        _ => Ok(()),
    }
}

/// Opens an upload session for `subject`; returns its id.
fn open(
    st: &St,
    subject: String,
    meta: Value,
    total: Option<u64>,
    mime: Option<String>,
    notify: bool,
) -> String {
    let id = random_token("", 24);
    st.lock().sessions.insert(
        id.clone(),
        Session {
            subject,
            metadata: meta,
            total,
            mime,
            offset: 0,
            hash: Some(StreamHash::default()),
            video: None,
            notify,
        },
    );
    id
}

/// POST /upload/youtube/v3/videos — `uploadType=resumable` opens a
/// session; `multipart` (metadata part + media part, multipart/related)
/// and `media` (raw bytes, default metadata) upload in one request.
pub(crate) async fn start(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let ctx = &st.ctx;
    let info = match check_bearer(ctx, Platform::YouTube, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let notify = q.get("notifySubscribers").is_none_or(|v| v != "false");
    let upload_type = q.get("uploadType").map(String::as_str);
    if !matches!(upload_type, Some("resumable" | "multipart" | "media")) {
        discard(body).await;
        return gerr(
            400,
            "badRequest",
            "global",
            "Invalid uploadType: resumable, multipart or media.",
        );
    }
    if let Err(r) = st.count_upload().and_then(|()| st.charge(cost::INSERT)) {
        discard(body).await;
        return r;
    }
    match upload_type {
        Some("multipart") => {
            return one_shot_multipart(&st, info.subject, &headers, body, notify).await;
        }
        Some("media") => {
            let mime = header(&headers, "content-type").map(str::to_owned);
            if let Err(r) = check_mime(mime.as_deref()) {
                discard(body).await;
                return r;
            }
            let id = open(&st, info.subject, default_metadata(), None, mime, notify);
            return one_shot_body(&st, &id, body).await;
        }
        _ => {}
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_METADATA).await else {
        return gerr(
            400,
            "badRequest",
            "global",
            "Metadata body too large or unreadable.",
        );
    };
    let meta = match parse_metadata(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = validate(&meta, st.ctx.clock.now()) {
        return r;
    }
    let total = match header(&headers, "x-upload-content-length").map(str::parse::<u64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return gerr(
                400,
                "badRequest",
                "global",
                "Invalid X-Upload-Content-Length",
            );
        }
    };
    let mime = header(&headers, "x-upload-content-type").map(str::to_owned);
    if let Err(r) = check_mime(mime.as_deref()) {
        return r;
    }
    let part = q
        .get("part")
        .cloned()
        .unwrap_or_else(|| "snippet,status".into());
    let id = open(&st, info.subject, meta, total, mime, notify);
    let location = format!(
        "{}/upload/youtube/v3/videos?uploadType=resumable&upload_id={id}&part={part}",
        ctx.base(Platform::YouTube)
    );
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert("location", v);
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-guploader-uploadid", v);
    }
    resp
}

/// Streams the whole video of a one-shot upload into session `id` and
/// creates the video (201 with the resource).
async fn one_shot_body(st: &St, id: &str, body: Body) -> Response {
    let mut hash = StreamHash::default();
    let drained = crate::drain(body, Some(&mut hash), |_| true).await;
    one_shot_done(st, id, drained.complete, hash)
}

fn one_shot_done(st: &St, id: &str, complete: bool, hash: StreamHash) -> Response {
    st.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::YouTube,
        upload_id: id.to_owned(),
        offset: 0,
        len: hash.len(),
        complete,
    });
    if !complete {
        st.lock().sessions.remove(id);
        return gerr(
            400,
            "badRequest",
            "global",
            "The request body arrived incomplete.",
        );
    }
    if hash.is_empty() {
        st.lock().sessions.remove(id);
        return gerr(
            400,
            "mediaBodyRequired",
            "youtube.video",
            "The request does not include the video content.",
        );
    }
    match finish(st, id, &hash) {
        Some(v) => super::videos::upload_result(st, &v),
        None => gerr(
            404,
            "notFound",
            "global",
            "Upload session not found or expired.",
        ),
    }
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// `uploadType=multipart`: a multipart/related body whose first part is
/// the video resource (JSON) and whose second part is the video.
async fn one_shot_multipart(
    st: &St,
    subject: String,
    headers: &HeaderMap,
    body: Body,
    notify: bool,
) -> Response {
    let ct = header(headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let Some(b) = ct
        .starts_with("multipart/")
        .then(|| header(headers, "content-type").and_then(boundary))
        .flatten()
    else {
        discard(body).await;
        return gerr(
            400,
            "badRequest",
            "global",
            "uploadType=multipart needs a multipart/related body.",
        );
    };
    let mut mp = multer::Multipart::new(body.into_data_stream(), b);
    let bad = |m: &str| gerr(400, "badRequest", "global", m);
    let meta = match mp.next_field().await {
        Ok(Some(mut f)) => {
            let mut bytes = Vec::new();
            loop {
                match f.chunk().await {
                    Ok(Some(c)) if bytes.len() + c.len() <= MAX_METADATA => {
                        bytes.extend_from_slice(&c)
                    }
                    Ok(None) => break,
                    _ => return bad("Metadata part too large or unreadable."),
                }
            }
            match parse_metadata(&bytes) {
                Ok(v) => v,
                Err(r) => return r,
            }
        }
        _ => return bad("Missing metadata part."),
    };
    if let Err(r) = validate(&meta, st.ctx.clock.now()) {
        return r;
    }
    let Ok(Some(mut media)) = mp.next_field().await else {
        return gerr(
            400,
            "mediaBodyRequired",
            "youtube.video",
            "The request does not include the video content.",
        );
    };
    let mime = media.content_type().map(ToString::to_string);
    if let Err(r) = check_mime(mime.as_deref()) {
        return r;
    }
    let id = open(st, subject, meta, None, mime, notify);
    let mut hash = StreamHash::default();
    let complete = loop {
        match media.chunk().await {
            Ok(Some(c)) => hash.update(&c),
            Ok(None) => break true,
            Err(_) => break false,
        }
    };
    one_shot_done(st, &id, complete, hash)
}

/// 308 Resume Incomplete with the received range.
fn incomplete(offset: u64) -> Response {
    let mut resp = StatusCode::PERMANENT_REDIRECT.into_response();
    if offset > 0
        && let Ok(v) = HeaderValue::from_str(&format!("bytes=0-{}", offset - 1))
    {
        resp.headers_mut().insert("range", v);
    }
    resp
}

/// Restores the session after a PUT, even when the handler is dropped
/// because the client went away: the hash and the accepted offset go back,
/// and an unfinished chunk is recorded incomplete.
struct PutGuard {
    st: St,
    id: String,
    start: u64,
    hash: Option<StreamHash>,
    /// Bytes of this PUT already in `hash` (a multiple of QUANTUM until the end).
    hashed: u64,
    received: u64,
    recorded: bool,
}

impl Drop for PutGuard {
    fn drop(&mut self) {
        if !self.recorded {
            self.st.ctx.record.add_chunk(ChunkRecord {
                platform: Platform::YouTube,
                upload_id: self.id.clone(),
                offset: self.start,
                len: self.received,
                complete: false,
            });
        }
        let mut inner = self.st.lock();
        if let Some(s) = inner.sessions.get_mut(&self.id) {
            s.hash = self.hash.take();
            s.offset = self.start + self.hashed;
        }
    }
}

enum Range {
    /// `bytes */total`.
    Query,
    /// `bytes a-b/total`.
    Bytes(u64, u64, Option<u64>),
    /// No Content-Range: the whole file.
    Whole,
}

fn parse_range(h: Option<&str>) -> Option<Range> {
    let Some(h) = h else {
        return Some(Range::Whole);
    };
    let rest = h.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let total = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    if span == "*" {
        return Some(Range::Query);
    }
    let (a, b) = span.split_once('-')?;
    let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some(Range::Bytes(a, b, total))
}

async fn discard(body: Body) {
    crate::drain(body, None, |_| true).await;
}

/// Why a PUT is answered without reading its body.
enum Early {
    Respond(Response),
    Done(String),
    NotFound,
}

type Claimed = (u64, u64, Option<u64>, StreamHash);

/// Checks a PUT against the session and takes the session's hash for it.
fn claim(st: &St, id: &str, range: Range, content_length: Option<&str>) -> Result<Claimed, Early> {
    let content_length = content_length.and_then(|v| v.parse::<u64>().ok());
    let bad = |m: &str| Early::Respond(gerr(400, "badRequest", "global", m));
    let mut inner = st.lock();
    let s = inner.sessions.get_mut(id).ok_or(Early::NotFound)?;
    if let Some(v) = &s.video {
        return Err(Early::Done(v.clone()));
    }
    let declared = s.total;
    let (a, b, total) = match range {
        Range::Query => return Err(Early::Respond(incomplete(s.offset))),
        Range::Whole => {
            let total = content_length
                .or(declared)
                .ok_or_else(|| bad("Content-Length required."))?;
            if total == 0 {
                return Err(Early::Respond(gerr(
                    400,
                    "mediaBodyRequired",
                    "youtube.video",
                    "The request does not include the video content.",
                )));
            }
            (0, total - 1, Some(total))
        }
        Range::Bytes(a, b, t) => (a, b, t.or(declared)),
    };
    if let (Some(t), Some(d)) = (total, declared)
        && t != d
    {
        return Err(bad(
            "Content-Range total does not match X-Upload-Content-Length.",
        ));
    }
    if total.is_some_and(|t| b >= t) {
        return Err(bad("Content-Range exceeds the total size."));
    }
    if a != s.offset {
        return Err(Early::Respond(incomplete(s.offset)));
    }
    let last = total.is_some_and(|t| b + 1 == t);
    if !last && (b - a + 1) % QUANTUM != 0 {
        return Err(bad(
            "Invalid request. The number of bytes uploaded is required to be equal or greater than 262144, except for the final request (it's recommended to be the exact multiple of 262144).",
        ));
    }
    let hash = s.hash.take().ok_or_else(|| {
        Early::Respond(gerr(
            503,
            "backendError",
            "global",
            "Another request is uploading to this session.",
        ))
    })?;
    s.total = total.or(s.total);
    Ok((a, b, total, hash))
}

/// PUT <session URI> — a chunk, the whole file, or a status query.
pub(crate) async fn put(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let q = form(q.as_deref().unwrap_or(""));
    let id = q.get("upload_id").cloned().unwrap_or_default();
    let not_found = || {
        gerr(
            404,
            "notFound",
            "global",
            "Upload session not found or expired.",
        )
    };
    let Some(range) = parse_range(header(&headers, "content-range")) else {
        discard(body).await;
        return gerr(400, "badRequest", "global", "Invalid Content-Range header.");
    };
    let claimed = claim(&st, &id, range, header(&headers, "content-length"));
    let (a, b, total, hash) = match claimed {
        Ok(c) => c,
        Err(early) => {
            discard(body).await;
            return match early {
                Early::Respond(r) => r,
                Early::Done(v) => super::videos::upload_result(&st, &v),
                Early::NotFound => not_found(),
            };
        }
    };
    let expected = b - a + 1;
    let mut g = PutGuard {
        st: st.clone(),
        id: id.clone(),
        start: a,
        hash: Some(hash),
        hashed: 0,
        received: 0,
        recorded: false,
    };
    // Bytes held back from the hash until a full QUANTUM arrives (at most
    // one QUANTUM, so memory stays bounded).
    let mut tail: Vec<u8> = Vec::new();
    let mut stream = body.into_data_stream();
    let mut complete = true;
    let mut overflow = false;
    while let Some(piece) = stream.next().await {
        let Ok(piece) = piece else {
            complete = false;
            break;
        };
        g.received += piece.len() as u64;
        if g.received > expected {
            overflow = true;
            break;
        }
        let Some(h) = g.hash.as_mut() else { break };
        let mut p: &[u8] = &piece;
        if !tail.is_empty() {
            let need = usize::try_from(QUANTUM).unwrap_or(usize::MAX) - tail.len();
            let take = need.min(p.len());
            tail.extend_from_slice(&p[..take]);
            p = &p[take..];
            if tail.len() as u64 == QUANTUM {
                h.update(&tail);
                g.hashed += QUANTUM;
                tail.clear();
            }
        }
        let whole = (p.len() as u64 / QUANTUM * QUANTUM) as usize;
        if whole > 0 {
            h.update(&p[..whole]);
            g.hashed += whole as u64;
        }
        tail.extend_from_slice(&p[whole..]);
    }
    if complete && !overflow && g.received == expected {
        if let Some(h) = g.hash.as_mut() {
            h.update(&tail);
        }
        g.hashed = expected;
    }
    let accepted = g.hashed == expected;
    g.recorded = true;
    st.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::YouTube,
        upload_id: id.clone(),
        offset: a,
        len: g.received,
        complete: accepted,
    });
    let offset = a + g.hashed;
    let hash = g.hash.clone().unwrap_or_default();
    drop(g);
    if !accepted {
        return gerr(
            400,
            "badRequest",
            "global",
            "The request body does not match Content-Range.",
        );
    }
    if total.is_some_and(|t| offset == t) {
        let video = finish(&st, &id, &hash);
        return match video {
            Some(v) => super::videos::upload_result(&st, &v),
            None => not_found(),
        };
    }
    incomplete(offset)
}

/// Creates the video of a completed session and records the post.
fn finish(st: &St, id: &str, hash: &StreamHash) -> Option<String> {
    let ctx = &st.ctx;
    let now = ctx.clock.now();
    let mut inner = st.lock();
    let s = inner.sessions.get_mut(id)?;
    if let Some(v) = &s.video {
        return Some(v.clone());
    }
    let vid = random_token("", 8).chars().take(11).collect::<String>();
    s.video = Some(vid.clone());
    let (channel, channel_title, _) = channel_of(ctx, &s.subject);
    let m = &s.metadata;
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let video = Video {
        id: vid.clone(),
        channel: channel.clone(),
        channel_title,
        title: text(&m["snippet"]["title"]),
        description: text(&m["snippet"]["description"]),
        tags: m["snippet"]["tags"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        category: m["snippet"]["categoryId"]
            .as_str()
            .unwrap_or("22")
            .to_owned(),
        privacy: m["status"]["privacyStatus"]
            .as_str()
            .unwrap_or("public")
            .to_owned(),
        publish_at: m["status"]["publishAt"].as_str().map(str::to_owned),
        made_for_kids: m["status"]["selfDeclaredMadeForKids"]
            .as_bool()
            .unwrap_or(false),
        created: now,
        fails: ctx.faults.take_processing_failure(Platform::YouTube),
        deleted: false,
        thumbnail: false,
    };
    let mut extra = BTreeMap::new();
    extra.insert("privacyStatus".to_owned(), video.privacy.clone());
    extra.insert("notifySubscribers".to_owned(), s.notify.to_string());
    if let Some(p) = &video.publish_at {
        extra.insert("publishAt".to_owned(), p.clone());
    }
    let post = RecordedPost {
        platform: Platform::YouTube,
        account_id: channel,
        post_id: vid.clone(),
        text: video.description.clone(),
        title: Some(video.title.clone()),
        media: vec![MediaRecord {
            sha256: hash.hex(),
            len: hash.len(),
            mime: s.mime.clone(),
            media_id: vid.clone(),
            seen: None,
        }],
        url: format!("https://www.youtube.com/watch?v={vid}"),
        created_at: now,
        deleted: false,
        extra,
        scheduled_for: video
            .publish_at
            .as_deref()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|t| t.with_timezone(&chrono::Utc)),
    };
    inner.videos.push(video);
    drop(inner);
    ctx.record.add_post(post);
    Some(vid)
}
