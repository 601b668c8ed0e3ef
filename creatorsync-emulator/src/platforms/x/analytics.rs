//! `GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics,
//! organic_metrics` (docs.x.com "Post lookup", read 2026-12-04): up to 100
//! ids a call; `public_metrics` for every post, `non_public_metrics` and
//! `organic_metrics` only for the caller's own posts younger than 30 days
//! (left out otherwise). X reports no reach and no watch time here.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

use super::{St, caller, invalid};
use crate::metrics;
use crate::record::RecordedPost;

/// Ids one lookup accepts.
const MAX_IDS: usize = 100;
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
    let now = x.ctx.clock.now();
    let (mut data, mut errors) = (Vec::new(), Vec::new());
    for id in ids {
        match super::tweets::live(&x, id) {
            Some(p) => data.push(with_metrics(&p, &fields, p.account_id == user, now)),
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
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    Json(body).into_response()
}
