//! `POST /v2/video/query/?fields=…` (developers.tiktok.com "Query Videos",
//! read 2026-12-04): scope `video.list`, body `{"filters": {"video_ids":
//! [...]}}` with at most 20 ids; answers only the caller's own videos (an id
//! of someone else's or unknown video is simply absent), with the requested
//! fields among `id, create_time, like_count, comment_count, share_count,
//! view_count, ...`. TikTok reports no reach, saves, clicks or watch time
//! here.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use creatorsync_core::Platform;
use serde_json::{Map, Value, json};

use super::{St, ok, tt_err, user_of};
use crate::form;
use crate::metrics;

/// Ids one query accepts.
const MAX_IDS: usize = 20;

/// `POST /v2/video/query/`.
pub(crate) async fn video_query(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let info = match st.authorize(
        &headers,
        Some("video.list"),
        Some(("video_query", st.ctx.config.tiktok_rate_limits.video_list)),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let Some(fields) = q.get("fields").filter(|f| !f.is_empty()) else {
        return tt_err(400, "invalid_params", "fields is required");
    };
    let fields: Vec<&str> = fields.split(',').map(str::trim).collect();
    let b: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(ids) = b["filters"]["video_ids"].as_array() else {
        return tt_err(400, "invalid_params", "filters.video_ids is required");
    };
    if ids.is_empty() || ids.len() > MAX_IDS {
        return tt_err(
            400,
            "invalid_params",
            &format!("video_ids must hold 1 to {MAX_IDS} ids, got {}", ids.len()),
        );
    }
    let (open_id, _, _) = user_of(&st.ctx, &info.subject);
    let now = st.ctx.clock.now();
    let mut videos = Vec::new();
    for id in ids.iter().filter_map(Value::as_str) {
        let Some(p) = st
            .ctx
            .record
            .post(Platform::TikTok, id)
            .filter(|p| !p.deleted && p.account_id == open_id)
        else {
            continue;
        };
        let mut v = Map::new();
        for f in &fields {
            let value = match *f {
                "id" => json!(p.post_id),
                "create_time" => json!(p.created_at.timestamp()),
                "view_count" => json!(metrics::of(&p, "views", now)),
                "like_count" => json!(metrics::of(&p, "likes", now)),
                "comment_count" => json!(metrics::of(&p, "comments", now)),
                "share_count" => json!(metrics::of(&p, "shares", now)),
                "video_description" | "title" => json!(p.text),
                "share_url" => json!(p.url),
                _ => continue,
            };
            v.insert((*f).to_owned(), value);
        }
        videos.push(Value::Object(v));
    }
    ok(json!({"videos": videos, "cursor": 0, "has_more": false}))
}
