//! `GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics,
//! organic_metrics` (docs.x.com "Post lookup", read 2026-12-04): up to 100
//! ids a call; `public_metrics` for every post, `non_public_metrics` and
//! `organic_metrics` only for the caller's own posts younger than 30 days
//! (left out otherwise). X reports no reach and no watch time here.
//! With `expansions=attachments.media_keys` a post with media carries
//! `attachments.media_keys` and the answer `includes.media` (`media_key`,
//! `type` from the key's prefix: `7_`/`13_` video, `16_` animated_gif,
//! `3_` photo).
//!
//! `GET /2/media/analytics?media_keys=…&start_time=…&end_time=…&
//! granularity=total&media_analytics.fields=…` (docs.x.com "Get Media
//! analytics", API v2.166, read 2026-12-04): 1 to 100 media keys
//! (`^[0-9]+_[0-9]+$`), `start_time`/`end_time` required, granularity
//! `hourly`/`daily`/`total`; the caller's own media only (a key of a post
//! of another account, or of no post, is an `errors` entry). Counters grow
//! from the post's creation; with `total` one bucket per key. The
//! emulator's `data` item shape (`media_key`, `timestamped_metrics[]` of
//! `timestamp` + `metrics`) follows the SDK schemas `MediaAnalytics` /
//! `MediaTimestampedMetrics`: UNCONFIRMED against a live answer.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

use creatorsync_core::Platform;

use super::{St, caller, invalid};
use crate::metrics;
use crate::record::RecordedPost;

/// Ids one lookup accepts.
const MAX_IDS: usize = 100;
/// Media keys one media analytics call accepts.
const MAX_MEDIA_KEYS: usize = 100;
/// How long X serves non-public and organic metrics of a post.
const PRIVATE_METRICS_DAYS: i64 = 30;

/// The metrics of one post as X shapes them.
fn with_metrics(
    p: &RecordedPost,
    fields: &[&str],
    own: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let c = |m: &str| metrics::of(p, m, now);
    let mut d = json!({
        "id": p.post_id,
        "text": p.text,
        "author_id": p.account_id,
        "edit_history_tweet_ids": [p.post_id],
    });
    if fields.contains(&"created_at") {
        d["created_at"] = json!(
            p.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        );
    }
    if let Some(keys) = media_keys(p)
        && fields.contains(&"attachments")
    {
        d["attachments"] = json!({ "media_keys": keys });
    }
    if fields.contains(&"public_metrics") {
        d["public_metrics"] = json!({
            "retweet_count": c("shares"), "reply_count": c("comments"),
            "like_count": c("likes"), "quote_count": c("quotes"),
            "bookmark_count": c("saves"), "impression_count": c("views"),
        });
    }
    let private = own && now - p.created_at < chrono::Duration::days(PRIVATE_METRICS_DAYS);
    if private && fields.contains(&"non_public_metrics") {
        d["non_public_metrics"] = json!({
            "impression_count": c("views"), "url_link_clicks": c("clicks"),
            "user_profile_clicks": c("profile_clicks"),
        });
    }
    if private && fields.contains(&"organic_metrics") {
        d["organic_metrics"] = json!({
            "impression_count": c("views"), "like_count": c("likes"),
            "reply_count": c("comments"), "retweet_count": c("shares"),
            "url_link_clicks": c("clicks"), "user_profile_clicks": c("profile_clicks"),
        });
    }
    d
}

/// `GET /2/tweets?ids=a,b&tweet.fields=…`.
pub(super) async fn lookup(
    State(x): St,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let ids: Vec<&str> = q
        .get("ids")
        .map(|s| s.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > MAX_IDS {
        return invalid(
            "ids",
            &format!(
                "The number of values in the `ids` query parameter list [{}] is not between 1 and 100",
                ids.len()
            ),
        );
    }
    let fields: Vec<&str> = q
        .get("tweet.fields")
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    let expand = q
        .get("expansions")
        .is_some_and(|e| e.split(',').any(|e| e == "attachments.media_keys"));
    let now = x.ctx.clock.now();
    let (mut data, mut errors, mut media) = (Vec::new(), Vec::new(), Vec::new());
    for id in ids {
        match super::tweets::live(&x, id) {
            Some(p) => {
                if expand {
                    media.extend(
                        media_keys(&p)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|k| json!({"media_key": k, "type": media_type(&k)})),
                    );
                }
                data.push(with_metrics(&p, &fields, p.account_id == user, now));
            }
            None => errors.push(json!({
                "value": id, "detail": format!("Could not find tweet with ids: [{id}]."),
                "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                "resource_id": id, "type": "https://api.twitter.com/2/problems/resource-not-found"
            })),
        }
    }
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    if !media.is_empty() {
        body["includes"] = json!({ "media": media });
    }
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    Json(body).into_response()
}

/// The media keys a post carries.
fn media_keys(p: &RecordedPost) -> Option<Vec<String>> {
    let keys = p.extra.get("media_keys")?;
    Some(
        keys.split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// The media `type` of a key, from its prefix.
fn media_type(key: &str) -> &'static str {
    match key.split_once('_').map(|(p, _)| p) {
        Some("7" | "13") => "video",
        Some("16") => "animated_gif",
        _ => "photo",
    }
}

/// The emulator's counter behind each media analytics field.
fn media_counter(field: &str) -> Option<&'static str> {
    Some(match field {
        "watch_time_ms" => "watch_secs",
        "video_views" | "playback_start" => "views",
        "playback25" => "reach",
        "playback50" => "likes",
        "playback75" => "clicks",
        "playback_complete" => "saves",
        "play_from_tap" | "cta_url_clicks" | "cta_watch_clicks" => "quotes",
        _ => return None,
    })
}

/// `GET /2/media/analytics`.
pub(super) async fn media(
    State(x): St,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = super::require_scope(&x, &headers, "tweet.read") {
        return r;
    }
    let keys: Vec<&str> = q
        .get("media_keys")
        .map(|s| s.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if keys.is_empty() || keys.len() > MAX_MEDIA_KEYS {
        return invalid(
            "media_keys",
            &format!(
                "The number of values in the `media_keys` query parameter list [{}] is not between 1 and {MAX_MEDIA_KEYS}",
                keys.len()
            ),
        );
    }
    let well_formed = |k: &str| {
        k.split_once('_').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
    };
    if let Some(k) = keys.iter().find(|k| !well_formed(k)) {
        return invalid(
            "media_keys",
            &format!("The `media_keys` value [{k}] does not match ^([0-9]+)_([0-9]+)$"),
        );
    }
    let mut times = Vec::new();
    for name in ["start_time", "end_time"] {
        match q
            .get(name)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        {
            Some(t) => times.push(t.with_timezone(&chrono::Utc)),
            None => {
                return invalid(
                    name,
                    &format!("The `{name}` query parameter is required (YYYY-MM-DDTHH:mm:ssZ)"),
                );
            }
        }
    }
    let granularity = q.get("granularity").map_or("daily", String::as_str);
    if granularity != "total" {
        // The emulator serves the lifetime total only.
        return invalid("granularity", "the emulator serves granularity=total only");
    }
    let fields: Vec<&str> = q
        .get("media_analytics.fields")
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    let now = x.ctx.clock.now();
    let posts = x.ctx.record.posts_for(Platform::X);
    let (mut data, mut errors) = (Vec::new(), Vec::new());
    for key in keys {
        let post = posts.iter().find(|p| {
            p.account_id == user && media_keys(p).is_some_and(|ks| ks.iter().any(|k| k == key))
        });
        let Some(p) = post else {
            errors.push(json!({
                "value": key, "detail": format!("Could not find media with media_key: [{key}]."),
                "title": "Not Found Error", "resource_type": "media", "parameter": "media_keys",
                "resource_id": key, "type": "https://api.twitter.com/2/problems/resource-not-found"
            }));
            continue;
        };
        let mut m = serde_json::Map::new();
        for f in &fields {
            if let Some(c) = media_counter(f) {
                let n = metrics::count(key, c, p.created_at, now);
                let n = if *f == "watch_time_ms" { n * 1000 } else { n };
                m.insert((*f).to_owned(), json!(n));
            }
        }
        data.push(json!({
            "media_key": key,
            "timestamped_metrics": [{
                "timestamp": times[0].to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "metrics": m,
            }],
        }));
    }
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    Json(body).into_response()
}
