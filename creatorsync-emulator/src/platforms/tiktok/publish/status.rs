//! `status/fetch` (the publish status derived from the publish's state and
//! the clock) and `/v2/video/list/`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::super::{St, ok, tt_err, user_of};
use super::{Kind, parse_body};
use crate::{RecordedPost, form};

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
    // The Display API's list needs its own scope (not `video.publish`).
    let info = match st.authorize(
        &headers,
        Some("video.list"),
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
