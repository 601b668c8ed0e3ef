//! Facebook Page Reels: `POST /{page}/video_reels` `upload_phase=start`
//! (answers `video_id` and `upload_url` on the rupload path), the bytes
//! `POST /video-upload/{version}/{video_id}` with `offset` and `file_size`
//! headers (`Authorization: OAuth <page token>`), then `upload_phase=finish`
//! with `video_state=PUBLISHED` and `description`. Where an upload stands:
//! `GET /{video_id}?fields=status` (`uploading_phase.bytes_transferred`).
//!
//! Limits: 30 API-published reels per Page per rolling 24 h
//! ([`crate::EmulatorConfig::facebook_reels_per_day`]). Reels must last
//! 3–90 s; the emulator does not decode video, so it cannot measure the
//! duration and does not check it.
//!
//! Source: developers.facebook.com/documentation/video-api/guides/reels-publishing
//! (updated 2026-07-30, read 2026-12).

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use chrono::Duration;
use creatorsync_core::Platform;
use serde_json::json;

use super::{M, Req, TokKind, Video, bad_param, graph_error, ok, unsupported};
use crate::record::ChunkRecord;

const REEL_BASE: u64 = 300_000_000_000_000;

/// `POST /{page}/video_reels` (`upload_phase=start|finish`). The page
/// guard already ran.
pub(crate) fn video_reels(m: &M, page: &str, r: &Req) -> Response {
    match r.get("upload_phase") {
        "start" => start(m, page, r),
        "finish" => finish(m, page, r),
        other => bad_param(&format!("Invalid upload_phase: {other}")),
    }
}

fn start(m: &M, page: &str, r: &Req) -> Response {
    let mut g = m.lock();
    let id = g.id(REEL_BASE);
    g.videos.insert(
        id.clone(),
        Video {
            page: page.to_owned(),
            id: id.clone(),
            session: String::new(),
            file_size: 0,
            offset: 0,
            hash: Default::default(),
            done_at: None,
            failed: false,
            post: None,
            reel: true,
        },
    );
    let upload_url = format!(
        "{}/video-upload/{}/{id}",
        m.ctx.base(Platform::Facebook),
        r.version
    );
    ok(json!({ "video_id": id, "upload_url": upload_url }))
}

/// The reels published on `page` within the last 24 hours.
fn in_window(m: &M, page: &str) -> usize {
    let now = m.now();
    let mut g = m.lock();
    let list = g.reel_publishes.entry(page.to_owned()).or_default();
    list.retain(|t| now - *t < Duration::hours(24));
    list.len()
}

fn finish(m: &M, page: &str, r: &Req) -> Response {
    let id = r.get("video_id");
    let Some(v) = m
        .lock()
        .videos
        .get(id)
        .cloned()
        .filter(|v| v.reel && v.page == page)
    else {
        return bad_param("Invalid video_id");
    };
    if v.done_at.is_some() {
        return ok(json!({"success": true}));
    }
    if v.file_size == 0 || v.offset != v.file_size {
        return graph_error(
            400,
            6000,
            Some(1_363_020),
            "OAuthException",
            "There was a problem uploading your video file. The upload is incomplete.",
        );
    }
    match r.get("video_state") {
        "PUBLISHED" => {}
        "DRAFT" | "SCHEDULED" => {
            return bad_param("Only video_state=PUBLISHED is emulated");
        }
        other => return bad_param(&format!("Invalid video_state: {other}")),
    }
    if in_window(m, page) as u64 >= m.ctx.config.facebook_reels_per_day {
        // UNCONFIRMED shape: the guide states the limit, not its error.
        return graph_error(
            400,
            4,
            None,
            "OAuthException",
            "(#4) Reels publishing limit reached: 30 API-published reels per Page per 24 hours",
        );
    }
    m.lock()
        .reel_publishes
        .entry(page.to_owned())
        .or_default()
        .push(m.now());
    super::pages::publish_video(m, id, r, None);
    ok(json!({"success": true}))
}

/// `POST|GET /video-upload/{version}/{video_id}` on the Facebook listener.
pub(crate) async fn rupload(m: M, req: Request, segs: &[String]) -> Response {
    let Some(id) = segs.get(2).cloned() else {
        return bad_param("Missing video id");
    };
    let q = crate::common::form(req.uri().query().unwrap_or(""));
    let headers = req.headers().clone();
    let Some(token) = crate::common::bearer(&headers).or_else(|| q.get("access_token").cloned())
    else {
        return crate::common::auth_error(Platform::Facebook, None);
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
    let Some(v) = m.lock().videos.get(&id).cloned().filter(|v| v.reel) else {
        return unsupported(req.method(), &id);
    };
    if !matches!(&kind, TokKind::Page { page, .. } if *page == v.page) {
        return super::no_permission("Uploading a reel requires the Page's access token");
    }
    if req.method() == Method::GET {
        return ok(json!({"id": id, "offset": v.offset, "file_size": v.file_size}));
    }
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|x| x.to_str().ok())
            .and_then(|x| x.trim().parse::<u64>().ok())
    };
    let offset = h("offset").unwrap_or(0);
    let Some(size) = h("file_size").filter(|s| *s > 0) else {
        return bad_param("The file_size header is required");
    };
    if offset != v.offset || (v.file_size != 0 && size != v.file_size) || v.done_at.is_some() {
        crate::body::drain(req.into_body(), None, |_| true).await;
        return bad_param(&format!(
            "offset must equal the bytes already received ({})",
            v.offset
        ));
    }
    let mut hash = v.hash.clone();
    let room = size - offset;
    let d = crate::body::drain(req.into_body(), Some(&mut hash), |n| n <= room).await;
    m.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::Facebook,
        upload_id: id.clone(),
        offset,
        len: d.len,
        complete: d.complete,
    });
    if d.len > room {
        return bad_param("More bytes than file_size");
    }
    let mut g = m.lock();
    let Some(v) = g.videos.get_mut(&id) else {
        return unsupported(&Method::POST, &id);
    };
    // Kept even from a cut body: the status shows the new offset.
    v.file_size = size;
    v.offset += d.len;
    v.hash = hash;
    if !d.complete {
        return graph_error(500, 2, None, "OAuthException", "Upload interrupted");
    }
    ok(json!({"success": true}))
}
