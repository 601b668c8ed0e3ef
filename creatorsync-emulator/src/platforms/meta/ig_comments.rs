//! Instagram comments on a media object: `POST /{ig-media-id}/comments`
//! with `message` (as the account owning the media) and `GET
//! /{ig-media-id}/comments` (newest first), for Facebook Login and
//! Instagram Login callers alike. Each comment is recorded as an Instagram
//! post with `extra["comment_on"]` = the media commented on (the account's
//! media list does not show it), so a test sees every comment, in order,
//! and what it answers.

use std::collections::BTreeMap;

use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::instagram::{Caller, guard};
use super::{M, Req, bad_param, graph_error, ok};
use crate::record::RecordedPost;

/// Instagram's limit on a comment's text, in characters (2,200;
/// docs/platforms.md, checked 2026-12).
const MAX_COMMENT_CHARS: usize = 2200;

/// What a comment answers, in `extra`.
const COMMENT_ON: &str = "comment_on";

const COMMENT_BASE: u64 = 17_980_000_000_000_000;

fn comment_json(c: &RecordedPost) -> Value {
    json!({
        "id": c.post_id,
        "text": c.text,
        "timestamp": c.created_at.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        "from": {"id": c.account_id},
        "media": {"id": c.extra.get(COMMENT_ON)},
    })
}

/// The owner of the published media `id`, if the caller may act for it.
fn media_owner(m: &M, caller: Caller<'_>, id: &str) -> Result<String, Response> {
    let owner = m.lock().media.get(id).map(|x| x.ig.clone());
    let Some(owner) = owner else {
        return Err(graph_error(
            400,
            100,
            Some(33),
            "GraphMethodException",
            &format!("Unsupported request. Object with ID '{id}' does not exist"),
        ));
    };
    guard(m, caller, &owner)?;
    Ok(owner)
}

/// `POST /{ig-media-id}/comments?message=`.
pub(crate) fn create(m: &M, caller: Caller<'_>, media: &str, r: &Req) -> Response {
    let owner = match media_owner(m, caller, media) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let message = r.get("message");
    if message.trim().is_empty() {
        return bad_param("(#100) The parameter message is required");
    }
    if message.chars().count() > MAX_COMMENT_CHARS {
        return bad_param("(#100) The comment is too long");
    }
    let id = m.lock().id(COMMENT_BASE);
    let permalink = m
        .lock()
        .media
        .get(media)
        .map(|x| x.permalink.clone())
        .unwrap_or_default();
    m.ctx.record.add_post(RecordedPost {
        platform: Platform::Instagram,
        account_id: owner,
        post_id: id.clone(),
        text: message.to_owned(),
        title: None,
        media: Vec::new(),
        url: format!("{}/c/{id}/", permalink.trim_end_matches('/')),
        created_at: m.now(),
        deleted: false,
        extra: BTreeMap::from([(COMMENT_ON.to_owned(), media.to_owned())]),
        scheduled_for: None,
    });
    ok(json!({ "id": id }))
}

/// `GET /{ig-media-id}/comments`: newest first, `limit` (default 25).
pub(crate) fn list(m: &M, caller: Caller<'_>, media: &str, r: &Req) -> Response {
    if let Err(e) = media_owner(m, caller, media) {
        return e;
    }
    let limit = r.get("limit").parse::<usize>().unwrap_or(25).clamp(1, 100);
    let mut comments: Vec<RecordedPost> = m
        .ctx
        .record
        .posts_for(Platform::Instagram)
        .into_iter()
        .filter(|c| !c.deleted && c.extra.get(COMMENT_ON).is_some_and(|p| p == media))
        .collect();
    comments.reverse();
    let data: Vec<Value> = comments
        .iter()
        .take(limit)
        .map(|c| super::pick(comment_json(c), r.params.get("fields")))
        .collect();
    ok(json!({"data": data, "paging": {"cursors": {"before": "", "after": ""}}}))
}
