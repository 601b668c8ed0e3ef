//! Instagram content publishing: containers (image, REELS, VIDEO, STORIES,
//! CAROUSEL, resumable rupload), status, media_publish, publishing quota,
//! permalinks and the recent-media list. Both products call these: Facebook
//! Login (page or user tokens) and Instagram Login (tokens of one account,
//! no resumable upload), see [`Caller`].

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use creatorsync_core::Platform;
use rand::Rng;
use serde_json::{Value, json};

use super::fetch::{fetch, is_jpeg};
use super::{
    CONTAINER_TTL_SECS, Container, IgMedia, M, Req, TokKind, bad_param, graph_error, ok,
    page_of_ig, unsupported,
};
use crate::inspect::inspect;
use crate::record::{ChunkRecord, MediaRecord, RecordedPost};

/// Longest image alt text (Meta documents none; 2200, the caption's, as
/// publishing tools apply it: UNCONFIRMED).
const MAX_ALT_TEXT: usize = 2200;
const CONTAINER_BASE: u64 = 17_890_000_000_000_000;
const MEDIA_BASE: u64 = 17_900_000_000_000_000;

fn ig_error(code: u64, subcode: u64, message: &str, user_msg: &str) -> Response {
    let mut e = json!({"message": message, "type": "OAuthException", "code": code, "error_subcode": subcode,
        "is_transient": false, "fbtrace_id": crate::tokens::random_token("A", 8)});
    if !user_msg.is_empty() {
        e["error_user_msg"] = json!(user_msg);
    }
    (
        axum::http::StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": e })),
    )
        .into_response()
}

/// Who calls the content endpoints.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Caller<'a> {
    /// Instagram API with Facebook Login: a page or user token.
    Meta(&'a TokKind),
    /// Instagram API with Instagram Login: a token of this IG account.
    Instagram(&'a str),
}

pub(super) fn guard(m: &M, caller: Caller<'_>, ig: &str) -> Result<(), Response> {
    let allowed = match caller {
        Caller::Instagram(own) => own == ig,
        Caller::Meta(kind) => match (page_of_ig(m, kind, ig), kind) {
            (Some(p), TokKind::Page { page, .. }) => &p == page,
            (Some(_), TokKind::User { .. }) => true,
            _ => false,
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(super::no_permission(
            "The token does not have access to this Instagram account",
        ))
    }
}

/// Trial reel graduation strategies (`trial_params.graduation_strategy`).
const GRADUATION_STRATEGIES: [&str; 2] = ["MANUAL", "SS_PERFORMANCE"];

/// The `trial_params` of a container: the graduation strategy, checked.
fn trial_strategy(r: &Req, media_type: &str) -> Result<Option<String>, Response> {
    let raw = r.get("trial_params");
    if raw.is_empty() {
        return Ok(None);
    }
    if media_type != "REELS" {
        return Err(bad_param("trial_params is only valid for REELS"));
    }
    let strategy = serde_json::from_str::<Value>(raw)
        .ok()
        .and_then(|v| v.get("graduation_strategy")?.as_str().map(str::to_owned));
    match strategy {
        Some(s) if GRADUATION_STRATEGIES.contains(&s.as_str()) => Ok(Some(s)),
        _ => Err(bad_param(
            "trial_params must be {\"graduation_strategy\": \"MANUAL\" | \"SS_PERFORMANCE\"}",
        )),
    }
}

fn status_of(m: &M, c: &Container) -> (&'static str, String) {
    let now = m.now();
    if c.published.is_some() {
        return ("PUBLISHED", "Published: media was published".into());
    }
    if (now - c.created).num_seconds() >= CONTAINER_TTL_SECS {
        return (
            "EXPIRED",
            "Expired: the container was not published within 24 hours".into(),
        );
    }
    if let Some((sub, msg)) = &c.error {
        return ("ERROR", format!("Error: {msg} ({sub})"));
    }
    let delay = chrono::Duration::from_std(m.ctx.config.processing_delay).unwrap_or_default();
    match c.ready_from {
        Some(at) if c.media_type == "IMAGE" || c.media_type == "CAROUSEL" || now - at >= delay => (
            "FINISHED",
            "Finished: Media has been uploaded and it is ready to be published.".into(),
        ),
        _ => (
            "IN_PROGRESS",
            "In Progress: Media is still being processed.".into(),
        ),
    }
}

/// POST /{ig-user-id}/media.
pub(crate) async fn create(m: &M, caller: Caller<'_>, ig: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, caller, ig) {
        return e;
    }
    let carousel_item = r.flag("is_carousel_item", false);
    let media_type = match r.get("media_type") {
        "" if !r.get("video_url").is_empty() => "VIDEO".to_owned(),
        "" => "IMAGE".to_owned(),
        t @ ("REELS" | "VIDEO" | "STORIES" | "CAROUSEL" | "IMAGE") => t.to_owned(),
        other => {
            return graph_error(
                400,
                100,
                Some(2_207_023),
                "OAuthException",
                &format!("The media type {other} is unknown."),
            );
        }
    };
    if media_type == "VIDEO" && !carousel_item {
        return graph_error(
            400,
            100,
            Some(2_207_023),
            "OAuthException",
            "The VIDEO media type is only valid for carousel items; use REELS.",
        );
    }
    let trial = match trial_strategy(r, &media_type) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let alt_text = Some(r.get("alt_text").to_owned()).filter(|a| !a.is_empty());
    if alt_text.is_some() && media_type != "IMAGE" {
        // Meta: alt_text is for image posts; "Reels and stories are not
        // supported" (content publishing guide, 2025-03-24).
        return bad_param("alt_text is only supported on image containers");
    }
    if alt_text
        .as_ref()
        .is_some_and(|a| a.chars().count() > MAX_ALT_TEXT)
    {
        return bad_param("alt_text exceeds the maximum of 2200 characters");
    }
    let now = m.now();
    let mut c = Container {
        ig: ig.to_owned(),
        id: String::new(),
        media_type: media_type.clone(),
        caption: r.get("caption").to_owned(),
        carousel_item,
        children: Vec::new(),
        created: now,
        media: Vec::new(),
        ready_from: None,
        error: None,
        published: None,
        upload: None,
        alt_text,
        trial,
    };
    if media_type == "CAROUSEL" {
        let ids: Vec<String> = r
            .get("children")
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if !(2..=10).contains(&ids.len()) {
            return ig_error(
                100,
                2_207_028,
                "(#100) Carousel must have between 2 and 10 children",
                "",
            );
        }
        let g = m.lock();
        for id in &ids {
            let Some(child) = g.containers.get(id) else {
                return ig_error(100, 2_207_028, &format!("(#100) Child {id} not found"), "");
            };
            if child.ig != ig || !child.carousel_item || status_of(m, child).0 != "FINISHED" {
                return ig_error(
                    100,
                    2_207_028,
                    &format!("(#100) Child {id} must be a FINISHED carousel item of this account"),
                    "",
                );
            }
            c.media.extend(child.media.iter().cloned());
        }
        c.children = ids;
        c.ready_from = Some(now);
    } else if r.get("upload_type") == "resumable" {
        if matches!(caller, Caller::Instagram(_)) {
            return bad_param(
                "upload_type=resumable is not available with Instagram Login; give a video_url",
            );
        }
        if media_type == "IMAGE" {
            return bad_param("upload_type=resumable is for video containers");
        }
        c.upload = Some((0, 0, Default::default()));
    } else {
        let (param, is_image) = if media_type == "IMAGE"
            || (!r.get("image_url").is_empty() && media_type == "STORIES")
        {
            ("image_url", true)
        } else {
            ("video_url", false)
        };
        let url = r.get(param);
        if url.is_empty() {
            return bad_param(&format!("The parameter {param} is required."));
        }
        match fetch(m, url).await {
            Ok(f) if is_image && !is_jpeg(&f.head) => {
                c.error = Some((
                    2_207_005,
                    "The image format is not supported. Only JPEG is supported.".into(),
                ));
            }
            Ok(f) => {
                let seen = inspect(&f.head, f.len).await;
                if is_image && let Some((code, sub, msg)) = super::checks::image(&seen) {
                    return ig_error(code, sub, &msg, "The aspect ratio is not supported.");
                }
                c.media.push(MediaRecord {
                    sha256: f.sha256,
                    len: f.len,
                    mime: f.mime,
                    media_id: String::new(),
                    seen: Some(seen.clone()),
                });
                c.ready_from = Some(now);
                check_video(m, &mut c, (!is_image).then_some(&seen));
            }
            Err(e) => c.error = Some((2_207_052, format!("Media download has failed. {}", e.0))),
        }
    }
    let mut g = m.lock();
    c.id = g.id(CONTAINER_BASE);
    let id = c.id.clone();
    g.containers.insert(id.clone(), c.clone());
    drop(g);
    if c.upload.is_some() {
        let v = &r.version;
        let uri = format!("{}/ig-api-upload/{v}/{id}", m.ctx.base(Platform::Instagram));
        return ok(json!({"id": id, "uri": uri}));
    }
    ok(json!({ "id": id }))
}

/// Starts processing a container's media: a video Instagram would refuse
/// (`seen`: what the emulator read in it) fails, else the processing fault
/// (if armed) decides.
fn check_video(m: &M, c: &mut Container, seen: Option<&crate::record::Inspected>) {
    if let Some(refusal) = seen.and_then(|s| super::checks::video(&c.media_type, s)) {
        c.error = Some(refusal);
        return;
    }
    start_processing(m, c);
}

fn start_processing(m: &M, c: &mut Container) {
    if m.ctx.faults.take_processing_failure(Platform::Instagram) {
        c.error = Some((2_207_082, "Video processing failed".into()));
    }
}

/// POST {instagram}/ig-api-upload/v{NN}.0/{container-id} (and GET: progress).
pub(crate) async fn rupload(m: M, req: Request, segs: Vec<String>) -> Response {
    let Some(id) = segs.get(2).cloned() else {
        return bad_param("Missing container id");
    };
    let q = crate::common::form(req.uri().query().unwrap_or(""));
    let headers = req.headers().clone();
    let Some(token) = crate::common::bearer(&headers).or_else(|| q.get("access_token").cloned())
    else {
        return crate::common::auth_error(Platform::Instagram, None);
    };
    if let Err(e) = super::request::check_proof(
        &m,
        &token,
        q.get("appsecret_proof"),
        super::RUPLOAD_REQUIRES_PROOF,
    ) {
        return e;
    }
    let kind = match super::request::check(&m, &token) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let Some(c) = m.lock().containers.get(&id).cloned() else {
        return unsupported(&Method::POST, &id);
    };
    if let Err(e) = guard(&m, Caller::Meta(&kind), &c.ig) {
        return e;
    }
    let Some((size0, received, hash0)) = c.upload.clone() else {
        return bad_param("This container does not take a resumable upload");
    };
    if req.method() == Method::GET {
        return ok(json!({"id": id, "offset": received, "file_size": size0}));
    }
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(url) = h("file_url") {
        let mut c = c;
        match fetch(&m, &url).await {
            Ok(f) => {
                let seen = inspect(&f.head, f.len).await;
                c.media = vec![MediaRecord {
                    sha256: f.sha256,
                    len: f.len,
                    mime: f.mime,
                    media_id: String::new(),
                    seen: Some(seen.clone()),
                }];
                c.upload = Some((f.len, f.len, Default::default()));
                c.ready_from = Some(m.now());
                check_video(&m, &mut c, Some(&seen));
            }
            Err(e) => c.error = Some((2_207_052, format!("Media download has failed. {}", e.0))),
        }
        m.lock().containers.insert(id, c);
        return ok(json!({"success": true, "message": "Upload successful."}));
    }
    let offset = h("offset").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let Some(size) = h("file_size").and_then(|v| v.parse::<u64>().ok()) else {
        return bad_param("The file_size header is required");
    };
    if offset != received || (size0 != 0 && size != size0) || c.ready_from.is_some() {
        crate::body::drain(req.into_body(), None, |_| true).await;
        return graph_error(
            400,
            100,
            Some(2_207_053),
            "OAuthException",
            &format!("(#100) offset must equal the bytes already received ({received})"),
        );
    }
    let mut hash = hash0;
    let d = crate::body::drain(req.into_body(), Some(&mut hash), |_| true).await;
    m.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::Instagram,
        upload_id: id.clone(),
        offset,
        len: d.len,
        complete: d.complete,
    });
    let seen = if d.complete && offset + d.len == size {
        Some(inspect(hash.head(), size).await)
    } else {
        None
    };
    let mut g = m.lock();
    let Some(c) = g.containers.get_mut(&id) else {
        return unsupported(&Method::POST, &id);
    };
    if !d.complete || offset + d.len > size {
        // Keep what arrived intact only if the stream ended cleanly; a cut
        // body leaves the session where it was.
        return graph_error(
            400,
            100,
            Some(2_207_053),
            "OAuthException",
            "(#100) Upload interrupted",
        );
    }
    let total = offset + d.len;
    c.upload = Some((size, total, hash.clone()));
    if total == size {
        c.media = vec![MediaRecord {
            sha256: hash.hex(),
            len: size,
            mime: Some("video/mp4".into()),
            media_id: String::new(),
            seen: seen.clone(),
        }];
        c.ready_from = Some(m.now());
        let mut cc = c.clone();
        drop(g);
        check_video(&m, &mut cc, seen.as_ref());
        m.lock().containers.insert(id, cc);
    }
    ok(json!({"success": true, "message": "Upload successful."}))
}

fn in_window(m: &M, ig: &str) -> usize {
    let now = m.now();
    let mut g = m.lock();
    let v = g.ig_publishes.entry(ig.to_owned()).or_default();
    v.retain(|t| (now - *t).num_seconds() < 86_400);
    v.len()
}

/// POST /{ig-user-id}/media_publish.
pub(crate) fn publish(m: &M, caller: Caller<'_>, ig: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, caller, ig) {
        return e;
    }
    let cid = r.get("creation_id").to_owned();
    let Some(c) = m
        .lock()
        .containers
        .get(&cid)
        .cloned()
        .filter(|c| c.ig == ig && !c.carousel_item)
    else {
        return ig_error(
            100,
            2_207_006,
            "(#100) Media not found: the creation_id is not a publishable container of this account",
            "",
        );
    };
    match status_of(m, &c).0 {
        "FINISHED" => {}
        "EXPIRED" => {
            return ig_error(
                9007,
                2_207_008,
                "Media ID is not available: the container has expired",
                "",
            );
        }
        _ => {
            return ig_error(
                9007,
                2_207_027,
                "Media ID is not available",
                "The media is not ready for publishing, please wait for a moment",
            );
        }
    }
    let limit = usize::try_from(m.ctx.config.instagram_publish_limit).unwrap_or(usize::MAX);
    if in_window(m, ig) >= limit {
        return ig_error(
            4,
            2_207_042,
            "Application request limit reached",
            "You reached the maximum number of posts that is allowed to be published by Content Publish API.",
        );
    }
    let now = m.now();
    let mut bytes = [0u8; 8];
    rand::rng().fill(&mut bytes);
    let shortcode = format!(
        "C{}",
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)[..10]
    );
    let kind_path = if c.media_type == "REELS" { "reel" } else { "p" };
    let permalink = format!("https://www.instagram.com/{kind_path}/{shortcode}/");
    let mut g = m.lock();
    let id = g.id(MEDIA_BASE);
    if let Some(cc) = g.containers.get_mut(&cid) {
        if cc.published.is_some() {
            return ig_error(
                9007,
                2_207_027,
                "Media ID is not available",
                "The container was already published",
            );
        }
        cc.published = Some(id.clone());
    }
    let media_type = match c.media_type.as_str() {
        "CAROUSEL" => "CAROUSEL_ALBUM",
        "IMAGE" => "IMAGE",
        _ => "VIDEO",
    };
    g.media.insert(
        id.clone(),
        IgMedia {
            ig: ig.to_owned(),
            id: id.clone(),
            shortcode,
            media_type: media_type.into(),
            caption: c.caption.clone(),
            created: now,
            permalink: permalink.clone(),
        },
    );
    g.ig_publishes.entry(ig.to_owned()).or_default().push(now);
    // Alt texts of the published images, in order (a carousel's children).
    let items: Vec<&Container> = if c.children.is_empty() {
        vec![&c]
    } else {
        c.children
            .iter()
            .filter_map(|id| g.containers.get(id))
            .collect()
    };
    let alt_texts: Vec<Option<String>> = items.iter().map(|i| i.alt_text.clone()).collect();
    drop(g);
    let mut extra = std::collections::BTreeMap::new();
    extra.insert("media_type".into(), c.media_type.clone());
    extra.insert("container_id".into(), cid);
    if alt_texts.iter().any(Option::is_some) {
        extra.insert("alt_text".into(), json!(alt_texts).to_string());
    }
    if let Some(t) = &c.trial {
        extra.insert("trial_graduation".into(), t.clone());
    }
    m.ctx.record.add_post(RecordedPost {
        platform: Platform::Instagram,
        account_id: ig.to_owned(),
        post_id: id.clone(),
        text: c.caption.clone(),
        title: None,
        media: c
            .media
            .iter()
            .cloned()
            .map(|mr| MediaRecord {
                media_id: id.clone(),
                ..mr
            })
            .collect(),
        url: permalink,
        created_at: now,
        deleted: false,
        extra,
        scheduled_for: None,
    });
    ok(json!({ "id": id }))
}

/// GET /{ig-user-id}/content_publishing_limit.
pub(crate) fn quota(m: &M, caller: Caller<'_>, ig: &str) -> Response {
    if let Err(e) = guard(m, caller, ig) {
        return e;
    }
    let used = in_window(m, ig);
    ok(
        json!({"data": [{"quota_usage": used, "config": {"quota_total": m.ctx.config.instagram_publish_limit, "quota_duration": 86_400}}]}),
    )
}

fn media_json(x: &IgMedia) -> Value {
    json!({"id": x.id, "caption": x.caption, "media_type": x.media_type, "shortcode": x.shortcode, "permalink": x.permalink,
        "timestamp": x.created.format("%Y-%m-%dT%H:%M:%S%z").to_string(), "owner": {"id": x.ig}})
}

/// GET /{ig-user-id}/media: recent media, newest first.
pub(crate) fn list(m: &M, caller: Caller<'_>, ig: &str, r: &Req) -> Response {
    if let Err(e) = guard(m, caller, ig) {
        return e;
    }
    let limit = r.get("limit").parse::<usize>().unwrap_or(25).clamp(1, 100);
    let mut items: Vec<IgMedia> = m
        .lock()
        .media
        .values()
        .filter(|x| x.ig == ig)
        .cloned()
        .collect();
    items.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let data: Vec<Value> = items
        .iter()
        .take(limit)
        .map(|x| super::pick(media_json(x), r.params.get("fields")))
        .collect();
    ok(json!({"data": data, "paging": {"cursors": {"before": "", "after": ""}}}))
}

/// GET /{id} for containers and published media.
pub(crate) fn read(m: &M, caller: Caller<'_>, id: &str) -> Option<Value> {
    let (c, x) = {
        let g = m.lock();
        (g.containers.get(id).cloned(), g.media.get(id).cloned())
    };
    if let Some(x) = x.filter(|x| guard(m, caller, &x.ig).is_ok()) {
        return Some(media_json(&x));
    }
    let c = c.filter(|c| guard(m, caller, &c.ig).is_ok())?;
    let (code, status) = status_of(m, &c);
    let mut v = json!({"id": id, "status_code": code, "status": status});
    if let Some((size, received, _)) = &c.upload {
        let done = c.ready_from.is_some();
        v["video_status"] = json!({"uploading_phase": {"status": if done { "complete" } else { "in_progress" }, "bytes_transferred": received, "file_size": size},
            "processing_phase": {"status": match code { "FINISHED" | "PUBLISHED" => "complete", "ERROR" => "error", _ => "in_progress" }}});
    }
    Some(v)
}
