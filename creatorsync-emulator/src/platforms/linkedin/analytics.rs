//! `GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn)&
//! queryType=IMPRESSION&aggregation=TOTAL` (learn.microsoft.com "Member
//! Post Statistics", li-lms-2026-03, read 2026-12-04): scope
//! `r_member_postAnalytics`; one post and one metric per call (IMPRESSION,
//! MEMBERS_REACHED, RESHARE, REACTION, COMMENT; POST_SAVE and POST_SEND
//! since 202603); only the member's own posts. The element shape beyond
//! `count` is UNCONFIRMED. No clicks or watch time for member posts.
//!
//! `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&
//! organizationalEntity=urn:li:organization:N&shares=List(…)&ugcPosts=
//! List(…)` (learn.microsoft.com "Organization Share Statistics",
//! li-lms-2025-11, read 2026-12-04): scope `rw_organization_admin`, the
//! caller must administer the organization; lifetime statistics (no
//! `timeIntervals`), one element per asked post of the organization with
//! `totalShareStatistics` (`impressionCount`, `uniqueImpressionsCount`,
//! `likeCount`, `commentCount`, `shareCount`, `clickCount`,
//! `engagement`). At most [`MAX_ORG_POSTS`] posts a call (UNCONFIRMED: the
//! page states no limit); a post that is not the organization's is left
//! out.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::json;

use super::{St, li_error, rest};
use crate::metrics;

/// Posts one organization statistics call accepts.
pub(crate) const MAX_ORG_POSTS: usize = 20;

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

/// The URNs of a Rest.li `List(a,b)` value.
fn list(v: Option<&String>) -> Option<Vec<String>> {
    let inner = v?.strip_prefix("List(")?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// `GET /rest/organizationalEntityShareStatistics`.
pub(super) async fn organization_shares(
    State(li): St,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !t.scopes.iter().any(|s| s == "rw_organization_admin") {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity.20260301",
            100,
        );
    }
    let bad = |m: &str| li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", m, 100);
    if q.get("q").map(String::as_str) != Some("organizationalEntity") {
        return bad("q must be organizationalEntity");
    }
    if q.contains_key("timeIntervals") {
        return bad("the emulator serves lifetime statistics only (no timeIntervals)");
    }
    let org = q.get("organizationalEntity").cloned().unwrap_or_default();
    if li.acting_as(&t.subject, &org).is_none() {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            &format!("the member does not administer {org}"),
            100,
        );
    }
    let (Some(shares), Some(ugc)) = (
        list(q.get("shares")).or_else(|| (!q.contains_key("shares")).then(Vec::new)),
        list(q.get("ugcPosts")).or_else(|| (!q.contains_key("ugcPosts")).then(Vec::new)),
    ) else {
        return bad("shares and ugcPosts must be List(urn,...)");
    };
    let asked = shares.len() + ugc.len();
    if asked == 0 || asked > MAX_ORG_POSTS {
        return bad(&format!(
            "{asked} posts asked; 1 to {MAX_ORG_POSTS} are allowed"
        ));
    }
    let now = li.ctx.clock.now();
    let mut elements = Vec::new();
    for (kind, urn) in shares
        .iter()
        .map(|u| ("share", u))
        .chain(ugc.iter().map(|u| ("ugcPost", u)))
    {
        let Some(post) = li
            .ctx
            .record
            .post(Platform::LinkedIn, urn)
            .filter(|p| !p.deleted && p.extra.get("author") == Some(&org))
        else {
            continue;
        };
        let c = |m: &str| metrics::of(&post, m, now);
        let views = c("views");
        let engaged = c("likes") + c("comments") + c("shares") + c("clicks");
        #[allow(clippy::cast_precision_loss)]
        let engagement = if views == 0 {
            0.0
        } else {
            engaged as f64 / views as f64
        };
        elements.push(json!({
            "organizationalEntity": org,
            kind: urn,
            "totalShareStatistics": {
                "impressionCount": views,
                "uniqueImpressionsCount": c("reach"),
                "likeCount": c("likes"),
                "commentCount": c("comments"),
                "shareCount": c("shares"),
                "clickCount": c("clicks"),
                "engagement": engagement,
            },
        }));
    }
    Json(json!({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}))
        .into_response()
}
