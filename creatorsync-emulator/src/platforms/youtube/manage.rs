//! `videos.update` (`PUT /youtube/v3/videos?part=snippet`, 50 units): the
//! snippet's title, description, tags and category of one of the
//! channel's videos. `snippet.title` and `snippet.categoryId` are
//! required; a video that does not exist is `videoNotFound` (404), one of
//! another channel `forbidden` (403), a token without `youtube.force-ssl`
//! or `youtube` `insufficientPermissions` (403)
//! (developers.google.com/youtube/v3/docs/videos/update, read 2026-12-04).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{St, channel_of, cost, gerr};
use crate::{check_bearer, form};

/// Either scope lets a token change videos.
const MANAGE: [&str; 2] = [
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube",
];

/// `PUT /youtube/v3/videos?part=snippet`.
pub(crate) async fn update(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let info = match check_bearer(&st.ctx, Platform::YouTube, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !info.scopes.is_empty() && !info.scopes.iter().any(|s| MANAGE.contains(&s.as_str())) {
        return gerr(
            403,
            "insufficientPermissions",
            "global",
            "Request had insufficient authentication scopes.",
        );
    }
    if let Err(r) = st.charge(cost::UPDATE) {
        return r;
    }
    let q = form(q.as_deref().unwrap_or(""));
    if q.get("part").map(String::as_str) != Some("snippet") {
        return gerr(
            400,
            "required",
            "global",
            "Required parameter: part (snippet)",
        );
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return gerr(400, "parseError", "global", "Parse Error"),
    };
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let s = &v["snippet"];
    let (Some(title), Some(category)) = (s["title"].as_str(), s["categoryId"].as_str()) else {
        return gerr(
            400,
            "invalidVideoMetadata",
            "youtube.video",
            "The request metadata is invalid: snippet.title and snippet.categoryId are required.",
        );
    };
    let description = s["description"].as_str().unwrap_or_default().to_owned();
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    let mut inner = st.lock();
    let Some(video) = inner.videos.iter_mut().find(|x| x.id == id && !x.deleted) else {
        return gerr(
            404,
            "videoNotFound",
            "youtube.video",
            "The video that you are trying to update cannot be found.",
        );
    };
    if video.channel != channel {
        return gerr(
            403,
            "forbidden",
            "youtube.video",
            "The video that you are trying to update cannot be updated.",
        );
    }
    title.clone_into(&mut video.title);
    category.clone_into(&mut video.category);
    video.description.clone_from(&description);
    if let Some(tags) = s["tags"].as_array() {
        video.tags = tags
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
    }
    drop(inner);
    st.ctx
        .record
        .edit_post(Platform::YouTube, &id, &description);
    Json(json!({"kind": "youtube#video", "id": id, "snippet": s})).into_response()
}
