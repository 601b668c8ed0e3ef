//! Post metrics through Graph's multi-id read, `GET /{version}/?ids=a,b&
//! fields=…` (developers.facebook.com "Graph API: multiple ids", up to 50
//! ids; any id that does not exist fails the whole call with `(#803)`),
//! read 2026-12-04:
//!
//! * Facebook Page posts: `shares` (left out when nobody shared, as Graph
//!   does), `reactions.summary(total_count)`, `comments.summary(total_count)`
//!   and `insights.metric(post_media_view, post_total_media_view_unique,
//!   post_clicks)` (the `post_impressions*` metrics were removed on
//!   2025-11-15; `post_media_view` is UNCONFIRMED as the name of "Views").
//! * Instagram media: `like_count`, `comments_count` and
//!   `insights.metric(views, reach, saved, shares, total_interactions)`
//!   (`impressions` and `plays` are gone).
//!
//! Watch time (milliseconds, growing on the clock): a Facebook post's
//! `attachments{media_type,target}` names its video (`video` with the
//! video id, `photo`, or no attachments for text), and a video id read the
//! same way serves `video_insights.metric(total_video_view_total_time)`;
//! Instagram's `media_product_type` (`REELS`, `STORY`, `FEED`) and
//! `insights.metric(ig_reels_video_view_total_time, ig_reels_avg_watch_time)`
//! for reels only (other media fail the call with `(#100)`, as Graph does).

use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::{Map, Value, json};

use super::{M, Req, TokKind, graph_error, may_act, no_permission, ok, page_of_ig};
use crate::metrics;
use crate::record::RecordedPost;

/// Ids one multi-id read accepts.
const MAX_IDS: usize = 50;

/// The emulator's counter behind each insights metric.
fn counter(metric: &str) -> Option<&'static str> {
    Some(match metric {
        "post_media_view" | "views" => "views",
        "post_total_media_view_unique" | "reach" => "reach",
        "post_clicks" => "clicks",
        "saved" => "saves",
        "shares" => "shares",
        "likes" => "likes",
        "comments" => "comments",
        "total_interactions" => "total_interactions",
        "total_video_view_total_time" | "ig_reels_video_view_total_time" => "watch_secs",
        "ig_reels_avg_watch_time" => "avg_view_secs",
        _ => return None,
    })
}

/// Splits `fields` at its top-level commas (`a,b.metric(c,d),e`).
fn top_level(fields: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in fields.char_indices() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(fields[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(fields[start..].trim());
    out.into_iter().filter(|f| !f.is_empty()).collect()
}

/// The `insights` edge of one post with the metrics in `field`
/// (`insights.metric(a,b)`); an unknown metric fails the call like Graph.
fn insights(
    post: &RecordedPost,
    field: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, String> {
    let list = field
        .split_once("metric(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(m, _)| m)
        .unwrap_or_default();
    let mut data = Vec::new();
    for name in list.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let c = counter(name)
            .ok_or_else(|| format!("(#100) The value must be a valid insights metric: {name}"))?;
        if name.starts_with("ig_reels_") && product_type(post) != "REELS" {
            return Err(format!(
                "(#100) The Media Insights API does not support the {name} metric for this media product type."
            ));
        }
        let value = if c == "watch_secs" || c == "avg_view_secs" {
            // Milliseconds, as Graph reports watch times.
            metrics::of(post, c, now) * 1000
        } else if c == "total_interactions" {
            ["likes", "comments", "shares", "saves"]
                .iter()
                .map(|m| metrics::of(post, m, now))
                .sum()
        } else {
            metrics::of(post, c, now)
        };
        data.push(json!({
            "name": name, "period": "lifetime", "values": [{"value": value}],
            "id": format!("{}/insights/{name}/lifetime", post.post_id),
        }));
    }
    Ok(json!({"data": data}))
}

/// An Instagram media's `media_product_type`.
fn product_type(post: &RecordedPost) -> &'static str {
    match post.extra.get("media_type").map(String::as_str) {
        Some("REELS") => "REELS",
        Some("STORIES") => "STORY",
        _ => "FEED",
    }
}

/// A Facebook post's `attachments` edge (None: a text post).
fn attachments(post: &RecordedPost) -> Option<Value> {
    let (media_type, target) = match post.extra.get("video_id") {
        Some(v) => ("video", v.clone()),
        None => ("photo", post.media.first()?.media_id.clone()),
    };
    Some(json!({"data": [{"media_type": media_type, "target": {"id": target}}]}))
}

/// One post with the requested `fields`.
fn object(
    platform: Platform,
    post: &RecordedPost,
    fields: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, String> {
    let c = |m: &str| metrics::of(post, m, now);
    let mut out = Map::new();
    out.insert("id".into(), json!(post.post_id));
    for f in top_level(fields) {
        let name = f.split(['.', '{', '(']).next().unwrap_or(f);
        let value = match (platform, name) {
            (_, "id") => continue,
            (_, "insights") | (Platform::Facebook, "video_insights") => insights(post, f, now)?,
            (Platform::Facebook, "attachments") => match attachments(post) {
                Some(a) => a,
                None => continue,
            },
            (Platform::Instagram, "media_product_type") => json!(product_type(post)),
            (Platform::Facebook, "shares") => match c("shares") {
                0 => continue,
                n => json!({"count": n}),
            },
            (Platform::Facebook, "reactions") => {
                json!({"data": [], "summary": {"total_count": c("likes")}})
            }
            (Platform::Facebook, "comments") => {
                json!({"data": [], "summary": {"total_count": c("comments"), "can_comment": true}})
            }
            (Platform::Facebook, "created_time") => {
                json!(post.created_at.format("%Y-%m-%dT%H:%M:%S%z").to_string())
            }
            (Platform::Instagram, "like_count") => json!(c("likes")),
            (Platform::Instagram, "comments_count") => json!(c("comments")),
            (Platform::Instagram, "timestamp") => {
                json!(post.created_at.format("%Y-%m-%dT%H:%M:%S%z").to_string())
            }
            _ => return Err(format!("(#100) Tried accessing nonexisting field ({name})")),
        };
        out.insert(name.to_owned(), value);
    }
    Ok(Value::Object(out))
}

/// `GET /{version}/?ids=…&fields=…` on the listener of `platform`.
pub(crate) fn multi(m: &M, platform: Platform, kind: &TokKind, r: &Req) -> Response {
    let ids: Vec<&str> = r
        .get("ids")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() || ids.len() > MAX_IDS {
        return super::bad_param(&format!("ids must name 1 to {MAX_IDS} objects"));
    }
    let now = m.now();
    let mut out = Map::new();
    let mut missing = Vec::new();
    let mut posts = Vec::new();
    let all = m.ctx.record.posts_for(platform);
    for id in &ids {
        // A post by its id, or (Facebook) a video by its id, read through
        // the post that shows it.
        let found = all.iter().find(|p| p.post_id == *id).or_else(|| {
            all.iter()
                .find(|p| p.extra.get("video_id").map(String::as_str) == Some(*id))
        });
        match found {
            Some(p) => posts.push((id.to_string(), p.clone())),
            None => missing.push(*id),
        }
    }
    if !missing.is_empty() {
        return graph_error(
            404,
            803,
            None,
            "OAuthException",
            &format!(
                "(#803) Some of the aliases you requested do not exist: {}",
                missing.join(",")
            ),
        );
    }
    for (id, p) in posts {
        let allowed = match platform {
            Platform::Instagram => page_of_ig(m, kind, &p.account_id).is_some(),
            _ => may_act(m, kind, &p.account_id, true),
        };
        if !allowed {
            return no_permission(&format!("The token may not read insights of {}", p.post_id));
        }
        match object(platform, &p, r.get("fields"), now) {
            Ok(mut v) => {
                v["id"] = json!(id);
                out.insert(id, v);
            }
            Err(message) => return graph_error(400, 100, None, "OAuthException", &message),
        }
    }
    ok(Value::Object(out))
}
