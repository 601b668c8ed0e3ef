//! YouTube top-level comments: `commentThreads.insert` (`part=snippet`,
//! `youtube.force-ssl`, 50 units) and `commentThreads.list?videoId=`
//! (newest first, 1 unit). Each comment is recorded as a YouTube post with
//! `extra["comment_on"]` = the video commented on, so a test sees every
//! comment, in order, and what it answers.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{St, channel_of, gerr};
use crate::record::RecordedPost;
use crate::{check_bearer, form};

/// The scope `commentThreads.insert` needs.
const FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// Units per `commentThreads.insert` (its reference page).
const INSERT_COST: u64 = 50;
/// Units per `commentThreads.list`.
const LIST_COST: u64 = 1;
/// The longest comment, in characters (10,000; docs/platforms.md,
/// checked 2026-12).
const MAX_COMMENT_CHARS: usize = 10_000;
/// What a comment answers, in `extra`.
const COMMENT_ON: &str = "comment_on";

fn thread_json(c: &RecordedPost) -> Value {
    let at = c.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let video = c.extra.get(COMMENT_ON);
    json!({
        "kind": "youtube#commentThread", "id": c.post_id,
        "snippet": {
            "channelId": c.account_id, "videoId": video, "canReply": true,
            "totalReplyCount": 0, "isPublic": true,
            "topLevelComment": {"kind": "youtube#comment", "id": c.post_id, "snippet": {
                "channelId": c.account_id, "videoId": video,
                "textOriginal": c.text, "textDisplay": c.text,
                "authorChannelId": {"value": c.account_id},
                "publishedAt": at, "updatedAt": at,
            }},
        }
    })
}

/// Whether the live video `id` exists (and its channel).
fn video_channel(st: &St, id: &str) -> Option<String> {
    st.lock()
        .videos
        .iter()
        .find(|v| v.id == id && !v.deleted)
        .map(|v| v.channel.clone())
}

fn video_missing() -> Response {
    gerr(
        404,
        "videoNotFound",
        "youtube.commentThread",
        "The video identified by the videoId parameter could not be found.",
    )
}

/// `POST /youtube/v3/commentThreads?part=snippet`.
pub(super) async fn insert(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let info = match check_bearer(&st.ctx, Platform::YouTube, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !info.scopes.iter().any(|s| s == FORCE_SSL) {
        return gerr(
            403,
            "insufficientPermissions",
            "global",
            "Request had insufficient authentication scopes.",
        );
    }
    if form(q.as_deref().unwrap_or(""))
        .get("part")
        .map(String::as_str)
        != Some("snippet")
    {
        return gerr(400, "required", "global", "Required parameter: part");
    }
    if let Err(r) = st.charge(INSERT_COST) {
        return r;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let video = v
        .pointer("/snippet/videoId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(_) = video_channel(&st, &video) else {
        return video_missing();
    };
    let text = v
        .pointer("/snippet/topLevelComment/snippet/textOriginal")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if text.trim().is_empty() {
        return gerr(
            400,
            "commentTextRequired",
            "youtube.commentThread",
            "The comment resource must contain a value for the snippet.topLevelComment.snippet.textOriginal property.",
        );
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return gerr(
            400,
            "commentTextTooLong",
            "youtube.commentThread",
            "The comment text is too long.",
        );
    }
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    let id = format!("Ug{}", crate::tokens::random_token("", 24));
    let recorded = RecordedPost {
        platform: Platform::YouTube,
        account_id: channel,
        post_id: id.clone(),
        text,
        title: None,
        media: Vec::new(),
        url: format!("https://www.youtube.com/watch?v={video}&lc={id}"),
        created_at: st.ctx.clock.now(),
        deleted: false,
        extra: BTreeMap::from([(COMMENT_ON.to_owned(), video)]),
        scheduled_for: None,
    };
    let out = thread_json(&recorded);
    st.ctx.record.add_post(recorded);
    Json(out).into_response()
}

/// `GET /youtube/v3/commentThreads?part=snippet&videoId=`: newest first.
pub(super) async fn list(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_bearer(&st.ctx, Platform::YouTube, &headers) {
        return r;
    }
    if let Err(r) = st.charge(LIST_COST) {
        return r;
    }
    let q = form(q.as_deref().unwrap_or(""));
    let video = q.get("videoId").cloned().unwrap_or_default();
    if video_channel(&st, &video).is_none() {
        return video_missing();
    }
    let max = q
        .get("maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let mut comments: Vec<RecordedPost> = st
        .ctx
        .record
        .posts_for(Platform::YouTube)
        .into_iter()
        .filter(|c| !c.deleted && c.extra.get(COMMENT_ON) == Some(&video))
        .collect();
    comments.reverse();
    let items: Vec<Value> = comments.iter().take(max).map(thread_json).collect();
    Json(json!({"kind": "youtube#commentThreadListResponse", "pageInfo": {"totalResults": items.len(), "resultsPerPage": max}, "items": items}))
        .into_response()
}
