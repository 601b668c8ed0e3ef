//! Facebook Pages: feed posts, photos, videos (simple, published from a
//! Resumable Upload API handle, and the legacy video-host
//! start/transfer/finish that real clients still send), status,
//! permalinks, delete, page throttling.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{
    DUPLICATE_WINDOW_SECS, FbPost, Inner, M, PAGE_CALLS_PER_HOUR, Photo, Req, TokKind,
    VIDEO_CHUNK_SIZE, Video, bad_param, graph_error, may_act, no_permission, ok, unsupported,
};
use crate::record::{ChunkRecord, MediaRecord, RecordedPost};

const POST_BASE: u64 = 100_000_000_000_000;
const MEDIA_BASE: u64 = 200_000_000_000_000;

/// Token and throttle checks of a page edge.
fn guard(m: &M, kind: &TokKind, page: &str) -> Result<(), Response> {
    if !may_act(m, kind, page, false) {
        return Err(match kind {
            TokKind::User { .. } => {
                no_permission("This endpoint requires a Page access token of the target Page")
            }
            TokKind::Page { .. } => {
                no_permission("The Page access token does not belong to the target Page")
            }
        });
    }
    let now = m.now();
    let mut g = m.lock();
    let calls = g.page_calls.entry(page.to_owned()).or_default();
    calls.retain(|t| now - *t < chrono::Duration::hours(1));
    if calls.len() >= PAGE_CALLS_PER_HOUR {
        let oldest = calls.first().copied().unwrap_or(now);
        let regain = ((oldest + chrono::Duration::hours(1)) - now)
            .num_minutes()
            .max(1);
        let mut resp = graph_error(
            400,
            32,
            None,
            "OAuthException",
            "(#32) Page request limit reached",
        );
        let usage = json!({ page: [{"type": "pages", "call_count": 100, "total_cputime": 100, "total_time": 100, "estimated_time_to_regain_access": regain}] });
        if let Ok(v) = HeaderValue::from_str(&usage.to_string()) {
            resp.headers_mut().insert("x-business-use-case-usage", v);
        }
        return Err(resp);
    }
    calls.push(now);
    Ok(())
}

fn permalink(page: &str, post: &str) -> String {
    let short = post.split_once('_').map_or(post, |(_, p)| p);
    format!("https://www.facebook.com/{page}/posts/{short}")
}

fn record(
    m: &M,
    p: &FbPost,
    media: Vec<MediaRecord>,
    url: String,
    extra: BTreeMap<String, String>,
) {
    m.ctx.record.add_post(RecordedPost {
        platform: Platform::Facebook,
        account_id: p.page.clone(),
        post_id: p.id.clone(),
        text: p.message.clone(),
        title: None,
        media,
        url,
        created_at: p.created,
        deleted: false,
        extra,
        scheduled_for: p.scheduled_for,
    });
}

fn new_post(g: &mut Inner, page: &str, message: &str, now: DateTime<Utc>) -> FbPost {
    let n = g.id(POST_BASE);
    FbPost {
        page: page.to_owned(),
        id: format!("{page}_{n}"),
        message: message.to_owned(),
        created: now,
        video: None,
        deleted: false,
        scheduled_for: None,
        draft: false,
    }
}

/// The photo ids of `attached_media` (JSON array or `attached_media[i]` fields).
fn attached(r: &Req) -> Result<Vec<String>, Response> {
    let mut raw: Vec<(String, String)> = r
        .params
        .iter()
        .filter(|(k, _)| k.starts_with("attached_media"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    raw.sort();
    let mut ids = Vec::new();
    for (_, v) in raw {
        let parsed: Value =
            serde_json::from_str(&v).map_err(|_| bad_param("Invalid attached_media"))?;
        let items = match parsed {
            Value::Array(a) => a,
            o => vec![o],
        };
        for it in items {
            let id = it
                .get("media_fbid")
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned));
            ids.push(id.ok_or_else(|| bad_param("attached_media items need media_fbid"))?);
        }
    }
    Ok(ids)
}

/// POST /{page}/feed.
pub(crate) fn create_post(m: &M, kind: &TokKind, page: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, kind, page) {
        return e;
    }
    let message = r.get("message").to_owned();
    let link = r.get("link").to_owned();
    let media_ids = match attached(r) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if message.is_empty() && link.is_empty() && media_ids.is_empty() {
        return bad_param("Invalid parameter: message, link or attached_media is required");
    }
    let published = r.flag("published", true);
    let now = m.now();
    let mut extra = BTreeMap::new();
    let mut scheduled_for = None;
    let draft = !published && !r.params.contains_key("scheduled_publish_time");
    if draft {
        extra.insert(crate::STATE_KEY.into(), "draft".into());
    } else if !published {
        let Some(at) = r
            .params
            .get("scheduled_publish_time")
            .and_then(|s| s.parse::<i64>().ok())
        else {
            return bad_param("scheduled_publish_time must be a UNIX timestamp");
        };
        let d = at - now.timestamp();
        if !(600..=30 * 86400).contains(&d) {
            return graph_error(
                400,
                100,
                Some(1_363_003),
                "OAuthException",
                "(#100) The specified scheduled publish time is invalid.",
            );
        }
        extra.insert("scheduled_publish_time".into(), at.to_string());
        scheduled_for = DateTime::from_timestamp(at, 0);
    }
    if !link.is_empty() {
        extra.insert("link".into(), link);
    }
    let mut g = m.lock();
    if !message.is_empty()
        && g.posts.values().any(|p| {
            p.page == page
                && !p.deleted
                && p.message == message
                && (now - p.created).num_seconds() < DUPLICATE_WINDOW_SECS
        })
    {
        return graph_error(
            400,
            506,
            None,
            "OAuthException",
            "(#506) Duplicate status message",
        );
    }
    let mut media = Vec::new();
    let mut alt_texts = Vec::new();
    for id in &media_ids {
        match g.photos.get(id) {
            Some(p) if p.page == page && p.post.is_none() => {
                media.push(p.media.clone());
                alt_texts.push(p.alt_text.clone());
            }
            _ => {
                return bad_param(&format!(
                    "Invalid attached_media: {id} is not an unpublished photo of this Page"
                ));
            }
        }
    }
    if alt_texts.iter().any(Option::is_some) {
        extra.insert("alt_text_custom".into(), json!(alt_texts).to_string());
    }
    let mut post = new_post(&mut g, page, &message, now);
    post.scheduled_for = scheduled_for;
    post.draft = draft;
    for id in &media_ids {
        if let Some(p) = g.photos.get_mut(id) {
            p.post = Some(post.id.clone());
        }
    }
    g.posts.insert(post.id.clone(), post.clone());
    drop(g);
    record(m, &post, media, permalink(page, &post.id), extra);
    ok(json!({"id": post.id}))
}

/// GET /{page}/feed: recent live posts, newest first; with `scheduled`,
/// GET /{page}/scheduled_posts: the posts still waiting for their
/// `scheduled_publish_time` on the emulator clock.
pub(crate) fn list_feed(m: &M, kind: &TokKind, page: &str, r: &Req, scheduled: bool) -> Response {
    if !may_act(m, kind, page, true) {
        return no_permission("Requires a token of a Page manager");
    }
    let limit = r.get("limit").parse::<usize>().unwrap_or(25).clamp(1, 100);
    let now = m.now();
    let mut posts: Vec<FbPost> = m
        .lock()
        .posts
        .values()
        .filter(|p| p.page == page && !p.deleted && !p.draft)
        .filter(|p| p.scheduled_for.is_some_and(|at| at > now) == scheduled)
        .cloned()
        .collect();
    posts.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let data: Vec<Value> = posts
        .iter()
        .take(limit)
        .map(|p| super::pick(post_json(p), r.params.get("fields")))
        .collect();
    ok(json!({"data": data, "paging": {"cursors": {"before": "", "after": ""}}}))
}

fn post_json(p: &FbPost) -> Value {
    let url = match &p.video {
        Some(v) => format!("https://www.facebook.com/{}/videos/{v}/", p.page),
        None => permalink(&p.page, &p.id),
    };
    json!({"id": p.id, "message": p.message, "created_time": p.created.format("%Y-%m-%dT%H:%M:%S%z").to_string(), "permalink_url": url})
}

/// Media of a request: multipart `source`, or `url_param` fetched by the emulator.
async fn media_of(m: &M, r: &Req, url_param: &str) -> Result<MediaRecord, Response> {
    if let Some(f) = r.files.iter().find(|f| f.name == "source") {
        if !f.complete {
            return Err(bad_param("Upload was interrupted"));
        }
        return Ok(MediaRecord {
            sha256: f.sha256.clone(),
            len: f.len,
            mime: f.mime.clone(),
            media_id: String::new(),
            seen: Some(crate::inspect::inspect(&f.head, f.len).await),
        });
    }
    let url = r.get(url_param);
    if url.is_empty() {
        return Err(bad_param(&format!(
            "Either {url_param} or source is required"
        )));
    }
    match super::fetch::fetch(m, url).await {
        Ok(f) => Ok(MediaRecord {
            seen: Some(crate::inspect::inspect(&f.head, f.len).await),
            sha256: f.sha256,
            len: f.len,
            mime: f.mime,
            media_id: String::new(),
        }),
        Err(e) => Err(graph_error(
            400,
            324,
            Some(2_069_019),
            "OAuthException",
            &format!("(#324) Missing or invalid image file: {}", e.0),
        )),
    }
}

/// POST /{page}/photos.
pub(crate) async fn photo(m: &M, kind: &TokKind, page: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, kind, page) {
        return e;
    }
    let mut media = match media_of(m, r, "url").await {
        Ok(x) => x,
        Err(e) => return e,
    };
    if super::checks::photo_too_large(media.len) {
        return graph_error(
            400,
            100,
            Some(1_366_046),
            "OAuthException",
            &format!(
                "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files ({} bytes received).",
                media.len
            ),
        );
    }
    let now = m.now();
    let mut g = m.lock();
    let id = g.id(MEDIA_BASE);
    media.media_id = id.clone();
    let published = r.flag("published", true);
    let alt_text = Some(r.get("alt_text_custom").to_owned()).filter(|a| !a.is_empty());
    let mut photo = Photo {
        page: page.to_owned(),
        media: media.clone(),
        post: None,
        alt_text: alt_text.clone(),
    };
    if !published {
        g.photos.insert(id.clone(), photo);
        return ok(json!({ "id": id }));
    }
    let post = new_post(&mut g, page, r.get("message"), now);
    photo.post = Some(post.id.clone());
    g.photos.insert(id.clone(), photo);
    g.posts.insert(post.id.clone(), post.clone());
    drop(g);
    let mut extra = BTreeMap::new();
    if let Some(a) = alt_text {
        extra.insert("alt_text_custom".into(), json!([a]).to_string());
    }
    record(m, &post, vec![media], permalink(page, &post.id), extra);
    ok(json!({"id": id, "post_id": post.id}))
}

/// POST /{page}/videos (simple, or upload_phase=start|transfer|finish).
pub(crate) async fn video(m: &M, kind: &TokKind, page: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, kind, page) {
        return e;
    }
    match r.get("upload_phase") {
        "start" => start(m, page, r),
        "transfer" => transfer(m, page, r),
        "finish" => finish(m, page, r),
        "" if !r.get("fbuploader_video_file_chunk").is_empty() => from_handle(m, kind, page, r),
        "" => {
            let media = match media_of(m, r, "file_url").await {
                Ok(x) => x,
                Err(e) => return e,
            };
            let mut g = m.lock();
            let id = g.id(MEDIA_BASE);
            let mut hash = crate::body::StreamHash::default();
            hash.update(&[]);
            g.videos.insert(
                id.clone(),
                Video {
                    page: page.to_owned(),
                    id: id.clone(),
                    session: String::new(),
                    file_size: media.len,
                    offset: media.len,
                    hash,
                    done_at: None,
                    failed: false,
                    post: None,
                    reel: false,
                },
            );
            drop(g);
            publish_video(m, &id, r, Some(media));
            ok(json!({ "id": id }))
        }
        other => bad_param(&format!("Invalid upload_phase: {other}")),
    }
}

/// `POST /{page}/videos` with `fbuploader_video_file_chunk=<handle>`: the
/// video uploaded through the Resumable Upload API by the user behind the
/// Page token becomes a Page video (source: developers.facebook.com/
/// documentation/video-api/guides/publishing, read 2026-12).
fn from_handle(m: &M, kind: &TokKind, page: &str, r: &Req) -> Response {
    let user = super::user_of(kind);
    let Some(up) = super::uploads::by_handle(m, r.get("fbuploader_video_file_chunk"), user) else {
        return bad_param("Invalid fbuploader_video_file_chunk: no complete upload of this user");
    };
    if up.file_type != "video/mp4" {
        return bad_param("The uploaded file is not a video");
    }
    let mut g = m.lock();
    let id = g.id(MEDIA_BASE);
    g.videos.insert(
        id.clone(),
        Video {
            page: page.to_owned(),
            id: id.clone(),
            session: String::new(),
            file_size: up.length,
            offset: up.received,
            hash: up.hash.clone(),
            done_at: None,
            failed: false,
            post: None,
            reel: false,
        },
    );
    drop(g);
    publish_video(m, &id, r, Some(up.media()));
    ok(json!({ "id": id }))
}

/// POST /{page}/video_reels (Page Reels, [`super::reels`]).
pub(crate) fn video_reels(m: &M, kind: &TokKind, page: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, kind, page) {
        return e;
    }
    super::reels::video_reels(m, page, r)
}

fn offsets(v: &Video) -> Value {
    let end = (v.offset + VIDEO_CHUNK_SIZE).min(v.file_size);
    json!({"start_offset": v.offset.to_string(), "end_offset": end.to_string()})
}

fn start(m: &M, page: &str, r: &Req) -> Response {
    let Some(size) = r.get("file_size").parse::<u64>().ok().filter(|s| *s > 0) else {
        return bad_param("file_size must be a positive integer");
    };
    let mut g = m.lock();
    let id = g.id(MEDIA_BASE);
    let session = g.id(MEDIA_BASE * 3);
    let v = Video {
        page: page.to_owned(),
        id: id.clone(),
        session: session.clone(),
        file_size: size,
        offset: 0,
        hash: Default::default(),
        done_at: None,
        failed: false,
        post: None,
        reel: false,
    };
    let mut body = offsets(&v);
    body["video_id"] = json!(id);
    body["upload_session_id"] = json!(session);
    g.videos.insert(id, v);
    ok(body)
}

fn session<'a>(g: &'a mut Inner, page: &str, r: &Req) -> Result<&'a mut Video, Response> {
    let s = r.get("upload_session_id");
    g.videos
        .values_mut()
        .find(|v| !s.is_empty() && v.session == s && v.page == page)
        .ok_or_else(|| bad_param("Invalid upload_session_id"))
}

fn transfer(m: &M, page: &str, r: &Req) -> Response {
    let mut g = m.lock();
    let v = match session(&mut g, page, r) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(chunk) = r.files.iter().find(|f| f.name == "video_file_chunk") else {
        return bad_param("video_file_chunk is required");
    };
    let start = r.get("start_offset").parse::<u64>().ok();
    let record = |complete| ChunkRecord {
        platform: Platform::Facebook,
        upload_id: v.session.clone(),
        offset: start.unwrap_or(0),
        len: chunk.len,
        complete,
    };
    if start != Some(v.offset) || v.done_at.is_some() {
        m.ctx.record.add_chunk(record(false));
        return graph_error(
            400,
            6000,
            Some(1_363_037),
            "OAuthException",
            &format!(
                "There was a problem uploading your video file. Please try again. (start_offset must be {})",
                v.offset
            ),
        );
    }
    let expected = (v.offset + VIDEO_CHUNK_SIZE).min(v.file_size) - v.offset;
    if !chunk.complete || chunk.len != expected {
        m.ctx.record.add_chunk(record(false));
        return graph_error(
            400,
            6000,
            Some(1_363_019),
            "OAuthException",
            &format!(
                "There was a problem uploading your video file. Please try again. (chunk must be {expected} bytes)"
            ),
        );
    }
    m.ctx.record.add_chunk(record(true));
    v.offset += chunk.len;
    v.hash = chunk.hash.clone();
    ok(offsets(v))
}

fn finish(m: &M, page: &str, r: &Req) -> Response {
    let id = {
        let mut g = m.lock();
        let v = match session(&mut g, page, r) {
            Ok(v) => v,
            Err(e) => return e,
        };
        if v.offset != v.file_size {
            return graph_error(
                400,
                6000,
                Some(1_363_020),
                "OAuthException",
                "There was a problem uploading your video file. The upload is incomplete.",
            );
        }
        if v.done_at.is_some() {
            return ok(json!({"success": true}));
        }
        v.id.clone()
    };
    publish_video(m, &id, r, None);
    ok(json!({"success": true}))
}

/// The public URL of a Page video or reel.
fn video_url(v: &Video) -> String {
    if v.reel {
        format!("https://www.facebook.com/reel/{}", v.id)
    } else {
        format!("https://www.facebook.com/{}/videos/{}/", v.page, v.id)
    }
}

/// Completes a video: processing starts, the video becomes a post.
pub(crate) fn publish_video(m: &M, id: &str, r: &Req, media: Option<MediaRecord>) {
    let now = m.now();
    let failed = m.ctx.faults.take_processing_failure(Platform::Facebook);
    let mut g = m.lock();
    let Some(v) = g.videos.get(id).cloned() else {
        return;
    };
    let media = media.unwrap_or(MediaRecord {
        sha256: v.hash.hex(),
        len: v.hash.len(),
        mime: Some("video/mp4".into()),
        media_id: String::new(),
        seen: None,
    });
    let text = if r.get("description").is_empty() {
        r.get("message")
    } else {
        r.get("description")
    };
    let mut post = new_post(&mut g, &v.page, text, now);
    post.video = Some(id.to_owned());
    g.posts.insert(post.id.clone(), post.clone());
    if let Some(v) = g.videos.get_mut(id) {
        v.done_at = Some(now);
        v.failed = failed;
        v.post = Some(post.id.clone());
    }
    drop(g);
    let url = video_url(&v);
    let mut extra = BTreeMap::new();
    extra.insert("video_id".into(), id.to_owned());
    if v.reel {
        extra.insert("reel".into(), "true".into());
    }
    extra.insert("published".into(), r.flag("published", true).to_string());
    m.ctx.record.add_post(RecordedPost {
        platform: Platform::Facebook,
        account_id: v.page.clone(),
        post_id: post.id.clone(),
        text: post.message.clone(),
        title: r.params.get("title").cloned(),
        media: vec![MediaRecord {
            media_id: id.to_owned(),
            ..media
        }],
        url,
        created_at: now,
        deleted: false,
        extra,
        scheduled_for: None,
    });
}

fn video_status(m: &M, v: &Video) -> Value {
    let now = m.now();
    let delay = chrono::Duration::from_std(m.ctx.config.processing_delay).unwrap_or_default();
    let (status, processing) = match v.done_at {
        None => ("uploading", "not_started"),
        Some(_) if v.failed => ("error", "error"),
        Some(at) if now - at < delay / 2 => ("upload_complete", "not_started"),
        Some(at) if now - at < delay => ("processing", "in_progress"),
        Some(_) => ("ready", "complete"),
    };
    let mut s = json!({
        "video_status": status,
        "uploading_phase": {"status": if v.done_at.is_some() { "complete" } else { "in_progress" }, "bytes_transferred": v.offset},
        "processing_phase": {"status": processing},
        "publishing_phase": {"status": if status == "ready" { "complete" } else { "not_started" }},
    });
    if v.failed {
        s["processing_phase"]["errors"] =
            json!([{"code": 1_363_008, "message": "Video processing failed"}]);
    }
    s
}

/// GET /{id} for posts, photos and videos the token may see.
pub(crate) fn read(m: &M, kind: &TokKind, id: &str) -> Option<Value> {
    let g = m.lock();
    if let Some(p) = g
        .posts
        .get(id)
        .filter(|p| !p.deleted && may_act(m, kind, &p.page, true))
    {
        return Some(post_json(p));
    }
    if let Some(p) = g.photos.get(id).filter(|p| may_act(m, kind, &p.page, true)) {
        return Some(
            json!({"id": id, "post_id": p.post, "permalink_url": p.post.as_ref().map(|x| permalink(&p.page, x))}),
        );
    }
    let v = g
        .videos
        .get(id)
        .filter(|v| may_act(m, kind, &v.page, true))?;
    Some(
        json!({"id": id, "status": video_status(m, v), "post_id": v.post, "permalink_url": video_url(v)}),
    )
}

/// DELETE /{post-id} (Instagram media: unsupported).
pub(crate) fn delete(m: &M, kind: &TokKind, id: &str) -> Response {
    let page = {
        let mut g = m.lock();
        let Some(p) = g.posts.get_mut(id).filter(|p| !p.deleted) else {
            return unsupported(&Method::DELETE, id);
        };
        if !may_act(m, kind, &p.page.clone(), false) {
            return no_permission("Deleting a Page post requires that Page's access token");
        }
        p.deleted = true;
        p.page.clone()
    };
    tracing::debug!(page, id, "facebook post deleted");
    m.ctx.record.delete_post(Platform::Facebook, id);
    ok(json!({"success": true}))
}
