//! `GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn)&
//! queryType=IMPRESSION&aggregation=TOTAL` (learn.microsoft.com "Member
//! Post Statistics", li-lms-2026-03, read 2026-12-04): scope
//! `r_member_postAnalytics`; one post and one metric per call (IMPRESSION,
//! MEMBERS_REACHED, RESHARE, REACTION, COMMENT; POST_SAVE and POST_SEND
//! since 202603); only the member's own posts. The element shape beyond
//! `count` is UNCONFIRMED. No clicks or watch time for member posts.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::json;

use super::{St, li_error, rest};
use crate::metrics;

/// The emulator's counter behind each `queryType`.
fn counter(query_type: &str) -> Option<&'static str> {
    Some(match query_type {
        "IMPRESSION" => "views",
        "MEMBERS_REACHED" => "reach",
        "RESHARE" => "shares",
        "REACTION" => "likes",
        "COMMENT" => "comments",
        "POST_SAVE" => "saves",
        "POST_SEND" => "sends",
        _ => return None,
    })
}

/// `GET /rest/memberCreatorPostAnalytics`.
pub(super) async fn member_post(
    State(li): St,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !t.scopes.iter().any(|s| s == "r_member_postAnalytics") {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not enough permissions to access: memberCreatorPostAnalytics.GET.20260301",
            100,
        );
    }
    let bad = |m: &str| li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", m, 100);
    if q.get("q").map(String::as_str) != Some("entity") {
        return bad("q must be entity");
    }
    let Some(metric) = q.get("queryType").and_then(|m| counter(m)) else {
        return bad("queryType is missing or unknown");
    };
    if q.get("aggregation").map(String::as_str) != Some("TOTAL") {
        return bad("the emulator serves aggregation=TOTAL only");
    }
    // `(share:urn:li:share:1)` or `(ugcPost:urn:li:ugcPost:1)`.
    let entity = q.get("entity").map(String::as_str).unwrap_or_default();
    let Some(urn) = entity
        .strip_prefix('(')
        .and_then(|e| e.strip_suffix(')'))
        .and_then(|e| e.split_once(':'))
        .map(|(_, urn)| urn)
    else {
        return bad("entity must be (share:{urn}) or (ugcPost:{urn})");
    };
    let member = format!("urn:li:person:{}", t.subject);
    let Some(post) = li
        .ctx
        .record
        .post(Platform::LinkedIn, urn)
        .filter(|p| !p.deleted)
    else {
        return li_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("{urn} not found"),
            0,
        );
    };
    if post.extra.get("author") != Some(&member) {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "member post analytics are available for the member's own posts only",
            100,
        );
    }
    let count = metrics::of(&post, metric, li.ctx.clock.now());
    Json(json!({
        "paging": {"start": 0, "count": 10, "links": []},
        "elements": [{
            "count": count,
            "metricType": {"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": q["queryType"]},
        }],
    }))
    .into_response()
}
