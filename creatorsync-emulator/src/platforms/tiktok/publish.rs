//! TikTok Content Posting: creator info, video/inbox/photo init with the
//! Media Transfer Guide chunk rules, sequential chunk PUTs, PULL_FROM_URL
//! fetching (loopback only), the publish status machine and the video list.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{St, ok, tt_err, user_of};
use crate::{ChunkRecord, MediaRecord, RecordedPost, StreamHash, form, random_token};

const MIB: u64 = 1024 * 1024;
/// Smallest non-final chunk (MiB assumed; UNCONFIRMED MB vs MiB).
const MIN_CHUNK: u64 = 5 * MIB;
/// Largest chunk_size.
const MAX_CHUNK: u64 = 64 * MIB;
/// Largest final chunk (absorbs the remainder).
const MAX_LAST_CHUNK: u64 = 128 * MIB;
/// Largest video (4 GB; newer docs say 10 GB — UNCONFIRMED).
const MAX_VIDEO: u64 = 4 * 1024 * MIB;
/// Privacy levels the seeded creator may use.
const PRIVACY_OPTIONS: [&str; 4] = [
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
];

/// What a publish ends as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Direct post of a video.
    Direct,
    /// Upload to the creator's inbox (terminal SEND_TO_USER_INBOX).
    Inbox,
    /// Photo post, DIRECT_POST.
    PhotoDirect,
    /// Photo post, MEDIA_UPLOAD (inbox).
    PhotoInbox,
}

/// One publish (a `publish_id`).
#[derive(Debug)]
pub(crate) struct Publish {
    subject: String,
    kind: Kind,
    post_info: Value,
    /// FILE_UPLOAD: (size, chunk_size, count, upload_token).
    file: Option<(u64, u64, u64, String)>,
    received: u64,
    /// Last accepted chunk (first, last) byte.
    last_range: Option<(u64, u64)>,
    hash: StreamHash,
    mime: Option<String>,
    /// PULL_FROM_URL: bytes downloaded so far.
    downloaded: u64,
    pulling: bool,
    /// When all media arrived (processing starts).
    ready_at: Option<DateTime<Utc>>,
    fail_reason: Option<String>,
    post_id: Option<String>,
    media: Vec<MediaRecord>,
}

fn num_id() -> String {
    let n: u64 = rand::random::<u64>() % 9_000_000_000_000_000_000 + 7_000_000_000_000_000_000;
    n.to_string()
}

/// POST /v2/post/publish/creator_info/query/
pub(crate) async fn creator_info(State(st): State<St>, headers: HeaderMap) -> Response {
    let info = match st.authorize(
        &headers,
        Some("video.publish"),
        Some((
            "creator_info",
            st.ctx.config.tiktok_rate_limits.creator_info,
        )),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (open_id, username, name) = user_of(&st.ctx, &info.subject);
    ok(json!({
        "creator_avatar_url": format!("https://p16-sign.tiktokcdn-us.com/avatar/{open_id}.jpeg"),
        "creator_username": username,
        "creator_nickname": name,
        "privacy_level_options": PRIVACY_OPTIONS,
        "comment_disabled": false,
        "duet_disabled": false,
        "stitch_disabled": true,
        "max_video_post_duration_sec": 300,
    }))
}

fn parse_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body)
        .map_err(|e| tt_err(400, "invalid_params", &format!("Invalid JSON body: {e}")))
}

/// Checks FILE_UPLOAD sizes against the Media Transfer Guide.
fn check_chunks(size: u64, chunk: u64, count: u64) -> Result<(), String> {
    if size == 0 || size > MAX_VIDEO {
        return Err(format!(
            "video_size must be between 1 and {MAX_VIDEO} bytes"
        ));
    }
    if size < MIN_CHUNK {
        if chunk != size || count != 1 {
            return Err("a video smaller than 5 MB must be uploaded as a single chunk with chunk_size equal to video_size".into());
        }
        return Ok(());
    }
    if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk) {
        return Err("chunk_size must be between 5 MB and 64 MB".into());
    }
    if count != size / chunk {
        return Err(format!(
            "total_chunk_count must be floor(video_size / chunk_size) = {}",
            size / chunk
        ));
    }
    if !(1..=1000).contains(&count) {
        return Err("total_chunk_count must be between 1 and 1000".into());
    }
    if size > MAX_CHUNK && count < 2 {
        return Err("a video larger than 64 MB must be uploaded in multiple chunks".into());
    }
    if size - (count - 1) * chunk > MAX_LAST_CHUNK {
        return Err("the final chunk may not exceed 128 MB".into());
    }
    Ok(())
}

fn is_loopback_url(u: &str) -> Option<url::Url> {
    let url = url::Url::parse(u).ok()?;
    let host = url.host_str()?;
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1").then_some(url)
}

/// Shared init logic for the three init endpoints.
async fn init(
    st: St,
    headers: HeaderMap,
    body: Bytes,
    kind: Kind,
    endpoint: &'static str,
) -> Response {
    let scope = match kind {
        Kind::Direct | Kind::PhotoDirect => "video.publish",
        Kind::Inbox | Kind::PhotoInbox => "video.upload",
    };
    let photo = endpoint == "content_init";
    // Photo posts accept either scope; the post_mode is only known after parsing.
    let info = match st.authorize(
        &headers,
        (!photo).then_some(scope),
        Some((endpoint, st.ctx.config.tiktok_rate_limits.init)),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut kind = kind;
    if photo {
        if v["media_type"].as_str() != Some("PHOTO") {
            return tt_err(400, "invalid_params", "media_type must be PHOTO");
        }
        kind = match v["post_mode"].as_str() {
            Some("DIRECT_POST") => Kind::PhotoDirect,
            Some("MEDIA_UPLOAD") => Kind::PhotoInbox,
            _ => {
                return tt_err(
                    400,
                    "invalid_params",
                    "post_mode must be DIRECT_POST or MEDIA_UPLOAD",
                );
            }
        };
        let scope = if kind == Kind::PhotoDirect {
            "video.publish"
        } else {
            "video.upload"
        };
        if !info
            .scopes
            .iter()
            .any(|s| s == scope || s == "video.publish" || s == "video.upload")
        {
            return tt_err(
                401,
                "scope_not_authorized",
                "The user did not authorize the scope required for completing this request.",
            );
        }
    }
    let post_info = v["post_info"].clone();
    if matches!(kind, Kind::Direct | Kind::PhotoDirect) {
        let privacy = post_info["privacy_level"].as_str().unwrap_or("");
        if !PRIVACY_OPTIONS.contains(&privacy) {
            return tt_err(
                400,
                "privacy_level_option_mismatch",
                "privacy_level is not one of the creator's privacy_level_options",
            );
        }
    }
    let title_len = post_info["title"]
        .as_str()
        .map_or(0, |t| t.encode_utf16().count());
    if (photo && title_len > 90) || title_len > 2200 {
        return tt_err(400, "invalid_params", "post_info.title is too long");
    }
    if photo
        && post_info["description"]
            .as_str()
            .is_some_and(|d| d.encode_utf16().count() > 4000)
    {
        return tt_err(400, "invalid_params", "post_info.description is too long");
    }
    let src = &v["source_info"];
    let source = src["source"].as_str().unwrap_or("");
    let tag = match kind {
        Kind::Direct => "v_pub",
        Kind::Inbox => "v_inbox",
        Kind::PhotoDirect | Kind::PhotoInbox => "p_pub",
    };
    let mut p = Publish {
        subject: info.subject,
        kind,
        post_info,
        file: None,
        received: 0,
        last_range: None,
        hash: StreamHash::default(),
        mime: None,
        downloaded: 0,
        pulling: false,
        ready_at: None,
        fail_reason: None,
        post_id: None,
        media: Vec::new(),
    };
    let mut data = json!({});
    let mut pulls: Vec<String> = Vec::new();
    match (source, photo) {
        ("FILE_UPLOAD", false) => {
            let n = |k: &str| src[k].as_u64();
            let (Some(size), Some(chunk), Some(count)) =
                (n("video_size"), n("chunk_size"), n("total_chunk_count"))
            else {
                return tt_err(
                    400,
                    "invalid_params",
                    "video_size, chunk_size and total_chunk_count are required for FILE_UPLOAD",
                );
            };
            if let Err(m) = check_chunks(size, chunk, count) {
                return tt_err(400, "invalid_params", &m);
            }
            let token = random_token("", 18);
            p.file = Some((size, chunk, count, token.clone()));
            let publish_id = format!("{tag}_file~v2-1.{}", num_id());
            data = json!({"publish_id": publish_id, "upload_url": format!(
                "{}/upload/video/?upload_id={}&upload_token={token}",
                st.ctx.base(Platform::TikTok),
                publish_id.replace('~', "%7E")
            )});
            st.lock().publishes.insert(publish_id, p);
            return ok(data);
        }
        ("PULL_FROM_URL", false) => {
            let Some(u) = src["video_url"].as_str().filter(|u| !u.is_empty()) else {
                return tt_err(
                    400,
                    "invalid_params",
                    "video_url is required for PULL_FROM_URL",
                );
            };
            pulls.push(u.to_owned());
        }
        ("PULL_FROM_URL", true) => {
            let imgs: Vec<String> = src["photo_images"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if imgs.is_empty() || imgs.len() > 35 {
                return tt_err(400, "invalid_params", "photo_images must hold 1 to 35 URLs");
            }
            let cover = src["photo_cover_index"].as_u64().unwrap_or(0);
            if cover >= imgs.len() as u64 {
                return tt_err(400, "invalid_params", "photo_cover_index is out of range");
            }
            pulls = imgs;
        }
        _ => return tt_err(400, "invalid_params", "source_info.source is invalid"),
    }
    let publish_id = format!("{tag}_url~v2-1.{}", num_id());
    p.pulling = true;
    st.lock().publishes.insert(publish_id.clone(), p);
    data["publish_id"] = json!(publish_id);
    tokio::spawn(pull(st.clone(), publish_id, pulls, photo));
    ok(data)
}

/// Fetches PULL_FROM_URL media (loopback hosts only), streaming + hashing.
async fn pull(st: St, publish_id: String, urls: Vec<String>, photo: bool) {
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

/// Media complete: decide the outcome now (FailProcessing) and record a
/// direct post (shown as PUBLISH_COMPLETE once `processing_delay` passed).
fn start_processing(st: &St, publish_id: &str) {
    let ctx = &st.ctx;
    let fails = ctx.faults.take_processing_failure(Platform::TikTok);
    let mut inner = st.lock();
    let Some(p) = inner.publishes.get_mut(publish_id) else {
        return;
    };
    if fails {
        p.fail_reason = Some("file_format_check_failed".into());
        return;
    }
    if !matches!(p.kind, Kind::Direct | Kind::PhotoDirect) {
        ctx.record.bump("tiktok.inbox_delivered");
        return;
    }
    let id = num_id();
    p.post_id = Some(id.clone());
    let (open_id, username, _) = user_of(ctx, &p.subject);
    let photo = p.kind == Kind::PhotoDirect;
    let url = format!(
        "https://www.tiktok.com/@{username}/{}/{id}",
        if photo { "photo" } else { "video" }
    );
    let mut extra = BTreeMap::new();
    extra.insert(
        "privacy_level".into(),
        p.post_info["privacy_level"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    );
    extra.insert("publish_id".into(), publish_id.to_owned());
    let title = p.post_info["title"].as_str().unwrap_or("").to_owned();
    let text = if photo {
        p.post_info["description"].as_str().unwrap_or("").to_owned()
    } else {
        title.clone()
    };
    let post = RecordedPost {
        platform: Platform::TikTok,
        account_id: open_id,
        post_id: id,
        text,
        title: photo.then_some(title),
        media: p.media.clone(),
        url,
        created_at: ctx.clock.now(),
        deleted: false,
        extra,
    };
    drop(inner);
    ctx.record.add_post(post);
}

/// POST /v2/post/publish/video/init/
pub(crate) async fn video_init(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    init(st, headers, body, Kind::Direct, "video_init").await
}

/// POST /v2/post/publish/inbox/video/init/
pub(crate) async fn inbox_init(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    init(st, headers, body, Kind::Inbox, "inbox_init").await
}

/// POST /v2/post/publish/content/init/ (photos).
pub(crate) async fn content_init(
    State(st): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    init(st, headers, body, Kind::PhotoDirect, "content_init").await
}

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

/// POST /v2/post/publish/status/fetch/ {"publish_id"}
pub(crate) async fn status(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let info = match st.authorize(
        &headers,
        None,
        Some(("status", st.ctx.config.tiktok_rate_limits.status)),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(id) = v["publish_id"].as_str() else {
        return tt_err(400, "invalid_params", "publish_id is required");
    };
    let now = st.ctx.clock.now();
    let delay = chrono::Duration::from_std(st.ctx.config.processing_delay).unwrap_or_default();
    let inner = st.lock();
    let Some(p) = inner
        .publishes
        .get(id)
        .filter(|p| p.subject == info.subject)
    else {
        return tt_err(400, "invalid_params", "publish_id is invalid");
    };
    let size = p.file.as_ref().map(|f| f.0);
    let mut post_ids: Vec<Value> = Vec::new();
    let mut fail = "";
    let state = if let Some(f) = &p.fail_reason {
        fail = f;
        "FAILED"
    } else if p.pulling {
        "PROCESSING_DOWNLOAD"
    } else if size.is_some_and(|s| p.received < s) {
        "PROCESSING_UPLOAD"
    } else if p.ready_at.is_none_or(|at| now - at < delay) {
        if size.is_some() {
            "PROCESSING_UPLOAD"
        } else {
            "PROCESSING_DOWNLOAD"
        }
    } else if matches!(p.kind, Kind::Inbox | Kind::PhotoInbox) {
        "SEND_TO_USER_INBOX"
    } else {
        if let Some(pid) = p.post_id.as_ref().and_then(|x| x.parse::<u64>().ok()) {
            post_ids.push(json!(pid));
        }
        "PUBLISH_COMPLETE"
    };
    ok(json!({
        "status": state,
        "fail_reason": fail,
        "publicaly_available_post_id": post_ids,
        "uploaded_bytes": p.received,
        "downloaded_bytes": p.downloaded,
    }))
}

/// GET or POST /v2/video/list/?fields=id,title,create_time,share_url
/// (body `{"max_count":N,"cursor":unix_ms}`), newest first.
pub(crate) async fn video_list(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let info = match st.authorize(
        &headers,
        None,
        Some(("video_list", st.ctx.config.tiktok_rate_limits.video_list)),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let fields: Vec<String> = q
        .get("fields")
        .map(|f| f.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_else(|| vec!["id".into()]);
    let b: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body).unwrap_or(json!({}))
    };
    let max = b["max_count"]
        .as_u64()
        .or_else(|| q.get("max_count").and_then(|m| m.parse().ok()))
        .unwrap_or(10)
        .clamp(1, 20);
    let cursor = b["cursor"].as_i64();
    let (open_id, _, _) = user_of(&st.ctx, &info.subject);
    let mut posts: Vec<RecordedPost> = st
        .ctx
        .record
        .posts_for(Platform::TikTok)
        .into_iter()
        .filter(|p| p.account_id == open_id)
        .collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.created_at));
    let posts: Vec<RecordedPost> = posts
        .into_iter()
        .filter(|p| cursor.is_none_or(|c| p.created_at.timestamp_millis() < c))
        .collect();
    let page: Vec<&RecordedPost> = posts
        .iter()
        .take(usize::try_from(max).unwrap_or(20))
        .collect();
    let videos: Vec<Value> = page
        .iter()
        .map(|p| {
            let all = json!({
                "id": p.post_id,
                "title": p.title.clone().unwrap_or_else(|| p.text.clone()),
                "video_description": p.text,
                "create_time": p.created_at.timestamp(),
                "share_url": p.url,
            });
            let mut m = serde_json::Map::new();
            for f in &fields {
                if let Some(v) = all.get(f.as_str()) {
                    m.insert(f.clone(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    let next = page.last().map_or(0, |p| p.created_at.timestamp_millis());
    ok(json!({"videos": videos, "cursor": next, "has_more": posts.len() > page.len()}))
}
