//! Read side of YouTube: `channels.list` (snippet, contentDetails),
//! `videos.list` (snippet, status, processingDetails, contentDetails),
//! `videos.delete`, `playlistItems.list` over the uploads playlist and
//! `thumbnails.set`.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use creatorsync_core::Platform;
use serde_json::{Map, Value, json};

use super::{St, Video, channel_of, cost, gerr, uploads_playlist};
use crate::{TokenInfo, check_bearer, form};

/// Video ids one `videos.list` accepts.
const MAX_LIST_IDS: usize = 50;
/// Largest thumbnail accepted (2 MB).
const THUMBNAIL_MAX: u64 = 2 * 1024 * 1024;

fn auth_and_charge(st: &St, headers: &HeaderMap, units: u64) -> Result<TokenInfo, Response> {
    let info = check_bearer(&st.ctx, Platform::YouTube, headers)?;
    st.charge(units)?;
    Ok(info)
}

fn parts(q: &std::collections::HashMap<String, String>) -> Result<Vec<String>, Response> {
    let p: Vec<String> = q
        .get("part")
        .map(|p| {
            p.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if p.is_empty() {
        return Err(gerr(400, "required", "global", "Required parameter: part"));
    }
    Ok(p)
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn thumbnails(id: &str) -> Value {
    json!({
        "default": {"url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90},
        "medium": {"url": format!("https://i.ytimg.com/vi/{id}/mqdefault.jpg"), "width": 320, "height": 180},
        "high": {"url": format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"), "width": 480, "height": 360},
    })
}

/// The video resource with the requested parts, as seen at `now`.
fn resource(st: &St, v: &Video, parts: &[&str]) -> Value {
    let now = st.ctx.clock.now();
    let done = now - v.created
        >= chrono::Duration::from_std(st.ctx.config.processing_delay).unwrap_or_default();
    let mut out = Map::new();
    out.insert("kind".into(), json!("youtube#video"));
    out.insert("etag".into(), json!(format!("etag-{}", v.id)));
    out.insert("id".into(), json!(v.id));
    for p in parts {
        match *p {
            "snippet" => {
                out.insert(
                    "snippet".into(),
                    json!({
                        "publishedAt": rfc3339(v.created),
                        "channelId": v.channel,
                        "title": v.title,
                        "description": v.description,
                        "thumbnails": thumbnails(&v.id),
                        "channelTitle": v.channel_title,
                        "tags": v.tags,
                        "categoryId": v.category,
                        "liveBroadcastContent": "none",
                        "localized": {"title": v.title, "description": v.description},
                    }),
                );
            }
            "status" => {
                let mut s = json!({
                    "uploadStatus": if !done { "uploaded" } else if v.fails { "failed" } else { "processed" },
                    "privacyStatus": v.privacy,
                    "license": "youtube",
                    "embeddable": true,
                    "publicStatsViewable": true,
                    "madeForKids": v.made_for_kids,
                    "selfDeclaredMadeForKids": v.made_for_kids,
                });
                if done && v.fails {
                    s["failureReason"] = json!("codec");
                }
                // A scheduled private video turns public at `publishAt`
                // on the emulator clock, and loses its schedule.
                let live = v
                    .publish_at
                    .as_deref()
                    .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
                    .is_some_and(|at| at <= now);
                if live {
                    s["privacyStatus"] = json!("public");
                } else if let Some(at) = &v.publish_at {
                    s["publishAt"] = json!(at);
                }
                out.insert("status".into(), s);
            }
            // videos.list `statistics` (developers.google.com "Videos",
            // read 2026-12-04): counts as strings; no reach, shares, saves
            // or watch time (those live in the YouTube Analytics API).
            "statistics" => {
                let c = |m: &str| crate::metrics::count(&v.id, m, v.created, now).to_string();
                out.insert(
                    "statistics".into(),
                    json!({
                        "viewCount": c("views"),
                        "likeCount": c("likes"),
                        "favoriteCount": "0",
                        "commentCount": c("comments"),
                    }),
                );
            }
            "processingDetails" => {
                let status = if !done {
                    "processing"
                } else if v.fails {
                    "failed"
                } else {
                    "succeeded"
                };
                let mut d = json!({"processingStatus": status});
                if !done {
                    d["processingProgress"] = json!({"partsTotal": 1000, "partsProcessed": 0, "timeLeftMs": st.ctx.config.processing_delay.as_millis().to_string()});
                }
                if done && v.fails {
                    d["processingFailureReason"] = json!("transcodeFailed");
                }
                out.insert("processingDetails".into(), d);
            }
            "contentDetails" => {
                out.insert("contentDetails".into(), json!({"duration": "PT0S", "dimension": "2d", "definition": "hd", "caption": "false", "licensedContent": false, "projection": "rectangular"}));
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// The 201 answer to the request that completed an upload (or to a later
/// status query of the finished session).
pub(crate) fn upload_result(st: &St, id: &str) -> Response {
    let v = st
        .lock()
        .videos
        .iter()
        .find(|v| v.id == id && !v.deleted)
        .cloned();
    match v {
        Some(v) => (
            StatusCode::CREATED,
            Json(resource(st, &v, &["snippet", "status", "contentDetails"])),
        )
            .into_response(),
        None => gerr(
            404,
            "videoNotFound",
            "youtube.video",
            "The video that you are trying to access cannot be found.",
        ),
    }
}

/// GET /youtube/v3/channels?part=snippet,contentDetails&mine=true
pub(crate) async fn channels(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let info = match auth_and_charge(&st, &headers, cost::LIST) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let parts = match parts(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if q.get("mine").map(String::as_str) != Some("true") {
        return gerr(
            400,
            "missingRequiredParameter",
            "youtube.parameter",
            "No filter selected. Expected one of: mine",
        );
    }
    let (id, title, handle) = channel_of(&st.ctx, &info.subject);
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#channel"));
    item.insert("etag".into(), json!(format!("etag-{id}")));
    item.insert("id".into(), json!(id));
    for p in &parts {
        match p.as_str() {
            "snippet" => {
                item.insert("snippet".into(), json!({"title": title, "description": "", "customUrl": format!("@{handle}"), "publishedAt": "2020-01-01T00:00:00Z", "thumbnails": thumbnails(&id)}));
            }
            "contentDetails" => {
                item.insert(
                    "contentDetails".into(),
                    json!({"relatedPlaylists": {"likes": "", "uploads": uploads_playlist(&id)}}),
                );
            }
            _ => {}
        }
    }
    Json(json!({"kind": "youtube#channelListResponse", "etag": "etag-channels", "pageInfo": {"totalResults": 1, "resultsPerPage": 5}, "items": [Value::Object(item)]})).into_response()
}

/// GET /youtube/v3/videos?part=..&id=a,b
pub(crate) async fn list(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = auth_and_charge(&st, &headers, cost::LIST) {
        return r;
    }
    let q = form(q.as_deref().unwrap_or(""));
    let parts = match parts(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(ids) = q.get("id") else {
        return gerr(
            400,
            "missingRequiredParameter",
            "youtube.parameter",
            "No filter selected. Expected one of: id",
        );
    };
    let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
    if ids.len() > MAX_LIST_IDS {
        return gerr(
            400,
            "invalidFilters",
            "youtube.parameter",
            "The request specifies more than 50 video ids.",
        );
    }
    let videos: Vec<Video> = st
        .lock()
        .videos
        .iter()
        .filter(|v| !v.deleted && ids.contains(&v.id.as_str()))
        .cloned()
        .collect();
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| videos.iter().find(|v| v.id == *id))
        .map(|v| resource(&st, v, &p))
        .collect();
    Json(json!({"kind": "youtube#videoListResponse", "etag": "etag-videos", "pageInfo": {"totalResults": items.len(), "resultsPerPage": items.len()}, "items": items})).into_response()
}

/// DELETE /youtube/v3/videos?id=
pub(crate) async fn delete(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let info = match auth_and_charge(&st, &headers, cost::DELETE) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let id = q.get("id").cloned().unwrap_or_default();
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    let mut inner = st.lock();
    let Some(v) = inner.videos.iter_mut().find(|v| v.id == id && !v.deleted) else {
        return gerr(
            404,
            "videoNotFound",
            "youtube.video",
            "The video that you are trying to delete cannot be found.",
        );
    };
    if v.channel != channel {
        return gerr(
            403,
            "forbidden",
            "youtube.video",
            "The video that you are trying to delete cannot be deleted. The request might not be properly authorized.",
        );
    }
    v.deleted = true;
    drop(inner);
    st.ctx.record.delete_post(Platform::YouTube, &id);
    StatusCode::NO_CONTENT.into_response()
}

/// GET /youtube/v3/playlistItems?part=snippet&playlistId=UU..&maxResults=N
pub(crate) async fn playlist_items(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let info = match auth_and_charge(&st, &headers, cost::LIST) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    if let Err(r) = parts(&q) {
        return r;
    }
    let playlist = q.get("playlistId").cloned().unwrap_or_default();
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    if playlist != uploads_playlist(&channel) {
        return gerr(
            404,
            "playlistNotFound",
            "youtube.playlistItem",
            "The playlist identified with the request's playlistId parameter cannot be found.",
        );
    }
    let max = q
        .get("maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(5)
        .min(50);
    let mut videos: Vec<Video> = st
        .lock()
        .videos
        .iter()
        .filter(|v| !v.deleted && v.channel == channel)
        .cloned()
        .collect();
    videos.sort_by_key(|v| std::cmp::Reverse(v.created));
    let total = videos.len();
    let items: Vec<Value> = videos
        .iter()
        .take(max)
        .enumerate()
        .map(|(i, v)| {
            json!({
                "kind": "youtube#playlistItem",
                "etag": format!("etag-pi-{}", v.id),
                "id": format!("pi-{}", v.id),
                "snippet": {
                    "publishedAt": rfc3339(v.created),
                    "channelId": v.channel,
                    "title": v.title,
                    "description": v.description,
                    "thumbnails": thumbnails(&v.id),
                    "channelTitle": v.channel_title,
                    "playlistId": playlist,
                    "position": i,
                    "resourceId": {"kind": "youtube#video", "videoId": v.id},
                },
            })
        })
        .collect();
    Json(json!({"kind": "youtube#playlistItemListResponse", "etag": "etag-pl", "pageInfo": {"totalResults": total, "resultsPerPage": max}, "items": items})).into_response()
}

/// POST /upload/youtube/v3/thumbnails/set?videoId= (image/jpeg|png, ≤ 2 MB).
pub(crate) async fn thumbnail(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let info = match auth_and_charge(&st, &headers, cost::THUMBNAIL) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let id = q.get("videoId").cloned().unwrap_or_default();
    let mime = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let d = crate::drain(body, None, |_| true).await;
    if !d.complete {
        return gerr(400, "badRequest", "global", "Incomplete request body.");
    }
    if !(mime.starts_with("image/jpeg") || mime.starts_with("image/png")) {
        return gerr(
            400,
            "invalidImage",
            "youtube.thumbnail",
            "The provided image content is invalid.",
        );
    }
    if d.len == 0 {
        return gerr(
            400,
            "mediaBodyRequired",
            "youtube.thumbnail",
            "The request does not include the image content.",
        );
    }
    if d.len > THUMBNAIL_MAX {
        return gerr(
            400,
            "mediaBodyTooLarge",
            "global",
            "Media is too large: the maximum is 2097152 bytes.",
        );
    }
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    {
        let mut inner = st.lock();
        let Some(v) = inner.videos.iter_mut().find(|v| v.id == id && !v.deleted) else {
            return gerr(
                404,
                "videoNotFound",
                "youtube.thumbnail",
                "The video that you are trying to update cannot be found.",
            );
        };
        if v.channel != channel {
            return gerr(
                403,
                "forbidden",
                "youtube.thumbnail",
                "The thumbnail can't be set for the specified video.",
            );
        }
        v.thumbnail = true;
    }
    st.ctx.record.bump("youtube.thumbnails_set");
    Json(json!({"kind": "youtube#thumbnailSetResponse", "etag": "etag-thumb", "items": [thumbnails(&id)]})).into_response()
}
