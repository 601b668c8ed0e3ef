//! LinkedIn posts: create (text, article, image, video, multi-image) for a
//! member or an administered organization, read back, delete, list by
//! author, and the per-member daily throttle.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{Li, St, li_error, rest};
use crate::record::RecordedPost;

/// Posts a member may create per UTC day (UNCONFIRMED: LinkedIn publishes
/// per-app/per-member daily quotas in the developer portal only).
/// Longest commentary (UNCONFIRMED, widely cited).
pub(super) const MAX_COMMENTARY: usize = 3000;

pub(super) fn bad(message: &str) -> Response {
    li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", message, 100)
}

fn post_json(p: &RecordedPost) -> Value {
    let ms = p.created_at.timestamp_millis();
    let mut v = json!({
        "id": p.post_id, "author": p.extra.get("author"), "commentary": p.text,
        "visibility": p.extra.get("visibility"), "lifecycleState": "PUBLISHED",
        "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms, "isReshareDisabledByAuthor": false,
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
    });
    if let Some(c) = p
        .extra
        .get("content")
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
    {
        v["content"] = c;
    }
    v
}

/// `POST /rest/posts`: 201 with an empty body and `x-restli-id`.
pub(super) async fn create(State(li): St, headers: HeaderMap, body: Bytes) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("Invalid JSON body: {e}")),
    };
    if let Err(r) = super::manage::check_create(&v) {
        return r;
    }
    let author = v["author"].as_str().unwrap_or_default().to_owned();
    let account = match li.writer(&t, &author) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let text = v["commentary"].as_str().unwrap_or_default().to_owned();
    if text.chars().count() > MAX_COMMENTARY {
        return bad("/commentary: exceeds 3000 characters");
    }
    let little = match super::little::parse(&text) {
        Ok(l) => l,
        Err(e) => return bad(&format!("/commentary: {e}")),
    };
    if let Err(r) = super::content::check(&li, &v["content"], &author) {
        return r;
    }
    let content = &v["content"];
    let mut media = Vec::new();
    let mut ugc = false;
    if let Some(id) = content["media"]["id"].as_str() {
        match super::assets::available(&li, id, &author) {
            Ok(m) => media.push(m),
            Err(r) => return r,
        }
        ugc = id.starts_with("urn:li:video:");
    } else if let Some(images) = content["multiImage"]["images"].as_array() {
        if !(2..=20).contains(&images.len()) {
            return bad("/content/multiImage/images: 2 to 20 images are required");
        }
        for img in images {
            match super::assets::available(&li, img["id"].as_str().unwrap_or_default(), &author) {
                Ok(m) => media.push(m),
                Err(r) => return r,
            }
        }
        ugc = true;
    } else if text.is_empty() && content.get("article").is_none() {
        return bad("/commentary: a post needs commentary or content");
    }
    let today = li.ctx.clock.now().date_naive();
    {
        let mut daily = li
            .daily
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = daily.entry((t.subject.clone(), today)).or_insert(0);
        if *n >= li.ctx.config.linkedin_member_daily_posts {
            return li_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
                101,
            );
        }
        *n += 1;
    }
    let urn = format!(
        "urn:li:{}:{}",
        if ugc { "ugcPost" } else { "share" },
        li.id()
    );
    let mut extra = BTreeMap::from([
        ("author".to_owned(), author),
        (
            "visibility".to_owned(),
            v["visibility"].as_str().unwrap_or("PUBLIC").to_owned(),
        ),
    ]);
    if !content.is_null() {
        extra.insert("content".to_owned(), content.to_string());
    }
    if !little.mentions.is_empty() {
        let mentions: Vec<Value> = little
            .mentions
            .iter()
            .map(|m| json!({"name": m.name, "urn": m.urn}))
            .collect();
        extra.insert("mentions".to_owned(), json!(mentions).to_string());
    }
    li.ctx.record.add_post(RecordedPost {
        platform: Platform::LinkedIn,
        account_id: account,
        post_id: urn.clone(),
        text,
        title: None,
        media,
        url: format!("https://www.linkedin.com/feed/update/{urn}/"),
        created_at: li.ctx.clock.now(),
        deleted: false,
        extra,
        scheduled_for: None,
    });
    let mut resp = StatusCode::CREATED.into_response();
    if let Ok(h) = HeaderValue::from_str(&urn) {
        resp.headers_mut().insert("x-restli-id", h);
    }
    resp
}

pub(super) fn live(li: &Li, urn: &str) -> Option<RecordedPost> {
    li.ctx
        .record
        .post(Platform::LinkedIn, urn)
        .filter(|p| !p.deleted)
}

pub(super) fn not_found(urn: &str) -> Response {
    li_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("Post {urn} not found"),
        0,
    )
}

/// `GET /rest/posts/{urn}`.
pub(super) async fn get(State(li): St, headers: HeaderMap, Path(urn): Path<String>) -> Response {
    if let Err(r) = rest(&li, &headers) {
        return r;
    }
    live(&li, &urn).map_or_else(|| not_found(&urn), |p| Json(post_json(&p)).into_response())
}

/// `DELETE /rest/posts/{urn}` → 204.
pub(super) async fn remove(State(li): St, headers: HeaderMap, Path(urn): Path<String>) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(p) = live(&li, &urn) else {
        return not_found(&urn);
    };
    let author = p.extra.get("author").cloned().unwrap_or_default();
    if li.acting_as(&t.subject, &author).is_none() {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not enough permissions to delete this post",
            100,
        );
    }
    li.ctx.record.delete_post(Platform::LinkedIn, &urn);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /rest/posts?author={urn}&q=author&count=N`: newest first.
pub(super) async fn by_author(
    State(li): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = rest(&li, &headers) {
        return r;
    }
    if q.get("q").map(String::as_str) != Some("author") {
        return bad("q=author is required");
    }
    let author = q.get("author").cloned().unwrap_or_default();
    let count = q
        .get("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(10)
        .min(100);
    let start = q
        .get("start")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0);
    let mut posts: Vec<RecordedPost> = li
        .ctx
        .record
        .posts_for(Platform::LinkedIn)
        .into_iter()
        .filter(|p| p.extra.get("author") == Some(&author))
        .collect();
    posts.reverse();
    let total = posts.len();
    let elements: Vec<Value> = posts
        .iter()
        .skip(start)
        .take(count)
        .map(post_json)
        .collect();
    Json(json!({"elements": elements, "paging": {"start": start, "count": count, "total": total}}))
        .into_response()
}
