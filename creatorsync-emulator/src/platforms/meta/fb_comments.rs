//! Facebook comments on a Page post: `POST /{post-id}/comments` (as the
//! Page, with its Page token), `GET /{post-id}/comments` (newest first)
//! and `GET /{comment-id}`. Each comment is recorded as a post of the page
//! with `extra["comment_on"]` = the post commented on, so a test sees every
//! comment, in order, and what it answers.

use std::collections::BTreeMap;

use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{M, Req, TokKind, bad_param, graph_error, may_act, no_permission, ok};
use crate::record::RecordedPost;

/// Facebook's limit on a comment's `message`, in characters (8,000;
/// docs/platforms.md, checked 2026-12).
const MAX_COMMENT_CHARS: usize = 8000;

/// What a comment answers, in `extra`.
pub(crate) const COMMENT_ON: &str = "comment_on";

fn comment_json(c: &RecordedPost) -> Value {
    json!({
        "id": c.post_id,
        "message": c.text,
        "created_time": c.created_at.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        "from": {"id": c.account_id},
        "permalink_url": c.url,
    })
}

/// The live post `id` and its page, if the token may see it.
fn parent(m: &M, kind: &TokKind, id: &str) -> Option<String> {
    let g = m.lock();
    g.posts
        .get(id)
        .filter(|p| !p.deleted && may_act(m, kind, &p.page, true))
        .map(|p| p.page.clone())
}

fn missing(id: &str) -> Response {
    graph_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!("Unsupported post request. Object with ID '{id}' does not exist"),
    )
}

/// `POST /{post-id}/comments` with `message`.
pub(crate) fn create(m: &M, kind: &TokKind, post: &str, r: &Req) -> Response {
    let Some(page) = parent(m, kind, post) else {
        return missing(post);
    };
    if !may_act(m, kind, &page, false) {
        return no_permission("Commenting as the Page requires its Page access token");
    }
    let message = r.get("message");
    if message.trim().is_empty() {
        return bad_param("(#100) The parameter message is required");
    }
    if message.chars().count() > MAX_COMMENT_CHARS {
        return bad_param("(#100) The comment is too long");
    }
    let n = m.lock().id(300_000_000_000_000);
    let short = post.split_once('_').map_or(post, |(_, p)| p);
    let id = format!("{short}_{n}");
    let mut extra = BTreeMap::new();
    extra.insert(COMMENT_ON.to_owned(), post.to_owned());
    m.ctx.record.add_post(RecordedPost {
        platform: Platform::Facebook,
        account_id: page.clone(),
        post_id: id.clone(),
        text: message.to_owned(),
        title: None,
        media: Vec::new(),
        url: format!("https://www.facebook.com/{page}/posts/{short}?comment_id={n}"),
        created_at: m.now(),
        deleted: false,
        extra,
        scheduled_for: None,
    });
    ok(json!({ "id": id }))
}

/// `GET /{post-id}/comments`: newest first, `limit` (default 25).
pub(crate) fn list(m: &M, kind: &TokKind, post: &str, r: &Req) -> Response {
    if parent(m, kind, post).is_none() {
        return missing(post);
    }
    let limit = r.get("limit").parse::<usize>().unwrap_or(25).clamp(1, 100);
    let mut comments: Vec<RecordedPost> = m
        .ctx
        .record
        .posts_for(Platform::Facebook)
        .into_iter()
        .filter(|c| c.extra.get(COMMENT_ON).is_some_and(|p| p == post))
        .collect();
    comments.reverse();
    let data: Vec<Value> = comments
        .iter()
        .take(limit)
        .map(|c| super::pick(comment_json(c), r.params.get("fields")))
        .collect();
    ok(json!({"data": data, "paging": {"cursors": {"before": "", "after": ""}}}))
}

/// `GET /{comment-id}`, when `id` is a live comment the token may see.
pub(crate) fn read(m: &M, kind: &TokKind, id: &str) -> Option<Value> {
    let c = m.ctx.record.post(Platform::Facebook, id)?;
    let on = c.extra.get(COMMENT_ON)?;
    (!c.deleted && parent(m, kind, on).is_some()).then(|| comment_json(&c))
}
