//! LinkedIn comments on a post: `POST /rest/socialActions/{urn}/comments`
//! (`actor`, `object`, `message.text`; 201 with the comment and its URN in
//! `x-restli-id`) and `GET /rest/socialActions/{urn}/comments` (newest
//! first). Each comment is recorded as a LinkedIn post with
//! `extra["comment_on"]` = the post commented on (and no `author`, so the
//! author's post list does not show it), so a test sees every comment, in
//! order, and what it answers.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{St, li_error, rest};
use crate::record::RecordedPost;

/// The longest comment text, in characters (1,250; docs/platforms.md,
/// checked 2026-12).
const MAX_COMMENT_CHARS: usize = 1250;

/// What a comment answers, in `extra`.
const COMMENT_ON: &str = "comment_on";

fn bad(message: &str) -> Response {
    li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", message, 100)
}

fn comment_json(c: &RecordedPost) -> Value {
    let ms = c.created_at.timestamp_millis();
    let id = c
        .post_id
        .rsplit_once(',')
        .map_or("", |(_, id)| id.trim_end_matches(')'));
    json!({
        "$URN": c.post_id, "id": id,
        "actor": c.extra.get("actor"), "object": c.extra.get(COMMENT_ON),
        "message": {"text": c.text},
        "created": {"actor": c.extra.get("actor"), "time": ms},
        "lastModified": {"actor": c.extra.get("actor"), "time": ms},
    })
}

fn missing(urn: &str) -> Response {
    li_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("Post {urn} not found"),
        0,
    )
}

/// `POST /rest/socialActions/{urn}/comments`.
pub(super) async fn create(
    State(li): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
    body: Bytes,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("Invalid JSON body: {e}")),
    };
    let actor = v["actor"].as_str().unwrap_or_default().to_owned();
    let account = match li.writer(&t, &actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if v["object"].as_str() != Some(urn.as_str()) {
        return bad("/object: must be the post the comment is on");
    }
    let Some(post) = super::posts::live(&li, &urn) else {
        return missing(&urn);
    };
    if post.extra.contains_key(COMMENT_ON) {
        return bad("/object: comment on the post, not on a comment");
    }
    let text = v["message"]["text"].as_str().unwrap_or_default().to_owned();
    if text.trim().is_empty() {
        return bad("/message/text: a comment needs text");
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return bad("/message/text: exceeds 1250 characters");
    }
    let comment = format!("urn:li:comment:({urn},{})", li.id());
    let extra = BTreeMap::from([
        ("actor".to_owned(), actor),
        (COMMENT_ON.to_owned(), urn.clone()),
    ]);
    let recorded = RecordedPost {
        platform: Platform::LinkedIn,
        account_id: account,
        post_id: comment.clone(),
        text,
        title: None,
        media: Vec::new(),
        url: format!("https://www.linkedin.com/feed/update/{urn}/?commentUrn={comment}"),
        created_at: li.ctx.clock.now(),
        deleted: false,
        extra,
        scheduled_for: None,
    };
    let body = comment_json(&recorded);
    li.ctx.record.add_post(recorded);
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(h) = HeaderValue::from_str(&comment) {
        resp.headers_mut().insert("x-restli-id", h);
    }
    resp
}

/// `GET /rest/socialActions/{urn}/comments?count=N`: newest first, for a
/// token that may act as the post's author (its own post's comments).
pub(super) async fn list(
    State(li): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(post) = super::posts::live(&li, &urn) else {
        return missing(&urn);
    };
    let author = post.extra.get("author").cloned().unwrap_or_default();
    if li.acting_as(&t.subject, &author).is_none() {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not enough permissions to read this post's comments",
            100,
        );
    }
    let count = q
        .get("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(10)
        .min(100);
    let mut comments: Vec<RecordedPost> = li
        .ctx
        .record
        .posts_for(Platform::LinkedIn)
        .into_iter()
        .filter(|c| !c.deleted && c.extra.get(COMMENT_ON) == Some(&urn))
        .collect();
    comments.reverse();
    let total = comments.len();
    let elements: Vec<Value> = comments.iter().take(count).map(comment_json).collect();
    Json(json!({"elements": elements, "paging": {"start": 0, "count": count, "total": total}}))
        .into_response()
}
