//! YouTube Analytics API `GET /v2/reports` (developers.google.com
//! "Reports: query", read 2026-12-04), served on the YouTube listener: the
//! channel's own videos with `ids=channel==MINE`, `dimensions=video` and a
//! `filters=video==a,b,…` list (at most [`MAX_FILTER_IDS`]; UNCONFIRMED:
//! the documented limit is for groups), metrics `estimatedMinutesWatched`,
//! `averageViewDuration` and `views`; scope `yt-analytics.readonly`. A
//! video that is not the channel's, deleted or unknown gets no row. The
//! Analytics API has its own quota: no Data API units are charged.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{St, channel_of, gerr};
use crate::{check_bearer, form, metrics};

/// Video ids one `video` filter accepts.
pub(crate) const MAX_FILTER_IDS: usize = 500;
/// The scope the reports need.
const SCOPE: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";

/// The emulator's counter behind each report metric.
fn counter(metric: &str) -> Option<&'static str> {
    Some(match metric {
        "estimatedMinutesWatched" => "watch_minutes",
        "averageViewDuration" => "avg_view_secs",
        "views" => "views",
        _ => return None,
    })
}

/// GET /v2/reports
pub(crate) async fn reports(
    State(st): State<St>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let info = match check_bearer(&st.ctx, Platform::YouTube, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !info.scopes.iter().any(|s| s == SCOPE) {
        return gerr(
            403,
            "insufficientPermissions",
            "global",
            "Request had insufficient authentication scopes.",
        );
    }
    let q = form(q.as_deref().unwrap_or(""));
    let bad = |m: &str| gerr(400, "badRequest", "global", m);
    if q.get("ids").map(String::as_str) != Some("channel==MINE") {
        return bad("The emulator serves ids=channel==MINE only.");
    }
    for d in ["startDate", "endDate"] {
        let ok = q
            .get(d)
            .is_some_and(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok());
        if !ok {
            return bad(&format!("Required parameter: {d} (YYYY-MM-DD)"));
        }
    }
    if q.get("dimensions").map(String::as_str) != Some("video") {
        return bad("The emulator serves dimensions=video only.");
    }
    let metrics: Vec<&str> = q
        .get("metrics")
        .map(|m| m.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let mut counters = Vec::new();
    for m in &metrics {
        match counter(m) {
            Some(c) => counters.push(c),
            None => return bad(&format!("Unknown identifier ({m}) given in field metrics.")),
        }
    }
    if counters.is_empty() {
        return bad("Required parameter: metrics");
    }
    let Some(list) = q.get("filters").and_then(|f| f.strip_prefix("video==")) else {
        return bad("The emulator needs filters=video==id1,id2,...");
    };
    let ids: Vec<&str> = list.split(',').filter(|s| !s.is_empty()).collect();
    if ids.is_empty() || ids.len() > MAX_FILTER_IDS {
        return bad(&format!(
            "The filter video lists {} ids; 1 to {MAX_FILTER_IDS} are allowed.",
            ids.len()
        ));
    }
    let (channel, _, _) = channel_of(&st.ctx, &info.subject);
    let now = st.ctx.clock.now();
    let videos = st.owned_videos(&channel, &ids);
    let rows: Vec<Value> = videos
        .iter()
        .map(|(id, created)| {
            let mut row = vec![json!(id)];
            row.extend(
                counters
                    .iter()
                    .map(|c| json!(metrics::count(id, c, *created, now))),
            );
            Value::Array(row)
        })
        .collect();
    let mut headers =
        vec![json!({"name": "video", "columnType": "DIMENSION", "dataType": "STRING"})];
    headers.extend(
        metrics
            .iter()
            .map(|m| json!({"name": m, "columnType": "METRIC", "dataType": "INTEGER"})),
    );
    Json(json!({
        "kind": "youtubeAnalytics#resultTable",
        "columnHeaders": headers,
        "rows": rows,
    }))
    .into_response()
}
