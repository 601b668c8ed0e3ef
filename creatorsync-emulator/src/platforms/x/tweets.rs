//! X posts: create (with media, replies, quotes, duplicate and rate-limit
//! checks), read back, delete, and a user's recent posts.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{
    APP, DAY_SECS, St, X, caller, invalid, json_body, problem, require_scope, set_limit_headers,
    set_rate, too_many,
};
use crate::record::RecordedPost;

/// POST /2/tweets per user per 15-minute window (UNCONFIRMED: 100 on paid tiers).
/// Weighted length limit of a post's text.
const MAX_WEIGHTED_LEN: usize = 280;
/// Media ids per post.
const MAX_MEDIA: usize = 4;

/// twitter-text v3 weight of `text`: characters in the Latin ranges count
/// 1, everything else 2. Approximation: URLs are not counted as 23 and
/// emoji sequences count per code point.
fn weighted_len(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let u = c as u32;
            let light = u <= 0x10FF
                || (0x2000..=0x200D).contains(&u)
                || (0x2010..=0x201F).contains(&u)
                || (0x2032..=0x2037).contains(&u);
            if light { 1 } else { 2 }
        })
        .sum()
}

fn tweet_json(p: &RecordedPost) -> Value {
    let mut d = json!({
        "id": p.post_id,
        "text": p.text,
        "author_id": p.account_id,
        "edit_history_tweet_ids": [p.post_id],
        "created_at": p.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    });
    if !p.media.is_empty() {
        d["attachments"] = json!({"media_keys": p.extra.get("media_keys").map(|k| k.split(',').collect::<Vec<_>>())});
    }
    d
}

fn not_found(id: &str) -> Response {
    Json(json!({"errors": [{
        "value": id, "detail": format!("Could not find tweet with id: [{id}]."),
        "title": "Not Found Error", "resource_type": "tweet", "parameter": "id", "resource_id": id,
        "type": "https://api.twitter.com/2/problems/resource-not-found"}]}))
    .into_response()
}

pub(super) fn live(x: &X, id: &str) -> Option<RecordedPost> {
    x.ctx.record.post(Platform::X, id).filter(|p| !p.deleted)
}

/// `POST /2/tweets`.
pub(super) async fn create(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = require_scope(&x, &headers, "tweet.write") {
        return r;
    }
    let per_window = x.ctx.config.x_tweets_per_window;
    let (limit, remaining, reset) = match x.count("POST /2/tweets", &user, per_window) {
        Ok(v) => v,
        Err(reset) => return too_many("x-rate-limit", per_window, reset),
    };
    // The app's 24-hour budget, shared by all its users.
    let per_day = x.ctx.config.x_tweets_per_day_app;
    let app = match x.count_in("POST /2/tweets", APP, per_day, DAY_SECS) {
        Ok(v) => v,
        Err(day_reset) => {
            let mut r = too_many("x-app-limit-24hour", per_day, day_reset);
            set_rate(r.headers_mut(), limit, remaining, reset);
            return r;
        }
    };
    let mut resp = create_inner(&x, &user, &body);
    set_rate(resp.headers_mut(), limit, remaining, reset);
    set_limit_headers(
        resp.headers_mut(),
        "x-app-limit-24hour",
        app.0,
        app.1,
        app.2,
    );
    resp
}

fn create_inner(x: &X, user: &str, body: &[u8]) -> Response {
    let v = match json_body(body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let text = v["text"].as_str().unwrap_or_default().to_owned();
    let ids: Vec<String> = v["media"]["media_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if text.is_empty() && ids.is_empty() {
        return invalid("text", "Post text or media is required");
    }
    if weighted_len(&text) > MAX_WEIGHTED_LEN {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "You are not permitted to perform this action. Text is too long.",
        );
    }
    if ids.len() > MAX_MEDIA {
        return invalid("media.media_ids", "At most 4 media ids are allowed");
    }
    let mut media = Vec::new();
    for id in &ids {
        match super::media::ready(x, user, id) {
            Ok(m) => media.push(m),
            Err(r) => return r,
        }
    }
    let mut extra = BTreeMap::new();
    for (field, key) in [
        (&v["reply"]["in_reply_to_tweet_id"], "in_reply_to_tweet_id"),
        (&v["quote_tweet_id"], "quote_tweet_id"),
    ] {
        if let Some(target) = field.as_str() {
            if live(x, target).is_none() {
                return invalid(key, &format!("Tweet {target} does not exist"));
            }
            extra.insert(key.to_owned(), target.to_owned());
        }
    }
    let now = x.ctx.clock.now();
    let duplicate = !text.is_empty()
        && x.ctx.record.posts_for(Platform::X).iter().any(|p| {
            p.account_id == user
                && p.text == text
                && now - p.created_at < chrono::Duration::hours(24)
        });
    if duplicate {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "You are not allowed to create a Tweet with duplicate content.",
        );
    }
    if !media.is_empty() {
        let keys: Vec<String> = media
            .iter()
            .filter_map(|m| super::media::key_of(x, &m.media_id))
            .collect();
        extra.insert("media_keys".to_owned(), keys.join(","));
    }
    let id = x.id();
    let username = x.user(user).username;
    x.ctx.record.add_post(RecordedPost {
        platform: Platform::X,
        account_id: user.to_owned(),
        post_id: id.clone(),
        text: text.clone(),
        title: None,
        media,
        url: format!("https://x.com/{username}/status/{id}"),
        created_at: now,
        deleted: false,
        extra,
        scheduled_for: None,
    });
    (
        StatusCode::CREATED,
        Json(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}})),
    )
        .into_response()
}

/// `GET /2/tweets/{id}`.
pub(super) async fn get(
    State(x): St,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = caller(&x, &method, &uri, &headers, None) {
        return r;
    }
    match live(&x, &id) {
        Some(p) => Json(json!({"data": tweet_json(&p)})).into_response(),
        None => not_found(&id),
    }
}

/// `DELETE /2/tweets/{id}` (own posts only).
pub(super) async fn remove(
    State(x): St,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match live(&x, &id) {
        Some(p) if p.account_id == user => {
            x.ctx.record.delete_post(Platform::X, &id);
            Json(json!({"data": {"deleted": true}})).into_response()
        }
        Some(_) => problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "You are not allowed to delete a Tweet that is not your own.",
        ),
        None => not_found(&id),
    }
}

/// `GET /2/users/{id}/tweets?max_results=N`: newest first.
pub(super) async fn timeline(
    State(x): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = caller(&x, &method, &uri, &headers, None) {
        return r;
    }
    let max = match q.get("max_results").map(|m| m.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (5..=100).contains(&n) => n,
        Some(_) => return invalid("max_results", "max_results must be between 5 and 100"),
    };
    let mut posts: Vec<RecordedPost> = x
        .ctx
        .record
        .posts_for(Platform::X)
        .into_iter()
        .filter(|p| p.account_id == id)
        .collect();
    posts.reverse();
    posts.truncate(max);
    if posts.is_empty() {
        return Json(json!({"meta": {"result_count": 0}})).into_response();
    }
    let data: Vec<Value> = posts.iter().map(tweet_json).collect();
    Json(json!({"data": data, "meta": {
        "result_count": posts.len(),
        "newest_id": posts.first().map(|p| p.post_id.clone()),
        "oldest_id": posts.last().map(|p| p.post_id.clone()),
    }}))
    .into_response()
}
